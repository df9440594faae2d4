/**
 * The cluster as the webhook holds it between requests: its state and an incremental engine kept up to date
 * from the watches, so that a decision costs what the change touches, not what the cluster holds.
 *
 * - A NetworkPolicy or cluster policy request is applied to the engine as one batch, judged from the
 *   connections it reports changed (spec tests are checked on those pairs only) and from the lint rules run
 *   on the policies of the changed policy's namespace (every finding on a NetworkPolicy depends only on the
 *   policies of its namespace and on the cluster's pods, namespaces and addresses), then undone.
 * - A namespace relabel that no selector of any policy reads changes nothing, and is answered at once.
 * - Everything else (a change of the address space, a namespace relabel a selector reads, pods, specs at
 *   pod granularity) is judged as `decide` does: from the whole state after the change.
 *
 * Watch events that change only policies are applied to the engine; any other change rebuilds it. Pure: no
 * I/O (the server hands the objects in).
 */
import type { ClusterState, PolicyInfo } from '../model/cluster.ts';
import type { FieldPath } from '../model/problem.ts';
import {
  createIncrementalEngine,
  type IncrementalEngine,
  type IncrementalUpdate,
} from '../engine/incremental.ts';
import { OPEN_ACCESS, type CompiledCluster, type CompiledPolicy } from '../engine/compile.ts';
import { diffCiliumPolicies, diffPolicies } from '../engine/diff.ts';
import { diffClusterPolicies } from '../engine/tier-diff.ts';
import { ALL_CONNECTIONS, NO_PORTS, isEmptyPorts, subtractPorts, type PortSet } from '../engine/ports.ts';
import { compareText } from '../base/text.ts';
import { buildRefIndex, type RefIndex } from '../engine/refs.ts';
import { isExternalId } from '../engine/connectivity.ts';
import { explainEntities } from '../engine/explain.ts';
import { editPolicies, openSession } from '../engine/session.ts';
import { lint } from '../lint/run.ts';
import { buildLookup, type Lookup } from '../lint/lookup.ts';
import type { AnyRule, Finding } from '../lint/types.ts';
import { RULES } from '../lint/registry.ts';
import { EXPLAINED_PAIRS_PER_TEST, resolveSpec, satisfies, type ResolvedTest } from '../testspec/run.ts';
import type { Spec } from '../testspec/spec.ts';
import { objectId, stateFromObjects, type LeftOutObject } from '../k8s/state.ts';
import type { KubeObject } from '../k8s/types.ts';
import type { AdmissionRequest } from './review.ts';
import {
  decideWith,
  findingKey,
  fullEffect,
  leftOutReason,
  prepareBaseline,
  type AdmissionRules,
  type Baseline,
  type ChangeEffect,
  type DecisionRecord,
  type RequestChange,
  type SpecFailure,
} from './decide.ts';

/** Rules that report only namespaces and workloads (never a policy): not run for a policy request. */
const ISOLATION_RULES: ReadonlySet<string> = new Set([
  'require-default-deny-ingress',
  'require-default-deny-egress',
  'require-ingress-isolation',
  'require-egress-isolation',
]);
/** Rules that report only cluster policies: not run for a NetworkPolicy request. */
const CLUSTER_POLICY_RULES: ReadonlySet<string> = new Set([
  'no-shadowed-tier-rule',
  'no-useless-pass',
  'no-tier-priority-overlap',
  'no-legacy-tier-api',
  'no-unreachable-baseline-rule',
]);
/** Rules that report only NetworkPolicies: not run for a cluster policy request. */
const NETWORK_POLICY_RULES: ReadonlySet<string> = new Set([
  'no-allow-all-rule',
  'no-any-namespace',
  'no-dead-peer',
  'no-egress-deny-without-policy-types',
  'no-full-port-range',
  'no-ignored-rules',
  'no-ipblock-covering-cluster',
  'no-policy-in-empty-namespace',
  'no-policy-selecting-host-network',
  'no-policy-selecting-nothing',
  'no-redundant-policy',
  'no-redundant-rule',
  'no-split-peer',
  'no-unknown-named-port',
  'no-wide-ipblock',
]);

