/**
 * What-if: the policies as the user edits them in the browser (changed, added, turned off) against the current
 * state. Validates the edited YAML with the parser every command uses (problems with line and column), and
 * computes the connectivity diff. Pure: nothing is written anywhere, least of all to a cluster.
 */
import type {
  EdgeChange,
  WhatIfEdgeJson as WhatIfEdge,
  WhatIfJson,
  WhatIfProblemJson,
} from '../contract/api.ts';
import type { AddressSpace } from '../engine/addresses.ts';
import type { CompiledCluster, EngineOptions } from '../engine/compile.ts';
import type { L7Connection } from '../engine/cilium-l7.ts';
import type { Connectivity, DomainConnection } from '../engine/connectivity.ts';
import { commonAddressSpace, commonIds, diffNodesAt, diffSides, sideOf } from '../engine/diff.ts';
import { formatPorts } from '../describe/ports.ts';
import { isEmptyPorts, NO_PORTS, portsEqual, subtractPorts, type PortSet } from '../engine/ports.ts';
import type { RefIndex } from '../engine/refs.ts';
import { editPolicies, openSession, type ClusterSession } from '../engine/session.ts';
import { domainName } from '../format/connectivity.ts';
import { diffRows, diffToJson, type DiffRow } from '../format/diff.ts';
import { displayNames } from '../format/names.ts';
import type { CiliumPolicyInfo } from '../model/cilium.ts';
import type { ClusterPolicyInfo, ClusterState, PolicyInfo } from '../model/cluster.ts';
import { formatPath, type LocatedMessage, type Problem } from '../model/problem.ts';
import { buildClusterState, parseManifestText } from '../parse/index.ts';
import { isCiliumPolicyKind } from '../parse/validate/cilium.ts';
import { isClusterPolicyKind } from '../parse/validate/objects.ts';
import { isOpen, workloadFacts, type WorkloadFacts } from './model.ts';

/** One edit: a policy replaced by the given YAML, a new policy (no target), or a policy turned off (no YAML). */
export interface WhatIfChange {
  /**
   * `namespace/name` of the NetworkPolicy (`Kind/name` of the cluster policy, `CiliumNetworkPolicy/namespace/name`
   * or `CiliumClusterwideNetworkPolicy/name` of the Cilium policy) this change replaces or turns off; absent
   * for a new policy.
   */
  target?: string;
  /** The YAML of the policy (or policies) that take the target's place; absent (or null in JSON) turns the target off. */
  yaml?: string;
}

/** A request body that is not a list of changes: a 400, not a validation problem. */
export class WhatIfRequestError extends Error {}

/** Checks the shape of a request body. */
export function parseWhatIfRequest(body: unknown): WhatIfChange[] {
  const changes = (body as { changes?: unknown } | null)?.changes;
  if (typeof body !== 'object' || body === null || !Array.isArray(changes)) {
    throw new WhatIfRequestError('expected {"changes": [{"target": "namespace/name", "yaml": "..."}]}');
  }
  return changes.map((c: unknown, i) => {
    if (typeof c !== 'object' || c === null) throw new WhatIfRequestError(`changes[${i}] is not an object`);
    const { target, yaml } = c as Record<string, unknown>;
    if (target !== undefined && target !== null && typeof target !== 'string')
      throw new WhatIfRequestError(`changes[${i}].target must be a policy id such as "shop/allow-web"`);
    if (yaml !== undefined && yaml !== null && typeof yaml !== 'string')
      throw new WhatIfRequestError(`changes[${i}].yaml must be a string of YAML`);
    if ((target === undefined || target === null) && (yaml === undefined || yaml === null))
      throw new WhatIfRequestError(`changes[${i}] has neither a target nor YAML`);
    const out: WhatIfChange = {};
    if (typeof target === 'string') out.target = target;
    if (typeof yaml === 'string') out.yaml = yaml;
    return out;
  });
}

/** A problem of one change of a what-if: where in the change's YAML (no line: the change as a whole). */
export interface WhatIfProblem extends LocatedMessage {
  /** Index of the change in the request. */
  change: number;
  severity: 'error' | 'warning';
  /** The field, formatted (`spec.ingress[0].ports`); empty for the change as a whole. */
  path: string;
}

function problemOf(change: number, p: Problem): WhatIfProblem {
  return {
    change,
    severity: p.severity === 'error' ? 'error' : 'warning',
    message: p.message,
    ...(p.line === undefined ? {} : { line: p.line }),
    ...(p.column === undefined ? {} : { column: p.column }),
    path: formatPath(p.path),
  };
}

