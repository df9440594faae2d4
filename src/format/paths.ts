/**
 * Attack path output formats: txt (a ranking table, a tree of shortest paths, or one path per target), json
 * (the documented schema, docs/json-schema.md) and md. Pure functions from results to text.
 */
import type { ExternalEntryJson } from '../contract/common.ts';
import type { PathHopJson, PathNodeJson, PathsJson, PathSourcesJson } from '../contract/paths.ts';
import { describeAddressUnion } from '../describe/addresses.ts';
import { nodeAddressText } from '../describe/node-address.ts';
import { nodesAtAddressClass } from '../engine/own-node.ts';
import { externalEntryJson } from './connectivity.ts';
import { formatCidr } from '../base/ip.ts';
import {
  attackPath,
  type AttackReach,
  type BlastRadius,
  type LateralGraph,
  type PathStep,
} from '../engine/paths.ts';
import { formatPorts } from '../describe/ports.ts';
import { portsKey, portsToJson, type PortSet } from '../engine/ports.ts';
import { plural } from './plural.ts';
import { table } from './table.ts';
import { mdCell } from './cells.ts';
import { compareText } from '../base/text.ts';

export const PathsFormat = { txt: 'txt', json: 'json', md: 'md' } as const;
export type PathsFormat = (typeof PathsFormat)[keyof typeof PathsFormat];

export const PATHS_JSON_SCHEMA_VERSION = 1;

export type Node = { workload: number } | { address: number };

/** What the attacker starts from, as the user named it: `shop/web`, `shop/*` (5 workloads), `0.0.0.0/0`. */
export interface SourceLabel {
  text: string;
  /** How many workloads or address classes it stands for. */
  count: number;
  kind: 'workloads' | 'addresses';
}

interface Common {
  graph: LateralGraph;
  /** Display name of a workload or address class. */
  name: (node: Node) => string;
}

export interface RankReport extends Common {
  kind: 'rank';
  radius: readonly BlastRadius[];
  /** Reach of an attacker outside the cluster, from every address class but the nodes' (`graph.outside`). */
  fromOutside: AttackReach;
  /** Show only the first rows. */
  top: number | undefined;
}

export interface ReachReport extends Common {
  kind: 'reach';
  from: readonly SourceLabel[];
  reach: AttackReach;
  maxHops: number | undefined;
}

export interface TargetsReport extends Common {
  kind: 'targets';
  /** Undefined: from outside the cluster (no --from). */
  from: readonly SourceLabel[] | undefined;
  reach: AttackReach;
  maxHops: number | undefined;
  /** Targets in order, never a source. */
  targets: readonly Target[];
}

export type PathsReport = RankReport | ReachReport | TargetsReport;

/**
 * One target: a workload, or the addresses outside the cluster one `--to` reference names (`0.0.0.0/0`),
 * reached when any of their address classes is.
 */
export type Target = { workload: number } | { ref: string; addresses: readonly number[] };

/** Blast radius ranked by reach (equal reach, equal rank), then by direct reach and name. */
export function rankRows(report: RankReport): { rank: number; radius: BlastRadius }[] {
  const sorted = [...report.radius].sort(
    (a, b) =>
      b.reach - a.reach ||
      b.direct - a.direct ||
      compareText(report.name({ workload: a.workload }), report.name({ workload: b.workload })),
  );
  let rank = 0;
  return sorted.map((radius, i) => {
    if (i === 0 || sorted[i - 1]!.reach !== radius.reach) rank = i + 1;
    return { rank, radius };
  });
}

function percent(n: number, of: number): string {
  return of === 0 ? '0%' : `${Math.round((100 * n) / of)}%`;
}

/** Workloads reached, not counting the sources. */
function reachedWorkloads(reach: AttackReach): number[] {
  const out: number[] = [];
  for (let w = 0; w < reach.distance.length; w++) if (reach.distance[w]! > 0) out.push(w);
  return out;
}

