/**
 * Reading a cluster: Namespaces, Pods, workload controllers, Services, EndpointSlices, NetworkPolicies, Nodes and the
 * cluster policy tiers (ClusterNetworkPolicy, AdminNetworkPolicy, BaselineAdminNetworkPolicy, when their CRDs
 * are installed), listed in pages (`limit` + `continue`), converted and stripped as they arrive. Never
 * Secrets or ConfigMaps.
 */
import type { V1ListMeta } from '@kubernetes/client-node';
import { TIER_API_GROUP, type NetworkPolicy } from '../model/k8s.ts';
import type { Connection } from './connect.ts';
import {
  ciliumPolicyFromClient,
  endpointSliceFromClient,
  forAnalysis,
  namespaceFromClient,
  networkPolicyFromClient,
  nodeFromClient,
  podFromClient,
  serviceFromClient,
  tierPolicyFromClient,
  workloadFromClient,
} from './convert.ts';
import { ClusterError } from './errors.ts';
import {
  CILIUM_API_GROUP,
  CILIUM_API_VERSION,
  CILIUM_RESOURCES,
  KIND_OF,
  RESOURCES,
  TIER_RESOURCES,
  type CiliumResource,
  type KubeObject,
  type ReadScope,
  type Resource,
  type TierResource,
} from './types.ts';

/** Objects per page, as kubectl asks. */
export const DEFAULT_PAGE_SIZE = 500;

export interface ReadProgress {
  /** Objects read so far, over every resource. */
  objects: number;
  /** Objects the API server says are still to come (its `remainingItemCount` estimates), when known. */
  remaining: number | undefined;
  /** Whether some resource needed more than one page: a read worth showing progress for. */
  large: boolean;
}

export interface ReadOptions {
  scope: ReadScope;
  /** @default 500 */
  pageSize?: number;
  /** Keep every label and annotation of NetworkPolicies, and their resourceVersion (for `apply`). */
  fullPolicies?: boolean;
  /** Called after each page. */
  onProgress?: (progress: ReadProgress) => void;
}

export interface ClusterRead {
  /** Stripped objects, in resource order, then by namespace and name. */
  objects: KubeObject[];
  /** With `fullPolicies`: the NetworkPolicies with all their metadata. */
  fullPolicies: NetworkPolicy[];
  /** Objects read per resource. */
  counts: Record<Resource, number>;
  /** Resources that could not be listed and were left out (forbidden, or not served), one line each. */
  warnings: string[];
}

export interface Page {
  metadata?: V1ListMeta;
  items: unknown[];
}

export type ListFn = (page: { limit: number; _continue?: string }) => Promise<Page>;

/**
 * Resources without which the analysis is wrong rather than incomplete. The others (workload
 * controllers, Services) only add workloads that have no pods yet, or names: when they cannot be listed,
 * the read goes on with a warning.
 */
const ESSENTIAL: ReadonlySet<Resource> = new Set<Resource>(['namespaces', 'pods', 'networkpolicies']);

export function isTierResource(resource: Resource): resource is TierResource {
  return Object.hasOwn(TIER_RESOURCES, resource);
}

export function isCiliumResource(resource: Resource): resource is CiliumResource {
  return Object.hasOwn(CILIUM_RESOURCES, resource);
}

/** Cluster-scoped resources are listed whole, whatever the scope: they apply to (or hold) every namespace. */
function isClusterScoped(resource: Resource): boolean {
  return resource === 'nodes' || isTierResource(resource) || resource === 'ciliumclusterwidenetworkpolicies';
}

/**
 * Whether the API server serves a Cilium policy kind, by discovery (open to every authenticated user). When
 * discovery itself fails, it is taken as served.
 */
async function isServed(conn: Connection, resource: CiliumResource): Promise<boolean> {
  try {
    const list = await conn.call(
      { verb: 'discover', what: `${CILIUM_API_GROUP}/${CILIUM_API_VERSION}` },
      () =>
        conn.custom.getAPIResources({ group: CILIUM_API_GROUP, version: CILIUM_API_VERSION }, conn.options()),
    );
    return list.resources.some((r) => r.name === resource);
  } catch (error) {
    return !(error instanceof ClusterError && error.status === 404);
  }
}

/** Lists a Cilium policy kind through the custom objects API (`cilium.io/v2`). */
function ciliumLister(conn: Connection, resource: CiliumResource, namespace: string | undefined): ListFn {
  const o = conn.options();
  const at = { group: CILIUM_API_GROUP, version: CILIUM_API_VERSION, plural: resource };
  return async (page) =>
    (namespace === undefined
      ? await conn.custom.listClusterCustomObject({ ...at, ...page }, o)
      : await conn.custom.listNamespacedCustomObject({ ...at, namespace, ...page }, o)) as Page;
}

