import type { CompiledCluster } from '../../engine/compile.ts';
import {
  actionWord,
  commonClasses,
  describeFlow,
  describeTraffic,
  tierName,
  tierRuleName,
} from '../checks/tiers.ts';
import { priorityOverlaps, type Conflict } from '../checks/priority-overlap.ts';
import type { Lookup } from '../lookup.ts';
import { RuleCategory, defineRule } from '../types.ts';

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
    for (const { later, earlier, conflict: c } of priorityOverlaps(compiled)) {
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
  },
});
