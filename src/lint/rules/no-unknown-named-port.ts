import type { Protocol } from '../../model/k8s.ts';
import { policyRules, targetsText } from '../checks/policies.ts';
import { suggestName } from '../text.ts';
import { RuleCategory, defineRule } from '../types.ts';

export default defineRule({
  id: 'no-unknown-named-port',
  meta: {
    severity: 'error',
    category: RuleCategory.Ports,
    description: 'Named ports in rules are defined by the pods they apply to',
    rationale:
      'A named port (port: http) resolves against the container ports of the pods: in an ingress rule, the pods the policy selects; in an egress rule, the destination pods. When none of them defines the name for that protocol, the port matches nothing and the rule silently allows nothing, so the connection it was written for is dropped. Names never match addresses outside the cluster.',
    fix: 'Use the name the pods give the port in their containers[].ports[].name (with its protocol), or the port number.',
    messages: {
      undefined:
        'Named port "{{name}}" ({{protocol}}) is defined by none of {{whose}} ({{workloads}}), so it allows nothing{{hint}}',
      protocol:
        'Named port "{{name}}" is {{actual}} on {{whose}} ({{workloads}}), not {{protocol}}, so it allows nothing; set protocol: {{actual}}',
      ipBlock:
        'Named port "{{name}}" can only match pods, but this rule’s destinations are ipBlocks outside the cluster, so it allows nothing; use the port number',
    },
  },
  check(ctx) {
    const { classes } = ctx.compiled;
    for (const visit of policyRules(ctx)) {
      const rule = visit.compiled;
      if (rule === undefined || visit.ports === undefined) continue;
      // Only named ports are judged: a rule with numbers only has nothing to look up.
      if (!visit.ports.some((port) => typeof port.port === 'string')) continue;
      let candidates: readonly number[];
      if (visit.direction === 'ingress') candidates = visit.policy.selected;
      else if (rule.peers === 'everything') candidates = classes.map((c) => c.id);
      else {
        const ids = new Set<number>();
        for (const peer of rule.peers) {
          if (peer.pods.all) {
            for (const c of classes) if (!c.hostNetwork) ids.add(c.id);
          } else {
            for (const id of peer.pods.ids) ids.add(id);
          }
        }
        candidates = [...ids].sort((a, b) => a - b);
      }
      const onlyIpBlocks = rule.peers !== 'everything' && rule.peers.every((p) => p.kind === 'ipBlock');
      const workloads = ctx.lookup.workloadsOfClasses(candidates);
      const whose = visit.direction === 'ingress' ? 'the pods this policy selects' : 'the destination pods';
      for (const [k, port] of visit.ports.entries()) {
        if (typeof port.port !== 'string') continue;
        const name = port.port;
        const protocol = (port.protocol ?? 'TCP') as Protocol;
        const path = [...visit.path, 'ports', k, 'port'];
        const subject = { policy: visit.policy.info };
        if (candidates.length === 0) {
          // Peers that match no pod are no-dead-peer's finding; a policy that selects none, no-policy-selecting-nothing's.
          if (onlyIpBlocks)
            ctx.report({ messageId: 'ipBlock', data: { name }, subject, path, workloads: [] });
          continue;
        }
        const defined = candidates.flatMap((id) => classes[id]!.namedPorts);
        if (defined.some((np) => np.name === name && np.protocol === protocol)) continue;
        const other = defined.find((np) => np.name === name);
        const data = { name, protocol, whose, workloads: targetsText(ctx, workloads) };
        if (other !== undefined) {
          ctx.report({
            messageId: 'protocol',
            data: { ...data, actual: other.protocol },
            subject,
            path,
            workloads,
          });
          continue;
        }
        const names = [
          ...new Set(defined.filter((np) => np.protocol === protocol).map((np) => np.name)),
        ].sort();
        const suggestion = suggestName(name, names);
        const hint =
          suggestion !== undefined
            ? `. Did you mean "${suggestion}"?`
            : names.length > 0
              ? `; they define ${names.map((n) => `"${n}"`).join(', ')}`
              : `; they name no ${protocol} port, so use the number`;
        ctx.report({ messageId: 'undefined', data: { ...data, hint }, subject, path, workloads });
      }
    }
  },
});
