/**
 * fast-check arbitraries for small random clusters whose objects are all valid per the API (as the API
 * server would admit them), drawn from tiny vocabularies so that selectors, CIDRs and named ports collide
 * often enough to exercise every rule.
 */
import fc from 'fast-check';
import {
  NAMESPACE_NAME_LABEL,
  type ClusterPolicyInfo,
  type NamedPort,
  type NodeInfo,
  type NamespaceInfo,
  type PodInfo,
  type PolicyInfo,
} from '../../src/model/cluster.ts';
import type {
  AdminNetworkPolicySpec,
  AnpPort,
  BaselineAdminNetworkPolicySpec,
  ClusterNetworkPolicySpec,
  CnpDestinationPort,
  CnpProtocol,
  IPBlock,
  LabelSelector,
  LabelSelectorRequirement,
  NetworkPolicyEgressRule,
  NetworkPolicyIngressRule,
  NetworkPolicyPeer,
  NetworkPolicyPort,
  NamespacedPod,
  NetworkPolicySpec,
  Protocol,
  TierEgressPeer,
  TierSubject,
} from '../../src/model/k8s.ts';
import { PROTOCOLS } from '../../src/model/k8s.ts';
import { anp, banp, cnp, node, ns, pod, policy, type ClusterInput } from './builders.ts';
import { parseAddress } from './naive.ts';

const NAMESPACE_NAMES = ['a', 'b', 'c'] as const;

/**
 * Pods and namespaces share keys, so a selector meant for one sometimes fits the other. `""` is a valid label
 * value and must not read as a missing key (Exists, DoesNotExist, In, NotIn).
 */
export const POD_VOCABULARY: Readonly<Record<string, readonly string[]>> = {
  app: ['x', 'y', ''],
  team: ['x', 'y'],
};
export const NAMESPACE_VOCABULARY: Readonly<Record<string, readonly string[]>> = {
  team: ['x', 'y', ''],
  [NAMESPACE_NAME_LABEL]: NAMESPACE_NAMES,
};

/**
 * Nested CIDRs and, for each, the listed CIDRs strictly inside it (the only valid `except` values):
 * 0.0.0.0/0 ⊃ 10.0.0.0/16 ⊃ 10.0.1.0/24 ⊃ {10.0.1.0/28 ⊃ {10.0.1.8/29, 10.0.1.5/32}, 10.0.1.128/25}, and the
 * same shape in IPv6 under fd00::/16.
 */
export const CIDRS: Readonly<Record<string, readonly string[]>> = {
  '0.0.0.0/0': ['10.0.0.0/16', '10.0.1.0/24', '10.0.1.0/28', '10.0.1.8/29', '10.0.1.128/25', '10.0.1.5/32'],
  '10.0.0.0/16': ['10.0.1.0/24', '10.0.1.0/28', '10.0.1.8/29', '10.0.1.128/25', '10.0.1.5/32'],
  '10.0.1.0/24': ['10.0.1.0/28', '10.0.1.8/29', '10.0.1.128/25', '10.0.1.5/32'],
  '10.0.1.0/28': ['10.0.1.8/29', '10.0.1.5/32'],
  '10.0.1.8/29': [],
  '10.0.1.128/25': [],
  '10.0.1.5/32': [],
  '::/0': ['fd00::/16', 'fd00::/64', 'fd00::/120', 'fd00::80/121', 'fd00::5/128', 'fd00:0:0:1::/64'],
  'fd00::/16': ['fd00::/64', 'fd00::/120', 'fd00::80/121', 'fd00::5/128', 'fd00:0:0:1::/64'],
  'fd00::/64': ['fd00::/120', 'fd00::80/121', 'fd00::5/128'],
  'fd00::/120': ['fd00::80/121', 'fd00::5/128'],
  'fd00::80/121': [],
  'fd00::5/128': [],
  'fd00:0:0:1::/64': [],
};

/** Pod addresses on and around the edges of the CIDRs above, plus a few far away. */
const POD_IPS = [
  '10.0.0.255',
  '10.0.1.0',
  '10.0.1.5',
  '10.0.1.7',
  '10.0.1.8',
  '10.0.1.15',
  '10.0.1.16',
  '10.0.1.128',
  '10.0.1.255',
  '10.0.2.0',
  '10.1.0.0',
  '192.168.1.1',
  'fd00::5',
  'fd00::7f',
  'fd00::80',
  'fd00::ff',
  'fd00::100',
  'fd00:0:0:1::1',
  'fd01::',
  '2001:db8::1',
] as const;

