/** `netfence map` and `netfence check-flows` with `-o json` (docs/json-schema.md#map, #check-flows). */
import type { PortsJson, ProtocolName } from './common.ts';
import type { DecidedByJson, TierRuleJson } from './explain.ts';

/**
 * An end of an observed connection: a workload, or an address that is no pod's: outside the cluster, or a
 * Node's (`nodes`: the names of the Nodes, of the input or the cluster, having it, sorted; absent for an
 * address outside the cluster). A Node's address is in the cluster, not outside it.
 */
export type FlowEndJson = { workload: string } | { ip: string; nodes?: readonly string[] };

/** An observed connection. */
export interface ObservedConnectionJson {
  src: FlowEndJson;
  dst: FlowEndJson;
  protocol: ProtocolName;
  /** Destination port. */
  port: number;
  /** Connection attempts (docs/flows.md: how they are counted). */
  count: number;
  /** Of which the cluster dropped (Hubble verdict DROPPED). */
  denied: number;
  /** ISO 8601; null when the input has no times. */
  firstSeen: string | null;
  lastSeen: string | null;
}

export type FlowFormatJson = 'hubble' | 'csv' | 'jsonl';

/** What reading did with every record: each is in exactly one count (`viaService` is part of `counted`). */
export interface FlowStatsJson {
  records: number;
  counted: number;
  duplicates: number;
  replies: number;
  otherEvents: number;
  nodeLocal: number;
  otherProtocols: number;
  unmatched: number;
  external: number;
  invalid: number;
  viaService: number;
}

/** An in-cluster endpoint that matches no workload: its flows are left out. */
export interface UnmatchedEndpointJson {
  description: string;
  namespace: string;
  /** As given. */
  pod?: string;
  workload?: string;
  ip?: string;
  records: number;
  count: number;
  /** The first line that mentions it: `file:line`. */
  example: string;
}

export interface MapJson {
  schemaVersion: 1;
  summary: {
    /** Rows of the map. */
    connections: number;
    /** Distinct workloads and addresses (outside ones and Nodes') in them. */
    workloads: number;
    addresses: number;
    /** Sums of count and denied. */
    attempts: number;
    denied: number;
    /** Null without times. */
    firstSeen: string | null;
    lastSeen: string | null;
  };
  inputs: readonly { name: string; format: FlowFormatJson; lines: number }[];
  stats: FlowStatsJson;
  /** The workloads in the connections; namespace, kind and name null when not in the cluster state. */
  workloads: readonly { id: string; namespace: string | null; kind: string | null; name: string | null }[];
  connections: readonly ObservedConnectionJson[];
  unmatched: readonly UnmatchedEndpointJson[];
  /** The first 20 lines that could not be read. */
  problems: readonly { file: string; line: number; message: string }[];
}

/**
 * Who is named in `unobserved`: a workload, or an address class by its description (`nodes`, as on
 * `ExternalRefJson`: only for a class made of Nodes' addresses alone, their names, sorted).
 */
export type UnobservedEndJson = { workload: string } | { external: string; nodes?: readonly string[] };

/** What decided one side of an observed connection (docs/commands/check-flows.md: which layer decided). */
export interface FlowSideDecisionJson {
  allowed: boolean;
  /** The layer: a cluster policy rule of the Admin or Baseline tier, the NetworkPolicies, or nothing. */
  decidedBy: DecidedByJson;
  /**
   * In one line: `[Admin] cnp/allow-dns egress rule 0 "dns" Accept`, `[NetworkPolicy] tenant-a/allow-api
   * ingress rule 0`, `[NetworkPolicy] no rule allows it (tenant-a/allow-web)`, `default (no policy)`.
   */
  summary: string;
  /** Admin or Baseline: the rule that decided; null otherwise. */
  tierRule: TierRuleJson | null;
  /** Equal-priority rules matching it with another action: the API leaves the outcome undefined. */
  undefinedWith: readonly TierRuleJson[];
  /** NetworkPolicy, allowed: the rules that allow it. */
  rules: readonly { policy: string; path: string }[];
  /**
   * With Cilium policies: the Cilium deny rules that deny it (denied), or the allow rules that allow it
   * (`{"policy": "CiliumNetworkPolicy/data/deny-catalog-redis", "path": "spec.ingressDeny[0]", "deny": true}`).
   */
  cilium: readonly { policy: string; path: string; deny: boolean }[];
  /** NetworkPolicy layer: the NetworkPolicies isolating the pod, then the Cilium policies putting it in default deny. */
  isolatedBy: readonly string[];
  /**
   * Egress to an address: allow rules by DNS name covering the port; if the address is what one of their
   * names resolves to, the connection may be allowed (only known at run time).
   */
  byDnsName: readonly (TierRuleJson & { domains: readonly string[] })[];
}

/**
 * Per direction, what decided the connection; usually one item each (a workload whose pods differ in labels
 * can have one per distinct decision).
 */
export interface FlowDecisionJson {
  /** At the source. */
  egress: readonly FlowSideDecisionJson[];
  /** At the destination. */
  ingress: readonly FlowSideDecisionJson[];
}

