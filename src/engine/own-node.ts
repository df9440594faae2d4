/**
 * Where pods run, and traffic from a pod's own node (issue #17; docs/cni.md, "Traffic from the pod's own
 * node"). Known only when the input has both Pods with `spec.nodeName` and the Nodes they name, with
 * addresses (a live cluster, a snapshot): then pod classes are split by node, each node's addresses are
 * address classes of their own, and
 *
 * - traffic from a pod's own node (its addresses, the host-network pods on it) to the pod is allowed whatever
 *   NetworkPolicies say, under every profile but Cilium's `allow-localhost=policy` ("traffic to and from the
 *   node where a Pod is running is always allowed": the NetworkPolicy reference, `ipBlock`; Cilium's
 *   `allow-localhost` lets "the local stack reach local endpoints"); a Cilium deny rule still denies it;
 * - Cilium's `host` entity is the pod's own node and `remote-node` the others (`cilium.ts`).
 *
 * Without both (manifests: Deployments have no node), nothing here applies: `host` and `remote-node` both
 * stand for every node, and no own-node rule is evaluated. Pure: no I/O.
 */
import type { ClusterState, NodeInfo, PodInfo } from '../model/cluster.ts';
import type { AddressSpace } from './addresses.ts';
import type { PodClass } from './classes.ts';
import type { Access, CompiledCluster, EngineOptions } from './compile.ts';
import { AdditiveMap, type PeerMap } from './decisions.ts';
import { ALL_CONNECTIONS } from './ports.ts';
import { hostCidr } from './tiers.ts';

/** The Nodes pods are known to run on: node name → the CIDRs of its addresses (one address each). */
export interface NodePlacement {
  readonly addresses: ReadonlyMap<string, readonly string[]>;
}

/**
 * The placement of the state's pods, or undefined when no pod's `nodeName` names a Node with an address:
 * then classes are not split by node and nothing depends on nodes (the no-node case, unchanged).
 */
export function nodePlacement(state: ClusterState): NodePlacement | undefined {
  if (state.nodes.length === 0) return undefined;
  const addresses = new Map<string, string[]>();
  for (const n of state.nodes) {
    const cidrs = n.addresses.flatMap((a) => hostCidr(a) ?? []);
    if (cidrs.length > 0) addresses.set(n.name, cidrs);
  }
  if (!state.pods.some((p) => p.nodeName !== undefined && addresses.has(p.nodeName))) return undefined;
  return { addresses };
}

/** The node of a pod, when the placement knows it. */
export function nodeOfPod(placement: NodePlacement | undefined, pod: PodInfo): string | undefined {
  return pod.nodeName !== undefined && placement?.addresses.has(pod.nodeName) === true
    ? pod.nodeName
    : undefined;
}

/** Every node address of a placement, as CIDRs: where the address space must be split. */
export function placementCidrs(placement: NodePlacement | undefined): string[] {
  return placement === undefined ? [] : [...placement.addresses.values()].flat();
}

/**
 * The address classes made of Node addresses alone, each with the Nodes whose addresses it holds (sorted), in
 * the order the Nodes' addresses first reach them. Where something sets node addresses apart (a placement, a
 * Cilium peer: `ciliumSpaceSplits`), each node address is a class of its own; where nothing does, a node
 * address shares its class with outside addresses (the rest of the outside, an except's block), and such a
 * class, partly outside the cluster, is not among them.
 */
export function nodeAddressClasses(
  space: AddressSpace,
  nodes: readonly NodeInfo[],
): ReadonlyMap<number, readonly string[]> {
  const held = new Map<number, { addresses: Set<string>; nodes: Set<string> }>();
  for (const node of nodes) {
    for (const a of node.addresses) {
      const cidr = hostCidr(a);
      const id = cidr === undefined ? undefined : space.classOfIp(a);
      if (id === undefined) continue;
      let h = held.get(id);
      if (h === undefined) held.set(id, (h = { addresses: new Set(), nodes: new Set() }));
      h.addresses.add(cidr!);
      h.nodes.add(node.name);
    }
  }
  const out = new Map<number, readonly string[]>();
  for (const [id, h] of held) {
    const size = space.classes[id]!.cover.reduce((n, c) => n + (c.end - c.start + 1n), 0n);
    if (BigInt(h.addresses.size) === size) out.set(id, [...h.nodes].sort());
  }
  return out;
}

