/**
 * Exposure: for each workload (or pod), who can reach it and whom it can reach, stated the way the rules
 * state it ("pods labelled app=web in namespaces labelled team=payments", "any address in 0.0.0.0/0 except
 * 10.0.0.0/8"), not only as today's pods, so that the answer also covers what gets deployed tomorrow.
 *
 * The flags come from the compiled `Access` tables, the same ones evaluation uses.
 */
import type { NetworkPolicyPeer, Protocol } from '../model/k8s.ts';
import type { Tier, TierAction, TierPeerInfo, TierPortInfo } from '../model/cluster.ts';
import { formatPath, type SourceLocation } from '../model/problem.ts';
import type { PodClass } from './classes.ts';
import {
  accessToAddress,
  accessToPod,
  peerFieldPath,
  portsTowardsClass,
  type CompiledCluster,
  type CompiledPeer,
  type CompiledPolicy,
  type CompiledRule,
  type Direction,
} from './compile.ts';
import type { Entity } from './connectivity.ts';
import type { CompiledTierPolicy, CompiledTierRule } from './tiers.ts';
import { CiliumList, type CompiledCiliumRule, type CompiledCiliumSpec } from './cilium.ts';
import { CILIUM_NAMESPACE_KEY, type CiliumL7, type CiliumPeerInfo } from '../model/cilium.ts';
import { peerScope, type PeerScope } from './explain.ts';
import { nodesAtAddressClass } from './own-node.ts';

export { peerScope, type PeerScope };
import { cidrContainsCidr, parseCidr, type Cidr } from '../base/ip.ts';
import { isEmptyPorts, portsKey, type PortSet } from './ports.ts';
import type { RefIndex } from './refs.ts';

export const ExposureFlag = {
  /** Some address outside the cluster may open connections to it. */
  ReachableFromOutside: 'reachable-from-outside',
  /** Pods of any namespace (including namespaces created later) may open connections to it. */
  ReachableFromAllNamespaces: 'reachable-from-all-namespaces',
  /** It may open connections to public addresses (outside the private, loopback and link-local ranges). */
  EgressToInternet: 'egress-to-internet',
} as const;
export type ExposureFlag = (typeof ExposureFlag)[keyof typeof ExposureFlag];
export const EXPOSURE_FLAGS: readonly ExposureFlag[] = Object.values(ExposureFlag);

/** A named port of a rule: on egress, resolved on each destination; on ingress, on this workload (`port`). */
export interface ExposureNamedPort {
  name: string;
  protocol: Protocol;
  /** `egress`: resolved on each destination; `defined`: this workload's `port`; `undefined`: it defines none. */
  resolution: { kind: 'egress' } | { kind: 'defined'; port: number } | { kind: 'undefined' };
}

/** The ports of a rule as written: every port, or numeric ports and named ones (`src/describe/` says them). */
export type ExposurePorts =
  { any: true } | { any: false; numeric: PortSet; named: readonly ExposureNamedPort[] };

export interface ExposureStatement {
  /** Who, in general terms ("pods labelled app=web in namespace shop" in `src/describe/scope.ts`). */
  peer: PeerScope;
  /** Ports the rule allows; for ingress, named ports resolved on this workload. */
  ports: PortSet;
  /** Named ports of an egress rule, resolved on each destination: `metrics/TCP`. */
  namedPorts: readonly string[];
  /** Named ports of an ingress rule this workload does not define (they allow nothing). */
  undefinedNamedPorts: readonly string[];
  /** The rule's ports (in words `on 8080/TCP`, `on all ports`, `on named port metrics/TCP`…). */
  rulePorts: ExposurePorts;
  /** Whether the statement allows anything at all. */
  allowsSomething: boolean;
  policy: string;
  /** `spec.ingress[0].from[1]`, or `spec.ingress[0]` for a rule without peers. */
  path: string;
  location: SourceLocation | undefined;
  /** Today's workloads (or pods) the peer matches, by entity id; for `anyone` and addresses, empty. */
  today: readonly string[];
  /** True when the peer matches every pod of the cluster, today's and tomorrow's. */
  everyPod: boolean;
}

