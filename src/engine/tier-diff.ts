/**
 * Diff of cluster-wide policies (ClusterNetworkPolicy, AdminNetworkPolicy, BaselineAdminNetworkPolicy):
 * which were added, removed or modified, the fields that differ, and in words what decides their effect:
 * the tier, the priority, each rule's action and the order of the rules ("priority 100 → 50", "tier Admin →
 * Baseline", `egress rule 1 "deny-db" action Deny → Pass`, "ingress rules reordered: a, b → b, a"). Pure.
 */
import type {
  ClusterPolicyInfo,
  ClusterPolicyKind,
  Tier,
  TierAction,
  TierRuleInfo,
} from '../model/cluster.ts';
import type { FieldPath } from '../model/problem.ts';
import { compareText } from '../base/text.ts';
import type { PolicyChangeKind } from './diff.ts';
import { valueDiff } from './diff.ts';

export interface ClusterPolicyChange {
  change: PolicyChangeKind;
  /** `Kind/name`: `ClusterNetworkPolicy/default-deny`. */
  id: string;
  kind: ClusterPolicyKind;
  name: string;
  before: ClusterPolicyInfo | undefined;
  after: ClusterPolicyInfo | undefined;
  /**
   * For a modified policy, the fields that differ, relative to the object (`['spec', 'priority']`,
   * `['spec', 'egress', 1, 'action']`, `['apiVersion']`), as `PolicyChange.fields`.
   */
  fields: FieldPath[];
  /**
   * For a modified policy, what changes its place and its decisions, in words, in this order: apiVersion,
   * tier, priority, then per direction (ingress, egress) the rules reordered, added, removed and the
   * actions changed. Empty when only selectors, peers, ports, names or labels changed (see `fields`).
   */
  notes: string[];
}

/** The tier as the API writes it. */
export function tierWord(tier: Tier): 'Admin' | 'Baseline' {
  return tier === 'admin' ? 'Admin' : 'Baseline';
}

/** The action as the kind's API writes it: CNP `Accept`, ANP/BANP `Allow`. */
export function actionWord(kind: ClusterPolicyKind, action: TierAction): string {
  if (action === 'allow') return kind === 'ClusterNetworkPolicy' ? 'Accept' : 'Allow';
  return action === 'deny' ? 'Deny' : 'Pass';
}

/** Cluster policies added, removed, or modified in apiVersion, spec or labels (annotations aside). */
export function diffClusterPolicies(
  before: readonly ClusterPolicyInfo[],
  after: readonly ClusterPolicyInfo[],
): ClusterPolicyChange[] {
  const was = new Map(before.map((p) => [p.id, p]));
  const now = new Map(after.map((p) => [p.id, p]));
  const out: ClusterPolicyChange[] = [];
  for (const id of [...new Set([...was.keys(), ...now.keys()])].sort(compareText)) {
    const x = was.get(id);
    const y = now.get(id);
    if (x === y) continue; // the same object (what-if keeps the policies it does not edit)
    const p = (y ?? x)!;
    const base = { id, kind: p.kind, name: p.name, before: x, after: y };
    if (x === undefined) out.push({ change: 'added', ...base, fields: [], notes: [] });
    else if (y === undefined) out.push({ change: 'removed', ...base, fields: [], notes: [] });
    else {
      const fields: FieldPath[] = [];
      if (x.apiVersion !== y.apiVersion) fields.push(['apiVersion']);
      valueDiff(x.labels, y.labels, ['metadata', 'labels'], fields);
      valueDiff(x.spec, y.spec, ['spec'], fields);
      if (fields.length > 0) out.push({ change: 'modified', ...base, fields, notes: changeNotes(x, y) });
    }
  }
  return out;
}

/** The notes of a modified policy (see `ClusterPolicyChange.notes`). */
export function changeNotes(x: ClusterPolicyInfo, y: ClusterPolicyInfo): string[] {
  const notes: string[] = [];
  if (x.apiVersion !== y.apiVersion) notes.push(`apiVersion ${x.apiVersion} → ${y.apiVersion}`);
  if (x.tier !== y.tier) notes.push(`tier ${tierWord(x.tier)} → ${tierWord(y.tier)}`);
  if (x.priority !== y.priority) notes.push(`priority ${x.priority ?? 'none'} → ${y.priority ?? 'none'}`);
  notes.push(...ruleNotes('ingress', y.kind, x.ingress, y.ingress));
  notes.push(...ruleNotes('egress', y.kind, x.egress, y.egress));
  return notes;
}