export const PORT_NAMES = ['http', 'dns', 'metrics'] as const;
export const PORT_NUMBERS = [1, 53, 79, 80, 81, 443, 8080, 9090, 65535] as const;
const END_PORT_DELTAS = [0, 1, 10, 1000, 65535] as const;

const protocolArb: fc.Arbitrary<Protocol> = fc.constantFrom(...PROTOCOLS);

function labelsArb(
  vocabulary: Readonly<Record<string, readonly string[]>>,
): fc.Arbitrary<Record<string, string>> {
  const keys = Object.keys(vocabulary);
  return fc
    .subarray(keys)
    .chain((chosen) =>
      fc
        .tuple(...chosen.map((k) => fc.constantFrom(...vocabulary[k]!)))
        .map((values) => Object.fromEntries(chosen.map((k, i) => [k, values[i]!]))),
    );
}

function requirementArb(
  vocabulary: Readonly<Record<string, readonly string[]>>,
): fc.Arbitrary<LabelSelectorRequirement> {
  // Keys outside the vocabulary too, so that NotIn/DoesNotExist meet missing keys.
  const keys = [...Object.keys(vocabulary), 'missing'];
  return fc.constantFrom(...keys).chain((key) => {
    const values = vocabulary[key] ?? ['x'];
    return fc.oneof(
      fc.record(
        {
          key: fc.constant(key),
          operator: fc.constantFrom('In', 'NotIn'),
          values: fc.uniqueArray(fc.constantFrom(...values), { minLength: 1, maxLength: 2 }),
        },
        { noNullPrototype: true },
      ),
      fc.record(
        { key: fc.constant(key), operator: fc.constantFrom('Exists', 'DoesNotExist') },
        { noNullPrototype: true },
      ),
    );
  });
}

/** `{}`, matchLabels (maybe `{}`), matchExpressions, or both. */
export function selectorArb(
  vocabulary: Readonly<Record<string, readonly string[]>>,
): fc.Arbitrary<LabelSelector> {
  return fc.oneof(
    fc.constant({}),
    fc.record(
      {
        matchLabels: labelsArb(vocabulary),
        matchExpressions: fc.array(requirementArb(vocabulary), {
          minLength: 1,
          maxLength: 2,
          size: 'xsmall',
        }),
      },
      { requiredKeys: [], noNullPrototype: true },
    ),
  );
}

const ipBlockArb: fc.Arbitrary<IPBlock> = fc.constantFrom(...Object.keys(CIDRS)).chain((cidr) => {
  const inside = CIDRS[cidr]!;
  if (inside.length === 0) return fc.constant({ cidr });
  return fc.record(
    { cidr: fc.constant(cidr), except: fc.subarray([...inside], { minLength: 0 }) },
    { requiredKeys: ['cidr'], noNullPrototype: true },
  );
});

const peerArb: fc.Arbitrary<NetworkPolicyPeer> = fc.oneof(
  fc.record({ podSelector: selectorArb(POD_VOCABULARY) }, { noNullPrototype: true }),
  fc.record({ namespaceSelector: selectorArb(NAMESPACE_VOCABULARY) }, { noNullPrototype: true }),
  fc.record(
    { podSelector: selectorArb(POD_VOCABULARY), namespaceSelector: selectorArb(NAMESPACE_VOCABULARY) },
    { noNullPrototype: true },
  ),
  ipBlockArb.map((ipBlock) => ({ ipBlock })),
);

const portArb: fc.Arbitrary<NetworkPolicyPort> = fc.oneof(
  // {} or {protocol}: every port of the protocol.
  fc.record({ protocol: protocolArb }, { requiredKeys: [], noNullPrototype: true }),
  fc.record(
    { protocol: protocolArb, port: fc.constantFrom(...PORT_NUMBERS) },
    { requiredKeys: ['port'], noNullPrototype: true },
  ),
  // endPort ≥ port, only with a numeric port.
  fc
    .tuple(
      fc.option(protocolArb, { nil: undefined }),
      fc.constantFrom(...PORT_NUMBERS),
      fc.constantFrom(...END_PORT_DELTAS),
    )
    .map(([protocol, port, delta]) => ({
      ...(protocol === undefined ? {} : { protocol }),
      port,
      endPort: Math.min(65535, port + delta),
    })),
  fc.record(
    { protocol: protocolArb, port: fc.constantFrom(...PORT_NAMES, 'unknown') },
    { requiredKeys: ['port'], noNullPrototype: true },
  ),
);

