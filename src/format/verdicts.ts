/**
 * Output of `check-flows --verdicts` (txt, json, md): netfence's decisions beside Cilium's recorded policy
 * verdicts. Pure; the JSON schema is in docs/json-schema.md#check-flows---verdicts.
 */
import type { CheckFlowsVerdictsJson, VerdictPolicyJson, VerdictRowJson } from '../contract/flows.ts';
import { formatCount } from '../base/text.ts';
import type { FlowDecision } from '../flows/decide.ts';
import type { ObservedConnection, ObservedTraffic } from '../flows/types.ts';
import {
  VerdictAgreement,
  isDisagreement,
  type CiliumVerdict,
  type NetfenceVerdict,
  type VerdictComparison,
  type VerdictRow,
} from '../flows/verdict-check.ts';
import type { PolicyName, VerdictStats } from '../flows/verdicts.ts';
import type { ClusterState } from '../model/cluster.ts';
import {
  FLOWS_JSON_SCHEMA_VERSION,
  WorkloadNames,
  connectionJson,
  flowDecisionJson,
  flowEndName,
  nodesOfIp,
  formatPort,
  plural,
  policyCountsText,
  sideDecisionJson,
  sideText,
  formatSections,
  type CheckFormat,
} from './flows.ts';

/** `CiliumNetworkPolicy shop/deny-db`, `CiliumClusterwideNetworkPolicy allow-dns`. */
export function policyText(p: PolicyName): string {
  return `${p.kind} ${p.namespace === '' ? '' : `${p.namespace}/`}${p.name}`;
}

function policyJson(p: PolicyName): VerdictPolicyJson {
  return { kind: p.kind, namespace: p.namespace === '' ? null : p.namespace, name: p.name };
}

/** `allows: [NetworkPolicy] data/allow-redis ingress rule 0` */
export function netfenceText(n: NetfenceVerdict): string {
  if (n.unpoliced) return 'allows: not subject to policies (a pod to itself)';
  const verb = n.allowed ? 'allows' : 'denies';
  return n.decisions.length === 0 ? verb : `${verb}: ${sideText(n.decisions)}`;
}

/** `dropped (denied by CiliumNetworkPolicy data/deny-catalog)`, `forwarded (allowed by NetworkPolicy …)` */
export function ciliumText(c: CiliumVerdict): string {
  const names = c.policies.map(policyText).join(', ');
  if (c.outcome === 'allowed') {
    const verb = c.verdicts.includes('FORWARDED') ? 'forwarded' : 'redirected to the L7 proxy';
    return names === '' ? verb : `${verb} (allowed by ${names})`;
  }
  const verb = c.outcome === 'audit' ? 'audit: would be dropped' : 'dropped';
  if (names !== '') return `${verb} (denied by ${names})`;
  const reasons = c.dropReasons.length === 0 ? '' : `${c.dropReasons.join(', ')}, `;
  return `${verb} (${reasons}no policy named)`;
}

/** `CT_MAP_INSERTION_FAILED ×2, STALE_OR_UNROUTABLE_IP ×1` */
function byReason(counts: Readonly<Record<string, number>>): string {
  return Object.entries(counts)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([k, n]) => `${k} ×${formatCount(n)}`)
    .join(', ');
}

