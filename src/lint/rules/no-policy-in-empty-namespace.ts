import { suggestName } from '../text.ts';
import { RuleCategory, defineRule } from '../types.ts';

export default defineRule({
  id: 'no-policy-in-empty-namespace',
  meta: {
    severity: 'warning',
    category: RuleCategory.DeadCode,
    description: 'Policies are in namespaces that have workloads',
    rationale:
      'A policy applies only to pods of its own namespace. When the input has workloads, but none in the namespace of a policy, the policy protects nothing: usually a misspelled metadata.namespace, or a policy left behind after its application moved. Inputs without any workload (policies only) are not checked.',
    fix: 'Correct metadata.namespace, or remove the policy if its application is gone.',
    messages: {
      empty:
        'Namespace "{{ns}}" has no workloads in the input, so policy "{{policy}}" protects nothing{{hint}}',
    },
  },
  check(ctx) {
    if (ctx.state.workloads.length === 0 && ctx.state.pods.length === 0) return;
    const populated = ctx.state.namespaces.map((n) => n.name).filter((n) => ctx.lookup.hasWorkloads(n));
    for (const policy of ctx.state.policies) {
      if (ctx.lookup.hasWorkloads(policy.namespace)) continue;
      const suggestion = suggestName(policy.namespace, populated);
      ctx.report({
        messageId: 'empty',
        data: {
          ns: policy.namespace,
          policy: policy.name,
          hint:
            suggestion === undefined
              ? '; check metadata.namespace'
              : `. Did you mean namespace "${suggestion}"?`,
        },
        subject: { policy },
        path: ['metadata', 'namespace'],
      });
    }
  },
});
