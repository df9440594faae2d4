/**
 * The objects `netfence controller` writes besides its NetworkPolicies: its Lease
 * (`coordination.k8s.io/v1`, leader election), Events (`events.k8s.io/v1`) and PolicyReports
 * (`wgpolicyk8s.io/v1alpha2` PolicyReport and ClusterPolicyReport). All go through the custom-objects
 * client as plain JSON (the Lease's MicroTime fields keep their microseconds as the API server wants them);
 * every failure is a one-line `ClusterError`, and a read of an absent object is `undefined`.
 */
import type { Connection } from './connect.ts';
import { ClusterError } from './errors.ts';

/** Where an object lives: group/version/plural, its namespace (none: cluster-scoped) and name. */
export interface ObjectAddress {
  group: string;
  version: string;
  plural: string;
  namespace?: string | undefined;
  name: string;
}

/** A stored object, as plain JSON with its metadata. */
export interface StoredObject {
  apiVersion?: string;
  kind?: string;
  metadata: { name?: string; namespace?: string; resourceVersion?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

export const LEASE = { group: 'coordination.k8s.io', version: 'v1', plural: 'leases' } as const;
export const EVENT = { group: 'events.k8s.io', version: 'v1', plural: 'events' } as const;
export const POLICY_REPORT = {
  group: 'wgpolicyk8s.io',
  version: 'v1alpha2',
  plural: 'policyreports',
} as const;
export const CLUSTER_POLICY_REPORT = {
  group: 'wgpolicyk8s.io',
  version: 'v1alpha2',
  plural: 'clusterpolicyreports',
} as const;

function describe(a: ObjectAddress): string {
  return `${a.plural}.${a.group} ${a.namespace === undefined ? '' : `${a.namespace}/`}${a.name}`;
}

/** The object, or undefined on 404 (it, or its kind, is not there). */
export async function getObject(conn: Connection, a: ObjectAddress): Promise<StoredObject | undefined> {
  try {
    return (await conn.call({ verb: 'read', what: describe(a) }, () =>
      a.namespace === undefined
        ? conn.custom.getClusterCustomObject(
            { group: a.group, version: a.version, plural: a.plural, name: a.name },
            conn.options(),
          )
        : conn.custom.getNamespacedCustomObject(
            { group: a.group, version: a.version, plural: a.plural, namespace: a.namespace, name: a.name },
            conn.options(),
          ),
    )) as StoredObject;
  } catch (error) {
    if (error instanceof ClusterError && error.status === 404) return undefined;
    throw error;
  }
}

/** Creates the object (409 `AlreadyExists` when it is there). */
export async function createObject(
  conn: Connection,
  a: ObjectAddress,
  body: StoredObject,
): Promise<StoredObject> {
  return (await conn.call({ verb: 'create', what: describe(a) }, () =>
    a.namespace === undefined
      ? conn.custom.createClusterCustomObject(
          { group: a.group, version: a.version, plural: a.plural, body, fieldManager: 'netfence' },
          conn.options(),
        )
      : conn.custom.createNamespacedCustomObject(
          {
            group: a.group,
            version: a.version,
            plural: a.plural,
            namespace: a.namespace,
            body,
            fieldManager: 'netfence',
          },
          conn.options(),
        ),
  )) as StoredObject;
}

/** Replaces the object; `body.metadata.resourceVersion` makes it conditional (409 when it changed). */
export async function replaceObject(
  conn: Connection,
  a: ObjectAddress,
  body: StoredObject,
): Promise<StoredObject> {
  return (await conn.call({ verb: 'update', what: describe(a) }, () =>
    a.namespace === undefined
      ? conn.custom.replaceClusterCustomObject(
          {
            group: a.group,
            version: a.version,
            plural: a.plural,
            name: a.name,
            body,
            fieldManager: 'netfence',
          },
          conn.options(),
        )
      : conn.custom.replaceNamespacedCustomObject(
          {
            group: a.group,
            version: a.version,
            plural: a.plural,
            namespace: a.namespace,
            name: a.name,
            body,
            fieldManager: 'netfence',
          },
          conn.options(),
        ),
  )) as StoredObject;
}
