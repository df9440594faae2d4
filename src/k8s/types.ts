/**
 * The objects netfence reads from a cluster, as plain Kubernetes JSON (the wire types of
 * `src/model/k8s.ts`), stripped to what the analysis uses. A snapshot file is a `kind: List` of exactly
 * these objects, so that analyzing a snapshot and analyzing the cluster build the same state.
 */
import type {
  AdminNetworkPolicy,
  BaselineAdminNetworkPolicy,
  ClusterNetworkPolicy,
  LabelSelector,
  Namespace,
  EndpointSlice,
  NetworkPolicy,
  Node,
  ObjectMeta,
  Pod,
  PodTemplateSpec,
  Service,
  WorkloadKind,
} from '../model/k8s.ts';
import type { CiliumObject, CiliumPolicyKind } from '../model/cilium.ts';

/** The spec fields of a workload controller that the analysis reads (template, selector, counts). */
export interface WorkloadSpec {
  replicas?: number;
  /** A label selector (apps/v1), or a plain label map (ReplicationController). */
  selector?: LabelSelector | Record<string, string>;
  template?: PodTemplateSpec;
  /** Jobs. */
  parallelism?: number;
  manualSelector?: boolean;
  /** CronJobs. */
  schedule?: string;
  jobTemplate?: { metadata?: ObjectMeta; spec?: WorkloadSpec };
}

export interface Workload {
  apiVersion: string;
  kind: WorkloadKind;
  metadata: ObjectMeta;
  spec: WorkloadSpec;
}

export type { CiliumObject };

/** One object read from a cluster. */
export type KubeObject =
  | Namespace
  | Pod
  | Workload
  | Service
  | EndpointSlice
  | NetworkPolicy
  | Node
  | ClusterNetworkPolicy
  | AdminNetworkPolicy
  | BaselineAdminNetworkPolicy
  | CiliumObject;

/** Which namespaces to read. */
export type ReadScope = { kind: 'all' } | { kind: 'namespace'; namespace: string };

/** The API resources netfence lists, in the order a snapshot holds them. */
export const RESOURCES = [
  'namespaces',
  'pods',
  'deployments',
  'replicasets',
  'statefulsets',
  'daemonsets',
  'jobs',
  'cronjobs',
  'replicationcontrollers',
  'services',
  'endpointslices',
  'networkpolicies',
  'nodes',
  'clusternetworkpolicies',
  'adminnetworkpolicies',
  'baselineadminnetworkpolicies',
  'ciliumnetworkpolicies',
  'ciliumclusterwidenetworkpolicies',
] as const;
export type Resource = (typeof RESOURCES)[number];

/** The kind each resource lists. */
export const KIND_OF: Record<Resource, KubeObject['kind']> = {
  namespaces: 'Namespace',
  pods: 'Pod',
  deployments: 'Deployment',
  replicasets: 'ReplicaSet',
  statefulsets: 'StatefulSet',
  daemonsets: 'DaemonSet',
  jobs: 'Job',
  cronjobs: 'CronJob',
  replicationcontrollers: 'ReplicationController',
  services: 'Service',
  endpointslices: 'EndpointSlice',
  networkpolicies: 'NetworkPolicy',
  nodes: 'Node',
  clusternetworkpolicies: 'ClusterNetworkPolicy',
  adminnetworkpolicies: 'AdminNetworkPolicy',
  baselineadminnetworkpolicies: 'BaselineAdminNetworkPolicy',
  ciliumnetworkpolicies: 'CiliumNetworkPolicy',
  ciliumclusterwidenetworkpolicies: 'CiliumClusterwideNetworkPolicy',
};

/** Cilium's group and the version netfence reads (the only one its CRDs serve). */
export const CILIUM_API_GROUP = 'cilium.io';
export const CILIUM_API_VERSION = 'v2';

/** Cilium's policy kinds (`cilium.io/v2` custom resources), listed when their CRDs are installed. */
export const CILIUM_RESOURCES = {
  ciliumnetworkpolicies: 'CiliumNetworkPolicy',
  ciliumclusterwidenetworkpolicies: 'CiliumClusterwideNetworkPolicy',
} as const satisfies Partial<Record<Resource, CiliumPolicyKind>>;
export type CiliumResource = keyof typeof CILIUM_RESOURCES;

/** The cluster policy tiers (`policy.networking.k8s.io` custom resources), each with the versions to try. */
export const TIER_RESOURCES = {
  clusternetworkpolicies: ['v1beta1', 'v1alpha2'],
  adminnetworkpolicies: ['v1alpha1'],
  baselineadminnetworkpolicies: ['v1alpha1'],
} as const satisfies Partial<Record<Resource, readonly string[]>>;
export type TierResource = keyof typeof TIER_RESOURCES;

/** The label that marks the objects `netfence apply` manages (and `--prune` may delete). */
export { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../apply/objects.ts';
/** The field manager of every write (server-side apply tracks ownership by it). */
export const FIELD_MANAGER = 'netfence';
