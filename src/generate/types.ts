/** What `generate` produces: policies with the observed connections behind every rule. */
import type { ObservedConnection } from '../flows/types.ts';
import type { ClusterPolicyInfo, PolicyInfo } from '../model/cluster.ts';
import type {
  CnpProtocol,
  NetworkPolicyPeer,
  NetworkPolicyPort,
  Protocol,
  TierEgressPeer,
  TierSubject,
} from '../model/k8s.ts';
import type { WorkloadSelector } from './selectors.ts';

/** The label on every generated object, and its value. */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'netfence';

export const GenerateMode = { fresh: 'fresh', augment: 'augment' } as const;
export type GenerateMode = (typeof GenerateMode)[keyof typeof GenerateMode];

/** Where the cluster DNS runs. */
export interface DnsConfig {
  namespace: string;
  matchLabels: Readonly<Record<string, string>>;
}

/**
 * Cluster-wide tiers `generate` can write ClusterNetworkPolicies for (`--tier`). `baseline`: one Baseline
 * default-deny instead of a default-deny NetworkPolicy per namespace; `admin`: Admin-tier guardrails that keep
 * DNS working whatever NetworkPolicies say.
 */
export const GenerateTier = { baseline: 'baseline', admin: 'admin' } as const;
export type GenerateTier = (typeof GenerateTier)[keyof typeof GenerateTier];
export const GENERATE_TIERS: readonly GenerateTier[] = [GenerateTier.baseline, GenerateTier.admin];

/** Where the API server listens, as pods reach it after the Service's translation (its endpoints). */
export interface ApiServerAddress {
  /** Canonical CIDR: `10.0.0.10/32`. */
  cidr: string;
  /** TCP ports. */
  ports: readonly number[];
}

/** The API server's usual ports: 6443 (kubeadm and most distributions), 443 (most managed clusters). */
export const API_SERVER_PORTS: readonly number[] = [443, 6443];

export const DEFAULT_DNS: DnsConfig = { namespace: 'kube-system', matchLabels: { 'k8s-app': 'kube-dns' } };

export interface GenerateOptions {
  /**
   * `fresh`: a complete least-privilege set that replaces the policies of the namespaces it covers;
   * `augment`: keep every existing policy and add only what observed traffic needs.
   */
  mode: GenerateMode;
  /** Namespaces that get no default-deny policy (fresh mode). @default none */
  skipDefaultDeny: readonly string[];
  /** Namespaces left alone: no policy is generated for their workloads, their policies are kept. @default none */
  excludeNamespaces: readonly string[];
  /** DNS egress for every workload, observed resolving names or not. @default false */
  allowDns: boolean;
  /** @default DEFAULT_DNS, or the workloads observed answering on port 53 when nothing matches it */
  dns: DnsConfig;
  /** Prefix length to aggregate outside IPv4 addresses to. @default absent: one /32 per address */
  aggregateV4?: number;
  /** Prefix length to aggregate outside IPv6 addresses to. @default absent: one /128 per address */
  aggregateV6?: number;
  /** Leave out connections every attempt of which the cluster dropped during the capture. @default false */
  excludeDenied: boolean;
  /** ClusterNetworkPolicy tiers to generate for (fresh mode only). @default none: NetworkPolicies only */
  tiers: readonly GenerateTier[];
  /** The API server's addresses, for the Baseline policy's Accept rule. @default none: no such rule */
  apiServer: readonly ApiServerAddress[];
  /**
   * `--format cilium`: a peer at a Node's address that the CNI's ipBlocks do not match (`node-address`) gets a
   * rule of the Cilium entities that allow it (`GeneratedRule.nodeEntities`) instead of being left out.
   * @default false: left out, with the entities named in its reason
   */
  nodeEntities?: boolean;
}

export const DEFAULT_GENERATE_OPTIONS: GenerateOptions = {
  mode: 'fresh',
  skipDefaultDeny: [],
  excludeNamespaces: [],
  allowDns: false,
  dns: DEFAULT_DNS,
  excludeDenied: false,
  tiers: [],
  apiServer: [],
};

