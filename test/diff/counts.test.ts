/**
 * "One number, one meaning": diff counts each side's connections as `analyze` counts them, in the side's own
 * address classes, although it compares the two sides address by address on their common refinement. A
 * connection of a side is unchanged when every address of it keeps the same ports, removed (before) or added
 * (after) when no address of it is allowed on the other side, else changed; the rows still show the addresses.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { compileCluster } from '../../src/engine/compile.ts';
import { computeConnectivity } from '../../src/engine/connectivity.ts';
import { commonIds, diffClusters, type ClusterDiff } from '../../src/engine/diff.ts';
import { pairKey } from '../../src/base/text.ts';
import type { ClusterState } from '../../src/model/cluster.ts';
import { clusterInputArb, specArb } from '../support/arbitraries.ts';
import { cluster, ns, pod, policy, type ClusterInput } from '../support/builders.ts';

/** web may reach `cidrs` on 443 (several CIDRs: one rule each); db reaches anything. */
const base = (webEgress: readonly string[], db: ClusterInput['policies'] = []): ClusterInput => ({
  namespaces: [ns('prod')],
  pods: [
    pod('prod', 'web', { app: 'web' }, { ips: ['10.0.1.10'] }),
    pod('prod', 'db', { app: 'db' }, { ips: ['10.0.1.20'] }),
  ],
  policies: [
    policy('prod', 'deny-in', { podSelector: {}, ingress: [] }),
    policy('prod', 'web-egress', {
      podSelector: { matchLabels: { app: 'web' } },
      policyTypes: ['Egress'],
      egress: webEgress.map((cidr) => ({ to: [{ ipBlock: { cidr } }], ports: [{ port: 443 }] })),
    }),
    ...(db ?? []),
  ],
});

/** analyze's count of a state's connections. */
const analyzed = (state: ClusterState): number =>
  computeConnectivity(compileCluster(state), 'workload').connections.length;

/**
 * The rule, computed apart from the engine's bookkeeping: each connection of a side (in its own classes),
 * by the changes of the pairs of the common space it covers.
 */
function judged(d: ClusterDiff, state: ClusterState, side: 'before' | 'after'): Record<string, number> {
  const compiled = compileCluster(state);
  const conn = computeConnectivity(compiled, 'workload');
  const expand = commonIds(compiled, conn, d.addressSpace);
  const change = new Map(d.connections.map((c) => [pairKey(c.src, c.dst), c.change]));
  const gone = side === 'before' ? 'removed' : 'added';
  const out: Record<string, number> = { connections: 0, unchanged: 0, changed: 0, gone: 0 };
  for (const c of conn.connections) {
    const kinds = new Set<string>();
    for (const s of expand(c.src))
      for (const t of expand(c.dst)) kinds.add(change.get(pairKey(s, t)) ?? 'same');
    const verdict =
      kinds.size === 1 && kinds.has('same')
        ? 'unchanged'
        : kinds.size === 1 && kinds.has(gone)
          ? 'gone'
          : 'changed';
    out['connections']!++;
    out[verdict]!++;
  }
  return out;
}

describe("diff counts each side's connections as analyze does", () => {
  test('a connection to any address narrowed to one address is one changed connection, not a removed one', () => {
    const before = cluster(base(['0.0.0.0/0']));
    const after = cluster(base(['198.51.100.40/32']));
    const d = diffClusters(before, after);
    // Before, web → 0.0.0.0/0 and db → 0.0.0.0/0 and ::/0; after, web → .40 and db → .40 and any other
    // address (one class: no policy after tells 0.0.0.0/0 from ::/0), 3 connections where the common space
    // has 4 pairs.
    assert.deepEqual(d.counts.before, { connections: analyzed(before), unchanged: 2, changed: 1, gone: 0 });
    assert.deepEqual(d.counts.after, { connections: analyzed(after), unchanged: 3, changed: 0, gone: 0 });
    assert.equal(analyzed(after), 3);
    // The row still says exactly which addresses lost 443, as part of a changed connection.
    const to = (id: string): string => {
      const e = d.byId.get(id)!;
      return e.kind === 'external' ? d.addressSpace.describe(e.address.id) : e.id;
    };
    assert.deepEqual(
      d.connections.map((c) => [c.change, c.connection, to(c.dst)]),
      [['removed', 'changed', '0.0.0.0/0 except 198.51.100.40/32']],
    );
  });

  test("widening to any address changes the after side's one connection; the before side's is unchanged", () => {
    const before = cluster(base(['198.51.100.40/32']));
    const after = cluster(base(['0.0.0.0/0']));
    const d = diffClusters(before, after);
    assert.deepEqual(d.counts.before, { connections: analyzed(before), unchanged: 3, changed: 0, gone: 0 });
    assert.deepEqual(d.counts.after, { connections: analyzed(after), unchanged: 2, changed: 1, gone: 0 });
    assert.deepEqual(
      d.connections.map((c) => [c.change, c.connection]),
      [['added', 'changed']],
    );
  });

  test('a connection gone at every address of its class counts once, however many pieces the other side cuts', () => {
    // After: web may reach nothing; a policy of db mentions two addresses, which split the outside world.
    const dbIn = [
      policy('prod', 'db-in', {
        podSelector: { matchLabels: { app: 'db' } },
        ingress: [
          { from: [{ ipBlock: { cidr: '198.51.100.40/32' } }, { ipBlock: { cidr: '203.0.113.0/24' } }] },
        ],
      }),
    ];
    const before = cluster(base(['0.0.0.0/0']));
    const after = cluster(base([], dbIn));
    const d = diffClusters(before, after);
    const webOut = d.connections.filter((c) => c.src === 'prod/Pod/web');
    assert.equal(webOut.length, 3, 'three pieces of 0.0.0.0/0');
    assert.ok(webOut.every((c) => c.change === 'removed' && c.connection === 'removed'));
    assert.equal(d.counts.before.gone, 1);
    assert.equal(d.counts.before.connections, analyzed(before));
    // After: db ← each of the two address classes is new.
    assert.equal(d.counts.after.gone, 2);
    assert.equal(d.counts.after.connections, analyzed(after));
  });

  test('on random states and edits, each side adds up to analyze, by the rule', () => {
    fc.assert(
      fc.property(clusterInputArb, fc.array(specArb, { minLength: 1, maxLength: 3 }), (input, specs) => {
        const before = cluster(input);
        const after = cluster({
          ...input,
          policies: [
            ...(input.policies ?? []).slice(1),
            ...specs.map((spec, i) =>
              policy(input.namespaces![i % input.namespaces!.length]!.name, `edit-${i}`, spec),
            ),
          ],
        });
        const d = diffClusters(before, after);
        for (const [side, state] of [
          ['before', before],
          ['after', after],
        ] as const) {
          const c = d.counts[side];
          assert.equal(c.connections, analyzed(state));
          assert.equal(c.unchanged + c.changed + c.gone, c.connections);
          assert.deepEqual({ ...c }, judged(d, state, side));
        }
      }),
      { numRuns: Number(process.env['NETFENCE_DIFF_COUNT_RUNS'] ?? 80) },
    );
  });
});
