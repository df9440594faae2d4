/**
 * The policies `apply` deploys — NetworkPolicies, cluster policies (ClusterNetworkPolicy,
 * AdminNetworkPolicy, BaselineAdminNetworkPolicy) and Cilium's (CiliumNetworkPolicy,
 * CiliumClusterwideNetworkPolicy) — as it compares, shows and records them: the fields a user owns (labels,
 * annotations, spec; a Cilium policy's `spec` and `specs`, never its `status`), rendered as YAML, compared
 * key order aside. Pure.
 */
import { stringify } from 'yaml';
import { CILIUM_RULE_FIELDS } from '../model/cilium-wire.ts';
import type { CiliumObject } from '../model/cilium.ts';
import type {
  AdminNetworkPolicy,
  BaselineAdminNetworkPolicy,
  ClusterNetworkPolicy,
  NetworkPolicy,
  ObjectMeta,
} from '../model/k8s.ts';

/** The label that marks what netfence manages (and what `--prune` may delete). */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'netfence';

/** A cluster-scoped policy of `policy.networking.k8s.io`. */
export type ClusterPolicyObject = ClusterNetworkPolicy | AdminNetworkPolicy | BaselineAdminNetworkPolicy;

export type { CiliumObject };

/** A policy that is a custom resource: a cluster policy or a Cilium policy. */
export type CustomPolicyObject = ClusterPolicyObject | CiliumObject;

/** What `apply` deploys. */
export type PolicyObject = NetworkPolicy | CustomPolicyObject;

const CLUSTER_POLICY_KINDS: readonly string[] = [
  'ClusterNetworkPolicy',
  'AdminNetworkPolicy',
  'BaselineAdminNetworkPolicy',
];
const CILIUM_KINDS: readonly string[] = ['CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy'];

/** Every kind `apply` deploys, in the order reports count them. */
export const POLICY_KINDS: readonly PolicyObject['kind'][] = [
  'NetworkPolicy',
  'ClusterNetworkPolicy',
  'AdminNetworkPolicy',
  'BaselineAdminNetworkPolicy',
  'CiliumNetworkPolicy',
  'CiliumClusterwideNetworkPolicy',
];

/** A cluster policy of `policy.networking.k8s.io` (not a Cilium one). */
export function isClusterPolicyObject(o: { kind: string }): o is ClusterPolicyObject {
  return CLUSTER_POLICY_KINDS.includes(o.kind);
}

export function isCiliumObject(o: { kind: string }): o is CiliumObject {
  return CILIUM_KINDS.includes(o.kind);
}

/** Whether a kind of policy lives in a namespace: NetworkPolicy and CiliumNetworkPolicy. */
export function isNamespacedKind(kind: string): boolean {
  return kind === 'NetworkPolicy' || kind === 'CiliumNetworkPolicy';
}

/** The namespace of a policy: empty for a cluster-scoped one. */
export function namespaceOf(o: PolicyObject): string {
  return isNamespacedKind(o.kind) ? (o.metadata.namespace ?? '') : '';
}

/**
 * `namespace/name` of a NetworkPolicy; `Kind/name` of a cluster-scoped policy and `Kind/namespace/name` of a
 * CiliumNetworkPolicy (no namespace name has capitals; the Cilium ids are those of `CiliumPolicyInfo`).
 */
export function policyId(o: PolicyObject): string {
  const name = o.metadata.name ?? '';
  if (o.kind === 'NetworkPolicy') return `${o.metadata.namespace ?? ''}/${name}`;
  return isNamespacedKind(o.kind) ? `${o.kind}/${o.metadata.namespace ?? ''}/${name}` : `${o.kind}/${name}`;
}

export function isManagedByNetfence(o: PolicyObject): boolean {
  return o.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY_VALUE;
}

/** Values with object keys sorted, so that equal content serializes equally. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = canonical(v);
    }
    return out;
  }
  return value;
}

/** The body a user owns: `spec`; for a Cilium policy `spec` and `specs`, whichever it has (never `status`). */
export function bodyOf(o: PolicyObject): { spec?: unknown; specs?: unknown } {
  if (!isCiliumObject(o)) return { spec: o.spec };
  const out: { spec?: unknown; specs?: unknown } = {};
  if (o.spec !== undefined) out.spec = o.spec;
  if (o.specs !== undefined) out.specs = o.specs;
  return out;
}

