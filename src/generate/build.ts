/**
 * Policies from observed connections. Pure.
 *
 * Fresh mode: a default-deny policy per namespace, then one ingress and one egress policy per workload,
 * each rule allowing exactly observed connections (one rule per set of peers with the same ports), DNS to
 * the cluster DNS for the workloads that resolve names, and `ipBlock`s per outside address. Augment mode:
 * the existing policies stay, and rules are added only where they deny an observed connection, on the side
 * (egress of the source, ingress of the destination) that denies it.
 */
import { accessToPod, type CompiledCluster, type EngineOptions } from '../engine/compile.ts';
import { openSession } from '../engine/session.ts';
import { nodesByAddress, ownNodeAllowed, workloadNodes } from '../engine/own-node.ts';
import { cidrContainsCidr, formatCidr, parseCidr, parseIp, type Cidr } from '../base/ip.ts';
import { compileSelector, selectorMatches } from '../engine/selectors.ts';
import { checkObserved, type HubbleHints } from '../flows/check.ts';
import { compareEnds, workloadSortKey } from '../flows/aggregate.ts';
import type { FlowEnd, ObservedConnection } from '../flows/types.ts';
import {
  NAMESPACE_NAME_LABEL,
  type ClusterState,
  type PolicyInfo,
  type WorkloadInfo,
} from '../model/cluster.ts';
import type { NetworkPolicyPeer, NetworkPolicyPort, Protocol } from '../model/k8s.ts';
import { portsContain } from '../engine/ports.ts';
import { workloadSelectors, type WorkloadSelector } from './selectors.ts';
import { hostNetworkWorkloads, policySubject } from './subjects.ts';
import { generateClusterPolicies } from './tiers.ts';
import type {
  AggregatedBlock,
  DnsConfig,
  GenerateNotice,
  PolicyNote,
  RuleNote,
  GenerateOptions,
  GeneratedPolicy,
  GeneratedRule,
  Generation,
  LeftOut,
  NodeAddressBlock,
  NodeEntityPeers,
} from './types.ts';
import { compareText } from '../base/text.ts';

type Direction = 'ingress' | 'egress';

/** A peer of a rule, with what it stands for. */
interface PeerEntry {
  key: string;
  sort: string;
  peers: NetworkPolicyPeer[];
  conns: ObservedConnection[];
  ports: Map<string, { protocol: Protocol; port: number }>;
  /** For an aggregated ipBlock: the observed addresses inside it. */
  aggregated?: { cidr: string; prefix: number; addresses: Set<string> };
  /** A peer at a Node's address written as Cilium entities (`nodeEntities`; `peers` is then empty). */
  node?: { entities: readonly string[]; end: NodeEntityPeers['ends'][number] };
  /** Its ipBlocks of Nodes' addresses (`GeneratedRule.nodeAddresses`). */
  nodeAddresses?: NodeAddressBlock[];
}

/** Rules being collected for one workload and direction. */
interface Side {
  workload: string;
  direction: Direction;
  peers: Map<string, PeerEntry>;
  dns: ObservedConnection[];
  dnsRule: boolean;
  /** Server side of DNS: the client workloads (or every workload with `--allow-dns`). */
  dnsClients: Set<string>;
}

/** `shop/api` (the namespace and name of a workload id), or the IP. */
function endName(
  e: FlowEnd,
  workloads: ReadonlyMap<string, WorkloadInfo>,
  shortNames: ReadonlyMap<string, string>,
): string {
  if (e.kind === 'external') return e.ip;
  return shortNames.get(e.id) ?? workloads.get(e.id)?.name ?? e.id;
}

/** How the notes name an observed end: its short name or IP, and its Nodes when it is at a Node's address. */
interface EndNaming {
  name: (e: FlowEnd) => string;
  nodesOf: (e: FlowEnd) => readonly string[];
  hostNetwork: (e: FlowEnd) => boolean;
}

function observedNote(c: ObservedConnection, ends: EndNaming): RuleNote {
  return {
    kind: 'observed',
    connection: c,
    src: ends.name(c.src),
    dst: ends.name(c.dst),
    srcNodes: ends.nodesOf(c.src),
    dstNodes: ends.nodesOf(c.dst),
    srcHostNetwork: ends.hostNetwork(c.src),
    dstHostNetwork: ends.hostNetwork(c.dst),
  };
}

