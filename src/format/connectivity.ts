/**
 * Connectivity output formats: txt (a readable table), json (the documented schema, docs/json-schema.md),
 * csv, md and dot. Pure functions from results to text.
 */
import { describeAddressUnion, type AddressSpace } from '../engine/addresses.ts';
import type { Connectivity, Entity } from '../engine/connectivity.ts';
import { formatCidr } from '../engine/ip.ts';
import { formatPorts, portsKey, portsToJson } from '../engine/ports.ts';
import { displayNames } from './names.ts';
import { plural } from './plural.ts';
import { table } from './table.ts';

export const ConnectivityFormat = { txt: 'txt', json: 'json', csv: 'csv', md: 'md', dot: 'dot' } as const;
export type ConnectivityFormat = (typeof ConnectivityFormat)[keyof typeof ConnectivityFormat];

export interface AnalysisSummary {
  namespaces: number;
  workloads: number;
  pods: number;
  policies: number;
}

export const JSON_SCHEMA_VERSION = 1;

/** How JSON output names one end of a connection. */
export function entityRef(e: Entity): Record<string, unknown> {
  switch (e.kind) {
    case 'workload':
      return { workload: e.id };
    case 'pod':
      return { pod: e.id };
    case 'external':
      return { external: e.address.cover.map(formatCidr) };
  }
}

export function connectivityToJson(
  conn: Connectivity,
  space: AddressSpace,
  summary: AnalysisSummary,
): unknown {
  const workloads = conn.entities.flatMap((e) =>
    e.kind === 'workload'
      ? [
          {
            id: e.id,
            namespace: e.workload.namespace,
            kind: e.workload.kind,
            name: e.workload.name,
            pods: e.workload.pods,
            replicas: e.workload.replicas ?? null,
            labels: e.workload.labels,
          },
        ]
      : [],
  );
  const pods = conn.entities.flatMap((e) =>
    e.kind === 'pod'
      ? [
          {
            id: e.id,
            namespace: e.pod.namespace,
            name: e.pod.name,
            workload: e.pod.workload,
            template: e.pod.template,
            ips: e.pod.ips,
            labels: e.pod.labels,
          },
        ]
      : [],
  );
  const external = conn.entities.flatMap((e) =>
    e.kind === 'external'
      ? [
          {
            id: e.id,
            description: space.describe(e.address.id),
            cidrs: e.address.nodes.map(formatCidr),
            except: e.address.except.map(formatCidr),
            cover: e.address.cover.map(formatCidr),
          },
        ]
      : [],
  );
  return {
    schemaVersion: JSON_SCHEMA_VERSION,
    granularity: conn.granularity,
    summary: { ...summary, connections: conn.connections.length },
    ...(conn.granularity === 'workload' ? { workloads } : { pods }),
    external,
    connections: conn.connections.map((c) => ({
      src: entityRef(conn.byId.get(c.src)!),
      dst: entityRef(conn.byId.get(c.dst)!),
      ports: portsToJson(c.ports),
      summary: formatPorts(c.ports),
    })),
  };
}

/**
 * Rows for the human formats: connections to (or from) several address classes with the same ports are
 * merged into one row, described as simply as possible ("any address", "any address except 10.0.0.0/8").
 */
export function displayRows(conn: Connectivity, space: AddressSpace): [string, string, string][] {
  const names = displayNames(conn, space);
  const name = (id: string): string => names.get(id) ?? id;
  const groups = new Map<string, { src: string | number[]; dst: string | number[]; ports: string }>();
  for (const c of conn.connections) {
    const src = conn.byId.get(c.src)!;
    const dst = conn.byId.get(c.dst)!;
    const ports = formatPorts(c.ports);
    if (dst.kind === 'external') {
      const key = `${c.src}\u0000>\u0000${portsKey(c.ports)}`;
      const g = groups.get(key);
      if (g === undefined) groups.set(key, { src: name(c.src), dst: [dst.address.id], ports });
      else (g.dst as number[]).push(dst.address.id);
    } else if (src.kind === 'external') {
      const key = `${c.dst}\u0000<\u0000${portsKey(c.ports)}`;
      const g = groups.get(key);
      if (g === undefined) groups.set(key, { src: [src.address.id], dst: name(c.dst), ports });
      else (g.src as number[]).push(src.address.id);
    } else {
      groups.set(`${c.src}\u0000${c.dst}`, { src: name(c.src), dst: name(c.dst), ports });
    }
  }
  const side = (v: string | number[]): string => (typeof v === 'string' ? v : describeAddressUnion(space, v));
  return [...groups.values()].map((g) => [side(g.src), side(g.dst), g.ports]);
}

