/**
 * The incremental engine against a fresh compile, differentially: random clusters (NetworkPolicies, cluster
 * policies of both tiers, Cilium policies, Services, Nodes, workloads of several pods) and random sequences of
 * edits of every kind the engine takes (a NetworkPolicy, a cluster policy or a Cilium policy added, replaced,
 * removed, its priority changed; batches that drop some, add others and turn the order), mixed with edits of
 * pods and namespaces (labels changed, so that pods move between classes; pods added and removed), after
 * which the engine is built afresh, as `src/admission/live.ts` does on such a change. The test keeps its own
 * copy of the objects and, after every step, compiles it from scratch: the engine's state holds the same
 * objects in the same order, its connectivity (connections, reach by DNS name, L7 filters) and its compiled
 * cluster's answer for every pair of pods and probe addresses are the fresh compile's, the changes the update
 * reports are exactly the connections whose ports differ between the fresh answers before and after, and an
 * edit that changes nothing reports nothing.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  accessToAddress,
  accessToPod,
  compileCluster,
  type EngineOptions,
  type Endpoint,
} from '../../src/engine/compile.ts';
import { computeConnectivity, type Connectivity, type Granularity } from '../../src/engine/connectivity.ts';
import {
  createIncrementalEngine,
  type IncrementalEngine,
  type IncrementalUpdate,
} from '../../src/engine/incremental.ts';
import { formatPorts } from '../../src/describe/ports.ts';
import { portsEqual } from '../../src/engine/ports.ts';
import {
  NAMESPACE_NAME_LABEL,
  type ClusterPolicyInfo,
  type ClusterState,
  type NamespaceInfo,
  type PodInfo,
} from '../../src/model/cluster.ts';
import type { CiliumPolicyInfo } from '../../src/model/cilium.ts';
import type { CiliumRule } from '../../src/model/cilium-wire.ts';
import type { NetworkPolicySpec } from '../../src/model/k8s.ts';
import { clusterPolicyInfo } from '../../src/model/tiers.ts';
import { specArb, tieredClusterInputArb } from '../support/arbitraries.ts';
import { ciliumClusterArb, ruleSetArb } from '../support/cilium-arbitraries.ts';
import { ccnp, cluster, cnpCilium, pod, policy, withWorkloads } from '../support/builders.ts';
import { changed, reported } from '../support/incremental.ts';

const NUM_RUNS = Number(process.env['NETFENCE_INCREMENTAL_RUNS'] ?? 150);

const NAMESPACES = ['a', 'b', 'c'] as const;
const NAMES = ['p0', 'p1', 'p2'] as const;

/** Pod labels an edit gives: the vocabulary the policies' selectors read, and one key none reads. */
const podLabelsArb: fc.Arbitrary<Record<string, string>> = fc.record(
  {
    app: fc.constantFrom('x', 'y', ''),
    team: fc.constantFrom('x', 'y'),
    tier: fc.constantFrom('data', 'web'),
    unread: fc.constantFrom('1', '2'),
  },
  { requiredKeys: [] },
);
const namespaceLabelsArb: fc.Arbitrary<Record<string, string>> = fc.record(
  { env: fc.constantFrom('prod', 'dev'), team: fc.constantFrom('x', 'y') },
  { requiredKeys: [] },
);
const CIDR_FIELDS = ['fromCIDR', 'fromCIDRSet', 'toCIDR', 'toCIDRSet'];

/** The rule set without its CIDR peers (a rule left with no peer field matches every peer). */
function withoutCidrs(spec: CiliumRule): CiliumRule {
  const strip = (rules: unknown): unknown =>
    Array.isArray(rules)
      ? rules.map((r: Record<string, unknown>) =>
          Object.fromEntries(Object.entries(r).filter(([k]) => !CIDR_FIELDS.includes(k))),
        )
      : rules;
  const out: Record<string, unknown> = { ...spec };
  for (const list of ['ingress', 'ingressDeny', 'egress', 'egressDeny'])
    if (list in out) out[list] = strip(out[list]);
  return out;
}