/** Rules that report only ipBlock peers. */
const IPBLOCK_RULES: ReadonlySet<string> = new Set(['no-wide-ipblock', 'no-ipblock-covering-cluster']);

const CLUSTER_POLICY_KINDS: ReadonlySet<string> = new Set([
  'ClusterNetworkPolicy',
  'AdminNetworkPolicy',
  'BaselineAdminNetworkPolicy',
]);
const CILIUM_POLICY_KINDS: ReadonlySet<string> = new Set([
  'CiliumNetworkPolicy',
  'CiliumClusterwideNetworkPolicy',
]);
/** Rules that report only Cilium policies: the only ones run for a Cilium policy request, never for others. */
const CILIUM_RULES: ReadonlySet<string> = new Set(
  RULES.filter((r) => r.id.includes('cilium')).map((r) => r.id),
);

/** The policy kinds a request or watch event can be about, as the engine edits them. */
type PolicyLayer = 'network' | 'cluster' | 'cilium';

function layerOf(kind: string): PolicyLayer | undefined {
  if (kind === 'NetworkPolicy') return 'network';
  if (CLUSTER_POLICY_KINDS.has(kind)) return 'cluster';
  return CILIUM_POLICY_KINDS.has(kind) ? 'cilium' : undefined;
}

/**
 * `current` with the policies of `edits` (id → the new one, or undefined: gone) replaced in place and the new
 * ones last, as a state built from the objects in the watch's order has them.
 */
function replaceById<T extends { id: string }>(
  current: readonly T[],
  edits: ReadonlyMap<string, T | undefined>,
): T[] {
  const left = new Map(edits);
  const out: T[] = [];
  for (const p of current) {
    const instead = left.has(p.id) ? left.get(p.id) : p;
    left.delete(p.id);
    if (instead !== undefined) out.push(instead);
  }
  for (const p of left.values()) if (p !== undefined) out.push(p);
  return out;
}

/** The label keys any selector of these policies reads (over-approximated: every key of every selector). */
function selectorKeys(values: readonly unknown[]): Set<string> {
  const keys = new Set<string>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) {
      for (const x of v) walk(x);
      return;
    }
    if (typeof v !== 'object' || v === null) return;
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (k === 'matchLabels' && typeof x === 'object' && x !== null)
        for (const key of Object.keys(x)) keys.add(key);
      else if (k === 'matchExpressions' && Array.isArray(x)) {
        for (const e of x)
          if (typeof e === 'object' && e !== null && typeof (e as { key?: unknown }).key === 'string')
            keys.add((e as { key: string }).key);
      } else if ((k === 'sameLabels' || k === 'notSameLabels') && Array.isArray(x)) {
        for (const key of x) if (typeof key === 'string') keys.add(key);
      } else walk(x);
    }
  };
  walk(values);
  // Cilium reads namespace labels as `io.cilium.k8s.namespace.labels.<key>`.
  for (const k of [...keys]) {
    const m = /^(?:k8s:)?io\.cilium\.k8s\.namespace\.labels\.(.+)$/.exec(k);
    if (m !== null) keys.add(m[1]!);
  }
  return keys;
}

/** What stays valid while the engine's classes and address space do (until a rebuild or recompile). */
interface Epoch {
  lookup: Lookup;
  refs: RefIndex;
  /** Per spec, its tests that resolve in the cluster, with their ends as sets. */
  specs: { spec: Spec; tests: (ResolvedTest & { src: Map<string, number>; dst: Map<string, number> })[] }[];
}

/**
 * How a decision computed the change: the incremental engine, a namespace relabel no selector reads, or the
 * whole state after the change.
 */
export type EffectPath = 'engine' | 'no selector reads the labels' | 'both states compiled' | 'whole state';

/** A workload pair whose connection a change moves: the ports before and after (undefined: none). */
interface PairChange {
  src: string;
  dst: string;
  before: PortSet | undefined;
  after: PortSet | undefined;
}

