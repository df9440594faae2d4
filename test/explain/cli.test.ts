/**
 * `netfence explain` end to end on the bundled example: golden outputs (read them: they are the user's view),
 * the JSON schema's fields, exit codes and one-line errors.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertGolden, runCli } from '../support/cli.ts';

const WEBSHOP = 'examples/webshop';

describe('netfence explain on the webshop', () => {
  test('a denial names the isolating policies and the nearest rule (exit 1)', async () => {
    const r = await runCli([
      'explain',
      '--from',
      'shop/web',
      '--to',
      'data/postgres',
      '--port',
      '5432/TCP',
      WEBSHOP,
    ]);
    assert.equal(r.code, 1);
    assertGolden('explain/web-to-postgres.txt', r.stdout);
  });

  test('without --port, each port range is explained (exit 0: partly allowed)', async () => {
    const r = await runCli(['explain', '--from', 'shop/web', '--to', 'shop/api', WEBSHOP]);
    assert.equal(r.code, 0);
    assertGolden('explain/web-to-api.txt', r.stdout);
  });

  test('weakness 8: the named port no pod defines is the near miss', async () => {
    const r = await runCli([
      'explain',
      '--from',
      'monitoring/prometheus',
      '--to',
      'payments/payment-gateway',
      '--port',
      '9102/TCP',
      '-o',
      'md',
      WEBSHOP,
    ]);
    assert.equal(r.code, 1);
    assertGolden('explain/prometheus-to-payment-gateway.md', r.stdout);
  });

  test('an address: the ipBlock except that excludes it', async () => {
    const r = await runCli([
      'explain',
      '--from',
      'payments/payment-gateway',
      '--to',
      '203.0.113.245',
      '--port',
      '443',
      WEBSHOP,
    ]);
    assert.equal(r.code, 1);
    assertGolden('explain/payment-gateway-to-sandbox.txt', r.stdout);
  });

  test('-o json follows the documented schema', async () => {
    const r = await runCli([
      'explain',
      '--from',
      'shop/web',
      '--to',
      'payments/payment-gateway',
      '-o',
      'json',
      WEBSHOP,
    ]);
    assert.equal(r.code, 0);
    const json = JSON.parse(r.stdout) as {
      schemaVersion: number;
      granularity: string;
      query: unknown;
      explanations: {
        src: { name: string; workload: string };
        dst: { name: string; workload: string };
        verdict: string;
        summary: string;
        egress: { status: string };
        ingress: {
          status: string;
          isolatedBy: { policy: string }[];
          rules: { policy: string; path: string; line: number; peer: number; peerDescription: string }[];
        };
        segments: { summary: string; allowed: boolean }[];
      }[];
    };
    assert.equal(json.schemaVersion, 1);
    assert.deepEqual(json.query, { from: 'shop/web', to: 'payments/payment-gateway', port: null });
    const [x] = json.explanations;
    assert.deepEqual(
      [x!.src.workload, x!.dst.workload, x!.verdict, x!.summary],
      ['shop/Deployment/web', 'payments/Deployment/payment-gateway', 'partly-allowed', 'TCP 50051'],
    );
    assert.deepEqual([x!.egress.status, x!.ingress.status], ['not-isolated', 'isolated']);
    assert.deepEqual(
      x!.ingress.rules.map((r) => [r.policy, r.path, r.line, r.peer, r.peerDescription]),
      [
        [
          'payments/allow-payment-gateway',
          'spec.ingress[0]',
          45,
          0,
          'any pod in namespaces labelled team=storefront',
        ],
      ],
    );
    assert.deepEqual(
      x!.segments.map((s) => [s.summary, s.allowed]),
      [
        ['50051/TCP', true],
        ['1-50050/TCP, 50052-65535/TCP, all UDP ports, all SCTP ports', false],
      ],
    );
  });

  test('a CIDR explains each address range of it', async () => {
    const r = await runCli([
      'explain',
      '--from',
      'payments/payment-gateway',
      '--to',
      '203.0.113.0/24',
      '--port',
      '443/TCP',
      '-o',
      'json',
      WEBSHOP,
    ]);
    const json = JSON.parse(r.stdout) as {
      explanations: { dst: { addressClass: string }; verdict: string }[];
    };
    assert.deepEqual(
      json.explanations.map((x) => [x.dst.addressClass, x.verdict]),
      [
        ['203.0.113.0/24 except 203.0.113.240/28', 'allowed'],
        ['203.0.113.240/28', 'denied'],
      ],
    );
    assert.equal(r.code, 0);
  });

  test('a workload whose pods differ is explained pod class by pod class, each named by its pods', async () => {
    const r = await runCli([
      'explain',
      '--from',
      'app/client',
      '--to',
      'app/web',
      'test/fixtures/cli/pods.yaml',
    ]);
    assert.deepEqual(
      r.stdout
        .split('\n')
        .filter((l) => l.startsWith('app/client →'))
        .map((l) => l.split(':')[0]),
      ['app/client → app/web (pod web-6d4cf56db6-aaaaa)', 'app/client → app/web (pod web-6d4cf56db6-bbbbb)'],
    );
  });
});

describe('netfence explain: user errors are one line, exit 2', () => {
  const cases: [string, string[], string][] = [
    [
      'a misspelt workload',
      ['--from', 'shop/wbe', '--to', 'shop/api'],
      'netfence: --from: no workload "shop/wbe"; did you mean "shop/web"?\n',
    ],
    [
      'a bad port',
      ['--from', 'shop/web', '--to', 'shop/api', '--port', '80800/TCP'],
      'netfence: --port: invalid port "80800/TCP": ports are 1 to 65535\n',
    ],
    [
      'a bad protocol',
      ['--from', 'shop/web', '--to', 'shop/api', '--port', '53/UPD'],
      'netfence: --port: invalid protocol "UPD" in "53/UPD": TCP, UDP or SCTP; did you mean "UDP"?\n',
    ],
    [
      'a reference to many workloads',
      ['--from', 'shop/*', '--to', 'shop/api'],
      'netfence: --from "shop/*" matches 5 workloads (shop/api, shop/cart, shop/catalog, shop/checkout, shop/web); explain takes one: name it, or use netfence test for many\n',
    ],
  ];
  for (const [what, args, stderr] of cases) {
    test(what, async () => {
      const r = await runCli(['explain', ...args, WEBSHOP]);
      assert.equal(r.code, 2);
      assert.equal(r.stdout, '');
      assert.equal(
        r.stderr
          .split('\n')
          .filter((l) => l.startsWith('netfence:'))
          .join('\n') + '\n',
        stderr,
      );
    });
  }
});
