/**
 * Explain: why a connection between two endpoints is allowed or denied, per direction (the source's egress,
 * the destination's ingress), per port range, naming every policy and rule involved.
 *
 * The explanation reads the compiled structures evaluation reads (`CompiledRule` peers and ports,
 * `portsTowardsClass`), rule by rule, so its verdict is the verdict of `allowedBetween`; a property test
 * checks it on random clusters.
 */
import { NAMESPACE_NAME_LABEL } from '../model/cluster.ts';
import { formatPath, type FieldPath, type SourceLocation } from '../model/problem.ts';
import { PROTOCOLS, type NetworkPolicyPeer, type Protocol } from '../model/k8s.ts';
import type { PodClass } from './classes.ts';
import {
  ipBlockMatchesClass,
  ipBlockMatchesNodeAddresses,
  peerFieldPath,
  portsTowardsClass,
  type CompiledCluster,
  type CompiledPeer,
  type CompiledPolicy,
  type CompiledRule,
  type Direction,
  usesEndPort,
} from './compile.ts';
import { endPortIgnoredReason, profileName, profileRule } from './profiles.ts';
import type { RefIndex } from './refs.ts';
import { namedPortMiss, namespaceLabelsOf, nearest } from './near-miss.ts';
import { isOwnNode, nodesAtAddressClass, ownNodeRule } from './own-node.ts';
import {
  DecidedBy,
  TierWalker,
  nodesOfAddress,
  type TierExplanation,
  type TierMatch,
} from './explain-tiers.ts';
import {
  ciliumNameRules,
  explainCiliumSide,
  explainL7,
  type CiliumL7Match,
  type CiliumRuleMatch,
  type CiliumSideExplanation,
} from './explain-cilium.ts';
import type { ClassEnd } from './connectivity.ts';
import { cidrContainsCidr, parseCidr, type Cidr } from '../base/ip.ts';
import type { Intervals } from '../base/intervals.ts';
import { closestMatch, withDidYouMean } from '../base/suggest.ts';
import {
  ALL_CONNECTIONS,
  ALL_PORTS,
  NO_PORTS,
  intersectPorts,
  isEmptyPorts,
  portSetOf,
  portsEqual,
  subtractPorts,
  unionPorts,
  type PortSet,
} from './ports.ts';
import {
  compileSelector,
  failedRequirements,
  selectorMatches,
  type CompiledSelector,
  type Requirement,
} from './selectors.ts';

/**
 * One end of the connection being explained, with the name to use in messages; `pods`: the pods of the
 * class when the entity has several classes (`src/describe/explain.ts` `endName` says "web (pods a, b)").
 */
export type ExplainEnd =
  | {
      kind: 'pod';
      classId: number;
      name: string;
      pods?: readonly string[];
      /**
       * Set when the end is one given pod (its `namespace/name`): two ends with the same `onePod` are a pod
       * connecting to itself (hairpin), which cluster policies do not apply to. Without it, an end of a class
       * of several pods stands for any other pod of the class.
       */
      onePod?: string;
    }
  /**
   * An address class; `name` is the address or CIDR the user gave, or the class's description. `nodes`: the
   * nodes whose addresses it is, when it is made of node addresses alone (`nodesOfAddress`), for the words.
   */
  | { kind: 'address'; classId: number; name: string; nodes?: readonly string[] };

export interface PolicyCitation {
  /** `namespace/name` */
  policy: string;
  location: SourceLocation | undefined;
}

export interface RuleCitation {
  policy: string;
  direction: Direction;
  /** Index in `spec.ingress` or `spec.egress`. */
  rule: number;
  /** `spec.ingress[0]` */
  path: string;
  location: SourceLocation | undefined;
}

export interface AllowingRule extends RuleCitation {
  /** Index of the peer that matched in `from`/`to`; undefined when the rule has no peers (matches everything). */
  peer: number | undefined;
  /** The matching peer in general terms (in words: "any pod in namespaces labelled team=storefront"). */
  scope: PeerScope;
  /** What the rule allows between the two ends, within the ports asked about (named ports resolved). */
  ports: PortSet;
}

export const MissCode = {
  PortNotInRule: 'port-not-in-rule',
  NamedPortUndefined: 'named-port-undefined',
  NamedPortToAddress: 'named-port-to-address',
  OtherNamespace: 'other-namespace',
  NamespaceLabels: 'namespace-labels',
  PodLabels: 'pod-labels',
  HostNetwork: 'host-network',
  NotAPod: 'not-a-pod',
  OutsideCidr: 'outside-cidr',
  InExcept: 'in-except',
  PodIpUnknown: 'pod-ip-unknown',
  IpBlockIgnoresPods: 'ipblock-ignores-pods',
  /** Cluster policies: a `nodes` peer whose nodes do not have the address. */
  NodeSelector: 'node-selector',
  /** Cluster policies: a `domainNames` peer, which matches no address statically. */
  DnsName: 'dns-name',
  /** Cluster policies: a peer with no field netfence knows (an allow rule matches nothing through it). */
  UnknownPeer: 'unknown-peer',
  /** Cilium: a CiliumNetworkPolicy's endpoint selector without the namespace label means its own namespace. */
  CiliumNamespace: 'cilium-namespace',
  /** Cilium: an entity (`world`, `cluster`, `host`…) the peer is not part of. */
  Entity: 'entity',
  /** Cilium: a `toServices` Service whose backends the peer is not. */
  Service: 'service',
  /** Cilium: a `toFQDNs` name no DNS rule on port 53 covers: the DNS proxy never sees it, it allows nothing. */
  FqdnUnseen: 'fqdn-unseen',
  /** Cilium: the rule set's `endpointSelector` does not select the pod (one label off). */
  SubjectLabels: 'subject-labels',
  /** Cilium: a rule without any peer field and without ports (`{}`, or a peer list given as `[]`). */
  NoPeer: 'no-peer',
  /** Cilium: a rule whose `toPorts` allow no TCP, UDP or SCTP port (ICMP only, or another protocol). */
  NoPorts: 'no-ports',
  /** Cilium: the rule's SCTP entries cover the query, but the CNI profile has SCTP off (`enable-sctp`). */
  SctpDisabled: 'sctp-disabled',
} as const;
export type MissCode = (typeof MissCode)[keyof typeof MissCode];

