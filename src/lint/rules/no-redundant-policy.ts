import { findRedundancy } from '../checks/redundancy.ts';
import { listNames } from '../text.ts';
import { RuleCategory, defineRule } from '../types.ts';

export default defineRule({
  id: 'no-redundant-policy',
  meta: {
    severity: 'warning',
    category: RuleCategory.Redundancy,
    description: 'Every policy changes what is allowed',
    rationale:
      'A policy is redundant when removing it changes nothing: everything its rules allow is allowed by other policies, and the pods it selects stay isolated through other policies. A policy that isolates is never redundant just because its rules are empty; a namespace-wide policy (podSelector: {}) is replaceable only by another namespace-wide one, since it also covers pods deployed later. Duplicated policies are the usual cause, often after a copy between namespaces or a rename.',
    fix: 'Remove the policy (after checking that the policies named in the message are the ones meant to stay).',
    messages: {
      duplicate:
        'Policy "{{policy}}" changes nothing: other policies already allow everything it allows, and its pods stay isolated through {{isolatedBy}}; remove it',
      isolation:
        'Policy "{{policy}}" changes nothing: the pods it selects are already isolated for {{types}} by {{isolatedBy}}; remove it',
    },
  },
  check(ctx) {
    for (const r of findRedundancy(ctx.compiled).policies) {
      const hasRules = r.policy.ingress.length + r.policy.egress.length > 0;
      ctx.report({
        messageId: hasRules ? 'duplicate' : 'isolation',
        data: {
          policy: r.policy.info.id,
          types: [r.policy.affectsIngress ? 'Ingress' : '', r.policy.affectsEgress ? 'Egress' : '']
            .filter((t) => t !== '')
            .join(' and '),
          isolatedBy: listNames(r.isolatedBy.map((p) => p.info.id)),
        },
        subject: { policy: r.policy.info },
        path: ['metadata', 'name'],
        workloads: ctx.lookup.workloadsOfClasses(r.policy.selected),
      });
    }
  },
});
