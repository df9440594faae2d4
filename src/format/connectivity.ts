/**
 * Connectivity output formats: txt (a readable table), json (the documented schema, docs/json-schema.md),
 * csv, md and dot. Pure functions from results to text.
 */
import { describeAddressUnion } from '../describe/addresses.ts';
import { type AddressSpace } from '../engine/addresses.ts';
import { externalId, type Connectivity, type DomainConnection, type Entity } from '../engine/connectivity.ts';
import type { ConnectionGroup, GroupedConnectivity, WithinGroup } from '../engine/grouped.ts';
import { Tier, type ClusterState } from '../model/cluster.ts';
import type { UndefinedOrder } from '../lint/checks/priority-overlap.ts';
import { formatCidr } from '../base/ip.ts';
import { formatPorts } from '../describe/ports.ts';
import { portsKey, portsToJson, type PortSet } from '../engine/ports.ts';
import { displayNames } from './names.ts';
import { noNodes, nodesOfUnion, withNodes, type NodesAt } from './node-addresses.ts';
import { inRows, plural } from './plural.ts';
import { tableLines } from './table.ts';
import { csvField, dotId, mdCell } from './cells.ts';
import { pairKey } from '../base/text.ts';
import type {
  AnalyzeHeadJson,
  AnalyzeJson,
  ConnectionGroupJson,
  ConnectivityJson,
  DomainConnectionJson,
  L7ConnectionJson,
  WithinGroupJson,
} from '../contract/analyze.ts';
import type { L7Connection } from '../engine/cilium-l7.ts';
import type { EntityListsJson, EntityRefJson, ExternalEntryJson } from '../contract/common.ts';

export const ConnectivityFormat = { txt: 'txt', json: 'json', csv: 'csv', md: 'md', dot: 'dot' } as const;
export type ConnectivityFormat = (typeof ConnectivityFormat)[keyof typeof ConnectivityFormat];
/** The pairwise formats; `json` is grouped (`groupedJsonChunks`). */
export type TableFormat = Exclude<ConnectivityFormat, 'json'>;

export interface AnalysisSummary {
  namespaces: number;
  workloads: number;
  pods: number;
  policies: number;
  /** CiliumNetworkPolicies and CiliumClusterwideNetworkPolicies read: in the text headers when there are any. */
  ciliumPolicies: number;
  /** Cluster policies (CNP, ANP, BANP) and Nodes read: in the text headers only, when there are any. */
  tiers?: { clusterPolicies: number; nodes: number };
  /** Ties of equal priority that decide some traffic (`analyze -o json`'s `summary.undefinedOrder`). */
  undefinedOrder?: readonly UndefinedOrder[];
}

/** `, 6 Cilium policies, 2 cluster policies, 3 nodes`: each only when the input has some. */
function extraCounts(c: { ciliumPolicies: number; clusterPolicies: number; nodes: number }): string {
  const parts: string[] = [];
  if (c.ciliumPolicies > 0) parts.push(plural(c.ciliumPolicies, 'Cilium policy', 'Cilium policies'));
  if (c.clusterPolicies > 0) parts.push(plural(c.clusterPolicies, 'cluster policy', 'cluster policies'));
  if (c.nodes > 0) parts.push(plural(c.nodes, 'node'));
  return parts.map((p) => `, ${p}`).join('');
}

/** The counts after `N policies` in the text headers (`policies` alone are NetworkPolicies, every output over). */
function tierCounts(summary: AnalysisSummary): string {
  return extraCounts({
    ciliumPolicies: summary.ciliumPolicies,
    clusterPolicies: summary.tiers?.clusterPolicies ?? 0,
    nodes: summary.tiers?.nodes ?? 0,
  });
}

/**
 * The policies of a state in words, as every header says them: `1 policy` (NetworkPolicies), then Cilium
 * policies and cluster policies when there are any: `1 policy, 6 Cilium policies, 2 cluster policies`.
 */