const PROTOCOL_ORDER: Record<Protocol, number> = { TCP: 0, UDP: 1, SCTP: 2 };

function sortPorts(ports: Iterable<{ protocol: Protocol; port: number }>): NetworkPolicyPort[] {
  return [...ports]
    .sort((a, b) => PROTOCOL_ORDER[a.protocol] - PROTOCOL_ORDER[b.protocol] || a.port - b.port)
    .map((p) => ({ protocol: p.protocol, port: p.port }));
}

function portsKeyOf(entry: PeerEntry): string {
  return sortPorts(entry.ports.values())
    .map((p) => `${p.protocol}/${String(p.port)}`)
    .join(',');
}

export function generatePolicies(
  state: ClusterState,
  observedAll: readonly ObservedConnection[],
  options: GenerateOptions,
  engineOptions: Partial<EngineOptions> = {},
  /** What the capture says of outside addresses: augment keeps what existing rules allow by name or entity. */
  hubble: HubbleHints = {},
): Generation {
  const selectors = workloadSelectors(state);
  const workloads = new Map(state.workloads.map((w) => [w.id, w]));
  const excluded = new Set(options.excludeNamespaces);
  const notices: GenerateNotice[] = [];
  // Cluster-wide tiers replace or back up the fresh set's NetworkPolicies; augment keeps what exists.
  const tiers = options.mode === 'fresh' ? options.tiers : [];

  const podsOf = new Map<string, { ips: readonly string[] }[]>();
  for (const p of state.pods) {
    const list = podsOf.get(p.workload) ?? [];
    list.push(p);
    podsOf.set(p.workload, list);
  }
  const hostWorkloads = hostNetworkWorkloads(state);
  const hostNetwork = (id: string): boolean => hostWorkloads.has(id);
  /** Workloads policies can select and netfence may write policies for. */
  const isSubject = policySubject(state, options.excludeNamespaces, hostWorkloads);

  // Short names for comments: `namespace/name`, or the full id when two kinds share a name.
  const shortCount = new Map<string, number>();
  for (const w of state.workloads)
    shortCount.set(`${w.namespace}/${w.name}`, (shortCount.get(`${w.namespace}/${w.name}`) ?? 0) + 1);
  const shortNames = new Map(
    state.workloads.map((w) => [
      w.id,
      shortCount.get(`${w.namespace}/${w.name}`) === 1 ? `${w.namespace}/${w.name}` : w.id,
    ]),
  );
  const name = (e: FlowEnd): string => endName(e, workloads, shortNames);

  for (const [id, sel] of selectors) {
    if (!sel.exact && isSubject(id)) {
      notices.push({
        kind: 'shared-labels',
        workload: shortNames.get(id) ?? id,
        sharedWith: sel.sharedWith.map((s) => shortNames.get(s) ?? s),
      });
    }
  }

  const leftOut: LeftOut[] = [];
  const observed: ObservedConnection[] = [];
  for (const c of observedAll) {
    if (options.excludeDenied && c.denied >= c.count) {
      leftOut.push({ connection: c, reason: 'denied' });
    } else {
      observed.push(c);
    }
  }

  // DNS: the configured selector, else the workloads observed answering on port 53, else assume the default.
  const dns = detectDns(state, observed, options.dns);
  if (dns.detected === 'observed') {
    notices.push({
      kind: 'dns-observed',
      dns: options.dns,
      workloads: dns.workloads.map((w) => shortNames.get(w) ?? w),
    });
  } else if (
    dns.detected === 'assumed' &&
    (options.allowDns || tiers.length > 0 || observed.some((c) => c.port === 53))
  ) {
    notices.push({ kind: 'dns-assumed', dns: options.dns });
  }
  const dnsSet = new Set(dns.workloads);
  const isDns = (c: ObservedConnection): boolean =>
    c.port === 53 &&
    c.protocol !== 'SCTP' &&
    c.src.kind === 'workload' &&
    c.dst.kind === 'workload' &&
    dnsSet.has(c.dst.id);
  const dnsPeers: NetworkPolicyPeer[] =
    dns.detected === 'observed'
      ? dns.workloads.map((id) => workloadPeer(workloads.get(id)!, selectors.get(id)!))
      : [
          {
            namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: dns.config.namespace } },
            podSelector: { matchLabels: { ...dns.config.matchLabels } },
          },
        ];

  const sides = new Map<string, Side>();
  const side = (workload: string, direction: Direction): Side => {
    const key = `${direction} ${workload}`;
    let s = sides.get(key);
    if (s === undefined) {
      s = { workload, direction, peers: new Map(), dns: [], dnsRule: false, dnsClients: new Set() };
      sides.set(key, s);
    }
    return s;
  };
  const aggregatedBlocks = new Map<string, AggregatedBlock>();
  const hostLeftOut = new Set<ObservedConnection>();

  // Under a CNI whose ipBlocks do not match Node addresses (Cilium: the host and remote-node identities), an
  // ipBlock of a Node's address, or of a host-network workload's (its node's), would allow nothing: such a peer
  // is left out, but the subject's own node, whose traffic to the pod is always allowed (verification's ownNode).
  const cni = engineOptions.cni;
  const nodeAddresses =
    cni === undefined || cni.settings.cidrMatchesNodes ? undefined : nodesByAddress(state);
  const { nodes: nodesOfWorkload, unplaced } = workloadNodes(state);
  const nodesOfAddress = nodesByAddress(state);
  /**
   * The ipBlocks of `cidrs` that are Nodes' addresses (every one, for a host-network workload's), where the
   * CNI's ipBlocks match Nodes' addresses (elsewhere such an ipBlock, of the subject's own node, matches none).
   */
  const nodeBlocks = (cidrs: readonly string[], all: boolean): NodeAddressBlock[] =>
    nodeAddresses !== undefined
      ? []
      : cidrs.flatMap((cidr) => {
          const nodes = nodesOfAddress.get(cidr);
          return nodes === undefined && !all ? [] : [{ cidr, nodes: nodes ?? [] }];
        });
  /**
   * The ipBlock of an aggregated `cidr`, when it holds Nodes' addresses (observed or not), as a node-address
   * block: its Nodes and their addresses in it. None where the CNI's ipBlocks do not match Nodes' addresses.
   */
  const aggregatedNodeBlocks = (cidr: string, parsed: Cidr): NodeAddressBlock[] => {
    if (nodeAddresses !== undefined) return [];
    const nodes = new Set<string>();
    const addresses: string[] = [];
    for (const [host, of] of nodesOfAddress) {
      const h = parseCidr(host);
      if (!h.ok || !cidrContainsCidr(parsed, h.cidr)) continue;
      addresses.push(host.replace(/\/\d+$/, ''));
      for (const n of of) nodes.add(n);
    }
    if (addresses.length === 0) return [];
    return [{ cidr, nodes: [...nodes].sort(compareText), addresses: addresses.sort(compareText) }];
  };
  /**
   * The peer's Nodes and the Cilium entities that would allow it, when an ipBlock of it would not match under
   * the CNI (undefined: it would, or it is the subject's own node, always let in).
   */
  const unmatchedNodePeer = (
    subject: string,
    direction: Direction,
    peer: FlowEnd,
  ): { nodes: string[]; entities: string[]; known: boolean } | undefined => {
    if (nodeAddresses === undefined) return undefined;
    let nodes: string[];
    if (peer.kind === 'external') {
      const of = nodeAddresses.get(hostCidr(peer.ip));
      if (of === undefined) return undefined;
      nodes = of;
    } else if (hostNetwork(peer.id)) nodes = [...(nodesOfWorkload.get(peer.id) ?? [])].sort(compareText);
    else return undefined;
    const placed = nodesOfWorkload.get(subject);
    const ownAllowed = direction === 'ingress' && ownNodeAllowed(engineOptions);
    if (ownAllowed && nodes.length > 0 && placed !== undefined && nodes.every((n) => placed.has(n)))
      return undefined;
    // `host` where a pod of the subject may share a peer's node, `remote-node` where one may not.
    const known = placed !== undefined && !unplaced.has(subject) && nodes.length > 0;
    const host = !known || nodes.some((n) => placed.has(n));
    const remote = !known || placed.size > 1 || nodes.length > 1 || !nodes.every((n) => placed.has(n));
    const entities = [...(host && !ownAllowed ? ['host'] : []), ...(remote ? ['remote-node'] : [])];
    return { nodes, entities, known };
  };
  const nodeLeftOut = new Set<ObservedConnection>();

  /** Adds `conn` to the rules of `subject` in `direction`, towards `peer`. */
  const add = (subject: string, direction: Direction, peer: FlowEnd, conn: ObservedConnection): void => {
    const unmatched = unmatchedNodePeer(subject, direction, peer);
    if (unmatched !== undefined && options.nodeEntities === true && unmatched.entities.length > 0) {
      // `--format cilium`: the entities that allow it, in a rule of their own (no ipBlock matches it).
      const end = {
        end: name(peer),
        nodes: unmatched.nodes,
        hostNetwork: peer.kind === 'workload',
        nodesKnown: unmatched.known,
      };
      const key = `n:${peer.kind === 'workload' ? peer.id : peer.ip}`;
      const entry = { key, sort: endSort(peer), peers: [], conns: [], ports: new Map() };
      addTo(subject, direction, { ...entry, node: { entities: unmatched.entities, end } }, peer, conn);
      return;
    }
    if (unmatched !== undefined) {
      if (!nodeLeftOut.has(conn)) {
        nodeLeftOut.add(conn);
        leftOut.push({
          connection: conn,
          reason: 'node-address',
          end: name(peer),
          nodes: unmatched.nodes,
          entities: unmatched.entities,
          hostNetwork: peer.kind === 'workload',
          cni: cni?.cni ?? '',
          direction,
        });
      }
      return;
    }
    const entry = peerEntry(peer);
    if (entry === undefined) {
      if (!hostLeftOut.has(conn)) {
        hostLeftOut.add(conn);
        leftOut.push({ connection: conn, reason: 'host-network', end: name(peer), blockedAt: undefined });
      }
      return;
    }
    addTo(subject, direction, entry, peer, conn);
  };

  /** Adds `conn` to the rules of `subject` in `direction`, with the peer `entry` stands for. */
  const addTo = (
    subject: string,
    direction: Direction,
    entry: PeerEntry,
    peer: FlowEnd,
    conn: ObservedConnection,
  ): void => {
    const s = side(subject, direction);
    let e = s.peers.get(entry.key);
    if (e === undefined) {
      e = entry;
      s.peers.set(entry.key, e);
    }
    e.conns.push(conn);
    e.ports.set(`${conn.protocol}/${conn.port}`, { protocol: conn.protocol, port: conn.port });
    if (e.aggregated !== undefined && peer.kind === 'external') e.aggregated.addresses.add(peer.ip);
  };

  const peerEntry = (end: FlowEnd): PeerEntry | undefined => {
    if (end.kind === 'workload') {
      const w = workloads.get(end.id);
      if (w === undefined) return undefined;
      if (hostNetwork(end.id)) {
        const ips = [...new Set((podsOf.get(end.id) ?? []).flatMap((p) => p.ips))].sort();
        if (ips.length === 0) return undefined;
        const cidrs = ips.map((ip) => hostCidr(ip));
        return {
          key: `w:${end.id}`,
          sort: endSort(end),
          peers: cidrs.map((cidr) => ({ ipBlock: { cidr } })),
          conns: [],
          ports: new Map(),
          nodeAddresses: nodeBlocks(cidrs, true),
        };
      }
      return {
        key: `w:${end.id}`,
        sort: endSort(end),
        peers: [workloadPeer(w, selectors.get(end.id)!)],
        conns: [],
        ports: new Map(),
      };
    }
    const ip = parseIp(end.ip);
    const prefix = ip === undefined ? undefined : ip.family === 4 ? options.aggregateV4 : options.aggregateV6;
    if (ip !== undefined && prefix !== undefined && prefix < (ip.family === 4 ? 32 : 128)) {
      const parsed = parseCidr(`${end.ip}/${prefix}`);
      if (parsed.ok) {
        const cidr = formatCidr(parsed.cidr);
        let block = aggregatedBlocks.get(cidr);
        if (block === undefined) aggregatedBlocks.set(cidr, (block = { cidr, addresses: [] }));
        if (!block.addresses.includes(end.ip)) block.addresses.push(end.ip);
        const nodeAddresses = aggregatedNodeBlocks(cidr, parsed.cidr);
        return {
          key: `c:${cidr}`,
          sort: `1${ipSortKey(parsed.cidr.family, parsed.cidr.start)}`,
          peers: [{ ipBlock: { cidr } }],
          conns: [],
          ports: new Map(),
          aggregated: { cidr, prefix, addresses: new Set() },
          ...(nodeAddresses.length === 0 ? {} : { nodeAddresses }),
        };
      }
    }
    const cidr = hostCidr(end.ip);
    const nodeAddresses = nodeBlocks([cidr], false);
    return {
      key: `c:${cidr}`,
      sort: endSort(end),
      peers: [{ ipBlock: { cidr } }],
      conns: [],
      ports: new Map(),
      ...(nodeAddresses.length === 0 ? {} : { nodeAddresses }),
    };
  };

  const alreadyAllowed: ObservedConnection[] = [];
  let kept: PolicyInfo[];
  let replaced: PolicyInfo[];
  const dnsClients = new Set<string>();

  if (options.mode === 'fresh') {
    kept = state.policies.filter((p) => excluded.has(p.namespace));
    replaced = state.policies.filter((p) => !excluded.has(p.namespace));
    for (const c of observed) {
      if (
        c.src.kind === 'workload' &&
        c.dst.kind === 'workload' &&
        c.src.id === c.dst.id &&
        workloads.get(c.src.id)?.replicas === 1
      ) {
        leftOut.push({ connection: c, reason: 'single-pod-self' });
        continue;
      }
      if (isDns(c) && c.src.kind === 'workload' && c.dst.kind === 'workload') {
        if (isSubject(c.src.id)) {
          dnsClients.add(c.src.id);
          side(c.src.id, 'egress').dns.push(c);
        }
        if (isSubject(c.dst.id)) {
          // A client on the host network cannot be selected: an ipBlock of its addresses, or left out.
          if (hostNetwork(c.src.id)) add(c.dst.id, 'ingress', c.src, c);
          else {
            // Clients of excluded namespaces too: their egress is not netfence's, the DNS pods' ingress is.
            const s = side(c.dst.id, 'ingress');
            s.dns.push(c);
            s.dnsClients.add(c.src.id);
          }
        }
        continue;
      }
      if (c.src.kind === 'workload' && isSubject(c.src.id)) add(c.src.id, 'egress', c.dst, c);
      if (c.dst.kind === 'workload' && isSubject(c.dst.id)) add(c.dst.id, 'ingress', c.src, c);
    }
    if (options.allowDns) for (const w of state.workloads) if (isSubject(w.id)) dnsClients.add(w.id);
    for (const client of dnsClients) side(client, 'egress').dnsRule = true;
    for (const server of dns.workloads) {
      if (!isSubject(server)) continue;
      const s = side(server, 'ingress');
      for (const client of dnsClients) s.dnsClients.add(client);
      // The Baseline policy lets every pod NetworkPolicy leaves to it resolve names: the DNS pods accept all.
      s.dnsRule = s.dnsClients.size > 0 || tiers.includes('baseline');
    }
  } else {
    kept = [...state.policies];
    replaced = [];
    const session = openSession(state, engineOptions);
    const check = checkObserved(session, observed, hubble);
    alreadyAllowed.push(...check.allowed, ...check.unpoliced);
    for (const d of check.denied) {
      const c = d.connection;
      for (const blocked of d.blockedAt) {
        const end = blocked === 'egress' ? c.src : c.dst;
        if (end.kind !== 'workload') continue;
        if (!isSubject(end.id)) {
          const w = workloads.get(end.id);
          leftOut.push(
            w !== undefined && excluded.has(w.namespace)
              ? {
                  connection: c,
                  reason: 'excluded-namespace',
                  end: name(end),
                  namespace: w.namespace,
                  blockedAt: blocked,
                }
              : { connection: c, reason: 'host-network', end: name(end), blockedAt: blocked },
          );
          continue;
        }
        if (isDns(c)) {
          const s = side(end.id, blocked);
          s.dns.push(c);
          s.dnsRule = true;
          if (blocked === 'egress') dnsClients.add(end.id);
          else if (c.src.kind === 'workload') s.dnsClients.add(c.src.id);
          continue;
        }
        add(end.id, blocked, blocked === 'egress' ? c.dst : c.src, c);
      }
    }
    if (options.allowDns) {
      for (const w of state.workloads) {
        if (!isSubject(w.id) || dnsClients.has(w.id)) continue;
        if (egressIsolatedWithoutDns(session.compiled, w.id, dns.workloads)) {
          dnsClients.add(w.id);
          side(w.id, 'egress').dnsRule = true;
        }
      }
    }
  }

  const policies = buildPolicies({
    state,
    options,
    sides,
    selectors,
    workloads,
    isSubject,
    dnsPeers,
    dnsConfig: dns.config,
    dnsNames: dns.workloads.map((id) => shortNames.get(id) ?? id),
    name,
    nodesOf: (e) => (e.kind === 'external' ? (nodesOfAddress.get(hostCidr(e.ip)) ?? []) : []),
    hostNetwork: (e) => e.kind === 'workload' && hostNetwork(e.id),
    existingNames: new Set(kept.map((p) => p.id)),
  });

  const tierPolicies = generateClusterPolicies({
    options: { ...options, tiers },
    existing: state.clusterPolicies,
    dnsPeers,
    dnsConfig: dns.config,
    dnsNames: dns.workloads.map((id) => shortNames.get(id) ?? id),
    apiServerCandidates: [
      ...new Set(
        observed.flatMap((c) =>
          c.dst.kind === 'external' && c.protocol === 'TCP' && c.port === 6443 ? [c.dst.ip] : [],
        ),
      ),
    ].sort(compareText),
  });
  notices.push(...tierPolicies.notices);

  return {
    options,
    ...(hubble.names === undefined ? {} : { dnsNames: hubble.names }),
    ...(hubble.entities === undefined ? {} : { reservedEntities: hubble.entities }),
    policies,
    clusterPolicies: tierPolicies.policies,
    keptClusterPolicies: tierPolicies.kept,
    kept,
    replaced,
    observed,
    leftOut,
    alreadyAllowed,
    dns: {
      ...dns,
      clients: [...dnsClients].sort((a, b) => compareText(workloadSortKey(a), workloadSortKey(b))),
    },
    aggregated: [...aggregatedBlocks.values()].sort((a, b) => compareText(a.cidr, b.cidr)),
    selectors,
    notices,
  };
}

