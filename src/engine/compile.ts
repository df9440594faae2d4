/**
 * Compile: policies into matchers over pod classes and address classes, once. Evaluation and explanation
 * both read these structures, so every verdict can name the policy and rule behind it.
 */
import {
  NAMESPACE_NAME_LABEL,
  type ClusterState,
  type NodeInfo,
  type PodInfo,
  type PolicyInfo,
} from '../model/cluster.ts';
import type { IPBlock, NetworkPolicyPeer, NetworkPolicyPort, Protocol } from '../model/k8s.ts';
import type { FieldPath } from '../model/problem.ts';
import { buildAddressSpace, type AddressSpace } from './addresses.ts';
import { cidrRulesMatchPod, type CniProfile, type CniSettings } from './profiles.ts';
import { buildClasses, podKey, selectorLabelKeys, type PodClass } from './classes.ts';
import {
  nodeAddressClassesOf,
  nodeOfPod,
  nodePlacement,
  ownNodeIngress,
  ownNodeMap,
  placementCidrs,
  withOwnNode,
  type NodePlacement,
} from './own-node.ts';
import {
  ALL_CONNECTIONS,
  ALL_PORTS,
  NO_PORTS,
  intersectPorts,
  isAllConnections,
  isEmptyPorts,
  portSetOf,
  subtractPorts,
  unionPorts,
  type PortSet,
} from './ports.ts';
import { compileSelector, selectorMatches, type CompiledSelector, type Requirement } from './selectors.ts';
import { lowerBound, sortedIncludes } from '../base/sorted.ts';
import { numbering } from '../base/numbering.ts';
import type { LabelSelector } from '../model/k8s.ts';
import {
  compileTierPolicy,
  hostCidr,
  tierMentionedCidrs,
  tierRanks,
  tierSelectorLabelKeys,
  tiersMatchAddresses,
  type CompiledTierPolicy,
  type CompiledTierRule,
  type TierPeerContext,
} from './tiers.ts';
import {
  AdditiveMap,
  classWalks,
  combineTiers,
  domainReach as tierDomainReach,
  unionMaps,
  type DomainReach,
  type PeerMap,
  type TierWalk,
} from './decisions.ts';
import {
  applyCilium,
  blockHolds,
  ciliumDomainReach,
  ciliumMentionedCidrs,
  ciliumSelectorLabelKeys,
  compileCilium,
  type CompiledCilium,
} from './cilium.ts';

/** One end of a connection: a pod of the cluster state, or an address outside the cluster. */
export type Endpoint = { kind: 'pod'; namespace: string; name: string } | { kind: 'ip'; ip: string };

export interface EngineOptions {
  /**
   * Whether `ipBlock` peers also match pods whose IPs are known, as the upstream conformance tests expect.
   * @default true
   */
  ipBlockMatchesPods: boolean;
  /**
   * How host-network pods are read. `exempt`: as most CNIs police them (not at all): no policy selects them,
   * and selector peers never match them (their traffic has the node's address). `policed`: the API read
   * literally, as ordinary pods (as netpol-analyzer does).
   * @default 'exempt'
   */
  hostNetworkPods?: HostNetworkPods;
  /**
   * Whether pod classes tell pods apart by all their labels instead of only those the policies' pod selectors
   * read: more classes, but a policy selecting on a label key no other policy reads fits the existing classes.
   * The incremental engine sets it, so that such a policy stays a local change.
   * @default false
   */
  classesByAllLabels?: boolean;
  /**
   * Called as the work advances on large clusters (a few hundred times at most), so that a command can show
   * progress. Not called for small clusters.
   * @default none
   */
  onProgress?: (progress: Progress) => void;
  /**
   * The CNI behaviour profile (profiles.ts): how `endPort`, SCTP and CIDR rules on node IPs are read. Its
   * settings also give `ipBlockMatchesPods` and `hostNetworkPods` (`cniEngineOptions`), which stay the ones
   * the engine reads for those two.
   * @default none: upstream (CIDR rules match node IPs as `ipBlockMatchesPods` says, endPort ranges, SCTP)
   */
  cni?: CniProfile;
}

/**
 * Whether `ipBlock` peers match pods of a class by their IPs: host-network pods (whose IP is their node's)
 * as the profile says of node IPs, other pods as `ipBlockMatchesPods` says. (A Node's own addresses:
 * `ipBlockMatchesNodeAddresses`.)
 */
export function ipBlockMatchesClass(options: EngineOptions, hostNetworkPod: boolean): boolean {
  if (options.cni === undefined) return options.ipBlockMatchesPods;
  return hostNetworkPod ? cidrRulesMatchPod(options.cni.settings, true) : options.ipBlockMatchesPods;
}

/**
 * Whether `ipBlock` peers match the addresses of the input's Nodes (traffic from a node, a pod's egress to
 * one): as the profile says of node IPs (Cilium by default: no, they are `host`/`remote-node`), always
 * without a profile.
 */
export function ipBlockMatchesNodeAddresses(options: EngineOptions): boolean {
  return options.cni?.settings.cidrMatchesNodes ?? true;
}

export const HostNetworkPods = { Exempt: 'exempt', Policed: 'policed' } as const;
export type HostNetworkPods = (typeof HostNetworkPods)[keyof typeof HostNetworkPods];

/** How far one phase of the work is: `done` of `total` items (policies, classes). */
export interface Progress {
  phase: 'policies' | 'access' | 'connections';
  done: number;
  total: number;
}

/** Reports `done` of `total` to `onProgress` about every 1% (and at the end), for at least 10,000 items. */
export function progressReporter(
  onProgress: ((progress: Progress) => void) | undefined,
  phase: Progress['phase'],
  total: number,
): (done: number) => void {
  if (onProgress === undefined || total < 10_000) return () => undefined;
  const step = Math.ceil(total / 100);
  let next = step;
  return (done) => {
    if (done >= next || done === total) {
      next = done + step;
      onProgress({ phase, done, total });
    }
  };
}

export const DEFAULT_ENGINE_OPTIONS: EngineOptions = { ipBlockMatchesPods: true };

