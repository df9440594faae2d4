/**
 * Attack paths and blast radius on a hand-built fixture whose connections form a chain, a cycle and a
 * diamond (test/fixtures/paths/lateral.yaml), with hop counts checked one by one; the workload model on
 * workloads whose pods fall in several classes, or share one; and, on random clusters, blast radius (SCC and
 * bitsets) against a breadth-first search from every workload.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import fc from 'fast-check';
import { compileCluster } from '../../src/engine/compile.ts';
import {
  attackPath,
  attackReach,
  blastRadius,
  buildLateralGraph,
  type AttackReach,
  type LateralGraph,
  type PathStep,
} from '../../src/engine/paths.ts';
import { formatPorts } from '../../src/describe/ports.ts';
import type { ClusterState, PodInfo, WorkloadInfo } from '../../src/model/cluster.ts';
import { loadManifests } from '../../src/parse/index.ts';
import { clusterInputArb } from '../support/arbitraries.ts';
import { cluster, ns, pod, policy } from '../support/builders.ts';

let lateral: LateralGraph;

before(async () => {
  const loaded = await loadManifests(['test/fixtures/paths/lateral.yaml'], {
    defaultNamespace: 'default',
    skipInvalid: false,
  });
  assert.deepEqual(loaded.errors, []);
  lateral = buildLateralGraph(compileCluster(loaded.state));
});

function index(g: LateralGraph, id: string): number {
  const i = g.workloadIndex.get(id);
  assert.ok(i !== undefined, `no workload ${id}`);
  return i;
}

function from(
  g: LateralGraph,
  ids: string[],
  options: { maxHops?: number; exits?: boolean } = {},
): AttackReach {
  return attackReach(g, { workloads: ids.map((id) => index(g, id)), addresses: [] }, options);
}

/** `{ 'chain/b': 1, ... }` for every reached workload other than the sources. */
function hops(g: LateralGraph, r: AttackReach): Record<string, number> {
  const out: Record<string, number> = {};
  g.workloads.forEach((w, i) => {
    if (r.distance[i]! > 0) out[`${w.namespace}/${w.name}`] = r.distance[i]!;
  });
  return out;
}

function describePath(g: LateralGraph, steps: readonly PathStep[]): string {
  const name = (n: PathStep['from']): string => {
    if ('address' in n) return g.compiled.addressSpace.describe(n.address);
    const w = g.workloads[n.workload]!;
    return `${w.namespace}/${w.name}`;
  };
  return [name(steps[0]!.from), ...steps.map((s) => `-${formatPorts(s.ports)}-> ${name(s.to)}`)].join(' ');
}

