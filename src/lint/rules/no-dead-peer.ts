import { judgePeer, type PeerVerdict } from '../checks/peers.ts';
import { policyRules, targetsText } from '../checks/policies.ts';
import { peerText } from '../text.ts';
import { RuleCategory, defineRule } from '../types.ts';

type Dead = Exclude<PeerVerdict, { kind: 'matches' } | { kind: 'unknown' }>;

function reason(
  dead: Dead,
  targets: string,
): { messageId: 'noPod' | 'noNamespace' | 'hostNetworkOnly'; data: Record<string, string> } {
  switch (dead.kind) {
    case 'noPod':
      return {
        messageId: 'noPod',
        data: {
          where: dead.where,
          hint: dead.hint === undefined ? '; check its labels' : `. Did you mean ${dead.hint}?`,
        },
      };
    case 'noNamespace':
      return {
        messageId: 'noNamespace',
        data: {
          selector: dead.selector,
          hint: dead.hint === undefined ? '; check the namespace labels' : `. Did you mean ${dead.hint}?`,
        },
      };
    case 'hostNetworkOnly':
      return { messageId: 'hostNetworkOnly', data: { workloads: targets } };
  }
}

export default defineRule({
  id: 'no-dead-peer',
  meta: {
    severity: 'warning',
    category: RuleCategory.DeadCode,
    description: 'Every peer of a rule matches some pod or address',
    rationale:
      'A peer whose selectors match no pod allows nothing: the connection it was written for is denied, usually because of a label typo or a namespace label that does not exist. A rule whose peers all match nothing is dead. Peers that point at namespaces the input does not contain are not judged.',
    fix: 'Correct the labels in podSelector or namespaceSelector (compare with the pod template and namespace labels), or remove the peer.',
    messages: {
      noPod: 'Peer {{peer}} matches no pod{{where}}, so it allows nothing{{hint}}',
      noNamespace:
        'namespaceSelector {{selector}} matches no namespace, so peer {{peer}} allows nothing{{hint}}',
      hostNetworkOnly:
        'Peer {{peer}} matches only host-network pods ({{workloads}}), which selectors never match; allow their node addresses with an ipBlock instead',
      deadRule:
        'None of the {{count}} peers of this {{direction}} rule matches a pod or an address ({{first}}), so the rule allows nothing; fix the selectors or remove the rule',
    },
  },
  check(ctx) {
    for (const visit of policyRules(ctx)) {
      const rule = visit.compiled;
      if (rule === undefined || rule.peers === 'everything' || visit.peers === undefined) continue;
      const verdicts = rule.peers.map((peer) =>
        judgePeer(ctx, visit.policy.info.namespace, visit.peers![peer.index]!, peer),
      );
      const dead = verdicts.flatMap((v, i) =>
        v.kind === 'matches' || v.kind === 'unknown' ? [] : [{ v, i }],
      );
      if (dead.length === 0) continue;
      const workloads = ctx.lookup.workloadsOfClasses(visit.policy.selected);
      if (dead.length === verdicts.length && verdicts.length > 1) {
        ctx.report({
          messageId: 'deadRule',
          data: {
            count: verdicts.length,
            direction: visit.direction,
            first: peerText(visit.peers[dead[0]!.i]!),
          },
          subject: { policy: visit.policy.info },
          path: visit.peersPath,
          workloads,
        });
        continue;
      }
      for (const { v, i } of dead) {
        const r = reason(v, v.kind === 'hostNetworkOnly' ? targetsText(ctx, v.workloads) : '');
        ctx.report({
          messageId: r.messageId,
          data: { ...r.data, peer: peerText(visit.peers[i]!) },
          subject: { policy: visit.policy.info },
          path: [...visit.peersPath, i],
          workloads,
        });
      }
    }
  },
});
