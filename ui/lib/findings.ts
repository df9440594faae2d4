/**
 * Lint findings, pure: filtering, and what each one is about (the policy, namespace and workloads to link).
 */
import type { FindingJson } from '../../src/contract/lint.ts';

export const SEVERITIES = ['error', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface FindingTarget {
  /** `namespace/name` of the policy the finding points at. */
  policy: string | null;
  namespace: string | null;
  workloads: readonly string[];
}

export function findingTarget(f: FindingJson): FindingTarget {
  const o = f.object;
  if (o.kind === 'NetworkPolicy' && o.namespace !== undefined) {
    return { policy: `${o.namespace}/${o.name}`, namespace: o.namespace, workloads: f.workloads };
  }
  if (o.kind === 'Namespace') return { policy: null, namespace: o.name, workloads: f.workloads };
  // A cluster-scoped object (ClusterNetworkPolicy…): only the workloads it selects.
  if (o.namespace === undefined) return { policy: null, namespace: null, workloads: f.workloads };
  return {
    policy: null,
    namespace: o.namespace ?? null,
    workloads: f.workloads.length > 0 ? f.workloads : [o.id],
  };
}

export interface FindingFilter {
  /** Lowest severity shown. */
  severity: Severity;
  rule: string | null;
  /** Words that must all appear in the message, object or rule. */
  text: string;
}

export function filterFindings(list: readonly FindingJson[], f: FindingFilter): FindingJson[] {
  const rank = SEVERITIES.indexOf(f.severity);
  const words = f.text
    .toLowerCase()
    .split(/\s+/)
    .filter((w) => w !== '');
  return list.filter((x) => {
    if (SEVERITIES.indexOf(x.severity) > rank) return false;
    if (f.rule !== null && x.ruleId !== f.rule) return false;
    const hay = `${x.message} ${x.object.id} ${x.ruleId} ${x.workloads.join(' ')}`.toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}

/** Rules with findings, most findings first. */
export function rulesOf(list: readonly FindingJson[]): { rule: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const f of list) counts.set(f.ruleId, (counts.get(f.ruleId) ?? 0) + 1);
  return [...counts]
    .map(([rule, count]) => ({ rule, count }))
    .sort((a, b) => b.count - a.count || (a.rule < b.rule ? -1 : 1));
}
