/**
 * Diff output formats: txt (sections of aligned tables), json (the documented schema, docs/json-schema.md)
 * and md (a table for a pull request comment). Pure functions from a `ClusterDiff` to text.
 */
import type { PortsJson } from '../contract/common.ts';
import type { DiffClusterPolicyJson, DiffJson, EntitiesChangedJson } from '../contract/diff.ts';
import { describeAddressUnion } from '../describe/addresses.ts';
import type { Connectivity } from '../engine/connectivity.ts';
import {
  diffNodesAt,
  type CiliumPolicyChange,
  type ClusterDiff,
  type ConnectionChange,
  type PolicyChange,
} from '../engine/diff.ts';
import { tierWord, type ClusterPolicyChange } from '../engine/tier-diff.ts';
import { formatPorts } from '../describe/ports.ts';
import { isEmptyPorts, portsKey, portsToJson, subtractPorts, type PortSet } from '../engine/ports.ts';
import type { ClusterPolicyInfo, PolicyInfo } from '../model/cluster.ts';
import type { CiliumPolicyInfo } from '../model/cilium.ts';
import { formatPath, type FieldPath } from '../model/problem.ts';
import { entityRef, externalEntryJson } from './connectivity.ts';
import { nodesOfUnion, withNodes } from './node-addresses.ts';
import { displayNames } from './names.ts';
import { table } from './table.ts';
import { mdCell } from './cells.ts';
import { pairKey } from '../base/text.ts';
import { inRows, plural } from './plural.ts';

export const DiffFormat = { txt: 'txt', json: 'json', md: 'md' } as const;
export type DiffFormat = (typeof DiffFormat)[keyof typeof DiffFormat];

export const DIFF_JSON_SCHEMA_VERSION = 1;

/** What the two sides are, for the heading: `examples/webshop`, `main:deploy/`, `working tree`. */
export interface DiffLabels {
  before: string;
  after: string;
}

/** Rows of a markdown table before the rest is summarized, to stay within a comment's size limit. */
export const MD_MAX_ROWS = 100;

/** A row of the human formats: one connection change, or several to (or from) address classes merged. */
export interface DiffRow extends Omit<ConnectionChange, 'src' | 'dst'> {
  /** The ends as the tables name them (a workload, a union of address classes), not the diff's entity ids. */
  src: string;
  dst: string;
}

/**
 * Changes to (or from) several address classes with the same ports merge into one row, described as simply
 * as possible ("any address except 198.51.100.40/32"), as `analyze` shows them.
 */
export function diffRows(diff: ClusterDiff): DiffRow[] {
  const name = names(diff);
  const groups = new Map<string, { c: ConnectionChange; src: string | number[]; dst: string | number[] }>();
  for (const c of diff.connections) {
    const src = diff.byId.get(c.src)!;
    const dst = diff.byId.get(c.dst)!;
    const l7 = c.l7 === undefined ? '' : `\u0000${portsKey(c.l7.before)}\u0000${portsKey(c.l7.after)}`;
    // Rows never mix connections the counts tell apart (a removed one, and a changed one that lost the same).
    const ports = `${c.connection}\u0000${c.change}\u0000${portsKey(c.before)}\u0000${portsKey(c.after)}${l7}`;
    if (dst.kind === 'external') {
      const key = `${c.src}\u0000>\u0000${ports}`;
      const g = groups.get(key);
      if (g === undefined) groups.set(key, { c, src: name(c.src), dst: [dst.address.id] });
      else (g.dst as number[]).push(dst.address.id);
    } else if (src.kind === 'external') {
      const key = `${c.dst}\u0000<\u0000${ports}`;
      const g = groups.get(key);
      if (g === undefined) groups.set(key, { c, src: [src.address.id], dst: name(c.dst) });
      else (g.src as number[]).push(src.address.id);
    } else {
      groups.set(pairKey(c.src, c.dst), { c, src: name(c.src), dst: name(c.dst) });
    }
  }
  const nodesAt = diffNodesAt(diff);
  const side = (v: string | number[]): string =>
    typeof v === 'string'
      ? v
      : withNodes(describeAddressUnion(diff.addressSpace, v), nodesOfUnion(nodesAt, v));
  return [...groups.values()].map(({ c, src, dst }) => ({
    change: c.change,
    connection: c.connection,
    src: side(src),
    dst: side(dst),
    before: c.before,
    after: c.after,
    added: c.added,
    removed: c.removed,
    ...(c.l7 === undefined ? {} : { l7: c.l7 }),
  }));
}