/** A named container port: `metrics` 9090/TCP. */
export interface NamedPortDefinition {
  name: string;
  port: number;
  protocol: Protocol;
}

/** The address an ipBlock did not match: an address outside the cluster, or the IP of a pod. */
export interface MissedAddress {
  end: ExplainEnd;
  /** True when it is a pod, matched by its IP. */
  podIp: boolean;
}

/** Why a rule missed, as data (`src/describe/explain.ts` says it in words). */
export type MissDetail =
  /** The rule's ports (`rulePorts`, named ports resolved) allow none of the query. */
  | { code: typeof MissCode.PortNotInRule; query: PortSet; rulePorts: PortSet }
  /** A named port the destination pod `dst` does not define; `defined`: the ones it does. */
  | {
      code: typeof MissCode.NamedPortUndefined;
      port: string;
      protocol: Protocol;
      dst: ExplainEnd;
      defined: readonly NamedPortDefinition[];
    }
  | { code: typeof MissCode.NamedPortToAddress; port: string; protocol: Protocol; dst: ExplainEnd }
  /** A peer without namespaceSelector means the policy's namespace; `peer` is in `namespace`. */
  | { code: typeof MissCode.OtherNamespace; peer: ExplainEnd; namespace: string; policyNamespace: string }
  /** `requirement`, which the labels of the namespace (or of the pod `peer`) fail. */
  | {
      code: typeof MissCode.NamespaceLabels;
      namespace: string;
      requirement: Requirement;
      labels: Readonly<Record<string, string>>;
    }
  | {
      code: typeof MissCode.PodLabels;
      peer: ExplainEnd;
      requirement: Requirement;
      labels: Readonly<Record<string, string>>;
    }
  | { code: typeof MissCode.HostNetwork; peer: ExplainEnd }
  | { code: typeof MissCode.NotAPod; peer: ExplainEnd }
  | { code: typeof MissCode.PodIpUnknown; peer: ExplainEnd }
  /** `rule`: the CNI profile's rule that says so (`cilium: CIDR rules do not match pod IPs …`). */
  | { code: typeof MissCode.IpBlockIgnoresPods; rule?: string }
  | { code: typeof MissCode.OutsideCidr; address: MissedAddress; cidr: string }
  | { code: typeof MissCode.InExcept; address: MissedAddress; cidr: string; except: string }
  | { code: typeof MissCode.NodeSelector; peer: ExplainEnd; selector: CompiledSelector }
  | { code: typeof MissCode.DnsName; domains: readonly string[]; address: MissedAddress }
  | { code: typeof MissCode.UnknownPeer; fields: readonly string[] }
  | {
      code: typeof MissCode.CiliumNamespace;
      peer: ExplainEnd;
      namespace: string;
      policyNamespace: string;
    }
  /** `entity`: the entity as written (`world`, `cluster`…). */
  | { code: typeof MissCode.Entity; peer: ExplainEnd; entity: string }
  /** `service`: `namespace/name`, or `name` for a Service of that name in any namespace. */
  | { code: typeof MissCode.Service; peer: ExplainEnd; service: string }
  | { code: typeof MissCode.FqdnUnseen; domain: string }
  /** `subject`: the pod the rule set would have to select; `labels`: its identity labels. */
  | {
      code: typeof MissCode.SubjectLabels;
      subject: ExplainEnd;
      requirement: Requirement;
      labels: Readonly<Record<string, string>>;
    }
  | { code: typeof MissCode.NoPeer }
  | { code: typeof MissCode.NoPorts; icmp: boolean }
  /**
   * `ports`: the part of the query the rule's SCTP entries name; `profile`: the profile's name (`cilium`);
   * `setting`: the setting that is off (Cilium's `enable-sctp`, else netfence's `sctp`).
   */
  | { code: typeof MissCode.SctpDisabled; ports: PortSet; profile: string; setting: 'enable-sctp' | 'sctp' };

export type MissReason = MissDetail & {
  /** `spec.ingress[0].from[1]`, `spec.egress[2].ports[0]`… */
  path: string;
  location: SourceLocation | undefined;
};

export interface NearMiss extends RuleCitation {
  /** What failed: only the ports (the peer matched), only the peer (the ports fit), or both. */
  failed: 'ports' | 'peer' | 'both';
  reasons: MissReason[];
}

export const SideStatus = {
  /** Policies select the pod for this direction: only their rules allow. */
  Isolated: 'isolated',
  /** No policy selects the pod for this direction: everything is allowed. */
  NotIsolated: 'not-isolated',
  /** The pod runs on the host network, where NetworkPolicies do not apply. */
  HostNetwork: 'host-network',
  /** This end is an address outside the cluster: nothing of this side applies. */
  OutsideCluster: 'outside-cluster',
  /** This end is a node's address (`nodes`), not a pod: no pod's policy applies to this side. */
  NodeAddress: 'node-address',
} as const;
export type SideStatus = (typeof SideStatus)[keyof typeof SideStatus];

