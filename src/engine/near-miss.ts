/** What explain's near misses share across NetworkPolicies and cluster policies: ranking, namespace labels. */
import { NAMESPACE_NAME_LABEL, type ClusterState } from '../model/cluster.ts';
import type { ExplainEnd, MissCode, MissReason } from './explain.ts';
import type { PodClass } from './classes.ts';
import type { NamedPortRef } from './compile.ts';
import type { SourceLocation } from '../model/problem.ts';

const NEAR_MISS_LIMIT = 5;

/** Reasons that only a different kind of peer could fix weigh more than a label or an address range. */
const FAR: ReadonlySet<MissCode> = new Set<MissCode>(['not-a-pod', 'host-network', 'ipblock-ignores-pods']);

function distance(reasons: readonly MissReason[]): number {
  return reasons.reduce((sum, r) => sum + (FAR.has(r.code) ? 3 : 1), 0);
}

/** A rule that did not match, with why: its peer (`peer`, [] when one matched) and its ports (`ports`). */
export interface MissCandidate<T> {
  rule: T;
  peer: MissReason[];
  ports: MissReason[];
}

/** What failed: only the ports (the peer matched), only the peer (the ports fit), or both; and why. */
export interface Missed {
  failed: 'ports' | 'peer' | 'both';
  reasons: MissReason[];
}

/**
 * The rules that came closest, nearest first (a rule whose peer matched, then one whose ports fit, then by
 * how much failed), at most 5; rules that failed on both only when no other missed.
 */
export function nearest<T>(candidates: readonly MissCandidate<T>[]): (T & Missed)[] {
  const scored = candidates.map((c, order) => {
    const failed: Missed['failed'] = c.peer.length === 0 ? 'ports' : c.ports.length === 0 ? 'peer' : 'both';
    const score =
      (failed === 'ports' ? 0 : failed === 'peer' ? 100 : 200) + distance(c.peer) + distance(c.ports);
    const miss: T & Missed = { ...c.rule, failed, reasons: [...c.peer, ...c.ports] };
    return { miss, score, order };
  });
  scored.sort((a, b) => a.score - b.score || a.order - b.order);
  const close = scored.filter((s) => s.miss.failed !== 'both');
  return (close.length > 0 ? close : scored).slice(0, NEAR_MISS_LIMIT).map((s) => s.miss);
}

/** A namespace's labels; a namespace not in the state has only its name label. */
export function namespaceLabelsOf(state: ClusterState, namespace: string): Readonly<Record<string, string>> {
  return state.namespaces.find((n) => n.name === namespace)?.labels ?? { [NAMESPACE_NAME_LABEL]: namespace };
}

/**
 * Why a rule's named port allows nothing towards `dst`: it is outside the cluster (names resolve only on pods),
 * or its pods (`dstClass`) do not define it; undefined when they do.
 */
export function namedPortMiss(
  named: NamedPortRef,
  dst: ExplainEnd,
  dstClass: PodClass | undefined,
  at: { path: string; location: SourceLocation | undefined },
): MissReason | undefined {
  const port = { port: named.name, protocol: named.protocol, dst, ...at };
  if (dstClass === undefined) return { code: 'named-port-to-address', ...port };
  if (dstClass.namedPorts.some((np) => np.name === named.name && np.protocol === named.protocol))
    return undefined;
  return { code: 'named-port-undefined', ...port, defined: dstClass.namedPorts };
}
