/** `netfence diff -o json` (docs/json-schema.md#diff); also `apply`'s `connectivity` and `/api/whatif`'s `diff`. */
import type { EntityRefJson, ExternalEntryJson, GranularityJson, PortsJson } from './common.ts';

export type ConnectionChangeJson = 'added' | 'removed' | 'changed';
export type PolicyChangeJson = 'added' | 'removed' | 'modified';

export interface DiffSummaryJson {
  /**
   * Connections as `analyze` counts them, in each side's own address classes: `added` of the after side
   * (`after.added`), `removed`, `changed` and `unchanged` of the before side (`before.*`).
   */
  added: number;
  removed: number;
  changed: number;
  unchanged: number;
  /** The before side's connections (`connections` is `analyze`'s count): unchanged + changed + removed. */
  before: { connections: number; unchanged: number; changed: number; removed: number };
  /** The after side's connections: unchanged + changed + added. */
  after: { connections: number; unchanged: number; changed: number; added: number };
  policiesAdded: number;
  policiesRemoved: number;
  policiesModified: number;
  /** ClusterNetworkPolicies, AdminNetworkPolicies and the BaselineAdminNetworkPolicy. */
  clusterPoliciesAdded: number;
  clusterPoliciesRemoved: number;
  clusterPoliciesModified: number;
  /** CiliumNetworkPolicies and CiliumClusterwideNetworkPolicies. */
  ciliumPoliciesAdded: number;
  ciliumPoliciesRemoved: number;
  ciliumPoliciesModified: number;
}

export interface DiffConnectionJson {
  /** What changed for this pair of the common address space (one entry per address class of it). */
  change: ConnectionChangeJson;
  /**
   * What happened to the connection of a side this pair is part of (the summary's counts): `removed` when
   * the before side's connection is gone at every address, `added` when the after side's is new at every
   * address, else `changed`.
   */
  connection: ConnectionChangeJson;
  src: EntityRefJson;
  dst: EntityRefJson;
  /** Null when added. */
  before: PortsJson | null;
  /** Null when removed. */
  after: PortsJson | null;
  /** after − before; null when empty. */
  addedPorts: PortsJson | null;
  /** before − after; null when empty. */
  removedPorts: PortsJson | null;
  summary: { before: string | null; after: string | null };
  /** Present when either side filters the pair at L7 (Cilium): the filtered ports before and after, or null. */
  l7?: { before: string | null; after: string | null };
}

export interface DiffPolicyJson {
  change: PolicyChangeJson;
  /** `namespace/name`. */
  id: string;
  namespace: string;
  name: string;
  /** The after side's; the before side's when removed. */
  file: string | null;
  line: number | null;
  /** Modified only: the fields that differ, with their line in the after side. */
  fields: readonly { path: string; line: number | null }[];
}

export type TierJson = 'Admin' | 'Baseline';

export interface DiffClusterPolicyJson {
  change: PolicyChangeJson;
  /** `Kind/name`: `ClusterNetworkPolicy/default-deny`. */
  id: string;
  kind: 'ClusterNetworkPolicy' | 'AdminNetworkPolicy' | 'BaselineAdminNetworkPolicy';
  name: string;
  /** The tier on each side; null on the side that does not have the policy. */
  tier: { before: TierJson | null; after: TierJson | null };
  /** The priority on each side; null on the side that does not have it (and for the BaselineAdminNetworkPolicy). */
  priority: { before: number | null; after: number | null };
  /** The after side's; the before side's when removed. */
  file: string | null;
  line: number | null;
  /** Modified only: the fields that differ, with their line in the after side. */
  fields: readonly { path: string; line: number | null }[];
  /**
   * Modified only: what changes the policy's place and decisions, in words: `tier Admin → Baseline`,
   * `priority 100 → 50`, `egress rule 2 (deny-db) action Deny → Pass`, `ingress rules reordered: a, b → b, a`.
   */
  notes: readonly string[];
}

/** Ids only one side has. */
export interface EntitiesChangedJson {
  added: readonly string[];
  removed: readonly string[];
}

export type DiffJson = {
  schemaVersion: 1;
  granularity: GranularityJson;
  /** The sides as shown: a path, `<stdin>`, `rev:path` (--git), `live cluster` (--cluster). */
  before: string;
  after: string;
  summary: DiffSummaryJson;
} & ({ workloads: EntitiesChangedJson } | { pods: EntitiesChangedJson }) & {
    /** The address classes the connections mention. */
    external: readonly ExternalEntryJson[];
    connections: readonly DiffConnectionJson[];
    policies: readonly DiffPolicyJson[];
    clusterPolicies: readonly DiffClusterPolicyJson[];
    /** CiliumNetworkPolicies and CiliumClusterwideNetworkPolicies added, removed or modified, by id. */
    ciliumPolicies: readonly DiffCiliumPolicyJson[];
  };

export interface DiffCiliumPolicyJson {
  change: 'added' | 'removed' | 'modified';
  /** `CiliumNetworkPolicy/shop/db` or `CiliumClusterwideNetworkPolicy/name`. */
  id: string;
  kind: 'CiliumNetworkPolicy' | 'CiliumClusterwideNetworkPolicy';
  /** null for a CiliumClusterwideNetworkPolicy. */
  namespace: string | null;
  name: string;
  file: string | null;
  line: number | null;
  /** Modified: the fields that differ (`spec.ingress[0].toPorts`), with their line in the after state. */
  fields: readonly { path: string; line: number | null }[];
}
