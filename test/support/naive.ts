/**
 * A deliberately naive reference evaluator for Kubernetes NetworkPolicies, written straight from the
 * networking.k8s.io/v1 API reference, and for the cluster-wide tiers around them (ClusterNetworkPolicy
 * v1alpha2/v1beta1, AdminNetworkPolicy and BaselineAdminNetworkPolicy v1alpha1), written from the doc
 * comments of sigs.k8s.io/network-policy-api quoted in docs/design/tiers.md. It answers one question at a
 * time — may `src` open a connection to `dst` on this protocol and port? — by walking every policy, rule and
 * peer. It is slow on purpose and shares no code with `src/engine`: its own label selector matching, its own
 * address parsing (BigInt, IPv4 and IPv6), no interval sets, no compilation. Cluster policies are read from
 * the spec as written (`ClusterPolicyInfo.spec`, `kind`, `name`), not from netfence's normalized rules, so
 * the normalization is checked too. The engine is tested against it.
 *
 * It expects valid objects (as the API server would have admitted them) and throws on anything else, so
 * that a broken fixture fails loudly instead of quietly meaning something.
 */
import type { NamedPort, ClusterState, ClusterPolicyInfo, PodInfo } from '../../src/model/cluster.ts';
import type {
  AnpPort,
  CnpProtocol,
  IPBlock,
  LabelSelector,
  NetworkPolicyPeer,
  NetworkPolicyPort,
  NetworkPolicySpec,
  Protocol,
  TierEgressPeer,
  TierSubject,
} from '../../src/model/k8s.ts';
import { NAMESPACE_NAME_LABEL } from '../../src/model/cluster.ts';
import {
  naiveCiliumL7,
  naiveCiliumReachesName,
  naiveCiliumVerdict,
  type CiliumHelpers,
} from './naive-cilium.ts';

/** Same shape as the engine's `Endpoint`, declared here so that nothing is shared with the engine. */
export type NaiveEndpoint = { kind: 'pod'; namespace: string; name: string } | { kind: 'ip'; ip: string };

export interface NaiveOptions {
  /** Whether an `ipBlock` peer also matches a pod having one of its IPs in the block. */
  ipBlockMatchesPods: boolean;
  /**
   * `policed`: a host-network pod is an ordinary pod (the API read literally). `exempt` (default): no policy
   * selects it and no selector peer matches it.
   */
  hostNetworkPods?: 'exempt' | 'policed';
  /**
   * How a CNI reads what the API leaves open (docs/cni.md), when it departs from the API. Plain data, read
   * here with this evaluator's own logic.
   */
  cni?: NaiveCni;
}

/** A CNI's reading of NetworkPolicies, as docs/cni.md states it. */
export interface NaiveCni {
  /** Whether an `ipBlock` matches a host-network pod (whose IP is its node's) by its IP. */
  cidrMatchesNodes: boolean;
  /**
   * `range`: port..endPort. `first-port`: the endPort is dropped, only `port` is allowed. `policy-ignored`:
   * a policy with any endPort is not enforced at all (as if it did not exist).
   */
  endPort: 'range' | 'first-port' | 'policy-ignored';
  /** Whether an SCTP entry of `ports` allows anything. */
  sctp: boolean;
  /** The cluster policy kinds the CNI enforces (absent: every kind); the others are as if not there. */
  clusterPolicies?: readonly string[];
  /** Cilium's host firewall: whether host policies (`nodeSelector`) apply (naive-cilium.ts). */
  hostFirewall?: boolean;
  /** Traffic from the pod's own node: `allowed` (absent too: the Kubernetes docs) or subject to `policy`. */
  ownNodeTraffic?: 'allowed' | 'policy';
  /** Cilium's `cluster-name`: the value of every pod's identity label `io.cilium.k8s.policy.cluster`. */
  clusterName?: string;
  /** Whether Cilium reads `enableDefaultDeny` (from 1.16, unless `enable-non-default-deny-policies=false`). */
  enableDefaultDeny?: boolean;
}

type Direction = 'Ingress' | 'Egress';
type Labels = Readonly<Record<string, string>>;
type Side = { kind: 'pod'; pod: PodInfo } | { kind: 'ip'; ip: string };

/**
 * Whether the connection `src` → `dst` on `protocol`/`port` is allowed: the source side must allow it as
 * egress and the destination side as ingress. An address outside the cluster is governed by no policy.
 */
