/**
 * Writing NetworkPolicies and cluster policies (ClusterNetworkPolicy, AdminNetworkPolicy,
 * BaselineAdminNetworkPolicy; and the rollback ConfigMap): server-side apply with field manager `netfence`,
 * dry runs, deletes with preconditions, and the exact restores of a rollback. Every failure is a
 * one-line `ClusterError` naming the object. The `…Object` functions take either kind of policy.
 */
import {
  PatchStrategy,
  V1DeleteOptions,
  V1Preconditions,
  type V1NetworkPolicy,
} from '@kubernetes/client-node';
import { TIER_API_GROUP, type NetworkPolicy, type ObjectMeta } from '../model/k8s.ts';
import type { Connection } from './connect.ts';
import { networkPolicyFromClient, tierPolicyFromClient } from './convert.ts';
import { ClusterError } from './errors.ts';
import {
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  isClusterPolicyObject,
  type ClusterPolicyObject,
  type PolicyObject,
} from '../apply/objects.ts';
import { FIELD_MANAGER, TIER_RESOURCES, type TierResource } from './types.ts';

export interface WriteOptions {
  /** Server-side dry run (`dryRun=All`): validated, defaulted, admitted, not stored. */
  dryRun: boolean;
}

const APPLY_HEADER = { name: 'Content-Type', value: PatchStrategy.ServerSideApply };

/** What `work` gives, or undefined when the API server answers 404 (the object, or its kind, is not there). */
/** The result of `work`, or undefined when the API answers 404 (the object is absent). */
export async function unlessNotFound<T>(work: () => Promise<T>): Promise<T | undefined> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ClusterError && error.status === 404) return undefined;
    throw error;
  }
}

function policyName(np: NetworkPolicy): { name: string; namespace: string } {
  const { name, namespace } = np.metadata;
  if (name === undefined || namespace === undefined)
    throw new Error('a NetworkPolicy to write needs a name and a namespace');
  return { name, namespace };
}

/**
 * The wire form → the client's model (`from` → `_from`), for the calls that serialize models. The client
 * serializes by attribute name, so a plain object of the model's shape is all it needs.
 */
function toClient(np: NetworkPolicy): V1NetworkPolicy {
  const spec = np.spec;
  const model = {
    apiVersion: np.apiVersion,
    kind: np.kind,
    metadata: { ...np.metadata },
    spec: {
      ...spec,
      ...(spec.ingress === undefined
        ? {}
        : {
            ingress: spec.ingress.map((r) => {
              const { from, ...rest } = r;
              return from === undefined ? rest : { ...rest, _from: from };
            }),
          }),
    },
  };
  return model as unknown as V1NetworkPolicy;
}

/**
 * Server-side apply of one NetworkPolicy, as given: the fields it sets become netfence's; fields another
 * manager owns with other values are a conflict (409) unless `force`. Returns the object as stored (or,
 * in a dry run, as it would be), with all its metadata.
 */
export async function applyPolicy(
  conn: Connection,
  np: NetworkPolicy,
  options: WriteOptions & { force: boolean },
): Promise<NetworkPolicy> {
  const { name, namespace } = policyName(np);
  const result = await conn.call({ verb: 'apply', what: `NetworkPolicy ${namespace}/${name}` }, () =>
    conn.networking.patchNamespacedNetworkPolicy(
      {
        name,
        namespace,
        body: np,
        fieldManager: FIELD_MANAGER,
        ...(options.force ? { force: true } : {}),
        ...(options.dryRun ? { dryRun: 'All' } : {}),
      },
      conn.options(APPLY_HEADER),
    ),
  );
  return networkPolicyFromClient(result, 'full');
}

