/**
 * `netfence test` end to end: the bundled example's spec (two tests fail, for the right reasons), the CI
 * formats, spec problems, and `--init`, whose spec passes on the input it froze and catches the regression
 * of webshop-v2.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertGolden, runCli } from '../support/cli.ts';

const SPEC = 'examples/webshop-tests.yaml';
const WEBSHOP = 'examples/webshop';

describe('netfence test on the bundled example', () => {
  test('txt: 11 pass, 2 fail with their explanations (golden), exit 1', async () => {
    const r = await runCli(['test', '--spec', SPEC, WEBSHOP]);
    assert.equal(r.code, 1);
    assertGolden('testspec/webshop-tests.txt', r.stdout);
    // The right reasons: weakness 6 lets every shop pod call the gateway; weakness 8's named port allows nothing.
    assert.match(
      r.stdout,
      /FAIL {2}only checkout calls the payment gateway \(examples\/webshop-tests\.yaml:55\)/,
    );
    assert.match(
      r.stdout,
      /shop\/web → payments\/payment-gateway is allowed on 50051\/TCP \(expected deny\)/,
    );
    assert.match(
      r.stdout,
      /allowed by payments\/allow-payment-gateway spec\.ingress\[0\]\.from\[0\] .*: any pod in namespaces labelled team=storefront/,
    );
    assert.match(r.stdout, /FAIL {2}Prometheus scrapes the payment gateway/);
    assert.match(r.stdout, /named port "http-metrics" \(TCP\) is not defined on payments\/payment-gateway/);
    // The explained pairs fail for one reason: it is explained once, and the others are named.
    assert.equal(r.stdout.match(/→ payments\/payment-gateway: ALLOWED on 50051\/TCP$/gm)?.length, 1);
    assert.match(
      r.stdout,
      /^ +The same explanation holds for shop\/cart → payments\/payment-gateway, shop\/catalog → payments\/payment-gateway:$/m,
    );
  });

  test('junit (golden)', async () => {
    const r = await runCli(['test', '--spec', SPEC, '-o', 'junit', WEBSHOP]);
    assert.equal(r.code, 1);
    // One explanation per reason in a failure's body, not one per failing pair.
    assert.equal(r.stdout.match(/ALLOWED on 50051\/TCP/g)?.length, 1);
    assertGolden('testspec/webshop-tests.junit.xml', r.stdout);
  });

  test('tap: a plan, one test point per test, a YAML block per failure', async () => {
    const r = await runCli(['test', '--spec', SPEC, '-o', 'tap', WEBSHOP]);
    assert.equal(r.code, 1);
    const lines = r.stdout.split('\n');
    assert.deepEqual(lines.slice(0, 2), ['TAP version 14', '1..13']);
    assert.deepEqual(
      lines.filter((l) => l.startsWith('not ok')),
      [
        'not ok 8 - only checkout calls the payment gateway',
        'not ok 13 - Prometheus scrapes the payment gateway',
      ],
    );
    assert.equal(lines.filter((l) => /^ok \d+ - /.test(l)).length, 11);
    assert.equal(lines.filter((l) => l === '  ---').length, 2);
    assert.equal(lines.filter((l) => l === '  ...').length, 2);
    // One explanation per reason, not one per failing pair.
    assert.equal(r.stdout.match(/ALLOWED on 50051\/TCP/g)?.length, 1);
    assert.match(
      r.stdout,
      /The same explanation holds for shop\/cart → payments\/payment-gateway, shop\/catalog/,
    );
  });

  test('json: summary, and each failure with its explanation', async () => {
    const r = await runCli(['test', '--spec', SPEC, '-o', 'json', WEBSHOP]);
    const json = JSON.parse(r.stdout) as {
      schemaVersion: number;
      summary: unknown;
      specs: {
        file: string;
        tests: {
          name: string;
          line: number;
          passed: boolean;
          pairs: number;
          failures: { src: { name: string }; expected: string; explanations: { verdict: string }[] | null }[];
        }[];
      }[];
    };
    assert.deepEqual(json.summary, { tests: 13, passed: 11, failed: 2 });
    const failed = json.specs[0]!.tests.filter((t) => !t.passed);
    assert.deepEqual(
      failed.map((t) => [
        t.name,
        t.line,
        t.pairs,
        t.failures.map((f) => [f.src.name, f.expected, f.explanations?.[0]?.verdict ?? null]),
      ]),
      [
        [
          'only checkout calls the payment gateway',
          55,
          15,
          [
            ['shop/api', 'deny', 'allowed'],
            ['shop/cart', 'deny', 'allowed'],
            ['shop/catalog', 'deny', 'allowed'],
            // Only the first three failing pairs of a test are explained.
            ['shop/web', 'deny', null],
          ],
        ],
        ['Prometheus scrapes the payment gateway', 87, 1, [['monitoring/prometheus', 'allow', 'denied']]],
      ],
    );
  });

  test('every test of the example passes where the example is right', async () => {
    const r = await runCli(['test', '--spec', SPEC, '-o', 'json', WEBSHOP]);
    const json = JSON.parse(r.stdout) as { specs: { tests: { name: string; passed: boolean }[] }[] };
    assert.equal(json.specs[0]!.tests.filter((t) => t.passed).length, 11);
  });
});

describe('netfence test: spec problems', () => {
  test('are listed with file:line:column and exit 2, before anything runs', async () => {
    const r = await runCli(['test', '--spec', 'test/fixtures/testspec/mistakes.yaml', WEBSHOP]);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.deepEqual(
      r.stderr.split('\n').filter((l) => l.includes('mistakes.yaml') || l.startsWith('netfence:')),
      [
        'test/fixtures/testspec/mistakes.yaml:4:5 tests[0].form: unknown key "form" in a test (name, description, from, to, port, expect, except). Did you mean "from"?',
        'test/fixtures/testspec/mistakes.yaml:3:5 tests[0].from: the test has no "from"',
        'test/fixtures/testspec/mistakes.yaml:10:11 tests[1].port: invalid protocol "TPC" in "8080/TPC": TCP, UDP or SCTP; did you mean "TCP"?',
        'test/fixtures/testspec/mistakes.yaml:15:13 tests[2].expect: expect must be allow or deny, not "allowed". Did you mean "allow"?',
        'netfence: 4 problems in the spec; fix them and run again',
      ],
    );
  });

  test('an unknown workload is found against the manifests, with a suggestion', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netfence-spec-'));
    try {
      const spec = join(dir, 'spec.yaml');
      writeFileSync(spec, 'tests:\n  - from: shop/wbe\n    to: shop/api\n    expect: allow\n');
      const r = await runCli(['test', '--spec', spec, WEBSHOP]);
      assert.equal(r.code, 2);
      assert.match(
        r.stderr,
        new RegExp(
          `^${spec.replaceAll('.', '\\.')}:2:11 tests\\[0\\]\\.from: no workload "shop/wbe"; did you mean "shop/web"\\?$`,
          'm',
        ),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('an empty spec, or --init with nothing to freeze, is exit 2, never a pass', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netfence-spec-'));
    try {
      const spec = join(dir, 'spec.yaml');
      writeFileSync(spec, 'tests: []\n');
      const r = await runCli(['test', '--spec', spec, WEBSHOP, '-q']);
      assert.deepEqual(
        [r.code, r.stdout, r.stderr],
        [
          2,
          '',
          `${spec}:1:8 tests: "tests" is empty: a spec without tests checks nothing; add a test, or write one of today's connectivity with netfence test --init\n` +
            'netfence: 1 problem in the spec; fix it and run again\n',
        ],
      );
      // Only a Namespace: no workload, nothing to freeze; no file is written.
      const manifests = join(dir, 'ns.yaml');
      writeFileSync(manifests, 'apiVersion: v1\nkind: Namespace\nmetadata: {name: prod}\n');
      const out = join(dir, 'frozen.yaml');
      const init = await runCli(['test', '--init', '-o', out, manifests]);
      assert.deepEqual(
        [init.code, init.stderr],
        [
          2,
          `netfence: --init: nothing to freeze: ${manifests} has no workload, so the spec would hold no test; give the manifests of the workloads\n`,
        ],
      );
      assert.equal(existsSync(out), false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a missing spec file, or no spec at all', async () => {
    const missing = await runCli(['test', '--spec', 'nope.yaml', WEBSHOP]);
    assert.equal(missing.code, 2);
    assert.equal(
      missing.stderr,
      'netfence: --spec: no file "nope.yaml" (write one with: netfence test --init -o nope.yaml <manifests>)\n',
    );
    const none = await runCli(['test', WEBSHOP]);
    assert.equal(none.code, 2);
    assert.equal(none.stderr, 'netfence: give a spec with --spec <file>, or write one with --init\n');
  });
});

describe('netfence test --init', () => {
  test("freezes today's connectivity: it passes on its input and catches webshop-v2's regression", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netfence-init-'));
    try {
      const spec = join(dir, 'reachability.yaml');
      const init = await runCli(['test', '--init', '-o', spec, WEBSHOP]);
      assert.equal(init.code, 0);
      assert.match(init.stderr, /wrote .*reachability\.yaml: \d+ tests/);
      // Written through a temporary file and a rename: nothing else is left in the folder.
      assert.deepEqual(readdirSync(dir), ['reachability.yaml']);
      const text = readFileSync(spec, 'utf8');
      assert.match(text, /^# Reachability spec written by netfence test --init from examples\/webshop/);

      const same = await runCli(['test', '--spec', spec, '-o', 'json', WEBSHOP]);
      assert.equal(same.code, 0, same.stdout);

      const v2 = await runCli(['test', '--spec', spec, '-o', 'json', 'examples/webshop-v2']);
      assert.equal(v2.code, 1);
      const json = JSON.parse(v2.stdout) as {
        specs: {
          tests: {
            name: string;
            passed: boolean;
            failures: { src: { name: string }; dst: { name: string } }[];
          }[];
        }[];
      };
      const broken = json.specs[0]!.tests.filter((t) => !t.passed).flatMap((t) =>
        t.failures.map((f) => `${f.src.name} → ${f.dst.name}`),
      );
      // The deliberate regression of webshop-v2: catalog can no longer reach redis.
      assert.ok(broken.includes('shop/catalog → data/redis'), broken.join('\n'));
      // And what it fixed shows up too: web, api, cart and catalog no longer reach the payment gateway.
      assert.ok(broken.includes('shop/web → payments/payment-gateway'), broken.join('\n'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('does not replace an existing file without --force', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netfence-init-'));
    try {
      const spec = join(dir, 'reachability.yaml');
      writeFileSync(spec, 'tests: []\n');
      const refused = await runCli(['test', '--init', '-o', spec, WEBSHOP]);
      assert.equal(refused.code, 2);
      assert.equal(refused.stderr, `netfence: "${spec}" exists; add --force to replace it\n`);
      assert.equal(readFileSync(spec, 'utf8'), 'tests: []\n');
      const forced = await runCli(['test', '--init', '--force', '-o', spec, WEBSHOP]);
      assert.equal(forced.code, 0);
      assert.notEqual(readFileSync(spec, 'utf8'), 'tests: []\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('writes to standard output without -o; -o with a format name is caught', async () => {
    const out = await runCli(['test', '--init', WEBSHOP]);
    assert.equal(out.code, 0);
    assert.match(out.stdout, /^tests:$/m);
    const wrong = await runCli(['test', '--init', '-o', 'junit', WEBSHOP]);
    assert.equal(wrong.code, 2);
    assert.equal(
      wrong.stderr,
      'netfence: with --init, -o is the file to write, not a format: did you mean -o junit.yaml?\n',
    );
  });

  test('a spec that cannot be written: one line with the reason, and no file left behind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netfence-init-'));
    try {
      const spec = join(dir, 'no', 'such', 'reachability.yaml');
      const r = await runCli(['test', '--init', '-o', spec, WEBSHOP]);
      assert.equal(r.code, 2);
      assert.equal(
        r.stderr.split('\n').at(-2),
        `netfence: cannot write "${spec}": folder "${join(dir, 'no', 'such')}" does not exist`,
      );
      assert.deepEqual(readdirSync(dir), []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
