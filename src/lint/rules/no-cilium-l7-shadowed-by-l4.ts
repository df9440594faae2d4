import { ciliumRulePortsTowards } from '../../engine/cilium.ts';
import { explainConnection, type ExplainEnd } from '../../engine/explain.ts';
import { isEmptyPorts, NO_PORTS, portsEqual, unionPorts } from '../../engine/ports.ts';
import { l7Filters } from '../../engine/cilium-l7.ts';
import type { ClassEnd } from '../../engine/connectivity.ts';
import { formatPortList } from '../../describe/ports.ts';
import { formatCidr } from '../../base/ip.ts';
import { formatPath, type FieldPath } from '../../model/problem.ts';
import { listNames } from '../text.ts';
import { RuleCategory, defineRule } from '../types.ts';

export default defineRule({
  id: 'no-cilium-l7-shadowed-by-l4',
  meta: {
    severity: 'warning',
    category: RuleCategory.DeadCode,
    description:
      'No Cilium L7 rule (http, kafka, dns) is cancelled by an L4 allow of the same peer and port for the same pods',
    rationale:
      'Cilium filters a connection at L7 only when every allow of that side carries L7 rules. An allow without L7 rules of the same peer and port (a NetworkPolicy rule, or a Cilium rule without rules:) makes the proxy let everything through: "If a layer 4 rule is specified in the policy, and a similar layer 4 rule with layer 7 rules is also specified, then the layer 7 portions of the latter rule will have no effect" (Cilium docs, Layer 7 Examples). The policy reads as "GET only" and every request passes.',
    fix: 'Narrow or remove the L4 allow (its peer or its ports) so that it does not cover the L7 rule’s peer and port, or add the same L7 rules to it.',
    messages: {
      shadowed:
        'The L7 ({{l7}}) rules of this {{direction}} entry have no effect for {{peers}} on {{ports}}: {{by}} {{allow}} the same peer and port at L4 alone, so Cilium does not filter it at L7; narrow that allow, or give it the same L7 rules',
    },
  },
  check(ctx) {
    const { compiled } = ctx;
    const { cilium, classes } = compiled;
    for (const s of cilium.specs) {
      if (s.selected.length === 0) continue;
      const policy = cilium.policies[s.policy]!;
      for (const list of ['ingress', 'egress'] as const) {
        for (const rule of s[list]) {
          if (rule.l7.length === 0) continue;
          // The peers the rule matches: pod classes (every one for a wildcard peer) and address classes.
          const peerEnds: ExplainEnd[] = [];
          const podIds = new Set<number>();
          for (const p of rule.peers) {
            if (p.everything) classes.forEach((c) => podIds.add(c.id));
            else if (!p.pods.all) p.pods.ids.forEach((id) => podIds.add(id));
            else classes.forEach((c) => podIds.add(c.id));
            for (const a of p.addresses)
              peerEnds.push({ kind: 'address', classId: a, name: `address class ${a}` });
          }
          for (const id of podIds) peerEnds.unshift({ kind: 'pod', classId: id, name: `class ${id}` });
          for (const entry of rule.l7) {
            const peers = new Set<string>();
            const by = new Set<string>();
            let ports = NO_PORTS;
            for (const subjectId of s.selected) {
              const subject: ExplainEnd = { kind: 'pod', classId: subjectId, name: `class ${subjectId}` };
              for (const peer of peerEnds) {
                const [src, dst] = list === 'ingress' ? [peer, subject] : [subject, peer];
                const dstClass = dst.kind === 'pod' ? classes[dst.classId] : undefined;
                const query = ciliumRulePortsTowards(entry.ports, dstClass);
                if (isEmptyPorts(query)) continue;
                // Cheap first: the entry filters all of its ports for this pair (nothing cancels it).
                const ends = [classEnd(src), classEnd(dst)] as const;
                const full = l7Filters(compiled, ends[0], ends[1], query).some(
                  (f) =>
                    f.spec === s.index &&
                    f.list === list &&
                    f.rule === rule.index &&
                    f.entry === entry.index &&
                    portsEqual(f.ports, query),
                );
                if (full) continue;
                const side = explainConnection(compiled, src, dst, query)[list].cilium;
                for (const sh of side?.shadowedL7 ?? []) {
                  if (
                    sh.policy !== policy.id ||
                    sh.entryPath !== entryPathOf(s.info.path, list, rule.index, entry.index)
                  )
                    continue;
                  ports = unionPorts(ports, sh.ports);
                  for (const b of sh.by) by.add(`${b.policy} ${b.path}`);
                  if (peer.kind === 'pod')
                    for (const w of ctx.lookup.workloadsOfClass(peer.classId)) peers.add(ctx.lookup.name(w));
                  else {
                    const cover = compiled.addressSpace.classes[peer.classId]?.cover ?? [];
                    peers.add(cover.length === 0 ? 'an outside address' : cover.map(formatCidr).join(', '));
                  }
                }
              }
            }
            if (by.size === 0) continue;
            ctx.report({
              messageId: 'shadowed',
              data: {
                l7: entry.kind,
                direction: list,
                peers: listNames([...peers].sort()),
                ports: formatPortList(ports),
                by: listNames([...by].sort()),
                allow: by.size === 1 ? 'allows' : 'allow',
              },
              subject: { ciliumPolicy: policy },
              path: [...s.info.path, list, rule.index, 'toPorts', entry.index],
              workloads: ctx.lookup.workloadsOfClasses(s.selected),
            });
          }
        }
      }
    }
  },
});

/** `spec.ingress[0].toPorts[1]`, as explain writes it. */
function entryPathOf(specPath: FieldPath, list: string, rule: number, entry: number): string {
  return formatPath([...specPath, list, rule, 'toPorts', entry]);
}

function classEnd(end: ExplainEnd): ClassEnd {
  return end.kind === 'pod' ? { pod: end.classId } : { address: end.classId };
}
