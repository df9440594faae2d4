/**
 * Cluster policy tiers as the lint rules read them: the traffic one rule of a ClusterNetworkPolicy,
 * AdminNetworkPolicy or BaselineAdminNetworkPolicy matches for one subject class (per target: a pod class or
 * an address class, with ports), and which rule decides it first. docs/design/tiers.md has the semantics.
 *
 * Traffic is read per direction at the subject: egress from the class, ingress to it. Named ports resolve
 * against the destination (the subject for ingress, the target pod for egress; addresses have none). A rule
 * without ports also matches the other IP protocols (ICMP), which ports never cover. `domainNames` peers
 * match no address that can be known statically: their traffic is not modelled here, and the rules say so.
 */
import type { CompiledCluster, Direction } from '../../engine/compile.ts';
import { portsTowardsTarget, type Target } from './ports.ts';
import {
  ALL_CONNECTIONS,
  NO_PORTS,
  intersectPorts,
  isAllConnections,
  isEmptyPorts,
  subtractPorts,
  portSetOf,
  type PortSet,
} from '../../engine/ports.ts';
import type { CompiledTierPolicy, CompiledTierRule } from '../../engine/tiers.ts';
import { formatPortList } from '../../describe/ports.ts';
import { sortedIncludes } from '../../base/sorted.ts';
import { parseCidr, parseIp } from '../../base/ip.ts';
import { compileSelector } from '../../engine/selectors.ts';
import { ClusterPolicyKind, Tier, TierAction, type ClusterPolicyInfo } from '../../model/cluster.ts';
import type { Protocol } from '../../model/k8s.ts';
import type { Lookup } from '../lookup.ts';
import { listNames } from '../text.ts';

export type { Target } from './ports.ts';

/** One rule of a cluster policy, in one direction. */
export interface TierRuleRef {
  policy: CompiledTierPolicy;
  direction: Direction;
  rule: CompiledTierRule;
}

/** Traffic towards one target: ports, and `other` IP protocols (ICMP…), which only a rule without ports matches. */
export interface Traffic {
  ports: PortSet;
  other: boolean;
}

export const ALL_TRAFFIC: Traffic = { ports: ALL_CONNECTIONS, other: true };
export const NO_TRAFFIC: Traffic = { ports: NO_PORTS, other: false };

export function isNoTraffic(a: Traffic): boolean {
  return !a.other && isEmptyPorts(a.ports);
}

export function intersectTraffic(a: Traffic, b: Traffic): Traffic {
  return { ports: intersectPorts(a.ports, b.ports), other: a.other && b.other };
}

export function subtractTraffic(a: Traffic, b: Traffic): Traffic {
  return { ports: subtractPorts(a.ports, b.ports), other: a.other && !b.other };
}

/** `53/UDP`, `all ports`, `all traffic` (every port and the other IP protocols). */
export function describeTraffic(a: Traffic): string {
  if (a.other && isAllConnections(a.ports)) return 'all traffic';
  if (isEmptyPorts(a.ports)) return 'IP protocols other than TCP, UDP and SCTP';
  return formatPortList(a.ports);
}

export function rulesOf(policy: CompiledTierPolicy, direction: Direction): readonly CompiledTierRule[] {
  return direction === 'ingress' ? policy.ingress : policy.egress;
}

export function refsOf(policy: CompiledTierPolicy, direction: Direction): TierRuleRef[] {
  return rulesOf(policy, direction).map((rule) => ({ policy, direction, rule }));
}

/** Whether a rule has `domainNames` peers, whose traffic cannot be known statically. */
export function hasDomains(rule: CompiledTierRule): boolean {
  return rule.peers.some((p) => p.domains.length > 0);
}