/** absent, `[]`, or (more often, so that rules restrict something) 1–2 entries. */
function listArb<T>(item: fc.Arbitrary<T>): fc.Arbitrary<T[] | undefined> {
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.constant<T[]>([]) },
    { weight: 4, arbitrary: fc.array(item, { minLength: 1, maxLength: 2 }) },
  );
}

const ingressRuleArb: fc.Arbitrary<NetworkPolicyIngressRule> = fc
  .tuple(listArb(peerArb), listArb(portArb))
  .map(([from, ports]) => ({
    ...(from === undefined ? {} : { from }),
    ...(ports === undefined ? {} : { ports }),
  }));

const egressRuleArb: fc.Arbitrary<NetworkPolicyEgressRule> = fc
  .tuple(listArb(peerArb), listArb(portArb))
  .map(([to, ports]) => ({ ...(to === undefined ? {} : { to }), ...(ports === undefined ? {} : { ports }) }));

/** absent, `[]` (deny), `[{}]` (allow all), or (more often) 1–2 random rules. */
function rulesArb<T>(rule: fc.Arbitrary<T>): fc.Arbitrary<T[] | undefined> {
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.constant<T[]>([]) },
    { weight: 1, arbitrary: fc.constant([{}] as T[]) },
    { weight: 4, arbitrary: fc.array(rule, { minLength: 1, maxLength: 2 }) },
  );
}

const policyTypesArb: fc.Arbitrary<string[] | undefined> = fc.constantFrom(
  undefined,
  [],
  ['Ingress'],
  ['Egress'],
  ['Ingress', 'Egress'],
  ['Egress', 'Ingress'],
);

export const specArb: fc.Arbitrary<NetworkPolicySpec> = fc
  .tuple(
    fc.option(selectorArb(POD_VOCABULARY), { nil: undefined }),
    policyTypesArb,
    rulesArb(ingressRuleArb),
    rulesArb(egressRuleArb),
  )
  .map(([podSelector, policyTypes, ingress, egress]) => ({
    ...(podSelector === undefined ? {} : { podSelector }),
    ...(policyTypes === undefined ? {} : { policyTypes }),
    ...(ingress === undefined ? {} : { ingress }),
    ...(egress === undefined ? {} : { egress }),
  }));

/** Container ports with names unique within the pod, as the API requires; names collide across pods. */
const namedPortsArb: fc.Arbitrary<NamedPort[]> = fc.uniqueArray(
  fc.record(
    {
      name: fc.constantFrom(...PORT_NAMES),
      port: fc.constantFrom(53, 80, 8080, 9090),
      protocol: protocolArb,
    },
    { noNullPrototype: true },
  ),
  { maxLength: 2, selector: (p) => p.name },
);

/** 2–3 namespaces, 2–8 pods, 0–5 policies. */
export const clusterInputArb: fc.Arbitrary<ClusterInput> = fc.integer({ min: 2, max: 3 }).chain((count) => {
  const names = NAMESPACE_NAMES.slice(0, count);
  const namespaceArb = fc.constantFrom(...names);
  const podArb = fc.record(
    {
      namespace: namespaceArb,
      labels: labelsArb(POD_VOCABULARY),
      ips: fc.uniqueArray(fc.constantFrom(...POD_IPS), { maxLength: 2 }),
      namedPorts: namedPortsArb,
      hostNetwork: fc.oneof(
        { weight: 6, arbitrary: fc.constant(false) },
        { weight: 1, arbitrary: fc.constant(true) },
      ),
    },
    { noNullPrototype: true },
  );
  const policyArb = fc.tuple(namespaceArb, specArb);
  return fc
    .tuple(
      fc.tuple(...names.map(() => labelsArb({ team: ['x', 'y', ''], app: ['x', 'y'] }))),
      fc.array(podArb, { minLength: 2, maxLength: 8, size: 'max' }),
      fc.oneof(
        { weight: 1, arbitrary: fc.constant([]) },
        { weight: 6, arbitrary: fc.array(policyArb, { minLength: 1, maxLength: 5, size: 'max' }) },
      ),
    )
    .map(([namespaceLabels, pods, policies]) => ({
      namespaces: names.map((name, i): NamespaceInfo => ns(name, namespaceLabels[i])),
      pods: pods.map((p, i): PodInfo =>
        pod(p.namespace, `p${i}`, p.labels, {
          ips: p.ips,
          namedPorts: p.namedPorts,
          hostNetwork: p.hostNetwork,
        }),
      ),
      policies: policies.map(([namespace, spec], i): PolicyInfo => policy(namespace, `np${i}`, spec)),
    }));
});