function whole(change: number, message: string): WhatIfProblem {
  return { change, severity: 'error', message, path: '' };
}

/** As the API answers it: `null` for no line and column. */
function problemJson(p: WhatIfProblem): WhatIfProblemJson {
  return {
    change: p.change,
    severity: p.severity,
    message: p.message,
    line: p.line ?? null,
    column: p.column ?? null,
    path: p.path,
  };
}

export interface WhatIfOptions {
  engine: EngineOptions;
  /** Namespace of a new policy that names none. */
  defaultNamespace: string;
  /** How the two states are compiled; by default each from scratch (`freshCompiler`). */
  compiler?: WhatIfCompiler;
}

/** A state compiled, with its connectivity between workloads and its references (built when asked). */
export interface CompiledState {
  compiled: CompiledCluster;
  connectivity: Connectivity;
  refs(): RefIndex;
}

/** What a what-if asks of a session's state (each part computed by the session, once). */
function compiledState(session: ClusterSession): CompiledState {
  return {
    compiled: session.compiled,
    connectivity: session.connectivity('workload'),
    refs: () => session.refs('workload'),
  };
}

/**
 * How a what-if compiles the current state and the edited one (which differs from it only in its policies).
 * `serve` keeps the current state compiled and edits an incremental engine for the other (`Analysis`).
 */
export interface WhatIfCompiler {
  before(): CompiledState;
  /** Calls `use` with `after` compiled; what `use` is handed is valid only during the call. */
  after<T>(after: ClusterState, use: (compiled: CompiledState) => T): T;
}

/**
 * What-ifs through the session's incremental engine (`ClusterSession.tryPolicies`): each edits the engine
 * into the edited state and back as one batch, so that a what-if on a large cluster costs what its edits
 * touch, once, not two compilations (nor one recomputation per edited policy). The current state is
 * `current`'s when given (a session of the same state, compiled already), else the engine itself between two
 * what-ifs (one compiled state kept, not two).
 */
export function incrementalCompiler(session: ClusterSession, current?: ClusterSession): WhatIfCompiler {
  return {
    // With the state's own policies the engine is not edited: what it hands stays valid until the next edit.
    before: () =>
      current !== undefined ? compiledState(current) : session.tryPolicies(session.state.policies, (s) => s),
    // Cluster and Cilium policy edits are incremental too (`setClusterPolicies`, `setCiliumPolicies`).
    after: (after, use) =>
      session.tryPolicies(after.policies, use, after.clusterPolicies, after.ciliumPolicies),
  };
}

/** Compiles each state from scratch (the current one once, by its session). */
export function freshCompiler(session: ClusterSession): WhatIfCompiler {
  return {
    before: () => compiledState(session),
    after: (after, use) => use(compiledState(openSession(after, session.options))),
  };
}

/** The kinds a what-if takes: NetworkPolicies, cluster policies and Cilium policies. */
const TRIED_KINDS =
  'NetworkPolicy, ClusterNetworkPolicy, AdminNetworkPolicy, BaselineAdminNetworkPolicy, CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy';

/** A list of one kind of policies with some replaced by id (several, or none) and others added after. */
function replaceById<P extends { id: string }>(
  list: P[],
  replaced: ReadonlyMap<string, readonly P[]>,
  added: readonly P[],
): P[] {
  return replaced.size === 0 && added.length === 0
    ? list
    : [...list.flatMap((p) => replaced.get(p.id) ?? [p]), ...added];
}

/**
 * The state after the changes, with the problems of the changes that could not be applied. A change's
 * target is a NetworkPolicy (`namespace/name`) or a cluster policy (`Kind/name`); its YAML may hold policies
 * of either kind, which take the target's place.
 */
