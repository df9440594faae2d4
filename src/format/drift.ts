/**
 * Drift output formats: txt, json (docs/json-schema.md#drift) and md. The connectivity part is `diff`'s
 * (its tables and its JSON), from the live state to the live state with the desired policies.
 */
import type { DriftJson, DriftPolicyJson } from '../contract/drift.ts';
import type { ClusterDiff } from '../engine/diff.ts';
import type { Drift, DriftKind, PolicyDrift } from '../engine/drift.ts';
import { formatPath } from '../model/problem.ts';
import { mdCell } from './cells.ts';
import {
  connectionSections,
  changedCount,
  connectionCounts,
  connectionTableMd,
  diffRows,
  diffToJson,
  indent,
  type DiffFormat,
} from './diff.ts';
import { plural } from './plural.ts';
import { table } from './table.ts';

/** What the two sides are: `examples/drift/desired.yaml`, `main:deploy`; `live cluster (context prod)`. */
export interface DriftLabels {
  desired: string;
  live: string;
}

export const DRIFT_JSON_SCHEMA_VERSION = 1;
const KINDS: readonly DriftKind[] = ['missing', 'extra', 'changed'];

export function countDrift(drift: Drift, kind: DriftKind): number {
  return drift.drifts.filter((d) => d.kind === kind).length;
}

/** No policy drifted, and no connection differs. */
export function isInSync(drift: Drift): boolean {
  return drift.drifts.length === 0 && drift.connectivity.connections.length === 0;
}

/** `1 missing, 1 extra, 1 changed, 4 in sync`. */
function policySummary(drift: Drift): string {
  const parts = KINDS.flatMap((k) => {
    const n = countDrift(drift, k);
    return n === 0 ? [] : [`${n} ${k}`];
  });
  return [...parts, `${drift.inSync} in sync`].join(', ');
}

function where(d: PolicyDrift): string {
  const o = (d.desired ?? d.live)?.origin;
  return o === undefined ? '' : `${o.file}:${o.line}`;
}

function fields(d: PolicyDrift): string[] {
  return d.fields.map(formatPath);
}

/** `namespaces shop, data`, `every namespace` or `no namespace`, and the live policies left out. */
function scopeLine(drift: Drift): string {
  const ns =
    drift.scope.kind === 'all'
      ? 'every namespace'
      : drift.scope.namespaces.length === 0
        ? 'no namespace (the desired side names none)'
        : `namespace${drift.scope.namespaces.length === 1 ? '' : 's'} ${drift.scope.namespaces.join(', ')}`;
  const left =
    drift.outOfScope === 0
      ? ''
      : `; ${plural(drift.outOfScope, 'live policy', 'live policies')} elsewhere not compared (-A compares them)`;
  return `Extra policies looked for in ${ns}${left}.`;
}

/**
 * `0 connections only desired, 2 only live, 0 on other ports`: connections as `analyze` counts them on each
 * side (`connectionCounts`; on other ports `2 → 1` when the two sides count them apart), as `diff` does.
 */
export function connectionDriftCounts(d: ClusterDiff): string {
  const c = connectionCounts(d);
  return `${plural(c.added, 'connection')} only desired, ${c.removed} only live, ${changedCount(d)} on other ports`;
}

function connectionDrift(drift: Drift): string {
  return drift.connectivity.connections.length === 0
    ? 'no connection differs'
    : connectionDriftCounts(drift.connectivity);
}

export function formatDriftText(drift: Drift, labels: DriftLabels): string {
  const out = [`${labels.desired} (desired) → ${labels.live} (live)`];
  const conn = connectionDrift(drift);
  out.push(
    isInSync(drift)
      ? `In sync: ${plural(drift.inSync, 'policy', 'policies')}; no connectivity difference`
      : `Out of sync: policies: ${policySummary(drift)}; connectivity: ${conn}`,
  );
  out.push(scopeLine(drift));
  if (drift.drifts.length > 0) {
    out.push('', 'Policies');
    const cells = drift.drifts.map((d) => [d.kind, d.id, where(d), fields(d).join(', ')]);
    out.push(indent(table(['DRIFT', 'POLICY', 'WHERE', 'FIELDS'], cells)).trimEnd());
  }
  const sections = connectionSections(drift.connectivity, diffRows(drift.connectivity), {
    added: 'Allowed by the desired policies, not live',
    removed: 'Allowed live, not by the desired policies',
    changed: 'Allowed on other ports live',
  });
  if (sections.length > 0) {
    out.push('', 'Connectivity: live → with the desired policies');
    out.push(...sections);
  }
  return `${out.join('\n')}\n`;
}

export function formatDriftMarkdown(drift: Drift, labels: DriftLabels): string {
  const status = isInSync(drift) ? 'In sync' : 'Out of sync';
  const out = [
    `**${status}** · policies: ${policySummary(drift)} · connectivity: ${connectionDrift(drift)} · \`${mdCell(labels.desired)}\` (desired) → \`${mdCell(labels.live)}\` (live)`,
    '',
    scopeLine(drift),
  ];
  if (drift.drifts.length > 0) {
    out.push('', '| Policy | Drift | Where | Fields |', '| --- | --- | --- | --- |');
    for (const d of drift.drifts) {
      const w = where(d);
      out.push(
        `| ${mdCell(d.id)} | ${d.kind} | ${w === '' ? '' : `\`${mdCell(w)}\``} | ${mdCell(fields(d).join(', '))} |`,
      );
    }
  }
  out.push('', '**Connectivity** (live → with the desired policies)');
  out.push(...connectionTableMd(diffRows(drift.connectivity), 'netfence drift'));
  return `${out.join('\n')}\n`;
}

export function driftToJson(drift: Drift, labels: DriftLabels): DriftJson {
  const policies: DriftPolicyJson[] = drift.drifts.map((d) => ({
    drift: d.kind,
    id: d.id,
    namespace: d.namespace,
    name: d.name,
    file: (d.desired ?? d.live)?.origin?.file ?? null,
    line: (d.desired ?? d.live)?.origin?.line ?? null,
    fields: fields(d),
  }));
  return {
    schemaVersion: DRIFT_JSON_SCHEMA_VERSION,
    desired: labels.desired,
    live: labels.live,
    namespaces: drift.scope.kind === 'all' ? null : drift.scope.namespaces,
    inSync: isInSync(drift),
    summary: {
      missing: countDrift(drift, 'missing'),
      extra: countDrift(drift, 'extra'),
      changed: countDrift(drift, 'changed'),
      inSync: drift.inSync,
      connections: drift.connectivity.connections.length,
    },
    policies,
    connectivity: diffToJson(drift.connectivity, {
      before: labels.live,
      after: `${labels.live} with the policies of ${labels.desired}`,
    }),
  };
}

export function formatDrift(drift: Drift, labels: DriftLabels, format: DiffFormat): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(driftToJson(drift, labels), null, 2)}\n`;
    case 'md':
      return formatDriftMarkdown(drift, labels);
    case 'txt':
      return formatDriftText(drift, labels);
  }
}
