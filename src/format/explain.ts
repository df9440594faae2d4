/**
 * `netfence explain` output: txt (readable), json (docs/json-schema.md) and md (a pull-request comment).
 */
import type {
  AllowingRule,
  ExplainEnd,
  Explanation,
  MissReason,
  NearMiss,
  PolicyCitation,
  SegmentSide,
  SideExplanation,
} from '../engine/explain.ts';
import type { LocationJson } from '../contract/common.ts';
import type {
  AllowingRuleJson,
  ExplainEndJson,
  ExplainJson,
  ExplainSideJson,
  ExplanationJson,
} from '../contract/explain.ts';
import { endName, missMessage } from '../describe/explain.ts';
import { describeScope } from '../describe/scope.ts';
import { formatCidr } from '../base/ip.ts';
import { formatPortList, formatPorts } from '../describe/ports.ts';
import { isAllConnections, portsToJson } from '../engine/ports.ts';
import type { RefIndex } from '../engine/refs.ts';
import type { SourceLocation } from '../model/problem.ts';
import { table } from './table.ts';
import { mdCell } from './cells.ts';

export const ExplainFormat = { txt: 'txt', json: 'json', md: 'md' } as const;
export type ExplainFormat = (typeof ExplainFormat)[keyof typeof ExplainFormat];

export const EXPLAIN_SCHEMA_VERSION = 1;

/** One explained pair: the entities asked about, and one explanation per pair of their classes. */
export interface ExplainedPair {
  src: string;
  dst: string;
  explanations: readonly Explanation[];
}

export interface ExplainQuery {
  from: string;
  to: string;
  /** The `--port` text, or undefined for every port. */
  port: string | undefined;
}

export function formatLocation(l: SourceLocation | undefined): string {
  return l === undefined ? '' : `${l.file}:${l.line}`;
}

function headline(x: Explanation): string {
  const arrow = `${endName(x.src)} → ${endName(x.dst)}`;
  const on = formatPortList(x.query);
  switch (x.verdict) {
    case 'allowed':
      return `${arrow}: ALLOWED on ${on}`;
    case 'denied':
      return `${arrow}: DENIED on ${on}`;
    case 'partly-allowed':
      return `${arrow}: ALLOWED on ${formatPortList(x.allowed)} only; ${isAllConnections(x.query) ? 'every other port' : `the rest of ${on}`} is denied`;
  }
}

function sideTitle(side: SideExplanation, end: ExplainEnd): string {
  return `${side.direction === 'egress' ? 'Egress of' : 'Ingress of'} ${endName(end)}`;
}

function statusText(side: SideExplanation, end: ExplainEnd): string {
  switch (side.status) {
    case 'not-isolated':
      return `not isolated: no policy selects it for ${side.direction}, so it allows everything`;
    case 'host-network':
      return 'runs on the host network, where NetworkPolicies do not apply: allows everything';
    case 'outside-cluster':
      return `${endName(end)} is outside the cluster: no ${side.direction} policy applies`;
    case 'isolated':
      return `isolated, selected by ${side.isolatedBy.length} polic${side.isolatedBy.length === 1 ? 'y' : 'ies'} for ${side.direction}:`;
  }
}

function citeRule(r: AllowingRule | NearMiss): string {
  const peer =
    'peer' in r && r.peer !== undefined ? `.${r.direction === 'ingress' ? 'from' : 'to'}[${r.peer}]` : '';
  const where = formatLocation(r.location);
  return `${r.policy} ${r.path}${peer}${where === '' ? '' : ` (${where})`}`;
}

function failedText(m: NearMiss): string {
  switch (m.failed) {
    case 'ports':
      return 'the peer matches, the ports do not';
    case 'peer':
      return 'the ports fit, the peer does not match';
    case 'both':
      return 'neither the peer nor the ports match';
  }
}

function reasonText(r: MissReason): string {
  const message = missMessage(r);
  return r.location === undefined ? message : `${message} (${r.path}, line ${r.location.line})`;
}

