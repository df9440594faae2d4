/**
 * The webhook's decision, pure: given the objects of the cluster as they are and one admission request, the
 * state after the change, what it does to connectivity, the lint findings and the spec assertions it newly
 * breaks, and the answer the mode gives (deny, warn, audit). No I/O: the server hands the objects in.
 */
import type { ClusterState } from '../model/cluster.ts';
import { formatPath, type FieldPath } from '../model/problem.ts';
import { openSession, type ClusterSession } from '../engine/session.ts';
import type { EngineOptions } from '../engine/compile.ts';
import { isEmptyPorts } from '../engine/ports.ts';
import type { RefIndex } from '../engine/refs.ts';
import { formatPortList } from '../describe/ports.ts';
import { lint } from '../lint/run.ts';
import { DEFAULT_CONFIG, type LintConfig } from '../lint/config.ts';
import type { Finding } from '../lint/types.ts';
import { resolveSpec, runTests, type FailedPair } from '../testspec/run.ts';
import type { Spec, SpecTest } from '../testspec/spec.ts';
import { fromWatched } from '../k8s/read.ts';
import { leftOutText, objectId, stateFromObjects, type LeftOutObject } from '../k8s/state.ts';
import type { KubeObject, Resource } from '../k8s/types.ts';
import type { AdmissionRequest, AdmissionVerdict, AdmittedKind } from './review.ts';

export const Mode = { Deny: 'deny', Warn: 'warn', Audit: 'audit' } as const;
export type Mode = (typeof Mode)[keyof typeof Mode];

/** Pairs named in one message; the others are counted. */
export const PAIRS_NAMED = 3;

export interface AdmissionRules {
  mode: Mode;
  /** `netfence.yaml`: rules at `error` deny, at `warning` warn, at `info` only show in the log. */
  lint: LintConfig;
  /** Reachability specs: a change that makes one of their tests fail is denied. */
  specs: readonly Spec[];
  /** Whether Pod requests are judged (else allowed at once). @default false */
  pods?: boolean;
  /**
   * Whether Node requests are judged (a change of a node's labels or addresses moves cluster policies'
   * `nodes` peers and Cilium's `toNodes`, `host` and `remote-node`), else allowed at once. @default false
   */
  nodes?: boolean;
  engine?: Partial<EngineOptions>;
}

/** The cluster before any request, computed once per version of the cluster's objects. */
export interface Baseline {
  objects: readonly KubeObject[];
  state: ClusterState;
  session: ClusterSession;
  /** Keys of the lint findings of the cluster as it is. */
  findings: ReadonlySet<string>;
  /** Keys (`test\0src\0dst`) of the spec failures of the cluster as it is. */
  failures: ReadonlySet<string>;
  /** Objects of the cluster netfence cannot read, left out of `state`. */
  skipped: readonly LeftOutObject[];
}

/** What the log records of a decision. */
export interface DecisionRecord {
  verdict: AdmissionVerdict;
  /** Everything the rules found (denials and warnings), whatever the mode did with them. */
  violations: string[];
  warnings: string[];
  /** Connections (workload pairs) the change opens or widens, and closes or narrows. */
  opened: number;
  cut: number;
  /** Why the request was allowed without evaluation, when it was. */
  skipped?: string;
}

const RESOURCE_OF: Record<AdmittedKind, Resource> = {
  NetworkPolicy: 'networkpolicies',
  Namespace: 'namespaces',
  Pod: 'pods',
  Node: 'nodes',
  ClusterNetworkPolicy: 'clusternetworkpolicies',
  AdminNetworkPolicy: 'adminnetworkpolicies',
  BaselineAdminNetworkPolicy: 'baselineadminnetworkpolicies',
  CiliumNetworkPolicy: 'ciliumnetworkpolicies',
  CiliumClusterwideNetworkPolicy: 'ciliumclusterwidenetworkpolicies',
};

/** Cilium's policy kinds: judged like NetworkPolicies, named by their id (`CiliumNetworkPolicy/ns/name`). */
export const CILIUM_KINDS: ReadonlySet<AdmittedKind> = new Set([
  'CiliumNetworkPolicy',
  'CiliumClusterwideNetworkPolicy',
]);

export function findingKey(f: Finding): string {
  return [f.ruleId, f.messageId, f.object.id, f.path.join('.'), f.message].join('\0');
}

export function failureKey(spec: Spec, test: SpecTest, pair: FailedPair): string {
  return [spec.file, test.index, pair.src, pair.dst].join('\0');
}

