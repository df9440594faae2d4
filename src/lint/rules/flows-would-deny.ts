import { accessToAddress, accessToPod, type CompiledPolicy, type Direction } from '../../engine/compile.ts';
import { formatPorts } from '../../describe/ports.ts';
import { portSetOf, portsContain, unionPorts, NO_PORTS, type PortSet } from '../../engine/ports.ts';
import { endLabel, resolveObserved, ruleMatches, type End } from '../checks/flows.ts';
import { listNames } from '../text.ts';
import { actionWord, decider, tierName, type TierRuleRef } from '../checks/tiers.ts';
import { Tier, TierAction } from '../../model/cluster.ts';
import { RuleCategory, defineRule, type RuleContext } from '../types.ts';

interface Denied {
  src: End;
  dst: End;
  direction: Direction;
  ports: PortSet;
  /** The cluster policy rule that denies it, when one decides before NetworkPolicies could. */
  tierRule: TierRuleRef | undefined;
}

/** The cluster policy rule that decides a denied connection, if a cluster policy (not NetworkPolicies) does. */
function denyingTierRule(
  ctx: RuleContext,
  direction: Direction,
  self: End,
  peer: End,
  protocol: 'TCP' | 'UDP' | 'SCTP',
  port: number,
): TierRuleRef | undefined {
  if (self.kind !== 'workload') return undefined;
  const target = peer.kind === 'address' ? { address: peer.address } : { pod: peer.classes[0]! };
  const by = decider(ctx.compiled, self.classes[0]!, direction, target, protocol, port);
  return by.kind === 'tier' && by.ref.rule.action === TierAction.Deny ? by.ref : undefined;
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
    description: 'Every connection observed in the flows is allowed by the policies',
    rationale:
      'A connection seen in the flow logs is one the application makes. If the policies deny it, applying them breaks that traffic (or, if they are already applied, it is being dropped right now: a probe, a scrape or a DNS lookup failing quietly). Checked per direction: the ingress policies of the destination and the egress policies of the source.',
    fix: 'Add a rule that allows the connection to a policy selecting the pods named in the message, or confirm that the connection should stop.',
    messages: {
      ingress:
        'Observed {{src}} → {{dst}} on {{ports}} would be denied: no ingress rule of the policies selecting {{dst}} ({{policies}}) allows it; add a rule for it, or make sure it should stop',
      egress:
        'Observed {{src}} → {{dst}} on {{ports}} would be denied: no egress rule of the policies selecting {{src}} ({{policies}}) allows it; add a rule for it, or make sure it should stop',
      tier: 'Observed {{src}} → {{dst}} on {{ports}} would be denied by this {{tier}} {{direction}} {{action}} rule, which decides before any NetworkPolicy; add an Accept rule for it before this one, or make sure it should stop',
      baseline:
        'Observed {{src}} → {{dst}} on {{ports}} would be denied by this {{tier}} {{direction}} {{action}} rule, which decides because no NetworkPolicy isolates {{self}} for {{direction}}; add an Accept rule for it before this one or a NetworkPolicy that allows it, or make sure it should stop',
    },
  },
  check(ctx) {
    const groups = new Map<string, Denied>();
    for (const { src, dst, observation } of resolveObserved(ctx)) {
      const { protocol, port } = observation;
      for (const direction of ['ingress', 'egress'] as const) {
        const self = direction === 'ingress' ? dst : src;
        const peer = direction === 'ingress' ? src : dst;
        if (allowedAt(ctx, direction, self, peer, protocol, port)) continue;
        const tierRule = denyingTierRule(ctx, direction, self, peer, protocol, port);
        const by = tierRule === undefined ? '' : `${tierRule.policy.index}/${tierRule.rule.index}`;
        const key = `${endKey(src)}\u0000${endKey(dst)}\u0000${direction}\u0000${by}`;
        const group = groups.get(key) ?? { src, dst, direction, ports: NO_PORTS, tierRule };
        group.ports = unionPorts(group.ports, portSetOf(protocol, [port, port]));
        groups.set(key, group);
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
          workloads: [g.src, g.dst].flatMap((e) => (e.kind === 'workload' ? [e.id] : [])).sort(),
        });
        continue;
      }
      const policies = [...new Set(self.classes.flatMap((id) => ctx.lookup.policiesOf(id, g.direction)))];
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
        workloads: [g.src, g.dst].flatMap((e) => (e.kind === 'workload' ? [e.id] : [])).sort(),
      });
    }
  },
});
