/**
 * Generated policies → readable YAML files: one file per namespace (or per
 * workload), a header per file, a comment on every policy and every rule. Pure and deterministic.
 */
import type { ObservedConnection } from '../flows/types.ts';
import { toNetworkPolicy } from '../generate/policies.ts';
import type {
  GeneratedPolicy,
  Generation,
  NodeAddressBlock,
  NodeEntityPeers,
  PolicyNote,
  RuleNote,
} from '../generate/types.ts';
import { withNodes } from './node-addresses.ts';
import { nodeAddressText } from '../describe/node-address.ts';
import { describeLabels } from '../describe/selectors.ts';
import { toYamlStream, type YamlComment, type YamlDocumentSpec, type YamlPath } from './yaml.ts';
import {
  toCiliumPolicies,
  type CiliumRulePart,
  type DnsNames,
  type EntityAddresses,
  type GeneratedCiliumPolicy,
} from '../generate/cilium.ts';
import { CLUSTER_POLICIES_FILE, clusterFileHeader, clusterPolicyYaml } from './generated-tiers.ts';
import { compareText, formatCount, formatTime } from '../base/text.ts';

export const SplitMode = { namespace: 'namespace', workload: 'workload' } as const;
export type SplitMode = (typeof SplitMode)[keyof typeof SplitMode];

/**
 * `observed: shop/web → data/db TCP 5432, 12 attempts, 2024-05-01 10:00 – 10:20`; a Node's address named as the
 * other outputs name it: `192.168.0.2 (an address of node n2)`.
 */
function observedLine(n: Extract<RuleNote, { kind: 'observed' }>): string {
  const c = n.connection;
  let when = '';
  if (c.firstSeen !== undefined && c.lastSeen !== undefined) {
    const first = formatTime(c.firstSeen, 'minutes');
    const last = formatTime(c.lastSeen, 'minutes');
    when = first === last ? `, ${first}` : `, ${first} – ${last}`;
  }
  const denied =
    c.denied === 0
      ? ''
      : c.denied === c.count
        ? ', all dropped during the capture'
        : `, ${formatCount(c.denied)} dropped during the capture`;
  return `observed: ${withNodes(n.src, n.srcNodes)} → ${withNodes(n.dst, n.dstNodes)} ${c.protocol} ${c.port}, ${formatCount(c.count)} attempt${c.count === 1 ? '' : 's'}${when}${denied}`;
}

function noteLine(n: RuleNote): string {
  switch (n.kind) {
    case 'observed':
      return observedLine(n);
    case 'aggregated':
      return `aggregated: ${n.addresses.join(', ')} → ${n.cidr} (--aggregate${n.cidr.includes(':') ? '-v6' : ''} /${n.prefix})`;
    case 'dns-ingress':
      return n.everyone === 'allow-dns'
        ? 'DNS from every pod of every namespace (--allow-dns), on UDP and TCP 53'
        : n.everyone === 'baseline'
          ? 'DNS from every pod of every namespace (the Baseline policy lets every pod resolve names), on UDP and TCP 53'
          : 'DNS from the workloads that resolve names, on UDP and TCP 53';
    case 'dns-egress': {
      const target =
        n.names.length > 0
          ? n.names.join(', ')
          : `namespace ${n.config.namespace}, ${describeLabels(n.config.matchLabels)}`;
      if (n.seen.length === 0) return `DNS through ${target}, for every workload (--allow-dns)`;
      if (n.seen.length === 2) return `DNS through ${target}`;
      return n.seen.includes('UDP')
        ? `DNS through ${target}; TCP 53 too: resolvers retry over TCP when an answer does not fit in UDP`
        : `DNS through ${target}; UDP 53 too: the usual transport of DNS`;
    }
  }
}

function policyComment(n: PolicyNote): string[] {
  if (n.kind === 'default-deny')
    return [
      `Default deny: pods in ${n.namespace} accept and open only the connections the policies below allow.`,
    ];
  const what =
    n.direction === 'ingress'
      ? n.mode === 'fresh'
        ? 'the traffic observed to it'
        : 'the traffic observed to it that the existing policies deny'
      : n.mode === 'fresh'
        ? 'the traffic observed from it'
        : 'the traffic observed from it that the existing policies deny';
  const lines = [
    `${n.direction === 'ingress' ? 'Ingress to' : 'Egress from'} ${n.namespace}/${n.name} (${n.workloadKind}): ${what}.`,
  ];
  if (n.sharedWith !== undefined)
    lines.push(`note: its labels also select ${n.sharedWith.join(', ')}, which share them`);
  return lines;
}

