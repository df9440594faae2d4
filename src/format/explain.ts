/**
 * `netfence explain` output: txt (readable), json (docs/json-schema.md) and md (a pull-request comment).
 */
import type {
  AllowingRule,
  DomainRuleMatch,
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
  CiliumL7Match,
  CiliumNearMiss,
  CiliumRuleCitation,
  CiliumRuleMatch,
  CiliumSideExplanation,
  CiliumSpecCitation,
} from '../engine/explain-cilium.ts';
import type {
  AllowingRuleJson,
  CiliumL7Json,
  CiliumNearMissJson,
  CiliumRuleMatchJson,
  DomainExplanationJson,
  CiliumRuleRefJson,
  CiliumSideJson,
  ExplainEndJson,
  ExplainJson,
  ExplainSideJson,
  ExplanationJson,
  NearMissJson,
  SegmentSideJson,
  TierExplanationJson,
  TierMatchJson,
  TierRuleJson,
  TierStepJson,
} from '../contract/explain.ts';
import {
  UNDEFINED_TIE,
  describeCiliumMatchedPeer,
  endName,
  missMessage,
  tierActionWord,
  tierPolicyName,
  tierLabel,
  tierRuleText,
  tierStatusText,
  tierStepText,
} from '../describe/explain.ts';
import { nodeAddressText } from '../describe/node-address.ts';
import type {
  TierExplanation,
  TierMatch,
  TierPath,
  TierRuleCitation,
  TierStep,
} from '../engine/explain-tiers.ts';
import { describeScope } from '../describe/scope.ts';
import { formatCidr } from '../base/ip.ts';
import { formatPortList, formatPorts } from '../describe/ports.ts';
import {
  NO_PORTS,
  isAllConnections,
  isEmptyPorts,
  portsToJson,
  unionPorts,
  type PortSet,
} from '../engine/ports.ts';
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

/** `, filtered at L7 on 8080/TCP by CiliumNetworkPolicy/shop/api`: the L7 entries a connection passes through. */
function headlineL7(x: Explanation): string {
  if (x.l7.length === 0) return '';
  let ports = x.l7[0]!.ports;
  for (const f of x.l7) ports = unionPorts(ports, f.ports);
  const policies = [...new Set(x.l7.map((f) => f.policy))].sort();
  return `, filtered at L7 on ${formatPortList(ports)} by ${policies.join(', ')}`;
}

function headline(x: Explanation): string {
  const arrow = `${endName(x.src)} → ${endName(x.dst)}`;
  const on = formatPortList(x.query);
  // Filtered at L7 is never plainly "allowed": the headline says at which layer, and by which policies.
  const l4 = x.l7.length === 0 ? '' : ' at L4';
  switch (x.verdict) {
    case 'allowed':
      return `${arrow}: ALLOWED${l4} on ${on}${headlineL7(x)}`;
    case 'denied':
      return `${arrow}: DENIED on ${on}`;
    case 'partly-allowed':
      return `${arrow}: ALLOWED${l4} on ${formatPortList(x.allowed)} only${headlineL7(x)}; ${isAllConnections(x.query) ? 'every other port' : `the rest of ${on}`} is denied`;
  }
}

function sideTitle(side: SideExplanation, end: ExplainEnd): string {
  return `${side.direction === 'egress' ? 'Egress of' : 'Ingress of'} ${endName(end)}`;
}

/** Whether cluster policies take part in this side (the text then shows the walk through the tiers). */
function tiered(side: SideExplanation): boolean {
  return side.tiers.status === 'applies';
}

