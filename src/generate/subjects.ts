/**
 * Which workloads `generate` writes policies for, asked once for the build and for the verifications. Pure.
 */
import type { ClusterState } from '../model/cluster.ts';

/** The workloads with pods, all of them on the host network (no pod selector selects them). */
export function hostNetworkWorkloads(state: ClusterState): Set<string> {
  const all = new Map<string, boolean>();
  for (const p of state.pods) all.set(p.workload, (all.get(p.workload) ?? true) && p.hostNetwork);
  return new Set([...all].filter(([, host]) => host).map(([id]) => id));
}

/**
 * Whether netfence writes policies for a workload (by id): one of the state's workloads, outside the excluded
 * namespaces, not on the host network. The others (and ids the state does not hold) get no generated policy:
 * what kept policies (or none) decide for them stays. `hostNetwork`: `hostNetworkWorkloads(state)`, when the
 * caller has it already.
 */
export function policySubject(
  state: ClusterState,
  excludeNamespaces: readonly string[],
  hostNetwork: ReadonlySet<string> = hostNetworkWorkloads(state),
): (id: string) => boolean {
  const excluded = new Set(excludeNamespaces);
  const namespaces = new Map(state.workloads.map((w) => [w.id, w.namespace]));
  return (id) => {
    const namespace = namespaces.get(id);
    return namespace !== undefined && !excluded.has(namespace) && !hostNetwork.has(id);
  };
}
