/**
 * Parsed objects → the validated `ClusterState`. Pure: validation, defaults, duplicates, namespaces,
 * workload grouping. Invalid objects never reach the state.
 */
import { isDeepStrictEqual } from 'node:util';
import { NAMESPACE_NAME_LABEL, SERVICE_NAME_LABEL, emptyCluster } from '../model/cluster.ts';
import type {
  ClusterPolicyInfo,
  ClusterState,
  NamespaceInfo,
  PolicyInfo,
  ServiceEndpointsInfo,
  ServiceInfo,
} from '../model/cluster.ts';
import { formatPath } from '../model/problem.ts';
import type { Problem } from '../model/problem.ts';
import { dns1123LabelProblems } from './names.ts';
import { originOf, originSource, type Rereads } from './origin.ts';
import type { BuildOptions, IgnoredSummary, LoadResult, ParsedObject, SkippedObject } from './types.ts';
import type { FieldPath } from '../model/problem.ts';
import { createReporter, type UnknownField } from './validate/report.ts';
import { isClusterScoped, isHandledKind, isReadKind, validateObject } from './validate/objects.ts';
import { ciliumPolicyInfo } from '../model/cilium.ts';
import { clusterPolicyInfo } from '../model/tiers.ts';
import type { ValidObject, ValidPod, ValidWorkload } from './validate/objects.ts';
import { isMap } from './values.ts';
import { groupWorkloads } from './workloads.ts';
import { compareText } from '../base/text.ts';

interface Checked {
  source: ParsedObject;
  id: string;
  /** `Kind/namespace/name`, when the object has a name. */
  key: string | undefined;
  /** The namespace of `key` ('' for a cluster-scoped kind) and its name, looked up in `#firstByKey`. */
  namespace: string;
  name: string;
  problems: Problem[];
  valid: ValidObject | undefined;
}

/**
 * `namespace/Kind/name` (`Namespace/name` for a namespace), from the raw object, before validation. An object
 * with only `generateName` gets a stand-in name, `<prefix>xxxxx`, made unique per prefix (`xxxx2`, ...).
 */
function objectIdOf(
  source: ParsedObject,
  defaultNamespace: string,
  generated: Map<string, number>,
): {
  id: string;
  key: string | undefined;
  namespace: string;
  name: string;
  generatedName: string | undefined;
} {
  const meta = isMap(source.object.metadata) ? source.object.metadata : {};
  let name = typeof meta.name === 'string' && meta.name !== '' ? meta.name : undefined;
  let generatedName: string | undefined;
  if (name === undefined && typeof meta.generateName === 'string' && meta.generateName !== '') {
    const count = (generated.get(meta.generateName) ?? 0) + 1;
    generated.set(meta.generateName, count);
    generatedName = `${meta.generateName}${count === 1 ? 'xxxxx' : `x${String(count).padStart(4, 'x')}`}`;
    name = generatedName;
  }
  const namespace =
    typeof meta.namespace === 'string' && meta.namespace !== '' ? meta.namespace : defaultNamespace;
  const clusterScoped = isClusterScoped(source.kind);
  const scope = clusterScoped ? '' : `${namespace}/`;
  return {
    id: `${scope}${source.kind}/${name ?? '(unnamed)'}`,
    key: name === undefined || generatedName !== undefined ? undefined : `${source.kind}/${scope}${name}`,
    namespace: clusterScoped ? '' : namespace,
    name: name ?? '',
    generatedName,
  };
}

/**
 * The identity of an object of a kind netfence does not read: API group, kind, namespace (the default one when
 * not given; the API server drops it on cluster-scoped kinds, which netfence cannot tell apart here, so it is
 * kept) and name; undefined without a name (each `generateName` object is another one).
 */
function ignoredKey(source: ParsedObject, defaultNamespace: string): string | undefined {
  const meta = isMap(source.object.metadata) ? source.object.metadata : {};
  if (typeof meta.name !== 'string' || meta.name === '') return undefined;
  const namespace =
    typeof meta.namespace === 'string' && meta.namespace !== '' ? meta.namespace : defaultNamespace;
  const slash = source.apiVersion.lastIndexOf('/');
  const group = slash < 0 ? '' : source.apiVersion.slice(0, slash);
  return `${group}\0${source.kind}\0${namespace}\0${meta.name}`;
}

