/** Exits and options a CI gate relies on: diff --exit-code, -q/--quiet, and --no-X for every on/off option. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { runCli } from '../support/cli.ts';

const V1 = 'examples/webshop';
const V2 = 'examples/webshop-v2';
const NOTICE = /^Ignored 15 objects of other kinds/m;

/** Two pods, and a policy that admits the client by its pod IP only: whether ipBlock matches pods decides. */
const BY_POD_IP = 'test/fixtures/cli/by-pod-ip.yaml';
const CLIENT_TO_SERVER = /^a\/client +a\/server /m;

describe('diff --exit-code', () => {
  test('exit 1 when connectivity changed, with the same report and no extra line', async () => {
    const plain = await runCli(['diff', V1, V2]);
    const gated = await runCli(['diff', V1, V2, '--exit-code']);
    assert.equal(plain.code, 0);
    assert.equal(gated.code, 1);
    assert.equal(gated.stdout, plain.stdout);
    assert.equal(gated.stderr, plain.stderr);
  });

  test('exit 0 when nothing changed; --no-exit-code turns it off again', async () => {
    assert.equal((await runCli(['diff', V1, V1, '--exit-code'])).code, 0);
    assert.equal((await runCli(['diff', V1, V2, '--exit-code', '--no-exit-code'])).code, 0);
  });

  test('with --fail-on, either one failing is exit 1', async () => {
    // webshop → v2 adds one connection; removed only fails --fail-on removed, but --exit-code sees the change.
    const r = await runCli(['diff', V1, V2, '--fail-on', 'removed', '--exit-code', '-q']);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /^netfence: \d+ connections no longer allowed or narrowed \(\d+ removed, \d+ changed\) \(--fail-on removed\)\n$/,
    );
  });
});

