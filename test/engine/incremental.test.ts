/**
 * The incremental engine must always answer what a fresh compile of the edited state answers: after every
 * edit of a random sequence (policies replaced, added, removed, with new CIDRs or not), its connectivity
 * equals `computeConnectivity(compileCluster(state))`, its compiled cluster allows exactly the same ports
 * between every pair of pods, and the changes it reports are exactly the difference.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compileCluster, type Endpoint } from '../../src/engine/compile.ts';
import { computeConnectivity, type Connectivity, type Granularity } from '../../src/engine/connectivity.ts';
import { createIncrementalEngine } from '../../src/engine/incremental.ts';
import { formatPorts } from '../../src/describe/ports.ts';
import { portsEqual } from '../../src/engine/ports.ts';
import type { ClusterState, PolicyInfo } from '../../src/model/cluster.ts';
import type { NetworkPolicySpec } from '../../src/model/k8s.ts';
import { clusterInputArb, specArb } from '../support/arbitraries.ts';
import { cluster, ns, pod, policy, withWorkloads } from '../support/builders.ts';

const NUM_RUNS = Number(process.env['NETFENCE_INCREMENTAL_RUNS'] ?? 150);

type Edit =
  | { kind: 'update'; target: number; namespace: string; spec: NetworkPolicySpec }
  | { kind: 'add'; namespace: string; spec: NetworkPolicySpec }
  | { kind: 'remove'; target: number };

const editArb: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({
    kind: fc.constant('update' as const),
    target: fc.nat(),
    namespace: fc.constantFrom('a', 'b'),
    spec: specArb,
  }),
  fc.record({ kind: fc.constant('add' as const), namespace: fc.constantFrom('a', 'b'), spec: specArb }),
  fc.record({ kind: fc.constant('remove' as const), target: fc.nat() }),
);

function describeConnectivity(c: Connectivity): string[] {
  return c.connections.map((x) => `${x.src} -> ${x.dst}: ${formatPorts(x.ports)}`);
}

function podEndpoints(state: ClusterState): Endpoint[] {
  return state.pods.map((p) => ({ kind: 'pod', namespace: p.namespace, name: p.name }));
}

const pairKey = (c: { src: string; dst: string }): string => `${c.src} -> ${c.dst}`;

/** The pairs whose ports differ between two fresh answers: what an update must report as changed, sorted. */
function changedPairs(before: Connectivity, after: Connectivity): string[] {
  const was = new Map(before.connections.map((c) => [pairKey(c), c.ports]));
  const now = new Map(after.connections.map((c) => [pairKey(c), c.ports]));
  return [...new Set([...was.keys(), ...now.keys()])]
    .filter((k) => {
      const x = was.get(k);
      const y = now.get(k);
      return x === undefined || y === undefined || !portsEqual(x, y);
    })
    .sort();
}

function check(state: ClusterState, edits: readonly Edit[], granularity: Granularity): void {
  const inc = createIncrementalEngine(state, {}, granularity);
  let previous = computeConnectivity(compileCluster(state), granularity);
  assert.deepEqual(describeConnectivity(inc.connectivity()), describeConnectivity(previous));
  let added = 0;
  for (const edit of edits) {
    const policies = inc.state.policies;
    if (edit.kind === 'remove') {
      if (policies.length === 0) continue;
      inc.removePolicy(policies[edit.target % policies.length]!.id);
    } else {
      let info: PolicyInfo;
      if (edit.kind === 'update' && policies.length > 0) {
        const target = policies[edit.target % policies.length]!;
        info = policy(target.namespace, target.name, edit.spec);
      } else info = policy(edit.namespace, `added${added++}`, edit.spec);
      const update = inc.updatePolicy(info);
      const fresh = computeConnectivity(compileCluster(inc.state), granularity);
      assert.deepEqual(update.changes.map(pairKey).sort(), changedPairs(previous, fresh));
    }
    const fresh = compileCluster(inc.state);
    const expected = computeConnectivity(fresh, granularity);
    assert.deepEqual(describeConnectivity(inc.connectivity()), describeConnectivity(expected));
    const endpoints = podEndpoints(inc.state);
    for (const src of endpoints) {
      for (const dst of endpoints) {
        assert.ok(portsEqual(inc.compiled.allowedBetween(src, dst), fresh.allowedBetween(src, dst)));
      }
    }
    previous = expected;
  }
}