/**
 * The check of one valid object without problems, as plain data (its source left out), to be given back for
 * the same object read again with the same options (`defaultNamespace`, `strict`).
 */
export interface StoredCheck {
  id: string;
  key: string | undefined;
  valid: Omit<ValidObject, 'source'>;
}

/**
 * Checks of objects known from an earlier run (`get`), and the place for the checks of this run (`set`: only
 * objects that are valid without any problem and whose check depends on nothing but the object).
 */
export interface CheckMemo {
  get(source: ParsedObject): StoredCheck | undefined;
  set(source: ParsedObject, check: StoredCheck): void;
}

function withoutSource(valid: ValidObject): Omit<ValidObject, 'source'> {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- left out: the rest is plain data
  const { source, ...rest } = valid;
  return rest;
}

function withSource(check: StoredCheck, source: ParsedObject): ValidObject {
  return { ...check.valid, source } as ValidObject;
}

/** `spec.ingress[0].ports[0].endPort: must be ≥ port (80), got 70` */
function pathMessage(p: Problem): string {
  return p.path.length > 0 ? `${formatPath(p.path)}: ${p.message}` : p.message;
}

function terminatedWarning(pods: readonly ValidPod[]): Problem {
  const names = pods.map((p) => `${p.namespace}/${p.name}`);
  const shown =
    names.length > 5 ? `${names.slice(0, 5).join(', ')} and ${names.length - 5} more` : names.join(', ');
  const n = pods.length;
  return {
    code: 'terminated-pods',
    severity: 'warning',
    message: `left out ${n} terminated pod${n === 1 ? '' : 's'} (phase Succeeded or Failed: no network presence, and ${n === 1 ? 'its IP' : 'their IPs'} may be reused): ${shown}`,
    path: [],
  };
}

/**
 * Validates parsed objects and builds the cluster state. Pure.
 *
 * Objects of other kinds are counted in `ignored` (its `files` is always 0 here: only `loadManifests` sees
 * files). Without `skipInvalid`, the problems of invalid objects are in `errors`; with it, in `skipped`.
 * Either way invalid objects are left out of the state.
 */
export function buildClusterState(
  objects: readonly ParsedObject[],
  options: BuildOptions,
  memo?: CheckMemo,
): LoadResult {
  const builder = new StateBuilder(options, memo);
  for (const source of objects) builder.add(source);
  return builder.finish();
}

/**
 * `buildClusterState` one object at a time, in the order read: `add` checks an object and keeps only what the
 * state needs of it (its checked form, its problems, and an origin without its values: `TextSource`), so
 * that a reader that adds each file's objects as it reads them lets the values read die young (loadSources).
 */
export class StateBuilder {
  readonly #options: BuildOptions;
  readonly #memo: CheckMemo | undefined;
  readonly #errors: Problem[] = [];
  readonly #ignored: IgnoredSummary = { count: 0, kinds: {}, files: 0 };
  /** The objects of ignored kinds counted, by `ignoredKey`. */
  readonly #ignoredKeys = new Set<string>();
  /** Definitions of an object read or counted before (merged duplicates, ignored objects defined again). */
  #repeated = 0;
  readonly #generated = new Map<string, number>();
  readonly #rereads: Rereads = new Map();
  /**
   * The first object of each `Kind/namespace/name`, by kind, namespace and name (nested: no key string kept
   * for each object read), and the checks kept (a differing duplicate too).
   */
  readonly #firstByKey = new Map<string, Map<string, Map<string, ParsedObject>>>();
  readonly #firstBySlashedKey = new Map<string, ParsedObject>();
  readonly #merged: { source: ParsedObject; first: ParsedObject; id: string }[] = [];
  readonly #duplicates: Duplicate[] = [];
  readonly #warnings: Problem[] = [];
  readonly #skipped: SkippedObject[] = [];
  // The state as it is built: valid objects are placed in it as they are checked (`#place`).
  readonly #state: ClusterState = emptyCluster();
  readonly #explicit = new Map<string, NamespaceInfo>();
  readonly #referenced = new Set<string>();
  readonly #workloads: ValidWorkload[] = [];
  readonly #pods: ValidPod[] = [];
  readonly #terminated: ValidPod[] = [];
  readonly #serviceEndpoints: ServiceEndpointsInfo[] = [];
  #found = 0;