function statusText(side: SideExplanation, end: ExplainEnd): string {
  switch (side.status) {
    case 'not-isolated':
      if (side.unenforced !== undefined) {
        const names = side.unenforced.map(
          (u) => `${u.policy}, which ${u.profile} does not enforce (${u.reason})`,
        );
        const rest =
          side.cilium !== undefined
            ? '; Cilium policies do:'
            : tiered(side)
              ? ''
              : ', so it allows everything';
        return `not isolated: selected by ${names.join('; and by ')}${rest}`;
      }
      if (side.cilium !== undefined)
        return `no NetworkPolicy selects it for ${side.direction}; Cilium policies do:`;
      return tiered(side)
        ? `no NetworkPolicy selects it for ${side.direction}`
        : `not isolated: no policy selects it for ${side.direction}, so it allows everything`;
    case 'host-network': {
      const tiers = tierStatusText(side.tiers.status);
      return `runs on the host network, where NetworkPolicies do not apply${tiers === undefined ? '' : ` and ${tiers}`}: allows everything`;
    }
    case 'outside-cluster':
      return `${endName(end)} is outside the cluster: no ${side.direction} policy applies`;
    case 'node-address':
      return `${endName(end)} is ${nodeAddressText(side.nodes ?? [])}, not a pod: no pod's ${side.direction} policy applies`;
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

function failedText(m: { failed: CiliumNearMiss['failed']; reasons: readonly MissReason[] }): string {
  switch (m.failed) {
    case 'subject':
      return 'the peer and the ports match, the rule set does not select the pod';
    case 'ports':
      return 'the peer matches, the ports do not';
    case 'peer':
      if (m.reasons.length > 0 && m.reasons.every((r) => r.code === 'fqdn-unseen'))
        return 'the ports fit, the name is never resolved for policy';
      // A DNS-name peer may match at run time: it is not known not to.
      return m.reasons.length > 0 && m.reasons.every((r) => r.code === 'dns-name')
        ? 'the ports fit, the peer is not known to match'
        : 'the ports fit, the peer does not match';
    case 'both':
      return 'neither the peer nor the ports match';
  }
}

function reasonText(r: MissReason): string {
  const message = missMessage(r);
  return r.location === undefined ? message : `${message} (${r.path}, line ${r.location.line})`;
}

function tierRuleCite(r: TierRuleCitation): string {
  const where = formatLocation(r.location);
  return `${tierLabel(r.tier)} ${tierRuleText(r)}${where === '' ? '' : ` (${where})`}`;
}

function stepText(step: TierStep, allowed: boolean): string {
  return step.kind === 'rule' ? tierRuleCite(step.match) : tierStepText(step, allowed);
}

/** `[Admin] cnp/x egress rule 2 Pass (f:3) → [NetworkPolicy] not isolated → … → denied` */
function tierPathText(path: TierPath): string {
  return `${path.steps.map((s) => stepText(s, path.allowed)).join(' → ')} → ${path.allowed ? 'allowed' : 'denied'}`;
}

/** The lines under a rule step whose equal-priority rivals decide otherwise. */
function undefinedLines(path: TierPath, indent: string): string[] {
  const out: string[] = [];
  for (const step of path.steps) {
    if (step.kind !== 'rule' || step.undefinedWith.length === 0) continue;
    out.push(`${indent}${UNDEFINED_TIE}:`);
    [step.match, ...step.undefinedWith].forEach((m, i) => {
      const applied = i === 0 ? ', netfence applies this one' : '';
      out.push(
        `${indent}  - ${tierRuleCite(m)} (priority ${m.priority ?? '-'}${applied}) on ${formatPortList(m.ports)}`,
      );
    });
  }
  return out;
}

/** What the side's cluster policy near misses would have done: the opposite of what it does. */
function wouldDo(side: SideExplanation): string {
  return isEmptyPorts(side.allowed) ? 'allow' : 'deny';
}

function tierLines(x: Explanation, side: SideExplanation): string[] {
  const lines: string[] = [];
  const note = tierStatusText(side.tiers.status);
  if (note !== undefined && side.status !== 'host-network')
    lines.push(`  Cluster policies: ${note.replace(/^cluster policies /, '')}.`);
  if (!tiered(side)) return lines;
  lines.push('  Through the tiers:');
  for (const path of side.tiers.paths) {
    lines.push(`    ${formatPortList(path.ports)}: ${tierPathText(path)}`);
    lines.push(...undefinedLines(path, '      '));
  }
  if (side.status === 'isolated' && !side.tiers.paths.some((p) => p.decidedBy === 'network-policy')) {
    lines.push('  NetworkPolicies skipped: the Admin tier decided every port asked about.');
  }
  for (const d of side.tiers.dnsRules) {
    lines.push(
      `  By DNS name: ${tierRuleCite(d)} allows ${d.domains.join(', ')} on ${formatPortList(d.ports)}. If ${endName(x.dst)} is an address these names resolve to, the rule may allow it: the decision depends on DNS resolution.`,
    );
  }
  if (side.tiers.nearMisses.length > 0) {
    lines.push(`  Nearest cluster policy rules that would ${wouldDo(side)} it:`);
    for (const m of side.tiers.nearMisses) {
      lines.push(`  - ${tierRuleCite(m)}: ${failedText(m)}`);
      for (const r of m.reasons) lines.push(`      ${reasonText(r)}`);
    }
  }
  return lines;
}

/** `; undefined: at equal priority the implementation may apply anp/y egress rule 0 Deny instead` or ''. */
function undefinedSuffix(seg: SegmentSide): string {
  if (seg.undefinedWith.length === 0) return '';
  const rivals = seg.undefinedWith.map(
    (m) => `${tierPolicyName(m.policy, m.kind)} ${m.path} ${tierActionWord(m.kind, m.action)}`,
  );
  return `; undefined: at equal priority the implementation may apply ${rivals.join(' or ')} instead`;
}

function segmentSideText(seg: SegmentSide, side: SideExplanation): string {
  return decisionText(seg, side) + undefinedSuffix(seg);
}

/** `CiliumNetworkPolicy/prod/db spec.ingressDeny[0] (db.yaml:12)`. */
function ciliumCite(r: CiliumRuleCitation): string {
  const at = formatLocation(r.location);
  return `${r.policy} ${r.path}${at === '' ? '' : ` (${at})`}`;
}

function decisionText(seg: SegmentSide, side: SideExplanation): string {
  if (seg.tierRule !== undefined) {
    return `${seg.allowed ? 'allowed' : 'denied'} by ${tierRuleCite(seg.tierRule)}`;
  }
  if (seg.cilium.length > 0) {
    const cilium = seg.cilium.map(ciliumCite).join('; ');
    if (!seg.allowed) return `denied by ${cilium} (a deny rule wins over every allow)`;
    const np = seg.rules.map((r) => `${citeRule(r)}: ${describeScope(r.scope)}`);
    return `allowed by ${[...np, cilium].join('; ')}`;
  }
  if (side.cilium !== undefined && seg.decidedBy === 'network-policy' && side.status !== 'isolated') {
    if (!seg.allowed) return 'denied: no rule of the Cilium policies selecting it allows it';
  }
  if (seg.decidedBy === 'default' && tiered(side)) return 'allowed (no tier decides)';
  if (side.status === 'not-isolated') return 'allowed (not isolated)';
  if (side.status === 'host-network') return 'allowed (host network)';
  if (side.status === 'outside-cluster') return 'does not apply (outside the cluster)';
  if (side.status === 'node-address') return "does not apply (a node's address)";
  if (!seg.allowed) return `denied: no ${tiered(side) ? 'NetworkPolicy ' : ''}rule allows it`;
  if (seg.rules.length === 0) return 'allowed';
  return `allowed by ${seg.rules.map((r) => `${citeRule(r)}: ${describeScope(r.scope)}`).join('; ')}`;
}

/** The same, one rule per line under the side's label when several rules allow the segment. */
function segmentSideLines(label: string, seg: SegmentSide, side: SideExplanation): string[] {
  if (side.status !== 'isolated' || !seg.allowed || seg.rules.length <= 1) {
    return [`${label}${segmentSideText(seg, side)}`];
  }
  return [
    `${label}allowed by${undefinedSuffix(seg)}`,
    ...seg.rules.map((r) => `      - ${citeRule(r)}: ${describeScope(r.scope)}`),
  ];
}

function policyRows(list: readonly PolicyCitation[]): string[] {
  const lines = table(
    ['', ''],
    list.map((p) => [p.policy, formatLocation(p.location)]),
  ).split('\n');
  // Drop the (empty) header line the table helper adds.
  return lines.slice(1).filter((l) => l !== '');
}

/** `CiliumNetworkPolicy/prod/db spec.ingress[0] (db.yaml:9)` or `prod/db-open spec.ingress[0]`: an L4-only allow. */
function l4OnlyCite(r: { policy: string; path: string; location: SourceLocation | undefined }): string {
  const at = formatLocation(r.location);
  return `${r.policy} ${r.path}${at === '' ? '' : ` (${at})`}`;
}

/** The Cilium policies of a side: which rule sets select the pod, and which rules match. */
function ciliumLines(
  c: CiliumSideExplanation | undefined,
  x?: Explanation,
  side?: SideExplanation,
): string[] {
  if (c === undefined) return [];
  const specs = (list: readonly CiliumSpecCitation[]) =>
    list
      .map(
        (p) => `${p.policy} ${p.spec}${p.location === undefined ? '' : ` (${formatLocation(p.location)})`}`,
      )
      .join(', ');
  const lines: string[] = [];
  if (c.isolatedBy.length > 0) lines.push(`  Cilium: default deny by ${specs(c.isolatedBy)}`);
  if (c.openBy.length > 0) lines.push(`  Cilium: rules without default deny in ${specs(c.openBy)}`);
  for (const r of c.allows)
    lines.push(
      `  - allows ${formatPortList(r.ports)}: ${ciliumCite(r)}, ${describeCiliumMatchedPeer(r.peer)}`,
    );
  for (const r of c.denies)
    lines.push(
      `  - denies ${formatPortList(r.ports)}: ${ciliumCite(r)}, ${describeCiliumMatchedPeer(r.peer)}`,
    );
  for (const r of c.unseenNames)
    lines.push(
      `  - toFQDNs ${r.domain} (${ciliumCite(r)}) allows nothing: no DNS rule on port 53 covers it, so Cilium's DNS proxy never sees its lookups`,
    );
  for (const r of c.shadowedL7)
    lines.push(
      `  - L7 rules of ${r.policy} ${r.entryPath} (${r.l7}${r.location === undefined ? '' : `, ${formatLocation(r.location)}`}) filter nothing on ${formatPortList(r.ports)}: ${r.by.map(l4OnlyCite).join('; ')} let${r.by.length === 1 ? 's' : ''} the same peer through at L4 alone`,
    );
  if (c.nearMisses.length > 0 && x !== undefined && side !== undefined) {
    const peer = side.direction === 'egress' ? `to ${endName(x.dst)}` : `from ${endName(x.src)}`;
    const what = isAllConnections(x.query) ? 'any connection' : formatPortList(x.query);
    lines.push(`  No Cilium rule allows ${what} ${peer}. Nearest Cilium rules:`);
    for (const m of c.nearMisses) {
      lines.push(`  - ${ciliumCite(m)}: ${failedText(m)}`);
      for (const r of m.reasons) lines.push(`      ${reasonText(r)}`);
    }
  }
  return lines;
}

function sideLines(x: Explanation, side: SideExplanation): string[] {
  const end = side.direction === 'egress' ? x.src : x.dst;
  const peer = side.direction === 'egress' ? x.dst : x.src;
  const lines = [`${sideTitle(side, end)}: ${statusText(side, end)}`];
  if (side.status === 'isolated') lines.push(...policyRows(side.isolatedBy).map((l) => `  ${l}`));
  lines.push(...ciliumLines(side.cilium, x, side));
  if (side.ownNode !== undefined)
    lines.push(
      `  ${side.ownNode}: ${endName(peer)} ${peer.kind === 'pod' ? 'runs on' : 'is'} the pod's node`,
    );
  lines.push(...tierLines(x, side));
  if (side.status !== 'isolated') return lines;
  if (
    side.nearMisses.length > 0 ||
    (side.rules.length === 0 && !tiered(side) && side.ownNode === undefined)
  ) {
    const towards = side.direction === 'egress' ? `to ${endName(peer)}` : `from ${endName(peer)}`;
    const what = isAllConnections(x.query) ? 'any connection' : formatPortList(x.query);
    // Beside Cilium rule sets (or tiers) the NetworkPolicies are one voice among several: say whose rules.
    const kind = tiered(side) || side.cilium !== undefined ? 'NetworkPolicy ' : '';
    lines.push(
      `  No ${kind}rule allows ${what} ${towards}.${side.nearMisses.length > 0 ? ' Nearest rules:' : ''}`,
    );
    for (const m of side.nearMisses) {
      lines.push(`  - ${citeRule(m)}: ${failedText(m)}`);
      for (const r of m.reasons) lines.push(`      ${reasonText(r)}`);
    }
  }
  return lines;
}

/** `Filtered at L7: TCP 5432 by CiliumNetworkPolicy/prod/db spec.ingress[0].toPorts[0] (http) …`. */
function l7Lines(x: Explanation): string[] {
  return x.l7.map(
    (f) =>
      `Filtered at L7: ${formatPortList(f.ports)} allowed at L4, filtered at L7 by ${f.policy} ${f.entryPath} (${f.l7}${f.location === undefined ? '' : `, ${formatLocation(f.location)}`})`,
  );
}

function explanationText(x: Explanation): string {
  const lines = [headline(x), '', ...sideLines(x, x.egress), ...sideLines(x, x.ingress), '', 'By port:'];
  for (const seg of x.segments) {
    lines.push(`  ${formatPortList(seg.ports)}: ${seg.allowed ? 'ALLOWED' : 'DENIED'}`);
    lines.push(...segmentSideLines('    egress:  ', seg.egress, x.egress));
    lines.push(...segmentSideLines('    ingress: ', seg.ingress, x.ingress));
  }
  lines.push(...l7Lines(x));
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
    const cilium = ciliumLines(side.cilium, x, side);
    // The reasons of a near miss (indented in the text) nest under its list item.
    const mdLine = (l: string): string =>
      l.startsWith('      ') ? `  - ${mdCell(l.trim())}` : mdCell(l.trim());
    if (cilium.length > 0) lines.push('', ...cilium.map(mdLine));
    const note = tierStatusText(side.tiers.status);
    if (note !== undefined && side.status !== 'host-network')
      lines.push('', `Cluster policies: ${note.replace(/^cluster policies /, '')}.`);
    if (tiered(side)) {
      lines.push('', 'Through the tiers:');
      for (const path of side.tiers.paths) {
        lines.push(`- ${mdCell(formatPortList(path.ports))}: ${mdCell(tierPathText(path))}`);
        lines.push(...undefinedLines(path, '  '));
      }
      for (const d of side.tiers.dnsRules) {
        lines.push(
          '',
          `By DNS name: ${mdCell(tierRuleCite(d))} allows ${d.domains.map((n) => `\`${n}\``).join(', ')}: the decision depends on DNS resolution.`,
        );
      }
      if (side.tiers.nearMisses.length > 0) {
        lines.push('', `Nearest cluster policy rules that would ${wouldDo(side)} it:`);
        for (const m of side.tiers.nearMisses) {
          lines.push(`- ${mdCell(tierRuleCite(m))}: ${failedText(m)}`);
          for (const r of m.reasons) lines.push(`  - ${reasonText(r)}`);
        }
      }
    }
    if (side.nearMisses.length > 0) {
      lines.push('', 'Nearest rules:');
      for (const m of side.nearMisses) {
        lines.push(`- \`${m.policy}\` \`${m.path}\` (${formatLocation(m.location)}): ${failedText(m)}`);
        for (const r of m.reasons) lines.push(`  - ${reasonText(r)}`);
      }
    }
  }
  const l7 = l7Lines(x);
  if (l7.length > 0) lines.push('', ...l7.map(mdCell));
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