/** One peer of one cluster policy rule (Admin or Baseline tier) that applies to the workload. */
export interface TierExposureStatement {
  tier: Tier;
  /** `ClusterNetworkPolicy/tenant-isolation`. */
  policy: string;
  /** `undefined` for the BaselineAdminNetworkPolicy (after every Baseline ClusterNetworkPolicy). */
  priority: number | undefined;
  action: TierAction;
  /** The rule's `name`, when it has one. */
  rule: string | undefined;
  peer: TierPeerInfo;
  /** As written; `undefined`: every port and protocol. */
  ports: readonly TierPortInfo[] | undefined;
  /** `spec.ingress[0].from[1]`. */
  path: string;
  location: SourceLocation | undefined;
  /** Today's workloads (or pods) the peer matches, by entity id (DNS names match none). */
  today: readonly string[];
  /** The peer matches pods of every namespace, today's and tomorrow's (`namespaces: {}`, `pods` with it). */
  everyNamespace: boolean;
}

/** One rule of a Cilium rule set selecting the workload (issue #17): an allow or a deny rule. */
export interface CiliumExposureStatement {
  /** `CiliumNetworkPolicy/shop/db` */
  policy: string;
  list: CiliumList;
  deny: boolean;
  /** Its peers as written (normalized); `anyPeer` for a rule with ports only. */
  peers: readonly CiliumPeerInfo[];
  /** Every port and protocol (`any`), or the ports of its `toPorts` (ingress: named ports resolved here). */
  ports: { any: true } | { any: false; ports: PortSet; named: readonly string[] };
  /** The L7 rules of its `toPorts` entries: allowed at L4, filtered at L7 by Cilium's proxy. */
  l7: readonly CiliumL7[];
  /** Whether its rule set puts the workload in default deny in this direction. */
  isolates: boolean;
  /** `spec.ingress[0]` or `specs[1].egressDeny[0]` */
  path: string;
  location: SourceLocation | undefined;
  /** Today's workloads (or pods) its peers match, by entity id. */
  today: readonly string[];
}

export const DirectionStatus = {
  Isolated: 'isolated',
  NotIsolated: 'not-isolated',
  HostNetwork: 'host-network',
} as const;
export type DirectionStatus = (typeof DirectionStatus)[keyof typeof DirectionStatus];

export interface DirectionExposure {
  /**
   * What the NetworkPolicy layer does in this direction: NetworkPolicies and Cilium rule sets (each class is
   * isolated when a NetworkPolicy or a Cilium rule set in default deny selects it).
   */
  status: DirectionStatus;
  /** Policies that isolate it in this direction: NetworkPolicies and Cilium policies, by id. */
  policies: readonly string[];
  statements: readonly ExposureStatement[];
  /** The rules of the Cilium rule sets selecting it in this direction (allow and deny), policy by policy. */
  cilium: readonly CiliumExposureStatement[];
  /** Cluster policy rules of the Admin tier that apply, in evaluation order (decided before NetworkPolicies). */
  admin: readonly TierExposureStatement[];
  /**
   * Baseline tier rules that apply, in evaluation order: only when no NetworkPolicy isolates it in this
   * direction (otherwise NetworkPolicies decide and no Baseline rule is reached).
   */
  baseline: readonly TierExposureStatement[];
}

export interface FlagReason {
  flag: ExposureFlag;
  /**
   * Why, as far as NetworkPolicies go: the direction is not isolated (or on the host network), or these
   * statements allow it (empty when only cluster policy rules do).
   */
  why: Exclude<DirectionStatus, 'isolated'> | readonly ExposureStatement[];
  /** Cluster policy allow rules that give it. */
  byTiers: readonly TierExposureStatement[];
  /** Cilium allow rules that may give it. */
  byCilium: readonly CiliumExposureStatement[];
  /** DNS names it reaches through Cilium `toFQDNs` rules (egress-to-internet; `domainNames` are in `byTiers`). */
  byName: readonly { domain: string; policy: string }[];
}

export interface WorkloadExposure {
  entity: Entity;
  name: string;
  /** Who can reach it. */
  ingress: DirectionExposure;
  /** Whom it can reach. */
  egress: DirectionExposure;
  flags: readonly FlagReason[];
}

