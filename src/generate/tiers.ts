/**
 * ClusterNetworkPolicies for `generate --tier` (docs/commands/generate.md, "Cluster-wide tiers"). Pure.
 *
 * - `baseline`: one Baseline policy, `netfence-default-deny`, in place of the default-deny NetworkPolicy of
 *   every namespace: every namespace but the excluded ones is its subject; egress Accepts DNS to the cluster
 *   DNS and the API server (when `--api-server` says where it is), then Denies every pod and address;
 *   ingress Denies every pod. The per-workload NetworkPolicies decide for the pods they isolate (NetworkPolicy
 *   comes before Baseline); the Baseline policy decides for the rest.
 * - `admin`: Admin guardrails that no NetworkPolicy can break: `netfence-dns-egress` Accepts DNS to the
 *   cluster DNS from every pod of the namespaces netfence covers, `netfence-dns-ingress` Accepts DNS at the
 *   DNS pods from every pod.
 *
 * Priorities: the last of their tier (1000, then down), so that every policy of the platform team's with a
 * lower number decides before them; a number another policy of the tier already has is skipped (two policies
 * of one tier with the same priority are undefined by the API when they match the same traffic).
 */
import { NAMESPACE_NAME_LABEL, Tier, type ClusterPolicyInfo } from '../model/cluster.ts';
import type {
  ClusterNetworkPolicy,
  CnpProtocol,
  LabelSelector,
  NetworkPolicyPeer,
  TierEgressPeer,
  TierSubject,
} from '../model/k8s.ts';
import { clusterPolicyInfo } from '../model/tiers.ts';
import { MANAGED_BY, MANAGED_BY_LABEL } from './types.ts';
import type {
  ApiServerAddress,
  ClusterPolicyRole,
  DnsConfig,
  GenerateNotice,
  GenerateOptions,
  GeneratedClusterPolicy,
  GeneratedTierRule,
} from './types.ts';

export const CNP_API_VERSION = 'policy.networking.k8s.io/v1beta1';

/** The name, tier and preferred priority of each generated policy. */
const ROLES: Record<ClusterPolicyRole, { name: string; tier: 'Admin' | 'Baseline'; priority: number }> = {
  'default-deny': { name: 'netfence-default-deny', tier: 'Baseline', priority: 1000 },
  'dns-egress': { name: 'netfence-dns-egress', tier: 'Admin', priority: 1000 },
  'dns-ingress': { name: 'netfence-dns-ingress', tier: 'Admin', priority: 999 },
};

/** What the cluster policies are built from. */
export interface TierContext {
  options: GenerateOptions;
  /** The cluster policies of the input. */
  existing: readonly ClusterPolicyInfo[];
  /** The DNS pods, as NetworkPolicy peers (namespace AND pod selector), one per DNS workload or config. */
  dnsPeers: readonly NetworkPolicyPeer[];
  dnsConfig: DnsConfig;
  /** Short names of the DNS workloads (empty when none is in the input). */
  dnsNames: readonly string[];
  /** Outside addresses observed on TCP 6443, the API server's usual port: hints for `--api-server`. */
  apiServerCandidates: readonly string[];
}

const DNS_PROTOCOLS = (): CnpProtocol[] => [
  { udp: { destinationPort: { number: 53 } } },
  { tcp: { destinationPort: { number: 53 } } },
];

/** `namespaces` selecting every namespace but `excluded`. */
function namespacesBut(excluded: readonly string[]): LabelSelector {
  return excluded.length === 0
    ? {}
    : { matchExpressions: [{ key: NAMESPACE_NAME_LABEL, operator: 'NotIn', values: [...excluded] }] };
}

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** A NetworkPolicy peer with both selectors → the same pods as a cluster policy `pods` peer. */
function podsOf(peer: NetworkPolicyPeer): { namespaceSelector: LabelSelector; podSelector: LabelSelector } {
  return {
    namespaceSelector: clone(peer.namespaceSelector ?? {}),
    podSelector: clone(peer.podSelector ?? {}),
  };
}