export function tierRuleJson(r: TierRuleCitation): TierRuleJson {
  return {
    policy: r.policy,
    kind: r.kind,
    tier: r.tier,
    priority: r.priority ?? null,
    direction: r.direction,
    rule: r.rule,
    ruleName: r.ruleName ?? null,
    action: r.action,
    path: r.path,
    ...locationJson(r.location),
  };
}

function tierMatchJson(m: TierMatch): TierMatchJson {
  return { ...tierRuleJson(m), peer: m.peer, ports: portsToJson(m.ports) };
}

function tierStepJson(step: TierStep): TierStepJson {
  switch (step.kind) {
    case 'rule':
      return {
        kind: 'rule',
        match: tierMatchJson(step.match),
        undefinedWith: step.undefinedWith.map(tierMatchJson),
      };
    case 'no-match':
      return { kind: 'no-match', tier: step.tier, policies: step.policies };
    case 'network-policy':
      return { kind: 'network-policy', isolated: step.isolated };
    case 'default':
      return { kind: 'default' };
  }
}

function reasonJson(r: MissReason): NearMissJson['reasons'][number] {
  return { code: r.code, message: missMessage(r), path: r.path, ...locationJson(r.location) };
}

function tiersJson(t: TierExplanation): TierExplanationJson {
  return {
    status: t.status,
    paths: t.paths.map((p) => ({
      ports: portsToJson(p.ports),
      summary: formatPortList(p.ports),
      allowed: p.allowed,
      decidedBy: p.decidedBy,
      steps: p.steps.map(tierStepJson),
      text: tierPathText(p),
    })),
    dnsRules: t.dnsRules.map((d) => ({
      ...tierRuleJson(d),
      domains: d.domains,
      ports: portsToJson(d.ports),
    })),
    nearMisses: t.nearMisses.map((m) => ({
      ...tierRuleJson(m),
      failed: m.failed,
      reasons: m.reasons.map(reasonJson),
    })),
  };
}

