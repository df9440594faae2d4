/**
 * Evaluate the cluster-wide policy tiers (issue #15; semantics in docs/design/tiers.md): per class and
 * direction, the Admin tier's walk, then NetworkPolicies, then the Baseline tier, combined into one `Access`.
 *
 * Each tier's decision is built with set operations on `PeerMap`s, a "default + per-peer override" form: a
 * port set for every non-host-network pod class, one for host-network pod classes and every address class,
 * and overrides for single classes. Union, intersection and difference work pointwise. The final decision
 * is turned into a (possibly cut) `Access` at the end.
 *
 * Per direction: `final = A_admin ∪ (L2 \ D_admin)`, where `L2` is what NetworkPolicies allow when they
 * isolate the class in that direction, and `complement(D_baseline)` otherwise (what the Baseline tier does
 * not deny is allowed, by it or by default). `A`/`D` are what the tier's first matching rules allow/deny.
 */
import { TierAction, Tier } from '../model/cluster.ts';
import type { PodClass } from './classes.ts';
import {
  accessToAddress,
  accessToPod,
  type Access,
  type ClassSet,
  type CompiledPorts,
  type Direction,
} from './compile.ts';
import {
  ALL_CONNECTIONS,
  NO_PORTS,
  intersectPorts,
  isAllConnections,
  isEmptyPorts,
  portsEqual,
  portsKey,
  subtractPorts,
  unionPorts,
  type PortSet,
} from './ports.ts';
import { sortedIncludes } from '../base/sorted.ts';
import type { CompiledTierPolicy, CompiledTierRule } from './tiers.ts';

/** A port set per peer: `pods` for non-host-network pod classes, `host` for host-network ones and addresses. */
export interface PeerMap {
  readonly pods: PortSet;
  readonly host: PortSet;
  readonly podOverrides: ReadonlyMap<number, PortSet>;
  readonly addressOverrides: ReadonlyMap<number, PortSet>;
}

const NO_OVERRIDES: ReadonlyMap<number, PortSet> = new Map();
export const NOTHING: PeerMap = {
  pods: NO_PORTS,
  host: NO_PORTS,
  podOverrides: NO_OVERRIDES,
  addressOverrides: NO_OVERRIDES,
};
export const EVERYTHING: PeerMap = {
  pods: ALL_CONNECTIONS,
  host: ALL_CONNECTIONS,
  podOverrides: NO_OVERRIDES,
  addressOverrides: NO_OVERRIDES,
};

/** What the tier engine needs of the compiler (implemented by `PolicyCompiler`). */
export interface TierContext {
  readonly classes: readonly PodClass[];
  readonly space: { readonly classes: readonly unknown[] };
  readonly namedPortIndex: ReadonlyMap<string, ReadonlyMap<number, PortSet>>;
}

type PortOp = (a: PortSet, b: PortSet) => PortSet;

/** What the map holds for pod class `cls`. */
export function podValue(m: PeerMap, cls: PodClass): PortSet {
  return m.podOverrides.get(cls.id) ?? (cls.hostNetwork ? m.host : m.pods);
}

/** What the map holds for address class `a`. */
export function addressValue(m: PeerMap, a: number): PortSet {
  return m.addressOverrides.get(a) ?? m.host;
}

const Op = { Union: 'union', Intersect: 'intersect', Subtract: 'subtract' } as const;
type Op = (typeof Op)[keyof typeof Op];

const OPS: Record<Op, PortOp> = {
  union: unionPorts,
  intersect: intersectPorts,
  subtract: subtractPorts,
};

/**
 * What `op` gives at a peer one map overrides and the other does not, against the other's default `d` (`left`:
 * `d` is the left operand): `skip` when the result is the result's default whatever the override (∅ ∩ x,
 * ∅ \ x, x \ all, all ∪ x: no entry needed), `copy` when it is the override itself (∅ ∪ x, all ∩ x, x \ ∅),
 * else `compute`. So combining a small map with a large one does not redo the large one's entries.
 */
type Effect = 'skip' | 'copy' | 'compute';

function effect(op: Op, d: PortSet, left: boolean): Effect {
  const empty = isEmptyPorts(d);
  const all = !empty && isAllConnections(d);
  switch (op) {
    case Op.Union:
      return empty ? 'copy' : all ? 'skip' : 'compute';
    case Op.Intersect:
      return empty ? 'skip' : all ? 'copy' : 'compute';
    case Op.Subtract:
      if (left) return empty ? 'skip' : 'compute';
      return empty ? 'copy' : all ? 'skip' : 'compute';
  }
}

/**
 * Adds the entries of `own` that `other` does not override, against `other`'s defaults (`pods`, `host`);
 * `shared`: also those both override (`own` on the left), in `own`'s order.
 */