/**
 * A Cilium rule set an edit writes: two times in three without CIDR peers, so that most edits keep the address
 * space (and are local), and a third of the time selecting every endpoint.
 */
const editedRuleSetArb: fc.Arbitrary<CiliumRule> = fc
  .tuple(ruleSetArb, fc.nat(2), fc.nat(2))
  .map(([spec, keep, every]) => {
    const edited = keep === 0 ? spec : withoutCidrs(spec);
    return every === 0 ? { ...edited, endpointSelector: {} } : edited;
  });

/** Batches: which of the current objects stay (`keep[i % keep.length]`), and how far the order turns. */
const batchArb = fc.record({
  keep: fc.array(fc.boolean(), { minLength: 1, maxLength: 4 }),
  turn: fc.nat({ max: 3 }),
});

type Edit =
  | { kind: 'np'; namespace: string; name: string; spec: NetworkPolicySpec }
  | { kind: 'np-remove'; target: number }
  | { kind: 'np-batch'; keep: boolean[]; turn: number; add: NetworkPolicySpec[] }
  | { kind: 'tier'; pick: number }
  | { kind: 'tier-priority'; target: number; priority: number }
  | { kind: 'tier-remove'; target: number }
  | { kind: 'tier-batch'; keep: boolean[]; turn: number; add: number[] }
  | { kind: 'cilium'; namespace: string | undefined; name: string; spec: CiliumRule }
  | { kind: 'cilium-remove'; target: number }
  | { kind: 'cilium-batch'; keep: boolean[]; turn: number; add: CiliumRule[] }
  | { kind: 'noop' }
  | { kind: 'pod-labels'; target: number; labels: Record<string, string> }
  | { kind: 'namespace-labels'; target: number; labels: Record<string, string> }
  | { kind: 'pod-add'; namespace: string; labels: Record<string, string>; ip: number }
  | { kind: 'pod-remove'; target: number };

const editArb: fc.Arbitrary<Edit> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('np' as const),
      namespace: fc.constantFrom(...NAMESPACES),
      name: fc.constantFrom(...NAMES),
      spec: specArb,
    }),
  },
  fc.record({ kind: fc.constant('np-remove' as const), target: fc.nat() }),
  batchArb.chain((b) =>
    fc
      .array(specArb, { maxLength: 2 })
      .map((add) => ({ kind: 'np-batch' as const, keep: b.keep, turn: b.turn, add })),
  ),
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('tier' as const), pick: fc.nat() }) },
  fc.record({
    kind: fc.constant('tier-priority' as const),
    target: fc.nat(),
    priority: fc.constantFrom(0, 1, 5, 10, 500, 1000),
  }),
  fc.record({ kind: fc.constant('tier-remove' as const), target: fc.nat() }),
  batchArb.chain((b) =>
    fc
      .array(fc.nat(), { maxLength: 2 })
      .map((add) => ({ kind: 'tier-batch' as const, keep: b.keep, turn: b.turn, add })),
  ),
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('cilium' as const),
      namespace: fc.option(fc.constantFrom(...NAMESPACES), { nil: undefined }),
      name: fc.constantFrom(...NAMES),
      spec: editedRuleSetArb,
    }),
  },
  fc.record({ kind: fc.constant('cilium-remove' as const), target: fc.nat() }),
  batchArb.chain((b) =>
    fc
      .array(editedRuleSetArb, { maxLength: 2 })
      .map((add) => ({ kind: 'cilium-batch' as const, keep: b.keep, turn: b.turn, add })),
  ),
  fc.constant({ kind: 'noop' as const }),
  fc.record({ kind: fc.constant('pod-labels' as const), target: fc.nat(), labels: podLabelsArb }),
  fc.record({
    kind: fc.constant('namespace-labels' as const),
    target: fc.nat(),
    labels: namespaceLabelsArb,
  }),
  fc.record({
    kind: fc.constant('pod-add' as const),
    namespace: fc.constantFrom(...NAMESPACES),
    labels: podLabelsArb,
    ip: fc.nat({ max: 3 }),
  }),
  fc.record({ kind: fc.constant('pod-remove' as const), target: fc.nat() }),
);