function ciliumRefJson(r: CiliumRuleCitation): CiliumRuleRefJson {
  return { policy: r.policy, path: r.path, deny: r.deny, ...locationJson(r.location) };
}

function ciliumL7Json(f: CiliumL7Match): CiliumL7Json {
  return {
    ...ciliumRefJson(f),
    entry: f.entryPath,
    l7: f.l7,
    ports: portsToJson(f.ports),
    summary: formatPorts(f.ports),
  };
}

function ciliumMatchJson(r: CiliumRuleMatch): CiliumRuleMatchJson {
  return {
    ...ciliumRefJson(r),
    peer: describeCiliumMatchedPeer(r.peer),
    ports: portsToJson(r.ports),
    summary: formatPorts(r.ports),
  };
}

function ciliumSideJson(c: CiliumSideExplanation): CiliumSideJson {
  const spec = (p: CiliumSpecCitation) => ({ policy: p.policy, spec: p.spec, ...locationJson(p.location) });
  return {
    isolatedBy: c.isolatedBy.map(spec),
    openBy: c.openBy.map(spec),
    allows: c.allows.map(ciliumMatchJson),
    denies: c.denies.map(ciliumMatchJson),
    ...(c.unseenNames.length === 0
      ? {}
      : { unseenNames: c.unseenNames.map((r) => ({ ...ciliumRefJson(r), domain: r.domain })) }),
    ...(c.nearMisses.length === 0 ? {} : { nearMisses: c.nearMisses.map(ciliumNearMissJson) }),
    ...(c.shadowedL7.length === 0
      ? {}
      : {
          shadowedL7: c.shadowedL7.map((r) => ({
            ...ciliumL7Json(r),
            by: r.by.map((b) => ({ policy: b.policy, path: b.path, ...locationJson(b.location) })),
          })),
        }),
  };
}