export function naiveAllowed(
  state: ClusterState,
  src: NaiveEndpoint,
  dst: NaiveEndpoint,
  protocol: Protocol,
  port: number,
  options: NaiveOptions,
): boolean {
  const conn = connection(state, src, dst, protocol, port, options);
  return sideAllows(conn, 'Egress') && sideAllows(conn, 'Ingress');
}

function connection(
  state: ClusterState,
  src: NaiveEndpoint,
  dst: NaiveEndpoint,
  protocol: Protocol,
  port: number,
  options: NaiveOptions,
): Connection {
  return { state, source: resolve(state, src), destination: resolve(state, dst), protocol, port, options };
}

/**
 * The Cilium policies whose L7 rules filter the connection, by id, sorted: "allowed at L4, filtered at L7 by
 * <policy>". [] when it is denied, or when no L7 rule filters it at either side (an L4-only allow of a side
 * cancels that side's L7 rules; naive-cilium.ts). A pod's connection to its own IP is not filtered (Cilium
 * policies do not see it).
 */
export function naiveL7(
  state: ClusterState,
  src: NaiveEndpoint,
  dst: NaiveEndpoint,
  protocol: Protocol,
  port: number,
  options: NaiveOptions,
): string[] {
  if (!naiveAllowed(state, src, dst, protocol, port, options)) return [];
  const conn = connection(state, src, dst, protocol, port, options);
  if (
    conn.source.kind === 'pod' &&
    conn.destination.kind === 'pod' &&
    conn.source.pod === conn.destination.pod
  )
    return [];
  const ids = new Set<string>();
  for (const direction of ['Egress', 'Ingress'] as const) {
    const np = networkPolicyDecision(conn, direction) === true;
    for (const id of naiveCiliumL7(CILIUM_HELPERS, conn, direction, np)) ids.add(id);
  }
  return [...ids].sort();
}

/**
 * Whether the pod `src` reaches the DNS name `name` on `protocol`/`port` by name, through Cilium `toFQDNs`
 * rules (naive-cilium.ts); `outside`: addresses outside the cluster the name may resolve to.
 */
export function naiveReachesName(
  state: ClusterState,
  src: NaiveEndpoint & { kind: 'pod' },
  name: string,
  protocol: Protocol,
  port: number,
  outside: readonly string[],
): boolean {
  const side = resolve(state, src);
  if (side.kind !== 'pod') return false;
  return naiveCiliumReachesName(CILIUM_HELPERS, state, side.pod, name, protocol, port, outside);
}

/**
 * One direction (egress at the source, ingress at the destination), tier by tier: the Admin tier, then
 * NetworkPolicy if it isolates the pod in this direction, then the Baseline tier, then the default (allowed).
 * "A Pod connecting directly to its own Pod IP is never subject to ClusterNetworkPolicy enforcement": a pod's
 * connection to itself skips both cluster tiers (NetworkPolicy still applies).
 */
function sideAllows(conn: Connection, direction: Direction): boolean {
  const hairpin =
    conn.source.kind === 'pod' && conn.destination.kind === 'pod' && conn.source.pod === conn.destination.pod;
  if (!hairpin) {
    const admin = tierDecision(conn, direction, 'Admin');
    if (admin !== undefined) return admin;
  }
  // "Traffic to and from the node where a Pod is running is always allowed" (the NetworkPolicy reference,
  // ipBlock): policies isolating the pod (NetworkPolicies, a Cilium default deny) cannot block traffic from
  // its own node; a Cilium deny still can. (Not isolated, it is allowed anyway, unless the Baseline tier
  // denies it: its peers cannot name a node, so only a peer read as "anything" does.)
  const fromOwnNode = direction === 'Ingress' && ownNodeTraffic(conn);
  const decided = networkPolicyDecision(conn, direction);
  const networkPolicy = decided === undefined ? undefined : decided || fromOwnNode;
  // Cilium policies sit beside NetworkPolicies (docs/design/cilium.md): "Deny policies take precedence over
  // allow policies, regardless of whether they are a Cilium Network Policy, a Clusterwide Cilium Network
  // Policy or even a Kubernetes Network Policy"; allows of both kinds add up; either kind isolates. Like the
  // cluster tiers, they do not see a pod's connection to its own IP (it never leaves the pod).
  const cilium = hairpin ? undefined : naiveCiliumVerdict(CILIUM_HELPERS, conn, direction);
  if (cilium?.denied === true) return false;
  if (cilium?.isolated === true) return networkPolicy === true || cilium.allowed || fromOwnNode;
  if (networkPolicy !== undefined) return networkPolicy || cilium?.allowed === true;
  if (!hairpin) {
    const baseline = tierDecision(conn, direction, 'Baseline');
    if (baseline !== undefined) return baseline;
  }
  return true;
}

