/** Explain's ends, the reasons of its near misses and the steps through the tiers, in words. */
import type { ExplainEnd, MissReason, MissedAddress } from '../engine/explain.ts';
import type { TierRuleCitation, TierStatus, TierStep } from '../engine/explain-tiers.ts';
import type { ClusterPolicyKind, Tier, TierAction } from '../model/cluster.ts';
import type { Requirement } from '../engine/selectors.ts';
import type { CiliumMatchedPeer } from '../engine/explain-cilium.ts';
import { CILIUM_NAMESPACE_KEY } from '../model/cilium.ts';
import { describeCiliumPeer } from './exposure.ts';
import { nodeAddressText } from './node-address.ts';
import { formatPortList } from './ports.ts';
import { describeRequirement, describeSelector } from './selectors.ts';
import { STABLE_ORDER } from './stable-order.ts';

/** `namespace "shop" lacks label team=payments`, `shop/web has app=web, not app=checkout`… */
function requirementMiss(subject: string, r: Requirement, labels: Readonly<Record<string, string>>): string {
  const has = Object.hasOwn(labels, r.key);
  const value = labels[r.key];
  switch (r.operator) {
    case 'In':
      if (!has) return `${subject} lacks label ${describeRequirement(r)}`;
      return `${subject} has ${r.key}=${value!}, not ${describeRequirement(r)}`;
    case 'NotIn':
      return `${subject} has ${r.key}=${value!}, excluded by ${describeRequirement(r)}`;
    case 'Exists':
      return `${subject} lacks a label ${r.key}`;
    case 'DoesNotExist':
      return `${subject} has label ${r.key}=${value!}, which the selector excludes (!${r.key})`;
  }
}

/** The end's name; one class of a workload whose pods differ: `shop/web (pods web-1, web-2)`. */
export function endName(e: ExplainEnd): string {
  if (e.kind !== 'pod' || e.pods === undefined) return e.name;
  return `${e.name} (pod${e.pods.length === 1 ? '' : 's'} ${e.pods.join(', ')})`;
}

function addressName(a: MissedAddress): string {
  return a.podIp ? `the IP of ${endName(a.end)}` : endName(a.end);
}

/** `ipBlock`, or the Cilium field (`toCIDRSet`, `fromCIDR`) the path ends in. */
function cidrWord(path: string): string {
  return /\.((?:from|to)CIDR(?:Set)?)(?:\[\d+\])?$/.exec(path)?.[1] ?? 'ipBlock';
}

