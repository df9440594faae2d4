/**
 * The explicit list of lint rules, in catalog order (by category). Adding a rule: write
 * `rules/<id>.ts`, add it here, document it in `docs/rules/<id>.md`, test it in `test/lint/rules/<id>.ts`,
 * and run `node scripts/gen-rule-docs.ts`. A meta-test checks all four.
 */
import type { AnyRule } from './types.ts';
import requireDefaultDenyIngress from './rules/require-default-deny-ingress.ts';
import requireDefaultDenyEgress from './rules/require-default-deny-egress.ts';
import requireIngressIsolation from './rules/require-ingress-isolation.ts';
import requireEgressIsolation from './rules/require-egress-isolation.ts';
import noAllowAllRule from './rules/no-allow-all-rule.ts';
import noAnyNamespace from './rules/no-any-namespace.ts';
import noWideIpblock from './rules/no-wide-ipblock.ts';
import noIpblockCoveringCluster from './rules/no-ipblock-covering-cluster.ts';
import noCiliumFqdnWithWorld from './rules/no-cilium-fqdn-with-world.ts';
import noCiliumForeignNamespaceSelector from './rules/no-cilium-foreign-namespace-selector.ts';
import noCiliumUnresolvedToServices from './rules/no-cilium-unresolved-to-services.ts';
import noPolicySelectingNothing from './rules/no-policy-selecting-nothing.ts';
import noPolicySelectingHostNetwork from './rules/no-policy-selecting-host-network.ts';
import noDeadPeer from './rules/no-dead-peer.ts';
import noUnreachableBaselineRule from './rules/no-unreachable-baseline-rule.ts';
import noCiliumShadowedAllow from './rules/no-cilium-shadowed-allow.ts';
import noCiliumL7ShadowedByL4 from './rules/no-cilium-l7-shadowed-by-l4.ts';
import noPolicyInEmptyNamespace from './rules/no-policy-in-empty-namespace.ts';
import noUnknownNamedPort from './rules/no-unknown-named-port.ts';
import noEndportWithNamedPort from './rules/no-endport-with-named-port.ts';
import noUnenforcedEndport from './rules/no-unenforced-endport.ts';
import noUnenforcedSctp from './rules/no-unenforced-sctp.ts';
import noFullPortRange from './rules/no-full-port-range.ts';
import requireDnsEgressUdp from './rules/require-dns-egress-udp.ts';
import requireDnsEgressTcp from './rules/require-dns-egress-tcp.ts';
import requireCiliumDnsProxyForFqdn from './rules/require-cilium-dns-proxy-for-fqdn.ts';
import noRedundantRule from './rules/no-redundant-rule.ts';
import noRedundantPolicy from './rules/no-redundant-policy.ts';
import noShadowedTierRule from './rules/no-shadowed-tier-rule.ts';
import noUselessPass from './rules/no-useless-pass.ts';
import noSplitPeer from './rules/no-split-peer.ts';
import noIgnoredRules from './rules/no-ignored-rules.ts';
import noEgressDenyWithoutPolicyTypes from './rules/no-egress-deny-without-policy-types.ts';
import noDuplicatePolicyName from './rules/no-duplicate-policy-name.ts';
import noTierPriorityOverlap from './rules/no-tier-priority-overlap.ts';
import noLegacyTierApi from './rules/no-legacy-tier-api.ts';
import noCiliumAllowWithoutDefaultDeny from './rules/no-cilium-allow-without-default-deny.ts';
import noUnknownField from './rules/no-unknown-field.ts';
import noYaml11Traps from './rules/no-yaml11-traps.ts';
import flowsWouldDeny from './rules/flows-would-deny.ts';
import flowsNeverObserved from './rules/flows-never-observed.ts';

export const RULES: readonly AnyRule[] = [
  requireDefaultDenyIngress,
  requireDefaultDenyEgress,
  requireIngressIsolation,
  requireEgressIsolation,
  noAllowAllRule,
  noAnyNamespace,
  noWideIpblock,
  noIpblockCoveringCluster,
  noCiliumFqdnWithWorld,
  noCiliumUnresolvedToServices,
  noPolicySelectingNothing,
  noPolicySelectingHostNetwork,
  noDeadPeer,
  noCiliumForeignNamespaceSelector,
  noUnreachableBaselineRule,
  noCiliumShadowedAllow,
  noCiliumL7ShadowedByL4,
  noPolicyInEmptyNamespace,
  noUnknownNamedPort,
  noEndportWithNamedPort,
  noUnenforcedEndport,
  noUnenforcedSctp,
  noFullPortRange,
  requireDnsEgressUdp,
  requireDnsEgressTcp,
  requireCiliumDnsProxyForFqdn,
  noRedundantRule,
  noRedundantPolicy,
  noShadowedTierRule,
  noUselessPass,
  noSplitPeer,
  noIgnoredRules,
  noEgressDenyWithoutPolicyTypes,
  noDuplicatePolicyName,
  noTierPriorityOverlap,
  noLegacyTierApi,
  noCiliumAllowWithoutDefaultDeny,
  noUnknownField,
  noYaml11Traps,
  flowsWouldDeny,
  flowsNeverObserved,
];

export function findRule(id: string): AnyRule | undefined {
  return RULES.find((r) => r.id === id);
}
