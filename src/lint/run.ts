/**
 * Runs the lint rules over a cluster state: compiles it once, lets every enabled rule report, then turns
 * reports into located findings, drops excluded namespaces and applies `netfence.io/ignore` annotations.
 */
import type { CompiledCluster } from '../engine/compile.ts';
import { openSession } from '../engine/session.ts';
import type { Origin } from '../model/cluster.ts';
import type { FieldPath, Problem, SourceLocation } from '../model/problem.ts';
import type { ParsedObject } from '../parse/types.ts';
import { DEFAULT_CONFIG, namespaceFilter, type LintConfig } from './config.ts';
import { buildLookup, type Lookup } from './lookup.ts';
import { RULES } from './registry.ts';
import { interpolate } from './text.ts';
import type {
  AnyRule,
  Finding,
  LintInput,
  LintResult,
  ObjectRef,
  ReportDescriptor,
  RuleContext,
  RuleRun,
  Subject,
  SuppressedFinding,
} from './types.ts';

/** `netfence.io/ignore: "rule-a, rule-b -- reason"` on the object a finding is about. */
export const IGNORE_ANNOTATION = 'netfence.io/ignore';

export interface LintOptions {
  /** @default every registered rule */
  rules?: readonly AnyRule[];
  config?: LintConfig;
  /**
   * `compileCluster(input.state)` and its `buildLookup`, when the caller has them already (the webhook's
   * incremental engine): nothing is compiled again.
   */
  prepared?: { compiled: CompiledCluster; lookup: Lookup };
  /** Whether to check the suppression annotations themselves (`notices`). @default true */
  notices?: boolean;
}

interface Resolved {
  object: ObjectRef;
  location: SourceLocation | undefined;
  /** Where suppressions for this finding are read. */
  annotations: Readonly<Record<string, string>>;
  /** The namespace that `excludeNamespaces` applies to; undefined for cluster-scoped objects (never excluded). */
  namespace: string | undefined;
}

function rawAnnotations(source: ParsedObject | undefined): Record<string, string> {
  const meta = source?.object.metadata;
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) return {};
  const annotations = (meta as Record<string, unknown>).annotations;
  if (typeof annotations !== 'object' || annotations === null || Array.isArray(annotations)) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(annotations)) if (typeof v === 'string') out[k] = v;
  return out;
}

function rawMetadata(source: ParsedObject, field: 'name' | 'namespace'): string | undefined {
  const meta = source.object.metadata;
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) return undefined;
  const value = (meta as Record<string, unknown>)[field];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function locate(origin: Origin | undefined, path: FieldPath): SourceLocation | undefined {
  if (origin === undefined) return undefined;
  const at = path.length > 0 ? origin.locate?.(path) : undefined;
  return at ?? { file: origin.file, line: origin.line, column: origin.column };
}

function resolveSubject(
  subject: Subject,
  path: FieldPath,
  lookup: Lookup,
  input: Required<Pick<LintInput, 'state'>> & { defaultNamespace: string },
): Resolved {
  if ('policy' in subject) {
    const p = subject.policy;
    return {
      object: {
        kind: 'NetworkPolicy',
        namespace: p.namespace,
        name: p.name,
        id: `${p.namespace}/NetworkPolicy/${p.name}`,
      },
      location: locate(p.origin, path),
      annotations: p.annotations,
      namespace: p.namespace,
    };
  }
  if ('clusterPolicy' in subject) {
    const p = subject.clusterPolicy;
    return {
      object: { kind: p.kind, name: p.name, id: p.id },
      location: locate(p.origin, path),
      annotations: p.annotations,
      namespace: undefined,
    };
  }
  if ('ciliumPolicy' in subject) {
    const p = subject.ciliumPolicy;
    return {
      object:
        p.namespace === undefined
          ? { kind: p.kind, name: p.name, id: p.id }
          : { kind: p.kind, namespace: p.namespace, name: p.name, id: `${p.namespace}/${p.kind}/${p.name}` },
      location: locate(p.origin, path),
      annotations: p.annotations,
      namespace: p.namespace,
    };
  }
  if ('workload' in subject) {
    const w = subject.workload;
    return {
      object: { kind: w.kind, namespace: w.namespace, name: w.name, id: w.id },
      location: locate(w.origin, path),
      annotations: rawAnnotations(lookup.sourceOf(w.origin)),
      namespace: w.namespace,
    };
  }
  if ('namespace' in subject) {
    const ns = subject.namespace;
    // A namespace the input only refers to has no definition: point at the first object that lives in it.
    const fallback =
      ns.origin ??
      lookup.workloadsIn(ns.name).find((w) => w.origin !== undefined)?.origin ??
      input.state.policies.find((p) => p.namespace === ns.name && p.origin !== undefined)?.origin;
    return {
      object: { kind: 'Namespace', name: ns.name, id: `Namespace/${ns.name}` },
      location: locate(fallback, ns.origin === undefined ? [] : path),
      annotations: rawAnnotations(lookup.sourceOf(ns.origin)),
      namespace: ns.name,
    };
  }
  const s = subject.source;
  const name = rawMetadata(s, 'name') ?? '(unnamed)';
  const namespaced = s.kind !== 'Namespace';
  const namespace = namespaced ? (rawMetadata(s, 'namespace') ?? input.defaultNamespace) : name;
  return {
    object: namespaced
      ? { kind: s.kind, namespace, name, id: `${namespace}/${s.kind}/${name}` }
      : { kind: s.kind, name, id: `${s.kind}/${name}` },
    location: (path.length > 0 ? s.locate(path) : undefined) ?? {
      file: s.file,
      line: s.line,
      column: s.column,
    },
    annotations: rawAnnotations(s),
    namespace,
  };
}