export function applyChanges(
  state: ClusterState,
  changes: readonly WhatIfChange[],
  defaultNamespace: string,
): { after: ClusterState; problems: WhatIfProblem[]; applied: number[] } {
  const problems: WhatIfProblem[] = [];
  const byId = new Map(state.policies.map((p) => [p.id, p]));
  const clusterById = new Set(state.clusterPolicies.map((p) => p.id));
  const ciliumById = new Set(state.ciliumPolicies.map((p) => p.id));
  const exists = (id: string): boolean => byId.has(id) || clusterById.has(id) || ciliumById.has(id);
  const replaced = new Map<string, PolicyInfo[]>();
  const added: PolicyInfo[] = [];
  const clusterReplaced = new Map<string, ClusterPolicyInfo[]>();
  const clusterAdded: ClusterPolicyInfo[] = [];
  const ciliumReplaced = new Map<string, CiliumPolicyInfo[]>();
  const ciliumAdded: CiliumPolicyInfo[] = [];
  const applied: number[] = [];
  const targeted = new Set<string>();
  for (const [i, c] of changes.entries()) {
    if (c.target === undefined) continue;
    if (!exists(c.target)) problems.push(whole(i, `there is no policy "${c.target}" to change`));
    else if (targeted.has(c.target)) problems.push(whole(i, `policy "${c.target}" is changed twice`));
    targeted.add(c.target);
  }
  const claimed = new Map<string, number>();
  for (const [i, c] of changes.entries()) {
    if (problems.some((p) => p.change === i)) continue;
    const cluster = c.target !== undefined && clusterById.has(c.target);
    const cilium = c.target !== undefined && ciliumById.has(c.target);
    if (c.yaml === undefined) {
      if (cluster) clusterReplaced.set(c.target!, []);
      else if (cilium) ciliumReplaced.set(c.target!, []);
      else replaced.set(c.target!, []);
      applied.push(i);
      continue;
    }
    const target =
      c.target === undefined
        ? undefined
        : (byId.get(c.target) ?? state.ciliumPolicies.find((p) => p.id === c.target));
    const file = c.target === undefined ? `new policy ${i + 1}` : c.target;
    const parsed = parseManifestText(c.yaml, file);
    const mine: WhatIfProblem[] = [...parsed.errors, ...parsed.warnings].map((p) => problemOf(i, p));
    const tried = (kind: string): boolean =>
      kind === 'NetworkPolicy' || isClusterPolicyKind(kind) || isCiliumPolicyKind(kind);
    const policies = parsed.objects.filter((o) => tried(o.kind));
    for (const o of parsed.objects) {
      if (!tried(o.kind)) {
        mine.push({
          change: i,
          severity: 'error',
          message: `only ${TRIED_KINDS} objects can be tried here, not ${o.kind}`,
          line: o.line,
          column: o.column,
          path: 'kind',
        });
      }
    }
    if (parsed.errors.length === 0 && policies.length === 0 && mine.length === 0) {
      mine.push(
        whole(
          i,
          c.target === undefined
            ? 'no policy in this YAML: write one, or remove this new policy'
            : `no policy in this YAML: write one, or turn "${c.target}" off instead`,
        ),
      );
    }
    const built = buildClusterState(policies, {
      defaultNamespace: target?.namespace ?? defaultNamespace,
      skipInvalid: false,
    });
    mine.push(...built.errors.map((p) => problemOf(i, p)), ...built.warnings.map((p) => problemOf(i, p)));
    for (const p of [
      ...built.state.policies,
      ...built.state.clusterPolicies,
      ...built.state.ciliumPolicies,
    ]) {
      const taken = claimed.get(p.id);
      const existing = exists(p.id) && !targeted.has(p.id);
      if (taken !== undefined || existing) {
        const at = p.origin?.locate?.(['metadata', 'name']) ?? p.origin;
        mine.push({
          change: i,
          severity: 'error',
          message: `policy "${p.id}" already exists${taken === undefined ? '' : ' in another change'}: give it another name, or edit "${p.id}" itself`,
          ...(at === undefined ? {} : { line: at.line, column: at.column }),
          path: 'metadata.name',
        });
      }
      claimed.set(p.id, i);
    }
    problems.push(...mine);
    if (mine.some((p) => p.severity === 'error')) continue;
    applied.push(i);
    // What the YAML holds takes the target's place: policies of the target's kind in its place, the others added.
    const yours = built.state;
    if (c.target !== undefined && cluster) clusterReplaced.set(c.target, yours.clusterPolicies);
    else clusterAdded.push(...yours.clusterPolicies);
    if (c.target !== undefined && cilium) ciliumReplaced.set(c.target, yours.ciliumPolicies);
    else ciliumAdded.push(...yours.ciliumPolicies);
    if (c.target !== undefined && !cluster && !cilium) replaced.set(c.target, yours.policies);
    else added.push(...yours.policies);
  }
  const policies = editPolicies(state.policies, { set: replaced, add: added });
  const clusterPolicies = replaceById(state.clusterPolicies, clusterReplaced, clusterAdded);
  const ciliumPolicies = replaceById(state.ciliumPolicies, ciliumReplaced, ciliumAdded);
  problems.sort(
    (a, b) => a.change - b.change || (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0),
  );
  return { after: { ...state, policies, clusterPolicies, ciliumPolicies }, problems, applied };
}