  constructor(options: BuildOptions, memo?: CheckMemo) {
    this.#options = options;
    this.#memo = memo;
    const { defaultNamespace } = options;
    const namespaceProblems = dns1123LabelProblems(defaultNamespace);
    if (namespaceProblems.length > 0) {
      this.#errors.push({
        code: 'invalid-default-namespace',
        severity: 'error',
        message: `default namespace ${JSON.stringify(defaultNamespace)} is not a valid namespace name: ${namespaceProblems.join('; ')}`,
        path: [],
      });
    }
  }

  /** Checks one object (the objects of a run in the order read). */
  add(source: ParsedObject): void {
    this.#found++;
    const { kind, apiVersion } = source;
    if (!isReadKind(kind, apiVersion)) {
      // A custom resource that shares a name with a built-in kind is shown with its apiVersion.
      const label = isHandledKind(kind) ? `${kind} (${apiVersion})` : kind;
      // One object, one count, as for the kinds read: a definition of one read before is not counted again.
      const key = ignoredKey(source, this.#options.defaultNamespace);
      if (key !== undefined) {
        if (this.#ignoredKeys.has(key)) {
          this.#repeated++;
          return;
        }
        this.#ignoredKeys.add(key);
      }
      const ignored = this.#ignored;
      ignored.count++;
      ignored.kinds[label] = (ignored.kinds[label] ?? 0) + 1;
      return;
    }
    const memo = this.#memo;
    const known = memo?.get(source);
    if (known !== undefined) {
      const light = originSource(source, this.#rereads);
      // (A check is kept only without a generated name: none is counted here.)
      const { namespace, name } = objectIdOf(source, this.#options.defaultNamespace, this.#generated);
      this.#keep(source, {
        source: light,
        id: known.id,
        key: known.key,
        namespace,
        name,
        problems: [],
        valid: withSource(known, light),
      });
      return;
    }
    const { defaultNamespace } = this.#options;
    const { id, key, namespace, name, generatedName } = objectIdOf(source, defaultNamespace, this.#generated);
    const reporter = createReporter(source, id, this.#options.strict === true);
    const valid = validateObject(reporter, kind, defaultNamespace, generatedName);
    const problems =
      reporter.problems.length === 0
        ? []
        : [...reporter.problems].sort(
            (a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0),
          );
    // Only what depends on the object alone: a generated name depends on the objects read before it.
    if (memo !== undefined && valid !== undefined && problems.length === 0 && generatedName === undefined)
      memo.set(source, { id, key, valid: withoutSource(valid) });
    const light = originSource(source, this.#rereads);
    if (valid !== undefined) valid.source = light;
    this.#keep(source, { source: light, id, key, namespace, name, problems, valid });
  }

  /** Keeps a checked object, unless it repeats one read before (`source`: as read, with its values). */
  #keep(source: ParsedObject, c: Checked): void {
    if (c.key === undefined) {
      this.#settle(c);
      return;
    }
    const first = this.#first(source.kind, c.key, c);
    if (first === undefined) {
      this.#settle(c);
      return;
    }
    if (sameObject(first, source)) {
      this.#repeated++;
      this.#merged.push({ source: c.source, first, id: c.id });
      return;
    }
    const at = source.locate(['metadata', 'name']) ?? source;
    const problem: Problem = {
      code: 'duplicate-object',
      severity: 'error',
      message: `${source.kind} "${c.key.slice(source.kind.length + 1)}" is defined twice: first at ${first.file}:${first.line}:${first.column}. Keep one definition`,
      file: source.file,
      line: at.line,
      column: at.column,
      path: ['metadata', 'name'],
      object: c.id,
    };
    c.problems.push(problem);
    this.#duplicates.push({ problem, first });
    c.valid = undefined;
    this.#settle(c);
  }

  /**
   * The first object of `c`'s `Kind/namespace/name` read before it; or none, and then `c` is it. A namespace
   * or name with a '/' (invalid, reported) is looked up by the whole key, as two of them can make the same one.
   */
  #first(kind: string, key: string, c: Checked): ParsedObject | undefined {
    if (c.namespace.includes('/') || c.name.includes('/')) {
      const first = this.#firstBySlashedKey.get(key);
      if (first === undefined) this.#firstBySlashedKey.set(key, c.source);
      return first;
    }
    let namespaces = this.#firstByKey.get(kind);
    if (namespaces === undefined) {
      namespaces = new Map<string, Map<string, ParsedObject>>();
      this.#firstByKey.set(kind, namespaces);
    }
    let names = namespaces.get(c.namespace);
    if (names === undefined) {
      names = new Map<string, ParsedObject>();
      namespaces.set(c.namespace, names);
    }
    const first = names.get(c.name);
    if (first === undefined) names.set(c.name, c.source);
    return first;
  }

  /**
   * A kept object's problems to the lists, and the object, when valid, to the state as soon as it is checked
   * (so that its checked form dies young: only what the state keeps of it lives on).
   */
  #settle(c: Checked): void {
    if (c.problems.length === 0) {
      if (c.valid !== undefined) this.#place(c.valid);
      return;
    }
    const objectErrors = c.problems.filter((p) => p.severity === 'error');
    for (const p of c.problems) if (p.severity !== 'error') this.#warnings.push(p);
    if (objectErrors.length === 0 && c.valid !== undefined) {
      this.#place(c.valid);
    } else if (this.#options.skipInvalid) {
      this.#skipped.push({
        object: c.id,
        file: c.source.file,
        line: c.source.line,
        reason: objectErrors.map(pathMessage).join('; '),
      });
    } else {
      for (const e of objectErrors) this.#errors.push(e);
    }
  }

  /** A valid object into the state (workloads and pods into their lists, grouped at the end). */
  #place(v: ValidObject): void {
    const state = this.#state;
    const referenced = this.#referenced;
    switch (v.kind) {
      case 'Namespace':
        this.#explicit.set(v.name, {
          name: v.name,
          labels: { ...v.labels, [NAMESPACE_NAME_LABEL]: v.name },
          implicit: false,
          annotations: v.annotations,
          origin: originOf(v.source),
        });
        break;
      case 'Pod':
        referenced.add(v.namespace);
        if (v.phase === 'Succeeded' || v.phase === 'Failed') this.#terminated.push(v);
        else this.#pods.push(v);
        break;
      case 'NetworkPolicy': {
        referenced.add(v.namespace);
        const policy: PolicyInfo = {
          id: `${v.namespace}/${v.name}`,
          namespace: v.namespace,
          name: v.name,
          spec: v.spec,
          labels: v.labels,
          annotations: v.annotations,
          origin: originOf(v.source),
        };
        state.policies.push(policy);
        break;
      }
      case 'Node':
        state.nodes.push({
          name: v.name,
          labels: v.labels,
          addresses: v.addresses,
          origin: originOf(v.source),
        });
        break;
      case 'ClusterNetworkPolicy':
      case 'AdminNetworkPolicy':
      case 'BaselineAdminNetworkPolicy':
        state.clusterPolicies.push({
          ...clusterPolicyInfo({
            apiVersion: v.apiVersion,
            kind: v.kind,
            metadata: { name: v.name, labels: v.labels, annotations: v.annotations },
            spec: v.spec,
          }),
          origin: originOf(v.source),
        });
        break;
      case 'CiliumNetworkPolicy':
      case 'CiliumClusterwideNetworkPolicy':
        if (v.namespace !== undefined) referenced.add(v.namespace);
        state.ciliumPolicies.push({
          ...ciliumPolicyInfo({
            apiVersion: v.apiVersion,
            kind: v.kind,
            metadata: {
              name: v.name,
              ...(v.namespace === undefined ? {} : { namespace: v.namespace }),
              ...(Object.keys(v.labels).length === 0 ? {} : { labels: v.labels }),
              ...(Object.keys(v.annotations).length === 0 ? {} : { annotations: v.annotations }),
            },
            ...v.object,
          }),
          origin: originOf(v.source),
        });
        break;
      case 'EndpointSlice':
      case 'Endpoints':
        referenced.add(v.namespace);
        this.#serviceEndpoints.push({
          id: `${v.namespace}/${v.kind}/${v.name}`,
          kind: v.kind,
          namespace: v.namespace,
          name: v.name,
          service: v.kind === 'Endpoints' ? v.name : v.labels[SERVICE_NAME_LABEL],
          labels: v.labels,
          addresses: v.addresses,
          origin: originOf(v.source),
        });
        break;
      case 'Service': {
        referenced.add(v.namespace);
        const service: ServiceInfo = {
          id: `${v.namespace}/${v.name}`,
          namespace: v.namespace,
          name: v.name,
          labels: v.labels,
          spec: v.spec,
          origin: originOf(v.source),
        };
        state.services.push(service);
        break;
      }
      default:
        referenced.add(v.namespace);
        this.#workloads.push(v);
    }
  }

  /** The state of every object added. */
  finish(): LoadResult {
    const errors = this.#errors;
    const warnings: Problem[] =
      this.#merged.length > 0 ? [mergedNote(this.#merged), ...this.#warnings] : this.#warnings;
    const skipped = this.#skipped;
    const state = this.#state;
    const explicit = this.#explicit;
    const referenced = this.#referenced;
    const workloads = this.#workloads;
    const pods = this.#pods;
    const terminated = this.#terminated;
    const serviceEndpoints = this.#serviceEndpoints;

    const grouping = groupWorkloads(workloads, pods);
    state.workloads = grouping.workloads;
    state.pods = grouping.pods;
    for (const name of referenced) {
      if (!explicit.has(name))
        explicit.set(name, { name, labels: { [NAMESPACE_NAME_LABEL]: name }, implicit: true });
    }
    state.namespaces = [...explicit.values()].sort((a, b) => compareText(a.name, b.name));
    state.policies.sort((a, b) => compareText(a.id, b.id));
    if (state.nodes.length === 0) warnings.push(...nodesPeerWarnings(state.clusterPolicies));
    state.services.sort((a, b) => compareText(a.id, b.id));
    if (serviceEndpoints.length > 0)
      state.serviceEndpoints = serviceEndpoints.sort((a, b) => compareText(a.id, b.id));
    if (terminated.length > 0) warnings.push(terminatedWarning(terminated));

    return {
      state,
      errors: summarizeDuplicates(errors, this.#duplicates),
      warnings,
      skipped,
      ignored: this.#ignored,
      found: this.#found,
      repeated: this.#repeated,
    };
  }
}