/**
 * The connections of each side as `analyze` counts them (in the side's own address classes): `added` of the
 * after side, `removed` of the before side, `changed` of each side (a connection to an address class that
 * the other side splits may be one changed connection before and several after, or the reverse).
 */
export function connectionCounts(diff: ClusterDiff): {
  added: number;
  removed: number;
  changed: { before: number; after: number };
  total: { before: number; after: number };
} {
  const { before, after } = diff.counts;
  return {
    added: after.gone,
    removed: before.gone,
    changed: { before: before.changed, after: after.changed },
    total: { before: before.connections, after: after.connections },
  };
}

/** `2` when both sides count as many changed connections, else `2 → 1` (before → after). */
export function changedCount(diff: ClusterDiff): string {
  const { before, after } = connectionCounts(diff).changed;
  return before === after ? `${before}` : `${before} → ${after}`;
}

/** `+3 connections, −1, 2 changed`: each side's connections as `analyze` counts them (`connectionCounts`). */
export function changeCounts(diff: ClusterDiff): string {
  const { added, removed } = connectionCounts(diff);
  return `+${plural(added, 'connection')}, −${removed}, ${changedCount(diff)} changed`;
}

/** `+1 connection, −16, 2 → 1 changed (221 → 225 connections)`: the changes, and each side's total as `analyze`'s. */
export function connectionSummary(diff: ClusterDiff): string {
  const { total } = connectionCounts(diff);
  return `${changeCounts(diff)} (${total.before} → ${plural(total.after, 'connection')})`;
}

/** `1 added, 4 modified` of some policy changes, or undefined when there are none. */
/** `1 added, 2 modified` for any list of policy changes, or undefined when it is empty. */
export function changeSummary(changes: readonly { change: PolicyChange['change'] }[]): string | undefined {
  const parts: string[] = [];
  for (const kind of ['added', 'removed', 'modified'] as const) {
    const n = changes.filter((p) => p.change === kind).length;
    if (n > 0) parts.push(`${n} ${kind}`);
  }
  return parts.length === 0 ? undefined : parts.join(', ');
}

/** `1 added, 4 modified`, or undefined when no policy changed. */
export function policySummary(diff: ClusterDiff): string | undefined {
  return changeSummary(diff.policies);
}

/** `1 added, 2 modified` for the cluster policies, or undefined when none changed. */
export function clusterPolicySummary(diff: ClusterDiff): string | undefined {
  return changeSummary(diff.clusterPolicies);
}

/** `; cluster policies: 1 modified` when some changed: the summary line mentions them only then. */
function clusterPolicySuffix(diff: ClusterDiff): string {
  const summary = clusterPolicySummary(diff);
  return summary === undefined ? '' : `; cluster policies: ${summary}`;
}

/** `; Cilium policies: 1 removed` when some changed. */
function ciliumSuffix(diff: ClusterDiff): string {
  const summary = changeSummary(diff.ciliumPolicies);
  return summary === undefined ? '' : `; Cilium policies: ${summary}`;
}

function names(diff: ClusterDiff): (id: string) => string {
  const conn: Connectivity = {
    granularity: diff.granularity,
    entities: diff.entities,
    byId: diff.byId,
    connections: [],
    domains: [],
  };
  const map = displayNames(conn, diff.addressSpace, diffNodesAt(diff));
  return (id) => map.get(id) ?? id;
}

