/**
 * Cilium policies as the lint rules read them: every rule set with the workloads of the input it selects
 * (matched on the identity labels Cilium gives a pod), the traffic (ports) of a rule, and whether one peer
 * surely covers another. The checks are sufficient conditions: "covers" is only said when it holds for every
 * pod, also pods added later (a selector with a subset of another's requirements selects a superset).
 */
import type { Direction } from '../../engine/compile.ts';
import { cidrContainsCidr, parseCidr } from '../../base/ip.ts';
import { interval } from '../../base/intervals.ts';
import {
  ALL_CONNECTIONS,
  NO_PORTS,
  intersectPorts,
  isEmptyPorts,
  portSetOf,
  portsSubset,
  subtractPorts,
  unionPorts,
  type PortSet,
} from '../../engine/ports.ts';
import { compileSelector, selectorMatches } from '../../engine/selectors.ts';
import {
  CiliumEntity,
  ciliumIdentityLabels,
  type CiliumPeerInfo,
  type CiliumPolicyInfo,
  type CiliumPortRuleInfo,
  type CiliumRuleInfo,
  type CiliumSpecInfo,
} from '../../model/cilium.ts';
import type { CiliumRule } from '../../model/cilium-wire.ts';
import type { ClusterState } from '../../model/cluster.ts';
import { PROTOCOLS, type LabelSelector } from '../../model/k8s.ts';
import type { FieldPath } from '../../model/problem.ts';
import type { Lookup } from '../lookup.ts';
import type { RuleContext } from '../types.ts';

/** One rule set (`spec` or `specs[i]`) of a Cilium policy, with the workloads of the input it selects. */
export interface CiliumRuleSet {
  policy: CiliumPolicyInfo;
  spec: CiliumSpecInfo;
  /** The rule set as written. */
  wire: CiliumRule;
  /** Ids of the workloads whose pods it selects (host rules select nodes: none), sorted. */
  workloads: readonly string[];
}

const RULE_SETS = Symbol('Cilium rule sets');
const IDENTITIES = Symbol('Cilium identities');

/**
 * `ciliumRuleSets` of the linted state, made once per lint run (each pod's identity labels are computed once
 * for all the rules) and shared by the rules: read it, do not change it.
 */
export function sharedCiliumRuleSets(ctx: RuleContext): readonly CiliumRuleSet[] {
  return ctx.shared(RULE_SETS, () => ciliumRuleSets(ctx.state, () => sharedCiliumIdentities(ctx)));
}

/** `ciliumIdentities` of the linted state, made once per lint run and shared by the rules. */
export function sharedCiliumIdentities(ctx: RuleContext): readonly CiliumIdentity[] {
  return ctx.shared(IDENTITIES, () => ciliumIdentities(ctx.state));
}

/** A pod as Cilium's selectors see it: its workload, whether it is host-network, its identity labels. */
export interface CiliumIdentity {
  workload: string;
  hostNetwork: boolean;
  labels: Record<string, string>;
}

/** Each pod's workload, whether it is host-network, and the identity labels Cilium's selectors match. */
export function ciliumIdentities(state: ClusterState): CiliumIdentity[] {
  const namespaceLabels = new Map(state.namespaces.map((n) => [n.name, n.labels]));
  return state.pods.map((p) => ({
    workload: p.workload,
    hostNetwork: p.hostNetwork,
    labels: ciliumIdentityLabels(p.labels, p.namespace, namespaceLabels.get(p.namespace) ?? {}, {
      serviceAccount: p.serviceAccount,
    }),
  }));
}

/** Every rule set of every Cilium policy of the state, in input order; `identities`: the state's pods'. */
export function ciliumRuleSets(
  state: ClusterState,
  identities: () => readonly CiliumIdentity[] = () => ciliumIdentities(state),
): CiliumRuleSet[] {
  // Without Cilium policies there is nothing to read: no identity per pod either (the webhook lints on every
  // request, and 50,000 pods' identities cost more than the rest of its decision).
  if (state.ciliumPolicies.length === 0) return [];
  const pods = identities();
  const out: CiliumRuleSet[] = [];
  for (const policy of state.ciliumPolicies) {
    for (const spec of policy.specs) {
      const workloads = new Set<string>();
      if (spec.subject.kind === 'endpoints') {
        const selector = compileSelector(spec.subject.selector);
        // Host-network pods have the host's identity: endpoint selectors never match them.
        for (const id of pods)
          if (!id.hostNetwork && selectorMatches(selector, id.labels)) workloads.add(id.workload);
      }
      out.push({ policy, spec, wire: wireRuleSet(policy, spec), workloads: [...workloads].sort() });
    }
  }
  return out;
}

function wireRuleSet(policy: CiliumPolicyInfo, spec: CiliumSpecInfo): CiliumRule {
  const [, index] = spec.path;
  return (typeof index === 'number' ? policy.object.specs?.[index] : policy.object.spec) ?? {};
}