interface Suppression {
  rules: string[];
  reason: string;
}

/** `"rule-a, rule-b -- reason"` → rule ids and reason. */
export function parseSuppression(value: string): Suppression {
  const sep = value.indexOf('--');
  const ids = sep < 0 ? value : value.slice(0, sep);
  return {
    rules: ids.split(/[\s,]+/).filter((s) => s !== ''),
    reason: sep < 0 ? '' : value.slice(sep + 2).trim(),
  };
}

function compareFindings(a: Finding, b: Finding): number {
  const fa = a.file ?? '\uffff';
  const fb = b.file ?? '\uffff';
  if (fa !== fb) return fa < fb ? -1 : 1;
  return (
    (a.line ?? 0) - (b.line ?? 0) ||
    (a.column ?? 0) - (b.column ?? 0) ||
    (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0) ||
    (a.message < b.message ? -1 : a.message > b.message ? 1 : 0)
  );
}

/** Lints a cluster state. Pure: the CLI reads files, configuration and flows, and prints the result. */
export function lint(input: LintInput, options: LintOptions = {}): LintResult {
  const rules = options.rules ?? RULES;
  const config = options.config ?? DEFAULT_CONFIG;
  const sources = input.sources ?? [];
  const defaultNamespace = input.defaultNamespace ?? 'default';
  const session = openSession(input.state, input.engine, options.prepared?.compiled);
  const compiled = session.compiled;
  const lookup = options.prepared?.lookup ?? buildLookup(compiled, sources);

  const made = new Map<symbol, unknown>();
  const shared = <T>(key: symbol, make: () => T): T => {
    if (!made.has(key)) made.set(key, make());
    return made.get(key) as T;
  };
  const runs: RuleRun[] = [];
  const skipped: string[] = [];
  const raw: { rule: AnyRule; severity: RuleRun['severity']; descriptor: ReportDescriptor }[] = [];
  for (const rule of rules) {
    const setting = config.rules[rule.id] ?? rule.meta.severity;
    if (setting === 'off') continue;
    if (rule.meta.requiresFlows === true && input.observed === undefined) {
      skipped.push(rule.id);
      continue;
    }
    runs.push({ id: rule.id, severity: setting });
    const ctx: RuleContext = {
      state: input.state,
      compiled,
      connectivity: () => session.connectivity('workload'),
      lookup,
      sources,
      defaultNamespace,
      unknownFieldFiles: input.unknownFieldFiles,
      observed: input.observed,
      report: (descriptor) => raw.push({ rule, severity: setting, descriptor }),
      shared,
    };
    rule.check(ctx);
  }

  const excludedNamespace = namespaceFilter(config.excludeNamespaces);
  const findings: Finding[] = [];
  const suppressed: SuppressedFinding[] = [];
  const used = new Set<string>();
  let excluded = 0;
  for (const { rule, severity, descriptor } of raw) {
    const path = descriptor.path ?? [];
    const r = resolveSubject(descriptor.subject, path, lookup, { state: input.state, defaultNamespace });
    if (r.namespace !== undefined && excludedNamespace(r.namespace)) {
      excluded++;
      continue;
    }
    const template = (rule.meta.messages as Record<string, string>)[descriptor.messageId];
    if (template === undefined) throw new Error(`rule ${rule.id} has no message "${descriptor.messageId}"`);
    const finding: Finding = {
      ruleId: rule.id,
      messageId: descriptor.messageId,
      severity,
      message: interpolate(template, descriptor.data ?? {}),
      ...(r.location === undefined
        ? {}
        : { file: r.location.file, line: r.location.line, column: r.location.column }),
      path,
      object: r.object,
      workloads: [...new Set(descriptor.workloads ?? [])].sort(),
    };
    const annotation = r.annotations[IGNORE_ANNOTATION];
    const suppression = annotation === undefined ? undefined : parseSuppression(annotation);
    if (suppression?.rules.includes(rule.id) === true) {
      used.add(`${r.object.id}\u0000${rule.id}`);
      suppressed.push({ ...finding, reason: suppression.reason });
    } else {
      findings.push(finding);
    }
  }

  return {
    findings: findings.sort(compareFindings),
    suppressed: suppressed.sort(compareFindings),
    excluded,
    notices:
      options.notices === false
        ? []
        : suppressionNotices(input, lookup, rules, runs, used, defaultNamespace, excludedNamespace),
    rules: runs,
    skipped,
  };
}