export function policyCounts(state: ClusterState): string {
  return `${plural(state.policies.length, 'policy', 'policies')}${extraCounts({
    ciliumPolicies: state.ciliumPolicies.length,
    clusterPolicies: state.clusterPolicies.length,
    nodes: 0,
  })}`;
}

/** A DNS name as a destination outside the cluster: `api.example.com (by DNS name)`. */
export function domainName(domain: string): string {
  return `${domain} (by DNS name)`;
}

/**
 * `, plus 4 by DNS name` after the count of connections: (source, DNS name) pairs are shown as rows but are
 * not connections (no address is known until the name resolves), so they are counted apart.
 */
function domainCount(conn: Pick<Connectivity, 'domains'>): string {
  return conn.domains.length === 0 ? '' : `, plus ${conn.domains.length} by DNS name`;
}

/** The pairwise counts of the JSON documents (`serve`'s model): the tier counts are `analyze`'s only. */
function jsonCounts(summary: AnalysisSummary): Omit<AnalysisSummary, 'tiers' | 'ciliumPolicies'> {
  const { namespaces, workloads, pods, policies } = summary;
  return { namespaces, workloads, pods, policies };
}

/** The pairwise connectivity document (`connectivityToJson`), the base of `serve`'s model. */
export const JSON_SCHEMA_VERSION = 1;
/** `analyze -o json`: version 2 lists connections in groups (sources × destinations), version 1 in pairs. */
export const ANALYZE_JSON_SCHEMA_VERSION = 2;

/** The counts the outputs' headers give. */
export function analysisSummary(state: ClusterState): AnalysisSummary {
  const summary: AnalysisSummary = {
    namespaces: state.namespaces.length,
    workloads: state.workloads.length,
    pods: state.pods.filter((p) => !p.template).length,
    policies: state.policies.length,
    ciliumPolicies: state.ciliumPolicies.length,
  };
  if (state.clusterPolicies.length > 0 || state.nodes.length > 0)
    summary.tiers = { clusterPolicies: state.clusterPolicies.length, nodes: state.nodes.length };
  return summary;
}

/** How JSON output names one end of a connection. */
export function entityRef(e: Entity): EntityRefJson {
  switch (e.kind) {
    case 'workload':
      return { workload: e.id };
    case 'pod':
      return { pod: e.id };
    case 'external':
      return { external: e.address.cover.map(formatCidr) };
  }
}

/**
 * An item of a document's `external` list: the address class `classId` of `space`, with `nodes` only when it
 * is made of Nodes' addresses alone.
 */
export function externalEntryJson(space: AddressSpace, classId: number, nodesAt: NodesAt): ExternalEntryJson {
  const a = space.classes[classId]!;
  const nodes = nodesAt(classId);
  return {
    id: externalId(classId),
    description: space.describe(classId),
    cidrs: a.nodes.map(formatCidr),
    except: a.except.map(formatCidr),
    cover: a.cover.map(formatCidr),
    ...(nodes.length === 0 ? {} : { nodes }),
  };
}

/**
 * The document's lists of entities: `workloads` (or `pods`) and `external`, whose classes made of Nodes'
 * addresses name the Nodes (`nodes`).
 */
function entityLists(
  conn: Pick<Connectivity, 'entities' | 'granularity'>,
  space: AddressSpace,
  nodesAt: NodesAt,
): EntityListsJson {
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
    e.kind === 'external' ? [externalEntryJson(space, e.address.id, nodesAt)] : [],
  );
  return { ...(conn.granularity === 'workload' ? { workloads } : { pods }), external };
}

