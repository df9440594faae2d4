import type { PolicyInfo } from '../../model/cluster.ts';
import { RuleCategory, defineRule } from '../types.ts';

/**
 * A name that says "deny egress" or "deny all" (and not "deny ingress"): `deny-egress`, `default-deny-all`,
 * `denyall`. Names that only mention egress (`allow-egress`, `egress-gateway`) or only deny (`default-deny`,
 * the usual name of an ingress default deny) do not count.
 */
function nameDeniesEgress(name: string): boolean {
  const words = name.toLowerCase().split(/[^a-z0-9]+/);
  const has = (w: string): boolean => words.includes(w);
  if (has('denyall')) return !has('ingress') || has('egress');
  if (!has('deny')) return false;
  return has('egress') || (has('all') && !has('ingress'));
}

function hasIngressRules(policy: PolicyInfo): boolean {
  return (policy.spec.ingress?.length ?? 0) > 0;
}

export default defineRule({
  id: 'no-egress-deny-without-policy-types',
  meta: {
    severity: 'warning',
    category: RuleCategory.Mistakes,
    heuristic: true,
    description:
      'A policy written to deny egress ("egress: []", or a deny-egress name) lists Egress in policyTypes',
    rationale:
      'Without policyTypes, the API server sets it from the rules: Ingress always, Egress only when the policy has at least one egress rule. So "egress: []", which reads as "deny all egress", is dropped: the policy leaves egress open, and when it has no ingress rules it denies all ingress instead. A policy named like "deny-egress" or "default-deny-all" with no egress section does the same; that part of the rule reads the name, a heuristic, and only when the policy has no ingress rules.',
    fix: 'Add policyTypes: [Ingress, Egress] so that the policy denies egress (its ingress stays as it is), or policyTypes: [Egress] when the policy is about egress only.',
    messages: {
      emptyEgress:
        '"egress: []" {{without}} denies no egress: the API server sets policyTypes to [Ingress] when there is no egress rule; add policyTypes: [Ingress, Egress] to deny all egress',
      emptyEgressDeniesIngress:
        '"egress: []" {{without}} denies no egress but all ingress: the API server sets policyTypes to [Ingress] when there is no egress rule; add policyTypes: [Ingress, Egress] to deny both, or policyTypes: [Egress] to deny egress only',
      namedDenyEgress:
        'Policy "{{name}}" has no egress section and {{noTypes}}, so it denies no egress but all ingress (the API server sets policyTypes to [Ingress]); add policyTypes: [Ingress, Egress] to deny both, or policyTypes: [Egress] to deny egress only',
    },
  },
  check(ctx) {
    for (const policy of ctx.state.policies) {
      // The API server defaults an empty policyTypes as an absent one (no-ignored-rules checks the others).
      const types = policy.spec.policyTypes;
      if (types !== undefined && types.length > 0) continue;
      const data =
        types === undefined
          ? { without: 'without policyTypes', noTypes: 'no policyTypes' }
          : { without: 'with policyTypes: []', noTypes: 'policyTypes: []' };
      const { egress } = policy.spec;
      if (egress !== undefined && egress.length === 0) {
        ctx.report({
          messageId: hasIngressRules(policy) ? 'emptyEgress' : 'emptyEgressDeniesIngress',
          data,
          subject: { policy },
          path: ['spec', 'egress'],
        });
      } else if (egress === undefined && !hasIngressRules(policy) && nameDeniesEgress(policy.name)) {
        ctx.report({
          messageId: 'namedDenyEgress',
          data: { ...data, name: policy.name },
          subject: { policy },
          path: ['metadata', 'name'],
        });
      }
    }
  },
});