describe('attack paths on a chain, a cycle and a diamond', () => {
  test('chain: each link is one more hop, and the path names each hop’s port', () => {
    const r = from(lateral, ['chain/Deployment/a']);
    assert.deepEqual(hops(lateral, r), { 'chain/b': 1, 'chain/c': 2, 'chain/d': 3 });
    const path = attackPath(r, { workload: index(lateral, 'chain/Deployment/d') })!;
    assert.equal(
      describePath(lateral, path),
      'chain/a -TCP 8080-> chain/b -TCP 8081-> chain/c -TCP 5432-> chain/d',
    );
    // Nothing flows back up the chain.
    assert.deepEqual(hops(lateral, from(lateral, ['chain/Deployment/c'])), { 'chain/d': 1 });
    assert.deepEqual(hops(lateral, from(lateral, ['chain/Deployment/d'])), {});
  });

  test('cycle: every member reaches the two others, nearest first, and never itself again', () => {
    assert.deepEqual(hops(lateral, from(lateral, ['ring/Deployment/x'])), { 'ring/y': 1, 'ring/z': 2 });
    assert.deepEqual(hops(lateral, from(lateral, ['ring/Deployment/y'])), { 'ring/x': 2, 'ring/z': 1 });
    const r = from(lateral, ['ring/Deployment/z']);
    assert.equal(r.distance[index(lateral, 'ring/Deployment/z')], 0);
    assert.equal(
      describePath(lateral, attackPath(r, { workload: index(lateral, 'ring/Deployment/y') })!),
      'ring/z -TCP 80-> ring/x -TCP 80-> ring/y',
    );
  });

  test('diamond: the bottom is two hops away by either side; the path taken is the first side', () => {
    const r = from(lateral, ['diamond/Deployment/top']);
    assert.deepEqual(hops(lateral, r), { 'diamond/bottom': 2, 'diamond/left': 1, 'diamond/right': 1 });
    assert.equal(
      describePath(lateral, attackPath(r, { workload: index(lateral, 'diamond/Deployment/bottom') })!),
      'diamond/top -TCP 80-> diamond/left -TCP 5432-> diamond/bottom',
    );
    // From both sides at once, the bottom is one hop away.
    assert.deepEqual(hops(lateral, from(lateral, ['diamond/Deployment/left', 'diamond/Deployment/right'])), {
      'diamond/bottom': 1,
    });
  });

  test('--max-hops stops the search', () => {
    assert.deepEqual(hops(lateral, from(lateral, ['chain/Deployment/a'], { maxHops: 2 })), {
      'chain/b': 1,
      'chain/c': 2,
    });
    assert.deepEqual(hops(lateral, from(lateral, ['chain/Deployment/a'], { maxHops: 0 })), {});
    assert.equal(
      attackPath(from(lateral, ['chain/Deployment/a'], { maxHops: 2 }), {
        workload: index(lateral, 'chain/Deployment/d'),
      }),
      undefined,
    );
  });

  test('from outside the cluster: the entry point is hop 1, the rest of its chain follows', () => {
    const addresses = lateral.compiled.addressSpace.classes.map((a) => a.id);
    const r = attackReach(lateral, { workloads: [], addresses });
    assert.deepEqual(hops(lateral, r), { 'chain/a': 1, 'chain/b': 2, 'chain/c': 3, 'chain/d': 4 });
    assert.equal(
      describePath(lateral, attackPath(r, { workload: index(lateral, 'chain/Deployment/b') })!),
      '0.0.0.0/0 -TCP 443-> chain/a -TCP 8080-> chain/b',
    );
  });

  test('exits: addresses outside the cluster the attacker can open connections to', () => {
    // Egress is open everywhere, so the first hop out of chain/d reaches every address class.
    const r = from(lateral, ['chain/Deployment/c'], { exits: true });
    assert.deepEqual(
      [...r.addressDistance],
      lateral.compiled.addressSpace.classes.map(() => 1),
    );
    assert.equal(
      describePath(lateral, attackPath(r, { address: 0 })!),
      'chain/c -All connections-> 0.0.0.0/0',
    );
  });

  test('blast radius: transitive and direct reach of every workload, and the one entry point', () => {
    const rows = blastRadius(lateral).map((r) => {
      const w = lateral.workloads[r.workload]!;
      const entry = r.entry.map(
        (e) => `${lateral.compiled.addressSpace.describe(e.address)} ${formatPorts(e.ports)}`,
      );
      return `${w.namespace}/${w.name} ${r.reach} ${r.direct}${entry.length > 0 ? ` entry: ${entry.join(', ')}` : ''}`;
    });
    assert.deepEqual(rows, [
      'chain/a 3 1 entry: 0.0.0.0/0 TCP 443',
      'chain/b 2 1',
      'chain/c 1 1',
      'chain/d 0 0',
      'diamond/bottom 0 0',
      'diamond/left 1 1',
      'diamond/right 1 1',
      'diamond/top 3 2',
      'ring/x 2 1',
      'ring/y 2 1',
      'ring/z 2 1',
    ]);
  });
});

/** A state whose workloads are given explicitly: `pods` are assigned to workloads by `workloadOf`. */
function withWorkloads(state: ClusterState, workloadOf: (p: PodInfo) => string): ClusterState {
  const pods = state.pods.map((p) => ({ ...p, workload: `${p.namespace}/Deployment/${workloadOf(p)}` }));
  const byId = new Map<string, WorkloadInfo>();
  for (const p of pods) {
    const w = byId.get(p.workload);
    if (w === undefined) {
      byId.set(p.workload, {
        id: p.workload,
        namespace: p.namespace,
        kind: 'Deployment',
        name: p.workload.split('/')[2]!,
        labels: p.labels,
        pods: [p.name],
        replicas: 1,
      });
    } else {
      byId.set(p.workload, { ...w, pods: [...w.pods, p.name], replicas: w.pods.length + 1 });
    }
  }
  return { ...state, pods, workloads: [...byId.values()] };
}