function oneSided(
  out: Map<number, PortSet>,
  own: ReadonlyMap<number, PortSet>,
  other: ReadonlyMap<number, PortSet>,
  op: Op,
  left: boolean,
  defaults: { pods: PortSet; host: PortSet },
  isHost: ((id: number) => boolean) | undefined,
  shared: boolean,
): void {
  const onPods = effect(op, defaults.pods, left);
  const onHost = effect(op, defaults.host, left);
  if (!shared && onPods === 'skip' && onHost === 'skip') return;
  const f = OPS[op];
  for (const [id, v] of own) {
    const w = other.get(id);
    if (w !== undefined) {
      if (shared) out.set(id, f(v, w));
      continue;
    }
    const host = isHost === undefined || isHost(id);
    const e = host ? onHost : onPods;
    if (e === 'copy') out.set(id, v);
    else if (e === 'compute') {
      const d = host ? defaults.host : defaults.pods;
      out.set(id, left ? f(d, v) : f(v, d));
    }
  }
}

/**
 * One of `pointwise`'s override maps. When `b`'s defaults leave `a`'s entries as they are (`copy`) and `b`
 * overrides fewer peers, `a`'s map is shared, not copied: the peers `b` overrides are computed and laid over
 * it (`OverlayMap`; an overlay over an overlay is flattened first, so reads stay two levels deep).
 */
function overrides(
  a: ReadonlyMap<number, PortSet>,
  b: ReadonlyMap<number, PortSet>,
  op: Op,
  defaults: { a: { pods: PortSet; host: PortSet }; b: { pods: PortSet; host: PortSet } },
  isHost: ((id: number) => boolean) | undefined,
): ReadonlyMap<number, PortSet> {
  const shares =
    b.size < a.size &&
    effect(op, defaults.b.pods, false) === 'copy' &&
    effect(op, defaults.b.host, false) === 'copy';
  if (!shares) {
    const out = new Map<number, PortSet>();
    oneSided(out, a, b, op, false, defaults.b, isHost, true);
    oneSided(out, b, a, op, true, defaults.a, isHost, false);
    return out;
  }
  const f = OPS[op];
  const changes = new Map<number, PortSet>();
  for (const [id, w] of b) {
    const v = a.get(id);
    if (v !== undefined) changes.set(id, f(v, w));
  }
  oneSided(changes, b, a, op, true, defaults.a, isHost, false);
  if (changes.size === 0) return a;
  const base = a instanceof OverlayMap && a.base instanceof OverlayMap ? new Map(a) : a;
  return new OverlayMap(base, changes);
}

function pointwise(classes: readonly PodClass[], a: PeerMap, b: PeerMap, op: Op): PeerMap {
  const f = OPS[op];
  const isHost = (id: number): boolean => classes[id]!.hostNetwork;
  const defaults = { a, b };
  return {
    pods: f(a.pods, b.pods),
    host: f(a.host, b.host),
    podOverrides: overrides(a.podOverrides, b.podOverrides, op, defaults, isHost),
    addressOverrides: overrides(a.addressOverrides, b.addressOverrides, op, defaults, undefined),
  };
}

export function unionMaps(classes: readonly PodClass[], a: PeerMap, b: PeerMap): PeerMap {
  if (a === NOTHING) return b;
  if (b === NOTHING) return a;
  return pointwise(classes, a, b, Op.Union);
}

export function intersectMaps(classes: readonly PodClass[], a: PeerMap, b: PeerMap): PeerMap {
  if (a === EVERYTHING) return b;
  if (b === EVERYTHING) return a;
  return pointwise(classes, a, b, Op.Intersect);
}

export function subtractMaps(classes: readonly PodClass[], a: PeerMap, b: PeerMap): PeerMap {
  if (b === NOTHING) return a;
  return pointwise(classes, a, b, Op.Subtract);
}

export function complementMap(classes: readonly PodClass[], a: PeerMap): PeerMap {
  return a === NOTHING ? EVERYTHING : subtractMaps(classes, EVERYTHING, a);
}

export function isEmptyMap(m: PeerMap): boolean {
  if (m === NOTHING) return true;
  if (!isEmptyPorts(m.pods) || !isEmptyPorts(m.host)) return false;
  for (const p of m.podOverrides.values()) if (!isEmptyPorts(p)) return false;
  for (const p of m.addressOverrides.values()) if (!isEmptyPorts(p)) return false;
  return true;
}

/** Ports the map holds for at least one of the `addressCount` address classes. */
export function portsForSomeAddress(m: PeerMap, addressCount: number): PortSet {
  // The default counts only when some address class has no override.
  let out = m.addressOverrides.size < addressCount ? m.host : NO_PORTS;
  for (const p of m.addressOverrides.values()) out = unionPorts(out, p);
  return out;
}

/** Builds an `Access` (NetworkPolicy rules) or a `PeerMap` (a tier rule's match) by adding peers' ports. */
export class AdditiveMap {
  everything: PortSet = NO_PORTS;
  allPods: PortSet = NO_PORTS;
  readonly pods = new Map<number, PortSet>();
  readonly addresses = new Map<number, PortSet>();

  addPod(id: number, ports: PortSet): void {
    const cur = this.pods.get(id);
    this.pods.set(id, cur === undefined ? ports : unionPorts(cur, ports));
  }

  addAddress(id: number, ports: PortSet): void {
    const cur = this.addresses.get(id);
    this.addresses.set(id, cur === undefined ? ports : unionPorts(cur, ports));
  }