/**
 * A side's L7 connections with their ends in the common address space (`commonIds`): a class the other
 * side splits is one connection to each part, as the side's connections in `sideOf`.
 */
function l7InCommon(state: CompiledState, common: AddressSpace): L7Connection[] {
  const l7 = state.connectivity.l7 ?? [];
  if (l7.length === 0) return [];
  const ids = commonIds(state.compiled, state.connectivity, common);
  return l7.flatMap((c) => ids(c.src).flatMap((src) => ids(c.dst).map((dst) => ({ ...c, src, dst }))));
}

/** The L7-filtering policies of each connection, by `src\0dst` display names (`Connectivity.l7`). */
function l7Policies(l7: readonly L7Connection[], name: (id: string) => string): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const c of l7) {
    const key = `${name(c.src)}\u0000${name(c.dst)}`;
    const set = out.get(key) ?? new Set<string>();
    for (const p of c.policies) set.add(p);
    out.set(key, set);
  }
  return out;
}

/**
 * What a row says of L7 filtering (as `analyze` and `diff` say it): `filtered at L7 on TCP 8080 by
 * CiliumNetworkPolicy/news/api`, `no longer filtered at L7 on …`; null when neither side filters.
 */
function l7Note(
  r: DiffRow,
  policies: { before: Map<string, Set<string>>; after: Map<string, Set<string>> },
): string | null {
  if (r.l7 === undefined) return null;
  const key = `${r.src}\u0000${r.dst}`;
  const by = (side: 'before' | 'after'): string => {
    const ids = [...(policies[side].get(key) ?? [])].sort();
    return ids.length === 0 ? '' : ` by ${ids.join(', ')}`;
  };
  const { before, after } = r.l7;
  const parts: string[] = [];
  if (portsEqual(before, after)) parts.push(`filtered at L7 on ${formatPorts(after)}${by('after')}`);
  else {
    const kept = subtractPorts(after, subtractPorts(after, before));
    const gained = subtractPorts(after, before);
    const lost = subtractPorts(before, after);
    if (!isEmptyPorts(kept)) parts.push(`still filtered at L7 on ${formatPorts(kept)}${by('after')}`);
    if (!isEmptyPorts(gained)) parts.push(`filtered at L7 on ${formatPorts(gained)}${by('after')}`);
    if (!isEmptyPorts(lost)) parts.push(`no longer filtered at L7 on ${formatPorts(lost)}${by('before')}`);
  }
  return parts.join('; ');
}

/** Reach by DNS name gained, lost or changed (`Connectivity.domains`), sources by display name. */
function domainChanges(
  before: readonly DomainConnection[],
  after: readonly DomainConnection[],
  name: (id: string) => string,
): WhatIfJson['domains'] {
  const key = (d: DomainConnection): string => `${d.src}\u0000${d.domain}`;
  const was = new Map(before.map((d) => [key(d), d]));
  const now = new Map(after.map((d) => [key(d), d]));
  const out: WhatIfJson['domains'][number][] = [];
  for (const k of [...new Set([...was.keys(), ...now.keys()])].sort()) {
    const b = was.get(k)?.ports ?? NO_PORTS;
    const a = now.get(k)?.ports ?? NO_PORTS;
    if (portsEqual(a, b)) continue;
    const d = (now.get(k) ?? was.get(k))!;
    const text = (ports: PortSet): string | null => (isEmptyPorts(ports) ? null : formatPorts(ports));
    out.push({
      change: isEmptyPorts(b) ? 'added' : isEmptyPorts(a) ? 'removed' : 'changed',
      src: name(d.src),
      dst: domainName(d.domain),
      before: text(b),
      after: text(a),
    });
  }
  return out;
}

/** The workload facts of each current state (`WhatIfCompiler.before`, which does not change). */
const factsOfCurrent = new WeakMap<CompiledCluster, Map<string, WorkloadFacts>>();