export const Direction = { Ingress: 'ingress', Egress: 'egress' } as const;
export type Direction = (typeof Direction)[keyof typeof Direction];

/**
 * The field path of peer `peer` of rule `rule` in a policy's `direction` (`spec.ingress[0].from[1]`): the same
 * for NetworkPolicies and cluster policies.
 */
export function peerFieldPath(direction: Direction, rule: number, peer: number): FieldPath {
  return ['spec', direction, rule, direction === Direction.Ingress ? 'from' : 'to', peer];
}

/** Pod classes a peer's selectors match. `all`: every pod class that selectors can match (not host-network pods). */
export type ClassSet = { all: true } | { all: false; ids: readonly number[] };

export interface CompiledPeer {
  index: number;
  kind: 'pods' | 'ipBlock';
  /** Pod classes matched by the selectors, or (for an ipBlock) by IP. */
  pods: ClassSet;
  /** Address classes matched (ipBlock only). */
  addresses: readonly number[];
  namespaceSelector: CompiledSelector | undefined;
  podSelector: CompiledSelector | undefined;
}

export interface NamedPortRef {
  name: string;
  protocol: Protocol;
}

export interface CompiledPorts {
  /** Absent or empty `ports`: every port and protocol. */
  any: boolean;
  numeric: PortSet;
  named: readonly NamedPortRef[];
}

export interface CompiledRule {
  direction: Direction;
  index: number;
  /** `everything`: `from`/`to` absent or empty, every source or destination inside and outside the cluster. */
  peers: 'everything' | readonly CompiledPeer[];
  ports: CompiledPorts;
}

export interface CompiledPolicy {
  index: number;
  info: PolicyInfo;
  selector: CompiledSelector;
  /** Classes the policy selects (never host-network pods). */
  selected: readonly number[];
  /** Effective policyTypes. */
  affectsIngress: boolean;
  affectsEgress: boolean;
  ingress: readonly CompiledRule[];
  egress: readonly CompiledRule[];
}

/** What one class's policies allow in one direction, towards every peer. */
export interface Access {
  isolated: boolean;
  /** Allowed towards everything: every pod (host-network too) and every address. */
  everything: PortSet;
  /** Allowed towards every pod that selectors can match. */
  allPods: PortSet;
  /** Allowed towards single pod classes, in addition to the broad part (after `cutPods`). */
  pods: ReadonlyMap<number, PortSet>;
  /** Allowed towards single address classes, in addition to `everything` (after `cutAddresses`). */
  addresses: ReadonlyMap<number, PortSet>;
  /**
   * Ports taken out of the broad part (`everything`, `allPods`) for single pod classes, before `pods` is
   * added: `accessToPod(a, p) = (broad(p) \ cutPods[p]) ∪ pods[p]`. Only cluster policy tiers cut (an Admin
   * deny of one peer on an otherwise open class); absent when nothing is cut. Read through `accessToPod`.
   */
  cutPods?: ReadonlyMap<number, PortSet>;
  /** The same for address classes: `accessToAddress(a, x) = (everything \ cutAddresses[x]) ∪ addresses[x]`. */
  cutAddresses?: ReadonlyMap<number, PortSet>;
}

const OPEN: Access = {
  isolated: false,
  everything: ALL_CONNECTIONS,
  allPods: NO_PORTS,
  pods: new Map(),
  addresses: new Map(),
};

export interface CompiledCluster {
  readonly state: ClusterState;
  readonly options: EngineOptions;
  readonly classes: readonly PodClass[];
  readonly addressSpace: AddressSpace;
  /** Where pods run, when the input says (`own-node.ts`). */
  readonly placement?: NodePlacement | undefined;
  readonly policies: readonly CompiledPolicy[];
  /** Policy indices selecting each class. */
  readonly policiesOfClass: readonly (readonly number[])[];
  /** The cluster policies (CNP, ANP, BANP), in `state.clusterPolicies` order. */
  readonly tierPolicies: readonly CompiledTierPolicy[];
  /** Cluster policy indices selecting each class: the Admin tier's then the Baseline tier's, each by rank. */
  readonly tierPoliciesOfClass: readonly (readonly number[])[];
  /** The Cilium policies' rule sets (`state.ciliumPolicies`), compiled; evaluated in the NetworkPolicy layer. */
  readonly cilium: CompiledCilium;
  /** What every class's ingress allows, all tiers combined (NetworkPolicies and cluster policies). */
  readonly ingress: readonly Access[];
  readonly egress: readonly Access[];
  /**
   * What NetworkPolicies alone allow (without Cilium policies and cluster policies): the very
   * `ingress`/`egress` arrays when the cluster has neither.
   */
  readonly npIngress: readonly Access[];
  readonly npEgress: readonly Access[];
  /**
   * The domains class `classId` may reach by DNS name through cluster policies' `domainNames` egress allow
   * rules (see `domainReach` in decisions.ts for which ports count) and Cilium `toFQDNs` egress allow rules
   * (`ciliumDomainReach`). Not in `egress`: the DNS answer decides which addresses those are.
   */
  domainReach(classId: number): DomainReach[];
  classOfPod(namespace: string, name: string): number | undefined;
  /** Every port and protocol on which `src` may open a connection to `dst`. */
  allowedBetween(src: Endpoint, dst: Endpoint): PortSet;
}

/**
 * Effective policyTypes, as the API server defaults them (`SetDefaults_NetworkPolicy`): when `policyTypes` is
 * absent or empty, Ingress always, plus Egress when there is at least one egress rule. So `egress: []` alone
 * does not isolate for egress, and `policyTypes: []` means the default, not "neither".
 */
export function effectivePolicyTypes(policy: PolicyInfo): { ingress: boolean; egress: boolean } {
  const types = policy.spec.policyTypes;
  if (types !== undefined && types.length > 0) {
    return { ingress: types.includes('Ingress'), egress: types.includes('Egress') };
  }
  return { ingress: true, egress: (policy.spec.egress?.length ?? 0) > 0 };
}

/**
 * A rule's ports, as the CNI reads them (`cni`: the profile's settings; upstream when absent): SCTP entries
 * allow nothing where the CNI does not enforce SCTP, and `endPort` is a range or (`first-port`) ignored.
 */
