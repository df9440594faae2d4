/**
 * Writing NetworkPolicies, cluster policies (ClusterNetworkPolicy, AdminNetworkPolicy,
 * BaselineAdminNetworkPolicy), Cilium policies (CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy) and the
 * rollback ConfigMap: server-side apply with field manager `netfence`, dry runs, deletes with
 * preconditions, and the exact restores of a rollback. Every failure is a one-line `ClusterError` naming
 * the object. The `…Object` functions take any kind of policy; the `…CustomPolicy` ones the custom
 * resources (cluster and Cilium policies, cluster-scoped or namespaced).
 */
import {
  PatchStrategy,
  V1DeleteOptions,
  V1Preconditions,
  type V1NetworkPolicy,
} from '@kubernetes/client-node';
import { TIER_API_GROUP, type NetworkPolicy, type ObjectMeta } from '../model/k8s.ts';
import type { Connection } from './connect.ts';
import { ciliumPolicyFromClient, networkPolicyFromClient, tierPolicyFromClient } from './convert.ts';
import { ClusterError } from './errors.ts';
import {
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  bodyOf,
  isCiliumObject,
  isNamespacedKind,
  type ClusterPolicyObject,
  type CustomPolicyObject,
  type PolicyObject,
} from '../apply/objects.ts';
import { CILIUM_API_GROUP, FIELD_MANAGER, TIER_RESOURCES, type TierResource } from './types.ts';

export interface WriteOptions {
  /** Server-side dry run (`dryRun=All`): validated, defaulted, admitted, not stored. */
  dryRun: boolean;
}

const APPLY_HEADER = { name: 'Content-Type', value: PatchStrategy.ServerSideApply };

/** What `work` gives, or undefined when the API server answers 404 (the object, or its kind, is not there). */
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

/**
 * The body of a delete with a precondition. With a body, the API server reads the options from it alone (its
 * `dryRun` query parameter is then ignored, and a dry run would delete): `dryRun` goes in it too.
 */
