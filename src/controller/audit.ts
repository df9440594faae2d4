/**
 * The controller's audit, pure: the objects it holds in, the results of one pass out. Lint findings (the
 * organisation's `netfence.yaml`), the assertions of `test` specs, the exposure of each workload and the
 * blast radius of the largest ones, as wgpolicyk8s.io PolicyReport results grouped by namespace (cluster
 * policy findings and tests that do not resolve go to the ClusterPolicyReport, key `''`) and as the numbers
 * the metrics expose. Each phase is timed, for the latency histograms.
 */
import type { Connectivity } from '../engine/connectivity.ts';
import { computeExposure } from '../engine/exposure.ts';
import { blastRadius, buildLateralGraph } from '../engine/paths.ts';
import { openSession } from '../engine/session.ts';
import type { EngineOptions } from '../engine/compile.ts';
import { objectId, stateFromObjects } from '../k8s/state.ts';
import type { KubeObject } from '../k8s/types.ts';
import type { LintConfig } from '../lint/config.ts';
import { lint } from '../lint/run.ts';
import type { Finding, ObjectRef } from '../lint/types.ts';
import { formatPath, type Severity } from '../model/problem.ts';
import { SERVED_VERSION } from '../parse/validate/objects.ts';
import { resolveSpec, runTests } from '../testspec/run.ts';
import type { Spec } from '../testspec/spec.ts';

/** One result of a PolicyReport (`wgpolicyk8s.io/v1alpha2` `PolicyReportResult`). */
export interface ReportResult {
  source: 'netfence';
  /** `netfence/lint`, `netfence/test`, `netfence/exposure` */
  policy: string;
  rule: string;
  result: 'pass' | 'fail' | 'warn' | 'error' | 'skip';
  severity?: 'high' | 'medium' | 'low';
  category: string;
  message: string;
  resources?: ResourceRef[];
  properties?: Record<string, string>;
}

export interface ResourceRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

export interface AuditRules {
  lint: LintConfig;
  specs: readonly Spec[];
  /** Workloads in the blast-radius metric. */
  blastRadiusTop: number;
  /** Namespaces that get no report (the controller writes nothing there). */
  excluded: (namespace: string) => boolean;
  /** Results per report at most. @default MAX_RESULTS */
  maxResults?: number;
  /** What the engine assumes of the CNI (`--cni`); absent: the Kubernetes API's reading. */
  engine?: Partial<EngineOptions>;
}

export interface AuditResult {
  /** Namespace → its results (every namespace not excluded has an entry); `''`: cluster-scoped. */
  reports: Map<string, ReportResult[]>;
  /** Workloads whose pods no NetworkPolicy isolates, per namespace and direction. */
  unprotected: { namespace: string; direction: 'ingress' | 'egress'; count: number }[];
  findings: { rule: string; severity: Severity; count: number }[];
  /** Failing pairs per test. */
  violations: { spec: string; test: string; count: number }[];
  /** Workloads exposed, per exposure flag. */
  exposed: { flag: string; count: number }[];
  /** The `blastRadiusTop` workloads that reach the most others. */
  blastRadius: { workload: string; reach: number }[];
  /** Seconds per phase: state, lint, tests, exposure, blast-radius. */
  durations: { phase: string; seconds: number }[];
  /**
   * Objects of the cluster netfence cannot read, left out of the state every other result is computed on
   * (a policy left out can make a connection look allowed that the cluster denies, or the reverse): object
   * id → why. Each also has an `error` result (rule `object-left-out`) in its namespace's report.
   */
  skipped: Map<string, string>;
}

/**
 * The left-out objects to log after a pass: those not left out by the pass before, or left out for another
 * reason (each is logged once per change, not once per pass).
 */
export function newlySkipped(
  before: ReadonlyMap<string, string>,
  now: ReadonlyMap<string, string>,
): { object: string; reason: string }[] {
  return [...now]
    .filter(([id, why]) => before.get(id) !== why)
    .map(([object, reason]) => ({ object, reason }));
}

