/**
 * Planning an apply: which policies (NetworkPolicies and cluster policies) are created, updated, unchanged
 * or pruned, and in which phases. Pure: it reads the live objects and the API server's dry-run results, and
 * writes nothing.
 */
import { ciliumPolicyInfo } from '../model/cilium.ts';
import type { NetworkPolicySpec } from '../model/k8s.ts';
import {
  isCiliumObject,
  isClusterPolicyObject,
  isManagedByNetfence,
  isNamespacedKind,
  namespaceOf,
  policyId,
  sameContent,
  type CiliumObject,
  type ClusterPolicyObject,
  type PolicyObject,
} from './objects.ts';
import { compareText } from '../base/text.ts';

export const Action = {
  Create: 'create',
  Update: 'update',
  Unchanged: 'unchanged',
  Delete: 'delete',
} as const;
export type Action = (typeof Action)[keyof typeof Action];

/**
 * What a policy does to the pods it selects. For a NetworkPolicy, `deny` allows nothing at all (every
 * direction it declares has no rules: a default-deny); `allow` allows something, in at least one direction.
 * For a cluster policy, `deny` has a rule that can take a connection away (`Deny`, or `Pass`, which skips
 * the tier's later rules); `allow` has only allow rules (`Accept`/`Allow`). For a Cilium policy, `deny` has
 * a deny rule (`ingressDeny`/`egressDeny`) or allows no peer at all (a default-deny, or Cilium's `[{}]`
 * deny-all idiom); `allow` allows some peer and denies nothing.
 */
export const Effect = { Allow: 'allow', Deny: 'deny' } as const;
export type Effect = (typeof Effect)[keyof typeof Effect];

export const PhaseKind = { Allow: 'allow', Deny: 'deny', Apply: 'apply', Prune: 'prune' } as const;
export type PhaseKind = (typeof PhaseKind)[keyof typeof PhaseKind];

export interface Change {
  /** `namespace/name`; `Kind/name` for a cluster policy. */
  id: string;
  /**
   * `NetworkPolicy`, `ClusterNetworkPolicy`, `AdminNetworkPolicy`, `BaselineAdminNetworkPolicy`,
   * `CiliumNetworkPolicy`, `CiliumClusterwideNetworkPolicy`.
   */
  kind: PolicyObject['kind'];
  /** Empty for a cluster-scoped policy. */
  namespace: string;
  name: string;
  action: Action;
  /** What the policy will do; for a delete, what the deleted one did. */
  effect: Effect;
  /** The live object, with all its metadata; undefined when it does not exist. */
  live: PolicyObject | undefined;
  /** The object sent (the file's, with the managed-by label); undefined for a delete. */
  desired: PolicyObject | undefined;
  /** The object as the API server will store it (its dry-run answer); undefined for a delete. */
  result: PolicyObject | undefined;
}

export interface Phase {
  kind: PhaseKind;
  /** `allow policies`, `default-deny policies`, `policies`, `prune`. */
  title: string;
  /** Creates, updates or deletes, in the order they are sent. */
  changes: Change[];
}

export interface ApplyPlan {
  /** Every desired policy and every pruned one, by id. */
  changes: Change[];
  /** The non-empty phases, in order. */
  phases: Phase[];
}

/**
 * `deny` when the policy allows nothing: each direction it declares (`policyTypes`, or its default) has no
 * rules. Such a policy only isolates, so applying it last never cuts a connection the others keep.
 */
export function effectOf(spec: NetworkPolicySpec): Effect {
  const types = spec.policyTypes ?? (spec.egress === undefined ? ['Ingress'] : ['Ingress', 'Egress']);
  for (const t of types) {
    const rules = t === 'Egress' ? spec.egress : spec.ingress;
    if (rules !== undefined && rules.length > 0) return 'allow';
  }
  return 'deny';
}

/** `deny` when a cluster policy has a `Deny` or `Pass` rule (see `Effect`), else `allow`. */
export function clusterEffectOf(o: ClusterPolicyObject): Effect {
  const spec = o.spec as { ingress?: { action?: string }[]; egress?: { action?: string }[] };
  const rules = [...(spec.ingress ?? []), ...(spec.egress ?? [])];
  return rules.some((r) => r.action === 'Deny' || r.action === 'Pass') ? 'deny' : 'allow';
}