/**
 * `nodeAddressClasses` once per address space and list of Nodes: the compiler's peers, Cilium's entities and the
 * compiled cluster's readers (`nodesAtAddressClass`) all ask for it, and the compiled cluster keeps the
 * compiler's space and state. Keyed by both objects, so a space asked about another list of Nodes (none of the
 * engine's callers does: an incremental edit either keeps both or builds a new space) gets its own answer.
 */
const nodeAddressMemo = new WeakMap<
  AddressSpace,
  WeakMap<readonly NodeInfo[], ReadonlyMap<number, readonly string[]>>
>();

/** `nodeAddressClasses(space, nodes)`, computed once per space and list of Nodes. */
export function nodeAddressClassesOf(
  space: AddressSpace,
  nodes: readonly NodeInfo[],
): ReadonlyMap<number, readonly string[]> {
  let bySpace = nodeAddressMemo.get(space);
  if (bySpace === undefined) nodeAddressMemo.set(space, (bySpace = new WeakMap()));
  let out = bySpace.get(nodes);
  if (out === undefined) bySpace.set(nodes, (out = nodeAddressClasses(space, nodes)));
  return out;
}

/**
 * The Nodes whose addresses make up this address class of the compiled cluster, sorted; [] when it holds any
 * other address (`nodeAddressClasses`).
 */
export function nodesAtAddressClass(compiled: CompiledCluster, classId: number): readonly string[] {
  return nodeAddressClassesOf(compiled.addressSpace, compiled.state.nodes).get(classId) ?? [];
}

/** The Nodes having each address (as a CIDR of one address), for addresses observed that are a Node's. */
export function nodesByAddress(state: ClusterState): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const node of state.nodes) {
    for (const a of node.addresses) {
      const cidr = hostCidr(a);
      if (cidr === undefined) continue;
      const list = out.get(cidr) ?? [];
      if (!list.includes(node.name)) list.push(node.name);
      out.set(cidr, list);
    }
  }
  for (const list of out.values()) list.sort();
  return out;
}

/**
 * The Nodes each workload's pods run on (by `spec.nodeName`), and the workloads with a pod that names none
 * (where a pod runs is then not known of the whole workload).
 */
export function workloadNodes(state: ClusterState): {
  nodes: Map<string, Set<string>>;
  unplaced: Set<string>;
} {
  const nodes = new Map<string, Set<string>>();
  const unplaced = new Set<string>();
  for (const p of state.pods) {
    if (p.nodeName === undefined) {
      unplaced.add(p.workload);
      continue;
    }
    const of = nodes.get(p.workload) ?? new Set<string>();
    of.add(p.nodeName);
    nodes.set(p.workload, of);
  }
  return { nodes, unplaced };
}

/** Whether the profile lets traffic from a pod's own node through (all but Cilium's `allow-localhost=policy`). */
export function ownNodeAllowed(options: Pick<Partial<EngineOptions>, 'cni'>): boolean {
  return (options.cni?.settings.ownNodeTraffic ?? 'allowed') === 'allowed';
}

/**
 * The rule that lets traffic from the pod's own node through, in words (`explain`): the Kubernetes docs,
 * or Cilium's `allow-localhost` under the cilium profile.
 */
export function ownNodeRule(options: EngineOptions): string {
  return options.cni?.cni === 'cilium'
    ? 'own node: always allowed (cilium: allow-localhost)'
    : 'own node: always allowed (Kubernetes)';
}