function sortedUnique(values: Iterable<string>): string[] {
  return [...new Set(values)].sort();
}

/** The namespace a DNS peer selects by name, when it does. */
function peerNamespace(peer: NetworkPolicyPeer): string | undefined {
  return peer.namespaceSelector?.matchLabels?.[NAMESPACE_NAME_LABEL];
}

/** API server rules: one per set of ports, addresses in input order. */
function apiServerRules(addresses: readonly ApiServerAddress[]): GeneratedTierRule[] {
  const byPorts = new Map<string, ApiServerAddress[]>();
  for (const a of addresses) {
    const key = [...a.ports].sort((x, y) => x - y).join(',');
    byPorts.set(key, [...(byPorts.get(key) ?? []), a]);
  }
  return [...byPorts.values()].map((group, i) => ({
    name: i === 0 ? 'accept-api-server' : `accept-api-server-${i + 1}`,
    action: 'Accept',
    peers: [{ networks: sortedUnique(group.map((a) => a.cidr)) }],
    protocols: [...group[0]!.ports]
      .sort((x, y) => x - y)
      .map((port) => ({ tcp: { destinationPort: { number: port } } })),
    notes: [{ kind: 'api-server', addresses: group }],
  }));
}

function dnsEgressRule(ctx: TierContext): GeneratedTierRule {
  return {
    name: 'accept-dns',
    action: 'Accept',
    peers: ctx.dnsPeers.map((p) => ({ pods: podsOf(p) })),
    protocols: DNS_PROTOCOLS(),
    notes: [{ kind: 'dns-egress', names: ctx.dnsNames, config: ctx.dnsConfig }],
  };
}

/** The cluster policies `options.tiers` asks for, Admin before Baseline, with the notices they raise. */
export function generateClusterPolicies(ctx: TierContext): {
  policies: GeneratedClusterPolicy[];
  kept: ClusterPolicyInfo[];
  notices: GenerateNotice[];
} {
  const { options } = ctx;
  const tiers = new Set(options.tiers);
  const planned: Omit<GeneratedClusterPolicy, 'priority' | 'preferredPriority' | 'tier'>[] = [];

  if (tiers.has('admin')) {
    const excluded = sortedUnique(options.excludeNamespaces);
    planned.push({
      name: ROLES['dns-egress'].name,
      role: 'dns-egress',
      subject: { namespaces: namespacesBut(excluded) },
      ingress: [],
      egress: [dnsEgressRule(ctx)],
      excluded,
    });
    // The DNS pods accept lookups from every pod, unless their namespace is left alone.
    const servers = ctx.dnsPeers.filter((p) => !excluded.includes(peerNamespace(p) ?? ''));
    servers.forEach((peer, i) => {
      planned.push({
        name: i === 0 ? ROLES['dns-ingress'].name : `${ROLES['dns-ingress'].name}-${i + 1}`,
        role: 'dns-ingress',
        subject: { pods: podsOf(peer) },
        ingress: [
          {
            name: 'accept-dns',
            action: 'Accept',
            peers: [{ namespaces: {} }],
            protocols: DNS_PROTOCOLS(),
            notes: [{ kind: 'dns-ingress' }],
          },
        ],
        egress: [],
        excluded: [],
      });
    });
  }

  const notices: GenerateNotice[] = [];
  if (tiers.has('baseline')) {
    const excluded = sortedUnique([...options.excludeNamespaces, ...options.skipDefaultDeny]);
    const egress: GeneratedTierRule[] = [dnsEgressRule(ctx), ...apiServerRules(options.apiServer)];
    egress.push({
      name: 'deny-all',
      action: 'Deny',
      peers: [{ namespaces: {} }, { networks: ['0.0.0.0/0', '::/0'] }],
      protocols: undefined,
      notes: [
        ...(options.apiServer.length === 0
          ? [{ kind: 'api-server-unknown' as const, candidates: ctx.apiServerCandidates }]
          : []),
        { kind: 'deny-all', direction: 'egress' },
      ],
    });
    planned.push({
      name: ROLES['default-deny'].name,
      role: 'default-deny',
      subject: { namespaces: namespacesBut(excluded) },
      ingress: [
        {
          name: 'deny-all',
          action: 'Deny',
          peers: [{ namespaces: {} }],
          protocols: undefined,
          notes: [{ kind: 'deny-all', direction: 'ingress' }],
        },
      ],
      egress,
      excluded,
    });
    notices.push({ kind: 'baseline-scope', excluded });
    if (options.apiServer.length === 0)
      notices.push({ kind: 'api-server-unknown', candidates: ctx.apiServerCandidates });
  }

  // A generated policy replaces an existing ClusterNetworkPolicy of its name (netfence's, from before).
  const names = new Set(planned.map((p) => `ClusterNetworkPolicy/${p.name}`));
  const kept = ctx.existing.filter((p) => !names.has(p.id));
  // Priorities of the tier the kept policies have (by id), and those netfence's take as it goes.
  const theirs = new Map<string, string>();
  for (const p of kept) if (p.priority !== undefined) theirs.set(`${p.tier} ${p.priority}`, p.id);
  const taken = new Set(theirs.keys());

  const policies: GeneratedClusterPolicy[] = [];
  for (const p of planned) {
    const role = ROLES[p.role];
    const tier = role.tier === 'Admin' ? Tier.Admin : Tier.Baseline;
    let priority = role.priority;
    while (priority > 0 && taken.has(`${tier} ${priority}`)) priority--;
    const takenBy = theirs.get(`${tier} ${role.priority}`);
    if (takenBy !== undefined) {
      notices.push({ kind: 'priority-taken', name: p.name, preferred: role.priority, priority, takenBy });
    }
    taken.add(`${tier} ${priority}`);
    policies.push({ ...p, tier: role.tier, priority, preferredPriority: role.priority });
  }
  return { policies, kept, notices };
}

