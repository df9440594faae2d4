/**
 * Explain, through the tiers: per direction, the walk Admin tier → NetworkPolicy → Baseline tier → default,
 * port by port, naming the cluster policy rule (or the NetworkPolicies) that decided each part of the query.
 *
 * It reads the compiled tier policies (`compiled.tierPolicies`, `tierPoliciesOfClass`) the evaluation reads,
 * in the same order (`compareTierOrder`), so its verdict is the verdict of `allowedBetween`.
 * docs/design/tiers.md has the semantics.
 */
import { Tier, TierAction, type ClusterPolicyKind, type TierPeerInfo } from '../model/cluster.ts';
import { formatPath, type FieldPath, type SourceLocation } from '../model/problem.ts';
import type { PodClass } from './classes.ts';
import { peerFieldPath, portsTowardsClass, type CompiledCluster, type Direction } from './compile.ts';
import type { CompiledTierPeer, CompiledTierPolicy, CompiledTierRule } from './tiers.ts';
import {
  ALL_PORTS,
  NO_PORTS,
  portSetOf,
  intersectPorts,
  isEmptyPorts,
  portsEqual,
  subtractPorts,
  unionPorts,
  type PortSet,
} from './ports.ts';
import { compileSelector, failedRequirements } from './selectors.ts';
import type { ExplainEnd, MissDetail, MissReason } from './explain.ts';
import { namedPortMiss, namespaceLabelsOf, nearest, type MissCandidate } from './near-miss.ts';
import { nodesAtAddressClass } from './own-node.ts';

/** Whether the cluster policies apply to this side, and if not, why. */
export const TierStatus = {
  /** Cluster policies are evaluated for this side (some may select the pod, or none). */
  Applies: 'applies',
  /** The cluster has no cluster policies: only NetworkPolicies decide. */
  NoPolicies: 'no-policies',
  /** A pod connecting to its own IP: cluster policies do not apply (NetworkPolicies still do). */
  Hairpin: 'hairpin',
  /** Host-network pods are never the subject of a cluster policy. */
  HostNetwork: 'host-network',
  /** This end is an address outside the cluster. */
  OutsideCluster: 'outside-cluster',
  /** This end is a node's address, not a pod: cluster policies select pods. */
  NodeAddress: 'node-address',
} as const;
export type TierStatus = (typeof TierStatus)[keyof typeof TierStatus];

/**
 * The nodes whose addresses `end` is, when it is an address class made of node addresses alone (the input's
 * or the cluster's Nodes; sorted), else []: a node's address is in the cluster, not a pod, so no pod's policy
 * applies to its side. A class holding other addresses as well stays an address outside the cluster.
 */
export function nodesOfAddress(compiled: CompiledCluster, end: ExplainEnd): readonly string[] {
  return end.kind === 'address' ? nodesAtAddressClass(compiled, end.classId) : [];
}

/** Where a part of the query was decided. */
export const DecidedBy = {
  Admin: 'admin',
  NetworkPolicy: 'network-policy',
  Baseline: 'baseline',
  /** Nothing decided: the Kubernetes default, allowed. */
  Default: 'default',
} as const;
export type DecidedBy = (typeof DecidedBy)[keyof typeof DecidedBy];

/** One rule of a cluster policy. */
export interface TierRuleCitation {
  /** `ClusterNetworkPolicy/name`, `AdminNetworkPolicy/name`, `BaselineAdminNetworkPolicy/default`. */
  policy: string;
  kind: ClusterPolicyKind;
  tier: Tier;
  /** Undefined for the BaselineAdminNetworkPolicy. */
  priority: number | undefined;
  direction: Direction;
  /** Index in `spec.ingress` / `spec.egress`. */
  rule: number;
  ruleName: string | undefined;
  action: TierAction;
  /** `spec.egress[2]` */
  path: string;
  location: SourceLocation | undefined;
}

/** A cluster policy rule matching the connection on `ports`. */
export interface TierMatch extends TierRuleCitation {
  /** Index of the matching peer in `from`/`to`. */
  peer: number;
  /** The ports it decides (or passes) here. */
  ports: PortSet;
}