function resource(kind: string, name: string, namespace: string | undefined): ResourceRef {
  return {
    apiVersion: (SERVED_VERSION as Readonly<Record<string, string>>)[kind] ?? 'v1',
    kind,
    name,
    ...(namespace === undefined ? {} : { namespace }),
  };
}

/** The report an object's results go in: its namespace's, a namespace's own, or `''` (cluster-scoped). */
function reportNamespace(o: KubeObject): string {
  return o.kind === 'Namespace' ? (o.metadata.name ?? '') : (o.metadata.namespace ?? '');
}

/** `shop/Deployment/web` → its reference. */
function workloadRef(id: string): ResourceRef {
  const [namespace = '', kind = '', ...rest] = id.split('/');
  return resource(kind, rest.join('/'), namespace);
}

/** The namespace a finding belongs in: its object's, a namespace's own, or `''` (cluster-scoped). */
function findingNamespace(o: ObjectRef): string {
  if (o.kind === 'Namespace') return o.name;
  return o.namespace ?? '';
}

const SEVERITY: Record<Severity, { result: 'fail' | 'warn'; severity: 'high' | 'medium' | 'low' }> = {
  error: { result: 'fail', severity: 'high' },
  warning: { result: 'warn', severity: 'medium' },
  info: { result: 'warn', severity: 'low' },
};

function findingResult(f: Finding): ReportResult {
  const { result, severity } = SEVERITY[f.severity];
  const path = f.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('');
  return {
    source: 'netfence',
    policy: 'netfence/lint',
    rule: f.ruleId,
    result,
    severity,
    category: 'lint',
    message: f.message,
    resources: [resource(f.object.kind, f.object.name, f.object.namespace)],
    ...(path === '' ? {} : { properties: { fieldPath: path.replace(/^\./, '') } }),
  };
}

function entityNamespace(conn: Connectivity, id: string): string | undefined {
  const e = conn.byId.get(id);
  if (e === undefined || e.kind === 'external') return undefined;
  return e.kind === 'workload' ? e.workload.namespace : e.pod.namespace;
}

const PAIRS_SHOWN = 3;