function segmentSideJson(s: SegmentSide): SegmentSideJson {
  return {
    allowed: s.allowed,
    rules: s.rules.map(ruleRef),
    decidedBy: s.decidedBy,
    tierRule:
      s.tierRule === undefined
        ? null
        : { policy: s.tierRule.policy, path: s.tierRule.path, action: s.tierRule.action },
    undefinedWith: s.undefinedWith.map((m) => ({ policy: m.policy, path: m.path, action: m.action })),
    ...(s.cilium.length === 0 ? {} : { cilium: s.cilium.map(ciliumRefJson) }),
  };
}

function sideJson(side: SideExplanation): ExplainSideJson {
  return {
    status: side.status,
    ...(side.nodes === undefined ? {} : { nodes: side.nodes }),
    ...(side.ownNode === undefined ? {} : { ownNode: side.ownNode }),
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
      reasons: m.reasons.map(reasonJson),
    })),
    tiers: tiersJson(side.tiers),
    ...(side.cilium === undefined ? {} : { cilium: ciliumSideJson(side.cilium) }),
    ...(side.unenforced === undefined
      ? {}
      : {
          unenforced: side.unenforced.map((u) => ({
            policy: u.policy,
            profile: u.profile,
            reason: u.reason,
            ...locationJson(u.location),
          })),
        }),
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
      egress: segmentSideJson(s.egress),
      ingress: segmentSideJson(s.ingress),
    })),
    ...(x.l7.length === 0
      ? {}
      : {
          l7: x.l7.map(ciliumL7Json),
        }),
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