/** The live NetworkPolicy with all its metadata, or undefined when it does not exist. */
export async function readPolicy(
  conn: Connection,
  namespace: string,
  name: string,
): Promise<NetworkPolicy | undefined> {
  return unlessNotFound(async () => {
    const np = await conn.call({ verb: 'read', what: `NetworkPolicy ${namespace}/${name}` }, () =>
      conn.networking.readNamespacedNetworkPolicy({ name, namespace }, conn.options()),
    );
    return networkPolicyFromClient(np, 'full');
  });
}

function deleteOptions(resourceVersion: string): V1DeleteOptions {
  const preconditions = new V1Preconditions();
  preconditions.resourceVersion = resourceVersion;
  const options = new V1DeleteOptions();
  options.preconditions = preconditions;
  return options;
}

/**
 * Deletes a NetworkPolicy; with `resourceVersion`, only if it is still that version (else a 409 conflict:
 * someone changed it meanwhile). Deleting one that is already gone succeeds.
 */
export async function deletePolicy(
  conn: Connection,
  namespace: string,
  name: string,
  options: WriteOptions & { resourceVersion?: string | undefined; verb?: string },
): Promise<void> {
  await unlessNotFound(async () => {
    await conn.call({ verb: options.verb ?? 'delete', what: `NetworkPolicy ${namespace}/${name}` }, () =>
      conn.networking.deleteNamespacedNetworkPolicy(
        {
          name,
          namespace,
          ...(options.dryRun ? { dryRun: 'All' } : {}),
          ...(options.resourceVersion === undefined ? {} : { body: deleteOptions(options.resourceVersion) }),
        },
        conn.options(),
      ),
    );
  });
}

/** Only what a restore writes back: name, namespace, labels, annotations and spec. */
function restorable(np: NetworkPolicy, resourceVersion: string | undefined): NetworkPolicy {
  const metadata = restorableMetadata(np.metadata, np.metadata.namespace, resourceVersion);
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata, spec: np.spec };
}

/** Name, namespace (none for a cluster-scoped object), labels, annotations and the precondition version. */
function restorableMetadata(
  meta: ObjectMeta,
  namespace: string | undefined,
  resourceVersion: string | undefined,
): ObjectMeta {
  const metadata: ObjectMeta = { name: meta.name! };
  if (namespace !== undefined) metadata.namespace = namespace;
  if (meta.labels !== undefined) metadata.labels = meta.labels;
  if (meta.annotations !== undefined) metadata.annotations = meta.annotations;
  if (resourceVersion !== undefined) metadata.resourceVersion = resourceVersion;
  return metadata;
}

/** Creates a NetworkPolicy exactly as recorded (a rollback of a delete). 409 if it exists again. */
export async function createPolicy(
  conn: Connection,
  np: NetworkPolicy,
  options: WriteOptions,
): Promise<NetworkPolicy> {
  const { name, namespace } = policyName(np);
  const result = await conn.call({ verb: 'restore', what: `NetworkPolicy ${namespace}/${name}` }, () =>
    conn.networking.createNamespacedNetworkPolicy(
      {
        namespace,
        body: toClient(restorable(np, undefined)),
        fieldManager: FIELD_MANAGER,
        ...(options.dryRun ? { dryRun: 'All' } : {}),
      },
      conn.options(),
    ),
  );
  return networkPolicyFromClient(result, 'full');
}

/**
 * Replaces a NetworkPolicy with a recorded version (labels, annotations, spec), if the live object is still
 * at `resourceVersion` (else 409: it changed meanwhile).
 */
export async function replacePolicy(
  conn: Connection,
  np: NetworkPolicy,
  resourceVersion: string,
  options: WriteOptions,
): Promise<NetworkPolicy> {
  const { name, namespace } = policyName(np);
  const result = await conn.call({ verb: 'restore', what: `NetworkPolicy ${namespace}/${name}` }, () =>
    conn.networking.replaceNamespacedNetworkPolicy(
      {
        name,
        namespace,
        body: toClient(restorable(np, resourceVersion)),
        fieldManager: FIELD_MANAGER,
        ...(options.dryRun ? { dryRun: 'All' } : {}),
      },
      conn.options(),
    ),
  );
  return networkPolicyFromClient(result, 'full');
}

