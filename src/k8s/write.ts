/**
 * Writing NetworkPolicies (and the rollback ConfigMap): server-side apply with field manager `netfence`,
 * dry runs, deletes with preconditions, and the exact restores of a rollback. Every failure is a
 * one-line `ClusterError` naming the object.
 */
import {
  PatchStrategy,
  V1DeleteOptions,
  V1Preconditions,
  type V1NetworkPolicy,
} from '@kubernetes/client-node';
import type { NetworkPolicy, ObjectMeta } from '../model/k8s.ts';
import type { Connection } from './connect.ts';
import { networkPolicyFromClient } from './convert.ts';
import { ClusterError } from './errors.ts';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../apply/objects.ts';
import { FIELD_MANAGER } from './types.ts';

export interface WriteOptions {
  /** Server-side dry run (`dryRun=All`): validated, defaulted, admitted, not stored. */
  dryRun: boolean;
}

const APPLY_HEADER = { name: 'Content-Type', value: PatchStrategy.ServerSideApply };

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
  try {
    const np = await conn.call({ verb: 'read', what: `NetworkPolicy ${namespace}/${name}` }, () =>
      conn.networking.readNamespacedNetworkPolicy({ name, namespace }, conn.options()),
    );
    return networkPolicyFromClient(np, 'full');
  } catch (error) {
    if (error instanceof ClusterError && error.status === 404) return undefined;
    throw error;
  }
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
  try {
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
  } catch (error) {
    if (error instanceof ClusterError && error.status === 404) return;
    throw error;
  }
}

/** Only what a restore writes back: name, namespace, labels, annotations and spec. */
function restorable(np: NetworkPolicy, resourceVersion: string | undefined): NetworkPolicy {
  const metadata: ObjectMeta = { name: np.metadata.name!, namespace: np.metadata.namespace! };
  if (np.metadata.labels !== undefined) metadata.labels = np.metadata.labels;
  if (np.metadata.annotations !== undefined) metadata.annotations = np.metadata.annotations;
  if (resourceVersion !== undefined) metadata.resourceVersion = resourceVersion;
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata, spec: np.spec };
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
  try {
    const cm = await conn.call(
      { verb: 'read', what: `the rollback record ConfigMap ${namespace}/${name}` },
      () => conn.core.readNamespacedConfigMap({ name, namespace }, conn.options()),
    );
    return cm.data ?? {};
  } catch (error) {
    if (error instanceof ClusterError && error.status === 404) return undefined;
    throw error;
  }
}
