import { allowList, sharedCiliumRuleSets, isolatedElsewhere } from '../checks/cilium.ts';
import { listNames } from '../text.ts';
import { RuleCategory, defineRule } from '../types.ts';
import type { CiliumRuleInfo } from '../../model/cilium.ts';
import type { CiliumPortRule } from '../../model/cilium-wire.ts';
import { profileRule } from '../../engine/profiles.ts';

/** Whether a value restricts a match: set and not a match-all (`""`, `*`, `.*`, an empty list or object). */
function restricts(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === 'string') return value !== '' && value !== '*' && value !== '.*';
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

/**
 * Whether a port rule's L7 part lets only some requests through: a list of request rules (`http`, `kafka`,
 * `dns`, `l7`) none of which matches every request, or `serverNames` (only those TLS names). Cilium: "If no
 * rules are specified, then all traffic is permitted", and an omitted or wildcarded matcher permits all; TLS
 * interception or a listener alone filters nothing netfence can tell.
 */
function filtersRequests(port: CiliumPortRule | undefined): boolean {
  if (port === undefined) return false;
  if ((port.serverNames ?? []).some((n) => restricts(n))) return true;
  const r = port.rules;
  const lists = [r?.http, r?.kafka, r?.dns, r?.l7].filter(
    (l): l is unknown[] => l !== undefined && l.length > 0,
  );
  return (
    lists.length > 0 &&
    lists.every((list) =>
      list.every(
        (entry) =>
          typeof entry === 'object' &&
          entry !== null &&
          Object.values(entry as Record<string, unknown>).some((v) => restricts(v)),
      ),
    )
  );
}

/** Whether every port the rule opens filters its requests at L7 (then no peer it matches passes unfiltered). */
function filtersAtL7(
  rule: CiliumRuleInfo,
  wire: readonly { toPorts?: CiliumPortRule[] }[] | undefined,
): boolean {
  const toPorts = wire?.[rule.index]?.toPorts;
  return (
    rule.ports !== undefined &&
    rule.ports.length > 0 &&
    rule.ports.every((p) => p.l7 !== undefined && filtersRequests(toPorts?.[p.index]))
  );
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
      ignored:
        'enableDefaultDeny.{{direction}}: false has no effect here ({{why}}): this rule set puts {{workloads}} in default deny for {{direction}}: only what its rules and other policies allow stays allowed; remove the field, or run a Cilium that reads it (1.16 or later, enable-non-default-deny-policies on)',
      open: 'enableDefaultDeny.{{direction}} is false and nothing else isolates {{workloads}} for {{direction}}, so the {{count}} {{direction}} allow rule{{s}} of this rule set {{restrict}} nothing: all {{direction}} traffic stays allowed; remove "enableDefaultDeny.{{direction}}: false" if {{they}} meant to restrict{{l7}}',
    },
  },
  check(ctx) {
    const sets = sharedCiliumRuleSets(ctx);
    const cni = ctx.compiled.options.cni;
    for (const set of sets) {
      for (const direction of ['ingress', 'egress'] as const) {
        if (set.wire.enableDefaultDeny?.[direction] !== false) continue;
        // A profile that ignores the field (Cilium before 1.16, enable-non-default-deny-policies=false) reads
        // the rule set as in default deny in each direction it has rules: the field is what is wrong then.
        if (cni !== undefined && !cni.settings.enableDefaultDeny) {
          if (!set.spec.defaultDenyByRules[direction] || set.workloads.length === 0) continue;
          ctx.report({
            messageId: 'ignored',
            data: {
              direction,
              why: profileRule(cni, 'enableDefaultDeny'),
              workloads: listNames(set.workloads.map((w) => ctx.lookup.name(w))),
            },
            subject: { ciliumPolicy: set.policy },
            path: [...set.spec.path, 'enableDefaultDeny', direction],
            workloads: set.workloads,
          });
          continue;
        }
        // A rule whose every port has L7 rules sends the peers it matches through Cilium's proxy, which
        // filters their requests even without default deny (what enableDefaultDeny: false is for): only the
        // rules that let every request through restrict nothing.
        const all = set.spec[allowList(direction)];
        const allows = all.filter((r) => !filtersAtL7(r, set.wire[direction]));
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
