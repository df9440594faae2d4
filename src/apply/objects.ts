/**
 * The policies `apply` deploys — NetworkPolicies and cluster policies (ClusterNetworkPolicy,
 * AdminNetworkPolicy, BaselineAdminNetworkPolicy) — as it compares, shows and records them: the fields a
 * user owns (labels, annotations, spec), rendered as YAML, compared key order aside. Pure.
 */
import { stringify } from 'yaml';
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

/** What `apply` deploys. */
export type PolicyObject = NetworkPolicy | ClusterPolicyObject;

export function isClusterPolicyObject(o: PolicyObject): o is ClusterPolicyObject {
  return o.kind !== 'NetworkPolicy';
}

/** `namespace/name` of a NetworkPolicy; `Kind/name` of a cluster policy (no namespace name has capitals). */
export function policyId(o: PolicyObject): string {
  return isClusterPolicyObject(o)
    ? `${o.kind}/${o.metadata.name ?? ''}`
    : `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;
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

/**
 * What a user owns of a policy: name, namespace (NetworkPolicies only: cluster policies have none), labels,
 * annotations and spec.
 */
export function userContent<T extends PolicyObject>(
  o: T,
): {
  metadata: Pick<ObjectMeta, 'name' | 'namespace' | 'labels' | 'annotations'> & { name: string };
  spec: T['spec'];
} {
  const metadata: ReturnType<typeof userContent>['metadata'] = { name: o.metadata.name ?? '' };
  if (!isClusterPolicyObject(o)) metadata.namespace = o.metadata.namespace ?? '';
  if (o.metadata.labels !== undefined && Object.keys(o.metadata.labels).length > 0)
    metadata.labels = o.metadata.labels;
  if (o.metadata.annotations !== undefined && Object.keys(o.metadata.annotations).length > 0)
    metadata.annotations = o.metadata.annotations;
  return { metadata, spec: o.spec };
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

/** The YAML a diff shows: the user's content, keys in the API's order. */
export function renderPolicy(o: PolicyObject): string {
  const { metadata, spec } = userContent(o);
  const apiVersion = isClusterPolicyObject(o) ? o.apiVersion : 'networking.k8s.io/v1';
  const shown = isClusterPolicyObject(o) ? orderedClusterSpec(o.spec) : spec;
  return stringify({ apiVersion, kind: o.kind, metadata, spec: shown }, { version: '1.1', lineWidth: 0 });
}

/** The object `apply` sends: as written, plus the managed-by label unless the file sets one. */
export function withManagedBy<T extends PolicyObject>(o: T): T {
  const labels = o.metadata.labels ?? {};
  if (labels[MANAGED_BY_LABEL] !== undefined) return o;
  return { ...o, metadata: { ...o.metadata, labels: { ...labels, [MANAGED_BY_LABEL]: MANAGED_BY_VALUE } } };
}