/**
 * Whether the connection comes from the destination pod's own node: its `spec.nodeName` names a Node with
 * addresses, and the source is one of them, or a host-network pod on that node. Only where the CNI lets it
 * through (Cilium's `allow-localhost=policy` does not).
 */
function ownNodeTraffic(conn: Connection): boolean {
  if ((conn.options.cni?.ownNodeTraffic ?? 'allowed') !== 'allowed') return false;
  const dst = conn.destination;
  if (dst.kind !== 'pod' || dst.pod.nodeName === undefined) return false;
  const node = conn.state.nodes.find((n) => n.name === dst.pod.nodeName && n.addresses.length > 0);
  if (node === undefined) return false;
  const src = conn.source;
  if (src.kind === 'pod') return src.pod.hostNetwork && src.pod.nodeName === node.name;
  return node.addresses.some((a) => CILIUM_HELPERS.sameAddress(a, src.ip));
}

/** Whether policies leave a pod alone: a host-network pod, unless `hostNetworkPods` is `policed`. */
function exempt(conn: Connection, pod: PodInfo): boolean {
  return pod.hostNetwork && conn.options.hostNetworkPods !== 'policed';
}

interface Connection {
  state: ClusterState;
  source: Side;
  destination: Side;
  protocol: Protocol;
  port: number;
  options: NaiveOptions;
}

function resolve(state: ClusterState, endpoint: NaiveEndpoint): Side {
  if (endpoint.kind === 'ip') return { kind: 'ip', ip: endpoint.ip };
  const pod = state.pods.find((p) => p.namespace === endpoint.namespace && p.name === endpoint.name);
  if (pod === undefined) throw new Error(`naive: no pod ${endpoint.namespace}/${endpoint.name}`);
  return { kind: 'pod', pod };
}

// ---------------------------------------------------------------------------------------------------------
// Isolation and rules

/**
 * What NetworkPolicies decide for one direction: `undefined` when none isolates the pod in that direction
 * (evaluation goes on to the Baseline tier), else whether they allow it. Egress is decided at the source,
 * ingress at the destination.
 */
function networkPolicyDecision(conn: Connection, direction: Direction): boolean | undefined {
  const self = direction === 'Egress' ? conn.source : conn.destination;
  const other = direction === 'Egress' ? conn.destination : conn.source;
  if (self.kind === 'ip') return undefined;
  // "Traffic is allowed if there are no NetworkPolicies selecting the pod" for that direction; otherwise
  // "if the traffic matches at least one rule across all of the NetworkPolicy objects whose podSelector
  // matches the pod".
  const governing = conn.state.policies.filter(
    (p) =>
      p.namespace === self.pod.namespace &&
      !(conn.options.cni?.endPort === 'policy-ignored' && hasEndPort(p.spec)) &&
      !exempt(conn, self.pod) &&
      policySelectsPod(p.spec, self.pod) &&
      effectivePolicyTypes(p.spec).includes(direction),
  );
  if (governing.length === 0) return undefined;
  return governing.some((p) => {
    // Rules of a direction the policy does not apply to are ignored (policyTypes wins).
    const rules =
      direction === 'Ingress'
        ? (p.spec.ingress ?? []).map((r) => ({ peers: r.from, ports: r.ports }))
        : (p.spec.egress ?? []).map((r) => ({ peers: r.to, ports: r.ports }));
    return rules.some(
      (rule) => peersMatch(conn, rule.peers, p.namespace, other) && portsMatch(conn, rule.ports),
    );
  });
}

/** Whether some rule of the policy has a port range. */
function hasEndPort(spec: NetworkPolicySpec): boolean {
  return [...(spec.ingress ?? []), ...(spec.egress ?? [])].some((r) =>
    (r.ports ?? []).some((p) => p.endPort !== undefined),
  );
}

/** `spec.podSelector` absent is `{}`: every pod of the policy's namespace. */
function policySelectsPod(spec: NetworkPolicySpec, pod: PodInfo): boolean {
  return selectorMatches(spec.podSelector ?? {}, pod.labels);
}

