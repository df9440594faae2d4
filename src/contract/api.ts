/**
 * The answers of `netfence serve`'s `/api/*` (docs/ui.md#api), and the data of a static report. The web UI
 * reads them; the server builds them.
 */
import type { AnalysisSummaryJson } from './analyze.ts';
import type {
  ExternalEntryJson,
  ExternalRefJson,
  GranularityJson,
  PortsJson,
  WorkloadEntryJson,
} from './common.ts';
import type {
  DiffCiliumPolicyJson,
  DiffClusterPolicyJson,
  DiffJson,
  DiffPolicyJson,
  DiffSummaryJson,
} from './diff.ts';
import type { DecidedByJson, ExplainJson } from './explain.ts';
import type { ExposureItemJson } from './exposure.ts';
import type { LintJson } from './lint.ts';

/** Any `/api/*` answer that is not a 200: one line. */
export interface ApiErrorJson {
  error: string;
}

/** Whether a direction of a workload is isolated: by every one of its pods, some, none, or host network. */
export type IsolationJson = 'isolated' | 'partly' | 'not-isolated' | 'host-network';

export interface NamespaceJson {
  name: string;
  labels: Readonly<Record<string, string>>;
  /** Only named by objects, not defined in the input. */
  implicit: boolean;
  /** Counts. */
  workloads: number;
  policies: number;
}

/** An item of the model's `workloads`: as in `analyze`, plus what the UI draws. */
export interface ModelWorkloadJson extends WorkloadEntryJson {
  displayName: string;
  isolated: { ingress: IsolationJson; egress: IsolationJson };
  /** Allows every connection in that direction, from or to anyone (not isolated, or an allow-all rule). */
  open: { ingress: boolean; egress: boolean };
  /** Ids of the policies selecting it. */
  policies: readonly string[];
  /** Ids of the cluster policies selecting it (`ClusterNetworkPolicy/name`), in evaluation order: Admin tier then Baseline. */
  clusterPolicies: readonly string[];
  /** Ids of the Cilium policies with a rule set selecting it (`CiliumNetworkPolicy/ns/name`). */
  ciliumPolicies: readonly string[];
}

/** A CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy (issue #17). */
export interface CiliumPolicyJson {
  /** `CiliumNetworkPolicy/shop/db` or `CiliumClusterwideNetworkPolicy/name`. */
  id: string;
  kind: 'CiliumNetworkPolicy' | 'CiliumClusterwideNetworkPolicy';
  /** null for a CiliumClusterwideNetworkPolicy. */
  namespace: string | null;
  name: string;
  file: string | null;
  line: number | null;
  /** Whether a rule set of it puts what it selects in default deny for ingress, for egress. */
  ingress: boolean;
  egress: boolean;
  /** Ids of the workloads its rule sets select. */
  selects: readonly string[];
  /** The policy's YAML as written (comments included), or rebuilt from the object: what the what-if editor opens. */
  yaml: string;
}

export interface PolicyJson {
  id: string;
  namespace: string;
  name: string;
  file: string | null;
  line: number | null;
  /** Effective policyTypes. */
  ingress: boolean;
  egress: boolean;
  /** Ids of the workloads it selects. */
  selects: readonly string[];
  /** The policy as written (its YAML document), or as rebuilt from the cluster state. */
  yaml: string;
}

/** A rule of a cluster policy, in words. */
export interface ClusterRuleJson {
  /** Position in `spec.ingress` / `spec.egress`: rules are evaluated in this order. */
  index: number;
  name: string | null;
  action: 'allow' | 'deny' | 'pass';
  /** Each peer in words: `namespaces env=prod`, `networks 10.0.0.0/8`, `domainNames example.com`. */
  peers: readonly string[];
  /** `all ports`, `TCP 80, UDP 53`. */
  ports: string;
}

