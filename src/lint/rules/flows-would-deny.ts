import { accessToAddress, accessToPod, type CompiledPolicy, type Direction } from '../../engine/compile.ts';
import { formatPorts } from '../../describe/ports.ts';
import { portSetOf, portsContain, unionPorts, NO_PORTS, type PortSet } from '../../engine/ports.ts';
import {
  endLabel,
  endWorkloads,
  explainEnds,
  resolveObserved,
  ruleMatches,
  type End,
} from '../checks/flows.ts';
import { listNames } from '../text.ts';
import { actionWord, decider, tierName, type TierRuleRef } from '../checks/tiers.ts';
import { Tier, TierAction } from '../../model/cluster.ts';
import { explainConnection, type ExplainEnd, type Explanation } from '../../engine/explain.ts';
import { CiliumList } from '../../engine/cilium.ts';
import { DecidedBy } from '../../engine/explain-tiers.ts';
import type { CiliumRuleCitation, CiliumSpecCitation } from '../../engine/explain-cilium.ts';
import type { CiliumPolicyInfo, CiliumSpecInfo } from '../../model/cilium.ts';
import { formatPath } from '../../model/problem.ts';
import { RuleCategory, defineRule, type RuleContext } from '../types.ts';

interface Denied {
  src: End;
  dst: End;
  direction: Direction;
  ports: PortSet;
  /** The classes of the workload at this side that this cause denies the flows of (NetworkPolicies: whose). */
  classes: Set<number>;
  /** The cluster policy rule that denies it, when one decides before NetworkPolicies could. */
  tierRule: TierRuleRef | undefined;
  /** The Cilium rules or rule sets that deny it, when no cluster policy rule does and Cilium's layer decides. */
  cilium: CiliumDenial | undefined;
}

/** What denies one flow for one pod class at this side (and one of the peer's): its rule, or NetworkPolicies. */
interface Cause {
  self: number;
  tierRule: TierRuleRef | undefined;
  cilium: CiliumDenial | undefined;
}

/**
 * What denies a connection in Cilium's policies, as the engine explains it (`explainConnection`, the walk
 * `explain` and `check-flows` show): deny rules matching it (they win over every allow), or the rule sets
 * selecting the pod that put it in default deny with no allow rule (Cilium's nor a NetworkPolicy's) for it.
 */
type CiliumDenial =
  | { kind: 'deny'; rules: CiliumRuleCitation[] }
  | { kind: 'default'; specs: CiliumSpecCitation[]; blamed: CiliumSpecCitation };

/** The explanation of one pair of class ends on one port, cached for the rule's run. */
type Explain = (
  src: ExplainEnd,
  dst: ExplainEnd,
  protocol: 'TCP' | 'UDP' | 'SCTP',
  port: number,
) => Explanation;

function explainer(ctx: RuleContext): Explain {
  const cache = new Map<string, Explanation>();
  return (src, dst, protocol, port) => {
    const key = `${src.kind[0]!}${src.classId}|${dst.kind[0]!}${dst.classId}|${protocol}|${port}`;
    let x = cache.get(key);
    if (x === undefined) {
      x = explainConnection(ctx.compiled, src, dst, portSetOf(protocol, [port, port]));
      cache.set(key, x);
    }
    return x;
  };
}

/**
 * The Cilium rules that deny a connection the policies deny between the class ends `src` and `dst`, or the
 * Cilium rule sets whose default deny does when no NetworkPolicy isolates the pod class `self` (a
 * NetworkPolicy that isolates it is blamed as without Cilium).
 */