/** `TCP 80,443 from any address except 10.0.0.0/24; TCP 80,443,8443 from 10.0.0.0/24` */
function entryText(report: Common, r: BlastRadius): string {
  const byPorts = new Map<string, { ports: PortSet; addresses: number[] }>();
  for (const e of r.entry) {
    const key = portsKey(e.ports);
    const g = byPorts.get(key);
    if (g === undefined) byPorts.set(key, { ports: e.ports, addresses: [e.address] });
    else g.addresses.push(e.address);
  }
  const space = report.graph.compiled.addressSpace;
  return [...byPorts.values()]
    .map((g) => `${formatPorts(g.ports)} from ${describeAddressUnion(space, g.addresses)}`)
    .join('; ');
}

/** Where an address class is: `outside the cluster`, or `an address of node n1` (a node is in the cluster). */
function whereAddress(report: Common, address: number): string {
  const nodes = nodesAtAddressClass(report.graph.compiled, address);
  return nodes.length > 0 ? nodeAddressText(nodes) : 'outside the cluster';
}

function sourcesText(report: Common, from: readonly SourceLabel[] | undefined): string {
  if (from === undefined) {
    const nodes = report.graph.outside.length < report.graph.entryEdges.length;
    return `outside the cluster (every address${nodes ? " but the nodes'" : ''})`;
  }
  return from
    .map((s) =>
      s.count === 1
        ? s.text
        : `${s.text} (${plural(s.count, s.kind === 'workloads' ? 'workload' : 'address class', s.kind === 'workloads' ? 'workloads' : 'address classes')})`,
    )
    .join(', ');
}

function hopsByDistance(reach: AttackReach): Map<number, number> {
  const out = new Map<number, number>();
  for (const w of reachedWorkloads(reach))
    out.set(reach.distance[w]!, (out.get(reach.distance[w]!) ?? 0) + 1);
  return new Map([...out].sort((a, b) => a[0] - b[0]));
}

function reachSummary(report: ReachReport): string {
  const total = report.graph.workloads.length;
  const sources = report.reach.sources.workloads.length;
  const reached = reachedWorkloads(report.reach);
  const by = hopsByDistance(report.reach);
  const others = total - new Set(report.reach.sources.workloads).size;
  const head = `From ${sourcesText(report, report.from)}: reaches ${reached.length} of ${plural(others, sources > 0 ? 'other workload' : 'workload', sources > 0 ? 'other workloads' : 'workloads')}`;
  if (reached.length === 0) return head;
  const detail = [...by].map(([d, n]) => `${plural(d, 'hop')}: ${n}`).join(', ');
  const limit = report.maxHops === undefined ? '' : `; stopped at --max-hops ${report.maxHops}`;
  return `${head}, in at most ${plural(Math.max(...by.keys()), 'hop')} (${detail})${limit}`;
}

/** `, filtered at L7 on TCP 8080 by CiliumNetworkPolicy/shop/api` after a hop's ports, when Cilium filters it. */
function hopL7(s: PathStep): string {
  return s.l7 === undefined
    ? ''
    : `, filtered at L7 on ${formatPorts(s.l7.ports)} by ${s.l7.policies.join(', ')}`;
}

function pathText(steps: readonly PathStep[], name: (n: Node) => string): string {
  if (steps.length === 0) return '';
  return [
    name(steps[0]!.from),
    ...steps.map((s) => `→ ${name(s.to)} (${formatPorts(s.ports)}${hopL7(s)})`),
  ].join(' ');
}

// ---------------------------------------------------------------------------------------------------------
// txt

function rankText(report: RankReport): string {
  const total = report.graph.workloads.length;
  const entries = report.radius.filter((r) => r.entry.length > 0).length;
  const outside = reachedWorkloads(report.fromOutside).length;
  const lines = [
    `Blast radius of ${plural(total, 'workload')}: how many other workloads each can reach, over any number of hops.`,
    `Entry points from outside the cluster: ${entries}; through them an attacker reaches ${outside} of ${plural(total, 'workload')}.`,
  ];
  const rows = rankRows(report);
  const shown = report.top === undefined ? rows : rows.slice(0, report.top);
  if (shown.length > 0) {
    lines.push(
      '',
      table(
        ['RANK', 'WORKLOAD', 'REACH', 'DIRECT', 'REACHABLE FROM OUTSIDE'],
        shown.map(({ rank, radius }) => [
          String(rank),
          report.name({ workload: radius.workload }),
          `${radius.reach} (${percent(radius.reach, total - 1)})`,
          String(radius.direct),
          entryText(report, radius),
        ]),
      ).trimEnd(),
    );
  }
  if (shown.length < rows.length) lines.push(`… ${rows.length - shown.length} more (--top ${report.top!})`);
  return `${lines.join('\n')}\n`;
}

