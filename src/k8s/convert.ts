/**
 * The client's models → plain Kubernetes JSON, once, here: `_from` becomes `from`, Dates and bookkeeping
 * (managedFields, timestamps, status conditions) are dropped, and each object keeps only what the analysis
 * reads. The rest of netfence never sees a client model.
 *
 * Type-only imports: this file does not load the client.
 */
import type {
  V1Container,
  V1CronJob,
  V1DaemonSet,
  V1EndpointSlice,
  V1Deployment,
  V1Job,
  V1JobSpec,
  V1LabelSelector,
  V1Namespace,
  V1NetworkPolicy,
  V1Node,
  V1NetworkPolicyPeer,
  V1NetworkPolicyPort,
  V1NetworkPolicySpec,
  V1ObjectMeta,
  V1Pod,
  V1PodSpec,
  V1PodTemplateSpec,
  V1ReplicaSet,
  V1ReplicationController,
  V1Service,
  V1StatefulSet,
} from '@kubernetes/client-node';
import type {
  AdminNetworkPolicy,
  BaselineAdminNetworkPolicy,
  ClusterNetworkPolicy,
  Container,
  EndpointSlice,
  EndpointSliceEndpoint,
  LabelSelector,
  Namespace,
  NetworkPolicy,
  NetworkPolicyPeer,
  NetworkPolicyPort,
  NetworkPolicySpec,
  Node,
  NodeAddress,
  ObjectMeta,
  OwnerReference,
  Pod,
  PodSpec,
  PodTemplateSpec,
  Protocol,
  Service,
  ServicePort,
  ServiceSpec,
  WorkloadKind,
} from '../model/k8s.ts';
import type { CiliumObject, Workload, WorkloadSpec } from './types.ts';
import type { CiliumRule } from '../model/cilium-wire.ts';

/**
 * Annotations the analysis reads: netfence's own (`netfence.io/ignore` suppressions) and the Deployment
 * revision that tells the current ReplicaSet from old ones. Others (last-applied configurations, tooling
 * notes) can be large or sensitive, and never change a result.
 */
export function isAnalyzedAnnotation(key: string): boolean {
  return key.startsWith('netfence.io/') || key === 'deployment.kubernetes.io/revision';
}

type Detail = 'analysis' | 'full';

function copyMap(
  map: Readonly<Record<string, string>> | undefined,
  keep: (key: string) => boolean = () => true,
): Record<string, string> | undefined {
  if (map === undefined || map === null) return undefined;
  const out: Record<string, string> = {};
  for (const key of Object.keys(map).sort()) if (keep(key)) out[key] = map[key]!;
  return Object.keys(out).length === 0 ? undefined : out;
}

/**
 * `metadata`: name, namespace, labels, the annotations the analysis reads, owner references and uid;
 * with `full`, every annotation and the resourceVersion too (what `apply` records for a rollback).
 */
export function metaFromClient(meta: V1ObjectMeta | undefined, detail: Detail = 'analysis'): ObjectMeta {
  const out: ObjectMeta = {};
  if (meta === undefined) return out;
  if (meta.name !== undefined) out.name = meta.name;
  if (meta.namespace !== undefined && meta.namespace !== '') out.namespace = meta.namespace;
  const labels = copyMap(meta.labels);
  if (labels !== undefined) out.labels = labels;
  const annotations = copyMap(meta.annotations, detail === 'full' ? undefined : isAnalyzedAnnotation);
  if (annotations !== undefined) out.annotations = annotations;
  if (meta.ownerReferences !== undefined && meta.ownerReferences.length > 0) {
    out.ownerReferences = meta.ownerReferences.map((o) => {
      const ref: OwnerReference = { apiVersion: o.apiVersion, kind: o.kind, name: o.name, uid: o.uid };
      if (o.controller !== undefined) ref.controller = o.controller;
      return ref;
    });
  }
  if (meta.uid !== undefined) out.uid = meta.uid;
  if (detail === 'full' && meta.resourceVersion !== undefined) out.resourceVersion = meta.resourceVersion;
  return out;
}

/** Template metadata: labels and the annotations the analysis reads. */
function templateMeta(meta: V1ObjectMeta | undefined): ObjectMeta | undefined {
  if (meta === undefined) return undefined;
  const out: ObjectMeta = {};
  const labels = copyMap(meta.labels);
  if (labels !== undefined) out.labels = labels;
  const annotations = copyMap(meta.annotations, isAnalyzedAnnotation);
  if (annotations !== undefined) out.annotations = annotations;
  return out;
}