function ciliumDenial(
  ctx: RuleContext,
  explain: Explain,
  direction: Direction,
  ends: { src: ExplainEnd; dst: ExplainEnd; self: number },
  protocol: 'TCP' | 'UDP' | 'SCTP',
  port: number,
): CiliumDenial | undefined {
  if (ctx.compiled.cilium.specs.length === 0) return undefined;
  const x = explain(ends.src, ends.dst, protocol, port);
  // One port asked: one segment. Its Cilium rules, when denied: the deny rules that decide.
  const segment = x.segments[0]![direction];
  if (segment.allowed || segment.decidedBy !== DecidedBy.NetworkPolicy) return undefined;
  if (segment.cilium.length > 0) return { kind: 'deny', rules: segment.cilium };
  const specs = x[direction].cilium?.isolatedBy ?? [];
  if (specs.length === 0 || ctx.lookup.policiesOf(ends.self, direction).length > 0) return undefined;
  // The rule set to fix: the one of the nearest allow rule that misses the connection, else the first.
  const cites = (s: CiliumSpecCitation, m: CiliumSpecCitation): boolean =>
    s.policy === m.policy && s.spec === m.spec;
  const near = x[direction].cilium?.nearMisses.find((m) => specs.some((s) => cites(s, m)));
  const blamed = near === undefined ? undefined : specs.find((s) => cites(s, near));
  return { kind: 'default', specs, blamed: blamed ?? specs[0]! };
}

function ciliumKey(c: CiliumDenial | undefined): string {
  if (c === undefined) return '';
  return c.kind === 'deny'
    ? `deny:${c.rules.map((r) => `${r.policy} ${r.path}`).join(',')}`
    : `default:${c.specs.map((s) => `${s.policy} ${s.spec}`).join(',')}`;
}

/** The policy and the rule set a citation names. */
function citedSpec(
  ctx: RuleContext,
  c: CiliumSpecCitation,
): { policy: CiliumPolicyInfo; spec: CiliumSpecInfo } {
  const { policies, specs } = ctx.compiled.cilium;
  const s = specs.find((x) => policies[x.policy]!.id === c.policy && formatPath(x.info.path) === c.spec)!;
  return { policy: policies[s.policy]!, spec: s.info };
}

/** The cluster policy rule that decides a denied connection, if a cluster policy (not NetworkPolicies) does. */
function denyingTierRule(
  ctx: RuleContext,
  direction: Direction,
  self: number,
  peer: ExplainEnd,
  protocol: 'TCP' | 'UDP' | 'SCTP',
  port: number,
): TierRuleRef | undefined {
  const target = peer.kind === 'address' ? { address: peer.classId } : { pod: peer.classId };
  const by = decider(ctx.compiled, self, direction, target, protocol, port);
  return by.kind === 'tier' && by.ref.rule.action === TierAction.Deny ? by.ref : undefined;
}

/** The pod classes of an end a flow stands for: the pod's the flow names by IP, else every class. */
function flowEnds(end: End): ExplainEnd[] {
  const all = explainEnds(end);
  if (end.kind !== 'workload' || end.podClass === undefined) return all;
  return all.filter((e) => e.classId === end.podClass);
}

/**
 * What denies a flow denied for every pair of pod classes (`allowedAt`), pair by pair: a workload whose pod
 * classes are denied by different rules gets each of them named, not its first class's alone. One cause
 * per distinct rule, in class order.
 */
function causes(
  ctx: RuleContext,
  explain: Explain,
  direction: Direction,
  ends: { src: End; dst: End },
  protocol: 'TCP' | 'UDP' | 'SCTP',
  port: number,
): Cause[] {
  const out: Cause[] = [];
  for (const src of flowEnds(ends.src)) {
    for (const dst of flowEnds(ends.dst)) {
      const [self, peer] = direction === 'ingress' ? [dst, src] : [src, dst];
      const tierRule = denyingTierRule(ctx, direction, self.classId, peer, protocol, port);
      const cilium =
        tierRule === undefined
          ? ciliumDenial(ctx, explain, direction, { src, dst, self: self.classId }, protocol, port)
          : undefined;
      out.push({ self: self.classId, tierRule, cilium });
    }
  }
  return out;
}