/**
 * `1 "deny-db"`, or `1`: a rule by its index in `spec.ingress`/`spec.egress` (from 0, as `explain` numbers it),
 * and its name when it has one.
 */
function ruleLabel(rule: TierRuleInfo): string {
  return rule.name === undefined || rule.name === '' ? `${rule.index}` : `${rule.index} "${rule.name}"`;
}

/** A rule's content, position aside: equal keys are the same rule. */
function ruleKey(rule: TierRuleInfo): string {
  return JSON.stringify([rule.name ?? null, rule.action, rule.peers, rule.ports ?? null]);
}

/** `deny-db` or `#1` (its index): a rule in a list of the order. */
function orderLabel(rule: TierRuleInfo): string {
  return rule.name === undefined || rule.name === '' ? `#${rule.index}` : rule.name;
}

/**
 * Pairs the rules of both sides: by name when the name is unique on both sides, the others (unnamed, or
 * named alike) by position. Unpaired rules were added or removed.
 */
function pairRules(
  was: readonly TierRuleInfo[],
  now: readonly TierRuleInfo[],
): { pairs: [TierRuleInfo, TierRuleInfo][]; added: TierRuleInfo[]; removed: TierRuleInfo[] } {
  const unique = (rules: readonly TierRuleInfo[]): Map<string, TierRuleInfo> => {
    const count = new Map<string, number>();
    for (const r of rules)
      if (r.name !== undefined && r.name !== '') count.set(r.name, (count.get(r.name) ?? 0) + 1);
    const out = new Map<string, TierRuleInfo>();
    for (const r of rules) if (r.name !== undefined && count.get(r.name) === 1) out.set(r.name, r);
    return out;
  };
  const a = unique(was);
  const b = unique(now);
  const byName = (
    r: TierRuleInfo,
    other: Map<string, TierRuleInfo>,
    own: Map<string, TierRuleInfo>,
  ): boolean => r.name !== undefined && own.get(r.name) === r && other.has(r.name);
  const pairs: [TierRuleInfo, TierRuleInfo][] = [];
  const paired = new Set<TierRuleInfo>();
  for (const r of now) {
    if (!byName(r, a, b)) continue;
    const w = a.get(r.name!)!;
    pairs.push([w, r]);
    paired.add(w).add(r);
  }
  const restWas = was.filter((r) => !paired.has(r));
  const restNow = now.filter((r) => !paired.has(r));
  const n = Math.min(restWas.length, restNow.length);
  for (let i = 0; i < n; i++) pairs.push([restWas[i]!, restNow[i]!]);
  pairs.sort((p, q) => p[1].index - q[1].index);
  return { pairs, added: restNow.slice(n), removed: restWas.slice(n) };
}

/** The notes of one direction's rules: reordered, added, removed, actions changed. */
function ruleNotes(
  direction: 'ingress' | 'egress',
  kind: ClusterPolicyKind,
  was: readonly TierRuleInfo[],
  now: readonly TierRuleInfo[],
): string[] {
  const keys = (rules: readonly TierRuleInfo[]): string[] => rules.map(ruleKey);
  const before = keys(was);
  const after = keys(now);
  if (before.join('\n') === after.join('\n')) return [];
  const order = (rules: readonly TierRuleInfo[]): string => rules.map(orderLabel).join(', ');
  // The same rules in another order: only the order changed.
  if (before.length === after.length && [...before].sort().join('\n') === [...after].sort().join('\n'))
    return [`${direction} rules reordered: ${order(was)} → ${order(now)}`];

  const notes: string[] = [];
  const { pairs, added, removed } = pairRules(was, now);
  // Rules kept on both sides whose relative order changed.
  const kept = pairs.map(([w]) => w.index);
  if (kept.some((v, i) => i > 0 && v < kept[i - 1]!)) {
    const sorted = [...pairs].sort((p, q) => p[0].index - q[0].index);
    notes.push(
      `${direction} rules reordered: ${order(sorted.map(([w]) => w))} → ${order(pairs.map(([, r]) => r))}`,
    );
  }
  for (const r of removed)
    notes.push(`${direction} rule ${ruleLabel(r)} removed (${actionWord(kind, r.action)})`);
  for (const r of added)
    notes.push(`${direction} rule ${ruleLabel(r)} added (${actionWord(kind, r.action)})`);
  for (const [w, r] of pairs) {
    if (w.action !== r.action)
      notes.push(
        `${direction} rule ${ruleLabel(r)} action ${actionWord(kind, w.action)} → ${actionWord(kind, r.action)}`,
      );
  }
  return notes;
}