function hostCidr(ip: string): string {
  return ip.includes(':') ? `${ip}/128` : `${ip}/32`;
}

function ipSortKey(family: number, value: bigint): string {
  return `${family}${value.toString(16).padStart(32, '0')}`;
}

/** Where a peer of one observed end goes among a rule's peers: workloads first, then addresses in order. */
function endSort(end: FlowEnd): string {
  if (end.kind === 'workload') return `0${workloadSortKey(end.id)}`;
  const ip = parseIp(end.ip);
  return ip === undefined ? `2${end.ip}` : `1${ipSortKey(ip.family, ip.value)}`;
}

function workloadPeer(w: WorkloadInfo, sel: WorkloadSelector): NetworkPolicyPeer {
  return {
    namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: w.namespace } },
    podSelector: Object.keys(sel.matchLabels).length === 0 ? {} : { matchLabels: { ...sel.matchLabels } },
  };
}

function detectDns(
  state: ClusterState,
  observed: readonly ObservedConnection[],
  config: DnsConfig,
): { config: DnsConfig; workloads: string[]; detected: 'selector' | 'observed' | 'assumed' } {
  const sel = compileSelector({ matchLabels: { ...config.matchLabels } });
  const bySelector = state.workloads
    .filter((w) => w.namespace === config.namespace && selectorMatches(sel, w.labels))
    .map((w) => w.id)
    .sort();
  if (bySelector.length > 0) return { config, workloads: bySelector, detected: 'selector' };
  const answering = new Set<string>();
  for (const c of observed) {
    if (c.port === 53 && c.protocol === 'UDP' && c.src.kind === 'workload' && c.dst.kind === 'workload')
      answering.add(c.dst.id);
  }
  if (answering.size > 0) return { config, workloads: [...answering].sort(), detected: 'observed' };
  return { config, workloads: [], detected: 'assumed' };
}