function reachTree(report: ReachReport): string[] {
  const { reach, name } = report;
  const children = new Map<string, number[]>();
  const key = (n: Node): string => ('workload' in n ? `w${n.workload}` : `a${n.address}`);
  const reached = reachedWorkloads(reach).sort((a, b) =>
    compareText(name({ workload: a }), name({ workload: b })),
  );
  for (const w of reached) {
    const k = key(reach.via[w]!.from);
    const list = children.get(k);
    if (list === undefined) children.set(k, [w]);
    else list.push(w);
  }
  const lines: string[] = [];
  const walk = (w: number, prefix: string): void => {
    const kids = children.get(`w${w}`) ?? [];
    kids.forEach((k, i) => {
      const last = i === kids.length - 1;
      lines.push(
        `${prefix}${last ? '└── ' : '├── '}[${reach.distance[k]!}] ${name({ workload: k })}  ${formatPorts(reach.via[k]!.ports)}`,
      );
      walk(k, `${prefix}${last ? '    ' : '│   '}`);
    });
  };
  const roots: Node[] = [
    ...reach.sources.workloads.map((workload) => ({ workload })),
    ...reach.sources.addresses.filter((a) => children.has(`a${a}`)).map((address) => ({ address })),
  ];
  for (const root of roots) {
    if (lines.length > 0) lines.push('');
    if ('workload' in root) {
      lines.push(name(root));
      walk(root.workload, '');
    } else {
      lines.push(`${name(root)} (${whereAddress(report, root.address)})`);
      const kids = children.get(`a${root.address}`)!;
      kids.forEach((k, i) => {
        const last = i === kids.length - 1;
        lines.push(
          `${last ? '└── ' : '├── '}[1] ${name({ workload: k })}  ${formatPorts(reach.via[k]!.ports)}`,
        );
        walk(k, last ? '    ' : '│   ');
      });
    }
  }
  return lines;
}

function unreached(reach: AttackReach): number[] {
  const out: number[] = [];
  for (let w = 0; w < reach.distance.length; w++) if (reach.distance[w] === -1) out.push(w);
  return out;
}

