/**
 * Details of the lateral-movement graph (src/engine/paths.ts) that the chain, cycle and diamond of
 * test/paths/attack.test.ts do not reach: Cilium L7 filtering on a hop, the order of workloads that differ
 * only by kind, pods outside every workload, entry points reached on several ports, `--max-hops` together
 * with addresses and exits, and the graph core on hand-made graphs (issue #20, mutation testing).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileCluster } from '../../src/engine/compile.ts';
import {
  attackPath,
  attackReach,
  blastRadius,
  buildLateralGraph,
  digraph,
  forEachReach,
  stronglyConnectedComponents,
  type LateralGraph,
} from '../../src/engine/paths.ts';
import { formatPorts } from '../../src/describe/ports.ts';
import type { ClusterState, WorkloadInfo } from '../../src/model/cluster.ts';
import { cluster, cnpCilium, ns, pod, policy } from '../support/builders.ts';

function index(g: LateralGraph, id: string): number {
  const i = g.workloadIndex.get(id);
  assert.ok(i !== undefined, `no workload ${id}`);
  return i;
}

function name(g: LateralGraph, n: { workload: number } | { address: number }): string {
  if ('address' in n) return g.compiled.addressSpace.describe(n.address);
  const w = g.workloads[n.workload]!;
  return `${w.namespace}/${w.name}`;
}

/** Each reachable item of each group, from every chunk `forEachReach` visits. */
function reachOf(
  n: number,
  edges: readonly [number, number][],
  items: readonly (readonly number[])[],
  itemCount: number,
  groups: readonly (readonly number[])[],
  memoryWords?: number,
): number[][] {
  const out = groups.map((): number[] => []);
  forEachReach(
    digraph(
      n,
      edges.map((e) => e[0]),
      edges.map((e) => e[1]),
    ),
    (u) => items[u]!,
    itemCount,
    groups,
    (gi, bits, first) => {
      for (let i = 0; i < bits.length * 32; i++) {
        if ((bits[i >>> 5]! & (1 << (i & 31))) !== 0) out[gi]!.push(first + i);
      }
    },
    memoryWords === undefined ? {} : { memoryWords },
  );
  return out.map((l) => l.sort((a, b) => a - b));
}