export function compilePorts(
  ports: readonly NetworkPolicyPort[] | undefined,
  cni?: Pick<CniSettings, 'sctp' | 'endPort'>,
): CompiledPorts {
  if (ports === undefined || ports.length === 0) return { any: true, numeric: ALL_CONNECTIONS, named: [] };
  let numeric: PortSet = NO_PORTS;
  const named: NamedPortRef[] = [];
  for (const p of ports) {
    const protocol = (p.protocol ?? 'TCP') as Protocol;
    if (protocol === 'SCTP' && cni?.sctp === false) continue;
    if (p.port === undefined) numeric = unionPorts(numeric, portSetOf(protocol, ALL_PORTS));
    else if (typeof p.port === 'number') {
      const end = cni?.endPort === 'first-port' ? p.port : (p.endPort ?? p.port);
      numeric = unionPorts(numeric, portSetOf(protocol, [p.port, end]));
    } else named.push({ name: p.port, protocol });
  }
  return { any: false, numeric, named };
}

/** Ports a rule allows towards a destination pod class (named ports resolved against it). */
export function portsTowardsClass(ports: CompiledPorts, dst: PodClass): PortSet {
  let out = ports.numeric;
  for (const n of ports.named) {
    for (const np of dst.namedPorts) {
      if (np.name === n.name && np.protocol === n.protocol)
        out = unionPorts(out, portSetOf(n.protocol, [np.port, np.port]));
    }
  }
  return out;
}

/**
 * The parts of compilation that do not depend on the policies' rules: pod classes, address classes, label
 * postings, and memoized selector results. `compileCluster` uses it once; the incremental engine
 * (`incremental.ts`) keeps it and compiles changed policies against it.
 */
export class PolicyCompiler implements TierPeerContext {
  readonly state: ClusterState;
  readonly options: EngineOptions;
  readonly space: AddressSpace;
  /** Where pods run, when the input says (`own-node.ts`); undefined in the no-node case. */
  readonly placement: NodePlacement | undefined;
  readonly classes: PodClass[];
  readonly classOfPod: Map<string, number>;
  readonly namespaceRange: Map<string, readonly [number, number]>;
  readonly namespaceLabels = new Map<string, Readonly<Record<string, string>>>();
  /** `key=value` → sorted class ids carrying that label. */
  readonly postings = new Map<string, number[]>();
  /** `key=value` → namespaces carrying that label. */
  readonly namespacePostings = new Map<string, string[]>();
  readonly namespaceMemo = new Map<string, string[]>();
  /**
   * Memoized selector results: pod selector key → namespace → class ids, and namespace selector key → pod
   * selector key → class ids. Nested maps rather than one map under a joined key: a lookup then hashes no new
   * string (a selector's key keeps its hash).
   */
  readonly #classMemo = new Map<string, Map<string, readonly number[]>>();
  readonly #acrossMemo = new Map<string, Map<string, readonly number[]>>();
  /** Class ids whose IPs fall in each address class. */
  readonly classesAtAddress = new Map<number, number[]>();
  /** `name/protocol` → the classes defining that named port (ascending ids), with the ports it names there. */
  readonly namedPortIndex = new Map<string, Map<number, PortSet>>();
  /** Compiled selectors by key: the compiled policies share equal selectors (T5: 100,000 policies' peers). */
  readonly #selectors = new Map<string, CompiledSelector>();

  /** `compileSelector(selector)`, one object for equal selectors. */
  selector(selector: LabelSelector): CompiledSelector {
    const compiled = compileSelector(selector);
    const known = this.#selectors.get(compiled.key);
    if (known !== undefined) return known;
    this.#selectors.set(compiled.key, compiled);
    return compiled;
  }

  constructor(state: ClusterState, options: EngineOptions) {
    this.state = state;
    this.options = options;
    this.placement = nodePlacement(state);
    this.space = buildAddressSpace(addressSpaceCidrs(state, this.placement));
    let labelKeys: Set<string> | 'all' = 'all';
    if (options.classesByAllLabels !== true) {
      labelKeys = selectorLabelKeys(state.policies);
      tierSelectorLabelKeys(state.clusterPolicies, labelKeys);
      ciliumSelectorLabelKeys(state, labelKeys);
    }
    const index = buildClasses(
      state,
      this.space,
      // Cilium's node peers find host-network pods by their addresses.
      options.ipBlockMatchesPods ||
        ipBlockMatchesClass(options, true) ||
        tiersMatchAddresses(state) ||
        state.ciliumPolicies.length > 0,
      labelKeys,
      options.hostNetworkPods !== HostNetworkPods.Policed,
      (pod) => nodeOfPod(this.placement, pod),
    );
    this.classes = index.classes;
    this.classOfPod = index.classOfPod;
    this.namespaceRange = index.namespaceRange;
    for (const ns of state.namespaces) this.namespaceLabels.set(ns.name, ns.labels);
    for (const cls of this.classes) {
      if (!this.namespaceLabels.has(cls.namespace)) {
        this.namespaceLabels.set(cls.namespace, { [NAMESPACE_NAME_LABEL]: cls.namespace });
      }
      if (!cls.hostNetwork) {
        for (const [k, v] of Object.entries(cls.labels)) push(this.postings, `${k}=${v}`, cls.id);
      }
      for (const a of cls.addressClasses) push(this.classesAtAddress, a, cls.id);
      for (const np of cls.namedPorts) {
        const key = `${np.name}/${np.protocol}`;
        let byClass = this.namedPortIndex.get(key);
        if (byClass === undefined) this.namedPortIndex.set(key, (byClass = new Map<number, PortSet>()));
        const ports = portSetOf(np.protocol, [np.port, np.port]);
        const cur = byClass.get(cls.id);
        byClass.set(cls.id, cur === undefined ? ports : unionPorts(cur, ports));
      }
    }
    for (const [name, labels] of this.namespaceLabels) {
      for (const [k, v] of Object.entries(labels)) push(this.namespacePostings, `${k}=${v}`, name);
    }
  }

