/**
 * Incremental evaluation: the engine keeps its compiled state and, when one policy is added, changed or
 * removed, recomputes only what the change touches. A watch mode and what-if editing use it.
 *
 * What a policy change can touch: the `Access` of the classes it selects (before or after), in the
 * directions it affects. Everything else (classes, selectors, the other classes' accesses) depends only on
 * pods, namespaces and the other policies. So an update
 *
 * 1. recompiles the policy against the kept `PolicyCompiler` (its selector memo is still valid),
 * 2. rebuilds the `Access` of the touched classes,
 * 3. recomputes their rows of allowed class pairs: out of a class whose egress changed, into a class whose
 *    ingress changed, using reverse indexes (who names whom) instead of scanning every class,
 * 4. rebuilds the entity rows (out of) and columns (into) of the touched classes' workloads (or pods).
 *
 * Cluster policy edits (ClusterNetworkPolicies, AdminNetworkPolicies, the BaselineAdminNetworkPolicy) are
 * local the same way: a cluster policy decides only for the classes its subject selects (before or after),
 * in the directions it has rules. An edit recompiles the changed cluster policies, renumbers the tiers'
 * ranks (a priority change reorders only the classes the policy selects), rebuilds the lists of cluster
 * policies of every class, and recombines the touched classes' NetworkPolicy accesses with their new tier
 * walks (step 2 without rebuilding the NetworkPolicy accesses); steps 3 and 4 as above.
 *
 * Cilium policies (CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy) sit in the NetworkPolicy layer: each
 * class's layer (`applyCilium` over its NetworkPolicy `Access`, and the Cilium deny of a class nothing
 * isolates) is kept between the NetworkPolicy `Access` and the final one. Any edit rebuilds the layers of the
 * classes it touches before combining the tiers; a Cilium policy edit touches the classes its rule sets select
 * (before or after), in the directions they have rules or default deny in. When its rules match few pod
 * classes and any address classes (`ciliumPeers`), the touched classes whose isolation stays decide
 * differently at those peers only: their accesses are patched there (`patchCilium`) or rebuilt, and their
 * pairs recomputed at those peers only (`RowPeers`), not their rows.
 *
 * Changes that cannot be local: a CIDR no policy mentioned before (or the last mention of one), from a
 * NetworkPolicy ipBlock, a cluster policy's `networks` peer, the address of a node a `nodes` peer selects or a
 * Cilium CIDR peer (or except), moves the borders of the address classes, and with them the pods' classes;
 * the first Cilium policy (or the last one gone) splits (or joins) the outside at the IPv4/IPv6 roots and the
 * node addresses and makes pod classes know (or forget) their address classes; and, with
 * `ipBlockMatchesPods: false`, the first (or last) cluster policy matching by address makes pod classes
 * know (or forget) their address classes. Such an update recompiles everything (`recompiled: true`) and
 * still reports the connections that changed. Pod classes here tell pods apart by all their labels
 * (`classesByAllLabels`), so a policy (or cluster policy) selecting on a label key no other policy reads
 * fits them: label keys never force a recompile.
 */
import { Tier, type ClusterPolicyInfo, type ClusterState, type PolicyInfo } from '../model/cluster.ts';
import type { CiliumPolicyInfo } from '../model/cilium.ts';
import { parseCidr } from '../base/ip.ts';
import { l7Field } from './cilium-l7.ts';
import {
  DEFAULT_ENGINE_OPTIONS,
  Direction,
  OPEN_ACCESS,
  PolicyCompiler,
  accessArrays,
  accessToAddress,
  accessToPod,
  applyTiers,
  assembleCompiled,
  buildAccess,
  ipBlockMatchesClass,
  ipBlockNodeCidrs,
  mentionedCidrs,
  tierPortsTowards,
  type Access,
  type CompiledCluster,
  type CompiledPolicy,
  type EngineOptions,
} from './compile.ts';
import {
  compileTierPolicy,
  tierMentionedCidrs,
  tierRanks,
  tiersMatchAddresses,
  type CompiledTierPolicy,
} from './tiers.ts';
import {
  addressReach,
  connectivityDomains,
  entityIndex,
  isOpenTowardsPods,
  type Connection,
  type Connectivity,
  type EntityIndex,
  type Granularity,
} from './connectivity.ts';
import {
  NO_PORTS,
  intersectPorts,
  isEmptyPorts,
  portsEqual,
  subtractPorts,
  unionPorts,
  type PortSet,
} from './ports.ts';
import { insertSorted } from '../base/sorted.ts';
import {
  addressValue,
  changedPeers,
  classWalks,
  patchAccess,
  patchTiers,
  podValue,
  unionMaps,
  type ClassWalks,
  type DomainReach,
  type PeerMap,
  type TierWalk,
} from './decisions.ts';
import {
  applyCilium,
  ciliumLayer,
  ciliumPeerCidrs,
  ciliumSplitCidrs,
  ciliumSpecCompiler,
  type CiliumSpecCompiler,
  type CompiledCilium,
  type CompiledCiliumSpec,
} from './cilium.ts';
import { pairKey } from '../base/text.ts';

/** One connection whose ports changed: `before` or `after` is undefined when it did not or does not exist. */
export interface ConnectionChange {
  src: string;
  dst: string;
  before: PortSet | undefined;
  after: PortSet | undefined;
}

export interface IncrementalUpdate {
  /** Pod classes whose ingress or egress access was rebuilt. */
  touchedClasses: number;
  /** The change moved address class borders, so everything was recompiled. */
  recompiled: boolean;
  /** The connections that appeared, disappeared or changed ports, in output order. */
  changes: ConnectionChange[];
  /**
   * Of the touched classes, those whose access a cluster policy edit patched at the few peers where its
   * rules match instead of combining the tiers afresh, or whose allowed pairs a Cilium policy edit
   * recomputed at those peers only instead of their whole rows (absent: none).
   */
  patchedClasses?: number;
}

export interface IncrementalEngine {
  /** The cluster state with every edit applied (its `policies` array changes with each update). */
  readonly state: ClusterState;
  /** The compiled cluster for the current policies: what `compileCluster(state)` computes. */
  readonly compiled: CompiledCluster;
  /** The current connectivity: what `computeConnectivity(compiled, granularity)` computes. */
  connectivity(): Connectivity;
  /** Adds a policy, or replaces the policy with the same id. */
  updatePolicy(policy: PolicyInfo): IncrementalUpdate;
  /** Removes the policy with this id (`namespace/name`); nothing changes when there is none. */
  removePolicy(id: string): IncrementalUpdate;
  /**
   * Makes `policies` (ids unique) the state's policies, in that order, as one batch: the policies that are
   * not the very objects the state holds under their id are compiled, those gone or replaced dropped, and
   * everything they touch recomputed once (not once per policy). A what-if edits a batch in and back out.
   */
  setPolicies(policies: readonly PolicyInfo[]): IncrementalUpdate;
  /** Adds a cluster policy, or replaces the one with the same id (`Kind/name`). */
  updateClusterPolicy(policy: ClusterPolicyInfo): IncrementalUpdate;
  /** Removes the cluster policy with this id (`Kind/name`); nothing changes when there is none. */
  removeClusterPolicy(id: string): IncrementalUpdate;
  /**
   * Makes `policies` (ids unique) the state's cluster policies (ClusterNetworkPolicies,
   * AdminNetworkPolicies, the BaselineAdminNetworkPolicy), in that order, as one batch: those that are not
   * the very objects the state holds under their id are compiled, and the classes the changed ones select
   * (before or after) recomputed once. Recompiles everything only when the address space changes (see the
   * module comment).
   */
  setClusterPolicies(policies: readonly ClusterPolicyInfo[]): IncrementalUpdate;
  /**
   * Adds a Cilium policy (CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy), or replaces the one with the
   * same id (`CiliumNetworkPolicy/<namespace>/<name>`, `CiliumClusterwideNetworkPolicy/<name>`).
   */
  updateCiliumPolicy(policy: CiliumPolicyInfo): IncrementalUpdate;
  /** Removes the Cilium policy with this id; nothing changes when there is none. */
  removeCiliumPolicy(id: string): IncrementalUpdate;
  /**
   * Makes `policies` (ids unique) the state's Cilium policies, in that order, as one batch: those that are
   * not the very objects the state holds under their id are compiled, and the classes the changed ones'
   * rule sets select (before or after) recomputed once. Recompiles everything when the address space
   * changes: a CIDR no policy mentioned before (or the last mention of one), and the first Cilium policy
   * (or the last one gone), which splits the outside at the IPv4/IPv6 roots and the node addresses.
   */
  setCiliumPolicies(policies: readonly CiliumPolicyInfo[]): IncrementalUpdate;
}