export interface SideExplanation {
  direction: Direction;
  status: SideStatus;
  /** Policies that select the pod with this direction in their policyTypes. */
  isolatedBy: PolicyCitation[];
  /** The nodes whose address this end is (status `node-address` only). */
  nodes?: readonly string[];
  /** What this side allows, within the ports asked about, through every tier. */
  allowed: PortSet;
  /** Every NetworkPolicy rule that allows part of it (isolated sides only, on the ports NetworkPolicies decide). */
  rules: AllowingRule[];
  /**
   * When NetworkPolicies decide some of the ports asked about and allow none of them: the rules that came
   * closest, nearest first.
   */
  nearMisses: NearMiss[];
  /** The walk through the tiers: Admin → NetworkPolicy → Baseline → default. */
  tiers: TierExplanation;
  /**
   * Cilium policies (in the NetworkPolicy layer): the rule sets selecting the pod, the allow and deny rules
   * matching; undefined when none selects it in this direction.
   */
  cilium: CiliumSideExplanation | undefined;
  /**
   * Ingress from the pod's own node, which policies cannot block (`own-node.ts`): the rule in words (`own
   * node: always allowed (Kubernetes)`); undefined otherwise. A Cilium deny rule still denies.
   */
  ownNode?: string;
  /**
   * NetworkPolicies that select the pod in this direction but that the CNI profile does not enforce
   * (`endPort` under Cilium 1.15), each with the reason; absent when there is none.
   */
  unenforced?: UnenforcedPolicy[];
}

/** A policy the CNI profile leaves out: `b/np-ep`, `cilium@1.15`, `endPort, cilium#28704`. */
export interface UnenforcedPolicy extends PolicyCitation {
  profile: string;
  reason: string;
}

export interface SegmentSide {
  allowed: boolean;
  /** The NetworkPolicy rules that allow this segment on this side (empty unless NetworkPolicies decide it and allow). */
  rules: AllowingRule[];
  decidedBy: DecidedBy;
  /** The cluster policy rule that decided (Admin or Baseline tier). */
  tierRule: TierMatch | undefined;
  /** Rules of equal priority that match this segment too with another action: the API leaves it undefined. */
  undefinedWith: TierMatch[];
  /**
   * When the NetworkPolicy layer decides this segment: the Cilium deny rules that deny it (denied), or the
   * Cilium allow rules that allow it (allowed, none denying).
   */
  cilium: CiliumRuleMatch[];
}

/** A part of the ports asked about where the same rules decide: allowed by the same rules, or denied. */
export interface PortSegment {
  ports: PortSet;
  allowed: boolean;
  egress: SegmentSide;
  ingress: SegmentSide;
}

export interface Explanation {
  src: ExplainEnd;
  dst: ExplainEnd;
  /** The ports asked about: `ALL_CONNECTIONS` unless a port was given. */
  query: PortSet;
  /** The allowed part of the query: equal to `allowedBetween(src, dst) ∩ query`. */
  allowed: PortSet;
  verdict: 'allowed' | 'denied' | 'partly-allowed';
  egress: SideExplanation;
  ingress: SideExplanation;
  /** The query split where the deciding rules change; they cover the query exactly: allowed parts first, each in protocol and port order. */
  segments: PortSegment[];
  /** Cilium `toPorts` entries with L7 rules the allowed part passes through: allowed at L4, filtered at L7. */
  l7: CiliumL7Match[];
}

/** A peer, in general terms. */
export type PeerScope =
  /** A rule without peers: every pod and every address. */
  | { kind: 'anyone' }
  /** Pods of some namespaces; `pods` undefined: every pod of those namespaces. */
  | {
      kind: 'pods';
      namespaces:
        | { kind: 'own'; namespace: string }
        | { kind: 'any' }
        | { kind: 'named'; names: readonly string[] }
        | { kind: 'labelled'; selector: CompiledSelector };
      /** Undefined: every pod of those namespaces. */
      pods: CompiledSelector | undefined;
    }
  | { kind: 'addresses'; cidr: string; except: readonly string[] };

function namespacesScope(sel: CompiledSelector): Extract<PeerScope, { kind: 'pods' }>['namespaces'] {
  if (sel.matchesAll) return { kind: 'any' };
  const only = sel.requirements.length === 1 ? sel.requirements[0]! : undefined;
  if (only !== undefined && only.key === NAMESPACE_NAME_LABEL && only.operator === 'In') {
    return { kind: 'named', names: only.values };
  }
  return { kind: 'labelled', selector: sel };
}

/** A peer of a policy in `policyNamespace`, in general terms. */
export function peerScope(peer: NetworkPolicyPeer, policyNamespace: string): PeerScope {
  if (peer.ipBlock !== undefined) {
    return { kind: 'addresses', cidr: peer.ipBlock.cidr, except: peer.ipBlock.except ?? [] };
  }
  const pods = peer.podSelector === undefined ? undefined : compileSelector(peer.podSelector);
  return {
    kind: 'pods',
    namespaces:
      peer.namespaceSelector === undefined
        ? { kind: 'own', namespace: policyNamespace }
        : namespacesScope(compileSelector(peer.namespaceSelector)),
    pods: pods === undefined || pods.matchesAll ? undefined : pods,
  };
}

function rulePath(direction: Direction, rule: number): FieldPath {
  return ['spec', direction, rule];
}

