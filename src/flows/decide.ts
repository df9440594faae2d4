/**
 * Which layer decided an observed connection, per direction: a cluster policy rule (Admin or Baseline
 * tier), the NetworkPolicies isolating the pod, or nothing (the Kubernetes default, allowed).
 *
 * Reads the engine's explanation (`explainConnection`, the same walk `explain` shows) once per distinct
 * (source class, destination class or address class, protocol, port) and caches it: a capture of a million
 * records costs one walk per distinct connection of pod classes, not one per record. Pure.
 */
import type { CompiledCluster, Direction } from '../engine/compile.ts';
import { explainConnection, type ExplainEnd, type RuleCitation } from '../engine/explain.ts';
import { DecidedBy, type DnsRule, type TierRuleCitation } from '../engine/explain-tiers.ts';
import type { CiliumRuleCitation } from '../engine/explain-cilium.ts';
import { portSetOf } from '../engine/ports.ts';
import type { Protocol } from '../model/k8s.ts';
import { classesByWorkload } from './check.ts';
import type { FlowEnd, ObservedConnection } from './types.ts';

/** What decided one side (the source's egress, the destination's ingress) of an observed connection. */
export interface SideDecision {
  direction: Direction;
  allowed: boolean;
  decidedBy: DecidedBy;
  /** Admin or Baseline: the cluster policy rule that decided. */
  tierRule: TierRuleCitation | undefined;
  /** Equal-priority cluster policy rules matching it with another action: the API leaves the outcome undefined. */
  undefinedWith: TierRuleCitation[];
  /** NetworkPolicy, allowed: the rules that allow it. */
  rules: RuleCitation[];
  /**
   * The NetworkPolicy layer with Cilium policies: the Cilium deny rules that deny it (denied), or the Cilium
   * allow rules that allow it (allowed, none denying).
   */
  cilium: CiliumRuleCitation[];
  /**
   * NetworkPolicy layer: the policies isolating the pod in this direction (`namespace/name`), then the Cilium
   * policies whose rule sets put it in default deny (`CiliumNetworkPolicy/namespace/name`).
   */
  isolatedBy: string[];
  /**
   * Egress to an address: cluster policy allow rules by DNS name (`domainNames`) covering the port, which may
   * allow it if the address is what one of their names resolves to (only known at run time).
   */
  byDnsName: DnsRule[];
  /**
   * Why nothing applies to this side, when nothing does: an address outside the cluster, a node's address, a
   * host-network pod.
   */
  outside: 'outside-cluster' | 'node-address' | 'host-network' | undefined;
}

/** Both sides; a workload whose pods fall in several classes can have several distinct decisions per side. */
export interface FlowDecision {
  egress: SideDecision[];
  ingress: SideDecision[];
}

function sideKey(d: SideDecision): string {
  const rule = d.tierRule === undefined ? '' : `${d.tierRule.policy}#${d.tierRule.rule}`;
  const np = [...d.rules, ...d.cilium].map((r) => `${r.policy}#${r.path}`).join(',');
  const dns = d.byDnsName.map((r) => `${r.policy}#${r.rule}`).join(',');
  return `${d.allowed}|${d.decidedBy}|${rule}|${np}|${d.isolatedBy.join(',')}|${dns}|${d.outside ?? ''}`;
}

/**
 * Attributes observed connections to the layer that decides each side, with a cache per distinct
 * (source class, destination class or address class, protocol, port).
 */
export class FlowAttributor {
  readonly compiled: CompiledCluster;
  private readonly classesOf: Map<string, number[]>;
  private readonly cache = new Map<string, { egress: SideDecision; ingress: SideDecision }>();
  /** Walks computed so far (one per distinct key): what the cache saves is visible in tests. */
  evaluations = 0;

  constructor(compiled: CompiledCluster, classesOf?: Map<string, number[]>) {
    this.compiled = compiled;
    this.classesOf = classesOf ?? classesByWorkload(compiled);
  }

  /** The classes (as explain ends) of an observed end: the workload's pod classes, or the IP's address class. */
  ends(end: FlowEnd): ExplainEnd[] {
    if (end.kind === 'workload') {
      return (this.classesOf.get(end.id) ?? []).map((classId) => ({ kind: 'pod', classId, name: end.id }));
    }
    const classId = this.compiled.addressSpace.classOfIp(end.ip);
    return classId === undefined ? [] : [{ kind: 'address', classId, name: end.ip }];
  }

  /** The decision for one pair of classes on one port (cached). */
  pair(
    src: ExplainEnd,
    dst: ExplainEnd,
    protocol: Protocol,
    port: number,
  ): { egress: SideDecision; ingress: SideDecision } {
    const key = `${src.kind[0]!}${src.classId}|${dst.kind[0]!}${dst.classId}|${protocol}|${port}`;
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit;
    this.evaluations++;
    const x = explainConnection(this.compiled, src, dst, portSetOf(protocol, [port, port]));
    // One port asked: one segment.
    const segment = x.segments[0]!;
    const side = (direction: Direction): SideDecision => {
      const s = segment[direction];
      const explained = x[direction];
      return {
        direction,
        allowed: s.allowed,
        decidedBy: s.decidedBy,
        tierRule: s.tierRule,
        undefinedWith: s.undefinedWith,
        rules: s.decidedBy === DecidedBy.NetworkPolicy ? s.rules : [],
        cilium: s.decidedBy === DecidedBy.NetworkPolicy ? s.cilium : [],
        isolatedBy:
          s.decidedBy === DecidedBy.NetworkPolicy
            ? [
                ...new Set([
                  ...explained.isolatedBy.map((p) => p.policy),
                  ...(explained.cilium?.isolatedBy ?? []).map((c) => c.policy),
                ]),
              ]
            : [],
        byDnsName: explained.tiers.dnsRules,
        outside:
          explained.status === 'outside-cluster' ||
          explained.status === 'node-address' ||
          explained.status === 'host-network'
            ? explained.status
            : undefined,
      };
    };
    const out = { egress: side('egress'), ingress: side('ingress') };
    this.cache.set(key, out);
    return out;
  }

  /** Both sides of an observed connection, over every pair of classes of its ends (distinct decisions). */
  decide(conn: ObservedConnection): FlowDecision {
    const egress = new Map<string, SideDecision>();
    const ingress = new Map<string, SideDecision>();
    for (const s of this.ends(conn.src)) {
      for (const d of this.ends(conn.dst)) {
        const p = this.pair(s, d, conn.protocol, conn.port);
        egress.set(sideKey(p.egress), p.egress);
        ingress.set(sideKey(p.ingress), p.ingress);
      }
    }
    return { egress: [...egress.values()], ingress: [...ingress.values()] };
  }
}

/** The decisions for every allowed and denied connection of a check (unpoliced ones have none). */
export function decideObserved(
  compiled: CompiledCluster,
  connections: readonly ObservedConnection[],
): Map<ObservedConnection, FlowDecision> {
  const attributor = new FlowAttributor(compiled);
  return new Map(connections.map((c) => [c, attributor.decide(c)]));
}