  namespacesMatching(sel: CompiledSelector): string[] {
    let out = this.namespaceMemo.get(sel.key);
    if (out === undefined) {
      // Narrow by the rarest exact label when the selector has one (typically kubernetes.io/metadata.name).
      let candidates: Iterable<string> = this.namespaceLabels.keys();
      let best = Infinity;
      for (const r of sel.requirements) {
        if (r.operator !== 'In') continue;
        let size = 0;
        for (const v of r.values) size += this.namespacePostings.get(`${r.key}=${v}`)?.length ?? 0;
        if (size < best) {
          best = size;
          candidates = r.values.flatMap((v) => this.namespacePostings.get(`${r.key}=${v}`) ?? []);
        }
      }
      out = [];
      for (const name of candidates) {
        if (selectorMatches(sel, this.namespaceLabels.get(name)!)) out.push(name);
      }
      this.namespaceMemo.set(sel.key, out);
    }
    return out;
  }

  /** Non-host-network classes of one namespace matching a pod selector. */
  classesInNamespace(namespace: string, sel: CompiledSelector): readonly number[] {
    let memo = this.#classMemo.get(sel.key);
    if (memo === undefined) this.#classMemo.set(sel.key, (memo = new Map<string, readonly number[]>()));
    const cached = memo.get(namespace);
    if (cached !== undefined) return cached;
    const range = this.namespaceRange.get(namespace);
    const out: number[] = [];
    if (range !== undefined) {
      const [first, end] = range;
      // Narrow by the rarest exact label when the selector has one: postings are sorted and a namespace's
      // classes are a range of ids, so its part of a posting list is found by binary search.
      let best: Requirement | undefined;
      let bestSize = end - first;
      for (const r of sel.requirements) {
        if (r.operator !== 'In') continue;
        let size = 0;
        for (const v of r.values) size += countInRange(this.postings.get(`${r.key}=${v}`), first, end);
        if (size < bestSize) {
          best = r;
          bestSize = size;
        }
      }
      if (best !== undefined) {
        for (const v of best.values) {
          const list = this.postings.get(`${best.key}=${v}`);
          if (list === undefined) continue;
          for (let i = lowerBound(list, first); i < list.length && list[i]! < end; i++) {
            const id = list[i]!;
            if (selectorMatches(sel, this.classes[id]!.labels)) out.push(id);
          }
        }
        if (best.values.length > 1) out.sort((a, b) => a - b);
      } else {
        for (let id = first; id < end; id++) {
          const cls = this.classes[id]!;
          if (!cls.hostNetwork && selectorMatches(sel, cls.labels)) out.push(id);
        }
      }
    }
    memo.set(namespace, out);
    return out;
  }