const PRIVATE_RANGES: readonly Cidr[] = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '::1/128',
  'fc00::/7',
  'fe80::/10',
].map((c) => (parseCidr(c) as { ok: true; cidr: Cidr }).cidr);

/** Whether a CIDR holds any public address. */
function isPublic(c: Cidr): boolean {
  return !PRIVATE_RANGES.some((p) => cidrContainsCidr(p, c));
}

function peersOf(policy: CompiledPolicy, rule: CompiledRule): readonly NetworkPolicyPeer[] {
  const spec =
    rule.direction === 'ingress'
      ? policy.info.spec.ingress?.[rule.index]?.from
      : policy.info.spec.egress?.[rule.index]?.to;
  return spec ?? [];
}

class ExposureBuilder {
  readonly index: RefIndex;
  readonly compiled: CompiledCluster;
  /** Entity ids of each class's pods. */
  readonly entitiesOfClass: string[][];

  constructor(index: RefIndex) {
    this.index = index;
    this.compiled = index.compiled;
    this.entitiesOfClass = this.compiled.classes.map(() => []);
    for (const e of index.entities) {
      for (const end of index.ends(e.id)) if ('pod' in end) this.entitiesOfClass[end.pod]!.push(e.id);
    }
  }

  today(peer: CompiledPeer): string[] {
    if (peer.kind !== 'pods') return [];
    const ids = peer.pods.all
      ? this.compiled.classes.filter((c) => !c.hostNetwork).map((c) => c.id)
      : peer.pods.ids;
    const out = new Set<string>();
    for (const id of ids) for (const e of this.entitiesOfClass[id]!) out.add(e);
    const order = new Map(this.index.entities.map((e, i) => [e.id, i]));
    return [...out].sort((a, b) => order.get(a)! - order.get(b)!);
  }

  statements(cls: PodClass, policy: CompiledPolicy, rule: CompiledRule): ExposureStatement[] {
    const direction = rule.direction;
    let ports: PortSet;
    let namedPorts: string[] = [];
    const undefinedNamed: string[] = [];
    if (direction === 'ingress') {
      ports = portsTowardsClass(rule.ports, cls);
      for (const n of rule.ports.named) {
        if (!cls.namedPorts.some((np) => np.name === n.name && np.protocol === n.protocol))
          undefinedNamed.push(`${n.name}/${n.protocol}`);
      }
    } else {
      ports = rule.ports.numeric;
      namedPorts = rule.ports.named.map((n) => `${n.name}/${n.protocol}`);
    }
    const rulePorts = this.rulePorts(rule, cls);
    const base = ['spec', direction, rule.index] as const;
    const locate = (path: readonly (string | number)[]): SourceLocation | undefined => {
      const o = policy.info.origin;
      return o === undefined
        ? undefined
        : (o.locate?.(path) ?? { file: o.file, line: o.line, column: o.column });
    };
    const make = (
      peer: PeerScope,
      path: readonly (string | number)[],
      today: readonly string[],
      everyPod: boolean,
      addressesOnly: boolean,
    ): ExposureStatement => ({
      peer,
      ports,
      namedPorts: addressesOnly ? [] : namedPorts,
      undefinedNamedPorts: undefinedNamed,
      rulePorts,
      // Named ports never resolve on addresses; on pods, an egress named port allows what the destination defines.
      allowsSomething: !isEmptyPorts(ports) || (!addressesOnly && namedPorts.length > 0),
      policy: policy.info.id,
      path: formatPath(path),
      location: locate(path),
      today,
      everyPod,
    });
    if (rule.peers === 'everything') return [make({ kind: 'anyone' }, base, [], true, false)];
    const specPeers = peersOf(policy, rule);
    return rule.peers.map((p) => {
      const path = peerFieldPath(direction, rule.index, p.index);
      const scope = peerScope(specPeers[p.index] ?? {}, policy.info.namespace);
      const every = scope.kind === 'pods' && scope.namespaces.kind === 'any' && scope.pods === undefined;
      return make(scope, path, this.today(p), every, scope.kind === 'addresses');
    });
  }