/** Problems with the suppression annotations themselves: unknown rules, no reason, nothing suppressed. */
function suppressionNotices(
  input: LintInput,
  lookup: Lookup,
  rules: readonly AnyRule[],
  runs: readonly RuleRun[],
  used: ReadonlySet<string>,
  defaultNamespace: string,
  excluded: (namespace: string) => boolean,
): Problem[] {
  const known = new Set(rules.map((r) => r.id));
  const ran = new Set(runs.map((r) => r.id));
  const annotated: Resolved[] = [];
  const add = (subject: Subject, annotations: Readonly<Record<string, string>>): void => {
    // Only an annotated object is located (locating a field can mean reading its file's YAML nodes).
    if (annotations[IGNORE_ANNOTATION] === undefined) return;
    const r = resolveSubject(subject, ['metadata', 'annotations', IGNORE_ANNOTATION], lookup, {
      state: input.state,
      defaultNamespace,
    });
    if (r.namespace === undefined || !excluded(r.namespace)) annotated.push(r);
  };
  for (const policy of input.state.policies) add({ policy }, policy.annotations);
  for (const clusterPolicy of input.state.clusterPolicies) add({ clusterPolicy }, clusterPolicy.annotations);
  for (const workload of input.state.workloads)
    add({ workload }, rawAnnotations(lookup.sourceOf(workload.origin)));
  for (const namespace of input.state.namespaces)
    add({ namespace }, rawAnnotations(lookup.sourceOf(namespace.origin)));
  const notices: Problem[] = [];
  for (const r of annotated) {
    const { rules: ids, reason } = parseSuppression(r.annotations[IGNORE_ANNOTATION]!);
    const notice = (code: string, message: string): void => {
      notices.push({
        code,
        severity: 'warning',
        message,
        ...(r.location === undefined
          ? {}
          : { file: r.location.file, line: r.location.line, column: r.location.column }),
        path: ['metadata', 'annotations', IGNORE_ANNOTATION],
        object: r.object.id,
      });
    };
    if (ids.length === 0)
      notice('suppression-empty', `${IGNORE_ANNOTATION} names no rule: write "rule-id -- reason"`);
    for (const id of ids) {
      if (!known.has(id)) {
        notice(
          'suppression-unknown-rule',
          `${IGNORE_ANNOTATION} names unknown rule "${id}" (netfence lint --list-rules lists them)`,
        );
      } else if (ran.has(id) && !used.has(`${r.object.id}\u0000${id}`)) {
        notice(
          'suppression-unused',
          `${IGNORE_ANNOTATION} suppresses "${id}", which reports nothing here: remove it`,
        );
      }
    }
    if (ids.length > 0 && reason === '') {
      notice(
        'suppression-no-reason',
        `${IGNORE_ANNOTATION} gives no reason: write "${ids.join(', ')} -- why it is fine"`,
      );
    }
  }
  return notices;
}
