import { allowList, sharedCiliumRuleSets, isolatedElsewhere } from '../checks/cilium.ts';
import { listNames } from '../text.ts';
import { RuleCategory, defineRule } from '../types.ts';
import type { CiliumRuleInfo } from '../../model/cilium.ts';

/** Whether every port the rule opens has L7 rules (then no peer it matches passes unfiltered). */
function filtersAtL7(rule: CiliumRuleInfo): boolean {
  return rule.ports !== undefined && rule.ports.length > 0 && rule.ports.every((p) => p.l7 !== undefined);
}

export default defineRule({
  id: 'no-cilium-allow-without-default-deny',
  meta: {
    severity: 'warning',
    category: RuleCategory.Mistakes,
    description:
      'No Cilium rule set turns default deny off in a direction where its allow rules are the only policy of its pods',
    rationale:
      'With enableDefaultDeny set to false for a direction, a rule set\'s allow rules no longer put its pods in default deny: they only add to what other policies allow. When no other NetworkPolicy or Cilium policy isolates those pods in that direction, everything stays allowed and the allow rules restrict nothing, although they read like a whitelist. enableDefaultDeny: false is meant for policies layered on top of others (Cilium\'s docs: "Default Deny and Policy Layering").',
    fix: 'Remove enableDefaultDeny (or set it to true) if the allow rules are meant to restrict; otherwise add the policy that puts the pods in default deny.',
    messages: {
      open: 'enableDefaultDeny.{{direction}} is false and nothing else isolates {{workloads}} for {{direction}}, so the {{count}} {{direction}} allow rule{{s}} of this rule set {{restrict}} nothing: all {{direction}} traffic stays allowed; remove "enableDefaultDeny.{{direction}}: false" if {{they}} meant to restrict{{l7}}',
    },
  },
  check(ctx) {
    const sets = sharedCiliumRuleSets(ctx);
    for (const set of sets) {
      for (const direction of ['ingress', 'egress'] as const) {
        if (set.wire.enableDefaultDeny?.[direction] !== false) continue;
        // A rule whose every port has L7 rules sends the peers it matches through Cilium's proxy, which
        // filters their requests even without default deny (what enableDefaultDeny: false is for): only the
        // rules that allow at L4 alone restrict nothing.
        const all = set.spec[allowList(direction)];
        const allows = all.filter((r) => !filtersAtL7(r));
        if (allows.length === 0) continue;
        const filtering = all.length - allows.length;
        const open = set.workloads.filter((w) => !isolatedElsewhere(w, direction, ctx.lookup, sets, set));
        if (open.length === 0) continue;
        ctx.report({
          messageId: 'open',
          data: {
            direction,
            workloads: listNames(open.map((w) => ctx.lookup.name(w))),
            count: allows.length,
            s: allows.length === 1 ? '' : 's',
            restrict: allows.length === 1 ? 'restricts' : 'restrict',
            they: allows.length === 1 ? 'it is' : 'they are',
            l7:
              filtering === 0
                ? ''
                : ` (the ${filtering} rule${filtering === 1 ? '' : 's'} with L7 rules on every port still filter${filtering === 1 ? 's' : ''} the requests ${filtering === 1 ? 'it matches' : 'they match'})`,
          },
          subject: { ciliumPolicy: set.policy },
          path: [...set.spec.path, 'enableDefaultDeny', direction],
          workloads: open,
        });
      }
    }
  },
});
