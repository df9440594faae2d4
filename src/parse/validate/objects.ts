/**
 * One parsed object → a validated record of the facts netfence uses, or `ignored` for kinds it does not
 * analyze. Every problem is reported on the object's reporter.
 */
import type { NetworkPolicySpec, OwnerReference, ServiceSpec, WorkloadKind } from '../../model/k8s.ts';
import { ClusterPolicyKind, NAMESPACE_NAME_LABEL } from '../../model/cluster.ts';
import { CiliumPolicyKind } from '../../model/cilium.ts';
import type { CiliumPolicyObject } from '../../model/cilium-wire.ts';
import { CILIUM_API_VERSION, isCiliumPolicyKind, validateCiliumPolicy } from './cilium.ts';
import { BASELINE_ADMIN_NAME, validateClusterPolicySpec } from './clusterpolicy.ts';
import { validateNode } from './node.ts';
import { validateEndpointSlice, validateEndpoints } from './endpoints.ts';
import type { ParsedObject } from '../types.ts';
import { checkKnownFields } from './check.ts';
import { validateMetadata } from './meta.ts';
import type { Metadata, MetadataRules } from './meta.ts';
import { validateNetworkPolicySpec } from './networkpolicy.ts';
import { POD_RESTART, podIps, validatePodSpec } from './pod.ts';
import type { PodSpecFacts } from './pod.ts';
import type { Reporter } from './report.ts';
import { isMap } from '../values.ts';
import { validateServiceSpec } from './service.ts';
import { validateWorkloadSpec } from './workload.ts';
import type { WorkloadFacts } from './workload.ts';

export type HandledKind =
  | 'Namespace'
  | 'Node'
  | 'Pod'
  | 'Service'
  | 'EndpointSlice'
  | 'Endpoints'
  | 'NetworkPolicy'
  | ClusterPolicyKind
  | CiliumPolicyKind
  | WorkloadKind;

/** The apiVersion that serves each kind netfence reads (the first, when there are several). */
export const SERVED_VERSION: Record<HandledKind, string> = {
  Namespace: 'v1',
  Node: 'v1',
  Pod: 'v1',
  Service: 'v1',
  EndpointSlice: 'discovery.k8s.io/v1',
  Endpoints: 'v1',
  ReplicationController: 'v1',
  NetworkPolicy: 'networking.k8s.io/v1',
  Deployment: 'apps/v1',
  ReplicaSet: 'apps/v1',
  StatefulSet: 'apps/v1',
  DaemonSet: 'apps/v1',
  Job: 'batch/v1',
  CronJob: 'batch/v1',
  ClusterNetworkPolicy: 'policy.networking.k8s.io/v1beta1',
  AdminNetworkPolicy: 'policy.networking.k8s.io/v1alpha1',
  BaselineAdminNetworkPolicy: 'policy.networking.k8s.io/v1alpha1',
  CiliumNetworkPolicy: CILIUM_API_VERSION,
  CiliumClusterwideNetworkPolicy: CILIUM_API_VERSION,
};

/** Kinds served by more than one apiVersion with the same schema. */
const ALSO_SERVED: Partial<Record<HandledKind, readonly string[]>> = {
  ClusterNetworkPolicy: ['policy.networking.k8s.io/v1alpha2'],
};

/** Cluster-scoped kinds: a `metadata.namespace` on them is ignored, as the API server ignores it. */
export function isClusterScoped(kind: string): boolean {
  return (
    kind === 'Namespace' ||
    kind === 'Node' ||
    isClusterPolicyKind(kind) ||
    kind === CiliumPolicyKind.CiliumClusterwideNetworkPolicy
  );
}

export function isClusterPolicyKind(kind: string): kind is ClusterPolicyKind {
  return Object.hasOwn(ClusterPolicyKind, kind);
}

/**
 * Whether netfence reads an object of this kind and apiVersion: a handled kind of Kubernetes itself, or one of
 * Cilium's policy kinds in its own group (`cilium.io`; another group's kind of the same name is another kind).
 */
export function isReadKind(kind: string, apiVersion: string): kind is HandledKind {
  if (!isHandledKind(kind)) return false;
  if (isCiliumPolicyKind(kind)) return apiVersion.startsWith('cilium.io/');
  return isBuiltInGroup(apiVersion);
}