function locate(policy: CompiledPolicy, path: FieldPath): SourceLocation | undefined {
  const origin = policy.info.origin;
  if (origin === undefined) return undefined;
  if (path.length === 0) return { file: origin.file, line: origin.line, column: origin.column };
  return origin.locate?.(path) ?? { file: origin.file, line: origin.line, column: origin.column };
}

function citePolicy(policy: CompiledPolicy): PolicyCitation {
  return { policy: policy.info.id, location: locate(policy, []) };
}

function citeRule(policy: CompiledPolicy, rule: CompiledRule): RuleCitation {
  const path = rulePath(rule.direction, rule.index);
  return {
    policy: policy.info.id,
    direction: rule.direction,
    rule: rule.index,
    path: formatPath(path),
    location: locate(policy, path),
  };
}

class Explainer {
  readonly compiled: CompiledCluster;
  readonly src: ExplainEnd;
  readonly dst: ExplainEnd;
  readonly query: PortSet;

  constructor(compiled: CompiledCluster, src: ExplainEnd, dst: ExplainEnd, query: PortSet) {
    this.compiled = compiled;
    this.src = src;
    this.dst = dst;
    this.query = query;
  }

  podClass(end: ExplainEnd): PodClass | undefined {
    return end.kind === 'pod' ? this.compiled.classes[end.classId] : undefined;
  }

  /** Ports a rule allows towards the destination of this connection (named ports resolved against it). */
  rulePorts(rule: CompiledRule): PortSet {
    const dst = this.podClass(this.dst);
    return dst === undefined ? rule.ports.numeric : portsTowardsClass(rule.ports, dst);
  }

  /** Whether a compiled peer matches `peer`, exactly as the Access tables do. */
  peerMatches(p: CompiledPeer, peer: ExplainEnd): boolean {
    if (peer.kind === 'address') return p.addresses.includes(peer.classId);
    const cls = this.compiled.classes[peer.classId]!;
    return p.pods.all ? !cls.hostNetwork : p.pods.ids.includes(peer.classId);
  }

  /**
   * A pod connecting to itself (the same pod named at both ends): cluster policies do not apply. A workload
   * to itself is its pods to each other, as in `analyze`, even when it has one pod today.
   */
  get hairpin(): boolean {
    if (this.src.kind !== 'pod' || this.dst.kind !== 'pod' || this.src.classId !== this.dst.classId)
      return false;
    return this.src.onePod !== undefined && this.src.onePod === this.dst.onePod;
  }

  side(direction: Direction): SideExplanation {
    const np = this.networkPolicySide(direction);
    const subject = direction === 'egress' ? this.src : this.dst;
    const peer = direction === 'egress' ? this.dst : this.src;
    const walker = new TierWalker(this.compiled, this.query, direction, {
      subject,
      peer,
      dst: this.dst,
      hairpin: this.hairpin,
    });
    const cilium = explainCiliumSide(
      this.compiled,
      direction,
      { subject, peer, dst: this.dst, hairpin: this.hairpin },
      this.query,
      { isolated: np.status === SideStatus.Isolated, allowed: np.allowed, rules: np.rules },
    );
    // Traffic from the pod's own node: allowed in the NetworkPolicy layer whatever its policies say.
    const ownNode = direction === 'ingress' && this.fromOwnNode();
    // The NetworkPolicy layer: NetworkPolicies and Cilium policies (allows add up, denies win).
    const npIsolated = np.status === SideStatus.Isolated;
    const layerIsolated = npIsolated || (cilium?.isolatedBy.length ?? 0) > 0;
    const own = ownNode ? this.query : NO_PORTS;
    const layerAllowed =
      cilium === undefined
        ? unionPorts(np.allowed, own)
        : subtractPorts(
            unionPorts(unionPorts(npIsolated ? np.allowed : NO_PORTS, cilium.allowed), own),
            cilium.denied,
          );
    const tiers = walker.walk(layerIsolated, layerAllowed, cilium?.denied ?? NO_PORTS);
    const allowed = tiers.paths.filter((p) => p.allowed).reduce((a, p) => unionPorts(a, p.ports), NO_PORTS);
    const rule = ownNode && layerIsolated ? { ownNode: ownNodeRule(this.compiled.options) } : {};
    if (np.status !== SideStatus.Isolated) return { ...np, allowed, tiers, cilium, ...rule };
    // NetworkPolicies decide only the ports the Admin tier left to them: cite their rules there only.
    const decided = tiers.paths
      .filter((p) => p.decidedBy === DecidedBy.NetworkPolicy)
      .reduce((a, p) => unionPorts(a, p.ports), NO_PORTS);
    const rules = np.rules
      .map((r) => ({ ...r, ports: intersectPorts(r.ports, decided) }))
      .filter((r) => !isEmptyPorts(r.ports));
    const denies = !ownNode && !isEmptyPorts(decided) && isEmptyPorts(intersectPorts(np.allowed, decided));
    return { ...np, allowed, rules, nearMisses: denies ? np.nearMisses : [], tiers, cilium, ...rule };
  }

  /** Whether the source is the destination pod's own node, for the own-node rule (`own-node.ts`). */
  fromOwnNode(): boolean {
    const dst = this.podClass(this.dst);
    if (dst === undefined) return false;
    const { classes, addressSpace: space, placement, options } = this.compiled;
    const peer = this.src.kind === 'pod' ? { pod: this.src.classId } : { address: this.src.classId };
    return isOwnNode({ classes, space, placement }, options, dst, peer);
  }

