/**
 * Endpoint references: how a person names one end of a connection on the command line or in a reachability
 * spec, parsed and then resolved against a compiled cluster into entities of `computeConnectivity`.
 *
 *     shop/web                          a workload by namespace and name (at pod granularity: a pod, or a workload's pods)
 *     shop/Deployment/web               a workload by namespace, kind and name (kinds are case-insensitive; deploy, sts, ds… too)
 *     shop/web-7d9f8-x2x4q              a pod, at pod granularity
 *     *                                 every workload (or pod) of the cluster
 *     shop/*                            every workload (or pod) of one namespace
 *     app.kubernetes.io/name=postgres   workloads (or pods) whose labels match, in every namespace (kubectl -l syntax)
 *     shop/app=web,tier!=db             the same, in one namespace; *\/app=web is every namespace
 *     203.0.113.7                       one address: the pods that have it, else the address outside the cluster
 *     0.0.0.0/0                         addresses outside the cluster: every address class the CIDR overlaps
 *     0.0.0.0/0 except 10.0.0.0/8       the same, minus ranges (the way analyze names address classes)
 *
 * A CIDR never stands for pods, even where pod IPs fall inside it: "to: 0.0.0.0/0" means the world outside
 * the cluster. A label selector needs one of `=`, `!` or `(`; its first segment is a namespace when it has no
 * dot (`data/app=db`), so a prefixed key must be written with its dot (`app.kubernetes.io/name=db`) or after a
 * namespace or `*` (`*\/team/x=y`).
 *
 * The module is pure and its API stable: `buildRefIndex`, `parseRef`, `resolveRef`, `resolveRefText`.
 */
import { closestMatch } from '../base/suggest.ts';
import type { PodInfo, WorkloadInfo, WorkloadKindOrPod } from '../model/cluster.ts';
import { WorkloadKind, type LabelSelector, type LabelSelectorRequirement } from '../model/k8s.ts';
import { podKey } from './classes.ts';
import type { CompiledCluster } from './compile.ts';
import { externalId, type ClassEnd, type Entity, type Granularity } from './connectivity.ts';
import { cidrContainsCidr, parseCidr, parseIp, type Cidr } from '../base/ip.ts';
import { compileSelector, selectorMatches, type CompiledSelector } from './selectors.ts';
import { compareText } from '../base/text.ts';

/** A parsed reference, before resolution. `text` is what the user wrote (trimmed). */
export type EndpointRef =
  | { kind: 'all'; text: string }
  | { kind: 'namespace'; text: string; namespace: string }
  | {
      kind: 'workload';
      text: string;
      namespace: string;
      name: string;
      workloadKind: WorkloadKindOrPod | undefined;
    }
  | {
      kind: 'selector';
      text: string;
      /** The selector as typed, without the namespace: `app=db`. */
      selectorText: string;
      namespace: string | undefined;
      selector: CompiledSelector;
      labelSelector: LabelSelector;
    }
  | { kind: 'ip'; text: string; ip: string }
  /**
   * Addresses outside the cluster: `cidr`, plus `also` and minus `except` for the form
   * `10.0.0.0/8, fd00::/8 except 10.1.0.0/16` (how `netfence analyze` names address classes).
   */
  | { kind: 'cidr'; text: string; cidr: Cidr; also: readonly Cidr[]; except: readonly Cidr[] };

export const RefErrorCode = {
  /** Empty, or not any of the accepted forms. */
  Syntax: 'invalid-reference',
  /** A bare name without a namespace (`web`). */
  NoNamespace: 'missing-namespace',
  UnknownNamespace: 'unknown-namespace',
  UnknownKind: 'unknown-kind',
  /** No workload (or pod) with that name. */
  UnknownWorkload: 'unknown-workload',
  /** `namespace/name` names workloads of two kinds: give the kind. */
  Ambiguous: 'ambiguous-reference',
  /** A valid `*`, `namespace/*` or selector that matches nothing. */
  NoMatch: 'no-match',
} as const;
export type RefErrorCode = (typeof RefErrorCode)[keyof typeof RefErrorCode];

export interface RefError {
  code: RefErrorCode;
  /** One line that quotes the reference and, when there is one, ends with `; did you mean "x"?`. */
  message: string;
  /** The closest valid reference, when there is one. */
  suggestion?: string;
}