  rulePorts(rule: CompiledRule, cls: PodClass): ExposurePorts {
    if (rule.ports.any) return { any: true };
    const named = rule.ports.named.map((n): ExposureNamedPort => {
      if (rule.direction === 'egress') return { ...n, resolution: { kind: 'egress' } };
      const np = cls.namedPorts.find((p) => p.name === n.name && p.protocol === n.protocol);
      return {
        ...n,
        resolution: np === undefined ? { kind: 'undefined' } : { kind: 'defined', port: np.port },
      };
    });
    return { any: false, numeric: rule.ports.numeric, named };
  }

  todayOf(pods: CompiledTierRule['peers'][number]['pods']): string[] {
    return this.today({ kind: 'pods', pods } as CompiledPeer);
  }

  tierStatements(policy: CompiledTierPolicy, rule: CompiledTierRule): TierExposureStatement[] {
    const info = policy.info;
    return rule.peers.map((p) => {
      const path = peerFieldPath(rule.direction, rule.index, p.index);
      const o = info.origin;
      const peer = p.info;
      return {
        tier: policy.tier,
        policy: info.id,
        priority: info.priority,
        action: rule.action,
        rule: rule.name,
        peer,
        ports: (rule.direction === 'ingress' ? info.ingress : info.egress)[rule.index]?.ports,
        path: formatPath(path),
        location:
          o === undefined
            ? undefined
            : (o.locate?.(path) ?? { file: o.file, line: o.line, column: o.column }),
        today: peer.kind === 'domainNames' ? [] : this.todayOf(p.pods),
        everyNamespace:
          (peer.kind === 'namespaces' || peer.kind === 'pods') && isEmptySelector(peer.namespaceSelector),
      };
    });
  }

  /** The Admin and Baseline rules of the cluster policies that select any of `classes`, in evaluation order. */
  tiers(classes: readonly PodClass[], direction: Direction): Record<Tier, TierExposureStatement[]> {
    const out: Record<Tier, TierExposureStatement[]> = { admin: [], baseline: [] };
    const seen = new Set<number>();
    const order: CompiledTierPolicy[] = [];
    for (const cls of classes) {
      for (const i of this.compiled.tierPoliciesOfClass[cls.id] ?? []) {
        if (seen.has(i)) continue;
        seen.add(i);
        order.push(this.compiled.tierPolicies[i]!);
      }
    }
    order.sort((a, b) => (a.tier === b.tier ? a.rank - b.rank : a.tier === 'admin' ? -1 : 1));
    for (const p of order) {
      for (const rule of direction === 'ingress' ? p.ingress : p.egress)
        out[p.tier].push(...this.tierStatements(p, rule));
    }
    return out;
  }

  direction(classes: readonly PodClass[], direction: Direction): DirectionExposure {
    const tiers = this.tiers(classes, direction);
    const np = this.networkPolicies(classes, direction);
    return {
      ...np,
      admin: tiers.admin,
      baseline: np.status === DirectionStatus.Isolated ? [] : tiers.baseline,
    };
  }

  /** The Cilium rule sets selecting `cls` with something to say in `direction`. */
  ciliumSpecs(cls: PodClass, direction: Direction): CompiledCiliumSpec[] {
    const cilium = this.compiled.cilium;
    const [allow, deny] =
      direction === 'ingress'
        ? [CiliumList.Ingress, CiliumList.IngressDeny]
        : [CiliumList.Egress, CiliumList.EgressDeny];
    return (cilium.ofClass[cls.id] ?? [])
      .map((i) => cilium.specs[i]!)
      .filter((s) => s.info.defaultDeny[direction] || s[allow].length > 0 || s[deny].length > 0);
  }