/**
 * Lists a cluster policy kind in the first version the API server serves (a ClusterNetworkPolicy CRD of
 * network-policy-api 0.2 serves only v1alpha2). A 404 of the last version means the CRD is not installed.
 */
function tierLister(conn: Connection, resource: TierResource): ListFn {
  let chosen: string | undefined;
  return async (page) => {
    const versions = chosen === undefined ? TIER_RESOURCES[resource] : [chosen];
    for (const [i, version] of versions.entries()) {
      try {
        const list = (await conn.custom.listClusterCustomObject(
          { group: TIER_API_GROUP, version, plural: resource, ...page },
          conn.options(),
        )) as Page;
        chosen = version;
        return list;
      } catch (error) {
        if (i < versions.length - 1 && (error as { code?: unknown }).code === 404) continue;
        throw error;
      }
    }
    throw new Error(`no version of ${resource} to list`);
  };
}

export function listerFor(conn: Connection, resource: Resource, namespace: string | undefined): ListFn {
  const o = conn.options();
  const ns = namespace;
  switch (resource) {
    case 'nodes':
      return (p) => conn.core.listNode(p, o);
    case 'clusternetworkpolicies':
    case 'adminnetworkpolicies':
    case 'baselineadminnetworkpolicies':
      return tierLister(conn, resource);
    case 'ciliumnetworkpolicies':
      return ciliumLister(conn, resource, ns);
    case 'ciliumclusterwidenetworkpolicies':
      return ciliumLister(conn, resource, undefined);
    case 'namespaces':
      return (p) => conn.core.listNamespace(p, o);
    case 'pods':
      return (p) =>
        ns === undefined
          ? conn.core.listPodForAllNamespaces(p, o)
          : conn.core.listNamespacedPod({ ...p, namespace: ns }, o);
    case 'deployments':
      return (p) =>
        ns === undefined
          ? conn.apps.listDeploymentForAllNamespaces(p, o)
          : conn.apps.listNamespacedDeployment({ ...p, namespace: ns }, o);
    case 'replicasets':
      return (p) =>
        ns === undefined
          ? conn.apps.listReplicaSetForAllNamespaces(p, o)
          : conn.apps.listNamespacedReplicaSet({ ...p, namespace: ns }, o);
    case 'statefulsets':
      return (p) =>
        ns === undefined
          ? conn.apps.listStatefulSetForAllNamespaces(p, o)
          : conn.apps.listNamespacedStatefulSet({ ...p, namespace: ns }, o);
    case 'daemonsets':
      return (p) =>
        ns === undefined
          ? conn.apps.listDaemonSetForAllNamespaces(p, o)
          : conn.apps.listNamespacedDaemonSet({ ...p, namespace: ns }, o);
    case 'jobs':
      return (p) =>
        ns === undefined
          ? conn.batch.listJobForAllNamespaces(p, o)
          : conn.batch.listNamespacedJob({ ...p, namespace: ns }, o);
    case 'cronjobs':
      return (p) =>
        ns === undefined
          ? conn.batch.listCronJobForAllNamespaces(p, o)
          : conn.batch.listNamespacedCronJob({ ...p, namespace: ns }, o);
    case 'replicationcontrollers':
      return (p) =>
        ns === undefined
          ? conn.core.listReplicationControllerForAllNamespaces(p, o)
          : conn.core.listNamespacedReplicationController({ ...p, namespace: ns }, o);
    case 'services':
      return (p) =>
        ns === undefined
          ? conn.core.listServiceForAllNamespaces(p, o)
          : conn.core.listNamespacedService({ ...p, namespace: ns }, o);
    case 'endpointslices':
      return (p) =>
        ns === undefined
          ? conn.discovery.listEndpointSliceForAllNamespaces(p, o)
          : conn.discovery.listNamespacedEndpointSlice({ ...p, namespace: ns }, o);
    case 'networkpolicies':
      return (p) =>
        ns === undefined
          ? conn.networking.listNetworkPolicyForAllNamespaces(p, o)
          : conn.networking.listNamespacedNetworkPolicy({ ...p, namespace: ns }, o);
  }
}