  /** The NetworkPolicy `Access` of the ports added (isolated). */
  access(): Access {
    return {
      isolated: true,
      everything: this.everything,
      allPods: this.allPods,
      pods: this.pods,
      addresses: this.addresses,
    };
  }

  build(classes: readonly PodClass[]): PeerMap {
    const pods = unionPorts(this.everything, this.allPods);
    const podOverrides = new Map<number, PortSet>();
    for (const [id, ports] of this.pods) {
      podOverrides.set(id, unionPorts(classes[id]!.hostNetwork ? this.everything : pods, ports));
    }
    const addressOverrides = new Map<number, PortSet>();
    for (const [id, ports] of this.addresses) addressOverrides.set(id, unionPorts(this.everything, ports));
    return { pods, host: this.everything, podOverrides, addressOverrides };
  }
}

/**
 * The `Access` of a `PeerMap`: `everything` = what both defaults allow, `allPods` = the pod default; the
 * host default's surplus is listed per host-network class and per address class; each override becomes a
 * cut (ports removed from the broad part) and/or an addition.
 */
export function accessOfMap(ctx: TierContext, m: PeerMap, isolated: boolean): Access {
  const everything = intersectPorts(m.pods, m.host);
  const allPods = m.pods;
  const pods = new Map<number, PortSet>();
  const addresses = new Map<number, PortSet>();
  const cutPods = new Map<number, PortSet>();
  const cutAddresses = new Map<number, PortSet>();
  const set = (
    extra: Map<number, PortSet>,
    cuts: Map<number, PortSet>,
    id: number,
    broad: PortSet,
    v: PortSet,
  ) => {
    const cut = subtractPorts(broad, v);
    if (!isEmptyPorts(cut)) cuts.set(id, cut);
    const add = subtractPorts(v, broad);
    if (!isEmptyPorts(add)) extra.set(id, add);
  };
  for (const [id, v] of m.podOverrides)
    set(pods, cutPods, id, ctx.classes[id]!.hostNetwork ? everything : allPods, v);
  for (const [id, v] of m.addressOverrides) set(addresses, cutAddresses, id, everything, v);
  const surplus = subtractPorts(m.host, everything);
  if (!isEmptyPorts(surplus)) {
    for (const cls of ctx.classes) {
      if (cls.hostNetwork && !m.podOverrides.has(cls.id)) pods.set(cls.id, surplus);
    }
    for (let a = 0; a < ctx.space.classes.length; a++) {
      if (!m.addressOverrides.has(a)) addresses.set(a, surplus);
    }
  }
  const out: Access = { isolated, everything, allPods, pods, addresses };
  if (cutPods.size > 0) out.cutPods = cutPods;
  if (cutAddresses.size > 0) out.cutAddresses = cutAddresses;
  return out;
}

const covering = new WeakMap<
  readonly number[],
  { classes: readonly PodClass[]; host: readonly number[] | undefined }
>();

const endpointCounts = new WeakMap<readonly PodClass[], number>();

/** How many classes are not host-network. */
function endpointCount(classes: readonly PodClass[]): number {
  let n = endpointCounts.get(classes);
  if (n === undefined) endpointCounts.set(classes, (n = classes.filter((cls) => !cls.hostNetwork).length));
  return n;
}

/**
 * When `ids` (ascending, distinct) holds every class that is not host-network (a `networks: 0.0.0.0/0` peer
 * matches every pod whose IP is unknown, so all of them in manifests), the host-network ones among them:
 * the peer is then "every pod" (a `PeerMap` default) plus those, not one entry per class. Otherwise undefined.
 */
function hostIfCoveringAll(
  classes: readonly PodClass[],
  ids: readonly number[],
): readonly number[] | undefined {
  let c = covering.get(ids);
  if (c === undefined && ids.length < endpointCount(classes)) return undefined;
  if (c === undefined || c.classes !== classes) {
    const host = ids.filter((id) => classes[id]!.hostNetwork);
    const covers = ids.length - host.length === endpointCount(classes);
    covering.set(ids, (c = { classes, host: covers ? host : undefined }));
  }
  return c.host;
}

/** What `ruleMatch` reads of a rule: a cluster policy rule (`CompiledTierRule`) or a Cilium rule. */
export interface MatchRule {
  readonly direction: Direction;
  readonly peers: readonly {
    readonly everything: boolean;
    readonly pods: ClassSet;
    readonly addresses: readonly number[];
  }[];
  readonly ports: CompiledPorts;
}

/**
 * What one tier rule matches, as a `PeerMap`. Ingress: named ports resolve against the subject class
 * (`subject`); egress: against each destination class. `domainNames` peers match nothing here.
 */