  /** What NetworkPolicies alone say for this side (`nearMisses` when they allow none of the query). */
  networkPolicySide(direction: Direction): Omit<SideExplanation, 'tiers' | 'cilium'> {
    const subject = direction === 'egress' ? this.src : this.dst;
    const peer = direction === 'egress' ? this.dst : this.src;
    const empty = { direction, isolatedBy: [], rules: [], nearMisses: [] };
    if (subject.kind === 'address') {
      const nodes = nodesOfAddress(this.compiled, subject);
      return nodes.length === 0
        ? { ...empty, status: SideStatus.OutsideCluster, allowed: this.query }
        : { ...empty, status: SideStatus.NodeAddress, nodes, allowed: this.query };
    }
    const cls = this.compiled.classes[subject.classId]!;
    if (cls.hostNetwork) return { ...empty, status: SideStatus.HostNetwork, allowed: this.query };
    const policies = this.compiled.policiesOfClass[cls.id]!.map((i) => this.compiled.policies[i]!).filter(
      (p) => (direction === 'egress' ? p.affectsEgress : p.affectsIngress),
    );
    const unenforced = this.unenforcedPolicies(cls, direction);
    const left = unenforced.length === 0 ? {} : { unenforced };
    if (policies.length === 0)
      return { ...empty, ...left, status: SideStatus.NotIsolated, allowed: this.query };
    const rules: AllowingRule[] = [];
    let allowed = NO_PORTS;
    for (const policy of policies) {
      for (const rule of direction === 'egress' ? policy.egress : policy.ingress) {
        let matched: number | undefined | false = false;
        if (rule.peers === 'everything') matched = undefined;
        else {
          const hit = rule.peers.find((p) => this.peerMatches(p, peer));
          if (hit !== undefined) matched = hit.index;
        }
        if (matched === false) continue;
        const ports = intersectPorts(this.rulePorts(rule), this.query);
        if (isEmptyPorts(ports)) continue;
        const spec =
          matched === undefined
            ? undefined
            : policyPeerSpec(policy, ['spec', direction, rule.index, '', matched]);
        const scope: PeerScope =
          spec === undefined ? { kind: 'anyone' } : peerScope(spec, policy.info.namespace);
        rules.push({ ...citeRule(policy, rule), peer: matched, scope, ports });
        allowed = unionPorts(allowed, ports);
      }
    }
    const nearMisses = isEmptyPorts(allowed) ? this.nearMisses(policies, direction, peer) : [];
    return {
      direction,
      status: SideStatus.Isolated,
      isolatedBy: policies.map(citePolicy),
      allowed,
      rules,
      nearMisses,
      ...left,
    };
  }

  /** The NetworkPolicies that would select `cls` in `direction` but that the CNI profile leaves out. */
  unenforcedPolicies(cls: PodClass, direction: Direction): UnenforcedPolicy[] {
    const cni = this.compiled.options.cni;
    const reason = cni === undefined ? undefined : endPortIgnoredReason(cni);
    if (cni === undefined || reason === undefined) return [];
    return this.compiled.policies
      .filter(
        (p) =>
          p.info.namespace === cls.namespace &&
          (direction === 'egress' ? p.affectsEgress : p.affectsIngress) &&
          usesEndPort(p.info) &&
          selectorMatches(p.selector, cls.labels),
      )
      .map((p) => ({ ...citePolicy(p), profile: profileName(cni), reason }));
  }

  nearMisses(policies: readonly CompiledPolicy[], direction: Direction, peer: ExplainEnd): NearMiss[] {
    return nearest(
      policies.flatMap((policy) =>
        (direction === 'egress' ? policy.egress : policy.ingress).map((rule) => ({
          rule: citeRule(policy, rule),
          peer: this.peerReasons(policy, rule, peer),
          ports: this.portReasons(policy, rule),
        })),
      ),
    );
  }

  /** Why no peer of the rule matches (the reasons for the closest peer), or [] when one does. */
  peerReasons(policy: CompiledPolicy, rule: CompiledRule, peer: ExplainEnd): MissReason[] {
    if (rule.peers === 'everything') return [];
    let best: MissReason[] | undefined;
    for (const p of rule.peers) {
      if (this.peerMatches(p, peer)) return [];
      const path = peerFieldPath(rule.direction, rule.index, p.index);
      const reasons = this.peerMiss(policy, p, peer, path);
      if (best === undefined || reasons.length < best.length) best = reasons;
    }
    return best ?? [];
  }