/** The one ConfigMap netfence writes: its rollback record (`--record`), applied server-side. */
export async function writeRecordConfigMap(
  conn: Connection,
  namespace: string,
  name: string,
  data: Record<string, string>,
): Promise<void> {
  const body = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name,
      namespace,
      labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, 'app.kubernetes.io/component': 'rollback-record' },
    },
    data,
  };
  await conn.call({ verb: 'write', what: `the rollback record ConfigMap ${namespace}/${name}` }, () =>
    conn.core.patchNamespacedConfigMap(
      { name, namespace, body, fieldManager: FIELD_MANAGER, force: true },
      conn.options(APPLY_HEADER),
    ),
  );
}

/** The data of the rollback record ConfigMap, or undefined when there is none. */
export async function readRecordConfigMap(
  conn: Connection,
  namespace: string,
  name: string,
): Promise<Record<string, string> | undefined> {
  return unlessNotFound(async () => {
    const cm = await conn.call(
      { verb: 'read', what: `the rollback record ConfigMap ${namespace}/${name}` },
      () => conn.core.readNamespacedConfigMap({ name, namespace }, conn.options()),
    );
    return cm.data ?? {};
  });
}

/*
 * Cluster policies: custom resources of policy.networking.k8s.io, cluster-scoped. A kind whose CRD is not
 * installed (or not in the version asked for) answers 404 to every request on its resource.
 */

type ClusterPolicyKind = ClusterPolicyObject['kind'];

/** The resource (plural) of each cluster policy kind, and the versions to read it in, newest first. */
export const CLUSTER_POLICY_RESOURCES: Readonly<
  Record<ClusterPolicyKind, { plural: TierResource; versions: readonly string[] }>
> = {
  ClusterNetworkPolicy: {
    plural: 'clusternetworkpolicies',
    versions: TIER_RESOURCES.clusternetworkpolicies,
  },
  AdminNetworkPolicy: { plural: 'adminnetworkpolicies', versions: TIER_RESOURCES.adminnetworkpolicies },
  BaselineAdminNetworkPolicy: {
    plural: 'baselineadminnetworkpolicies',
    versions: TIER_RESOURCES.baselineadminnetworkpolicies,
  },
};

/** The version of an apiVersion (`policy.networking.k8s.io/v1beta1` → `v1beta1`). */
function versionOf(apiVersion: string): string {
  return apiVersion.slice(apiVersion.indexOf('/') + 1);
}

/**
 * The one line for a cluster that does not serve some cluster policy kinds: `this cluster does not serve
 * ClusterNetworkPolicy (policy.networking.k8s.io/v1beta1): install the network-policy-api CRDs or leave
 * these out`.
 */
export function notServedMessage(missing: readonly { kind: string; apiVersion: string }[]): string {
  const what = missing.map((m) => `${m.kind} (${m.apiVersion})`);
  const list = what.length <= 2 ? what.join(' or ') : `${what.slice(0, -1).join(', ')} or ${what.at(-1)!}`;
  return `this cluster does not serve ${list}: install the network-policy-api CRDs or leave these out`;
}

/** A cluster policy as the API server returned it (plain JSON), with all its metadata (as `full`). */
function clusterPolicyFromApi(item: unknown, kind: ClusterPolicyKind): ClusterPolicyObject {
  return tierPolicyFromClient(item, kind, 'full');
}

function resourceOf(o: { kind: ClusterPolicyKind; apiVersion: string }): {
  group: string;
  version: string;
  plural: string;
} {
  return {
    group: TIER_API_GROUP,
    version: versionOf(o.apiVersion),
    plural: CLUSTER_POLICY_RESOURCES[o.kind].plural,
  };
}