/** Metadata the API server sets: two definitions that differ only there are the same object. */
const SERVER_SET_METADATA = ['uid', 'resourceVersion', 'creationTimestamp', 'managedFields'];

function withoutServerSetMetadata(object: Readonly<Record<string, unknown>>): unknown {
  const meta = object.metadata;
  if (!isMap(meta)) return object;
  const rest = Object.fromEntries(Object.entries(meta).filter(([k]) => !SERVER_SET_METADATA.includes(k)));
  return { ...object, metadata: rest };
}

/**
 * Whether two definitions of an object are the same (as multi-chart `helm template` output and GitOps
 * repositories repeat them): equal as data, up to `uid`, `resourceVersion`, `creationTimestamp` and
 * `managedFields`.
 */
export function sameObject(a: ParsedObject, b: ParsedObject): boolean {
  return (
    a.apiVersion === b.apiVersion &&
    a.kind === b.kind &&
    isDeepStrictEqual(withoutServerSetMetadata(a.object), withoutServerSetMetadata(b.object))
  );
}

interface Duplicate {
  problem: Problem;
  first: ParsedObject;
}

function listed(items: readonly string[], max = 3): string {
  return items.length > max
    ? `${items.slice(0, max).join(', ')} and ${items.length - max} more`
    : items.join(', ');
}

