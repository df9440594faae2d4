/**
 * NetworkPolicies as `apply` compares, shows and records them: the fields a user owns (labels,
 * annotations, spec), rendered as YAML, compared key order aside. Pure.
 */
import { stringify } from 'yaml';
import type { NetworkPolicy, NetworkPolicySpec } from '../model/k8s.ts';

/** The label that marks what netfence manages (and what `--prune` may delete). */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'netfence';

export function policyId(np: NetworkPolicy): string {
  return `${np.metadata.namespace ?? ''}/${np.metadata.name ?? ''}`;
}

export function isManagedByNetfence(np: NetworkPolicy): boolean {
  return np.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY_VALUE;
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

/** What a user owns of a NetworkPolicy: name, namespace, labels, annotations and spec. */
export function userContent(np: NetworkPolicy): {
  metadata: {
    name: string;
    namespace: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec: NetworkPolicySpec;
} {
  const metadata: ReturnType<typeof userContent>['metadata'] = {
    name: np.metadata.name ?? '',
    namespace: np.metadata.namespace ?? '',
  };
  if (np.metadata.labels !== undefined && Object.keys(np.metadata.labels).length > 0)
    metadata.labels = np.metadata.labels;
  if (np.metadata.annotations !== undefined && Object.keys(np.metadata.annotations).length > 0)
    metadata.annotations = np.metadata.annotations;
  return { metadata, spec: np.spec };
}

/** Equal labels, annotations and spec (bookkeeping such as resourceVersion aside). */
export function sameContent(a: NetworkPolicy | undefined, b: NetworkPolicy | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return JSON.stringify(canonical(userContent(a))) === JSON.stringify(canonical(userContent(b)));
}

/** The YAML a diff shows: the user's content, keys in the API's order. */
export function renderPolicy(np: NetworkPolicy): string {
  const { metadata, spec } = userContent(np);
  return stringify(
    { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata, spec },
    { version: '1.1', lineWidth: 0 },
  );
}

/** The object `apply` sends: as written, plus the managed-by label unless the file sets one. */
export function withManagedBy(np: NetworkPolicy): NetworkPolicy {
  const labels = np.metadata.labels ?? {};
  if (labels[MANAGED_BY_LABEL] !== undefined) return np;
  return { ...np, metadata: { ...np.metadata, labels: { ...labels, [MANAGED_BY_LABEL]: MANAGED_BY_VALUE } } };
}
