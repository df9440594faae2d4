/** `netfence analyze -o json` (docs/json-schema.md#analyze), and its pairwise form that `/api/model` extends. */
import type { EntityListsJson, EntityRefJson, GranularityJson, PortsJson } from './common.ts';

/** The counts every connectivity document starts with. */
export interface AnalysisSummaryJson {
  namespaces: number;
  workloads: number;
  /** Real pods (template pods not counted). */
  pods: number;
  policies: number;
}

/** A group: each of `src` may connect to each of `dst` other than itself, on `ports`. */
export interface ConnectionGroupJson {
  src: readonly EntityRefJson[];
  dst: readonly EntityRefJson[];
  ports: PortsJson;
  /** `TCP 5432`, `All connections`. */
  summary: string;
}

/** Workloads whose pods may connect to each other, on `ports`. */
export interface WithinGroupJson {
  members: readonly EntityRefJson[];
  ports: PortsJson;
  summary: string;
}

/**
 * A source that may connect to a DNS name (a cluster policy's `domainNames` egress rule), wherever the name
 * resolves: a named destination outside the cluster, not an address, so not counted in `connections`.
 */
export interface DomainConnectionJson {
  src: EntityRefJson;
  /** As the policy writes it: `api.example.com`, `*.github.com`. */
  domain: string;
  ports: PortsJson;
  summary: string;
}

/** A tier and priority whose policies (`Kind/name`, in netfence's order) decide some traffic differently. */
export interface UndefinedOrderJson {
  tier: 'Admin' | 'Baseline';
  priority: number;
  policies: readonly string[];
}

/** Everything of `analyze`'s document before `connections` (the JSON is written in pieces). */
export type AnalyzeHeadJson = {
  schemaVersion: 2;
  granularity: GranularityJson;
  summary: AnalysisSummaryJson & {
    /** CiliumNetworkPolicies and CiliumClusterwideNetworkPolicies read (`policies`: NetworkPolicies). */
    ciliumPolicies: number;
    /** ClusterNetworkPolicies, AdminNetworkPolicies and BaselineAdminNetworkPolicies read. */
    clusterPolicies: number;
    /** Nodes read. */
    nodes: number;
    /** Allowed (source, destination) pairs, `within` included; reach by DNS name is not a pair. */
    connections: number;
    /** Entries of `connections`. */
    groups: number;
    /** Entries of `domains`: (source, DNS name) pairs, apart from `connections`. */
    domains: number;
    /**
     * Cluster policies of one tier and priority that decide some traffic differently: the API leaves that
     * outcome undefined, and `connections` follow netfence's stable order (ClusterNetworkPolicy before
     * AdminNetworkPolicy, then by name). `netfence lint` (no-tier-priority-overlap) names the traffic.
     */
    undefinedOrder: readonly UndefinedOrderJson[];
  };
} & EntityListsJson;

/**
 * A connection that Cilium rules with L7 rules (`toPorts[].rules`) filter: allowed at L4 on `ports`, then
 * decided request by request by Cilium's proxy, under the policies `policies` (ids).
 */
export interface L7ConnectionJson {
  src: EntityRefJson;
  dst: EntityRefJson;
  ports: PortsJson;
  summary: string;
  /** `CiliumNetworkPolicy/<namespace>/<name>` or `CiliumClusterwideNetworkPolicy/<name>`, sorted. */
  policies: readonly string[];
}

/** `analyze -o json`, schema version 2: connections in groups. */
export type AnalyzeJson = AnalyzeHeadJson & {
  connections: readonly ConnectionGroupJson[];
  within: readonly WithinGroupJson[];
  /** Reach by DNS name, sorted by source (in entity order) then name. */
  domains: readonly DomainConnectionJson[];
  /**
   * Connections (among `connections` and `within`) filtered at L7 by Cilium policies, sorted by source then
   * destination; present only when there is at least one, never plainly allowed.
   */
  l7?: readonly L7ConnectionJson[];
};

/** One allowed pair of the pairwise document. */
export interface ConnectionPairJson {
  src: EntityRefJson;
  dst: EntityRefJson;
  ports: PortsJson;
  summary: string;
}

/** The pairwise document (schema version 1 of `analyze`): one entry per allowed pair. */
export type ConnectivityJson = {
  schemaVersion: 1;
  granularity: GranularityJson;
  summary: AnalysisSummaryJson & { connections: number };
} & EntityListsJson & { connections: readonly ConnectionPairJson[] };