function clusterPolicyName(o: ClusterPolicyObject): string {
  const name = o.metadata.name;
  if (name === undefined) throw new Error(`a ${o.kind} to write needs a name`);
  return name;
}

/**
 * Every live object of a cluster policy kind in `apiVersion`, with all its metadata; `undefined` when the
 * cluster does not serve that kind in that version (404: its CRD is not installed).
 */
export async function listClusterPolicies(
  conn: Connection,
  kind: ClusterPolicyKind,
  apiVersion: string,
): Promise<ClusterPolicyObject[] | undefined> {
  const resource = resourceOf({ kind, apiVersion });
  return unlessNotFound(async () => {
    const out: ClusterPolicyObject[] = [];
    let token: string | undefined;
    do {
      const page = (await conn.call({ verb: 'list', what: resource.plural }, () =>
        conn.custom.listClusterCustomObject(
          { ...resource, limit: 500, ...(token === undefined ? {} : { _continue: token }) },
          conn.options(),
        ),
      )) as { items?: unknown[]; metadata?: { _continue?: string; continue?: string } };
      for (const item of page.items ?? []) out.push(clusterPolicyFromApi(item, kind));
      const next = page.metadata?._continue ?? page.metadata?.continue;
      token = next === undefined || next === '' ? undefined : next;
    } while (token !== undefined);
    return out.sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
  });
}

/** Server-side apply of one cluster policy, in its apiVersion (as `applyPolicy`). */
export async function applyClusterPolicy(
  conn: Connection,
  o: ClusterPolicyObject,
  options: WriteOptions & { force: boolean },
): Promise<ClusterPolicyObject> {
  const name = clusterPolicyName(o);
  const result: unknown = await conn.call({ verb: 'apply', what: `${o.kind} ${name}` }, () =>
    conn.custom.patchClusterCustomObject(
      {
        ...resourceOf(o),
        name,
        body: o,
        fieldManager: FIELD_MANAGER,
        ...(options.force ? { force: true } : {}),
        ...(options.dryRun ? { dryRun: 'All' } : {}),
      },
      conn.options(APPLY_HEADER),
    ),
  );
  return clusterPolicyFromApi(result, o.kind);
}

/** The live cluster policy (read in `apiVersion`), or undefined when it (or its kind) does not exist. */
export async function readClusterPolicy(
  conn: Connection,
  kind: ClusterPolicyKind,
  apiVersion: string,
  name: string,
): Promise<ClusterPolicyObject | undefined> {
  return unlessNotFound(async () => {
    const result: unknown = await conn.call({ verb: 'read', what: `${kind} ${name}` }, () =>
      conn.custom.getClusterCustomObject({ ...resourceOf({ kind, apiVersion }), name }, conn.options()),
    );
    return clusterPolicyFromApi(result, kind);
  });
}

/** Deletes a cluster policy, with the precondition of `resourceVersion` when given (as `deletePolicy`). */
export async function deleteClusterPolicy(
  conn: Connection,
  o: { kind: ClusterPolicyKind; apiVersion: string; name: string },
  options: WriteOptions & { resourceVersion?: string | undefined; verb?: string },
): Promise<void> {
  await unlessNotFound(async () => {
    await conn.call({ verb: options.verb ?? 'delete', what: `${o.kind} ${o.name}` }, () =>
      conn.custom.deleteClusterCustomObject(
        {
          ...resourceOf(o),
          name: o.name,
          ...(options.dryRun ? { dryRun: 'All' } : {}),
          ...(options.resourceVersion === undefined ? {} : { body: deleteOptions(options.resourceVersion) }),
        },
        conn.options(),
      ),
    );
  });
}

/** Only what a restore writes back of a cluster policy: name, labels, annotations and spec. */
function restorableCluster(o: ClusterPolicyObject, resourceVersion: string | undefined): ClusterPolicyObject {
  const metadata = restorableMetadata(o.metadata, undefined, resourceVersion);
  return { apiVersion: o.apiVersion, kind: o.kind, metadata, spec: o.spec };
}