export class LiveCluster {
  readonly rules: AdmissionRules;
  #objects = new Map<string, KubeObject>();
  #all: readonly KubeObject[] = [];
  #state!: ClusterState;
  #engine!: IncrementalEngine;
  #epoch: Epoch | undefined;
  #keys: Set<string> | undefined;
  #baseline: Baseline | undefined;
  /** Objects netfence cannot read, left out of the state, by object id. */
  #skipped = new Map<string, LeftOutObject>();
  /** How the last `sync` went: `incremental` when it only edited policies. */
  lastSync: 'rebuilt' | 'incremental' | 'unchanged' = 'rebuilt';
  /** How the last decision computed the change (for the log and the tests). */
  lastPath: EffectPath | undefined;

  constructor(objects: readonly KubeObject[], rules: AdmissionRules) {
    this.rules = rules;
    this.#rebuild(objects);
  }

  #rebuild(objects: readonly KubeObject[]): void {
    this.#all = objects;
    this.#objects = new Map(objects.map((o) => [objectId(o), o]));
    const { state, skipped } = stateFromObjects(objects);
    this.#skipped = new Map();
    for (const o of objects) {
      const id = objectId(o);
      const left = skipped.find((s) => s.id === id);
      if (left !== undefined) this.#skipped.set(id, left);
    }
    this.#engine = createIncrementalEngine(state, this.rules.engine ?? {}, 'workload');
    // Copies: the engine edits its lists in place, these are the cluster as it is (what requests undo to).
    this.#state = this.#copyOfEngineState();
    this.#epoch = undefined;
    this.#keys = undefined;
    this.#baseline = undefined;
  }

  /** The engine's state, its lists copied: the engine edits them in place, this is the cluster as it is. */
  #copyOfEngineState(): ClusterState {
    const state = this.#engine.state;
    return {
      ...state,
      policies: [...state.policies],
      clusterPolicies: [...state.clusterPolicies],
      ciliumPolicies: [...state.ciliumPolicies],
    };
  }

  /** The cluster's objects now: policy changes are applied to the engine, anything else rebuilds it. */
  sync(objects: readonly KubeObject[]): void {
    if (objects === this.#all) {
      this.lastSync = 'unchanged';
      return;
    }
    const next = new Map(objects.map((o) => [objectId(o), o]));
    const changed: KubeObject[] = [];
    const gone: KubeObject[] = [];
    // A watch event replaces the object even when what netfence reads of it did not change (a status the
    // conversion leaves out: a pod's conditions, a Cilium policy's status, a relist): not a change.
    for (const [id, o] of next) {
      const held = this.#objects.get(id);
      if (held !== o && (held === undefined || JSON.stringify(held) !== JSON.stringify(o))) changed.push(o);
    }
    for (const [id, o] of this.#objects) if (!next.has(id)) gone.push(o);
    if (changed.length === 0 && gone.length === 0) {
      this.#all = objects;
      this.#objects = next;
      this.lastSync = 'unchanged';
      return;
    }
    const policyOnly = [...changed, ...gone].every((o) => layerOf(o.kind) !== undefined);
    if (!policyOnly) {
      this.#rebuild(objects);
      this.lastSync = 'rebuilt';
      return;
    }
    const read = stateFromObjects(changed);
    const built = read.state;
    for (const o of gone) this.#skipped.delete(objectId(o));
    for (const o of changed) {
      const id = objectId(o);
      const left = read.skipped.find((s) => s.id === id);
      if (left === undefined) this.#skipped.delete(id);
      else this.#skipped.set(id, left);
    }
    // NetworkPolicies in id order, cluster policies in the watch's order (a changed one keeps its place, a
    // new one comes last), as a rebuild orders them; an object netfence cannot read is left out.
    const set = new Map<string, PolicyInfo[]>(
      changed.filter((o) => o.kind === 'NetworkPolicy').map((o) => [policyKey(o), []]),
    );
    for (const p of built.policies) set.set(p.id, [p]);
    const policies = editPolicies(this.#state.policies, {
      set,
      remove: gone.map(policyKey),
      sortById: true,
    });
    /** Per layer, id → the policy now (undefined: gone, or an object netfence cannot read). */
    const editsOf = <T extends { id: string }>(
      layer: PolicyLayer,
      now: readonly T[],
    ): Map<string, T | undefined> => {
      const edits = new Map<string, T | undefined>(
        [...changed, ...gone].filter((o) => layerOf(o.kind) === layer).map((o) => [policyKey(o), undefined]),
      );
      for (const p of now) edits.set(p.id, p);
      return edits;
    };
    const clusterPolicies = replaceById(
      this.#state.clusterPolicies,
      editsOf('cluster', built.clusterPolicies),
    );
    const ciliumPolicies = replaceById(this.#state.ciliumPolicies, editsOf('cilium', built.ciliumPolicies));
    let recompiled = this.#engine.setPolicies(policies).recompiled;
    recompiled = this.#engine.setClusterPolicies(clusterPolicies).recompiled || recompiled;
    recompiled = this.#engine.setCiliumPolicies(ciliumPolicies).recompiled || recompiled;
    this.#all = objects;
    this.#objects = next;
    this.#state = this.#copyOfEngineState();
    if (recompiled) this.#epoch = undefined;
    this.#keys = undefined;
    this.#baseline = undefined;
    this.lastSync = 'incremental';
  }

  /** The state the engine holds (for tests). */
  get state(): ClusterState {
    return this.#state;
  }

  /** Decides one request against the cluster as last synced. */
  decide(request: AdmissionRequest): DecisionRecord {
    this.lastPath = undefined;
    return decideWith(request, this.rules, (change) => this.#effect(change), [...this.#skipped.values()]);
  }

  #fallback(change: RequestChange): ChangeEffect | DecisionRecord {
    this.lastPath = 'whole state';
    this.#baseline ??= prepareBaseline(this.#all, this.rules);
    return fullEffect(this.#baseline, this.rules)(change);
  }

  #effect(change: RequestChange): ChangeEffect | DecisionRecord {
    const relabel =
      (change.kind === 'Namespace' || (change.kind === 'Node' && !change.changedAddresses)) &&
      change.before !== undefined &&
      change.after !== undefined;
    if (relabel) {
      this.#keys ??= selectorKeys([
        this.#state.policies.map((p) => p.spec),
        this.#state.clusterPolicies.map((p) => p.spec),
        this.#state.ciliumPolicies,
      ]);
      const keys = this.#keys;
      if (change.changedLabels.every((k) => !keys.has(k))) {
        this.lastPath = 'no selector reads the labels';
        return { opened: 0, cut: 0, changeFields: [], broken: [], findings: [] };
      }
    }
    if (this.rules.specs.some((s) => s.granularity !== 'workload')) return this.#fallback(change);
    if (change.kind === 'Namespace' && change.before !== undefined && change.after !== undefined)
      return this.#relabelEffect(change) ?? this.#fallback(change);
    if (layerOf(change.kind) === undefined) return this.#fallback(change);
    return this.#policyEffect(change) ?? this.#fallback(change);
  }

  /**
   * A namespace relabel that a selector reads: the state after it compiled, its connections compared with the
   * engine's. No lint: the findings on a namespace (its pods' isolation) do not depend on its labels.
   */
  #relabelEffect(change: RequestChange): ChangeEffect | DecisionRecord | undefined {
    const built = stateFromObjects([change.after!]);
    const leftOut = leftOutReason(built.skipped, change);
    if (leftOut !== undefined) return leftOut;
    const relabelled = built.state.namespaces[0];
    const state = this.#engine.state;
    if (relabelled === undefined || !state.namespaces.some((n) => n.name === relabelled.name))
      return undefined;
    const epoch = this.#epochNow();
    const before = openSession(state, this.rules.engine ?? {}, this.#engine.compiled);
    const after = openSession(
      { ...state, namespaces: state.namespaces.map((n) => (n.name === relabelled.name ? relabelled : n)) },
      this.rules.engine ?? {},
    );
    const diff = before.diff(after);
    this.lastPath = 'both states compiled';
    let opened = 0;
    let cut = 0;
    for (const c of diff.connections) {
      if (!isEmptyPorts(c.added)) opened++;
      if (!isEmptyPorts(c.removed)) cut++;
    }
    const broken = this.#brokenTests(diff.connections, epoch, () => after.refs('workload'));
    return { opened, cut, changeFields: [], broken, findings: [] };
  }

  #epochNow(): Epoch {
    if (this.#epoch !== undefined) return this.#epoch;
    const compiled = this.#engine.compiled;
    const refs = buildRefIndex(compiled, 'workload');
    const specs = this.rules.specs.map((spec) => ({
      spec,
      tests: spec.tests.flatMap((test) => {
        // One test at a time: a reference to a workload not deployed yet leaves out its test only.
        const resolved = resolveSpec({ ...spec, tests: [test] }, refs);
        if (!resolved.ok) return [];
        return resolved.tests.map((t) => ({
          ...t,
          src: new Map(t.sources.map((s, i) => [s, i])),
          dst: new Map(t.destinations.map((d, i) => [d, i])),
        }));
      }),
    }));
    return (this.#epoch = { lookup: buildLookup(compiled, []), refs, specs });
  }

  /** The effect of a policy request from the engine, or undefined when it moves the address space. */
  #policyEffect(change: RequestChange): ChangeEffect | DecisionRecord | undefined {
    const built = stateFromObjects(change.after === undefined ? [] : [change.after]);
    const leftOut = leftOutReason(built.skipped, change);
    if (leftOut !== undefined) return leftOut;
    const layer = layerOf(change.kind)!;
    const subject = change.after ?? change.before!;
    const id = policyKey(subject);
    const namespace = subject.metadata.namespace;
    const epoch = this.#epochNow();
    const held = {
      network: this.#state.policies,
      cluster: this.#state.clusterPolicies,
      cilium: this.#state.ciliumPolicies,
    }[layer];
    // An object that is not there has no finding: a creation is linted after, a deletion not at all.
    const before = new Set(
      held.some((p) => p.id === id)
        ? this.#lintChanged(change.id, namespace, layer, epoch).map(findingKey)
        : [],
    );

    // The edit, its undo, and the fields it changes.
    let apply: () => IncrementalUpdate;
    let undo: () => IncrementalUpdate;
    let changeFields;
    const engine = this.#engine;
    if (layer === 'network') {
      const next = built.state.policies[0];
      const was = this.#state.policies.find((p) => p.id === id);
      changeFields = diffPolicies(was === undefined ? [] : [was], next === undefined ? [] : [next]).flatMap(
        (p) => p.fields,
      );
      // A deleted policy comes back last: the engine's order of policies changes no answer, the lint's view
      // orders them by id.
      apply = () => (next === undefined ? engine.removePolicy(id) : engine.updatePolicy(next));
      undo = () => (was === undefined ? engine.removePolicy(id) : engine.updatePolicy(was));
    } else {
      ({ changeFields, apply, undo } =
        layer === 'cluster'
          ? listEdit(
              this.#state.clusterPolicies,
              built.state.clusterPolicies[0],
              id,
              diffClusterPolicies,
              (l) => engine.setClusterPolicies(l),
            )
          : listEdit(this.#state.ciliumPolicies, built.state.ciliumPolicies[0], id, diffCiliumPolicies, (l) =>
              engine.setCiliumPolicies(l),
            ));
    }

    let update: IncrementalUpdate | undefined;
    try {
      // One edit of the engine (what it touches, not the whole list of policies), undone below.
      update = apply();
      if (update.recompiled) return undefined;
      this.lastPath = 'engine';
      let opened = 0;
      let cut = 0;
      for (const c of update.changes) {
        const before = c.before ?? NO_PORTS;
        const now = c.after ?? NO_PORTS;
        if (!isEmptyPorts(subtractPorts(now, before))) opened++;
        if (!isEmptyPorts(subtractPorts(before, now))) cut++;
      }
      const findings =
        change.after === undefined
          ? []
          : this.#lintChanged(change.id, namespace, layer, epoch).filter((f) => !before.has(findingKey(f)));
      const compiled = engine.compiled;
      const broken = this.#brokenTests(update.changes, epoch, () => ({ ...epoch.refs, compiled }));
      return { opened, cut, changeFields, broken, findings };
    } finally {
      // Put the engine back as the cluster is.
      try {
        const back = undo();
        if (back.recompiled || update?.recompiled === true) this.#epoch = undefined;
        this.#state = { ...this.#state, policies: [...engine.state.policies] };
      } catch {
        this.#rebuild(this.#all);
      }
    }
  }

  /** The spec failures among the changed pairs that passed before the change, as `runTests` orders them. */
  #brokenTests(changes: readonly PairChange[], epoch: Epoch, indexAfter: () => RefIndex): SpecFailure[] {
    const out: SpecFailure[] = [];
    let index: RefIndex | undefined;
    for (const { spec, tests } of epoch.specs) {
      for (const t of tests) {
        const found: {
          order: [number, number];
          src: string;
          dst: string;
          expected: 'allow' | 'deny';
          excepted: boolean;
          allowed: PortSet;
        }[] = [];
        for (const c of changes) {
          const si = t.src.get(c.src);
          const di = t.dst.get(c.dst);
          if (si === undefined || di === undefined) continue;
          if (c.src === c.dst || (isExternalId(c.src) && isExternalId(c.dst))) continue;
          const excepted = t.excepted.has(c.src) || t.excepted.has(c.dst);
          const expected = excepted ? (t.test.expect === 'allow' ? 'deny' : 'allow') : t.test.expect;
          const now = c.after ?? NO_PORTS;
          if (satisfies(expected, now, t.query) || !satisfies(expected, c.before ?? NO_PORTS, t.query))
            continue;
          found.push({ order: [si, di], src: c.src, dst: c.dst, expected, excepted, allowed: now });
        }
        found.sort((a, b) => a.order[0] - b.order[0] || a.order[1] - b.order[1]);
        for (const [i, f] of found.entries()) {
          const explanations =
            i < EXPLAINED_PAIRS_PER_TEST
              ? explainEntities((index ??= indexAfter()), f.src, f.dst, t.query ?? ALL_CONNECTIONS)
              : undefined;
          out.push({
            spec,
            test: t.test,
            index: (index ??= indexAfter()),
            pair: {
              src: f.src,
              dst: f.dst,
              expected: f.expected,
              allowed: f.allowed,
              excepted: f.excepted,
              passed: false,
              explanations,
            },
          });
        }
      }
    }
    return out;
  }

  /**
   * The lint findings on the changed object in the engine's current state. For a NetworkPolicy: the rules
   * that can report a NetworkPolicy, over the policies of its namespace only.
   */
  #lintChanged(id: string, namespace: string | undefined, layer: PolicyLayer, epoch: Epoch): Finding[] {
    const compiled = this.#engine.compiled;
    const state = this.#engine.state;
    const config = this.rules.lint;
    const rules: AnyRule[] = RULES.filter((rule) => {
      const setting = config.rules[rule.id] ?? rule.meta.severity;
      // The decision reads only errors and warnings.
      if (setting !== 'error' && setting !== 'warning') return false;
      if (ISOLATION_RULES.has(rule.id)) return false;
      if (layer === 'cilium') return CILIUM_RULES.has(rule.id);
      if (CILIUM_RULES.has(rule.id)) return false;
      return layer === 'network' ? !CLUSTER_POLICY_RULES.has(rule.id) : !NETWORK_POLICY_RULES.has(rule.id);
    });
    const engine = this.rules.engine === undefined ? {} : { engine: this.rules.engine };
    const policiesOf =
      (policies: readonly CompiledPolicy[], ofClass: readonly (readonly number[])[]): Lookup['policiesOf'] =>
      (classId, direction) =>
        (ofClass[classId] ?? [])
          .map((i) => policies[i]!)
          .filter((p) => (direction === 'ingress' ? p.affectsIngress : p.affectsEgress));
    if (layer !== 'network') {
      // The epoch's lookup knows the classes; the policies of each class are the engine's now.
      const lookup = { ...epoch.lookup, policiesOf: policiesOf(compiled.policies, compiled.policiesOfClass) };
      return lint(
        { state, ...engine },
        { config, rules, prepared: { compiled, lookup }, notices: false },
      ).findings.filter((f) => f.object.id === id);
    }
    // The namespace's policies in id order, as a state built from objects has them (the engine's order moves
    // with edits; the lint's choice between two equal policies depends on it), numbered from 0 in the view.
    const policies: CompiledPolicy[] = [];
    let subject: CompiledPolicy | undefined;
    for (const p of compiled.policies) {
      if (p.info.namespace !== namespace) continue;
      if (`${p.info.namespace}/NetworkPolicy/${p.info.name}` === id) subject = p;
      policies.push(p);
    }
    if (subject === undefined) return [];
    policies.sort((a, b) => compareText(a.info.id, b.info.id));
    // Only the namespace's policies select its classes: the other classes have none in the view.
    const policiesOfClass: number[][] = new Array<number[]>(compiled.classes.length).fill(NONE);
    for (const [i, p] of policies.entries())
      for (const c of p.selected) {
        if (policiesOfClass[c] === NONE) policiesOfClass[c] = [];
        policiesOfClass[c]!.push(i);
      }
    // The DNS rules blame a policy for the classes that share one egress access: only the accesses of the
    // classes the changed policy selects can blame it, the others are left open (not isolated) in the view.
    const accesses = new Set(subject.selected.map((c) => compiled.egress[c]));
    const egress = compiled.egress.map((a) => (accesses.has(a) ? a : OPEN_ACCESS));
    const stateView: ClusterState = { ...state, policies: policies.map((p) => p.info) };
    const view: CompiledCluster = { ...compiled, state: stateView, policies, policiesOfClass, egress };
    const lookup: Lookup = { ...epoch.lookup, policiesOf: policiesOf(policies, policiesOfClass) };
    // The ipBlock rules report ipBlock peers of the policy: none, nothing to report.
    const hasIpBlock = JSON.stringify(subject.info.spec).includes('"ipBlock"');
    return lint(
      { state: stateView, ...engine },
      {
        config,
        rules: hasIpBlock ? rules : rules.filter((r) => !IPBLOCK_RULES.has(r.id)),
        prepared: { compiled: view, lookup },
        notices: false,
      },
    ).findings.filter((f) => f.object.id === id);
  }
}