function total(counts: Readonly<Record<string, number>>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

/** What was read apart from the compared verdicts, in one line. */
function flowsLine(stats: VerdictStats, replies: number): string {
  const parts = [plural(stats.policy, 'policy verdict')];
  parts.push(plural(replies, 'reply', 'replies'));
  const drops = total(stats.otherDrops);
  if (drops > 0)
    parts.push(`${formatCount(drops)} dropped for other reasons (${byReason(stats.otherDrops)})`);
  const other = total(stats.nonPolicy);
  if (other > 0) parts.push(`${formatCount(other)} other verdicts (${byReason(stats.nonPolicy)})`);
  if (stats.none > 0) parts.push(`${formatCount(stats.none)} without a verdict`);
  return `Hubble flows: ${parts.join(', ')}; only policy verdicts are compared`;
}

const RANK: Record<VerdictAgreement, number> = {
  'netfence-allows': 0,
  'netfence-denies': 0,
  'other-policies': 1,
  agree: 2,
};

/** Disagreements first, then other policies, then agreements; stable within each. */
function ranked(rows: readonly VerdictRow[]): VerdictRow[] {
  return rows
    .map((row, i) => ({ row, i }))
    .sort((a, b) => RANK[a.row.agreement] - RANK[b.row.agreement] || a.i - b.i)
    .map((x) => x.row);
}

export function verdictsToJson(
  comparison: VerdictComparison,
  traffic: ObservedTraffic,
  state: ClusterState,
  decisions: ReadonlyMap<ObservedConnection, FlowDecision>,
): CheckFlowsVerdictsJson {
  const c = comparison.connections;
  const s = comparison.stats;
  const nodesOf = nodesOfIp(state);
  return {
    schemaVersion: FLOWS_JSON_SCHEMA_VERSION,
    summary: {
      observed: c.observed,
      compared: c.compared,
      agree: c.agree,
      disagree: c.disagree,
      otherPolicies: c.otherPolicies,
      withoutVerdict: c.withoutVerdict,
      deliveredWithoutVerdict: comparison.deliveredWithoutVerdict.length,
      policies: state.policies.length,
      clusterPolicies: state.clusterPolicies.length,
      ciliumPolicies: state.ciliumPolicies.length,
    },
    flows: {
      policyVerdicts: s.policy,
      replies: traffic.stats.replies,
      otherDrops: s.otherDrops,
      nonPolicy: s.nonPolicy,
      noVerdict: s.none,
    },
    rows: ranked(comparison.rows).map((r): VerdictRowJson => {
      const { src, dst, protocol, port } = connectionJson(r.connection, nodesOf);
      return {
        agreement: r.agreement,
        src,
        dst,
        protocol,
        port,
        direction: r.direction,
        netfence: {
          allowed: r.netfence.allowed,
          summary: netfenceText(r.netfence),
          policies: r.netfence.policies.map(policyJson),
          decisions: r.netfence.decisions.map(sideDecisionJson),
        },
        cilium: {
          outcome: r.cilium.outcome,
          verdicts: r.cilium.verdicts,
          dropReasons: r.cilium.dropReasons,
          policies: r.cilium.policies.map(policyJson),
          summary: ciliumText(r.cilium),
          attempts: r.cilium.attempts,
        },
      };
    }),
    deliveredWithoutVerdict: comparison.deliveredWithoutVerdict.map((conn) => ({
      ...connectionJson(conn, nodesOf),
      decision: flowDecisionJson(decisions.get(conn)),
    })),
  };
}

/** The result of `netfence check-flows --verdicts`. */
export function formatVerdictCheck(
  comparison: VerdictComparison,
  traffic: ObservedTraffic,
  state: ClusterState,
  decisions: ReadonlyMap<ObservedConnection, FlowDecision>,
  format: CheckFormat,
): string {
  if (format === 'json') {
    return `${JSON.stringify(verdictsToJson(comparison, traffic, state, decisions), null, 2)}\n`;
  }
  const end = flowEndName(new WorkloadNames(state), nodesOfIp(state));
  const c = comparison.connections;
  const against = policyCountsText(state);
  const summary =
    `${plural(c.observed, 'observed port')} against ${against}, ` +
    `${formatCount(c.compared)} with a Cilium policy verdict: ${formatCount(c.agree)} agree, ` +
    `${formatCount(c.disagree)} disagree` +
    (c.otherPolicies > 0 ? `, ${formatCount(c.otherPolicies)} agree but name other policies` : '') +
    (c.withoutVerdict > 0
      ? `; ${formatCount(c.withoutVerdict)} without a policy verdict (not compared)`
      : '');
  const flows = flowsLine(comparison.stats, traffic.stats.replies);
  const cells = (r: VerdictRow): string[] => [
    end(r.connection.src),
    end(r.connection.dst),
    formatPort(r.connection),
    r.direction === 'unknown' ? '-' : r.direction,
    formatCount(r.cilium.attempts),
    netfenceText(r.netfence),
    ciliumText(r.cilium),
  ];
  const header = ['Source', 'Destination', 'Port', 'Direction', 'Attempts', 'netfence', 'Cilium (Hubble)'];
  const delivered = comparison.deliveredWithoutVerdict.map((conn) => {
    const d = decisions.get(conn);
    return [
      end(conn.src),
      end(conn.dst),
      formatPort(conn),
      formatCount(conn.count - conn.denied),
      sideText(d?.egress ?? []),
      sideText(d?.ingress ?? []),
    ];
  });
  const deliveredHeader = [
    'Source',
    'Destination',
    'Port',
    'Not dropped',
    'netfence egress decided by',
    'netfence ingress decided by',
  ];
  const sections: [string, string[], string[][]][] = [
    ['Disagreements (netfence vs Cilium)', header, comparison.rows.filter(isDisagreement).map(cells)],
    [
      'Same verdict, other policies',
      header,
      comparison.rows.filter((r) => r.agreement === VerdictAgreement.otherPolicies).map(cells),
    ],
    [
      'netfence denies, delivered without a policy verdict (not compared: does Cilium enforce a policy there?)',
      deliveredHeader,
      delivered,
    ],
  ];
  return formatSections([summary, flows], sections, format);
}