export type RefResult<T> = { ok: true; value: T } | { ok: false; error: RefError };

export interface ResolvedRef {
  ref: EndpointRef;
  /** Never empty; in the order of `computeConnectivity`'s entities (workloads or pods, then address classes). */
  entities: readonly Entity[];
}

/** The entities of a compiled cluster at one granularity, indexed for resolving references. */
export interface RefIndex {
  readonly compiled: CompiledCluster;
  readonly granularity: Granularity;
  /** The same entities, with the same ids and order, as `computeConnectivity(compiled, granularity)`. */
  readonly entities: readonly Entity[];
  readonly byId: ReadonlyMap<string, Entity>;
  /** Pod classes of a workload or pod entity (several when its pods differ), or the address class of an external one. */
  ends(entityId: string): readonly ClassEnd[];
  /** `namespace/name` where unambiguous, else `namespace/Kind/name`; an address class as `10.0.0.0/8 except …`. */
  displayName(entityId: string): string;
}

const WORKLOAD_KINDS: readonly WorkloadKindOrPod[] = [...Object.values(WorkloadKind), 'Pod'];

/** kubectl's names for each kind, lower-case: singular, plural and short. */
const KIND_ALIASES: ReadonlyMap<string, WorkloadKindOrPod> = new Map([
  ...WORKLOAD_KINDS.flatMap((k): [string, WorkloadKindOrPod][] => [
    [k.toLowerCase(), k],
    [`${k.toLowerCase()}s`, k],
  ]),
  ['deploy', 'Deployment'],
  ['rs', 'ReplicaSet'],
  ['sts', 'StatefulSet'],
  ['ds', 'DaemonSet'],
  ['cj', 'CronJob'],
  ['rc', 'ReplicationController'],
  ['po', 'Pod'],
]);

const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const NAMESPACE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_KEY = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

function fail<T>(code: RefErrorCode, message: string, suggestion?: string): RefResult<T> {
  if (suggestion === undefined) return { ok: false, error: { code, message } };
  return { ok: false, error: { code, message: `${message}; did you mean "${suggestion}"?`, suggestion } };
}

const FORMS =
  'use namespace/workload, namespace/Kind/name, namespace/*, *, a label selector (app=db), an IP or a CIDR';