export function ruleMatch<R extends MatchRule>(
  ctx: TierContext,
  rule: R,
  subject: PodClass,
  portsTowards: (rule: R, cls: PodClass) => PortSet,
): PeerMap {
  const b = new AdditiveMap();
  const ports = rule.direction === 'ingress' ? portsTowards(rule, subject) : rule.ports.numeric;
  for (const peer of rule.peers) {
    if (!isEmptyPorts(ports)) {
      if (peer.everything) b.everything = unionPorts(b.everything, ports);
      else if (peer.pods.all) b.allPods = unionPorts(b.allPods, ports);
      else {
        const host = hostIfCoveringAll(ctx.classes, peer.pods.ids);
        if (host !== undefined) b.allPods = unionPorts(b.allPods, ports);
        for (const id of host ?? peer.pods.ids) b.addPod(id, ports);
      }
      for (const a of peer.addresses) b.addAddress(a, ports);
    }
    if (rule.direction === 'egress') {
      for (const named of rule.ports.named) {
        const definers = ctx.namedPortIndex.get(`${named.name}/${named.protocol}`);
        if (definers === undefined) continue;
        for (const [id, p] of definers) {
          const matched = peer.everything
            ? true
            : peer.pods.all
              ? !ctx.classes[id]!.hostNetwork
              : sortedIncludes(peer.pods.ids, id);
          if (matched) b.addPod(id, p);
        }
      }
    }
  }
  return b.build(ctx.classes);
}

/** A domain a class may reach by DNS name, through one egress allow rule: the DNS answer decides where. */
export interface DomainReach {
  domain: string;
  ports: PortSet;
  /** Index in `compiled.tierPolicies` (with `cilium`: in `state.ciliumPolicies`). */
  policy: number;
  /** Index in the policy's `egress` (with `cilium`: in the rule set's `egress`). */
  rule: number;
  /** Set for a Cilium `toFQDNs` rule: the rule set, as a position in `compiled.cilium.specs`. */
  cilium?: { spec: number };
}

export interface TierWalk {
  allow: PeerMap;
  deny: PeerMap;
  /** What no rule decided (matched by no rule, or passed on). */
  undecided: PeerMap;
}

/**
 * One tier's first-match walk for one class and direction: policies in evaluation order, rules in order;
 * each rule decides what it matches among what is still undecided (a pass takes it out of the tier too).
 * `onDomains` sees each allow rule with `domainNames` peers, with what is undecided before it.
 */
export function walkTier(
  ctx: TierContext,
  policies: readonly CompiledTierPolicy[],
  direction: Direction,
  subject: PodClass,
  portsTowards: (rule: CompiledTierRule, cls: PodClass) => PortSet,
  onDomains?: (policy: CompiledTierPolicy, rule: CompiledTierRule, undecided: PeerMap) => void,
): TierWalk {
  const { classes } = ctx;
  let undecided = EVERYTHING;
  let allow = NOTHING;
  let deny = NOTHING;
  for (const p of policies) {
    for (const rule of direction === 'ingress' ? p.ingress : p.egress) {
      if (
        onDomains !== undefined &&
        rule.action === TierAction.Allow &&
        rule.peers.some((x) => x.domains.length > 0)
      )
        onDomains(p, rule, undecided);
      const matched = intersectMaps(classes, ruleMatch(ctx, rule, subject, portsTowards), undecided);
      if (isEmptyMap(matched)) continue;
      if (rule.action === TierAction.Allow) allow = unionMaps(classes, allow, matched);
      else if (rule.action === TierAction.Deny) deny = unionMaps(classes, deny, matched);
      undecided = subtractMaps(classes, undecided, matched);
      if (isEmptyMap(undecided)) return { allow, deny, undecided };
    }
  }
  return { allow, deny, undecided };
}

/**
 * The walk of `head`'s policies followed by `tail`'s, from the two walks made apart: first match decides
 * per peer and port, so what `head` leaves undecided gets `tail`'s decision as if `tail` walked alone
 * (`next` gives `tail`, walked from everything, only when `head` leaves something undecided).
 */
export function composeWalks(classes: readonly PodClass[], head: TierWalk, next: () => TierWalk): TierWalk {
  const rest = head.undecided;
  if (isEmptyMap(rest)) return head;
  const tail = next();
  const within = (m: PeerMap): PeerMap => (m === NOTHING ? NOTHING : intersectMaps(classes, m, rest));
  return {
    allow: unionMaps(classes, head.allow, within(tail.allow)),
    deny: unionMaps(classes, head.deny, within(tail.deny)),
    undecided: within(tail.undecided),
  };
}

/** The tier policies of a class in one tier, in evaluation order. */
export function policiesOfTier(
  all: readonly CompiledTierPolicy[],
  ofClass: readonly number[],
  tier: Tier,
): CompiledTierPolicy[] {
  return ofClass.map((i) => all[i]!).filter((p) => p.tier === tier);
}

/** A class's tier walks in one direction, kept in `walks` (see `classWalks`). */
export interface ClassWalks {
  /** The class's cluster policies with rules in this direction (indices, in evaluation order). */
  mine: number[];
  admin: () => TierWalk;
  baseline: () => TierWalk;
}

/**
 * The Admin and Baseline walks of class `subject` in one direction, given lazily and kept in `walks` by the
 * indices of their policies (and the class, for ingress named ports, which resolve against it). A tier's
 * walk depends on that tier's policies only: classes that differ in the other tier share it. Made of the
 * walk of its first policy and the (kept) walk of the others: an edit of one policy walks that policy again
 * and combines, with the walks of the policies after it kept.
 */