/** Creates a cluster policy exactly as recorded (a rollback of a delete). 409 if it exists again. */
export async function createClusterPolicy(
  conn: Connection,
  o: ClusterPolicyObject,
  options: WriteOptions,
): Promise<ClusterPolicyObject> {
  const name = clusterPolicyName(o);
  const result: unknown = await conn.call({ verb: 'restore', what: `${o.kind} ${name}` }, () =>
    conn.custom.createClusterCustomObject(
      {
        ...resourceOf(o),
        body: restorableCluster(o, undefined),
        fieldManager: FIELD_MANAGER,
        ...(options.dryRun ? { dryRun: 'All' } : {}),
      },
      conn.options(),
    ),
  );
  return clusterPolicyFromApi(result, o.kind);
}

/** Replaces a cluster policy with a recorded version, if still at `resourceVersion` (else 409). */
export async function replaceClusterPolicy(
  conn: Connection,
  o: ClusterPolicyObject,
  resourceVersion: string,
  options: WriteOptions,
): Promise<ClusterPolicyObject> {
  const name = clusterPolicyName(o);
  const result: unknown = await conn.call({ verb: 'restore', what: `${o.kind} ${name}` }, () =>
    conn.custom.replaceClusterCustomObject(
      {
        ...resourceOf(o),
        name,
        body: restorableCluster(o, resourceVersion),
        fieldManager: FIELD_MANAGER,
        ...(options.dryRun ? { dryRun: 'All' } : {}),
      },
      conn.options(),
    ),
  );
  return clusterPolicyFromApi(result, o.kind);
}

/*
 * Either kind of policy: what `apply` and `rollback` call.
 */

/** What names a policy to read or delete: its kind and apiVersion (cluster policies), namespace and name. */
export interface PolicyRef {
  kind: PolicyObject['kind'];
  apiVersion: string;
  namespace: string;
  name: string;
}

/** Server-side apply of a NetworkPolicy or a cluster policy. */
export async function applyObject(
  conn: Connection,
  o: PolicyObject,
  options: WriteOptions & { force: boolean },
): Promise<PolicyObject> {
  return isClusterPolicyObject(o) ? applyClusterPolicy(conn, o, options) : applyPolicy(conn, o, options);
}

/** The live object, or undefined when it does not exist. */
export async function readObject(conn: Connection, ref: PolicyRef): Promise<PolicyObject | undefined> {
  return ref.kind === 'NetworkPolicy'
    ? readPolicy(conn, ref.namespace, ref.name)
    : readClusterPolicy(conn, ref.kind, ref.apiVersion, ref.name);
}

/** Deletes a NetworkPolicy or a cluster policy (already gone: success). */
export async function deleteObject(
  conn: Connection,
  ref: PolicyRef,
  options: WriteOptions & { resourceVersion?: string | undefined; verb?: string },
): Promise<void> {
  if (ref.kind === 'NetworkPolicy') await deletePolicy(conn, ref.namespace, ref.name, options);
  else
    await deleteClusterPolicy(conn, { kind: ref.kind, apiVersion: ref.apiVersion, name: ref.name }, options);
}

/** Creates an object exactly as recorded. */
export async function createObject(
  conn: Connection,
  o: PolicyObject,
  options: WriteOptions,
): Promise<PolicyObject> {
  return isClusterPolicyObject(o) ? createClusterPolicy(conn, o, options) : createPolicy(conn, o, options);
}

/** Replaces an object with a recorded version, if still at `resourceVersion`. */
export async function replaceObject(
  conn: Connection,
  o: PolicyObject,
  resourceVersion: string,
  options: WriteOptions,
): Promise<PolicyObject> {
  return isClusterPolicyObject(o)
    ? replaceClusterPolicy(conn, o, resourceVersion, options)
    : replacePolicy(conn, o, resourceVersion, options);
}