/** Whether `peer` (a pod class or an address class) is the own node of class `cls` for the own-node rule. */
export function isOwnNode(
  ctx: OwnNodeContext,
  options: EngineOptions,
  cls: PodClass,
  peer: { pod: number } | { address: number },
): boolean {
  const peers = ownNodeIngress(ctx, options, cls);
  if (peers === undefined) return false;
  return 'pod' in peer ? peers.pods.includes(peer.pod) : peers.addresses.includes(peer.address);
}

/** What the own-node rule needs of the policy compiler. */
export interface OwnNodeContext {
  readonly classes: readonly PodClass[];
  readonly space: { classOfIp(ip: string): number | undefined };
  readonly placement: NodePlacement | undefined;
}

/** One node's peers: the address classes of its addresses and the host-network pod classes on it. */
export interface NodePeers {
  addresses: readonly number[];
  pods: readonly number[];
}

const peersMemo = new WeakMap<OwnNodeContext, Map<string, NodePeers>>();

/** The peers that are node `node` (its addresses, the host-network pods known to run on it). */
export function nodePeers(ctx: OwnNodeContext, node: string): NodePeers {
  let memo = peersMemo.get(ctx);
  if (memo === undefined) peersMemo.set(ctx, (memo = new Map<string, NodePeers>()));
  let out = memo.get(node);
  if (out === undefined) {
    const addresses = new Set<number>();
    for (const cidr of ctx.placement?.addresses.get(node) ?? []) {
      const id = ctx.space.classOfIp(cidr.slice(0, cidr.lastIndexOf('/')));
      if (id !== undefined) addresses.add(id);
    }
    const pods = ctx.classes.filter((c) => c.hostNetworkPod && c.node === node).map((c) => c.id);
    out = { addresses: [...addresses].sort((a, b) => a - b), pods };
    memo.set(node, out);
  }
  return out;
}

/**
 * What the own-node rule allows towards class `cls` as ingress (every port from its node's addresses and
 * host-network pods), or undefined when it allows nothing more: the node is unknown, the profile subjects it
 * to policy, or the class is a host-network pod class policies leave alone.
 */
export function ownNodeIngress(
  ctx: OwnNodeContext,
  options: EngineOptions,
  cls: PodClass,
): NodePeers | undefined {
  if (cls.node === undefined || cls.hostNetwork || !ownNodeAllowed(options)) return undefined;
  return nodePeers(ctx, cls.node);
}

/** The own-node peers as a `PeerMap` (every port). */
export function ownNodeMap(ctx: OwnNodeContext, peers: NodePeers): PeerMap {
  const b = new AdditiveMap();
  for (const id of peers.pods) b.addPod(id, ALL_CONNECTIONS);
  for (const a of peers.addresses) b.addAddress(a, ALL_CONNECTIONS);
  return b.build(ctx.classes);
}

const accessMemo = new WeakMap<Access, Map<string, Access>>();

/**
 * A class's NetworkPolicy ingress `access` with traffic from its own node allowed (when the rule applies to
 * it and the access isolates it; an access that does not isolate allows it already). Classes on one node share
 * the result.
 */
export function withOwnNode(
  ctx: OwnNodeContext & { readonly options: EngineOptions },
  access: Access,
  cls: PodClass,
): Access {
  if (!access.isolated) return access;
  const peers = ownNodeIngress(ctx, ctx.options, cls);
  if (peers === undefined || (peers.addresses.length === 0 && peers.pods.length === 0)) return access;
  let memo = accessMemo.get(access);
  if (memo === undefined) accessMemo.set(access, (memo = new Map<string, Access>()));
  let out = memo.get(cls.node!);
  if (out === undefined) {
    const pods = new Map(access.pods);
    for (const id of peers.pods) pods.set(id, ALL_CONNECTIONS);
    const addresses = new Map(access.addresses);
    for (const a of peers.addresses) addresses.set(a, ALL_CONNECTIONS);
    out = { ...access, pods, addresses };
    memo.set(cls.node!, out);
  }
  return out;
}