export function selectorFromClient(s: V1LabelSelector): LabelSelector {
  const out: LabelSelector = {};
  const labels = copyMap(s.matchLabels);
  if (labels !== undefined) out.matchLabels = labels;
  if (s.matchExpressions !== undefined && s.matchExpressions.length > 0) {
    out.matchExpressions = s.matchExpressions.map((e) => {
      const req: { key: string; operator: string; values?: string[] } = { key: e.key, operator: e.operator };
      if (e.values !== undefined) req.values = [...e.values];
      return req;
    });
  }
  return out;
}

function containerFromClient(c: V1Container): Container {
  const out: Container = { name: c.name };
  if (c.image !== undefined) out.image = c.image;
  if (c.ports !== undefined && c.ports.length > 0) {
    out.ports = c.ports.map((p) => {
      const port: { name?: string; containerPort: number; protocol?: string } =
        p.name !== undefined && p.name !== ''
          ? { name: p.name, containerPort: p.containerPort }
          : { containerPort: p.containerPort };
      if (p.protocol !== undefined) port.protocol = p.protocol;
      return port;
    });
  }
  return out;
}

/** Containers with their names, images and ports; host networking; the restart policy (validated). */
function podSpecFromClient(spec: V1PodSpec | undefined): PodSpec & { restartPolicy?: string } {
  const out: PodSpec & { restartPolicy?: string } = {
    containers: (spec?.containers ?? []).map(containerFromClient),
  };
  // Sidecars (init containers with restartPolicy: Always) can name ports too.
  if (spec?.initContainers !== undefined && spec.initContainers.length > 0)
    out.initContainers = spec.initContainers.map(containerFromClient);
  if (spec?.hostNetwork === true) out.hostNetwork = true;
  if (spec?.nodeName !== undefined && spec.nodeName !== '') out.nodeName = spec.nodeName;
  if (spec?.restartPolicy !== undefined) out.restartPolicy = spec.restartPolicy;
  return out;
}

function templateFromClient(t: V1PodTemplateSpec | undefined): PodTemplateSpec | undefined {
  if (t === undefined) return undefined;
  const meta = templateMeta(t.metadata);
  const spec = podSpecFromClient(t.spec);
  return meta === undefined ? { spec } : { metadata: meta, spec };
}

export function namespaceFromClient(ns: V1Namespace): Namespace {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: metaFromClient(ns.metadata) };
}

export function podFromClient(pod: V1Pod): Pod {
  const out: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: metaFromClient(pod.metadata),
    spec: podSpecFromClient(pod.spec),
  };
  const s = pod.status;
  if (s !== undefined) {
    const status: NonNullable<Pod['status']> = {};
    if (s.phase !== undefined) status.phase = s.phase;
    if (s.podIP !== undefined && s.podIP !== '') status.podIP = s.podIP;
    if (s.podIPs !== undefined && s.podIPs.length > 0) status.podIPs = s.podIPs.map((p) => ({ ip: p.ip }));
    if (Object.keys(status).length > 0) out.status = status;
  }
  return out;
}

/** A Job's spec: template and parallelism; its selector only when set by hand (the API generates it). */
type JobSpecFields = Pick<V1JobSpec, 'parallelism' | 'manualSelector' | 'selector' | 'template'>;

function jobSpecFromClient(spec: JobSpecFields | undefined): WorkloadSpec {
  const out: WorkloadSpec = {};
  if (spec === undefined) return out;
  if (spec.parallelism !== undefined) out.parallelism = spec.parallelism;
  if (spec.manualSelector === true) {
    out.manualSelector = true;
    if (spec.selector !== undefined) out.selector = selectorFromClient(spec.selector);
  }
  const template = templateFromClient(spec.template);
  if (template !== undefined) out.template = template;
  return out;
}

type AppsWorkload = V1Deployment | V1ReplicaSet | V1StatefulSet | V1DaemonSet;
type AnyWorkload = AppsWorkload | V1Job | V1CronJob | V1ReplicationController;