/** apiVersions that once served a kind, with the Kubernetes release that removed them. */
const REMOVED_IN: Record<string, string> = {
  'extensions/v1beta1': '1.16',
  'apps/v1beta1': '1.16',
  'apps/v1beta2': '1.16',
  'batch/v1beta1': '1.25',
  'batch/v2alpha1': '1.21',
};

export function isHandledKind(kind: string): kind is HandledKind {
  return Object.hasOwn(SERVED_VERSION, kind);
}

/**
 * Whether an apiVersion belongs to Kubernetes itself (core, `apps`, `batch`, `*.k8s.io`) rather than to a
 * third party: a `projectcalico.org/v3` NetworkPolicy is another kind, not a wrong version of ours.
 */
export function isBuiltInGroup(apiVersion: string): boolean {
  const slash = apiVersion.indexOf('/');
  if (slash < 0) return true;
  const group = apiVersion.slice(0, slash);
  return !group.includes('.') || group.endsWith('.k8s.io');
}

interface Base {
  source: ParsedObject;
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface ValidNamespace extends Base {
  kind: 'Namespace';
}

export interface ValidPod extends Base {
  kind: 'Pod';
  namespace: string;
  owner: OwnerReference | undefined;
  pod: PodSpecFacts;
  ips: string[];
  phase: string | undefined;
}

export interface ValidWorkload extends Base {
  kind: WorkloadKind;
  namespace: string;
  owner: OwnerReference | undefined;
  facts: WorkloadFacts;
}

export interface ValidService extends Base {
  kind: 'Service';
  namespace: string;
  spec: ServiceSpec;
}

/** An EndpointSlice or Endpoints object: the backends of a Service. */
export interface ValidServiceEndpoints extends Base {
  kind: 'EndpointSlice' | 'Endpoints';
  namespace: string;
  addresses: string[];
}

export interface ValidPolicy extends Base {
  kind: 'NetworkPolicy';
  namespace: string;
  spec: NetworkPolicySpec;
}

export interface ValidClusterPolicy extends Base {
  kind: ClusterPolicyKind;
  apiVersion: string;
  spec: Record<string, unknown>;
}

export interface ValidCiliumPolicy extends Base {
  kind: CiliumPolicyKind;
  apiVersion: string;
  /** The policy's namespace; undefined for a CiliumClusterwideNetworkPolicy. */
  namespace: string | undefined;
  object: Pick<CiliumPolicyObject, 'spec' | 'specs'>;
}

export interface ValidNode extends Base {
  kind: 'Node';
  /** InternalIP and ExternalIP addresses. */
  addresses: string[];
}

export type ValidObject =
  | ValidNamespace
  | ValidNode
  | ValidPod
  | ValidWorkload
  | ValidService
  | ValidServiceEndpoints
  | ValidPolicy
  | ValidClusterPolicy
  | ValidCiliumPolicy;

/** The controller owner reference, or else the first one (as `metav1.GetControllerOf` falls back in kubectl). */
function ownerOf(meta: Metadata): OwnerReference | undefined {
  return meta.ownerReferences.find((o) => o.controller === true) ?? meta.ownerReferences[0];
}

function metadataRules(kind: HandledKind): MetadataRules {
  switch (kind) {
    case 'Namespace':
      return { kind, nameRule: 'label', namespaced: false };
    case 'Node':
    case 'CiliumClusterwideNetworkPolicy':
    case 'ClusterNetworkPolicy':
    case 'AdminNetworkPolicy':
    case 'BaselineAdminNetworkPolicy':
      return { kind, nameRule: 'subdomain', namespaced: false };
    case 'Service':
      return { kind, nameRule: 'dns1035', namespaced: true };
    case 'CronJob':
      return {
        kind,
        nameRule: 'subdomain',
        namespaced: true,
        maxName: { max: 52, why: 'its Jobs are named after it with an 11-character suffix' },
      };
    case 'Job':
      return {
        kind,
        nameRule: 'subdomain',
        namespaced: true,
        maxName: { max: 63, why: 'it becomes the value of the job-name label of its pods' },
      };
    default:
      return { kind, nameRule: 'subdomain', namespaced: true };
  }
}

/** A namespace on a cluster-scoped object: the API server clears it; netfence says so. */
function warnClusterScoped(r: Reporter, kind: string, raw: unknown): void {
  const namespace = isMap(raw) ? raw.namespace : undefined;
  if (typeof namespace !== 'string' || namespace === '') return;
  r.warn(
    'cluster-scoped-namespace',
    ['metadata', 'namespace'],
    `${kind} is cluster-scoped: the API server ignores the namespace ${JSON.stringify(namespace)}, and so does netfence. Remove it`,
  );
}

/**
 * Validates an object of a handled kind. Returns undefined when it is invalid (errors were reported) or
 * lacks what the state needs.
 */
export function validateObject(
  r: Reporter,
  kind: HandledKind,
  defaultNamespace: string,
  generatedName?: string,
): ValidObject | undefined {
  const source = r.source;
  const object = source.object;
  const served = SERVED_VERSION[kind];
  if (source.apiVersion !== served && !(ALSO_SERVED[kind] ?? []).includes(source.apiVersion)) {
    const removed = Object.hasOwn(REMOVED_IN, source.apiVersion) ? REMOVED_IN[source.apiVersion] : undefined;
    const when = removed === undefined ? '' : ` (removed in Kubernetes ${removed})`;
    r.error(
      'unsupported-api-version',
      ['apiVersion'],
      `${kind} is not served by ${JSON.stringify(source.apiVersion)}${when}: use "${served}"${(ALSO_SERVED[kind] ?? []).map((v) => ` or "${v}"`).join('')}`,
    );
  }
  if (isClusterScoped(kind) && kind !== 'Namespace') warnClusterScoped(r, kind, object.metadata);
  const rules = metadataRules(kind);
  if (generatedName !== undefined) rules.generatedName = generatedName;
  const meta = validateMetadata(r, object.metadata, rules);
  const base = { source, name: meta.name ?? '', labels: meta.labels, annotations: meta.annotations };
  const namespace = meta.namespace ?? defaultNamespace;
  let result: ValidObject;
  switch (kind) {
    case 'Namespace': {
      checkKnownFields(r, [], object, ['apiVersion', 'kind', 'metadata', 'spec', 'status']);
      const declared = meta.labels[NAMESPACE_NAME_LABEL];
      if (declared !== undefined && meta.name !== undefined && declared !== meta.name) {
        r.warn(
          'namespace-name-label',
          ['metadata', 'labels', NAMESPACE_NAME_LABEL],
          `is set by the API server to the namespace's name: "${declared}" is replaced with "${meta.name}"`,
        );
      }
      result = { ...base, kind };
      break;
    }
    case 'Pod': {
      const pod = validatePodSpec(r, ['spec'], object.spec, POD_RESTART);
      const { ips, phase } = podIps(r, object.status);
      result = { ...base, kind, namespace, owner: ownerOf(meta), pod, ips, phase };
      break;
    }
    case 'Service':
      result = { ...base, kind, namespace, spec: validateServiceSpec(r, object) };
      break;
    case 'EndpointSlice':
      result = { ...base, kind, namespace, addresses: validateEndpointSlice(r, object).addresses };
      break;
    case 'Endpoints':
      result = { ...base, kind, namespace, addresses: validateEndpoints(r, object).addresses };
      break;
    case 'NetworkPolicy':
      result = { ...base, kind, namespace, spec: validateNetworkPolicySpec(r, object) };
      break;
    case 'Node':
      result = { ...base, kind, addresses: validateNode(r, object) };
      break;
    case 'CiliumNetworkPolicy':
    case 'CiliumClusterwideNetworkPolicy':
      result = {
        ...base,
        kind,
        apiVersion: source.apiVersion,
        namespace: kind === 'CiliumNetworkPolicy' ? namespace : undefined,
        object: validateCiliumPolicy(r, kind, object),
      };
      break;
    case 'ClusterNetworkPolicy':
    case 'AdminNetworkPolicy':
    case 'BaselineAdminNetworkPolicy':
      if (
        kind === 'BaselineAdminNetworkPolicy' &&
        meta.name !== undefined &&
        meta.name !== BASELINE_ADMIN_NAME
      ) {
        r.error(
          'invalid-name',
          ['metadata', 'name'],
          `Invalid value: Only one baseline admin network policy with metadata.name="default" can be created in the cluster: rename ${JSON.stringify(meta.name)} to "default"`,
        );
      }
      result = {
        ...base,
        kind,
        apiVersion: source.apiVersion,
        spec: validateClusterPolicySpec(r, kind, object),
      };
      break;
    default:
      result = {
        ...base,
        kind,
        namespace,
        owner: ownerOf(meta),
        facts: validateWorkloadSpec(r, kind, object),
      };
  }
  return r.errorCount > 0 || meta.name === undefined ? undefined : result;
}
