import { findRedundancy, type RuleRef } from '../checks/redundancy.ts';
import { listNames } from '../text.ts';
import { RuleCategory, defineRule } from '../types.ts';

/** `spec.ingress[0] of shop/allow-web`, or `spec.ingress[0] of this policy` */
export function ruleName(r: RuleRef, self: RuleRef['policy']): string {
  return `spec.${r.direction}[${r.rule.index}] of ${r.policy === self ? 'this policy' : r.policy.info.id}`;
}

export default defineRule({
  id: 'no-redundant-rule',
  meta: {
    severity: 'warning',
    category: RuleCategory.Redundancy,
    description: 'Every rule allows something that no other rule already allows',
    rationale:
      'A rule whose every connection is already allowed by other rules (of the same policy or of others selecting the same pods) changes nothing: removing it leaves every allowed port between every pair of pods unchanged. It makes the policies longer to review, and it hides intent: tightening the other rule later silently reopens what this one seemed to restrict. Computed with the engine, per pod class; of two identical rules the first one written is kept.',
    fix: 'Remove the rule, or narrow the rule that covers it if that one is broader than intended.',
    messages: {
      single:
        'Everything this {{direction}} rule allows is already allowed by {{by}}, so it changes nothing; remove it',
      several:
        'Everything this {{direction}} rule allows is already allowed by {{by}} together, so it changes nothing; remove it',
    },
  },
  check(ctx) {
    for (const r of findRedundancy(ctx.compiled).rules) {
      ctx.report({
        messageId: r.single ? 'single' : 'several',
        data: { direction: r.direction, by: listNames(r.coveredBy.map((o) => ruleName(o, r.policy))) },
        subject: { policy: r.policy.info },
        path: ['spec', r.direction, r.rule.index],
        workloads: ctx.lookup.workloadsOfClasses(r.policy.selected),
      });
    }
  },
});
