/**
 * Whether a peer matches anything, judged only where the input can tell: a peer that names a namespace the
 * input does not have (or a namespace without workloads in the input) is not judged, since its pods may
 * simply live in another repository.
 */
import type { CompiledPeer } from '../../engine/compile.ts';
import { compileSelector, selectorMatches } from '../../engine/selectors.ts';
import { NAMESPACE_NAME_LABEL } from '../../model/cluster.ts';
import type { NetworkPolicyPeer } from '../../model/k8s.ts';
import { listNames, selectorText } from '../text.ts';
import type { RuleContext } from '../types.ts';
import { suggestLabel } from './selectors.ts';

export type PeerVerdict =
  | { kind: 'matches' }
  /** The input cannot tell (namespaces or pods outside the input). */
  | { kind: 'unknown' }
  | { kind: 'noNamespace'; selector: string; hint: string | undefined }
  | { kind: 'noPod'; where: string; hint: string | undefined }
  | { kind: 'hostNetworkOnly'; workloads: string[] };

/** The namespaces a selector peer covers, when the input can tell. */
export function peerNamespaces(
  ctx: RuleContext,
  policyNamespace: string,
  peer: NetworkPolicyPeer,
): string[] | PeerVerdict {
  if (peer.namespaceSelector === undefined) {
    return ctx.lookup.hasWorkloads(policyNamespace) ? [policyNamespace] : { kind: 'unknown' };
  }
  const matching = ctx.lookup.namespacesMatching(peer.namespaceSelector);
  if (matching.length === 0) {
    const pinned = compileSelector(peer.namespaceSelector).requirements.filter(
      (r) => r.key === NAMESPACE_NAME_LABEL && r.operator === 'In',
    );
    const absent = pinned.some((r) => r.values.some((v) => ctx.lookup.namespace(v) === undefined));
    if (absent || ctx.state.namespaces.every((n) => n.implicit)) return { kind: 'unknown' };
    return {
      kind: 'noNamespace',
      selector: selectorText(peer.namespaceSelector),
      hint: suggestLabel(
        peer.namespaceSelector,
        ctx.state.namespaces.map((n) => n.labels),
      ),
    };
  }
  if (!matching.some((n) => ctx.lookup.hasWorkloads(n.name))) return { kind: 'unknown' };
  return matching.map((n) => n.name);
}

export function judgePeer(
  ctx: RuleContext,
  policyNamespace: string,
  peer: NetworkPolicyPeer,
  compiled: CompiledPeer,
): PeerVerdict {
  if (compiled.kind === 'ipBlock') return { kind: compiled.addresses.length > 0 ? 'matches' : 'unknown' };
  if (compiled.pods.all || compiled.pods.ids.length > 0) return { kind: 'matches' };
  const namespaces = peerNamespaces(ctx, policyNamespace, peer);
  if (!Array.isArray(namespaces)) return namespaces;
  const podSelector = compileSelector(peer.podSelector ?? {});
  const workloads = namespaces.flatMap((n) => ctx.lookup.workloadsIn(n));
  const onHost = (w: (typeof workloads)[number]): boolean =>
    ctx.lookup.classesOfWorkload(w.id).some((id) => ctx.compiled.classes[id]!.hostNetwork);
  const hostOnly = workloads.filter((w) => selectorMatches(podSelector, w.labels) && onHost(w));
  if (hostOnly.length > 0) return { kind: 'hostNetworkOnly', workloads: hostOnly.map((w) => w.id) };
  // Suggest only labels of pods a selector can match: a host-network workload's would lead to hostNetworkOnly.
  return {
    kind: 'noPod',
    where:
      namespaces.length === 1
        ? ` in namespace "${namespaces[0]!}"`
        : ` in namespaces ${listNames(namespaces)}`,
    hint: suggestLabel(
      peer.podSelector ?? {},
      workloads.filter((w) => !onHost(w)).map((w) => w.labels),
    ),
  };
}
