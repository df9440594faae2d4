/**
 * The grouped answer lists exactly the pairs of `computeConnectivity`, each once: expanding every group
 * (sources × other destinations) and every `within` entry gives the pairwise answer, ports and all.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compileCluster } from '../../src/engine/compile.ts';
import { computeConnectivity, type Granularity } from '../../src/engine/connectivity.ts';
import { computeGroupedConnectivity, type GroupedConnectivity } from '../../src/engine/grouped.ts';
import { formatPorts } from '../../src/describe/ports.ts';
import type { ClusterState } from '../../src/model/cluster.ts';
import { clusterInputArb } from '../support/arbitraries.ts';
import { cluster, namedPort, ns, pod, policy, withWorkloads } from '../support/builders.ts';

const NUM_RUNS = Number(process.env['NETFENCE_GROUPED_RUNS'] ?? 200);

/** Every pair the groups stand for, as `src -> dst: ports`; fails on a pair listed twice. */
function expand(g: GroupedConnectivity): string[] {
  const out = new Map<string, string>();
  const put = (src: string, dst: string, ports: string): void => {
    const key = `${src} -> ${dst}`;
    assert.equal(out.has(key), false, `${key} is listed twice`);
    out.set(key, ports);
  };
  for (const group of g.groups) {
    for (const src of group.src) {
      for (const dst of group.dst) if (src !== dst) put(src, dst, formatPorts(group.ports));
    }
  }
  for (const w of g.within) for (const m of w.members) put(m, m, formatPorts(w.ports));
  return [...out].map(([k, v]) => `${k}: ${v}`).sort();
}

function pairwise(state: ClusterState, granularity: Granularity): string[] {
  return computeConnectivity(compileCluster(state), granularity)
    .connections.map((c) => `${c.src} -> ${c.dst}: ${formatPorts(c.ports)}`)
    .sort();
}

describe('grouped connectivity', () => {
  test('expands to exactly the pairwise answer (random clusters, workloads and pods)', () => {
    fc.assert(
      fc.property(
        clusterInputArb,
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 6 }),
        fc.boolean(),
        fc.constantFrom<Granularity>('workload', 'pod'),
        (input, grouping, templates, granularity) => {
          const state = withWorkloads(input, grouping, templates);
          const grouped = computeGroupedConnectivity(compileCluster(state), granularity);
          const expected = pairwise(state, granularity);
          assert.deepEqual(expand(grouped), expected);
          assert.equal(grouped.pairs, expected.length);
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });

  test('without policies, every workload of a namespace is in one group', () => {
    // Labels no selector reads do not tell workloads apart: two namespaces of three apps are one group
    // (every app to every other, in both namespaces) and one `within` entry (apps with two pods).
    const state = cluster({
      namespaces: [ns('a'), ns('b')],
      pods: ['x', 'y', 'z'].flatMap((app) => [pod('a', app, { app }), pod('b', app, { app })]),
      policies: [],
    });
    const grouped = computeGroupedConnectivity(compileCluster(state));
    const internal = grouped.groups.filter((g) => !g.src.some((id) => id.startsWith('external:')));
    assert.equal(internal.length, 1);
    assert.deepEqual(internal[0]!.src, ['a/Pod/x', 'a/Pod/y', 'a/Pod/z', 'b/Pod/x', 'b/Pod/y', 'b/Pod/z']);
    assert.deepEqual(internal[0]!.dst, [...internal[0]!.src, 'external:0']);
    assert.equal(formatPorts(internal[0]!.ports), 'All connections');
    // Bare pods are one pod each: none talks to itself.
    assert.deepEqual(grouped.within, []);
    assert.equal(grouped.pairs, 6 * 5 + 6 + 6);
  });

  test('pods no policy selects are one block; a pod that reaches all of them joins their group', () => {
    // b/db is isolated for ingress (only a/x may reach it); everything else is open. b/db reaches what the
    // open pods reach (every open pod and the outside world), so it joins a/y in one group; a/x reaches b/db
    // as well, so it has a group of its own.
    const state = cluster({
      namespaces: [ns('a'), ns('b')],
      pods: [pod('a', 'x', { app: 'x' }), pod('a', 'y', { app: 'y' }), pod('b', 'db', { app: 'db' })],
      policies: [
        policy('b', 'db', {
          podSelector: { matchLabels: { app: 'db' } },
          ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: 'x' } } }] }],
        }),
      ],
    });
    const grouped = computeGroupedConnectivity(compileCluster(state));
    assert.deepEqual(
      grouped.groups.map((g) => [g.src, g.dst, formatPorts(g.ports)]),
      [
        [['a/Pod/x'], ['a/Pod/x', 'a/Pod/y', 'b/Pod/db', 'external:0'], 'All connections'],
        [['a/Pod/y', 'b/Pod/db'], ['a/Pod/x', 'a/Pod/y', 'external:0'], 'All connections'],
        [['external:0'], ['a/Pod/x', 'a/Pod/y'], 'All connections'],
      ],
    );
    assert.deepEqual(expand(grouped), pairwise(state, 'workload'));
  });

  test('a workload of two pods talks to itself through them', () => {
    const state = withWorkloads(
      {
        namespaces: [ns('a')],
        pods: [pod('a', 'p1', { app: 'x' }), pod('a', 'p2', { app: 'x' }), pod('a', 'q', { app: 'y' })],
        policies: [],
      },
      [1, 1, 0],
      false,
    );
    const grouped = computeGroupedConnectivity(compileCluster(state));
    assert.deepEqual(
      grouped.within.map((w) => w.members),
      [['a/Deployment/w1']],
    );
    assert.deepEqual(expand(grouped), pairwise(state, 'workload'));
  });

  test('destinations with the same sources and ports share a group', () => {
    // Only app=client may reach api and web, on TCP 8080: one group of one source and two destinations.
    const allowClient = (app: string): ReturnType<typeof policy> =>
      policy('a', `allow-${app}`, {
        podSelector: { matchLabels: { app } },
        ingress: [{ from: [{ podSelector: { matchLabels: { app: 'client' } } }], ports: [{ port: 8080 }] }],
      });
    const state = cluster({
      namespaces: [ns('a')],
      pods: [
        pod('a', 'api', { app: 'api' }, { namedPorts: [namedPort('http', 8080)] }),
        pod('a', 'web', { app: 'web' }),
        pod('a', 'client', { app: 'client' }),
      ],
      policies: [allowClient('api'), allowClient('web')],
    });
    const grouped = computeGroupedConnectivity(compileCluster(state));
    const toApps = grouped.groups.filter((g) => g.dst.includes('a/Pod/api'));
    assert.deepEqual(
      toApps.map((g) => [g.src, g.dst, formatPorts(g.ports)]),
      [[['a/Pod/client'], ['a/Pod/api', 'a/Pod/web'], 'TCP 8080']],
    );
    assert.deepEqual(expand(grouped), pairwise(state, 'workload'));
  });
});