function timed<T>(durations: AuditResult['durations'], phase: string, work: () => T): T {
  const started = performance.now();
  try {
    return work();
  } finally {
    durations.push({ phase, seconds: (performance.now() - started) / 1000 });
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

/** One pass over the cluster as held. */
export function audit(objects: readonly KubeObject[], rules: AuditRules): AuditResult {
  const durations: AuditResult['durations'] = [];
  const { state, session, left, partial } = timed(durations, 'state', () => {
    const built = stateFromObjects(objects);
    return {
      state: built.state,
      session: openSession(built.state, rules.engine ?? {}),
      left: built.skipped,
      partial: built.partial,
    };
  });
  const reports = new Map<string, ReportResult[]>([['', []]]);
  for (const ns of state.namespaces) if (!rules.excluded(ns.name)) reports.set(ns.name, []);
  const add = (namespace: string, r: ReportResult): void => {
    if (namespace === '' || !rules.excluded(namespace)) push(reports, namespace, r);
  };

  // Objects netfence cannot read: left out of everything below, so said first.
  const skipped = new Map<string, string>();
  if (left.length > 0)
    for (const o of objects) {
      const id = objectId(o);
      const why = left.find((l) => l.id === id)?.why;
      if (why === undefined) continue;
      skipped.set(id, why);
      add(reportNamespace(o), {
        source: 'netfence',
        policy: 'netfence/audit',
        rule: 'object-left-out',
        result: 'error',
        severity: 'high',
        category: 'audit',
        message: `netfence cannot read ${id}, so every result here leaves it out: ${why}`,
        resources: [resource(o.kind, o.metadata.name ?? '', o.metadata.namespace)],
      });
    }

  // What netfence reads of an object but does not evaluate (a Cilium rule's `fromGroups`, mutual
  // authentication, a nodes peer without the nodes, ...): every result here leaves it out, so its namespace's
  // report says so, a warning each. Not the terminated pods: they have no network presence.
  if (partial.length > 0) {
    const byId = new Map(objects.map((o) => [objectId(o), o]));
    for (const w of partial) {
      const id = w.object ?? '';
      const o = byId.get(id);
      const field = w.path.length > 0 ? ` ${formatPath(w.path)}` : '';
      const what = `${id}${field}: ${w.message}`;
      add(o === undefined ? '' : reportNamespace(o), {
        source: 'netfence',
        policy: 'netfence/audit',
        rule: 'object-partly-evaluated',
        result: 'warn',
        severity: 'medium',
        category: 'audit',
        message: what,
        ...(o === undefined
          ? {}
          : { resources: [resource(o.kind, o.metadata.name ?? '', o.metadata.namespace)] }),
      });
    }
  }

  // Lint.
  const engine = rules.engine === undefined ? {} : { engine: rules.engine };
  const findings = timed(
    durations,
    'lint',
    () => lint({ state, ...engine }, { config: rules.lint }).findings,
  );
  const byRule = new Map<string, { rule: string; severity: Severity; count: number }>();
  for (const f of findings) {
    add(findingNamespace(f.object), findingResult(f));
    const k = `${f.ruleId}\0${f.severity}`;
    const entry = byRule.get(k) ?? { rule: f.ruleId, severity: f.severity, count: 0 };
    entry.count++;
    byRule.set(k, entry);
  }

  // Assertions of the specs: one result per test and namespace of its destinations.
  const violations: AuditResult['violations'] = [];
  timed(durations, 'tests', () => {
    for (const spec of rules.specs) {
      const index = session.refs(spec.granularity);
      const conn = session.connectivity(spec.granularity);
      for (const test of spec.tests) {
        const base = {
          source: 'netfence' as const,
          policy: 'netfence/test',
          rule: test.name,
          category: 'assertion',
        };
        const properties = { spec: spec.file, line: String(test.location.line) };
        const resolved = resolveSpec({ ...spec, tests: [test] }, index);
        if (!resolved.ok) {
          // A workload not deployed yet: the test is skipped until its references resolve.
          add('', {
            ...base,
            result: 'skip',
            message: resolved.problems.map((p) => p.message).join('; '),
            properties,
          });
          continue;
        }
        const [result] = runTests(resolved.tests, index, conn);
        const failures = result?.failures ?? [];
        violations.push({ spec: spec.file, test: test.name, count: failures.length });
        const namespaces = new Set<string>();
        for (const id of resolved.tests[0]?.destinations ?? []) {
          const ns = entityNamespace(conn, id);
          if (ns !== undefined) namespaces.add(ns);
        }
        for (const f of failures) {
          const ns = entityNamespace(conn, f.dst);
          if (ns !== undefined) namespaces.add(ns);
        }
        if (namespaces.size === 0) namespaces.add('');
        for (const ns of namespaces) {
          const here = failures.filter((f) => (entityNamespace(conn, f.dst) ?? '') === ns);
          const shown = here.slice(0, PAIRS_SHOWN).map((f) => {
            const what = f.expected === 'deny' ? 'allowed' : 'denied';
            return `${index.displayName(f.src)} → ${index.displayName(f.dst)} ${what}`;
          });
          const more = here.length - shown.length;
          add(ns, {
            ...base,
            result: here.length === 0 ? 'pass' : 'fail',
            ...(here.length === 0 ? {} : { severity: 'high' as const }),
            message:
              here.length === 0
                ? `${test.name}: holds`
                : `${test.name}: ${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''}`,
            ...(here.length === 0
              ? {}
              : { resources: [...new Set(here.map((f) => f.dst))].slice(0, 20).flatMap(refOf(conn)) }),
            properties,
          });
        }
      }
    }
  });

  // Exposure: workloads no policy isolates, and the flags (reachable from outside, …).
  const unprotected = new Map<
    string,
    { namespace: string; direction: 'ingress' | 'egress'; count: number }
  >();
  const exposedCount = new Map<string, number>();
  timed(durations, 'exposure', () => {
    const index = session.refs('workload');
    for (const w of computeExposure(index)) {
      if (w.entity.kind !== 'workload') continue;
      const { namespace, id } = w.entity.workload;
      for (const direction of ['ingress', 'egress'] as const) {
        if (w[direction].status === 'isolated') continue;
        const k = `${namespace}\0${direction}`;
        const entry = unprotected.get(k) ?? { namespace, direction, count: 0 };
        entry.count++;
        unprotected.set(k, entry);
      }
      for (const flag of w.flags) {
        exposedCount.set(flag.flag, (exposedCount.get(flag.flag) ?? 0) + 1);
        add(namespace, {
          source: 'netfence',
          policy: 'netfence/exposure',
          rule: flag.flag,
          result: 'warn',
          severity: 'medium',
          category: 'exposure',
          message: `${w.name}: ${flag.flag.replace(/-/g, ' ')}`,
          resources: [workloadRef(id)],
        });
      }
    }
  });

  const radius = timed(durations, 'blast-radius', () => {
    const graph = buildLateralGraph(session.compiled);
    return blastRadius(graph)
      .map((r) => ({ workload: graph.workloads[r.workload]!.id, reach: r.reach }))
      .sort((a, b) => b.reach - a.reach || (a.workload < b.workload ? -1 : a.workload > b.workload ? 1 : 0))
      .slice(0, rules.blastRadiusTop);
  });

  for (const [namespace, results] of reports)
    reports.set(namespace, capped(results.sort(compareResults), rules.maxResults ?? MAX_RESULTS));
  return {
    reports,
    unprotected: [...unprotected.values()],
    findings: [...byRule.values()],
    violations,
    exposed: [...exposedCount].map(([flag, count]) => ({ flag, count })),
    blastRadius: radius,
    durations,
    skipped,
  };
}

function refOf(conn: Connectivity): (id: string) => ResourceRef[] {
  return (id) => {
    const e = conn.byId.get(id);
    if (e === undefined || e.kind === 'external') return [];
    return e.kind === 'workload'
      ? [workloadRef(e.workload.id)]
      : [resource('Pod', e.pod.name, e.pod.namespace)];
  };
}

/** Results per report at most: a report is one etcd object (1.5 MiB at most), a result about 0.5 kB. */
export const MAX_RESULTS = 1000;

const RANK: Record<ReportResult['result'], number> = { error: 0, fail: 1, warn: 2, skip: 3, pass: 4 };

/** The first results, the worst outcomes first, and one `skip` result that counts the others. */
function capped(results: ReportResult[], max: number): ReportResult[] {
  if (results.length <= max) return results;
  const kept = [...results]
    .sort((a, b) => RANK[a.result] - RANK[b.result] || compareResults(a, b))
    .slice(0, max - 1);
  const left = results.length - kept.length;
  kept.push({
    source: 'netfence',
    policy: 'netfence/audit',
    rule: 'results-left-out',
    result: 'skip',
    category: 'audit',
    message: `${left} more results are left out: a report holds ${max} at most (see the metrics for the counts)`,
  });
  return kept.sort(compareResults);
}

function compareResults(a: ReportResult, b: ReportResult): number {
  const ka = `${a.policy}\0${a.rule}\0${a.message}`;
  const kb = `${b.policy}\0${b.rule}\0${b.message}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** The report's `summary`: results counted by outcome. */
export function summarize(results: readonly ReportResult[]): Record<ReportResult['result'], number> {
  const summary = { pass: 0, fail: 0, warn: 0, error: 0, skip: 0 };
  for (const r of results) summary[r.result]++;
  return summary;
}