  ciliumStatement(
    cls: PodClass,
    spec: CompiledCiliumSpec,
    rule: CompiledCiliumRule,
  ): CiliumExposureStatement {
    const policy = this.compiled.cilium.policies[spec.policy]!;
    const path = [...spec.info.path, rule.list, rule.index];
    const o = policy.origin;
    let ports: CiliumExposureStatement['ports'];
    if (rule.ports.any) ports = { any: true };
    else if (rule.direction === 'ingress')
      ports = { any: false, ports: portsTowardsClass(rule.ports, cls), named: [] };
    else
      ports = {
        any: false,
        ports: rule.ports.numeric,
        named: rule.ports.named.map((n) => `${n.name}/${n.protocol}`),
      };
    const today = new Set<string>();
    for (const p of rule.peers) {
      if (p.everything) continue;
      for (const e of this.today({ kind: 'pods', pods: p.pods } as CompiledPeer)) today.add(e);
    }
    const order = new Map(this.index.entities.map((e, i) => [e.id, i]));
    return {
      policy: policy.id,
      list: rule.list,
      deny: rule.deny,
      peers: rule.peers.map((p) => p.info),
      ports,
      l7: [...new Set(rule.l7.map((e) => e.kind))],
      isolates: spec.info.defaultDeny[rule.direction],
      path: formatPath(path),
      location:
        o === undefined ? undefined : (o.locate?.(path) ?? { file: o.file, line: o.line, column: o.column }),
      today: [...today].sort((a, b) => order.get(a)! - order.get(b)!),
    };
  }

  networkPolicies(
    classes: readonly PodClass[],
    direction: Direction,
  ): Pick<DirectionExposure, 'status' | 'policies' | 'statements' | 'cilium'> {
    // A host-network pod: no NetworkPolicy applies; Cilium host policies do when the host firewall applies
    // them to its node (its rule sets are then the class's, as an endpoint's are).
    const specsOf = classes.map((c) => this.ciliumSpecs(c, direction));
    if (classes.some((c, i) => c.hostNetwork && specsOf[i]!.length === 0))
      return { status: DirectionStatus.HostNetwork, policies: [], statements: [], cilium: [] };
    const statements = new Map<string, ExposureStatement>();
    const policies = new Set<string>();
    const cilium = new Map<string, CiliumExposureStatement>();
    let open = classes.length === 0;
    for (const [k, cls] of classes.entries()) {
      const mine = this.compiled.policiesOfClass[cls.id]!.map((i) => this.compiled.policies[i]!).filter(
        (p) => (direction === 'ingress' ? p.affectsIngress : p.affectsEgress),
      );
      const specs = specsOf[k]!;
      const ciliumIsolates = specs.some((s) => s.info.defaultDeny[direction]);
      if (mine.length === 0 && !ciliumIsolates) open = true;
      for (const s of specs) {
        const policy = this.compiled.cilium.policies[s.policy]!.id;
        if (s.info.defaultDeny[direction]) policies.add(policy);
        const lists = direction === 'ingress' ? [s.ingress, s.ingressDeny] : [s.egress, s.egressDeny];
        for (const rule of lists.flat()) {
          const c = this.ciliumStatement(cls, s, rule);
          const key = `${c.policy}\u0000${c.path}\u0000${c.ports.any ? 'any' : portsKey(c.ports.ports)}`;
          if (!cilium.has(key)) cilium.set(key, c);
        }
      }
      for (const p of mine) {
        policies.add(p.info.id);
        for (const rule of direction === 'ingress' ? p.ingress : p.egress) {
          for (const s of this.statements(cls, p, rule)) {
            const key = `${s.path}\u0000${s.policy}\u0000${rulePortsKey(s.rulePorts)}`;
            if (!statements.has(key)) statements.set(key, s);
          }
        }
      }
    }
    // Cilium rules apply either way: deny rules (and allow rules of rule sets out of default deny) count too.
    if (open)
      return {
        status: DirectionStatus.NotIsolated,
        policies: [],
        statements: [],
        cilium: [...cilium.values()],
      };
    return {
      status: DirectionStatus.Isolated,
      policies: [...policies].sort(),
      statements: [...statements.values()],
      cilium: [...cilium.values()],
    };
  }

