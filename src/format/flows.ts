/**
 * Output of `map` (the observed connection map: txt, json, csv, md, dot) and `check-flows` (txt, json,
 * md). Pure functions from results to text; the JSON schemas are in docs/json-schema.md.
 */
import type {
  CheckFlowsJson,
  FlowDecisionJson,
  FlowEndJson,
  FlowSideDecisionJson,
  MapJson,
  ObservedConnectionJson,
  UnobservedEndJson,
} from '../contract/flows.ts';
import type { AddressSpace } from '../engine/addresses.ts';
import { formatPorts } from '../describe/ports.ts';
import { portsKey, portsToJson } from '../engine/ports.ts';
import type { DeniedConnection, FlowCheck, UnobservedAllowance } from '../flows/check.ts';
import { observedPortsOutcome, type ObservedPortCounts } from '../describe/observed-ports.ts';
import type { FlowDecision, SideDecision } from '../flows/decide.ts';
import { tierLabel, tierRuleText } from '../describe/explain.ts';
import { tierRuleJson } from './explain.ts';
import { compareEnds, workloadSortKey } from '../flows/aggregate.ts';
import type { FlowEnd, ObservedConnection, ObservedTraffic } from '../flows/types.ts';
import type { ClusterState, WorkloadInfo } from '../model/cluster.ts';
import { table } from './table.ts';
import { csvField, dotId, mdCell } from './cells.ts';
import { formatCount, formatTime } from '../base/text.ts';
import { hostCidr } from '../engine/tiers.ts';
import { withNodes, type NodesAt } from './node-addresses.ts';
import { nodeAddressClasses, nodesByAddress } from '../engine/own-node.ts';
import { addressClassOfId, isExternalId } from '../engine/connectivity.ts';

export const MapFormat = { txt: 'txt', json: 'json', csv: 'csv', md: 'md', dot: 'dot' } as const;
export type MapFormat = (typeof MapFormat)[keyof typeof MapFormat];
export const CheckFormat = { txt: 'txt', json: 'json', md: 'md' } as const;
export type CheckFormat = (typeof CheckFormat)[keyof typeof CheckFormat];