/** The part of a split rule an observed connection (or another note) belongs to. */
function notePeers(
  n: RuleNote,
  direction: 'ingress' | 'egress',
  named: ReadonlySet<string>,
  entities: ReadonlySet<string>,
): CiliumRulePart<unknown>['peers'] {
  if (n.kind === 'aggregated') return 'cidr';
  if (n.kind !== 'observed') return 'endpoints';
  const end = direction === 'egress' ? n.connection.dst : n.connection.src;
  // A host-network workload's peer is an ipBlock of its pods' addresses (a rule of entities keeps all its notes).
  if (end.kind === 'workload')
    return (direction === 'egress' ? n.dstHostNetwork : n.srcHostNetwork) ? 'cidr' : 'endpoints';
  return entities.has(end.ip) ? 'entity' : named.has(end.ip) ? 'fqdn' : 'cidr';
}

/** Why a rule of Node entities has them: a line per peer, in `generate`'s words for such a peer left out. */
function nodeEntityLines(node: NodeEntityPeers): string[] {
  // What the rule allows: the whole identity, not only the peer observed. `remote-node` alone where the nodes are
  // not known is an ingress rule whose `host` the own node's let-in made needless (src/generate/build.ts): not
  // "every other node", other than a node nobody knows.
  const scope = (nodesKnown: boolean): string =>
    node.entities.length > 1
      ? 'every node'
      : node.entities[0] === 'host'
        ? "the pod's own node"
        : nodesKnown
          ? 'every other node'
          : "every node but the pod's own, whose traffic is let in anyway; the pods' nodes are not known";
  const identity = (nodesKnown: boolean): string =>
    `${node.entities.join(' and ')} ${node.entities.length === 1 ? 'identity' : 'identities'}: ${scope(nodesKnown)}`;
  return node.ends.map((e) =>
    e.hostNetwork
      ? `${e.end}: on the host network${e.nodes.length === 0 ? '' : ` of ${e.nodes.length === 1 ? 'node' : 'nodes'} ${e.nodes.join(', ')}`}, whose addresses (its Node's) CIDR rules do not match (${identity(e.nodesKnown)})`
      : `${withNodes(e.end, e.nodes)}: a Node's address, which CIDR rules do not match (${identity(e.nodesKnown)})`,
  );
}

/** What a rule of addresses is called in each form. */
type BlockWord = 'ipBlock' | 'CIDR rule';

/** Why an ipBlock of a Node's address allows more than the peer observed: a line per block. */
function nodeAddressLines(blocks: readonly NodeAddressBlock[], word: BlockWord): string[] {
  return blocks.map(
    (b) =>
      `${b.cidr}: ${b.addresses !== undefined ? `holds ${nodeAddressText(b.nodes)} (${b.addresses.join(', ')})` : b.nodes.length === 0 ? "a Node's address" : nodeAddressText(b.nodes)}, which ${b.nodes.length > 1 ? 'each' : 'the'} node and its host-network pods share: this ${word} allows them all`,
  );
}

/**
 * The Nodes' addresses of a Cilium rule's CIDR part: its NetworkPolicy rule's, but those written as entities
 * or names in any part.
 */
function cidrPartNodeBlocks(
  parts: readonly CiliumRulePart<unknown>[],
  part: CiliumRulePart<unknown>,
  rule: GeneratedPolicy['rules'][number],
): NodeAddressBlock[] {
  if (part.peers !== 'cidr' || rule.nodeAddresses === undefined) return [];
  const others = parts.filter((p) => p.from === part.from);
  const replaced = new Set(
    others.flatMap((p) => [...(p.entities ?? []).map((e) => e.ip), ...p.names.map((n) => n.ip)]),
  );
  return rule.nodeAddresses.filter((b) => !replaced.has(b.cidr.replace(/\/\d+$/, '')));
}

/** A Cilium policy with the Nodes' addresses of each of its rule parts (`cidrPartNodeBlocks`), by direction. */
interface CiliumPolicyBlocks {
  policy: GeneratedCiliumPolicy;
  ingress: readonly (readonly NodeAddressBlock[])[];
  egress: readonly (readonly NodeAddressBlock[])[];
}

function withNodeBlocks(policy: GeneratedCiliumPolicy): CiliumPolicyBlocks {
  const blocksOf = (parts: readonly CiliumRulePart<unknown>[]): NodeAddressBlock[][] =>
    parts.map((part) => cidrPartNodeBlocks(parts, part, policy.source.rules[part.from]!));
  return { policy, ingress: blocksOf(policy.ingress), egress: blocksOf(policy.egress) };
}