describe('the graph core on hand-made graphs', () => {
  test('digraph lists each node’s successors in edge order, duplicates kept', () => {
    const g = digraph(4, [2, 0, 2, 0, 2], [1, 3, 0, 3, 3]);
    assert.deepEqual([...g.offsets], [0, 2, 2, 5, 5]);
    assert.deepEqual([...g.targets], [3, 3, 1, 0, 3]);
  });

  test('Tarjan numbers components in the order it completes them, with a node’s low link from a back edge', () => {
    // 0 → 1 → 2 → 0 (a cycle), 2 → 3, 3 → 4 → 3 (another cycle), 5 alone with a self-loop, 6 alone.
    const c = stronglyConnectedComponents(digraph(7, [0, 1, 2, 2, 3, 4, 5], [1, 2, 0, 3, 4, 3, 5]));
    assert.equal(c.count, 4);
    assert.deepEqual([...c.component], [1, 1, 1, 0, 0, 2, 3]);
    assert.deepEqual([...c.cyclic], [1, 1, 1, 0]);
  });

  test('a node whose back edge goes to an ancestor deeper than its parent’s low link keeps the lower one', () => {
    // 0 → 1 → 2 → 3, 3 → 1 and 2 → 0: {0, 1, 2, 3} is one component whatever the order of the back edges.
    const c = stronglyConnectedComponents(digraph(5, [0, 1, 2, 3, 2, 3], [1, 2, 3, 1, 0, 4]));
    assert.equal(c.count, 2);
    assert.deepEqual([...c.component], [1, 1, 1, 1, 0]);
    // A cross edge into a completed component (3 → 4) does not lower a low link.
    const cross = stronglyConnectedComponents(digraph(4, [0, 0, 1, 2], [1, 2, 3, 3]));
    assert.equal(cross.count, 4);
    assert.deepEqual([...cross.cyclic], [0, 0, 0, 0]);
  });

  test('a group on a cycle reaches itself; a node off any cycle does not', () => {
    // 0 → 1 → 0, 1 → 2; 3 → 2.
    const got = reachOf(
      4,
      [
        [0, 1],
        [1, 0],
        [1, 2],
        [3, 2],
      ],
      [[0], [1], [2], [3]],
      4,
      [[0], [1], [2], [3], [0, 3]],
    );
    assert.deepEqual(got, [[0, 1, 2], [0, 1, 2], [], [2], [0, 1, 2]]);
  });

  test('items past the first chunk, and past the last full word, land where they belong', () => {
    // 0 → 1 → 2; node 1 holds items 31, 32 and 69, node 2 holds 0 and 64, out of 70 (three words).
    const items = [[5], [31, 32, 69], [0, 64]];
    const edges: [number, number][] = [
      [0, 1],
      [1, 2],
    ];
    // Three components, so 6 words of memory are chunks of two words: 0–63, then one word for 64–69.
    const sizes: [number, number][] = [];
    forEachReach(
      digraph(3, [0, 1], [1, 2]),
      (u) => items[u]!,
      70,
      [[0]],
      (_, bits, first) => sizes.push([first, bits.length]),
      { memoryWords: 6 },
    );
    assert.deepEqual(sizes, [
      [0, 2],
      [64, 1],
    ]);
    for (const memoryWords of [undefined, 1, 2, 3, 6, 9]) {
      assert.deepEqual(
        reachOf(3, edges, items, 70, [[0], [1], [2]], memoryWords),
        [[0, 31, 32, 64, 69], [0, 64], []],
        `memoryWords ${memoryWords}`,
      );
    }
  });

  test('a chunk never visits an item beyond the item count', () => {
    // 40 items, one word of 32 per chunk: the second chunk has 8 items; node 0 reaches item 39 only.
    const seen: [number, number][] = [];
    forEachReach(
      digraph(2, [0], [1]),
      (u) => (u === 1 ? [39] : [0]),
      40,
      [[0]],
      (_, bits, first) => {
        seen.push([first, bits.length]);
        for (let i = 0; i < bits.length * 32; i++) {
          if ((bits[i >>> 5]! & (1 << (i & 31))) !== 0) assert.equal(first + i, 39);
        }
      },
      { memoryWords: 2 },
    );
    assert.deepEqual(seen, [
      [0, 1],
      [32, 1],
    ]);
  });

  test('without items and without groups, nothing is visited and nothing fails', () => {
    let calls = 0;
    forEachReach(
      digraph(0, [], []),
      () => [],
      0,
      [],
      () => calls++,
    );
    assert.equal(calls, 0);
    forEachReach(
      digraph(1, [], []),
      () => [],
      0,
      [[0]],
      (_, bits) => {
        calls++;
        assert.equal(bits.length, 1);
        assert.equal(bits[0], 0);
      },
    );
    assert.equal(calls, 1);
  });
});