export const FLOWS_JSON_SCHEMA_VERSION = 1;

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${formatCount(n)} ${n === 1 ? word : many}`;
}

/** Display names of workloads: `namespace/name` where unambiguous, else `namespace/Kind/name`. */
export class WorkloadNames {
  private readonly short = new Map<string, string>();
  private readonly byId = new Map<string, WorkloadInfo>();

  constructor(state: ClusterState) {
    const counts = new Map<string, number>();
    for (const w of state.workloads) {
      const s = `${w.namespace}/${w.name}`;
      counts.set(s, (counts.get(s) ?? 0) + 1);
    }
    for (const w of state.workloads) {
      const s = `${w.namespace}/${w.name}`;
      this.short.set(w.id, counts.get(s) === 1 ? s : w.id);
      this.byId.set(w.id, w);
    }
  }

  name(id: string): string {
    return this.short.get(id) ?? id;
  }

  workload(id: string): WorkloadInfo | undefined {
    return this.byId.get(id);
  }

  end(e: FlowEnd): string {
    return e.kind === 'workload' ? this.name(e.id) : e.ip;
  }
}

/** `TCP 8080` */
export function formatPort(c: { protocol: string; port: number }): string {
  return `${c.protocol} ${c.port}`;
}

/** `1,204`, `2 (2 denied)` */
function attempts(c: ObservedConnection): string {
  return c.denied === 0 ? formatCount(c.count) : `${formatCount(c.count)} (${formatCount(c.denied)} denied)`;
}

function timeRange(connections: readonly ObservedConnection[]): [number, number] | undefined {
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const c of connections) {
    if (c.firstSeen !== undefined && c.firstSeen < first) first = c.firstSeen;
    if (c.lastSeen !== undefined && c.lastSeen > last) last = c.lastSeen;
  }
  return first <= last ? [first, last] : undefined;
}

/** An end in JSON: `{"workload": id}`, `{"ip": ip}`, a Node's address `{"ip": ip, "nodes": ["n2"]}`. */
export function endJson(e: FlowEnd, nodesOf: NodesOfIp): FlowEndJson {
  if (e.kind === 'workload') return { workload: e.id };
  const nodes = nodesOf(e.ip);
  return nodes.length === 0 ? { ip: e.ip } : { ip: e.ip, nodes };
}

function isoOrNull(ms: number | undefined): string | null {
  return ms === undefined ? null : new Date(ms).toISOString();
}

/** An observed connection in JSON; `nodesOf` names the Nodes' addresses among its ends (none by default). */
export function connectionJson(
  c: ObservedConnection,
  nodesOf: NodesOfIp = noNodesOfIp,
): ObservedConnectionJson {
  return {
    src: endJson(c.src, nodesOf),
    dst: endJson(c.dst, nodesOf),
    protocol: c.protocol,
    port: c.port,
    count: c.count,
    denied: c.denied,
    firstSeen: isoOrNull(c.firstSeen),
    lastSeen: isoOrNull(c.lastSeen),
  };
}

/** Workloads and addresses that appear in the connections. */
function participants(connections: readonly ObservedConnection[]): {
  workloads: string[];
  addresses: string[];
} {
  const workloads = new Set<string>();
  const addresses = new Set<string>();
  for (const c of connections) {
    for (const e of [c.src, c.dst]) {
      if (e.kind === 'workload') workloads.add(e.id);
      else addresses.add(e.ip);
    }
  }
  const byName = (a: string, b: string): number => {
    const ka = workloadSortKey(a);
    const kb = workloadSortKey(b);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  };
  const sortedAddresses = [...addresses]
    .map((ip): FlowEnd => ({ kind: 'external', ip }))
    .sort(compareEnds)
    .map((e) => (e as { ip: string }).ip);
  return { workloads: [...workloads].sort(byName), addresses: sortedAddresses };
}

/** What reading left out of the map, in one line: `59 replies, 96 repeat observations, ...`. */
export function describeLeftOut(traffic: ObservedTraffic): string | undefined {
  const s = traffic.stats;
  const parts: string[] = [];
  if (s.duplicates > 0) parts.push(`${plural(s.duplicates, 'repeat observation')} of counted attempts`);
  if (s.replies > 0) parts.push(plural(s.replies, 'reply', 'replies'));
  if (s.nodeLocal > 0) parts.push(`${plural(s.nodeLocal, 'node-local flow')} (always allowed)`);
  if (s.otherEvents > 0) parts.push(plural(s.otherEvents, 'non-L3/L4 event'));
  if (s.otherProtocols > 0) parts.push(`${plural(s.otherProtocols, 'flow')} of other protocols (ICMP...)`);
  if (s.external > 0) parts.push(`${plural(s.external, 'flow')} between outside addresses`);
  if (s.unmatched > 0) parts.push(`${plural(s.unmatched, 'flow')} with an unknown in-cluster end`);
  if (s.invalid > 0) parts.push(plural(s.invalid, 'unreadable line'));
  return parts.length === 0 ? undefined : parts.join(', ');
}

/** `283 lines in 1 file (hubble): 118 flows counted` */
export function describeInputs(traffic: ObservedTraffic): string {
  const s = traffic.stats;
  const formats = [...new Set(s.files.map((f) => f.format))].join(', ');
  const lines = s.files.reduce((n, f) => n + f.lines, 0);
  const via = s.viaService > 0 ? ` (${formatCount(s.viaService)} through a Service IP)` : '';
  return `${plural(lines, 'line')} in ${plural(s.files.length, 'input')} (${formats}): ${plural(s.records, 'record')}, ${formatCount(s.counted)} counted${via}`;
}

export function observedMapToJson(traffic: ObservedTraffic, state: ClusterState): MapJson {
  const { workloads, addresses } = participants(traffic.connections);
  const { files, ...stats } = traffic.stats;
  const byId = new Map(state.workloads.map((w) => [w.id, w]));
  const range = timeRange(traffic.connections);
  const nodesOf = nodesOfIp(state);
  return {
    schemaVersion: FLOWS_JSON_SCHEMA_VERSION,
    summary: {
      connections: traffic.connections.length,
      workloads: workloads.length,
      addresses: addresses.length,
      attempts: traffic.connections.reduce((n, c) => n + c.count, 0),
      denied: traffic.connections.reduce((n, c) => n + c.denied, 0),
      firstSeen: isoOrNull(range?.[0]),
      lastSeen: isoOrNull(range?.[1]),
    },
    inputs: files,
    stats,
    workloads: workloads.map((id) => {
      const w = byId.get(id);
      return { id, namespace: w?.namespace ?? null, kind: w?.kind ?? null, name: w?.name ?? null };
    }),
    connections: traffic.connections.map((c) => connectionJson(c, nodesOf)),
    unmatched: traffic.unmatched,
    problems: traffic.problems,
  };
}

function unmatchedLines(traffic: ObservedTraffic): string[] {
  if (traffic.unmatched.length === 0) return [];
  // A record whose two ends match no workload is listed under both: the flows left out are counted once each.
  const lines = [
    '',
    `Not in the cluster state: ${plural(traffic.unmatched.length, 'endpoint')}, ${plural(traffic.stats.unmatched, 'flow')} left out`,
  ];
  for (const u of traffic.unmatched) {
    lines.push(
      `  ${u.description}: ${plural(u.records, 'flow')}, ${plural(u.count, 'attempt')}, first at ${u.example}`,
    );
  }
  return lines;
}

/**
 * `between 3 workloads and 2 outside addresses`; with Nodes' addresses among them (in the cluster, not outside
 * it), `between 3 workloads, 1 node address and 1 outside address`.
 */
function participantsText(conns: readonly ObservedConnection[], nodesOf: NodesOfIp): string {
  const { workloads, addresses } = participants(conns);
  const nodes = addresses.filter((ip) => nodesOf(ip).length > 0).length;
  const outside = plural(addresses.length - nodes, 'outside address', 'outside addresses');
  return nodes === 0
    ? `between ${plural(workloads.length, 'workload')} and ${outside}`
    : `between ${plural(workloads.length, 'workload')}, ${plural(nodes, 'node address', 'node addresses')} and ${outside}`;
}

/** The Nodes an observed address is of (sorted; [] for an address outside the cluster). */
export type NodesOfIp = (ip: string) => readonly string[];

/** For outputs that do not name Nodes: no address is a Node's. */
const noNodesOfIp: NodesOfIp = () => [];

/** The Nodes of the state having each address. */
export function nodesOfIp(state: ClusterState): NodesOfIp {
  const byAddress = nodesByAddress(state);
  return (ip) => byAddress.get(hostCidr(ip) ?? '') ?? [];
}

/**
 * The name of an observed end in the tables: a workload's display name, an outside address as is, a Node's
 * address as the node's (`192.168.0.2 (an address of node n2)`).
 */
export function flowEndName(names: WorkloadNames, nodesOf: NodesOfIp): (e: FlowEnd) => string {
  return (e) => (e.kind === 'external' ? withNodes(names.end(e), nodesOf(e.ip)) : names.end(e));
}

/** The observed connection map, for `netfence map`. */
export function formatObservedMap(traffic: ObservedTraffic, state: ClusterState, format: MapFormat): string {
  const names = new WorkloadNames(state);
  const conns = traffic.connections;
  const nodesOf = nodesOfIp(state);
  // A Node's address reads as the node's (not in csv, read back as flows: there it stays a plain IP).
  const end = flowEndName(names, nodesOf);
  switch (format) {
    case 'json':
      return `${JSON.stringify(observedMapToJson(traffic, state), null, 2)}\n`;
    case 'csv':
      return formatMapCsv(conns, names, state);
    case 'dot':
      return formatMapDot(conns, names, state);
    case 'md': {
      const lines = [
        `**${plural(conns.length, 'observed port')}** ${participantsText(conns, nodesOf)}`,
        '',
        '| Source | Destination | Port | Attempts | First seen | Last seen |',
        '| --- | --- | --- | ---: | --- | --- |',
      ];
      for (const c of conns) {
        const cells = [
          end(c.src),
          end(c.dst),
          formatPort(c),
          attempts(c),
          c.firstSeen === undefined ? '' : formatTime(c.firstSeen),
          c.lastSeen === undefined ? '' : formatTime(c.lastSeen),
        ];
        lines.push(`| ${cells.map(mdCell).join(' | ')} |`);
      }
      if (traffic.unmatched.length > 0) {
        lines.push('', '**Not in the cluster state** (left out):', '');
        for (const u of traffic.unmatched) lines.push(`- \`${u.description}\`: ${plural(u.records, 'flow')}`);
      }
      return `${lines.join('\n')}\n`;
    }
    case 'txt': {
      const range = timeRange(conns);
      const when = range === undefined ? '' : `, ${formatTime(range[0])} – ${formatTime(range[1])}`;
      const lines = [
        `${plural(conns.length, 'observed port')} ${participantsText(conns, nodesOf)}${when}`,
        describeInputs(traffic),
      ];
      const leftOut = describeLeftOut(traffic);
      if (leftOut !== undefined) lines.push(`not counted: ${leftOut}`);
      let out = `${lines.join('\n')}\n`;
      if (conns.length > 0) {
        const rows = conns.map((c) => [
          end(c.src),
          end(c.dst),
          formatPort(c),
          attempts(c),
          c.firstSeen === undefined ? '-' : formatTime(c.firstSeen),
          c.lastSeen === undefined ? '-' : formatTime(c.lastSeen),
        ]);
        out += `\n${table(['SOURCE', 'DESTINATION', 'PORT', 'ATTEMPTS', 'FIRST SEEN', 'LAST SEEN'], rows)}`;
      }
      const more = unmatchedLines(traffic);
      return more.length === 0 ? out : `${out}${more.join('\n')}\n`;
    }
  }
}

