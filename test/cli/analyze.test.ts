import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { deploymentsYaml } from '../support/builders.ts';
import { assertGolden, runCli } from '../support/cli.ts';
import { VERSION } from '../../src/cli/version.ts';

const EXAMPLE = 'examples/webshop';

describe('netfence analyze on the bundled example', () => {
  for (const format of ['txt', 'json', 'csv', 'md', 'dot'] as const) {
    test(`-o ${format} matches its golden file`, async () => {
      const r = await runCli(['analyze', EXAMPLE, '-o', format]);
      assert.equal(r.code, 0, r.stderr);
      assertGolden(`analyze/webshop.${format}`, r.stdout);
    });
  }

  test('the notice counts the ignored kinds on stderr, not stdout', async () => {
    const r = await runCli(['analyze', EXAMPLE]);
    assert.match(r.stderr, /^Ignored \d+ objects of other kinds \(ConfigMap ×\d+/m);
    assert.doesNotMatch(r.stdout, /Ignored/);
  });

  test('JSON holds workloads with ids, pods, labels, and connections with ports for all three protocols', async () => {
    const r = await runCli(['analyze', EXAMPLE, '-o', 'json']);
    const out = JSON.parse(r.stdout) as {
      schemaVersion: number;
      workloads: { id: string; kind: string; labels: Record<string, string> }[];
      connections: {
        src: Record<string, unknown>[];
        dst: Record<string, unknown>[];
        ports: Record<string, number[][]>;
        summary: string;
      }[];
    };
    assert.equal(out.schemaVersion, 2);
    const ids = out.workloads.map((w) => w.id);
    assert.ok(ids.includes('data/StatefulSet/postgres'));
    assert.ok(ids.includes('kube-system/Deployment/coredns'));
    const toPostgres = out.connections.filter((c) =>
      c.dst.some((d) => d.workload === 'data/StatefulSet/postgres'),
    );
    // The services that use the database on 5432, and prometheus on its metrics ports: one entry each.
    assert.deepEqual(
      toPostgres.map((c) => [c.src.map((s) => s.workload), c.summary]),
      [
        [['data/CronJob/report-exporter', 'shop/Deployment/catalog', 'shop/Deployment/checkout'], 'TCP 5432'],
        [['monitoring/StatefulSet/prometheus'], 'TCP 9100-9199'],
      ],
    );
    for (const c of out.connections) assert.deepEqual(Object.keys(c.ports), ['TCP', 'UDP', 'SCTP']);
  });

  test('reads standard input with -', async () => {
    const text = readFileSync('test/fixtures/cli/pods.yaml', 'utf8');
    const fromStdin = await runCli(['analyze', '-'], { stdin: text });
    const fromFile = await runCli(['analyze', 'test/fixtures/cli/pods.yaml']);
    assert.equal(fromStdin.code, 0, fromStdin.stderr);
    assert.equal(fromStdin.stdout, fromFile.stdout);
  });
});

describe('netfence analyze on real pods', () => {
  test('workload granularity groups pods through ownerReferences into their Deployment', async () => {
    const r = await runCli(['analyze', 'test/fixtures/cli/pods.yaml']);
    assert.equal(r.code, 0, r.stderr);
    assertGolden('analyze/pods.txt', r.stdout);
  });

  test('txt and md headers count the same: the pods too', async () => {
    const txt = await runCli(['analyze', 'test/fixtures/cli/pods.yaml']);
    const md = await runCli(['analyze', 'test/fixtures/cli/pods.yaml', '-o', 'md']);
    assert.equal(
      txt.stdout.split('\n')[0],
      '2 workloads (3 pods) in 1 namespace, 1 policy: 10 allowed connections in 7 rows',
    );
    assert.equal(
      md.stdout.split('\n')[0],
      '**10 allowed connections** in 7 rows between 2 workloads (3 pods) in 1 namespace (1 policy)',
    );
  });

  test('pod granularity resolves the named port per pod', async () => {
    const r = await runCli(['analyze', 'test/fixtures/cli/pods.yaml', '--granularity', 'pod']);
    assert.equal(r.code, 0, r.stderr);
    // "http" is 8080 on one replica and 9090 on the other: each pod gets its own number.
    assert.match(r.stdout, /app\/client +app\/web-6d4cf56db6-aaaaa +TCP 8080\n/);
    assert.match(r.stdout, /app\/client +app\/web-6d4cf56db6-bbbbb +TCP 9090\n/);
    assertGolden('analyze/pods-pod-granularity.txt', r.stdout);
  });

  test('--ipblock-matches-pods=false stops the ipBlock from matching the pod at 10.0.1.10', async () => {
    const on = await runCli(['analyze', 'test/fixtures/cli/pods.yaml', '--granularity', 'pod']);
    const off = await runCli([
      'analyze',
      'test/fixtures/cli/pods.yaml',
      '--granularity',
      'pod',
      '--ipblock-matches-pods',
      'false',
    ]);
    // The ipBlock 10.0.1.10/32 admits the replica that has that IP (all ports) from ... itself? No: it admits
    // sources at that address; the replica aaaaa reaches its sibling bbbbb only through it.
    assert.match(on.stdout, /app\/web-6d4cf56db6-aaaaa +app\/web-6d4cf56db6-bbbbb +All connections/);
    assert.doesNotMatch(off.stdout, /app\/web-6d4cf56db6-aaaaa +app\/web-6d4cf56db6-bbbbb/);
  });
});

describe('netfence analyze on bad input', () => {
  test('invalid objects: one line per problem with file:line:column and field path, exit 2, no stack trace', async () => {
    const r = await runCli(['analyze', 'test/fixtures/cli/invalid.yaml']);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.doesNotMatch(r.stderr, /\n\s+at /);
    assertGolden('analyze/invalid.stderr.txt', r.stderr);
  });

  test('--skip-invalid analyzes the rest and lists what it skipped', async () => {
    const r = await runCli(['analyze', 'test/fixtures/cli/invalid.yaml', '--skip-invalid']);
    assert.equal(r.code, 0);
    assert.match(r.stderr, /skipped shop\/NetworkPolicy\/broken|skipped .*broken/);
    assert.match(r.stdout, /1 policy:/);
  });

  test('no input is a usage error that says what to give', async () => {
    const r = await runCli(['analyze']);
    assert.equal(r.code, 2);
    assert.equal(
      r.stderr,
      'netfence: no input: give manifest files or folders, or - to read standard input\n',
    );
  });

  test('a missing path is reported by name', async () => {
    const r = await runCli(['analyze', 'does/not/exist.yaml']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /does\/not\/exist\.yaml/);
  });

  test('an unknown output format lists the choices', async () => {
    const r = await runCli(['analyze', EXAMPLE, '-o', 'xml']);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, 'netfence: --output: unknown value "xml"; use one of txt, json, csv, md, dot\n');
  });

  test('--ipblock-matches-pods takes true or false only', async () => {
    const r = await runCli(['analyze', EXAMPLE, '--ipblock-matches-pods', 'maybe']);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, 'netfence: --ipblock-matches-pods: expected true or false, got "maybe"\n');
  });
});