function segmentSideText(seg: SegmentSide, side: SideExplanation): string {
  if (side.status === 'not-isolated') return 'allowed (not isolated)';
  if (side.status === 'host-network') return 'allowed (host network)';
  if (side.status === 'outside-cluster') return 'does not apply (outside the cluster)';
  if (!seg.allowed) return 'denied: no rule allows it';
  return `allowed by ${seg.rules.map((r) => `${citeRule(r)}: ${describeScope(r.scope)}`).join('; ')}`;
}

/** The same, one rule per line under the side's label when several rules allow the segment. */
function segmentSideLines(label: string, seg: SegmentSide, side: SideExplanation): string[] {
  if (side.status !== 'isolated' || !seg.allowed || seg.rules.length === 1) {
    return [`${label}${segmentSideText(seg, side)}`];
  }
  return [`${label}allowed by`, ...seg.rules.map((r) => `      - ${citeRule(r)}: ${describeScope(r.scope)}`)];
}

function policyRows(list: readonly PolicyCitation[]): string[] {
  const lines = table(
    ['', ''],
    list.map((p) => [p.policy, formatLocation(p.location)]),
  ).split('\n');
  // Drop the (empty) header line the table helper adds.
  return lines.slice(1).filter((l) => l !== '');
}

function sideLines(x: Explanation, side: SideExplanation): string[] {
  const end = side.direction === 'egress' ? x.src : x.dst;
  const peer = side.direction === 'egress' ? x.dst : x.src;
  const lines = [`${sideTitle(side, end)}: ${statusText(side, end)}`];
  if (side.status !== 'isolated') return lines;
  lines.push(...policyRows(side.isolatedBy).map((l) => `  ${l}`));
  if (side.nearMisses.length > 0 || side.rules.length === 0) {
    const towards = side.direction === 'egress' ? `to ${endName(peer)}` : `from ${endName(peer)}`;
    const what = isAllConnections(x.query) ? 'any connection' : formatPortList(x.query);
    lines.push(`  No rule allows ${what} ${towards}.${side.nearMisses.length > 0 ? ' Nearest rules:' : ''}`);
    for (const m of side.nearMisses) {
      lines.push(`  - ${citeRule(m)}: ${failedText(m)}`);
      for (const r of m.reasons) lines.push(`      ${reasonText(r)}`);
    }
  }
  return lines;
}

function explanationText(x: Explanation): string {
  const lines = [headline(x), '', ...sideLines(x, x.egress), ...sideLines(x, x.ingress), '', 'By port:'];
  for (const seg of x.segments) {
    lines.push(`  ${formatPortList(seg.ports)}: ${seg.allowed ? 'ALLOWED' : 'DENIED'}`);
    lines.push(...segmentSideLines('    egress:  ', seg.egress, x.egress));
    lines.push(...segmentSideLines('    ingress: ', seg.ingress, x.ingress));
  }
  return `${lines.join('\n')}\n`;
}

