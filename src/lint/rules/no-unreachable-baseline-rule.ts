import type { CompiledPolicy } from '../../engine/compile.ts';
import { Tier } from '../../model/cluster.ts';
import { describeClasses, rulesOf } from '../checks/tiers.ts';
import { listNames } from '../text.ts';
import { RuleCategory, defineRule } from '../types.ts';

export default defineRule({
  id: 'no-unreachable-baseline-rule',
  meta: {
    severity: 'warning',
    category: RuleCategory.DeadCode,
    description:
      'Every Baseline-tier rule applies to some pod that no NetworkPolicy isolates in its direction',
    rationale:
      'NetworkPolicies decide before the Baseline tier: "v1.NetworkPolicy always makes a final decision for selected pods. Further evaluation only happens for Pods not selected by a v1.NetworkPolicy." When every pod a Baseline ClusterNetworkPolicy or the BaselineAdminNetworkPolicy selects is isolated by a NetworkPolicy in a direction, none of its rules of that direction is ever reached: they look like a safety net and catch nothing.',
    fix: "Remove the rule, or widen the policy's subject to pods that no NetworkPolicy isolates; if the rule must hold for those pods too, it belongs in the Admin tier.",
    messages: {
      unreachable:
        'This Baseline {{direction}} rule is never reached: NetworkPolicies ({{policies}}) isolate every pod this policy selects ({{workloads}}) for {{direction}}, and they decide first; remove it, or move it to the Admin tier if it must apply to them',
    },
  },
  check(ctx) {
    const { compiled } = ctx;
    for (const policy of compiled.tierPolicies) {
      if (policy.tier !== Tier.Baseline || policy.selected.length === 0) continue;
      for (const direction of ['ingress', 'egress'] as const) {
        const rules = rulesOf(policy, direction);
        if (rules.length === 0) continue;
        const isolating = new Set<CompiledPolicy>();
        const everyPodIsolated = policy.selected.every((id) => {
          const nps = ctx.lookup.policiesOf(id, direction);
          for (const np of nps) isolating.add(np);
          return nps.length > 0;
        });
        if (!everyPodIsolated) continue;
        const policies = [...isolating].sort((a, b) => a.index - b.index).map((p) => p.info.id);
        for (const rule of rules) {
          ctx.report({
            messageId: 'unreachable',
            data: {
              direction,
              policies: listNames(policies),
              workloads: describeClasses(ctx.lookup, policy.selected),
            },
            subject: { clusterPolicy: policy.info },
            path: ['spec', direction, rule.index],
            workloads: ctx.lookup.workloadsOfClasses(policy.selected),
          });
        }
      }
    }
  },
});