// ---------------------------------------------------------------------------------------------------------
// Probes

/** Ports worth probing: the extremes, every number a policy or pod mentions, and their neighbours. */
export function probePorts(input: ClusterInput): number[] {
  const ports = new Set<number>([1, 65535]);
  const add = (n: number) => {
    for (const p of [n - 1, n, n + 1]) if (p >= 1 && p <= 65535) ports.add(p);
  };
  for (const p of input.policies ?? []) {
    for (const rule of [...(p.spec.ingress ?? []), ...(p.spec.egress ?? [])]) {
      for (const entry of rule.ports ?? []) {
        if (typeof entry.port === 'number') add(entry.port);
        if (entry.endPort !== undefined) add(entry.endPort);
      }
    }
  }
  for (const p of input.clusterPolicies ?? []) {
    for (const rule of [...p.ingress, ...p.egress]) {
      for (const entry of rule.ports ?? []) {
        if (entry.kind === 'range') {
          add(entry.start);
          add(entry.end);
        }
      }
    }
  }
  for (const p of input.pods ?? []) for (const np of p.namedPorts) add(np.port);
  return [...ports].sort((a, b) => a - b);
}

const FIXED_PROBE_IPS = [
  '8.8.8.8',
  '10.0.1.5',
  '0.0.0.0',
  '255.255.255.255',
  'fd00::5',
  '2001:db8::1',
  '::',
  'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
];

/** Addresses worth probing: each CIDR's first and last address and their outer neighbours, pod IPs, a few fixed. */
export function probeIps(input: ClusterInput): string[] {
  const ips = new Set<string>(FIXED_PROBE_IPS);
  for (const p of input.pods ?? []) for (const ip of p.ips) ips.add(ip);
  for (const p of input.policies ?? []) {
    for (const rule of p.spec.ingress ?? []) for (const peer of rule.from ?? []) addBlock(ips, peer.ipBlock);
    for (const rule of p.spec.egress ?? []) for (const peer of rule.to ?? []) addBlock(ips, peer.ipBlock);
  }
  for (const p of input.clusterPolicies ?? []) {
    for (const rule of p.egress) {
      for (const peer of rule.peers) {
        if (peer.kind === 'networks') for (const cidr of peer.cidrs) addBlock(ips, { cidr });
      }
    }
  }
  for (const n of input.nodes ?? []) for (const a of n.addresses) ips.add(a);
  return [...ips];
}

function addBlock(ips: Set<string>, block: IPBlock | undefined): void {
  if (block === undefined) return;
  for (const cidr of [block.cidr, ...(block.except ?? [])]) for (const ip of cidrEdges(cidr)) ips.add(ip);
}

function cidrEdges(cidr: string): string[] {
  const [addr, len] = cidr.split('/') as [string, string];
  const { family, value } = parseAddress(addr);
  const bits = family === 4 ? 32n : 128n;
  const size = 1n << (bits - BigInt(len));
  const first = (value / size) * size;
  const last = first + size - 1n;
  const max = (1n << bits) - 1n;
  return [first - 1n, first, last, last + 1n]
    .filter((v) => v >= 0n && v <= max)
    .map((v) => formatAddress(family, v));
}

function formatAddress(family: 4 | 6, value: bigint): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((s) => ((value >> s) & 0xffn).toString()).join('.');
  const groups: string[] = [];
  for (let s = 112n; s >= 0n; s -= 16n) groups.push(((value >> s) & 0xffffn).toString(16));
  return groups.join(':');
}

// ---------------------------------------------------------------------------------------------------------
// Cluster-wide tiers

/** Node labels; node addresses come from the pod addresses, so that host-network pods sit on nodes. */
const NODE_VOCABULARY: Readonly<Record<string, readonly string[]>> = { role: ['worker', 'control'] };
const NODE_IPS = ['10.0.1.5', '10.0.1.8', '192.168.1.1', 'fd00::5', '10.9.9.9'] as const;

