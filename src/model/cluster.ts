/**
 * The cluster state netfence analyzes: validated, normalized objects, independent of where they came from
 * (files, stdin, a live cluster, a snapshot). Input adapters build it; the engine reads it.
 */
import type { FieldPath, SourceLocation } from './problem.ts';
import type { NetworkPolicySpec, Protocol, ServiceSpec, WorkloadKind } from './k8s.ts';

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
  spec: ServiceSpec;
  origin?: Origin;
}

export interface ClusterState {
  namespaces: NamespaceInfo[];
  workloads: WorkloadInfo[];
  pods: PodInfo[];
  policies: PolicyInfo[];
  services: ServiceInfo[];
}

export function emptyCluster(): ClusterState {
  return { namespaces: [], workloads: [], pods: [], policies: [], services: [] };
}

/** The label every namespace carries automatically. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';