function causeKey(c: Cause): string {
  return c.tierRule === undefined
    ? ciliumKey(c.cilium)
    : `${c.tierRule.policy.index}/${c.tierRule.rule.index}`;
}

/** Addresses are grouped by the IP observed, not by address class, so that the message names it. */
function endKey(end: End): string {
  return end.kind === 'workload' ? end.id : `ip:${end.label}`;
}

/** Whether `direction` at `self` lets the connection through, for every pod class involved. */
function allowedAt(
  ctx: RuleContext,
  direction: Direction,
  self: End,
  peer: End,
  protocol: 'TCP' | 'UDP' | 'SCTP',
  port: number,
): boolean {
  if (self.kind !== 'workload') return true;
  const { classes } = ctx.compiled;
  const table = direction === 'ingress' ? ctx.compiled.ingress : ctx.compiled.egress;
  // Denied only when it is denied for every pair of pod classes: never report a connection some pods may make.
  return self.classes.some((s) => {
    const access = table[s]!;
    if (peer.kind === 'address') return portsContain(accessToAddress(access, peer.address), protocol, port);
    return peer.classes.some((p) => portsContain(accessToPod(access, classes[p]!), protocol, port));
  });
}

export default defineRule({
  id: 'flows-would-deny',
  meta: {
    severity: 'error',
    category: RuleCategory.Flows,
    requiresFlows: true,
    description: 'All traffic observed in the flows is allowed by the policies',
    rationale:
      'Traffic seen in the flow logs is traffic the application makes. If the policies deny it, applying them breaks that traffic (or, if they are already applied, it is being dropped right now: a probe, a scrape or a DNS lookup failing quietly). Checked per direction: the ingress policies of the destination and the egress policies of the source.',
    fix: 'Add a rule that allows it to a policy selecting the pods named in the message, or confirm that the traffic should stop.',
    messages: {
      ingress:
        'Observed {{src}} → {{dst}} on {{ports}} would be denied: no ingress rule of the policies selecting {{dst}} ({{policies}}) allows it; add a rule for it, or make sure it should stop',
      egress:
        'Observed {{src}} → {{dst}} on {{ports}} would be denied: no egress rule of the policies selecting {{src}} ({{policies}}) allows it; add a rule for it, or make sure it should stop',
      tier: 'Observed {{src}} → {{dst}} on {{ports}} would be denied by this {{tier}} {{direction}} {{action}} rule, which decides before any NetworkPolicy; add an Accept rule for it before this one, or make sure it should stop',
      baseline:
        'Observed {{src}} → {{dst}} on {{ports}} would be denied by this {{tier}} {{direction}} {{action}} rule, which decides because no NetworkPolicy isolates {{self}} for {{direction}}; add an Accept rule for it before this one or a NetworkPolicy that allows it, or make sure it should stop',
      ciliumDeny:
        'Observed {{src}} → {{dst}} on {{ports}} would be denied by {{rules}} (a Cilium deny rule wins over every allow); narrow the deny rule, or make sure it should stop',
      ciliumDefault:
        'Observed {{src}} → {{dst}} on {{ports}} would be denied: no {{direction}} rule of the Cilium policies selecting {{self}} ({{policies}}) allows it; add a rule for it, or make sure it should stop',
    },
  },
  check(ctx) {
    const groups = new Map<string, Denied>();
    const explain = explainer(ctx);
    for (const { src, dst, observation } of resolveObserved(ctx)) {
      const { protocol, port } = observation;
      for (const direction of ['ingress', 'egress'] as const) {
        const self = direction === 'ingress' ? dst : src;
        const peer = direction === 'ingress' ? src : dst;
        if (self.kind !== 'workload' || allowedAt(ctx, direction, self, peer, protocol, port)) continue;
        for (const cause of causes(ctx, explain, direction, { src, dst }, protocol, port)) {
          const key = `${endKey(src)}\u0000${endKey(dst)}\u0000${direction}\u0000${causeKey(cause)}`;
          const { tierRule, cilium } = cause;
          let group = groups.get(key);
          if (group === undefined) {
            group = { src, dst, direction, ports: NO_PORTS, classes: new Set(), tierRule, cilium };
            groups.set(key, group);
          }
          group.ports = unionPorts(group.ports, portSetOf(protocol, [port, port]));
          group.classes.add(cause.self);
        }
      }
    }
    for (const g of groups.values()) {
      const self = g.direction === 'ingress' ? g.dst : g.src;
      const peer = g.direction === 'ingress' ? g.src : g.dst;
      if (self.kind !== 'workload') continue;
      if (g.tierRule !== undefined) {
        const info = g.tierRule.policy.info;
        ctx.report({
          messageId: info.tier === Tier.Admin ? 'tier' : 'baseline',
          data: {
            src: endLabel(ctx, g.src),
            dst: endLabel(ctx, g.dst),
            self: endLabel(ctx, self),
            ports: formatPorts(g.ports),
            tier: tierName(info.tier),
            direction: g.direction,
            action: actionWord(info, g.tierRule.rule.action),
          },
          subject: { clusterPolicy: info },
          path: ['spec', g.direction, g.tierRule.rule.index],
          workloads: endWorkloads([g.src, g.dst]),
        });
        continue;
      }
      if (g.cilium !== undefined) {
        const data = { src: endLabel(ctx, g.src), dst: endLabel(ctx, g.dst), ports: formatPorts(g.ports) };
        const workloads = endWorkloads([g.src, g.dst]);
        if (g.cilium.kind === 'deny') {
          const first = g.cilium.rules[0]!;
          const { policy, spec } = citedSpec(ctx, first);
          ctx.report({
            messageId: 'ciliumDeny',
            data: { ...data, rules: listNames(g.cilium.rules.map((r) => `${r.policy} ${r.path}`)) },
            subject: { ciliumPolicy: policy },
            path: [...spec.path, first.list, first.rule],
            workloads,
          });
        } else {
          const { policy, spec } = citedSpec(ctx, g.cilium.blamed);
          const allow = g.direction === 'ingress' ? CiliumList.Ingress : CiliumList.Egress;
          const deny = g.direction === 'ingress' ? CiliumList.IngressDeny : CiliumList.EgressDeny;
          ctx.report({
            messageId: 'ciliumDefault',
            data: {
              ...data,
              self: endLabel(ctx, self),
              direction: g.direction,
              policies: listNames([...new Set(g.cilium.specs.map((s) => s.policy))]),
            },
            subject: { ciliumPolicy: policy },
            path: [...spec.path, spec[allow].length > 0 ? allow : deny],
            workloads,
          });
        }
        continue;
      }
      const policies = [
        ...new Set(
          [...g.classes].sort((a, b) => a - b).flatMap((id) => ctx.lookup.policiesOf(id, g.direction)),
        ),
      ];
      // The policy to fix: one whose rules already name the peer, else the most specific one.
      // Denied while no NetworkPolicy isolates and no cluster policy rule decides: cannot happen, but never blame nobody.
      if (policies.length === 0) continue;
      const blamed: CompiledPolicy =
        policies.find((p) =>
          (g.direction === 'ingress' ? p.ingress : p.egress).some((r) => ruleMatches(ctx, r, peer)),
        ) ??
        policies.find((p) => !p.selector.matchesAll) ??
        policies[0]!;
      const rules = g.direction === 'ingress' ? blamed.info.spec.ingress : blamed.info.spec.egress;
      ctx.report({
        messageId: g.direction,
        data: {
          src: endLabel(ctx, g.src),
          dst: endLabel(ctx, g.dst),
          ports: formatPorts(g.ports),
          policies: listNames(policies.map((p) => p.info.id)),
        },
        subject: { policy: blamed.info },
        path: rules !== undefined ? ['spec', g.direction] : ['spec', 'policyTypes'],
        workloads: endWorkloads([g.src, g.dst]),
      });
    }
  },
});