/** The clusters: with Cilium policies (and Services), or without (then a Cilium edit is the first one). */
const stateArb: fc.Arbitrary<ClusterState> = fc.oneof(
  ciliumClusterArb,
  fc
    .tuple(
      tieredClusterInputArb,
      fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 6 }),
      fc.boolean(),
    )
    .map(([input, grouping, templates]) => withWorkloads(input, grouping, templates)),
);

/** Cluster policies an edit adds or puts in place of the one with the same id. */
const poolArb: fc.Arbitrary<ClusterPolicyInfo[]> = tieredClusterInputArb.map((i) => [
  ...(i.clusterPolicies ?? []),
]);

const optionsArb: fc.Arbitrary<Partial<EngineOptions>> = fc.constantFrom<Partial<EngineOptions>>(
  {},
  { ipBlockMatchesPods: false },
  { hostNetworkPods: 'policed' },
);

const ADDED_POD_IPS = ['10.0.0.77', '10.1.2.3', '192.168.1.9', 'fd00::77'] as const;
/** Addresses whose answers are compared, besides the pods': CIDR edges, node addresses, the outside. */
const PROBE_IPS = [
  '10.0.0.1',
  '10.0.1.5',
  '10.0.1.8',
  '10.255.255.255',
  '172.16.0.1',
  '192.168.1.1',
  '192.168.1.9',
  '8.8.8.8',
  'fd00::5',
  '2001:db8::1',
];

/** `list` turned by `turn` places and filtered by `keep`. */
function reordered<T>(list: readonly T[], keep: readonly boolean[], turn: number): T[] {
  const kept = list.filter((_, i) => keep[i % keep.length]);
  const t = kept.length === 0 ? 0 : turn % kept.length;
  return [...kept.slice(t), ...kept.slice(0, t)];
}

/** `list` with `item` in place of the one with its id, or after the others. */
function put<T extends { id: string }>(list: readonly T[], item: T): T[] {
  const i = list.findIndex((p) => p.id === item.id);
  return i < 0 ? [...list, item] : list.map((p, j) => (j === i ? item : p));
}

/** The cluster policy with another priority (the BaselineAdminNetworkPolicy has none: itself). */
function withPriority(p: ClusterPolicyInfo, priority: number): ClusterPolicyInfo {
  if (p.priority === undefined) return p;
  return clusterPolicyInfo({
    apiVersion: p.apiVersion,
    kind: p.kind,
    metadata: { name: p.name },
    spec: { ...p.spec, priority },
  });
}

const ciliumPolicy = (namespace: string | undefined, name: string, spec: CiliumRule): CiliumPolicyInfo =>
  namespace === undefined ? ccnp(name, spec) : cnpCilium(namespace, name, spec);

/** What the edit does to the engine (an update), or the objects after a pod or namespace edit (no update). */
type Step = { update: IncrementalUpdate } | { rebuilt: ClusterState } | undefined;

/**
 * Applies `edit` to the engine and to `model` (the test's own copy of the objects, edited the same way);
 * `serial` names the objects a batch adds.
 */
