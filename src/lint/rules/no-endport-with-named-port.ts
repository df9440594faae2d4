import { RuleCategory, defineRule } from '../types.ts';

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export default defineRule({
  id: 'no-endport-with-named-port',
  meta: {
    severity: 'error',
    category: RuleCategory.Ports,
    description: 'endPort is only used with a numeric port',
    rationale:
      'A port range (port with endPort) needs a number as its first port. With a named port the API server rejects the whole policy, so "kubectl apply" fails and the policy (with all its other rules) is never in force. This rule reads the files as written, since the policy cannot be analyzed.',
    fix: 'Write the first port of the range as a number, or drop endPort to allow the single named port.',
    supersedes: ['invalid-end-port'],
    messages: {
      named:
        'endPort {{endPort}} cannot be combined with the named port "{{name}}", so the API server rejects this policy; write the first port of the range as a number, or drop endPort',
    },
  },
  check(ctx) {
    for (const source of ctx.sources) {
      if (source.kind !== 'NetworkPolicy' || !isMap(source.object.spec)) continue;
      for (const direction of ['ingress', 'egress'] as const) {
        const rules = source.object.spec[direction];
        if (!Array.isArray(rules)) continue;
        for (const [i, rule] of rules.entries()) {
          if (!isMap(rule) || !Array.isArray(rule.ports)) continue;
          for (const [k, port] of rule.ports.entries()) {
            if (!isMap(port) || typeof port.port !== 'string' || typeof port.endPort !== 'number') continue;
            ctx.report({
              messageId: 'named',
              data: { endPort: port.endPort, name: port.port },
              subject: { source },
              path: ['spec', direction, i, 'ports', k, 'endPort'],
            });
          }
        }
      }
    }
  },
});