/** Which kind of policy an update changed (what `propagate` rebuilds for the touched classes). */
const Changed = {
  NetworkPolicies: 'network-policies',
  Cilium: 'cilium',
  Tiers: 'tiers',
} as const;
type Changed = (typeof Changed)[keyof typeof Changed];

const NO_CHANGE: IncrementalUpdate = { touchedClasses: 0, recompiled: false, changes: [] };

/** Per direction, the pod classes outside which a cluster policy edit changes nothing (`changedPeers`). */
interface ChangedPeers {
  ingress: readonly number[] | undefined;
  egress: readonly number[] | undefined;
  /** The walks the edit made stale that `patchWalk` can bring up to date, by key. */
  stale: ReadonlyMap<string, TierWalk>;
}
const NO_PEERS: ChangedPeers = { ingress: undefined, egress: undefined, stale: new Map() };
const NO_PATCHES: ReadonlyMap<number, Access> = new Map();

/** Pod classes and address classes where an edit may change decisions (`ciliumPeers`). */
interface Peers {
  pods: readonly number[];
  addresses: readonly number[];
}

/**
 * For a Cilium policy edit, per direction: the peers outside which it changes no decision (undefined: it may
 * change any), and the touched classes whose accesses are rebuilt but whose rows need recomputing at those
 * peers only (`keep`: their Cilium layer keeps its isolation, so their decisions elsewhere stay).
 */
interface RowPeers {
  ingress: Peers | undefined;
  egress: Peers | undefined;
  keep: { ingress: ReadonlySet<number>; egress: ReadonlySet<number> };
}
const NO_ROWS: RowPeers = {
  ingress: undefined,
  egress: undefined,
  keep: { ingress: new Set(), egress: new Set() },
};

/** Most pod classes a Cilium edit's rules may name for rows to be patched at them (as `changedPeers`). */
const CILIUM_PATCH_PEERS = 64;

/**
 * The pod classes and address classes the rules of `specs` (the rule sets a Cilium edit drops and adds) match
 * in `direction`: a rule's match is a `PeerMap` with overrides at those peers only (named ports of egress rules
 * resolve among the peer's own pods), so outside them every class's allow and deny maps, and with them its
 * decisions, stay as they were, as long as its isolation does. Undefined when a rule matches every peer
 * (`all`, or no peer field), or more than `CILIUM_PATCH_PEERS` pod classes.
 */
function ciliumPeers(specs: readonly CompiledCiliumSpec[], direction: Direction): Peers | undefined {
  const pods = new Set<number>();
  const addresses = new Set<number>();
  const lists =
    direction === Direction.Ingress
      ? (['ingress', 'ingressDeny'] as const)
      : (['egress', 'egressDeny'] as const);
  for (const s of specs) {
    for (const list of lists) {
      for (const rule of s[list]) {
        for (const peer of rule.peers) {
          if (peer.everything || peer.pods.all) return undefined;
          for (const id of peer.pods.ids) pods.add(id);
          for (const a of peer.addresses) addresses.add(a);
          if (pods.size > CILIUM_PATCH_PEERS) return undefined;
        }
      }
    }
  }
  return { pods: [...pods], addresses: [...addresses] };
}

/** The address classes whose ports differ between two `addressReach` results. */
function changedAddresses(
  before: readonly [number, PortSet][],
  after: readonly [number, PortSet][],
): number[] {
  const was = new Map(before);
  const out: number[] = [];
  for (const [a, ports] of after) {
    const old = was.get(a);
    was.delete(a);
    if (old === undefined || !portsEqual(old, ports)) out.push(a);
  }
  out.push(...was.keys());
  return out;
}

/** A Baseline walk with a Cilium deny of a class nothing isolates added to its denies (as `applyTiers` does). */
function withDeny(c: PolicyCompiler, walk: TierWalk, deny: PeerMap): TierWalk {
  return { ...walk, deny: unionMaps(c.classes, walk.deny, deny) };
}

/** CIDRs as keys: equal blocks written differently (`10.0.0.1/24`, `10.0.0.0/24`) have one key. */
function cidrKeys(texts: readonly string[]): string[] {
  const out: string[] = [];
  for (const text of texts) {
    const parsed = parseCidr(text);
    if (parsed.ok) out.push(`${parsed.cidr.family}/${parsed.cidr.start}/${parsed.cidr.prefix}`);
  }
  return out;
}

/** `list` with `policy` in place of the one with its id, or after the others. */
function withPolicy<P extends { id: string }>(list: readonly P[], policy: P): P[] {
  const position = list.findIndex((p) => p.id === policy.id);
  return position < 0 ? [...list, policy] : list.map((p, i) => (i === position ? policy : p));
}

function removeSorted(list: number[], value: number): void {
  const i = list.indexOf(value);
  if (i >= 0) list.splice(i, 1);
}

/**
 * A list of policies (ids unique) against the one it replaces: the old positions by id, the policies gone
 * or replaced (`dropped`), the new or replacing ones (`added`: not the very object held under their id),
 * the ids kept as they were, and whether nothing changed, not even the order.
 */
function compareLists<P extends { id: string }>(
  old: readonly P[],
  next: readonly P[],
): { oldPosition: Map<string, number>; dropped: P[]; added: P[]; kept: Set<string>; same: boolean } {
  const oldPosition = new Map(old.map((p, i) => [p.id, i]));
  const dropped: P[] = [];
  const added: P[] = [];
  const kept = new Set<string>();
  let moved = next.length !== old.length;
  for (const [i, p] of next.entries()) {
    const j = oldPosition.get(p.id);
    if (j !== undefined && old[j] === p) kept.add(p.id);
    else {
      added.push(p);
      if (j !== undefined) dropped.push(old[j]!);
    }
    if (j !== i) moved = true;
  }
  const ids = new Set(next.map((p) => p.id));
  for (const p of old) if (!ids.has(p.id)) dropped.push(p);
  return { oldPosition, dropped, added, kept, same: added.length === 0 && dropped.length === 0 && !moved };
}

/** `CompiledCilium` with the lists an edit of Cilium policies changes. */
type EditableCilium = Omit<CompiledCilium, 'specs' | 'ofClass'> & {
  specs: CompiledCiliumSpec[];
  ofClass: number[][];
};