function reachText(report: ReachReport): string {
  const lines = [reachSummary(report), '', ...reachTree(report)];
  const out = unreached(report.reach);
  if (out.length > 0) {
    lines.push(
      '',
      `${report.maxHops === undefined ? 'Out of reach' : `Not reached within ${plural(report.maxHops, 'hop')}`} (${out.length}): ${out.map((w) => report.name({ workload: w })).join(', ')}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

interface TargetResult {
  target: Target;
  hops: number;
  /** A shortest path to the target (for addresses, to the nearest of its address classes). */
  path: PathStep[] | undefined;
}

export function targetResults(report: TargetsReport): TargetResult[] {
  return report.targets.map((target) => {
    if ('workload' in target) {
      const path = attackPath(report.reach, target);
      return { target, hops: path?.length ?? -1, path };
    }
    let best: PathStep[] | undefined;
    for (const address of target.addresses) {
      const path = attackPath(report.reach, { address });
      if (path !== undefined && (best === undefined || path.length < best.length)) best = path;
    }
    return { target, hops: best?.length ?? -1, path: best };
  });
}

function targetName(report: TargetsReport, t: Target): string {
  return 'workload' in t ? report.name(t) : t.ref;
}

function targetsSummary(report: TargetsReport, results: readonly TargetResult[]): string {
  const reachable = results.filter((r) => r.path !== undefined).length;
  const limit = report.maxHops === undefined ? '' : ` within ${plural(report.maxHops, 'hop')}`;
  return `From ${sourcesText(report, report.from)}: ${reachable} of ${plural(results.length, 'target')} reachable${limit}.`;
}

function targetsText(report: TargetsReport): string {
  const results = targetResults(report);
  const lines = [targetsSummary(report, results)];
  const { name } = report;
  for (const r of results) {
    lines.push('');
    if (r.path === undefined) {
      lines.push(`${targetName(report, r.target)}: not reachable`);
      continue;
    }
    lines.push(`${targetName(report, r.target)}: ${plural(r.hops, 'hop')}`);
    const first = r.path[0]!.from;
    const rows = [
      [`  ${name(first)}${'address' in first ? ` (${whereAddress(report, first.address)})` : ''}`, ''],
      ...r.path.map((s) => [`  → ${name(s.to)}`, `${formatPorts(s.ports)}${hopL7(s)}`]),
    ];
    const width = rows.reduce((w, row) => Math.max(w, row[0]!.length), 0);
    for (const [a, b] of rows) lines.push(b === '' ? a! : `${a!.padEnd(width)}  ${b!}`);
  }
  return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------------------
// md

function rankMarkdown(report: RankReport): string {
  const total = report.graph.workloads.length;
  const entries = report.radius.filter((r) => r.entry.length > 0).length;
  const outside = reachedWorkloads(report.fromOutside).length;
  const rows = rankRows(report);
  const shown = report.top === undefined ? rows : rows.slice(0, report.top);
  const lines = [
    `**Blast radius of ${plural(total, 'workload')}** · ${plural(entries, 'entry point')} from outside the cluster, reaching ${outside} of ${total}`,
    '',
    '| Rank | Workload | Reach | Direct | Reachable from outside |',
    '| --- | --- | --- | --- | --- |',
    ...shown.map(
      ({ rank, radius }) =>
        `| ${rank} | ${mdCell(report.name({ workload: radius.workload }))} | ${radius.reach} (${percent(radius.reach, total - 1)}) | ${radius.direct} | ${mdCell(entryText(report, radius))} |`,
    ),
  ];
  if (shown.length < rows.length) lines.push('', `_…and ${rows.length - shown.length} more._`);
  return `${lines.join('\n')}\n`;
}

function reachMarkdown(report: ReachReport): string {
  const reached = reachedWorkloads(report.reach).sort(
    (a, b) =>
      report.reach.distance[a]! - report.reach.distance[b]! ||
      compareText(report.name({ workload: a }), report.name({ workload: b })),
  );
  const lines = [`**${mdCell(reachSummary(report))}**`];
  if (reached.length > 0) {
    lines.push('', '| Hops | Workload | Path |', '| --- | --- | --- |');
    for (const w of reached) {
      const path = attackPath(report.reach, { workload: w })!;
      lines.push(
        `| ${report.reach.distance[w]!} | ${mdCell(report.name({ workload: w }))} | ${mdCell(pathText(path, report.name))} |`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

function targetsMarkdown(report: TargetsReport): string {
  const results = targetResults(report);
  const lines = [
    `**${mdCell(targetsSummary(report, results))}**`,
    '',
    '| Target | Hops | Path |',
    '| --- | --- | --- |',
    ...results.map(
      (r) =>
        `| ${mdCell(targetName(report, r.target))} | ${r.path === undefined ? 'not reachable' : r.hops} | ${r.path === undefined ? '' : mdCell(pathText(r.path, report.name))} |`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------------------
// json

function nodeRef(report: Common, n: Node): PathNodeJson {
  if ('workload' in n) return { workload: report.graph.workloads[n.workload]!.id };
  return { external: coverOf(report, n.address) };
}

/** An address class by its cover CIDRs. */
function coverOf(report: Common, address: number): string[] {
  return report.graph.compiled.addressSpace.classes[address]!.cover.map(formatCidr);
}

function pathJson(report: Common, steps: readonly PathStep[]): PathHopJson[] {
  return steps.map((s) => ({
    src: nodeRef(report, s.from),
    dst: nodeRef(report, s.to),
    ports: portsToJson(s.ports),
    summary: formatPorts(s.ports),
    ...(s.l7 === undefined
      ? {}
      : {
          l7: {
            ports: portsToJson(s.l7.ports),
            summary: formatPorts(s.l7.ports),
            policies: s.l7.policies,
          },
        }),
  }));
}

/** The address classes a report mentions, as in `analyze`'s `external` list (Nodes' addresses with `nodes`). */
function externalJson(report: Common, addresses: Iterable<number>): ExternalEntryJson[] {
  const compiled = report.graph.compiled;
  return [...new Set(addresses)]
    .sort((a, b) => a - b)
    .map((id) => externalEntryJson(compiled.addressSpace, id, (c) => nodesAtAddressClass(compiled, c)));
}

function addressesOf(steps: readonly PathStep[]): number[] {
  return steps.flatMap((s) => [s.from, s.to]).flatMap((n) => ('address' in n ? [n.address] : []));
}

export function pathsToJson(report: PathsReport): PathsJson {
  const total = report.graph.workloads.length;
  const sourcesJson = (from: readonly SourceLabel[] | undefined, reach: AttackReach): PathSourcesJson => ({
    refs: from === undefined ? null : from.map((s) => s.text),
    workloads: reach.sources.workloads.map((w) => report.graph.workloads[w]!.id),
    external: reach.sources.addresses.map((a) => coverOf(report, a)),
  });
  switch (report.kind) {
    case 'rank': {
      const rows = rankRows(report);
      const shown = report.top === undefined ? rows : rows.slice(0, report.top);
      return {
        schemaVersion: PATHS_JSON_SCHEMA_VERSION,
        mode: 'rank',
        summary: {
          workloads: total,
          entryPoints: report.radius.filter((r) => r.entry.length > 0).length,
          reachableFromOutside: reachedWorkloads(report.fromOutside).length,
        },
        external: externalJson(
          report,
          shown.flatMap((r) => r.radius.entry.map((e) => e.address)),
        ),
        workloads: shown.map(({ rank, radius }) => ({
          rank,
          workload: report.graph.workloads[radius.workload]!.id,
          reach: radius.reach,
          direct: radius.direct,
          entryPoint:
            radius.entry.length === 0
              ? null
              : radius.entry.map((e) => ({
                  src: nodeRef(report, { address: e.address }),
                  ports: portsToJson(e.ports),
                  summary: formatPorts(e.ports),
                })),
        })),
      };
    }
    case 'reach': {
      const reached = reachedWorkloads(report.reach).sort(
        (a, b) => report.reach.distance[a]! - report.reach.distance[b]! || a - b,
      );
      const paths = reached.map((w) => ({ w, path: attackPath(report.reach, { workload: w })! }));
      const by = hopsByDistance(report.reach);
      return {
        schemaVersion: PATHS_JSON_SCHEMA_VERSION,
        mode: 'reach',
        from: sourcesJson(report.from, report.reach),
        maxHops: report.maxHops ?? null,
        summary: {
          workloads: total,
          reached: reached.length,
          unreached: unreached(report.reach).length,
          maxDistance: by.size === 0 ? 0 : Math.max(...by.keys()),
          byHops: Object.fromEntries([...by].map(([d, n]) => [String(d), n])),
        },
        external: externalJson(
          report,
          paths.flatMap((p) => addressesOf(p.path)),
        ),
        reached: paths.map(({ w, path }) => ({
          workload: report.graph.workloads[w]!.id,
          hops: report.reach.distance[w]!,
          path: pathJson(report, path),
        })),
        unreached: unreached(report.reach).map((w) => report.graph.workloads[w]!.id),
      };
    }
    case 'targets': {
      const results = targetResults(report);
      return {
        schemaVersion: PATHS_JSON_SCHEMA_VERSION,
        mode: 'targets',
        from: sourcesJson(report.from, report.reach),
        maxHops: report.maxHops ?? null,
        summary: {
          targets: results.length,
          reachable: results.filter((r) => r.path !== undefined).length,
        },
        external: externalJson(
          report,
          results.flatMap((r) => addressesOf(r.path ?? [])),
        ),
        targets: results.map((r) => ({
          target: 'workload' in r.target ? nodeRef(report, r.target) : { ref: r.target.ref },
          reachable: r.path !== undefined,
          hops: r.path === undefined ? null : r.hops,
          path: r.path === undefined ? null : pathJson(report, r.path),
        })),
      };
    }
  }
}

export function formatPaths(report: PathsReport, format: PathsFormat): string {
  if (format === 'json') return `${JSON.stringify(pathsToJson(report), null, 2)}\n`;
  switch (report.kind) {
    case 'rank':
      return format === 'md' ? rankMarkdown(report) : rankText(report);
    case 'reach':
      return format === 'md' ? reachMarkdown(report) : reachText(report);
    case 'targets':
      return format === 'md' ? targetsMarkdown(report) : targetsText(report);
  }
}
