/**
 * `netfence exposure` output: txt (readable), json (docs/json-schema.md) and md (a pull-request comment).
 */
import {
  EXPOSURE_FLAGS,
  type CiliumExposureStatement,
  type DirectionExposure,
  type ExposureFlag,
  type ExposureStatement,
  type TierExposureStatement,
  type WorkloadExposure,
} from '../engine/exposure.ts';
import type {
  ExposureDirectionJson,
  ExposureItemJson,
  ExposureJson,
  PeerScopeJson,
  TierExposureStatementJson,
} from '../contract/exposure.ts';
import { portsToJson } from '../engine/ports.ts';
import type { PeerScope } from '../engine/explain.ts';
import { describeCiliumStatement, describeFlagReason, describeRulePorts } from '../describe/exposure.ts';
import { describeScope } from '../describe/scope.ts';
import {
  describeTierPolicy,
  describeTierPorts,
  describeTierStatement,
  tierName,
} from '../describe/tier-rules.ts';
import { describeSelector } from '../describe/selectors.ts';
import type { RefIndex } from '../engine/refs.ts';
import { formatLocation } from './explain.ts';
import { mdCell } from './cells.ts';

export const ExposureFormat = { txt: 'txt', json: 'json', md: 'md' } as const;
export type ExposureFormat = (typeof ExposureFormat)[keyof typeof ExposureFormat];

export const EXPOSURE_SCHEMA_VERSION = 1;

const FLAG_SUMMARY: Record<ExposureFlag, string> = {
  'reachable-from-outside': 'reachable from outside the cluster',
  'reachable-from-all-namespaces': 'reachable from every namespace',
  'egress-to-internet': 'with egress to the internet',
};

export interface ExposureReport {
  index: RefIndex;
  /** Every workload examined (before `--flagged` filtering), for the summary. */
  all: readonly WorkloadExposure[];
  /** The workloads to print. */
  shown: readonly WorkloadExposure[];
}

function counts(list: readonly WorkloadExposure[]): Record<ExposureFlag, number> {
  const out = Object.fromEntries(EXPOSURE_FLAGS.map((f) => [f, 0])) as Record<ExposureFlag, number>;
  for (const w of list) for (const f of w.flags) out[f.flag]++;
  return out;
}

function summaryLine(r: ExposureReport): string {
  const c = counts(r.all);
  const what = r.index.granularity === 'workload' ? 'workload' : 'pod';
  const parts = EXPOSURE_FLAGS.map((f) => `${c[f]} ${FLAG_SUMMARY[f]}`);
  return `${r.all.length} ${what}${r.all.length === 1 ? '' : 's'}: ${parts.join(', ')}`;
}

function todayList(index: RefIndex, today: readonly string[]): string {
  if (today.length === 0) return '; today: none';
  const names = today.map((id) => index.displayName(id));
  return `; today: ${names.length > 6 ? `${names.slice(0, 6).join(', ')} and ${names.length - 6} more` : names.join(', ')}`;
}

function todayText(index: RefIndex, s: ExposureStatement): string {
  if (s.peer.kind !== 'pods') return '';
  if (s.everyPod) return '; today: every pod';
  return todayList(index, s.today);
}

function statementLines(index: RefIndex, s: ExposureStatement, indent = '    '): string[] {
  const where = formatLocation(s.location);
  return [
    `${indent}${describeScope(s.peer)}, ${describeRulePorts(s.rulePorts)}${s.allowsSomething ? '' : ' (allows nothing)'}`,
    `${indent}  by ${s.policy} ${s.path}${where === '' ? '' : ` (${where})`}${todayText(index, s)}`,
  ];
}

function ciliumStatementLines(index: RefIndex, s: CiliumExposureStatement, indent = '    '): string[] {
  const where = formatLocation(s.location);
  const today = s.deny || s.today.length > 0 ? todayList(index, s.today) : '';
  return [
    `${indent}${describeCiliumStatement(s)}`,
    `${indent}  by ${s.policy} ${s.path}${where === '' ? '' : ` (${where})`}${today}`,
  ];
}

/** The Cilium rules of a direction, under a title when there are any. */
function ciliumLines(index: RefIndex, d: DirectionExposure, indent: string): string[] {
  if (d.cilium.length === 0) return [];
  return [
    `${indent}Cilium rules:`,
    ...d.cilium.flatMap((s) => ciliumStatementLines(index, s, `${indent}  `)),
  ];
}

/** Whether any rule of the NetworkPolicy layer (NetworkPolicies, Cilium allow rules) allows something. */
function allowsAny(d: DirectionExposure): boolean {
  return d.statements.length > 0 || d.cilium.some((s) => !s.deny);
}

