import { compileSelector } from '../../engine/selectors.ts';
import { policyRules, targetsText } from '../checks/policies.ts';
import { selectsEverything } from '../checks/selectors.ts';
import { selectorText } from '../text.ts';
import { RuleCategory, defineRule } from '../types.ts';

export default defineRule({
  id: 'no-any-namespace',
  meta: {
    severity: 'warning',
    category: RuleCategory.Permissive,
    description: 'No peer selects every namespace (namespaceSelector: {})',
    rationale:
      'namespaceSelector: {} matches every namespace of the cluster, including the ones created later. Alone, it opens the rule to every pod of the cluster; with a podSelector, to any pod with those labels in any namespace, and anyone who may create a pod anywhere can give it those labels.',
    fix: 'Select the namespaces that need access by their labels (kubernetes.io/metadata.name is set on every namespace), together with a podSelector in the same peer.',
    messages: {
      everyPod:
        'namespaceSelector: {} lets every pod of every namespace {{verb}}; select the namespaces that need it, e.g. namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: <namespace>}}',
      anyNamespace:
        'namespaceSelector: {} lets pods labelled {{pods}} in any namespace {{verb}}, and anyone who can create a pod can label it so; also select the namespace, e.g. kubernetes.io/metadata.name: <namespace>',
    },
  },
  check(ctx) {
    for (const visit of policyRules(ctx)) {
      if (visit.compiled === undefined || visit.peers === undefined) continue;
      // Worded once per rule, and only for a rule with such a peer.
      let said: { workloads: string[]; verb: string } | undefined;
      for (const [i, peer] of visit.peers.entries()) {
        if (peer.namespaceSelector === undefined || !selectsEverything(peer.namespaceSelector)) continue;
        if (said === undefined) {
          const workloads = ctx.lookup.workloadsOfClasses(visit.policy.selected);
          const targets = targetsText(ctx, workloads);
          const verb =
            visit.direction === 'ingress' ? `connect to ${targets}` : `receive connections from ${targets}`;
          said = { workloads, verb };
        }
        const { workloads, verb } = said;
        const pods = peer.podSelector === undefined ? undefined : compileSelector(peer.podSelector);
        ctx.report({
          messageId: pods === undefined || pods.matchesAll ? 'everyPod' : 'anyNamespace',
          data: { verb, pods: selectorText(peer.podSelector) },
          subject: { policy: visit.policy.info },
          path: [...visit.peersPath, i, 'namespaceSelector'],
          workloads,
        });
      }
    }
  },
});
