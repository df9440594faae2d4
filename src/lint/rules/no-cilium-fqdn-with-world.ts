import { ciliumRuleSets, isWorldEntity, ruleName, ruleTraffic, trafficCovers } from '../checks/cilium.ts';
import { isCiliumEntity } from '../../model/cilium.ts';
import { listNames } from '../text.ts';
import { RuleCategory, defineRule } from '../types.ts';

export default defineRule({
  id: 'no-cilium-fqdn-with-world',
  meta: {
    severity: 'warning',
    category: RuleCategory.Permissive,
    description:
      'No Cilium rule set that limits egress to DNS names (toFQDNs) also allows the whole world on the same ports',
    rationale:
      'Cilium allows egress when any allow rule of the endpoint matches. A toFQDNs rule limits egress to the addresses the listed names resolve to; an egress rule with toEntities world (or world-ipv4, world-ipv6, all) beside it allows every outside address on its ports, so the name restriction is moot there: the pods reach any host, and the policy reads as if they could not.',
    fix: 'Remove the world (or all) entity, or narrow its toPorts to ports the toFQDNs rules do not use; list the outside names in toFQDNs instead.',
    messages: {
      moot: 'toEntities "{{entity}}" in {{rule}} allows every outside address on {{ports}}, so the toFQDNs of {{fqdn}} ({{names}}) restricts nothing there; remove "{{entity}}" or list the outside names in toFQDNs',
    },
  },
  check(ctx) {
    for (const set of ciliumRuleSets(ctx.state)) {
      const fqdnRules = set.spec.egress.filter((r) =>
        r.peers.some((p) => p.kind === 'fqdn' || p.kind === 'fqdnPattern'),
      );
      if (fqdnRules.length === 0) continue;
      for (const rule of set.spec.egress) {
        const entities = set.wire.egress?.[rule.index]?.toEntities ?? [];
        const world = ruleTraffic(rule);
        const moot = fqdnRules.filter((f) => trafficCovers(world, ruleTraffic(f)));
        if (moot.length === 0) continue;
        entities.forEach((entity, j) => {
          if (!isCiliumEntity(entity) || !isWorldEntity(entity)) return;
          const names = moot.flatMap((f) =>
            f.peers.flatMap((p) =>
              p.kind === 'fqdn' ? [`"${p.name}"`] : p.kind === 'fqdnPattern' ? [`"${p.pattern}"`] : [],
            ),
          );
          ctx.report({
            messageId: 'moot',
            data: {
              entity,
              rule: ruleName(set, 'egress', rule),
              ports: rule.ports === undefined ? 'every port' : 'the same ports',
              fqdn: listNames(moot.map((f) => ruleName(set, 'egress', f))),
              names: listNames(names),
            },
            subject: { ciliumPolicy: set.policy },
            path: [...set.spec.path, 'egress', rule.index, 'toEntities', j],
            workloads: set.workloads,
          });
        });
      }
    }
  },
});
