import {
  ciliumRuleFor,
  ciliumRulePortsTowards,
  type CompiledCiliumPeer,
  type CompiledCiliumRule,
} from '../../engine/cilium.ts';
import { type CompiledCluster, type CompiledPeer, type CompiledRule } from '../../engine/compile.ts';
import type { PodClass } from '../../engine/classes.ts';
import { sortedIncludes } from '../../base/sorted.ts';
import { explainConnection, type ExplainEnd } from '../../engine/explain.ts';
import { isEmptyPorts, NO_PORTS, portsEqual, unionPorts } from '../../engine/ports.ts';
import { l7Filters } from '../../engine/cilium-l7.ts';
import type { ClassEnd } from '../../engine/connectivity.ts';
import { formatPortList } from '../../describe/ports.ts';
import { describeAddressUnion } from '../../describe/addresses.ts';
import type { AddressSpace } from '../../engine/addresses.ts';
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
    const sides = new Map<string, SubjectSide>();
    const sideOf = (subject: number, list: CiliumAllowList): SubjectSide => {
      const key = `${list} ${subject}`;
      let side = sides.get(key);
      if (side === undefined) sides.set(key, (side = new SubjectSide(compiled, subject, list)));
      return side;
    };
    for (const s of cilium.specs) {
      if (s.selected.length === 0) continue;
      const policy = cilium.policies[s.policy]!;
      for (const list of ['ingress', 'egress'] as const) {
        for (const rule of s[list]) {
          if (rule.l7.length === 0) continue;
          const peerEnds = peerEndsOf(compiled, rule);
          // Per selected pod, its peers in groups that every L7 entry of the rule reads alike (`signature`); a
          // single peer is a group of its own.
          const groups = s.selected.map((subjectId) => ({
            subjectId,
            groups: peerEnds.length <= 1 ? [peerEnds] : sideOf(subjectId, list).group(peerEnds),
          }));
          for (const entry of rule.l7) {
            const entryPath = entryPathOf(s.info.path, list, rule.index, entry.index);
            const shadowedPods = new Set<number>();
            const shadowedAddresses = new Set<number>();
            const by = new Set<string>();
            let ports = NO_PORTS;
            for (const { subjectId, groups: peerGroups } of groups) {
              const subject: ExplainEnd = { kind: 'pod', classId: subjectId, name: `class ${subjectId}` };
              for (const members of peerGroups) {
                const peer = members[0];
                if (peer === undefined) continue;
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
                let hit = false;
                for (const sh of side?.shadowedL7 ?? []) {
                  if (sh.policy !== policy.id || sh.entryPath !== entryPath) continue;
                  hit = true;
                  ports = unionPorts(ports, sh.ports);
                  for (const b of sh.by) by.add(`${b.policy} ${b.path}`);
                }
                if (!hit) continue;
                for (const m of members) (m.kind === 'pod' ? shadowedPods : shadowedAddresses).add(m.classId);
              }
            }
            if (by.size === 0) continue;
            const peers = new Set<string>();
            for (const id of shadowedPods)
              for (const w of ctx.lookup.workloadsOfClass(id)) peers.add(ctx.lookup.name(w));

            ctx.report({
              messageId: 'shadowed',
              data: {
                l7: entry.kind,
                direction: list,
                peers: peersInWords(compiled.addressSpace, peers, shadowedAddresses),
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

type CiliumAllowList = 'ingress' | 'egress';

/**
 * A finding's peers in words: the workloads (three, then how many more), then the shadowed address classes as
 * one peer, never cut: the fewest CIDRs covering them, or `any address` (`any address except …`) for a peer of
 * every identity, where a list of each class's CIDRs would run to dozens.
 */
export function peersInWords(
  space: AddressSpace,
  workloads: ReadonlySet<string>,
  addresses: ReadonlySet<number>,
): string {
  const names = [...workloads].sort();
  if (addresses.size === 0) return listNames(names);
  const union = describeAddressUnion(
    space,
    [...addresses].sort((a, b) => a - b),
  );
  if (names.length <= 3) return listNames([...names, union], names.length + 1);
  return `${names.slice(0, 3).join(', ')}, ${names.length - 3} more and ${union}`;
}

/** The peers an L7 rule matches: pod classes (every one for a wildcard peer) and address classes. */
function peerEndsOf(compiled: CompiledCluster, rule: CompiledCiliumRule): ExplainEnd[] {
  const { classes } = compiled;
  const podIds = new Set<number>();
  const addresses = new Set<number>();
  for (const p of rule.peers) {
    if (p.everything || p.pods.all) classes.forEach((c) => podIds.add(c.id));
    else p.pods.ids.forEach((id) => podIds.add(id));
    // A peer of every identity (`all`, or no peer field) matches every address too, as `ciliumPeerHits` reads it.
    if (p.everything) compiled.addressSpace.classes.forEach((_, a) => addresses.add(a));
    for (const a of p.addresses) addresses.add(a);
  }
  const out: ExplainEnd[] = [];
  for (const id of podIds) out.push({ kind: 'pod', classId: id, name: `class ${id}` });
  for (const a of addresses) out.push({ kind: 'address', classId: a, name: `address class ${a}` });
  return out;
}

/**
 * One side (`list`) of one selected pod class, and what explain's shadowed L7 entries of that side (and the
 * quick check before them, `l7Filters`) read of a peer: which of the side's Cilium allow and deny rules match
 * it (read for the pod's node: `host`, `remote-node`), which of its NetworkPolicy rules do (what its
 * NetworkPolicies allow the peer follows from those), and, for egress to a pod, that pod's named ports (ports
 * resolve at the destination). Peers alike in all of these are explained once: the answer is the same for
 * each (test/lint/no-cilium-l7-shadowed-by-l4-property.test.ts compares with explaining every pair).
 */
class SubjectSide {
  readonly compiled: CompiledCluster;
  readonly list: CiliumAllowList;
  readonly cilium: readonly CompiledCiliumRule[];
  readonly networkPolicy: readonly CompiledRule[];
  readonly namedPorts: Map<number, string> = new Map();

  constructor(compiled: CompiledCluster, subject: number, list: CiliumAllowList) {
    this.compiled = compiled;
    this.list = list;
    const cls = compiled.classes[subject]!;
    const deny = list === 'ingress' ? 'ingressDeny' : 'egressDeny';
    this.cilium = (compiled.cilium.ofClass[subject] ?? []).flatMap((i) => {
      const s = compiled.cilium.specs[i]!;
      return [...s[list], ...s[deny]].map((r) => ciliumRuleFor(r, cls));
    });
    this.networkPolicy = compiled.policiesOfClass[subject]!.flatMap((i) => compiled.policies[i]![list]);
  }

  /** `peers` in groups of equal `signature`, in their order. */
  group(peers: readonly ExplainEnd[]): ExplainEnd[][] {
    const groups = new Map<string, ExplainEnd[]>();
    for (const peer of peers) {
      const key = this.signature(peer);
      const members = groups.get(key);
      if (members === undefined) groups.set(key, [peer]);
      else members.push(peer);
    }
    return [...groups.values()];
  }

  signature(peer: ExplainEnd): string {
    const { classes } = this.compiled;
    const end = classEnd(peer);
    const cls = peer.kind === 'pod' ? classes[peer.classId]! : undefined;
    let key = cls === undefined ? 'a' : this.list === 'egress' ? `p${this.namedPortsKey(cls)}` : 'p';
    for (const r of this.cilium) key += r.peers.some((p) => ciliumPeerHits(p, end)) ? '1' : '0';
    for (const r of this.networkPolicy)
      key += r.peers === 'everything' || r.peers.some((p) => networkPolicyPeerHits(p, peer, cls)) ? '1' : '0';
    return key;
  }

  namedPortsKey(cls: PodClass): string {
    let key = this.namedPorts.get(cls.id);
    if (key === undefined) {
      key = cls.namedPorts.map((n) => `${n.name}/${n.protocol}/${n.port}`).join(',');
      this.namedPorts.set(cls.id, key);
    }
    return key;
  }
}

/** As explain reads a Cilium rule's peer (explain-cilium.ts `peerHits`). */
function ciliumPeerHits(p: CompiledCiliumPeer, end: ClassEnd): boolean {
  return (
    p.everything ||
    ('pod' in end
      ? !p.pods.all && sortedIncludes(p.pods.ids, end.pod)
      : sortedIncludes(p.addresses, end.address))
  );
}

/** As explain reads a NetworkPolicy rule's peer (explain.ts `Explainer.peerMatches`). */
function networkPolicyPeerHits(p: CompiledPeer, peer: ExplainEnd, cls: PodClass | undefined): boolean {
  if (cls === undefined) return p.addresses.includes(peer.classId);
  return p.pods.all ? !cls.hostNetwork : idSet(p.pods.ids).has(cls.id);
}

const idSets = new WeakMap<readonly number[], ReadonlySet<number>>();

/** `ids` as a set, made once per list: a peer of every namespace lists every class. */
function idSet(ids: readonly number[]): ReadonlySet<number> {
  let set = idSets.get(ids);
  if (set === undefined) idSets.set(ids, (set = new Set(ids)));
  return set;
}

/** `spec.ingress[0].toPorts[1]`, as explain writes it. */
function entryPathOf(specPath: FieldPath, list: string, rule: number, entry: number): string {
  return formatPath([...specPath, list, rule, 'toPorts', entry]);
}

function classEnd(end: ExplainEnd): ClassEnd {
  return end.kind === 'pod' ? { pod: end.classId } : { address: end.classId };
}
