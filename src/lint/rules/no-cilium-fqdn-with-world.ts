import {
  sharedCiliumRuleSets,
  fqdnNames,
  isWorldEntity,
  ruleName,
  ruleTraffic,
  trafficCovers,
} from '../checks/cilium.ts';
import { parseCidr } from '../../base/ip.ts';
import { isCiliumEntity } from '../../model/cilium.ts';
import { listNames } from '../text.ts';
import { RuleCategory, defineRule } from '../types.ts';

/** `0.0.0.0/0` or `::/0`: every address of a family. */
function isWholeFamily(cidr: string): boolean {
  const parsed = parseCidr(cidr);
  return parsed.ok && parsed.cidr.prefix === 0;
}

export default defineRule({
  id: 'no-cilium-fqdn-with-world',
  meta: {
    severity: 'warning',
    category: RuleCategory.Permissive,
    description:
      'No Cilium rule set that limits egress to DNS names (toFQDNs) also allows the whole world on the same ports',
    rationale:
      'Cilium allows egress when any allow rule of the endpoint matches. A toFQDNs rule limits egress to the addresses the listed names resolve to; an egress rule with toEntities world (or world-ipv4, world-ipv6, all), or a toCIDR or toCIDRSet of 0.0.0.0/0 or ::/0, beside it allows every outside address on its ports, so the name restriction is moot there: the pods reach any host, and the policy reads as if they could not.',
    fix: 'Remove the world (or all) entity, or narrow its toPorts to ports the toFQDNs rules do not use; list the outside names in toFQDNs instead.',
    messages: {
      moot: '{{field}} "{{entity}}" in {{rule}} allows every outside address on {{ports}}, so the toFQDNs of {{fqdn}} ({{names}}) restricts nothing there; remove "{{entity}}" or list the outside names in toFQDNs',
    },
  },
  check(ctx) {
    for (const set of sharedCiliumRuleSets(ctx)) {
      const fqdnRules = set.spec.egress.filter((r) =>
        r.peers.some((p) => p.kind === 'fqdn' || p.kind === 'fqdnPattern'),
      );
      if (fqdnRules.length === 0) continue;
      for (const rule of set.spec.egress) {
        const entities = set.wire.egress?.[rule.index]?.toEntities ?? [];
        const world = ruleTraffic(rule);
        const moot = fqdnRules.filter((f) => trafficCovers(world, ruleTraffic(f)));
        if (moot.length === 0) continue;
        const wire = set.wire.egress?.[rule.index];
        // Every outside address: a world entity, or a CIDR of length 0 without exceptions.
        const wide: { field: string; entity: string; path: (string | number)[] }[] = [
          ...entities.flatMap((entity, j) =>
            isCiliumEntity(entity) && isWorldEntity(entity)
              ? [{ field: 'toEntities', entity, path: ['toEntities', j] }]
              : [],
          ),
          ...(wire?.toCIDR ?? []).flatMap((cidr, j) =>
            isWholeFamily(cidr) ? [{ field: 'toCIDR', entity: cidr, path: ['toCIDR', j] }] : [],
          ),
          ...(wire?.toCIDRSet ?? []).flatMap((c, j) =>
            c.cidr !== undefined && isWholeFamily(c.cidr) && (c.except ?? []).length === 0
              ? [{ field: 'toCIDRSet', entity: c.cidr, path: ['toCIDRSet', j, 'cidr'] }]
              : [],
          ),
        ];
        for (const w of wide) {
          const names = moot.flatMap((f) => fqdnNames(f));
          ctx.report({
            messageId: 'moot',
            data: {
              field: w.field,
              entity: w.entity,
              rule: ruleName(set, 'egress', rule),
              ports: rule.ports === undefined ? 'every port' : 'the same ports',
              fqdn: listNames(moot.map((f) => ruleName(set, 'egress', f))),
              names: listNames(names),
            },
            subject: { ciliumPolicy: set.policy },
            path: [...set.spec.path, 'egress', rule.index, ...w.path],
            workloads: set.workloads,
          });
        }
      }
    }
  },
});