/** `POST /api/whatif`: problems, the diff (as `netfence diff -o json`), readable rows, and every edge to draw. */
export function whatIf(
  state: ClusterState,
  changes: readonly WhatIfChange[],
  options: WhatIfOptions,
): WhatIfJson {
  const { after, problems, applied } = applyChanges(state, changes, options.defaultNamespace);
  const compiler = options.compiler ?? freshCompiler(openSession(state, options.engine));
  // Both states with their connections in the common address space, and what the edges need of them.
  const common = commonAddressSpace(state, after);
  const facts = (s: CompiledState) => workloadFacts(s.compiled, s.refs());
  const current = compiler.before();
  const sideBefore = sideOf(current.compiled, current.connectivity, common);
  let beforeFacts = factsOfCurrent.get(current.compiled);
  if (beforeFacts === undefined) {
    beforeFacts = facts(current);
    factsOfCurrent.set(current.compiled, beforeFacts);
  }
  const was = { facts: beforeFacts, connections: sideBefore.connections };
  const { diff, now, l7After, domainsAfter } = compiler.after(after, (edited) => {
    const sideAfter = sideOf(edited.compiled, edited.connectivity, common);
    return {
      diff: diffSides(state, after, { before: sideBefore, after: sideAfter }, common, 'workload'),
      now: { facts: facts(edited), connections: sideAfter.connections },
      l7After: l7InCommon(edited, common),
      domainsAfter: edited.connectivity.domains,
    };
  });
  const names = displayNames(
    { granularity: 'workload', entities: diff.entities, byId: diff.byId, connections: [], domains: [] },
    diff.addressSpace,
  );
  const name = (id: string): string => names.get(id) ?? id;
  const l7Before = l7InCommon(current, common);
  const l7 = {
    before: l7Policies(l7Before, name),
    after: l7Policies(l7After, name),
  };
  const order = new Map(diff.entities.map((e, i) => [e.id, i]));
  const keys = [...new Set([...was.connections.keys(), ...now.connections.keys()])];
  const split = (key: string): [string, string] => key.split('\u0000') as [string, string];
  keys.sort((a, b) => {
    const [as, ad] = split(a);
    const [bs, bd] = split(b);
    return order.get(as)! - order.get(bs)! || order.get(ad)! - order.get(bd)!;
  });
  // What Cilium filters at L7 of each edge, by entity ids (of the common address space).
  const l7Text = (list: readonly L7Connection[]): Map<string, string> =>
    new Map(
      list.map((c) => [
        `${c.src}\u0000${c.dst}`,
        `filtered at L7 on ${formatPorts(c.ports)} by ${c.policies.join(', ')}`,
      ]),
    );
  const l7Edge = { before: l7Text(l7Before), after: l7Text(l7After) };
  const edges: WhatIfEdge[] = [];
  for (const key of keys) {
    const [src, dst] = split(key);
    const before = was.connections.get(key);
    const afterPorts = now.connections.get(key);
    const b = before === undefined || isEmptyPorts(before) ? null : formatPorts(before);
    const a = afterPorts === undefined || isEmptyPorts(afterPorts) ? null : formatPorts(afterPorts);
    if (a === null && b === null) continue;
    const change: EdgeChange =
      b === null ? 'added' : a === null ? 'removed' : a === b ? 'unchanged' : 'changed';
    edges.push({
      src,
      dst,
      change,
      summary: (a ?? b)!,
      before: b,
      after: a,
      open: isOpen(change === 'removed' ? was.facts : now.facts, src, dst),
      l7: l7Edge[change === 'removed' ? 'before' : 'after'].get(key) ?? null,
    });
  }
  const json = diffToJson(diff, { before: 'current policies', after: 'what-if' });
  const rows = diffRows(diff).map((r) => ({
    change: r.connection,
    src: r.src,
    dst: r.dst,
    before: isEmptyPorts(r.before) ? null : formatPorts(r.before),
    after: isEmptyPorts(r.after) ? null : formatPorts(r.after),
    added: isEmptyPorts(r.added) ? null : formatPorts(r.added),
    removed: isEmptyPorts(r.removed) ? null : formatPorts(r.removed),
    l7: l7Note(r, l7),
  }));
  return {
    applied,
    problems: problems.map(problemJson),
    summary: json.summary,
    policies: json.policies,
    clusterPolicies: json.clusterPolicies,
    ciliumPolicies: json.ciliumPolicies,
    rows,
    domains: domainChanges(current.connectivity.domains, domainsAfter, name),
    external: diff.entities.flatMap((e) => {
      if (e.kind !== 'external') return [];
      const nodes = diffNodesAt(diff)(e.address.id);
      const x = { id: e.id, description: diff.addressSpace.describe(e.address.id) };
      return [nodes.length === 0 ? x : { ...x, nodes }];
    }),
    edges,
    diff: json,
  };
}