export function classWalks(
  ctx: TierContext,
  all: readonly CompiledTierPolicy[],
  ofClass: readonly number[],
  direction: Direction,
  subject: PodClass,
  walks: Map<string, TierWalk>,
  portsTowards: (rule: CompiledTierRule, cls: PodClass) => PortSet,
  /** After an edit that changed decisions at the pod classes `peers` only: the walks before it, by key. */
  patch?: { stale: ReadonlyMap<string, TierWalk>; peers: readonly number[] },
): ClassWalks {
  const mine = ofClass.filter((i) => all[i]![direction].length > 0);
  const walkOf = (tier: Tier, policies: readonly CompiledTierPolicy[]): TierWalk => {
    const own =
      direction === 'ingress' && policies.some((p) => p.ingress.some((r) => r.ports.named.length > 0));
    const k = `${tier}|${direction}|${policies.map((p) => p.index).join(',')}${own ? `|${subject.id}` : ''}`;
    let w = walks.get(k);
    if (w === undefined) {
      const old = policies.length > 1 ? patch?.stale.get(k) : undefined;
      w =
        old !== undefined
          ? patchWalk(
              ctx.classes,
              old,
              policies.map((p) => walkOf(tier, [p])),
              patch!.peers,
            )
          : policies.length <= 1
            ? walkTier(ctx, policies, direction, subject, portsTowards)
            : composeWalks(ctx.classes, walkOf(tier, policies.slice(0, 1)), () =>
                walkOf(tier, policies.slice(1)),
              );
      walks.set(k, w);
    }
    return w;
  };
  const walk = (tier: Tier) => (): TierWalk => walkOf(tier, policiesOfTier(all, mine, tier));
  return { mine, admin: walk(Tier.Admin), baseline: walk(Tier.Baseline) };
}

/**
 * The walk of a list of policies after an edit that changed decisions at the pod classes `peers` only, from
 * its walk before the edit (`old`) and the walks of each of its policies alone (`singles`, in order): at
 * those peers, first match decides, folded over the single walks; elsewhere (and the defaults) `old` holds.
 * Costs the peers times the policies, not the size of the walk's maps (`composeWalks`).
 */
function patchWalk(
  classes: readonly PodClass[],
  old: TierWalk,
  singles: readonly TierWalk[],
  peers: readonly number[],
): TierWalk {
  const allow = new Map<number, PortSet>();
  const deny = new Map<number, PortSet>();
  const undecided = new Map<number, PortSet>();
  for (const id of peers) {
    const cls = classes[id]!;
    let a = NO_PORTS;
    let d = NO_PORTS;
    let u = ALL_CONNECTIONS;
    for (const w of singles) {
      a = unionPorts(a, intersectPorts(podValue(w.allow, cls), u));
      d = unionPorts(d, intersectPorts(podValue(w.deny, cls), u));
      u = intersectPorts(u, podValue(w.undecided, cls));
      if (isEmptyPorts(u)) break;
    }
    allow.set(id, a);
    deny.set(id, d);
    undecided.set(id, u);
  }
  const at = (m: PeerMap, values: ReadonlyMap<number, PortSet>): PeerMap => ({
    ...m,
    podOverrides: patched(m.podOverrides, values),
  });
  return { allow: at(old.allow, allow), deny: at(old.deny, deny), undecided: at(old.undecided, undecided) };
}

/**
 * The final `Access` of a class in one direction: the Admin tier's walk, then NetworkPolicies (`np`), then
 * the Baseline tier's walk (walks are given lazily: they do not depend on `np`, so callers share them).
 * `isolated`: NetworkPolicies isolate the class, or a tier denies something in that direction. When the tiers
 * change nothing, `np` itself.
 */
export function combineTiers(
  ctx: TierContext,
  np: Access,
  admin: () => TierWalk,
  baseline: () => TierWalk,
): Access {
  const { classes } = ctx;
  const a = admin();
  const adminDenies = !isEmptyMap(a.deny);
  const adminAllows = !isEmptyMap(a.allow);
  if (np.isolated) return adminDenies || adminAllows ? overNetworkPolicies(ctx, np, a) : np;
  // Not isolated: what the Baseline tier does not deny is allowed (by it or by default).
  const b = baseline();
  const baselineDenies = !isEmptyMap(b.deny);
  if (!adminDenies && !adminAllows && !baselineDenies) return np;
  const rest = baselineDenies ? complementMap(classes, b.deny) : EVERYTHING;
  const final = unionMaps(classes, a.allow, subtractMaps(classes, rest, a.deny));
  return accessOfMap(ctx, final, baselineDenies || adminDenies);
}

/** Per Admin walk, the `Access` over each broad part of NetworkPolicies (`baseOver`), by its ports. */
const bases = new WeakMap<TierWalk, Map<string, Access>>();

/**
 * `A ∪ (np \ D)` over the broad part of `np` alone (`everything`, `allPods`): what every peer that `np` does not
 * list gets. Shared by every class with the same Admin walk and the same broad part, whatever their single
 * peers (in microsegmentation, each class has its own NetworkPolicy `Access` but few broad parts), so a
 * tier rule's peers are combined once per walk, not once per class.
 */