describe('the lateral graph', () => {
  test('workloads of one namespace and name are ordered by kind; a pod of no known workload is left out', () => {
    const state = cluster({
      namespaces: [ns('prod')],
      pods: [pod('prod', 'web-1', { app: 'web' }), pod('prod', 'web-2', { app: 'web', v: '2' })],
      // Only to put web-2 in a class of its own.
      policies: [policy('prod', 'v2', { podSelector: { matchLabels: { v: '2' } }, ingress: [{}] })],
    });
    const sts: WorkloadInfo = {
      id: 'prod/StatefulSet/web',
      namespace: 'prod',
      kind: 'StatefulSet',
      name: 'web',
      labels: { app: 'web' },
      pods: ['web-1'],
      replicas: 1,
    };
    const deploy: WorkloadInfo = { ...sts, id: 'prod/Deployment/web', kind: 'Deployment', pods: [] };
    const withKinds: ClusterState = {
      ...state,
      pods: [
        { ...state.pods[0]!, workload: sts.id },
        { ...state.pods[1]!, workload: 'prod/Job/gone' },
      ],
      workloads: [sts, deploy],
    };
    const g = buildLateralGraph(compileCluster(withKinds));
    assert.deepEqual(
      g.workloads.map((w) => w.id),
      ['prod/Deployment/web', 'prod/StatefulSet/web'],
    );
    assert.deepEqual(g.classesOf, [[], [g.compiled.classOfPod('prod', 'web-1')]]);
    // web-2's class has no member: it belongs to no workload of the list.
    const c2 = g.compiled.classOfPod('prod', 'web-2')!;
    assert.deepEqual(g.membersOf[c2], []);
  });

  test('edges out of a class are sorted by destination, entry and exit edges too', () => {
    const state = cluster({
      namespaces: [ns('prod')],
      pods: [pod('prod', 'c'), pod('prod', 'a'), pod('prod', 'b')],
    });
    const g = buildLateralGraph(compileCluster(state));
    for (const lists of [g.podEdges, g.entryEdges, g.exitEdges]) {
      for (const list of lists) {
        const to = list.map((e) => e.to);
        assert.deepEqual(
          to,
          [...to].sort((x, y) => x - y),
        );
        assert.ok(to.length > 0);
      }
    }
  });

  // shop/api admits shop/web on 8080 filtered at L7 by two policies and on 9090 by one of them; on 7070 plainly.
  const l7State = cluster({
    namespaces: [ns('shop')],
    pods: [
      pod('shop', 'web', { app: 'web' }),
      pod('shop', 'api', { app: 'api' }),
      pod('shop', 'db', { app: 'db' }),
    ],
    ciliumPolicies: [
      cnpCilium('shop', 'z-api', {
        endpointSelector: { matchLabels: { app: 'api' } },
        ingress: [
          {
            fromEndpoints: [{ matchLabels: { app: 'web' } }],
            toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }], rules: { http: [{ method: 'GET' }] } }],
          },
          {
            fromEndpoints: [{ matchLabels: { app: 'web' } }],
            toPorts: [{ ports: [{ port: '9090', protocol: 'TCP' }], rules: { http: [{ method: 'POST' }] } }],
          },
          {
            fromEndpoints: [{ matchLabels: { app: 'web' } }],
            toPorts: [{ ports: [{ port: '7070', protocol: 'TCP' }] }],
          },
        ],
      }),
      // A rule set without L7 rules: L7 filtering is still looked for when one rule set has some.
      cnpCilium('shop', 'db', {
        endpointSelector: { matchLabels: { app: 'db' } },
        ingress: [{ fromEndpoints: [{ matchLabels: { app: 'api' } }] }],
      }),
      cnpCilium('shop', 'a-api', {
        endpointSelector: { matchLabels: { app: 'api' } },
        ingress: [
          {
            fromEndpoints: [{ matchLabels: { app: 'web' } }],
            toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }], rules: { http: [{ path: '/x' }] } }],
          },
          // Every rule set has a rule without L7 rules.
          {
            fromEndpoints: [{ matchLabels: { app: 'web' } }],
            toPorts: [{ ports: [{ port: '6060', protocol: 'TCP' }] }],
          },
        ],
      }),
    ],
  });

  test('a hop filtered at L7 carries the union of the filtered ports and each policy once, sorted', () => {
    const g = buildLateralGraph(compileCluster(l7State));
    const web = index(g, 'shop/Pod/web');
    const api = index(g, 'shop/Pod/api');
    const r = attackReach(g, { workloads: [web], addresses: [] });
    const path = attackPath(r, { workload: api })!;
    assert.equal(path.length, 1);
    assert.equal(formatPorts(path[0]!.ports), 'TCP 6060,7070,8080,9090');
    assert.equal(formatPorts(path[0]!.l7!.ports), 'TCP 8080,9090');
    assert.deepEqual(path[0]!.l7!.policies, [
      'CiliumNetworkPolicy/shop/a-api',
      'CiliumNetworkPolicy/shop/z-api',
    ]);
    assert.deepEqual(r.via[api]!.l7, path[0]!.l7);
    // api's own hops (no Cilium rule selects the others) are plain.
    const fromApi = attackReach(g, { workloads: [api], addresses: [] }, { exits: true });
    const db = index(g, 'shop/Pod/db');
    const step = attackPath(fromApi, { workload: db })!;
    assert.equal(step.length, 1);
    assert.equal('l7' in step[0]!, false);
    assert.equal('l7' in fromApi.via[db]!, false);
    const exit = attackPath(fromApi, { address: 0 })!;
    assert.equal('l7' in exit[0]!, false);
    assert.equal('l7' in fromApi.addressVia[0]!, false);
    // The graph's edges: only web → api carries l7.
    const edges = g.podEdges.flat();
    assert.deepEqual(
      edges.filter((e) => e.l7 !== undefined).map((e) => e.to),
      [g.compiled.classOfPod('shop', 'api')],
    );
    assert.ok(edges.every((e) => e.l7 !== undefined || !('l7' in e)));
    assert.ok([...g.entryEdges.flat(), ...g.exitEdges.flat()].every((e) => !('l7' in e)));
  });

  test('an entry edge filtered at L7 names its policy on the first hop from outside', () => {
    const state = cluster({
      namespaces: [ns('shop')],
      pods: [pod('shop', 'api', { app: 'api' })],
      ciliumPolicies: [
        cnpCilium('shop', 'api-world', {
          endpointSelector: { matchLabels: { app: 'api' } },
          ingress: [
            {
              fromEntities: ['world'],
              toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }], rules: { http: [{ method: 'GET' }] } }],
            },
          ],
        }),
      ],
    });
    const g = buildLateralGraph(compileCluster(state));
    const addresses = g.compiled.addressSpace.classes.map((a) => a.id);
    const r = attackReach(g, { workloads: [], addresses });
    const path = attackPath(r, { workload: 0 })!;
    assert.equal(path.length, 1);
    assert.ok('address' in path[0]!.from);
    assert.deepEqual(path[0]!.l7?.policies, ['CiliumNetworkPolicy/shop/api-world']);
    assert.equal(formatPorts(path[0]!.l7.ports), 'TCP 443');
  });
});

