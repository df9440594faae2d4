/**
 * Cilium's own policies (CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy; issue #17), compiled once into
 * matchers over the same pod classes and address classes as NetworkPolicies, and evaluated in the
 * NetworkPolicy layer of the tier walk (docs/design/cilium.md has the semantics and their sources):
 *
 * - Per class and direction: isolated when a NetworkPolicy isolates it or a Cilium rule set selecting it has
 *   `defaultDeny` in that direction. Then `L2 = (NetworkPolicy allows ∪ Cilium allows) \ Cilium denies`;
 *   otherwise everything not denied by a Cilium deny rule (nor by the Baseline tier) is allowed.
 * - Selectors match identity labels (`ciliumIdentityLabels`); host-network pods are never endpoints: never
 *   subjects, never matched by endpoint selectors (they are `host`/`remote-node`).
 * - CIDR rules match addresses outside the cluster only (`ciliumCidrMatchesInCluster`): not pod IPs, not
 *   node addresses (Cilium's default `policy-cidr-match-mode`).
 * - `toFQDNs` peers match no address: they are names (`domains`), as the tiers' `domainNames`.
 * - A `toPorts` entry with L7 rules allows at L4; `l7` keeps it so that outputs say "filtered at L7".
 *
 * Pure: no I/O.
 */
import {
  CILIUM_NAMESPACE_KEY,
  CiliumEntity,
  ciliumHostLabels,
  ciliumIdentityLabels,
  type CiliumL7,
  type CiliumPeerInfo,
  type CiliumPolicyInfo,
  type CiliumPortInfo,
  type CiliumRuleInfo,
  type CiliumSpecInfo,
} from '../model/cilium.ts';
import { PROTOCOLS, type LabelSelector, type Protocol } from '../model/k8s.ts';
import type { ClusterState } from '../model/cluster.ts';
import type { PodClass } from './classes.ts';
import { selectorKeys } from './classes.ts';
import type { ClassSet, CompiledPorts, Direction, EngineOptions, NamedPortRef } from './compile.ts';
import {
  ALL_CONNECTIONS,
  NO_PORTS,
  intersectPorts,
  isEmptyPorts,
  portSetOf,
  portsContain,
  subtractPorts,
  unionPorts,
  type PortSet,
} from './ports.ts';
import { Operator, compileSelector, selectorMatches, type CompiledSelector } from './selectors.ts';
import { hostCidr, nodeCidrs } from './tiers.ts';
import { ciliumServiceTargets, ciliumServicesResolve, type CiliumServicePeer } from './cilium-services.ts';
import type { AddressSpace } from './addresses.ts';
import { numbering } from '../base/numbering.ts';
import { nodeAddressClassesOf, nodePeers, type NodePlacement } from './own-node.ts';
import { cidrContainsCidr, parseCidr } from '../base/ip.ts';
import {
  AdditiveMap,
  NOTHING,
  accessOfMap,
  isEmptyMap,
  ruleMatch,
  subtractMaps,
  unionMaps,
  type PeerMap,
  type TierContext,
} from './decisions.ts';
import type { Access } from './compile.ts';

/** The four rule lists of a Cilium rule set. */
export const CiliumList = {
  Ingress: 'ingress',
  IngressDeny: 'ingressDeny',
  Egress: 'egress',
  EgressDeny: 'egressDeny',
} as const;
export type CiliumList = (typeof CiliumList)[keyof typeof CiliumList];

export interface CompiledCiliumPeer {
  /** Position in the rule's normalized peers (`CiliumRuleInfo.peers`). */
  index: number;
  info: CiliumPeerInfo;
  /** Every pod (host-network ones too) and every address: `all`, or a rule with ports and no peer field. */
  everything: boolean;
  /** Pod classes matched (never `all`: explicit ids, ascending; host-network pod classes for node peers). */
  pods: ClassSet;
  /** Address classes matched. */
  addresses: readonly number[];
  /** DNS names (`toFQDNs`): no address is known statically. */
  domains: readonly string[];
  /**
   * `host` and `remote-node`, where pods' nodes are known (`own-node.ts`): what the peer is for a subject on
   * each node (its own node; the others). `pods`/`addresses` above stand for every node, for subjects whose
   * node is unknown. Read through `ciliumRuleFor`.
   */
  byNode?: ReadonlyMap<string, { pods: ClassSet; addresses: readonly number[] }>;
}

/** One `toPorts` entry with layer-7 rules: allowed at L4 on `ports`, then filtered by Cilium's proxy. */
export interface CompiledL7Entry {
  /** Index in the rule's `toPorts`. */
  index: number;
  kind: CiliumL7;
  ports: CompiledPorts;
  /** A `dns` entry's names and patterns (`matchName`, `matchPattern`), lower case, without the final dot. */
  dns: readonly string[];
}

export interface CompiledCiliumRule {
  direction: Direction;
  list: CiliumList;
  deny: boolean;
  /** Position in its list (`ingressDeny[index]`). */
  index: number;
  info: CiliumRuleInfo;
  peers: readonly CompiledCiliumPeer[];
  /** Every port the rule's `toPorts` name (named ports per protocol); `any` without `toPorts`. */
  ports: CompiledPorts;
  /** The `toPorts` entries with L7 rules (allow rules only; a deny rule cannot have them). */
  l7: readonly CompiledL7Entry[];
  /**
   * The ports the rule allows at L4 alone: its `toPorts` entries without L7 rules, or every port for a rule
   * without `toPorts` (an L3-only rule). On those ports, from the rule's peers, L7 rules of other allows
   * have no effect (Cilium wildcards them at L7: `wildcardL3L4Rule` in `pkg/policy/rule.go`).
   */
  l4Only: CompiledPorts;
}

export interface CompiledCiliumSpec {
  /** Position in `compiled.cilium.specs`. */
  index: number;
  /** Position of its policy in `state.ciliumPolicies`. */
  policy: number;
  info: CiliumSpecInfo;
  /** Pod classes the rule set selects (never host-network pods), ascending. */
  selected: readonly number[];
  ingress: readonly CompiledCiliumRule[];
  ingressDeny: readonly CompiledCiliumRule[];
  egress: readonly CompiledCiliumRule[];
  egressDeny: readonly CompiledCiliumRule[];
}