/** A listed (or watched) item of `resource`, converted to plain Kubernetes JSON. */
export function convert(resource: Resource, item: unknown): KubeObject {
  const kind = KIND_OF[resource];
  switch (kind) {
    case 'Namespace':
      return namespaceFromClient(item as Parameters<typeof namespaceFromClient>[0]);
    case 'Pod':
      return podFromClient(item as Parameters<typeof podFromClient>[0]);
    case 'Service':
      return serviceFromClient(item as Parameters<typeof serviceFromClient>[0]);
    case 'EndpointSlice':
      return endpointSliceFromClient(item as Parameters<typeof endpointSliceFromClient>[0]);
    case 'NetworkPolicy':
      return networkPolicyFromClient(item as Parameters<typeof networkPolicyFromClient>[0]);
    case 'Node':
      return nodeFromClient(item as Parameters<typeof nodeFromClient>[0]);
    case 'ClusterNetworkPolicy':
    case 'AdminNetworkPolicy':
    case 'BaselineAdminNetworkPolicy':
      return tierPolicyFromClient(item, kind);
    case 'CiliumNetworkPolicy':
    case 'CiliumClusterwideNetworkPolicy':
      return ciliumPolicyFromClient(item, kind);
    default:
      return workloadFromClient(kind, item as Parameters<typeof workloadFromClient>[1]);
  }
}

/**
 * One line for the cluster-scoped resources a reader may not list (a user bound in one namespace only can
 * list none of them): what is then unknown, and the fix.
 */
function clusterScopedWarning(resources: readonly Resource[]): string {
  const names =
    resources.length === 1 ? resources[0]! : `${resources.slice(0, -1).join(', ')} and ${resources.at(-1)!}`;
  const tiers = resources.some(isTierResource);
  const what = resources.every(isCiliumResource)
    ? 'Cilium policies (CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy), if the cluster has any, are not analyzed'
    : tiers
      ? 'cluster policies (ClusterNetworkPolicy, AdminNetworkPolicy, BaselineAdminNetworkPolicy), if the cluster has any, are not analyzed'
      : 'the "nodes" peers of cluster policies match no address';
  return `warning: left out ${names} (forbidden): ${what} (grant list on them: deploy/rbac/netfence-readonly.yaml)`;
}