describe('netfence analyze as a process, with a large answer', () => {
  for (const worker of ['always', 'never'] as const) {
    test(`a reader slower than the output still gets the whole answer through the pipe (worker: ${worker})`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'netfence-large-'));
      try {
        // 200 workloads and no policy: 40,400 connections (each pair, and each to and from the outside), a
        // CSV row each, megabytes through a pipe that holds 64 KiB.
        const text = deploymentsYaml(200, 4);
        writeFileSync(join(dir, 'apps.yaml'), text);
        const child = spawn(process.execPath, ['bin/netfence', 'analyze', dir, '-o', 'csv'], {
          stdio: ['ignore', 'pipe', 'pipe'],
          env: { ...process.env, NETFENCE_WORKER: worker },
        });
        child.stdout.pause();
        await new Promise((resolve) => setTimeout(resolve, 1500));
        const chunks: Buffer[] = [];
        let stderr = '';
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.stdout.on('data', (d: Buffer) => chunks.push(d));
        child.stdout.resume();
        const [code] = (await once(child, 'close')) as [number];
        assert.equal(code, 0, stderr);
        const out = Buffer.concat(chunks).toString('utf8');
        assert.ok(out.length > 1 << 20, `${out.length} characters`);
        const rows = out.trimEnd().split('\n');
        assert.equal(rows[0], 'src,dst,connections');
        assert.equal(rows.length, 1 + 40_400);
        assert.equal(rows.at(-1), 'any address,ns-3/app-99,All connections');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

/** Runs bin/netfence in its own process, on a worker thread (as large inputs run) or not. */
async function runProcess(
  args: readonly string[],
  worker: 'always' | 'never',
  stdin?: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['bin/netfence', ...args], {
    stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    // No cache: a kept answer would answer the second run without running it on its thread.
    env: { ...process.env, NETFENCE_WORKER: worker, NETFENCE_NO_CACHE: '1' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  if (stdin !== undefined) child.stdin!.end(stdin);
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr };
}

describe('netfence on a worker thread answers as on the main thread', () => {
  test('running out of memory on the worker is one line with the fix, not a crash', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netfence-oom-'));
    try {
      // Large enough to outgrow a 40 MiB heap whatever the reader (5,000 fitted once the YAML reader kept less).
      writeFileSync(join(dir, 'apps.yaml'), deploymentsYaml(20000, 10));
      const child = spawn(process.execPath, ['bin/netfence', 'analyze', dir, '-o', 'json'], {
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...process.env, NETFENCE_WORKER: 'always', NODE_OPTIONS: '--max-old-space-size=40' },
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const [code] = (await once(child, 'close')) as [number];
      assert.equal(code, 70);
      assert.match(
        stderr,
        /^netfence: out of memory: .* \(a heap of \d+ MiB\); give it more with NODE_OPTIONS=--max-old-space-size=16384 \(MiB\), or read less at once\n$/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('output, standard input, exit codes and errors are the same', async () => {
    const pods = readFileSync('test/fixtures/cli/pods.yaml', 'utf8');
    const cases: { args: string[]; stdin?: string }[] = [
      { args: ['analyze', EXAMPLE, '-o', 'json'] },
      { args: ['analyze', '-'], stdin: pods },
      { args: ['analyze', 'no-such-folder'] },
      { args: ['lint', EXAMPLE] },
      { args: ['analyze', '--output', 'yaml', EXAMPLE] },
    ];
    for (const c of cases) {
      const onWorker = await runProcess(c.args, 'always', c.stdin);
      const onMain = await runProcess(c.args, 'never', c.stdin);
      assert.deepEqual(onWorker, onMain, c.args.join(' '));
    }
    const codes = await Promise.all(
      cases.map((c) => runProcess(c.args, 'always', c.stdin).then((r) => r.code)),
    );
    assert.deepEqual(codes, [0, 0, 2, 1, 2]);
  });
});

describe('the command line loads commands on demand', () => {
  test('--help lists every command in order; the help of one command, --version and a typo still work', async () => {
    const help = await runCli(['--help']);
    assert.equal(help.code, 0);
    const listed = [...help.stdout.matchAll(/^ {2}([a-z-]+) /gm)].map((m) => m[1]);
    assert.deepEqual(listed, [
      ...['analyze', 'diff', 'drift', 'paths', 'explain', 'exposure', 'test', 'map', 'generate'],
      ...['check-flows'],
      ...['lint', 'snapshot', 'apply', 'rollback', 'serve', 'report', 'webhook', 'controller'],
      ...['help'],
    ]);
    const one = await runCli(['analyze', '--help']);
    assert.equal(one.code, 0);
    assert.match(one.stdout, /^Usage: netfence analyze \[options\] \[paths\.\.\.\]/);
    const version = await runCli(['--version']);
    assert.deepEqual([version.code, version.stdout], [0, `${VERSION}\n`]);
    const typo = await runCli(['analyz']);
    assert.equal(typo.code, 2);
    assert.equal(
      typo.stderr,
      'netfence: unknown command "analyz"; did you mean analyze? (see netfence --help)\n',
    );
  });
});