function apply(
  inc: IncrementalEngine,
  model: ClusterState,
  edit: Edit,
  pool: readonly ClusterPolicyInfo[],
  serial: number,
): Step {
  switch (edit.kind) {
    case 'np': {
      const p = policy(edit.namespace, edit.name, edit.spec);
      model.policies = put(model.policies, p);
      return { update: inc.updatePolicy(p) };
    }
    case 'np-remove': {
      const target = model.policies[edit.target % Math.max(1, model.policies.length)];
      const id = target?.id ?? 'a/none';
      model.policies = model.policies.filter((p) => p.id !== id);
      return { update: inc.removePolicy(id) };
    }
    case 'np-batch': {
      const next = [
        ...reordered(model.policies, edit.keep, edit.turn),
        ...edit.add.map((spec, i) => policy(NAMESPACES[i % 3]!, `batch${serial}-${i}`, spec)),
      ];
      model.policies = next;
      return { update: inc.setPolicies(next) };
    }
    case 'tier': {
      if (pool.length === 0) return undefined;
      const p = pool[edit.pick % pool.length]!;
      model.clusterPolicies = put(model.clusterPolicies, p);
      return { update: inc.updateClusterPolicy(p) };
    }
    case 'tier-priority': {
      const list = model.clusterPolicies;
      if (list.length === 0) return undefined;
      const p = withPriority(list[edit.target % list.length]!, edit.priority);
      model.clusterPolicies = put(list, p);
      return { update: inc.updateClusterPolicy(p) };
    }
    case 'tier-remove': {
      const target = model.clusterPolicies[edit.target % Math.max(1, model.clusterPolicies.length)];
      const id = target?.id ?? 'ClusterNetworkPolicy/none';
      model.clusterPolicies = model.clusterPolicies.filter((p) => p.id !== id);
      return { update: inc.removeClusterPolicy(id) };
    }
    case 'tier-batch': {
      let next = reordered(model.clusterPolicies, edit.keep, edit.turn);
      for (const pick of edit.add) if (pool.length > 0) next = put(next, pool[pick % pool.length]!);
      model.clusterPolicies = next;
      return { update: inc.setClusterPolicies(next) };
    }
    case 'cilium': {
      const p = ciliumPolicy(edit.namespace, edit.name, edit.spec);
      model.ciliumPolicies = put(model.ciliumPolicies, p);
      return { update: inc.updateCiliumPolicy(p) };
    }
    case 'cilium-remove': {
      const target = model.ciliumPolicies[edit.target % Math.max(1, model.ciliumPolicies.length)];
      const id = target?.id ?? 'CiliumClusterwideNetworkPolicy/none';
      model.ciliumPolicies = model.ciliumPolicies.filter((p) => p.id !== id);
      return { update: inc.removeCiliumPolicy(id) };
    }
    case 'cilium-batch': {
      const next = [
        ...reordered(model.ciliumPolicies, edit.keep, edit.turn),
        ...edit.add.map((spec, i) => ciliumPolicy(NAMESPACES[i % 3], `batch${serial}-${i}`, spec)),
      ];
      model.ciliumPolicies = next;
      return { update: inc.setCiliumPolicies(next) };
    }
    case 'noop': {
      // The very lists the engine holds, and removals of ids it does not hold: nothing changes.
      for (const update of [
        inc.setPolicies([...model.policies]),
        inc.setClusterPolicies([...model.clusterPolicies]),
        inc.setCiliumPolicies([...model.ciliumPolicies]),
        inc.removePolicy('a/none'),
        inc.removeClusterPolicy('ClusterNetworkPolicy/none'),
        inc.removeCiliumPolicy('CiliumNetworkPolicy/a/none'),
      ])
        assert.deepEqual(update, { touchedClasses: 0, recompiled: false, changes: [] });
      return undefined;
    }
    case 'pod-labels': {
      const pods = model.pods.filter((p) => !p.template);
      if (pods.length === 0) return undefined;
      const target = pods[edit.target % pods.length]!;
      model.pods = model.pods.map((p) => (p === target ? { ...p, labels: edit.labels } : p));
      return { rebuilt: model };
    }
    case 'namespace-labels': {
      const target = model.namespaces[edit.target % model.namespaces.length]!;
      const labels = { ...edit.labels, [NAMESPACE_NAME_LABEL]: target.name };
      model.namespaces = model.namespaces.map((n): NamespaceInfo => (n === target ? { ...n, labels } : n));
      return { rebuilt: model };
    }
    case 'pod-add': {
      const name = `added${serial}`;
      const p = pod(edit.namespace, name, edit.labels, { ips: [ADDED_POD_IPS[edit.ip]!] });
      const extra = cluster({ pods: [p] });
      model.pods = [...model.pods, p];
      model.workloads = [...model.workloads, ...extra.workloads];
      if (!model.namespaces.some((n) => n.name === edit.namespace))
        model.namespaces = [...model.namespaces, ...extra.namespaces];
      return { rebuilt: model };
    }
    case 'pod-remove': {
      // Only a bare pod (its own workload): the workload goes with it.
      const bare = model.pods.filter((p) => p.workload === `${p.namespace}/Pod/${p.name}`);
      if (bare.length <= 1) return undefined;
      const target = bare[edit.target % bare.length]!;
      model.pods = model.pods.filter((p) => p !== target);
      model.workloads = model.workloads.filter((w) => w.id !== target.workload);
      return { rebuilt: model };
    }
  }
}