/** One note for every identical duplicate, read once. */
function mergedNote(merged: readonly { source: ParsedObject; first: ParsedObject; id: string }[]): Problem {
  const n = merged.length;
  const shown = merged.map(
    (m) => `${m.id} (${m.source.file}:${m.source.line}, as at ${m.first.file}:${m.first.line})`,
  );
  const first = merged[0]!;
  return {
    code: 'duplicate-merged',
    severity: 'info',
    message: `note: ${n} object${n === 1 ? ' is' : 's are'} defined again, identically (up to uid, resourceVersion, creationTimestamp and managedFields), and read once: ${listed(shown)}`,
    file: first.source.file,
    line: first.source.line,
    column: first.source.column,
    path: [],
  };
}

/** From this many differing duplicates between the same two files on, they are one summary line. */
const DUPLICATE_SUMMARY_AT = 3;

/**
 * Differing duplicates between the same two files (a chart rendered twice in two versions, a folder and a
 * copy of it) are one cause: one summary line instead of one error each.
 */
function summarizeDuplicates(errors: Problem[], duplicates: readonly Duplicate[]): Problem[] {
  const groups = new Map<string, Duplicate[]>();
  for (const d of duplicates) {
    const key = `${d.problem.file ?? ''}\u0000${d.first.file}`;
    let group = groups.get(key);
    if (group === undefined) groups.set(key, (group = []));
    group.push(d);
  }
  const replaced = new Map<Problem, Problem | undefined>();
  for (const group of groups.values()) {
    if (group.length < DUPLICATE_SUMMARY_AT) continue;
    const [head] = group;
    const objects = group.map((d) => {
      const first = d.first.locate(['metadata', 'name']) ?? d.first;
      return `${d.problem.object ?? '?'} (line ${d.problem.line ?? 1}, first at line ${first.line})`;
    });
    const sameFile = head!.problem.file === head!.first.file;
    const summary: Problem = {
      ...head!.problem,
      path: [],
      message: `${group.length} objects of ${head!.problem.file ?? '?'} are defined ${sameFile ? 'twice in it' : `in ${head!.first.file} too`}, differently: ${listed(objects)}. Keep one definition of each${sameFile ? '' : ` (is one of the two files an old copy of the other?)`}`,
    };
    replaced.set(head!.problem, summary);
    for (const d of group.slice(1)) replaced.set(d.problem, undefined);
  }
  if (replaced.size === 0) return errors;
  const out: Problem[] = [];
  for (const e of errors) {
    if (!replaced.has(e)) out.push(e);
    else {
      const summary = replaced.get(e);
      if (summary !== undefined) out.push(summary);
    }
  }
  return out;
}