function baseOver(ctx: TierContext, np: Access, a: TierWalk): Access {
  let memo = bases.get(a);
  if (memo === undefined) bases.set(a, (memo = new Map<string, Access>()));
  const key = `${portsKey(np.everything)}/${portsKey(np.allPods)}`;
  let base = memo.get(key);
  if (base === undefined) {
    const broad: PeerMap = {
      pods: unionPorts(np.everything, np.allPods),
      host: np.everything,
      podOverrides: NO_OVERRIDES,
      addressOverrides: NO_OVERRIDES,
    };
    const { classes } = ctx;
    base = accessOfMap(ctx, unionMaps(classes, a.allow, subtractMaps(classes, broad, a.deny)), true);
    memo.set(key, base);
  }
  return base;
}

/**
 * `A ∪ (np \ D)` for a class that NetworkPolicies isolate: the shared `baseOver`, with the single peers
 * `np` lists (pods, addresses) computed exactly on top (`OverlayMap`), so the cost per class follows its
 * NetworkPolicy peers, not the tier rules' peers.
 */
function overNetworkPolicies(ctx: TierContext, np: Access, a: TierWalk): Access {
  const base = baseOver(ctx, np, a);
  const podKeys = overlayKeys(np.pods, np.cutPods);
  const addressKeys = overlayKeys(np.addresses, np.cutAddresses);
  if (podKeys.size === 0 && addressKeys.size === 0) return base;
  const pods = new Map<number, PortSet | undefined>();
  const cutPods = new Map<number, PortSet | undefined>();
  const addresses = new Map<number, PortSet | undefined>();
  const cutAddresses = new Map<number, PortSet | undefined>();
  const podBroad = unionPorts(base.everything, base.allPods);
  for (const id of podKeys) {
    const cls = ctx.classes[id]!;
    const v = unionPorts(podValue(a.allow, cls), subtractPorts(accessToPod(np, cls), podValue(a.deny, cls)));
    setExact(pods, cutPods, id, cls.hostNetwork ? base.everything : podBroad, v);
  }
  for (const id of addressKeys) {
    const v = unionPorts(
      addressValue(a.allow, id),
      subtractPorts(accessToAddress(np, id), addressValue(a.deny, id)),
    );
    setExact(addresses, cutAddresses, id, base.everything, v);
  }
  return laidOver(base, true, { pods, cutPods, addresses, cutAddresses }, overlay);
}

/** Per-peer changes of an `Access`'s maps (an `undefined` value: no entry). */
interface AccessChanges {
  pods: ReadonlyMap<number, PortSet | undefined>;
  cutPods: ReadonlyMap<number, PortSet | undefined>;
  addresses: ReadonlyMap<number, PortSet | undefined>;
  cutAddresses: ReadonlyMap<number, PortSet | undefined>;
}

/** `base`'s broad part with `changes` laid over its maps by `lay` (`overlay` or `patched`). */
function laidOver(
  base: Access,
  isolated: boolean,
  changes: AccessChanges,
  lay: (
    map: ReadonlyMap<number, PortSet>,
    over: ReadonlyMap<number, PortSet | undefined>,
  ) => ReadonlyMap<number, PortSet>,
): Access {
  const out: Access = {
    isolated,
    everything: base.everything,
    allPods: base.allPods,
    pods: lay(base.pods, changes.pods),
    addresses: lay(base.addresses, changes.addresses),
  };
  const cp = lay(base.cutPods ?? NO_OVERRIDES, changes.cutPods);
  if (cp.size > 0) out.cutPods = cp;
  const ca = lay(base.cutAddresses ?? NO_OVERRIDES, changes.cutAddresses);
  if (ca.size > 0) out.cutAddresses = ca;
  return out;
}

function overlayKeys(
  extra: ReadonlyMap<number, PortSet>,
  cuts: ReadonlyMap<number, PortSet> | undefined,
): Set<number> {
  const out = new Set(extra.keys());
  if (cuts !== undefined) for (const id of cuts.keys()) out.add(id);
  return out;
}

/** A peer's exact value `v` over the broad part `broad`, as an `Access` cut and addition (`undefined`: none). */
function setExact(
  extra: Map<number, PortSet | undefined>,
  cuts: Map<number, PortSet | undefined>,
  id: number,
  broad: PortSet,
  v: PortSet,
): void {
  const cut = subtractPorts(broad, v);
  cuts.set(id, isEmptyPorts(cut) ? undefined : cut);
  const add = subtractPorts(v, broad);
  extra.set(id, isEmptyPorts(add) ? undefined : add);
}

function overlay(
  base: ReadonlyMap<number, PortSet>,
  over: ReadonlyMap<number, PortSet | undefined>,
): ReadonlyMap<number, PortSet> {
  if (over.size === 0) return base;
  const out = new OverlayMap(base, over);
  return out.size === 0 ? NO_OVERRIDES : out;
}

/**
 * A read-only map that reads `over` first (an `undefined` value there: no entry) and then `base`: an `Access`
 * of one class over a `baseOver` that many classes share, or a peer map operation's result over the large
 * operand it leaves as it is (`overrides`), without copying it. Iterates `base`'s entries
 * (those `over` does not replace), then `over`'s.
 */
export class OverlayMap implements ReadonlyMap<number, PortSet> {
  readonly base: ReadonlyMap<number, PortSet>;
  readonly over: ReadonlyMap<number, PortSet | undefined>;
  readonly size: number;