/** The comments of a Cilium policy's rules in one direction; `blocks`: the Nodes' addresses of each part. */
function ciliumRuleComments(
  parts: readonly CiliumRulePart<unknown>[],
  blocks: readonly (readonly NodeAddressBlock[])[],
  source: GeneratedPolicy,
  direction: 'ingress' | 'egress',
): YamlComment[] {
  // The addresses written as entities in any part of the same rule: their notes go to the entity part.
  const entities = new Set(parts.flatMap((p) => (p.entities ?? []).map((e) => e.ip)));
  return parts.map((part, j) => {
    const named = new Set(part.names.map((n) => n.ip));
    const rule = source.rules[part.from]!;
    // A rule of Node entities is one part, with all its notes.
    const notes =
      rule.nodeEntities !== undefined
        ? rule.notes
        : rule.notes.filter((n) => notePeers(n, direction, named, entities) === part.peers);
    const lines = notes.map(noteLine);
    if (part.dnsProxy)
      lines.push(
        "with Cilium's DNS proxy (rules: dns), which the toFQDNs rules need to learn the names' addresses",
      );
    const byName = new Map<string, string[]>();
    for (const n of part.names) {
      const key = n.names.join(', ');
      byName.set(key, [...(byName.get(key) ?? []), n.ip]);
    }
    for (const [names, ips] of byName) lines.push(`${names}: ${ips.join(', ')} (Hubble's DNS observations)`);
    for (const e of part.entities ?? [])
      lines.push(
        `${e.ip}: Hubble labels it ${e.entities.map((x) => `reserved:${x}`).join(', ')}, which CIDR rules never match`,
      );
    if (rule.nodeEntities !== undefined) lines.push(...nodeEntityLines(rule.nodeEntities));
    lines.push(...nodeAddressLines(blocks[j]!, 'CIDR rule'));
    return { path: ['spec', direction, j], lines };
  });
}

/** Flow style for the short collections of a Cilium policy: each port, each DNS pattern, `[{}]`. */
function ciliumFlowPaths(policy: GeneratedCiliumPolicy): YamlPath[] {
  const spec = policy.object.spec ?? {};
  const paths: YamlPath[] = [];
  if (policy.source.kind === 'default-deny')
    return [
      ['spec', 'ingress'],
      ['spec', 'egress'],
    ];
  for (const direction of ['ingress', 'egress'] as const) {
    (spec[direction] ?? []).forEach((rule, j) => {
      (rule.toPorts ?? []).forEach((entry, k) => {
        (entry.ports ?? []).forEach((_, m) => paths.push(['spec', direction, j, 'toPorts', k, 'ports', m]));
        (entry.rules?.dns ?? []).forEach((_, m) =>
          paths.push(['spec', direction, j, 'toPorts', k, 'rules', 'dns', m]),
        );
      });
    });
  }
  return paths;
}

function ciliumYamlSpec({ policy, ingress, egress }: CiliumPolicyBlocks): YamlDocumentSpec {
  return {
    value: policy.object,
    comment: policyComment(policy.source.note),
    comments: [
      ...ciliumRuleComments(policy.ingress, ingress, policy.source, 'ingress'),
      ...ciliumRuleComments(policy.egress, egress, policy.source, 'egress'),
    ],
    flow: ciliumFlowPaths(policy),
  };
}

function yamlSpec(p: GeneratedPolicy): YamlDocumentSpec {
  const comments: YamlComment[] = p.rules.map((r, i) => ({
    path: ['spec', p.kind, i],
    lines: [...r.notes.map(noteLine), ...nodeAddressLines(r.nodeAddresses ?? [], 'ipBlock')],
  }));
  return {
    value: toNetworkPolicy(p),
    comment: policyComment(p.note),
    comments,
    flow: [['spec', 'policyTypes']],
  };
}

export interface RenderedFile {
  /** Relative path: `shop.yaml`, or `shop/api.yaml` with `--split workload`; `_cluster.yaml` (`--tier`). */
  path: string;
  content: string;
  /** `namespace/name` of the policies in it, in order (`ClusterNetworkPolicy/name` for cluster policies). */
  policies: string[];
}

