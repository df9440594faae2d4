/**
 * Cluster-wide policy tiers, compiled: ClusterNetworkPolicies, AdminNetworkPolicies and the
 * BaselineAdminNetworkPolicy (`ClusterPolicyInfo`) into matchers over the same pod classes and address
 * classes as NetworkPolicies. docs/design/tiers.md has the semantics, quoted from the API.
 *
 * - Subjects and `namespaces`/`pods` peers never match host-network pods (classes with `hostNetwork`).
 * - Empty and absent selectors both select all (no "policy's own namespace" here).
 * - `networks` and `nodes` peers match addresses, and the pods at those addresses (host-network pods too).
 * - `domainNames` peers match no address: they are kept as names (`domains`).
 * - A peer with no field netfence knows fails closed: an allow rule matches nothing through it, a deny or
 *   pass rule everything.
 */
import {
  Tier,
  TierAction,
  type ClusterPolicyInfo,
  type ClusterState,
  type TierPeerInfo,
  type TierPortInfo,
} from '../model/cluster.ts';
import { PROTOCOLS, type LabelSelector } from '../model/k8s.ts';
import { ALL_CONNECTIONS, NO_PORTS, portSetOf, unionPorts, type PortSet } from './ports.ts';
import { compileSelector, selectorMatches } from './selectors.ts';
import type { ClassSet, CompiledPorts, Direction, NamedPortRef } from './compile.ts';
import { compareText } from '../base/text.ts';
import { cidrOf, familyBits, formatCidr, parseIp } from '../base/ip.ts';
import { selectorKeys } from './classes.ts';
import { enforcedClusterPolicyKinds, type CniSettings } from './profiles.ts';

export interface CompiledTierPeer {
  index: number;
  info: TierPeerInfo;
  /** Pod classes matched: by selectors (`namespaces`, `pods`), or by IP (`networks`, `nodes`). */
  pods: ClassSet;
  /** Address classes matched (`networks`, `nodes`). */
  addresses: readonly number[];
  /** The peer matches every pod and address: a deny or pass rule's peer netfence cannot read (fail closed). */
  everything: boolean;
  /** DNS names (`domainNames`): no address is known statically. */
  domains: readonly string[];
}

export interface CompiledTierRule {
  direction: Direction;
  /** Position in `spec.ingress` / `spec.egress`. */
  index: number;
  name: string | undefined;
  action: TierAction;
  peers: readonly CompiledTierPeer[];
  /** `any`: no `protocols`/`ports`. Named ports carry each protocol (the API's named ports have none). */
  ports: CompiledPorts;
}

export interface CompiledTierPolicy {
  /** Position in `state.clusterPolicies`. */
  index: number;
  info: ClusterPolicyInfo;
  tier: Tier;
  /** Position in its tier's evaluation order (0 first): see `compareTierOrder`. */
  rank: number;
  /** Classes the subject selects (never host-network pods), ascending. */
  selected: readonly number[];
  ingress: readonly CompiledTierRule[];
  egress: readonly CompiledTierRule[];
}

/**
 * The order policies of one tier are evaluated in: ascending priority (the BaselineAdminNetworkPolicy, which
 * has none, after every Baseline CNP), then, for equal priorities (the API leaves the result undefined:
 * `lint` reports it, `explain` shows both outcomes), ClusterNetworkPolicies before AdminNetworkPolicies,
 * then by name, so that the answer is at least stable.
 */
export function compareTierOrder(a: ClusterPolicyInfo, b: ClusterPolicyInfo): number {
  const pa = a.priority ?? Number.POSITIVE_INFINITY;
  const pb = b.priority ?? Number.POSITIVE_INFINITY;
  if (pa !== pb) return pa < pb ? -1 : 1;
  if (a.kind !== b.kind) return a.kind === 'ClusterNetworkPolicy' ? -1 : 1;
  return compareText(a.name, b.name);
}

/** Each policy's rank in its tier's evaluation order, by index in `policies`. */
export function tierRanks(policies: readonly ClusterPolicyInfo[]): number[] {
  const ranks = new Array<number>(policies.length).fill(0);
  for (const tier of [Tier.Admin, Tier.Baseline]) {
    const order = policies
      .map((p, i) => ({ p, i }))
      .filter(({ p }) => p.tier === tier)
      .sort((x, y) => compareTierOrder(x.p, y.p) || x.i - y.i);
    order.forEach(({ i }, rank) => (ranks[i] = rank));
  }
  return ranks;
}

/** Pod label keys the cluster policies' pod selectors read (subjects and peers), added to `into`. */
export function tierSelectorLabelKeys(policies: readonly ClusterPolicyInfo[], into: Set<string>): void {
  for (const p of policies) {
    if (p.subject.kind === 'pods') selectorKeys(p.subject.podSelector, into);
    for (const rule of [...p.ingress, ...p.egress]) {
      for (const peer of rule.peers) if (peer.kind === 'pods') selectorKeys(peer.podSelector, into);
    }
  }
}

/** A node address as a CIDR of one address (`10.0.0.1/32`), or undefined when it is not an IP. */
export function hostCidr(address: string): string | undefined {
  const ip = parseIp(address);
  return ip === undefined ? undefined : formatCidr(cidrOf(ip, familyBits(ip.family)));
}

