/**
 * Drift: how the NetworkPolicies (and Cilium policies) of a live cluster differ from the desired ones (a folder, a revision, another
 * environment), as Argo CD's "OutOfSync" lists them — missing, extra, changed — and the live state with the
 * desired policies in place, whose connectivity the caller compares with the live one (`session.diff`).
 *
 * Specs are compared as the API server stores them: the defaults it fills in (`policyTypes`, a port's
 * `protocol`) are filled in on both sides, and the empty lists it drops (`ingress: []`, `from: []`) dropped,
 * so a policy applied from a file is not "changed" for what the server wrote into it. Pure.
 */
import type { CiliumPolicyInfo } from '../model/cilium.ts';
import type { ClusterState, PolicyInfo } from '../model/cluster.ts';
import type { LabelSelector, NetworkPolicyPeer, NetworkPolicyPort, NetworkPolicySpec } from '../model/k8s.ts';
import type { FieldPath } from '../model/problem.ts';
import { compareText } from '../base/text.ts';
import type { EngineOptions } from './compile.ts';
import type { Granularity } from './connectivity.ts';
import { valueDiff, type ClusterDiff } from './diff.ts';
import { editPolicies, openSession } from './session.ts';

export const DriftKind = { Missing: 'missing', Extra: 'extra', Changed: 'changed' } as const;
export type DriftKind = (typeof DriftKind)[keyof typeof DriftKind];

export interface PolicyDrift {
  kind: DriftKind;
  /** `namespace/name`; a Cilium policy's `CiliumNetworkPolicy/namespace/name`, `CiliumClusterwideNetworkPolicy/name`. */
  id: string;
  /** Empty for a CiliumClusterwideNetworkPolicy. */
  namespace: string;
  name: string;
  /** The desired policy; undefined when extra. */
  desired: PolicyInfo | CiliumPolicyInfo | undefined;
  /** The live policy; undefined when missing. */
  live: PolicyInfo | CiliumPolicyInfo | undefined;
  /** Changed only: the deepest fields of the normalized specs that differ (`['spec', 'ingress', 0, 'ports']`). */
  fields: FieldPath[];
}

/** Where a live policy the desired state lacks counts as extra: the namespaces it covers, or all. */
export type DriftScope = { kind: 'all' } | { kind: 'namespaces'; namespaces: readonly string[] };

export interface PolicyComparison {
  /** Missing, extra and changed policies, by id. */
  drifts: PolicyDrift[];
  /** Policies on both sides with the same normalized spec. */
  inSync: number;
  /** Live policies not desired, outside the scope: not compared. */
  outOfScope: number;
}

/** Copies of a list with the empty one dropped, as the API server (omitempty) stores it. */
function list<T, U>(xs: readonly T[] | undefined, f: (x: T) => U): U[] | undefined {
  return xs === undefined || xs.length === 0 ? undefined : xs.map(f);
}

function selector(s: LabelSelector): LabelSelector {
  const out: LabelSelector = {};
  if (s.matchLabels !== undefined && Object.keys(s.matchLabels).length > 0) out.matchLabels = s.matchLabels;
  const expressions = list(s.matchExpressions, (e) =>
    e.values === undefined || e.values.length === 0
      ? { key: e.key, operator: e.operator }
      : { key: e.key, operator: e.operator, values: e.values },
  );
  if (expressions !== undefined) out.matchExpressions = expressions;
  return out;
}

function peer(p: NetworkPolicyPeer): NetworkPolicyPeer {
  const out: NetworkPolicyPeer = {};
  if (p.podSelector !== undefined) out.podSelector = selector(p.podSelector);
  if (p.namespaceSelector !== undefined) out.namespaceSelector = selector(p.namespaceSelector);
  if (p.ipBlock !== undefined) {
    const except = list(p.ipBlock.except, (c) => c);
    out.ipBlock = except === undefined ? { cidr: p.ipBlock.cidr } : { cidr: p.ipBlock.cidr, except };
  }
  return out;
}

