/**
 * Generated policies → CiliumNetworkPolicies (`generate --format cilium`): the same subjects, peers and ports as
 * the NetworkPolicies, written the way Cilium reads them, and outside addresses replaced by the DNS names Hubble
 * saw them under (`toFQDNs` `matchName`). Pure.
 *
 * - A policy's `endpointSelector` is its podSelector (Cilium scopes it to the policy's namespace).
 * - A pod peer becomes an endpoint selector: its pod labels, its namespace as `k8s:io.kubernetes.pod.namespace`
 *   (a `kubernetes.io/metadata.name` namespace selector), other namespace labels as
 *   `k8s:io.cilium.k8s.namespace.labels.<key>`, every namespace (`namespaceSelector: {}`) as `Exists` on the
 *   namespace key. An ipBlock becomes a `toCIDRSet`/`fromCIDRSet` entry.
 * - Cilium rejects a rule that combines several L3 fields (`toEndpoints` with `toCIDRSet`, or `toFQDNs` with
 *   anything), so a NetworkPolicy rule becomes one Cilium rule per kind of peer, with the same `toPorts`.
 * - Default deny comes from the rules' presence: the namespace's default-deny policy selects every pod with an
 *   empty ingress and egress rule (`[{}]`, which allows nothing).
 * - An address Hubble labelled `reserved:kube-apiserver`, `reserved:host` or `reserved:remote-node` becomes
 *   `toEntities`/`fromEntities` of that entity: Cilium's CIDR rules never match those identities (cilium#20550,
 *   cilium#33525; docs/cni.md), so a `toCIDRSet` for them would allow nothing.
 * - A peer at a Node's address, which no CIDR rule matches under Cilium (`GeneratedRule.nodeEntities`, left out
 *   of the NetworkPolicy form), becomes `fromEntities`/`toEntities` of the entities the generator chose for the
 *   subject (`host` for its own node, `remote-node` for the others): a rule of its own, with its ports.
 * - `toFQDNs` only work when the DNS proxy sees the pod's lookups: a policy with names gets `rules: dns` (every
 *   name, `matchPattern: "*"`) on its DNS rule; a policy without a DNS rule keeps the addresses.
 */
import { parseCidr } from '../base/ip.ts';
import { compareText } from '../base/text.ts';
import { NAMESPACE_NAME_LABEL } from '../model/cluster.ts';
import { CILIUM_NAMESPACE_KEY, CILIUM_NAMESPACE_LABELS_PREFIX, CiliumPolicyKind } from '../model/cilium.ts';
import type {
  CiliumCIDRRule,
  CiliumEgressRule,
  CiliumIngressRule,
  CiliumPolicyObject,
  CiliumPortRule,
  CiliumRule,
} from '../model/cilium-wire.ts';
import type { LabelSelector, NetworkPolicyPeer, NetworkPolicyPort } from '../model/k8s.ts';
import { MANAGED_BY, MANAGED_BY_LABEL } from './types.ts';
import type { GeneratedPolicy, GeneratedRule, NodeEntityPeers } from './types.ts';

export const CILIUM_API_VERSION = 'cilium.io/v2';
/** The namespace key in the form Cilium's docs write it. */
const NAMESPACE_KEY = `k8s:${CILIUM_NAMESPACE_KEY}`;

/** Outside addresses (`203.0.113.10`) and the DNS names they were seen under, lowercase without the final dot. */
export type DnsNames = ReadonlyMap<string, readonly string[]>;
/** Addresses Hubble labelled with a reserved identity, and its entities (`kube-apiserver`, `host`, `remote-node`). */
export type EntityAddresses = ReadonlyMap<string, readonly string[]>;

