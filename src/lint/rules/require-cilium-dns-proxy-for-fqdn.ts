import { ciliumUnseenDomains } from '../../engine/cilium.ts';
import { CiliumL7 } from '../../model/cilium.ts';
import { sharedCiliumRuleSets, fqdnNames, ruleName, type CiliumRuleSet } from '../checks/cilium.ts';
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
      uncovered:
        'The toFQDNs name "{{name}}" of {{rule}} never matches for {{workloads}}: their DNS rules on port 53 do not cover it, so Cilium\'s DNS proxy never sees its lookups (explain says the same); widen the DNS rule\'s matchPattern (or add a matchName) to cover "{{name}}"',
      noProxy:
        'The toFQDNs of {{rule}} ({{names}}) never match: no Cilium egress rule with DNS L7 rules applies to {{workloads}}, so Cilium never sees their lookups; add an egress rule to kube-dns on port 53 with rules: {dns: [{matchPattern: "*"}]}',
    },
  },
  check(ctx) {
    const sets = sharedCiliumRuleSets(ctx);
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
    // Pods with a DNS proxy rule that does not cover every name: per name, as explain judges it.
    const uncovered = new Map<
      string,
      { set: CiliumRuleSet; rule: number; name: string; workloads: Set<string> }
    >();
    const { cilium, classes } = ctx.compiled;
    for (const cls of classes) {
      const workloads = cls.pods.map((p) => p.workload).filter((w) => proxied.has(w));
      if (workloads.length === 0) continue;
      for (const u of ciliumUnseenDomains(cilium, cls.id)) {
        const info = cilium.specs[u.spec]!.info;
        const set = sets.find((s) => s.spec === info);
        if (set === undefined) continue;
        const key = `${u.spec}/${u.rule}/${u.domain}`;
        const entry = uncovered.get(key) ?? {
          set,
          rule: u.rule,
          name: u.domain,
          workloads: new Set<string>(),
        };
        for (const w of workloads) entry.workloads.add(w);
        uncovered.set(key, entry);
      }
    }
    for (const { set, rule, name, workloads } of uncovered.values()) {
      const info = set.spec.egress.find((r) => r.index === rule);
      if (info === undefined) continue;
      const entries = set.wire.egress?.[rule]?.toFQDNs ?? [];
      const at = entries.findIndex((f) => f.matchName === name || f.matchPattern === name);
      const list = [...workloads].sort();
      ctx.report({
        messageId: 'uncovered',
        data: {
          name,
          rule: ruleName(set, 'egress', info),
          workloads: listNames(list.map((w) => ctx.lookup.name(w))),
        },
        subject: { ciliumPolicy: set.policy },
        path: [...set.spec.path, 'egress', rule, 'toFQDNs', ...(at < 0 ? [] : [at])],
        workloads: list,
      });
    }
  },
});