/**
 * The policy types a policy applies to. The API reference: "If this field is not specified, it will default
 * based on the existence of Ingress or Egress rules; policies that contain an Egress section are assumed to
 * affect Egress, and all policies (whether or not they contain an Ingress section) are assumed to affect
 * Ingress." The prose leaves open whether `egress: []` "contains an Egress section". The API server decides
 * it in its defaulting (k8s.io/kubernetes pkg/apis/networking/v1/defaults.go, `SetDefaults_NetworkPolicy`):
 *
 *     if len(obj.Spec.PolicyTypes) == 0 {
 *       obj.Spec.PolicyTypes = []PolicyType{PolicyTypeIngress}
 *       if len(obj.Spec.Egress) != 0 { obj.Spec.PolicyTypes = append(obj.Spec.PolicyTypes, PolicyTypeEgress) }
 *     }
 *
 * A stored policy therefore never has an empty policyTypes, and `egress: []` alone does NOT make it an Egress
 * policy (Go's `len` of an empty slice is 0, as of an absent one). Checked against a real kube-apiserver
 * v1.36.3: `{podSelector: {}, egress: []}` is stored as `{podSelector: {}, policyTypes: ["Ingress"]}`, and
 * `policyTypes: []` with egress rules as `["Ingress", "Egress"]`. Every CNI reads the defaulted object, so
 * this is what a cluster enforces, and it is what this evaluator does: `policyTypes: []` is "not specified",
 * and only a non-empty `egress` adds Egress.
 */
export function effectivePolicyTypes(spec: NetworkPolicySpec): readonly Direction[] {
  const types = spec.policyTypes;
  if (types !== undefined && types.length > 0) {
    for (const t of types) if (t !== 'Ingress' && t !== 'Egress') throw new Error(`naive: policyType ${t}`);
    return types as Direction[];
  }
  return spec.egress !== undefined && spec.egress.length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
}

/** `from`/`to` absent or empty: every peer, in the cluster or not. Otherwise any listed peer. */
function peersMatch(
  conn: Connection,
  peers: readonly NetworkPolicyPeer[] | undefined,
  policyNamespace: string,
  other: Side,
): boolean {
  if (peers === undefined || peers.length === 0) return true;
  return peers.some((peer) => peerMatches(conn, peer, policyNamespace, other));
}

function peerMatches(
  conn: Connection,
  peer: NetworkPolicyPeer,
  policyNamespace: string,
  other: Side,
): boolean {
  const { podSelector, namespaceSelector, ipBlock } = peer;
  if (ipBlock !== undefined) {
    if (podSelector !== undefined || namespaceSelector !== undefined) {
      throw new Error('naive: invalid peer: ipBlock together with a selector');
    }
    if (other.kind === 'ip') {
      // A Node's address is a node's, whose CNI may keep CIDR rules off it (Cilium: `remote-node`, `host`).
      const nodeIp = conn.state.nodes.some((n) =>
        n.addresses.some((a) => CILIUM_HELPERS.sameAddress(a, other.ip)),
      );
      if (nodeIp && conn.options.cni?.cidrMatchesNodes === false) return false;
      return ipBlockContains(ipBlock, other.ip);
    }
    // A host-network pod's IP is its node's: the CNI's reading of node IPs decides, when it has one.
    const matches =
      other.pod.hostNetwork && conn.options.cni !== undefined
        ? conn.options.cni.cidrMatchesNodes
        : conn.options.ipBlockMatchesPods;
    return matches && other.pod.ips.some((ip) => ipBlockContains(ipBlock, ip));
  }
  if (podSelector === undefined && namespaceSelector === undefined)
    throw new Error('naive: invalid empty peer');
  // Selector peers match pods only, and never a host-network pod (netfence's documented choice).
  if (other.kind === 'ip' || exempt(conn, other.pod)) return false;
  const pod = other.pod;
  const namespaceOk =
    namespaceSelector === undefined
      ? pod.namespace === policyNamespace
      : selectorMatches(namespaceSelector, namespaceLabels(conn.state, pod.namespace));
  const podOk = podSelector === undefined || selectorMatches(podSelector, pod.labels);
  return namespaceOk && podOk;
}

function namespaceLabels(state: ClusterState, name: string): Labels {
  const ns = state.namespaces.find((n) => n.name === name);
  // Every namespace carries its name as a label, whether or not the input defines the namespace.
  return { ...(ns?.labels ?? {}), [NAMESPACE_NAME_LABEL]: name };
}