/** Parses a reference. Pure syntax: whether the workload exists is `resolveRef`'s question. */
export function parseRef(input: string): RefResult<EndpointRef> {
  const text = input.trim();
  if (text === '') return fail(RefErrorCode.Syntax, `empty reference: ${FORMS}`);
  if (text === '*') return { ok: true, value: { kind: 'all', text } };
  if (parseIp(text) !== undefined) return { ok: true, value: { kind: 'ip', text, ip: text } };
  const slash = text.indexOf('/');
  if (slash > 0 && parseIp(text.slice(0, slash)) !== undefined) return parseCidrRef(text);
  if (/[=!(]/.test(text)) return parseSelectorRef(text);
  const parts = text.split('/');
  if (parts.length === 1) {
    return fail(RefErrorCode.NoNamespace, `"${text}" needs a namespace: write namespace/${text}`);
  }
  const [namespace, second, third] = parts as [string, string, string | undefined];
  if (parts.length > 3 || !NAMESPACE.test(namespace)) {
    return fail(RefErrorCode.Syntax, `invalid reference "${text}": ${FORMS}`);
  }
  if (parts.length === 2) {
    if (second === '*') return { ok: true, value: { kind: 'namespace', text, namespace } };
    if (!NAME.test(second))
      return fail(RefErrorCode.Syntax, `invalid name "${second}" in "${text}": ${FORMS}`);
    return { ok: true, value: { kind: 'workload', text, namespace, name: second, workloadKind: undefined } };
  }
  const kind = KIND_ALIASES.get(second.toLowerCase());
  if (kind === undefined) {
    const suggestion = closest(second, WORKLOAD_KINDS);
    return fail(
      RefErrorCode.UnknownKind,
      `unknown workload kind "${second}" in "${text}" (${WORKLOAD_KINDS.join(', ')})`,
      suggestion === undefined ? undefined : `${namespace}/${suggestion}/${third!}`,
    );
  }
  if (!NAME.test(third!)) return fail(RefErrorCode.Syntax, `invalid name "${third!}" in "${text}": ${FORMS}`);
  return { ok: true, value: { kind: 'workload', text, namespace, name: third!, workloadKind: kind } };
}

/** `10.0.0.0/8`, or `10.0.0.0/8, fd00::/8 except 10.1.0.0/16, 10.2.0.0/16`. */
function parseCidrRef(text: string): RefResult<EndpointRef> {
  const [head, tail, extra] = text.split(/\s+except\s+/i) as [string, string | undefined, string | undefined];
  if (extra !== undefined)
    return fail(RefErrorCode.Syntax, `invalid address range "${text}": "except" appears twice`);
  const list = (part: string): Cidr[] | RefResult<EndpointRef> => {
    const out: Cidr[] = [];
    for (const item of part.split(',').map((x) => x.trim())) {
      const parsed = parseCidr(item);
      if (!parsed.ok) {
        if (parsed.reason === 'no-mask') {
          return fail(
            RefErrorCode.Syntax,
            `CIDR mask is missing in "${item}" (in "${text}")`,
            `${item}/${item.includes(':') ? 128 : 32}`,
          );
        }
        const bits = item.includes(':') ? 128 : 32;
        return fail(
          RefErrorCode.Syntax,
          `invalid CIDR "${item}"${item === text ? '' : ` in "${text}"`}: an address, "/" and a prefix length from 0 to ${bits}`,
        );
      }
      out.push(parsed.cidr);
    }
    return out;
  };
  const cidrs = list(head);
  if (!Array.isArray(cidrs)) return cidrs;
  const except = tail === undefined ? [] : list(tail);
  if (!Array.isArray(except)) return except;
  return { ok: true, value: { kind: 'cidr', text, cidr: cidrs[0]!, also: cidrs.slice(1), except } };
}

/** `ns/selector`, `*\/selector` or `selector`, the selector in kubectl's `-l` syntax. */
function parseSelectorRef(text: string): RefResult<EndpointRef> {
  let namespace: string | undefined;
  let body = text;
  const firstOp = text.search(/[=!(\s]/);
  const slash = text.indexOf('/');
  if (slash > 0 && slash < firstOp) {
    const head = text.slice(0, slash);
    if (head === '*') body = text.slice(slash + 1);
    else if (!head.includes('.')) {
      if (!NAMESPACE.test(head)) return fail(RefErrorCode.Syntax, `invalid namespace "${head}" in "${text}"`);
      namespace = head;
      body = text.slice(slash + 1);
    }
  }
  const parsed = parseLabelSelector(body);
  if (typeof parsed === 'string')
    return fail(RefErrorCode.Syntax, `invalid label selector "${text}": ${parsed}`);
  return {
    ok: true,
    value: {
      kind: 'selector',
      text,
      selectorText: body,
      namespace,
      selector: compileSelector(parsed),
      labelSelector: parsed,
    },
  };
}

/** kubectl's selector syntax: `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`, comma-separated. */
export function parseLabelSelector(text: string): LabelSelector | string {
  const terms: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      terms.push(text.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(text.slice(start));
  const matchLabels: Record<string, string> = {};
  const matchExpressions: LabelSelectorRequirement[] = [];
  for (const raw of terms) {
    const term = raw.trim();
    let m: RegExpExecArray | null;
    if (term === '') return 'empty term (a stray comma?)';
    if ((m = /^!\s*(\S+)$/.exec(term)) !== null) {
      const key = m[1]!;
      if (!LABEL_KEY.test(key)) return `invalid label key "${key}"`;
      matchExpressions.push({ key, operator: 'DoesNotExist' });
    } else if ((m = /^([^\s=!]+)\s*(==|=|!=)\s*(\S*)$/.exec(term)) !== null) {
      const [, key, op, value] = m as unknown as [string, string, string, string];
      if (!LABEL_KEY.test(key)) return `invalid label key "${key}"`;
      if (!LABEL_VALUE.test(value)) return `invalid label value "${value}"`;
      if (op === '!=') matchExpressions.push({ key, operator: 'NotIn', values: [value] });
      else if (matchLabels[key] !== undefined && matchLabels[key] !== value) {
        // Two different values for one key select nothing; keep both so that the selector says so.
        matchExpressions.push({ key, operator: 'In', values: [value] });
      } else matchLabels[key] = value;
    } else if ((m = /^(\S+)\s+(in|notin)\s*\(([^()]*)\)$/.exec(term)) !== null) {
      const [, key, op, list] = m as unknown as [string, string, string, string];
      if (!LABEL_KEY.test(key)) return `invalid label key "${key}"`;
      const values = list
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v !== '');
      const bad = values.find((v) => !LABEL_VALUE.test(v));
      if (bad !== undefined) return `invalid label value "${bad}"`;
      if (values.length === 0) return `"${key} ${op} ()" needs at least one value`;
      matchExpressions.push({ key, operator: op === 'in' ? 'In' : 'NotIn', values });
    } else if (LABEL_KEY.test(term)) {
      matchExpressions.push({ key: term, operator: 'Exists' });
    } else {
      return `cannot read "${term}" (expected key=value, key!=value, key in (a,b), key notin (a,b), key or !key)`;
    }
  }
  const out: LabelSelector = {};
  if (Object.keys(matchLabels).length > 0) out.matchLabels = matchLabels;
  if (matchExpressions.length > 0) out.matchExpressions = matchExpressions;
  return out;
}

export function buildRefIndex(compiled: CompiledCluster, granularity: Granularity = 'workload'): RefIndex {
  const { state } = compiled;
  const entities: Entity[] = [];
  const workloadById = new Map(state.workloads.map((w) => [w.id, w]));
  const podsOfWorkload = new Map<string, PodInfo[]>();
  for (const p of state.pods) {
    const list = podsOfWorkload.get(p.workload);
    if (list === undefined) podsOfWorkload.set(p.workload, [p]);
    else list.push(p);
  }
  const classesOf = (pods: readonly PodInfo[]): ClassEnd[] => {
    const ids = new Set<number>();
    for (const p of pods) {
      const id = compiled.classOfPod(p.namespace, p.name);
      if (id !== undefined) ids.add(id);
    }
    return [...ids].sort((a, b) => a - b).map((pod) => ({ pod }));
  };
  const ends = new Map<string, ClassEnd[]>();
  if (granularity === 'workload') {
    for (const w of [...state.workloads].sort((a, b) => compareText(a.id, b.id))) {
      entities.push({ kind: 'workload', id: w.id, workload: w });
      ends.set(w.id, classesOf(podsOfWorkload.get(w.id) ?? []));
    }
  } else {
    const sorted = [...state.pods].sort((a, b) =>
      compareText(podKey(a.namespace, a.name), podKey(b.namespace, b.name)),
    );
    for (const p of sorted) {
      const id = podKey(p.namespace, p.name);
      entities.push({ kind: 'pod', id, pod: p, workload: workloadById.get(p.workload) });
      ends.set(id, classesOf([p]));
    }
  }
  for (const a of compiled.addressSpace.classes) {
    entities.push({ kind: 'external', id: externalId(a.id), address: a });
    ends.set(externalId(a.id), [{ address: a.id }]);
  }
  const shortCount = new Map<string, number>();
  for (const w of state.workloads) {
    const s = `${w.namespace}/${w.name}`;
    shortCount.set(s, (shortCount.get(s) ?? 0) + 1);
  }
  const byId = new Map(entities.map((e) => [e.id, e]));
  return {
    compiled,
    granularity,
    entities,
    byId,
    ends: (id) => ends.get(id) ?? [],
    displayName(id) {
      const e = byId.get(id);
      if (e === undefined) return id;
      if (e.kind === 'external') return compiled.addressSpace.describe(e.address.id);
      if (e.kind === 'pod') return e.id;
      const s = `${e.workload.namespace}/${e.workload.name}`;
      return shortCount.get(s) === 1 ? s : e.id;
    },
  };
}

function entityNamespace(e: Entity): string | undefined {
  return e.kind === 'workload' ? e.workload.namespace : e.kind === 'pod' ? e.pod.namespace : undefined;
}

function entityLabels(e: Entity): Readonly<Record<string, string>> {
  return e.kind === 'workload' ? e.workload.labels : e.kind === 'pod' ? e.pod.labels : {};
}

/** Parses and resolves in one call. */
export function resolveRefText(index: RefIndex, text: string): RefResult<ResolvedRef> {
  const parsed = parseRef(text);
  if (!parsed.ok) {
    if (parsed.error.code === RefErrorCode.NoNamespace) {
      // A bare name: suggest the workload of that name (or the closest), with its namespace.
      const workloads = index.compiled.state.workloads;
      const suggestion = closest(
        text.trim(),
        workloads.map((w) => w.name),
      );
      const hit = workloads.find((w) => w.name === suggestion);
      if (hit !== undefined)
        return fail(parsed.error.code, parsed.error.message, `${hit.namespace}/${hit.name}`);
    }
    return parsed;
  }
  return resolveRef(index, parsed.value);
}

/** The shortest reference that names exactly this entity. */
function shortRef(index: RefIndex, e: Entity): string {
  return e.kind === 'workload' ? index.displayName(e.id) : e.id;
}

export function resolveRef(index: RefIndex, ref: EndpointRef): RefResult<ResolvedRef> {
  const inCluster = index.entities.filter((e) => e.kind !== 'external');
  const ok = (entities: readonly Entity[]): RefResult<ResolvedRef> => ({
    ok: true,
    value: { ref, entities },
  });
  const what = index.granularity === 'workload' ? 'workload' : 'pod';
  const namespaces = index.compiled.state.namespaces.map((n) => n.name);
  const unknownNamespace = (namespace: string): RefResult<ResolvedRef> => unknownNs(namespace, namespaces);
  switch (ref.kind) {
    case 'all':
      return inCluster.length > 0
        ? ok(inCluster)
        : fail(RefErrorCode.NoMatch, `"*" matches no ${what}: the input has none`);
    case 'namespace': {
      const list = inCluster.filter((e) => entityNamespace(e) === ref.namespace);
      if (list.length > 0) return ok(list);
      if (!namespaces.includes(ref.namespace)) return unknownNamespace(ref.namespace);
      return fail(RefErrorCode.NoMatch, `namespace "${ref.namespace}" has no ${what}s`);
    }
    case 'selector': {
      if (ref.namespace !== undefined && !namespaces.includes(ref.namespace))
        return unknownNamespace(ref.namespace);
      const list = inCluster.filter(
        (e) =>
          (ref.namespace === undefined || entityNamespace(e) === ref.namespace) &&
          selectorMatches(ref.selector, entityLabels(e)),
      );
      if (list.length > 0) return ok(list);
      const where = ref.namespace === undefined ? '' : ` in namespace "${ref.namespace}"`;
      return fail(RefErrorCode.NoMatch, `label selector "${ref.selectorText}" matches no ${what}${where}`);
    }
    case 'workload':
      return resolveWorkload(index, ref, inCluster, namespaces);
    case 'ip': {
      const ip = parseIp(ref.ip)!;
      const sameIp = (p: PodInfo): boolean =>
        p.ips.some((text) => {
          const other = parseIp(text);
          return other !== undefined && other.family === ip.family && other.value === ip.value;
        });
      const list = inCluster.filter((e) =>
        e.kind === 'pod'
          ? sameIp(e.pod)
          : e.kind === 'workload' && index.compiled.state.pods.some((p) => p.workload === e.id && sameIp(p)),
      );
      if (list.length > 0) return ok(list);
      const id = index.compiled.addressSpace.classOfIp(ref.ip);
      return ok([index.byId.get(externalId(id!))!]);
    }
    case 'cidr': {
      // Address classes with at least one address in the cidrs and outside the excepts. A class's cover is
      // exactly its addresses, and two CIDRs either nest or are apart: where a cover block and a cidr overlap,
      // the smaller of the two is their common part, kept when the excepts leave some of it.
      const cidrs = [ref.cidr, ...ref.also];
      const list = index.entities.filter(
        (e) =>
          e.kind === 'external' &&
          e.address.cover.some((c) =>
            cidrs.some(
              (r) =>
                (cidrContainsCidr(c, r) && !coveredBy(r, ref.except)) ||
                (cidrContainsCidr(r, c) && !coveredBy(c, ref.except)),
            ),
          ),
      );
      if (list.length > 0) return ok(list);
      return fail(RefErrorCode.NoMatch, `"${ref.text}" leaves no address: its except ranges cover it`);
    }
  }
}

function resolveWorkload(
  index: RefIndex,
  ref: Extract<EndpointRef, { kind: 'workload' }>,
  inCluster: readonly Entity[],
  namespaces: readonly string[],
): RefResult<ResolvedRef> {
  const ok = (entities: readonly Entity[]): RefResult<ResolvedRef> => ({
    ok: true,
    value: { ref, entities },
  });
  const workloads = index.compiled.state.workloads;
  const matchesWorkload = (w: WorkloadInfo): boolean =>
    w.namespace === ref.namespace &&
    w.name === ref.name &&
    (ref.workloadKind === undefined || w.kind === ref.workloadKind);
  if (index.granularity === 'pod') {
    if (ref.workloadKind === undefined) {
      const pod = index.byId.get(podKey(ref.namespace, ref.name));
      if (pod !== undefined) return ok([pod]);
    }
    const ids = new Set(workloads.filter(matchesWorkload).map((w) => w.id));
    const pods = inCluster.filter((e) => e.kind === 'pod' && ids.has(e.pod.workload));
    if (pods.length > 0) return ok(pods);
  } else {
    const list = inCluster.filter((e) => e.kind === 'workload' && matchesWorkload(e.workload));
    if (list.length === 1) return ok(list);
    if (list.length > 1) {
      const options = list.map((e) => `"${e.id}"`).join(', ');
      return fail(
        RefErrorCode.Ambiguous,
        `"${ref.text}" names ${list.length} workloads (${options}): give the kind`,
      );
    }
  }
  // Not found: suggest the closest reference of the same shape.
  const label =
    ref.workloadKind === undefined
      ? `${what(index)} "${ref.namespace}/${ref.name}"`
      : `${ref.workloadKind} "${ref.namespace}/${ref.name}"`;
  if (ref.workloadKind !== undefined) {
    const other = workloads.find((w) => w.namespace === ref.namespace && w.name === ref.name);
    if (other !== undefined) return fail(RefErrorCode.UnknownWorkload, `no ${label}`, other.id);
    const sameKind = workloads.filter((w) => w.kind === ref.workloadKind);
    const suggestion = closest(
      `${ref.namespace}/${ref.name}`,
      sameKind.map((w) => `${w.namespace}/${w.name}`),
    );
    const hit = sameKind.find((w) => `${w.namespace}/${w.name}` === suggestion);
    if (hit !== undefined) return fail(RefErrorCode.UnknownWorkload, `no ${label}`, hit.id);
  } else {
    const candidates = [
      ...inCluster.map((e) => shortRef(index, e)),
      ...(index.granularity === 'pod' ? workloads.map((w) => `${w.namespace}/${w.name}`) : []),
    ];
    const suggestion = closest(`${ref.namespace}/${ref.name}`, candidates);
    if (suggestion !== undefined) return fail(RefErrorCode.UnknownWorkload, `no ${label}`, suggestion);
  }
  if (!namespaces.includes(ref.namespace)) return unknownNs(ref.namespace, namespaces);
  return fail(RefErrorCode.UnknownWorkload, `no ${label} (list them with: netfence analyze)`);
}

function what(index: RefIndex): string {
  return index.granularity === 'workload' ? 'workload' : 'pod or workload';
}

/** The most namespaces an unknown namespace's message lists when none is close to it. */
const LISTED_NAMESPACES = 5;

function unknownNs(namespace: string, namespaces: readonly string[]): RefResult<ResolvedRef> {
  const message = `no namespace "${namespace}" in the input`;
  const suggestion = closest(namespace, namespaces);
  if (suggestion !== undefined) return fail(RefErrorCode.UnknownNamespace, message, suggestion);
  // Nothing close: what there is, so that the user need not run another command to find out.
  const sorted = [...namespaces].sort(compareText);
  const shown = sorted.slice(0, LISTED_NAMESPACES).join(', ');
  const more = sorted.length - LISTED_NAMESPACES;
  const known =
    sorted.length === 0 ? 'it has none' : `its namespaces: ${shown}${more > 0 ? ` and ${more} more` : ''}`;
  return fail(RefErrorCode.UnknownNamespace, `${message} (${known})`);
}

/** The candidate closest to `input` (see `closestMatch`). */
export const closest = closestMatch;

/** Whether the ranges cover every address of the block between them. */
function coveredBy(block: Cidr, ranges: readonly Cidr[]): boolean {
  const inside = ranges
    .filter((x) => x.family === block.family && x.start <= block.end && block.start <= x.end)
    .sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  let next = block.start;
  for (const x of inside) {
    if (x.start > next) return false;
    if (x.end >= next) next = x.end + 1n;
    if (next > block.end) return true;
  }
  return false;
}