/** A ClusterNetworkPolicy, AdminNetworkPolicy or BaselineAdminNetworkPolicy (cluster-scoped). */
export interface ClusterPolicyJson {
  /** `Kind/name`: `ClusterNetworkPolicy/default-deny`. */
  id: string;
  kind: 'ClusterNetworkPolicy' | 'AdminNetworkPolicy' | 'BaselineAdminNetworkPolicy';
  name: string;
  tier: 'admin' | 'baseline';
  /** 0–1000, lower first; null for the BaselineAdminNetworkPolicy (after every Baseline CNP). */
  priority: number | null;
  file: string | null;
  line: number | null;
  /** The subject in words: `namespaces env=prod`, `pods app=web in namespaces {}`. */
  subject: string;
  /** Ids of the workloads it selects. */
  selects: readonly string[];
  ingress: readonly ClusterRuleJson[];
  egress: readonly ClusterRuleJson[];
  /** The policy as written (its YAML document), or as rebuilt from the cluster state. */
  yaml: string;
}

/** What allowed a direction of a connection: a layer, and for a tier its cluster policy and rule. */
export interface AllowedByJson {
  /** As `explain`'s `decidedBy`: the Admin tier, NetworkPolicies (they isolate the pod), the Baseline tier, or the default. */
  layer: DecidedByJson;
  /** Cluster policy id (Admin and Baseline layers), else null. */
  policy: string | null;
  /** Index of the rule in the policy's `ingress`/`egress`, else null. */
  rule: number | null;
}

/** An allowed connection between two entities, by id (`namespace/Kind/name`, `external:<n>`). */
export interface ConnectionJson {
  src: string;
  dst: string;
  ports: PortsJson;
  summary: string;
  /** Unrestricted: the source allows every connection out, the destination every connection in. */
  open: boolean;
  /**
   * What allowed it, per direction (each layer, policy and rule that allowed some of its ports), when the
   * cluster has cluster policies; absent otherwise (NetworkPolicies or the default decided).
   */
  allowedBy?: { egress: readonly AllowedByJson[]; ingress: readonly AllowedByJson[] };
  /**
   * Present when Cilium's proxy filters it: allowed at L4, filtered at L7 on these ports by these Cilium
   * policies (ids, sorted), as `analyze`'s `l7` says (issue #17: never plainly "allowed").
   */
  l7?: { ports: PortsJson; summary: string; policies: readonly string[] };
}

/**
 * A workload that may connect to a DNS name (a cluster policy's `domainNames` Accept rule), wherever the name
 * resolves: a named destination outside the cluster, not an address class, so not counted in `connections`
 * (as `analyze`'s `domains`).
 */
export interface DomainConnectionJson {
  /** The source's entity id. */
  src: string;
  /** As the policy writes it: `api.example.com`, `*.github.com`. */
  domain: string;
  ports: PortsJson;
  summary: string;
}

/** Connections aggregated between groups: `ns:<namespace>`, `nodes` (the Nodes' addresses) or `outside`. */
export interface GroupConnectionJson {
  src: string;
  dst: string;
  /** Workload-level connections it stands for. */
  count: number;
  /** Of `count`, the open ones. */
  open: number;
  ports: PortsJson;
  summary: string;
}

export interface SourceJson {
  /** `files`: manifests on disk or standard input; `cluster`: the live cluster of the kubeconfig. */
  kind: 'files' | 'cluster';
  /** `examples/webshop`, `context prod-eu1, every namespace`. */
  description: string;
}

/** A problem a reload ran into: the page shows it and keeps the last good analysis. */
export interface ReloadProblemJson {
  message: string;
  details: readonly string[];
}

/** `/api/model`: everything the UI draws first. */
export interface ModelJson {
  schemaVersion: 1;
  /** Bumped on every reload (`--watch`). */
  version: number;
  source: SourceJson;
  /** Whether `/api/flows` answers, whether the page updates live, whether this is a static report. */
  features: { flows: boolean; watch: boolean; static: boolean };
  granularity: GranularityJson;
  /** `domains`: entries of `domains` (source, DNS name), counted apart from `connections`, as `analyze` does. */
  summary: AnalysisSummaryJson & { connections: number; domains: number };
  namespaces: readonly NamespaceJson[];
  workloads: readonly ModelWorkloadJson[];
  external: readonly ExternalEntryJson[];
  policies: readonly PolicyJson[];
  /** ClusterNetworkPolicies, AdminNetworkPolicies and the BaselineAdminNetworkPolicy, in evaluation order. */
  clusterPolicies: readonly ClusterPolicyJson[];
  /** CiliumNetworkPolicies and CiliumClusterwideNetworkPolicies, in input order. */
  ciliumPolicies: readonly CiliumPolicyJson[];
  /** Null when there are too many (above 50,000): fetched per namespace instead (`/api/connections`). */
  connections: readonly ConnectionJson[] | null;
  namespaceConnections: readonly GroupConnectionJson[];
  /** Reach by DNS name, sorted by source then name (empty without cluster policies' `domainNames`). */
  domains: readonly DomainConnectionJson[];
  /** `/api/model` only: the last failed reload, or null. Absent in a static report. */
  problem?: ReloadProblemJson | null;
}

