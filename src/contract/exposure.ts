/** `netfence exposure -o json` (docs/json-schema.md#exposure); `/api/workload` and the report reuse its items. */
import type { GranularityJson, PortsJson } from './common.ts';

export type ExposureFlagJson =
  'reachable-from-outside' | 'reachable-from-all-namespaces' | 'egress-to-internet';

/** A peer in general terms. */
export type PeerScopeJson =
  /** A rule without peers: every pod and every address. */
  | { kind: 'anyone' }
  | {
      kind: 'pods';
      namespaces:
        | { kind: 'own'; namespace: string }
        | { kind: 'any' }
        | { kind: 'named'; names: readonly string[] }
        | { kind: 'labelled'; selector: string };
      /** A selector (`app=web`), or null for every pod of those namespaces. */
      pods: string | null;
    }
  | { kind: 'addresses'; cidr: string; except: readonly string[] };

/** One peer of one rule, in words and as data. */
export interface ExposureStatementJson {
  peer: PeerScopeJson;
  description: string;
  /** Ingress: named ports resolved on this workload. */
  ports: PortsJson;
  /** Egress: named ports as `name/PROTOCOL`, resolved per destination. */
  namedPorts: readonly string[];
  /** Ingress: named ports this workload does not define (they allow nothing). */
  undefinedNamedPorts: readonly string[];
  portsDescription: string;
  allowsSomething: boolean;
  policy: string;
  path: string;
  file: string | null;
  line: number | null;
  /** Entity ids the peer matches today (pods peers only). */
  today: readonly string[];
  /** The peer matches every pod, today's and tomorrow's. */
  everyPod: boolean;
}

/** One peer of one cluster policy rule (ClusterNetworkPolicy, AdminNetworkPolicy, BaselineAdminNetworkPolicy). */
export interface TierExposureStatementJson {
  tier: 'admin' | 'baseline';
  /** `ClusterNetworkPolicy/tenant-isolation`. */
  policy: string;
  /** null for the BaselineAdminNetworkPolicy (after every Baseline ClusterNetworkPolicy). */
  priority: number | null;
  action: 'allow' | 'deny' | 'pass';
  /** The rule's `name`, or null. */
  rule: string | null;
  peer: { kind: 'namespaces' | 'pods' | 'nodes' | 'networks' | 'domainNames' | 'unknown' };
  /** `denied from any pod in namespaces labelled tenant=b, on all ports`. */
  description: string;
  portsDescription: string;
  /** `spec.ingress[0].from[0]`. */
  path: string;
  file: string | null;
  line: number | null;
  /** Entity ids the peer matches today (none for DNS names). */
  today: readonly string[];
  /** The peer matches pods of every namespace, today's and tomorrow's. */
  everyNamespace: boolean;
}

/** One rule of a Cilium rule set selecting the workload (allow or deny). */
export interface CiliumExposureStatementJson {
  /** `CiliumNetworkPolicy/shop/db` */
  policy: string;
  list: 'ingress' | 'ingressDeny' | 'egress' | 'egressDeny';
  deny: boolean;
  /** `allowed from endpoints labelled app=api in namespace shop on 5432/TCP, filtered at L7 (http)`. */
  description: string;
  /** null: every port and protocol. */
  ports: PortsJson | null;
  /** Egress named ports, `name/PROTOCOL`. */
  namedPorts: readonly string[];
  /** The L7 rule kinds of its `toPorts` (`http`, `dns`, …): allowed at L4, filtered at L7. */
  l7: readonly string[];
  /** Its rule set puts the workload in default deny in this direction. */
  isolates: boolean;
  /** `spec.ingress[0]`. */
  path: string;
  file: string | null;
  line: number | null;
  /** Entity ids its peers match today. */
  today: readonly string[];
}

export interface ExposureDirectionJson {
  /**
   * What the NetworkPolicy layer does (NetworkPolicies and Cilium rule sets in default deny): no statements
   * unless `isolated`.
   */
  status: 'isolated' | 'not-isolated' | 'host-network';
  /** The NetworkPolicies and Cilium policies that isolate it. */
  policies: readonly string[];
  statements: readonly ExposureStatementJson[];
  /** The rules of the Cilium rule sets selecting it in this direction. */
  cilium: readonly CiliumExposureStatementJson[];
  /** Admin tier rules that apply, in evaluation order (before NetworkPolicies). */
  admin: readonly TierExposureStatementJson[];
  /** Baseline tier rules that apply, in evaluation order; empty when NetworkPolicies isolate (they decide). */
  baseline: readonly TierExposureStatementJson[];
}

/** An item of `workloads` (or `pods`). */
export type ExposureItemJson = {
  id: string;
  name: string;
} & (
  | { namespace: string; kind: string }
  /** A pod (`--granularity pod`): its workload's id. */
  | { namespace: string; workload: string }
  /** An address class (never listed: exposure is about pods). */
  | { namespace?: never }
) & {
    flags: readonly { flag: ExposureFlagJson; reason: string }[];
    /** Who can reach it. */
    ingress: ExposureDirectionJson;
    /** Whom it can reach. */
    egress: ExposureDirectionJson;
  };

export type ExposureJson = {
  schemaVersion: 1;
  granularity: GranularityJson;
  summary: ({ workloads: number } | { pods: number }) & {
    flagged: Readonly<Record<ExposureFlagJson, number>>;
  };
} & ({ workloads: readonly ExposureItemJson[] } | { pods: readonly ExposureItemJson[] });