export type CiliumList = 'ingress' | 'ingressDeny' | 'egress' | 'egressDeny';

export function allowList(direction: Direction): CiliumList {
  return direction;
}

export function denyList(direction: Direction): CiliumList {
  return direction === 'ingress' ? 'ingressDeny' : 'egressDeny';
}

/** `spec.egress[2]` as a field path. */
export function rulePath(set: CiliumRuleSet, list: CiliumList, rule: CiliumRuleInfo): FieldPath {
  return [...set.spec.path, list, rule.index];
}

/** `spec.egress[2]`, `specs[1].ingressDeny[0]`, as a message shows it. */
export function ruleName(set: CiliumRuleSet, list: CiliumList, rule: CiliumRuleInfo): string {
  const head = set.spec.path.length === 1 ? 'spec' : `specs[${String(set.spec.path[1])}]`;
  return `${head}.${list}[${rule.index}]`;
}

/** `CiliumNetworkPolicy shop/deny-db`, `CiliumClusterwideNetworkPolicy no-world`. */
export function policyName(policy: CiliumPolicyInfo): string {
  return policy.namespace === undefined
    ? `${policy.kind} ${policy.name}`
    : `${policy.kind} ${policy.namespace}/${policy.name}`;
}

/** The names of a rule's `toFQDNs` peers, quoted: `"api.example.com"`, `"*.example.com"`. */
export function fqdnNames(rule: CiliumRuleInfo): string[] {
  return rule.peers.flatMap((p) =>
    p.kind === 'fqdn' ? [`"${p.name}"`] : p.kind === 'fqdnPattern' ? [`"${p.pattern}"`] : [],
  );
}

/** Whether `outer` selects every workload `inner` selects (and `inner` selects some). */
export function selectsAllOf(outer: CiliumRuleSet, inner: CiliumRuleSet): boolean {
  if (outer === inner) return true;
  if (inner.workloads.length === 0) return false;
  let have = WORKLOAD_SETS.get(outer);
  if (have === undefined) WORKLOAD_SETS.set(outer, (have = new Set(outer.workloads)));
  return inner.workloads.every((w) => have.has(w));
}

/** Each rule set's workloads as a set, made once: `selectsAllOf` is asked of pairs of rule sets. */
const WORKLOAD_SETS = new WeakMap<CiliumRuleSet, ReadonlySet<string>>();

/** The TCP/UDP/SCTP ports a rule matches (`named`: named ports, `protocol/name`), and whether it matches ICMP. */
export interface RuleTraffic {
  ports: PortSet;
  named: readonly string[];
  icmp: boolean;
}

const NAMED_PROTOCOLS = (protocol: string): readonly string[] =>
  protocol === 'ANY' ? PROTOCOLS : PROTOCOLS.filter((p) => p === protocol.toUpperCase());

function portRuleTraffic(entries: readonly CiliumPortRuleInfo[]): { ports: PortSet; named: string[] } {
  let ports = NO_PORTS;
  const named: string[] = [];
  for (const entry of entries) {
    if (entry.ports.length === 0) ports = ALL_CONNECTIONS;
    for (const p of entry.ports) {
      for (const protocol of PROTOCOLS) {
        if (p.protocol !== 'ANY' && p.protocol.toUpperCase() !== protocol) continue;
        if (p.kind === 'range') ports = unionPorts(ports, portSetOf(protocol, interval(p.start, p.end)));
      }
      if (p.kind === 'named')
        for (const protocol of NAMED_PROTOCOLS(p.protocol)) named.push(`${protocol}/${p.name}`);
    }
  }
  return { ports, named };
}

/**
 * The traffic of a rule: no `toPorts` and no `icmps` is every port and ICMP; `icmps` alone is ICMP only
 * (Cilium's docs: ICMP rules and port rules are alternatives of one rule).
 */
export function ruleTraffic(rule: CiliumRuleInfo): RuleTraffic {
  if (rule.ports === undefined)
    return { ports: rule.icmp ? NO_PORTS : ALL_CONNECTIONS, named: [], icmp: true };
  return { ...portRuleTraffic(rule.ports), icmp: rule.icmp };
}

/** Whether `outer` matches all the traffic `inner` matches. */
export function trafficCovers(outer: RuleTraffic, inner: RuleTraffic): boolean {
  if (inner.icmp && !outer.icmp) return false;
  if (!portsSubset(inner.ports, outer.ports)) return false;
  return inner.named.every((n) => outer.named.includes(n) || holdsNamed(outer.ports, n));
}

/** Whether `ports` hold every port of the protocol of named port `n` (`TCP/http`), so `n` whatever its number. */
function holdsNamed(ports: PortSet, n: string): boolean {
  const protocol = n.slice(0, n.indexOf('/')) as (typeof PROTOCOLS)[number];
  return isEmptyPorts(subtractPorts(portSetOf(protocol, interval(1, 65535)), ports));
}