/** `+TCP 443; −TCP 6379`: what a changed connection gained and lost. */
function delta(c: DiffRow): string {
  const parts: string[] = [];
  if (!isEmptyPorts(c.added)) parts.push(`+${formatPorts(c.added)}`);
  if (!isEmptyPorts(c.removed)) parts.push(`−${formatPorts(c.removed)}`);
  // Gaining or losing L7 filtering is a change even on the same ports.
  if (c.l7 !== undefined) {
    const gained = subtractPorts(c.l7.after, c.l7.before);
    const lost = subtractPorts(c.l7.before, c.l7.after);
    if (!isEmptyPorts(gained)) parts.push(`filtered at L7 on ${formatPorts(gained)}`);
    if (!isEmptyPorts(lost)) parts.push(`no longer filtered at L7 on ${formatPorts(lost)}`);
  }
  return parts.join('  ');
}

function origin(p: PolicyInfo | ClusterPolicyInfo | CiliumPolicyInfo | undefined): string {
  const o = p?.origin;
  return o === undefined ? '' : `${o.file}:${o.line}`;
}

/** A changed NetworkPolicy or cluster policy: what the field listings read of either. */
type AnyPolicyChange = PolicyChange | ClusterPolicyChange | CiliumPolicyChange;

/** The policy's place: in the after state, or (removed) in the before state. */
function policyWhere(p: AnyPolicyChange): string {
  return origin(p.after ?? p.before);
}

/** `spec.ingress[0].from (line 51)`: each changed field, with its line in the after state when known. */
function fieldLines(p: AnyPolicyChange): { path: string; line: number | undefined }[] {
  return p.fields.map((f: FieldPath) => ({ path: formatPath(f), line: p.after?.origin?.locate?.(f)?.line }));
}

/** `Admin 50`, `Baseline` (the BaselineAdminNetworkPolicy has no priority): a cluster policy's place. */
function tierPlace(p: ClusterPolicyInfo): string {
  return p.priority === undefined ? tierWord(p.tier) : `${tierWord(p.tier)} ${p.priority}`;
}

/** The tier and priority column: the side's place, or `Admin 100 → 50`, `Admin 100 → Baseline 50` when it moved. */
function describeTier(p: ClusterPolicyChange): string {
  const { before: x, after: y } = p;
  if (x === undefined || y === undefined) return tierPlace((y ?? x)!);
  if (x.tier !== y.tier) return `${tierPlace(x)} → ${tierPlace(y)}`;
  return x.priority === y.priority ? tierPlace(y) : `${tierWord(y.tier)} ${x.priority} → ${y.priority}`;
}

/** The notes of a modified cluster policy (tier, priority, actions, order), `; `-separated. */
function describeNotes(p: ClusterPolicyChange): string {
  return p.notes.join('; ');
}

function describeFields(p: AnyPolicyChange): string {
  if (p.change !== 'modified') return '';
  return fieldLines(p)
    .map((f) => (f.line === undefined ? f.path : `${f.path} (line ${f.line})`))
    .join(', ');
}

export function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => (l === '' ? l : `  ${l}`))
    .join('\n');
}

/** The added, removed and changed connections as indented tables, each after a blank line and its title. */
/** The titles of the connection sections; `diff`'s by default. */
export interface SectionTitles {
  added: string;
  removed: string;
  changed: string;
}

const DIFF_TITLES: SectionTitles = {
  added: 'Added connections',
  removed: 'Removed connections',
  changed: 'Changed connections',
};

export function connectionSections(
  diff: ClusterDiff,
  rows: readonly DiffRow[] = diffRows(diff),
  titles: SectionTitles = DIFF_TITLES,
): string[] {
  const out: string[] = [];
  const counts = connectionCounts(diff);
  const section = (kind: ConnectionChange['change'], title: string): void => {
    const list = rows.filter((c) => c.connection === kind);
    if (list.length === 0) return;
    // One number when the sides agree (added: the after side's, removed: the before side's), else both.
    const n =
      kind === 'added'
        ? counts.added
        : kind === 'removed'
          ? counts.removed
          : counts.changed.before === counts.changed.after
            ? counts.changed.before
            : undefined;
    const count =
      n === undefined
        ? `${changedCount(diff)} in ${plural(list.length, 'row')}`
        : `${n}${inRows(n, list.length)}`;
    out.push('', `${title} (${count})`);
    if (kind === 'changed') {
      // A changed connection may lose (or gain) every port to some of its addresses: none is `—`, as in `-o md`.
      const ports = (p: PortSet): string => (isEmptyPorts(p) ? '—' : formatPorts(p));
      const cells = list.map((c) => [c.src, c.dst, ports(c.before), ports(c.after), delta(c)]);
      out.push(indent(table(['SOURCE', 'DESTINATION', 'BEFORE', 'AFTER', 'CHANGE'], cells)).trimEnd());
    } else {
      const cells = list.map((c) => [c.src, c.dst, formatPorts(kind === 'added' ? c.after : c.before)]);
      out.push(indent(table(['SOURCE', 'DESTINATION', 'CONNECTIONS'], cells)).trimEnd());
    }
  };
  section('added', titles.added);
  section('removed', titles.removed);
  section('changed', titles.changed);
  return out;
}

