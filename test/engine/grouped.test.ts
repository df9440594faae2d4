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

  /** The grouped answer, after checking that it expands to the pairwise one (workloads). */
  function checked(state: ClusterState): GroupedConnectivity {
    const grouped = computeGroupedConnectivity(compileCluster(state));
    const expected = pairwise(state, 'workload');
    assert.deepEqual(expand(grouped), expected);
    assert.equal(grouped.pairs, expected.length);
    return grouped;
  }

  /** The groups as `[sources, destinations, ports]`, checked as above. */
  function groupsOf(state: ClusterState): [string[], string[], string][] {
    return checked(state).groups.map((g) => [g.src, g.dst, formatPorts(g.ports)]);
  }

  test('open pods beside a pod isolated both ways: the block leaves the isolated pod out', () => {
    // a/iso denies all ingress and all egress: it reaches nothing and nothing reaches it. a/x and a/y are
    // open to each other and the outside world, which reaches them (and not a/iso).
    const state = cluster({
      namespaces: [ns('a')],
      pods: [pod('a', 'x', { app: 'x' }), pod('a', 'y', { app: 'y' }), pod('a', 'iso', { app: 'iso' })],
      policies: [
        policy('a', 'iso', {
          podSelector: { matchLabels: { app: 'iso' } },
          policyTypes: ['Ingress', 'Egress'],
        }),
      ],
    });
    assert.deepEqual(groupsOf(state), [
      [['a/Pod/x', 'a/Pod/y'], ['a/Pod/x', 'a/Pod/y', 'external:0'], 'All connections'],
      [['external:0'], ['a/Pod/x', 'a/Pod/y'], 'All connections'],
    ]);
  });

  test('a pod isolated for ingress whose egress reaches only the outside is not in the open block', () => {
    // a/out reaches the outside world on all connections, as the open pods do, but not the open pods: its
    // group (out → outside) has the same ports and the same destinations outside the block as theirs, and
    // must not merge with it.
    const state = cluster({
      namespaces: [ns('a')],
      pods: [pod('a', 'x', { app: 'x' }), pod('a', 'y', { app: 'y' }), pod('a', 'out', { app: 'out' })],
      policies: [
        policy('a', 'out', {
          podSelector: { matchLabels: { app: 'out' } },
          policyTypes: ['Ingress', 'Egress'],
          egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '::/0' } }] }],
        }),
      ],
    });
    // Mentioned, 0.0.0.0/0 and ::/0 are two address classes: external:0 and external:1.
    assert.deepEqual(groupsOf(state), [
      [['a/Pod/out'], ['external:0', 'external:1'], 'All connections'],
      [['a/Pod/x', 'a/Pod/y'], ['a/Pod/x', 'a/Pod/y', 'external:0', 'external:1'], 'All connections'],
      [['external:0', 'external:1'], ['a/Pod/x', 'a/Pod/y'], 'All connections'],
    ]);
  });

  test('a workload with one isolated pod is not open, and the open workloads sharing its other class stay a block', () => {
    // w1 has an open pod (m1) and a pod isolated for ingress (m2, tier=locked); w2 and the bare pod x are open
    // and in m1's class. w1 reaches everything; only m1 can be reached, so w1 is a destination on all
    // connections too (a workload is reached when one of its pods is).
    const state = withWorkloads(
      {
        namespaces: [ns('a')],
        pods: [
          pod('a', 'm1', { app: 'm' }),
          pod('a', 'm2', { app: 'm', tier: 'locked' }),
          pod('a', 'o1', { app: 'o' }),
          pod('a', 'o2', { app: 'o' }),
          pod('a', 'x', { app: 'x' }),
        ],
        policies: [
          policy('a', 'locked', {
            podSelector: { matchLabels: { tier: 'locked' } },
            policyTypes: ['Ingress'],
          }),
        ],
      },
      [1, 1, 2, 2, 0],
      false,
    );
    const [w1, w2, x] = ['a/Deployment/w1', 'a/Deployment/w2', 'a/Pod/x'];
    assert.deepEqual(groupsOf(state), [
      [[w1, w2, x], [w1, w2, x, 'external:0'], 'All connections'],
      [['external:0'], [w1, w2, x], 'All connections'],
    ]);
  });

  test('a workload talks to itself through pods in two open classes, or twice in one isolated class', () => {
    // w1's pods are open but in two classes (only o1 has the named port http); w2's two pods share the class
    // of app=db, which admits app=db on TCP 5432 only.
    const state = withWorkloads(
      {
        namespaces: [ns('a')],
        pods: [
          pod('a', 'o1', { app: 'o' }, { namedPorts: [namedPort('http', 8080)] }),
          pod('a', 'o2', { app: 'o' }),
          pod('a', 'd1', { app: 'db' }),
          pod('a', 'd2', { app: 'db' }),
        ],
        policies: [
          policy('a', 'db', {
            podSelector: { matchLabels: { app: 'db' } },
            ingress: [{ from: [{ podSelector: { matchLabels: { app: 'db' } } }], ports: [{ port: 5432 }] }],
          }),
        ],
      },
      [1, 1, 2, 2],
      false,
    );
    assert.deepEqual(
      checked(state).within.map((w) => [w.members, formatPorts(w.ports)]),
      [
        [['a/Deployment/w1'], 'All connections'],
        [['a/Deployment/w2'], 'TCP 5432'],
      ],
    );
  });

  test("a workload's own pods count as a pair only when two distinct pods connect", () => {
    // w's pods a1 and a2 (app=a) admit app=a on TCP 80; its single pod b1 (app=b) admits app=b on TCP 9000,
    // which only b1 itself is: no pair of w's pods connects on 9000.
    const state = withWorkloads(
      {
        namespaces: [ns('a')],
        pods: [pod('a', 'a1', { app: 'a' }), pod('a', 'a2', { app: 'a' }), pod('a', 'b1', { app: 'b' })],
        policies: (
          [
            ['a', 80],
            ['b', 9000],
          ] as const
        ).map(([app, port]) =>
          policy('a', app, {
            podSelector: { matchLabels: { app } },
            ingress: [{ from: [{ podSelector: { matchLabels: { app } } }], ports: [{ port }] }],
          }),
        ),
      },
      [1, 1, 1],
      false,
    );
    assert.deepEqual(
      checked(state).within.map((w) => [w.members, formatPorts(w.ports)]),
      [[['a/Deployment/w1'], 'TCP 80']],
    );
  });

  test('two sources reaching one destination on different ports never share a group', () => {
    // a/db admits a/web on TCP 5432 and a/batch on TCP 6379. web and batch are otherwise alike (open), so
    // only the ports tell their groups towards db apart. db's egress is open: it joins their open group.
    const state = cluster({
      namespaces: [ns('a')],
      pods: [
        pod('a', 'web', { app: 'web' }),
        pod('a', 'batch', { app: 'batch' }),
        pod('a', 'db', { app: 'db' }),
      ],
      policies: [
        policy('a', 'db', {
          podSelector: { matchLabels: { app: 'db' } },
          ingress: [
            { from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 5432 }] },
            { from: [{ podSelector: { matchLabels: { app: 'batch' } } }], ports: [{ port: 6379 }] },
          ],
        }),
      ],
    });
    assert.deepEqual(groupsOf(state), [
      [
        ['a/Pod/batch', 'a/Pod/db', 'a/Pod/web'],
        ['a/Pod/batch', 'a/Pod/web', 'external:0'],
        'All connections',
      ],
      [['a/Pod/batch'], ['a/Pod/db'], 'TCP 6379'],
      [['a/Pod/web'], ['a/Pod/db'], 'TCP 5432'],
      [['external:0'], ['a/Pod/batch', 'a/Pod/web'], 'All connections'],
    ]);
  });

  test('policyTypes: [Ingress] with egress rules leaves egress open', () => {
    // The egress rules of a policy whose policyTypes leave out Egress are ignored: a/db still reaches every
    // pod and the outside world (external:1 is 10.9.0.0/16, external:0 the rest), so it shares the open
    // pods' group as a source (not as a destination: only a/web may reach it).
    const state = cluster({
      namespaces: [ns('a')],
      pods: [pod('a', 'web', { app: 'web' }), pod('a', 'x', { app: 'x' }), pod('a', 'db', { app: 'db' })],
      policies: [
        policy('a', 'db', {
          podSelector: { matchLabels: { app: 'db' } },
          policyTypes: ['Ingress'],
          ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }] }],
          egress: [{ to: [{ ipBlock: { cidr: '10.9.0.0/16' } }], ports: [{ port: 53, protocol: 'UDP' }] }],
        }),
      ],
    });
    assert.deepEqual(groupsOf(state), [
      [['a/Pod/db', 'a/Pod/x'], ['a/Pod/web', 'a/Pod/x', 'external:0', 'external:1'], 'All connections'],
      [['a/Pod/web'], ['a/Pod/db', 'a/Pod/web', 'a/Pod/x', 'external:0', 'external:1'], 'All connections'],
      [['external:0', 'external:1'], ['a/Pod/web', 'a/Pod/x'], 'All connections'],
    ]);
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