export type TierStep =
  /**
   * A rule matched: `allow`/`deny` decide, `pass` hands the ports to NetworkPolicy (Admin) or to the default
   * (Baseline). `undefinedWith`: rules of policies of the same tier and equal priority that match the same
   * ports with another action: the API lets the implementation apply either (netfence follows `compareTierOrder`).
   */
  | { kind: 'rule'; match: TierMatch; undefinedWith: TierMatch[] }
  /**
   * No rule of the tier matches these ports; `policies`: how many of the tier's policies select the pod and
   * have rules for this direction.
   */
  | { kind: 'no-match'; tier: Tier; policies: number }
  /** NetworkPolicies: when `isolated`, they decide (the path's `allowed`); otherwise evaluation goes on. */
  | { kind: 'network-policy'; isolated: boolean }
  /** Nothing decided: allowed. */
  | { kind: 'default' };

/** A part of the query that takes one way through the tiers. */
export interface TierPath {
  ports: PortSet;
  steps: TierStep[];
  allowed: boolean;
  decidedBy: DecidedBy;
}

/** An allow rule whose `domainNames` may match the destination address, depending on DNS resolution. */
export interface DnsRule extends TierRuleCitation {
  domains: readonly string[];
  /** The query's ports the rule covers. */
  ports: PortSet;
}

/** A cluster policy rule that would have decided differently with another peer or port. */
export interface TierNearMiss extends TierRuleCitation {
  failed: 'ports' | 'peer' | 'both';
  reasons: MissReason[];
}

export interface TierExplanation {
  status: TierStatus;
  /** The query split by the way each part takes through the tiers; they cover the query exactly. */
  paths: TierPath[];
  /** Egress to an address: allow rules by DNS name that may match it (the static answer ignores them). */
  dnsRules: DnsRule[];
  /**
   * When this side allows none of the query: the allow rules that came closest and would have decided first;
   * when it allows all of it: the deny rules whose ports fit and whose peer came closest. Nearest first, ≤ 5.
   */
  nearMisses: TierNearMiss[];
}

function locate(policy: CompiledTierPolicy, path: FieldPath): SourceLocation | undefined {
  const origin = policy.info.origin;
  if (origin === undefined) return undefined;
  if (path.length === 0) return { file: origin.file, line: origin.line, column: origin.column };
  return origin.locate?.(path) ?? { file: origin.file, line: origin.line, column: origin.column };
}

export function citeTierRule(policy: CompiledTierPolicy, rule: CompiledTierRule): TierRuleCitation {
  const path = ['spec', rule.direction, rule.index];
  return {
    policy: policy.info.id,
    kind: policy.info.kind,
    tier: policy.tier,
    priority: policy.info.priority,
    direction: rule.direction,
    rule: rule.index,
    ruleName: rule.name,
    action: rule.action,
    path: formatPath(path),
    location: locate(policy, path),
  };
}

/** A partial path: ports still undecided and the steps they took. */
interface Open {
  ports: PortSet;
  steps: TierStep[];
}

/** The walk of one side: the source's egress, or the destination's ingress. */
export class TierWalker {
  readonly compiled: CompiledCluster;
  readonly query: PortSet;
  readonly direction: Direction;
  /** The pod whose side this is (undefined: an address). */
  readonly subject: PodClass | undefined;
  readonly peer: ExplainEnd;
  readonly dstClass: PodClass | undefined;
  readonly dst: ExplainEnd;
  readonly policies: readonly CompiledTierPolicy[];
  readonly status: TierStatus;

  constructor(
    compiled: CompiledCluster,
    query: PortSet,
    direction: Direction,
    ends: { subject: ExplainEnd; peer: ExplainEnd; dst: ExplainEnd; hairpin: boolean },
  ) {
    this.compiled = compiled;
    this.query = query;
    this.direction = direction;
    this.peer = ends.peer;
    this.dst = ends.dst;
    this.subject = ends.subject.kind === 'pod' ? compiled.classes[ends.subject.classId] : undefined;
    this.dstClass = ends.dst.kind === 'pod' ? compiled.classes[ends.dst.classId] : undefined;
    this.status =
      this.subject === undefined
        ? nodesOfAddress(compiled, ends.subject).length > 0
          ? TierStatus.NodeAddress
          : TierStatus.OutsideCluster
        : compiled.tierPolicies.length === 0
          ? TierStatus.NoPolicies
          : this.subject.hostNetworkPod
            ? TierStatus.HostNetwork
            : ends.hairpin
              ? TierStatus.Hairpin
              : TierStatus.Applies;
    this.policies =
      this.status === TierStatus.Applies
        ? this.compiled.tierPoliciesOfClass[this.subject!.id]!.map((i) => compiled.tierPolicies[i]!)
        : [];
  }