describe('the workload model', () => {
  // prod denies ingress by default; x may reach pods labelled role=front; pods labelled role=back may reach y.
  const base = cluster({
    namespaces: [ns('prod')],
    pods: [
      pod('prod', 'x', { app: 'x' }),
      pod('prod', 'w-1', { app: 'w', role: 'front' }),
      pod('prod', 'w-2', { app: 'w', role: 'back' }),
      pod('prod', 'y', { app: 'y' }),
    ],
    policies: [
      policy('prod', 'deny', { podSelector: {}, ingress: [] }),
      policy('prod', 'front', {
        podSelector: { matchLabels: { role: 'front' } },
        ingress: [{ from: [{ podSelector: { matchLabels: { app: 'x' } } }] }],
      }),
      policy('prod', 'y', {
        podSelector: { matchLabels: { app: 'y' } },
        ingress: [{ from: [{ podSelector: { matchLabels: { role: 'back' } } }] }],
      }),
    ],
  });

  test('reaching one pod of a workload compromises it: the attacker moves on from its other pods', () => {
    // w's two pods are in different classes: x reaches only the front one, only the back one reaches y.
    const g = buildLateralGraph(
      compileCluster(withWorkloads(base, (p) => (p.name.startsWith('w-') ? 'w' : p.name))),
    );
    assert.equal(g.classesOf[index(g, 'prod/Deployment/w')]!.length, 2);
    assert.deepEqual(hops(g, from(g, ['prod/Deployment/x'])), { 'prod/w': 1, 'prod/y': 2 });
    const radius = blastRadius(g).map((r) => `${g.workloads[r.workload]!.name} ${r.reach} ${r.direct}`);
    assert.deepEqual(radius, ['w 1 1', 'x 2 1', 'y 0 0']);
  });

  test('two workloads sharing a class reach each other only over an allowed connection', () => {
    // u1 and u2 have identical labels (one class). Nothing allows ingress to them.
    const shared = cluster({
      namespaces: [ns('prod')],
      pods: [pod('prod', 'u1', { app: 'u' }), pod('prod', 'u2', { app: 'u' })],
      policies: [policy('prod', 'deny', { podSelector: {}, ingress: [] })],
    });
    const g = buildLateralGraph(compileCluster(shared));
    assert.equal(g.compiled.classes.length, 1);
    assert.deepEqual(hops(g, from(g, ['prod/Pod/u1'])), {});
    assert.deepEqual(
      blastRadius(g).map((r) => r.reach),
      [0, 0],
    );
    // Once app=u may talk to app=u, each is one hop from the other.
    const open = cluster({
      ...{
        namespaces: [ns('prod')],
        pods: [pod('prod', 'u1', { app: 'u' }), pod('prod', 'u2', { app: 'u' })],
      },
      policies: [
        policy('prod', 'u', {
          podSelector: { matchLabels: { app: 'u' } },
          ingress: [{ from: [{ podSelector: { matchLabels: { app: 'u' } } }] }],
        }),
      ],
    });
    const h = buildLateralGraph(compileCluster(open));
    assert.deepEqual(hops(h, from(h, ['prod/Pod/u1'])), { 'prod/u2': 1 });
    assert.deepEqual(
      blastRadius(h).map((r) => `${r.reach} ${r.direct}`),
      ['1 1', '1 1'],
    );
  });
});

describe('blast radius equals a breadth-first search from each workload (property)', () => {
  test('on random clusters, with pods grouped into workloads at random', () => {
    fc.assert(
      fc.property(clusterInputArb, fc.array(fc.nat(2), { minLength: 8, maxLength: 8 }), (input, groups) => {
        const state = withWorkloads(cluster(input), (p) => `g${groups[Number(p.name.slice(1))]!}`);
        const g = buildLateralGraph(compileCluster(state));
        const radius = blastRadius(g, { memoryWords: 1 });
        for (let w = 0; w < g.workloads.length; w++) {
          const r = attackReach(g, { workloads: [w], addresses: [] });
          const reached = r.distance.filter((d) => d > 0).length;
          assert.equal(radius[w]!.reach, reached, `reach of ${g.workloads[w]!.id}`);
          assert.equal(
            radius[w]!.direct,
            r.distance.filter((d) => d === 1).length,
            `direct of ${g.workloads[w]!.id}`,
          );
        }
      }),
      { numRuns: 150 },
    );
  });
});
