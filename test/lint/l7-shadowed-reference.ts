/**
 * The per-pair method of `no-cilium-l7-shadowed-by-l4` as it was before round 14, kept as the reference its
 * grouped method is compared with (test/lint/no-cilium-l7-shadowed-by-l4-property.test.ts): every (selected
 * pod, peer) pair of an L7 entry explained on its own. Test-only: its cost grows with the product of the
 * pod classes and the peers.
 */
import rule, { peersInWords } from '../../src/lint/rules/no-cilium-l7-shadowed-by-l4.ts';
import { ciliumRulePortsTowards } from '../../src/engine/cilium.ts';
import { explainConnection, type ExplainEnd } from '../../src/engine/explain.ts';
import { isEmptyPorts, NO_PORTS, portsEqual, unionPorts } from '../../src/engine/ports.ts';
import { l7Filters } from '../../src/engine/cilium-l7.ts';
import type { ClassEnd } from '../../src/engine/connectivity.ts';
import { formatPortList } from '../../src/describe/ports.ts';
import { formatPath, type FieldPath } from '../../src/model/problem.ts';
import { listNames } from '../../src/lint/text.ts';
import { defineRule } from '../../src/lint/types.ts';

export const referenceRule = defineRule({
  ...rule,
  check(ctx) {
    const { compiled } = ctx;
    const { cilium, classes } = compiled;
    for (const s of cilium.specs) {
      if (s.selected.length === 0) continue;
      const policy = cilium.policies[s.policy]!;
      for (const list of ['ingress', 'egress'] as const) {
        for (const rule of s[list]) {
          if (rule.l7.length === 0) continue;
          const peerEnds: ExplainEnd[] = [];
          const podIds = new Set<number>();
          for (const p of rule.peers) {
            if (p.everything) classes.forEach((c) => podIds.add(c.id));
            else if (!p.pods.all) p.pods.ids.forEach((id) => podIds.add(id));
            else classes.forEach((c) => podIds.add(c.id));
            const addresses = p.everything ? compiled.addressSpace.classes.map((_, a) => a) : p.addresses;
            for (const a of addresses)
              peerEnds.push({ kind: 'address', classId: a, name: `address class ${a}` });
          }
          for (const id of podIds) peerEnds.unshift({ kind: 'pod', classId: id, name: `class ${id}` });
          for (const entry of rule.l7) {
            const peers = new Set<string>();
            const addresses = new Set<number>();
            const by = new Set<string>();
            let ports = NO_PORTS;
            for (const subjectId of s.selected) {
              const subject: ExplainEnd = { kind: 'pod', classId: subjectId, name: `class ${subjectId}` };
              for (const peer of peerEnds) {
                const [src, dst] = list === 'ingress' ? [peer, subject] : [subject, peer];
                const dstClass = dst.kind === 'pod' ? classes[dst.classId] : undefined;
                const query = ciliumRulePortsTowards(entry.ports, dstClass);
                if (isEmptyPorts(query)) continue;
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
                  else addresses.add(peer.classId);
                }
              }
            }
            if (by.size === 0) continue;
            ctx.report({
              messageId: 'shadowed',
              data: {
                l7: entry.kind,
                direction: list,
                peers: peersInWords(compiled.addressSpace, peers, addresses),
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

function entryPathOf(specPath: FieldPath, list: string, rule: number, entry: number): string {
  return formatPath([...specPath, list, rule, 'toPorts', entry]);
}

function classEnd(end: ExplainEnd): ClassEnd {
  return end.kind === 'pod' ? { pod: end.classId } : { address: end.classId };
}