  peerMiss(policy: CompiledPolicy, p: CompiledPeer, peer: ExplainEnd, path: FieldPath): MissReason[] {
    const reason = (detail: MissDetail, sub: FieldPath = []): MissReason => ({
      ...detail,
      path: formatPath([...path, ...sub]),
      location: locate(policy, [...path, ...sub]),
    });
    const spec = policyPeerSpec(policy, path);
    if (p.kind === 'ipBlock') {
      const block = spec?.ipBlock;
      const cidr = block?.cidr ?? '?';
      const except = block?.except ?? [];
      if (peer.kind === 'address') {
        // A Node's address in the block: the profile's CIDR rules leave node IPs out (`compilePeer`).
        const cni = this.compiled.options.cni;
        if (
          cni !== undefined &&
          !ipBlockMatchesNodeAddresses(this.compiled.options) &&
          nodesAtAddressClass(this.compiled, peer.classId).length > 0 &&
          block !== undefined &&
          this.compiled.addressSpace.classesOfBlock(cidr, except).includes(peer.classId)
        ) {
          const rule = profileRule(cni, 'cidrMatchesNodes');
          return [reason({ code: MissCode.IpBlockIgnoresPods, rule }, ['ipBlock'])];
        }
        const nodes = this.compiled.addressSpace.classes[peer.classId]?.nodes ?? [];
        return [this.cidrMiss({ end: peer, podIp: false }, nodes, cidr, except, reason)];
      }
      const cls = this.compiled.classes[peer.classId]!;
      // A pod whose IP is outside the block misses for that reason, whatever the CNI does with CIDRs.
      const inBlock =
        cls.addressClasses.length === 0 || cls.addressClasses.some((a) => p.addresses.includes(a));
      if (!ipBlockMatchesClass(this.compiled.options, cls.hostNetworkPod) && inBlock) {
        const cni = this.compiled.options.cni;
        const rule =
          cni === undefined
            ? undefined
            : profileRule(cni, cls.hostNetworkPod ? 'cidrMatchesNodes' : 'cidrMatchesPods');
        return [
          reason({ code: MissCode.IpBlockIgnoresPods, ...(rule === undefined ? {} : { rule }) }, ['ipBlock']),
        ];
      }
      if (cls.addressClasses.length === 0) {
        return [reason({ code: MissCode.PodIpUnknown, peer }, ['ipBlock'])];
      }
      const nodes = cls.addressClasses.flatMap((a) => this.compiled.addressSpace.classes[a]?.nodes ?? []);
      return [this.cidrMiss({ end: peer, podIp: true }, nodes, cidr, except, reason)];
    }
    if (peer.kind === 'address') {
      return [reason({ code: MissCode.NotAPod, peer })];
    }
    const cls = this.compiled.classes[peer.classId]!;
    if (cls.hostNetwork) {
      return [reason({ code: MissCode.HostNetwork, peer })];
    }
    const out: MissReason[] = [];
    if (p.namespaceSelector === undefined) {
      if (cls.namespace !== policy.info.namespace) {
        out.push(
          reason({
            code: MissCode.OtherNamespace,
            peer,
            namespace: cls.namespace,
            policyNamespace: policy.info.namespace,
          }),
        );
      }
    } else {
      const labels = namespaceLabelsOf(this.compiled.state, cls.namespace);
      for (const requirement of failedRequirements(p.namespaceSelector, labels)) {
        out.push(
          reason({ code: MissCode.NamespaceLabels, namespace: cls.namespace, requirement, labels }, [
            'namespaceSelector',
          ]),
        );
      }
    }
    if (p.podSelector !== undefined) {
      for (const requirement of failedRequirements(p.podSelector, cls.labels)) {
        const detail: MissDetail = {
          code: MissCode.PodLabels,
          peer,
          requirement,
          labels: cls.labels,
        };
        out.push(reason(detail, ['podSelector']));
      }
    }
    return out;
  }

  cidrMiss(
    address: MissedAddress,
    nodes: readonly Cidr[],
    cidr: string,
    except: readonly string[],
    reason: (detail: MissDetail, sub?: FieldPath) => MissReason,
  ): MissReason {
    for (const [i, e] of except.entries()) {
      const parsed = parseCidr(e);
      if (parsed.ok && nodes.some((n) => cidrContainsCidr(parsed.cidr, n))) {
        return reason({ code: MissCode.InExcept, address, cidr, except: e }, ['ipBlock', 'except', i]);
      }
    }
    return reason({ code: MissCode.OutsideCidr, address, cidr }, ['ipBlock', 'cidr']);
  }

  /** Why the rule's ports allow none of the query, or [] when they allow some. */
  portReasons(policy: CompiledPolicy, rule: CompiledRule): MissReason[] {
    const resolved = this.rulePorts(rule);
    if (!isEmptyPorts(intersectPorts(resolved, this.query))) return [];
    const out: MissReason[] = [];
    const base = [...rulePath(rule.direction, rule.index), 'ports'];
    const specPorts =
      (rule.direction === 'ingress' ? policy.info.spec.ingress : policy.info.spec.egress)?.[rule.index]
        ?.ports ?? [];
    const dst = this.podClass(this.dst);
    for (const named of rule.ports.named) {
      const k = specPorts.findIndex((p) => p.port === named.name && (p.protocol ?? 'TCP') === named.protocol);
      const path = k < 0 ? base : [...base, k];
      const at = { path: formatPath(path), location: locate(policy, path) };
      const miss = namedPortMiss(named, this.dst, dst, at);
      if (miss !== undefined) out.push(miss);
    }
    if (!isEmptyPorts(resolved)) {
      const at = { path: formatPath(base), location: locate(policy, base) };
      out.push({ code: MissCode.PortNotInRule, query: this.query, rulePorts: resolved, ...at });
    }
    return out;
  }
}

function policyPeerSpec(policy: CompiledPolicy, path: FieldPath): NetworkPolicyPeer | undefined {
  const [, direction, rule, , peer] = path as [string, Direction, number, string, number];
  const r =
    direction === 'ingress' ? policy.info.spec.ingress?.[rule]?.from : policy.info.spec.egress?.[rule]?.to;
  return r?.[peer];
}