/** Augment mode: whether a workload's egress is isolated and allows no DNS (UDP 53) to the DNS pods. */
function egressIsolatedWithoutDns(
  compiled: CompiledCluster,
  workload: string,
  dnsWorkloads: readonly string[],
): boolean {
  const own = compiled.classes.filter((c) => c.pods.some((p) => p.workload === workload));
  const dnsClasses = compiled.classes.filter((c) => c.pods.some((p) => dnsWorkloads.includes(p.workload)));
  if (own.length === 0) return false;
  return own.some((c) => {
    const access = compiled.egress[c.id]!;
    if (!access.isolated) return false;
    return !dnsClasses.some((d) => portsContain(accessToPod(access, d), 'UDP', 53));
  });
}

interface BuildContext {
  state: ClusterState;
  options: GenerateOptions;
  sides: ReadonlyMap<string, Side>;
  selectors: ReadonlyMap<string, WorkloadSelector>;
  workloads: ReadonlyMap<string, WorkloadInfo>;
  isSubject: (id: string) => boolean;
  dnsPeers: NetworkPolicyPeer[];
  dnsConfig: DnsConfig;
  dnsNames: string[];
  name: (e: FlowEnd) => string;
  /** The Nodes of an end at a Node's address ([] for any other end). */
  nodesOf: (e: FlowEnd) => readonly string[];
  /** Whether an end is a host-network workload. */
  hostNetwork: (e: FlowEnd) => boolean;
  /** `namespace/name` of the policies kept, which generated names must not collide with. */
  existingNames: Set<string>;
}