function tierStatementLines(
  index: RefIndex,
  s: TierExposureStatement,
  direction: 'ingress' | 'egress',
): string[] {
  const where = formatLocation(s.location);
  // Selector peers say whom they match today; address peers only when pods sit at those addresses.
  const bySelector = s.peer.kind === 'namespaces' || s.peer.kind === 'pods';
  const today = bySelector || s.today.length > 0 ? todayList(index, s.today) : '';
  return [
    `      ${describeTierStatement(s, direction)}`,
    `        by ${describeTierPolicy(s)} ${s.path}${where === '' ? '' : ` (${where})`}${today}`,
  ];
}

/** Whether cluster policy rules apply in this direction (the answer is then given tier by tier). */
function tiered(d: DirectionExposure): boolean {
  return d.admin.length > 0 || d.baseline.length > 0;
}

/** A direction with cluster policy rules: the Admin tier, NetworkPolicies, the Baseline tier, in that order. */
function tieredLines(index: RefIndex, d: DirectionExposure, direction: 'ingress' | 'egress'): string[] {
  const lines: string[] = [];
  if (d.admin.length > 0) {
    lines.push('    Admin tier:', ...d.admin.flatMap((s) => tierStatementLines(index, s, direction)));
  }
  if (d.status === 'not-isolated') {
    const next = d.baseline.length > 0 ? 'on to the Baseline tier' : 'what no rule above decides is allowed';
    lines.push(`    NetworkPolicies: not isolated for ${direction}, ${next}`);
  } else if (d.status === 'host-network') {
    lines.push('    NetworkPolicies: host network, policies do not apply');
  } else if (!allowsAny(d)) {
    lines.push(
      `    NetworkPolicies: nothing else (isolated by ${d.policies.join(', ')}, no rule allows any)`,
    );
  } else {
    lines.push(
      `    NetworkPolicies (isolated by ${d.policies.join(', ')}: they decide what the Admin tier passes or leaves):`,
      ...d.statements.flatMap((s) => statementLines(index, s, '      ')),
    );
  }
  lines.push(...ciliumLines(index, d, '      '));
  if (d.baseline.length > 0) {
    lines.push('    Baseline tier:', ...d.baseline.flatMap((s) => tierStatementLines(index, s, direction)));
  }
  return lines;
}

function directionLines(index: RefIndex, d: DirectionExposure, direction: 'ingress' | 'egress'): string[] {
  const title = direction === 'ingress' ? 'reachable from' : 'can reach';
  if (tiered(d)) return [`  ${title}:`, ...tieredLines(index, d, direction)];
  if (d.status === 'not-isolated') {
    const what = d.cilium.length === 0 ? '' : ' but for what Cilium rules deny';
    return [
      `  ${title}: ${direction === 'ingress' ? 'anyone' : 'anywhere'} (not isolated for ${direction})${what}`,
      ...ciliumLines(index, d, '    '),
    ];
  }
  if (d.status === 'host-network') {
    return [
      `  ${title}: ${direction === 'ingress' ? 'anyone' : 'anywhere'} (host network: policies do not apply)`,
    ];
  }
  if (!allowsAny(d))
    return [
      `  ${title}: nothing (isolated by ${d.policies.join(', ')}, no rule allows any)`,
      ...ciliumLines(index, d, '    '),
    ];
  return [
    `  ${title}:`,
    ...d.statements.flatMap((s) => statementLines(index, s)),
    ...ciliumLines(index, d, '    '),
  ];
}

function workloadText(index: RefIndex, w: WorkloadExposure): string {
  const lines = [
    w.name,
    ...directionLines(index, w.ingress, 'ingress'),
    ...directionLines(index, w.egress, 'egress'),
  ];
  if (w.flags.length > 0) {
    lines.push('  flags:');
    for (const f of w.flags) lines.push(`    ${f.flag}: ${describeFlagReason(f)}`);
  }
  return lines.join('\n');
}

function directionMd(d: DirectionExposure, direction: 'ingress' | 'egress'): string {
  if (!tiered(d)) return networkPoliciesMd(d, direction);
  const tier = (s: TierExposureStatement): string =>
    `[${tierName(s.tier)}] ${describeTierStatement(s, direction)} (\`${s.policy}\`)`;
  return [
    ...d.admin.map(tier),
    `[NetworkPolicy] ${d.status === 'not-isolated' ? 'not isolated' : networkPoliciesMd(d, direction)}`,
    ...d.baseline.map(tier),
  ].join('<br>');
}

function networkPoliciesMd(d: DirectionExposure, direction: 'ingress' | 'egress'): string {
  if (d.status === 'host-network') return `${direction === 'ingress' ? 'anyone' : 'anywhere'} (host network)`;
  const cilium = d.cilium.map((s) => `[Cilium] ${describeCiliumStatement(s)} (\`${s.policy}\`)`);
  if (d.status === 'not-isolated')
    return [`${direction === 'ingress' ? 'anyone' : 'anywhere'} (not isolated)`, ...cilium].join('<br>');
  if (!allowsAny(d)) return ['nothing', ...cilium].join('<br>');
  return [
    ...d.statements.map(
      (s) =>
        `${describeScope(s.peer)}, ${describeRulePorts(s.rulePorts)}${s.allowsSomething ? '' : ' (allows nothing)'} (\`${s.policy}\`)`,
    ),
    ...cilium,
  ].join('<br>');
}

