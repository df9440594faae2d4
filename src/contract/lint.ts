/** `netfence lint -o json` and `--list-rules -o json` (docs/json-schema.md#lint); `/api/lint` is the former. */

export type SeverityJson = 'error' | 'warning' | 'info';
export type FailOnJson = SeverityJson | 'none';

export interface FindingJson {
  ruleId: string;
  /** Which of the rule's messages: stable, for telling variants apart. */
  messageId: string;
  severity: SeverityJson;
  message: string;
  /** Null when the object has no file (a live cluster). */
  file: string | null;
  /** 1-based; of the field the finding is about. */
  line: number | null;
  column: number | null;
  /** Field path inside the object; "" for the object itself. */
  path: string;
  /** The object the finding is about (and where suppressions are read). */
  object: {
    kind: string;
    /** Absent for a namespace and for cluster-scoped objects (ClusterNetworkPolicy…). */
    namespace?: string;
    name: string;
    /** `namespace/Kind/name`, or `Kind/name` for a namespace or a cluster-scoped object. */
    id: string;
  };
  /** Affected workloads, sorted. */
  workloads: readonly string[];
  helpUri: string;
}

export interface LintJson {
  schemaVersion: 1;
  summary: {
    /** Remaining: not suppressed, not in an excluded namespace. */
    findings: number;
    errors: number;
    warnings: number;
    info: number;
    /** By netfence.io/ignore annotations (listed in `suppressed`). */
    suppressed: number;
    /** Dropped by excludeNamespaces (not listed). */
    excluded: number;
    failOn: FailOnJson;
    /** Whether findings at or above failOn remain (exit code 1). */
    failed: boolean;
  };
  /** The rules that ran, with the severity in force. */
  rules: readonly { id: string; severity: SeverityJson }[];
  /** Enabled, but need --flows. */
  skippedRules: readonly string[];
  findings: readonly FindingJson[];
  /** With the annotation's reason ("" when none). */
  suppressed: readonly (FindingJson & { reason: string })[];
}

/** An item of `lint --list-rules -o json`. */
export interface RuleCatalogEntryJson {
  id: string;
  /** In force, or `off`. */
  severity: SeverityJson | 'off';
  defaultSeverity: SeverityJson;
  category: string;
  description: string;
  heuristic: boolean;
  requiresFlows: boolean;
  helpUri: string;
}