/** `ports` absent or empty: every port of every protocol. Otherwise any listed entry. */
function portsMatch(conn: Connection, ports: readonly NetworkPolicyPort[] | undefined): boolean {
  if (ports === undefined || ports.length === 0) return true;
  return ports.some((entry) => portMatches(conn, entry));
}

function portMatches(conn: Connection, entry: NetworkPolicyPort): boolean {
  const protocol = entry.protocol ?? 'TCP';
  if (protocol !== conn.protocol) return false;
  if (protocol === 'SCTP' && conn.options.cni?.sctp === false) return false;
  const { port } = entry;
  const endPort = conn.options.cni?.endPort === 'first-port' ? undefined : entry.endPort;
  if (port === undefined) {
    if (endPort !== undefined) throw new Error('naive: invalid port: endPort without port');
    return true;
  }
  if (typeof port === 'number') {
    if (endPort === undefined) return conn.port === port;
    if (endPort < port) throw new Error(`naive: invalid port: endPort ${endPort} < port ${port}`);
    return port <= conn.port && conn.port <= endPort;
  }
  if (endPort !== undefined) throw new Error('naive: invalid port: endPort with a named port');
  // A named port is resolved against the destination pod's container ports, name and protocol both.
  // An address outside the cluster has no named ports, and a pod without that name matches nothing.
  if (conn.destination.kind === 'ip') return false;
  return conn.destination.pod.namedPorts.some(
    (np: NamedPort) => np.name === port && np.protocol === protocol && np.port === conn.port,
  );
}

// ---------------------------------------------------------------------------------------------------------
// Cluster-wide tiers

type TierName = 'Admin' | 'Baseline';

/** A rule as written: CNP rules carry `protocols`, ANP/BANP rules `ports`; ingress `from`, egress `to`. */
interface WireTierRule {
  action?: string;
  from?: readonly TierEgressPeer[];
  to?: readonly TierEgressPeer[];
  protocols?: readonly CnpProtocol[];
  ports?: readonly AnpPort[];
}

interface WireTierSpec {
  tier?: string;
  priority?: number;
  subject?: TierSubject;
  ingress?: readonly WireTierRule[];
  egress?: readonly WireTierRule[];
}

/** A cluster policy as the API defines it: its kind, name and the spec as written. */
interface TierPolicy {
  kind: ClusterPolicyInfo['kind'];
  name: string;
  tier: TierName;
  /** `undefined` for the BaselineAdminNetworkPolicy, which has none. */
  priority: number | undefined;
  spec: WireTierSpec;
}

function tierPolicy(info: ClusterPolicyInfo): TierPolicy {
  const spec = info.spec as WireTierSpec;
  switch (info.kind) {
    case 'ClusterNetworkPolicy':
      if (spec.tier !== 'Admin' && spec.tier !== 'Baseline') throw new Error(`naive: CNP tier ${spec.tier}`);
      return { kind: info.kind, name: info.name, tier: spec.tier, priority: spec.priority ?? 0, spec };
    case 'AdminNetworkPolicy':
      return { kind: info.kind, name: info.name, tier: 'Admin', priority: spec.priority ?? 0, spec };
    case 'BaselineAdminNetworkPolicy':
      return { kind: info.kind, name: info.name, tier: 'Baseline', priority: undefined, spec };
  }
}

/**
 * Evaluation order inside a tier: "Policies with lower priority values have higher precedence"; the
 * BaselineAdminNetworkPolicy after every Baseline ClusterNetworkPolicy (its rules apply "if they are not
 * matched by any AdminNetworkPolicy or NetworkPolicy rules", and a Baseline CNP is the newer form of the
 * same tier). Equal priorities are undefined by the API; netfence's documented choice, written out here on
 * its own: ClusterNetworkPolicies before AdminNetworkPolicies, then by name (code units).
 */