/** One line: why the rule missed. */
export function missMessage(r: MissReason): string {
  switch (r.code) {
    case 'port-not-in-rule':
      return `${formatPortList(r.query)} not in the rule's ports ${formatPortList(r.rulePorts)}`;
    case 'named-port-undefined': {
      const defined = r.defined.map((np) => `${np.name} ${np.port}/${np.protocol}`);
      return `named port "${r.port}" (${r.protocol}) is not defined on ${endName(r.dst)} (${defined.length === 0 ? 'it names no ports' : `its named ports: ${defined.join(', ')}`})`;
    }
    case 'named-port-to-address':
      return `named port "${r.port}" (${r.protocol}) resolves only on pods, and ${endName(r.dst)} is ${notAPod(r.dst)}`;
    case 'other-namespace':
      return `${endName(r.peer)} is in namespace "${r.namespace}"; without a namespaceSelector the peer means pods of the policy's namespace "${r.policyNamespace}"`;
    case 'namespace-labels':
      return requirementMiss(`namespace "${r.namespace}"`, r.requirement, r.labels);
    case 'pod-labels':
      return requirementMiss(endName(r.peer), r.requirement, r.labels);
    case 'host-network':
      return `${endName(r.peer)} runs on the host network, where pod and namespace selectors never match`;
    case 'not-a-pod':
      return `the peer selects pods, and ${endName(r.peer)} is ${notAPod(r.peer)}`;
    case 'pod-ip-unknown':
      return `${endName(r.peer)} has no known IP address: ${r.path.endsWith('.networks') ? 'a networks' : 'an ipBlock'} peer matches a pod only by its IP`;
    case 'ipblock-ignores-pods':
      return r.rule ?? `ipBlock peers do not match pods here (--ipblock-matches-pods=false)`;
    case 'outside-cidr':
      // A cluster policy's `networks` peer, or a NetworkPolicy's `ipBlock`.
      return `${addressName(r.address)} is not in ${r.path.endsWith('.networks') ? 'networks' : cidrWord(r.path)} ${r.cidr}`;
    case 'in-except':
      return `${addressName(r.address)} is in except ${r.except} of ${cidrWord(r.path)} ${r.cidr}`;
    case 'node-selector':
      return `${r.peer.kind === 'pod' ? `the IP of ${endName(r.peer)}` : endName(r.peer)} is not an address of a node labelled ${describeSelector(r.selector)}`;
    case 'dns-name':
      return r.domains.length === 1
        ? `the peer is a DNS name (${r.domains[0]!}): whether ${addressName(r.address)} is one of its addresses is only known at run time`
        : `the peer is DNS names (${r.domains.join(', ')}): whether ${addressName(r.address)} is one of their addresses is only known at run time`;
    case 'unknown-peer':
      return `the peer sets no field netfence knows${r.fields.length === 0 ? '' : ` (${r.fields.join(', ')})`}: an allow rule matches nothing through it`;
    case 'cilium-namespace':
      return `${endName(r.peer)} is in namespace "${r.namespace}"; a CiliumNetworkPolicy's endpoint selector without k8s:io.kubernetes.pod.namespace means pods of its own namespace "${r.policyNamespace}"`;
    case 'entity':
      return ENTITY_WORDS[r.entity] === undefined
        ? `entity ${r.entity} stands for no pod or address netfence models`
        : `${endName(r.peer)} is not ${ENTITY_WORDS[r.entity]}`;
    case 'service':
      return `${endName(r.peer)} is not a pod the selector of Service ${r.service} selects`;
    case 'fqdn-unseen':
      return `toFQDNs ${r.domain}: no DNS rule on port 53 covers it, so Cilium's DNS proxy never sees its lookups and the rule allows nothing`;
    case 'subject-labels':
      return `the rule set does not select ${endName(r.subject)}: ${requirementMiss(endName(r.subject), r.requirement, r.labels)}`;
    case 'no-peer':
      return 'the rule has no peer field (an empty rule, or a peer list given as []): it matches no peer';
    case 'no-ports':
      return r.icmp
        ? 'the rule allows ICMP only: no TCP, UDP or SCTP port'
        : "the rule's toPorts allow no TCP, UDP or SCTP port";
    case 'sctp-disabled':
      return `${formatPortList(r.ports)} in the rule's toPorts: allows nothing under ${r.profile} (${r.setting} is off)`;
  }
}

/**
 * The peer through which a Cilium rule matched, in `exposure`'s words: `endpoints labelled app=web in
 * namespace shop`, `entity world`, `CIDR 10.0.0.0/8`, `any peer (ports only)`…
 */
export function describeCiliumMatchedPeer(p: CiliumMatchedPeer): string {
  if (p.info.kind === 'anyPeer') return 'any peer (ports only)';
  if (!p.everyNamespace || p.info.kind !== 'endpoints') return describeCiliumPeer(p.info);
  // The model adds `k8s:io.kubernetes.pod.namespace` Exists (any namespace): say it once, in the suffix.
  const { matchExpressions, ...rest } = p.info.selector;
  const others = (matchExpressions ?? []).filter(
    (e) => e.key !== CILIUM_NAMESPACE_KEY || e.operator !== 'Exists',
  );
  const selector = others.length === 0 ? rest : { ...rest, matchExpressions: others };
  const words = describeCiliumPeer({ ...p.info, selector });
  return `${words}, in every namespace (it has no k8s:${CILIUM_NAMESPACE_KEY})`;
}