/** Every target a rule's peers match. */
export function targetsOf(compiled: CompiledCluster, rule: CompiledTierRule): Target[] {
  const { classes, addressSpace } = compiled;
  const pods = new Set<number>();
  const addresses = new Set<number>();
  for (const p of rule.peers) {
    if (p.everything) {
      for (const c of classes) pods.add(c.id);
      for (const a of addressSpace.classes) addresses.add(a.id);
    } else if (p.pods.all) {
      // Selectors of cluster policies never match host-network pods, whatever `hostNetworkPods` says.
      for (const c of classes) if (!c.hostNetworkPod) pods.add(c.id);
    } else {
      for (const id of p.pods.ids) pods.add(id);
    }
    for (const a of p.addresses) addresses.add(a);
  }
  return [
    ...[...pods].sort((a, b) => a - b).map((pod) => ({ pod })),
    ...[...addresses].sort((a, b) => a - b).map((address) => ({ address })),
  ];
}

/** Targets of several rules, each once, pods first. */
export function targetsOfAll(compiled: CompiledCluster, rules: readonly CompiledTierRule[]): Target[] {
  const seen = new Map<string, Target>();
  for (const r of rules) for (const t of targetsOf(compiled, r)) seen.set(targetKey(t), t);
  return [...seen.values()].sort(
    (a, b) => ('pod' in a ? 0 : 1) - ('pod' in b ? 0 : 1) || targetId(a) - targetId(b),
  );
}

function targetId(t: Target): number {
  return 'pod' in t ? t.pod : t.address;
}

export function targetKey(t: Target): string {
  return 'pod' in t ? `p${t.pod}` : `a${t.address}`;
}

function matches(compiled: CompiledCluster, rule: CompiledTierRule, t: Target): boolean {
  if ('address' in t) return rule.peers.some((p) => p.everything || p.addresses.includes(t.address));
  const host = compiled.classes[t.pod]!.hostNetworkPod;
  return rule.peers.some((p) => p.everything || (p.pods.all ? !host : sortedIncludes(p.pods.ids, t.pod)));
}

/** The traffic a rule matches between subject class `subject` and `t`, or undefined when none. */
export function trafficOf(
  compiled: CompiledCluster,
  ref: TierRuleRef,
  subject: number,
  t: Target,
): Traffic | undefined {
  if (!matches(compiled, ref.rule, t)) return undefined;
  const ports = portsTowardsTarget(compiled, ref.direction, ref.rule.ports, subject, t);
  const traffic = { ports, other: ref.rule.ports.any };
  return isNoTraffic(traffic) ? undefined : traffic;
}

/** A part of some traffic and the rule that decides it first. */
export interface Decided {
  ref: TierRuleRef;
  traffic: Traffic;
}

/**
 * Which of `refs` (in evaluation order) decides each part of `within` between `subject` and `t`: the first
 * that matches it. Returns the decided parts and what no rule matched.
 */
export function firstMatch(
  compiled: CompiledCluster,
  refs: readonly TierRuleRef[],
  subject: number,
  t: Target,
  within: Traffic,
): { decided: Decided[]; rest: Traffic } {
  const decided: Decided[] = [];
  let rest = within;
  for (const ref of refs) {
    if (isNoTraffic(rest)) break;
    const m = trafficOf(compiled, ref, subject, t);
    if (m === undefined) continue;
    const part = intersectTraffic(m, rest);
    if (isNoTraffic(part)) continue;
    decided.push({ ref, traffic: part });
    rest = subtractTraffic(rest, part);
  }
  return { decided, rest };
}

/**
 * Whether `q` comes strictly before `p` in their tier: a lower priority number (the BaselineAdminNetworkPolicy,
 * which has none, comes after every Baseline ClusterNetworkPolicy). Equal priorities do not: the API leaves
 * their order undefined.
 */
export function precedes(q: ClusterPolicyInfo, p: ClusterPolicyInfo): boolean {
  if (q.tier !== p.tier || q.priority === undefined) return false;
  return p.priority === undefined || q.priority < p.priority;
}

