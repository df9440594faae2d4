/** `netfence explain -o json` (docs/json-schema.md#explain); `test` and `/api/explain` reuse its items. */
import type { GranularityJson, LocationJson, PortsJson } from './common.ts';

/** One end of an explanation: a workload's (or pod's) class of pods, or an address outside the cluster. */
export type ExplainEndJson =
  | { name: string; workload: string; pods: readonly string[] }
  | { name: string; pod: string; pods: readonly string[] }
  | { name: string; external: readonly string[]; addressClass: string };

export type SideStatusJson =
  'isolated' | 'not-isolated' | 'host-network' | 'outside-cluster' | 'node-address';

export type MissCodeJson =
  | 'port-not-in-rule'
  | 'named-port-undefined'
  | 'named-port-to-address'
  | 'other-namespace'
  | 'namespace-labels'
  | 'pod-labels'
  | 'host-network'
  | 'not-a-pod'
  | 'outside-cidr'
  | 'in-except'
  | 'pod-ip-unknown'
  | 'ipblock-ignores-pods'
  | 'node-selector'
  | 'dns-name'
  | 'unknown-peer'
  | 'cilium-namespace'
  | 'entity'
  | 'service'
  | 'fqdn-unseen'
  | 'subject-labels'
  | 'no-peer'
  | 'no-ports'
  | 'sctp-disabled';

export type DirectionJson = 'ingress' | 'egress';

/** A rule allowing part of the query. */
export interface AllowingRuleJson extends LocationJson {
  policy: string;
  direction: DirectionJson;
  /** Index in spec.ingress (or spec.egress). */
  rule: number;
  /** `spec.ingress[0]`. */
  path: string;
  /** Index in from/to; null for a rule without peers. */
  peer: number | null;
  peerDescription: string;
  ports: PortsJson;
}

export interface NearMissJson extends LocationJson {
  policy: string;
  direction: DirectionJson;
  rule: number;
  path: string;
  /** `ports`: the peer matched; `peer`: the ports fit; `both`. */
  failed: 'ports' | 'peer' | 'both';
  reasons: readonly ({ code: MissCodeJson; message: string; path: string } & LocationJson)[];
}

/** One direction: the source's egress, or the destination's ingress. */
export interface ExplainSideJson {
  status: SideStatusJson;
  /** Status `node-address`: the nodes whose address this end is. */
  nodes?: readonly string[];
  /** Ingress from the pod's own node, which policies cannot block: the rule (`own node: always allowed (Kubernetes)`). */
  ownNode?: string;
  isolatedBy: readonly ({ policy: string } & LocationJson)[];
  allowed: PortsJson;
  rules: readonly AllowingRuleJson[];
  /** Only when NetworkPolicies decide some of the query and allow none of it; nearest first, at most 5. */
  nearMisses: readonly NearMissJson[];
  /** The walk through the tiers: Admin → NetworkPolicy → Baseline → default. */
  tiers: TierExplanationJson;
  /** Cilium policies in the NetworkPolicy layer: present only when a Cilium rule set selects the pod here. */
  cilium?: CiliumSideJson;
  /**
   * NetworkPolicies that select the pod here but that the CNI profile does not enforce (`endPort` under
   * `cilium@1.15`); present only when there is one.
   */
  unenforced?: readonly ({ policy: string; profile: string; reason: string } & LocationJson)[];
}

/** A rule of a CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy. */
export interface CiliumRuleRefJson extends LocationJson {
  /** `CiliumNetworkPolicy/prod/db`. */
  policy: string;
  /** `spec.ingressDeny[0]`. */
  path: string;
  deny: boolean;
}

/** A Cilium rule matching the connection: its peer in words and the ports it covers. */
export interface CiliumRuleMatchJson extends CiliumRuleRefJson {
  peer: string;
  ports: PortsJson;
  summary: string;
}