  rulesOf(policy: CompiledTierPolicy): readonly CompiledTierRule[] {
    return this.direction === 'egress' ? policy.egress : policy.ingress;
  }

  ofTier(tier: Tier): CompiledTierPolicy[] {
    return this.policies.filter((p) => p.tier === tier && this.rulesOf(p).length > 0);
  }

  peerMatches(p: CompiledTierPeer): boolean {
    if (p.everything) return true;
    if (this.peer.kind === 'address') return p.addresses.includes(this.peer.classId);
    const cls = this.compiled.classes[this.peer.classId]!;
    return p.pods.all ? !cls.hostNetworkPod : p.pods.ids.includes(cls.id);
  }

  /** The ports the rule covers towards the destination (named ports resolved against it). */
  rulePorts(rule: CompiledTierRule): PortSet {
    return this.dstClass === undefined ? rule.ports.numeric : portsTowardsClass(rule.ports, this.dstClass);
  }

  /** The rule's match on `ports`, or undefined. */
  match(policy: CompiledTierPolicy, rule: CompiledTierRule, ports: PortSet): TierMatch | undefined {
    const hit = rule.peers.find((p) => this.peerMatches(p));
    if (hit === undefined) return undefined;
    const on = intersectPorts(this.rulePorts(rule), ports);
    if (isEmptyPorts(on)) return undefined;
    return { ...citeTierRule(policy, rule), peer: hit.index, ports: on };
  }

  /**
   * Rules of later policies of the same tier and priority as `policy` that match some of `ports` with an
   * action other than `action`: the first matching rule of each such policy, per port.
   */
  equalPriority(policy: CompiledTierPolicy, ports: PortSet, action: TierAction): TierMatch[] {
    if (policy.info.priority === undefined) return [];
    const out: TierMatch[] = [];
    for (const other of this.ofTier(policy.tier)) {
      if (other === policy || other.rank < policy.rank || other.info.priority !== policy.info.priority)
        continue;
      let rest = ports;
      for (const rule of this.rulesOf(other)) {
        if (isEmptyPorts(rest)) break;
        const m = this.match(other, rule, rest);
        if (m === undefined) continue;
        rest = subtractPorts(rest, m.ports);
        if (m.action !== action) out.push(m);
      }
    }
    return out;
  }

  /** One tier over the open paths: what its rules decide, and what goes on (passed or unmatched). */
  tier(tier: Tier, open: readonly Open[]): { decided: TierPath[]; passed: Open[]; unmatched: Open[] } {
    const policies = this.ofTier(tier);
    const decided: TierPath[] = [];
    const passed: Open[] = [];
    const unmatched: Open[] = [];
    for (const path of open) {
      let rest = path.ports;
      for (const policy of policies) {
        for (const rule of this.rulesOf(policy)) {
          if (isEmptyPorts(rest)) break;
          const m = this.match(policy, rule, rest);
          if (m === undefined) continue;
          rest = subtractPorts(rest, m.ports);
          const step: TierStep = {
            kind: 'rule',
            match: m,
            undefinedWith: this.equalPriority(policy, m.ports, m.action),
          };
          const steps = [...path.steps, step];
          if (m.action === TierAction.Pass) passed.push({ ports: m.ports, steps });
          else
            decided.push({
              ports: m.ports,
              steps,
              allowed: m.action === TierAction.Allow,
              decidedBy: tier === Tier.Admin ? DecidedBy.Admin : DecidedBy.Baseline,
            });
        }
      }
      if (!isEmptyPorts(rest)) {
        unmatched.push({
          ports: rest,
          steps: [...path.steps, { kind: 'no-match', tier, policies: policies.length }],
        });
      }
    }
    return { decided, passed, unmatched };
  }