/** One Cilium rule made from a NetworkPolicy rule, and the index of that rule (its comment goes on the first). */
export interface CiliumRulePart<R> {
  rule: R;
  /** Which peers of the NetworkPolicy rule it holds: pods, addresses, addresses replaced by names or by entities. */
  peers: 'endpoints' | 'cidr' | 'fqdn' | 'entity';
  /** Index of the NetworkPolicy rule it comes from. */
  from: number;
  /** The names that replaced addresses in it (`toFQDNs`), for its comment. */
  names: readonly { ip: string; names: readonly string[] }[];
  /** The DNS rule, with the DNS proxy's L7 rules added because the policy has `toFQDNs`. */
  dnsProxy: boolean;
  /** The addresses replaced by entities (`toEntities`/`fromEntities`), for its comment and the verification. */
  entities?: readonly { ip: string; entities: readonly string[] }[];
  /** The peers at Nodes' addresses its entities stand for (`GeneratedRule.nodeEntities`), for its comment. */
  nodes?: NodeEntityPeers['ends'];
}

export interface GeneratedCiliumPolicy {
  source: GeneratedPolicy;
  object: CiliumPolicyObject;
  ingress: readonly CiliumRulePart<CiliumIngressRule>[];
  egress: readonly CiliumRulePart<CiliumEgressRule>[];
}

function namespaceSelectorTerms(selector: LabelSelector): LabelSelector {
  const out: LabelSelector = {};
  const labels = Object.entries(selector.matchLabels ?? {});
  const expressions = selector.matchExpressions ?? [];
  if (labels.length === 0 && expressions.length === 0) {
    out.matchExpressions = [{ key: NAMESPACE_KEY, operator: 'Exists' }];
    return out;
  }
  if (labels.length > 0) {
    out.matchLabels = Object.fromEntries(
      labels.map(([k, v]) =>
        k === NAMESPACE_NAME_LABEL ? [NAMESPACE_KEY, v] : [`k8s:${CILIUM_NAMESPACE_LABELS_PREFIX}${k}`, v],
      ),
    );
  }
  if (expressions.length > 0) {
    out.matchExpressions = expressions.map((e) => ({
      ...e,
      key: e.key === NAMESPACE_NAME_LABEL ? NAMESPACE_KEY : `k8s:${CILIUM_NAMESPACE_LABELS_PREFIX}${e.key}`,
    }));
  }
  return out;
}

/** A pod peer of a NetworkPolicy as a Cilium endpoint selector. */
export function endpointSelectorOf(peer: NetworkPolicyPeer): LabelSelector {
  const pods = peer.podSelector ?? {};
  const ns = peer.namespaceSelector === undefined ? {} : namespaceSelectorTerms(peer.namespaceSelector);
  const out: LabelSelector = {};
  const matchLabels = { ...pods.matchLabels, ...ns.matchLabels };
  if (Object.keys(matchLabels).length > 0) out.matchLabels = matchLabels;
  const matchExpressions = [...(pods.matchExpressions ?? []), ...(ns.matchExpressions ?? [])];
  if (matchExpressions.length > 0) out.matchExpressions = matchExpressions;
  return out;
}

function portsOf(ports: readonly NetworkPolicyPort[]): CiliumPortRule[] | undefined {
  if (ports.length === 0) return undefined;
  return [
    {
      ports: ports.map((p) => ({
        ...(p.port === undefined ? {} : { port: String(p.port) }),
        ...(p.endPort === undefined ? {} : { endPort: p.endPort }),
        protocol: p.protocol ?? 'TCP',
      })),
    },
  ];
}

/** The address of a single-address ipBlock (`/32`, `/128`) without exceptions, else undefined. */
function singleAddress(peer: NetworkPolicyPeer): string | undefined {
  const block = peer.ipBlock;
  if (block === undefined || (block.except ?? []).length > 0) return undefined;
  const parsed = parseCidr(block.cidr);
  if (!parsed.ok || parsed.cidr.prefix !== (parsed.cidr.family === 4 ? 32 : 128)) return undefined;
  return block.cidr.slice(0, block.cidr.indexOf('/'));
}

interface Split {
  endpoints: LabelSelector[];
  cidrs: CiliumCIDRRule[];
  fqdns: { ip: string; names: readonly string[] }[];
  entities: { ip: string; entities: readonly string[] }[];
}