/** Whether NetworkPolicies isolate a class in a direction (then they decide, before the Baseline tier). */
export function npIsolated(compiled: CompiledCluster, classId: number, direction: Direction): boolean {
  return (compiled.policiesOfClass[classId] ?? []).some((i) => {
    const p = compiled.policies[i]!;
    return direction === 'ingress' ? p.affectsIngress : p.affectsEgress;
  });
}

const classKeyCache = new WeakMap<CompiledCluster, string[]>();

/** Per class: the cluster policies and NetworkPolicies selecting it, and its named ports (computed once). */
function classKeys(compiled: CompiledCluster): string[] {
  let keys = classKeyCache.get(compiled);
  if (keys === undefined) {
    keys = compiled.classes.map((cls) =>
      [
        (compiled.tierPoliciesOfClass[cls.id] ?? []).join(','),
        (compiled.policiesOfClass[cls.id] ?? []).join(','),
        cls.namedPorts
          .map((p) => `${p.name}/${p.protocol}/${p.port}`)
          .sort()
          .join(','),
      ].join('|'),
    );
    classKeyCache.set(compiled, keys);
  }
  return keys;
}

/**
 * Representatives of some classes: classes selected by the same cluster policies and NetworkPolicies, with
 * the same named ports, get the same answer from every tier rule.
 */
export function subjectGroups(compiled: CompiledCluster, classes: readonly number[]): number[] {
  const keys = classKeys(compiled);
  const seen = new Map<string, number>();
  for (const id of classes) if (!seen.has(keys[id]!)) seen.set(keys[id]!, id);
  return [...seen.values()];
}

/** The classes both lists hold (each ascending), ascending. */
export function commonClasses(a: readonly number[], b: readonly number[]): number[] {
  const set = new Set(b);
  return a.filter((id) => set.has(id));
}

/** The policies of a tier that select a class, in evaluation order. */
export function tierPoliciesAt(compiled: CompiledCluster, classId: number, tier: Tier): CompiledTierPolicy[] {
  // Without cluster policies (most clusters) the tier checks cost nothing.
  if (compiled.tierPolicies.length === 0) return [];
  return (compiled.tierPoliciesOfClass[classId] ?? [])
    .map((i) => compiled.tierPolicies[i]!)
    .filter((p) => p.tier === tier);
}

/** The action as the policy's API spells it: `Accept` in a ClusterNetworkPolicy, `Allow` in the others. */
export function actionWord(info: ClusterPolicyInfo, action: TierAction): string {
  if (action === TierAction.Deny) return 'Deny';
  if (action === TierAction.Pass) return 'Pass';
  return info.kind === ClusterPolicyKind.ClusterNetworkPolicy ? 'Accept' : 'Allow';
}

export function tierName(tier: Tier): string {
  return tier === Tier.Admin ? 'Admin' : 'Baseline';
}

/** `spec.egress[0] of this policy`, `spec.ingress[2] "allow-dns" of ClusterNetworkPolicy/dns` */
export function tierRuleName(ref: TierRuleRef, self?: CompiledTierPolicy): string {
  const name = ref.rule.name === undefined ? '' : ` "${ref.rule.name}"`;
  const owner = ref.policy === self ? 'this policy' : ref.policy.info.id;
  return `spec.${ref.direction}[${ref.rule.index}]${name} of ${owner}`;
}

/** The workloads of a pod class, or the addresses of an address class. */
export function describeTarget(compiled: CompiledCluster, lookup: Lookup, t: Target): string {
  if ('address' in t) return compiled.addressSpace.describe(t.address);
  return describeClasses(lookup, [t.pod]);
}

/** `shop/web and shop/api`, for the workloads of some classes. */
export function describeClasses(lookup: Lookup, classes: readonly number[]): string {
  const names = lookup.workloadsOfClasses(classes).map((w) => lookup.name(w));
  return names.length === 0 ? 'no workload' : listNames(names, 2);
}