/**
 * What a user owns of a policy: name, namespace (namespaced kinds only), labels, annotations and the body
 * (`bodyOf`).
 */
export function userContent(o: PolicyObject): {
  metadata: Pick<ObjectMeta, 'name' | 'namespace' | 'labels' | 'annotations'> & { name: string };
  spec?: unknown;
  specs?: unknown;
} {
  const metadata: ReturnType<typeof userContent>['metadata'] = { name: o.metadata.name ?? '' };
  if (isNamespacedKind(o.kind)) metadata.namespace = o.metadata.namespace ?? '';
  if (o.metadata.labels !== undefined && Object.keys(o.metadata.labels).length > 0)
    metadata.labels = o.metadata.labels;
  if (o.metadata.annotations !== undefined && Object.keys(o.metadata.annotations).length > 0)
    metadata.annotations = o.metadata.annotations;
  return { metadata, ...bodyOf(o) };
}

/** Equal labels, annotations and spec (bookkeeping such as resourceVersion aside). */
export function sameContent(a: PolicyObject | undefined, b: PolicyObject | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a.kind !== b.kind) return false;
  return JSON.stringify(canonical(userContent(a))) === JSON.stringify(canonical(userContent(b)));
}

/** The keys of a cluster policy's spec and of its rules, in the order of the API's documentation. */
const SPEC_ORDER = ['tier', 'priority', 'subject', 'ingress', 'egress'];
const RULE_ORDER = ['name', 'action', 'from', 'to', 'protocols', 'ports'];

/** `value` with the keys of `order` first, in that order, then the others as they come. */
function ordered(value: unknown, order: readonly string[]): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const out: Record<string, unknown> = {};
  const v = value as Record<string, unknown>;
  for (const k of order) if (Object.hasOwn(v, k)) out[k] = v[k];
  for (const [k, x] of Object.entries(v)) if (!Object.hasOwn(out, k)) out[k] = x;
  return out;
}

/** A cluster policy spec as the API documents it (the server answers with its keys sorted). */
function orderedClusterSpec(spec: ClusterPolicyObject['spec']): unknown {
  const out = ordered(spec, SPEC_ORDER) as Record<string, unknown>;
  for (const dir of ['ingress', 'egress'])
    if (Array.isArray(out[dir])) out[dir] = (out[dir] as unknown[]).map((r) => ordered(r, RULE_ORDER));
  return out;
}

/** A Cilium policy's `spec` and `specs` as Cilium documents them (the server answers with keys sorted). */
function orderedCiliumBody(o: CiliumObject): { spec?: unknown; specs?: unknown } {
  const out: { spec?: unknown; specs?: unknown } = {};
  if (o.spec !== undefined) out.spec = ordered(o.spec, CILIUM_RULE_FIELDS);
  if (o.specs !== undefined) out.specs = o.specs.map((r) => ordered(r, CILIUM_RULE_FIELDS));
  return out;
}

/** The YAML a diff shows: the user's content, keys in the API's order. */
export function renderPolicy(o: PolicyObject): string {
  const { metadata, ...body } = userContent(o);
  const apiVersion = o.kind === 'NetworkPolicy' ? 'networking.k8s.io/v1' : o.apiVersion;
  const shown = isClusterPolicyObject(o)
    ? { spec: orderedClusterSpec(o.spec) }
    : isCiliumObject(o)
      ? orderedCiliumBody(o)
      : body;
  return stringify(
    { apiVersion, kind: o.kind, metadata, ...shown },
    { version: '1.1', lineWidth: 0, aliasDuplicateObjects: false },
  );
}

/** The object `apply` sends: as written, plus the managed-by label unless the file sets one. */
export function withManagedBy<T extends PolicyObject>(o: T): T {
  const labels = o.metadata.labels ?? {};
  if (labels[MANAGED_BY_LABEL] !== undefined) return o;
  return { ...o, metadata: { ...o.metadata, labels: { ...labels, [MANAGED_BY_LABEL]: MANAGED_BY_VALUE } } };
}
