/** Walking the policies of a lint run: every rule of every policy, with its field path. */
import type { CompiledCluster, CompiledPolicy, CompiledRule, Direction } from '../../engine/compile.ts';
import type { NetworkPolicyPeer, NetworkPolicyPort } from '../../model/k8s.ts';
import type { FieldPath } from '../../model/problem.ts';
import type { RuleContext } from '../types.ts';
import { listNames, peersField } from '../text.ts';

export interface RuleVisit {
  policy: CompiledPolicy;
  direction: Direction;
  index: number;
  /** The compiled rule (absent when the policy's policyTypes leave the direction out). */
  compiled: CompiledRule | undefined;
  /** The peers as written (`from` or `to`); undefined when absent. */
  peers: readonly NetworkPolicyPeer[] | undefined;
  ports: readonly NetworkPolicyPort[] | undefined;
  /** `['spec', 'ingress', 0]` */
  path: FieldPath;
  /** `['spec', 'ingress', 0, 'from']` */
  peersPath: FieldPath;
}

/** Keys of the shared lists (`RuleContext.shared`): without and with the rules the API ignores. */
const VISITS = Symbol('policy rules');
const VISITS_WITH_IGNORED = Symbol('policy rules, ignored ones too');

/**
 * Every rule of every policy in both directions, in policy order. Rules of a direction that policyTypes leaves
 * out are visited only with `includeIgnored` (they have no compiled form: the API ignores them). The list is
 * made once per lint run and shared by the rules: read it, do not change it.
 */
export function policyRules(ctx: RuleContext, includeIgnored = false): readonly RuleVisit[] {
  return ctx.shared(includeIgnored ? VISITS_WITH_IGNORED : VISITS, () =>
    visitsOf(ctx.compiled, includeIgnored),
  );
}

function visitsOf(compiled: CompiledCluster, includeIgnored: boolean): RuleVisit[] {
  const out: RuleVisit[] = [];
  for (const policy of compiled.policies) {
    for (const direction of ['ingress', 'egress'] as const) {
      const affects = direction === 'ingress' ? policy.affectsIngress : policy.affectsEgress;
      if (!affects && !includeIgnored) continue;
      const rules = direction === 'ingress' ? policy.info.spec.ingress : policy.info.spec.egress;
      for (const [index, rule] of (rules ?? []).entries()) {
        const peers = 'from' in rule ? rule.from : (rule as { to?: NetworkPolicyPeer[] }).to;
        const path: FieldPath = ['spec', direction, index];
        out.push({
          policy,
          direction,
          index,
          compiled: affects ? (direction === 'ingress' ? policy.ingress : policy.egress)[index] : undefined,
          peers,
          ports: rule.ports,
          path,
          peersPath: [...path, peersField(direction)],
        });
      }
    }
  }
  return out;
}

/** `monitoring/alertmanager and monitoring/grafana`, or `the pods it selects` when there are none. */
export function targetsText(
  ctx: RuleContext,
  workloads: readonly string[],
  none = 'the pods it selects',
): string {
  return workloads.length === 0 ? none : listNames(workloads.map((w) => ctx.lookup.name(w)).sort());
}

/** The label that best identifies a workload's pods, for "add a policy selecting …" suggestions. */
export function identifyingLabel(labels: Readonly<Record<string, string>>): string | undefined {
  for (const key of ['app.kubernetes.io/name', 'app', 'k8s-app', 'name', 'component']) {
    const value = labels[key];
    if (value !== undefined) return `${key}=${value}`;
  }
  const first = Object.keys(labels).sort()[0];
  return first === undefined ? undefined : `${first}=${labels[first]!}`;
}
