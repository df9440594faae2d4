/**
 * Types of the linter: rule modules (typescript-eslint style), what a rule sees, and what it reports.
 *
 * Rules are pure: they read the cluster state, the compiled engine structures and the parsed sources, and
 * report through `ctx.report`. No file, network or terminal I/O happens in `src/lint/`.
 */
import type { EngineOptions, CompiledCluster } from '../engine/compile.ts';
import type { Connectivity } from '../engine/connectivity.ts';
import type {
  ClusterPolicyInfo,
  ClusterState,
  NamespaceInfo,
  PolicyInfo,
  WorkloadInfo,
} from '../model/cluster.ts';
import type { CiliumPolicyInfo } from '../model/cilium.ts';
import type { Protocol } from '../model/k8s.ts';
import type { FieldPath, LocatedMessage, Problem, Severity } from '../model/problem.ts';
import type { ParsedObject } from '../parse/types.ts';
import type { Lookup } from './lookup.ts';

export const RuleCategory = {
  /** Pods that no policy isolates. */
  Isolation: 'isolation',
  /** Rules that allow more than anyone would want. */
  Permissive: 'permissive',
  /** Policies, rules and peers that match nothing. */
  DeadCode: 'dead-code',
  /** Ports that do not mean what they seem to. */
  Ports: 'ports',
  /** Name resolution broken by egress rules. */
  Dns: 'dns',
  /** Rules and policies that change nothing. */
  Redundancy: 'redundancy',
  /** Common mistakes in how a policy is written. */
  Mistakes: 'mistakes',
  /** YAML that other tools read differently. */
  Yaml: 'yaml',
  /** Policies compared with the traffic actually observed (`--flows`). */
  Flows: 'flows',
} as const;
export type RuleCategory = (typeof RuleCategory)[keyof typeof RuleCategory];

/** What a rule module declares about itself: the catalog, SARIF and the docs are built from it. */
export interface RuleMeta<M extends string = string> {
  /** Default severity; `netfence.yaml` can change it or turn the rule off. */
  severity: Severity;
  category: RuleCategory;
  /** One sentence: what a clean input satisfies (the catalog line, SARIF `shortDescription`). */
  description: string;
  /** Why it matters, in a few sentences (SARIF `fullDescription` and help). */
  rationale: string;
  /** How to fix a finding, in one or two sentences (SARIF help). */
  fix: string;
  /** Message templates; `{{name}}` is replaced by `data.name`. One line each, quoting the bad value. */
  messages: Readonly<Record<M, string>>;
  /** Needs observed connections (`--flows`); without them the rule does not run. */
  requiresFlows?: boolean;
  /** A heuristic that can be wrong (SARIF precision `medium`). */
  heuristic?: boolean;
  /**
   * Codes of parse problems this rule reports itself, as findings, at the same place: the input is not
   * rejected for them (e.g. a duplicate policy name is a finding of `no-duplicate-policy-name`).
   */
  supersedes?: readonly string[];
}

/** The object a finding is about: where it points, and where suppression annotations are read. */
export type Subject =
  | { policy: PolicyInfo }
  /** A ClusterNetworkPolicy, AdminNetworkPolicy or BaselineAdminNetworkPolicy (cluster-scoped). */
  | { clusterPolicy: ClusterPolicyInfo }
  /** A CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy. */
  | { ciliumPolicy: CiliumPolicyInfo }
  | { namespace: NamespaceInfo }
  | { workload: WorkloadInfo }
  /** An object of the files as written (e.g. one the parser rejected, or its YAML text). */
  | { source: ParsedObject };

export interface ReportDescriptor<M extends string = string> {
  messageId: M;
  data?: Readonly<Record<string, string | number>>;
  subject: Subject;
  /** Field path inside the subject; the finding points at that field. @default the object itself */
  path?: FieldPath;
  /** Ids (`namespace/Kind/name`) of the workloads affected. @default none */
  workloads?: readonly string[];
}

/** One end of an observed connection: a workload (`namespace/Kind/name`), or an address outside the cluster. */
export type ObservedEnd = { kind: 'workload'; id: string } | { kind: 'external'; ip: string };

/**
 * A connection seen in flow logs, at workload granularity (the shape `src/flows` produces; its extra fields,
 * such as counts, are not needed here).
 */