function timeRange(conns: readonly ObservedConnection[]): string | undefined {
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const c of conns) {
    if (c.firstSeen !== undefined && c.firstSeen < first) first = c.firstSeen;
    if (c.lastSeen !== undefined && c.lastSeen > last) last = c.lastSeen;
  }
  if (!(first <= last)) return undefined;
  const [a, b] = [formatTime(first, 'minutes'), formatTime(last, 'minutes')];
  return a === b ? a : `${a} – ${b}`;
}

/**
 * What the Cilium rules of a file allow beyond the observed addresses: the entities its entity rules name
 * (`host`, `remote-node`, `kube-apiserver`: each allows its whole identity), and whether it has `toFQDNs` rules
 * (every address the names resolve to). Nothing for NetworkPolicies.
 */
interface WiderRules {
  entities: readonly string[];
  fqdn: boolean;
  /** The ipBlocks (CIDR rules) of Nodes' addresses (`GeneratedRule.nodeAddresses`), sorted. */
  nodeAddresses: readonly string[];
  /** Whether one of them is aggregated (`--aggregate`) over several addresses, a Node's among them. */
  holding: boolean;
  word: BlockWord;
}

/** The ipBlocks of Nodes' addresses in the rules of `policies`, or of the CIDR parts of `cilium`'s. */
function nodeAddressCidrs(
  policies: readonly GeneratedPolicy[],
  cilium: readonly CiliumPolicyBlocks[] | undefined,
): Pick<WiderRules, 'nodeAddresses' | 'holding'> {
  const blocks =
    cilium === undefined
      ? policies.flatMap((p) => p.rules.flatMap((r) => r.nodeAddresses ?? []))
      : cilium.flatMap((c) => [...c.ingress, ...c.egress].flat());
  return {
    nodeAddresses: [...new Set(blocks.map((b) => b.cidr))].sort(compareText),
    holding: blocks.some((b) => b.addresses !== undefined),
  };
}

function widerRules(
  policies: readonly GeneratedCiliumPolicy[],
): Omit<WiderRules, 'nodeAddresses' | 'holding' | 'word'> {
  const entities = new Set<string>();
  let fqdn = false;
  for (const p of policies)
    for (const part of [...p.ingress, ...p.egress]) {
      if (part.peers === 'fqdn') fqdn = true;
      const rule: { toEntities?: readonly string[]; fromEntities?: readonly string[] } = part.rule;
      for (const e of rule.toEntities ?? rule.fromEntities ?? []) entities.add(e);
    }
  return { entities: [...entities].sort(compareText), fqdn };
}

/** What the entities generate writes stand for (Cilium docs, "Entities Based"). */
const ENTITY_MEANINGS: Readonly<Record<string, string>> = {
  host: "the pod's own node (and its host-network pods)",
  'remote-node': 'every other node (and their host-network pods), of this cluster or a connected one',
  'kube-apiserver': "the API server's addresses",
};

/** The header's lines on what the rules allow: exactly the observed ports, but for `wider` rules. */
function exactnessLines(mode: Generation['options']['mode'], wider: WiderRules): string[] {
  const kinds = [
    ...(wider.entities.length > 0 ? ['entity rules'] : []),
    ...(wider.fqdn ? ['toFQDNs rules'] : []),
    ...(wider.nodeAddresses.length > 0 ? ['node-address rules'] : []),
  ];
  const but = kinds.length === 0 ? '' : ` (${kinds.join(' and ')} more, below)`;
  const lines = [
    mode !== 'fresh'
      ? `They add to the existing policies only what the observed ports need${but}; every rule lists the observed ports it allows.`
      : kinds.length === 0
        ? 'Every rule allows exactly the observed ports its comment lists (DNS rules add the other DNS transport).'
        : `Every rule but the ${kinds.join(' and ')} allows exactly the observed ports its comment lists (DNS rules add the other DNS transport).`,
  ];
  if (wider.entities.length > 0) {
    const meanings = wider.entities.flatMap((e) => {
      const meaning = ENTITY_MEANINGS[e];
      return meaning === undefined ? [] : [`${e} is ${meaning}`];
    });
    lines.push(
      `An entity rule (toEntities/fromEntities: ${wider.entities.join(', ')}) allows its ports with the whole identity, not only the observed addresses${meanings.length === 0 ? '' : `: ${meanings.join(', ')}`}.`,
    );
  }
  if (wider.fqdn)
    lines.push(
      'A toFQDNs rule allows its ports to every address its names resolve to when the pod looks them up, not only the observed addresses.',
    );
  if (wider.nodeAddresses.length > 0)
    lines.push(
      `A node-address rule (${wider.word === 'ipBlock' ? 'an ipBlock' : 'a CIDR rule'} ${wider.holding ? 'of or holding' : 'of'} a Node's address: ${wider.nodeAddresses.join(', ')}) allows its ports with everything at that address, not only the observed peer: the node itself and every host-network pod on it, and, under some CNIs, traffic masqueraded (SNAT) to the node's address.`,
    );
  return lines;
}