export interface CompiledCilium {
  readonly policies: readonly CiliumPolicyInfo[];
  /** Every rule set of every policy, policy by policy. */
  readonly specs: readonly CompiledCiliumSpec[];
  /** The rule sets selecting each class (ascending). */
  readonly ofClass: readonly (readonly number[])[];
  /** The address classes outside the cluster (`world`): every one but the node addresses. */
  readonly world: readonly number[];
}

/**
 * Whether Cilium's CIDR rules match addresses inside the cluster: pod IPs (`pods`) and node addresses
 * (`nodes`). Cilium's default (`policy-cidr-match-mode` empty) is neither: a CIDR rule selects only the
 * `world` (and `cidr:`) identities, so it never matches a pod or a node even when their IPs are inside it.
 * Under the `cilium` CNI profile (`--cni cilium`, `--cni-option policy-cidr-match-mode=nodes,pods`), its
 * settings say; under any other profile, Cilium's default (these are Cilium's own policies).
 */
export function ciliumCidrMatchesInCluster(options: EngineOptions): { pods: boolean; nodes: boolean } {
  const cni = options.cni;
  if (cni === undefined || cni.cni !== 'cilium') return { pods: false, nodes: false };
  return { pods: cni.settings.cidrMatchesPods, nodes: cni.settings.cidrMatchesNodes };
}

/**
 * Whether host policies (CiliumClusterwideNetworkPolicy rule sets with `nodeSelector`) apply: only with Cilium's
 * host firewall on (`--cni cilium --cni-option enable-host-firewall=true`, or read from `cilium-config` by
 * `--cni auto`). Cilium's default is off, and then the agent enforces no host policy.
 */
export function ciliumHostFirewall(options: EngineOptions): boolean {
  return options.cni?.settings.hostFirewall === true;
}

/** Whether a rule list is a deny list, and its direction. */
export function listDirection(list: CiliumList): Direction {
  return list === CiliumList.Ingress || list === CiliumList.IngressDeny ? 'ingress' : 'egress';
}

const ALLOW_LISTS = { ingress: CiliumList.Ingress, egress: CiliumList.Egress } as const;
const DENY_LISTS = { ingress: CiliumList.IngressDeny, egress: CiliumList.EgressDeny } as const;

/** Pod label keys Cilium selectors read (endpoint selectors, and the selectors of services `toServices` names). */
export function ciliumSelectorLabelKeys(state: ClusterState, into: Set<string>): void {
  if (state.ciliumPolicies.length === 0) return;
  for (const p of state.ciliumPolicies) {
    for (const spec of p.specs) {
      if (spec.subject.kind === 'endpoints') selectorKeys(spec.subject.selector, into);
      for (const rule of [...spec.ingress, ...spec.ingressDeny, ...spec.egress, ...spec.egressDeny]) {
        for (const peer of rule.peers) if (peer.kind === 'endpoints') selectorKeys(peer.selector, into);
      }
    }
  }
  for (const s of state.services) for (const key of Object.keys(s.spec.selector ?? {})) into.add(key);
}

/**
 * The CIDRs the address space must be split at for Cilium policies, so that a count means what it means without
 * them (docs/cilium.md, "Counts"): the outside stays one address class, as for NetworkPolicies, unless a
 * peer tells its parts apart. So the CIDRs are:
 *
 * - the policies' CIDRs and excepts (as an ipBlock's);
 * - both roots (every address class then has one family) only when a peer is `world-ipv4` or `world-ipv6`,
 *   as an ipBlock naming `0.0.0.0/0` splits them;
 * - every node address only when some peer or subject sets node addresses apart from the rest: `world`
 *   (nodes are not `world`), `cluster`, `host`, `remote-node`, a `nodeSelector` peer or subject, or a CIDR
 *   peer holding a node address (by default CIDR rules do not match nodes).
 */
export function ciliumMentionedCidrs(state: ClusterState): string[] {
  if (state.ciliumPolicies.length === 0) return [];
  return [...ciliumPeerCidrs(state, state.ciliumPolicies), ...ciliumSplitCidrs(state)];
}

/** The CIDRs `ciliumMentionedCidrs` adds beside the peers' own: both roots, node addresses (`ciliumSpaceSplits`). */
export function ciliumSplitCidrs(state: ClusterState): string[] {
  if (state.ciliumPolicies.length === 0) return [];
  const splits = ciliumSpaceSplits(state);
  return [
    ...(splits.families ? ['0.0.0.0/0', '::/0'] : []),
    ...(splits.nodes ? nodeAddressCidrs(state) : []),
  ];
}

/** Every node address, as a CIDR of one address. */
function nodeAddressCidrs(state: ClusterState): string[] {
  return state.nodes.flatMap((n) => n.addresses.flatMap((a) => hostCidr(a) ?? []));
}

/**
 * Whether the Cilium policies set the outside's families apart (`families`: a `world-ipv4`/`world-ipv6`
 * peer) and the node addresses apart from the rest (`nodes`), as `ciliumMentionedCidrs` splits the address
 * space; an edit that changes either changes the space (the incremental engine recompiles).
 */
export function ciliumSpaceSplits(state: ClusterState): { families: boolean; nodes: boolean } {
  let families = false;
  let nodes = false;
  let nodeCidrs: string[] | undefined;
  for (const p of state.ciliumPolicies) {
    for (const spec of p.specs) {
      if (spec.subject.kind === 'nodes') nodes = true;
      for (const rule of [...spec.ingress, ...spec.ingressDeny, ...spec.egress, ...spec.egressDeny]) {
        for (const peer of rule.peers) {
          if (peer.kind === 'cidr')
            nodes ||= (nodeCidrs ??= nodeAddressCidrs(state)).some((a) =>
              blockHolds(peer.cidr, peer.except, a),
            );
          else if (peer.kind === 'nodes') nodes = true;
          else if (peer.kind === 'entity') {
            families ||= FAMILY_ENTITIES.has(peer.entity);
            nodes ||= NODE_ENTITIES.has(peer.entity);
          }
        }
      }
    }
  }
  return { families, nodes };
}

/**
 * The CIDRs and excepts of the policies' CIDR peers, and the backend addresses of the Services without a
 * selector their `toServices` name (what their edits add to the address space).
 */