export interface ObservedConnection {
  src: ObservedEnd;
  dst: ObservedEnd;
  protocol: Protocol;
  /** The destination port. */
  port: number;
}

export interface RuleContext<M extends string = string> {
  readonly state: ClusterState;
  readonly compiled: CompiledCluster;
  /** Workload-level connectivity, computed on first use. */
  connectivity(): Connectivity;
  /** Lookups shared by the rules (workloads of a class, namespaces with workloads...). */
  readonly lookup: Lookup;
  /** Objects as parsed from the files (every kind, including ones the parser rejected); empty without files. */
  readonly sources: readonly ParsedObject[];
  /** Namespace of objects that name none. */
  readonly defaultNamespace: string;
  /** `LintInput.unknownFieldFiles`: the only files whose objects can have unknown fields; undefined: any. */
  readonly unknownFieldFiles: ReadonlySet<string> | undefined;
  /** Observed connections, when `--flows` was given. */
  readonly observed: readonly ObservedConnection[] | undefined;
  report(descriptor: ReportDescriptor<M>): void;
  /**
   * What several rules derive from the input, made once per lint run: the value `make` returns the first time
   * `key` is asked for, the same value after. Rules read it and never change it.
   */
  shared<T>(key: symbol, make: () => T): T;
}

export interface RuleDefinition<M extends string = string> {
  /** Kebab-case, stable: configuration, suppressions, SARIF and `docs/rules/<id>.md` use it. */
  id: string;
  meta: RuleMeta<M>;
  check(ctx: RuleContext<M>): void;
}

/** A rule of any message ids, as the registry holds them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRule = RuleDefinition<any>;

/** Declares a rule with its message ids checked: `ctx.report({ messageId })` only accepts declared ones. */
export function defineRule<M extends string>(rule: RuleDefinition<M>): RuleDefinition<M> {
  return rule;
}

export interface ObjectRef {
  kind: string;
  /** Absent for namespaces and cluster-scoped objects. */
  namespace?: string;
  name: string;
  /** `namespace/Kind/name`, or `Kind/name` for namespaces and cluster-scoped objects. */
  id: string;
}

/** What a lint rule reports: a located message, with the rule, the object and the workloads it concerns. */
export interface Finding extends LocatedMessage {
  ruleId: string;
  /** Which of the rule's messages: stable, for tools that tell the variants apart. */
  messageId: string;
  severity: Severity;
  /** Field path inside the object. */
  path: FieldPath;
  object: ObjectRef;
  /** Ids of the workloads affected (`namespace/Kind/name`), sorted. */
  workloads: readonly string[];
}

export interface SuppressedFinding extends Finding {
  /** The reason given in the `netfence.io/ignore` annotation (empty when none was given). */
  reason: string;
}

export interface RuleRun {
  id: string;
  severity: Severity;
}

export interface LintInput {
  state: ClusterState;
  /** Parsed source objects, for the YAML checks and for objects the parser rejected. @default none */
  sources?: readonly ParsedObject[];
  /** @default "default" */
  defaultNamespace?: string;
  /**
   * The files in which reading the sources found unknown fields, when the caller knows them (the reader's
   * `unknown-field` problems): `no-unknown-field` then checks only their objects again, instead of every
   * object. It must hold every such file. @default every file may have some
   */
  unknownFieldFiles?: ReadonlySet<string>;
  /** Observed connections (`--flows`); rules that need them are skipped without. */
  observed?: readonly ObservedConnection[];
  engine?: Partial<EngineOptions>;
}

export interface LintResult {
  /** Findings that remain (not suppressed, not in an excluded namespace), by file, line and column. */
  findings: Finding[];
  /** Findings suppressed by a `netfence.io/ignore` annotation. */
  suppressed: SuppressedFinding[];
  /** How many findings were dropped because their namespace is excluded by the configuration. */
  excluded: number;
  /** Problems with suppression annotations: unknown rule ids, suppressions that match nothing. */
  notices: Problem[];
  /** The rules that ran, with their effective severity. */
  rules: RuleRun[];
  /** Rules that were enabled but could not run (they need `--flows`). */
  skipped: string[];
}
