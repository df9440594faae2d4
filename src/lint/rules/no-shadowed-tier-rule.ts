import type { CompiledCluster } from '../../engine/compile.ts';
import type { CompiledTierPolicy } from '../../engine/tiers.ts';
import {
  actionWord,
  firstMatch,
  hasDomains,
  isNoTraffic,
  precedes,
  refsOf,
  subjectGroups,
  targetsOf,
  tierName,
  tierRuleName,
  trafficOf,
  type TierRuleRef,
} from '../checks/tiers.ts';
import { listNames } from '../text.ts';
import { RuleCategory, defineRule } from '../types.ts';

/**
 * The rules that decide all the traffic `ref` matches, for every class its policy selects, before it: or
 * undefined when some of it reaches `ref` (or when it matches nothing at all).
 */
function shadowedBy(
  compiled: CompiledCluster,
  ref: TierRuleRef,
  earlier: readonly TierRuleRef[],
): TierRuleRef[] | undefined {
  const deciders = new Set<TierRuleRef>();
  let matchesSomething = false;
  for (const subject of subjectGroups(compiled, ref.policy.selected)) {
    for (const t of targetsOf(compiled, ref.rule)) {
      const own = trafficOf(compiled, ref, subject, t);
      if (own === undefined) continue;
      matchesSomething = true;
      const { decided, rest } = firstMatch(compiled, earlier, subject, t, own);
      if (!isNoTraffic(rest)) return undefined;
      for (const d of decided) deciders.add(d.ref);
    }
  }
  if (!matchesSomething) return undefined;
  return earlier.filter((r) => deciders.has(r));
}

export default defineRule({
  id: 'no-shadowed-tier-rule',
  meta: {
    severity: 'warning',
    category: RuleCategory.Redundancy,
    description:
      'Every rule of a cluster policy decides some traffic that no earlier rule of its tier already decides',
    rationale:
      'In the Admin and Baseline tiers the first matching rule decides: rules in list order, policies by ascending priority. A rule whose every peer and port is already decided by earlier rules of the same policy, or by rules of a higher-precedence policy of the same tier that selects all of its pods, never decides anything. With the same action it is dead weight; with another action it is worse: it looks like it applies, and it never does.',
    fix: 'Remove the rule; or, if it should apply, move it before the rules that decide its traffic (in the list, or with a lower priority number than their policy).',
    messages: {
      redundant:
        'This {{tier}} {{direction}} rule never decides anything: {{by}} already {{decide}} all the traffic it matches, with the same action ({{action}}); remove it',
      overridden:
        'This {{tier}} {{direction}} {{action}} rule never applies: {{by}} {{decide}} all the traffic it matches first ({{actions}}); move it before {{them}} if it should apply, or remove it',
    },
  },
  check(ctx) {
    const { compiled } = ctx;
    const selected = compiled.tierPolicies.map((p) => new Set(p.selected));
    /** Whether `q` selects every class `p` selects. */
    const selectsAllOf = (q: CompiledTierPolicy, p: CompiledTierPolicy): boolean =>
      p.selected.every((id) => selected[q.index]!.has(id));
    for (const policy of compiled.tierPolicies) {
      if (policy.selected.length === 0) continue;
      const higher = compiled.tierPolicies
        .filter((q) => q !== policy && precedes(q.info, policy.info) && selectsAllOf(q, policy))
        .sort((a, b) => a.rank - b.rank);
      for (const direction of ['ingress', 'egress'] as const) {
        const own = refsOf(policy, direction);
        for (const [i, ref] of own.entries()) {
          // What a DNS name resolves to is not known statically: such a rule may always decide something.
          if (hasDomains(ref.rule)) continue;
          const earlier = [...higher.flatMap((q) => refsOf(q, direction)), ...own.slice(0, i)];
          const by = shadowedBy(compiled, ref, earlier);
          if (by === undefined || by.length === 0) continue;
          const action = actionWord(policy.info, ref.rule.action);
          const actions = [...new Set(by.map((o) => actionWord(o.policy.info, o.rule.action)))];
          const same = by.every((o) => o.rule.action === ref.rule.action);
          ctx.report({
            messageId: same ? 'redundant' : 'overridden',
            data: {
              tier: tierName(policy.tier),
              direction,
              action,
              actions: actions.join(', '),
              by: listNames(by.map((o) => tierRuleName(o, policy))),
              decide: by.length === 1 ? 'decides' : 'decide',
              them: by.length === 1 ? 'it' : 'them',
            },
            subject: { clusterPolicy: policy.info },
            path: ['spec', direction, ref.rule.index],
            workloads: ctx.lookup.workloadsOfClasses(policy.selected),
          });
        }
      }
    }
  },
});