/** One comment line above a generated rule, as data (`src/format/generated.ts` words it). */
export type RuleNote =
  /**
   * An observed port the rule allows; `src` and `dst` are the ends' short names, `srcNodes` and `dstNodes` the
   * Nodes (sorted) of an end at a Node's address ([] for any other end, a host-network workload's too).
   */
  | {
      kind: 'observed';
      connection: ObservedConnection;
      src: string;
      dst: string;
      srcNodes: readonly string[];
      dstNodes: readonly string[];
      /** Whether an end is a host-network workload, whose rule peer is an ipBlock of its pods' addresses. */
      srcHostNetwork: boolean;
      dstHostNetwork: boolean;
    }
  /** Observed addresses widened to `cidr` by `--aggregate` (or `--aggregate-v6`) `/prefix`. */
  | { kind: 'aggregated'; addresses: readonly string[]; cidr: string; prefix: number }
  /**
   * The DNS egress rule, towards the DNS workloads `names` (their short names) or, when none is in the
   * input, the pods `config` describes; `seen`: the protocols of the DNS connections observed.
   */
  | { kind: 'dns-egress'; names: readonly string[]; config: DnsConfig; seen: readonly Protocol[] }
  /**
   * The DNS ingress rule: from the workloads that resolve names (`everyone` undefined), or from every pod,
   * because of `--allow-dns` or of `--tier baseline` (whose Baseline policy lets every pod resolve names).
   */
  | { kind: 'dns-ingress'; everyone: 'allow-dns' | 'baseline' | undefined };

/** The comment above a generated policy, as data (`src/format/generated.ts` words it). */
export type PolicyNote =
  | { kind: 'default-deny'; namespace: string }
  | {
      kind: 'workload';
      direction: 'ingress' | 'egress';
      mode: GenerateOptions['mode'];
      namespace: string;
      name: string;
      workloadKind: string;
      /** The short names of the other workloads its labels select; undefined when they select only it. */
      sharedWith: readonly string[] | undefined;
    };

export interface GeneratedRule {
  peers: NetworkPolicyPeer[];
  ports: NetworkPolicyPort[];
  /** The comment lines above the rule: the observed connections it allows, in order. */
  notes: RuleNote[];
  /** The observed connections it allows. */
  observed: ObservedConnection[];
  /** The DNS rule (UDP and TCP 53 to or from the cluster DNS). */
  dns: boolean;
  /**
   * A rule of Cilium entities (`GenerateOptions.nodeEntities`): its peers are at Nodes' addresses, which no
   * ipBlock matches under the CNI, so `peers` is empty and the NetworkPolicy form leaves the rule out (an empty
   * `from`/`to` would allow everything); the Cilium form writes `fromEntities`/`toEntities`.
   */
  nodeEntities?: NodeEntityPeers;
  /**
   * Its ipBlocks of Nodes' addresses (a peer at a Node's address, or a host-network workload, whose pods have
   * their node's): each allows the node and every host-network pod on it, not only the peer observed. Absent:
   * none.
   */
  nodeAddresses?: readonly NodeAddressBlock[];
}

/** An ipBlock of a Node's address (`GeneratedRule.nodeAddresses`): its CIDR and the Nodes of that address. */
export interface NodeAddressBlock {
  cidr: string;
  /** Sorted; [] when no Node of the input has it (a host-network pod's address, its Node not in the input). */
  nodes: readonly string[];
  /**
   * For an ipBlock aggregated by `--aggregate` over several addresses: the Nodes' addresses it holds (sorted),
   * observed or not. Absent: the ipBlock is of one address, a Node's.
   */
  addresses?: readonly string[];
}