export interface SpecFailure {
  spec: Spec;
  test: SpecTest;
  pair: FailedPair;
  index: RefIndex;
}

/** Every failing pair of every test of the specs that resolve in this state (a test that does not is left out). */
export function specFailures(session: ClusterSession, specs: readonly Spec[]): SpecFailure[] {
  const out: SpecFailure[] = [];
  for (const spec of specs) {
    const index = session.refs(spec.granularity);
    const conn = session.connectivity(spec.granularity);
    for (const test of spec.tests) {
      // One test at a time: a reference to a workload not deployed yet leaves out its test only.
      const resolved = resolveSpec({ ...spec, tests: [test] }, index);
      if (!resolved.ok) continue;
      for (const result of runTests(resolved.tests, index, conn))
        for (const pair of result.failures) out.push({ spec, test: result.test, pair, index });
    }
  }
  return out;
}

export function lintState(state: ClusterState, rules: AdmissionRules): Finding[] {
  return lint(
    { state, ...(rules.engine === undefined ? {} : { engine: rules.engine }) },
    { config: rules.lint },
  ).findings;
}

/** The cluster as it is, for the requests that follow until it changes. */
export function prepareBaseline(objects: readonly KubeObject[], rules: AdmissionRules): Baseline {
  const { state, skipped } = stateFromObjects(objects);
  const session = openSession(state, rules.engine ?? {});
  return {
    objects,
    state,
    session,
    skipped,
    findings: new Set(lintState(state, rules).map(findingKey)),
    failures: new Set(specFailures(session, rules.specs).map((f) => failureKey(f.spec, f.test, f.pair))),
  };
}