  constructor(base: ReadonlyMap<number, PortSet>, over: ReadonlyMap<number, PortSet | undefined>) {
    this.base = base;
    this.over = over;
    let size = base.size;
    for (const [id, v] of over) size += (v === undefined ? 0 : 1) - (base.has(id) ? 1 : 0);
    this.size = size;
  }

  get(id: number): PortSet | undefined {
    return this.over.has(id) ? this.over.get(id) : this.base.get(id);
  }

  has(id: number): boolean {
    return this.get(id) !== undefined;
  }

  *entries(): MapIterator<[number, PortSet]> {
    for (const entry of this.base) if (!this.over.has(entry[0])) yield entry;
    for (const [id, v] of this.over) if (v !== undefined) yield [id, v];
  }

  *keys(): MapIterator<number> {
    for (const [id] of this.entries()) yield id;
  }

  *values(): MapIterator<PortSet> {
    for (const [, v] of this.entries()) yield v;
  }

  [Symbol.iterator](): MapIterator<[number, PortSet]> {
    return this.entries();
  }

  forEach(fn: (value: PortSet, key: number, map: ReadonlyMap<number, PortSet>) => void): void {
    for (const [id, v] of this.entries()) fn(v, id, this);
  }
}

/**
 * The domains a class reaches by DNS name. Rule: an Admin tier allow rule's `domainNames` count with the
 * rule's ports that some address class still has undecided before it (ports every address already got a
 * decision for by earlier rules are out); a Baseline one only when NetworkPolicies do not isolate the
 * class's egress, and only on ports that the Admin tier also left undecided for some address. Named ports
 * are never with `domainNames` (the API rejects it). Where the name resolves is the DNS answer's decision:
 * netfence does not know it.
 */
export function domainReach(
  ctx: TierContext,
  tierPolicies: readonly CompiledTierPolicy[],
  ofClass: readonly number[],
  npEgress: Access,
  subject: PodClass,
  portsTowards: (rule: CompiledTierRule, cls: PodClass) => PortSet,
): DomainReach[] {
  const out: DomainReach[] = [];
  const addressCount = ctx.space.classes.length;
  const collect =
    (limit: PortSet) =>
    (p: CompiledTierPolicy, rule: CompiledTierRule, undecided: PeerMap): void => {
      const ports = intersectPorts(
        intersectPorts(rule.ports.numeric, portsForSomeAddress(undecided, addressCount)),
        limit,
      );
      if (isEmptyPorts(ports)) return;
      for (const peer of rule.peers) {
        for (const domain of peer.domains) out.push({ domain, ports, policy: p.index, rule: rule.index });
      }
    };
  const admin = policiesOfTier(tierPolicies, ofClass, Tier.Admin);
  const walk = walkTier(ctx, admin, 'egress', subject, portsTowards, collect(ALL_CONNECTIONS));
  if (!npEgress.isolated) {
    const baseline = policiesOfTier(tierPolicies, ofClass, Tier.Baseline);
    walkTier(
      ctx,
      baseline,
      'egress',
      subject,
      portsTowards,
      collect(portsForSomeAddress(walk.undecided, addressCount)),
    );
  }
  return out;
}

const emptiness = new WeakMap<PeerMap, boolean>();

/** `isEmptyMap`, kept per map: the walks are shared by many classes. */
function isEmptyKept(m: PeerMap): boolean {
  if (m === NOTHING) return true;
  let empty = emptiness.get(m);
  if (empty === undefined) emptiness.set(m, (empty = isEmptyMap(m)));
  return empty;
}

/** Most peers an edit may change for `patchTiers` to be used: beyond, combining afresh costs less. */
const PATCH_PEERS = 64;

/**
 * The pod classes the rules of `policies` (the versions of the cluster policies an edit drops and adds) can
 * match in `direction`, ascending: outside them, every tier walk decides what it decided before the edit
 * (first match decides per peer, and these policies' rules match no other peer), and the walks' defaults
 * (what they decide for every pod and address) stay as they were. Undefined when that does not hold or
 * would not pay: a peer matching every pod or everything (a default), one matching addresses, or more than
 * `PATCH_PEERS` classes.
 */
export function changedPeers(
  ctx: TierContext,
  policies: readonly CompiledTierPolicy[],
  direction: Direction,
): number[] | undefined {
  const out = new Set<number>();
  for (const p of policies) {
    for (const rule of p[direction]) {
      for (const peer of rule.peers) {
        if (peer.everything || peer.pods.all || peer.addresses.length > 0) return undefined;
        if (hostIfCoveringAll(ctx.classes, peer.pods.ids) !== undefined) return undefined;
        for (const id of peer.pods.ids) out.add(id);
        if (out.size > PATCH_PEERS) return undefined;
      }
    }
  }
  return [...out].sort((a, b) => a - b);
}