function csvField(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

function mdCell(s: string): string {
  return s.replaceAll('|', '\\|');
}

function dotId(s: string): string {
  return `"${s.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

export function formatConnectivity(
  conn: Connectivity,
  space: AddressSpace,
  summary: AnalysisSummary,
  format: ConnectivityFormat,
): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(connectivityToJson(conn, space, summary), null, 2)}\n`;
    case 'csv': {
      const lines = ['src,dst,connections'];
      for (const row of displayRows(conn, space)) lines.push(row.map(csvField).join(','));
      return `${lines.join('\n')}\n`;
    }
    case 'md': {
      const lines = [
        `**${plural(displayRows(conn, space).length, 'allowed connection')}** between ${plural(summary.workloads, 'workload')} in ${plural(summary.namespaces, 'namespace')} (${plural(summary.policies, 'policy', 'policies')})`,
        '',
        '| Source | Destination | Connections |',
        '| --- | --- | --- |',
      ];
      for (const row of displayRows(conn, space)) lines.push(`| ${row.map(mdCell).join(' | ')} |`);
      return `${lines.join('\n')}\n`;
    }
    case 'dot': {
      const names = displayNames(conn, space);
      return formatDot(conn, (id) => names.get(id) ?? id);
    }
    case 'txt': {
      const rows = displayRows(conn, space);
      const pods = summary.pods > 0 ? ` (${plural(summary.pods, 'pod')})` : '';
      const header = `${plural(summary.workloads, 'workload')}${pods} in ${plural(summary.namespaces, 'namespace')}, ${plural(summary.policies, 'policy', 'policies')}: ${plural(rows.length, 'allowed connection')}`;
      if (rows.length === 0) return `${header}\n`;
      return `${header}\n\n${table(['SOURCE', 'DESTINATION', 'CONNECTIONS'], rows)}`;
    }
  }
}

function formatDot(conn: Connectivity, name: (id: string) => string): string {
  const lines = [
    'digraph netfence {',
    '  rankdir=LR;',
    '  node [shape=box, style="rounded,filled", fillcolor="#eef3fb", fontname="Helvetica"];',
    '  edge [fontname="Helvetica", fontsize=10];',
  ];
  const byNamespace = new Map<string, Entity[]>();
  const external: Entity[] = [];
  for (const e of conn.entities) {
    if (e.kind === 'external') {
      external.push(e);
      continue;
    }
    const ns = e.kind === 'workload' ? e.workload.namespace : e.pod.namespace;
    const list = byNamespace.get(ns) ?? [];
    list.push(e);
    byNamespace.set(ns, list);
  }
  const used = new Set(conn.connections.flatMap((c) => [c.src, c.dst]));
  let i = 0;
  for (const [ns, list] of byNamespace) {
    lines.push(
      `  subgraph cluster_${i++} {`,
      `    label=${dotId(`namespace ${ns}`)};`,
      '    style="rounded"; color="#9aa9bf";',
    );
    for (const e of list) {
      const label =
        e.kind === 'workload' ? `${e.workload.name}\\n(${e.workload.kind})` : e.id.slice(ns.length + 1);
      lines.push(`    ${dotId(e.id)} [label="${label.replaceAll('"', '\\"')}"];`);
    }
    lines.push('  }');
  }
  const usedExternal = external.filter((e) => used.has(e.id));
  if (usedExternal.length > 0) {
    lines.push(
      '  subgraph cluster_external {',
      '    label="outside the cluster"; style="dashed"; color="#c08a3e";',
    );
    for (const e of usedExternal) {
      lines.push(`    ${dotId(e.id)} [label=${dotId(name(e.id))}, shape=ellipse, fillcolor="#fdf1df"];`);
    }
    lines.push('  }');
  }
  for (const c of conn.connections) {
    lines.push(`  ${dotId(c.src)} -> ${dotId(c.dst)} [label=${dotId(formatPorts(c.ports))}];`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
