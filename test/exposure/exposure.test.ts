/**
 * `netfence exposure`: peers stated in the rules' general terms, the flags on the bundled example, and the
 * flags' agreement with evaluation on random clusters.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compileCluster } from '../../src/engine/compile.ts';
import { computeConnectivity } from '../../src/engine/connectivity.ts';
import { describeScope } from '../../src/describe/scope.ts';
import { computeExposure, peerScope } from '../../src/engine/exposure.ts';
import { buildRefIndex } from '../../src/engine/refs.ts';
import type { NetworkPolicyPeer } from '../../src/model/k8s.ts';
import { loadManifests } from '../../src/parse/index.ts';
import { clusterInputArb } from '../support/arbitraries.ts';
import { cluster } from '../support/builders.ts';
import { assertGolden, runCli } from '../support/cli.ts';

const WEBSHOP = 'examples/webshop';

describe('peers in general terms', () => {
  const cases: [string, NetworkPolicyPeer, string][] = [
    [
      'pod selector alone: the policy namespace',
      { podSelector: { matchLabels: { app: 'web' } } },
      'pods labelled app=web in namespace shop',
    ],
    ['empty pod selector alone', { podSelector: {} }, 'any pod in namespace shop'],
    ['both selectors empty', { namespaceSelector: {}, podSelector: {} }, 'any pod in the cluster'],
    ['empty namespace selector alone', { namespaceSelector: {} }, 'any pod in the cluster'],
    [
      'pods in any namespace',
      { namespaceSelector: {}, podSelector: { matchLabels: { app: 'prometheus' } } },
      'pods labelled app=prometheus in any namespace',
    ],
    [
      'namespace labels',
      { namespaceSelector: { matchLabels: { team: 'payments' } } },
      'any pod in namespaces labelled team=payments',
    ],
    [
      'namespace by name (the automatic label)',
      {
        namespaceSelector: {
          matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['b', 'a'] }],
        },
      },
      'any pod in namespaces a, b',
    ],
    [
      'both, with expressions',
      {
        namespaceSelector: { matchLabels: { team: 'x' } },
        podSelector: { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['db'] }] },
      },
      'pods labelled tier notin (db) in namespaces labelled team=x',
    ],
    [
      'ipBlock with except',
      { ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } },
      'any address in 0.0.0.0/0 except 10.0.0.0/8',
    ],
  ];
  for (const [what, peer, want] of cases) {
    test(what, () => assert.equal(describeScope(peerScope(peer, 'shop')), want));
  }
});

describe('netfence exposure on the webshop', () => {
  test('flags the workloads the example README says are exposed', async () => {
    const loaded = await loadManifests([WEBSHOP], { defaultNamespace: 'default', skipInvalid: false });
    const index = buildRefIndex(compileCluster(loaded.state));
    const flagged = (flag: string): string[] =>
      computeExposure(index)
        .filter((w) => w.flags.some((f) => f.flag === flag))
        .map((w) => w.name);
    // ingress-nginx by design; web through its allow-all rule (weakness 3); grafana and alertmanager because
    // monitoring has no default-deny (1, 2, 9); coredns because kube-system has no policies; node-exporter
    // because it runs on the host network.
    assert.deepEqual(flagged('reachable-from-outside'), [
      'ingress-nginx/ingress-nginx-controller',
      'kube-system/coredns',
      'monitoring/node-exporter',
      'monitoring/grafana',
      'monitoring/alertmanager',
      'shop/web',
    ]);
    // redis is open to every namespace (weakness 4).
    assert.deepEqual(flagged('reachable-from-all-namespaces'), [
      'data/redis',
      'kube-system/coredns',
      'monitoring/node-exporter',
      'monitoring/grafana',
      'monitoring/alertmanager',
      'shop/web',
    ]);
    assert.equal(flagged('egress-to-internet').length, 16);
  });

  test('the report, as text (golden)', async () => {
    const r = await runCli(['exposure', WEBSHOP]);
    assert.equal(r.code, 0);
    assertGolden('exposure/webshop.txt', r.stdout);
  });

  test('--flagged -o md, for a pull-request comment (golden)', async () => {
    const r = await runCli([
      'exposure',
      '--flagged',
      '--for',
      'payments/*',
      '--for',
      'data/*',
      '-o',
      'md',
      WEBSHOP,
    ]);
    assert.equal(r.code, 0);
    assertGolden('exposure/webshop-payments-data.md', r.stdout);
  });

  test('-o json states each peer as data', async () => {
    const r = await runCli(['exposure', '--for', 'payments/payment-gateway', '-o', 'json', WEBSHOP]);
    const json = JSON.parse(r.stdout) as {
      schemaVersion: number;
      summary: { workloads: number; flagged: Record<string, number> };
      workloads: {
        id: string;
        flags: { flag: string }[];
        ingress: {
          status: string;
          statements: {
            peer: unknown;
            description: string;
            allowsSomething: boolean;
            today: string[];
            path: string;
            line: number;
          }[];
        };
      }[];
    };
    assert.equal(json.schemaVersion, 1);
    assert.deepEqual(json.summary, {
      workloads: 1,
      flagged: { 'reachable-from-outside': 0, 'reachable-from-all-namespaces': 0, 'egress-to-internet': 1 },
    });
    const [w] = json.workloads;
    assert.equal(w!.id, 'payments/Deployment/payment-gateway');
    assert.deepEqual(
      w!.ingress.statements.map((s) => [s.path, s.line, s.description, s.allowsSomething, s.today.length]),
      [
        // Weakness 6: the AND/OR mistake reads as two peers, the first one every pod of the storefront's namespaces.
        ['spec.ingress[0].from[0]', 49, 'any pod in namespaces labelled team=storefront', true, 5],
        [
          'spec.ingress[0].from[1]',
          52,
          'pods labelled app.kubernetes.io/name=checkout in namespace payments',
          true,
          0,
        ],
        // Weakness 8: a named port the pods do not define allows nothing.
        [
          'spec.ingress[0].from[0]',
          125,
          'pods labelled app.kubernetes.io/name=prometheus in namespace monitoring',
          false,
          1,
        ],
      ],
    );
    assert.deepEqual(w!.ingress.statements[0]!.peer, {
      kind: 'pods',
      namespaces: { kind: 'labelled', selector: 'team=storefront' },
      pods: null,
    });
  });

  test('--fail-on exits 1 and names the workloads on stderr', async () => {
    const r = await runCli([
      'exposure',
      '--flagged',
      '--fail-on',
      'reachable-from-all-namespaces',
      '--for',
      'data/*',
      WEBSHOP,
    ]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^netfence: 1 workload flagged reachable-from-all-namespaces: data\/redis$/m);
  });

  test('--fail-on with no workload to check is exit 2, never a pass', async () => {
    const namespaceOnly = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: prod}\n';
    const r = await runCli(['exposure', '-', '--fail-on', 'any'], { stdin: namespaceOnly });
    assert.deepEqual(
      [r.code, r.stdout, r.stderr],
      [
        2,
        '',
        'netfence: --fail-on: no workload to check: the input has none (1 namespace, no workload); a gate with nothing to check does not pass\n',
      ],
    );
    // Without --fail-on it is a report of nothing, exit 0.
    assert.equal((await runCli(['exposure', '-'], { stdin: namespaceOnly })).code, 0);
  });

  test('an unknown flag is a one-line error', async () => {
    const r = await runCli(['exposure', '--fail-on', 'reachable-from-outsde', WEBSHOP]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown flag "reachable-from-outsde"/);
  });
});

test('reachable-from-outside and egress-to-internet agree with the connections evaluation finds', () => {
  fc.assert(
    fc.property(clusterInputArb, (input) => {
      const compiled = compileCluster(cluster(input));
      const conn = computeConnectivity(compiled, 'pod');
      const index = buildRefIndex(compiled, 'pod');
      const fromOutside = new Set(
        conn.connections.filter((c) => c.src.startsWith('external:')).map((c) => c.dst),
      );
      const publicIds = new Set(
        compiled.addressSpace.classes
          .filter((a) =>
            a.cover.some((c) => !['10.', 'fd', '0.0.0.0/8'].some((p) => formatStart(c).startsWith(p))),
          )
          .map((a) => `external:${a.id}`),
      );
      for (const w of computeExposure(index)) {
        const flags = new Set(w.flags.map((f) => f.flag));
        assert.equal(
          flags.has('reachable-from-outside'),
          fromOutside.has(w.entity.id),
          `${w.name} reachable from outside`,
        );
        const toPublic = conn.connections.some((c) => c.src === w.entity.id && publicIds.has(c.dst));
        assert.equal(flags.has('egress-to-internet'), toPublic, `${w.name} egress to the internet`);
      }
    }),
    { numRuns: 60 },
  );
});

/** Random clusters only mention 10.0.x and fd00:: ranges, so these few private ranges are enough to tell a class's CIDRs apart. */
function formatStart(c: { family: 4 | 6; start: bigint; prefix: number }): string {
  if (c.family === 6) return c.start >> 121n === 0x7en && c.prefix >= 7 ? 'fd' : 'public6';
  const first = Number(c.start >> 24n);
  if (first === 10 && c.prefix >= 8) return '10.';
  if (first === 0 && c.prefix >= 8) return '0.0.0.0/8';
  return 'public4';
}
