import { portsTowardsClass, type CompiledPolicy, type Direction } from '../../engine/compile.ts';
import type { Entity } from '../../engine/connectivity.ts';
import { explainConnection } from '../../engine/explain.ts';
import type { CompiledTierPolicy } from '../../engine/tiers.ts';
import { formatPorts } from '../../describe/ports.ts';
import {
  intersectPorts,
  isEmptyPorts,
  portSetOf,
  subtractPorts,
  unionPorts,
  NO_PORTS,
  type PortSet,
} from '../../engine/ports.ts';
import { endLabel, explainEnds, resolveObserved, ruleMatches, type End } from '../checks/flows.ts';
import { listNames } from '../text.ts';
import { RuleCategory, defineRule, type RuleContext } from '../types.ts';
import { pairKey } from '../../base/text.ts';

interface Unused {
  /** A NetworkPolicy, or a cluster policy (its Accept/Allow rule decides the unobserved traffic). */
  policy: { kind: 'np'; policy: CompiledPolicy } | { kind: 'cluster'; policy: CompiledTierPolicy };
  direction: Direction;
  index: number;
  connections: string[];
  workloads: Set<string>;
}

function entityEnd(ctx: RuleContext, e: Entity): End | undefined {
  if (e.kind === 'external')
    return {
      kind: 'address',
      id: e.id,
      address: e.address.id,
      label: ctx.compiled.addressSpace.describe(e.address.id),
    };
  if (e.kind !== 'workload') return undefined;
  const classes = ctx.lookup.classesOfWorkload(e.id);
  return classes.length === 0 ? undefined : { kind: 'workload', id: e.id, classes };
}