export interface CiliumSideJson {
  /** Rule sets selecting the pod that put it in default deny in this direction (`spec`, `specs[1]`). */
  isolatedBy: readonly ({ policy: string; spec: string } & LocationJson)[];
  /** Rule sets selecting the pod with default deny off (`enableDefaultDeny`). */
  openBy: readonly ({ policy: string; spec: string } & LocationJson)[];
  allows: readonly CiliumRuleMatchJson[];
  /** Egress to an address: `toFQDNs` names no DNS rule on port 53 covers (they allow nothing). */
  unseenNames?: readonly (CiliumRuleRefJson & { domain: string })[];
  /** Deny rules win over every allow, of Cilium policies and NetworkPolicies. */
  denies: readonly CiliumRuleMatchJson[];
  /**
   * When the side allows none of the query and something isolates the pod: the Cilium allow rules that came
   * closest, nearest first, at most 5 (present only when some). `subject`: the rule set's endpointSelector
   * misses the pod by one label while the rule's peer and ports match.
   */
  nearMisses?: readonly CiliumNearMissJson[];
  /**
   * L7 entries matching the connection that filter nothing on `ports`: an allow of the same side (`by`) lets the
   * peer through at L4 alone there (present only when some).
   */
  shadowedL7?: readonly (CiliumRuleRefJson & {
    entry: string;
    l7: string;
    ports: PortsJson;
    summary: string;
    by: readonly ({ policy: string; path: string } & LocationJson)[];
  })[];
}

/** A `toPorts` entry with L7 rules: the connection is allowed at L4 on `ports`, then filtered at L7. */
export interface CiliumL7Json extends CiliumRuleRefJson {
  /** `spec.ingress[0].toPorts[0]`. */
  entry: string;
  /** `http`, `kafka`, `dns`, `l7proto`. */
  l7: string;
  ports: PortsJson;
  summary: string;
}

/** `applies`; `no-policies`: the cluster has no cluster policies; the others: they do not apply to this side. */
export type TierStatusJson =
  'applies' | 'no-policies' | 'hairpin' | 'host-network' | 'outside-cluster' | 'node-address';

export type DecidedByJson = 'admin' | 'network-policy' | 'baseline' | 'default';

/** A rule of a ClusterNetworkPolicy, AdminNetworkPolicy or BaselineAdminNetworkPolicy. */
export interface TierRuleJson extends LocationJson {
  /** `ClusterNetworkPolicy/name`. */
  policy: string;
  kind: 'ClusterNetworkPolicy' | 'AdminNetworkPolicy' | 'BaselineAdminNetworkPolicy';
  tier: 'admin' | 'baseline';
  /** null for the BaselineAdminNetworkPolicy. */
  priority: number | null;
  direction: DirectionJson;
  /** Index in spec.ingress (or spec.egress). */
  rule: number;
  ruleName: string | null;
  /** `allow` is CNP `Accept` and ANP/BANP `Allow`. */
  action: 'allow' | 'deny' | 'pass';
  /** `spec.egress[2]`. */
  path: string;
}

/** A rule matching the connection: the peer that matched (index in from/to) and the ports it decides. */
export interface TierMatchJson extends TierRuleJson {
  peer: number;
  ports: PortsJson;
}

export type TierStepJson =
  /** `undefinedWith`: equal-priority rules of the same tier matching these ports with another action. */
  | { kind: 'rule'; match: TierMatchJson; undefinedWith: readonly TierMatchJson[] }
  /** `policies`: how many of the tier's policies select the pod and have rules for this direction. */
  | { kind: 'no-match'; tier: 'admin' | 'baseline'; policies: number }
  | { kind: 'network-policy'; isolated: boolean }
  | { kind: 'default' };

/** A part of the query that takes one way through the tiers; the paths cover the query exactly. */
export interface TierPathJson {
  ports: PortsJson;
  summary: string;
  allowed: boolean;
  decidedBy: DecidedByJson;
  steps: readonly TierStepJson[];
  /** The walk in one line: `[Admin] cnp/x egress rule 2 Pass → [NetworkPolicy] not isolated → …`. */
  text: string;
}

export interface TierExplanationJson {
  status: TierStatusJson;
  paths: readonly TierPathJson[];
  /** Egress to an address: allow rules by DNS name that may match it; the decision depends on DNS resolution. */
  dnsRules: readonly (TierRuleJson & { domains: readonly string[]; ports: PortsJson })[];
  /**
   * When the side allows none of the query: the cluster policy allow rules that came closest (evaluated before
   * the deciding step); when it allows all of it: the deny rules whose ports fit and whose peer came closest.
   */
  nearMisses: readonly (TierRuleJson & {
    failed: 'ports' | 'peer' | 'both';
    reasons: NearMissJson['reasons'];
  })[];
}