export function ciliumPeerCidrs(state: ClusterState, policies: readonly CiliumPolicyInfo[]): string[] {
  const out: string[] = [];
  for (const p of policies) {
    for (const spec of p.specs) {
      for (const rule of [...spec.ingress, ...spec.ingressDeny, ...spec.egress, ...spec.egressDeny]) {
        for (const peer of rule.peers) {
          if (peer.kind === 'cidr') out.push(peer.cidr, ...peer.except);
          else if (peer.kind === 'service' || peer.kind === 'serviceSelector') {
            for (const t of ciliumServiceTargets(state, peer)) {
              for (const a of t.backends ?? []) {
                const cidr = hostCidr(a);
                if (cidr !== undefined) out.push(cidr);
              }
            }
          }
        }
      }
    }
  }
  return out;
}

/** Entities whose addresses are one family of the outside. */
const FAMILY_ENTITIES: ReadonlySet<CiliumEntity> = new Set([CiliumEntity.WorldIpv4, CiliumEntity.WorldIpv6]);

/** Entities that hold node addresses apart from the outside (in or out). */
const NODE_ENTITIES: ReadonlySet<CiliumEntity> = new Set([
  CiliumEntity.World,
  CiliumEntity.WorldIpv4,
  CiliumEntity.WorldIpv6,
  CiliumEntity.Cluster,
  CiliumEntity.ClusterMesh,
  CiliumEntity.Host,
  CiliumEntity.RemoteNode,
]);

/** Whether the address CIDR `host` lies in `cidr` and outside every `except` (unparsable ones: no). */
export function blockHolds(cidr: string, except: readonly string[], host: string): boolean {
  const h = parseCidr(host);
  const c = parseCidr(cidr);
  if (!h.ok || !c.ok || !cidrContainsCidr(c.cidr, h.cidr)) return false;
  return except.every((e) => {
    const x = parseCidr(e);
    return !x.ok || !cidrContainsCidr(x.cidr, h.cidr);
  });
}

/** What compiling Cilium policies needs of the policy compiler (implemented by `PolicyCompiler`). */
export interface CiliumContext {
  readonly state: ClusterState;
  readonly options: EngineOptions;
  readonly classes: readonly PodClass[];
  readonly space: AddressSpace;
  readonly namespaceLabels: ReadonlyMap<string, Readonly<Record<string, string>>>;
  readonly classesAtAddress: ReadonlyMap<number, readonly number[]>;
  /** Where pods run, when known: `host` is then the subject's own node, `remote-node` the others. */
  readonly placement: NodePlacement | undefined;
}

/** A class's identity labels (`ciliumIdentityLabels`), with its service account and the profile's cluster name. */
export function ciliumClassIdentity(
  cls: PodClass,
  namespaceLabels: Readonly<Record<string, string>>,
  options: EngineOptions,
): Record<string, string> {
  return ciliumIdentityLabels(cls.labels, cls.namespace, namespaceLabels, {
    serviceAccount: cls.serviceAccount,
    clusterName: options.cni?.settings.clusterName,
  });
}

/** Compiles every Cilium policy of the state against the classes of `ctx`. */
export function compileCilium(ctx: CiliumContext): CompiledCilium {
  const policies = ctx.state.ciliumPolicies;
  if (policies.length === 0) return { policies, specs: [], ofClass: ctx.classes.map(() => []), world: [] };
  const compiler = ciliumSpecCompiler(ctx);
  const specs: CompiledCiliumSpec[] = [];
  policies.forEach((policy, p) => specs.push(...compiler.compile(policy, p, specs.length)));
  const ofClass: number[][] = ctx.classes.map(() => []);
  for (const s of specs) for (const id of s.selected) ofClass[id]!.push(s.index);
  return { policies, specs, ofClass, world: compiler.world };
}

/** Compiles Cilium policies one at a time against the classes of `ctx` (`ciliumSpecCompiler`). */
export interface CiliumSpecCompiler {
  /** The rule sets of `policy` (at position `p` in `state.ciliumPolicies`), numbered from `first`. */
  compile(policy: CiliumPolicyInfo, p: number, first: number): CompiledCiliumSpec[];
  /** `CompiledCilium.world`. */
  readonly world: readonly number[];
}

/**
 * A compiler of Cilium policies with memoized endpoint selectors: `compileCilium` uses it once, the
 * incremental engine keeps it and compiles edited policies with it.
 */
export function ciliumSpecCompiler(ctx: CiliumContext): CiliumSpecCompiler {
  const peers = new CiliumPeers(ctx);
  const reading = ciliumPortReading(ctx.options);
  return {
    world: peers.world(undefined),
    compile: (policy, p, first) =>
      policy.specs.map((info, i) => {
        const rules = (list: CiliumList): CompiledCiliumRule[] =>
          info[list].map((rule) =>
            compileRule(peers, list, rule, reading, (r) => writtenEntries(policy, info.path, list, r)),
          );
        return {
          index: first + i,
          policy: p,
          info: ciliumDefaultDenyReading(info, ctx.options),
          // A host policy (`nodeSelector`) applies to the selected nodes' host namespace, host-network pods
          // included, and only where the host firewall is on.
          selected:
            info.subject.kind === 'endpoints'
              ? peers.endpoints(info.subject.selector)
              : ciliumHostFirewall(ctx.options)
                ? peers.hosts(info.subject.selector)
                : [],
          ingress: rules(CiliumList.Ingress),
          ingressDeny: rules(CiliumList.IngressDeny),
          egress: rules(CiliumList.Egress),
          egressDeny: rules(CiliumList.EgressDeny),
        };
      }),
  };
}

/** A rule set as the profile reads it: `enableDefaultDeny` ignored where Cilium does not have or honour it. */
function ciliumDefaultDenyReading(info: CiliumSpecInfo, options: EngineOptions): CiliumSpecInfo {
  return options.cni?.settings.enableDefaultDeny === false
    ? { ...info, defaultDeny: info.defaultDenyByRules }
    : info;
}

/** The `rules.dns` selectors of one `toPorts` entry of the object as written (`matchName`, `matchPattern`). */
function dnsSelectorsOf(entry: unknown): string[] {
  const dns = (entry as { rules?: { dns?: unknown } } | undefined)?.rules?.dns;
  if (!Array.isArray(dns)) return [];
  const out: string[] = [];
  for (const d of dns as { matchName?: unknown; matchPattern?: unknown }[]) {
    for (const v of [d.matchName, d.matchPattern])
      if (typeof v === 'string' && v !== '') out.push(v.toLowerCase().replace(/\.$/, ''));
  }
  return out;
}