/** `/api/connections?namespace=`: the workload-level connections with an end in one namespace. */
export interface NamespaceConnectionsJson {
  connections: readonly ConnectionJson[];
  /** More than the model's limit: the list stops there. */
  truncated: boolean;
}

/** `/api/explain?from=&to=`: `explain -o json` for two entities, with their names and the explanation in words. */
export type ExplainAnswerJson = ExplainJson & {
  from: { id: string; name: string };
  to: { id: string; name: string };
  text: string;
};

/** `/api/workload?id=`: one workload's exposure (an item of `exposure -o json`), null when it has none. */
export interface WorkloadDetailJson {
  id: string;
  name: string;
  exposure: ExposureItemJson | null;
}

/** A hop of a path of `/api/paths`, by entity id. */
export interface PathStepJson {
  src: string;
  dst: string;
  summary: string;
  /** When Cilium filters the hop at L7: on which ports, by which policies (absent: not filtered). */
  l7?: { summary: string; policies: readonly string[] };
}

/**
 * `/api/paths`: without `from` (`mode: rank`), `ranking`; with it (`reach`, or `targets` when `to` is given),
 * `from`, `maxHops`, `reached`, `unreached` and `targets`.
 */
export interface ApiPathsJson {
  mode: 'rank' | 'reach' | 'targets';
  /** Workloads in the graph. */
  workloads: number;
  ranking?: readonly { id: string; reach: number; direct: number; entryPoint: boolean }[];
  from?: readonly string[];
  maxHops?: number | null;
  /** The first hop that reached each workload (null for the sources). */
  reached?: readonly { id: string; hops: number; via: { from: string; summary: string } | null }[];
  unreached?: readonly string[];
  /** The shortest path to each target; null when out of reach. */
  targets?: readonly { id: string; path: readonly PathStepJson[] | null }[];
}

/**
 * - `observed`: allowed and seen, on every allowed port;
 * - `partly-observed`: allowed and seen, but some allowed ports were never used (tighten the ports);
 * - `unobserved`: allowed and never seen (over-permissive, or traffic the capture missed);
 * - `denied`: seen and denied by the policies (this traffic breaks when they are enforced).
 */
export type TrafficStatus = 'observed' | 'partly-observed' | 'unobserved' | 'denied';

export interface ObservedPortJson {
  protocol: string;
  port: number;
  count: number;
}

export interface DeniedPortJson extends ObservedPortJson {
  /** Where it is stopped. */
  blockedAt: readonly string[];
  /** Policies isolating the blocking side(s). */
  policies: readonly string[];
}

/** One pair of endpoints of `/api/flows`. */
export interface TrafficEdgeJson {
  src: string;
  dst: string;
  status: TrafficStatus;
  /** Observed and allowed. */
  observed: ObservedPortJson[];
  /** Observed and denied. */
  denied: DeniedPortJson[];
  /** Allowed and never observed, or null. */
  unobserved: string | null;
}

/** `/api/flows`: the traffic overlay. */
export interface TrafficJson {
  inputs: string;
  leftOut: string | null;
  unmatched: readonly string[];
  summary: {
    observed: number;
    partlyObserved: number;
    unobserved: number;
    denied: number;
    connections: number;
    /**
     * Observed ports, (source, destination, protocol, port), as `netfence check-flows` counts them: its
     * `67 observed ports against …: 63 allowed, 0 would be denied, 4 still denied` (the counts above are pairs).
     */
    ports: {
      observed: number;
      allowed: number;
      /** A pod's traffic to itself, which no policy can stop (check-flows' `not subject to policies`). */
      unpoliced: number;
      wouldBeDenied: number;
      stillDenied: number;
    };
  };
  edges: readonly TrafficEdgeJson[];
}

