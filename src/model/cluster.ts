/**
 * The cluster state netfence analyzes: validated, normalized objects, independent of where they came from
 * (files, stdin, a live cluster, a snapshot). Input adapters build it; the engine reads it.
 */
import type { FieldPath, SourceLocation } from './problem.ts';
import type { CiliumPolicyInfo } from './cilium.ts';
import type {
  AdminNetworkPolicySpec,
  BaselineAdminNetworkPolicySpec,
  ClusterNetworkPolicySpec,
  LabelSelector,
  NetworkPolicySpec,
  Protocol,
  ServiceSpec,
  WorkloadKind,
} from './k8s.ts';

/** Where an object came from, and how to find the line of any of its fields. */
export interface Origin extends SourceLocation {
  /** Location of a field path inside the object, or undefined when unknown. */
  locate?: (path: FieldPath) => SourceLocation | undefined;
}

export interface NamespaceInfo {
  name: string;
  /** Always includes `kubernetes.io/metadata.name: <name>`, as the API server sets it. */
  labels: Readonly<Record<string, string>>;
  /** Referenced by some object but not defined in the input. */
  implicit: boolean;
  /** Annotations of the Namespace object (absent for implicit namespaces). */
  annotations?: Readonly<Record<string, string>>;
  origin?: Origin;
}

export interface NamedPort {
  name: string;
  port: number;
  protocol: Protocol;
}

/** A pod: real, or the one representative pod of a workload given only by its template. */
export interface PodInfo {
  name: string;
  namespace: string;
  labels: Readonly<Record<string, string>>;
  /** Named container ports, for resolving named ports in policies. */
  namedPorts: readonly NamedPort[];
  /** `status.podIPs` (or `status.podIP`); empty when unknown. */
  ips: readonly string[];
  hostNetwork: boolean;
  /**
   * `spec.nodeName`: the node the pod runs on, known for Pods of a live cluster or a snapshot (absent for the
   * template pod of a workload in manifests). Matched against `ClusterState.nodes` by name.
   */
  nodeName?: string;
  /** `spec.serviceAccountName` (or `serviceAccount`); absent: the namespace's `default` service account. */
  serviceAccount?: string;
  /** Id of the workload this pod belongs to (`namespace/Kind/name`). */
  workload: string;
  /** True for the representative pod of a workload that has no pods in the input. */
  template: boolean;
  origin?: Origin;
}

/** `Pod` is the workload kind of a bare pod, or of a pod whose owner is not a workload controller. */
export type WorkloadKindOrPod = WorkloadKind | 'Pod';

export interface WorkloadInfo {
  /** `namespace/Kind/name` */
  id: string;
  namespace: string;
  kind: WorkloadKindOrPod;
  name: string;
  /** Labels of the pod template (or of the pod, for a bare pod). */
  labels: Readonly<Record<string, string>>;
  /** Names of the real pods of this workload in the input (empty when represented by its template). */
  pods: readonly string[];
  /** Number of pods it stands for: the pods given, or the template's replicas (`undefined`: one or more, as for a DaemonSet). */
  replicas: number | undefined;
  /** Annotations of the workload object (or of the pod, for a bare pod). */
  annotations?: Readonly<Record<string, string>>;
  origin?: Origin;
}

export interface PolicyInfo {
  /** `namespace/name` */
  id: string;
  namespace: string;
  name: string;
  spec: NetworkPolicySpec;
  labels: Readonly<Record<string, string>>;
  annotations: Readonly<Record<string, string>>;
  origin?: Origin;
}

export interface ServiceInfo {
  id: string;
  namespace: string;
  name: string;
  /** The Service's own labels (`metadata.labels`), what Cilium's `toServices.k8sServiceSelector` selects. */
  labels: Readonly<Record<string, string>>;
  spec: ServiceSpec;
  origin?: Origin;
}

/** The label that ties an EndpointSlice to its Service. */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

/**
 * The backends of a Service as an EndpointSlice (`discovery.k8s.io/v1`) or an Endpoints (`v1`) object gives
 * them: what Cilium's `toServices` resolves a Service without a selector to (its backends' addresses).
 */
export interface ServiceEndpointsInfo {
  /** `namespace/EndpointSlice/name` or `namespace/Endpoints/name`. */
  id: string;
  kind: 'EndpointSlice' | 'Endpoints';
  namespace: string;
  name: string;
  /**
   * The Service whose backends these are: an EndpointSlice's `kubernetes.io/service-name` label (undefined
   * without one), an Endpoints object's own name.
   */
  service: string | undefined;
  labels: Readonly<Record<string, string>>;
  /**
   * The endpoint addresses that make backends: every address, ready or not (Cilium's agent keeps each in its
   * backend table, in some state), of a slice of type IPv4/IPv6 or an Endpoints subset with at least one port
   * of TCP, UDP or SCTP (without a port, no backend is made). In input order, each once.
   */
  addresses: readonly string[];
  origin?: Origin;
}

/** A Node, for `nodes` peers of cluster policies. */
export interface NodeInfo {
  name: string;
  labels: Readonly<Record<string, string>>;
  /** The IP addresses among `status.addresses` (InternalIP, ExternalIP), as written. */
  addresses: readonly string[];
  origin?: Origin;
}