function fileHeader(
  gen: Generation,
  scope: string,
  policies: readonly GeneratedPolicy[],
  kind: 'NetworkPolicies' | 'CiliumNetworkPolicies',
  wider: WiderRules,
): string[] {
  const conns = policies.flatMap((p) => p.rules.flatMap((r) => r.observed));
  const range = timeRange(conns);
  const lines = [
    `${kind} for ${scope}: generated by netfence (${gen.options.mode} mode) from observed traffic.`,
    ...exactnessLines(gen.options.mode, wider),
  ];
  if (range !== undefined) lines.push(`Observed: ${range}.`);
  const baseline = gen.clusterPolicies.find((p) => p.role === 'default-deny');
  const namespace = policies[0]?.namespace;
  if (baseline !== undefined && namespace !== undefined && !baseline.excluded.includes(namespace))
    lines.push(
      `The default deny of namespace ${namespace} is the Baseline ClusterNetworkPolicy ${baseline.name} (${CLUSTER_POLICIES_FILE}).`,
    );
  return lines;
}

/**
 * Files to write: one per namespace, or one per workload (plus `default-deny.yaml`) in a folder per namespace.
 * With `cilium` (the DNS names of outside addresses), CiliumNetworkPolicies instead of NetworkPolicies.
 */
export function renderFiles(
  gen: Generation,
  split: SplitMode,
  cilium?: DnsNames,
  entities?: EntityAddresses,
): RenderedFile[] {
  const groups = new Map<string, { scope: string; policies: GeneratedPolicy[] }>();
  for (const p of gen.policies) {
    let path: string;
    let scope: string;
    if (split === 'namespace') {
      path = `${p.namespace}.yaml`;
      scope = `namespace ${p.namespace}`;
    } else {
      const base =
        p.workload === undefined ? p.name : p.name.replace(/-(ingress|egress)(-observed|-[0-9]+)?$/, '');
      path = `${p.namespace}/${base}.yaml`;
      scope = p.workload === undefined ? `namespace ${p.namespace}` : `${p.namespace}/${base}`;
    }
    const g = groups.get(path) ?? { scope, policies: [] };
    g.policies.push(p);
    groups.set(path, g);
  }
  const files = [...groups.entries()]
    .sort(([a], [b]) => compareText(a, b))
    .map(([path, g]) => {
      const ciliumPolicies = cilium === undefined ? [] : toCiliumPolicies(g.policies, cilium, entities);
      const withBlocks = ciliumPolicies.map(withNodeBlocks);
      const docs = cilium === undefined ? g.policies.map(yamlSpec) : withBlocks.map(ciliumYamlSpec);
      const kind = cilium === undefined ? 'NetworkPolicies' : 'CiliumNetworkPolicies';
      const wider: WiderRules = {
        ...widerRules(ciliumPolicies),
        ...nodeAddressCidrs(g.policies, cilium === undefined ? undefined : withBlocks),
        word: cilium === undefined ? 'ipBlock' : 'CIDR rule',
      };
      const header = fileHeader(gen, g.scope, g.policies, kind, wider);
      docs[0] = { ...docs[0]!, header };
      return {
        path,
        content: toYamlStream(docs),
        policies: g.policies.map((p) => `${p.namespace}/${p.name}`),
      };
    });
  if (gen.clusterPolicies.length === 0) return files;
  // Cluster-scoped, first: `kubectl apply` of the stream or the folder creates them before the rest.
  const docs = gen.clusterPolicies.map((p) => clusterPolicyYaml(p, gen));
  docs[0] = { ...docs[0]!, header: clusterFileHeader(gen) };
  return [
    {
      path: CLUSTER_POLICIES_FILE,
      content: toYamlStream(docs),
      policies: gen.clusterPolicies.map((p) => `ClusterNetworkPolicy/${p.name}`),
    },
    ...files,
  ];
}

/** Every file in one YAML stream, for standard output (`kubectl apply -f -`). */
export function renderStream(gen: Generation, split: SplitMode): string {
  return renderFiles(gen, split)
    .map((f) => f.content)
    .join('---\n');
}
