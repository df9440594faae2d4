import { ciliumEndPortFields, profileName, versionAtLeast, type CniProfile } from '../../engine/profiles.ts';
import { RuleCategory, defineRule } from '../types.ts';

/** The issue that documents the profile's endPort reading, when the version (not an override) chose it. */
function source(profile: CniProfile, issue: string): string {
  return profile.cni === 'cilium' && !profile.overrides.some((o) => o.startsWith('endport='))
    ? ` (${issue})`
    : '';
}

/**
 * Whether the profile is a Cilium before port ranges (1.16): only then is an upgrade advice, and a CRD without
 * endPort, true. From 1.16 on, only an `endport=` override makes the rule report (and governs Cilium policies
 * too): the messages name the override instead.
 */
function beforeRanges(profile: CniProfile): boolean {
  return profile.cni === 'cilium' && !versionAtLeast(profile.version, '1.16');
}

function upgrade(profile: CniProfile): string {
  return beforeRanges(profile) ? ' or run Cilium ≥ 1.16' : '';
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
      ciliumOverride:
        'endPort {{endPort}}: under {{profile}} the {{override}} override governs Cilium policies too: their endPort is read as dropped (as by the CRD before Cilium 1.16), so the rule allows only port {{port}}; list the ports one by one, or drop the override if this Cilium enforces port ranges',
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
    const override = beforeRanges(profile)
      ? undefined
      : (profile.overrides.findLast((o) => o.startsWith('endport=')) ?? 'endport');
    for (const policy of ctx.state.ciliumPolicies) {
      for (const e of ciliumEndPortFields(policy.object)) {
        ctx.report({
          messageId: override === undefined ? 'ciliumPruned' : 'ciliumOverride',
          data: { ...words, endPort: e.endPort, port: e.port, override: override ?? '' },
          subject: { ciliumPolicy: policy },
          path: e.path,
        });
      }
    }
  },
});