/**
 * The final `Access` of a class after an edit of cluster policies that changed its tier walks at the pod
 * classes `peers` only (`changedPeers`): `old`, what `combineTiers` gave before, with the exact value at those
 * peers laid over it (`OverlayMap`); its broad part stays, as the walks' defaults do. `np` is the class's
 * NetworkPolicy `Access` (unchanged), `admin`/`baseline` its walks after the edit. Undefined when the form
 * changes (the tiers now decide something where they decided nothing, or the reverse, or the `isolated`
 * flag changes): `combineTiers` builds it then.
 */
export function patchTiers(
  ctx: TierContext,
  old: Access,
  np: Access,
  admin: () => TierWalk,
  baseline: () => TierWalk,
  peers: readonly number[],
): Access | undefined {
  const a = admin();
  const adminDenies = !isEmptyKept(a.deny);
  const adminDecides = adminDenies || !isEmptyKept(a.allow);
  let b: TierWalk | undefined;
  let isolated = true;
  if (np.isolated) {
    if (!adminDecides) return old === np ? np : undefined;
  } else {
    b = baseline();
    const baselineDenies = !isEmptyKept(b.deny);
    if (!adminDecides && !baselineDenies) return old === np ? np : undefined;
    isolated = baselineDenies || adminDenies;
  }
  if (old === np || old.isolated !== isolated) return undefined;
  const pods = new Map<number, PortSet | undefined>();
  const cutPods = new Map<number, PortSet | undefined>();
  const podBroad = unionPorts(old.everything, old.allPods);
  for (const id of peers) {
    const cls = ctx.classes[id]!;
    // A ∪ (np \ D) where NetworkPolicies isolate, else A ∪ (complement(D_baseline) \ D).
    const under =
      b === undefined ? accessToPod(np, cls) : subtractPorts(ALL_CONNECTIONS, podValue(b.deny, cls));
    const v = unionPorts(podValue(a.allow, cls), subtractPorts(under, podValue(a.deny, cls)));
    if (portsEqual(v, accessToPod(old, cls))) continue;
    setExact(pods, cutPods, id, cls.hostNetwork ? old.everything : podBroad, v);
    // No entry where there was none: nothing to lay over.
    if (pods.get(id) === undefined && !old.pods.has(id)) pods.delete(id);
    if (cutPods.get(id) === undefined && old.cutPods?.has(id) !== true) cutPods.delete(id);
  }
  // Nothing changed for this class (the edit decides the same, or what it changes is decided before it).
  if (pods.size === 0 && cutPods.size === 0) return old;
  const out: Access = {
    isolated,
    everything: old.everything,
    allPods: old.allPods,
    pods: patched(old.pods, pods),
    addresses: old.addresses,
  };
  const cp = patched(old.cutPods ?? NO_OVERRIDES, cutPods);
  if (cp.size > 0) out.cutPods = cp;
  if (old.cutAddresses !== undefined) out.cutAddresses = old.cutAddresses;
  return out;
}

/** `map` with `changes` laid over it; an `OverlayMap`'s own layer is merged, so reads stay two levels deep. */
function patched(
  map: ReadonlyMap<number, PortSet>,
  changes: ReadonlyMap<number, PortSet | undefined>,
): ReadonlyMap<number, PortSet> {
  if (changes.size === 0) return map;
  if (!(map instanceof OverlayMap)) return overlay(map, changes);
  const over = new Map(map.over);
  for (const [id, v] of changes) over.set(id, v);
  return overlay(map.base, over);
}

/**
 * `old` with the exact values `pods` (by pod class) and `addresses` (by address class) laid over it
 * (`OverlayMap`s; its broad part stays): the `Access` after an edit that changed decisions at those peers only
 * (the incremental engine's Cilium edits). `old` itself when no value differs.
 */
export function patchAccess(
  ctx: TierContext,
  old: Access,
  pods: ReadonlyMap<number, PortSet>,
  addresses: ReadonlyMap<number, PortSet>,
): Access {
  const extra = new Map<number, PortSet | undefined>();
  const cuts = new Map<number, PortSet | undefined>();
  const podBroad = unionPorts(old.everything, old.allPods);
  for (const [id, v] of pods) {
    const cls = ctx.classes[id]!;
    if (portsEqual(v, accessToPod(old, cls))) continue;
    setExact(extra, cuts, id, cls.hostNetwork ? old.everything : podBroad, v);
    // No entry where there was none: nothing to lay over.
    if (extra.get(id) === undefined && !old.pods.has(id)) extra.delete(id);
    if (cuts.get(id) === undefined && old.cutPods?.has(id) !== true) cuts.delete(id);
  }
  const addressExtra = new Map<number, PortSet | undefined>();
  const addressCuts = new Map<number, PortSet | undefined>();
  for (const [a, v] of addresses) {
    if (portsEqual(v, accessToAddress(old, a))) continue;
    setExact(addressExtra, addressCuts, a, old.everything, v);
    if (addressExtra.get(a) === undefined && !old.addresses.has(a)) addressExtra.delete(a);
    if (addressCuts.get(a) === undefined && old.cutAddresses?.has(a) !== true) addressCuts.delete(a);
  }
  if (extra.size + cuts.size + addressExtra.size + addressCuts.size === 0) return old;
  const changes = { pods: extra, cutPods: cuts, addresses: addressExtra, cutAddresses: addressCuts };
  return laidOver(old, old.isolated, changes, patched);
}