export function formatDiffText(diff: ClusterDiff, labels: DiffLabels): string {
  const name = names(diff);
  const rows = diffRows(diff);
  const out: string[] = [`${labels.before} → ${labels.after}`];
  const policies = policySummary(diff);
  const cilium = changeSummary(diff.ciliumPolicies);
  out.push(
    `${connectionSummary(diff)}; policies: ${policies ?? 'unchanged'}${ciliumSuffix(diff)}${clusterPolicySuffix(diff)}`,
  );
  const what = diff.granularity === 'workload' ? 'Workloads' : 'Pods';
  if (diff.entitiesAdded.length > 0)
    out.push(`${what} only after: ${diff.entitiesAdded.map(name).join(', ')}`);
  if (diff.entitiesRemoved.length > 0)
    out.push(`${what} only before: ${diff.entitiesRemoved.map(name).join(', ')}`);

  out.push(...connectionSections(diff, rows));

  if (diff.policies.length > 0) {
    out.push('', `Policies (${policies!})`);
    const cells = diff.policies.map((p) => [p.change, p.id, policyWhere(p), describeFields(p)]);
    out.push(indent(table(['CHANGE', 'POLICY', 'WHERE', 'FIELDS'], cells)).trimEnd());
  }
  if (diff.ciliumPolicies.length > 0) {
    out.push('', `Cilium policies (${cilium!})`);
    const cells = diff.ciliumPolicies.map((p) => [p.change, p.id, policyWhere(p), describeFields(p)]);
    out.push(indent(table(['CHANGE', 'POLICY', 'WHERE', 'FIELDS'], cells)).trimEnd());
  }
  out.push(...clusterPolicySection(diff));
  if (
    rows.length === 0 &&
    diff.policies.length === 0 &&
    diff.clusterPolicies.length === 0 &&
    diff.ciliumPolicies.length === 0
  )
    out.push('', 'No differences.');
  return `${out.join('\n')}\n`;
}

/**
 * The cluster policies section of the text report: a table (change, policy, tier and priority, where, fields),
 * then what changes their place and decisions in words, one line per modified policy that has any.
 */
function clusterPolicySection(diff: ClusterDiff): string[] {
  const summary = clusterPolicySummary(diff);
  if (summary === undefined) return [];
  const cells = diff.clusterPolicies.map((p) => [
    p.change,
    p.id,
    describeTier(p),
    policyWhere(p),
    describeFields(p),
  ]);
  const out = ['', `Cluster policies (${summary})`];
  out.push(indent(table(['CHANGE', 'POLICY', 'TIER', 'WHERE', 'FIELDS'], cells)).trimEnd());
  const noted = diff.clusterPolicies.filter((p) => p.notes.length > 0);
  if (noted.length > 0) {
    out.push('', '  What changes their decisions:');
    for (const p of noted) out.push(`    ${p.id}: ${describeNotes(p)}`);
  }
  return out;
}