/** The node addresses a `nodes` selector matches, as CIDRs of one address. */
export function nodeCidrs(state: ClusterState, selector: LabelSelector): string[] {
  const sel = compileSelector(selector);
  const out: string[] = [];
  for (const node of state.nodes) {
    if (!selectorMatches(sel, node.labels)) continue;
    for (const a of node.addresses) {
      const cidr = hostCidr(a);
      if (cidr !== undefined) out.push(cidr);
    }
  }
  return out;
}

/** Every CIDR the cluster policies' `networks` peers mention, and every address their `nodes` peers match. */
export function tierMentionedCidrs(state: ClusterState): string[] {
  const out: string[] = [];
  for (const p of state.clusterPolicies) {
    for (const rule of p.egress) {
      for (const peer of rule.peers) {
        if (peer.kind === 'networks') out.push(...peer.cidrs);
        else if (peer.kind === 'nodes') out.push(...nodeCidrs(state, peer.nodeSelector));
      }
    }
  }
  return out;
}

/** Whether some cluster policy matches by address (so pod classes must know their address classes). */
export function tiersMatchAddresses(state: ClusterState): boolean {
  return state.clusterPolicies.some((p) =>
    p.egress.some((r) => r.peers.some((peer) => peer.kind === 'networks' || peer.kind === 'nodes')),
  );
}

/** Port entries → the compiled form NetworkPolicy rules use; a named port stands for each protocol. */
export function compileTierPorts(ports: readonly TierPortInfo[] | undefined): CompiledPorts {
  if (ports === undefined) return { any: true, numeric: ALL_CONNECTIONS, named: [] };
  let numeric: PortSet = NO_PORTS;
  const named: NamedPortRef[] = [];
  for (const p of ports) {
    if (p.kind === 'range') numeric = unionPorts(numeric, portSetOf(p.protocol, [p.start, p.end]));
    else for (const protocol of PROTOCOLS) named.push({ name: p.name, protocol });
  }
  return { any: false, numeric, named };
}

/** What compiling a tier peer needs from the policy compiler (implemented by `PolicyCompiler`). */
export interface TierPeerContext {
  readonly state: ClusterState;
  /** The CNI profile, when one is set: a cluster policy of a kind it does not enforce selects nothing. */
  readonly options?: { readonly cni?: { readonly settings: Pick<CniSettings, 'clusterPolicies'> } };
  /** Non-host-network classes matching a namespace selector and a pod selector (both `{}`-means-all). */
  classesMatching(namespaceSelector: LabelSelector, podSelector: LabelSelector): ClassSet;
  /** Address classes of CIDRs, and the pod classes at those addresses (host-network pods too). */
  atCidrs(cidrs: readonly string[]): { addresses: readonly number[]; pods: readonly number[] };
  /** Every non-host-network class id, ascending. */
  allPodClasses(): readonly number[];
}

const NONE: ClassSet = { all: false, ids: [] };

export function compileTierPeer(
  ctx: TierPeerContext,
  info: TierPeerInfo,
  index: number,
  action: TierAction,
): CompiledTierPeer {
  const base = { index, info, everything: false, addresses: [] as readonly number[], domains: [] };
  switch (info.kind) {
    case 'namespaces':
      return { ...base, pods: ctx.classesMatching(info.namespaceSelector, {}) };
    case 'pods':
      return { ...base, pods: ctx.classesMatching(info.namespaceSelector, info.podSelector) };
    case 'networks':
    case 'nodes': {
      const cidrs = info.kind === 'networks' ? info.cidrs : nodeCidrs(ctx.state, info.nodeSelector);
      const at = ctx.atCidrs(cidrs);
      return { ...base, pods: { all: false, ids: at.pods }, addresses: at.addresses };
    }
    case 'domainNames':
      return { ...base, pods: NONE, domains: [...info.domains] };
    case 'unknown':
      return action === TierAction.Allow
        ? { ...base, pods: NONE }
        : { ...base, pods: NONE, everything: true };
  }
}

export function compileTierPolicy(
  ctx: TierPeerContext,
  info: ClusterPolicyInfo,
  index: number,
  rank: number,
): CompiledTierPolicy {
  const settings = ctx.options?.cni?.settings;
  // A CNI that does not enforce this kind (docs/cni.md, `clusterPolicies`): the policy selects nothing.
  const enforced = settings === undefined || enforcedClusterPolicyKinds(settings).includes(info.kind);
  const subject = !enforced
    ? NONE
    : info.subject.kind === 'namespaces'
      ? ctx.classesMatching(info.subject.namespaceSelector, {})
      : ctx.classesMatching(info.subject.namespaceSelector, info.subject.podSelector);
  const rules = (direction: Direction, list: ClusterPolicyInfo['ingress']): CompiledTierRule[] =>
    list.map((r) => ({
      direction,
      index: r.index,
      name: r.name,
      action: r.action,
      peers: r.peers.map((p, i) => compileTierPeer(ctx, p, i, r.action)),
      ports: compileTierPorts(r.ports),
    }));
  return {
    index,
    info,
    tier: info.tier,
    rank,
    selected: subject.all ? ctx.allPodClasses() : subject.ids,
    ingress: rules('ingress', info.ingress),
    egress: rules('egress', info.egress),
  };
}
