/** `netfence generate -o json` (docs/json-schema.md#generate). */
import type { ClusterNetworkPolicy, NetworkPolicy } from '../model/k8s.ts';
import type { PortsJson } from './common.ts';
import type { ObservedConnectionJson } from './flows.ts';

/** An allowed pair of entity ids (workload ids, or `external:<n>`), on ports. */
export interface AllowanceJson {
  src: string;
  dst: string;
  ports: PortsJson;
  summary: string;
  /**
   * Only for an address class made of Nodes' addresses alone (the input's or the cluster's Nodes): their
   * names, sorted (as `srcNodes`/`dstNodes` in `apply`'s cuts).
   */
  srcNodes?: readonly string[];
  dstNodes?: readonly string[];
}

export type LeftOutReasonJson =
  'denied' | 'host-network' | 'excluded-namespace' | 'single-pod-self' | 'node-address';

export interface GenerateJson {
  schemaVersion: 1;
  mode: 'fresh' | 'augment';
  summary: {
    policies: number;
    namespaces: number;
    /** Observed connections used (after --exclude-denied). */
    observed: number;
    /** Observed connections --exclude-denied left out (not in `observed`; in `leftOut`, reason `denied`). */
    excludedDenied: number;
    /** Observed connections no rule was generated for. */
    leftOut: number;
    /** Augment: observed connections the kept policies already allow. */
    alreadyAllowed: number;
    /** Existing policies kept (augment: all; fresh: excluded namespaces). */
    kept: number;
    /** Existing policies the fresh set replaces. */
    replaced: number;
  };
  /** As --output-dir writes them. */
  files: readonly { path: string; policies: readonly string[] }[];
  policies: readonly {
    id: string;
    kind: 'default-deny' | 'ingress' | 'egress';
    /** Null for default-deny. */
    workload: string | null;
    object: NetworkPolicy;
    /** In the order of spec.ingress (or spec.egress). */
    rules: readonly { dns: boolean; observed: readonly ObservedConnectionJson[] }[];
  }[];
  /** `--tier`: the ClusterNetworkPolicies, Admin before Baseline; empty without `--tier`. */
  clusterPolicies: readonly {
    id: string;
    /** `default-deny` (Baseline), `dns-egress` and `dns-ingress` (Admin guardrails). */
    role: 'default-deny' | 'dns-egress' | 'dns-ingress';
    object: ClusterNetworkPolicy;
  }[];
  dns: {
    namespace: string;
    matchLabels: Readonly<Record<string, string>>;
    workloads: readonly string[];
    /** `observed`: answering on UDP 53; `assumed`: not in the input. */
    detected: 'selector' | 'observed' | 'assumed';
    /** Workloads given DNS egress. */
    clients: readonly string[];
  };
  /** --aggregate blocks. */
  aggregated: readonly { cidr: string; addresses: readonly string[] }[];
  leftOut: readonly (ObservedConnectionJson & { reason: LeftOutReasonJson; message: string })[];
  notices: readonly string[];
  verification: {
    ok: boolean;
    /** Observed connections checked. */
    checked: number;
    /** Observed, but denied by the generated set (a bug). */
    missing: readonly ObservedConnectionJson[];
    /** Allowed, never observed, not intended (a bug). */
    unexpected: readonly AllowanceJson[];
    /** Intended: DNS ports beyond the observed ones. */
    dns: readonly AllowanceJson[];
    /** Allowed through a selector that also selects a workload with the same labels. */
    shared: readonly AllowanceJson[];
    /** Allowed inside an --aggregate block. */
    aggregated: readonly AllowanceJson[];
    /** Host-network workloads reached through their node's address. */
    hostNetwork: readonly AllowanceJson[];
    /** `--tier baseline`: egress to the API server (`--api-server`). */
    apiServer: readonly AllowanceJson[];
    /** `--tier baseline`: from outside addresses or host-network pods to pods no ingress policy isolates. */
    outsideIngress: readonly AllowanceJson[];
    /** Observed, denied by cluster policies of the input (kept; no NetworkPolicy can override them). */
    deniedByClusterPolicies: readonly ObservedConnectionJson[];
    /** Allowed, not observed, allowed only by cluster policies of the input (kept). */
    allowedByClusterPolicies: readonly AllowanceJson[];
    /** Allowed pairs no generated policy restricts on either side. */
    unrestricted: number;
    unrestrictedWorkloads: readonly string[];
    /** Augment: pairs whose extra ports the kept policies already allowed. */
    alreadyAllowed: number;
    /** From a pod's own node to it: allowed whatever the policies say (but under Cilium's allow-localhost=policy). */
    ownNode: readonly AllowanceJson[];
  };
}