function explanationMd(x: Explanation): string {
  const on = formatPortList(x.query);
  const verdict =
    x.verdict === 'allowed'
      ? `✅ allowed on ${on}`
      : x.verdict === 'denied'
        ? `⛔ denied on ${on}`
        : `⚠️ allowed on ${formatPortList(x.allowed)} only, denied on the rest of ${on}`;
  const lines = [
    `### \`${endName(x.src)}\` → \`${endName(x.dst)}\`: ${verdict}`,
    '',
    '| Ports | Verdict | Egress | Ingress |',
    '| --- | --- | --- | --- |',
  ];
  for (const seg of x.segments) {
    lines.push(
      `| ${mdCell(formatPortList(seg.ports))} | ${seg.allowed ? 'allowed' : '**denied**'} | ${mdCell(segmentSideText(seg.egress, x.egress))} | ${mdCell(segmentSideText(seg.ingress, x.ingress))} |`,
    );
  }
  for (const side of [x.egress, x.ingress]) {
    const end = side.direction === 'egress' ? x.src : x.dst;
    lines.push(
      '',
      `**${sideTitle(side, end)}**: ${statusText(side, end)}${side.status === 'isolated' ? ` ${side.isolatedBy.map((p) => `\`${p.policy}\``).join(', ')}` : ''}`,
    );
    if (side.nearMisses.length > 0) {
      lines.push('', 'Nearest rules:');
      for (const m of side.nearMisses) {
        lines.push(`- \`${m.policy}\` \`${m.path}\` (${formatLocation(m.location)}): ${failedText(m)}`);
        for (const r of m.reasons) lines.push(`  - ${reasonText(r)}`);
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

function endJson(index: RefIndex, end: ExplainEnd, entityId: string): ExplainEndJson {
  const entity = index.byId.get(entityId);
  if (end.kind === 'address') {
    const cls = index.compiled.addressSpace.classes[end.classId];
    return {
      name: endName(end),
      external: (cls?.cover ?? []).map(formatCidr),
      addressClass: index.compiled.addressSpace.describe(end.classId),
    };
  }
  const pods = index.compiled.classes[end.classId]!.pods.map((p) => `${p.namespace}/${p.name}`);
  return entity?.kind === 'pod'
    ? { name: endName(end), pod: entityId, pods }
    : { name: endName(end), workload: entityId, pods };
}

function locationJson(l: SourceLocation | undefined): LocationJson {
  return { file: l?.file ?? null, line: l?.line ?? null };
}

function ruleJson(r: AllowingRule): AllowingRuleJson {
  return {
    policy: r.policy,
    direction: r.direction,
    rule: r.rule,
    path: r.path,
    ...locationJson(r.location),
    peer: r.peer ?? null,
    peerDescription: describeScope(r.scope),
    ports: portsToJson(r.ports),
  };
}

function sideJson(side: SideExplanation): ExplainSideJson {
  return {
    status: side.status,
    isolatedBy: side.isolatedBy.map((p) => ({ policy: p.policy, ...locationJson(p.location) })),
    allowed: portsToJson(side.allowed),
    rules: side.rules.map(ruleJson),
    nearMisses: side.nearMisses.map((m) => ({
      policy: m.policy,
      direction: m.direction,
      rule: m.rule,
      path: m.path,
      ...locationJson(m.location),
      failed: m.failed,
      reasons: m.reasons.map((r) => ({
        code: r.code,
        message: missMessage(r),
        path: r.path,
        ...locationJson(r.location),
      })),
    })),
  };
}

const ruleRef = (r: AllowingRule): { policy: string; path: string } => ({ policy: r.policy, path: r.path });

/** The JSON of one explanation (an item of `explanations`); `srcId`/`dstId` are the entities explained. */
export function explanationToJson(
  index: RefIndex,
  x: Explanation,
  srcId: string,
  dstId: string,
): ExplanationJson {
  return {
    src: endJson(index, x.src, srcId),
    dst: endJson(index, x.dst, dstId),
    verdict: x.verdict,
    query: portsToJson(x.query),
    allowed: portsToJson(x.allowed),
    summary: formatPorts(x.allowed),
    egress: sideJson(x.egress),
    ingress: sideJson(x.ingress),
    segments: x.segments.map((s) => ({
      ports: portsToJson(s.ports),
      summary: formatPortList(s.ports),
      allowed: s.allowed,
      egress: { allowed: s.egress.allowed, rules: s.egress.rules.map(ruleRef) },
      ingress: { allowed: s.ingress.allowed, rules: s.ingress.rules.map(ruleRef) },
    })),
  };
}

export function explainToJson(
  index: RefIndex,
  query: ExplainQuery,
  pairs: readonly ExplainedPair[],
): ExplainJson {
  return {
    schemaVersion: EXPLAIN_SCHEMA_VERSION,
    granularity: index.granularity,
    query: { from: query.from, to: query.to, port: query.port ?? null },
    explanations: pairs.flatMap((pair) =>
      pair.explanations.map((x) => explanationToJson(index, x, pair.src, pair.dst)),
    ),
  };
}

export function formatExplanations(
  index: RefIndex,
  query: ExplainQuery,
  pairs: readonly ExplainedPair[],
  format: ExplainFormat,
): string {
  const all = pairs.flatMap((p) => p.explanations);
  switch (format) {
    case 'json':
      return `${JSON.stringify(explainToJson(index, query, pairs), null, 2)}\n`;
    case 'md':
      return all.map(explanationMd).join('\n');
    case 'txt':
      return all.map(explanationText).join('\n');
  }
}

/** The text of one explanation, for `netfence test` failures. */
export function explanationToText(x: Explanation): string {
  return explanationText(x);
}
