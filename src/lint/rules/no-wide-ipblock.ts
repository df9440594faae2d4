import { parseCidr } from '../../base/ip.ts';
import { policyRules, targetsText } from '../checks/policies.ts';
import { portsText } from '../checks/ports.ts';
import { RuleCategory, defineRule } from '../types.ts';

/** The widest prefixes still accepted without `except`: a /8 is 16.7 million IPv4 addresses. */
export const WIDEST_PREFIX = { 4: 9, 6: 33 } as const;

export default defineRule({
  id: 'no-wide-ipblock',
  meta: {
    severity: 'warning',
    category: RuleCategory.Permissive,
    description: 'Egress ipBlocks are narrower than /8 (IPv4) or /32 (IPv6), or carve out exceptions',
    rationale:
      'An egress rule to 0.0.0.0/0 or ::/0 lets the pods reach any host on the internet on the listed ports, which is what data exfiltration needs; a very wide block (/8 or wider) is nearly as open. With many CNIs it also matches pods and nodes inside the cluster. Egress to the whole internet is sometimes required, but then it should be a deliberate, documented exception.',
    fix: 'List the addresses the workload needs (e.g. 198.51.100.40/32 for one API), or keep the wide block and add except for the ranges it must not reach (the cluster, the cloud metadata address 169.254.169.254/32, private ranges).',
    messages: {
      everything:
        'Egress to {{cidr}} without except lets {{targets}} reach every {{family}} address on {{ports}}; list the addresses it needs, or add except for what it must not reach',
      wide: 'Egress to {{cidr}} ({{count}} addresses) without except lets {{targets}} reach all of them on {{ports}}; list the addresses it needs, or add except for what it must not reach',
    },
  },
  check(ctx) {
    for (const visit of policyRules(ctx)) {
      if (visit.direction !== 'egress' || visit.compiled === undefined || visit.peers === undefined) continue;
      for (const [i, peer] of visit.peers.entries()) {
        const block = peer.ipBlock;
        if (block === undefined || (block.except ?? []).length > 0) continue;
        const parsed = parseCidr(block.cidr);
        if (!parsed.ok || parsed.cidr.prefix >= WIDEST_PREFIX[parsed.cidr.family]) continue;
        const workloads = ctx.lookup.workloadsOfClasses(visit.policy.selected);
        const bits = (parsed.cidr.family === 4 ? 32 : 128) - parsed.cidr.prefix;
        ctx.report({
          messageId: parsed.cidr.prefix === 0 ? 'everything' : 'wide',
          data: {
            cidr: block.cidr,
            family: parsed.cidr.family === 4 ? 'IPv4' : 'IPv6',
            count: bits <= 32 ? (2 ** bits).toLocaleString('en-US') : `2^${bits}`,
            targets: targetsText(ctx, workloads),
            ports: portsText(visit.compiled.ports),
          },
          subject: { policy: visit.policy.info },
          path: [...visit.peersPath, i, 'ipBlock', 'cidr'],
          workloads,
        });
      }
    }
  },
});