describe('blast radius and attack reach, in detail', () => {
  // prod denies ingress; web's two pods (two classes) are reached from outside on 443 and 8443 by two
  // policies, each admitting its own pod; web may reach db; db may reach nothing.
  const twoPorts = (): LateralGraph => {
    const state = cluster({
      namespaces: [ns('prod')],
      pods: [
        pod('prod', 'web-1', { app: 'web', v: '1' }),
        pod('prod', 'web-2', { app: 'web', v: '2' }),
        pod('prod', 'db', { app: 'db' }),
      ],
      policies: [
        policy('prod', 'deny', { podSelector: {}, ingress: [] }),
        policy('prod', 'web-1', {
          podSelector: { matchLabels: { v: '1' } },
          ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 443 }] }],
        }),
        policy('prod', 'web-2', {
          podSelector: { matchLabels: { v: '2' } },
          ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 8443 }] }],
        }),
        policy('prod', 'db', {
          podSelector: { matchLabels: { app: 'db' } },
          ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }] }],
        }),
      ],
    });
    const pods = state.pods.map((p) => (p.name === 'db' ? p : { ...p, workload: 'prod/Deployment/web' }));
    const web: WorkloadInfo = {
      id: 'prod/Deployment/web',
      namespace: 'prod',
      kind: 'Deployment',
      name: 'web',
      labels: { app: 'web' },
      pods: ['web-1', 'web-2'],
      replicas: 2,
    };
    return buildLateralGraph(
      compileCluster({ ...state, pods, workloads: [state.workloads.find((w) => w.name === 'db')!, web] }),
    );
  };

  test('an entry point reached on several ports from one address class lists them together', () => {
    const g = twoPorts();
    const rows = blastRadius(g).map((r) => {
      const entry = r.entry.map(
        (e) => `${g.compiled.addressSpace.describe(e.address)} ${formatPorts(e.ports)}`,
      );
      return `${name(g, { workload: r.workload })} ${r.reach} ${r.direct} [${entry.join('; ')}]`;
    });
    assert.deepEqual(rows, ['prod/db 0 0 []', 'prod/web 1 1 [0.0.0.0/0 TCP 443,8443]']);
  });

  test('blast radius in chunks of one word equals the default', () => {
    const g = twoPorts();
    assert.deepEqual(blastRadius(g, { memoryWords: 1 }), blastRadius(g));
  });

  test('from outside with --max-hops 1: the entry point only; exits from a source at the limit are not taken', () => {
    const g = twoPorts();
    const addresses = g.compiled.addressSpace.classes.map((a) => a.id);
    const web = index(g, 'prod/Deployment/web');
    const db = index(g, 'prod/Pod/db');
    const one = attackReach(g, { workloads: [], addresses }, { maxHops: 1, exits: true });
    assert.equal(one.distance[web], 1);
    assert.equal(one.distance[db], -1);
    // web is at the limit: it opens no connection out.
    assert.ok([...one.addressDistance].every((d) => d === -1));
    const two = attackReach(g, { workloads: [], addresses }, { maxHops: 2, exits: true });
    assert.equal(two.distance[db], 2);
    assert.ok([...two.addressDistance].every((d) => d === 2));
    assert.equal(
      attackPath(two, { address: 0 })!
        .map((s) => name(g, s.to))
        .join(' '),
      'prod/web 0.0.0.0/0',
    );
    const none = attackReach(g, { workloads: [], addresses }, { maxHops: 0 });
    assert.ok([...none.distance].every((d) => d === -1));
    // Without exits asked for, no address is reached.
    assert.ok([...two.addressDistance].length > 0);
    const noExits = attackReach(g, { workloads: [], addresses }, { maxHops: 2 });
    assert.ok([...noExits.addressDistance].every((d) => d === -1));
    assert.ok(noExits.addressVia.every((v) => v === undefined));
    assert.equal(noExits.addressVia.length, addresses.length);
    assert.equal(noExits.addressDistance.length, addresses.length);
  });

  test('a source named twice is one source; a source is never reached again', () => {
    const g = twoPorts();
    const web = index(g, 'prod/Deployment/web');
    const db = index(g, 'prod/Pod/db');
    const r = attackReach(g, { workloads: [web, web, db], addresses: [] }, { exits: true });
    assert.deepEqual([...r.distance], [0, 0]);
    assert.deepEqual(r.via, [undefined, undefined]);
    assert.deepEqual(attackPath(r, { workload: db }), []);
    assert.equal(
      attackPath(attackReach(g, { workloads: [db], addresses: [] }), { workload: web }),
      undefined,
    );
  });
});

describe('more workloads than a word holds', () => {
  test('each workload of a class is listed once, in workload order, whatever the order of the pods', () => {
    // b's pod comes first; a and b share a class (no policy tells them apart).
    const state = cluster({ namespaces: [ns('prod')], pods: [pod('prod', 'b'), pod('prod', 'a')] });
    const g = buildLateralGraph(compileCluster(state));
    assert.deepEqual(
      g.workloads.map((w) => w.name),
      ['a', 'b'],
    );
    assert.deepEqual(g.membersOf, [[0, 1]]);
    assert.deepEqual(g.classesOf, [[0], [0]]);
  });

  test('blast radius of 40 workloads that all reach each other, in chunks of one word', () => {
    const state = cluster({
      namespaces: [ns('prod')],
      pods: Array.from({ length: 40 }, (_, i) => pod('prod', `p${String(i).padStart(2, '0')}`)),
    });
    const g = buildLateralGraph(compileCluster(state));
    for (const memoryWords of [1, 2, undefined]) {
      const radius = blastRadius(g, memoryWords === undefined ? {} : { memoryWords });
      assert.deepEqual(
        radius.map((r) => r.reach),
        radius.map(() => 39),
        `memoryWords ${memoryWords}`,
      );
    }
  });
});