function evaluationOrder(a: TierPolicy, b: TierPolicy): number {
  if (a.priority === undefined || b.priority === undefined) {
    return (a.priority === undefined ? 1 : 0) - (b.priority === undefined ? 1 : 0);
  }
  if (a.priority !== b.priority) return a.priority - b.priority;
  if (a.kind !== b.kind)
    return a.kind === 'ClusterNetworkPolicy' ? -1 : b.kind === 'ClusterNetworkPolicy' ? 1 : 0;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * What one tier decides for one direction: `true` (Accept/Allow), `false` (Deny), or `undefined` when no
 * rule matched or the first matching rule is a Pass ("Skips all further ClusterNetworkPolicy rules in the
 * current tier … and passes evaluation to the next tier"). Only pods are subjects, never a host-network pod
 * ("host-networked pods are not included in subject selection"), whatever `hostNetworkPods` says for
 * NetworkPolicies: the cluster policy API excludes them in its own words.
 */
function tierDecision(conn: Connection, direction: Direction, tier: TierName): boolean | undefined {
  const self = direction === 'Egress' ? conn.source : conn.destination;
  const other = direction === 'Egress' ? conn.destination : conn.source;
  if (self.kind === 'ip' || self.pod.hostNetwork) return undefined;
  const subject = self.pod;
  const enforced = conn.options.cni?.clusterPolicies;
  const policies = conn.state.clusterPolicies
    .filter((p) => enforced === undefined || enforced.includes(p.kind))
    .map(tierPolicy)
    .filter((p) => p.tier === tier && subjectSelects(conn.state, p.spec.subject, subject))
    .sort(evaluationOrder);
  for (const p of policies) {
    // "a rule that appears at the top of the ingress rules would take the highest precedence"
    for (const rule of (direction === 'Ingress' ? p.spec.ingress : p.spec.egress) ?? []) {
      const action = tierAction(p, rule.action);
      const peers = (direction === 'Ingress' ? rule.from : rule.to) ?? [];
      if (!peers.some((peer) => tierPeerMatches(conn, peer, action, other))) continue;
      if (!tierPortsMatch(conn, p, rule)) continue;
      if (action === 'Pass') return undefined;
      return action === 'Allow';
    }
  }
  return undefined;
}

/** CNP `Accept`/`Deny`/`Pass`, ANP `Allow`/`Deny`/`Pass`, BANP `Allow`/`Deny`; `Accept` read as `Allow`. */
function tierAction(p: TierPolicy, word: string | undefined): 'Allow' | 'Deny' | 'Pass' {
  const words =
    p.kind === 'ClusterNetworkPolicy'
      ? { Accept: 'Allow', Deny: 'Deny', Pass: 'Pass' }
      : p.kind === 'AdminNetworkPolicy'
        ? { Allow: 'Allow', Deny: 'Deny', Pass: 'Pass' }
        : { Allow: 'Allow', Deny: 'Deny' };
  const action = (words as Record<string, 'Allow' | 'Deny' | 'Pass'>)[word ?? ''];
  if (action === undefined) throw new Error(`naive: ${p.kind} action ${word}`);
  return action;
}

/** "Exactly one field must be set": `namespaces`, or `pods` (namespace AND pod labels); empty selects all. */
function subjectSelects(state: ClusterState, subject: TierSubject | undefined, pod: PodInfo): boolean {
  if (subject === undefined) throw new Error('naive: cluster policy without a subject');
  if (subject.namespaces !== undefined && subject.pods === undefined) {
    return selectorMatches(subject.namespaces, namespaceLabels(state, pod.namespace));
  }
  if (subject.pods !== undefined && subject.namespaces === undefined) {
    return (
      selectorMatches(subject.pods.namespaceSelector ?? {}, namespaceLabels(state, pod.namespace)) &&
      selectorMatches(subject.pods.podSelector ?? {}, pod.labels)
    );
  }
  throw new Error('naive: cluster policy subject must set exactly one of namespaces, pods');
}

const TIER_PEER_FIELDS = ['namespaces', 'pods', 'nodes', 'networks', 'domainNames'] as const;

/**
 * One peer against the other end. `namespaces`/`pods`: pods only, never a host-network pod. `networks`: the
 * address, or any IP of a pod ("cluster-internal traffic will be checked against the rule as well"); a pod
 * whose IPs are unknown is matched by `0.0.0.0/0` (every pod has an IP; netfence assumes IPv4).
 * `nodes`: the IPs of the selected Nodes (so the pods at them, host-network pods). `domainNames`: no address
 * is known statically, nothing matches. A peer with no field this evaluator knows fails closed: "For Accept
 * rules … treat the rule as matching no traffic. For Deny and Pass rules … a 'Deny all' rule".
 */
function tierPeerMatches(
  conn: Connection,
  peer: TierEgressPeer,
  action: 'Allow' | 'Deny' | 'Pass',
  other: Side,
): boolean {
  const set = TIER_PEER_FIELDS.filter((f) => peer[f] !== undefined);
  if (set.length > 1) throw new Error(`naive: cluster policy peer with ${set.join(' and ')}`);
  if (set.length === 0) return action !== 'Allow';
  const ips = other.kind === 'ip' ? [other.ip] : other.pod.ips;
  const selectable = other.kind === 'pod' && !other.pod.hostNetwork ? other.pod : undefined;
  if (peer.namespaces !== undefined) {
    return (
      selectable !== undefined &&
      selectorMatches(peer.namespaces, namespaceLabels(conn.state, selectable.namespace))
    );
  }
  if (peer.pods !== undefined) {
    return (
      selectable !== undefined &&
      selectorMatches(peer.pods.namespaceSelector ?? {}, namespaceLabels(conn.state, selectable.namespace)) &&
      selectorMatches(peer.pods.podSelector ?? {}, selectable.labels)
    );
  }
  if (peer.networks !== undefined) {
    // A pod whose IP is not known (manifests from files) has one all the same: netfence assumes IPv4.
    if (other.kind === 'pod' && ips.length === 0) return peer.networks.includes('0.0.0.0/0');
    return peer.networks.some((cidr) => ips.some((ip) => cidrContains(cidr, parseAddress(ip))));
  }
  if (peer.nodes !== undefined) {
    const selector = peer.nodes;
    const nodeIps = conn.state.nodes
      .filter((n) => selectorMatches(selector, n.labels))
      .flatMap((n) => n.addresses.map(addressOrUndefined))
      .filter((a) => a !== undefined);
    return ips.some((ip) => {
      const a = parseAddress(ip);
      return nodeIps.some((n) => n.family === a.family && n.value === a.value);
    });
  }
  return false; // domainNames
}

/** A Node address that is an IP (a `Hostname` or DNS address is not). */
function addressOrUndefined(text: string): Address | undefined {
  try {
    return parseAddress(text);
  } catch {
    return undefined;
  }
}

/**
 * A rule's ports ("If unspecified, protocol-specific attributes will not be used to match traffic"): CNP
 * `protocols` entries (`tcp`/`udp`/`sctp` with a `destinationPort` number or range, or a
 * `destinationNamedPort`), ANP/BANP `ports` (`portNumber`, protocol TCP unless given; `portRange`;
 * `namedPort`). A named port is the destination pod's container port of that name, whatever its protocol
 * (the API names none).
 */
function tierPortsMatch(conn: Connection, p: TierPolicy, rule: WireTierRule): boolean {
  const named = (name: string): boolean =>
    conn.destination.kind === 'pod' &&
    conn.destination.pod.namedPorts.some(
      (np) => np.name === name && np.protocol === conn.protocol && np.port === conn.port,
    );
  const inRange = (protocol: Protocol, start: number, end: number): boolean => {
    if (!(start <= end)) throw new Error(`naive: port range ${start}-${end}`);
    return protocol === conn.protocol && start <= conn.port && conn.port <= end;
  };
  if (p.kind === 'ClusterNetworkPolicy') {
    if (rule.ports !== undefined) throw new Error('naive: CNP rule with ports');
    if (rule.protocols === undefined) return true;
    return rule.protocols.some((entry) => {
      if (entry.destinationNamedPort !== undefined) return named(entry.destinationNamedPort);
      const options = [
        ['TCP', entry.tcp],
        ['UDP', entry.udp],
        ['SCTP', entry.sctp],
      ] as const;
      const [protocol, option] = options.find(([, o]) => o !== undefined) ?? [];
      if (protocol === undefined || option?.destinationPort === undefined) {
        throw new Error(`naive: CNP protocols entry ${JSON.stringify(entry)}`);
      }
      const { number, range } = option.destinationPort;
      if (number !== undefined) return inRange(protocol, number, number);
      if (range === undefined) throw new Error('naive: CNP destinationPort without number or range');
      return inRange(protocol, range.start, range.end);
    });
  }
  if (rule.protocols !== undefined) throw new Error(`naive: ${p.kind} rule with protocols`);
  if (rule.ports === undefined) return true;
  return rule.ports.some((entry) => {
    if (entry.namedPort !== undefined) return named(entry.namedPort);
    if (entry.portNumber !== undefined) {
      const port = entry.portNumber.port;
      if (port === undefined) throw new Error('naive: portNumber without port');
      return inRange(anpProtocol(entry.portNumber.protocol), port, port);
    }
    const range = entry.portRange;
    if (range?.start === undefined || range.end === undefined) throw new Error('naive: bad ANP port');
    return inRange(anpProtocol(range.protocol), range.start, range.end);
  });
}

function anpProtocol(word: string | undefined): Protocol {
  if (word === undefined) return 'TCP';
  if (word === 'TCP' || word === 'UDP' || word === 'SCTP') return word;
  throw new Error(`naive: protocol ${word}`);
}

const CILIUM_HELPERS: CiliumHelpers = {
  selectorMatches,
  namespaceLabels,
  cidrContains: (cidr, ip) => cidrContains(cidr, parseAddress(ip)),
  sameAddress: (a, b) => {
    const x = addressOrUndefined(a);
    const y = addressOrUndefined(b);
    return x !== undefined && y !== undefined && x.family === y.family && x.value === y.value;
  },
  family: (ip) => addressOrUndefined(ip)?.family,
};

// ---------------------------------------------------------------------------------------------------------
// Label selectors

/** matchLabels AND every matchExpression. `{}` matches everything. */
export function selectorMatches(selector: LabelSelector, labels: Labels): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (!Object.hasOwn(labels, key) || labels[key] !== value) return false;
  }
  for (const req of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, req.key);
    const values = req.values ?? [];
    switch (req.operator) {
      case 'In':
        if (!has || !values.includes(labels[req.key]!)) return false;
        break;
      case 'NotIn':
        // A pod without the key is "not in" any set of values.
        if (has && values.includes(labels[req.key]!)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        throw new Error(`naive: unknown selector operator ${req.operator}`);
    }
  }
  return true;
}