/**
 * The edit of one policy of a list the engine sets whole (cluster policies, Cilium policies), its undo and the
 * fields it changes: the changed policy last, as a state built from the objects after the change has it.
 */
function listEdit<T extends { id: string }>(
  held: readonly T[],
  after: T | undefined,
  id: string,
  diff: (before: readonly T[], after: readonly T[]) => readonly { fields: FieldPath[] }[],
  set: (list: readonly T[]) => IncrementalUpdate,
): { changeFields: FieldPath[]; apply: () => IncrementalUpdate; undo: () => IncrementalUpdate } {
  const was = held.find((p) => p.id === id);
  const list = [...held.filter((p) => p.id !== id), ...(after === undefined ? [] : [after])];
  return {
    changeFields: diff(was === undefined ? [] : [was], after === undefined ? [] : [after]).flatMap(
      (p) => p.fields,
    ),
    apply: () => set(list),
    undo: () => set(held),
  };
}

/** No policy (shared by the classes of other namespaces in a namespace's view; never written to). */
const NONE: number[] = [];

/**
 * `namespace/name` of a NetworkPolicy, `Kind/name` of a cluster policy or CiliumClusterwideNetworkPolicy,
 * `CiliumNetworkPolicy/namespace/name` (the ids of the state).
 */
function policyKey(o: KubeObject): string {
  const { namespace, name = '' } = o.metadata;
  if (o.kind === 'NetworkPolicy') return `${namespace ?? ''}/${name}`;
  return o.kind === 'CiliumNetworkPolicy' ? `${o.kind}/${namespace ?? ''}/${name}` : `${o.kind}/${name}`;
}
