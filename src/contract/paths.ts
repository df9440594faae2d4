/** `netfence paths -o json` (docs/json-schema.md#paths). */
import type { ExternalEntryJson, PortsJson } from './common.ts';

/** A node of the lateral-movement graph: a workload, or an address class outside the cluster by its cover. */
export type PathNodeJson = { workload: string } | { external: readonly string[] };

/** One hop of a path. */
export interface PathHopJson {
  src: PathNodeJson;
  dst: PathNodeJson;
  ports: PortsJson;
  summary: string;
  /** Present when Cilium's proxy filters the hop at L7: allowed at L4 on `ports`, filtered on these. */
  l7?: { ports: PortsJson; summary: string; policies: readonly string[] };
}

/** Where the attack starts. */
export interface PathSourcesJson {
  /** As given; null: from outside the cluster. */
  refs: readonly string[] | null;
  /** What they resolved to. */
  workloads: readonly string[];
  /** Address classes (cover CIDRs) of CIDR or IP references. */
  external: readonly (readonly string[])[];
}

export interface PathsRankJson {
  schemaVersion: 1;
  mode: 'rank';
  summary: { workloads: number; entryPoints: number; reachableFromOutside: number };
  external: readonly ExternalEntryJson[];
  /** Ranked; the first --top ones when given. */
  workloads: readonly {
    /** Equal reach, equal rank. */
    rank: number;
    workload: string;
    /** Other workloads reachable over any number of hops. */
    reach: number;
    /** Other workloads one hop away. */
    direct: number;
    /** For an entry point, what may connect from outside; null otherwise. */
    entryPoint: readonly { src: PathNodeJson; ports: PortsJson; summary: string }[] | null;
  }[];
}

export interface PathsReachJson {
  schemaVersion: 1;
  mode: 'reach';
  from: PathSourcesJson;
  maxHops: number | null;
  summary: {
    workloads: number;
    reached: number;
    unreached: number;
    maxDistance: number;
    /** Workloads reached, by number of hops. */
    byHops: Readonly<Record<string, number>>;
  };
  external: readonly ExternalEntryJson[];
  /** By hops, then in workload order. */
  reached: readonly { workload: string; hops: number; path: readonly PathHopJson[] }[];
  /** Workload ids out of reach (within maxHops). */
  unreached: readonly string[];
}

export interface PathsTargetsJson {
  schemaVersion: 1;
  mode: 'targets';
  from: PathSourcesJson;
  maxHops: number | null;
  summary: { targets: number; reachable: number };
  external: readonly ExternalEntryJson[];
  targets: readonly {
    /** A workload, or `{ ref }` for a CIDR target. */
    target: PathNodeJson | { ref: string };
    reachable: boolean;
    /** Null when not reachable. */
    hops: number | null;
    /** One shortest path; null when not reachable. */
    path: readonly PathHopJson[] | null;
  }[];
}

export type PathsJson = PathsRankJson | PathsReachJson | PathsTargetsJson;