const DNS_PORTS: NetworkPolicyPort[] = [
  { protocol: 'UDP', port: 53 },
  { protocol: 'TCP', port: 53 },
];

function dnsNotes(conns: readonly ObservedConnection[], ends: EndNaming, head: RuleNote): RuleNote[] {
  const lines = [head];
  const sorted = [...conns].sort(
    (a, b) =>
      compareEnds(a.src, b.src) ||
      compareEnds(a.dst, b.dst) ||
      PROTOCOL_ORDER[a.protocol] - PROTOCOL_ORDER[b.protocol],
  );
  for (const c of sorted) lines.push(observedNote(c, ends));
  return lines;
}

function buildRules(side: Side, ctx: BuildContext): GeneratedRule[] {
  const groups = new Map<string, PeerEntry[]>();
  for (const e of side.peers.values()) {
    // Cilium rejects a rule of entities with other peers: one rule per set of entities and ports.
    const key = `${e.node === undefined ? '' : `${e.node.entities.join(',')} `}${portsKeyOf(e)}`;
    const list = groups.get(key) ?? [];
    list.push(e);
    groups.set(key, list);
  }
  const rules: { sort: string; rule: GeneratedRule }[] = [];
  for (const entries of groups.values()) {
    entries.sort((a, b) => compareText(a.sort, b.sort));
    const notes: RuleNote[] = [];
    const observed: ObservedConnection[] = [];
    for (const e of entries) {
      const conns = [...e.conns].sort(
        (a, b) =>
          PROTOCOL_ORDER[a.protocol] - PROTOCOL_ORDER[b.protocol] ||
          a.port - b.port ||
          compareEnds(a.src, b.src) ||
          compareEnds(a.dst, b.dst),
      );
      for (const c of conns) notes.push(observedNote(c, ctx));
      observed.push(...conns);
      if (e.aggregated !== undefined) {
        const { addresses, cidr, prefix } = e.aggregated;
        notes.push({ kind: 'aggregated', addresses: [...addresses], cidr, prefix });
      }
    }
    const node = entries[0]!.node;
    const nodeAddresses = [
      ...new Map(entries.flatMap((e) => e.nodeAddresses ?? []).map((b) => [b.cidr, b])).values(),
    ].sort((a, b) => compareText(a.cidr, b.cidr));
    rules.push({
      sort: entries[0]!.sort,
      rule: {
        peers: entries.flatMap((e) => e.peers),
        ports: sortPorts(entries[0]!.ports.values()),
        notes,
        observed,
        dns: false,
        ...(node === undefined
          ? {}
          : { nodeEntities: { entities: node.entities, ends: entries.flatMap((e) => e.node?.end ?? []) } }),
        ...(nodeAddresses.length === 0 ? {} : { nodeAddresses }),
      },
    });
  }
  rules.sort((a, b) => compareText(a.sort, b.sort));
  const out = rules.map((r) => r.rule);

  if (side.dnsRule) {
    if (side.direction === 'egress') {
      const seen = [...new Set(side.dns.map((c) => c.protocol))];
      const head: RuleNote = { kind: 'dns-egress', names: ctx.dnsNames, config: ctx.dnsConfig, seen };
      out.push({
        peers: ctx.dnsPeers.map(clonePeer),
        ports: DNS_PORTS.map((p) => ({ ...p })),
        notes: dnsNotes(side.dns, ctx, head),
        observed: [...side.dns],
        dns: true,
      });
    } else {
      const clients = [...side.dnsClients].sort((a, b) =>
        compareText(workloadSortKey(a), workloadSortKey(b)),
      );
      const everyone =
        ctx.options.mode !== 'fresh'
          ? undefined
          : ctx.options.allowDns
            ? ('allow-dns' as const)
            : ctx.options.tiers.includes('baseline')
              ? ('baseline' as const)
              : undefined;
      const peers: NetworkPolicyPeer[] =
        everyone !== undefined
          ? [{ namespaceSelector: {} }]
          : clients.map((id) => workloadPeer(ctx.workloads.get(id)!, ctx.selectors.get(id)!));
      out.push({
        peers,
        ports: DNS_PORTS.map((p) => ({ ...p })),
        notes: dnsNotes(side.dns, ctx, { kind: 'dns-ingress', everyone }),
        observed: [...side.dns],
        dns: true,
      });
    }
  }
  return out;
}