/** The `toPorts` entries of rule `index` of list `list` of the rule set at `path` of the object as written. */
function writtenEntries(
  policy: CiliumPolicyInfo,
  path: CiliumSpecInfo['path'],
  list: CiliumList,
  index: number,
): unknown[] {
  let node: unknown = policy.object;
  for (const key of [...path, list, index, 'toPorts'])
    node = (node as Record<string | number, unknown> | undefined)?.[key];
  return Array.isArray(node) ? node : [];
}

function compileRule(
  peers: CiliumPeers,
  list: CiliumList,
  rule: CiliumRuleInfo,
  reading: CiliumPortReading,
  written: (index: number) => unknown[],
): CompiledCiliumRule {
  const deny = list === CiliumList.IngressDeny || list === CiliumList.EgressDeny;
  const entries = rule.ports ?? [];
  const compilePorts = (ports: readonly CiliumPortInfo[]): CompiledPorts =>
    compileCiliumPorts(ports, reading);
  return {
    direction: listDirection(list),
    list,
    deny,
    index: rule.index,
    info: rule,
    peers: compilePeers(peers, list, rule),
    ports:
      rule.ports === undefined
        ? { any: true, numeric: ALL_CONNECTIONS, named: [] }
        : mergePorts(entries.map((e) => compilePorts(e.ports))),
    l7: deny
      ? []
      : entries.flatMap((e) =>
          e.l7 === undefined
            ? []
            : [
                {
                  index: e.index,
                  kind: e.l7,
                  ports: compilePorts(e.ports),
                  dns: e.l7 === 'dns' ? dnsSelectorsOf(written(rule.index)[e.index]) : [],
                },
              ],
        ),
    l4Only:
      rule.ports === undefined
        ? { any: true, numeric: ALL_CONNECTIONS, named: [] }
        : mergePorts(entries.filter((e) => e.l7 === undefined).map((e) => compilePorts(e.ports))),
  };
}

/**
 * A rule's peers. `toServices` is resolved only in `egress` rules (the agent's `processRule` walks
 * `rule.Egress` alone), into `toEndpoints` and `toCIDRSet` entries beside it. A rule whose `toServices`
 * resolves to no entry (no Service selected, none with a selector or backends; always in `egressDeny`) has no
 * peer left: with `toPorts` (or `icmps`) Cilium applies it to every peer (`pkg/policy/l4.go` `createL4Filter`:
 * an empty L3 is the wildcard selector; cilium/cilium#20067), without them to none.
 */
function compilePeers(peers: CiliumPeers, list: CiliumList, rule: CiliumRuleInfo): CompiledCiliumPeer[] {
  const compiled = rule.peers.map((info, i) => peers.compile(info, i));
  const services = rule.peers.filter(
    (p): p is CiliumServicePeer => p.kind === 'service' || p.kind === 'serviceSelector',
  );
  if (services.length === 0 || services.length !== rule.peers.length) return compiled;
  const resolved =
    list === CiliumList.Egress &&
    ciliumServicesResolve(services.flatMap((p) => ciliumServiceTargets(peers.state, p)));
  if (resolved) return compiled;
  const none = { all: false, ids: [] } as const;
  return compiled.map((p) => ({ ...p, everything: rule.ports !== undefined, pods: none, addresses: [] }));
}

/**
 * How the CNI profile reads a Cilium port entry: whether SCTP is enforced (Cilium's `enable-sctp`; without
 * it `SCTP` entries allow nothing and `ANY` is TCP and UDP) and whether `endPort` makes a range (Cilium ≥ 1.16;
 * before, the CRD had no `endPort` field and only `port` counted).
 */
export interface CiliumPortReading {
  sctp: boolean;
  endPortRange: boolean;
}

/** The port reading of `options`' CNI profile; without one (upstream), SCTP and ranges. */
export function ciliumPortReading(options: EngineOptions): CiliumPortReading {
  const s = options.cni?.settings;
  return { sctp: s?.sctp ?? true, endPortRange: s === undefined || s.endPort === 'range' };
}

const UPSTREAM_READING: CiliumPortReading = { sctp: true, endPortRange: true };

/**
 * The protocols a Cilium `protocol` word stands for among TCP/UDP/SCTP: `ANY` all three (SCTP only where
 * SCTP is enforced), ICMP… none.
 */
export function ciliumProtocols(
  word: string,
  reading: CiliumPortReading = UPSTREAM_READING,
): readonly Protocol[] {
  const upper = word.toUpperCase();
  const protocols = reading.sctp ? PROTOCOLS : PROTOCOLS.filter((p) => p !== 'SCTP');
  if (upper === 'ANY') return protocols;
  return (protocols as readonly string[]).includes(upper) ? [upper as Protocol] : [];
}

/** One `toPorts` entry's `ports` (empty: every port of every protocol). */
export function compileCiliumPorts(
  ports: readonly CiliumPortInfo[],
  reading: CiliumPortReading = UPSTREAM_READING,
): CompiledPorts {
  if (ports.length === 0) return { any: true, numeric: ALL_CONNECTIONS, named: [] };
  let numeric: PortSet = NO_PORTS;
  const named: NamedPortRef[] = [];
  for (const p of ports) {
    for (const protocol of ciliumProtocols(p.protocol, reading)) {
      if (p.kind === 'range') {
        // Without ranges, a `port` with an `endPort` is that port alone (1–65535 is port 0: every port).
        const every = p.start === 1 && p.end === 65535;
        const end = reading.endPortRange || every ? p.end : p.start;
        numeric = unionPorts(numeric, portSetOf(protocol, [p.start, end]));
      } else named.push({ name: p.name, protocol });
    }
  }
  return { any: false, numeric, named };
}

function mergePorts(list: readonly CompiledPorts[]): CompiledPorts {
  let numeric: PortSet = NO_PORTS;
  const named: NamedPortRef[] = [];
  for (const p of list) {
    numeric = unionPorts(numeric, p.numeric);
    named.push(...p.named);
  }
  return { any: false, numeric, named };
}

/** Resolves Cilium peers to pod classes and address classes, with memoized endpoint selectors. */
class CiliumPeers {
  readonly #ctx: CiliumContext;
  readonly #memo = new Map<string, readonly number[]>();
  readonly #identity: (Record<string, string> | undefined)[] = [];
  #hostPods: readonly number[] | undefined;

  constructor(ctx: CiliumContext) {
    this.#ctx = ctx;
  }

  get state(): ClusterState {
    return this.#ctx.state;
  }

