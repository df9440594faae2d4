/**
 * Cluster policy rules (ClusterNetworkPolicy, AdminNetworkPolicy, BaselineAdminNetworkPolicy) in words, as
 * `exposure` states them: "denied from any pod in namespaces labelled tenant=b, on all ports, by
 * ClusterNetworkPolicy/tenant-isolation (Admin, priority 10)".
 */
import type { TierExposureStatement } from '../engine/exposure.ts';
import { compileSelector } from '../engine/selectors.ts';
import type { PeerScope } from '../engine/explain.ts';
import { NAMESPACE_NAME_LABEL, type Tier, type TierPeerInfo, type TierPortInfo } from '../model/cluster.ts';
import type { LabelSelector } from '../model/k8s.ts';
import { describeScope } from './scope.ts';
import { describeSelector } from './selectors.ts';

/** `Admin`, `Baseline`: the tiers as the API writes them. */
export function tierName(tier: Tier): string {
  return tier === 'admin' ? 'Admin' : 'Baseline';
}

/** The namespaces of a `namespaces` or `pods` peer (empty selects all; no "own namespace" here). */
function namespacesOf(selector: LabelSelector): Extract<PeerScope, { kind: 'pods' }>['namespaces'] {
  const sel = compileSelector(selector);
  if (sel.matchesAll) return { kind: 'any' };
  const only = sel.requirements.length === 1 ? sel.requirements[0]! : undefined;
  if (only !== undefined && only.key === NAMESPACE_NAME_LABEL && only.operator === 'In')
    return { kind: 'named', names: only.values };
  return { kind: 'labelled', selector: sel };
}

/** "any pod in namespaces labelled tenant=b", "nodes labelled role=cp (their addresses)", "api.example.com (by DNS name)". */
export function describeTierPeer(peer: TierPeerInfo): string {
  switch (peer.kind) {
    case 'namespaces':
      return describeScope({
        kind: 'pods',
        namespaces: namespacesOf(peer.namespaceSelector),
        pods: undefined,
      });
    case 'pods': {
      const pods = compileSelector(peer.podSelector);
      return describeScope({
        kind: 'pods',
        namespaces: namespacesOf(peer.namespaceSelector),
        pods: pods.matchesAll ? undefined : pods,
      });
    }
    case 'nodes': {
      const sel = compileSelector(peer.nodeSelector);
      return `${sel.matchesAll ? 'every node' : `nodes labelled ${describeSelector(sel)}`} (their addresses, and the host-network pods on them)`;
    }
    case 'networks':
      return `any address in ${peer.cidrs.join(', ')} (pods too)`;
    case 'domainNames':
      return peer.domains.map((d) => `${d} (by DNS name)`).join(', ');
    case 'unknown':
      return `a peer netfence cannot read (${peer.fields.join(', ')}): it counts as everything for Deny and Pass, as nothing for Accept`;
  }
}

/** `on all ports`, `on 53/UDP, 53/TCP`, `on named port metrics`. */
export function describeTierPorts(ports: readonly TierPortInfo[] | undefined): string {
  if (ports === undefined) return 'on all ports';
  const parts = ports.map((p) =>
    p.kind === 'named'
      ? `named port ${p.name}`
      : `${p.start === p.end ? p.start : `${p.start}-${p.end}`}/${p.protocol}`,
  );
  return `on ${parts.join(', ')}`;
}

/** `ClusterNetworkPolicy/tenant-isolation (Admin, priority 10)`, `BaselineAdminNetworkPolicy/default (Baseline)`. */
export function describeTierPolicy(s: Pick<TierExposureStatement, 'policy' | 'tier' | 'priority'>): string {
  return `${s.policy} (${tierName(s.tier)}${s.priority === undefined ? '' : `, priority ${s.priority}`})`;
}

/**
 * What the rule does to this peer: `denied from any pod in namespaces labelled tenant=b, on all ports`,
 * `allowed to api.example.com (by DNS name), on 443/TCP`, `passed to NetworkPolicies from …`.
 */
export function describeTierStatement(s: TierExposureStatement, direction: 'ingress' | 'egress'): string {
  const prep = direction === 'ingress' ? 'from' : 'to';
  const verb =
    s.action === 'allow'
      ? `allowed ${prep}`
      : s.action === 'deny'
        ? `denied ${prep}`
        : s.tier === 'admin'
          ? `passed on to NetworkPolicies ${prep}`
          : `passed (the rest of the Baseline tier skipped: allowed) ${prep}`;
  return `${verb} ${describeTierPeer(s.peer)}, ${describeTierPorts(s.ports)}`;
}