export interface TierRuleRefJson {
  policy: string;
  path: string;
  action: 'allow' | 'deny' | 'pass';
}

export interface SegmentSideJson {
  allowed: boolean;
  /** The NetworkPolicy rules that allow the segment. */
  rules: readonly { policy: string; path: string }[];
  decidedBy: DecidedByJson;
  /** The cluster policy rule that decided (Admin or Baseline tier), or null. */
  tierRule: TierRuleRefJson | null;
  /** Rules of equal priority matching the segment with another action: undefined by the API. */
  undefinedWith: readonly TierRuleRefJson[];
  /** The Cilium rules that decide the segment in the NetworkPolicy layer (deny rules when denied); present when any. */
  cilium?: readonly CiliumRuleRefJson[];
}

/** An item of `explanations`: one pair of classes of pods. */
export interface ExplanationJson {
  src: ExplainEndJson;
  dst: ExplainEndJson;
  verdict: 'allowed' | 'denied' | 'partly-allowed';
  query: PortsJson;
  allowed: PortsJson;
  summary: string;
  egress: ExplainSideJson;
  ingress: ExplainSideJson;
  /** The query split where the deciding rules change; allowed ones first. */
  segments: readonly {
    ports: PortsJson;
    summary: string;
    allowed: boolean;
    egress: SegmentSideJson;
    ingress: SegmentSideJson;
  }[];
  /** Allowed at L4, filtered at L7 by Cilium: present when the allowed part passes through an L7 rule. */
  l7?: readonly CiliumL7Json[];
}

/** A Cilium near miss: an allow rule that would have allowed the connection (or the name) but for one thing. */
export type CiliumNearMissJson = CiliumRuleRefJson & {
  failed: 'ports' | 'peer' | 'both' | 'subject';
  reasons: NearMissJson['reasons'];
};

/** A rule allowing a pod to reach a DNS name: a Cilium `toFQDNs` rule or a cluster policy `domainNames` rule. */
export interface DomainRuleJson extends LocationJson {
  policy: string;
  /** `spec.egress[0]`. */
  path: string;
  /** The name or pattern as written (`api.stripe.com`, `*.stripe.com`). */
  domain: string;
  ports: PortsJson;
  summary: string;
}

/** `explain --to <DNS name>`: whether one source entity reaches the name by name, and by which rules. */
export interface DomainExplanationJson {
  /** The source entity: its name as shown, and its id (`shop/Deployment/web`). */
  src: { name: string; id: string };
  /** The name asked about, lower case, without the final dot. */
  domain: string;
  /** `allowed`: some rule allows the name on some of the query (which addresses: the DNS answer decides). */
  verdict: 'allowed' | 'denied';
  allowed: PortsJson;
  summary: string;
  rules: readonly DomainRuleJson[];
  /** Cilium `toFQDNs` rules matching the name that allow none of the query by it; nearest first, at most 5. */
  nearMisses: readonly CiliumNearMissJson[];
}

export interface ExplainJson {
  schemaVersion: 1;
  granularity: GranularityJson;
  /** As given; port null: every port. */
  query: { from: string; to: string; port: string | null };
  /** Empty when `to` is a DNS name (see `domains`). */
  explanations: readonly ExplanationJson[];
  /** `--to` a DNS name: one answer per source entity (absent otherwise). */
  domains?: readonly DomainExplanationJson[];
  /** With `--cni` (a profile other than upstream): the profile, and its rules that changed a verdict. */
  cni?: { profile: string; decided: readonly CniDecisionJson[] };
}

/** A CNI profile rule that changed what one pair is allowed (docs/cni.md). */
export interface CniDecisionJson {
  src: string;
  dst: string;
  /** The profile setting (`cidrMatchesPods`, `cidrMatchesNodes`, `endPort`, `sctp`, `hostNetworkPods`). */
  setting: string;
  /** `cilium: CIDR rules do not match pod IPs unless policy-cidr-match-mode includes pods`. */
  rule: string;
  /** What is allowed (within the query), `TCP/80, UDP/53` or `none`. */
  allowed: string;
  /** What upstream's value of that one setting would allow instead. */
  upstreamAllowed: string;
}
