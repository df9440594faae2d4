/**
 * Observed traffic: the types every consumer of flows shares (map, generate, check-flows, the linter's
 * `--flows` rules, the web UI's traffic overlay, `apply --flows`).
 */
import type { Protocol } from '../model/k8s.ts';
import type { LocatedMessage } from '../model/problem.ts';
import type { VerdictCapture, VerdictReading } from './verdicts.ts';

/**
 * One end of an observed connection: a workload of the cluster state (its id, `namespace/Kind/name`, as in
 * `computeConnectivity`), or an address outside the cluster.
 */
export type FlowEnd = { kind: 'workload'; id: string } | { kind: 'external'; ip: string };

/** Every observed attempt from `src` to `dst` on one protocol and destination port, aggregated. */
export interface ObservedConnection {
  src: FlowEnd;
  dst: FlowEnd;
  protocol: Protocol;
  /** The destination port. */
  port: number;
  /** Connection attempts (see docs/flows.md for how Hubble flows are counted). */
  count: number;
  /** Of `count`, the attempts the cluster dropped during the capture (Hubble verdict `DROPPED`). */
  denied: number;
  /** First attempt, in milliseconds since the epoch. @default absent: the input gives no times */
  firstSeen?: number;
  /** Last attempt, in milliseconds since the epoch. */
  lastSeen?: number;
}

/** One side of a flow record as the input describes it, before matching against the cluster state. */
export interface RawEnd {
  namespace?: string;
  /** Pod name. */
  pod?: string;
  /** Workload name (`web`), or `Kind/name` (`Deployment/web`) in the simple formats. */
  workload?: string;
  /** Kind of `workload`, when the input says (Hubble's `workloads[].kind`). */
  workloadKind?: string;
  ip?: string;
}

/** A verdict-carrying record read from any format, before matching: one flow, or an aggregated CSV row. */
export interface FlowRecord {
  src: RawEnd;
  dst: RawEnd;
  protocol: Protocol;
  port: number;
  /** Attempts this record stands for (1 for a Hubble flow, the `count` column of a CSV row). */
  count: number;
  /** Attempts the cluster dropped. */
  denied: number;
  firstSeen?: number;
  lastSeen?: number;
  /**
   * Hubble only: the 5-tuple of the connection, so that the two observations of one attempt (at the
   * source's egress and at the destination's ingress) and its retransmissions count once.
   */
  tuple?: string;
  /** Hubble, when verdicts are read (`check-flows --verdicts`): Cilium's verdict of this flow. */
  verdict?: VerdictReading;
}

/** An in-cluster endpoint of the input that matches no workload of the cluster state. */
export interface UnmatchedEndpoint {
  /** `namespace/pod`, `namespace/workload` or `namespace (ip)`: what the input said. */
  description: string;
  namespace: string;
  pod?: string;
  workload?: string;
  ip?: string;
  /** Flow records (or CSV rows) that mention it. */
  records: number;
  /** Connection attempts those records stand for. */
  count: number;
  /** Where it was first seen: `file:line`. */
  example: string;
}

/** A line that could not be read, as data: always located, in a flow capture. */
export interface FlowProblem extends LocatedMessage {
  file: string;
  line: number;
}

export const FlowFormat = { hubble: 'hubble', csv: 'csv', jsonl: 'jsonl' } as const;
export type FlowFormat = (typeof FlowFormat)[keyof typeof FlowFormat];

/** What reading did with every line, so that nothing is dropped silently. */
export interface FlowStats {
  /** Files (and standard input) read, with the format detected for each. */
  files: { name: string; format: FlowFormat; lines: number }[];
  /**
   * Records read: Hubble events, CSV rows, JSON lines. Each ends up in exactly one of the counts below
   * (`viaService` is part of `counted`).
   */
  records: number;
  /** Records that are part of the connection map. */
  counted: number;
  /** Hubble: observations of an attempt already counted (the other observation point, retransmissions). */
  duplicates: number;
  /** Hubble: replies (`is_reply: true`). */
  replies: number;
  /** Hubble: events that are not L3/L4 flows (L7 records, lost events, debug and agent events). */
  otherEvents: number;
  /** Flows to or from the node a pod runs on (kubelet probes): NetworkPolicy always allows them. */
  nodeLocal: number;
  /** Flows of protocols NetworkPolicy ports cannot name (ICMP...). */
  otherProtocols: number;
  /** Records with an in-cluster end that matches no workload (listed in `unmatched`). */
  unmatched: number;
  /** Records between two addresses outside the cluster: no policy applies. */
  external: number;
  /** Lines that could not be read (listed in `problems`). */
  invalid: number;
  /** Records addressed to a Service IP, translated to the Service's workloads and target port. */
  viaService: number;
}

export function emptyStats(): FlowStats {
  return {
    files: [],
    records: 0,
    counted: 0,
    duplicates: 0,
    replies: 0,
    otherEvents: 0,
    nodeLocal: 0,
    otherProtocols: 0,
    unmatched: 0,
    external: 0,
    invalid: 0,
    viaService: 0,
  };
}

/** The observed connection map, and an account of everything that did not make it in. */
export interface ObservedTraffic {
  /** Sorted by source, destination, protocol, port. */
  connections: ObservedConnection[];
  /** Sorted by description. */
  unmatched: UnmatchedEndpoint[];
  stats: FlowStats;
  /** The first lines that could not be read (at most 20; `stats.invalid` counts all). */
  problems: FlowProblem[];
  /** Inputs that could not be read at all: missing, unreadable, or in no flow format (line 0). */
  errors: FlowProblem[];
  /** Worth knowing, not wrong: CSV columns netfence does not read. */
  notices: string[];
  /** Cilium's policy verdicts per connection, when asked for (`ObserveOptions.verdicts`). */
  verdicts?: VerdictCapture;
}