function lines(c: Connectivity): string[] {
  return [
    ...c.connections.map((x) => `${x.src} -> ${x.dst}: ${formatPorts(x.ports)}`),
    ...c.domains.map((x) => `${x.src} -> dns:${x.domain}: ${formatPorts(x.ports)}`),
    ...(c.l7 ?? []).map((x) => `l7 ${JSON.stringify(x)}`),
    `entities ${c.entities.map((e) => e.id).join(' ')}`,
  ];
}

const ids = (list: readonly { id: string }[]): string[] => list.map((p) => p.id);

/** The engine against a fresh compile of `model`; returns the fresh answer. */
function compare(
  inc: IncrementalEngine,
  model: ClusterState,
  options: Partial<EngineOptions>,
  granularity: Granularity,
): Connectivity {
  // The engine holds the very objects, in the same order.
  assert.deepEqual(ids(inc.state.policies), ids(model.policies));
  assert.deepEqual(ids(inc.state.clusterPolicies), ids(model.clusterPolicies));
  assert.deepEqual(ids(inc.state.ciliumPolicies), ids(model.ciliumPolicies));
  for (const [i, p] of model.policies.entries()) assert.equal(inc.state.policies[i], p);
  for (const [i, p] of model.clusterPolicies.entries()) assert.equal(inc.state.clusterPolicies[i], p);
  for (const [i, p] of model.ciliumPolicies.entries()) assert.equal(inc.state.ciliumPolicies[i], p);
  const fresh = compileCluster(
    {
      ...model,
      policies: [...model.policies],
      clusterPolicies: [...model.clusterPolicies],
      ciliumPolicies: [...model.ciliumPolicies],
    },
    options,
  );
  const expected = computeConnectivity(fresh, granularity);
  assert.deepEqual(lines(inc.connectivity()), lines(expected));
  // Each compiled policy at its index, and the pod-to-pod and address answers.
  const compiled = inc.compiled;
  assert.deepEqual(
    compiled.policies.map((p) => `${p.index} ${p.info.id}`),
    fresh.policies.map((p) => `${p.index} ${p.info.id}`),
  );
  const endpoints: Endpoint[] = [
    ...model.pods.map((p: PodInfo): Endpoint => ({ kind: 'pod', namespace: p.namespace, name: p.name })),
    ...PROBE_IPS.map((ip): Endpoint => ({ kind: 'ip', ip })),
  ];
  for (const src of endpoints) {
    for (const dst of endpoints) {
      if (src.kind === 'ip' && dst.kind === 'ip') continue;
      const a = compiled.allowedBetween(src, dst);
      const b = fresh.allowedBetween(src, dst);
      assert.ok(
        portsEqual(a, b),
        `${JSON.stringify(src)} -> ${JSON.stringify(dst)}: ${formatPorts(a)} != ${formatPorts(b)}`,
      );
    }
  }
  // Class by class, against a fresh compile that tells pods apart by all their labels as the engine does: the
  // same classes, the lists of what selects each, and every access (final and NetworkPolicy-only) read at
  // every pod class and address class.
  const same = compileCluster(
    {
      ...model,
      policies: [...model.policies],
      clusterPolicies: [...model.clusterPolicies],
      ciliumPolicies: [...model.ciliumPolicies],
    },
    { ...options, classesByAllLabels: true },
  );
  assert.equal(compiled.classes.length, same.classes.length);
  assert.deepEqual(compiled.policiesOfClass, same.policiesOfClass);
  assert.deepEqual(
    compiled.tierPolicies.map((p) => `${p.index} ${p.rank} ${p.info.id}`),
    same.tierPolicies.map((p) => `${p.index} ${p.rank} ${p.info.id}`),
  );
  assert.deepEqual(compiled.tierPoliciesOfClass, same.tierPoliciesOfClass);
  assert.deepEqual(
    compiled.cilium.specs.map((x) => `${x.index} ${x.policy}`),
    same.cilium.specs.map((x) => `${x.index} ${x.policy}`),
  );
  assert.deepEqual(compiled.cilium.ofClass, same.cilium.ofClass);
  const addresses = same.addressSpace.classes.length;
  const values = (c: typeof compiled, list: 'ingress' | 'egress' | 'npIngress' | 'npEgress'): string[] =>
    c[list].map(
      (a, id) =>
        [
          ...c.classes.map((cls) => formatPorts(accessToPod(a, cls))),
          ...Array.from({ length: addresses }, (_, x) => formatPorts(accessToAddress(a, x))),
        ].join(' | ') + ` (${id}${a.isolated ? ' isolated' : ''})`,
    );
  for (const list of ['ingress', 'egress', 'npIngress', 'npEgress'] as const)
    assert.deepEqual(values(compiled, list), values(same, list), list);
  return expected;
}