/** CIDRs are canonical (the CRD's CEL rule); every key of `CIDRS` is. */
const networksArb: fc.Arbitrary<string[]> = fc.uniqueArray(fc.constantFrom(...Object.keys(CIDRS)), {
  minLength: 1,
  maxLength: 2,
});

const namespacedPodArb: fc.Arbitrary<NamespacedPod> = fc.record(
  { namespaceSelector: selectorArb(NAMESPACE_VOCABULARY), podSelector: selectorArb(POD_VOCABULARY) },
  { requiredKeys: [], noNullPrototype: true },
);

const subjectArb: fc.Arbitrary<TierSubject> = fc.oneof(
  selectorArb(NAMESPACE_VOCABULARY).map((namespaces) => ({ namespaces })),
  namespacedPodArb.map((pods) => ({ pods })),
);

type TierKind = 'cnp' | 'anp' | 'banp';
type Action = 'allow' | 'deny' | 'pass';

/** A v0.1.x peer (`sameLabels`) netfence cannot read: it fails closed. Rare. */
const UNREADABLE_PEER = { sameLabels: ['team'] } as unknown as TierEgressPeer;

/**
 * A peer valid for the direction and action: ingress only `namespaces`/`pods`; egress also `networks` and
 * `nodes`, `domainNames` only in allow rules (and never in the BaselineAdminNetworkPolicy). With named ports
 * (`named`), only `namespaces`/`pods` (the CRD's CEL rule).
 */
function tierPeerArb(
  egress: boolean,
  action: Action,
  kind: TierKind,
  named: boolean,
): fc.Arbitrary<TierEgressPeer> {
  const arbs: fc.WeightedArbitrary<TierEgressPeer>[] = [
    { weight: 3, arbitrary: selectorArb(NAMESPACE_VOCABULARY).map((namespaces) => ({ namespaces })) },
    { weight: 3, arbitrary: namespacedPodArb.map((pods) => ({ pods })) },
    { weight: 1, arbitrary: fc.constant(UNREADABLE_PEER) },
  ];
  if (egress && !named) {
    arbs.push(
      { weight: 3, arbitrary: networksArb.map((networks) => ({ networks })) },
      { weight: 2, arbitrary: selectorArb(NODE_VOCABULARY).map((nodes) => ({ nodes })) },
    );
    if (action === 'allow' && kind !== 'banp') {
      arbs.push({ weight: 1, arbitrary: fc.constant({ domainNames: ['example.com', '*.example.org'] }) });
    }
  }
  return fc.oneof(...arbs);
}

/** A port range with `start < end` (the CRD's CEL rule for CNP, the doc comment for ANP). */
const rangeArb: fc.Arbitrary<[number, number]> = fc
  .tuple(fc.constantFrom(...PORT_NUMBERS), fc.constantFrom(...END_PORT_DELTAS.filter((d) => d > 0)))
  .filter(([start]) => start < 65535)
  .map(([start, delta]) => [start, Math.min(65535, start + delta)]);

const cnpProtocolArb = (named: boolean): fc.Arbitrary<CnpProtocol> => {
  const numeric = fc
    .tuple(
      fc.constantFrom('tcp', 'udp', 'sctp'),
      fc.oneof(
        fc.constantFrom(...PORT_NUMBERS).map((number): CnpDestinationPort => ({ number })),
        rangeArb.map(([start, end]): CnpDestinationPort => ({ range: { start, end } })),
      ),
    )
    .map(([field, destinationPort]): CnpProtocol => ({ [field]: { destinationPort } }));
  if (!named) return numeric;
  return fc.oneof(
    numeric,
    fc.constantFrom(...PORT_NAMES, 'unknown').map((destinationNamedPort) => ({ destinationNamedPort })),
  );
};

const anpPortArb = (named: boolean): fc.Arbitrary<AnpPort> => {
  const protocol = fc.option(protocolArb, { nil: undefined });
  const numeric = fc.oneof(
    fc
      .tuple(protocol, fc.constantFrom(...PORT_NUMBERS))
      .map(([p, port]): AnpPort => ({ portNumber: { ...(p === undefined ? {} : { protocol: p }), port } })),
    fc.tuple(protocol, rangeArb).map(([p, [start, end]]): AnpPort => ({
      portRange: { ...(p === undefined ? {} : { protocol: p }), start, end },
    })),
  );
  if (!named) return numeric;
  return fc.oneof(
    numeric,
    fc.constantFrom(...PORT_NAMES, 'unknown').map((namedPort) => ({ namedPort })),
  );
};