  flags(classes: readonly PodClass[], ingress: DirectionExposure, egress: DirectionExposure): FlagReason[] {
    const out: FlagReason[] = [];
    const space = this.compiled.addressSpace;
    const open = (d: DirectionExposure): Exclude<DirectionStatus, 'isolated'> | undefined =>
      d.status === DirectionStatus.Isolated ? undefined : d.status;
    // Exact, from the Access tables: which address classes each direction allows.
    const reached = (direction: Direction): number[] => {
      const ids = new Set<number>();
      for (const cls of classes) {
        const access =
          direction === 'ingress' ? this.compiled.ingress[cls.id]! : this.compiled.egress[cls.id]!;
        for (const a of space.classes) if (!isEmptyPorts(accessToAddress(access, a.id))) ids.add(a.id);
      }
      return [...ids].sort((a, b) => a - b);
    };
    const why = (d: DirectionExposure, pick: (s: ExposureStatement) => boolean): ExposureStatement[] =>
      d.statements.filter((s) => s.allowsSomething && pick(s));
    // Tier allow rules that may give a flag: Admin ones, and Baseline ones (listed only when reached).
    const tierAllows = (
      d: DirectionExposure,
      pick: (s: TierExposureStatement) => boolean,
    ): TierExposureStatement[] => [...d.admin, ...d.baseline].filter((s) => s.action === 'allow' && pick(s));
    const byAddress = (s: TierExposureStatement): boolean =>
      s.peer.kind === 'networks' || s.peer.kind === 'nodes';
    // Cilium allow rules whose peers may be what the flag is about.
    const ciliumAllows = (
      d: DirectionExposure,
      pick: (p: CiliumPeerInfo) => boolean,
    ): CiliumExposureStatement[] => d.cilium.filter((s) => !s.deny && s.peers.some(pick));
    const outsidePeer = (p: CiliumPeerInfo): boolean =>
      p.kind === 'anyPeer' ||
      p.kind === 'cidr' ||
      p.kind === 'fqdn' ||
      p.kind === 'fqdnPattern' ||
      (p.kind === 'entity' && (p.entity === 'all' || p.entity.startsWith('world')));
    // From the Access tables alone, for host-network pods too: they are open unless Cilium's host firewall
    // applies a host policy to their node, which may close them as it closes the node. A node's address is
    // in the cluster, not outside it (a pod's own node always reaches it).
    const outside = reached('ingress').filter((id) => nodesAtAddressClass(this.compiled, id).length === 0);
    if (outside.length > 0) {
      out.push({
        flag: ExposureFlag.ReachableFromOutside,
        why: open(ingress) ?? why(ingress, (s) => s.peer.kind === 'anyone' || s.peer.kind === 'addresses'),
        byTiers: tierAllows(ingress, byAddress),
        byCilium: ciliumAllows(ingress, outsidePeer),
        byName: [],
      });
    }
    const allNamespaces = (s: ExposureStatement): boolean =>
      s.peer.kind === 'anyone' || (s.peer.kind === 'pods' && s.peer.namespaces.kind === 'any');
    const ingressOpen = open(ingress);
    const tierAllNamespaces = tierAllows(ingress, (s) => s.everyNamespace);
    const ciliumAllNamespaces = ciliumAllows(
      ingress,
      (p) =>
        p.kind === 'anyPeer' ||
        (p.kind === 'entity' && (p.entity === 'all' || p.entity === 'cluster')) ||
        // A clusterwide policy's endpoints carry `io.kubernetes.pod.namespace Exists` (pods of any namespace):
        // only a namespace label or another expression on that key restricts them.
        (p.kind === 'endpoints' &&
          !Object.hasOwn(p.selector.matchLabels ?? {}, CILIUM_NAMESPACE_KEY) &&
          !(p.selector.matchExpressions ?? []).some(
            (e) => e.key === CILIUM_NAMESPACE_KEY && e.operator !== 'Exists',
          )),
    );
    const general =
      ingressOpen !== undefined ||
      ingress.statements.some((s) => s.allowsSomething && allNamespaces(s)) ||
      tierAllNamespaces.length > 0 ||
      ciliumAllNamespaces.length > 0;
    // With cluster policy rules or Cilium rules in the way, pods of every namespace of today must still get
    // through (an Admin, Baseline or Cilium deny may take namespaces out of what is otherwise allowed). A
    // host-network pod a host policy applies to is no exception: that policy's rules are in `ingress.cilium`
    // (`networkPolicies` leaves Cilium rules out only when a host-network class has no rule set, and such a
    // class lets every pod in but for the Admin and Baseline rules counted here).
    const tiered = ingress.admin.length > 0 || ingress.baseline.length > 0 || ingress.cilium.length > 0;
    if (general && (!tiered || this.everyNamespaceReaches(classes))) {
      out.push({
        flag: ExposureFlag.ReachableFromAllNamespaces,
        why: ingressOpen ?? why(ingress, allNamespaces),
        byTiers: tierAllNamespaces,
        byCilium: ciliumAllNamespaces,
        byName: [],
      });
    }
    const publicIds = reached('egress').filter((id) => space.classes[id]!.cover.some(isPublic));
    // By DNS name: cluster policies' `domainNames` rules are cited in `byTiers`; Cilium `toFQDNs` ones here.
    const names = new Map<string, { domain: string; policy: string }>();
    let byName = false;
    for (const c of classes) {
      for (const r of this.compiled.domainReach(c.id)) {
        byName = true;
        if (r.cilium === undefined) continue;
        const policy = this.compiled.cilium.policies[r.policy]!.id;
        names.set(`${r.domain}\u0000${policy}`, { domain: r.domain, policy });
      }
    }
    if (publicIds.length > 0 || byName) {
      out.push({
        flag: ExposureFlag.EgressToInternet,
        byCilium:
          publicIds.length > 0
            ? ciliumAllows(egress, (p) => p.kind !== 'fqdn' && p.kind !== 'fqdnPattern' && outsidePeer(p))
            : [],
        byName: [...names.values()],
        byTiers: tierAllows(
          egress,
          (s) =>
            s.peer.kind === 'domainNames' ||
            (s.peer.kind === 'networks' &&
              s.peer.cidrs.some((c) => {
                const parsed = parseCidr(c);
                return (
                  parsed.ok &&
                  publicIds.some((id) =>
                    space.classes[id]!.cover.some((x) => cidrContainsCidr(parsed.cidr, x)),
                  )
                );
              })),
        ),
        // Reached by DNS name only: not being isolated by NetworkPolicies is not the reason.
        why:
          (publicIds.length > 0 ? open(egress) : undefined) ??
          why(
            egress,
            (s) =>
              s.peer.kind === 'anyone' ||
              (s.peer.kind === 'addresses' &&
                (() => {
                  const parsed = parseCidr(s.peer.cidr);
                  return (
                    parsed.ok &&
                    publicIds.some((id) =>
                      space.classes[id]!.cover.some((c) => cidrContainsCidr(parsed.cidr, c)),
                    )
                  );
                })()),
          ),
      });
    }
    return out;
  }

