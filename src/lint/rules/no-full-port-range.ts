import { MAX_PORT } from '../../engine/ports.ts';
import { policyRules } from '../checks/policies.ts';
import { RuleCategory, defineRule } from '../types.ts';

/** The first unprivileged port: a range from here to 65535 is every port a non-root process can listen on. */
const UNPRIVILEGED = 1024;

export default defineRule({
  id: 'no-full-port-range',
  meta: {
    severity: 'warning',
    category: RuleCategory.Ports,
    description: 'Port ranges do not span every port',
    rationale:
      'A range such as port: 1 with endPort: 65535 reads as a restriction but allows every port of the protocol, as would leaving the port out; 1024-65535 allows every port an unprivileged process can listen on. Either hides an open rule behind numbers that look deliberate.',
    fix: 'List the ports the pods listen on (a short range is fine for a port pool), or drop the port to say "every port" openly.',
    messages: {
      all: 'Port range {{from}}-{{to}} covers every {{protocol}} port, so it restricts nothing; list the ports the pods listen on',
      unprivileged:
        'Port range {{from}}-{{to}} covers every unprivileged {{protocol}} port; list the ports the pods listen on',
    },
  },
  check(ctx) {
    for (const visit of policyRules(ctx)) {
      if (visit.compiled === undefined || visit.ports === undefined) continue;
      for (const [k, port] of visit.ports.entries()) {
        if (typeof port.port !== 'number' || port.endPort === undefined || port.endPort < MAX_PORT) continue;
        if (port.port > UNPRIVILEGED) continue;
        ctx.report({
          messageId: port.port <= 1 ? 'all' : 'unprivileged',
          data: { from: port.port, to: port.endPort, protocol: port.protocol ?? 'TCP' },
          subject: { policy: visit.policy.info },
          path: [...visit.path, 'ports', k],
          workloads: ctx.lookup.workloadsOfClasses(visit.policy.selected),
        });
      }
    }
  },
});
