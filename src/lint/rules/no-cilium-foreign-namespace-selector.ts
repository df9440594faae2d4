import { foreignSelectorNamespaces } from '../../model/cilium.ts';
import { sharedCiliumRuleSets } from '../checks/cilium.ts';
import { RuleCategory, defineRule } from '../types.ts';

export default defineRule({
  id: 'no-cilium-foreign-namespace-selector',
  meta: {
    severity: 'error',
    category: RuleCategory.DeadCode,
    description: "No CiliumNetworkPolicy's endpointSelector names a namespace other than the policy's own",
    rationale:
      'A CiliumNetworkPolicy always applies in its own namespace: the agent removes a namespace match of another namespace from the endpointSelector (it logs "CiliumNetworkPolicy contains illegal namespace match in EndpointSelector") and the rule set then selects the pods of the policy\'s namespace that match the rest. The author meant the other namespace; the policy instead restricts pods of its own, with `ingress: [{}]` cutting off all their ingress.',
    fix: 'Put the policy in the namespace the selector names, or make it a CiliumClusterwideNetworkPolicy, whose endpointSelector may name any namespace.',
    messages: {
      foreign:
        'endpointSelector names namespace "{{named}}", but this CiliumNetworkPolicy of namespace "{{namespace}}" applies in "{{namespace}}" only: Cilium drops the match and the rule set selects pods of "{{namespace}}"; put the policy in namespace "{{named}}", or make it a CiliumClusterwideNetworkPolicy',
    },
  },
  check(ctx) {
    for (const set of sharedCiliumRuleSets(ctx)) {
      const namespace = set.policy.namespace;
      if (namespace === undefined || set.spec.subject.kind !== 'endpoints') continue;
      for (const f of foreignSelectorNamespaces(set.wire.endpointSelector, namespace)) {
        ctx.report({
          messageId: 'foreign',
          data: { named: f.named, namespace },
          subject: { ciliumPolicy: set.policy },
          path: [...set.spec.path, 'endpointSelector', ...f.path],
          workloads: set.workloads,
        });
      }
    }
  },
});