/** `deny` when a Cilium policy has a deny rule or allows no peer (see `Effect`), else `allow`. */
export function ciliumEffectOf(o: CiliumObject): Effect {
  const specs = ciliumPolicyInfo(o).specs;
  const denies = specs.some((s) => s.ingressDeny.length > 0 || s.egressDeny.length > 0);
  const allows = specs.some((s) => [...s.ingress, ...s.egress].some((r) => r.peers.length > 0));
  return denies || !allows ? 'deny' : 'allow';
}

/** The effect of any kind of policy. */
export function effectOfObject(o: PolicyObject): Effect {
  if (isClusterPolicyObject(o)) return clusterEffectOf(o);
  if (isCiliumObject(o)) return ciliumEffectOf(o);
  return effectOf(o.spec);
}

/**
 * Where `--prune` may delete namespaced policies (NetworkPolicies, CiliumNetworkPolicies): the namespaces of
 * the desired policies, or every namespace.
 */
export type PruneScope = { kind: 'all' } | { kind: 'namespaces'; namespaces: readonly string[] };

/**
 * The live policies `--prune` deletes: labelled as managed by netfence, in scope, and not desired.
 * Policies without the label are never deleted, whoever created them. Only the kinds the files deploy
 * (`kinds`) are in scope, so that a folder of NetworkPolicies never prunes the platform team's cluster
 * policies, nor a folder of ClusterNetworkPolicies the teams' NetworkPolicies, nor a folder of
 * NetworkPolicies the CiliumNetworkPolicies; namespaced kinds also by namespace (`scope`).
 */
export function pruneCandidates<T extends PolicyObject>(
  live: readonly T[],
  desiredIds: ReadonlySet<string>,
  scope: PruneScope,
  kinds: ReadonlySet<string> = new Set(['NetworkPolicy']),
): T[] {
  const inScope = (o: T): boolean =>
    kinds.has(o.kind) &&
    (!isNamespacedKind(o.kind) ||
      scope.kind === 'all' ||
      scope.namespaces.includes(o.metadata.namespace ?? ''));
  return live
    .filter((o) => isManagedByNetfence(o) && inScope(o) && !desiredIds.has(policyId(o)))
    .sort((a, b) => compareText(policyId(a), policyId(b)));
}

export interface DesiredPolicy {
  /** What is sent. */
  desired: PolicyObject;
  /** The dry-run answer: what will be stored. */
  result: PolicyObject;
}

/**
 * The plan: each desired policy is a create (not live), an update (its stored form would differ from the
 * live one in labels, annotations or spec) or unchanged; each prune candidate a delete. With `staged`,
 * creates and updates of allow policies come first, then those of default-deny policies, then the deletes;
 * without, every create and update in id order, then the deletes.
 */
export function planApply(input: {
  desired: readonly DesiredPolicy[];
  live: readonly PolicyObject[];
  prune: readonly PolicyObject[];
  staged: boolean;
}): ApplyPlan {
  const live = new Map(input.live.map((np) => [policyId(np), np]));
  const changes: Change[] = [];
  for (const { desired, result } of input.desired) {
    const id = policyId(desired);
    const current = live.get(id);
    const action: Action =
      current === undefined ? 'create' : sameContent(current, result) ? 'unchanged' : 'update';
    changes.push({
      id,
      kind: desired.kind,
      namespace: namespaceOf(desired),
      name: desired.metadata.name ?? '',
      action,
      effect: effectOfObject(result),
      live: current,
      desired,
      result,
    });
  }
  for (const np of input.prune) {
    changes.push({
      id: policyId(np),
      kind: np.kind,
      namespace: namespaceOf(np),
      name: np.metadata.name ?? '',
      action: 'delete',
      effect: effectOfObject(np),
      live: np,
      desired: undefined,
      result: undefined,
    });
  }
  changes.sort((a, b) => compareText(a.id, b.id));

  const writes = changes.filter((c) => c.action === 'create' || c.action === 'update');
  const deletes = changes.filter((c) => c.action === 'delete');
  const phases: Phase[] = input.staged
    ? [
        { kind: 'allow', title: 'allow policies', changes: writes.filter((c) => c.effect === 'allow') },
        { kind: 'deny', title: 'default-deny policies', changes: writes.filter((c) => c.effect === 'deny') },
        { kind: 'prune', title: 'prune', changes: deletes },
      ]
    : [
        { kind: 'apply', title: 'policies', changes: writes },
        { kind: 'prune', title: 'prune', changes: deletes },
      ];
  return { changes, phases: phases.filter((p) => p.changes.length > 0) };
}