/** The peers of a rule of Cilium entities, and the entities that allow them (`GeneratedRule.nodeEntities`). */
export interface NodeEntityPeers {
  /** `host` (the subject's own node), `remote-node` (the others), or both; sorted. */
  entities: readonly string[];
  /**
   * Each peer: its short name or IP, its Nodes (sorted), whether it is a host-network workload, and whether the
   * nodes of the subject's pods and the peer's are all known (else `host` and `remote-node` are told apart by
   * none: the engine reads both as every node).
   */
  ends: readonly { end: string; nodes: readonly string[]; hostNetwork: boolean; nodesKnown: boolean }[];
}

export interface GeneratedPolicy {
  namespace: string;
  name: string;
  kind: 'default-deny' | 'ingress' | 'egress';
  /** The workload it selects; absent for default-deny. */
  workload?: string;
  /** `matchLabels` of its pod selector (`{}` for default-deny). */
  matchLabels: Readonly<Record<string, string>>;
  rules: GeneratedRule[];
  /** The comment above the policy. */
  note: PolicyNote;
}

export type LeftOutReason =
  'denied' | 'host-network' | 'excluded-namespace' | 'single-pod-self' | 'node-address';

/** An observed connection no rule was generated for, and why (`src/format/generate.ts` words it). */
export type LeftOut = { connection: ObservedConnection } &
  /** Every attempt was dropped during the capture (`--exclude-denied`). */
  (
    | { reason: 'denied' }
    /** A pod's traffic to itself. */
    | { reason: 'single-pod-self' }
    /**
     * `end` (its short name) runs on the host network: as a peer (`blockedAt` undefined) selectors never
     * match it; as the end that denied it (augment), netfence leaves its policies alone.
     */
    | { reason: 'host-network'; end: string; blockedAt: 'ingress' | 'egress' | undefined }
    /** Denied at `end`, in `namespace`, which `--exclude-namespace` leaves alone (augment). */
    | { reason: 'excluded-namespace'; end: string; namespace: string; blockedAt: 'ingress' | 'egress' }
    /**
     * The peer `end` (its short name, or the IP with its Nodes) is a Node's address or a host-network workload
     * (whose addresses are its node's), not of the subject's own node, and the CNI's ipBlocks do not match Node
     * addresses (`cidrMatchesNodes` false: Cilium's remote-node identity), so an ipBlock would allow nothing.
     * `nodes`: the peer's Nodes (sorted; [] for host-network pods placed on none). `entities`: the Cilium
     * entities that would allow it (`host` where a pod of the subject may share its node, unless own-node traffic
     * is always let in; `remote-node` where one may not). `cni` names the profile; `direction` is the subject's
     * side (ingress: `fromEntities`, egress: `toEntities`).
     */
    | {
        reason: 'node-address';
        end: string;
        nodes: readonly string[];
        entities: readonly string[];
        hostNetwork: boolean;
        cni: string;
        direction: 'ingress' | 'egress';
      }
  );

/** Something the user should know about a generation (`src/format/generate.ts` words it). */
export type GenerateNotice =
  /** `workload` has no label set that selects only its pods: its policies also select `sharedWith`. */
  | { kind: 'shared-labels'; workload: string; sharedWith: readonly string[] }
  /** No workload has the DNS labels: the workloads observed answering DNS stand for it. */
  | { kind: 'dns-observed'; dns: DnsConfig; workloads: readonly string[] }
  /** The cluster DNS is not in the input: assumed where `dns` says. */
  | { kind: 'dns-assumed'; dns: DnsConfig }
  /** `--tier baseline` without `--api-server`: the Baseline policy has no rule for the API server. */
  | { kind: 'api-server-unknown'; candidates: readonly string[] }
  /** Another cluster policy `takenBy` of the tier has the priority `name` prefers: it gets `priority`. */
  | { kind: 'priority-taken'; name: string; preferred: number; priority: number; takenBy: string }
  /** `--tier baseline`: its subject is every namespace but `excluded`, also those not in the input. */
  | { kind: 'baseline-scope'; excluded: readonly string[] };