// ---------------------------------------------------------------------------------------------------------
// Addresses

interface Address {
  family: 4 | 6;
  value: bigint;
}

/** `10.0.0.0/8` or `fd00::/64`. Host bits set after the mask are ignored, as Go's `net.ParseCIDR` does. */
function ipBlockContains(block: IPBlock, ip: string): boolean {
  const address = parseAddress(ip);
  return cidrContains(block.cidr, address) && !(block.except ?? []).some((e) => cidrContains(e, address));
}

function cidrContains(cidr: string, address: Address): boolean {
  const slash = cidr.indexOf('/');
  if (slash < 0) throw new Error(`naive: CIDR without a mask: ${cidr}`);
  const network = parseAddress(cidr.slice(0, slash));
  const bits = network.family === 4 ? 32 : 128;
  const prefix = Number(cidr.slice(slash + 1));
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > bits) throw new Error(`naive: bad mask: ${cidr}`);
  if (network.family !== address.family) return false;
  const shift = BigInt(bits - prefix);
  return network.value >> shift === address.value >> shift;
}

const addressCache = new Map<string, Address>();

export function parseAddress(text: string): Address {
  let address = addressCache.get(text);
  if (address === undefined) {
    address = text.includes(':')
      ? { family: 6, value: parseIPv6(text) }
      : { family: 4, value: parseIPv4(text) };
    addressCache.set(text, address);
  }
  return address;
}

