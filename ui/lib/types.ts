/**
 * The JSON the server sends (docs/ui.md describes every field). The UI reads it; it never builds it.
 */

export interface PortsJson {
  TCP: [number, number][];
  UDP: [number, number][];
  SCTP: [number, number][];
}

export type Isolation = 'isolated' | 'partly' | 'not-isolated' | 'host-network';

export interface NamespaceJson {
  name: string;
  labels: Record<string, string>;
  implicit: boolean;
  workloads: number;
  policies: number;
}

export interface WorkloadJson {
  id: string;
  namespace: string;
  kind: string;
  name: string;
  displayName: string;
  pods: string[];
  replicas: number | null;
  labels: Record<string, string>;
  isolated: { ingress: Isolation; egress: Isolation };
  /** Allows every connection in that direction, from or to anyone (not isolated, or an allow-all rule). */
  open: { ingress: boolean; egress: boolean };
  /** Ids of the policies selecting it. */
  policies: string[];
}

export interface ExternalJson {
  id: string;
  description: string;
  cidrs?: string[];
  except?: string[];
}

export interface PolicyJson {
  id: string;
  namespace: string;
  name: string;
  file: string | null;
  line: number | null;
  ingress: boolean;
  egress: boolean;
  selects: string[];
  yaml: string;
}

export interface ConnectionJson {
  src: string;
  dst: string;
  ports: PortsJson;
  summary: string;
  open: boolean;
}

export interface GroupConnectionJson {
  src: string;
  dst: string;
  count: number;
  open: number;
  ports: PortsJson;
  summary: string;
}

export interface Model {
  schemaVersion: number;
  version: number;
  source: { kind: 'files' | 'cluster'; description: string };
  features: { flows: boolean; watch: boolean; static: boolean };
  summary: { namespaces: number; workloads: number; pods: number; policies: number; connections: number };
  namespaces: NamespaceJson[];
  workloads: WorkloadJson[];
  external: ExternalJson[];
  policies: PolicyJson[];
  /** Null when there are too many: fetched per namespace instead. */
  connections: ConnectionJson[] | null;
  namespaceConnections: GroupConnectionJson[];
  problem?: { message: string; details: string[] } | null;
}

export interface FindingJson {
  ruleId: string;
  severity: 'error' | 'warning' | 'info';
  message: string;
  file: string | null;
  line: number | null;
  column: number | null;
  path: string;
  object: { kind: string; namespace?: string; name: string; id: string };
  workloads: string[];
  helpUri?: string;
}

export interface LintJson {
  summary: { findings: number; errors: number; warnings: number; info: number; suppressed: number };
  findings: FindingJson[];
  skippedRules: string[];
}

export interface RuleRefJson {
  policy: string;
  path: string;
  file: string | null;
  line: number | null;
}

export interface ExplainSideJson {
  status: 'isolated' | 'not-isolated' | 'host-network' | 'outside-cluster';
  isolatedBy: { policy: string; file: string | null; line: number | null }[];
  allowed: PortsJson;
  rules: (RuleRefJson & { direction: string; rule: number; peer: number | null; ports: PortsJson })[];
  nearMisses: (RuleRefJson & {
    failed: 'ports' | 'peer' | 'both';
    reasons: { code: string; message: string; path: string }[];
  })[];
}

export interface ExplanationJson {
  src: { name: string };
  dst: { name: string };
  verdict: 'allowed' | 'denied' | 'partly-allowed';
  summary: string;
  egress: ExplainSideJson;
  ingress: ExplainSideJson;
  segments: {
    summary: string;
    allowed: boolean;
    egress: { allowed: boolean; rules: { policy: string; path: string }[] };
    ingress: { allowed: boolean; rules: { policy: string; path: string }[] };
  }[];
}

export interface ExplainJson {
  from: { id: string; name: string };
  to: { id: string; name: string };
  explanations: ExplanationJson[];
  text: string;
}

export interface ExposureStatementJson {
  description: string;
  portsDescription: string;
  allowsSomething: boolean;
  policy: string;
  path: string;
  file: string | null;
  line: number | null;
  today: string[];
  everyPod: boolean;
}

export interface ExposureDirectionJson {
  status: 'isolated' | 'not-isolated' | 'host-network';
  policies: string[];
  statements: ExposureStatementJson[];
}

export interface ExposureJson {
  id: string;
  name: string;
  flags: { flag: string; reason: string }[];
  ingress: ExposureDirectionJson;
  egress: ExposureDirectionJson;
}

export interface WorkloadDetailJson {
  id: string;
  name: string;
  exposure: ExposureJson | null;
}

export interface PathStepJson {
  src: string;
  dst: string;
  summary: string;
}

export interface PathsJson {
  mode: 'rank' | 'reach' | 'targets';
  workloads: number;
  ranking?: { id: string; reach: number; direct: number; entryPoint: boolean }[];
  from?: string[];
  maxHops?: number | null;
  reached?: { id: string; hops: number; via: { from: string; summary: string } | null }[];
  unreached?: string[];
  targets?: { id: string; path: PathStepJson[] | null }[];
}

export type TrafficStatus = 'observed' | 'partly-observed' | 'unobserved' | 'denied';

export interface TrafficEdgeJson {
  src: string;
  dst: string;
  status: TrafficStatus;
  observed: { protocol: string; port: number; count: number }[];
  denied: { protocol: string; port: number; count: number; blockedAt: string[]; policies: string[] }[];
  unobserved: string | null;
}

export interface TrafficJson {
  inputs: string;
  leftOut: string | null;
  unmatched: string[];
  summary: {
    observed: number;
    partlyObserved: number;
    unobserved: number;
    denied: number;
    connections: number;
  };
  edges: TrafficEdgeJson[];
}

export type EdgeChange = 'added' | 'removed' | 'changed' | 'unchanged';

export interface WhatIfProblemJson {
  change: number;
  severity: 'error' | 'warning';
  message: string;
  line: number | null;
  column: number | null;
  path: string;
}

export interface WhatIfEdgeJson {
  src: string;
  dst: string;
  change: EdgeChange;
  summary: string;
  before: string | null;
  after: string | null;
  open: boolean;
}

export interface WhatIfJson {
  applied: number[];
  problems: WhatIfProblemJson[];
  summary: {
    added: number;
    removed: number;
    changed: number;
    unchanged: number;
    policiesAdded: number;
    policiesRemoved: number;
    policiesModified: number;
  };
  policies: { change: string; id: string; fields: { path: string }[] }[];
  rows: {
    change: 'added' | 'removed' | 'changed';
    src: string;
    dst: string;
    before: string | null;
    after: string | null;
    added: string | null;
    removed: string | null;
  }[];
  external: ExternalJson[];
  edges: WhatIfEdgeJson[];
}

/** The data of a static report (`netfence report --html`), embedded in the page. */
export interface StaticData {
  model: Model;
  lint: LintJson;
  exposure: Record<string, ExposureJson>;
  /** Each allowed connection's explanation, keyed `src dst` (absent in reports written before they were embedded). */
  explanations?: Record<string, ExplainJson>;
  flows: TrafficJson | null;
  generated: string;
}