/** The pairwise document: one entry per (source, destination) pair (`serve`'s model builds on it). */
export function connectivityToJson(
  conn: Connectivity,
  space: AddressSpace,
  summary: AnalysisSummary,
  nodesAt: NodesAt = noNodes,
): ConnectivityJson {
  return {
    schemaVersion: JSON_SCHEMA_VERSION,
    granularity: conn.granularity,
    summary: { ...jsonCounts(summary), connections: conn.connections.length },
    ...entityLists(conn, space, nodesAt),
    connections: conn.connections.map((c) => ({
      src: entityRef(conn.byId.get(c.src)!),
      dst: entityRef(conn.byId.get(c.dst)!),
      ports: portsToJson(c.ports),
      summary: formatPorts(c.ports),
    })),
  };
}

/** One group or `within` entry of the grouped document, with `ref` naming entities. */
function groupEntries(conn: GroupedConnectivity): {
  group: (g: ConnectionGroup) => ConnectionGroupJson;
  within: (w: WithinGroup) => WithinGroupJson;
} {
  const ref = (id: string): EntityRefJson => entityRef(conn.byId.get(id)!);
  return {
    group: (g) => ({
      src: g.src.map(ref),
      dst: g.dst.map(ref),
      ports: portsToJson(g.ports),
      summary: formatPorts(g.ports),
    }),
    within: (w) => ({
      members: w.members.map(ref),
      ports: portsToJson(w.ports),
      summary: formatPorts(w.ports),
    }),
  };
}

/** Everything of the grouped document before `connections`. */
function groupedHead(
  conn: GroupedConnectivity,
  space: AddressSpace,
  summary: AnalysisSummary,
  nodesAt: NodesAt,
): AnalyzeHeadJson {
  return {
    schemaVersion: ANALYZE_JSON_SCHEMA_VERSION,
    granularity: conn.granularity,
    summary: {
      ...jsonCounts(summary),
      ciliumPolicies: summary.ciliumPolicies,
      clusterPolicies: summary.tiers?.clusterPolicies ?? 0,
      nodes: summary.tiers?.nodes ?? 0,
      connections: conn.pairs,
      groups: conn.groups.length,
      domains: conn.domains.length,
      undefinedOrder: (summary.undefinedOrder ?? []).map((g) => ({
        tier: g.tier === Tier.Admin ? 'Admin' : 'Baseline',
        priority: g.priority,
        policies: g.policies,
      })),
    },
    ...entityLists(conn, space, nodesAt),
  };
}

/** One entry of `domains`. */
function domainJson(conn: Pick<Connectivity, 'byId'>, d: DomainConnection): DomainConnectionJson {
  return {
    src: entityRef(conn.byId.get(d.src)!),
    domain: d.domain,
    ports: portsToJson(d.ports),
    summary: formatPorts(d.ports),
  };
}

/** One entry of `l7`. */
function l7Json(conn: Pick<Connectivity, 'byId'>, c: L7Connection): L7ConnectionJson {
  return {
    src: entityRef(conn.byId.get(c.src)!),
    dst: entityRef(conn.byId.get(c.dst)!),
    ports: portsToJson(c.ports),
    summary: formatPorts(c.ports),
    policies: c.policies,
  };
}

/** ` (filtered at L7 on TCP 80 by CiliumNetworkPolicy/prod/api-http)`: what a row says after its ports. */
export function l7Note(c: Pick<L7Connection, 'ports' | 'policies'>): string {
  return ` (filtered at L7 on ${formatPorts(c.ports)} by ${c.policies.join(', ')})`;
}

/**
 * `analyze -o json` (docs/json-schema.md): connections in groups, every source to every other destination
 * of a group on its ports, and `within` for workloads whose pods may connect to each other.
 */
export function groupedConnectivityToJson(
  conn: GroupedConnectivity,
  space: AddressSpace,
  summary: AnalysisSummary,
  nodesAt: NodesAt = noNodes,
): AnalyzeJson {
  const entry = groupEntries(conn);
  return {
    ...groupedHead(conn, space, summary, nodesAt),
    connections: conn.groups.map(entry.group),
    within: conn.within.map(entry.within),
    domains: conn.domains.map((d) => domainJson(conn, d)),
    ...(conn.l7 === undefined ? {} : { l7: conn.l7.map((c) => l7Json(conn, c)) }),
  };
}