function parseIPv4(text: string): bigint {
  const parts = text.split('.');
  if (parts.length !== 4) throw new Error(`naive: bad IPv4 address: ${text}`);
  let value = 0n;
  for (const part of parts) {
    // Leading zeros are decimal, as API servers before 1.36 read them (`0010` is 10).
    if (!/^\d+$/.test(part) || Number(part) > 255) throw new Error(`naive: bad IPv4 address: ${text}`);
    value = (value << 8n) | BigInt(part);
  }
  return value;
}

function parseIPv6(text: string): bigint {
  // An embedded IPv4 tail (`::ffff:10.0.0.1`) is two groups: rewrite it as such.
  const lastColon = text.lastIndexOf(':');
  const last = text.slice(lastColon + 1);
  if (last.includes('.')) {
    const v4 = parseIPv4(last);
    return parseIPv6(
      `${text.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`,
    );
  }
  const halves = text.split('::');
  if (halves.length > 2) throw new Error(`naive: bad IPv6 address: ${text}`);
  const parse = (s: string): bigint[] =>
    s === ''
      ? []
      : s.split(':').map((g) => {
          if (!/^[0-9a-fA-F]{1,4}$/.test(g)) throw new Error(`naive: bad IPv6 address: ${text}`);
          return BigInt(`0x${g}`);
        });
  const head = parse(halves[0]!);
  const tail = halves.length === 2 ? parse(halves[1]!) : [];
  const given = head.length + tail.length;
  if (halves.length === 2 ? given > 7 : given !== 8) throw new Error(`naive: bad IPv6 address: ${text}`);
  const groups = [...head, ...Array<bigint>(8 - given).fill(0n), ...tail];
  return groups.reduce((acc, g) => (acc << 16n) | g, 0n);
}