/** `from shop/api to shop/web` (ingress at web), `from shop/web to 10.0.0.0/8` (egress of web). */
export function describeFlow(
  compiled: CompiledCluster,
  lookup: Lookup,
  direction: Direction,
  subject: number,
  t: Target,
): string {
  const self = describeClasses(lookup, [subject]);
  const other = describeTarget(compiled, lookup, t);
  return direction === 'ingress' ? `from ${other} to ${self}` : `from ${self} to ${other}`;
}

const ipv6PodsCache = new WeakMap<CompiledCluster, boolean>();

/** Whether some pod of the input has an IPv6 address (then a default deny of egress must cover `::/0` too). */
function hasIpv6Pods(compiled: CompiledCluster): boolean {
  let v6 = ipv6PodsCache.get(compiled);
  if (v6 === undefined) {
    v6 = compiled.state.pods.some((pod) => pod.ips.some((ip) => parseIp(ip)?.family === 6));
    ipv6PodsCache.set(compiled, v6);
  }
  return v6;
}

/** Whether some `networks` peer of a rule holds the whole address family (`0.0.0.0/0`, `::/0`). */
function coversFamily(rule: CompiledTierRule, family: 4 | 6): boolean {
  return rule.peers.some(
    (p) =>
      p.everything ||
      (p.info.kind === 'networks' &&
        p.info.cidrs.some((text) => {
          const c = parseCidr(text);
          return 'cidr' in c && c.cidr.family === family && c.cidr.prefix === 0;
        })),
  );
}

/**
 * Whether a rule's peers match every pod, and for egress every address: every IPv4 address (pods without a
 * known IP count as IPv4 ones), and every IPv6 address too when some pod of the input has one.
 */
function matchesEveryPeer(compiled: CompiledCluster, rule: CompiledTierRule): boolean {
  const everyPod = rule.peers.some(
    (p) =>
      p.everything ||
      (p.info.kind === 'namespaces' && compileSelector(p.info.namespaceSelector).matchesAll) ||
      (p.info.kind === 'pods' &&
        compileSelector(p.info.namespaceSelector).matchesAll &&
        compileSelector(p.info.podSelector).matchesAll),
  );
  if (rule.direction === 'ingress') return everyPod;
  return everyPod && coversFamily(rule, 4) && (!hasIpv6Pods(compiled) || coversFamily(rule, 6));
}

/** A `Deny` rule on every port whose peers match every pod (and for egress every address). */
function isDenyAll(compiled: CompiledCluster, rule: CompiledTierRule): boolean {
  return rule.action === TierAction.Deny && rule.ports.any && matchesEveryPeer(compiled, rule);
}

/**
 * Whether the cluster policies deny by default for a class in `direction`: in one tier, walking its policies
 * and rules in order, a `Deny` on every port whose peers match every pod (and, for egress, every address:
 * `networks: [0.0.0.0/0]`, and `::/0` too when a pod has an IPv6 address) comes before any `Pass` (a Pass hands the traffic on, possibly to the
 * default allow). Ingress rules cannot name addresses: a cluster policy's default deny of ingress covers every
 * pod, not traffic from outside the cluster.
 */
export function classDefaultDenied(
  compiled: CompiledCluster,
  classId: number,
  direction: Direction,
): boolean {
  for (const tier of [Tier.Admin, Tier.Baseline]) {
    walk: for (const p of tierPoliciesAt(compiled, classId, tier)) {
      for (const rule of rulesOf(p, direction)) {
        if (rule.action === TierAction.Pass) break walk;
        if (isDenyAll(compiled, rule)) return true;
      }
    }
  }
  return false;
}

/** Whether a cluster policy's subject selects every pod of a namespace, pods created later included. */
function selectsWholeNamespace(lookup: Lookup, policy: CompiledTierPolicy, namespace: string): boolean {
  const subject = policy.info.subject;
  if (subject.kind === 'pods' && !compileSelector(subject.podSelector).matchesAll) return false;
  return lookup.namespacesMatching(subject.namespaceSelector).some((n) => n.name === namespace);
}

