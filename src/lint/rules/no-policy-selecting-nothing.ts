import { usesEndPort } from '../../engine/compile.ts';
import { compileSelector, selectorMatches } from '../../engine/selectors.ts';
import { suggestLabel } from '../checks/selectors.ts';
import { selectorText } from '../text.ts';
import { RuleCategory, defineRule } from '../types.ts';
import { targetsText } from '../checks/policies.ts';
import { sharedCiliumIdentities, sharedCiliumRuleSets, type CiliumRuleSet } from '../checks/cilium.ts';
import type { LabelSelector } from '../../model/k8s.ts';
import type { RuleContext } from '../types.ts';

export default defineRule({
  id: 'no-policy-selecting-nothing',
  meta: {
    severity: 'error',
    category: RuleCategory.DeadCode,
    description: 'Every policy selects at least one pod of its namespace',
    rationale:
      'A policy whose podSelector matches no pod does nothing at all: the pods it was written for stay as open (or as closed) as before. It is almost always a label typo, or labels that changed in the workload but not in the policy.',
    fix: 'Make the podSelector match the labels of the pods the policy is meant for (compare with the pod template labels), or remove the policy.',
    messages: {
      none: 'podSelector {{selector}} matches no pod in namespace "{{ns}}", so the policy does nothing{{hint}}',
      hostNetwork:
        'podSelector {{selector}} matches only host-network pods ({{workloads}}), which NetworkPolicies never apply to, so the policy does nothing; protect them on the nodes instead',
      ciliumNone:
        'endpointSelector {{selector}} selects no pod {{where}}, so the rule set does nothing{{hint}}',
      ciliumHostNetwork:
        "endpointSelector {{selector}} selects only host-network pods ({{workloads}}), which have the host's identity: Cilium applies no endpoint policy to them, so the rule set does nothing; protect them with a host policy (nodeSelector) instead",
    },
  },
  check(ctx) {
    for (const policy of ctx.compiled.policies) {
      if (policy.selected.length > 0) continue;
      // A policy the CNI profile leaves out (endPort under Cilium 1.15) is no-unenforced-endport's finding.
      if (ctx.compiled.options.cni?.settings.endPort === 'policy-ignored' && usesEndPort(policy.info))
        continue;
      const ns = policy.info.namespace;
      // A namespace with no workloads in the input is reported by no-policy-in-empty-namespace.
      if (!ctx.lookup.hasWorkloads(ns)) continue;
      const workloads = ctx.lookup.workloadsIn(ns);
      const hostOnly = workloads.filter(
        (w) =>
          selectorMatches(policy.selector, w.labels) &&
          ctx.lookup.classesOfWorkload(w.id).some((id) => ctx.compiled.classes[id]!.hostNetwork),
      );
      const selector = selectorText(policy.info.spec.podSelector);
      if (hostOnly.length > 0) {
        ctx.report({
          messageId: 'hostNetwork',
          data: {
            selector,
            workloads: targetsText(
              ctx,
              hostOnly.map((w) => w.id),
            ),
          },
          subject: { policy: policy.info },
          path: ['spec', 'podSelector'],
          workloads: hostOnly.map((w) => w.id),
        });
        continue;
      }
      const suggestion = suggestLabel(
        policy.info.spec.podSelector ?? {},
        workloads.map((w) => w.labels),
      );
      ctx.report({
        messageId: 'none',
        data: {
          selector,
          ns,
          hint:
            suggestion === undefined
              ? '; make it match the pods it is meant for'
              : `. Did you mean ${suggestion}?`,
        },
        subject: { policy: policy.info },
        path: ['spec', 'podSelector'],
      });
    }
    for (const set of sharedCiliumRuleSets(ctx)) checkCiliumRuleSet(ctx, set);
  },
});

/** Whether a selector names a `reserved:` identity (Cilium's own endpoints: ingress, health, …; no input lists them). */
function namesReserved(selector: LabelSelector): boolean {
  return [
    ...Object.keys(selector.matchLabels ?? {}),
    ...(selector.matchExpressions ?? []).map((e) => e.key),
  ].some((key) => key.startsWith('reserved:'));
}

/**
 * A Cilium endpoint rule set that selects no pod of the input: in its namespace for a CiliumNetworkPolicy (with
 * workloads there), in any for a clusterwide one. Host-network pods have the host's identity, never an
 * endpoint's, so a selector matching only them gets its own message.
 */
function checkCiliumRuleSet(ctx: RuleContext, set: CiliumRuleSet): void {
  const subject = set.spec.subject;
  if (subject.kind !== 'endpoints' || set.workloads.length > 0) return;
  const raw = set.wire.endpointSelector ?? {};
  if (namesReserved(raw)) return;
  const namespace = set.policy.namespace;
  if (namespace === undefined ? ctx.state.pods.length === 0 : !ctx.lookup.hasWorkloads(namespace)) return;
  const selector = compileSelector(subject.selector);
  const hostOnly = [
    ...new Set(
      sharedCiliumIdentities(ctx)
        .filter((id) => id.hostNetwork && selectorMatches(selector, id.labels))
        .map((id) => id.workload),
    ),
  ].sort();
  const path = [...set.spec.path, 'endpointSelector'];
  if (hostOnly.length > 0) {
    ctx.report({
      messageId: 'ciliumHostNetwork',
      data: { selector: selectorText(raw), workloads: targetsText(ctx, hostOnly) },
      subject: { ciliumPolicy: set.policy },
      path,
      workloads: hostOnly,
    });
    return;
  }
  const candidates =
    namespace === undefined ? ctx.state.pods : ctx.state.pods.filter((p) => p.namespace === namespace);
  const suggestion = suggestLabel(
    raw,
    candidates.map((p) => p.labels),
  );
  ctx.report({
    messageId: 'ciliumNone',
    data: {
      selector: selectorText(raw),
      where: namespace === undefined ? 'in any namespace' : `in namespace "${namespace}"`,
      hint:
        suggestion === undefined
          ? '; make it match the pods it is meant for'
          : `. Did you mean ${suggestion}?`,
    },
    subject: { ciliumPolicy: set.policy },
    path,
  });
}