const ACTION_WORDS: Readonly<Record<TierKind, Readonly<Partial<Record<Action, string>>>>> = {
  cnp: { allow: 'Accept', deny: 'Deny', pass: 'Pass' },
  anp: { allow: 'Allow', deny: 'Deny', pass: 'Pass' },
  banp: { allow: 'Allow', deny: 'Deny' },
};

/** One rule as written, with `from` (ingress) or `to` (egress), and `protocols` (CNP) or `ports` (ANP/BANP). */
function tierRuleArb(kind: TierKind, egress: boolean): fc.Arbitrary<Record<string, unknown>> {
  const actions: Action[] = kind === 'banp' ? ['allow', 'deny'] : ['allow', 'deny', 'pass'];
  return fc
    .tuple(fc.constantFrom(...actions), fc.boolean())
    .chain(([action, named]) =>
      fc.tuple(
        fc.constant(action),
        fc.array(tierPeerArb(egress, action, kind, named), { minLength: 1, maxLength: 2 }),
        fc.option<readonly (CnpProtocol | AnpPort)[], undefined>(
          kind === 'cnp'
            ? fc.array(cnpProtocolArb(named), { minLength: 1, maxLength: 2 })
            : fc.array(anpPortArb(named), { minLength: 1, maxLength: 2 }),
          { nil: undefined },
        ),
      ),
    )
    .map(([action, peers, ports]) => ({
      action: ACTION_WORDS[kind][action]!,
      [egress ? 'to' : 'from']: peers,
      ...(ports === undefined ? {} : { [kind === 'cnp' ? 'protocols' : 'ports']: ports }),
    }));
}

/** A spec (without tier and priority) of the given kind: a subject and 0–3 rules each way (or none). */
function tierSpecArb(kind: TierKind) {
  const rules = (egress: boolean) =>
    fc.option(fc.array(tierRuleArb(kind, egress), { maxLength: 3 }), { nil: undefined, freq: 4 });
  return fc.tuple(subjectArb, rules(false), rules(true)).map(([subject, ingress, egress]) => ({
    subject,
    ...(ingress === undefined ? {} : { ingress }),
    ...(egress === undefined ? {} : { egress }),
  }));
}

/**
 * 0–4 cluster policies of every kind and both tiers (at most one BaselineAdminNetworkPolicy), with distinct
 * priorities: the API leaves equal priorities that match the same traffic undefined.
 */
const clusterPoliciesArb: fc.Arbitrary<ClusterPolicyInfo[]> = fc
  .tuple(
    fc.array(
      fc.oneof(
        tierSpecArb('cnp').chain((spec) =>
          fc
            .constantFrom('Admin', 'Baseline')
            .map((tier) => ({ kind: 'cnp' as const, spec: { ...spec, tier } })),
        ),
        tierSpecArb('anp').map((spec) => ({ kind: 'anp' as const, spec })),
      ),
      { maxLength: 4 },
    ),
    fc.option(tierSpecArb('banp'), { nil: undefined }),
    fc.shuffledSubarray([0, 1, 2, 9, 10, 100, 999, 1000], { minLength: 4, maxLength: 4 }),
  )
  .map(([policies, baselineSpec, priorities]) => [
    ...policies.map(({ kind, spec }, i) => {
      const priority = priorities[i]!;
      return kind === 'cnp'
        ? cnp(`cnp${i}`, { ...(spec as ClusterNetworkPolicySpec), priority })
        : anp(`anp${i}`, { ...(spec as AdminNetworkPolicySpec), priority });
    }),
    ...(baselineSpec === undefined ? [] : [banp(baselineSpec as BaselineAdminNetworkPolicySpec)]),
  ]);

const nodesArb: fc.Arbitrary<NodeInfo[]> = fc
  .array(
    fc.tuple(labelsArb(NODE_VOCABULARY), fc.uniqueArray(fc.constantFrom(...NODE_IPS), { maxLength: 2 })),
    { maxLength: 2 },
  )
  .map((nodes) => nodes.map(([labels, addresses], i) => node(`n${i}`, labels, addresses)));

/** `clusterInputArb` plus cluster policies of both tiers and a few Nodes. */
export const tieredClusterInputArb: fc.Arbitrary<ClusterInput> = fc
  .tuple(clusterInputArb, clusterPoliciesArb, nodesArb)
  .map(([input, clusterPolicies, nodes]) => ({ ...input, clusterPolicies, nodes }));