  /**
   * `npIsolated`/`npAllowed`: what the NetworkPolicy layer (NetworkPolicies and Cilium policies) says for this
   * side (`npAllowed` within the query); `npDenied`: what Cilium deny rules deny when the layer does not
   * isolate (those ports are decided there, denied; the rest goes on to the Baseline tier).
   */
  walk(npIsolated: boolean, npAllowed: PortSet, npDenied: PortSet = NO_PORTS): TierExplanation {
    const start: Open[] = [{ ports: this.query, steps: [] }];
    const applies = this.status === TierStatus.Applies;
    const paths: TierPath[] = [];
    // Admin tier: the ports it passes and those it does not match go on to NetworkPolicy alike.
    let open = start;
    if (applies) {
      const admin = this.tier(Tier.Admin, start);
      paths.push(...admin.decided);
      open = [...admin.passed, ...admin.unmatched];
    }
    // NetworkPolicy: decides everything it isolates, else evaluation goes on.
    const toBaseline: Open[] = [];
    for (const o of open) {
      if (!npIsolated) {
        const steps: TierStep[] = [...o.steps, { kind: 'network-policy', isolated: false }];
        const denied = intersectPorts(o.ports, npDenied);
        if (!isEmptyPorts(denied))
          paths.push({ ports: denied, steps, allowed: false, decidedBy: DecidedBy.NetworkPolicy });
        const rest = subtractPorts(o.ports, npDenied);
        if (!isEmptyPorts(rest)) toBaseline.push({ ports: rest, steps });
        continue;
      }
      const steps: TierStep[] = [...o.steps, { kind: 'network-policy', isolated: true }];
      const yes = intersectPorts(o.ports, npAllowed);
      const no = subtractPorts(o.ports, npAllowed);
      if (!isEmptyPorts(yes))
        paths.push({ ports: yes, steps, allowed: true, decidedBy: DecidedBy.NetworkPolicy });
      if (!isEmptyPorts(no))
        paths.push({ ports: no, steps, allowed: false, decidedBy: DecidedBy.NetworkPolicy });
    }
    // Baseline tier, then the default for what it passes or does not match.
    let toDefault = toBaseline;
    if (applies) {
      const baseline = this.tier(Tier.Baseline, toBaseline);
      paths.push(...baseline.decided);
      toDefault = [...baseline.passed, ...baseline.unmatched];
    }
    for (const o of toDefault) {
      paths.push({
        ports: o.ports,
        steps: [...o.steps, { kind: 'default' }],
        allowed: true,
        decidedBy: DecidedBy.Default,
      });
    }
    const allowed = paths.filter((p) => p.allowed).reduce((a, p) => unionPorts(a, p.ports), NO_PORTS);
    // Near misses when the side is all one way: the rules that would have decided the other way.
    const other = isEmptyPorts(allowed)
      ? TierAction.Allow
      : portsEqual(allowed, this.query)
        ? TierAction.Deny
        : undefined;
    return {
      status: this.status,
      paths,
      dnsRules: this.dnsRules(),
      nearMisses: applies && other !== undefined ? this.nearMisses(other, paths) : [],
    };
  }

  /**
   * Whether `rule` of `policy` was evaluated on the way of `path` before the step that decided it in its tier:
   * had it matched, it would have decided instead.
   */
  before(policy: CompiledTierPolicy, rule: CompiledTierRule, path: TierPath): boolean {
    const step = path.steps.find(
      (s) =>
        (s.kind === 'rule' && s.match.tier === policy.tier) ||
        (s.kind === 'no-match' && s.tier === policy.tier),
    );
    if (step === undefined) return false;
    if (step.kind !== 'rule') return true;
    const at = this.policies.find((p) => p.info.id === step.match.policy)!.rank;
    return at > policy.rank || (at === policy.rank && step.match.rule > rule.index);
  }

  /** Egress to an address: allow rules with `domainNames` peers covering some of the query. */
  dnsRules(): DnsRule[] {
    if (this.direction !== 'egress' || this.peer.kind !== 'address') return [];
    const out: DnsRule[] = [];
    for (const policy of this.policies) {
      for (const rule of policy.egress) {
        if (rule.action !== TierAction.Allow) continue;
        const domains = rule.peers.flatMap((p) => p.domains);
        const ports = intersectPorts(this.rulePorts(rule), this.query);
        if (domains.length === 0 || isEmptyPorts(ports)) continue;
        out.push({ ...citeTierRule(policy, rule), domains, ports });
      }
    }
    return out;
  }

  /**
   * The rules with `action` that were evaluated before the deciding step of some path and missed, nearest
   * first. For deny rules (the side allows everything asked), only those whose ports fit: a deny rule for
   * other ports says little about this connection.
   */
  nearMisses(action: TierAction, paths: readonly TierPath[]): TierNearMiss[] {
    const candidates: MissCandidate<TierRuleCitation>[] = [];
    for (const policy of this.policies) {
      for (const rule of this.rulesOf(policy)) {
        if (rule.action !== action || !paths.some((p) => this.before(policy, rule, p))) continue;
        const peer = this.peerReasons(policy, rule);
        const ports = this.portReasons(policy, rule);
        if (peer.length === 0 && ports.length === 0) continue;
        if (action === TierAction.Deny && ports.length > 0) continue;
        candidates.push({ rule: citeTierRule(policy, rule), peer, ports });
      }
    }
    return nearest(candidates);
  }

