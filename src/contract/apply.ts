/** `netfence apply -o json` and `netfence rollback -o json` (docs/json-schema.md#apply, #rollback). */
import type { PortsJson } from './common.ts';
import type { DiffJson } from './diff.ts';
import type { FlowEndJson } from './flows.ts';

export type PhaseKindJson = 'allow' | 'deny' | 'apply' | 'prune';

/** The kinds `apply` deploys. */
export type PolicyKindJson =
  | 'NetworkPolicy'
  | 'ClusterNetworkPolicy'
  | 'AdminNetworkPolicy'
  | 'BaselineAdminNetworkPolicy'
  | 'CiliumNetworkPolicy'
  | 'CiliumClusterwideNetworkPolicy';

export interface ApplyChangeJson {
  /** `namespace/name`; `Kind/name` for a cluster-scoped policy, `CiliumNetworkPolicy/namespace/name`. */
  id: string;
  kind: PolicyKindJson;
  /** Empty for a cluster-scoped policy. */
  namespace: string;
  name: string;
  action: 'create' | 'update' | 'unchanged' | 'delete';
  /** `deny`: allows nothing (a default-deny); for a cluster policy, has a `Deny` or `Pass` rule. */
  effect: 'allow' | 'deny';
  /** Index in `phases`; null when unchanged. */
  phase: number | null;
  outcome: 'applied' | 'failed' | 'unknown' | 'not-attempted' | 'dry-run' | 'unchanged';
  /** For `failed`: the API server's reason, one line; for `unknown`: why no answer came. */
  error: string | null;
  /** With --diff only: unified diff, live vs as stored. */
  diff?: string;
}

export interface ApplyJson {
  schemaVersion: 1;
  context: string;
  server: string;
  dryRun: boolean;
  staged: boolean;
  prune: boolean;
  /** `touched-namespaces`: listing every namespace was forbidden. */
  impactScope: 'all-namespaces' | 'touched-namespaces';
  /** The non-empty phases, in order. */
  phases: readonly { index: number; kind: PhaseKindJson; title: string; changes: readonly string[] }[];
  /** Every policy of the files, and every pruned one. */
  changes: readonly ApplyChangeJson[];
  /** Live (before) → after the apply. */
  connectivity: DiffJson;
  /**
   * With --staged: how many connections of the live state (as `analyze` of it counts them) some phase would
   * cut, each counted once however many rows below it has (the text's "Connections cut between phases (N)").
   */
  cutConnections: number;
  /**
   * With --staged: the rows of the connections allowed before and after, cut in between: one per phase and
   * pair of the phases' common address classes cut after it.
   */
  transientCuts: readonly {
    afterPhase: number;
    /** `namespace/name` of a workload, or an address range (`192.168.0.2/32`). */
    src: string;
    dst: string;
    /**
     * Only for an address range made of Nodes' addresses alone: their names, sorted (as `ExternalRefJson`'s
     * `nodes`). A Node's address is in the cluster, not outside it.
     */
    srcNodes?: readonly string[];
    dstNodes?: readonly string[];
    ports: PortsJson;
    summary: string;
    /**
     * The live connection this row is part of (`analyze`'s names, in the live state's own address classes):
     * `src`, `dst` as above when the row is the whole connection.
     */
    connection: { src: string; dst: string };
  }[];
  /** The observed ports the apply would deny, one entry each (name kept from before the unit); null without --flows. */
  breakingFlows:
    | readonly {
        src: FlowEndJson;
        dst: FlowEndJson;
        protocol: string;
        port: number;
        /** Attempts seen on this observed port, as `map`'s `count`. */
        count: number;
        /** The first phase after which it is denied (the last: the final state). */
        afterPhase: number;
        blockedAt: readonly ('egress' | 'ingress')[];
        policies: readonly string[];
      }[]
    | null;
  /** Why nothing was written (breaking flows, transient cuts), or null. */
  refused: string | null;
  /** Null when nothing was written. */
  record: string | null;
}

export type RecordStatusJson = 'complete' | 'partial' | 'in-progress' | 'rolled-back';

/** A rollback record, in short. */
export interface RecordSummaryJson {
  id: string;
  createdAt: string;
  context: string;
  server: string;
  status: RecordStatusJson;
  objects: number;
}

export interface RollbackStepJson {
  id: string;
  kind: PolicyKindJson;
  namespace: string;
  name: string;
  step: 'delete' | 'create' | 'replace' | 'skip' | 'blocked';
  /** For `skip` and `blocked`: why. */
  reason: string | null;
  outcome: 'restored' | 'dry-run' | 'unchanged' | 'failed' | 'unknown' | 'not-attempted';
  error: string | null;
}

export interface RollbackJson {
  schemaVersion: 1;
  /** The record rolled back, with its status before this rollback. */
  record: RecordSummaryJson;
  /** Null with --from-cluster. */
  file: string | null;
  dryRun: boolean;
  /** Last write first. */
  steps: readonly RollbackStepJson[];
  /** Why nothing was restored (objects changed since the apply), or null. */
  refused: string | null;
}

/** An item of `rollback --list -o json`. */
export interface RecordListEntryJson extends RecordSummaryJson {
  path: string;
}