/** The policies after a batch of edits: replaced in place, added at the end, removed; ids stay unique. */
function editedPolicies(policies: readonly PolicyInfo[], edits: readonly Edit[], tag: string): PolicyInfo[] {
  let out = [...policies];
  for (const [i, edit] of edits.entries()) {
    if (edit.kind === 'add' || out.length === 0) {
      if (edit.kind !== 'remove') out.push(policy(edit.namespace, `${tag}-${i}`, edit.spec));
      continue;
    }
    const at = edit.target % out.length;
    if (edit.kind === 'remove') out = out.filter((_, j) => j !== at);
    else out[at] = policy(out[at]!.namespace, out[at]!.name, edit.spec);
  }
  return out;
}

function checkBatches(
  state: ClusterState,
  batches: readonly (readonly Edit[])[],
  granularity: Granularity,
): void {
  const inc = createIncrementalEngine(state, {}, granularity);
  let previous = computeConnectivity(compileCluster(state), granularity);
  for (const [b, edits] of [...batches, []].entries()) {
    // The last batch puts the original policies back, as a what-if does.
    const next =
      b === batches.length ? state.policies : editedPolicies(inc.state.policies, edits, `batch${b}`);
    const update = inc.setPolicies(next);
    assert.deepEqual(
      inc.state.policies.map((p) => p.id),
      next.map((p) => p.id),
    );
    const fresh = compileCluster({ ...state, policies: [...next] });
    const expected = computeConnectivity(fresh, granularity);
    assert.deepEqual(describeConnectivity(inc.connectivity()), describeConnectivity(expected));
    assert.deepEqual(
      inc.compiled.policies.map((p) => `${p.index} ${p.info.id}`),
      fresh.policies.map((p) => `${p.index} ${p.info.id}`),
    );
    const endpoints = podEndpoints(inc.state);
    for (const src of endpoints) {
      for (const dst of endpoints) {
        assert.ok(portsEqual(inc.compiled.allowedBetween(src, dst), fresh.allowedBetween(src, dst)));
      }
    }
    assert.deepEqual(update.changes.map(pairKey).sort(), changedPairs(previous, expected));
    previous = expected;
  }
}