/** Everything derived from the policies; rebuilt from scratch when the address space changes. */
class Evaluation {
  readonly compiler: PolicyCompiler;
  readonly policies: CompiledPolicy[];
  readonly policiesOfClass: number[][];
  /** Final accesses (all tiers), and what NetworkPolicies alone give (the same arrays without tiers). */
  readonly ingress: Access[];
  readonly egress: Access[];
  readonly npIngress: Access[];
  readonly npEgress: Access[];
  /**
   * The NetworkPolicy layer the tiers walk around: with Cilium policies, NetworkPolicies and Cilium rules
   * combined (`applyCilium`), and what Cilium denies of each class nothing isolates (`deny`); without, the
   * very `npIngress`/`npEgress` arrays.
   */
  readonly layer: {
    ingress: Access[];
    egress: Access[];
    deny: { ingress: Map<number, PeerMap>; egress: Map<number, PeerMap> };
  };
  /** The Cilium policies' rule sets, compiled (`compiled.cilium`, edited in place), and their compiler. */
  readonly cilium: EditableCilium;
  ciliumCompiler: CiliumSpecCompiler | undefined;
  /** The cluster policies, compiled, and those selecting each class; their walks kept between edits. */
  readonly tiers: { policies: CompiledTierPolicy[]; ofClass: number[][] };
  readonly tierWalks = new Map<string, TierWalk>();
  readonly compiled: CompiledCluster;
  readonly index: EntityIndex;
  readonly granularity: Granularity;
  /** Allowed pod class pairs: out of each class (destination → ports) and into each class (source → ports). */
  readonly outPods: Map<number, PortSet>[];
  readonly inPods: Map<number, PortSet>[];
  readonly outAddresses: [number, PortSet][][];
  readonly inAddresses: [number, PortSet][][];
  /** Classes whose egress (ingress) is open towards every pod. */
  readonly openEgress = new Set<number>();
  readonly openIngress = new Set<number>();
  /** For each class: the classes whose egress (ingress) access names it among its `pods`. */
  readonly namedByEgress: Set<number>[];
  readonly namedByIngress: Set<number>[];
  /** Entity pairs: out of each entity (destination entity → ports), and the sources of each destination. */
  readonly rows: Map<number, PortSet>[];
  readonly sources: Set<number>[];
  /** Entities (in `index.entities`) per class, and classes per entity. */
  readonly classesOfEntity: number[][];
  /** Sorted connections of each source entity, until its row changes. */
  readonly rowCache: (Connection[] | undefined)[];
  /**
   * Each class's reach by DNS name (`compiled.domainReach`), until an edit touches the class: it depends only
   * on the class's own cluster policies, Cilium rule sets and NetworkPolicy isolation.
   */
  readonly domainReach = new Map<number, DomainReach[]>();

  constructor(state: ClusterState, options: EngineOptions, granularity: Granularity) {
    this.granularity = granularity;
    const c = new PolicyCompiler(state, options);
    this.compiler = c;
    this.policies = state.policies.map((p, i) => c.compilePolicy(p, i));
    this.policiesOfClass = c.classes.map(() => []);
    for (const p of this.policies) for (const id of p.selected) this.policiesOfClass[id]!.push(p.index);
    this.tiers = c.compileTiers();
    const access = accessArrays(
      c,
      buildAccess(c, this.policies, this.policiesOfClass),
      this.tiers,
      this.tierWalks,
    );
    // Without cluster policies the final arrays are the NetworkPolicy ones: apart, for a cluster policy to come.
    if (access.ingress === access.npIngress) access.ingress = [...access.npIngress];
    if (access.egress === access.npEgress) access.egress = [...access.npEgress];
    this.ingress = access.ingress;
    this.egress = access.egress;
    this.npIngress = access.npIngress;
    this.npEgress = access.npEgress;
    // `compileCilium` builds its lists as plain arrays: Cilium edits change them in place.
    this.cilium = c.cilium as unknown as EditableCilium;
    const layer = access.layer;
    this.layer =
      layer !== undefined
        ? {
            ingress: c.classes.map((cls) => layer.ingress.get(cls.id)!),
            egress: c.classes.map((cls) => layer.egress.get(cls.id)!),
            deny: layer.deny,
          }
        : state.ciliumPolicies.length > 0
          ? {
              ingress: [...this.npIngress],
              egress: [...this.npEgress],
              deny: { ingress: new Map(), egress: new Map() },
            }
          : {
              ingress: this.npIngress,
              egress: this.npEgress,
              deny: { ingress: new Map(), egress: new Map() },
            };
    this.compiled = assembleCompiled(c, this.policies, this.policiesOfClass, access, this.tiers);
    this.index = entityIndex(this.compiled, granularity);

    const n = c.classes.length;
    this.outPods = Array.from({ length: n }, () => new Map<number, PortSet>());
    this.inPods = Array.from({ length: n }, () => new Map<number, PortSet>());
    this.outAddresses = Array.from({ length: n }, () => []);
    this.inAddresses = Array.from({ length: n }, () => []);
    this.namedByEgress = Array.from({ length: n }, () => new Set());
    this.namedByIngress = Array.from({ length: n }, () => new Set());
    for (let id = 0; id < n; id++) {
      this.indexEgress(id, this.egress[id]!, true);
      this.indexIngress(id, this.ingress[id]!, true);
    }
    for (let d = 0; d < n; d++) {
      const row = this.incomingRow(d);
      this.inPods[d] = row;
      for (const [s, ports] of row) this.outPods[s]!.set(d, ports);
    }
    const addressCount = c.space.classes.length;
    const egressMemo = new Map<Access, [number, PortSet][]>();
    const ingressMemo = new Map<Access, [number, PortSet][]>();
    for (let id = 0; id < n; id++) {
      this.outAddresses[id] = addressReach(this.egress[id]!, addressCount, egressMemo);
      this.inAddresses[id] = addressReach(this.ingress[id]!, addressCount, ingressMemo);
    }

    const E = this.index.entities.length;
    this.classesOfEntity = Array.from({ length: E }, () => []);
    for (let id = 0; id < n; id++)
      for (const m of this.index.members[id]!) this.classesOfEntity[m.entity]!.push(id);
    this.rows = Array.from({ length: E }, () => new Map<number, PortSet>());
    this.sources = Array.from({ length: E }, () => new Set());
    this.rowCache = new Array<Connection[] | undefined>(E);
    for (let e = 0; e < this.index.firstExternal; e++) {
      for (const [dst, ports] of this.entityRow(e)) {
        this.rows[e]!.set(dst, ports);
        this.sources[dst]!.add(e);
      }
      for (const [src, ports] of this.entityColumn(e, true)) {
        this.rows[src]!.set(e, ports);
        this.sources[e]!.add(src);
      }
    }
  }

  indexEgress(id: number, access: Access, add: boolean): void {
    if (isOpenTowardsPods(access)) {
      if (add) this.openEgress.add(id);
      else this.openEgress.delete(id);
    }
    for (const d of access.pods.keys()) {
      if (add) this.namedByEgress[d]!.add(id);
      else this.namedByEgress[d]!.delete(id);
    }
  }

  indexIngress(id: number, access: Access, add: boolean): void {
    if (isOpenTowardsPods(access)) {
      if (add) this.openIngress.add(id);
      else this.openIngress.delete(id);
    }
    for (const s of access.pods.keys()) {
      if (add) this.namedByIngress[s]!.add(id);
      else this.namedByIngress[s]!.delete(id);
    }
  }

  /** What `s` may open towards `d`, both sides considered. */
  pairPorts(s: number, d: number): PortSet | undefined {
    const classes = this.compiler.classes;
    const e = accessToPod(this.egress[s]!, classes[d]!);
    if (isEmptyPorts(e)) return undefined;
    const ports = intersectPorts(e, accessToPod(this.ingress[d]!, classes[s]!));
    return isEmptyPorts(ports) ? undefined : ports;
  }

  /** Allowed sources of class `d`: its ingress names them, or (when open) every source whose egress reaches it. */
  incomingRow(d: number): Map<number, PortSet> {
    const row = new Map<number, PortSet>();
    const ing = this.ingress[d]!;
    const visit = (s: number): void => {
      if (row.has(s)) return;
      const ports = this.pairPorts(s, d);
      if (ports !== undefined) row.set(s, ports);
    };
    if (isOpenTowardsPods(ing)) {
      for (const s of this.openEgress) visit(s);
      for (const s of this.namedByEgress[d]!) visit(s);
    } else {
      for (const s of ing.pods.keys()) visit(s);
    }
    return row;
  }

