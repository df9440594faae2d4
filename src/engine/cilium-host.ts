/**
 * What netfence cannot know about Cilium host policies (CiliumClusterwideNetworkPolicy rule sets with
 * `nodeSelector`; issue #17), as warning lines: whether the host firewall is on (Cilium's default is off, and
 * then the agent enforces no host policy), and which nodes a host policy selects when the input has no Node.
 * Pure: no I/O.
 */
import { ciliumHostLabels } from '../model/cilium.ts';
import type { ClusterState } from '../model/cluster.ts';
import { profileName, type CniProfile } from './profiles.ts';
import { compileSelector, selectorMatches } from './selectors.ts';

/** The ids of the policies with a host rule set (`nodeSelector`), in input order. */
function hostPolicies(
  state: ClusterState,
): { id: string; selectors: ReturnType<typeof compileSelector>[] }[] {
  const out: { id: string; selectors: ReturnType<typeof compileSelector>[] }[] = [];
  for (const p of state.ciliumPolicies) {
    const selectors = p.specs.flatMap((s) =>
      s.subject.kind === 'nodes' ? [compileSelector(s.subject.selector)] : [],
    );
    if (selectors.length > 0) out.push({ id: p.id, selectors });
  }
  return out;
}

function names(ids: readonly string[]): string {
  return ids.length <= 3 ? ids.join(', ') : `${ids.slice(0, 3).join(', ')} and ${ids.length - 3} more`;
}

/**
 * The warning lines for the host policies of `state` under `profile` (none without host policies):
 * - host firewall off: they are not enforced (netfence evaluates them as Cilium then does: not at all);
 * - on, but no Node in the input: they select no host (netfence cannot know the nodes);
 * - on, a host policy whose nodeSelector selects none of the Nodes of the input.
 */
export function ciliumHostPolicyWarnings(state: ClusterState, profile: CniProfile): string[] {
  const policies = hostPolicies(state);
  if (policies.length === 0) return [];
  const n = policies.length;
  const what = `${n} Cilium host ${n === 1 ? 'policy' : 'policies'} (nodeSelector: ${names(policies.map((p) => p.id))})`;
  if (!profile.settings.hostFirewall) {
    const fix =
      profile.cni === 'cilium'
        ? '--cni-option enable-host-firewall=true'
        : '--cni cilium --cni-option enable-host-firewall=true';
    return [
      `warning: ${what} not enforced: ${profileName(profile)} has Cilium's host firewall off (its default); if the cluster enables it (hostFirewall.enabled), add ${fix}`,
    ];
  }
  if (state.nodes.length === 0)
    return [
      `warning: ${what} ${n === 1 ? 'selects' : 'select'} no host: the input has no Node, so netfence does not know the nodes ${n === 1 ? 'it applies' : 'they apply'} to (add the Nodes, or use --cluster)`,
    ];
  const none = policies.filter((p) =>
    p.selectors.every(
      (sel) => !state.nodes.some((node) => selectorMatches(sel, ciliumHostLabels(node.labels))),
    ),
  );
  if (none.length === 0) return [];
  return [
    `warning: ${none.length === 1 ? 'the Cilium host policy' : 'the Cilium host policies'} ${names(none.map((p) => p.id))} ${none.length === 1 ? 'selects' : 'select'} no Node of the input (nodeSelector is matched against the node labels Cilium keeps: not kubernetes.io/…, k8s.io/… nor topology.kubernetes.io/…)`,
  ];
}
