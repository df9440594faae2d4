import type { Direction } from '../../engine/compile.ts';
import type { CiliumRuleInfo } from '../../model/cilium.ts';
import {
  allowList,
  sharedCiliumRuleSets,
  denyList,
  denyRulePeers,
  peerCovers,
  policyName,
  ruleName,
  ruleTraffic,
  selectsAllOf,
  trafficCovers,
  trafficOverlaps,
  unionTraffic,
  type CiliumRuleSet,
} from '../checks/cilium.ts';
import { listNames } from '../text.ts';
import { RuleCategory, defineRule } from '../types.ts';

interface DenyRef {
  set: CiliumRuleSet;
  rule: CiliumRuleInfo;
}

/** The deny rules that together deny everything `allow` allows, or undefined when some of it gets through. */
function shadowing(allow: CiliumRuleInfo, denies: readonly DenyRef[]): DenyRef[] | undefined {
  if (allow.peers.length === 0) return undefined;
  const own = ruleTraffic(allow);
  const used = new Set<DenyRef>();
  for (const peer of allow.peers) {
    if (peer.kind === 'unsupported') return undefined;
    const covering = denies.filter((d) => denyRulePeers(d.rule).some((p) => peerCovers(p, peer)));
    const traffic = unionTraffic(covering.map((d) => ruleTraffic(d.rule)));
    if (!trafficCovers(traffic, own)) return undefined;
    // Only the deny rules that take some of the allowed traffic are named.
    for (const d of covering) if (trafficOverlaps(ruleTraffic(d.rule), own)) used.add(d);
  }
  return denies.filter((d) => used.has(d));
}

export default defineRule({
  id: 'no-cilium-shadowed-allow',
  meta: {
    severity: 'warning',
    category: RuleCategory.DeadCode,
    description: 'Every Cilium allow rule allows some traffic that no deny rule for the same pods denies',
    rationale:
      'In Cilium a deny rule (ingressDeny, egressDeny) wins over every allow rule, of any policy, whatever the order. An allow rule whose every peer and port is also denied for all the pods it applies to never allows anything: it reads like an exception to the deny, and it is not one. When the allow rule has L7 rules (http, kafka, dns), the proxy never sees that traffic either.',
    fix: 'Narrow the deny rule (fewer peers, or toPorts without the allowed ports) so that the exception gets through; or remove the allow rule if the deny is what is meant.',
    messages: {
      shadowed:
        'This {{direction}} allow rule never allows anything: {{by}} {{deny}} all of its peers and ports for the pods it applies to, and deny rules win in Cilium; narrow the deny or remove this rule',
      l7Shadowed:
        'This {{direction}} allow rule and its L7 ({{l7}}) rules never see any traffic: {{by}} {{deny}} all of its peers and ports for the pods it applies to, and deny rules win before L7 filtering; narrow the deny or remove this rule',
    },
  },
  check(ctx) {
    const sets = sharedCiliumRuleSets(ctx);
    for (const set of sets) {
      for (const direction of ['ingress', 'egress'] as const satisfies readonly Direction[]) {
        const allows = set.spec[allowList(direction)];
        if (allows.length === 0) continue;
        const denies: DenyRef[] = sets
          .filter((s) => selectsAllOf(s, set))
          .flatMap((s) => s.spec[denyList(direction)].map((rule) => ({ set: s, rule })));
        if (denies.length === 0) continue;
        for (const allow of allows) {
          const by = shadowing(allow, denies);
          if (by === undefined || by.length === 0) continue;
          const l7 = [...new Set((allow.ports ?? []).flatMap((p) => (p.l7 === undefined ? [] : [p.l7])))];
          const names = by.map((d) =>
            d.set === set
              ? ruleName(d.set, denyList(direction), d.rule)
              : `${ruleName(d.set, denyList(direction), d.rule)} of ${policyName(d.set.policy)}`,
          );
          ctx.report({
            messageId: l7.length > 0 ? 'l7Shadowed' : 'shadowed',
            data: {
              direction,
              by: listNames(names),
              deny: by.length === 1 ? 'denies' : 'deny',
              l7: l7.join(', '),
            },
            subject: { ciliumPolicy: set.policy },
            path: [...set.spec.path, allowList(direction), allow.index],
            workloads: set.workloads,
          });
        }
      }
    }
  },
});