  /** Allowed destinations of class `s`. */
  outgoingRow(s: number): Map<number, PortSet> {
    const row = new Map<number, PortSet>();
    const eg = this.egress[s]!;
    const visit = (d: number): void => {
      if (row.has(d)) return;
      const ports = this.pairPorts(s, d);
      if (ports !== undefined) row.set(d, ports);
    };
    if (isOpenTowardsPods(eg)) {
      for (const d of this.openIngress) visit(d);
      for (const d of this.namedByIngress[s]!) visit(d);
    } else {
      for (const d of eg.pods.keys()) visit(d);
    }
    return row;
  }

  /** Everything entity `e` (a workload or pod) may connect to: entity index → ports. */
  entityRow(e: number): Map<number, PortSet> {
    const { members, firstExternal } = this.index;
    const out = new Map<number, PortSet>();
    const add = (dst: number, ports: PortSet): void => {
      const cur = out.get(dst);
      out.set(dst, cur === undefined ? ports : unionPorts(cur, ports));
    };
    for (const s of this.classesOfEntity[e]!) {
      const many = members[s]!.find((m) => m.entity === e)!.many;
      for (const [d, ports] of this.outPods[s]!) {
        for (const md of members[d]!) {
          // A pod's traffic to itself is not network traffic (as in computeConnectivity).
          if (s === d && md.entity === e && !many) continue;
          add(md.entity, ports);
        }
      }
      for (const [a, ports] of this.outAddresses[s]!) add(firstExternal + a, ports);
    }
    return out;
  }

  /** Every source that may connect to entity `e`: entity index → ports (external sources only, or all). */
  entityColumn(e: number, externalOnly: boolean): Map<number, PortSet> {
    const { members, firstExternal } = this.index;
    const out = new Map<number, PortSet>();
    const add = (src: number, ports: PortSet): void => {
      const cur = out.get(src);
      out.set(src, cur === undefined ? ports : unionPorts(cur, ports));
    };
    for (const d of this.classesOfEntity[e]!) {
      if (!externalOnly) {
        for (const [s, ports] of this.inPods[d]!) {
          for (const ms of members[s]!) {
            if (s === d && ms.entity === e && !ms.many) continue;
            add(ms.entity, ports);
          }
        }
      }
      for (const [a, ports] of this.inAddresses[d]!) add(firstExternal + a, ports);
    }
    return out;
  }

  /** What entity `src` may open towards entity `dst` (both workloads or pods): `entityRow`'s entry, alone. */
  entityPair(src: number, dst: number): PortSet | undefined {
    const { members } = this.index;
    let out: PortSet | undefined;
    for (const s of this.classesOfEntity[src]!) {
      const many = members[s]!.find((m) => m.entity === src)!.many;
      const row = this.outPods[s]!;
      for (const d of this.classesOfEntity[dst]!) {
        if (s === d && src === dst && !many) continue;
        const ports = row.get(d);
        if (ports !== undefined) out = out === undefined ? ports : unionPorts(out, ports);
      }
    }
    return out;
  }

  /** What entity `e` may open towards address class `a` (`out`), or accept from it: its classes' together. */
  entityAddress(e: number, a: number, out: boolean): PortSet | undefined {
    let ports: PortSet | undefined;
    for (const c of this.classesOfEntity[e]!) {
      for (const [x, p] of (out ? this.outAddresses : this.inAddresses)[c]!)
        if (x === a) ports = ports === undefined ? p : unionPorts(ports, p);
    }
    return ports;
  }

  connections(): Connection[] {
    const { entities } = this.index;
    const out: Connection[] = [];
    for (let e = 0; e < entities.length; e++) {
      let cached = this.rowCache[e];
      if (cached === undefined) {
        const row = this.rows[e]!;
        const src = entities[e]!.id;
        cached = [...row.keys()]
          .sort((a, b) => a - b)
          .map((d) => ({ src, dst: entities[d]!.id, ports: row.get(d)! }));
        this.rowCache[e] = cached;
      }
      for (const c of cached) out.push(c);
    }
    return out;
  }
}

/** Entity pairs, for reporting what changed between two evaluations. */
function diffEvaluations(before: Connection[], after: Connection[]): ConnectionChange[] {
  const old = new Map(before.map((c) => [pairKey(c.src, c.dst), c]));
  const changes: ConnectionChange[] = [];
  for (const c of after) {
    const key = pairKey(c.src, c.dst);
    const was = old.get(key);
    old.delete(key);
    if (was === undefined || !portsEqual(was.ports, c.ports))
      changes.push({ src: c.src, dst: c.dst, before: was?.ports, after: c.ports });
  }
  for (const was of old.values())
    changes.push({ src: was.src, dst: was.dst, before: was.ports, after: undefined });
  return changes;
}

/**
 * An engine that keeps its compiled state between policy edits. `connectivity()` equals
 * `computeConnectivity(compileCluster(state, options), granularity)` after any sequence of edits.
 *
 *     const inc = createIncrementalEngine(state);
 *     inc.connectivity();
 *     inc.updatePolicy(edited);   // { touchedClasses, recompiled, changes }
 *     inc.removePolicy('shop/allow-web');
 */
