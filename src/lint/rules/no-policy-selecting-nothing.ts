import { usesEndPort } from '../../engine/compile.ts';
import { selectorMatches } from '../../engine/selectors.ts';
import { suggestLabel } from '../checks/selectors.ts';
import { selectorText } from '../text.ts';
import { RuleCategory, defineRule } from '../types.ts';
import { targetsText } from '../checks/policies.ts';

export default defineRule({
  id: 'no-policy-selecting-nothing',
  meta: {
    severity: 'error',
    category: RuleCategory.DeadCode,
    description: 'Every policy selects at least one pod of its namespace',
    rationale:
      'A policy whose podSelector matches no pod does nothing at all: the pods it was written for stay as open (or as closed) as before. It is almost always a label typo, or labels that changed in the workload but not in the policy.',
    fix: 'Make the podSelector match the labels of the pods the policy is meant for (compare with the pod template labels), or remove the policy.',
    messages: {
      none: 'podSelector {{selector}} matches no pod in namespace "{{ns}}", so the policy does nothing{{hint}}',
      hostNetwork:
        'podSelector {{selector}} matches only host-network pods ({{workloads}}), which NetworkPolicies never apply to, so the policy does nothing; protect them on the nodes instead',
    },
  },
  check(ctx) {
    for (const policy of ctx.compiled.policies) {
      if (policy.selected.length > 0) continue;
      // A policy the CNI profile leaves out (endPort under Cilium 1.15) is no-unenforced-endport's finding.
      if (ctx.compiled.options.cni?.settings.endPort === 'policy-ignored' && usesEndPort(policy.info))
        continue;
      const ns = policy.info.namespace;
      // A namespace with no workloads in the input is reported by no-policy-in-empty-namespace.
      if (!ctx.lookup.hasWorkloads(ns)) continue;
      const workloads = ctx.lookup.workloadsIn(ns);
      const hostOnly = workloads.filter(
        (w) =>
          selectorMatches(policy.selector, w.labels) &&
          ctx.lookup.classesOfWorkload(w.id).some((id) => ctx.compiled.classes[id]!.hostNetwork),
      );
      const selector = selectorText(policy.info.spec.podSelector);
      if (hostOnly.length > 0) {
        ctx.report({
          messageId: 'hostNetwork',
          data: {
            selector,
            workloads: targetsText(
              ctx,
              hostOnly.map((w) => w.id),
            ),
          },
          subject: { policy: policy.info },
          path: ['spec', 'podSelector'],
          workloads: hostOnly.map((w) => w.id),
        });
        continue;
      }
      const suggestion = suggestLabel(
        policy.info.spec.podSelector ?? {},
        workloads.map((w) => w.labels),
      );
      ctx.report({
        messageId: 'none',
        data: {
          selector,
          ns,
          hint:
            suggestion === undefined
              ? '; make it match the pods it is meant for'
              : `. Did you mean ${suggestion}?`,
        },
        subject: { policy: policy.info },
        path: ['spec', 'podSelector'],
      });
    }
  },
});