/** The unknown fields of one object of a kind netfence reads (none for other kinds), with likely fixes. */
export function unknownFieldsOf(source: ParsedObject, defaultNamespace: string): UnknownField[] {
  const { kind, apiVersion } = source;
  if (!isReadKind(kind, apiVersion)) return [];
  const reporter = createReporter(source, undefined);
  validateObject(reporter, kind, defaultNamespace);
  return reporter.unknownFields;
}

/**
 * A `nodes` peer matches Node addresses; with no Node in the input it matches nothing, which is rarely what the
 * cluster does: one warning per cluster policy that has one.
 */
function nodesPeerWarnings(policies: readonly ClusterPolicyInfo[]): Problem[] {
  const out: Problem[] = [];
  for (const p of policies) {
    let path: FieldPath | undefined;
    for (const [direction, rules] of [
      ['ingress', p.ingress],
      ['egress', p.egress],
    ] as const) {
      for (const rule of rules) {
        const peer = rule.peers.findIndex((peer) => peer.kind === 'nodes');
        if (peer >= 0 && path === undefined)
          path = ['spec', direction, rule.index, direction === 'ingress' ? 'from' : 'to', peer, 'nodes'];
      }
    }
    if (path === undefined) continue;
    const at = p.origin?.locate?.(path) ?? p.origin;
    out.push({
      code: 'nodes-peer-without-nodes',
      severity: 'warning',
      message: `${p.id} selects Nodes, but the input has no Node objects, so this peer matches no address here: add the Nodes (kubectl get nodes -o yaml) or read the cluster with --cluster`,
      path,
      object: p.id,
      ...(at === undefined ? {} : { file: at.file, line: at.line, column: at.column }),
    });
  }
  return out;
}
