/** Generated policies → Kubernetes objects (and the engine's PolicyInfo, for verification). */
import type { PolicyInfo } from '../model/cluster.ts';
import type { NetworkPolicy, NetworkPolicySpec } from '../model/k8s.ts';
import { MANAGED_BY, MANAGED_BY_LABEL } from './types.ts';
import type { GeneratedPolicy } from './types.ts';

export function toNetworkPolicy(p: GeneratedPolicy): NetworkPolicy {
  const spec: NetworkPolicySpec = {
    podSelector: Object.keys(p.matchLabels).length === 0 ? {} : { matchLabels: { ...p.matchLabels } },
  };
  // A rule of Cilium entities has no NetworkPolicy peer: an empty `from`/`to` would allow everything.
  const rules = p.rules.filter((r) => r.nodeEntities === undefined);
  if (p.kind === 'default-deny') spec.policyTypes = ['Ingress', 'Egress'];
  else if (p.kind === 'ingress') {
    spec.policyTypes = ['Ingress'];
    spec.ingress = rules.map((r) => ({ from: r.peers, ports: r.ports }));
  } else {
    spec.policyTypes = ['Egress'];
    spec.egress = rules.map((r) => ({ to: r.peers, ports: r.ports }));
  }
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: p.name, namespace: p.namespace, labels: { [MANAGED_BY_LABEL]: MANAGED_BY } },
    spec,
  };
}

/** The generated policies as the engine reads them. */
export function toPolicyInfos(policies: readonly GeneratedPolicy[]): PolicyInfo[] {
  return policies.map((p) => {
    const np = toNetworkPolicy(p);
    return {
      id: `${p.namespace}/${p.name}`,
      namespace: p.namespace,
      name: p.name,
      spec: np.spec,
      labels: np.metadata.labels ?? {},
      annotations: {},
    };
  });
}
