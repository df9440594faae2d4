import { HostNetworkPods, policiesSelectingHostNetwork } from '../../engine/compile.ts';
import { targetsText } from '../checks/policies.ts';
import { selectorText } from '../text.ts';
import { RuleCategory, defineRule } from '../types.ts';

export default defineRule({
  id: 'no-policy-selecting-host-network',
  meta: {
    severity: 'warning',
    category: RuleCategory.DeadCode,
    description: 'Policies do not select host-network pods, which most CNIs do not police',
    rationale:
      "A pod with hostNetwork: true shares its node's network namespace: most CNIs (Calico, Cilium, and the others that enforce policies on the pod's interface) do not apply NetworkPolicies to it, so a policy that selects it has no effect on it, whatever the API says. netfence reads such policies that way by default (--host-network-pods exempt); --host-network-pods policed reads the API literally, as netpol-analyzer does, for a CNI that polices host-network pods.",
    fix: 'Narrow the podSelector to the pods the CNI polices, and protect the host-network pods on the nodes (host firewall, or a CNI host policy).',
    messages: {
      exempt:
        'podSelector {{selector}} also matches host-network pods ({{workloads}}): most CNIs do not police host-network pods, so the policy has no effect on them (netfence reads it so; --host-network-pods policed if your CNI polices them)',
      policed:
        'podSelector {{selector}} matches host-network pods ({{workloads}}): netfence applies the policy to them (--host-network-pods policed), but most CNIs do not police host-network pods, so on most clusters it has no effect on them',
    },
  },
  check(ctx) {
    const policed = ctx.compiled.options.hostNetworkPods === HostNetworkPods.Policed;
    for (const { policy, workloads, others } of policiesSelectingHostNetwork(ctx.state)) {
      // Read exempt, a policy that selects only host-network pods selects nothing: no-policy-selecting-nothing.
      if (!policed && !others) continue;
      ctx.report({
        messageId: policed ? 'policed' : 'exempt',
        data: { selector: selectorText(policy.spec.podSelector), workloads: targetsText(ctx, workloads) },
        subject: { policy },
        path: ['spec', 'podSelector'],
        workloads,
      });
    }
  },
});
