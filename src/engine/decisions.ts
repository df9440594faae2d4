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
import type { Access, Direction } from './compile.ts';
import {
  ALL_CONNECTIONS,
  NO_PORTS,
  intersectPorts,
  isEmptyPorts,
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

function podValue(m: PeerMap, cls: PodClass): PortSet {
  return m.podOverrides.get(cls.id) ?? (cls.hostNetwork ? m.host : m.pods);
}

function addressValue(m: PeerMap, a: number): PortSet {
  return m.addressOverrides.get(a) ?? m.host;
}

function pointwise(classes: readonly PodClass[], a: PeerMap, b: PeerMap, op: PortOp): PeerMap {
  const podOverrides = new Map<number, PortSet>();
  const addressOverrides = new Map<number, PortSet>();
  for (const m of [a, b]) {
    for (const id of m.podOverrides.keys()) {
      if (podOverrides.has(id)) continue;
      const cls = classes[id]!;
      podOverrides.set(id, op(podValue(a, cls), podValue(b, cls)));
    }
    for (const id of m.addressOverrides.keys()) {
      if (!addressOverrides.has(id)) addressOverrides.set(id, op(addressValue(a, id), addressValue(b, id)));
    }
  }
  return { pods: op(a.pods, b.pods), host: op(a.host, b.host), podOverrides, addressOverrides };
}

export function unionMaps(classes: readonly PodClass[], a: PeerMap, b: PeerMap): PeerMap {
  if (a === NOTHING) return b;
  if (b === NOTHING) return a;
  return pointwise(classes, a, b, unionPorts);
}

export function intersectMaps(classes: readonly PodClass[], a: PeerMap, b: PeerMap): PeerMap {
  if (a === EVERYTHING) return b;
  if (b === EVERYTHING) return a;
  return pointwise(classes, a, b, intersectPorts);
}

export function subtractMaps(classes: readonly PodClass[], a: PeerMap, b: PeerMap): PeerMap {
  if (b === NOTHING) return a;
  return pointwise(classes, a, b, subtractPorts);
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

/** The `PeerMap` of an `Access` (cuts included). */
export function mapOfAccess(classes: readonly PodClass[], access: Access): PeerMap {
  const b = new AdditiveMap();
  b.everything = access.everything;
  b.allPods = access.allPods;
  const map = b.build(classes);
  const podOverrides = new Map<number, PortSet>();
  const addressOverrides = new Map<number, PortSet>();
  for (const keys of [access.pods.keys(), access.cutPods?.keys() ?? []]) {
    for (const id of keys) {
      const cls = classes[id]!;
      let v = podValue(map, cls);
      const cut = access.cutPods?.get(id);
      if (cut !== undefined) v = subtractPorts(v, cut);
      const extra = access.pods.get(id);
      podOverrides.set(id, extra === undefined ? v : unionPorts(v, extra));
    }
  }
  for (const keys of [access.addresses.keys(), access.cutAddresses?.keys() ?? []]) {
    for (const id of keys) {
      let v = map.host;
      const cut = access.cutAddresses?.get(id);
      if (cut !== undefined) v = subtractPorts(v, cut);
      const extra = access.addresses.get(id);
      addressOverrides.set(id, extra === undefined ? v : unionPorts(v, extra));
    }
  }
  return { pods: map.pods, host: map.host, podOverrides, addressOverrides };
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

/**
 * What one tier rule matches, as a `PeerMap`. Ingress: named ports resolve against the subject class
 * (`subject`); egress: against each destination class. `domainNames` peers match nothing here.
 */
export function ruleMatch(
  ctx: TierContext,
  rule: CompiledTierRule,
  subject: PodClass,
  portsTowards: (rule: CompiledTierRule, cls: PodClass) => PortSet,
): PeerMap {
  const b = new AdditiveMap();
  const ports = rule.direction === 'ingress' ? portsTowards(rule, subject) : rule.ports.numeric;
  for (const peer of rule.peers) {
    if (!isEmptyPorts(ports)) {
      if (peer.everything) b.everything = unionPorts(b.everything, ports);
      else if (peer.pods.all) b.allPods = unionPorts(b.allPods, ports);
      else for (const id of peer.pods.ids) b.addPod(id, ports);
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
  /** Index in `compiled.tierPolicies`. */
  policy: number;
  /** Index in the policy's `egress`. */
  rule: number;
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

/** The tier policies of a class in one tier, in evaluation order. */
export function policiesOfTier(
  all: readonly CompiledTierPolicy[],
  ofClass: readonly number[],
  tier: Tier,
): CompiledTierPolicy[] {
  return ofClass.map((i) => all[i]!).filter((p) => p.tier === tier);
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
  let rest: PeerMap | undefined;
  let baselineDenies = false;
  if (!np.isolated) {
    const b = baseline();
    baselineDenies = !isEmptyMap(b.deny);
    if (baselineDenies) rest = complementMap(classes, b.deny);
  }
  if (!adminDenies && !adminAllows && !baselineDenies) return np;
  rest ??= np.isolated ? mapOfAccess(classes, np) : EVERYTHING;
  const final = unionMaps(classes, a.allow, subtractMaps(classes, rest, a.deny));
  return accessOfMap(ctx, final, np.isolated || baselineDenies || adminDenies);
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
