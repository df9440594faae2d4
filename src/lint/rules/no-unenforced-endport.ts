import { ciliumEndPortFields, profileName, type CniProfile } from '../../engine/profiles.ts';
import { RuleCategory, defineRule } from '../types.ts';

/** The issue that documents the profile's endPort reading, when the version (not an override) chose it. */
function source(profile: CniProfile, issue: string): string {
  return profile.cni === 'cilium' && !profile.overrides.some((o) => o.startsWith('endport='))
    ? ` (${issue})`
    : '';
}

function upgrade(profile: CniProfile): string {
  return profile.cni === 'cilium' ? ' or run Cilium ≥ 1.16' : '';
}

export default defineRule({
  id: 'no-unenforced-endport',
  meta: {
    severity: 'error',
    category: RuleCategory.Ports,
    description: 'No policy uses endPort where the CNI profile (--cni) does not enforce port ranges',
    rationale:
      'Port ranges (endPort) are enforced by Cilium from 1.16 on only. Cilium 1.15 refuses to process a NetworkPolicy that uses endPort (cilium#28704): the whole policy is not enforced, so the pods it selects stay open. Up to 1.14 it ignores endPort and allows only the first port (cilium#28684). A CiliumNetworkPolicy before 1.16 has no endPort field in its CRD: the API server drops it and the rule allows only its port. The policy reads as a range and is not one.',
    fix: 'Drop endPort and list the ports one by one, or run Cilium 1.16 or later (and say so with --cni cilium@1.16).',
    messages: {
      policyIgnored:
        'endPort {{endPort}}: {{profile}} does not enforce NetworkPolicies with endPort{{source}}, so this whole policy is left out and the pods it selects are not isolated by it; drop endPort{{upgrade}}',
      firstPort:
        'endPort {{endPort}} is ignored by {{profile}}{{source}}: the rule allows only port {{port}}; list the ports one by one{{upgrade}}',
      ciliumPruned:
        'endPort {{endPort}}: the CiliumNetworkPolicy CRD of {{profile}} has no endPort (it came with Cilium 1.16), so the API server drops it and the rule allows only port {{port}}; list the ports one by one{{upgrade}}',
    },
  },
  check(ctx) {
    const profile = ctx.compiled.options.cni;
    if (profile === undefined || profile.settings.endPort === 'range') return;
    const mode = profile.settings.endPort;
    const words = { profile: profileName(profile), upgrade: upgrade(profile) };
    for (const policy of ctx.compiled.policies) {
      for (const direction of ['ingress', 'egress'] as const) {
        for (const [i, rule] of (policy.info.spec[direction] ?? []).entries()) {
          for (const [k, port] of (rule.ports ?? []).entries()) {
            if (port.endPort === undefined) continue;
            ctx.report({
              messageId: mode === 'policy-ignored' ? 'policyIgnored' : 'firstPort',
              data: {
                ...words,
                endPort: port.endPort,
                port: String(port.port ?? ''),
                source: source(profile, mode === 'policy-ignored' ? 'cilium#28704' : 'cilium#28684'),
              },
              subject: { policy: policy.info },
              path: ['spec', direction, i, 'ports', k, 'endPort'],
            });
          }
        }
      }
    }
    // Cilium policies: the CRD gained endPort in 1.16 (cilium#28704 refuses NetworkPolicies only).
    if (profile.cni !== 'cilium') return;
    for (const policy of ctx.state.ciliumPolicies) {
      for (const e of ciliumEndPortFields(policy.object)) {
        ctx.report({
          messageId: 'ciliumPruned',
          data: { ...words, endPort: e.endPort, port: e.port },
          subject: { ciliumPolicy: policy },
          path: e.path,
        });
      }
    }
  },
});