function clonePeer(p: NetworkPolicyPeer): NetworkPolicyPeer {
  return JSON.parse(JSON.stringify(p)) as NetworkPolicyPeer;
}

function buildPolicies(ctx: BuildContext): GeneratedPolicy[] {
  const { state, options } = ctx;
  const out: GeneratedPolicy[] = [];
  const taken = new Set(ctx.existingNames);
  const uniqueName = (namespace: string, base: string): string => {
    let candidate = base;
    if (options.mode === 'augment' && taken.has(`${namespace}/${candidate}`)) candidate = `${base}-observed`;
    for (let i = 2; taken.has(`${namespace}/${candidate}`); i++) candidate = `${base}-${i}`;
    taken.add(`${namespace}/${candidate}`);
    return candidate;
  };
  // Workload names that two kinds share in a namespace get the kind in their policy names.
  const nameCount = new Map<string, number>();
  for (const w of state.workloads)
    nameCount.set(`${w.namespace}/${w.name}`, (nameCount.get(`${w.namespace}/${w.name}`) ?? 0) + 1);
  const baseName = (w: WorkloadInfo): string =>
    nameCount.get(`${w.namespace}/${w.name}`) === 1 ? w.name : `${w.name}-${w.kind.toLowerCase()}`;

  const namespaces = [
    ...new Set(state.workloads.filter((w) => ctx.isSubject(w.id)).map((w) => w.namespace)),
  ].sort();
  for (const ns of namespaces) {
    // With --tier baseline, the Baseline policy is the default deny of every namespace.
    if (
      options.mode === 'fresh' &&
      !options.skipDefaultDeny.includes(ns) &&
      !options.tiers.includes('baseline')
    ) {
      out.push({
        namespace: ns,
        name: uniqueName(ns, 'default-deny'),
        kind: 'default-deny',
        matchLabels: {},
        rules: [],
        note: { kind: 'default-deny', namespace: ns },
      });
    }
    const subjects = state.workloads
      .filter((w) => w.namespace === ns && ctx.isSubject(w.id))
      .sort((a, b) => compareText(workloadSortKey(a.id), workloadSortKey(b.id)));
    for (const w of subjects) {
      const sel = ctx.selectors.get(w.id)!;
      for (const direction of ['ingress', 'egress'] as const) {
        const side = ctx.sides.get(`${direction} ${w.id}`);
        if (side === undefined || (side.peers.size === 0 && !side.dnsRule)) continue;
        const rules = buildRules(side, ctx);
        const note: PolicyNote = {
          kind: 'workload',
          direction,
          mode: options.mode,
          namespace: ns,
          name: w.name,
          workloadKind: w.kind,
          sharedWith: sel.exact
            ? undefined
            : sel.sharedWith.map((s) => ctx.name({ kind: 'workload', id: s })),
        };
        out.push({
          namespace: ns,
          name: uniqueName(ns, `${baseName(w)}-${direction}`),
          kind: direction,
          workload: w.id,
          matchLabels: { ...sel.matchLabels },
          rules,
          note,
        });
      }
    }
  }
  return out;
}
