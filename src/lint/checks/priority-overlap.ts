/**
 * Cluster policies of one tier with the same priority that decide some traffic differently: the API leaves
 * their order undefined ("the implementation can apply any of the matching policies"), and netfence follows
 * its stable order. The rule no-tier-priority-overlap reports each pair; `analyze` and `test` say that the
 * input has some.
 */
import type { CompiledCluster, Direction } from '../../engine/compile.ts';
import type { CompiledTierPolicy } from '../../engine/tiers.ts';
import { Tier } from '../../model/cluster.ts';
import {
  ALL_TRAFFIC,
  commonClasses,
  firstMatch,
  intersectTraffic,
  isNoTraffic,
  precedes,
  refsOf,
  subjectGroups,
  targetsOfAll,
  tierPoliciesAt,
  type Decided,
  type Target,
  type Traffic,
} from './tiers.ts';

export interface Conflict {
  direction: Direction;
  subject: number;
  target: Target;
  /** The rule of the later policy (in netfence's stable order), and of the other one. */
  mine: Decided;
  theirs: Decided;
  traffic: Traffic;
}

/**
 * The first traffic both policies decide with different actions, at a class they both select, that no
 * policy of strictly higher precedence decides before them. Traffic between two different classes comes
 * first: cluster policies never apply to a pod's traffic to itself, so a class paired with itself is the
 * example only when there is no other.
 */
function conflict(
  compiled: CompiledCluster,
  later: CompiledTierPolicy,
  earlier: CompiledTierPolicy,
): Conflict | undefined {
  const common = commonClasses(later.selected, earlier.selected);
  let withItself: Conflict | undefined;
  for (const subject of subjectGroups(compiled, common)) {
    const before = tierPoliciesAt(compiled, subject, later.tier).filter((q) => precedes(q.info, later.info));
    for (const direction of ['ingress', 'egress'] as const) {
      const mine = refsOf(later, direction);
      const theirs = refsOf(earlier, direction);
      if (mine.length === 0 || theirs.length === 0) continue;
      const preceding = before.flatMap((q) => refsOf(q, direction));
      for (const target of targetsOfAll(
        compiled,
        [...mine, ...theirs].map((r) => r.rule),
      )) {
        const reaching = firstMatch(compiled, preceding, subject, target, ALL_TRAFFIC).rest;
        if (isNoTraffic(reaching)) continue;
        const a = firstMatch(compiled, mine, subject, target, reaching).decided;
        const b = firstMatch(compiled, theirs, subject, target, reaching).decided;
        for (const x of a) {
          for (const y of b) {
            if (x.ref.rule.action === y.ref.rule.action) continue;
            const traffic = intersectTraffic(x.traffic, y.traffic);
            if (isNoTraffic(traffic)) continue;
            const found = { direction, subject, target, mine: x, theirs: y, traffic };
            if (!('pod' in target) || target.pod !== subject) return found;
            withItself ??= found;
          }
        }
      }
    }
  }
  return withItself;
}

/** Two policies of one tier and priority that decide some traffic differently, and an example of it. */
export interface PriorityOverlap {
  /** The policy netfence evaluates second (its stable order), and the other one. */
  later: CompiledTierPolicy;
  earlier: CompiledTierPolicy;
  conflict: Conflict;
}

/** Every pair of cluster policies whose equal priority leaves the outcome of some traffic undefined. */
export function priorityOverlaps(compiled: CompiledCluster): PriorityOverlap[] {
  const byGroup = new Map<string, CompiledTierPolicy[]>();
  for (const p of compiled.tierPolicies) {
    // The BaselineAdminNetworkPolicy has no priority, and there is only one.
    if (p.info.priority === undefined || p.selected.length === 0) continue;
    const key = `${p.tier}/${p.info.priority}`;
    byGroup.set(key, [...(byGroup.get(key) ?? []), p]);
  }
  const out: PriorityOverlap[] = [];
  for (const group of byGroup.values()) {
    const ordered = [...group].sort((a, b) => a.rank - b.rank);
    for (const [j, later] of ordered.entries()) {
      for (const earlier of ordered.slice(0, j)) {
        const c = conflict(compiled, later, earlier);
        if (c !== undefined) out.push({ later, earlier, conflict: c });
      }
    }
  }
  return out;
}

/** A tier and priority whose policies (ids, in netfence's order) decide some traffic differently. */
export interface UndefinedOrder {
  tier: Tier;
  priority: number;
  policies: string[];
}

/** The ties of `priorityOverlaps`, one per tier and priority: the Admin tier's, then the Baseline tier's, in order. */
export function undefinedOrders(compiled: CompiledCluster): UndefinedOrder[] {
  const groups = new Map<string, { tier: Tier; priority: number; policies: CompiledTierPolicy[] }>();
  for (const { later, earlier } of priorityOverlaps(compiled)) {
    const key = `${later.tier}/${later.info.priority!}`;
    let g = groups.get(key);
    if (g === undefined)
      groups.set(key, (g = { tier: later.tier, priority: later.info.priority!, policies: [] }));
    for (const p of [earlier, later]) if (!g.policies.includes(p)) g.policies.push(p);
  }
  return (
    [...groups.values()]
      .map((g) => ({
        tier: g.tier,
        priority: g.priority,
        policies: g.policies.sort((a, b) => a.rank - b.rank).map((p) => p.info.id),
        rank: Math.min(...g.policies.map((p) => p.rank)),
      }))
      // The Admin tier first, then each tier in its evaluation order.
      .sort((a, b) => (a.tier === Tier.Admin ? 0 : 1) - (b.tier === Tier.Admin ? 0 : 1) || a.rank - b.rank)
      .map(({ tier, priority, policies }) => ({ tier, priority, policies }))
  );
}
