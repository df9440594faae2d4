import { ciliumSctpFields, profileName, sctpFields, sctpFix } from '../../engine/profiles.ts';
import { RuleCategory, defineRule } from '../types.ts';

export default defineRule({
  id: 'no-unenforced-sctp',
  meta: {
    severity: 'warning',
    category: RuleCategory.Ports,
    description: 'No rule allows SCTP where the CNI profile (--cni) does not enforce SCTP',
    rationale:
      'Cilium handles SCTP only with enable-sctp (off by default): without it a policy entry with protocol SCTP allows nothing, so the SCTP traffic the rule was written for is denied wherever the policy isolates the pods. The policy reads as an allow and is not one.',
    fix: 'Enable SCTP in Cilium (enable-sctp) and say so with --cni-option enable-sctp=true, or drop the SCTP entries.',
    messages: {
      sctp: 'protocol SCTP: {{profile}} does not enforce SCTP, so this entry allows nothing; {{fix}}',
    },
  },
  check(ctx) {
    const profile = ctx.compiled.options.cni;
    if (profile === undefined || profile.settings.sctp) return;
    const data = { profile: profileName(profile), fix: sctpFix(profile) };
    for (const policy of ctx.compiled.policies)
      for (const path of sctpFields(policy.info))
        ctx.report({ messageId: 'sctp', data, subject: { policy: policy.info }, path });
    // Cilium's own policies: enforced by Cilium only.
    if (profile.cni !== 'cilium') return;
    for (const policy of ctx.state.ciliumPolicies)
      for (const path of ciliumSctpFields(policy.object))
        ctx.report({ messageId: 'sctp', data, subject: { ciliumPolicy: policy }, path });
  },
});