/**
 * A cluster policy that denies by default in `direction` for every pod of `namespace`, pods created later
 * included (its subject selects the whole namespace), when the tiers deny by default for every pod there now.
 */
export function namespaceDefaultDeny(
  compiled: CompiledCluster,
  lookup: Lookup,
  namespace: string,
  direction: Direction,
): CompiledTierPolicy | undefined {
  if (compiled.tierPolicies.length === 0) return undefined;
  if (!lookup.podClassesIn(namespace).every((id) => classDefaultDenied(compiled, id, direction)))
    return undefined;
  return compiled.tierPolicies.find(
    (p) =>
      rulesOf(p, direction).some((r) => isDenyAll(compiled, r)) &&
      selectsWholeNamespace(lookup, p, namespace),
  );
}

/** What decides some traffic of a class in one direction: a cluster policy rule, NetworkPolicies, or the default. */
export type Decider = { kind: 'tier'; ref: TierRuleRef } | { kind: 'networkPolicy' } | { kind: 'default' };

/**
 * Which step decides traffic between class `subject` and `t` on one port, in one direction: the first
 * matching Admin rule (unless it passes), else NetworkPolicies when they isolate the class, else the first
 * matching Baseline rule (unless it passes), else the default (allowed).
 */
export function decider(
  compiled: CompiledCluster,
  subject: number,
  direction: Direction,
  t: Target,
  protocol: Protocol,
  port: number,
): Decider {
  const traffic: Traffic = { ports: portSetOf(protocol, [port, port]), other: false };
  for (const tier of [Tier.Admin, Tier.Baseline]) {
    if (tier === Tier.Baseline && npIsolated(compiled, subject, direction)) return { kind: 'networkPolicy' };
    const refs = tierPoliciesAt(compiled, subject, tier).flatMap((p) => refsOf(p, direction));
    const first = firstMatch(compiled, refs, subject, t, traffic).decided[0];
    if (first !== undefined && first.ref.rule.action !== TierAction.Pass)
      return { kind: 'tier', ref: first.ref };
  }
  return { kind: 'default' };
}

/**
 * The cluster policies whose `Deny` rules decide some traffic in `direction` for some of `classes` (first
 * match in their tier, no `Pass` before): they keep out part of what NetworkPolicies alone allow there.
 * `tiers`: the tiers that are reached (only the Admin tier where NetworkPolicies isolate the classes, both
 * where they do not). Ids, in evaluation order.
 */
export function denyingTierPolicies(
  compiled: CompiledCluster,
  classes: readonly number[],
  direction: Direction,
  tiers: readonly Tier[],
): string[] {
  if (compiled.tierPolicies.length === 0) return [];
  const out: string[] = [];
  for (const subject of subjectGroups(compiled, classes)) {
    for (const tier of tiers) {
      const refs = tierPoliciesAt(compiled, subject, tier).flatMap((p) => refsOf(p, direction));
      const denies = refs.filter((r) => r.rule.action === TierAction.Deny).map((r) => r.rule);
      if (denies.length === 0) continue;
      for (const t of targetsOfAll(compiled, denies)) {
        for (const d of firstMatch(compiled, refs, subject, t, ALL_TRAFFIC).decided) {
          const id = d.ref.policy.info.id;
          if (d.ref.rule.action === TierAction.Deny && !out.includes(id)) out.push(id);
        }
      }
    }
  }
  return out;
}

/**
 * What a NetworkPolicy-level message adds when cluster policies deny some of the reach it states:
 * ` as far as NetworkPolicies go (cluster policies decide first, and Deny rules of X keep part of it out: …)`.
 */
export function tierQualifier(policies: readonly string[]): string {
  if (policies.length === 0) return '';
  return ` as far as NetworkPolicies go (cluster policies decide first, and Deny rules of ${listNames(policies, 3)} keep part of it out: netfence explain shows one connection)`;
}