/** Splits the query where the set of allowing rules changes, on either side. */
function segments(query: PortSet, egress: SideExplanation, ingress: SideExplanation): PortSegment[] {
  const out = new Map<
    string,
    { egress: SegmentSide; ingress: SegmentSide; ports: Record<Protocol, number[]> }
  >();
  const sideAt = (side: SideExplanation, protocol: Protocol, port: number): SegmentSide & { key: string } => {
    const i = side.tiers.paths.findIndex((p) => containsPort(p.ports[protocol], port));
    const path = side.tiers.paths[i]!;
    const last = path.steps[path.steps.length - 1];
    const tierRule = last?.kind === 'rule' ? last.match : undefined;
    const rules =
      path.decidedBy === DecidedBy.NetworkPolicy
        ? side.rules.filter((r) => containsPort(r.ports[protocol], port))
        : [];
    const atPort = (list: readonly CiliumRuleMatch[]): CiliumRuleMatch[] =>
      list.filter((r) => containsPort(r.ports[protocol], port));
    const denies = path.decidedBy === DecidedBy.NetworkPolicy ? atPort(side.cilium?.denies ?? []) : [];
    const cilium =
      path.decidedBy !== DecidedBy.NetworkPolicy
        ? []
        : denies.length > 0
          ? denies
          : path.allowed
            ? atPort(side.cilium?.allows ?? [])
            : [];
    const key = `${i}|${rules.map(ruleKey).join(',')}|${cilium.map((r) => r.path + r.policy).join(',')}`;
    const undefinedWith = path.steps.flatMap((s) => (s.kind === 'rule' ? s.undefinedWith : []));
    return { allowed: path.allowed, rules, decidedBy: path.decidedBy, tierRule, undefinedWith, cilium, key };
  };
  for (const protocol of PROTOCOLS) {
    const cuts = new Set<number>();
    const addCuts = (iv: Intervals): void => {
      for (let i = 0; i < iv.length; i += 2) {
        cuts.add(iv[i]!);
        cuts.add(iv[i + 1]! + 1);
      }
    };
    addCuts(query[protocol]);
    for (const r of [...egress.rules, ...ingress.rules]) addCuts(r.ports[protocol]);
    for (const c of [egress.cilium, ingress.cilium]) {
      for (const r of [...(c?.allows ?? []), ...(c?.denies ?? [])]) addCuts(r.ports[protocol]);
    }
    for (const p of [...egress.tiers.paths, ...ingress.tiers.paths]) addCuts(p.ports[protocol]);
    const points = [...cuts].sort((a, b) => a - b);
    for (let i = 0; i + 1 < points.length; i++) {
      const from = points[i]!;
      const to = points[i + 1]! - 1;
      if (!containsPort(query[protocol], from)) continue;
      const { key: ek, ...e } = sideAt(egress, protocol, from);
      const { key: gk, ...g } = sideAt(ingress, protocol, from);
      const key = `${ek}|${gk}`;
      let seg = out.get(key);
      if (seg === undefined) {
        seg = { egress: e, ingress: g, ports: { TCP: [], UDP: [], SCTP: [] } };
        out.set(key, seg);
      }
      const list = seg.ports[protocol];
      if (list.length > 0 && list[list.length - 1] === from - 1) list[list.length - 1] = to;
      else list.push(from, to);
    }
  }
  // Allowed ranges first, then denied, each in protocol and port order.
  const list = [...out.values()].map((s) => ({
    ports: { TCP: s.ports.TCP, UDP: s.ports.UDP, SCTP: s.ports.SCTP },
    allowed: s.egress.allowed && s.ingress.allowed,
    egress: s.egress,
    ingress: s.ingress,
  }));
  return [...list.filter((s) => s.allowed), ...list.filter((s) => !s.allowed)];
}

function ruleKey(r: AllowingRule): string {
  return `${r.policy}#${r.direction}#${r.rule}`;
}

function containsPort(iv: Intervals, port: number): boolean {
  for (let i = 0; i < iv.length; i += 2) if (iv[i]! <= port && port <= iv[i + 1]!) return true;
  return false;
}

/**
 * Explains the connection from `src` to `dst`, on the ports of `query` (every port and protocol by default).
 * Both ends are classes: a pod class (`compiled.classOfPod`) or an address class (`addressSpace.classOfIp`).
 */
export function explainConnection(
  compiled: CompiledCluster,
  src: ExplainEnd,
  dst: ExplainEnd,
  query: PortSet = ALL_CONNECTIONS,
): Explanation {
  const x = new Explainer(compiled, src, dst, query);
  const egress = x.side('egress');
  const ingress = x.side('ingress');
  const allowed = intersectPorts(egress.allowed, ingress.allowed);
  const verdict = isEmptyPorts(allowed)
    ? 'denied'
    : portsEqual(allowed, query)
      ? 'allowed'
      : 'partly-allowed';
  const l7 = explainL7(compiled, classEnd(src), classEnd(dst), allowed);
  return {
    src,
    dst,
    query,
    allowed,
    verdict,
    egress,
    ingress,
    segments: segments(query, egress, ingress),
    l7,
  };
}

function classEnd(end: ExplainEnd): ClassEnd {
  return end.kind === 'pod' ? { pod: end.classId } : { address: end.classId };
}

/**
 * A port query: `8080/TCP`, `53/UDP`, `8080` (TCP), `1000-2000/TCP`, or a protocol alone (`UDP`: every UDP
 * port). Returns the port set, or a one-line message that quotes the text.
 */
export function parsePortQuery(text: string): PortSet | string {
  const usage = 'use 8080/TCP, 53/UDP, 8080 (TCP) or 1000-2000/TCP';
  const t = text.trim();
  const alone = /^(tcp|udp|sctp)$/i.exec(t);
  if (alone !== null) return portSetOf(alone[1]!.toUpperCase() as Protocol, ALL_PORTS);
  const m = /^(\d+)(?:-(\d+))?(?:\/([a-z]+))?$/i.exec(t);
  if (m === null) return `invalid port "${text}": ${usage}`;
  const protocol = (m[3] ?? 'TCP').toUpperCase();
  if (!(PROTOCOLS as readonly string[]).includes(protocol)) {
    return withDidYouMean(
      `invalid protocol "${m[3]!}" in "${text}": TCP, UDP or SCTP`,
      closestMatch(protocol, PROTOCOLS),
    );
  }
  const from = Number(m[1]);
  const to = m[2] === undefined ? from : Number(m[2]);
  if (from < 1 || from > 65535 || to > 65535) return `invalid port "${text}": ports are 1 to 65535`;
  if (to < from) return `invalid port range "${text}": the end must not be below the start`;
  return portSetOf(protocol as Protocol, [from, to]);
}