function splitPeers(
  peers: readonly NetworkPolicyPeer[],
  names: DnsNames | undefined,
  entities: EntityAddresses,
): Split {
  const out: Split = { endpoints: [], cidrs: [], fqdns: [], entities: [] };
  for (const peer of peers) {
    if (peer.ipBlock === undefined) {
      out.endpoints.push(endpointSelectorOf(peer));
      continue;
    }
    const ip = singleAddress(peer);
    const known = ip === undefined ? undefined : names?.get(ip);
    const entity = ip === undefined ? undefined : entities.get(ip);
    if (ip !== undefined && entity !== undefined && entity.length > 0)
      out.entities.push({ ip, entities: entity });
    else if (ip !== undefined && known !== undefined && known.length > 0)
      out.fqdns.push({ ip, names: known });
    else
      out.cidrs.push({
        cidr: peer.ipBlock.cidr,
        ...((peer.ipBlock.except ?? []).length > 0 ? { except: [...(peer.ipBlock.except ?? [])] } : {}),
      });
  }
  return out;
}

const DNS_PROXY_RULES = { dns: [{ matchPattern: '*' }] };

/** The `toEntities`/`fromEntities` part of a rule, when Hubble labelled some of its addresses. */
function entityPart<R>(split: Split, from: number, rule: (entities: string[]) => R): CiliumRulePart<R>[] {
  if (split.entities.length === 0) return [];
  const entities = [...new Set(split.entities.flatMap((e) => e.entities))].sort(compareText);
  return [
    { rule: rule(entities), peers: 'entity', from, names: [], dnsProxy: false, entities: split.entities },
  ];
}

/** The one part of a generated rule of Node entities (`nodeEntities`), or undefined for any other rule. */
function nodeEntityPart<R>(
  rule: GeneratedRule,
  from: number,
  make: (entities: string[]) => R,
): CiliumRulePart<R> | undefined {
  const node = rule.nodeEntities;
  if (node === undefined) return undefined;
  return {
    rule: make([...node.entities]),
    peers: 'entity',
    from,
    names: [],
    dnsProxy: false,
    nodes: node.ends,
  };
}

function egressParts(
  rule: GeneratedRule,
  from: number,
  names: DnsNames | undefined,
  dnsProxy: boolean,
  entities: EntityAddresses,
): CiliumRulePart<CiliumEgressRule>[] {
  const split = splitPeers(rule.peers, names, entities);
  const toPorts = portsOf(rule.ports);
  const withPorts = <R extends CiliumEgressRule>(r: R): R => (toPorts === undefined ? r : { ...r, toPorts });
  const node = nodeEntityPart(rule, from, (toEntities) => withPorts({ toEntities }));
  if (node !== undefined) return [node];
  const parts: CiliumRulePart<CiliumEgressRule>[] = [];
  if (split.endpoints.length > 0) {
    const proxied = dnsProxy && rule.dns && toPorts !== undefined;
    const r: CiliumEgressRule = withPorts({ toEndpoints: split.endpoints });
    if (proxied) r.toPorts = toPorts.map((p) => ({ ...p, rules: DNS_PROXY_RULES }));
    parts.push({ rule: r, peers: 'endpoints', from, names: [], dnsProxy: proxied });
  }
  if (split.cidrs.length > 0)
    parts.push({
      rule: withPorts({ toCIDRSet: split.cidrs }),
      peers: 'cidr',
      from,
      names: [],
      dnsProxy: false,
    });
  if (split.fqdns.length > 0) {
    const matchNames = [...new Set(split.fqdns.flatMap((f) => f.names))].sort(compareText);
    parts.push({
      rule: withPorts({ toFQDNs: matchNames.map((matchName) => ({ matchName })) }),
      peers: 'fqdn',
      from,
      names: split.fqdns,
      dnsProxy: false,
    });
  }
  parts.push(...entityPart(split, from, (toEntities) => withPorts({ toEntities })));
  return parts;
}