/** Wire rules: `from` (ingress) or `to` (egress) holds the peers; absent when there is no rule. */
function wireRules<K extends 'from' | 'to'>(
  rules: readonly GeneratedTierRule[],
  peersField: K,
): ({ name: string; action: string; protocols?: CnpProtocol[] } & Record<K, TierEgressPeer[]>)[] | undefined {
  if (rules.length === 0) return undefined;
  return rules.map(
    (r) =>
      ({
        name: r.name,
        action: r.action,
        [peersField]: clone(r.peers),
        ...(r.protocols === undefined ? {} : { protocols: clone(r.protocols) }),
      }) as { name: string; action: string; protocols?: CnpProtocol[] } & Record<K, TierEgressPeer[]>,
  );
}

/** A generated cluster policy as a Kubernetes object. */
export function toClusterNetworkPolicy(p: GeneratedClusterPolicy): ClusterNetworkPolicy {
  const ingress = wireRules(p.ingress, 'from');
  const egress = wireRules(p.egress, 'to');
  const subject: TierSubject = clone(p.subject);
  return {
    apiVersion: CNP_API_VERSION,
    kind: 'ClusterNetworkPolicy',
    metadata: { name: p.name, labels: { [MANAGED_BY_LABEL]: MANAGED_BY } },
    spec: {
      tier: p.tier,
      priority: p.priority,
      subject,
      ...(ingress === undefined ? {} : { ingress }),
      ...(egress === undefined ? {} : { egress }),
    },
  };
}

/** The generated cluster policies as the engine reads them. */
export function toClusterPolicyInfos(policies: readonly GeneratedClusterPolicy[]): ClusterPolicyInfo[] {
  return policies.map((p) => clusterPolicyInfo(toClusterNetworkPolicy(p)));
}