  #labels(cls: PodClass): Record<string, string> {
    return (this.#identity[cls.id] ??= ciliumClassIdentity(
      cls,
      this.#ctx.namespaceLabels.get(cls.namespace) ?? {},
      this.#ctx.options,
    ));
  }

  /** Classes of endpoints (pods that are not host-network) whose identity labels the selector matches. */
  endpoints(selector: LabelSelector): readonly number[] {
    const sel = compileSelector(selector);
    let out = this.#memo.get(sel.key);
    if (out === undefined) {
      out = this.#candidates(sel).filter((id) => selectorMatches(sel, this.#labels(this.#ctx.classes[id]!)));
      this.#memo.set(sel.key, out);
    }
    return out;
  }

  /** Endpoint classes by identity label: key → value → class ids, ascending (built on first use). */
  #index: Map<string, Map<string, number[]>> | undefined;
  #endpointIds: readonly number[] | undefined;

  /**
   * The endpoint classes a selector can match, ascending: those with the value of its narrowest `In`
   * requirement (the one with the fewest classes), or every endpoint class when it has none. So a selector is
   * tried on the classes sharing one of its labels, not on every class.
   */
  #candidates(sel: CompiledSelector): readonly number[] {
    if (this.#index === undefined) {
      const index = new Map<string, Map<string, number[]>>();
      const ids: number[] = [];
      for (const cls of this.#ctx.classes) {
        if (cls.hostNetworkPod) continue;
        ids.push(cls.id);
        for (const [k, v] of Object.entries(this.#labels(cls))) {
          let values = index.get(k);
          if (values === undefined) index.set(k, (values = new Map<string, number[]>()));
          const list = values.get(v);
          if (list === undefined) values.set(v, [cls.id]);
          else list.push(cls.id);
        }
      }
      this.#index = index;
      this.#endpointIds = ids;
    }
    let best: readonly number[] = this.#endpointIds!;
    for (const r of sel.requirements) {
      if (r.operator !== Operator.In) continue;
      const values = this.#index.get(r.key);
      const lists = r.values.map((v) => values?.get(v) ?? []);
      const size = lists.reduce((n, l) => n + l.length, 0);
      if (size >= best.length) continue;
      best = lists.length === 1 ? lists[0]! : [...new Set(lists.flat())].sort((a, b) => a - b);
    }
    return best;
  }

  /**
   * The address classes made of node addresses alone (`nodeAddressClasses`). A class a node address shares
   * with outside addresses is partly `world`: not a node address class (so `world` keeps it, and no CIDR peer
   * holds it: it would split them).
   */
  nodeAddresses(): ReadonlyMap<number, readonly string[]> {
    return nodeAddressClassesOf(this.#ctx.space, this.#ctx.state.nodes);
  }

  /**
   * The classes of host-network pods on the nodes whose host endpoint a host policy's `nodeSelector` selects
   * (`ciliumHostLabels`): those at one of the node's addresses. A host-network pod whose IP is not known is on
   * no known node.
   */
  hosts(selector: LabelSelector): number[] {
    const sel = compileSelector(selector);
    const ctx = this.#ctx;
    const at = new Set<string>();
    for (const node of ctx.state.nodes) {
      if (!selectorMatches(sel, ciliumHostLabels(node.labels))) continue;
      for (const a of node.addresses) at.add(hostCidr(a) ?? a);
    }
    if (at.size === 0) return [];
    return this.hostPods().filter((id) =>
      ctx.classes[id]!.pods.some((p) => p.ips.some((ip) => at.has(hostCidr(ip) ?? ip))),
    );
  }

  /** Classes of host-network pods. */
  hostPods(): readonly number[] {
    return (this.#hostPods ??= this.#ctx.classes.filter((c) => c.hostNetworkPod).map((c) => c.id));
  }

  /** Address classes outside the cluster (all but those of node addresses alone), of one family or both. */
  world(family: 4 | 6 | undefined): number[] {
    const nodes = this.nodeAddresses();
    return this.#ctx.space.classes
      .filter((a) => !nodes.has(a.id) && (family === undefined || a.nodes[0]?.family === family))
      .map((a) => a.id);
  }

  /**
   * `host` (`own`) or `remote-node` for a subject on each known node: that node's addresses and host-network
   * pods, or every other node's; host-network pods whose node is unknown are in both (they may be on it).
   */
  #byNode(own: boolean): Map<string, { pods: ClassSet; addresses: readonly number[] }> | undefined {
    const placement = this.#ctx.placement;
    if (placement === undefined) return undefined;
    const out = new Map<string, { pods: ClassSet; addresses: readonly number[] }>();
    const nodes = [...placement.addresses.keys()];
    const unknown = this.hostPods().filter((id) => this.#ctx.classes[id]!.node === undefined);
    for (const node of nodes) {
      const pods = new Set(unknown);
      const addresses = new Set<number>();
      for (const other of nodes) {
        if ((other === node) !== own) continue;
        const peers = nodePeers(this.#ctx, other);
        for (const id of peers.pods) pods.add(id);
        for (const a of peers.addresses) addresses.add(a);
      }
      // An address of the subject's node is `host`, even where another Node lists it too.
      if (!own) for (const a of nodePeers(this.#ctx, node).addresses) addresses.delete(a);
      out.set(node, {
        pods: { all: false, ids: [...pods].sort((a, b) => a - b) },
        addresses: [...addresses].sort((a, b) => a - b),
      });
    }
    return out;
  }

  compile(info: CiliumPeerInfo, index: number): CompiledCiliumPeer {
    const base = { index, info, everything: false, domains: [] as readonly string[] };
    const of = (pods: readonly number[], addresses: readonly number[]): CompiledCiliumPeer => ({
      ...base,
      pods: { all: false, ids: [...new Set(pods)].sort((a, b) => a - b) },
      addresses: [...new Set(addresses)].sort((a, b) => a - b),
    });
    const ctx = this.#ctx;
    switch (info.kind) {
      case 'endpoints':
        return of(this.endpoints(info.selector), []);
      case 'nodes': {
        // The selected nodes' addresses, and the host-network pods known to be at one of them.
        const addresses = nodeCidrs(ctx.state, info.selector).flatMap((c) => ctx.space.classesOfBlock(c, []));
        const pods = addresses.flatMap((a) =>
          (ctx.classesAtAddress.get(a) ?? []).filter((id) => ctx.classes[id]!.hostNetworkPod),
        );
        return of(pods, addresses);
      }
      case 'cidr': {
        const inCluster = ciliumCidrMatchesInCluster(ctx.options);
        const nodes = this.nodeAddresses();
        const block = ctx.space.classesOfBlock(info.cidr, info.except);
        const addresses = inCluster.nodes ? block : block.filter((a) => !nodes.has(a));
        const pods = inCluster.pods
          ? block.flatMap((a) =>
              (ctx.classesAtAddress.get(a) ?? []).filter((id) => !ctx.classes[id]!.hostNetworkPod),
            )
          : [];
        const hostPods = inCluster.nodes
          ? block.flatMap((a) =>
              (ctx.classesAtAddress.get(a) ?? []).filter((id) => ctx.classes[id]!.hostNetworkPod),
            )
          : [];
        return of([...pods, ...hostPods], addresses);
      }
      case 'entity':
        return this.#entity(info.entity, of, base);
      case 'service':
      case 'serviceSelector':
        return this.#service(info, index, of);
      case 'fqdn':
        return { ...of([], []), domains: [info.name] };
      case 'fqdnPattern':
        return { ...of([], []), domains: [info.pattern] };
      case 'anyPeer':
        return { ...of([], []), everything: true };
      case 'unsupported':
        // Unsupported fields are warned about by the parser.
        return of([], []);
    }
  }

  /**
   * A `toServices` peer of an egress allow rule (cilium-services.ts): the pods a selected Service's selector
   * matches in its namespace (as any endpoint selector: never host-network pods), and the backend addresses
   * of one without a selector, each read as a `toCIDRSet` entry (so outside addresses only, unless
   * `policy-cidr-match-mode` says otherwise).
   */
  #service(
    info: CiliumServicePeer,
    index: number,
    of: (pods: readonly number[], addresses: readonly number[]) => CompiledCiliumPeer,
  ): CompiledCiliumPeer {
    const pods: number[] = [];
    const addresses: number[] = [];
    for (const t of ciliumServiceTargets(this.#ctx.state, info)) {
      if (t.selector !== undefined) {
        const selector = { matchLabels: { ...t.selector, [CILIUM_NAMESPACE_KEY]: t.service.namespace } };
        pods.push(...this.endpoints(selector));
        continue;
      }
      for (const address of t.backends) {
        const cidr = hostCidr(address);
        if (cidr === undefined) continue;
        const peer = this.compile({ kind: 'cidr', cidr, except: [] }, index);
        if (!peer.pods.all) pods.push(...peer.pods.ids);
        addresses.push(...peer.addresses);
      }
    }
    return of(pods, addresses);
  }

  #entity(
    entity: CiliumEntity,
    of: (pods: readonly number[], addresses: readonly number[]) => CompiledCiliumPeer,
    base: Omit<CompiledCiliumPeer, 'pods' | 'addresses'>,
  ): CompiledCiliumPeer {
    switch (entity) {
      case CiliumEntity.All:
        return { ...of([], []), ...base, everything: true };
      case CiliumEntity.World:
        return of([], this.world(undefined));
      case CiliumEntity.WorldIpv4:
        return of([], this.world(4));
      case CiliumEntity.WorldIpv6:
        return of([], this.world(6));
      case CiliumEntity.Cluster:
      case CiliumEntity.ClusterMesh:
        // (`cluster-mesh`: every cluster of the mesh; netfence sees one.) Every pod, and the nodes (host, remote-node) with their host-network pods.
        return of(
          this.#ctx.classes.map((c) => c.id),
          [...this.nodeAddresses().keys()],
        );
      case CiliumEntity.Host:
      case CiliumEntity.RemoteNode: {
        // For a subject whose node is unknown, `host` and `remote-node` both stand for every node; where
        // pods' nodes are known, `byNode` has what each is for a subject on each node.
        const peer = of(this.hostPods(), [...this.nodeAddresses().keys()]);
        const byNode = this.#byNode(entity === CiliumEntity.Host);
        return byNode === undefined ? peer : { ...peer, byNode };
      }
      case CiliumEntity.KubeApiserver:
      case CiliumEntity.Health:
      case CiliumEntity.Init:
      case CiliumEntity.Ingress:
      case CiliumEntity.Unmanaged:
      case CiliumEntity.None:
        // Identities of no endpoint netfence models (see docs/design/cilium.md): nothing.
        return of([], []);
    }
  }
}

/** What one class's Cilium rule sets say in one direction. */
export interface CiliumLayer {
  /** A rule set selecting the class puts it in default deny in this direction. */
  isolated: boolean;
  allow: PeerMap;
  deny: PeerMap;
}

/** Named ports of ingress rules resolve against the subject (the destination). */
function ciliumPortsTowards(rule: { ports: CompiledPorts }, cls: PodClass): PortSet {
  let out = rule.ports.numeric;
  for (const n of rule.ports.named) {
    for (const np of cls.namedPorts) {
      if (np.name === n.name && np.protocol === n.protocol)
        out = unionPorts(out, portSetOf(n.protocol, [np.port, np.port]));
    }
  }
  return out;
}

/** The allow and deny maps of the rule sets `specs` (all selecting `subject`) in one direction. */
export function ciliumLayer(
  ctx: TierContext,
  specs: readonly CompiledCiliumSpec[],
  direction: Direction,
  subject: PodClass,
): CiliumLayer {
  // (No module-level constant: decisions.ts and this file import each other through compile.ts.)
  if (specs.length === 0) return { isolated: false, allow: NOTHING, deny: NOTHING };
  const { classes } = ctx;
  let allow = NOTHING;
  let deny = NOTHING;
  let isolated = false;
  for (const s of specs) {
    isolated ||= s.info.defaultDeny[direction];
    for (const rule of s[ALLOW_LISTS[direction]])
      allow = unionMaps(classes, allow, ciliumRuleMatch(ctx, rule, subject));
    for (const rule of s[DENY_LISTS[direction]])
      deny = unionMaps(classes, deny, ciliumRuleMatch(ctx, rule, subject));
  }
  return { isolated, allow, deny };
}

const ruleMatches = new WeakMap<CompiledCiliumRule, { classes: readonly PodClass[]; map: PeerMap }>();

const rulesByNode = new WeakMap<CompiledCiliumRule, Map<string, CompiledCiliumRule>>();

/**
 * The rule as it reads for `subject` (the endpoint its rule set selects): with `host`/`remote-node` peers
 * taken for the subject's node when it is known (the same object for every subject on one node), else the
 * rule itself.
 */
export function ciliumRuleFor(rule: CompiledCiliumRule, subject: PodClass): CompiledCiliumRule {
  const node = subject.node;
  if (node === undefined || !rule.peers.some((p) => p.byNode !== undefined)) return rule;
  let byNode = rulesByNode.get(rule);
  if (byNode === undefined) rulesByNode.set(rule, (byNode = new Map<string, CompiledCiliumRule>()));
  let out = byNode.get(node);
  if (out === undefined) {
    const peers = rule.peers.map((p) => {
      const mine = p.byNode?.get(node);
      return mine === undefined ? p : { ...p, pods: mine.pods, addresses: mine.addresses };
    });
    out = { ...rule, peers };
    byNode.set(node, out);
  }
  return out;
}

/**
 * What a rule matches for `subject`, built once per rule when the subject does not change it (every rule but
 * an ingress rule with named ports, which resolve against the subject): rule sets selecting many classes
 * (a namespace's, a clusterwide one's) are not rebuilt per class.
 */
function ciliumRuleMatch(ctx: TierContext, given: CompiledCiliumRule, subject: PodClass): PeerMap {
  const rule = ciliumRuleFor(given, subject);
  if (rule.direction === 'ingress' && rule.ports.named.length > 0)
    return ruleMatch(ctx, rule, subject, ciliumPortsTowards);
  return memoMap(ruleMatches, rule, ctx, () => ruleMatch(ctx, rule, subject, ciliumPortsTowards));
}

/** `build()`, kept in `memo` under `key` for the classes of `ctx`. */
function memoMap<K extends object>(
  memo: WeakMap<K, { classes: readonly PodClass[]; map: PeerMap }>,
  key: K,
  ctx: TierContext,
  build: () => PeerMap,
): PeerMap {
  const known = memo.get(key);
  if (known !== undefined && known.classes === ctx.classes) return known.map;
  const map = build();
  memo.set(key, { classes: ctx.classes, map });
  return map;
}

const accessMaps = new WeakMap<Access, { classes: readonly PodClass[]; map: PeerMap }>();

/** A NetworkPolicy `Access` (no cuts) as a `PeerMap`, built once per `Access` (classes share them). */
function mapOfAccess(ctx: TierContext, access: Access): PeerMap {
  return memoMap(accessMaps, access, ctx, () => buildMapOfAccess(ctx, access));
}

function buildMapOfAccess(ctx: TierContext, access: Access): PeerMap {
  const b = new AdditiveMap();
  b.everything = access.everything;
  b.allPods = access.allPods;
  for (const [id, p] of access.pods) b.addPod(id, p);
  for (const [id, p] of access.addresses) b.addAddress(id, p);
  return b.build(ctx.classes);
}

/**
 * The NetworkPolicy layer of one class and direction with Cilium policies: `access` is what the tier walk
 * reads as "NetworkPolicies" (`(np ∪ allow) \ deny` when either kind isolates, else `np`); `deny` is what
 * Cilium denies of a class nothing isolates (the tier walk takes it out of the Baseline default).
 */
export function combineCilium(
  ctx: TierContext,
  np: Access,
  layer: CiliumLayer,
): { access: Access; deny: PeerMap } {
  if (!layer.isolated && !np.isolated)
    return { access: np, deny: isEmptyMap(layer.deny) ? NOTHING : layer.deny };
  if (layer.allow === NOTHING && layer.deny === NOTHING && !layer.isolated)
    return { access: np, deny: NOTHING };
  const { classes } = ctx;
  const base = np.isolated ? mapOfAccess(ctx, np) : NOTHING;
  const l2 = subtractMaps(classes, unionMaps(classes, base, layer.allow), layer.deny);
  return { access: accessOfMap(ctx, l2, true), deny: NOTHING };
}

/** The NetworkPolicy layers of every class (in `classIds`) in both directions, Cilium policies combined. */
export function applyCilium(
  ctx: TierContext,
  cilium: CompiledCilium,
  npIngress: (id: number) => Access,
  npEgress: (id: number) => Access,
  classIds: Iterable<number>,
  /** The directions to combine (the other's maps stay empty). */
  directions: readonly Direction[] = ['ingress', 'egress'],
  /** What traffic from a class's own node adds to its ingress allows (`own-node.ts`), if anything. */
  ownNode?: (cls: PodClass) => PeerMap | undefined,
): {
  ingress: Map<number, Access>;
  egress: Map<number, Access>;
  deny: { ingress: Map<number, PeerMap>; egress: Map<number, PeerMap> };
} {
  const out = {
    ingress: new Map<number, Access>(),
    egress: new Map<number, Access>(),
    deny: { ingress: new Map<number, PeerMap>(), egress: new Map<number, PeerMap>() },
  };
  const cache = new Map<string, { access: Access; deny: PeerMap }>();
  const accessId = numbering();
  for (const id of classIds) {
    const cls = ctx.classes[id]!;
    const specs = (cilium.ofClass[id] ?? []).map((i) => cilium.specs[i]!);
    for (const direction of directions) {
      const np = direction === 'ingress' ? npIngress(id) : npEgress(id);
      const mine = specs.filter(
        (s) =>
          s.info.defaultDeny[direction] ||
          s[ALLOW_LISTS[direction]].length > 0 ||
          s[DENY_LISTS[direction]].length > 0,
      );
      if (mine.length === 0) {
        out[direction].set(id, np);
        continue;
      }
      // Ingress named ports resolve against the class itself.
      const named =
        direction === 'ingress' &&
        mine.some((s) => s.ingress.concat(s.ingressDeny).some((r) => r.ports.named.length > 0));
      // Classes on different nodes read `host`, `remote-node` and their own node differently.
      const node = cls.node === undefined ? '' : `|n:${cls.node}`;
      const key = `${direction}|${mine.map((s) => s.index).join(',')}|${accessId(np)}${named ? `|${id}` : ''}${node}`;
      let result = cache.get(key);
      if (result === undefined) {
        const layer = ciliumLayer(ctx, mine, direction, cls);
        const own = direction === 'ingress' ? ownNode?.(cls) : undefined;
        if (own !== undefined) layer.allow = unionMaps(ctx.classes, layer.allow, own);
        result = combineCilium(ctx, np, layer);
        cache.set(key, result);
      }
      out[direction].set(id, result.access);
      if (result.deny !== NOTHING) out.deny[direction].set(id, result.deny);
    }
  }
  return out;
}

/** A domain a class may reach by DNS name through a Cilium `toFQDNs` egress allow rule. */
export interface CiliumDomainReach {
  domain: string;
  ports: PortSet;
  /** Position in `compiled.cilium.specs`. */
  spec: number;
  /** Index in the rule set's `egress`. */
  rule: number;
}

/** A `toFQDNs` name or pattern no DNS rule of the class lets the DNS proxy see: not reachable by name. */
export interface CiliumDomainUnseen {
  domain: string;
  spec: number;
  rule: number;
}

const DNS_CHARS = '-a-z0-9_';

/**
 * Cilium's `matchPattern` as a regular expression over lower-case names without the final dot
 * (`pkg/fqdn/matchpattern`): `*` alone (or `**`, `**.`) is every name; a leading `**.` is one or more labels;
 * any other `*` is any run of DNS characters within a label. `§` in a name stands for a `*` of a `toFQDNs`
 * pattern, `¶` for its leading `**.` labels: a DNS pattern covers them only through a wildcard of its own.
 */
function dnsPatternRegExp(pattern: string): RegExp {
  if (/^\*+\.?$/.test(pattern)) return /^/;
  const label = `[${DNS_CHARS}§]`;
  let rest = pattern;
  let head = '';
  if (rest.startsWith('**.')) {
    head = `(?:¶|${label}+(?:\\.${label}+)*)\\.`;
    rest = rest.slice(3);
  }
  const body = rest
    .split('')
    .map((c) => (c === '*' ? `${label}*` : c === '.' ? '\\.' : c.replace(/[\\^$+?()[\]{}|]/g, '\\$&')))
    .join('');
  return new RegExp(`^${head}${body}$`);
}

/** Whether a DNS rule selector (`matchName` or `matchPattern`) covers every name a `toFQDNs` name or pattern stands for. */
function dnsCovers(selector: string, domain: string): boolean {
  const name = domain.startsWith('**.')
    ? `¶.${domain.slice(3).replaceAll('*', '§')}`
    : domain.replaceAll('*', '§');
  return dnsPatternRegExp(selector).test(name);
}

/**
 * The DNS selectors of the DNS proxy for a class: the `dns` entries on port 53 (UDP or TCP) of the egress allow
 * rules of the rule sets selecting it. `toFQDNs` gets addresses only from lookups the proxy saw.
 */
function dnsProxySelectors(specs: readonly CompiledCiliumSpec[]): string[] {
  const out: string[] = [];
  for (const s of specs) {
    for (const rule of s.egress) {
      for (const entry of rule.l7) {
        if (entry.kind !== 'dns') continue;
        const ports = entry.ports.numeric;
        if (portsContain(ports, 'UDP', 53) || portsContain(ports, 'TCP', 53)) out.push(...entry.dns);
      }
    }
  }
  return out;
}

/**
 * The domains a class reaches by name through Cilium rules: each `toFQDNs` peer of an egress allow rule that
 * a DNS rule of the class covers (below), on the rule's numeric ports minus what the class's egress deny rules
 * deny towards every address outside the cluster (a name resolves to such an address; netfence does not know
 * which).
 *
 * A `toFQDNs` selector only gets the addresses of lookups Cilium's DNS proxy saw (`pkg/fqdn`: the proxy
 * "populates the lookup cache with IPs from allowed/successful DNS lookups"), and the proxy only sees the
 * lookups an egress L7 `dns` rule on port 53 sends to it: without one covering the name (its `matchName` or
 * `matchPattern`), the name is never resolved for policy and the rule allows nothing (`ciliumUnseenDomains`).
 */
export function ciliumDomainReach(
  ctx: TierContext,
  cilium: CompiledCilium,
  subject: PodClass,
): CiliumDomainReach[] {
  const specs = (cilium.ofClass[subject.id] ?? []).map((i) => cilium.specs[i]!);
  const names = fqdnPeers(specs).filter((n) => n.seen);
  if (names.length === 0) return [];
  const deny = ciliumLayer(ctx, specs, 'egress', subject).deny;
  const world = cilium.world;
  let deniedEverywhere: PortSet = world.length === 0 ? NO_PORTS : ALL_CONNECTIONS;
  for (const a of world)
    deniedEverywhere = intersectPorts(deniedEverywhere, deny.addressOverrides.get(a) ?? deny.host);
  const reach: CiliumDomainReach[] = [];
  for (const n of names) {
    const ports = subtractPorts(n.ports, deniedEverywhere);
    if (!isEmptyPorts(ports)) reach.push({ domain: n.domain, spec: n.spec, rule: n.rule, ports });
  }
  return reach;
}

/**
 * The `toFQDNs` names no DNS rule of class `classId` covers: not reachable by name (`ciliumDomainReach` leaves
 * them out; `explain` and lint's `require-cilium-dns-proxy-for-fqdn` name them).
 */
export function ciliumUnseenDomains(cilium: CompiledCilium, classId: number): CiliumDomainUnseen[] {
  const specs = (cilium.ofClass[classId] ?? []).map((i) => cilium.specs[i]!);
  return fqdnPeers(specs)
    .filter((n) => !n.seen)
    .map((n) => ({ domain: n.domain, spec: n.spec, rule: n.rule }));
}

/** Every `toFQDNs` name of the egress allow rules of `specs`, with whether a DNS rule of theirs covers it. */
function fqdnPeers(
  specs: readonly CompiledCiliumSpec[],
): { domain: string; spec: number; rule: number; ports: PortSet; seen: boolean }[] {
  if (!specs.some((s) => s.egress.some((r) => r.peers.some((p) => p.domains.length > 0)))) return [];
  const selectors = dnsProxySelectors(specs);
  const out: { domain: string; spec: number; rule: number; ports: PortSet; seen: boolean }[] = [];
  for (const s of specs) {
    for (const rule of s.egress) {
      for (const peer of rule.peers) {
        for (const domain of peer.domains) {
          const seen = selectors.some((sel) => dnsCovers(sel, domain));
          out.push({ domain, spec: s.index, rule: rule.index, ports: rule.ports.numeric, seen });
        }
      }
    }
  }
  return out;
}

/** The ports of a rule towards a destination class (named ports resolved against it). */
export function ciliumRulePortsTowards(ports: CompiledPorts, dst: PodClass | undefined): PortSet {
  return dst === undefined ? ports.numeric : ciliumPortsTowards({ ports }, dst);
}