export interface CheckFlowsJson {
  schemaVersion: 1;
  summary: {
    observed: number;
    /** NetworkPolicies. */
    policies: number;
    /** ClusterNetworkPolicies, AdminNetworkPolicies and the BaselineAdminNetworkPolicy. */
    clusterPolicies: number;
    /** CiliumNetworkPolicies and CiliumClusterwideNetworkPolicies. */
    ciliumPolicies: number;
    allowed: number;
    /** Observed connections the policies deny ... */
    denied: number;
    /** ... of which worked during the capture: the exit code is 1 when > 0. */
    breaking: number;
    /** A pod's traffic to itself: not subject to policies. */
    unpoliced: number;
    /** Rows of `unobserved`. */
    unobserved: number;
  };
  denied: readonly (ObservedConnectionJson & {
    /** False: every attempt was already dropped during the capture. */
    breaking: boolean;
    /** `egress` (of src) and/or `ingress` (of dst). */
    blockedAt: readonly ('egress' | 'ingress')[];
    /** NetworkPolicies isolating the blocking side(s). */
    policies: readonly string[];
    decision: FlowDecisionJson;
  })[];
  allowed: readonly (ObservedConnectionJson & { decision: FlowDecisionJson })[];
  unpoliced: readonly ObservedConnectionJson[];
  /** Allowed, and never observed. */
  unobserved: readonly {
    src: UnobservedEndJson;
    dst: UnobservedEndJson;
    ports: PortsJson;
    summary: string;
    /** Other ports of this pair were observed. */
    pairObserved: boolean;
  }[];
}

/** A policy as Hubble names it (`flow.Policy`) or netfence cites it. */
export interface VerdictPolicyJson {
  /** `NetworkPolicy`, `CiliumNetworkPolicy`, `CiliumClusterwideNetworkPolicy`, `ClusterNetworkPolicy`, … */
  kind: string;
  /** Null for cluster-scoped kinds. */
  namespace: string | null;
  name: string;
}

/** One Cilium verdict of an observed connection (one direction, one outcome) beside netfence's decision. */
export interface VerdictRowJson {
  /** `netfence-allows` and `netfence-denies` are disagreements (exit code 1); `other-policies`: same verdict. */
  agreement: 'agree' | 'netfence-allows' | 'netfence-denies' | 'other-policies';
  src: FlowEndJson;
  dst: FlowEndJson;
  protocol: ProtocolName;
  port: number;
  /** Of Hubble's verdict (`traffic_direction`); `unknown` when it gives none: compared with the whole connection. */
  direction: 'egress' | 'ingress' | 'unknown';
  netfence: {
    allowed: boolean;
    /** In one line, as `check-flows` shows a decision. */
    summary: string;
    /** The policies whose rules decided (none for isolation without a matching rule). */
    policies: readonly VerdictPolicyJson[];
    /** The decisions of that direction (both directions' for `unknown`) agreeing with `allowed`. */
    decisions: readonly FlowSideDecisionJson[];
  };
  cilium: {
    /** `audit`: Cilium's policy denies it, policy audit mode let it through. */
    outcome: 'allowed' | 'denied' | 'audit';
    /** As recorded: `FORWARDED`, `REDIRECTED`, `DROPPED`, `AUDIT`. */
    verdicts: readonly string[];
    /** `POLICY_DENIED`, `POLICY_DENY`. */
    dropReasons: readonly string[];
    /** Hubble's `<direction>_allowed_by` / `<direction>_denied_by` (empty when it names none). */
    policies: readonly VerdictPolicyJson[];
    summary: string;
    /** Connection attempts with this verdict. */
    attempts: number;
  };
}

/** `netfence check-flows --verdicts -o json`. */
export interface CheckFlowsVerdictsJson {
  schemaVersion: 1;
  summary: {
    /** Connections of the map. */
    observed: number;
    /** With a Cilium policy verdict. */
    compared: number;
    agree: number;
    /** With a verdict disagreement: the exit code is 1 when > 0. */
    disagree: number;
    /** Same verdicts, other policies named. */
    otherPolicies: number;
    /** No policy verdict: not compared. */
    withoutVerdict: number;
    /** Rows of `deliveredWithoutVerdict`. */
    deliveredWithoutVerdict: number;
    policies: number;
    clusterPolicies: number;
    /** CiliumNetworkPolicies and CiliumClusterwideNetworkPolicies. */
    ciliumPolicies: number;
  };
  /** Hubble flows by what they carry: only policy verdicts are compared. */
  flows: {
    policyVerdicts: number;
    replies: number;
    /** Drops for reasons other than policy, by `drop_reason_desc`. */
    otherDrops: Readonly<Record<string, number>>;
    /** Verdicts that are no policy decision (trace points, `TRACED`, `TRANSLATED`, `ERROR`), by verdict. */
    nonPolicy: Readonly<Record<string, number>>;
    noVerdict: number;
  };
  /** Every comparison: disagreements first, then other policies, then agreements; each in map order. */
  rows: readonly VerdictRowJson[];
  /**
   * Connections netfence denies that got through during the capture with no policy verdict: not compared (not
   * failing), a sign that Cilium enforced no policy there.
   */
  deliveredWithoutVerdict: readonly (ObservedConnectionJson & { decision: FlowDecisionJson })[];
}