describe('incremental engine', () => {
  test('setPolicies: a batch of edits equals a fresh compile, and so does putting the policies back', () => {
    fc.assert(
      fc.property(
        clusterInputArb,
        fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 8 }),
        fc.boolean(),
        fc.array(fc.array(editArb, { minLength: 0, maxLength: 10 }), { minLength: 1, maxLength: 4 }),
        fc.constantFrom<Granularity>('workload', 'pod'),
        (input, grouping, templates, batches, granularity) => {
          checkBatches(withWorkloads(input, grouping, templates), batches, granularity);
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });

  test('equals a fresh compile after random policy edits', () => {
    fc.assert(
      fc.property(
        clusterInputArb,
        fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 8 }),
        fc.boolean(),
        fc.array(editArb, { minLength: 1, maxLength: 6 }),
        fc.constantFrom<Granularity>('workload', 'pod'),
        (input, grouping, templates, edits, granularity) => {
          check(withWorkloads(input, grouping, templates), edits, granularity);
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });

  test('a change inside one namespace touches only the classes the policy selects', () => {
    // Two namespaces of three apps; denying ingress to one app rebuilds that app's class and nothing else.
    const state = cluster({
      namespaces: [ns('a'), ns('b')],
      pods: ['x', 'y', 'z'].flatMap((app) => [pod('a', app, { app }), pod('b', app, { app })]),
      policies: [],
    });
    const inc = createIncrementalEngine(state);
    // From the five other pods and from the outside world.
    assert.equal(inc.connectivity().connections.filter((c) => c.dst === 'a/Pod/x').length, 6);
    const update = inc.updatePolicy(
      policy('a', 'deny-x', { podSelector: { matchLabels: { app: 'x' } }, ingress: [] }),
    );
    assert.equal(update.touchedClasses, 1);
    assert.equal(update.recompiled, false);
    // Every pod and the outside world lose their connection to a/x.
    assert.deepEqual(
      update.changes.map((c) => [c.src, c.dst, c.after]),
      [
        ['a/Pod/y', 'a/Pod/x', undefined],
        ['a/Pod/z', 'a/Pod/x', undefined],
        ['b/Pod/x', 'a/Pod/x', undefined],
        ['b/Pod/y', 'a/Pod/x', undefined],
        ['b/Pod/z', 'a/Pod/x', undefined],
        ['external:0', 'a/Pod/x', undefined],
      ],
    );
    assert.equal(inc.connectivity().connections.filter((c) => c.dst === 'a/Pod/x').length, 0);
    // Removing it restores the first answer.
    const restored = inc.removePolicy('a/deny-x');
    assert.equal(restored.changes.length, 6);
    assert.deepEqual(
      describeConnectivity(inc.connectivity()),
      describeConnectivity(computeConnectivity(compileCluster(state))),
    );
  });

  test('a label key no pod selector read before is a local change (classes by all labels)', () => {
    // Without policies a fresh compile makes a/x and a/y one class (no selector reads `app`); the
    // incremental engine tells them apart by all their labels, so a policy on `app` touches one class.
    const state = cluster({
      namespaces: [ns('a')],
      pods: [pod('a', 'x', { app: 'x' }), pod('a', 'y', { app: 'y' })],
      policies: [],
    });
    assert.equal(compileCluster(state).classes.length, 1);
    const inc = createIncrementalEngine(state);
    assert.equal(inc.compiled.classes.length, 2);
    const update = inc.updatePolicy(
      policy('a', 'deny-x', { podSelector: { matchLabels: { app: 'x' } }, ingress: [] }),
    );
    assert.equal(update.recompiled, false);
    assert.equal(update.touchedClasses, 1);
    assert.deepEqual(
      update.changes.map((c) => [c.src, c.dst, c.after]),
      [
        ['a/Pod/y', 'a/Pod/x', undefined],
        ['external:0', 'a/Pod/x', undefined],
      ],
    );
    assert.deepEqual(
      describeConnectivity(inc.connectivity()),
      describeConnectivity(computeConnectivity(compileCluster(inc.state))),
    );
  });

  test('a CIDR no policy mentioned before recompiles everything', () => {
    const state = cluster({ namespaces: [ns('a')], pods: [pod('a', 'x', { app: 'x' })], policies: [] });
    const inc = createIncrementalEngine(state);
    const update = inc.updatePolicy(
      policy('a', 'egress', {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }],
      }),
    );
    assert.equal(update.recompiled, true);
    // The outside world splits in two: external:0 is now everything but 10.0.0.0/8 (no longer allowed out),
    // external:1 is 10.0.0.0/8. Changes compare entities by id, so "external:0 -> a/Pod/x" (still all
    // connections, from a smaller range) is not a change.
    assert.deepEqual(
      update.changes.map((c) => [c.src, c.dst, c.after === undefined ? 'none' : formatPorts(c.after)]).sort(),
      [
        ['a/Pod/x', 'external:0', 'none'],
        ['a/Pod/x', 'external:1', 'All connections'],
        ['external:1', 'a/Pod/x', 'All connections'],
      ],
    );
    assert.equal(inc.removePolicy('a/unknown').changes.length, 0);
    // The same policy with ports: its CIDR, the only mention of it, stays, so the update is local.
    const ports = inc.updatePolicy(
      policy('a', 'egress', {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }], ports: [{ port: 443 }] }],
      }),
    );
    assert.equal(ports.recompiled, false);
    assert.deepEqual(
      describeConnectivity(inc.connectivity()),
      describeConnectivity(computeConnectivity(compileCluster(inc.state))),
    );
  });
});