function deleteOptions(resourceVersion: string, dryRun: boolean): V1DeleteOptions {
  const preconditions = new V1Preconditions();
  preconditions.resourceVersion = resourceVersion;
  const options = new V1DeleteOptions();
  options.preconditions = preconditions;
  if (dryRun) options.dryRun = ['All'];
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
          ...(options.resourceVersion === undefined
            ? {}
            : { body: deleteOptions(options.resourceVersion, options.dryRun) }),
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
 * Custom resources: the cluster policies of policy.networking.k8s.io (cluster-scoped) and Cilium's policies
 * of cilium.io/v2 (CiliumNetworkPolicy namespaced, CiliumClusterwideNetworkPolicy cluster-scoped). A kind
 * whose CRD is not installed (or not in the version asked for) answers 404 to every request on its resource.
 */

type ClusterPolicyKind = ClusterPolicyObject['kind'];
type CustomPolicyKind = CustomPolicyObject['kind'];

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

/** The group and plural of each custom policy kind. */
const CUSTOM_RESOURCES: Readonly<Record<CustomPolicyKind, { group: string; plural: string }>> = {
  ClusterNetworkPolicy: { group: TIER_API_GROUP, plural: 'clusternetworkpolicies' },
  AdminNetworkPolicy: { group: TIER_API_GROUP, plural: 'adminnetworkpolicies' },
  BaselineAdminNetworkPolicy: { group: TIER_API_GROUP, plural: 'baselineadminnetworkpolicies' },
  CiliumNetworkPolicy: { group: CILIUM_API_GROUP, plural: 'ciliumnetworkpolicies' },
  CiliumClusterwideNetworkPolicy: { group: CILIUM_API_GROUP, plural: 'ciliumclusterwidenetworkpolicies' },
};

/** The version of an apiVersion (`policy.networking.k8s.io/v1beta1` → `v1beta1`). */
function versionOf(apiVersion: string): string {
  return apiVersion.slice(apiVersion.indexOf('/') + 1);
}

/**
 * The one line for a cluster that does not serve some policy kinds: `this cluster does not serve
 * ClusterNetworkPolicy (policy.networking.k8s.io/v1beta1): install the network-policy-api CRDs or leave
 * these out` (Cilium's kinds: `install Cilium (its CRDs)`).
 */
export function notServedMessage(missing: readonly { kind: string; apiVersion: string }[]): string {
  const what = missing.map((m) => `${m.kind} (${m.apiVersion})`);
  const list = what.length <= 2 ? what.join(' or ') : `${what.slice(0, -1).join(', ')} or ${what.at(-1)!}`;
  const crds = [
    ...(missing.some((m) => !m.kind.startsWith('Cilium')) ? ['the network-policy-api CRDs'] : []),
    ...(missing.some((m) => m.kind.startsWith('Cilium')) ? ['Cilium (its CRDs)'] : []),
  ];
  return `this cluster does not serve ${list}: install ${crds.join(' and ')} or leave these out`;
}

/** A custom policy as the API server returned it (plain JSON), with all its metadata (as `full`); no status. */
function customPolicyFromApi(item: unknown, kind: CustomPolicyKind): CustomPolicyObject {
  return kind === 'CiliumNetworkPolicy' || kind === 'CiliumClusterwideNetworkPolicy'
    ? ciliumPolicyFromClient(item, kind, 'full')
    : tierPolicyFromClient(item, kind, 'full');
}

/** What names a custom policy: kind, apiVersion, name and (namespaced kinds only) namespace. */
interface CustomRef {
  kind: CustomPolicyKind;
  apiVersion: string;
  namespace?: string | undefined;
}

/** The custom objects API's coordinates of a kind; `namespace` only for a namespaced kind. */
function resourceOf(ref: CustomRef): { group: string; version: string; plural: string; namespace?: string } {
  const { group, plural } = CUSTOM_RESOURCES[ref.kind];
  const at = { group, version: versionOf(ref.apiVersion), plural };
  if (!isNamespacedKind(ref.kind)) return at;
  if (ref.namespace === undefined || ref.namespace === '')
    throw new Error(`a ${ref.kind} to write needs a namespace`);
  return { ...at, namespace: ref.namespace };
}

/** `Kind name` or `Kind namespace/name`, as messages name an object. */
function customWhat(ref: CustomRef, name: string): string {
  return isNamespacedKind(ref.kind) ? `${ref.kind} ${ref.namespace ?? ''}/${name}` : `${ref.kind} ${name}`;
}

function customRefOf(o: CustomPolicyObject): CustomRef & { name: string } {
  const name = o.metadata.name;
  if (name === undefined) throw new Error(`a ${o.kind} to write needs a name`);
  return { kind: o.kind, apiVersion: o.apiVersion, namespace: o.metadata.namespace, name };
}

/**
 * Every live object of a custom policy kind in `apiVersion` (in `namespace`, or every namespace), with all
 * its metadata; `undefined` when the cluster does not serve that kind in that version (404: its CRD is not
 * installed).
 */
export async function listCustomPolicies(
  conn: Connection,
  kind: CustomPolicyKind,
  apiVersion: string,
  namespace?: string,
): Promise<CustomPolicyObject[] | undefined> {
  const { group, plural } = CUSTOM_RESOURCES[kind];
  const at = { group, version: versionOf(apiVersion), plural };
  return unlessNotFound(async () => {
    const out: CustomPolicyObject[] = [];
    let token: string | undefined;
    do {
      const page = { limit: 500, ...(token === undefined ? {} : { _continue: token }) };
      const answer = (await conn.call({ verb: 'list', what: plural }, () =>
        namespace === undefined
          ? conn.custom.listClusterCustomObject({ ...at, ...page }, conn.options())
          : conn.custom.listNamespacedCustomObject({ ...at, namespace, ...page }, conn.options()),
      )) as { items?: unknown[]; metadata?: { _continue?: string; continue?: string } };
      for (const item of answer.items ?? []) out.push(customPolicyFromApi(item, kind));
      const next = answer.metadata?._continue ?? answer.metadata?.continue;
      token = next === undefined || next === '' ? undefined : next;
    } while (token !== undefined);
    const key = (o: CustomPolicyObject): string => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;
    return out.sort((a, b) => key(a).localeCompare(key(b)));
  });
}

/** Every live cluster policy of a kind in `apiVersion`; `undefined` when the cluster does not serve it. */
export async function listClusterPolicies(
  conn: Connection,
  kind: ClusterPolicyKind,
  apiVersion: string,
): Promise<ClusterPolicyObject[] | undefined> {
  return (await listCustomPolicies(conn, kind, apiVersion)) as ClusterPolicyObject[] | undefined;
}

/**
 * The body a write sends: the object as given, but a Cilium policy without `status` (the agent owns it:
 * netfence never writes it).
 */
function sendable(o: CustomPolicyObject): CustomPolicyObject {
  if (!isCiliumObject(o)) return o;
  return { apiVersion: o.apiVersion, kind: o.kind, metadata: o.metadata, ...bodyOf(o) } as CustomPolicyObject;
}

/** Server-side apply of one custom policy, in its apiVersion (as `applyPolicy`). */
export async function applyCustomPolicy(
  conn: Connection,
  o: CustomPolicyObject,
  options: WriteOptions & { force: boolean },
): Promise<CustomPolicyObject> {
  const ref = customRefOf(o);
  const at = resourceOf(ref);
  const params = {
    ...at,
    name: ref.name,
    body: sendable(o),
    fieldManager: FIELD_MANAGER,
    ...(options.force ? { force: true } : {}),
    ...(options.dryRun ? { dryRun: 'All' } : {}),
  };
  const result: unknown = await conn.call({ verb: 'apply', what: customWhat(ref, ref.name) }, () =>
    at.namespace === undefined
      ? conn.custom.patchClusterCustomObject(params, conn.options(APPLY_HEADER))
      : conn.custom.patchNamespacedCustomObject(
          { ...params, namespace: at.namespace },
          conn.options(APPLY_HEADER),
        ),
  );
  return customPolicyFromApi(result, o.kind);
}

/** The live custom policy (read in `apiVersion`), or undefined when it (or its kind) does not exist. */
export async function readCustomPolicy(
  conn: Connection,
  ref: CustomRef & { name: string },
): Promise<CustomPolicyObject | undefined> {
  const at = resourceOf(ref);
  return unlessNotFound(async () => {
    const result: unknown = await conn.call({ verb: 'read', what: customWhat(ref, ref.name) }, () =>
      at.namespace === undefined
        ? conn.custom.getClusterCustomObject({ ...at, name: ref.name }, conn.options())
        : conn.custom.getNamespacedCustomObject(
            { ...at, namespace: at.namespace, name: ref.name },
            conn.options(),
          ),
    );
    return customPolicyFromApi(result, ref.kind);
  });
}

/** Deletes a custom policy, with the precondition of `resourceVersion` when given (as `deletePolicy`). */
export async function deleteCustomPolicy(
  conn: Connection,
  ref: CustomRef & { name: string },
  options: WriteOptions & { resourceVersion?: string | undefined; verb?: string },
): Promise<void> {
  const at = resourceOf(ref);
  const params = {
    ...at,
    name: ref.name,
    ...(options.dryRun ? { dryRun: 'All' } : {}),
    ...(options.resourceVersion === undefined
      ? {}
      : { body: deleteOptions(options.resourceVersion, options.dryRun) }),
  };
  await unlessNotFound(async () => {
    await conn.call({ verb: options.verb ?? 'delete', what: customWhat(ref, ref.name) }, () =>
      at.namespace === undefined
        ? conn.custom.deleteClusterCustomObject(params, conn.options())
        : conn.custom.deleteNamespacedCustomObject({ ...params, namespace: at.namespace }, conn.options()),
    );
  });
}

/** Only what a restore writes back of a custom policy: name, namespace, labels, annotations and its body. */
function restorableCustom(o: CustomPolicyObject, resourceVersion: string | undefined): CustomPolicyObject {
  const namespace = isNamespacedKind(o.kind) ? o.metadata.namespace : undefined;
  const metadata = restorableMetadata(o.metadata, namespace, resourceVersion);
  return { apiVersion: o.apiVersion, kind: o.kind, metadata, ...bodyOf(o) } as CustomPolicyObject;
}

/**
 * Writes a custom policy back as recorded: a create (a rollback of a delete; 409 if it exists again), or
 * with `resourceVersion` a replace, if the live one is still at that version (else 409).
 */
async function restoreCustomPolicy(
  conn: Connection,
  o: CustomPolicyObject,
  resourceVersion: string | undefined,
  options: WriteOptions,
): Promise<CustomPolicyObject> {
  const ref = customRefOf(o);
  const at = resourceOf(ref);
  const params = {
    ...at,
    body: restorableCustom(o, resourceVersion),
    fieldManager: FIELD_MANAGER,
    ...(options.dryRun ? { dryRun: 'All' } : {}),
  };
  const ns = at.namespace;
  const custom = conn.custom;
  const result: unknown = await conn.call({ verb: 'restore', what: customWhat(ref, ref.name) }, () =>
    resourceVersion === undefined
      ? ns === undefined
        ? custom.createClusterCustomObject(params, conn.options())
        : custom.createNamespacedCustomObject({ ...params, namespace: ns }, conn.options())
      : ns === undefined
        ? custom.replaceClusterCustomObject({ ...params, name: ref.name }, conn.options())
        : custom.replaceNamespacedCustomObject({ ...params, namespace: ns, name: ref.name }, conn.options()),
  );
  return customPolicyFromApi(result, o.kind);
}

/** Creates a custom policy exactly as recorded (a rollback of a delete). 409 if it exists again. */
export async function createCustomPolicy(
  conn: Connection,
  o: CustomPolicyObject,
  options: WriteOptions,
): Promise<CustomPolicyObject> {
  return restoreCustomPolicy(conn, o, undefined, options);
}

/** Replaces a custom policy with a recorded version, if still at `resourceVersion` (else 409). */
export async function replaceCustomPolicy(
  conn: Connection,
  o: CustomPolicyObject,
  resourceVersion: string,
  options: WriteOptions,
): Promise<CustomPolicyObject> {
  return restoreCustomPolicy(conn, o, resourceVersion, options);
}

/*
 * Any kind of policy: what `apply` and `rollback` call.
 */

/** What names a policy to read or delete: its kind and apiVersion, namespace (empty: none) and name. */
export interface PolicyRef {
  kind: PolicyObject['kind'];
  apiVersion: string;
  namespace: string;
  name: string;
}

function isNetworkPolicy(o: PolicyObject): o is NetworkPolicy {
  return o.kind === 'NetworkPolicy';
}

/** Server-side apply of a policy of any kind. */
export async function applyObject(
  conn: Connection,
  o: PolicyObject,
  options: WriteOptions & { force: boolean },
): Promise<PolicyObject> {
  return isNetworkPolicy(o) ? applyPolicy(conn, o, options) : applyCustomPolicy(conn, o, options);
}

/** The live object, or undefined when it does not exist. */
export async function readObject(conn: Connection, ref: PolicyRef): Promise<PolicyObject | undefined> {
  return ref.kind === 'NetworkPolicy'
    ? readPolicy(conn, ref.namespace, ref.name)
    : readCustomPolicy(conn, { ...ref, kind: ref.kind });
}

/** Deletes a policy of any kind (already gone: success). */
export async function deleteObject(
  conn: Connection,
  ref: PolicyRef,
  options: WriteOptions & { resourceVersion?: string | undefined; verb?: string },
): Promise<void> {
  if (ref.kind === 'NetworkPolicy') await deletePolicy(conn, ref.namespace, ref.name, options);
  else await deleteCustomPolicy(conn, { ...ref, kind: ref.kind }, options);
}

/** Creates an object exactly as recorded. */
export async function createObject(
  conn: Connection,
  o: PolicyObject,
  options: WriteOptions,
): Promise<PolicyObject> {
  return isNetworkPolicy(o) ? createPolicy(conn, o, options) : createCustomPolicy(conn, o, options);
}

/** Replaces an object with a recorded version, if still at `resourceVersion`. */
export async function replaceObject(
  conn: Connection,
  o: PolicyObject,
  resourceVersion: string,
  options: WriteOptions,
): Promise<PolicyObject> {
  return isNetworkPolicy(o)
    ? replacePolicy(conn, o, resourceVersion, options)
    : replaceCustomPolicy(conn, o, resourceVersion, options);
}