/** Whether two rules match some traffic in common. */
export function trafficOverlaps(a: RuleTraffic, b: RuleTraffic): boolean {
  return (
    (a.icmp && b.icmp) ||
    !isEmptyPorts(intersectPorts(a.ports, b.ports)) ||
    a.named.some((n) => b.named.includes(n) || holdsNamed(b.ports, n)) ||
    b.named.some((n) => holdsNamed(a.ports, n))
  );
}

/** The union of the traffic of several rules. */
export function unionTraffic(all: readonly RuleTraffic[]): RuleTraffic {
  return {
    ports: all.reduce((acc, t) => unionPorts(acc, t.ports), NO_PORTS),
    named: [...new Set(all.flatMap((t) => t.named))],
    icmp: all.some((t) => t.icmp),
  };
}

function requirementsOf(selector: LabelSelector): string[] {
  return [
    ...Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `L ${k}=${v}`),
    ...(selector.matchExpressions ?? []).map(
      (e) => `E ${e.key} ${e.operator} ${[...(e.values ?? [])].sort().join(',')}`,
    ),
  ];
}

/** Whether selector `outer` selects every identity `inner` selects: its requirements are a subset of inner's. */
export function selectorCovers(outer: LabelSelector, inner: LabelSelector): boolean {
  const have = new Set(requirementsOf(inner));
  return requirementsOf(outer).every((r) => have.has(r));
}

const WORLD_ENTITIES: ReadonlySet<string> = new Set([
  CiliumEntity.World,
  CiliumEntity.WorldIpv4,
  CiliumEntity.WorldIpv6,
]);

/** Entities that stand for every address outside the cluster (for one family or both), or for everything. */
export function isWorldEntity(entity: CiliumEntity): boolean {
  return WORLD_ENTITIES.has(entity) || entity === CiliumEntity.All;
}

/**
 * The peers of a deny rule as Cilium reads them: `toServices` is never resolved in `egressDeny`
 * (`src/engine/cilium-services.ts`), so such a rule is left without peers: every peer with `toPorts` (or
 * `icmps`), none without.
 */
export function denyRulePeers(rule: CiliumRuleInfo): readonly CiliumPeerInfo[] {
  if (!rule.peers.some((p) => p.kind === 'service' || p.kind === 'serviceSelector')) return rule.peers;
  return rule.ports === undefined ? [] : [{ kind: 'anyPeer' }];
}

/** Whether peer `outer` surely matches everything peer `inner` matches. */
export function peerCovers(outer: CiliumPeerInfo, inner: CiliumPeerInfo): boolean {
  if (outer.kind === 'anyPeer' || (outer.kind === 'entity' && outer.entity === CiliumEntity.All)) return true;
  switch (inner.kind) {
    case 'endpoints':
      return (
        (outer.kind === 'endpoints' && selectorCovers(outer.selector, inner.selector)) ||
        (outer.kind === 'entity' && outer.entity === CiliumEntity.Cluster)
      );
    case 'nodes':
      return outer.kind === 'nodes' && selectorCovers(outer.selector, inner.selector);
    case 'entity':
      return (
        outer.kind === 'entity' &&
        (outer.entity === inner.entity ||
          (outer.entity === CiliumEntity.World && WORLD_ENTITIES.has(inner.entity)))
      );
    case 'cidr': {
      if (outer.kind !== 'cidr' || outer.except.length > 0) return false;
      const a = parseCidr(outer.cidr);
      const b = parseCidr(inner.cidr);
      return a.ok && b.ok && cidrContainsCidr(a.cidr, b.cidr);
    }
    case 'fqdn':
    case 'fqdnPattern':
      // The addresses a name resolves to have world identities (Cilium's DNS-based policies).
      return (
        (outer.kind === 'entity' && outer.entity === CiliumEntity.World) ||
        (outer.kind === inner.kind && JSON.stringify(outer) === JSON.stringify(inner))
      );
    case 'service':
    case 'serviceSelector':
      return JSON.stringify(outer) === JSON.stringify(inner);
    case 'anyPeer':
    case 'unsupported':
      return false;
  }
}

/**
 * Whether some NetworkPolicy or Cilium rule set (other than `except`) isolates the workload in a direction.
 * Cluster policy tiers are not counted: they never make a pod default-deny.
 */
export function isolatedElsewhere(
  workload: string,
  direction: Direction,
  lookup: Lookup,
  sets: readonly CiliumRuleSet[],
  except: CiliumRuleSet,
): boolean {
  if (lookup.classesOfWorkload(workload).some((c) => lookup.policiesOf(c, direction).length > 0)) return true;
  return sets.some((s) => s !== except && s.spec.defaultDeny[direction] && s.workloads.includes(workload));
}
