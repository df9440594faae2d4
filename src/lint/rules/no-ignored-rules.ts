import { plural } from '../text.ts';
import { RuleCategory, defineRule } from '../types.ts';

export default defineRule({
  id: 'no-ignored-rules',
  meta: {
    severity: 'error',
    category: RuleCategory.Mistakes,
    description: 'policyTypes includes every direction the policy has rules for',
    rationale:
      'When policyTypes is given, it alone decides which directions the policy affects: egress rules of a policy with policyTypes [Ingress] are ignored, without any warning from the API server. The same goes for "egress: []" (deny all egress), which then denies nothing.',
    fix: 'Add the missing direction to policyTypes, or remove the rules of that direction if they are not meant.',
    messages: {
      ignored:
        'policyTypes [{{types}}] leaves out {{type}}, so {{rules}} in spec.{{field}} {{verb}} ignored; add {{type}} to policyTypes, or remove spec.{{field}}',
      ignoredDeny:
        'policyTypes [{{types}}] leaves out {{type}}, so "{{field}}: []" (deny all {{field}}) is ignored; add {{type}} to policyTypes',
    },
  },
  check(ctx) {
    for (const policy of ctx.state.policies) {
      const types = policy.spec.policyTypes;
      // Absent or empty, policyTypes is defaulted from the rules (no-egress-deny-without-policy-types).
      if (types === undefined || types.length === 0) continue;
      for (const [field, type] of [
        ['ingress', 'Ingress'],
        ['egress', 'Egress'],
      ] as const) {
        const rules = policy.spec[field];
        if (rules === undefined || types.includes(type)) continue;
        ctx.report({
          messageId: rules.length > 0 ? 'ignored' : 'ignoredDeny',
          data: {
            types: types.join(', '),
            type,
            field,
            rules: rules.length === 1 ? 'the rule' : `the ${plural(rules.length, 'rule')}`,
            verb: rules.length === 1 ? 'is' : 'are',
          },
          subject: { policy },
          path: ['spec', 'policyTypes'],
        });
      }
    }
  },
});