  /** Why no peer of the rule matches (the closest peer's reasons), or [] when one does. */
  peerReasons(policy: CompiledTierPolicy, rule: CompiledTierRule): MissReason[] {
    let best: MissReason[] | undefined;
    for (const p of rule.peers) {
      if (this.peerMatches(p)) return [];
      const path = peerFieldPath(rule.direction, rule.index, p.index);
      const reasons = this.peerMiss(policy, p.info, path);
      if (best === undefined || reasons.length < best.length) best = reasons;
    }
    return best ?? [];
  }

  peerMiss(policy: CompiledTierPolicy, info: TierPeerInfo, path: FieldPath): MissReason[] {
    const reason = (detail: MissDetail, sub: FieldPath = []): MissReason => ({
      ...detail,
      path: formatPath([...path, ...sub]),
      location: locate(policy, [...path, ...sub]),
    });
    const peer = this.peer;
    switch (info.kind) {
      case 'domainNames': {
        const address = { end: peer, podIp: peer.kind === 'pod' };
        return [reason({ code: 'dns-name', domains: info.domains, address }, ['domainNames'])];
      }
      case 'unknown':
        return [reason({ code: 'unknown-peer', fields: info.fields })];
      case 'networks':
      case 'nodes': {
        if (peer.kind === 'pod' && this.compiled.classes[peer.classId]!.addressClasses.length === 0) {
          return [reason({ code: 'pod-ip-unknown', peer }, [info.kind])];
        }
        if (info.kind === 'nodes') {
          const selector = compileSelector(info.nodeSelector);
          return [reason({ code: 'node-selector', peer, selector }, ['nodes'])];
        }
        const address = { end: peer, podIp: peer.kind === 'pod' };
        return [reason({ code: 'outside-cidr', address, cidr: info.cidrs.join(', ') }, ['networks'])];
      }
      case 'namespaces':
      case 'pods': {
        if (peer.kind === 'address') return [reason({ code: 'not-a-pod', peer })];
        const cls = this.compiled.classes[peer.classId]!;
        if (cls.hostNetworkPod) return [reason({ code: 'host-network', peer })];
        const out: MissReason[] = [];
        const nsSub = info.kind === 'namespaces' ? ['namespaces'] : ['pods', 'namespaceSelector'];
        const labels = namespaceLabelsOf(this.compiled.state, cls.namespace);
        for (const requirement of failedRequirements(compileSelector(info.namespaceSelector), labels)) {
          out.push(
            reason({ code: 'namespace-labels', namespace: cls.namespace, requirement, labels }, nsSub),
          );
        }
        if (info.kind === 'pods') {
          for (const requirement of failedRequirements(compileSelector(info.podSelector), cls.labels)) {
            out.push(
              reason({ code: 'pod-labels', peer, requirement, labels: cls.labels }, ['pods', 'podSelector']),
            );
          }
        }
        return out;
      }
    }
  }

  /** Why the rule's ports cover none of the query, or [] when they cover some. */
  portReasons(policy: CompiledTierPolicy, rule: CompiledTierRule): MissReason[] {
    const resolved = this.rulePorts(rule);
    if (!isEmptyPorts(intersectPorts(resolved, this.query))) return [];
    const field = policy.info.kind === 'ClusterNetworkPolicy' ? 'protocols' : 'ports';
    const path = ['spec', rule.direction, rule.index, field];
    const at = { path: formatPath(path), location: locate(policy, path) };
    const out: MissReason[] = [];
    // A named port stands for each protocol: it is a reason only when the destination defines it for none of
    // the protocols the query asks about (or is an address), reported once, with the first such protocol.
    const misses = new Map<string, MissReason | undefined>();
    for (const named of rule.ports.named) {
      if (isEmptyPorts(intersectPorts(this.query, portSetOf(named.protocol, ALL_PORTS)))) continue;
      const miss = namedPortMiss(named, this.dst, this.dstClass, at);
      if (!misses.has(named.name) || miss === undefined) misses.set(named.name, miss);
    }
    for (const miss of misses.values()) if (miss !== undefined) out.push(miss);
    if (!isEmptyPorts(resolved))
      out.push({ code: 'port-not-in-rule', query: this.query, rulePorts: resolved, ...at });
    return out;
  }
}