/**
 * `explain --to <DNS name>`: whether the source reaches the name by name, and by which rules; the addresses it
 * resolves to decide the rest, so the text says the decision depends on DNS resolution.
 */
export function formatDomainExplanation(
  src: string,
  name: string,
  query: PortSet,
  rules: readonly DomainRuleMatch[],
  nearMisses: readonly CiliumNearMiss[] = [],
): string {
  const on = formatPortList(query);
  if (rules.length === 0) {
    const misses = nearMisses.flatMap((m) => [
      `  - ${ciliumCite(m)}: ${failedText(m)}`,
      ...m.reasons.map((r) => `      ${reasonText(r)}`),
    ]);
    return [
      `${src} → ${name} (by DNS name): NOT ALLOWED by name on ${on}: no Cilium toFQDNs rule or cluster policy domainNames rule allows it`,
      ...(misses.length === 0 ? [] : ['Nearest toFQDNs rules:', ...misses]),
      `The decision depends on DNS resolution: rules by address still apply to the addresses ${name} resolves to (explain --to <its IP>).`,
      '',
    ].join('\n');
  }
  let allowed = rules[0]!.ports;
  for (const r of rules) allowed = unionPorts(allowed, r.ports);
  return [
    `${src} → ${name} (by DNS name): ALLOWED by name on ${formatPortList(allowed)}`,
    ...rules.map((r) => {
      const where = formatLocation(r.location);
      return `  - ${r.policy} ${r.path}${where === '' ? '' : ` (${where})`}: ${r.domain} on ${formatPortList(r.ports)}`;
    }),
    `The decision depends on DNS resolution: these rules allow the addresses ${name} resolves to when the pod looks it up.`,
    '',
  ].join('\n');
}