/** The connection rows as a markdown table (added, removed, changed), or a line saying there are none. */
export function connectionTableMd(rows: readonly DiffRow[], command: string): string[] {
  const out: string[] = [];
  if (rows.length > 0) {
    out.push('', '| Change | Source | Destination | Before | After |', '| --- | --- | --- | --- | --- |');
    // Added first, then removed, then changed: what a reviewer must look at first.
    const ordered = (['added', 'removed', 'changed'] as const).flatMap((k) =>
      rows.filter((c) => c.connection === k),
    );
    for (const c of ordered.slice(0, MD_MAX_ROWS)) {
      const before = isEmptyPorts(c.before) ? '—' : formatPorts(c.before);
      const after = isEmptyPorts(c.after) ? '—' : formatPorts(c.after);
      out.push(
        `| ${c.connection} | ${mdCell(c.src)} | ${mdCell(c.dst)} | ${mdCell(before)} | ${mdCell(after)} |`,
      );
    }
    if (ordered.length > MD_MAX_ROWS) {
      out.push('', `_…and ${ordered.length - MD_MAX_ROWS} more rows; run \`${command}\` for the full list._`);
    }
  } else {
    out.push('', 'No connectivity changes.');
  }
  return out;
}

/** A Markdown table of changed NetworkPolicies or Cilium policies (nothing when none changed). */
function policyTableMd(title: string, changes: readonly (PolicyChange | CiliumPolicyChange)[]): string[] {
  if (changes.length === 0) return [];
  return [
    '',
    `| ${title} | Change | Where | Fields |`,
    '| --- | --- | --- | --- |',
    ...changes.map((p) => {
      const where = policyWhere(p);
      return `| ${mdCell(p.id)} | ${p.change} | ${where === '' ? '' : `\`${mdCell(where)}\``} | ${mdCell(describeFields(p))} |`;
    }),
  ];
}

export function formatDiffMarkdown(diff: ClusterDiff, labels: DiffLabels): string {
  const name = names(diff);
  const rows = diffRows(diff);
  const policies = policySummary(diff);
  const out: string[] = [
    `**${connectionSummary(diff)}**${rows.length === 0 ? '' : ` in ${plural(rows.length, 'row')}`} · policies: ${policies ?? 'unchanged'}${ciliumSuffix(diff).replace('; ', ' · ')}${clusterPolicySuffix(diff).replace('; ', ' · ')} · \`${mdCell(labels.before)}\` → \`${mdCell(labels.after)}\``,
  ];
  const what = diff.granularity === 'workload' ? 'Workloads' : 'Pods';
  if (diff.entitiesAdded.length > 0) {
    out.push('', `${what} only after: ${diff.entitiesAdded.map((id) => `\`${name(id)}\``).join(', ')}`);
  }
  if (diff.entitiesRemoved.length > 0) {
    out.push('', `${what} only before: ${diff.entitiesRemoved.map((id) => `\`${name(id)}\``).join(', ')}`);
  }
  out.push(...connectionTableMd(rows, 'netfence diff'));
  out.push(...policyTableMd('Policy', diff.policies), ...policyTableMd('Cilium policy', diff.ciliumPolicies));
  if (diff.clusterPolicies.length > 0) {
    out.push(
      '',
      '| Cluster policy | Change | Tier | Where | Changes | Fields |',
      '| --- | --- | --- | --- | --- | --- |',
    );
    for (const p of diff.clusterPolicies) {
      const where = policyWhere(p);
      out.push(
        `| ${mdCell(p.id)} | ${p.change} | ${mdCell(describeTier(p))} | ${where === '' ? '' : `\`${mdCell(where)}\``} | ${mdCell(describeNotes(p))} | ${mdCell(describeFields(p))} |`,
      );
    }
  }
  return `${out.join('\n')}\n`;
}

export function diffToJson(diff: ClusterDiff, labels: DiffLabels): DiffJson {
  const counts = diff.counts;
  const countPolicies = (kind: string): number => diff.policies.filter((p) => p.change === kind).length;
  const countCluster = (kind: string): number => diff.clusterPolicies.filter((p) => p.change === kind).length;
  const countCilium = (kind: string): number => diff.ciliumPolicies.filter((p) => p.change === kind).length;
  const used = new Set(diff.connections.flatMap((c) => [c.src, c.dst]));
  const ports = (p: PortSet): PortsJson | null => (isEmptyPorts(p) ? null : portsToJson(p));
  const summaryOf = (p: PortSet): string | null => (isEmptyPorts(p) ? null : formatPorts(p));
  const changed: EntitiesChangedJson = { added: diff.entitiesAdded, removed: diff.entitiesRemoved };
  return {
    schemaVersion: DIFF_JSON_SCHEMA_VERSION,
    granularity: diff.granularity,
    before: labels.before,
    after: labels.after,
    summary: {
      added: counts.after.gone,
      removed: counts.before.gone,
      changed: counts.before.changed,
      unchanged: counts.before.unchanged,
      before: {
        connections: counts.before.connections,
        unchanged: counts.before.unchanged,
        changed: counts.before.changed,
        removed: counts.before.gone,
      },
      after: {
        connections: counts.after.connections,
        unchanged: counts.after.unchanged,
        changed: counts.after.changed,
        added: counts.after.gone,
      },
      policiesAdded: countPolicies('added'),
      policiesRemoved: countPolicies('removed'),
      policiesModified: countPolicies('modified'),
      clusterPoliciesAdded: countCluster('added'),
      clusterPoliciesRemoved: countCluster('removed'),
      clusterPoliciesModified: countCluster('modified'),
      ciliumPoliciesAdded: countCilium('added'),
      ciliumPoliciesRemoved: countCilium('removed'),
      ciliumPoliciesModified: countCilium('modified'),
    },
    ...(diff.granularity === 'workload' ? { workloads: changed } : { pods: changed }),
    external: diff.entities.flatMap((e) =>
      e.kind === 'external' && used.has(e.id)
        ? [externalEntryJson(diff.addressSpace, e.address.id, diffNodesAt(diff))]
        : [],
    ),
    connections: diff.connections.map((c) => ({
      change: c.change,
      connection: c.connection,
      src: entityRef(diff.byId.get(c.src)!),
      dst: entityRef(diff.byId.get(c.dst)!),
      before: ports(c.before),
      after: ports(c.after),
      addedPorts: ports(c.added),
      removedPorts: ports(c.removed),
      summary: { before: summaryOf(c.before), after: summaryOf(c.after) },
      ...(c.l7 === undefined ? {} : { l7: { before: summaryOf(c.l7.before), after: summaryOf(c.l7.after) } }),
    })),
    policies: diff.policies.map((p) => {
      const info = (p.after ?? p.before)!;
      return {
        change: p.change,
        id: p.id,
        namespace: info.namespace,
        name: info.name,
        file: info.origin?.file ?? null,
        line: info.origin?.line ?? null,
        fields: fieldLines(p).map((f) => ({ path: f.path, line: f.line ?? null })),
      };
    }),
    clusterPolicies: diff.clusterPolicies.map(clusterPolicyJson),
    ciliumPolicies: diff.ciliumPolicies.map((p) => {
      const info = (p.after ?? p.before)!;
      return {
        change: p.change,
        id: p.id,
        kind: info.kind,
        namespace: info.namespace ?? null,
        name: info.name,
        file: info.origin?.file ?? null,
        line: info.origin?.line ?? null,
        fields: fieldLines(p).map((f) => ({ path: f.path, line: f.line ?? null })),
      };
    }),
  };
}

function clusterPolicyJson(p: ClusterPolicyChange): DiffClusterPolicyJson {
  const info = (p.after ?? p.before)!;
  return {
    change: p.change,
    id: p.id,
    kind: p.kind,
    name: p.name,
    tier: {
      before: p.before === undefined ? null : tierWord(p.before.tier),
      after: p.after === undefined ? null : tierWord(p.after.tier),
    },
    priority: { before: p.before?.priority ?? null, after: p.after?.priority ?? null },
    file: info.origin?.file ?? null,
    line: info.origin?.line ?? null,
    fields: fieldLines(p).map((f) => ({ path: f.path, line: f.line ?? null })),
    notes: p.notes,
  };
}

export function formatDiff(diff: ClusterDiff, labels: DiffLabels, format: DiffFormat): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(diffToJson(diff, labels), null, 2)}\n`;
    case 'md':
      return formatDiffMarkdown(diff, labels);
    case 'txt':
      return formatDiffText(diff, labels);
  }
}