function byNamespaceAndName(a: KubeObject, b: KubeObject): number {
  const ka = `${a.metadata.namespace ?? ''}/${a.metadata.name ?? ''}`;
  const kb = `${b.metadata.namespace ?? ''}/${b.metadata.name ?? ''}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

function scopeText(scope: ReadScope): string {
  return scope.kind === 'all' ? 'in all namespaces' : `in namespace "${scope.namespace}"`;
}

/**
 * Reads what the analysis needs, every resource in parallel, each in pages. Essential resources that
 * cannot be listed fail the read with a one-line `ClusterError`; the others are left out with a warning.
 */
export async function readCluster(conn: Connection, options: ReadOptions): Promise<ClusterRead> {
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  const namespace = options.scope.kind === 'namespace' ? options.scope.namespace : undefined;
  const counts = Object.fromEntries(RESOURCES.map((r) => [r, 0])) as Record<Resource, number>;
  const remaining = new Map<Resource, number | undefined>();
  const warnings: string[] = [];
  const fullPolicies: NetworkPolicy[] = [];
  /** Nodes and tier kinds that could not be listed (forbidden): one warning for all of them. */
  const clusterScopedLeftOut = new Set<Resource>();
  /** Cilium's kinds that could not be listed (forbidden): one warning for both. */
  const ciliumLeftOut = new Set<Resource>();
  let large = false;
  const report = (): void => {
    if (options.onProgress === undefined) return;
    let total = 0;
    let estimate: number | undefined = 0;
    for (const r of RESOURCES) {
      total += counts[r];
      const left = remaining.get(r);
      if (left === undefined) estimate = remaining.has(r) ? undefined : estimate;
      else if (estimate !== undefined) estimate += left;
    }
    options.onProgress({ objects: total, remaining: estimate, large });
  };

  const readResource = async (resource: Resource): Promise<KubeObject[]> => {
    const out: KubeObject[] = [];
    if (resource === 'namespaces' && namespace !== undefined) {
      const ns = await readOneNamespace(conn, namespace, warnings);
      if (ns !== undefined) out.push(ns);
      counts.namespaces = out.length;
      return out;
    }
    const clusterScoped = isClusterScoped(resource);
    const list = listerFor(conn, resource, clusterScoped ? undefined : namespace);
    const attempt = {
      verb: 'list',
      what: clusterScoped
        ? resource
        : `${resource} ${namespace === undefined ? 'in all namespaces' : `in namespace "${namespace}"`}`,
    };
    let token: string | undefined;
    let pages = 0;
    try {
      do {
        const page: Page = await conn.call(attempt, () =>
          list(token === undefined ? { limit: pageSize } : { limit: pageSize, _continue: token }),
        );
        pages++;
        for (const item of page.items) {
          if (resource === 'networkpolicies' && options.fullPolicies === true) {
            const full = networkPolicyFromClient(
              item as Parameters<typeof networkPolicyFromClient>[0],
              'full',
            );
            fullPolicies.push(full);
            out.push(forAnalysis(full));
          } else {
            out.push(convert(resource, item));
          }
        }
        counts[resource] = out.length;
        token = page.metadata?._continue === '' ? undefined : page.metadata?._continue;
        if (pages > 1 || token !== undefined) large = true;
        remaining.set(resource, token === undefined ? 0 : page.metadata?.remainingItemCount);
        report();
      } while (token !== undefined);
    } catch (error) {
      if (
        error instanceof ClusterError &&
        !ESSENTIAL.has(resource) &&
        (error.status === 403 || error.status === 404)
      ) {
        remaining.set(resource, 0);
        // Most clusters have no tier CRDs: nothing is missing from the analysis then, and nothing is said.
        if ((isTierResource(resource) || isCiliumResource(resource)) && error.status === 404) return [];
        if (isCiliumResource(resource)) {
          // Forbidden is said only where Cilium is installed: RBAC answers 403 before it looks for the resource.
          if (await isServed(conn, resource)) ciliumLeftOut.add(resource);
          return [];
        }
        if (clusterScoped) {
          clusterScopedLeftOut.add(resource);
          return [];
        }
        const why = error.status === 403 ? 'forbidden' : 'not served by this API server';
        const effect =
          resource === 'endpointslices'
            ? "Services without a selector have no known backend: Cilium's toServices to them is read as if they had none"
            : 'workloads of that kind appear only through their pods';
        warnings.push(`warning: left out ${resource} ${scopeText(options.scope)} (${why}): ${effect}`);
        return [];
      }
      throw error;
    }
    return out.sort(byNamespaceAndName);
  };

  // Every resource is read at once; when several fail, the first in resource order is reported.
  const settled = await Promise.allSettled(RESOURCES.map(readResource));
  const lists: KubeObject[][] = [];
  for (const s of settled) {
    if (s.status === 'rejected') throw s.reason;
    lists.push(s.value);
  }
  fullPolicies.sort(byNamespaceAndName);
  const leftOut = RESOURCES.filter((r) => clusterScopedLeftOut.has(r));
  if (leftOut.length > 0) warnings.push(clusterScopedWarning(leftOut));
  const cilium = RESOURCES.filter((r) => ciliumLeftOut.has(r));
  if (cilium.length > 0) warnings.push(clusterScopedWarning(cilium));
  return { objects: lists.flat(), fullPolicies, counts, warnings };
}

async function readOneNamespace(
  conn: Connection,
  name: string,
  warnings: string[],
): Promise<KubeObject | undefined> {
  try {
    const ns = await conn.call({ verb: 'read', what: `namespace "${name}"` }, () =>
      conn.core.readNamespace({ name }, conn.options()),
    );
    return namespaceFromClient(ns);
  } catch (error) {
    if (error instanceof ClusterError && error.status === 404)
      throw new ClusterError(
        `namespace "${name}" does not exist in context "${conn.context}"; check -n, or use -A for all namespaces`,
        404,
        'NotFound',
      );
    if (error instanceof ClusterError && error.status === 403) {
      warnings.push(
        `warning: cannot read namespace "${name}" (forbidden): its labels are unknown, so namespaceSelectors other than kubernetes.io/metadata.name do not match it`,
      );
      return undefined;
    }
    throw error;
  }
}

/** An object as the API sends it (a watch event, an admission request) → plain Kubernetes JSON, as `convert`
 * does for the client's models (which name `from` `_from`). */
export function fromWatched(resource: Resource, raw: unknown): KubeObject {
  if (resource !== 'networkpolicies') return convert(resource, raw);
  const o = raw as { spec?: { ingress?: { from?: unknown }[] } };
  const ingress = o.spec?.ingress?.map(({ from, ...rest }) =>
    from === undefined ? rest : { ...rest, _from: from },
  );
  return convert(resource, ingress === undefined ? raw : { ...o, spec: { ...o.spec, ingress } });
}