/** A workload controller of `kind` (its spec is read as that kind's). */
export function workloadFromClient(kind: WorkloadKind, object: AnyWorkload): Workload {
  const apiVersion =
    kind === 'Job' || kind === 'CronJob' ? 'batch/v1' : kind === 'ReplicationController' ? 'v1' : 'apps/v1';
  let spec: WorkloadSpec = {};
  switch (kind) {
    case 'Job':
      spec = jobSpecFromClient((object as { spec?: JobSpecFields }).spec);
      break;
    case 'CronJob': {
      const s = object.spec as V1CronJob['spec'];
      if (s !== undefined) {
        spec.schedule = s.schedule;
        spec.jobTemplate = { spec: jobSpecFromClient(s.jobTemplate.spec) };
      }
      break;
    }
    case 'ReplicationController': {
      const s = object.spec as V1ReplicationController['spec'];
      if (s?.replicas !== undefined) spec.replicas = s.replicas;
      const selector = copyMap(s?.selector);
      if (selector !== undefined) spec.selector = selector;
      const template = templateFromClient(s?.template);
      if (template !== undefined) spec.template = template;
      break;
    }
    default: {
      const s = object.spec as AppsWorkload['spec'];
      if (s !== undefined && 'replicas' in s && s.replicas !== undefined) spec.replicas = s.replicas;
      if (s?.selector !== undefined) spec.selector = selectorFromClient(s.selector);
      const template = templateFromClient(s?.template);
      if (template !== undefined) spec.template = template;
    }
  }
  return { apiVersion, kind, metadata: metaFromClient(object.metadata), spec };
}

export function serviceFromClient(svc: V1Service): Service {
  const spec: ServiceSpec = {};
  const s = svc.spec;
  if (s !== undefined) {
    if (s.type !== undefined) spec.type = s.type;
    const selector = copyMap(s.selector);
    if (selector !== undefined) spec.selector = selector;
    if (s.ports !== undefined && s.ports.length > 0) {
      spec.ports = s.ports.map((p) => {
        const port: ServicePort =
          p.name !== undefined && p.name !== '' ? { name: p.name, port: p.port } : { port: p.port };
        if (p.protocol !== undefined) port.protocol = p.protocol;
        if (p.targetPort !== undefined) port.targetPort = p.targetPort;
        return port;
      });
    }
    if (s.clusterIP !== undefined && s.clusterIP !== '') spec.clusterIP = s.clusterIP;
    if (s.clusterIPs !== undefined && s.clusterIPs.length > 0) spec.clusterIPs = [...s.clusterIPs];
    if (s.externalIPs !== undefined && s.externalIPs.length > 0) spec.externalIPs = [...s.externalIPs];
    if (s.loadBalancerIP !== undefined && s.loadBalancerIP !== '') spec.loadBalancerIP = s.loadBalancerIP;
  }
  return { apiVersion: 'v1', kind: 'Service', metadata: metaFromClient(svc.metadata), spec };
}

/**
 * An EndpointSlice: its address type, ports, and each endpoint's addresses, conditions and node (no hints,
 * zones, target references or hostnames).
 */
export function endpointSliceFromClient(slice: V1EndpointSlice): EndpointSlice {
  const out: EndpointSlice = {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: metaFromClient(slice.metadata),
    addressType: slice.addressType,
  };
  if (slice.ports !== undefined && slice.ports.length > 0) {
    out.ports = slice.ports.map((p) => ({
      ...(p.name === undefined || p.name === '' ? {} : { name: p.name }),
      ...(p.port === undefined ? {} : { port: p.port }),
      ...(p.protocol === undefined ? {} : { protocol: p.protocol as Protocol }),
    }));
  }
  if (slice.endpoints !== undefined && slice.endpoints.length > 0) {
    out.endpoints = slice.endpoints.map((e) => {
      const endpoint: EndpointSliceEndpoint = { addresses: [...e.addresses] };
      const c = e.conditions;
      if (c !== undefined) {
        const conditions: NonNullable<EndpointSliceEndpoint['conditions']> = {};
        if (c.ready !== undefined) conditions.ready = c.ready;
        if (c.serving !== undefined) conditions.serving = c.serving;
        if (c.terminating !== undefined) conditions.terminating = c.terminating;
        endpoint.conditions = conditions;
      }
      if (e.nodeName !== undefined && e.nodeName !== '') endpoint.nodeName = e.nodeName;
      return endpoint;
    });
  }
  return out;
}

function peerFromClient(p: V1NetworkPolicyPeer): NetworkPolicyPeer {
  const out: NetworkPolicyPeer = {};
  if (p.podSelector !== undefined) out.podSelector = selectorFromClient(p.podSelector);
  if (p.namespaceSelector !== undefined) out.namespaceSelector = selectorFromClient(p.namespaceSelector);
  if (p.ipBlock !== undefined) {
    out.ipBlock = { cidr: p.ipBlock.cidr };
    if (p.ipBlock.except !== undefined) out.ipBlock.except = [...p.ipBlock.except];
  }
  return out;
}

function portFromClient(p: V1NetworkPolicyPort): NetworkPolicyPort {
  const out: NetworkPolicyPort = {};
  if (p.protocol !== undefined) out.protocol = p.protocol;
  if (p.port !== undefined) out.port = p.port;
  if (p.endPort !== undefined) out.endPort = p.endPort;
  return out;
}