/*
 * Cluster-wide policy tiers: ClusterNetworkPolicy (v1alpha2/v1beta1) and AdminNetworkPolicy /
 * BaselineAdminNetworkPolicy (v1alpha1), all in one normalized form. See docs/design/tiers.md.
 */

export const ClusterPolicyKind = {
  ClusterNetworkPolicy: 'ClusterNetworkPolicy',
  AdminNetworkPolicy: 'AdminNetworkPolicy',
  BaselineAdminNetworkPolicy: 'BaselineAdminNetworkPolicy',
} as const;
export type ClusterPolicyKind = (typeof ClusterPolicyKind)[keyof typeof ClusterPolicyKind];

/** The tiers around NetworkPolicy: Admin before it, Baseline after it. */
export const Tier = { Admin: 'admin', Baseline: 'baseline' } as const;
export type Tier = (typeof Tier)[keyof typeof Tier];

/** A rule's action, one word for both APIs: CNP `Accept` and ANP/BANP `Allow` are `allow`. */
export const TierAction = { Allow: 'allow', Deny: 'deny', Pass: 'pass' } as const;
export type TierAction = (typeof TierAction)[keyof typeof TierAction];

/** Whom a cluster policy applies to. Empty selectors select all; host-network pods are never subjects. */
export type TierSubjectInfo =
  | { kind: 'namespaces'; namespaceSelector: LabelSelector }
  | { kind: 'pods'; namespaceSelector: LabelSelector; podSelector: LabelSelector };

/**
 * One peer of a cluster policy rule. `unknown`: no field the API knows is set (a newer CRD's field, or the
 * v0.1.x `sameLabels`/`notSameLabels`); the API says to fail closed: an allow rule matches nothing, a deny or
 * pass rule matches everything.
 */
export type TierPeerInfo =
  | { kind: 'namespaces'; namespaceSelector: LabelSelector }
  | { kind: 'pods'; namespaceSelector: LabelSelector; podSelector: LabelSelector }
  | { kind: 'nodes'; nodeSelector: LabelSelector }
  | { kind: 'networks'; cidrs: readonly string[] }
  | { kind: 'domainNames'; domains: readonly string[] }
  | { kind: 'unknown'; fields: readonly string[] };

/**
 * One port entry of a rule. `range`: a protocol and an inclusive port range (a single port is `start ===
 * end`; CNP `tcp` with a range, ANP `portNumber`/`portRange`). `named`: a container port name on the
 * destination pod, of any protocol (the API gives none).
 */
export type TierPortInfo =
  { kind: 'range'; protocol: Protocol; start: number; end: number } | { kind: 'named'; name: string };

export interface TierRuleInfo {
  /** Position in its list (`spec.ingress[index]` / `spec.egress[index]`): rules are evaluated in this order. */
  index: number;
  name: string | undefined;
  action: TierAction;
  /** `from` (ingress) or `to` (egress); never empty in a valid object. */
  peers: readonly TierPeerInfo[];
  /** `undefined`: the rule has no `protocols`/`ports` and matches every port and protocol. */
  ports: readonly TierPortInfo[] | undefined;
}

/** A ClusterNetworkPolicy, AdminNetworkPolicy or BaselineAdminNetworkPolicy, validated and normalized. */
export interface ClusterPolicyInfo {
  /** `Kind/name` (cluster-scoped): `ClusterNetworkPolicy/default-deny`. */
  id: string;
  kind: ClusterPolicyKind;
  /** As written: `policy.networking.k8s.io/v1beta1`, `…/v1alpha2`, `…/v1alpha1`. */
  apiVersion: string;
  name: string;
  tier: Tier;
  /** 0–1000, lower first. `undefined` for the BaselineAdminNetworkPolicy (evaluated after every Baseline CNP). */
  priority: number | undefined;
  subject: TierSubjectInfo;
  ingress: readonly TierRuleInfo[];
  egress: readonly TierRuleInfo[];
  /** The spec as written (for apply, diff and generated YAML). */
  spec: ClusterNetworkPolicySpec | AdminNetworkPolicySpec | BaselineAdminNetworkPolicySpec;
  labels: Readonly<Record<string, string>>;
  annotations: Readonly<Record<string, string>>;
  origin?: Origin;
}

export interface ClusterState {
  namespaces: NamespaceInfo[];
  workloads: WorkloadInfo[];
  pods: PodInfo[];
  policies: PolicyInfo[];
  services: ServiceInfo[];
  /** ClusterNetworkPolicies, AdminNetworkPolicies and the BaselineAdminNetworkPolicy, in input order. */
  clusterPolicies: ClusterPolicyInfo[];
  nodes: NodeInfo[];
  /** CiliumNetworkPolicies and CiliumClusterwideNetworkPolicies, in input order (issue #17). */
  ciliumPolicies: CiliumPolicyInfo[];
  /**
   * EndpointSlices and Endpoints, sorted by id: the backends of Services without a selector (Cilium's
   * `toServices`). Absent: none in the input.
   */
  serviceEndpoints?: ServiceEndpointsInfo[];
}

export function emptyCluster(): ClusterState {
  return {
    namespaces: [],
    workloads: [],
    pods: [],
    policies: [],
    services: [],
    clusterPolicies: [],
    nodes: [],
    ciliumPolicies: [],
  };
}

/** The label every namespace carries automatically. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';
