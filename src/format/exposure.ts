/**
 * `netfence exposure` output: txt (readable), json (docs/json-schema.md) and md (a pull-request comment).
 */
import {
  EXPOSURE_FLAGS,
  type DirectionExposure,
  type ExposureFlag,
  type ExposureStatement,
  type WorkloadExposure,
} from '../engine/exposure.ts';
import type {
  ExposureDirectionJson,
  ExposureItemJson,
  ExposureJson,
  PeerScopeJson,
} from '../contract/exposure.ts';
import { portsToJson } from '../engine/ports.ts';
import type { PeerScope } from '../engine/explain.ts';
import { describeFlagReason, describeRulePorts } from '../describe/exposure.ts';
import { describeScope } from '../describe/scope.ts';
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

function todayText(index: RefIndex, s: ExposureStatement): string {
  if (s.peer.kind !== 'pods') return '';
  if (s.everyPod) return '; today: every pod';
  if (s.today.length === 0) return '; today: none';
  const names = s.today.map((id) => index.displayName(id));
  return `; today: ${names.length > 6 ? `${names.slice(0, 6).join(', ')} and ${names.length - 6} more` : names.join(', ')}`;
}

function statementLines(index: RefIndex, s: ExposureStatement): string[] {
  const where = formatLocation(s.location);
  return [
    `    ${describeScope(s.peer)}, ${describeRulePorts(s.rulePorts)}${s.allowsSomething ? '' : ' (allows nothing)'}`,
    `      by ${s.policy} ${s.path}${where === '' ? '' : ` (${where})`}${todayText(index, s)}`,
  ];
}

function directionLines(index: RefIndex, d: DirectionExposure, direction: 'ingress' | 'egress'): string[] {
  const title = direction === 'ingress' ? 'reachable from' : 'can reach';
  if (d.status === 'not-isolated') {
    return [`  ${title}: ${direction === 'ingress' ? 'anyone' : 'anywhere'} (not isolated for ${direction})`];
  }
  if (d.status === 'host-network') {
    return [
      `  ${title}: ${direction === 'ingress' ? 'anyone' : 'anywhere'} (host network: policies do not apply)`,
    ];
  }
  if (d.statements.length === 0)
    return [`  ${title}: nothing (isolated by ${d.policies.join(', ')}, no rule allows any)`];
  return [`  ${title}:`, ...d.statements.flatMap((s) => statementLines(index, s))];
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
  if (d.status === 'not-isolated') return `${direction === 'ingress' ? 'anyone' : 'anywhere'} (not isolated)`;
  if (d.status === 'host-network') return `${direction === 'ingress' ? 'anyone' : 'anywhere'} (host network)`;
  if (d.statements.length === 0) return 'nothing';
  return d.statements
    .map(
      (s) =>
        `${describeScope(s.peer)}, ${describeRulePorts(s.rulePorts)}${s.allowsSomething ? '' : ' (allows nothing)'} (\`${s.policy}\`)`,
    )
    .join('<br>');
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

function directionJson(d: DirectionExposure): ExposureDirectionJson {
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
    ingress: directionJson(w.ingress),
    egress: directionJson(w.egress),
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