/** How many updates took each way, so that the property is not vacuous. */
const stats = { fast: 0, recompiled: 0, patchedTiers: 0, patchedCilium: 0, fastCilium: 0 };

function run(
  initial: ClusterState,
  edits: readonly Edit[],
  pool: readonly ClusterPolicyInfo[],
  options: Partial<EngineOptions>,
  granularity: Granularity,
): void {
  const model: ClusterState = {
    ...initial,
    policies: [...initial.policies],
    clusterPolicies: [...initial.clusterPolicies],
    ciliumPolicies: [...initial.ciliumPolicies],
  };
  let inc = createIncrementalEngine(initial, options, granularity);
  let before = compare(inc, model, options, granularity);
  for (const [serial, edit] of edits.entries()) {
    const step = apply(inc, model, edit, pool, serial);
    if (step !== undefined && 'rebuilt' in step) {
      // A pod or namespace changed: the engine is built afresh from the objects (as the webhook does).
      inc = createIncrementalEngine(
        {
          ...model,
          policies: [...model.policies],
          clusterPolicies: [...model.clusterPolicies],
          ciliumPolicies: [...model.ciliumPolicies],
        },
        options,
        granularity,
      );
    }
    const after = compare(inc, model, options, granularity);
    if (step !== undefined && 'update' in step) {
      const { update } = step;
      assert.deepEqual(reported(update), changed(before, after));
      assert.ok(update.touchedClasses <= inc.compiled.classes.length);
      if (update.recompiled) assert.equal(update.touchedClasses, inc.compiled.classes.length);
      if (update.patchedClasses !== undefined) {
        assert.ok(update.patchedClasses > 0 && update.patchedClasses <= update.touchedClasses);
        assert.equal(update.recompiled, false);
      }
      if (update.recompiled) stats.recompiled++;
      else if (update.touchedClasses > 0) {
        stats.fast++;
        if (edit.kind.startsWith('cilium')) stats.fastCilium++;
        if ((update.patchedClasses ?? 0) > 0) {
          if (edit.kind.startsWith('cilium')) stats.patchedCilium++;
          else stats.patchedTiers++;
        }
      }
      // An update that changed nothing says so.
      if (update.changes.length === 0 && update.touchedClasses === 0)
        assert.deepEqual(update, { touchedClasses: 0, recompiled: false, changes: [] });
    }
    before = after;
  }
}

describe('incremental engine: differential against a fresh compile', () => {
  test('random clusters and random edits of every kind equal a fresh compile after every step', () => {
    fc.assert(
      fc.property(
        stateArb,
        fc.array(editArb, { minLength: 1, maxLength: 10 }),
        poolArb,
        optionsArb,
        fc.constantFrom<Granularity>('workload', 'pod'),
        (state, edits, pool, options, granularity) => {
          run(state, edits, pool, options, granularity);
        },
      ),
      { numRuns: NUM_RUNS },
    );
    // Not vacuous: many updates went the fast way (not recompiled, classes touched).
    assert.ok(stats.fast >= NUM_RUNS / 2, `${stats.fast} fast updates`);
  });
});