function port(p: NetworkPolicyPort): NetworkPolicyPort {
  const out: NetworkPolicyPort = { protocol: p.protocol ?? 'TCP' };
  if (p.port !== undefined) out.port = p.port;
  if (p.endPort !== undefined) out.endPort = p.endPort;
  return out;
}

/**
 * The spec as the API server stores it: `policyTypes` defaulted (Ingress, plus Egress when there are egress
 * rules) and sorted, ports' protocol defaulted to TCP, empty lists and selectors' empty parts dropped.
 */
export function normalizeSpec(spec: NetworkPolicySpec): NetworkPolicySpec {
  const out: NetworkPolicySpec = { podSelector: selector(spec.podSelector ?? {}) };
  const ingress = list(spec.ingress, (r) => {
    const rule: NonNullable<NetworkPolicySpec['ingress']>[number] = {};
    const from = list(r.from, peer);
    const ports = list(r.ports, port);
    if (from !== undefined) rule.from = from;
    if (ports !== undefined) rule.ports = ports;
    return rule;
  });
  const egress = list(spec.egress, (r) => {
    const rule: NonNullable<NetworkPolicySpec['egress']>[number] = {};
    const to = list(r.to, peer);
    const ports = list(r.ports, port);
    if (to !== undefined) rule.to = to;
    if (ports !== undefined) rule.ports = ports;
    return rule;
  });
  if (ingress !== undefined) out.ingress = ingress;
  if (egress !== undefined) out.egress = egress;
  const types =
    spec.policyTypes === undefined || spec.policyTypes.length === 0
      ? egress === undefined
        ? ['Ingress']
        : ['Ingress', 'Egress']
      : [...new Set(spec.policyTypes)].sort(compareText);
  out.policyTypes = types;
  return out;
}

/**
 * The namespaces a desired state covers: those of its policies (CiliumNetworkPolicies too) and of the
 * Namespace objects it defines.
 */
export function coveredNamespaces(state: ClusterState): string[] {
  const names = new Set(state.policies.map((p) => p.namespace));
  for (const p of state.ciliumPolicies) if (p.namespace !== undefined) names.add(p.namespace);
  for (const ns of state.namespaces) if (!ns.implicit) names.add(ns.name);
  return [...names].sort(compareText);
}

/**
 * Missing, extra (those `inScope` says) and changed (`differ` lists the fields) policies of `live` against
 * `desired`, by id.
 */
function compareById<T extends PolicyInfo | CiliumPolicyInfo>(
  desired: readonly T[],
  live: readonly T[],
  inScope: (p: T) => boolean,
  differ: (d: T, l: T) => FieldPath[],
): PolicyComparison {
  const want = new Map(desired.map((p) => [p.id, p]));
  const have = new Map(live.map((p) => [p.id, p]));
  const drifts: PolicyDrift[] = [];
  let inSync = 0;
  let outOfScope = 0;
  for (const id of [...new Set([...want.keys(), ...have.keys()])].sort(compareText)) {
    const d = want.get(id);
    const l = have.get(id);
    const any = (d ?? l)!;
    const base = { id, namespace: any.namespace ?? '', name: any.name, desired: d, live: l };
    if (l === undefined) drifts.push({ kind: 'missing', ...base, fields: [] });
    else if (d === undefined) {
      if (inScope(l)) drifts.push({ kind: 'extra', ...base, fields: [] });
      else outOfScope++;
    } else {
      const fields = differ(d, l);
      if (fields.length > 0) drifts.push({ kind: 'changed', ...base, fields });
      else inSync++;
    }
  }
  return { drifts, inSync, outOfScope };
}

/** Missing, extra (in scope) and changed policies of `live` against `desired`, by namespace/name. */
export function comparePolicies(
  desired: readonly PolicyInfo[],
  live: readonly PolicyInfo[],
  scope: DriftScope,
): PolicyComparison {
  return compareById(
    desired,
    live,
    (p) => scope.kind === 'all' || scope.namespaces.includes(p.namespace),
    (d, l) => {
      const fields: FieldPath[] = [];
      valueDiff(normalizeSpec(d.spec), normalizeSpec(l.spec), ['spec'], fields);
      return fields;
    },
  );
}