describe('-q, --quiet: no notes, the same answer', () => {
  test('analyze, diff and lint print the ignored-kinds notice without it, nothing with it', async () => {
    for (const args of [
      ['analyze', V1],
      ['diff', V1, V2],
      ['lint', V1],
    ]) {
      const loud = await runCli(args);
      assert.match(loud.stderr, NOTICE, args.join(' '));
      for (const flag of ['-q', '--quiet']) {
        const quiet = await runCli([...args, flag]);
        assert.equal(quiet.stderr, '', `${args.join(' ')} ${flag}`);
        assert.equal(quiet.stdout, loud.stdout);
        assert.equal(quiet.code, loud.code);
      }
      assert.match((await runCli([...args, '-q', '--no-quiet'])).stderr, NOTICE);
    }
  });

  test('notes about files written go too; errors stay', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netfence-quiet-'));
    try {
      const spec = join(dir, 'spec.yaml');
      const loud = await runCli(['test', '--init', '-o', spec, V1]);
      assert.match(loud.stderr, /^wrote .*spec\.yaml: \d+ tests$/m);
      const quiet = await runCli(['test', '--init', '-o', spec, '--force', V1, '-q']);
      assert.equal(quiet.code, 0);
      assert.equal(quiet.stderr, '');
      assert.match(readFileSync(spec, 'utf8'), /- name:/);
      const html = join(dir, 'report.html');
      const report = await runCli(['report', '--html', html, V1, '-q']);
      assert.deepEqual([report.code, report.stderr], [0, '']);
      const missing = await runCli(['analyze', 'nope', '-q']);
      assert.deepEqual(
        [missing.code, missing.stderr],
        [2, 'netfence: no manifests found in nope (path "nope" does not exist)\n'],
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('generate: the summary of what was generated is a note', async () => {
    const args = ['generate', V1, '--flows', 'examples/flows/webshop.csv'];
    const loud = await runCli(args);
    assert.equal(loud.code, 0, loud.stderr);
    assert.notEqual(loud.stderr, '');
    const quiet = await runCli([...args, '-q']);
    assert.deepEqual([quiet.code, quiet.stderr, quiet.stdout], [0, '', loud.stdout]);
  });
});

describe('--no-X for on/off options', () => {
  test('--no-ipblock-matches-pods is --ipblock-matches-pods false; the last one given wins', async () => {
    const run = async (...flags: string[]): Promise<boolean> => {
      const r = await runCli(['analyze', BY_POD_IP, ...flags]);
      assert.equal(r.code, 0, r.stderr);
      return CLIENT_TO_SERVER.test(r.stdout);
    };
    assert.equal(await run(), true);
    assert.equal(await run('--ipblock-matches-pods', 'false'), false);
    assert.equal(await run('--no-ipblock-matches-pods'), false);
    assert.equal(await run('--no-ipblock-matches-pods', '--ipblock-matches-pods', 'true'), true);
    assert.equal(await run('--ipblock-matches-pods', 'true', '--no-ipblock-matches-pods'), false);
  });

  test('--no-skip-invalid in analyze, lint and exposure: invalid input stops the run again', async () => {
    const invalid = 'test/fixtures/cli/invalid.yaml';
    for (const args of [['analyze'], ['lint'], ['exposure']]) {
      const skipping = await runCli([...args, invalid, '--skip-invalid', '-q']);
      assert.notEqual(skipping.code, 2, `${args[0]}: ${skipping.stderr}`);
      const stopped = await runCli([...args, invalid, '--skip-invalid', '--no-skip-invalid', '-q']);
      assert.equal(stopped.code, 2, args[0]);
      assert.match(stopped.stderr, /error.* in the input; fix/);
    }
  });

  test('flags of other command families: lint --no-list-rules, test --no-init', async () => {
    const listed = await runCli(['lint', V1, '--list-rules']);
    const linted = await runCli(['lint', V1, '-q']);
    const back = await runCli(['lint', V1, '--list-rules', '--no-list-rules', '-q']);
    assert.notEqual(listed.stdout, linted.stdout);
    assert.deepEqual([back.code, back.stdout], [linted.code, linted.stdout]);
    const spec = ['--spec', 'examples/webshop-tests.yaml', '-q'];
    const checked = await runCli(['test', V1, ...spec, '--init', '--no-init']);
    const plain = await runCli(['test', V1, ...spec]);
    assert.match(plain.stdout, /passed/);
    assert.deepEqual([checked.code, checked.stdout], [plain.code, plain.stdout]);
  });

  test('every command says so in its help', async () => {
    for (const command of ['analyze', 'lint', 'apply', 'snapshot', 'rollback', 'serve']) {
      const r = await runCli([command, '--help']);
      assert.match(r.stdout, /-q, --quiet/);
      assert.match(r.stdout, /Every on\/off option --X also takes --no-X/);
    }
  });
});

describe('a gate never passes on input with nothing to check', () => {
  /** A NetworkPolicy alone, without the workloads it selects. */
  const POLICY =
    'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: shop}\nspec:\n  podSelector: {}\n  policyTypes: [Ingress]\n';
  /** A ConfigMap alone: no policy, no workload (the wrong folder of a repository). */
  const CONFIG = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: shop}\n';

  test('lint on input with neither a policy nor a workload: exit 2, not "No findings"; --fail-on none lints it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netfence-lint-nothing-'));
    try {
      const file = join(dir, 'config.yaml');
      writeFileSync(file, CONFIG);
      for (const extra of [[], ['--fail-on', 'info'], ['-o', 'json'], ['-o', 'sarif']]) {
        const r = await runCli(['lint', file, ...extra]);
        assert.equal(r.code, 2, `${extra.join(' ')}: ${r.stdout}`);
        assert.equal(r.stdout, '');
        assert.match(r.stderr, /^netfence: nothing to lint: the input has no policy .* and no workload; /m);
      }
      const none = await runCli(['lint', file, '--fail-on', 'none']);
      assert.equal(none.code, 0);
      assert.match(none.stdout, /^No findings/);
      // Policies alone are linted: a gate over them stands.
      const policy = join(dir, 'policy.yaml');
      writeFileSync(policy, POLICY);
      const alone = await runCli(['lint', policy]);
      assert.notEqual(alone.code, 2, alone.stderr);
      assert.doesNotMatch(alone.stderr, /nothing to lint/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('diff --fail-on / --exit-code where neither side has a workload: exit 2, no connection could change', async () => {
    // The wrong folder of a repository (ConfigMaps, a kustomization), or policies without their workloads: a
    // diff gate there compares 0 connections with 0 and would always pass.
    const dir = mkdtempSync(join(tmpdir(), 'netfence-diff-nothing-'));
    try {
      const config = join(dir, 'config.yaml');
      writeFileSync(config, CONFIG);
      const policy = join(dir, 'policy.yaml');
      writeFileSync(policy, POLICY);
      const gates = [
        ['--fail-on', 'any'],
        ['--fail-on', 'removed'],
        ['--exit-code'],
        ['-o', 'json', '--fail-on', 'added'],
      ];
      for (const gate of gates) {
        for (const args of [
          [config, config],
          [config, policy],
          ['--vs-cni', 'calico', policy],
        ]) {
          const r = await runCli(['diff', ...args, ...gate]);
          assert.equal(r.code, 2, `${args.join(' ')} ${gate.join(' ')}: ${r.stdout}`);
          assert.equal(r.stdout, '');
          assert.match(
            r.stderr,
            /^netfence: nothing to compare: (neither side has a|the input has no) workload, so no connection can change; a gate with nothing to check does not pass \(give the manifests of the workloads too\)\n$/m,
          );
        }
      }
      // (--vs-cni reads one input.) Without a gate, the report is an answer; with a workload on one side, the gate stands (all removed).
      const plain = await runCli(['diff', config, policy]);
      assert.equal(plain.code, 0, plain.stderr);
      const gone = await runCli(['diff', V1, config, '--fail-on', 'removed', '-q']);
      assert.equal(gone.code, 1, gone.stderr);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('drift --fail-on where the desired side has no policy and names no namespace: exit 2, nothing compared', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netfence-drift-nothing-'));
    try {
      const desired = join(dir, 'config.yaml');
      writeFileSync(desired, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\n');
      const live = join(dir, 'live.yaml');
      writeFileSync(live, POLICY);
      // The report says where extra policies were looked for in words, not "in namespaces ." (an empty list).
      const plain = await runCli(['drift', desired, live, '-q']);
      assert.equal(plain.code, 0, plain.stderr);
      assert.match(
        plain.stdout,
        /^Extra policies looked for in no namespace \(the desired side names none\); 1 live policy elsewhere not compared \(-A compares them\)\.$/m,
      );
      for (const output of ['txt', 'json', 'md']) {
        const r = await runCli(['drift', desired, live, '--fail-on', 'any', '-o', output, '-q']);
        assert.equal(r.code, 2, `${output}: ${r.stdout}`);
        assert.equal(r.stdout, '');
        assert.equal(
          r.stderr,
          `netfence: nothing to compare: ${desired} has no policy and names no namespace, so no drift can be found; a gate with nothing to check does not pass (give the desired policies, or -A to look for extra policies in every namespace)\n`,
        );
      }
      // -A looks in every namespace: the live policy is extra, and the gate stands.
      const all = await runCli(['drift', desired, live, '--fail-on', 'any', '-A', '-q']);
      assert.equal(all.code, 1, all.stderr);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