/** One edit of a `POST /api/whatif` request. */
export interface WhatIfChangeJson {
  /**
   * `namespace/name` of the NetworkPolicy, or `Kind/name` of the cluster policy, this change replaces or
   * turns off; absent for a new policy.
   */
  target?: string;
  /** The YAML of the policy (or policies) that take the target's place; absent or null turns the target off. */
  yaml?: string | null;
}

/** The body of `POST /api/whatif`. */
export interface WhatIfRequestJson {
  changes: readonly WhatIfChangeJson[];
}

export interface WhatIfProblemJson {
  /** Index of the change in the request. */
  change: number;
  severity: 'error' | 'warning';
  message: string;
  /** 1-based, in the change's YAML; null when the problem is about the change as a whole. */
  line: number | null;
  column: number | null;
  path: string;
}

export type EdgeChange = 'added' | 'removed' | 'changed' | 'unchanged';

export interface WhatIfEdgeJson {
  src: string;
  dst: string;
  change: EdgeChange;
  /** Allowed after the changes (before, for a removed connection). */
  summary: string;
  before: string | null;
  after: string | null;
  open: boolean;
  /**
   * What Cilium filters at L7 of the connection (after the changes; before, for a removed one), as `analyze`
   * says it: `filtered at L7 on TCP 8080 by CiliumNetworkPolicy/news/api`; null when nothing is.
   */
  l7: string | null;
}

/** `POST /api/whatif`: problems, the diff (as `netfence diff -o json`), readable rows, and every edge to draw. */
export interface WhatIfJson {
  /** Indexes of the changes that were applied (the others have errors). */
  applied: readonly number[];
  problems: readonly WhatIfProblemJson[];
  summary: DiffSummaryJson;
  policies: readonly DiffPolicyJson[];
  /** The cluster policies the changes add, remove or modify (as `diff -o json`'s `clusterPolicies`). */
  clusterPolicies: readonly DiffClusterPolicyJson[];
  /** The Cilium policies the changes add, remove or modify (as `diff -o json`'s `ciliumPolicies`). */
  ciliumPolicies: readonly DiffCiliumPolicyJson[];
  rows: readonly {
    change: 'added' | 'removed' | 'changed';
    /** Display names. */
    src: string;
    dst: string;
    before: string | null;
    after: string | null;
    added: string | null;
    removed: string | null;
    /**
     * Cilium's L7 filtering of the row, as `analyze` says it (`filtered at L7 on TCP 8080 by
     * CiliumNetworkPolicy/news/api`, `no longer filtered at L7 on …`); null when neither side filters.
     */
    l7: string | null;
  }[];
  /** Reach by DNS name (Cilium `toFQDNs`, cluster policies' `domainNames`) the changes add, remove or change. */
  domains: readonly {
    change: 'added' | 'removed' | 'changed';
    /** Display name of the source. */
    src: string;
    /** `feeds.example (by DNS name)`. */
    dst: string;
    before: string | null;
    after: string | null;
  }[];
  external: readonly ExternalRefJson[];
  edges: readonly WhatIfEdgeJson[];
  diff: DiffJson;
}

/** The data of a static report (`netfence report --html`), embedded in the page. */
export interface StaticDataJson {
  /** As `/api/model`, with `features.static: true`. */
  model: ModelJson;
  lint: LintJson;
  /** Workload id → its item of `exposure -o json` (empty above 2,000 workloads). */
  exposure: Readonly<Record<string, ExposureItemJson>>;
  /** Each allowed connection's explanation, keyed `src dst` (absent in reports written before they were embedded). */
  explanations?: Readonly<Record<string, ExplainAnswerJson>>;
  flows: TrafficJson | null;
  /** ISO 8601. */
  generated: string;
}