export function createIncrementalEngine(
  initial: ClusterState,
  options?: Partial<EngineOptions>,
  granularity: Granularity = 'workload',
): IncrementalEngine {
  const opts: EngineOptions = { ...DEFAULT_ENGINE_OPTIONS, ...options, classesByAllLabels: true };
  const state: ClusterState = {
    ...initial,
    policies: [...initial.policies],
    clusterPolicies: [...initial.clusterPolicies],
    ciliumPolicies: [...initial.ciliumPolicies],
  };
  let ev = new Evaluation(state, opts, granularity);
  /** The CIDRs the address space is split at (NetworkPolicy ipBlocks and cluster policy peers), counted. */
  const npCidrs = (policies: readonly PolicyInfo[]): string[] =>
    cidrKeys([...mentionedCidrs(policies), ...ipBlockNodeCidrs(policies, state.nodes)]);
  const tierCidrs = (policies: readonly ClusterPolicyInfo[]): string[] =>
    cidrKeys(tierMentionedCidrs({ ...state, clusterPolicies: [...policies] }));
  const ciliumCidrs = (policies: readonly CiliumPolicyInfo[]): string[] =>
    cidrKeys(ciliumPeerCidrs(state, policies));
  const cidrCounts = new Map<string, number>();
  for (const key of [
    ...npCidrs(state.policies),
    ...tierCidrs(state.clusterPolicies),
    ...ciliumCidrs(state.ciliumPolicies),
    ...cidrKeys(ciliumSplitCidrs(state)),
  ])
    cidrCounts.set(key, (cidrCounts.get(key) ?? 0) + 1);
  const positionOf = new Map(state.policies.map((p, i) => [p.id, i]));

  /**
   * Counts the CIDR keys `removed` out and `added` in; true when the set of distinct CIDRs changed (a CIDR
   * an edit keeps, even its only mention, changes nothing).
   */
  const updateCidrs = (removed: readonly string[], added: readonly string[]): boolean => {
    const touched = new Set([...removed, ...added]);
    const present = new Map([...touched].map((key) => [key, cidrCounts.has(key)]));
    for (const key of removed) cidrCounts.set(key, (cidrCounts.get(key) ?? 0) - 1);
    for (const key of added) cidrCounts.set(key, (cidrCounts.get(key) ?? 0) + 1);
    let changed = false;
    for (const key of touched) {
      if ((cidrCounts.get(key) ?? 0) <= 0) cidrCounts.delete(key);
      if (cidrCounts.has(key) !== present.get(key)) changed = true;
    }
    return changed;
  };

  const recompile = (): IncrementalUpdate => {
    const before = ev.connections();
    ev = new Evaluation(state, opts, granularity);
    return {
      touchedClasses: ev.compiler.classes.length,
      recompiled: true,
      changes: diffEvaluations(before, ev.connections()),
    };
  };

  /**
   * The new final accesses of `ids` in `direction` after a cluster policy edit that changes tier decisions
   * only at the pod classes `peers` (`changedPeers`), each the old one patched at those peers
   * (`patchTiers`); a class whose access changes form is left out (its access is combined afresh).
   */
  const patchAccesses = (
    ids: readonly number[],
    direction: Direction,
    peers: readonly number[] | undefined,
    stale: ReadonlyMap<string, TierWalk>,
  ): Map<number, Access> => {
    const out = new Map<number, Access>();
    if (peers === undefined || ev.tiers.policies.length === 0) return out;
    const { compiler: c, tiers } = ev;
    const finals = direction === Direction.Ingress ? ev.ingress : ev.egress;
    // The layer the tiers walk around: NetworkPolicies, and Cilium rules when there are some.
    const nps = direction === Direction.Ingress ? ev.layer.ingress : ev.layer.egress;
    const denies = ev.layer.deny[direction];
    // Classes with the same cluster policies share their walks (but for ingress named ports: per class).
    const named = tiers.policies.map(
      (p) => direction === Direction.Ingress && p.ingress.some((r) => r.ports.named.length > 0),
    );
    const shared = new Map<string, ClassWalks>();
    const once = (walk: () => TierWalk): (() => TierWalk) => {
      let w: TierWalk | undefined;
      return () => (w ??= walk());
    };
    for (const id of ids) {
      const old = finals[id]!;
      const np = nps[id]!;
      const ofClass = tiers.ofClass[id]!;
      const key = ofClass.some((i) => named[i]) ? `${ofClass.join(',')}|${id}` : ofClass.join(',');
      let w = shared.get(key);
      if (w === undefined) {
        const walks = classWalks(
          c,
          tiers.policies,
          ofClass,
          direction,
          c.classes[id]!,
          ev.tierWalks,
          tierPortsTowards,
          { stale, peers },
        );
        w = { mine: walks.mine, admin: once(walks.admin), baseline: once(walks.baseline) };
        shared.set(key, w);
      }
      // A Cilium deny of a class nothing isolates joins the Baseline tier's denies (as in `applyTiers`).
      const deny = denies.get(id);
      const baseline = deny === undefined ? w.baseline : once(() => withDeny(c, w.baseline(), deny));
      const next =
        w.mine.length === 0 && deny === undefined
          ? old === np
            ? np
            : undefined
          : patchTiers(c, old, np, w.admin, baseline, peers);
      if (next !== undefined) out.set(id, next);
    }
    return out;
  };

  /**
   * The new final accesses of `ids` in `direction` after a Cilium policy edit whose rules match the peers `at`
   * only (`ciliumPeers`), for the classes that keep their isolation (`keep`), are isolated in that direction
   * and for which no cluster policy decides there: their final access is their NetworkPolicy layer
   * (`(np ∪ Cilium allows) \ Cilium denies`), so it is the old one with that value at those peers laid over it
   * (`patchAccess`), not combined afresh. The other classes are left out (rebuilt in full).
   */
  const patchCilium = (
    ids: readonly number[],
    direction: Direction,
    at: Peers | undefined,
    keep: ReadonlySet<number>,
  ): Map<number, Access> => {
    const out = new Map<number, Access>();
    if (at === undefined) return out;
    const { compiler: c, tiers, cilium } = ev;
    const finals = direction === Direction.Ingress ? ev.ingress : ev.egress;
    const nps = direction === Direction.Ingress ? ev.npIngress : ev.npEgress;
    const layers = ev.layer[direction];
    for (const id of ids) {
      const old = finals[id]!;
      // The layer is the final access exactly where it is isolated and no cluster policy has rules here.
      if (!keep.has(id) || old !== layers[id] || !old.isolated) continue;
      if (tiers.ofClass[id]!.some((i) => tiers.policies[i]![direction].length > 0)) continue;
      const np = nps[id]!;
      const specs = cilium.ofClass[id]!.map((i) => cilium.specs[i]!);
      const { allow, deny } = ciliumLayer(c, specs, direction, c.classes[id]!);
      const value = (under: PortSet, allowed: PortSet, denied: PortSet): PortSet =>
        subtractPorts(unionPorts(np.isolated ? under : NO_PORTS, allowed), denied);
      const pods = new Map<number, PortSet>();
      for (const x of at.pods) {
        const cls = c.classes[x]!;
        pods.set(x, value(accessToPod(np, cls), podValue(allow, cls), podValue(deny, cls)));
      }
      const addresses = new Map<number, PortSet>();
      for (const a of at.addresses)
        addresses.set(a, value(accessToAddress(np, a), addressValue(allow, a), addressValue(deny, a)));
      out.set(id, patchAccess(c, old, pods, addresses));
    }
    return out;
  };

  /**
   * Rebuilds the accesses of `touched` and everything downstream. `changed`: NetworkPolicies (their accesses
   * are rebuilt, then the layers above them), Cilium policies (the classes' Cilium layer over their
   * NetworkPolicy accesses is rebuilt, then the tiers), or only cluster policies (the classes' NetworkPolicy
   * layers recombine with their new tier walks). `peers` (cluster policy edits): per direction, the pod classes
   * outside which the edit changes no decision (`changedPeers`); a class whose access is patched there
   * (`patchAccesses`) gets only its pairs with those peers recomputed, not its whole row, and only the entity
   * pairs of the class pairs that changed. `rows` (Cilium policy edits): the same for rows, with accesses
   * rebuilt in full (`RowPeers`).
   */
  const propagate = (
    touched: Set<number>,
    ingressChanged: boolean,
    egressChanged: boolean,
    changed: Changed = Changed.NetworkPolicies,
    peers: ChangedPeers = NO_PEERS,
    rows: RowPeers = NO_ROWS,
  ): IncrementalUpdate => {
    // Traffic from a pod's own node (classes split by node, `own-node.ts`) is not tracked here: recompute.
    if (ev.compiler.placement !== undefined) return recompile();
    const { compiler: c, index } = ev;
    const ids = [...touched].sort((a, b) => a - b);
    for (const id of ids) ev.domainReach.delete(id);
    const access =
      changed === Changed.NetworkPolicies ? buildAccess(c, ev.policies, ev.policiesOfClass, ids) : undefined;
    // Patching keeps the NetworkPolicy accesses: only for cluster policy and Cilium policy edits.
    if (changed !== Changed.Tiers) peers = NO_PEERS;
    if (changed !== Changed.Cilium) rows = NO_ROWS;
    const patch = (direction: Direction): ReadonlyMap<number, Access> =>
      changed === Changed.Tiers
        ? patchAccesses(ids, direction, peers[direction], peers.stale)
        : patchCilium(ids, direction, rows[direction], rows.keep[direction]);
    const patchedIn = ingressChanged ? patch(Direction.Ingress) : NO_PATCHES;
    const patchedOut = egressChanged ? patch(Direction.Egress) : NO_PATCHES;
    // The pod classes at which patched accesses changed.
    const atIn = changed === Changed.Tiers ? peers.ingress : rows.ingress?.pods;
    const atOut = changed === Changed.Tiers ? peers.egress : rows.egress?.pods;
    const ingressTouched = ingressChanged ? ids.filter((id) => !patchedIn.has(id)) : [];
    const egressTouched = egressChanged ? ids.filter((id) => !patchedOut.has(id)) : [];
    // Unindex the old final accesses first.
    for (const id of ingressTouched) {
      ev.indexIngress(id, ev.ingress[id]!, false);
      if (access !== undefined) ev.npIngress[id] = access.ingress.get(id) ?? OPEN_ACCESS;
    }
    for (const id of egressTouched) {
      ev.indexEgress(id, ev.egress[id]!, false);
      if (access !== undefined) ev.npEgress[id] = access.egress.get(id) ?? OPEN_ACCESS;
    }
    // With Cilium policies, the touched classes' Cilium rules combine with their NetworkPolicy accesses.
    const { layer } = ev;
    const cilium = state.ciliumPolicies.length > 0;
    if (cilium && changed !== Changed.Tiers) {
      for (const [direction, list] of [
        [Direction.Ingress, ingressTouched],
        [Direction.Egress, egressTouched],
      ] as const) {
        if (list.length === 0) continue;
        const np = direction === Direction.Ingress ? ev.npIngress : ev.npEgress;
        const combined = applyCilium(
          c,
          ev.cilium,
          (id) => np[id]!,
          (id) => np[id]!,
          list,
          [direction],
        );
        for (const id of list) {
          layer[direction][id] = combined[direction].get(id)!;
          const deny = combined.deny[direction].get(id);
          if (deny === undefined) layer.deny[direction].delete(id);
          else layer.deny[direction].set(id, deny);
        }
      }
    }
    // With cluster policies (or Cilium denies), the touched classes' NetworkPolicy layer recombines with their
    // tier decisions.
    const combined = (list: readonly number[], direction: Direction): Map<number, Access> | undefined =>
      (ev.tiers.policies.length === 0 && !cilium) || list.length === 0
        ? undefined
        : applyTiers(
            c,
            ev.tiers,
            (id) => layer.ingress[id]!,
            (id) => layer.egress[id]!,
            list,
            ev.tierWalks,
            [direction],
            cilium ? (id, d) => layer.deny[d].get(id) : undefined,
          )[direction];
    const finalIn = combined(ingressTouched, Direction.Ingress);
    const finalOut = combined(egressTouched, Direction.Egress);
    for (const id of ingressTouched) {
      ev.ingress[id] = finalIn?.get(id) ?? layer.ingress[id]!;
      ev.indexIngress(id, ev.ingress[id], true);
    }
    for (const id of egressTouched) {
      ev.egress[id] = finalOut?.get(id) ?? layer.egress[id]!;
      ev.indexEgress(id, ev.egress[id], true);
    }
    // Patched accesses differ at their peers only: the index changes there (the broad part stays).
    const install = (
      patches: ReadonlyMap<number, Access>,
      finals: Access[],
      namedBy: Set<number>[],
      at: readonly number[] | undefined,
    ): number[] => {
      const changed: number[] = [];
      for (const [id, next] of patches) {
        const old = finals[id]!;
        if (next === old) continue;
        for (const x of at!) {
          if (old.pods.has(x) === next.pods.has(x)) continue;
          if (next.pods.has(x)) namedBy[x]!.add(id);
          else namedBy[x]!.delete(id);
        }
        finals[id] = next;
        changed.push(id);
      }
      return changed;
    };
    const ingressPatched = install(patchedIn, ev.ingress, ev.namedByIngress, atIn);
    const egressPatched = install(patchedOut, ev.egress, ev.namedByEgress, atOut);
    // A patched Cilium layer is the class's final access (no cluster policy decides there).
    if (changed === Changed.Cilium) {
      for (const id of ingressPatched) layer.ingress[id] = ev.ingress[id]!;
      for (const id of egressPatched) layer.egress[id] = ev.egress[id]!;
    }
    // Classes whose rows change at a Cilium edit's peers only; the others' rows are recomputed.
    const rowPatched = (list: readonly number[], direction: Direction): [number[], number[]] =>
      rows[direction] === undefined
        ? [[...list], []]
        : [
            list.filter((id) => !rows.keep[direction].has(id)),
            list.filter((id) => rows.keep[direction].has(id)),
          ];
    const [ingressRows, ingressAtPeers] = rowPatched(ingressTouched, Direction.Ingress);
    const [egressRows, egressAtPeers] = rowPatched(egressTouched, Direction.Egress);
    const addressCount = c.space.classes.length;
    const memo = new Map<Access, [number, PortSet][]>();
    // Class rows, after every access is in place.
    for (const s of egressRows) {
      const row = ev.outgoingRow(s);
      for (const d of ev.outPods[s]!.keys()) if (!row.has(d)) ev.inPods[d]!.delete(s);
      for (const [d, ports] of row) ev.inPods[d]!.set(s, ports);
      ev.outPods[s] = row;
      ev.outAddresses[s] = addressReach(ev.egress[s]!, addressCount, memo);
    }
    const inMemo = new Map<Access, [number, PortSet][]>();
    for (const d of ingressRows) {
      const row = ev.incomingRow(d);
      for (const s of ev.inPods[d]!.keys()) if (!row.has(s)) ev.outPods[s]!.delete(d);
      for (const [s, ports] of row) ev.outPods[s]!.set(d, ports);
      ev.inPods[d] = row;
      ev.inAddresses[d] = addressReach(ev.ingress[d]!, addressCount, inMemo);
    }
    // Pairs of a patched class with its peers; those that changed, for the entity pairs.
    const pairs: [number, number][] = [];
    const pair = (s: number, d: number): void => {
      const ports = ev.pairPorts(s, d);
      const cur = ev.outPods[s]!.get(d);
      if (cur === ports || (cur !== undefined && ports !== undefined && portsEqual(cur, ports))) return;
      if (ports === undefined) {
        ev.outPods[s]!.delete(d);
        ev.inPods[d]!.delete(s);
      } else {
        ev.outPods[s]!.set(d, ports);
        ev.inPods[d]!.set(s, ports);
      }
      pairs.push([s, d]);
    };
    for (const d of ingressPatched) for (const s of atIn!) pair(s, d);
    for (const s of egressPatched) for (const d of atOut!) pair(s, d);
    for (const d of ingressAtPeers) for (const s of rows.ingress!.pods) pair(s, d);
    for (const s of egressAtPeers) for (const d of rows.egress!.pods) pair(s, d);
    // Address entries of the classes whose rows change at a Cilium edit's peers: [class, address class].
    const atAddresses = (
      list: readonly number[],
      direction: Direction,
      m: Map<Access, [number, PortSet][]>,
    ): [number, number][] => {
      const out: [number, number][] = [];
      const at = rows[direction];
      if (at === undefined || at.addresses.length === 0) return out;
      const ingress = direction === Direction.Ingress;
      const [reach, finals] = ingress ? [ev.inAddresses, ev.ingress] : [ev.outAddresses, ev.egress];
      for (const id of list) {
        const next = addressReach(finals[id]!, addressCount, m);
        for (const a of changedAddresses(reach[id]!, next)) out.push([id, a]);
        reach[id] = next;
      }
      return out;
    };
    const outAddressPairs = atAddresses([...egressAtPeers, ...egressPatched], Direction.Egress, memo);
    const inAddressPairs = atAddresses([...ingressAtPeers, ...ingressPatched], Direction.Ingress, inMemo);

    // Entity rows and columns; remember each changed pair's first value to report the changes.
    const E = index.entities.length;
    const before = new Map<number, PortSet | undefined>();
    const set = (src: number, dst: number, ports: PortSet | undefined): void => {
      const row = ev.rows[src]!;
      const cur = row.get(dst);
      if (cur === ports || (cur !== undefined && ports !== undefined && portsEqual(cur, ports))) return;
      const key = src * E + dst;
      if (!before.has(key)) before.set(key, cur);
      if (ports === undefined) {
        row.delete(dst);
        ev.sources[dst]!.delete(src);
      } else {
        row.set(dst, ports);
        ev.sources[dst]!.add(src);
      }
      ev.rowCache[src] = undefined;
    };
    const srcEntities = new Set<number>();
    for (const s of egressRows) for (const m of index.members[s]!) srcEntities.add(m.entity);
    const dstEntities = new Set<number>();
    for (const d of ingressRows) for (const m of index.members[d]!) dstEntities.add(m.entity);
    for (const e of srcEntities) {
      const row = ev.entityRow(e);
      for (const dst of ev.rows[e]!.keys()) if (!row.has(dst)) set(e, dst, undefined);
      for (const [dst, ports] of row) set(e, dst, ports);
    }
    for (const e of dstEntities) {
      const column = ev.entityColumn(e, false);
      for (const src of [...ev.sources[e]!]) if (!column.has(src)) set(src, e, undefined);
      for (const [src, ports] of column) set(src, e, ports);
    }
    const entityPairs = new Set<number>();
    for (const [s, d] of pairs) {
      for (const ms of index.members[s]!) {
        for (const md of index.members[d]!) entityPairs.add(ms.entity * E + md.entity);
      }
    }
    for (const key of entityPairs) {
      const src = Math.floor(key / E);
      set(src, key - src * E, ev.entityPair(src, key - src * E));
    }
    const external = index.firstExternal;
    for (const [s, a] of outAddressPairs)
      for (const m of index.members[s]!) set(m.entity, external + a, ev.entityAddress(m.entity, a, true));
    for (const [d, a] of inAddressPairs)
      for (const m of index.members[d]!) set(external + a, m.entity, ev.entityAddress(m.entity, a, false));
    const changes: ConnectionChange[] = [];
    for (const key of [...before.keys()].sort((a, b) => a - b)) {
      const src = Math.floor(key / E);
      const dst = key - src * E;
      const was = before.get(key);
      const now = ev.rows[src]!.get(dst);
      if (was === now || (was !== undefined && now !== undefined && portsEqual(was, now))) continue;
      changes.push({ src: index.entities[src]!.id, dst: index.entities[dst]!.id, before: was, after: now });
    }
    const update: IncrementalUpdate = { touchedClasses: touched.size, recompiled: false, changes };
    const patchedClasses = new Set([
      ...patchedIn.keys(),
      ...patchedOut.keys(),
      ...ingressAtPeers,
      ...egressAtPeers,
    ]).size;
    if (patchedClasses > 0) update.patchedClasses = patchedClasses;
    return update;
  };

  const engine: IncrementalEngine = {
    state,
    get compiled() {
      return ev.compiled;
    },
    connectivity() {
      const { granularity: g, entities, byId } = ev.index;
      // Each class's reach by DNS name, kept until an edit touches the class (`propagate`).
      const { compiled, domainReach } = ev;
      const reach = (id: number): DomainReach[] => {
        let r = domainReach.get(id);
        if (r === undefined) domainReach.set(id, (r = compiled.domainReach(id)));
        return r;
      };
      const domains = connectivityDomains({ ...compiled, domainReach: reach }, ev.index);
      // The connections Cilium filters at L7, as `computeConnectivity` gives them.
      const l7 = l7Field(compiled, ev.index);
      return { granularity: g, entities, byId, connections: ev.connections(), domains, ...l7 };
    },
    updatePolicy(policy) {
      const position = positionOf.get(policy.id);
      const old = position === undefined ? undefined : state.policies[position];
      const index = position ?? state.policies.length;
      if (position === undefined) {
        positionOf.set(policy.id, index);
        state.policies.push(policy);
      } else state.policies[index] = policy;
      if (updateCidrs(npCidrs(old === undefined ? [] : [old]), npCidrs([policy]))) return recompile();

      const compiled = ev.compiler.compilePolicy(policy, index);
      const previous = position === undefined ? undefined : ev.policies[index];
      if (previous === undefined) ev.policies.push(compiled);
      else ev.policies[index] = compiled;
      const touched = new Set<number>();
      for (const id of previous?.selected ?? []) {
        removeSorted(ev.policiesOfClass[id]!, index);
        touched.add(id);
      }
      for (const id of compiled.selected) {
        insertSorted(ev.policiesOfClass[id]!, index);
        touched.add(id);
      }
      return propagate(
        touched,
        compiled.affectsIngress || previous?.affectsIngress === true,
        compiled.affectsEgress || previous?.affectsEgress === true,
      );
    },
    removePolicy(id) {
      const position = positionOf.get(id);
      if (position === undefined) return NO_CHANGE;
      const old = state.policies[position]!;
      state.policies.splice(position, 1);
      positionOf.delete(id);
      for (let i = position; i < state.policies.length; i++) positionOf.set(state.policies[i]!.id, i);
      if (updateCidrs(npCidrs([old]), [])) return recompile();

      const [previous] = ev.policies.splice(position, 1);
      // Later policies move down one place: their indices, and the lists that hold them.
      for (let i = position; i < ev.policies.length; i++) (ev.policies[i] as { index: number }).index = i;
      for (const list of ev.policiesOfClass) {
        for (let j = 0; j < list.length; j++) if (list[j]! > position) list[j]! -= 1;
      }
      const touched = new Set<number>();
      for (const cls of previous!.selected) {
        removeSorted(ev.policiesOfClass[cls]!, position);
        touched.add(cls);
      }
      return propagate(touched, previous!.affectsIngress, previous!.affectsEgress);
    },
    setPolicies(policies) {
      const { oldPosition, dropped, added, kept, same } = compareLists(state.policies, policies);
      if (same) return NO_CHANGE;

      const previous = ev.policies.slice();
      state.policies.length = 0;
      for (const p of policies) state.policies.push(p);
      positionOf.clear();
      for (const [i, p] of state.policies.entries()) positionOf.set(p.id, i);
      if (updateCidrs(npCidrs(dropped), npCidrs(added))) return recompile();

      const touched = new Set<number>();
      let ingressChanged = false;
      let egressChanged = false;
      const touch = (p: CompiledPolicy): void => {
        for (const id of p.selected) touched.add(id);
        ingressChanged ||= p.affectsIngress;
        egressChanged ||= p.affectsEgress;
      };
      for (const p of dropped) touch(previous[oldPosition.get(p.id)!]!);
      ev.policies.length = 0;
      for (const [i, p] of state.policies.entries()) {
        if (kept.has(p.id)) {
          const compiled = previous[oldPosition.get(p.id)!]!;
          compiled.index = i;
          ev.policies.push(compiled);
        } else {
          const compiled = ev.compiler.compilePolicy(p, i);
          touch(compiled);
          ev.policies.push(compiled);
        }
      }
      // Indices moved: every class's list of policies is rebuilt (linear), its access only where touched.
      for (const list of ev.policiesOfClass) list.length = 0;
      for (const p of ev.policies) for (const id of p.selected) ev.policiesOfClass[id]!.push(p.index);
      return propagate(touched, ingressChanged, egressChanged);
    },
    updateClusterPolicy(policy) {
      return engine.setClusterPolicies(withPolicy(state.clusterPolicies, policy));
    },
    removeClusterPolicy(id) {
      const list = state.clusterPolicies;
      return list.some((p) => p.id === id)
        ? engine.setClusterPolicies(list.filter((p) => p.id !== id))
        : NO_CHANGE;
    },
    setClusterPolicies(policies) {
      const { oldPosition, dropped, added, kept, same } = compareLists(state.clusterPolicies, policies);
      if (same) return NO_CHANGE;

      const matchedAddresses = tiersMatchAddresses(state);
      state.clusterPolicies.length = 0;
      for (const p of policies) state.clusterPolicies.push(p);
      const cidrsMoved = updateCidrs(tierCidrs(dropped), tierCidrs(added));
      // Pod classes know their address classes when NetworkPolicy ipBlocks or cluster policies match pods by IP.
      const classesMoved =
        !(opts.ipBlockMatchesPods || ipBlockMatchesClass(opts, true)) &&
        matchedAddresses !== tiersMatchAddresses(state);
      if (cidrsMoved || classesMoved) return recompile();

      const previous = ev.tiers.policies.slice();
      const touched = new Set<number>();
      let ingressChanged = false;
      let egressChanged = false;
      const changedPolicies: CompiledTierPolicy[] = [];
      const touch = (p: CompiledTierPolicy): void => {
        for (const id of p.selected) touched.add(id);
        ingressChanged ||= p.ingress.length > 0;
        egressChanged ||= p.egress.length > 0;
        changedPolicies.push(p);
      };
      for (const p of dropped) touch(previous[oldPosition.get(p.id)!]!);
      // Ranks renumber (a priority change moves the others' ranks, not their order among themselves).
      const ranks = tierRanks(state.clusterPolicies);
      ev.tiers.policies.length = 0;
      for (const [i, p] of state.clusterPolicies.entries()) {
        let compiled: CompiledTierPolicy;
        if (kept.has(p.id)) {
          compiled = previous[oldPosition.get(p.id)!]!;
          compiled.index = i;
          compiled.rank = ranks[i]!;
        } else {
          compiled = compileTierPolicy(ev.compiler, p, i, ranks[i]!);
          touch(compiled);
        }
        ev.tiers.policies.push(compiled);
      }
      // Every class's list of cluster policies is rebuilt (linear; indices may have moved), as
      // `compileTiers` orders it: Admin tier first, then Baseline, each by rank.
      for (const list of ev.tiers.ofClass) list.length = 0;
      const order = ev.tiers.policies
        .slice()
        .sort((a, b) => (a.tier === b.tier ? 0 : a.tier === Tier.Admin ? -1 : 1) || a.rank - b.rank);
      for (const p of order) for (const id of p.selected) ev.tiers.ofClass[id]!.push(p.index);
      // Walks are keyed by policy indices: those of an index that now names another policy (or the same one
      // changed) go; the others stay valid (the walks of the policies after an edited one, among them).
      // An index whose policy changed in place (same id, tier and priority: the same place in every list)
      // keeps its lists' walks valid outside the changed peers: those go to `stale`, for `patchWalk`.
      const changed = new Set<number>();
      const inPlace = new Set<number>();
      for (const [i, p] of state.clusterPolicies.entries()) {
        if (kept.has(p.id) && oldPosition.get(p.id) === i) continue;
        changed.add(i);
        const was = previous[i]?.info;
        if (was?.id === p.id && was.tier === p.tier && was.priority === p.priority) inPlace.add(i);
      }
      for (let j = state.clusterPolicies.length; j < previous.length; j++) changed.add(j);
      const stale = new Map<string, TierWalk>();
      if (changed.size > 0) {
        for (const [key, walk] of ev.tierWalks) {
          const indices = key.split('|')[2]!.split(',').map(Number);
          if (!indices.some((i) => changed.has(i))) continue;
          ev.tierWalks.delete(key);
          if (indices.length > 1 && indices.every((i) => !changed.has(i) || inPlace.has(i)))
            stale.set(key, walk);
        }
      }
      // Outside the peers the changed policies' rules match, no decision changed: patch, when that pays.
      return propagate(touched, ingressChanged, egressChanged, Changed.Tiers, {
        ingress: changedPeers(ev.compiler, changedPolicies, Direction.Ingress),
        egress: changedPeers(ev.compiler, changedPolicies, Direction.Egress),
        stale,
      });
    },
    updateCiliumPolicy(policy) {
      return engine.setCiliumPolicies(withPolicy(state.ciliumPolicies, policy));
    },
    removeCiliumPolicy(id) {
      const list = state.ciliumPolicies;
      return list.some((p) => p.id === id)
        ? engine.setCiliumPolicies(list.filter((p) => p.id !== id))
        : NO_CHANGE;
    },
    setCiliumPolicies(policies) {
      const { oldPosition, dropped, added, kept, same } = compareLists(state.ciliumPolicies, policies);
      if (same) return NO_CHANGE;

      const had = state.ciliumPolicies.length > 0;
      // Peers that set the outside's families or the node addresses apart split it there too.
      const splitBefore = cidrKeys(ciliumSplitCidrs(state));
      state.ciliumPolicies.length = 0;
      for (const p of policies) state.ciliumPolicies.push(p);
      const cidrsMoved = updateCidrs(
        [...ciliumCidrs(dropped), ...splitBefore],
        [...ciliumCidrs(added), ...cidrKeys(ciliumSplitCidrs(state))],
      );
      // The first Cilium policy (or the last one gone) makes pod classes know their address classes: a new space.
      if (cidrsMoved || had !== policies.length > 0) return recompile();

      // The rule sets of each policy, by its old position; kept ones are renumbered, not recompiled.
      const cilium = ev.cilium;
      const specsOf = new Map<number, CompiledCiliumSpec[]>();
      for (const s of cilium.specs) {
        const list = specsOf.get(s.policy);
        if (list === undefined) specsOf.set(s.policy, [s]);
        else list.push(s);
      }
      const touched = new Set<number>();
      let ingressChanged = false;
      let egressChanged = false;
      const changedSpecs: CompiledCiliumSpec[] = [];
      // A rule set changes the classes it selects in the directions it has rules or default deny in.
      const touch = (s: CompiledCiliumSpec): void => {
        changedSpecs.push(s);
        const affects = (d: Direction): boolean =>
          s.info.defaultDeny[d] ||
          s[d === Direction.Ingress ? 'ingress' : 'egress'].length > 0 ||
          s[d === Direction.Ingress ? 'ingressDeny' : 'egressDeny'].length > 0;
        const ingress = affects(Direction.Ingress);
        const egress = affects(Direction.Egress);
        if (!ingress && !egress) return;
        for (const id of s.selected) touched.add(id);
        ingressChanged ||= ingress;
        egressChanged ||= egress;
      };
      for (const p of dropped) for (const s of specsOf.get(oldPosition.get(p.id)!) ?? []) touch(s);
      const compiler = (ev.ciliumCompiler ??= ciliumSpecCompiler(ev.compiler));
      const before = { specs: cilium.specs.slice(), ofClass: cilium.ofClass.slice() };
      cilium.specs.length = 0;
      for (const [i, p] of state.ciliumPolicies.entries()) {
        if (kept.has(p.id)) {
          for (const s of specsOf.get(oldPosition.get(p.id)!) ?? []) {
            s.index = cilium.specs.length;
            s.policy = i;
            cilium.specs.push(s);
          }
        } else {
          for (const s of compiler.compile(p, i, cilium.specs.length)) {
            touch(s);
            cilium.specs.push(s);
          }
        }
      }
      // Indices moved: every class's list of rule sets is rebuilt (linear), its access only where touched.
      for (let id = 0; id < cilium.ofClass.length; id++) cilium.ofClass[id] = [];
      for (const s of cilium.specs) for (const id of s.selected) cilium.ofClass[id]!.push(s.index);
      // Where the changed rules match few peers, the touched classes whose isolation stays (a NetworkPolicy
      // isolates them, or a Cilium rule set's default deny before and after, or neither) decide differently
      // at those peers only: their rows are patched there.
      const keep = (direction: Direction): Set<number> => {
        const out = new Set<number>();
        const np = direction === Direction.Ingress ? ev.npIngress : ev.npEgress;
        const denies = (
          c: { specs: readonly CompiledCiliumSpec[]; ofClass: readonly number[][] },
          id: number,
        ) => c.ofClass[id]!.some((i) => c.specs[i]!.info.defaultDeny[direction]);
        for (const id of touched)
          if (np[id]!.isolated || denies(before, id) === denies(cilium, id)) out.add(id);
        return out;
      };
      const rows: RowPeers = {
        ingress: ciliumPeers(changedSpecs, Direction.Ingress),
        egress: ciliumPeers(changedSpecs, Direction.Egress),
        keep: { ingress: keep(Direction.Ingress), egress: keep(Direction.Egress) },
      };
      return propagate(touched, ingressChanged, egressChanged, Changed.Cilium, NO_PEERS, rows);
    },
  };
  return engine;
}