/** What a peer must be to be in a Cilium entity (docs/design/cilium.md). */
const ENTITY_WORDS: Readonly<Record<string, string>> = {
  world: 'outside the cluster (entity world)',
  'world-ipv4': 'an IPv4 address outside the cluster (entity world-ipv4)',
  'world-ipv6': 'an IPv6 address outside the cluster (entity world-ipv6)',
  cluster: 'a pod or node of the cluster (entity cluster)',
  'cluster-mesh': 'a pod or node of the cluster (entity cluster-mesh)',
  host: "the selected pod's own node (entity host: its addresses and host-network pods)",
  'remote-node':
    "a node other than the selected pod's (entity remote-node: their addresses and host-network pods)",
};

/** `cnp/name`, `anp/name`, `banp/default`: the API's short names. */
export function tierPolicyName(policy: string, kind: ClusterPolicyKind): string {
  const short = kind === 'ClusterNetworkPolicy' ? 'cnp' : kind === 'AdminNetworkPolicy' ? 'anp' : 'banp';
  return `${short}/${policy.slice(policy.indexOf('/') + 1)}`;
}

/** The action as the API spells it: CNP `Accept`, ANP/BANP `Allow`; `Deny`; `Pass`. */
export function tierActionWord(kind: ClusterPolicyKind, action: TierAction): string {
  if (action === 'allow') return kind === 'ClusterNetworkPolicy' ? 'Accept' : 'Allow';
  return action === 'deny' ? 'Deny' : 'Pass';
}

export function tierLabel(tier: Tier): string {
  return tier === 'admin' ? '[Admin]' : '[Baseline]';
}

/** `cnp/x egress rule 2 "to-dns" Pass` (without its tier or location). */
export function tierRuleText(r: TierRuleCitation): string {
  const name = r.ruleName === undefined ? '' : ` "${r.ruleName}"`;
  return `${tierPolicyName(r.policy, r.kind)} ${r.direction} rule ${r.rule}${name} ${tierActionWord(r.kind, r.action)}`;
}

/** One step of a walk through the tiers, without the rule's location. */
export function tierStepText(step: TierStep, allowed: boolean): string {
  switch (step.kind) {
    case 'rule':
      return `${tierLabel(step.match.tier)} ${tierRuleText(step.match)}`;
    case 'no-match':
      return step.policies === 0
        ? `${tierLabel(step.tier)} no policy applies`
        : `${tierLabel(step.tier)} no rule matches (${step.policies} polic${step.policies === 1 ? 'y applies' : 'ies apply'})`;
    case 'network-policy':
      return step.isolated
        ? `[NetworkPolicy] isolated: ${allowed ? 'a rule allows it' : 'no rule allows it'}`
        : '[NetworkPolicy] not isolated';
    case 'default':
      return '[default] nothing decided';
  }
}

/** Why a cluster policy tie is undefined, and what netfence does about it. */
export const UNDEFINED_TIE = `undefined: these policies have the same priority and both match, and the API lets the implementation apply either; ${STABLE_ORDER}`;

/** What a status other than `applies` means for the cluster policies of a side, or undefined. */
export function tierStatusText(status: TierStatus): string | undefined {
  switch (status) {
    case 'hairpin':
      return 'cluster policies do not apply: the pod connects to its own IP (hairpin)';
    case 'host-network':
      return 'cluster policies never select host-network pods';
    case 'applies':
    case 'no-policies':
    case 'outside-cluster':
    case 'node-address':
      return undefined;
  }
}

/** What an end that is no pod is: `outside the cluster`, or `an address of node n2`. */
function notAPod(end: ExplainEnd): string {
  return end.kind === 'address' && end.nodes !== undefined
    ? nodeAddressText(end.nodes)
    : 'outside the cluster';
}