/** The whole spec: absent and empty stay different (`ingress: []` denies, absent has no rules). */
export function policySpecFromClient(s: V1NetworkPolicySpec | undefined): NetworkPolicySpec {
  const spec: NetworkPolicySpec = {};
  if (s === undefined) return spec;
  if (s.podSelector !== undefined) spec.podSelector = selectorFromClient(s.podSelector);
  if (s.policyTypes !== undefined) spec.policyTypes = [...s.policyTypes];
  if (s.ingress !== undefined) {
    spec.ingress = s.ingress.map((r) => {
      const rule: NonNullable<NetworkPolicySpec['ingress']>[number] = {};
      if (r._from !== undefined) rule.from = r._from.map(peerFromClient);
      if (r.ports !== undefined) rule.ports = r.ports.map(portFromClient);
      return rule;
    });
  }
  if (s.egress !== undefined) {
    spec.egress = s.egress.map((r) => {
      const rule: NonNullable<NetworkPolicySpec['egress']>[number] = {};
      if (r.to !== undefined) rule.to = r.to.map(peerFromClient);
      if (r.ports !== undefined) rule.ports = r.ports.map(portFromClient);
      return rule;
    });
  }
  return spec;
}

/**
 * A NetworkPolicy: the whole spec. With `full` (what `apply` compares and records), every label and
 * annotation and the resourceVersion.
 */
export function networkPolicyFromClient(np: V1NetworkPolicy, detail: Detail = 'analysis'): NetworkPolicy {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: metaFromClient(np.metadata, detail),
    spec: policySpecFromClient(np.spec),
  };
}

/** A full NetworkPolicy (as `apply` reads it) stripped to what the analysis reads. */
export function forAnalysis(np: NetworkPolicy): NetworkPolicy {
  const metadata: ObjectMeta = { ...np.metadata };
  delete metadata.resourceVersion;
  const annotations = copyMap(np.metadata.annotations, isAnalyzedAnnotation);
  if (annotations === undefined) delete metadata.annotations;
  else metadata.annotations = annotations;
  return { ...np, metadata };
}

/** The address types of a Node that are IPs (what `nodes` peers match); names are left out. */
const NODE_IP_TYPES = new Set(['InternalIP', 'ExternalIP']);

/** A Node: its labels and its IP addresses, nothing else (no capacity, conditions, images). */
export function nodeFromClient(node: V1Node): Node {
  const out: Node = { apiVersion: 'v1', kind: 'Node', metadata: metaFromClient(node.metadata) };
  const addresses: NodeAddress[] = (node.status?.addresses ?? [])
    .filter((a) => NODE_IP_TYPES.has(a.type))
    .map((a) => ({ type: a.type, address: a.address }));
  if (addresses.length > 0) out.status = { addresses };
  return out;
}

type TierObject = ClusterNetworkPolicy | AdminNetworkPolicy | BaselineAdminNetworkPolicy;

/**
 * A cluster policy as the custom objects API returns it (plain JSON): apiVersion, kind, metadata as for
 * other objects (with `full`, as `apply` records it), and the whole spec (no status).
 */
export function tierPolicyFromClient(
  item: unknown,
  kind: TierObject['kind'],
  detail: Detail = 'analysis',
): TierObject {
  const o = (item ?? {}) as { apiVersion?: string; metadata?: V1ObjectMeta; spec?: unknown };
  return {
    apiVersion: o.apiVersion ?? '',
    kind,
    metadata: metaFromClient(o.metadata, detail),
    spec: (o.spec ?? {}) as TierObject['spec'],
  };
}

/**
 * A CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy as the custom objects API returns it (plain JSON):
 * apiVersion, kind, metadata as for other objects (with `full`, as `apply` records it), `spec` and `specs`
 * whole (no status).
 */
export function ciliumPolicyFromClient(
  item: unknown,
  kind: CiliumObject['kind'],
  detail: Detail = 'analysis',
): CiliumObject {
  const o = (item ?? {}) as { apiVersion?: string; metadata?: V1ObjectMeta; spec?: unknown; specs?: unknown };
  const out: CiliumObject = {
    apiVersion: o.apiVersion ?? '',
    kind,
    metadata: metaFromClient(o.metadata, detail),
  };
  if (o.spec !== undefined && o.spec !== null) out.spec = o.spec;
  if (o.specs !== undefined && o.specs !== null) out.specs = o.specs as CiliumRule[];
  return out;
}