  /** Whether a pod of every namespace that has pods today may open a connection to one of `classes`. */
  everyNamespaceReaches(classes: readonly PodClass[]): boolean {
    const reached = new Set<string>();
    const all = new Set<string>();
    for (const src of this.compiled.classes) {
      if (src.hostNetwork) continue;
      all.add(src.namespace);
      if (reached.has(src.namespace)) continue;
      if (classes.some((c) => !isEmptyPorts(accessToPod(this.compiled.ingress[c.id]!, src))))
        reached.add(src.namespace);
    }
    return reached.size === all.size;
  }
}

function isEmptySelector(s: { matchLabels?: object; matchExpressions?: readonly unknown[] }): boolean {
  return Object.keys(s.matchLabels ?? {}).length === 0 && (s.matchExpressions ?? []).length === 0;
}

function rulePortsKey(p: ExposurePorts): string {
  if (p.any) return 'any';
  const named = p.named.map((n) => {
    const r = n.resolution;
    return `${n.name}/${n.protocol}:${r.kind === 'defined' ? r.port : r.kind}`;
  });
  return `${portsKey(p.numeric)};${named.join(',')}`;
}

/** The exposure of every workload (or pod) of the index, in its order; `only` restricts it to some entity ids. */
export function computeExposure(index: RefIndex, only?: ReadonlySet<string>): WorkloadExposure[] {
  const b = new ExposureBuilder(index);
  const out: WorkloadExposure[] = [];
  for (const e of index.entities) {
    if (e.kind === 'external' || (only !== undefined && !only.has(e.id))) continue;
    const classes = index
      .ends(e.id)
      .flatMap((end) => ('pod' in end ? [index.compiled.classes[end.pod]!] : []));
    const ingress = b.direction(classes, 'ingress');
    const egress = b.direction(classes, 'egress');
    out.push({
      entity: e,
      name: index.displayName(e.id),
      ingress,
      egress,
      flags: b.flags(classes, ingress, egress),
    });
  }
  return out;
}
