/**
 * Isolation checks shared by the ingress and egress rules: namespaces without a default-deny policy, and
 * workloads that no policy isolates.
 */
import type { Direction } from '../../engine/compile.ts';
import { RuleCategory, defineRule, type RuleDefinition } from '../types.ts';
import { identifyingLabel, targetsText } from './policies.ts';
import { classDefaultDenied, denyingTierPolicies, namespaceDefaultDeny, tierQualifier } from './tiers.ts';
import { Tier } from '../../model/cluster.ts';
import { CILIUM_NAMESPACE_KEY, ciliumIdentityLabels } from '../../model/cilium.ts';
import type { CompiledCluster } from '../../engine/compile.ts';
import { compileSelector, selectorMatches } from '../../engine/selectors.ts';
import type { Lookup } from '../lookup.ts';

/** Cilium's identity labels of a namespace (`io.cilium.k8s.namespace.labels.<key>`) start so. */
const NAMESPACE_LABEL_PREFIX = 'io.cilium.k8s.namespace.labels.';

/** Whether a Cilium rule set selecting class `id` puts it in default deny in `direction`. */
function ciliumIsolated(compiled: CompiledCluster, id: number, direction: Direction): boolean {
  const cilium = compiled.cilium;
  return (cilium.ofClass[id] ?? []).some((i) => cilium.specs[i]!.info.defaultDeny[direction]);
}

/** Whether class `id` is isolated in `direction` by a NetworkPolicy or by a Cilium rule set. */
function npLayerIsolated(compiled: CompiledCluster, id: number, direction: Direction): boolean {
  const access = direction === 'ingress' ? compiled.npIngress : compiled.npEgress;
  return access[id]!.isolated || ciliumIsolated(compiled, id, direction);
}

/**
 * A Cilium policy whose rule set puts every endpoint of `namespace` in default deny in `direction`, pods
 * created later included: its endpoint selector reads only the namespace's identity labels.
 */
function ciliumNamespaceDefaultDeny(
  compiled: CompiledCluster,
  lookup: Lookup,
  namespace: string,
  direction: Direction,
): string | undefined {
  const ns = lookup.namespace(namespace);
  const identity = ciliumIdentityLabels({}, namespace, ns?.labels ?? {});
  const nsOnly = (key: string): boolean =>
    key === CILIUM_NAMESPACE_KEY || key.startsWith(NAMESPACE_LABEL_PREFIX);
  for (const spec of compiled.cilium.specs) {
    const info = spec.info;
    if (!info.defaultDeny[direction] || info.subject.kind !== 'endpoints') continue;
    const selector = info.subject.selector;
    const keys = [
      ...Object.keys(selector.matchLabels ?? {}),
      ...(selector.matchExpressions ?? []).map((e) => e.key),
    ];
    if (keys.every(nsOnly) && selectorMatches(compileSelector(selector), identity))
      return compiled.cilium.policies[spec.policy]!.id;
  }
  return undefined;
}

function typeName(direction: Direction): 'Ingress' | 'Egress' {
  return direction === 'ingress' ? 'Ingress' : 'Egress';
}

/** `its only workload`, `all 3 of its workloads`, `2 of its 5 workloads` */
function share(open: number, total: number): string {
  if (open === total) return total === 1 ? 'its only workload' : `all ${total} of its workloads`;
  return `${open} of its ${total} workload${total === 1 ? '' : 's'}`;
}