/** What a generated ClusterNetworkPolicy is for. */
export type ClusterPolicyRole = 'default-deny' | 'dns-egress' | 'dns-ingress';

/** One comment line above a rule of a generated ClusterNetworkPolicy, as data. */
export type TierRuleNote =
  /** Accept DNS to the DNS workloads `names` (short names) or, when none is in the input, to `config`'s pods. */
  | { kind: 'dns-egress'; names: readonly string[]; config: DnsConfig }
  /** Accept DNS from every pod to the DNS pods this policy selects. */
  | { kind: 'dns-ingress' }
  /** Accept the API server at `addresses` (`--api-server`). */
  | { kind: 'api-server'; addresses: readonly ApiServerAddress[] }
  /**
   * No rule for the API server: its address is not known. `candidates`: outside addresses observed on TCP
   * 443 or 6443, which may be it.
   */
  | { kind: 'api-server-unknown'; candidates: readonly string[] }
  /** Deny the rest, from (to) every pod and, for egress, every address. */
  | { kind: 'deny-all'; direction: 'ingress' | 'egress' };

export interface GeneratedTierRule {
  /** `spec.ingress[].name`: what explain and lint show. */
  name: string;
  action: 'Accept' | 'Deny';
  peers: TierEgressPeer[];
  /** Absent: every port and protocol. */
  protocols: CnpProtocol[] | undefined;
  notes: TierRuleNote[];
}

/** A generated ClusterNetworkPolicy (`policy.networking.k8s.io/v1beta1`). */
export interface GeneratedClusterPolicy {
  name: string;
  tier: 'Admin' | 'Baseline';
  priority: number;
  /** The priority netfence prefers for it; `priority` differs when another policy of the tier has it. */
  preferredPriority: number;
  role: ClusterPolicyRole;
  subject: TierSubject;
  ingress: GeneratedTierRule[];
  egress: GeneratedTierRule[];
  /** Namespaces its subject leaves out (`--exclude-namespace`, `--skip-default-deny`), sorted. */
  excluded: readonly string[];
}

export interface AggregatedBlock {
  cidr: string;
  /** Observed addresses inside it. */
  addresses: string[];
}

export interface Generation {
  options: GenerateOptions;
  /**
   * The DNS names the capture saw outside addresses under, when given: existing rules that allow such an
   * address by name (`toFQDNs`, `domainNames`) count as allowing it (augment mode, and its verification).
   */
  dnsNames?: ReadonlyMap<string, readonly string[]>;
  /** The entities of addresses Hubble labelled with a reserved identity, when given (as `dnsNames`). */
  reservedEntities?: ReadonlyMap<string, readonly string[]>;
  policies: GeneratedPolicy[];
  /** ClusterNetworkPolicies (`--tier`), Admin before Baseline. */
  clusterPolicies: GeneratedClusterPolicy[];
  /** Existing cluster policies kept: all but those a generated one replaces (the same kind and name). */
  keptClusterPolicies: ClusterPolicyInfo[];
  /** Existing policies kept (augment: all; fresh: those of excluded namespaces). */
  kept: PolicyInfo[];
  /** Existing policies the fresh set replaces. */
  replaced: PolicyInfo[];
  /** Observed connections the policies are built from (after `excludeDenied`). */
  observed: ObservedConnection[];
  /** Observed connections no rule was generated for, with why. */
  leftOut: LeftOut[];
  /** In augment mode: observed connections the kept policies already allow. */
  alreadyAllowed: ObservedConnection[];
  /** DNS: the peer used, the workloads it stands for, and the workloads given DNS egress. */
  dns: {
    config: DnsConfig;
    workloads: string[];
    detected: 'selector' | 'observed' | 'assumed';
    clients: string[];
  };
  aggregated: AggregatedBlock[];
  selectors: ReadonlyMap<string, WorkloadSelector>;
  /** Things the user should know (DNS pods not found, workloads that share labels). */
  notices: GenerateNotice[];
}