/**
 * The explanations between two entities of a `RefIndex`: one per pair of their classes (a workload whose pods
 * differ in labels or named ports has several). `names` overrides the display names (an IP the user typed).
 */
export function explainEntities(
  index: RefIndex,
  srcId: string,
  dstId: string,
  query: PortSet = ALL_CONNECTIONS,
  names: { src?: string; dst?: string } = {},
): Explanation[] {
  const ends = (id: string, name: string | undefined): ExplainEnd[] => {
    const list = index.ends(id);
    const base = name ?? index.displayName(id);
    const onePod = index.byId.get(id)?.kind === 'pod' ? { onePod: id } : {};
    return list.map((e): ExplainEnd => {
      if ('address' in e) {
        const end: ExplainEnd = { kind: 'address', classId: e.address, name: base };
        const nodes = nodesOfAddress(index.compiled, end);
        return nodes.length === 0 ? end : { ...end, nodes };
      }
      if (list.length === 1) return { kind: 'pod', classId: e.pod, name: base, ...onePod };
      const pods = index.compiled.classes[e.pod]!.pods.map((p) => p.name);
      return { kind: 'pod', classId: e.pod, name: base, pods };
    });
  };
  const out: Explanation[] = [];
  for (const s of ends(srcId, names.src)) {
    for (const d of ends(dstId, names.dst)) out.push(explainConnection(index.compiled, s, d, query));
  }
  return out;
}

/** A rule that lets a pod reach a DNS name: a Cilium `toFQDNs` rule or a cluster policy's `domainNames`. */
export interface DomainRuleMatch {
  /** `CiliumClusterwideNetworkPolicy/batch-egress`, `ClusterNetworkPolicy/egress` */
  policy: string;
  /** `spec.egress[0]` */
  path: string;
  /** The name or pattern as written (`api.stripe.com`, `*.stripe.com`). */
  domain: string;
  ports: PortSet;
  location: SourceLocation | undefined;
}

/**
 * Whether a `toFQDNs` name or pattern, a DNS rule's `matchName`/`matchPattern` (or a `domainNames` entry)
 * matches `name`, as Cilium's `pkg/fqdn/matchpattern` reads it: only stars (`*`, `**.`) match every name; a
 * leading `**.` (two or more stars) one or more whole labels; any other `*` a run of DNS characters within a
 * label. Case and a final dot do not count.
 */
export function domainMatches(pattern: string, name: string): boolean {
  const p = pattern.trim().toLowerCase().replace(/\.$/, '');
  if (/^\*+$/.test(p)) return true;
  const label = '[-a-z0-9_]';
  const lead = /^\*{2,}\./.exec(p);
  const head = lead === null ? '' : `${label}+(?:\\.${label}+)*\\.`;
  const body = p
    .slice(lead?.[0].length ?? 0)
    .split(/\*+/)
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join(`${label}*`);
  return new RegExp(`^${head}${body}$`).test(name.toLowerCase().replace(/\.$/, ''));
}

/**
 * The rules by which the pods of `classes` may reach the DNS name `name` (through `compiled.domainReach`, the
 * Cilium `toFQDNs` and cluster policy `domainNames` rules evaluation reads), within `query`. Which addresses
 * that is depends on DNS resolution.
 */
export function explainDomain(
  compiled: CompiledCluster,
  classes: readonly number[],
  name: string,
  query: PortSet,
): DomainRuleMatch[] {
  const out = new Map<string, DomainRuleMatch>();
  for (const id of classes) {
    // Cilium's `toFQDNs` rules by this very name: whether the DNS proxy sees its lookups depends on the name,
    // not on the rule's pattern (`domainReach` answers for the pattern as a whole).
    const cilium = ciliumNameRules(compiled, id, name, domainMatches).map((r) => ({
      ...r,
      policy: compiled.cilium.specs[r.spec]!.policy,
      cilium: { spec: r.spec },
    }));
    for (const r of [...compiled.domainReach(id).filter((d) => d.cilium === undefined), ...cilium]) {
      const ports = intersectPorts(r.ports, query);
      if (isEmptyPorts(ports) || !domainMatches(r.domain, name)) continue;
      const cite =
        r.cilium === undefined
          ? { info: compiled.tierPolicies[r.policy]!.info, path: ['spec', 'egress', r.rule] }
          : {
              info: compiled.cilium.policies[r.policy]!,
              path: [...compiled.cilium.specs[r.cilium.spec]!.info.path, 'egress', r.rule],
            };
      const o = cite.info.origin;
      const key = `${cite.info.id}\u0000${formatPath(cite.path)}\u0000${r.domain}`;
      const cur = out.get(key);
      out.set(key, {
        policy: cite.info.id,
        path: formatPath(cite.path),
        domain: r.domain,
        ports: cur === undefined ? ports : unionPorts(cur.ports, ports),
        location:
          o === undefined
            ? undefined
            : (o.locate?.(cite.path) ?? { file: o.file, line: o.line, column: o.column }),
      });
    }
  }
  return [...out.values()];
}