/** The CSV flow format itself, so that a map can be read back with `--flows`. */
function formatMapCsv(
  conns: readonly ObservedConnection[],
  names: WorkloadNames,
  state: ClusterState,
): string {
  const ambiguous = new Set<string>();
  const seen = new Set<string>();
  for (const w of state.workloads) {
    const s = `${w.namespace}/${w.name}`;
    if (seen.has(s)) ambiguous.add(s);
    seen.add(s);
  }
  const side = (e: FlowEnd): string[] => {
    if (e.kind === 'external') return ['', '', '', e.ip];
    const w = names.workload(e.id);
    if (w === undefined) return ['', e.id, '', ''];
    const name = ambiguous.has(`${w.namespace}/${w.name}`) ? `${w.kind}/${w.name}` : w.name;
    return [w.namespace, name, '', ''];
  };
  const lines = [
    'src_namespace,src_workload,src_pod,src_ip,dst_namespace,dst_workload,dst_pod,dst_ip,protocol,port,count,denied,first_seen,last_seen',
  ];
  for (const c of conns) {
    const cells = [
      ...side(c.src),
      ...side(c.dst),
      c.protocol,
      String(c.port),
      String(c.count),
      String(c.denied),
      c.firstSeen === undefined ? '' : formatTime(c.firstSeen),
      c.lastSeen === undefined ? '' : formatTime(c.lastSeen),
    ];
    lines.push(cells.map(csvField).join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** Observed addresses that are Nodes' are drawn in the cluster's `nodes` box, not outside it. */
function formatMapDot(
  conns: readonly ObservedConnection[],
  names: WorkloadNames,
  state: ClusterState,
): string {
  const lines = [
    'digraph netfence_observed {',
    '  rankdir=LR;',
    '  node [shape=box, style="rounded,filled", fillcolor="#eef3fb", fontname="Helvetica"];',
    '  edge [fontname="Helvetica", fontsize=10];',
  ];
  const { workloads, addresses } = participants(conns);
  const byNamespace = new Map<string, string[]>();
  for (const id of workloads) {
    const ns = id.slice(0, id.indexOf('/'));
    const list = byNamespace.get(ns) ?? [];
    list.push(id);
    byNamespace.set(ns, list);
  }
  let i = 0;
  for (const [ns, ids] of byNamespace) {
    lines.push(
      `  subgraph cluster_${i++} {`,
      `    label=${dotId(`namespace ${ns}`)};`,
      '    style="rounded"; color="#9aa9bf";',
    );
    for (const id of ids) {
      const w = names.workload(id);
      const label = w === undefined ? id : `${w.name}\\n(${w.kind})`;
      lines.push(`    ${dotId(id)} [label="${label.replaceAll('"', '\\"')}"];`);
    }
    lines.push('  }');
  }
  const nodesOf = nodesOfIp(state);
  const nodeIps = addresses.filter((ip) => nodesOf(ip).length > 0);
  if (nodeIps.length > 0) {
    lines.push('  subgraph cluster_nodes {', '    label="nodes"; style="rounded"; color="#9aa9bf";');
    for (const ip of nodeIps) {
      const label = withNodes(ip, nodesOf(ip));
      lines.push(`    ${dotId(`ip:${ip}`)} [label=${dotId(label)}, shape=ellipse, fillcolor="#e4eef9"];`);
    }
    lines.push('  }');
  }
  const outside = addresses.filter((ip) => nodesOf(ip).length === 0);
  if (outside.length > 0) {
    lines.push(
      '  subgraph cluster_external {',
      '    label="outside the cluster"; style="dashed"; color="#c08a3e";',
    );
    for (const ip of outside)
      lines.push(`    ${dotId(`ip:${ip}`)} [label=${dotId(ip)}, shape=ellipse, fillcolor="#fdf1df"];`);
    lines.push('  }');
  }
  const nodeId = (e: FlowEnd): string => (e.kind === 'workload' ? e.id : `ip:${e.ip}`);
  for (const c of conns) {
    const style = c.denied === c.count ? ', color="#c0392b", fontcolor="#c0392b", style=dashed' : '';
    lines.push(
      `  ${dotId(nodeId(c.src))} -> ${dotId(nodeId(c.dst))} [label=${dotId(`${formatPort(c)} ×${formatCount(c.count)}`)}${style}];`,
    );
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

/**
 * What decided one side, in one line: `[Admin] cnp/allow-dns egress rule 0 "dns" Accept`,
 * `[NetworkPolicy] tenant-a/allow-api ingress rule 0`, `[NetworkPolicy] no rule allows it (tenant-a/x)`,
 * `default (no policy)`.
 */
export function sideDecisionText(d: SideDecision): string {
  const dns =
    d.allowed || d.byDnsName.length === 0
      ? ''
      : ` (may be allowed by DNS name: ${d.byDnsName.map((r) => `${tierRuleText(r)} ${r.domains.join(', ')}`).join('; ')})`;
  return `${decisionText(d)}${dns}`;
}

function decisionText(d: SideDecision): string {
  switch (d.decidedBy) {
    case 'admin':
    case 'baseline': {
      const rule = d.tierRule!;
      const tie =
        d.undefinedWith.length === 0
          ? ''
          : ` (undefined: equal priority with ${d.undefinedWith.map(tierRuleText).join(', ')})`;
      return `${tierLabel(rule.tier)} ${tierRuleText(rule)}${tie}`;
    }
    case 'network-policy': {
      const cilium = d.cilium.map((r) => `${r.policy} ${r.path}`);
      if (!d.allowed) {
        return cilium.length > 0
          ? `[Cilium] denied by ${cilium.join(', ')}`
          : `[NetworkPolicy] no rule allows it (${d.isolatedBy.join(', ')})`;
      }
      const rules = [...d.rules.map((r) => `${r.policy} ${r.direction} rule ${r.rule}`), ...cilium];
      return `[NetworkPolicy] ${rules.join(', ')}`;
    }
    case 'default':
      return d.outside === 'outside-cluster'
        ? 'outside the cluster'
        : d.outside === 'node-address'
          ? "a node's address"
          : d.outside === 'host-network'
            ? 'default (host network)'
            : 'default (no policy)';
  }
}

/** Both decisions of a side (a workload with several pod classes), `; `-separated. */
export function sideText(list: readonly SideDecision[]): string {
  return list.length === 0 ? '-' : list.map(sideDecisionText).join('; ');
}

export function sideDecisionJson(d: SideDecision): FlowSideDecisionJson {
  return {
    allowed: d.allowed,
    decidedBy: d.decidedBy,
    summary: sideDecisionText(d),
    tierRule: d.tierRule === undefined ? null : tierRuleJson(d.tierRule),
    undefinedWith: d.undefinedWith.map(tierRuleJson),
    rules: d.rules.map((r) => ({ policy: r.policy, path: r.path })),
    cilium: d.cilium.map((r) => ({ policy: r.policy, path: r.path, deny: r.deny })),
    isolatedBy: d.isolatedBy,
    byDnsName: d.byDnsName.map((r) => ({ ...tierRuleJson(r), domains: r.domains })),
  };
}

export function flowDecisionJson(d: FlowDecision | undefined): FlowDecisionJson {
  return {
    egress: (d?.egress ?? []).map(sideDecisionJson),
    ingress: (d?.ingress ?? []).map(sideDecisionJson),
  };
}

/** Whether an observed connection the policies deny worked during the capture (so a change breaks it). */
export function breaksTraffic(d: DeniedConnection): boolean {
  return d.connection.count > d.connection.denied;
}

/** The check's observed ports by how they ended: check-flows' summary line, its JSON, the UI's Traffic view. */
export function observedPortCounts(check: FlowCheck, traffic: ObservedTraffic): ObservedPortCounts {
  const wouldBeDenied = check.denied.filter(breaksTraffic).length;
  return {
    observed: traffic.connections.length,
    allowed: check.allowed.length,
    unpoliced: check.unpoliced.length,
    wouldBeDenied,
    stillDenied: check.denied.length - wouldBeDenied,
  };
}

/** `ingress of data/redis`, and the Cilium deny rules that decided it: `(denied by CiliumNetworkPolicy/… spec.ingressDeny[0])`. */
function blockedText(
  d: DeniedConnection,
  end: (e: FlowEnd) => string,
  decision: FlowDecision | undefined,
): string {
  const parts = d.blockedAt.map((side) => {
    const at = side === 'egress' ? d.connection.src : d.connection.dst;
    const denies = new Set(
      (decision?.[side] ?? []).flatMap((s) =>
        s.allowed ? [] : s.cilium.filter((r) => r.deny).map((r) => `${r.policy} ${r.path}`),
      ),
    );
    return `${side} of ${end(at)}${denies.size === 0 ? '' : ` (denied by ${[...denies].join(', ')})`}`;
  });
  return parts.join(' and ');
}

/** `21 policies and 2 Cilium policies`: the policies of every kind the input holds, for the header of check-flows. */
export function policyCountsText(state: ClusterState): string {
  const others = [
    ...(state.clusterPolicies.length > 0
      ? [plural(state.clusterPolicies.length, 'cluster policy', 'cluster policies')]
      : []),
    ...(state.ciliumPolicies.length > 0
      ? [plural(state.ciliumPolicies.length, 'Cilium policy', 'Cilium policies')]
      : []),
  ];
  return [plural(state.policies.length, 'policy', 'policies'), ...others].join(' and ');
}

/** The address classes of `space` made of the state's Nodes' addresses alone, with their Nodes. */
export function nodeClassesOf(space: AddressSpace, state: ClusterState): NodesAt {
  const nodeClasses = nodeAddressClasses(space, state.nodes);
  return (classId) => nodeClasses.get(classId) ?? [];
}

/** The entity id standing for every address class at once, in grouped output. */
export const ANY_ADDRESS = 'external:*';

/** An entity id as the tables name it: a workload's display name, an address class (a Node's as the node's). */
export function describeEntity(
  id: string,
  names: WorkloadNames,
  space: AddressSpace,
  nodesAt: NodesAt,
): string {
  if (id === ANY_ADDRESS) return 'any address';
  const classId = addressClassOfId(id);
  if (classId === undefined) return names.name(id);
  return withNodes(space.describe(classId), nodesAt(classId));
}

/**
 * Unobserved allowances, with the rows of one workload towards (or from) every address class on the same
 * ports merged into one `any address` row: a policy open to the internet reads as one line, not as one line
 * per CIDR the policies happen to mention.
 */
export function groupUnobserved(
  list: readonly UnobservedAllowance[],
  addressClasses: number,
): UnobservedAllowance[] {
  if (addressClasses < 2) return [...list];
  const groups = new Map<string, UnobservedAllowance[]>();
  for (const u of list) {
    const outward = isExternalId(u.dst);
    const inward = isExternalId(u.src);
    if (outward === inward) continue;
    const key = `${outward ? 'to' : 'from'}\u0000${outward ? u.src : u.dst}\u0000${portsKey(u.ports)}\u0000${String(u.pairObserved)}`;
    const g = groups.get(key) ?? [];
    g.push(u);
    groups.set(key, g);
  }
  const merged = new Set<UnobservedAllowance>();
  const replacement = new Map<UnobservedAllowance, UnobservedAllowance>();
  for (const g of groups.values()) {
    if (g.length !== addressClasses) continue;
    const first = g[0]!;
    const outward = isExternalId(first.dst);
    replacement.set(first, { ...first, ...(outward ? { dst: ANY_ADDRESS } : { src: ANY_ADDRESS }) });
    for (const u of g) merged.add(u);
  }
  const out: UnobservedAllowance[] = [];
  for (const u of list) {
    const r = replacement.get(u);
    if (r !== undefined) out.push(r);
    else if (!merged.has(u)) out.push(u);
  }
  return out;
}

/** The decisions of the connections, and whether the cluster has cluster policies (tiers shown in txt/md). */
export interface FlowDecisions {
  decisions: ReadonlyMap<ObservedConnection, FlowDecision>;
  clusterPolicies: number;
}

export function flowCheckToJson(
  check: FlowCheck,
  traffic: ObservedTraffic,
  space: AddressSpace,
  state: ClusterState,
  decided: FlowDecisions,
): CheckFlowsJson {
  // A Node's address carries its Nodes (`nodes`), observed (an IP) or not (an address class).
  const nodesOf = nodesOfIp(state);
  const nodesAt = nodeClassesOf(space, state);
  const names = (id: string): UnobservedEndJson => {
    if (id === ANY_ADDRESS) return { external: 'any address' };
    const classId = addressClassOfId(id);
    if (classId === undefined) return { workload: id };
    const nodes = nodesAt(classId);
    return nodes.length === 0
      ? { external: space.describe(classId) }
      : { external: space.describe(classId), nodes };
  };
  const connection = (c: ObservedConnection): ObservedConnectionJson => connectionJson(c, nodesOf);
  const unobserved = groupUnobserved(check.unobserved, space.classes.length);
  const counts = observedPortCounts(check, traffic);
  return {
    schemaVersion: FLOWS_JSON_SCHEMA_VERSION,
    summary: {
      observed: counts.observed,
      policies: state.policies.length,
      clusterPolicies: decided.clusterPolicies,
      ciliumPolicies: state.ciliumPolicies.length,
      allowed: counts.allowed,
      denied: counts.wouldBeDenied + counts.stillDenied,
      breaking: counts.wouldBeDenied,
      unpoliced: counts.unpoliced,
      unobserved: unobserved.length,
    },
    denied: check.denied.map((d) => ({
      ...connection(d.connection),
      breaking: breaksTraffic(d),
      blockedAt: d.blockedAt,
      policies: d.policies,
      decision: flowDecisionJson(decided.decisions.get(d.connection)),
    })),
    allowed: check.allowed.map((c) => ({
      ...connection(c),
      decision: flowDecisionJson(decided.decisions.get(c)),
    })),
    unpoliced: check.unpoliced.map(connection),
    unobserved: unobserved.map((u) => ({
      src: names(u.src),
      dst: names(u.dst),
      ports: portsToJson(u.ports),
      summary: formatPorts(u.ports),
      pairObserved: u.pairObserved,
    })),
  };
}

/** The result of `netfence check-flows`. */
export function formatFlowCheck(
  check: FlowCheck,
  traffic: ObservedTraffic,
  state: ClusterState,
  space: AddressSpace,
  format: CheckFormat,
  decided: FlowDecisions,
): string {
  if (format === 'json') {
    return `${JSON.stringify(flowCheckToJson(check, traffic, space, state, decided), null, 2)}\n`;
  }
  const names = new WorkloadNames(state);
  const breaking = check.denied.filter(breaksTraffic);
  const stillDenied = check.denied.filter((d) => !breaksTraffic(d));
  // On a cluster with cluster policies, every row says which layer decided each side.
  const tiers = decided.clusterPolicies > 0;
  const summary =
    `${plural(traffic.connections.length, 'observed port')} against ${policyCountsText(state)}: ` +
    observedPortsOutcome(observedPortCounts(check, traffic));
  const decisionCells = (c: ObservedConnection): string[] => {
    const d = decided.decisions.get(c);
    return [sideText(d?.egress ?? []), sideText(d?.ingress ?? [])];
  };
  // A Node's address reads as the node's, in observed rows (an IP) and in unobserved ones (an address class).
  const end = flowEndName(names, nodesOfIp(state));
  const nodesAt = nodeClassesOf(space, state);
  const connectionCells = (c: ObservedConnection): string[] => [
    end(c.src),
    end(c.dst),
    formatPort(c),
    attempts(c),
    c.lastSeen === undefined ? '-' : formatTime(c.lastSeen),
  ];
  const deniedRows = (list: readonly DeniedConnection[]): string[][] =>
    list.map((d) => [
      ...connectionCells(d.connection),
      ...(tiers ? decisionCells(d.connection) : [blockedText(d, end, decided.decisions.get(d.connection))]),
    ]);
  const allowedRows = tiers ? check.allowed.map((c) => [...connectionCells(c), ...decisionCells(c)]) : [];
  const unobservedRows = groupUnobserved(check.unobserved, space.classes.length).map((u) => [
    describeEntity(u.src, names, space, nodesAt),
    describeEntity(u.dst, names, space, nodesAt),
    formatPorts(u.ports),
  ]);
  const connectionHeader = ['Source', 'Destination', 'Port', 'Attempts', 'Last seen'];
  const decisionHeader = ['Egress decided by', 'Ingress decided by'];
  const deniedHeader = [...connectionHeader, ...(tiers ? decisionHeader : ['Blocked at'])];
  const allowedHeader = [...connectionHeader, ...decisionHeader];
  const unobservedHeader = ['Source', 'Destination', 'Allowed, not observed'];
  const sections: [string, string[], string[][]][] = [
    ['Would be denied (this change breaks them)', deniedHeader, deniedRows(breaking)],
    ['Still denied (dropped during the capture too)', deniedHeader, deniedRows(stillDenied)],
    ['Allowed (decided by)', allowedHeader, allowedRows],
    ['Allowed but never observed (candidates to tighten)', unobservedHeader, unobservedRows],
  ];
  return formatSections([summary], sections, format);
}

/**
 * A report of titled tables: the header lines (the first in bold in Markdown), then each non-empty section as
 * a Markdown table or an aligned text table under its title in capitals.
 */
export function formatSections(
  head: readonly string[],
  sections: readonly (readonly [string, readonly string[], readonly string[][]])[],
  format: 'txt' | 'md',
): string {
  if (format === 'md') {
    const lines = head.map((h, i) => (i === 0 ? `**${h}**` : h)).flatMap((h, i) => (i === 0 ? [h] : ['', h]));
    for (const [title, header, rows] of sections) {
      if (rows.length === 0) continue;
      lines.push(
        '',
        `### ${title}`,
        '',
        `| ${header.join(' | ')} |`,
        `| ${header.map(() => '---').join(' | ')} |`,
      );
      for (const r of rows) lines.push(`| ${r.map(mdCell).join(' | ')} |`);
    }
    return `${lines.join('\n')}\n`;
  }
  let out = head.map((h) => `${h}\n`).join('');
  for (const [title, header, rows] of sections) {
    if (rows.length === 0) continue;
    out += `\n${upperTitle(title)}\n${table(
      header.map((h) => h.toUpperCase()),
      rows,
    )}`;
  }
  return out;
}

/** `WOULD BE DENIED (this change breaks them)`: the title in capitals, its parenthesis as written. */
function upperTitle(title: string): string {
  const i = title.indexOf(' (');
  return i < 0 ? title.toUpperCase() : `${title.slice(0, i).toUpperCase()}${title.slice(i)}`;
}
