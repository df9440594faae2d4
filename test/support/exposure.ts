/** Helpers of the `computeExposure` tests (test/engine/exposure-*.test.ts): answers by name, flags as text. */
import { compileCluster } from '../../src/engine/compile.ts';
import { computeExposure, type FlagReason, type WorkloadExposure } from '../../src/engine/exposure.ts';
import { buildRefIndex } from '../../src/engine/refs.ts';
import type { ClusterState } from '../../src/model/cluster.ts';

/** Each workload's exposure by name (`only`: those workloads alone). */
export function exposures(state: ClusterState, only?: ReadonlySet<string>): Map<string, WorkloadExposure> {
  const list = computeExposure(buildRefIndex(compileCluster(state)), only);
  return new Map(list.map((w) => [w.name, w]));
}

/** `flag: why` with the reasons of each flag, statements by path. */
export function flags(w: WorkloadExposure): string[] {
  const why = (f: FlagReason): string =>
    typeof f.why === 'string' ? f.why : `[${f.why.map((s) => s.path).join(', ')}]`;
  return w.flags.map(
    (f) =>
      `${f.flag}: ${why(f)} tiers [${f.byTiers.map((t) => `${t.policy} ${t.path}`).join(', ')}] cilium [${f.byCilium.map((c) => `${c.policy} ${c.path}`).join(', ')}] names [${f.byName.map((n) => `${n.domain} ${n.policy}`).join(', ')}]`,
  );
}

/** A Deployment `name` in `namespace` owning the given pods (by name) of `state`. */
export function deployment(
  state: ClusterState,
  namespace: string,
  name: string,
  pods: string[],
): ClusterState {
  const id = `${namespace}/Deployment/${name}`;
  const owned = (p: { namespace: string; name: string }): boolean =>
    p.namespace === namespace && pods.includes(p.name);
  return {
    ...state,
    pods: state.pods.map((p) => (owned(p) ? { ...p, workload: id } : p)),
    workloads: [
      ...state.workloads.filter((w) => !(w.namespace === namespace && pods.includes(w.name))),
      {
        id,
        namespace,
        kind: 'Deployment',
        name,
        labels: state.pods.find(owned)!.labels,
        pods,
        replicas: pods.length,
      },
    ],
  };
}