  classesMatching(namespaceSelector: LabelSelector, podSelector: LabelSelector): ClassSet {
    const set = this.selectedClasses(compileSelector(podSelector), compileSelector(namespaceSelector), '');
    // Where NetworkPolicies police host-network pods, selectors match them; cluster policies never do.
    if (!this.#policedHostPods()) return set;
    if (set.all) return { all: false, ids: this.allPodClasses() };
    return { all: false, ids: set.ids.filter((id) => !this.classes[id]!.hostNetworkPod) };
  }

  #policed: boolean | undefined;

  /** The address classes made of the Nodes' addresses alone (`nodeAddressClassesOf`: keys are the classes). */
  nodeAddresses(): ReadonlyMap<number, readonly string[]> {
    return nodeAddressClassesOf(this.space, this.state.nodes);
  }

  /** Whether some class holds host-network pods that NetworkPolicies police (`hostNetworkPods: 'policed'`). */
  #policedHostPods(): boolean {
    return (this.#policed ??= this.classes.some((c) => c.hostNetworkPod && !c.hostNetwork));
  }

  #allPodClasses: readonly number[] | undefined;

  allPodClasses(): readonly number[] {
    return (this.#allPodClasses ??= this.classes.filter((c) => !c.hostNetworkPod).map((c) => c.id));
  }

  /** `atCidrs` by the CIDRs (as JSON: unambiguous): cluster policies name the same networks in many rules. */
  readonly #atCidrs = new Map<string, { addresses: readonly number[]; pods: readonly number[] }>();

  atCidrs(cidrs: readonly string[]): { addresses: readonly number[]; pods: readonly number[] } {
    const key = JSON.stringify(cidrs);
    let out = this.#atCidrs.get(key);
    if (out === undefined) this.#atCidrs.set(key, (out = this.#findAtCidrs(cidrs)));
    return out;
  }

  #findAtCidrs(cidrs: readonly string[]): { addresses: readonly number[]; pods: readonly number[] } {
    const addresses = new Set<number>();
    for (const cidr of cidrs) for (const a of this.space.classesOfBlock(cidr, [])) addresses.add(a);
    const pods = new Set<number>();
    for (const a of addresses) for (const id of this.classesAtAddress.get(a) ?? []) pods.add(id);
    // Every pod has an IP, known or not (manifests in files have none): `0.0.0.0/0` matches it (IPv4 assumed).
    if (cidrs.includes('0.0.0.0/0')) {
      for (const cls of this.classes) if (cls.addressClasses.length === 0) pods.add(cls.id);
    }
    return {
      addresses: [...addresses].sort((a, b) => a - b),
      pods: [...pods].sort((a, b) => a - b),
    };
  }

  #cilium: CompiledCilium | undefined;

  /** The Cilium policies, compiled once (the incremental engine then edits the result in place). */
  get cilium(): CompiledCilium {
    return (this.#cilium ??= compileCilium(this));
  }

  /** The cluster policies, compiled, and the ones selecting each class (Admin then Baseline, by rank). */
  compileTiers(): { policies: CompiledTierPolicy[]; ofClass: number[][] } {
    const ranks = tierRanks(this.state.clusterPolicies);
    const policies = this.state.clusterPolicies.map((p, i) => compileTierPolicy(this, p, i, ranks[i]!));
    const ofClass: number[][] = this.classes.map(() => []);
    const order = [...policies].sort(
      (a, b) => (a.tier === b.tier ? 0 : a.tier === 'admin' ? -1 : 1) || a.rank - b.rank,
    );
    for (const p of order) for (const id of p.selected) ofClass[id]!.push(p.index);
    return { policies, ofClass };
  }

  peerClasses(peer: NetworkPolicyPeer, policyNamespace: string): ClassSet {
    return this.selectedClasses(
      compileSelector(peer.podSelector ?? {}),
      peer.namespaceSelector === undefined ? undefined : compileSelector(peer.namespaceSelector),
      policyNamespace,
    );
  }

  /** Classes a peer's selectors match; no namespace selector means the policy's own namespace. */
  selectedClasses(
    podSel: CompiledSelector,
    nsSel: CompiledSelector | undefined,
    policyNamespace: string,
  ): ClassSet {
    if (nsSel === undefined) return { all: false, ids: this.classesInNamespace(policyNamespace, podSel) };
    if (nsSel.matchesAll && podSel.matchesAll) return { all: true };
    let memo = this.#acrossMemo.get(nsSel.key);
    if (memo === undefined) this.#acrossMemo.set(nsSel.key, (memo = new Map<string, readonly number[]>()));
    let ids = memo.get(podSel.key);
    if (ids === undefined) {
      const list: number[] = [];
      // Class ids are numbered namespace by namespace in name order, so the list comes out sorted.
      for (const ns of [...this.namespacesMatching(nsSel)].sort()) {
        for (const id of this.classesInNamespace(ns, podSel)) list.push(id);
      }
      ids = list.sort((a, b) => a - b);
      memo.set(podSel.key, ids);
    }
    return { all: false, ids };
  }

  compilePeer(peer: NetworkPolicyPeer, index: number, namespace: string): CompiledPeer {
    if (peer.ipBlock !== undefined) {
      const block = this.space.classesOfBlock(peer.ipBlock.cidr, peer.ipBlock.except ?? []);
      const addresses = ipBlockMatchesNodeAddresses(this.options)
        ? block
        : block.filter((a) => !this.nodeAddresses().has(a));
      const ids = new Set<number>();
      const pods = ipBlockMatchesClass(this.options, false);
      const nodes = ipBlockMatchesClass(this.options, true);
      if (pods || nodes) {
        for (const a of block) {
          for (const id of this.classesAtAddress.get(a) ?? []) {
            if (this.classes[id]!.hostNetworkPod ? nodes : pods) ids.add(id);
          }
        }
      }
      return {
        index,
        kind: 'ipBlock',
        pods: { all: false, ids: [...ids].sort((a, b) => a - b) },
        addresses,
        namespaceSelector: undefined,
        podSelector: undefined,
      };
    }
    const namespaceSelector =
      peer.namespaceSelector === undefined ? undefined : this.selector(peer.namespaceSelector);
    const podSelector = peer.podSelector === undefined ? undefined : this.selector(peer.podSelector);
    return {
      index,
      kind: 'pods',
      pods: this.selectedClasses(podSelector ?? MATCH_ALL, namespaceSelector, namespace),
      addresses: [],
      namespaceSelector,
      podSelector,
    };
  }

  compileRule(
    direction: Direction,
    index: number,
    peers: readonly NetworkPolicyPeer[] | undefined,
    ports: readonly NetworkPolicyPort[] | undefined,
    namespace: string,
  ): CompiledRule {
    return {
      direction,
      index,
      peers:
        peers === undefined || peers.length === 0
          ? 'everything'
          : peers.map((p, i) => this.compilePeer(p, i, namespace)),
      ports: compilePorts(ports, this.options.cni?.settings),
    };
  }

  compilePolicy(info: PolicyInfo, index: number): CompiledPolicy {
    const selector = this.selector(info.spec.podSelector ?? {});
    const types = effectivePolicyTypes(info);
    // A CNI that rejects policies with endPort (Cilium 1.15) enforces nothing of them: they select no pod.
    const ignored = this.options.cni?.settings.endPort === 'policy-ignored' && usesEndPort(info);
    return {
      index,
      info,
      selector,
      selected: ignored ? [] : this.classesInNamespace(info.namespace, selector),
      affectsIngress: types.ingress,
      affectsEgress: types.egress,
      ingress: types.ingress
        ? (info.spec.ingress ?? []).map((r, i) =>
            this.compileRule('ingress', i, r.from, r.ports, info.namespace),
          )
        : [],
      egress: types.egress
        ? (info.spec.egress ?? []).map((r, i) => this.compileRule('egress', i, r.to, r.ports, info.namespace))
        : [],
    };
  }

  /** What the ingress rules of `policies` (all selecting `cls`) allow into `cls`. */
  ingressAccess(policies: readonly CompiledPolicy[], cls: PodClass): Access {
    const b = new AdditiveMap();
    for (const p of policies) {
      for (const rule of p.ingress) {
        const ports = portsTowardsClass(rule.ports, cls);
        if (isEmptyPorts(ports)) continue;
        if (rule.peers === 'everything') b.everything = unionPorts(b.everything, ports);
        else for (const peer of rule.peers) addPeerPorts(b, peer, ports);
      }
    }
    return b.access();
  }

  /** What the egress rules of `policies` allow out of the classes they select (named ports per destination). */
  egressAccess(policies: readonly CompiledPolicy[]): Access {
    const b = new AdditiveMap();
    for (const p of policies) {
      for (const rule of p.egress) {
        const numeric = rule.ports.numeric;
        if (rule.peers === 'everything') b.everything = unionPorts(b.everything, numeric);
        else for (const peer of rule.peers) addPeerPorts(b, peer, numeric);
        for (const named of rule.ports.named) {
          const definers = this.namedPortIndex.get(`${named.name}/${named.protocol}`);
          if (definers === undefined) continue;
          if (rule.peers === 'everything') {
            for (const [id, ports] of definers) b.addPod(id, ports);
            continue;
          }
          for (const peer of rule.peers) {
            if (peer.pods.all) {
              for (const [id, ports] of definers) if (!this.classes[id]!.hostNetwork) b.addPod(id, ports);
            } else if (peer.pods.ids.length <= definers.size) {
              // Walk the smaller side: the peer's classes, each looked up among the definers.
              for (const id of peer.pods.ids) {
                const ports = definers.get(id);
                if (ports !== undefined) b.addPod(id, ports);
              }
            } else {
              for (const [id, ports] of definers) if (sortedIncludes(peer.pods.ids, id)) b.addPod(id, ports);
            }
          }
        }
      }
    }
    return b.access();
  }
}

const MATCH_ALL = compileSelector({});

/** Whether a policy has a port range (`endPort`) in some rule. */
export function usesEndPort(info: PolicyInfo): boolean {
  const rules = [...(info.spec.ingress ?? []), ...(info.spec.egress ?? [])];
  return rules.some((r) => (r.ports ?? []).some((p) => p.endPort !== undefined));
}

/**
 * Every CIDR the address space of `state` is split at: NetworkPolicy ipBlocks, cluster policies' networks and
 * nodes, Cilium peers, and each node's addresses where pods' nodes are known (traffic from a pod's own node is
 * not traffic from the others). Spaces shared by several states (`diff`, `apply`) take the union.
 */
export function addressSpaceCidrs(
  state: ClusterState,
  placement: NodePlacement | undefined = nodePlacement(state),
): string[] {
  return [
    ...mentionedCidrs(state.policies),
    ...ipBlockNodeCidrs(state.policies, state.nodes),
    ...tierMentionedCidrs(state),
    ...ciliumMentionedCidrs(state),
    ...placementCidrs(placement),
  ];
}

/** Every CIDR (and `except`) the policies' ipBlocks mention: what the address space is split at. */
export function mentionedCidrs(policies: readonly PolicyInfo[]): string[] {
  return ipBlocks(policies).flatMap((b) => [b.cidr, ...(b.except ?? [])]);
}

/** Every ipBlock of the policies' peers, in order. */
function ipBlocks(policies: readonly PolicyInfo[]): IPBlock[] {
  const blocks: IPBlock[] = [];
  for (const p of policies) {
    for (const rule of [
      ...(p.spec.ingress ?? []).map((r) => r.from),
      ...(p.spec.egress ?? []).map((r) => r.to),
    ]) {
      for (const peer of rule ?? []) if (peer.ipBlock !== undefined) blocks.push(peer.ipBlock);
    }
  }
  return blocks;
}

/**
 * The Nodes' addresses the policies' ipBlocks hold, as CIDRs of one address: set apart from the rest of their
 * block, so that a profile whose CIDR rules do not match node IPs (Cilium's default) can leave them out
 * (`compilePeer`). Split whatever the profile: the address space does not depend on the options (`diff` and
 * `apply` refine several states' spaces into one).
 */
export function ipBlockNodeCidrs(policies: readonly PolicyInfo[], nodes: readonly NodeInfo[]): string[] {
  if (nodes.length === 0) return [];
  const addresses = nodes.flatMap((n) => n.addresses.flatMap((a) => hostCidr(a) ?? []));
  return ipBlocks(policies).flatMap((b) => addresses.filter((a) => blockHolds(b.cidr, b.except ?? [], a)));
}

/** How many elements of sorted `list` are in [first, end). */
function countInRange(list: readonly number[] | undefined, first: number, end: number): number {
  return list === undefined ? 0 : lowerBound(list, end) - lowerBound(list, first);
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

function addPeerPorts(b: AdditiveMap, peer: CompiledPeer, ports: PortSet): void {
  if (isEmptyPorts(ports)) return;
  if (peer.pods.all) b.allPods = unionPorts(b.allPods, ports);
  else for (const id of peer.pods.ids) b.addPod(id, ports);
  for (const a of peer.addresses) b.addAddress(a, ports);
}

/** The access of a class selected by no policy in a direction: everything allowed. */
export const OPEN_ACCESS: Access = OPEN;

/**
 * The `Access` of every class in both directions. Classes selected by the same policies share one object
 * (for ingress with named ports, only classes with equal named ports could; they do not share).
 */
export function buildAccess(
  c: PolicyCompiler,
  policies: readonly CompiledPolicy[],
  policiesOfClass: readonly (readonly number[])[],
  classIds: Iterable<number> = c.classes.keys(),
): { ingress: Map<number, Access>; egress: Map<number, Access> } {
  const ingressCache = new Map<string, Access>();
  const egressCache = new Map<string, Access>();
  const ingress = new Map<number, Access>();
  const egress = new Map<number, Access>();
  const report = progressReporter(c.options.onProgress, 'access', c.classes.length);
  for (const id of classIds) {
    report(ingress.size + 1);
    const cls = c.classes[id]!;
    const mine = policiesOfClass[id]!.map((i) => policies[i]!);
    // Ingress: named ports resolve against this class, so classes share a result only with equal named ports.
    const ing = mine.filter((p) => p.affectsIngress);
    if (ing.length === 0) ingress.set(id, OPEN);
    else {
      const usesNamed = ing.some((p) => p.ingress.some((r) => r.ports.named.length > 0));
      const key = ing.map((p) => p.index).join(',') + (usesNamed ? `|${id}` : '');
      let access = ingressCache.get(key);
      if (access === undefined) ingressCache.set(key, (access = c.ingressAccess(ing, cls)));
      ingress.set(id, access);
    }
    // Egress: named ports resolve against each destination.
    const eg = mine.filter((p) => p.affectsEgress);
    if (eg.length === 0) egress.set(id, OPEN);
    else {
      const key = eg.map((p) => p.index).join(',');
      let access = egressCache.get(key);
      if (access === undefined) egressCache.set(key, (access = c.egressAccess(eg)));
      egress.set(id, access);
    }
  }
  return { ingress, egress };
}

/** The compiled cluster policies: all of them, and the ones selecting each class (Admin, then Baseline). */
export interface CompiledTiers {
  policies: readonly CompiledTierPolicy[];
  ofClass: readonly (readonly number[])[];
}

/** Ingress named ports of a tier rule resolve against the subject class (any protocol, as compiled). */
export function tierPortsTowards(rule: CompiledTierRule, cls: PodClass): PortSet {
  return portsTowardsClass(rule.ports, cls);
}

/**
 * The tier-combined `Access` of `classIds` in both directions (decisions.ts), over what NetworkPolicies alone
 * give (`np*`). A class no cluster policy selects (in a direction: none with rules there) keeps its
 * NetworkPolicy `Access` object. Classes with the same policies share results, as in `buildAccess`.
 */
export function applyTiers(
  c: PolicyCompiler,
  tiers: CompiledTiers,
  npIngress: (id: number) => Access,
  npEgress: (id: number) => Access,
  classIds: Iterable<number>,
  /** The tiers' walks, kept by a caller that applies the same tiers again (the incremental engine). */
  walks = new Map<string, TierWalk>(),
  /** The directions to combine (the other's map stays empty). */
  directions: readonly Direction[] = [Direction.Ingress, Direction.Egress],
  /**
   * What Cilium deny rules deny for a class the NetworkPolicy layer does not isolate (`applyCilium`): taken
   * out of the Baseline tier's default, as a Baseline deny is.
   */
  layerDeny?: (id: number, direction: Direction) => PeerMap | undefined,
): { ingress: Map<number, Access>; egress: Map<number, Access> } {
  const ingress = new Map<number, Access>();
  const egress = new Map<number, Access>();
  const cache = new Map<string, Access>();
  const accessId = numbering();
  const denyId = numbering();
  for (const id of classIds) {
    const cls = c.classes[id]!;
    const ofClass = tiers.ofClass[id]!;
    for (const direction of directions) {
      const np = direction === Direction.Ingress ? npIngress(id) : npEgress(id);
      const out = direction === Direction.Ingress ? ingress : egress;
      const { mine, admin, baseline } = classWalks(
        c,
        tiers.policies,
        ofClass,
        direction,
        cls,
        walks,
        tierPortsTowards,
      );
      const deny = layerDeny?.(id, direction);
      if (mine.length === 0 && deny === undefined) {
        out.set(id, np);
        continue;
      }
      const named =
        direction === Direction.Ingress &&
        mine.some((i) => tiers.policies[i]!.ingress.some((r) => r.ports.named.length > 0));
      // The result depends on the policies (and the class, for ingress named ports) and on `np`.
      const walkKey = `${direction}|${mine.join(',')}${named ? `|${id}` : ''}`;
      const key = `${walkKey}|${accessId(np)}${deny === undefined ? '' : `|d${denyId(deny)}`}`;
      let access = cache.get(key);
      if (access === undefined) {
        // A Cilium deny of a class nothing isolates: (Baseline default) \ deny = complement(D_baseline ∪ deny).
        const withDeny = (): TierWalk => {
          const w = baseline();
          return { ...w, deny: unionMaps(c.classes, w.deny, deny!) };
        };
        access = combineTiers(c, np, admin, deny === undefined ? baseline : withDeny);
        cache.set(key, access);
      }
      out.set(id, access);
    }
  }
  return { ingress, egress };
}

/** The `CompiledCluster` over compiled parts (shared by `compileCluster` and the incremental engine). */
export function assembleCompiled(
  c: PolicyCompiler,
  policies: readonly CompiledPolicy[],
  policiesOfClass: readonly (readonly number[])[],
  access: {
    ingress: readonly Access[];
    egress: readonly Access[];
    npIngress: readonly Access[];
    npEgress: readonly Access[];
  },
  tiers: CompiledTiers,
): CompiledCluster {
  const classOf = (namespace: string, name: string): number | undefined =>
    c.classOfPod.get(podKey(namespace, name));
  const compiled: CompiledCluster = {
    state: c.state,
    options: c.options,
    classes: c.classes,
    addressSpace: c.space,
    placement: c.placement,
    policies,
    policiesOfClass,
    tierPolicies: tiers.policies,
    tierPoliciesOfClass: tiers.ofClass,
    cilium: c.cilium,
    ingress: access.ingress,
    egress: access.egress,
    npIngress: access.npIngress,
    npEgress: access.npEgress,
    domainReach(classId) {
      const ofClass = tiers.ofClass[classId] ?? [];
      const cls = c.classes[classId]!;
      const viaTiers =
        ofClass.length === 0
          ? []
          : tierDomainReach(c, tiers.policies, ofClass, access.npEgress[classId]!, cls, tierPortsTowards);
      const viaCilium = ciliumDomainReach(c, c.cilium, cls);
      if (viaCilium.length === 0) return viaTiers;
      return [
        ...viaTiers,
        ...viaCilium.map((r) => ({
          domain: r.domain,
          ports: r.ports,
          policy: c.cilium.specs[r.spec]!.policy,
          rule: r.rule,
          cilium: { spec: r.spec },
        })),
      ];
    },
    classOfPod: classOf,
    allowedBetween(src, dst) {
      return allowedBetweenEndpoints(compiled, src, dst);
    },
  };
  return compiled;
}

/** Every class's final and NetworkPolicy-only accesses, as arrays (the same arrays without cluster policies). */
export function accessArrays(
  c: PolicyCompiler,
  np: { ingress: Map<number, Access>; egress: Map<number, Access> },
  tiers: CompiledTiers,
  /** The tiers' walks, kept by a caller that applies the same tiers again (the incremental engine). */
  walks?: Map<string, TierWalk>,
): {
  ingress: Access[];
  egress: Access[];
  npIngress: Access[];
  npEgress: Access[];
  /** With Cilium policies: the NetworkPolicy layer the tiers walk around (`applyCilium`), for every class. */
  layer?: ReturnType<typeof applyCilium>;
} {
  // Traffic from a pod's own node is allowed whatever NetworkPolicies say: part of their layer.
  const npIngress = c.classes.map((cls) => withOwnNode(c, np.ingress.get(cls.id)!, cls));
  const npEgress = c.classes.map((cls) => np.egress.get(cls.id)!);
  const cilium = c.cilium;
  if (tiers.policies.length === 0 && cilium.specs.length === 0)
    return { ingress: npIngress, egress: npEgress, npIngress, npEgress };
  // With Cilium policies, the NetworkPolicy layer the tiers walk around is NetworkPolicies and Cilium's rules.
  const layer =
    cilium.specs.length === 0
      ? undefined
      : applyCilium(
          c,
          cilium,
          (id) => npIngress[id]!,
          (id) => npEgress[id]!,
          c.classes.keys(),
          undefined,
          (cls) => {
            const peers = ownNodeIngress(c, c.options, cls);
            return peers === undefined ? undefined : ownNodeMap(c, peers);
          },
        );
  const final = applyTiers(
    c,
    tiers,
    (id) => layer?.ingress.get(id) ?? npIngress[id]!,
    (id) => layer?.egress.get(id) ?? npEgress[id]!,
    c.classes.keys(),
    walks,
    undefined,
    layer === undefined ? undefined : (id, direction) => layer.deny[direction].get(id),
  );
  return {
    ingress: c.classes.map((cls) => final.ingress.get(cls.id)!),
    egress: c.classes.map((cls) => final.egress.get(cls.id)!),
    npIngress,
    npEgress,
    ...(layer === undefined ? {} : { layer }),
  };
}

export function compileCluster(state: ClusterState, options?: Partial<EngineOptions>): CompiledCluster {
  const opts: EngineOptions = { ...DEFAULT_ENGINE_OPTIONS, ...options };
  const c = new PolicyCompiler(state, opts);
  const report = progressReporter(opts.onProgress, 'policies', state.policies.length);
  const policies = state.policies.map((p, i) => {
    report(i + 1);
    return c.compilePolicy(p, i);
  });
  const policiesOfClass: number[][] = c.classes.map(() => []);
  for (const p of policies) for (const id of p.selected) policiesOfClass[id]!.push(p.index);
  const tiers = c.compileTiers();
  const access = accessArrays(c, buildAccess(c, policies, policiesOfClass), tiers);
  return assembleCompiled(c, policies, policiesOfClass, access, tiers);
}

/** What `access` allows towards pod class `peer`. */
export function accessToPod(access: Access, peer: PodClass): PortSet {
  let out = access.everything;
  if (!peer.hostNetwork) out = unionPorts(out, access.allPods);
  const cut = access.cutPods?.get(peer.id);
  if (cut !== undefined) out = subtractPorts(out, cut);
  const extra = access.pods.get(peer.id);
  return extra === undefined ? out : unionPorts(out, extra);
}

/** What `access` allows towards address class `id`. */
export function accessToAddress(access: Access, id: number): PortSet {
  const cut = access.cutAddresses?.get(id);
  const broad = cut === undefined ? access.everything : subtractPorts(access.everything, cut);
  const extra = access.addresses.get(id);
  return extra === undefined ? broad : unionPorts(broad, extra);
}

/** Whether an access cuts single peers out of its broad part (only cluster policy tiers do). */
export function hasCuts(access: Access): boolean {
  return access.cutPods !== undefined || access.cutAddresses !== undefined;
}

/** Whether an access allows everything towards every peer (no cut). */
export function isOpenAccess(access: Access): boolean {
  return isAllConnections(access.everything) && !hasCuts(access);
}

function allowedBetweenEndpoints(compiled: CompiledCluster, src: Endpoint, dst: Endpoint): PortSet {
  const resolve = (e: Endpoint): { pod: PodClass } | { address: number } => {
    if (e.kind === 'pod') {
      const id = compiled.classOfPod(e.namespace, e.name);
      if (id === undefined) throw new Error(`unknown pod ${e.namespace}/${e.name}`);
      return { pod: compiled.classes[id]! };
    }
    const id = compiled.addressSpace.classOfIp(e.ip);
    if (id === undefined) throw new Error(`not an IP address: ${e.ip}`);
    return { address: id };
  };
  const s = resolve(src);
  const d = resolve(dst);
  // A pod's traffic to its own IP (hairpin) is not subject to cluster policies: NetworkPolicies only.
  const hairpin =
    src.kind === 'pod' && dst.kind === 'pod' && src.namespace === dst.namespace && src.name === dst.name;
  const egress = hairpin ? compiled.npEgress : compiled.egress;
  const ingress = hairpin ? compiled.npIngress : compiled.ingress;
  let ports: PortSet = ALL_CONNECTIONS;
  if ('pod' in s) {
    const access = egress[s.pod.id]!;
    ports = 'pod' in d ? accessToPod(access, d.pod) : accessToAddress(access, d.address);
  }
  if ('pod' in d) {
    const access = ingress[d.pod.id]!;
    const ing = 'pod' in s ? accessToPod(access, s.pod) : accessToAddress(access, s.address);
    ports = intersectPorts(ports, ing);
  }
  return ports;
}

/** A policy whose pod selector matches host-network pods, with their workloads (ids, sorted). */
export interface HostNetworkSelection {
  policy: PolicyInfo;
  workloads: string[];
  /** Whether the policy selects other pods too. */
  others: boolean;
}

/**
 * The policies whose `podSelector` matches host-network pods of their namespace, read literally (whatever
 * `hostNetworkPods` says): most CNIs do not police those pods, so such a policy has no effect on them.
 */
export function policiesSelectingHostNetwork(state: ClusterState): HostNetworkSelection[] {
  const out: HostNetworkSelection[] = [];
  // Only the namespaces with host-network pods can have such policies: their pods, in state order.
  const podsOf = new Map<string, PodInfo[]>();
  for (const pod of state.pods) if (pod.hostNetwork) podsOf.set(pod.namespace, []);
  for (const pod of state.pods) podsOf.get(pod.namespace)?.push(pod);
  for (const policy of state.policies) {
    const pods = podsOf.get(policy.namespace);
    if (pods === undefined) continue;
    const selector = compileSelector(policy.spec.podSelector ?? {});
    const workloads = new Set<string>();
    let others = false;
    for (const pod of pods) {
      if (!selectorMatches(selector, pod.labels)) continue;
      if (pod.hostNetwork) workloads.add(pod.workload);
      else others = true;
    }
    if (workloads.size > 0) out.push({ policy, workloads: [...workloads].sort(), others });
  }
  return out;
}