function ciliumNearMissJson(m: CiliumNearMiss): CiliumNearMissJson {
  return { ...ciliumRefJson(m), failed: m.failed, reasons: m.reasons.map(reasonJson) };
}

/** `explain --to <DNS name> -o json`: one answer per source entity, in `domains` (docs/json-schema.md#explain). */
export function domainExplanationJson(
  src: { name: string; id: string },
  name: string,
  query: PortSet,
  rules: readonly DomainRuleMatch[],
  nearMisses: readonly CiliumNearMiss[],
): DomainExplanationJson {
  const allowed = rules.reduce((a, r) => unionPorts(a, r.ports), NO_PORTS);
  return {
    src,
    domain: name,
    verdict: rules.length > 0 ? 'allowed' : 'denied',
    allowed: portsToJson(allowed),
    summary: formatPorts(allowed),
    rules: rules.map((r) => ({
      policy: r.policy,
      path: r.path,
      ...locationJson(r.location),
      domain: r.domain,
      ports: portsToJson(r.ports),
      summary: formatPorts(r.ports),
    })),
    nearMisses: nearMisses.map(ciliumNearMissJson),
  };
}

/** The whole `explain --to <DNS name> -o json` answer: `explanations` empty, `domains` one per source. */
export function domainExplainJson(
  granularity: RefIndex['granularity'],
  query: ExplainQuery,
  domains: readonly DomainExplanationJson[],
): ExplainJson {
  return {
    schemaVersion: EXPLAIN_SCHEMA_VERSION,
    granularity,
    query: { from: query.from, to: query.to, port: query.port ?? null },
    explanations: [],
    domains,
  };
}
