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