export function defaultDenyRule(direction: Direction): RuleDefinition<'missing' | 'missingAllIsolated'> {
  const type = typeName(direction);
  const consequence =
    direction === 'ingress'
      ? 'any pod or address can connect to {{share}} ({{open}}){{tiers}}'
      : '{{share}} ({{open}}) can connect anywhere{{tiers}}';
  const fix = `add a NetworkPolicy with podSelector: {} and policyTypes: [${type}]`;
  return defineRule({
    id: `require-default-deny-${direction}`,
    meta: {
      severity: direction === 'ingress' ? 'error' : 'warning',
      category: RuleCategory.Isolation,
      description: `Every namespace with workloads has a default-deny ${direction} policy`,
      rationale:
        direction === 'ingress'
          ? 'A pod that no policy selects accepts connections from every pod of the cluster and from any address. A policy with an empty podSelector and policyTypes [Ingress] isolates every pod of the namespace, including the ones deployed later, so that only what the allow policies list gets in.'
          : 'A pod that no policy selects for egress can open connections to every pod of the cluster and to any address: the first thing an attacker uses after getting into one pod. A default-deny egress policy makes every new workload declare what it connects to.',
      fix: `Add a NetworkPolicy with an empty podSelector (podSelector: {}) and policyTypes: [${type}] to the namespace, then one allow policy per workload${direction === 'egress' ? ', and allow DNS' : ''}.`,
      messages: {
        missing: `Namespace "{{ns}}" has no default-deny ${direction} policy, so ${consequence}; ${fix}`,
        missingAllIsolated: `Namespace "{{ns}}" has no default-deny ${direction} policy: its workloads are isolated one by one, but a new one will not be; ${fix}`,
      },
    },
    check(ctx) {
      // Namespaces with a namespace-wide policy isolating `direction`, found in one pass over the policies.
      const denied = new Set(
        ctx.compiled.policies
          .filter(
            (p) => p.selector.matchesAll && (direction === 'ingress' ? p.affectsIngress : p.affectsEgress),
          )
          .map((p) => p.info.namespace),
      );
      for (const ns of ctx.state.namespaces) {
        const classes = ctx.lookup.podClassesIn(ns.name);
        if (classes.length === 0) continue;
        const covered = denied.has(ns.name);
        // A cluster policy (Admin or Baseline tier) that denies by default does the same for the namespace,
        // and so does a Cilium rule set in default deny selecting every endpoint of the namespace.
        if (
          covered ||
          namespaceDefaultDeny(ctx.compiled, ctx.lookup, ns.name, direction) !== undefined ||
          ciliumNamespaceDefaultDeny(ctx.compiled, ctx.lookup, ns.name, direction) !== undefined
        )
          continue;
        const all = ctx.lookup.workloadsOfClasses(classes);
        // Isolated by the NetworkPolicy layer: NetworkPolicies and Cilium rule sets (cluster policies apart).
        const openClasses = classes.filter(
          (id) =>
            !npLayerIsolated(ctx.compiled, id, direction) && !classDefaultDenied(ctx.compiled, id, direction),
        );
        const open = ctx.lookup.workloadsOfClasses(openClasses);
        // Not isolated by NetworkPolicies: both tiers are reached.
        const deniers = denyingTierPolicies(ctx.compiled, openClasses, direction, [
          Tier.Admin,
          Tier.Baseline,
        ]);
        ctx.report({
          messageId: open.length > 0 ? 'missing' : 'missingAllIsolated',
          data: {
            ns: ns.name,
            share: share(open.length, all.length),
            open: targetsText(ctx, open),
            tiers: tierQualifier(deniers),
          },
          subject: { namespace: ns },
          path: ['metadata', 'name'],
          workloads: open.length > 0 ? open : all,
        });
      }
    },
  });
}

export function isolationRule(direction: Direction): RuleDefinition<'notIsolated'> {
  const type = typeName(direction);
  return defineRule({
    id: `require-${direction}-isolation`,
    meta: {
      severity: 'warning',
      category: RuleCategory.Isolation,
      description: `Every workload of a namespace that uses ${direction} policies is selected by one`,
      rationale: `In a namespace where some policies restrict ${direction}, a workload that none of them selects is left wide open, usually by oversight: it was added later, or its labels do not match. Namespaces with no ${direction} policy at all are reported once, by require-default-deny-${direction}.`,
      fix: `Add a NetworkPolicy that selects the workload's pods with policyTypes: [${type}], or a default-deny ${direction} policy for the namespace.`,
      messages: {
        notIsolated: `Workload "{{workload}}" is selected by no NetworkPolicy with ${type} in policyTypes, so ${
          direction === 'ingress' ? 'any pod or address can connect to it' : 'it can connect anywhere'
        }{{tiers}}; add a policy selecting {{labels}}, or a default-deny ${direction} policy for namespace "{{ns}}"`,
      },
    },
    check(ctx) {
      const namespacesUsing = new Set(
        ctx.compiled.policies
          .filter((p) => (direction === 'ingress' ? p.affectsIngress : p.affectsEgress))
          .map((p) => p.info.namespace),
      );
      for (const w of [...ctx.state.workloads].sort((a, b) => (a.id < b.id ? -1 : 1))) {
        if (!namespacesUsing.has(w.namespace)) continue;
        const classes = ctx.lookup
          .classesOfWorkload(w.id)
          .filter((id) => !ctx.compiled.classes[id]!.hostNetwork);
        // Isolated by the NetworkPolicy layer: NetworkPolicies and Cilium rule sets (cluster policies apart).
        const open = classes.filter(
          (id) =>
            !npLayerIsolated(ctx.compiled, id, direction) && !classDefaultDenied(ctx.compiled, id, direction),
        );
        if (open.length === 0) continue;
        const label = identifyingLabel(w.labels);
        const deniers = denyingTierPolicies(ctx.compiled, open, direction, [Tier.Admin, Tier.Baseline]);
        ctx.report({
          messageId: 'notIsolated',
          data: {
            workload: ctx.lookup.name(w.id),
            labels: label === undefined ? 'its pods' : label,
            ns: w.namespace,
            tiers: tierQualifier(deniers),
          },
          subject: { workload: w },
          workloads: [w.id],
        });
      }
    },
  });
}