/**
 * Rows for the human formats: connections to (or from) several address classes with the same ports are
 * merged into one row, described as simply as possible ("any address", "any address except 10.0.0.0/8");
 * a row's addresses that are all Nodes' say so (`192.168.0.1/32 (an address of node n1)`).
 */
export function displayRows(
  conn: Connectivity,
  space: AddressSpace,
  nodesAt: NodesAt = noNodes,
): [string, string, string][] {
  const names = displayNames(conn, space, nodesAt);
  const name = (id: string): string => names.get(id) ?? id;
  const groups = new Map<string, { src: string | number[]; dst: string | number[]; ports: string }>();
  // A connection Cilium filters at L7 says so after its ports, never as plainly allowed.
  const l7 = new Map((conn.l7 ?? []).map((c) => [pairKey(c.src, c.dst), l7Note(c)]));
  for (const c of conn.connections) {
    const src = conn.byId.get(c.src)!;
    const dst = conn.byId.get(c.dst)!;
    const note = l7.get(pairKey(c.src, c.dst)) ?? '';
    const ports = formatPorts(c.ports) + note;
    if (dst.kind === 'external') {
      const key = `${c.src}\u0000>\u0000${portsKey(c.ports)}${note}`;
      const g = groups.get(key);
      if (g === undefined) groups.set(key, { src: name(c.src), dst: [dst.address.id], ports });
      else (g.dst as number[]).push(dst.address.id);
    } else if (src.kind === 'external') {
      const key = `${c.dst}\u0000<\u0000${portsKey(c.ports)}${note}`;
      const g = groups.get(key);
      if (g === undefined) groups.set(key, { src: [src.address.id], dst: name(c.dst), ports });
      else (g.src as number[]).push(src.address.id);
    } else {
      groups.set(pairKey(c.src, c.dst), { src: name(c.src), dst: name(c.dst), ports });
    }
  }
  const side = (v: string | number[]): string =>
    typeof v === 'string' ? v : withNodes(describeAddressUnion(space, v), nodesOfUnion(nodesAt, v));
  return [...groups.values()].map((g) => [side(g.src), side(g.dst), g.ports]);
}

/** Rows of reach by DNS name (after `displayRows`' rows): `tenant-a/web → api.example.com (by DNS name)`. */
function domainRows(conn: Connectivity, space: AddressSpace): [string, string, string][] {
  if (conn.domains.length === 0) return [];
  const names = displayNames(conn, space);
  return conn.domains.map((d) => [names.get(d.src) ?? d.src, domainName(d.domain), formatPorts(d.ports)]);
}

/** Text is handed out in pieces of about this many characters. */
const CHUNK = 1 << 20;

/**
 * The output in pieces, for answers too large for one string (millions of connections are more than the
 * longest string V8 allows). Joined, the pieces are `formatConnectivity`'s text.
 */