/**
 * The live state with the desired policies in place (what a sync with pruning would leave): missing ones
 * added, changed ones replaced, extra ones removed; the pods, workloads and namespaces stay the live ones.
 */
export function withDesiredPolicies(live: ClusterState, drifts: readonly PolicyDrift[]): ClusterState {
  const set = new Map<string, readonly PolicyInfo[]>();
  const remove: string[] = [];
  const cilium = new Map<string, CiliumPolicyInfo | undefined>();
  for (const d of drifts) {
    const either = (d.desired ?? d.live)!;
    if (isCilium(either)) cilium.set(d.id, d.desired as CiliumPolicyInfo | undefined);
    else if (d.desired === undefined) remove.push(d.id);
    else set.set(d.id, [d.desired as PolicyInfo]);
  }
  const ciliumPolicies = [
    ...live.ciliumPolicies.flatMap((p) => (cilium.has(p.id) ? [] : [p])),
    ...[...cilium.values()].filter((p) => p !== undefined),
  ];
  return {
    ...live,
    policies: editPolicies(live.policies, { set, remove, sortById: true }),
    ciliumPolicies,
  };
}

function isCilium(p: PolicyInfo | CiliumPolicyInfo): p is CiliumPolicyInfo {
  return 'specs' in p;
}

/** What a Cilium policy's author owns and the API server stores as sent: `spec` and `specs` (never `status`). */
function ciliumBody(p: CiliumPolicyInfo): { spec?: unknown; specs?: unknown } {
  const out: { spec?: unknown; specs?: unknown } = {};
  if (p.object.spec !== undefined) out.spec = p.object.spec;
  if (p.object.specs !== undefined) out.specs = p.object.specs;
  return out;
}

/**
 * Missing, extra and changed Cilium policies, by id. Extra: a CiliumNetworkPolicy in scope; a
 * CiliumClusterwideNetworkPolicy when the desired side has some (it then owns that kind), or with `-A`.
 * Changed: `spec` or `specs` differ (key order aside).
 */
export function compareCiliumPolicies(
  desired: readonly CiliumPolicyInfo[],
  live: readonly CiliumPolicyInfo[],
  scope: DriftScope,
): PolicyComparison {
  const clusterwide = desired.some((p) => p.namespace === undefined);
  return compareById(
    desired,
    live,
    (p) =>
      scope.kind === 'all' ||
      (p.namespace === undefined ? clusterwide : scope.namespaces.includes(p.namespace)),
    (d, l) => {
      const fields: FieldPath[] = [];
      valueDiff(ciliumBody(d), ciliumBody(l), [], fields);
      return fields;
    },
  );
}

export interface Drift extends PolicyComparison {
  scope: DriftScope;
  /** The live state (before) → the live state with the desired policies (after). */
  connectivity: ClusterDiff;
}

/** The policies that drifted, and the connectivity that differs because of them, on the live pods. */
export function computeDrift(
  desired: ClusterState,
  live: ClusterState,
  scope: DriftScope,
  options: EngineOptions,
  granularity: Granularity = 'workload',
): Drift {
  const policies = comparePolicies(desired.policies, live.policies, scope);
  const cilium = compareCiliumPolicies(desired.ciliumPolicies, live.ciliumPolicies, scope);
  const comparison: PolicyComparison = {
    drifts: [...policies.drifts, ...cilium.drifts],
    inSync: policies.inSync + cilium.inSync,
    outOfScope: policies.outOfScope + cilium.outOfScope,
  };
  const synced = withDesiredPolicies(live, comparison.drifts);
  const connectivity = openSession(live, options).diff(openSession(synced, options), granularity);
  return { ...comparison, scope, connectivity };
}