/** The request's objects as netfence reads them, or why they cannot be read. */
function objectsOf(
  request: AdmissionRequest,
): { after: KubeObject | undefined; before: KubeObject | undefined } | { error: string } {
  const resource = RESOURCE_OF[request.kind.kind];
  const read = (raw: Record<string, unknown> | undefined): KubeObject | undefined => {
    if (raw === undefined) return undefined;
    const o = fromWatched(resource, { ...raw, kind: request.kind.kind });
    // The object of a CREATE may have no namespace yet: the request's.
    if (request.namespace !== undefined && o.metadata.namespace === undefined)
      o.metadata = { ...o.metadata, namespace: request.namespace };
    if (request.name !== undefined && o.metadata.name === undefined)
      o.metadata = { ...o.metadata, name: request.name };
    return o;
  };
  try {
    return {
      after: request.operation === 'DELETE' ? undefined : read(request.object),
      before: read(request.oldObject),
    };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

/** Whether a node's addresses (`status.addresses`) differ. */
function addressesChanged(a: KubeObject | undefined, b: KubeObject | undefined): boolean {
  const addresses = (o: KubeObject | undefined): string =>
    JSON.stringify(o?.kind === 'Node' ? (o.status?.addresses ?? []) : []);
  return addresses(a) !== addresses(b);
}

function labelsChanged(a: KubeObject | undefined, b: KubeObject | undefined): string[] {
  const la = a?.metadata.labels ?? {};
  const lb = b?.metadata.labels ?? {};
  return [...new Set([...Object.keys(la), ...Object.keys(lb)])].filter((k) => la[k] !== lb[k]).sort();
}

/** `shop/web → data/postgres on 5432/TCP` */
function pairText(index: RefIndex, pair: FailedPair): string {
  const ends = `${index.displayName(pair.src)} → ${index.displayName(pair.dst)}`;
  return pair.expected === 'deny' && !isEmptyPorts(pair.allowed)
    ? `${ends} on ${formatPortList(pair.allowed)}`
    : ends;
}

/** A few items, then how many more: `a, b, c and 4 more pairs`. */
function fewThenCount(items: readonly string[], noun: string): string {
  const named = items.slice(0, PAIRS_NAMED);
  const rest = items.length - named.length;
  return rest === 0
    ? named.join(', ')
    : `${named.join(', ')} and ${rest} more ${noun}${rest === 1 ? '' : 's'}`;
}

/** The request's change as the decision reads it (the objects before and after, and what differs). */
export interface RequestChange {
  request: AdmissionRequest;
  kind: AdmittedKind;
  /** The object after the change (undefined for a delete) and before it (undefined for a create). */
  after: KubeObject | undefined;
  before: KubeObject | undefined;
  /** `objectId` of the object. */
  id: string;
  /** Label keys whose values differ between before and after. */
  changedLabels: string[];
  /** A Node's addresses differ between before and after. */
  changedAddresses: boolean;
}

/** What a change does, whichever way it was computed (the whole state again, or incrementally). */
export interface ChangeEffect {
  /** Workload pairs whose connection gains ports, and loses ports. */
  opened: number;
  cut: number;
  /** The fields of the changed policy that differ (`diffPolicies`). */
  changeFields: FieldPath[];
  /** Spec failures the change adds, per test in the order `runTests` finds them. */
  broken: SpecFailure[];
  /** Lint findings on the changed object that the cluster before the change does not have. */
  findings: Finding[];
}

/** Computes a change's effect, or answers at once (an object netfence cannot analyze). */
export type EffectOf = (change: RequestChange) => ChangeEffect | DecisionRecord;

function allowedRecord(skipped: string, warnings: string[] = []): DecisionRecord {
  return {
    verdict: warnings.length === 0 ? { allowed: true } : { allowed: true, warnings },
    violations: [],
    warnings,
    opened: 0,
    cut: 0,
    skipped,
  };
}

/** Why netfence cannot analyze the changed object, when the state built with it leaves it out. */
export function leftOutReason(
  skipped: readonly LeftOutObject[],
  change: RequestChange,
): DecisionRecord | undefined {
  const why = skipped.find((s) => s.id === change.id)?.why;
  if (change.after === undefined || why === undefined) return undefined;
  return allowedRecord(`netfence cannot analyze it: ${why}`, [
    `netfence cannot analyze ${change.id}: ${why}`,
  ]);
}

/** The effect of a change computed from the whole state after it (what `decide` does). */
export function fullEffect(baseline: Baseline, rules: AdmissionRules): EffectOf {
  return (change) => {
    const { id, after } = change;
    // The objects after the change: the old one goes, the new one takes its place.
    const objects = baseline.objects.filter((o) => objectId(o) !== id);
    if (after !== undefined) objects.push(after);
    const built = stateFromObjects(objects);
    // The API server accepted it, netfence's validation does not: say so rather than guess.
    const leftOut = leftOutReason(built.skipped, change);
    if (leftOut !== undefined) return leftOut;
    const session = openSession(built.state, rules.engine ?? {});
    const diff = baseline.session.diff(session);
    let opened = 0;
    let cut = 0;
    for (const c of diff.connections) {
      if (!isEmptyPorts(c.added)) opened++;
      if (!isEmptyPorts(c.removed)) cut++;
    }
    const subject = after ?? change.before!;
    const policyId = policyIdOf(change);
    const changeFields = [
      ...diff.policies.filter((p) => p.id === policyId).flatMap((p) => p.fields),
      ...diff.clusterPolicies
        .filter((p) => p.id === `${change.kind}/${subject.metadata.name ?? ''}`)
        .flatMap((p) => p.fields),
      ...diff.ciliumPolicies.filter((p) => p.id === policyId).flatMap((p) => p.fields),
    ];
    // Spec assertions the change breaks (those broken already are not this change's doing).
    const broken = specFailures(session, rules.specs).filter(
      (f) => !baseline.failures.has(failureKey(f.spec, f.test, f.pair)),
    );
    // Lint findings the change adds to the object it changes (what it does to others is their owners' lint).
    const findings = lintState(built.state, rules).filter(
      (f) => f.object.id === id && !baseline.findings.has(findingKey(f)),
    );
    return { opened, cut, changeFields, broken, findings };
  };
}

/**
 * The state's id of the NetworkPolicy (`namespace/name`) or Cilium policy (`CiliumNetworkPolicy/ns/name`,
 * `CiliumClusterwideNetworkPolicy/name`) a change is about, if it is about one.
 */
function policyIdOf(change: RequestChange): string | undefined {
  const { namespace = '', name = '' } = (change.after ?? change.before!).metadata;
  if (change.kind === 'NetworkPolicy') return `${namespace}/${name}`;
  if (change.kind === 'CiliumNetworkPolicy') return `${change.kind}/${namespace}/${name}`;
  if (change.kind === 'CiliumClusterwideNetworkPolicy') return `${change.kind}/${name}`;
  return undefined;
}

/**
 * A Cilium policy as netfence's validation (src/parse/validate/cilium.ts: Cilium's CRD schema and the agent's
 * own checks) reads it: why the agent would reject it (and so enforce none of it), and the fields netfence
 * reads but does not evaluate (host firewall rules, `fromGroups`, …: the verdict leaves them out).
 */
function ciliumCheck(change: RequestChange): { rejected: string | undefined; notEvaluated: string[] } {
  if (!CILIUM_KINDS.has(change.kind) || change.after === undefined)
    return { rejected: undefined, notEvaluated: [] };
  const built = stateFromObjects([change.after]);
  return {
    rejected: built.skipped.find((s) => s.id === change.id)?.why,
    notEvaluated: built.warnings
      .filter((w) => w.code === 'cilium-not-evaluated')
      .map((w) => `${formatPath(w.path)}: ${w.message}`),
  };
}

/**
 * Decides one request. `baseline` must be `prepareBaseline` of the cluster's objects now (the server keeps
 * it for as long as they do not change).
 */
export function decide(baseline: Baseline, request: AdmissionRequest, rules: AdmissionRules): DecisionRecord {
  return decideWith(request, rules, fullEffect(baseline, rules), baseline.skipped);
}

/** Objects left out of the state named in warnings; the others are counted. */
export const SKIPPED_NAMED = 3;
/** The longest warning about a left-out object (kubectl advises 120 characters a warning). */
const SKIPPED_WARNING_LENGTH = 160;

/**
 * Warnings for the cluster's objects netfence cannot read and so left out of the state the answer is computed
 * on (a policy left out can make a connection look allowed that the cluster denies, or the reverse): the
 * first few by name and why, then how many more. The request's own object is left out: it has its own answer.
 */
export function skippedWarnings(skipped: readonly LeftOutObject[], id: string): string[] {
  const others = skipped
    .filter((s) => s.id !== id)
    .map(leftOutText)
    .sort();
  const named = others.slice(0, SKIPPED_NAMED).map((s) => {
    const text = `netfence left out ${s}`;
    return text.length <= SKIPPED_WARNING_LENGTH ? text : `${text.slice(0, SKIPPED_WARNING_LENGTH - 1)}…`;
  });
  const rest = others.length - named.length;
  if (rest > 0)
    named.push(
      `netfence left out ${rest} more object${rest === 1 ? '' : 's'} it cannot read: its answer ignores them`,
    );
  return named;
}

/**
 * Who deletes what a deleted namespace (or owner) held: the namespace controller and the garbage collector
 * (their service accounts, as kubeadm and managed clusters run them, or the controller manager's own identity
 * without --use-service-account-credentials). A refusal does not keep the policy: the controller retries for
 * ever, and the namespace stays Terminating.
 */
const NAMESPACE_DELETERS: ReadonlySet<string> = new Set([
  'system:serviceaccount:kube-system:namespace-controller',
  // The garbage collector: the policy's owner is being deleted (foreground deletion waits for it).
  'system:serviceaccount:kube-system:generic-garbage-collector',
  'system:kube-controller-manager',
]);

/** Decides one request with the effect `effectOf` computes: the checks before, and the answer after. */
export function decideWith(
  request: AdmissionRequest,
  rules: AdmissionRules,
  effectOf: EffectOf,
  skipped: readonly LeftOutObject[] = [],
): DecisionRecord {
  const { kind } = request.kind;
  if (kind === 'Pod' && rules.pods !== true) return allowedRecord('pods are not judged (--pods)');
  if (kind === 'Node' && rules.nodes !== true) return allowedRecord('nodes are not judged (--nodes)');
  if (request.operation === 'CONNECT') return allowedRecord('CONNECT changes nothing');
  if (request.operation === 'DELETE' && request.user !== undefined && NAMESPACE_DELETERS.has(request.user))
    return allowedRecord(
      `deleted by ${request.user}: its namespace or owner is being deleted, which a refusal would only hold up`,
    );
  const read = objectsOf(request);
  if ('error' in read)
    return allowedRecord(`cannot read the object: ${read.error}`, [
      `netfence could not read this ${kind}: ${read.error}`,
    ]);
  const { after, before } = read;
  const subject = after ?? before!;
  const id = objectId(subject);
  const changedLabels = labelsChanged(before, after);
  const changedAddresses = kind === 'Node' && addressesChanged(before, after);
  if (LABELLED.has(kind) && request.operation === 'UPDATE' && changedLabels.length === 0 && !changedAddresses)
    return allowedRecord(kind === 'Node' ? 'no label or address changed' : 'no label changed');

  const change: RequestChange = { request, kind, after, before, id, changedLabels, changedAddresses };
  const policyId = policyIdOf(change);
  const what = CILIUM_KINDS.has(kind)
    ? policyId!
    : `${kind} ${id.replace(`/${kind}/`, '/').replace(`${kind}/`, '')}`;
  // A Cilium policy the agent rejects is stored by the API server (its CRD schema is looser) but never
  // enforced: whatever its author meant it to allow or deny does not happen.
  const cilium = ciliumCheck(change);
  if (cilium.rejected !== undefined)
    return answer(rules, [`${what}: the Cilium agent would not enforce it: ${cilium.rejected}`], [], 0, 0);
  const effect = effectOf(change);
  if ('verdict' in effect) return effect;
  const { opened, cut, changeFields, broken } = effect;

  // The field that made the change, for the message.
  const defaultField =
    request.operation === 'DELETE'
      ? 'its deletion'
      : LABELLED.has(kind) && (changedLabels.length > 0 || changedAddresses)
        ? [
            ...changedLabels.map((k) => `metadata.labels["${k}"]`),
            ...(changedAddresses ? ['status.addresses'] : []),
          ].join(', ')
        : changeFields.length > 0
          ? [...new Set(changeFields.map(formatPath))].slice(0, 2).join(', ')
          : 'spec';
  const fieldOf = (failures: readonly SpecFailure[]): string => {
    const paths = new Set<string>();
    for (const f of failures)
      for (const e of f.pair.explanations ?? [])
        for (const side of [e.egress, e.ingress])
          for (const r of [...side.rules, ...(side.cilium?.allows ?? []), ...(side.cilium?.denies ?? [])])
            if (r.policy === policyId) paths.add(r.path);
    return paths.size > 0 ? [...paths].slice(0, 2).join(', ') : defaultField;
  };

  const violations: string[] = [];
  const warnings: string[] = cilium.notEvaluated.map((w) => `${what}: ${w}, so this answer leaves it out`);
  warnings.push(...skippedWarnings(skipped, id));

  const byTest = new Map<string, SpecFailure[]>();
  for (const f of broken) {
    const key = `${f.spec.file}\0${f.test.index}`;
    byTest.set(key, [...(byTest.get(key) ?? []), f]);
  }
  for (const failures of byTest.values()) {
    const { test, spec } = failures[0]!;
    const verb = test.expect === 'deny' ? 'would open' : 'would cut';
    const pairs = fewThenCount(
      failures.map((f) => pairText(f.index, f.pair)),
      'pair',
    );
    violations.push(
      `${what}: ${fieldOf(failures)} ${verb} ${pairs}, breaking test "${test.name}" (${spec.file}:${test.location.line})`,
    );
  }

  for (const f of effect.findings) {
    const field = f.path.length > 0 ? formatPath(f.path) : 'the object';
    const text = `${f.object.id}: rule ${f.ruleId} (${f.severity}) at ${field}: ${f.message}`;
    if (f.severity === 'error') violations.push(text);
    else if (f.severity === 'warning') warnings.push(text);
  }
  return answer(rules, violations, warnings, opened, cut);
}

/** The answer the mode gives to what the rules found. */
function answer(
  rules: AdmissionRules,
  violations: string[],
  warnings: string[],
  opened: number,
  cut: number,
): DecisionRecord {
  const summary = `(${opened} connection${opened === 1 ? '' : 's'} opened, ${cut} cut)`;
  if (violations.length === 0 || rules.mode === 'audit')
    return {
      verdict:
        rules.mode === 'audit' || warnings.length === 0 ? { allowed: true } : { allowed: true, warnings },
      violations,
      warnings,
      opened,
      cut,
    };
  if (rules.mode === 'warn')
    return {
      verdict: { allowed: true, warnings: [...violations.map((v) => `would be denied: ${v}`), ...warnings] },
      violations,
      warnings,
      opened,
      cut,
    };
  const message = `netfence denied this change ${summary}: ${violations.join('; ')}`;
  return {
    verdict: warnings.length === 0 ? { allowed: false, message } : { allowed: false, message, warnings },
    violations,
    warnings,
    opened,
    cut,
  };
}

/** The kinds whose UPDATE matters only through their labels (and a Node's addresses). */
const LABELLED: ReadonlySet<AdmittedKind> = new Set(['Namespace', 'Pod', 'Node']);

/** The default rules: deny mode, the default lint configuration, no spec. */
export const DEFAULT_RULES: AdmissionRules = { mode: 'deny', lint: DEFAULT_CONFIG, specs: [] };
