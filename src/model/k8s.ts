/**
 * Kubernetes wire types, as the API defines them (networking.k8s.io/v1, core/v1, apps/v1, batch/v1).
 *
 * These are plain Kubernetes JSON: `from`, not the client library's `_from`. Optional fields stay optional
 * under `exactOptionalPropertyTypes`, so that "absent" and "empty" remain different values, as the API
 * reference makes them.
 */

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  uid?: string;
  resourceVersion?: string;
}

export interface OwnerReference {
  apiVersion?: string;
  kind: string;
  name: string;
  uid?: string;
  controller?: boolean;
}

export interface LabelSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

/** A label selector. `{}` selects everything; see each use for what absent means. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

export interface IPBlock {
  cidr: string;
  except?: string[];
}

export interface NetworkPolicyPeer {
  /** @default absent: with a namespaceSelector, every pod of the selected namespaces. */
  podSelector?: LabelSelector;
  /** @default absent: the policy's own namespace. `{}` is every namespace. */
  namespaceSelector?: LabelSelector;
  ipBlock?: IPBlock;
}

export interface NetworkPolicyPort {
  /** @default TCP */
  protocol?: string;
  /** @default absent: every port of the protocol. A string is a named container port. */
  port?: number | string;
  endPort?: number;
}

export interface NetworkPolicyIngressRule {
  /** @default absent or empty: every source, inside and outside the cluster. */
  from?: NetworkPolicyPeer[];
  /** @default absent or empty: every port and protocol. */
  ports?: NetworkPolicyPort[];
}

export interface NetworkPolicyEgressRule {
  /** @default absent or empty: every destination, inside and outside the cluster. */
  to?: NetworkPolicyPeer[];
  /** @default absent or empty: every port and protocol. */
  ports?: NetworkPolicyPort[];
}

export interface NetworkPolicySpec {
  /** `{}` selects every pod of the namespace. */
  podSelector?: LabelSelector;
  /** `[]` allows no ingress; `[{}]` allows all. Absent: no ingress rules. */
  ingress?: NetworkPolicyIngressRule[];
  egress?: NetworkPolicyEgressRule[];
  /** @default `["Ingress"]`, plus `"Egress"` when egress rules are present. */
  policyTypes?: string[];
}

export interface NetworkPolicy {
  apiVersion: string;
  kind: 'NetworkPolicy';
  metadata: ObjectMeta;
  spec: NetworkPolicySpec;
}

export interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol?: string;
}

export interface Container {
  name: string;
  image?: string;
  ports?: ContainerPort[];
}

export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  hostNetwork?: boolean;
  nodeName?: string;
  serviceAccountName?: string;
  /** Deprecated alias of `serviceAccountName`. */
  serviceAccount?: string;
}

export interface PodIP {
  ip: string;
}

export interface PodStatus {
  phase?: string;
  podIP?: string;
  podIPs?: PodIP[];
  hostIP?: string;
}

export interface Pod {
  apiVersion: string;
  kind: 'Pod';
  metadata: ObjectMeta;
  spec: PodSpec;
  status?: PodStatus;
}

export interface PodTemplateSpec {
  metadata?: ObjectMeta;
  spec: PodSpec;
}

export interface ServicePort {
  name?: string;
  protocol?: string;
  port: number;
  targetPort?: number | string;
}

export interface ServiceSpec {
  selector?: Record<string, string>;
  ports?: ServicePort[];
  type?: string;
  clusterIP?: string;
  clusterIPs?: string[];
  externalIPs?: string[];
  loadBalancerIP?: string;
}

export interface Service {
  apiVersion: string;
  kind: 'Service';
  metadata: ObjectMeta;
  spec: ServiceSpec;
}

/** One endpoint of an EndpointSlice: the fields netfence reads. */
export interface EndpointSliceEndpoint {
  addresses: string[];
  conditions?: { ready?: boolean; serving?: boolean; terminating?: boolean };
  nodeName?: string;
}

