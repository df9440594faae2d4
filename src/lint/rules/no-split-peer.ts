import { compileSelector, selectorMatches } from '../../engine/selectors.ts';
import type { NetworkPolicyPeer } from '../../model/k8s.ts';
import { policyRules, targetsText } from '../checks/policies.ts';
import { listNames, plural, selectorText } from '../text.ts';
import { RuleCategory, defineRule } from '../types.ts';

function namespaceOnly(p: NetworkPolicyPeer): boolean {
  return p.namespaceSelector !== undefined && p.podSelector === undefined && p.ipBlock === undefined;
}

function podOnly(p: NetworkPolicyPeer): boolean {
  return p.podSelector !== undefined && p.namespaceSelector === undefined && p.ipBlock === undefined;
}

export default defineRule({
  id: 'no-split-peer',
  meta: {
    severity: 'warning',
    category: RuleCategory.Mistakes,
    heuristic: true,
    description: 'namespaceSelector and podSelector meant together are written as one peer',
    rationale:
      'Within one peer, namespaceSelector and podSelector are ANDed: pods matching podSelector in namespaces matching namespaceSelector. Written as two list items ("- namespaceSelector" and "- podSelector"), they are ORed: every pod of those namespaces, or matching pods of the policy’s own namespace. One extra "-" turns "checkout pods of the shop namespace" into "every pod of the shop namespace". This heuristic reports two adjacent items of that shape, unless the input shows the split is intended (the podSelector item matches pods of the policy’s namespace, and the two together would match nothing).',
    fix: 'Remove the "-" before the second selector so that both are in one peer. If both peers are really meant, put a comment on them and suppress the finding with the netfence.io/ignore annotation.',
    messages: {
      split:
        'namespaceSelector ({{namespaces}}) and podSelector ({{pods}}) are two peers: this allows every pod of {{nsTargets}} ({{nsCount}}) OR matching pods of "{{own}}" ({{ownMatches}}); if you meant matching pods of {{nsTargets}} ({{combined}}), remove the "-" before {{second}} to make one peer',
    },
  },
  check(ctx) {
    const { classes } = ctx.compiled;
    for (const visit of policyRules(ctx)) {
      const rule = visit.compiled;
      if (rule === undefined || rule.peers === 'everything' || visit.peers === undefined) continue;
      for (let j = 0; j + 1 < visit.peers.length; j++) {
        const a = visit.peers[j]!;
        const b = visit.peers[j + 1]!;
        let nsIndex: number;
        if (namespaceOnly(a) && podOnly(b)) nsIndex = j;
        else if (podOnly(a) && namespaceOnly(b)) nsIndex = j + 1;
        else continue;
        const nsPeer = visit.peers[nsIndex]!;
        const podPeer = visit.peers[nsIndex === j ? j + 1 : j]!;
        const nsCompiled = rule.peers[nsIndex]!;
        const podCompiled = rule.peers[nsIndex === j ? j + 1 : j]!;
        const podSelector = compileSelector(podPeer.podSelector!);
        const namespaces = ctx.lookup.namespacesMatching(nsPeer.namespaceSelector!).map((n) => n.name);
        const combined = namespaces.flatMap((n) =>
          ctx.lookup.podClassesIn(n).filter((id) => selectorMatches(podSelector, classes[id]!.labels)),
        );
        const ownMatches = podCompiled.pods.all ? [] : podCompiled.pods.ids;
        // The input says the OR is meant: the pod peer finds pods at home, and the AND would find none.
        if (ownMatches.length > 0 && combined.length === 0) continue;
        const nsClasses = nsCompiled.pods.all
          ? classes.filter((c) => !c.hostNetwork).map((c) => c.id)
          : nsCompiled.pods.ids;
        const nsWorkloads = ctx.lookup.workloadsOfClasses(nsClasses);
        ctx.report({
          messageId: 'split',
          data: {
            namespaces: selectorText(nsPeer.namespaceSelector),
            pods: selectorText(podPeer.podSelector),
            nsTargets: compileSelector(nsPeer.namespaceSelector!).matchesAll
              ? 'every namespace'
              : namespaces.length === 0
                ? 'the namespaces it selects'
                : `${namespaces.length === 1 ? 'namespace' : 'namespaces'} ${listNames(namespaces)}`,
            nsCount: plural(nsWorkloads.length, 'workload'),
            own: visit.policy.info.namespace,
            ownMatches: targetsText(ctx, ctx.lookup.workloadsOfClasses(ownMatches), 'none'),
            combined: targetsText(ctx, ctx.lookup.workloadsOfClasses(combined), 'none in the input'),
            second: j + 1 === nsIndex ? 'namespaceSelector' : 'podSelector',
          },
          subject: { policy: visit.policy.info },
          path: [...visit.peersPath, j + 1],
          workloads: ctx.lookup.workloadsOfClasses(visit.policy.selected),
        });
      }
    }
  },
});