function ingressParts(
  rule: GeneratedRule,
  from: number,
  entities: EntityAddresses,
): CiliumRulePart<CiliumIngressRule>[] {
  const split = splitPeers(rule.peers, undefined, entities);
  const toPorts = portsOf(rule.ports);
  const withPorts = (r: CiliumIngressRule): CiliumIngressRule =>
    toPorts === undefined ? r : { ...r, toPorts };
  const node = nodeEntityPart(rule, from, (fromEntities) => withPorts({ fromEntities }));
  if (node !== undefined) return [node];
  const parts: CiliumRulePart<CiliumIngressRule>[] = [];
  if (split.endpoints.length > 0)
    parts.push({
      rule: withPorts({ fromEndpoints: split.endpoints }),
      peers: 'endpoints',
      from,
      names: [],
      dnsProxy: false,
    });
  if (split.cidrs.length > 0)
    parts.push({
      rule: withPorts({ fromCIDRSet: split.cidrs }),
      peers: 'cidr',
      from,
      names: [],
      dnsProxy: false,
    });
  parts.push(...entityPart(split, from, (fromEntities) => withPorts({ fromEntities })));
  return parts;
}

/** Whether an egress policy would name some of its outside addresses, and can (it has a DNS rule). */
function usesNames(p: GeneratedPolicy, names: DnsNames): boolean {
  if (!p.rules.some((r) => r.dns)) return false;
  return p.rules.some((r) =>
    r.peers.some((peer) => {
      const ip = singleAddress(peer);
      return ip !== undefined && (names.get(ip) ?? []).length > 0;
    }),
  );
}

/** One generated policy as a CiliumNetworkPolicy. */
export function toCiliumPolicy(
  p: GeneratedPolicy,
  names: DnsNames,
  entities: EntityAddresses = new Map(),
): GeneratedCiliumPolicy {
  const spec: CiliumRule = {
    endpointSelector: Object.keys(p.matchLabels).length === 0 ? {} : { matchLabels: { ...p.matchLabels } },
  };
  let ingress: CiliumRulePart<CiliumIngressRule>[] = [];
  let egress: CiliumRulePart<CiliumEgressRule>[] = [];
  if (p.kind === 'default-deny') {
    spec.ingress = [{}];
    spec.egress = [{}];
  } else if (p.kind === 'ingress') {
    ingress = p.rules.flatMap((r, i) => ingressParts(r, i, entities));
    spec.ingress = ingress.map((r) => r.rule);
  } else {
    const named = usesNames(p, names);
    egress = p.rules.flatMap((r, i) => egressParts(r, i, named ? names : undefined, named, entities));
    spec.egress = egress.map((r) => r.rule);
  }
  return {
    source: p,
    object: {
      apiVersion: CILIUM_API_VERSION,
      kind: CiliumPolicyKind.CiliumNetworkPolicy,
      metadata: { name: p.name, namespace: p.namespace, labels: { [MANAGED_BY_LABEL]: MANAGED_BY } },
      spec,
    },
    ingress,
    egress,
  };
}

/** Every generated policy as a CiliumNetworkPolicy, in the same order. */
export function toCiliumPolicies(
  policies: readonly GeneratedPolicy[],
  names: DnsNames,
  entities: EntityAddresses = new Map(),
): GeneratedCiliumPolicy[] {
  return policies.map((p) => toCiliumPolicy(p, names, entities));
}

/** The addresses the Cilium policies write as entities, each once, by address. */
export function entityAddresses(
  policies: readonly GeneratedCiliumPolicy[],
): { ip: string; entities: readonly string[] }[] {
  const out = new Map<string, readonly string[]>();
  for (const p of policies)
    for (const part of [...p.ingress, ...p.egress])
      for (const e of part.entities ?? []) out.set(e.ip, e.entities);
  return [...out].sort(([a], [b]) => compareText(a, b)).map(([ip, entities]) => ({ ip, entities }));
}

/** The outside addresses the Cilium policies name (`toFQDNs`), each once, by address. */
export function namedAddresses(
  policies: readonly GeneratedCiliumPolicy[],
): { ip: string; names: readonly string[] }[] {
  const out = new Map<string, readonly string[]>();
  for (const p of policies) for (const part of p.egress) for (const n of part.names) out.set(n.ip, n.names);
  return [...out].sort(([a], [b]) => compareText(a, b)).map(([ip, names]) => ({ ip, names }));
}
