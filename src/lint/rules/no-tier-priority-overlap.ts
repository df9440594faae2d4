import type { CompiledCluster, Direction } from '../../engine/compile.ts';
import type { CompiledTierPolicy } from '../../engine/tiers.ts';
import {
  ALL_TRAFFIC,
  actionWord,
  commonClasses,
  describeFlow,
  describeTraffic,
  firstMatch,
  intersectTraffic,
  isNoTraffic,
  precedes,
  refsOf,
  subjectGroups,
  targetsOfAll,
  tierName,
  tierPoliciesAt,
  tierRuleName,
  type Decided,
  type Target,
  type Traffic,
} from '../checks/tiers.ts';
import type { Lookup } from '../lookup.ts';
import { RuleCategory, defineRule } from '../types.ts';

interface Conflict {
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

function describe(compiled: CompiledCluster, lookup: Lookup, c: Conflict): Record<string, string> {
  return {
    flow: describeFlow(compiled, lookup, c.direction, c.subject, c.target),
    traffic: describeTraffic(c.traffic),
  };
}

export default defineRule({
  id: 'no-tier-priority-overlap',
  meta: {
    severity: 'error',
    category: RuleCategory.Mistakes,
    description:
      'No two cluster policies of one tier with the same priority decide the same traffic differently',
    rationale:
      'The API leaves the order of equal priorities open: "If two (or more) policies in the same tier with the same priority could match a connection, then the implementation can apply any of the matching policies to the connection, and there is no way for the user to reliably determine which one it will choose." When both policies select a common pod and their first matching rules give the same traffic different actions, whether it is accepted, denied or passed on depends on the network plugin, and can change with its version.',
    fix: 'Give one of the two policies a different priority, so that the one meant to win comes first; or narrow their subjects or peers so that they no longer meet.',
    messages: {
      overlap:
        '{{self}} and {{other}} both have priority {{priority}} in the {{tier}} tier and decide {{direction}} {{flow}} on {{traffic}} differently ({{action}} by {{rule}}, {{otherAction}} by {{otherRule}}); the API leaves the result undefined ("the implementation can apply any of the matching policies"): give one of them another priority',
    },
  },
  check(ctx) {
    const { compiled } = ctx;
    const byGroup = new Map<string, CompiledTierPolicy[]>();
    for (const p of compiled.tierPolicies) {
      // The BaselineAdminNetworkPolicy has no priority, and there is only one.
      if (p.info.priority === undefined || p.selected.length === 0) continue;
      const key = `${p.tier}/${p.info.priority}`;
      byGroup.set(key, [...(byGroup.get(key) ?? []), p]);
    }
    for (const group of byGroup.values()) {
      const ordered = [...group].sort((a, b) => a.rank - b.rank);
      for (const [j, later] of ordered.entries()) {
        for (const earlier of ordered.slice(0, j)) {
          const c = conflict(compiled, later, earlier);
          if (c === undefined) continue;
          ctx.report({
            messageId: 'overlap',
            data: {
              ...describe(compiled, ctx.lookup, c),
              self: later.info.id,
              other: earlier.info.id,
              priority: later.info.priority ?? '',
              tier: tierName(later.tier),
              direction: c.direction,
              action: actionWord(later.info, c.mine.ref.rule.action),
              rule: tierRuleName(c.mine.ref, later),
              otherAction: actionWord(earlier.info, c.theirs.ref.rule.action),
              otherRule: tierRuleName(c.theirs.ref),
            },
            subject: { clusterPolicy: later.info },
            path: ['spec', c.direction, c.mine.ref.rule.index],
            workloads: ctx.lookup.workloadsOfClasses(commonClasses(later.selected, earlier.selected)),
          });
        }
      }
    }
  },
});
