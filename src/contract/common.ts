/**
 * Shapes shared by several JSON answers: port sets, entity references and entity lists, source locations.
 * Type-only: this folder is the contract between the producers of JSON (`src/format/`, `src/server/`, the
 * commands) and its readers (the web UI, docs/json-schema.md, anyone's scripts). It compiles to nothing.
 */

export type ProtocolName = 'TCP' | 'UDP' | 'SCTP';

/** Allowed ports per protocol, as sorted inclusive ranges; "all connections" is `[[1, 65535]]` for each. */
export interface PortsJson {
  TCP: [number, number][];
  UDP: [number, number][];
  SCTP: [number, number][];
}

/** What the answer is computed on: workloads (the default), or pods (`--granularity pod`). */
export type GranularityJson = 'workload' | 'pod';

/**
 * One end of a connection: a workload (`namespace/Kind/name`), a pod (`namespace/name`, with
 * `--granularity pod`), or an address class outside the cluster, by its cover CIDRs.
 */
export type EntityRefJson = { workload: string } | { pod: string } | { external: readonly string[] };

/** An item of `workloads`. */
export interface WorkloadEntryJson {
  /** `namespace/Kind/name`; Kind `Pod` for bare pods. */
  id: string;
  namespace: string;
  kind: string;
  name: string;
  /** Names of the real pods it covers; empty when it is represented by its template. */
  pods: readonly string[];
  /** Pods it stands for; null when unknown (DaemonSet). */
  replicas: number | null;
  labels: Readonly<Record<string, string>>;
}

/** An item of `pods` (`--granularity pod`). */
export interface PodEntryJson {
  /** `namespace/name`. */
  id: string;
  namespace: string;
  name: string;
  /** The id of its workload. */
  workload: string;
  /** A workload's template pod, standing for its replicas. */
  template: boolean;
  ips: readonly string[];
  labels: Readonly<Record<string, string>>;
}

/** An address class outside the cluster, with its id and a readable description. */
export interface ExternalRefJson {
  /** `external:<n>`. */
  id: string;
  /** `203.0.113.0/24 except 203.0.113.240/28`. */
  description: string;
  /**
   * Only for a class made of Nodes' addresses alone (the input's or the cluster's Nodes): their names, sorted.
   * A Node's address is in the cluster, not outside it.
   */
  nodes?: readonly string[];
}

/** An item of `external`: an address class, disjoint from every other, split at every CIDR a policy names. */
export interface ExternalEntryJson extends ExternalRefJson {
  cidrs: readonly string[];
  except: readonly string[];
  /** The class as a list of CIDRs. */
  cover: readonly string[];
}

/** The entity lists of a document: `workloads` (or `pods` with `--granularity pod`) and `external`. */
export type EntityListsJson = (
  { workloads: readonly WorkloadEntryJson[] } | { pods: readonly PodEntryJson[] }
) & {
  external: readonly ExternalEntryJson[];
};

/** Where something is written: the manifest's file and 1-based line; null when unknown (a live cluster). */
export interface LocationJson {
  file: string | null;
  line: number | null;
}
