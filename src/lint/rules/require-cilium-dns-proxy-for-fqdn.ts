import { CiliumL7 } from '../../model/cilium.ts';
import { ciliumRuleSets, fqdnNames, ruleName, type CiliumRuleSet } from '../checks/cilium.ts';
import { listNames } from '../text.ts';
import { RuleCategory, defineRule } from '../types.ts';

/** Whether a rule set has an egress rule with DNS L7 rules (`rules: {dns: [...]}`): lookups go through the proxy. */
function hasDnsProxyRule(set: CiliumRuleSet): boolean {
  return set.spec.egress.some((r) => (r.ports ?? []).some((p) => p.l7 === CiliumL7.Dns));
}

export default defineRule({
  id: 'require-cilium-dns-proxy-for-fqdn',
  meta: {
    severity: 'error',
    category: RuleCategory.Dns,
    description:
      'Every pod a toFQDNs rule applies to has an egress rule with DNS L7 rules, so that Cilium sees its lookups',
    rationale:
      'Cilium learns the addresses behind a toFQDNs name only from the DNS answers its DNS proxy sees. The proxy only sees lookups that an egress rule with L7 DNS rules (toPorts with rules: dns, usually to kube-dns on port 53) sends through it. Without such a rule for the pod, the names never resolve to addresses in the policy and the toFQDNs rule allows nothing: the connections fail although the policy names the host (Cilium\'s docs: "DNS based", "DNS Proxy").',
    fix: 'Add an egress rule to the cluster DNS on port 53 (UDP and TCP) with rules: {dns: [{matchPattern: "*"}]} for the same pods, in this rule set or another Cilium policy that selects them.',
    messages: {
      noProxy:
        'The toFQDNs of {{rule}} ({{names}}) never match: no Cilium egress rule with DNS L7 rules applies to {{workloads}}, so Cilium never sees their lookups; add an egress rule to kube-dns on port 53 with rules: {dns: [{matchPattern: "*"}]}',
    },
  },
  check(ctx) {
    const sets = ciliumRuleSets(ctx.state);
    const proxied = new Set(sets.filter(hasDnsProxyRule).flatMap((s) => s.workloads));
    for (const set of sets) {
      if (set.spec.subject.kind !== 'endpoints' || hasDnsProxyRule(set)) continue;
      // A rule set that selects no workload of the input is judged on its own rules only.
      const missing = set.workloads.filter((w) => !proxied.has(w));
      if (set.workloads.length > 0 && missing.length === 0) continue;
      for (const rule of set.spec.egress) {
        const names = fqdnNames(rule);
        if (names.length === 0) continue;
        ctx.report({
          messageId: 'noProxy',
          data: {
            rule: ruleName(set, 'egress', rule),
            names: listNames(names),
            workloads: missing.length === 0 ? 'its pods' : listNames(missing.map((w) => ctx.lookup.name(w))),
          },
          subject: { ciliumPolicy: set.policy },
          path: [...set.spec.path, 'egress', rule.index, 'toFQDNs'],
          workloads: missing,
        });
      }
    }
  },
});
