import {
  ciliumServiceTargets,
  ciliumServicesResolve,
  type CiliumServicePeer,
} from '../../engine/cilium-services.ts';
import { sharedCiliumRuleSets, ruleName } from '../checks/cilium.ts';
import { listNames } from '../text.ts';
import { RuleCategory, defineRule } from '../types.ts';

/** What the rule's `toPorts` make of a rule left without peers. */
function effect(hasPorts: boolean, deny: boolean): string {
  if (!hasPorts) return deny ? 'the rule denies nothing' : 'the rule allows nothing';
  return deny
    ? 'Cilium then applies the rule to every destination: it denies its toPorts to all of them'
    : 'Cilium then applies the rule to every destination: it allows its toPorts to all of them';
}

export default defineRule({
  id: 'no-cilium-unresolved-to-services',
  meta: {
    severity: 'warning',
    category: RuleCategory.Permissive,
    description:
      'Every Cilium toServices rule resolves to backends: an egress rule selecting a Service with a selector or with EndpointSlices, never an egressDeny rule',
    rationale:
      "Cilium's agent rewrites toServices into toEndpoints (a Service with a selector) and toCIDRSet entries (the backend addresses of one without), in egress rules only. When nothing is written (no Service selected, a Service without a selector nor backends, or any egressDeny rule), the rule is left without peers, and Cilium reads a rule without peers but with toPorts as one for every destination (cilium/cilium#20067): an allow opens those ports to the whole world and every pod, a deny closes them everywhere. Without toPorts, the rule does nothing.",
    fix: 'Name a Service that exists with a selector or EndpointSlices (check k8sService and namespace, or the k8sServiceSelector labels); in an egressDeny rule use toEndpoints or toCIDRSet instead of toServices.',
    messages: {
      unresolved:
        'toServices of {{rule}} selects no Service of the input with a selector or backends ({{services}}): {{effect}}; name an existing Service, or give the Service EndpointSlices',
      deny: 'toServices in {{rule}} is never resolved (Cilium resolves toServices in egress rules only): {{effect}}; use toEndpoints or toCIDRSet in egressDeny',
    },
  },
  check(ctx) {
    for (const set of sharedCiliumRuleSets(ctx)) {
      for (const list of ['egress', 'egressDeny'] as const) {
        for (const rule of set.spec[list]) {
          const services = rule.peers.filter(
            (p): p is CiliumServicePeer => p.kind === 'service' || p.kind === 'serviceSelector',
          );
          if (services.length === 0) continue;
          const deny = list === 'egressDeny';
          const targets = services.flatMap((p) => ciliumServiceTargets(ctx.state, p));
          if (!deny && ciliumServicesResolve(targets)) continue;
          const selected = targets.map((t) => `${t.service.namespace}/${t.service.name}`);
          ctx.report({
            messageId: deny ? 'deny' : 'unresolved',
            data: {
              rule: ruleName(set, list, rule),
              services:
                selected.length === 0
                  ? 'none selected'
                  : `${listNames(selected)} without a selector nor backends`,
              effect: effect(rule.ports !== undefined, deny),
            },
            subject: { ciliumPolicy: set.policy },
            path: [...set.spec.path, list, rule.index, 'toServices'],
            workloads: set.workloads,
          });
        }
      }
    }
  },
});
