import { isAllConnections } from '../../engine/ports.ts';
import { policyRules, targetsText } from '../checks/policies.ts';
import { RuleCategory, defineRule } from '../types.ts';

export default defineRule({
  id: 'no-allow-all-rule',
  meta: {
    severity: 'error',
    category: RuleCategory.Permissive,
    description: 'No rule allows every connection from (or to) everywhere',
    rationale:
      'An ingress rule with no "from" and no "ports" (written "- {}") lets every pod of every namespace and any address reach every port of the selected pods; an egress rule with no "to" and no "ports" lets them connect anywhere. Such a rule undoes the isolation the policy was meant to add, and is often left over from debugging.',
    fix: 'List the sources (from) or destinations (to) that need access, and the ports they use. If the pods really must be open to everyone on one port, keep "from" empty but list that port.',
    messages: {
      ingress:
        'This ingress rule has no "from" and no "ports", so every pod of the cluster and any address can reach every port of {{targets}}; list the sources in "from" and the ports in "ports"',
      egress:
        'This egress rule has no "to" and no "ports", so {{targets}} may connect anywhere on every port; list the destinations in "to" and the ports in "ports"',
      peers:
        'The peers of this {{direction}} rule cover every pod of every namespace and every address, and it has no "ports": it allows everything to {{targets}}; narrow the peers, or list the ports',
    },
  },
  check(ctx) {
    const addressCount = ctx.compiled.addressSpace.classes.length;
    for (const visit of policyRules(ctx)) {
      const rule = visit.compiled;
      if (rule === undefined || !isAllConnections(rule.ports.numeric)) continue;
      const workloads = ctx.lookup.workloadsOfClasses(visit.policy.selected);
      const targets = targetsText(ctx, workloads);
      if (rule.peers === 'everything') {
        ctx.report({
          messageId: visit.direction,
          data: { targets },
          subject: { policy: visit.policy.info },
          path: visit.path,
          workloads,
        });
        continue;
      }
      const allPods = rule.peers.some((p) => p.pods.all);
      const addresses = new Set(rule.peers.flatMap((p) => p.addresses));
      if (allPods && addresses.size === addressCount) {
        ctx.report({
          messageId: 'peers',
          data: { direction: visit.direction, targets },
          subject: { policy: visit.policy.info },
          path: visit.path,
          workloads,
        });
      }
    }
  },
});
