import { ClusterPolicyKind, Tier, TierAction, type ClusterPolicyInfo } from '../../model/cluster.ts';
import { RuleCategory, defineRule } from '../types.ts';

export const CNP_API_VERSION = 'policy.networking.k8s.io/v1beta1';

/** What else changes besides kind, apiVersion, tier and priority: `, Allow → Accept, ports → protocols`. */
function changes(info: ClusterPolicyInfo): string {
  const rules = [...info.ingress, ...info.egress];
  const out: string[] = [];
  if (rules.some((r) => r.action === TierAction.Allow)) out.push('action Allow → Accept');
  if (rules.some((r) => r.ports !== undefined)) out.push('ports → protocols');
  return out.map((c) => `, ${c}`).join('');
}

/** The highest priority the API accepts. */
const MAX_PRIORITY = 1000;

/**
 * The priority for the BaselineAdminNetworkPolicy as a Baseline ClusterNetworkPolicy: after the Baseline
 * policies of the input (the highest used + 1, at most 1000), and why.
 */
function baselinePriority(policies: readonly ClusterPolicyInfo[]): { priority: number; after: string } {
  const used = policies.filter((p) => p.tier === Tier.Baseline && p.priority !== undefined);
  if (used.length === 0) return { priority: MAX_PRIORITY, after: 'after any Baseline policy added later' };
  const highest = Math.max(...used.map((p) => p.priority!));
  if (highest < MAX_PRIORITY)
    return {
      priority: highest + 1,
      after: `after every Baseline policy of the input, the last at ${highest}`,
    };
  const last = used.filter((p) => p.priority === MAX_PRIORITY).map((p) => p.id);
  return {
    priority: MAX_PRIORITY,
    after: `the highest priority, which ${last.join(', ')} ${last.length === 1 ? 'has' : 'have'} too: give ${last.length === 1 ? 'it' : 'them'} a lower one`,
  };
}

export default defineRule({
  id: 'no-legacy-tier-api',
  meta: {
    severity: 'warning',
    category: RuleCategory.Mistakes,
    description:
      'Cluster policies use ClusterNetworkPolicy v1beta1, not AdminNetworkPolicy, BaselineAdminNetworkPolicy or v1alpha2',
    rationale:
      'AdminNetworkPolicy and BaselineAdminNetworkPolicy (policy.networking.k8s.io/v1alpha1) are the older API: network-policy-api v0.3.0 ships no CRD for them any more. Current network plugins implement ClusterNetworkPolicy (Calico 3.32, Cilium 1.20, Antrea 2.7, kube-network-policies, Kube-OVN); AdminNetworkPolicy is left to older releases (Calico 3.29–3.31, Antrea before 2.7) and OVN-Kubernetes. ClusterNetworkPolicy v1alpha2 is still served, but v1beta1, with the same schema, is the stored version. A policy on an API the cluster no longer serves is not enforced at all.',
    fix: 'Rewrite the object as a ClusterNetworkPolicy (policy.networking.k8s.io/v1beta1): AdminNetworkPolicy → tier: Admin with the same priority; BaselineAdminNetworkPolicy → tier: Baseline with a priority after every other Baseline policy, unique in the tier; action Allow → Accept; ports → protocols.',
    messages: {
      anp: 'AdminNetworkPolicy "{{name}}" uses {{apiVersion}}, for which network-policy-api v0.3 ships no CRD; migrate it to a ClusterNetworkPolicy ({{cnp}}) with tier: Admin and priority: {{priority}}{{changes}}',
      banp: 'BaselineAdminNetworkPolicy "{{name}}" uses {{apiVersion}}, for which network-policy-api v0.3 ships no CRD; migrate it to a ClusterNetworkPolicy ({{cnp}}) with tier: Baseline and priority: {{priority}} ({{after}}; keep it unique in the tier: the API leaves the order of equal priorities undefined){{changes}}',
      cnp: 'ClusterNetworkPolicy "{{name}}" uses {{apiVersion}}; {{cnp}} has the same schema and is the stored version: change apiVersion to {{cnp}}',
    },
  },
  check(ctx) {
    const baseline = baselinePriority(ctx.state.clusterPolicies);
    for (const info of ctx.state.clusterPolicies) {
      const messageId =
        info.kind === ClusterPolicyKind.AdminNetworkPolicy
          ? 'anp'
          : info.kind === ClusterPolicyKind.BaselineAdminNetworkPolicy
            ? 'banp'
            : info.apiVersion === CNP_API_VERSION
              ? undefined
              : 'cnp';
      if (messageId === undefined) continue;
      ctx.report({
        messageId,
        data: {
          name: info.name,
          apiVersion: info.apiVersion,
          cnp: CNP_API_VERSION,
          priority: info.priority ?? baseline.priority,
          after: baseline.after,
          changes: changes(info),
        },
        subject: { clusterPolicy: info },
        path: ['apiVersion'],
        workloads: ctx.lookup.workloadsOfClasses(
          ctx.compiled.tierPolicies.find((p) => p.info === info)?.selected ?? [],
        ),
      });
    }
  },
});
