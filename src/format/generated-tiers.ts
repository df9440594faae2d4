/**
 * Generated ClusterNetworkPolicies (`generate --tier`) → readable YAML: what each policy is for, why its
 * priority, and a comment on every rule. Pure and deterministic; src/format/generated.ts puts them in a file.
 */
import { toClusterNetworkPolicy } from '../generate/tiers.ts';
import type {
  ApiServerAddress,
  GeneratedClusterPolicy,
  Generation,
  TierRuleNote,
} from '../generate/types.ts';
import { describeLabels } from '../describe/selectors.ts';
import type { YamlComment, YamlDocumentSpec, YamlPath } from './yaml.ts';

/** The file the cluster policies go to: no namespace file can be named so (`_` is not in namespace names). */
export const CLUSTER_POLICIES_FILE = '_cluster.yaml';

function portsText(ports: readonly number[]): string {
  const sorted = [...ports].sort((a, b) => a - b).map(String);
  return sorted.length === 1
    ? `TCP ${sorted[0]!}`
    : `TCP ${sorted.slice(0, -1).join(', ')} and ${sorted.at(-1)!}`;
}

function addressesText(addresses: readonly ApiServerAddress[]): string {
  return [...new Set(addresses.map((a) => a.cidr))].join(', ');
}

function everyNamespaceBut(excluded: readonly string[]): string {
  return excluded.length === 0 ? 'every namespace' : `every namespace but ${excluded.join(', ')}`;
}

function tierNoteLines(n: TierRuleNote): string[] {
  switch (n.kind) {
    case 'dns-egress': {
      const target =
        n.names.length > 0
          ? n.names.join(', ')
          : `namespace ${n.config.namespace}, ${describeLabels(n.config.matchLabels)}`;
      return [`Accept: DNS through ${target}, on UDP and TCP 53`];
    }
    case 'dns-ingress':
      return ['Accept: DNS from every pod, on UDP and TCP 53'];
    case 'api-server':
      return [
        `Accept: the API server at ${addressesText(n.addresses)} (--api-server), ${portsText(n.addresses[0]?.ports ?? [])}`,
      ];
    case 'api-server-unknown':
      return [
        'No rule for the API server: its address is not known. Give --api-server ADDRESS[:PORT], its endpoints',
        '(kubectl get endpointslices -n default -l kubernetes.io/service-name=kubernetes)',
        ...(n.candidates.length > 0
          ? [`Observed on TCP 6443, its usual port: ${n.candidates.join(', ')}.`]
          : []),
      ];
    case 'deny-all':
      return n.direction === 'egress'
        ? ['Deny: everything else, to every pod and every address (networks match pod addresses too)']
        : [
            'Deny: from every pod. Connections from outside the cluster and from host-network pods are not',
            'matched: cluster policy ingress peers are only namespaces and pods.',
          ];
  }
}

function policyComment(p: GeneratedClusterPolicy): string[] {
  switch (p.role) {
    case 'default-deny':
      return [
        `Baseline default deny, instead of a default-deny NetworkPolicy per namespace: pods of ${everyNamespaceBut(p.excluded)}`,
        'accept and open only what a NetworkPolicy or the rules below allow. NetworkPolicy comes first: for a pod',
        'it isolates (the <workload>-ingress and -egress policies) it decides; this policy decides for the rest.',
      ];
    case 'dns-egress':
      return [
        `Admin guardrail: pods of ${everyNamespaceBut(p.excluded)} can always resolve names; no NetworkPolicy can deny it.`,
      ];
    case 'dns-ingress':
      return ['Admin guardrail: the cluster DNS always answers every pod; no NetworkPolicy can deny it.'];
  }
}

function priorityComment(p: GeneratedClusterPolicy, gen: Generation): string[] {
  const end = `at the end of the ${p.tier} tier, so that ${p.tier} policies of yours (lower numbers) decide first`;
  const taken = gen.notices.find((n) => n.kind === 'priority-taken' && n.name === p.name);
  if (taken?.kind !== 'priority-taken') return [`Priority ${p.priority}: ${end}.`];
  return [
    `Priority ${p.priority}: ${end}; not ${p.preferredPriority}, which`,
    `${taken.takenBy} has (equal priorities are undefined).`,
  ];
}

export function clusterPolicyYaml(p: GeneratedClusterPolicy, gen: Generation): YamlDocumentSpec {
  const comments: YamlComment[] = [];
  const flow: YamlPath[] = [];
  for (const direction of ['ingress', 'egress'] as const) {
    p[direction].forEach((r, i) => {
      comments.push({ path: ['spec', direction, i], lines: r.notes.flatMap(tierNoteLines) });
      r.peers.forEach((peer, j) => {
        if (peer.networks !== undefined)
          flow.push(['spec', direction, i, direction === 'ingress' ? 'from' : 'to', j, 'networks']);
      });
    });
  }
  if (p.subject.namespaces?.matchExpressions !== undefined)
    flow.push(['spec', 'subject', 'namespaces', 'matchExpressions', 0, 'values']);
  return {
    value: toClusterNetworkPolicy(p),
    comment: [...policyComment(p), ...priorityComment(p, gen)],
    comments,
    flow,
  };
}

/** The header of the cluster policies' file. */
export function clusterFileHeader(gen: Generation): string[] {
  const tiers = gen.options.tiers.map((t) => `--tier ${t}`).join(', ');
  return [
    `ClusterNetworkPolicies for the cluster: generated by netfence (${gen.options.mode} mode, ${tiers}).`,
    'policy.networking.k8s.io/v1beta1: the cluster needs the CRD of network-policy-api v0.3 and a network',
    'plugin that enforces it. Evaluation: Admin tier, then NetworkPolicy, then Baseline tier, then allow.',
  ];
}
