import type { CompiledCluster } from '../../engine/compile.ts';
import { Tier, TierAction } from '../../model/cluster.ts';
import {
  describeClasses,
  firstMatch,
  hasDomains,
  intersectTraffic,
  isNoTraffic,
  npIsolated,
  precedes,
  refsOf,
  subjectGroups,
  targetsOf,
  tierPoliciesAt,
  trafficOf,
  type Target,
  type TierRuleRef,
  type Traffic,
} from '../checks/tiers.ts';
import { RuleCategory, defineRule } from '../types.ts';

/** Whether one of `refs` with action Deny matches any of `traffic` between `subject` and the target. */
function denies(
  compiled: CompiledCluster,
  refs: readonly TierRuleRef[],
  subject: number,
  t: Target,
  traffic: Traffic,
): boolean {
  return refs.some((o) => {
    if (o.rule.action !== TierAction.Deny) return false;
    const m = trafficOf(compiled, o, subject, t);
    return m !== undefined && !isNoTraffic(intersectTraffic(m, traffic));
  });
}

/**
 * Whether a Pass rule changes nothing: for every class it applies to, on all the traffic it decides, no
 * NetworkPolicy isolates the class in that direction, no Baseline Deny rule matches (so Pass ends in
 * "allowed"), and no later Admin Deny rule matches (so without the Pass it is allowed too).
 */
function useless(compiled: CompiledCluster, ref: TierRuleRef): boolean {
  const { policy, direction } = ref;
  let decidesSomething = false;
  for (const subject of subjectGroups(compiled, policy.selected)) {
    if (npIsolated(compiled, subject, direction)) return false;
    const admin = tierPoliciesAt(compiled, subject, Tier.Admin);
    const own = refsOf(policy, direction);
    const position = own.findIndex((r) => r.rule === ref.rule);
    const before = [
      ...admin.filter((q) => precedes(q.info, policy.info)).flatMap((q) => refsOf(q, direction)),
      ...own.slice(0, position),
    ];
    // Later: the rest of this policy, and every other Admin policy of an equal or greater priority.
    const after = [
      ...own.slice(position + 1),
      ...admin
        .filter((q) => q !== policy && !precedes(q.info, policy.info))
        .flatMap((q) => refsOf(q, direction)),
    ];
    const baseline = tierPoliciesAt(compiled, subject, Tier.Baseline).flatMap((q) => refsOf(q, direction));
    for (const t of targetsOf(compiled, ref.rule)) {
      const m = trafficOf(compiled, ref, subject, t);
      if (m === undefined) continue;
      const { decided } = firstMatch(compiled, [...before, ref], subject, t, m);
      const mine = decided.find((d) => d.ref === ref)?.traffic;
      if (mine === undefined) continue;
      decidesSomething = true;
      if (denies(compiled, baseline, subject, t, mine) || denies(compiled, after, subject, t, mine))
        return false;
    }
  }
  return decidesSomething;
}

export default defineRule({
  id: 'no-useless-pass',
  meta: {
    severity: 'info',
    category: RuleCategory.Redundancy,
    description:
      'Every Admin-tier Pass rule hands some traffic to a NetworkPolicy or Baseline rule that decides it',
    rationale:
      'Pass skips the rest of the Admin tier and lets NetworkPolicies, then the Baseline tier, decide. When no NetworkPolicy isolates the pods the rule applies to, no Baseline rule denies the traffic it passes, and no later Admin rule would deny it either, the traffic is allowed with the Pass and without it: the rule changes nothing today, and reads as if it protected or delegated something.',
    fix: 'Remove the rule; or, if it is there to hand the traffic to namespace owners, add the NetworkPolicies (or Baseline rules) it hands it to.',
    messages: {
      useless:
        'This Pass rule changes nothing: no NetworkPolicy isolates {{workloads}} for {{direction}} and no Baseline or later Admin rule denies what it passes, so that traffic is allowed with it and without it; remove it, or add the NetworkPolicies it is meant to hand the traffic to',
    },
  },
  check(ctx) {
    const { compiled } = ctx;
    for (const policy of compiled.tierPolicies) {
      if (policy.tier !== Tier.Admin || policy.selected.length === 0) continue;
      for (const direction of ['ingress', 'egress'] as const) {
        for (const ref of refsOf(policy, direction)) {
          if (ref.rule.action !== TierAction.Pass || hasDomains(ref.rule)) continue;
          if (!useless(compiled, ref)) continue;
          ctx.report({
            messageId: 'useless',
            data: {
              workloads: describeClasses(ctx.lookup, policy.selected),
              direction,
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