export function* formatConnectivityChunks(
  conn: Connectivity,
  space: AddressSpace,
  summary: AnalysisSummary,
  format: TableFormat,
  nodesAt: NodesAt = noNodes,
): Generator<string> {
  switch (format) {
    case 'csv':
      yield* batched([
        'src,dst,connections',
        ...[...displayRows(conn, space, nodesAt), ...domainRows(conn, space)].map((r) =>
          r.map(csvField).join(','),
        ),
      ]);
      return;
    case 'md': {
      const rows = displayRows(conn, space, nodesAt);
      yield* batched([
        `**${plural(conn.connections.length, 'allowed connection')}**${inRows(conn.connections.length, rows.length)}${domainCount(conn)} between ${plural(summary.workloads, 'workload')}${podCount(summary)} in ${plural(summary.namespaces, 'namespace')} (${plural(summary.policies, 'policy', 'policies')}${tierCounts(summary)})`,
        '',
        '| Source | Destination | Connections |',
        '| --- | --- | --- |',
        ...[...rows, ...domainRows(conn, space)].map((row) => `| ${row.map(mdCell).join(' | ')} |`),
      ]);
      return;
    }
    case 'dot': {
      const names = displayNames(conn, space, nodesAt);
      yield* batched(dotLines(conn, (id) => names.get(id) ?? id, nodesAt));
      return;
    }
    case 'txt': {
      const rows = displayRows(conn, space, nodesAt);
      const header = `${plural(summary.workloads, 'workload')}${podCount(summary)} in ${plural(summary.namespaces, 'namespace')}, ${plural(summary.policies, 'policy', 'policies')}${tierCounts(summary)}: ${plural(conn.connections.length, 'allowed connection')}${inRows(conn.connections.length, rows.length)}${domainCount(conn)}`;
      rows.push(...domainRows(conn, space));
      if (rows.length === 0) yield `${header}\n`;
      else yield* batched([header, '', ...tableLines(['SOURCE', 'DESTINATION', 'CONNECTIONS'], rows)]);
      return;
    }
  }
}

/** ` (3 pods)` after the workloads when the input has Pod objects (txt and md alike); empty otherwise. */
function podCount(summary: AnalysisSummary): string {
  return summary.pods > 0 ? ` (${plural(summary.pods, 'pod')})` : '';
}

export function formatConnectivity(
  conn: Connectivity,
  space: AddressSpace,
  summary: AnalysisSummary,
  format: TableFormat,
  nodesAt: NodesAt = noNodes,
): string {
  return [...formatConnectivityChunks(conn, space, summary, format, nodesAt)].join('');
}

/** Lines, each ended by a newline, in pieces of about `CHUNK` characters. */
function* batched(lines: Iterable<string>): Generator<string> {
  let parts: string[] = [];
  let size = 0;
  for (const line of lines) {
    parts.push(line, '\n');
    size += line.length + 1;
    if (size >= CHUNK) {
      yield parts.join('');
      parts = [];
      size = 0;
    }
  }
  if (parts.length > 0) yield parts.join('');
}

/** `JSON.stringify(value, null, 2)` for a value nested `depth` levels deep in a document. */
function nestedJson(value: unknown, depth: number): string {
  return JSON.stringify(value, null, 2).replaceAll('\n', `\n${'  '.repeat(depth)}`);
}

/**
 * `analyze -o json`: byte for byte `JSON.stringify(groupedConnectivityToJson(…), null, 2)` and a newline,
 * written group by group.
 */
export function* groupedJsonChunks(
  conn: GroupedConnectivity,
  space: AddressSpace,
  summary: AnalysisSummary,
  nodesAt: NodesAt = noNodes,
  chunkSize = CHUNK,
): Generator<string> {
  // Each entity reference and port set is rendered once, at the depth where it appears.
  const refTexts = new Map<string, string>();
  const refText = (id: string): string => {
    let text = refTexts.get(id);
    if (text === undefined) refTexts.set(id, (text = nestedJson(entityRef(conn.byId.get(id)!), 4)));
    return text;
  };
  const portTexts = new Map<PortSet, string>();
  const portsText = (ports: PortSet): string => {
    let text = portTexts.get(ports);
    if (text === undefined) {
      text = `${nestedJson(portsToJson(ports), 3)},\n      "summary": ${JSON.stringify(formatPorts(ports))}`;
      portTexts.set(ports, text);
    }
    return text;
  };
  const refs = (ids: readonly string[]): string =>
    ids.length === 0 ? '[]' : `[\n        ${ids.map(refText).join(',\n        ')}\n      ]`;

  let out = `${JSON.stringify(groupedHead(conn, space, summary, nodesAt), null, 2).slice(0, -2)},\n`;
  function* list<T>(name: string, items: readonly T[], text: (item: T) => string): Generator<string> {
    out += `  "${name}": [`;
    for (const [i, item] of items.entries()) {
      out += `${i === 0 ? '' : ','}\n    {\n      ${text(item)}\n    }`;
      if (out.length >= chunkSize) {
        yield out;
        out = '';
      }
    }
    out += items.length === 0 ? ']' : '\n  ]';
  }
  yield* list(
    'connections',
    conn.groups,
    (g) => `"src": ${refs(g.src)},\n      "dst": ${refs(g.dst)},\n      "ports": ${portsText(g.ports)}`,
  );
  out += ',\n';
  yield* list(
    'within',
    conn.within,
    (w) => `"members": ${refs(w.members)},\n      "ports": ${portsText(w.ports)}`,
  );
  out += ',\n';
  yield* list(
    'domains',
    conn.domains,
    (d) =>
      `"src": ${nestedJson(entityRef(conn.byId.get(d.src)!), 3)},\n      "domain": ${JSON.stringify(d.domain)},\n      "ports": ${portsText(d.ports)}`,
  );
  if (conn.l7 !== undefined) {
    out += ',\n';
    yield* list('l7', conn.l7, (c) => nestedJson(l7Json(conn, c), 2).slice(8, -6));
  }
  yield `${out}\n}\n`;
}