export interface EndpointSlicePort {
  name?: string;
  port?: number;
  protocol?: Protocol;
  appProtocol?: string;
}

/** An EndpointSlice (`discovery.k8s.io/v1`): backends of a Service (its `kubernetes.io/service-name` label). */
export interface EndpointSlice {
  apiVersion: string;
  kind: 'EndpointSlice';
  metadata: ObjectMeta;
  addressType: string;
  endpoints?: EndpointSliceEndpoint[];
  ports?: EndpointSlicePort[];
}

export interface Namespace {
  apiVersion: string;
  kind: 'Namespace';
  metadata: ObjectMeta;
}

/** The workload controllers whose pods netfence groups into one workload. */
export const WorkloadKind = {
  Deployment: 'Deployment',
  ReplicaSet: 'ReplicaSet',
  StatefulSet: 'StatefulSet',
  DaemonSet: 'DaemonSet',
  Job: 'Job',
  CronJob: 'CronJob',
  ReplicationController: 'ReplicationController',
} as const;
export type WorkloadKind = (typeof WorkloadKind)[keyof typeof WorkloadKind];

export const Protocol = { TCP: 'TCP', UDP: 'UDP', SCTP: 'SCTP' } as const;
export type Protocol = (typeof Protocol)[keyof typeof Protocol];
export const PROTOCOLS: readonly Protocol[] = [Protocol.TCP, Protocol.UDP, Protocol.SCTP];

export const PolicyType = { Ingress: 'Ingress', Egress: 'Egress' } as const;
export type PolicyType = (typeof PolicyType)[keyof typeof PolicyType];

/*
 * Cluster-wide policy tiers (`policy.networking.k8s.io`, the network-policy-api project). Wire types as the
 * Go types of sigs.k8s.io/network-policy-api v0.3.0 define them; docs/design/tiers.md quotes their doc
 * comments. Fields the API requires are still optional here: a parser reads untrusted input, and validation
 * (src/parse/validate) reports what is missing.
 */

/** `ClusterNetworkPolicySubject` (CNP) and `AdminNetworkPolicySubject` (ANP/BANP): exactly one field. */
export interface TierSubject {
  /** Every pod of the namespaces this selects (`{}`: every namespace). */
  namespaces?: LabelSelector;
  pods?: NamespacedPod;
}

/** Pods by namespace AND pod labels. Unlike a NetworkPolicy peer, empty (and absent) selectors mean all. */
export interface NamespacedPod {
  namespaceSelector?: LabelSelector;
  podSelector?: LabelSelector;
}

/** A CNP ingress peer, an ANP/BANP ingress peer: exactly one field. */
export interface TierIngressPeer {
  namespaces?: LabelSelector;
  pods?: NamespacedPod;
}

/** A CNP/ANP/BANP egress peer: exactly one field. `nodes` and `domainNames` are experimental. */
export interface TierEgressPeer extends TierIngressPeer {
  /** Nodes by label; their `status.addresses`. */
  nodes?: LabelSelector;
  /** Canonical CIDRs; they match pod IPs too. */
  networks?: string[];
  /** DNS names, `*.` wildcard prefix allowed; only in Accept (CNP) / Allow (ANP) rules. */
  domainNames?: string[];
}

/** CNP `PortRange`: `start < end` (a CEL rule). */
export interface TierPortRange {
  start: number;
  end: number;
}

/** CNP `Port`: exactly one of a number or a range. */
export interface CnpDestinationPort {
  number?: number;
  range?: TierPortRange;
}

/** CNP `ProtocolOptions` of `tcp`/`udp`/`sctp`: `destinationPort` required by `MinProperties=1`. */
export interface CnpProtocolOptions {
  destinationPort?: CnpDestinationPort;
}

/** CNP `ClusterNetworkPolicyProtocol`: exactly one field. */
export interface CnpProtocol {
  tcp?: CnpProtocolOptions;
  udp?: CnpProtocolOptions;
  sctp?: CnpProtocolOptions;
  /** Experimental: a container port name on the destination pod. */
  destinationNamedPort?: string;
}