/** The JSON form of a peer scope: selectors in kubectl's `-l` syntax, `pods: null` for every pod. */
function peerScopeJson(peer: PeerScope): PeerScopeJson {
  if (peer.kind !== 'pods') return peer;
  const ns = peer.namespaces;
  return {
    kind: 'pods',
    namespaces: ns.kind === 'labelled' ? { kind: 'labelled', selector: describeSelector(ns.selector) } : ns,
    pods: peer.pods === undefined ? null : describeSelector(peer.pods),
  };
}

function tierStatementJson(
  s: TierExposureStatement,
  direction: 'ingress' | 'egress',
): TierExposureStatementJson {
  return {
    tier: s.tier,
    policy: s.policy,
    priority: s.priority ?? null,
    action: s.action,
    rule: s.rule ?? null,
    peer: { kind: s.peer.kind },
    description: describeTierStatement(s, direction),
    portsDescription: describeTierPorts(s.ports),
    path: s.path,
    file: s.location?.file ?? null,
    line: s.location?.line ?? null,
    today: s.today,
    everyNamespace: s.everyNamespace,
  };
}

function directionJson(d: DirectionExposure, direction: 'ingress' | 'egress'): ExposureDirectionJson {
  return {
    status: d.status,
    policies: d.policies,
    statements: d.statements.map((s) => ({
      peer: peerScopeJson(s.peer),
      description: describeScope(s.peer),
      ports: portsToJson(s.ports),
      namedPorts: s.namedPorts,
      undefinedNamedPorts: s.undefinedNamedPorts,
      portsDescription: describeRulePorts(s.rulePorts),
      allowsSomething: s.allowsSomething,
      policy: s.policy,
      path: s.path,
      file: s.location?.file ?? null,
      line: s.location?.line ?? null,
      today: s.today,
      everyPod: s.everyPod,
    })),
    cilium: d.cilium.map((s) => ({
      policy: s.policy,
      list: s.list,
      deny: s.deny,
      description: describeCiliumStatement(s),
      ports: s.ports.any ? null : portsToJson(s.ports.ports),
      namedPorts: s.ports.any ? [] : s.ports.named,
      l7: s.l7,
      isolates: s.isolates,
      path: s.path,
      file: s.location?.file ?? null,
      line: s.location?.line ?? null,
      today: s.today,
    })),
    admin: d.admin.map((s) => tierStatementJson(s, direction)),
    baseline: d.baseline.map((s) => tierStatementJson(s, direction)),
  };
}

export function exposureToJson(r: ExposureReport): ExposureJson {
  const byWorkload = r.index.granularity === 'workload';
  const items = r.shown.map((w): ExposureItemJson => ({
    id: w.entity.id,
    name: w.name,
    ...(w.entity.kind === 'workload'
      ? { namespace: w.entity.workload.namespace, kind: w.entity.workload.kind }
      : w.entity.kind === 'pod'
        ? { namespace: w.entity.pod.namespace, workload: w.entity.pod.workload }
        : {}),
    flags: w.flags.map((f) => ({ flag: f.flag, reason: describeFlagReason(f) })),
    ingress: directionJson(w.ingress, 'ingress'),
    egress: directionJson(w.egress, 'egress'),
  }));
  return {
    schemaVersion: EXPOSURE_SCHEMA_VERSION,
    granularity: r.index.granularity,
    summary: {
      ...(byWorkload ? { workloads: r.all.length } : { pods: r.all.length }),
      flagged: counts(r.all),
    },
    ...(byWorkload ? { workloads: items } : { pods: items }),
  };
}

export function formatExposure(r: ExposureReport, format: ExposureFormat): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(exposureToJson(r), null, 2)}\n`;
    case 'md': {
      const lines = [
        `**Exposure**: ${summaryLine(r)}`,
        '',
        '| Workload | Reachable from | Can reach | Flags |',
        '| --- | --- | --- | --- |',
      ];
      for (const w of r.shown) {
        lines.push(
          `| ${mdCell(w.name)} | ${mdCell(directionMd(w.ingress, 'ingress'))} | ${mdCell(directionMd(w.egress, 'egress'))} | ${w.flags.map((f) => `\`${f.flag}\``).join(' ')} |`,
        );
      }
      return `${lines.join('\n')}\n`;
    }
    case 'txt':
      return `${[summaryLine(r), ...r.shown.map((w) => workloadText(r.index, w))].join('\n\n')}\n`;
  }
}