/** Address classes that are Nodes' addresses are drawn in the cluster's `nodes` box, not outside it. */
function dotLines(conn: Connectivity, name: (id: string) => string, nodesAt: NodesAt): string[] {
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
  const isNode = (e: Entity): boolean => e.kind === 'external' && nodesAt(e.address.id).length > 0;
  const usedNodes = external.filter((e) => used.has(e.id) && isNode(e));
  if (usedNodes.length > 0) {
    lines.push('  subgraph cluster_nodes {', '    label="nodes"; style="rounded"; color="#9aa9bf";');
    for (const e of usedNodes) {
      lines.push(`    ${dotId(e.id)} [label=${dotId(name(e.id))}, shape=ellipse, fillcolor="#e4eef9"];`);
    }
    lines.push('  }');
  }
  const usedExternal = external.filter((e) => used.has(e.id) && !isNode(e));
  const domains = [...new Set(conn.domains.map((d) => d.domain))].sort();
  if (usedExternal.length > 0 || domains.length > 0) {
    lines.push(
      '  subgraph cluster_external {',
      '    label="outside the cluster"; style="dashed"; color="#c08a3e";',
    );
    for (const e of usedExternal) {
      lines.push(`    ${dotId(e.id)} [label=${dotId(name(e.id))}, shape=ellipse, fillcolor="#fdf1df"];`);
    }
    for (const d of domains) {
      lines.push(
        `    ${dotId(`dns:${d}`)} [label=${dotId(domainName(d))}, shape=ellipse, fillcolor="#fdf1df"];`,
      );
    }
    lines.push('  }');
  }
  // A connection Cilium filters at L7 is dashed, says so in its label, and names the policies in its tooltip.
  const l7 = new Map((conn.l7 ?? []).map((c) => [pairKey(c.src, c.dst), c]));
  for (const c of conn.connections) {
    const filtered = l7.get(pairKey(c.src, c.dst));
    const attrs =
      filtered === undefined
        ? `label=${dotId(formatPorts(c.ports))}`
        : `label="${dotId(formatPorts(c.ports)).slice(1, -1)}\\nfiltered at L7", style="dashed", tooltip=${dotId(`${formatPorts(c.ports)}${l7Note(filtered)}`)}`;
    lines.push(`  ${dotId(c.src)} -> ${dotId(c.dst)} [${attrs}];`);
  }
  for (const d of conn.domains) {
    lines.push(`  ${dotId(d.src)} -> ${dotId(`dns:${d.domain}`)} [label=${dotId(formatPorts(d.ports))}];`);
  }
  lines.push('}');
  return lines;
}