export interface CnpIngressRule {
  name?: string;
  /** `Accept`, `Deny` or `Pass`. */
  action?: string;
  from?: TierIngressPeer[];
  /** Absent: every port and protocol. */
  protocols?: CnpProtocol[];
}

export interface CnpEgressRule {
  name?: string;
  action?: string;
  to?: TierEgressPeer[];
  protocols?: CnpProtocol[];
}

export interface ClusterNetworkPolicySpec {
  /** `Admin` or `Baseline`. */
  tier?: string;
  /** 0–1000; lower is evaluated first. */
  priority?: number;
  subject?: TierSubject;
  ingress?: CnpIngressRule[];
  egress?: CnpEgressRule[];
}

/** `policy.networking.k8s.io/v1alpha2` or `v1beta1` (the same schema). Cluster-scoped. */
export interface ClusterNetworkPolicy {
  apiVersion: string;
  kind: 'ClusterNetworkPolicy';
  metadata: ObjectMeta;
  spec: ClusterNetworkPolicySpec;
}

/** ANP/BANP `PortNumber`: protocol defaults to TCP. */
export interface AnpPortNumber {
  protocol?: string;
  port?: number;
}

/** ANP/BANP `PortRange`: protocol defaults to TCP; `start < end` by the doc comment (no CEL rule). */
export interface AnpPortRange {
  protocol?: string;
  start?: number;
  end?: number;
}

/** ANP/BANP `AdminNetworkPolicyPort`: exactly one field. */
export interface AnpPort {
  portNumber?: AnpPortNumber;
  /** Experimental. */
  namedPort?: string;
  portRange?: AnpPortRange;
}

export interface AnpIngressRule {
  name?: string;
  /** ANP: `Allow`, `Deny`, `Pass`; BANP: `Allow`, `Deny`. */
  action?: string;
  from?: TierIngressPeer[];
  ports?: AnpPort[];
}

export interface AnpEgressRule {
  name?: string;
  action?: string;
  to?: TierEgressPeer[];
  ports?: AnpPort[];
}

/**
 * A rule of any of the three cluster policy kinds, read alike (validation, `model/tiers.ts`): the fields of
 * their ingress and egress rules together (`protocols` is ClusterNetworkPolicy's, `ports` the ANP's and BANP's).
 */
export interface TierWireRule {
  name?: string;
  action?: string;
  from?: TierEgressPeer[];
  to?: TierEgressPeer[];
  protocols?: CnpProtocol[];
  ports?: AnpPort[];
}

export interface AdminNetworkPolicySpec {
  priority?: number;
  subject?: TierSubject;
  ingress?: AnpIngressRule[];
  egress?: AnpEgressRule[];
}

/** BANP: no priority; only one, named `default`. */
export interface BaselineAdminNetworkPolicySpec {
  subject?: TierSubject;
  ingress?: AnpIngressRule[];
  egress?: AnpEgressRule[];
}

/** `policy.networking.k8s.io/v1alpha1`. Cluster-scoped. */
export interface AdminNetworkPolicy {
  apiVersion: string;
  kind: 'AdminNetworkPolicy';
  metadata: ObjectMeta;
  spec: AdminNetworkPolicySpec;
}

/** `policy.networking.k8s.io/v1alpha1`. Cluster-scoped; only `default` exists. */
export interface BaselineAdminNetworkPolicy {
  apiVersion: string;
  kind: 'BaselineAdminNetworkPolicy';
  metadata: ObjectMeta;
  spec: BaselineAdminNetworkPolicySpec;
}

export interface NodeAddress {
  /** `InternalIP`, `ExternalIP`, `Hostname`, `InternalDNS`, `ExternalDNS`. */
  type: string;
  address: string;
}

/** A Node: what `nodes` peers select (labels) and match (`status.addresses`). */
export interface Node {
  apiVersion: string;
  kind: 'Node';
  metadata: ObjectMeta;
  status?: { addresses?: NodeAddress[] };
}

export const TIER_API_GROUP = 'policy.networking.k8s.io';