export default defineRule({
  id: 'flows-never-observed',
  meta: {
    severity: 'warning',
    category: RuleCategory.Flows,
    requiresFlows: true,
    description: 'What the rules allow was observed in the flows',
    rationale:
      'A rule that allows connections nobody makes, or ports nobody uses, is wider than the application needs, and an attacker can use what it leaves open. Connections between pods that no policy isolates are left to the isolation rules; this rule looks at what allow rules grant. The flows cover a window of time, so a rule for a nightly job, a failover path or a rare admin task may look unused.',
    fix: 'Narrow the rule to the peers and ports observed (netfence generate can write such rules), or keep it and suppress the finding with a reason when the traffic is rare but needed.',
    messages: {
      unused:
        'This {{direction}} rule allows {{count}} on ports never observed in the flows ({{examples}}); narrow its peers or ports to what is used',
    },
  },
  check(ctx) {
    const observed = new Map<string, PortSet>();
    for (const { src, dst, observation } of resolveObserved(ctx)) {
      const key = pairKey(src.id, dst.id);
      observed.set(
        key,
        unionPorts(
          observed.get(key) ?? NO_PORTS,
          portSetOf(observation.protocol, [observation.port, observation.port]),
        ),
      );
    }
    const conn = ctx.connectivity();
    // With cluster policies, an allowed connection may be decided by an Admin or Baseline rule.
    const tiers = ctx.compiled.tierPolicies.length > 0;
    const clusterPolicyById = new Map(ctx.compiled.tierPolicies.map((p) => [p.info.id, p]));
    const policyById = new Map(ctx.compiled.policies.map((p) => [p.info.id, p]));
    const unused = new Map<string, Unused>();
    const attribute = (
      policy: Unused['policy'],
      direction: Direction,
      index: number,
      text: string,
      workload: string,
    ): void => {
      const key = `${policy.kind}${policy.policy.index}/${direction}/${index}`;
      const entry = unused.get(key) ?? {
        policy,
        direction,
        index,
        connections: [],
        workloads: new Set<string>(),
      };
      entry.connections.push(text);
      entry.workloads.add(workload);
      unused.set(key, entry);
    };
    for (const c of conn.connections) {
      const src = entityEnd(ctx, conn.byId.get(c.src)!);
      const dst = entityEnd(ctx, conn.byId.get(c.dst)!);
      if (src === undefined || dst === undefined) continue;
      const missing = subtractPorts(c.ports, observed.get(pairKey(src.id, dst.id)) ?? NO_PORTS);
      if (isEmptyPorts(missing)) continue;
      const text = `${endLabel(ctx, src)} → ${endLabel(ctx, dst)} ${formatPorts(missing)}`;
      if (tiers) {
        // Through the tiers: the rule that decides each part of it (as explain and check-flows name it), with
        // the part it decides.
        const hits = new Map<
          string,
          { policy: Unused['policy']; direction: Direction; index: number; ports: PortSet }
        >();
        const hit = (policy: Unused['policy'], direction: Direction, index: number, ports: PortSet): void => {
          const key = `${policy.kind}${policy.policy.index}/${direction}/${index}`;
          const h = hits.get(key);
          if (h === undefined) hits.set(key, { policy, direction, index, ports });
          else h.ports = unionPorts(h.ports, ports);
        };
        for (const s of explainEnds(src)) {
          for (const d of explainEnds(dst)) {
            for (const segment of explainConnection(ctx.compiled, s, d, missing).segments) {
              if (!segment.allowed) continue;
              for (const direction of ['ingress', 'egress'] as const) {
                const side = segment[direction];
                const rule = side.tierRule;
                if (rule !== undefined) {
                  const policy = clusterPolicyById.get(rule.policy)!;
                  hit({ kind: 'cluster', policy }, direction, rule.rule, segment.ports);
                }
                for (const r of side.rules) {
                  hit({ kind: 'np', policy: policyById.get(r.policy)! }, direction, r.rule, segment.ports);
                }
              }
            }
          }
        }
        for (const h of hits.values()) {
          const self = h.direction === 'ingress' ? dst : src;
          const part = `${endLabel(ctx, src)} → ${endLabel(ctx, dst)} ${formatPorts(h.ports)}`;
          attribute(h.policy, h.direction, h.index, part, self.id);
        }
        continue;
      }
      for (const direction of ['ingress', 'egress'] as const) {
        const self = direction === 'ingress' ? dst : src;
        const peer = direction === 'ingress' ? src : dst;
        if (self.kind !== 'workload') continue;
        const table = direction === 'ingress' ? ctx.compiled.ingress : ctx.compiled.egress;
        for (const id of self.classes) {
          if (!table[id]!.isolated) continue;
          for (const policy of ctx.lookup.policiesOf(id, direction)) {
            for (const rule of direction === 'ingress' ? policy.ingress : policy.egress) {
              if (!ruleMatches(ctx, rule, peer)) continue;
              const towards =
                direction === 'ingress'
                  ? ctx.compiled.classes[id]!
                  : peer.kind === 'workload'
                    ? ctx.compiled.classes[peer.classes[0]!]!
                    : undefined;
              const ports =
                towards === undefined ? rule.ports.numeric : portsTowardsClass(rule.ports, towards);
              if (isEmptyPorts(intersectPorts(ports, missing))) continue;
              attribute({ kind: 'np', policy }, direction, rule.index, text, self.id);
            }
          }
        }
      }
    }
    const order = (u: Unused): number => (u.policy.kind === 'np' ? 0 : 1);
    for (const u of [...unused.values()].sort(
      (a, b) =>
        order(a) - order(b) ||
        a.policy.policy.index - b.policy.policy.index ||
        (a.direction < b.direction ? -1 : a.direction > b.direction ? 1 : 0) ||
        a.index - b.index,
    )) {
      // One text per connection (an allowed source–destination pair, as analyze counts them) with the ports
      // never observed on it: the count is of connections, the examples say which ports.
      const connections = [...new Set(u.connections)];
      ctx.report({
        messageId: 'unused',
        data: {
          direction: u.direction,
          count: connections.length === 1 ? '1 connection' : `${connections.length} connections`,
          examples: listNames(connections, 2),
        },
        subject:
          u.policy.kind === 'np' ? { policy: u.policy.policy.info } : { clusterPolicy: u.policy.policy.info },
        path: ['spec', u.direction, u.index],
        workloads: [...u.workloads].sort(),
      });
    }
  },
});
