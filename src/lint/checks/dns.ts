/**
 * DNS checks: a pod whose egress is restricted must still reach the cluster DNS on port 53, over UDP (every
 * lookup) and TCP (answers too large for UDP, zone transfers, some resolvers' fallback).
 */
import {
  accessToAddress,
  accessToPod,
  hasCuts,
  type Access,
  type CompiledPolicy,
} from '../../engine/compile.ts';
import { portsContain, type PortSet } from '../../engine/ports.ts';
import type { Protocol } from '../../model/k8s.ts';
import { dnsLabel } from '../lookup.ts';
import { RuleCategory, defineRule, type RuleContext, type RuleDefinition } from '../types.ts';
import { targetsText } from './policies.ts';
import { actionWord, decider, tierName } from './tiers.ts';
import { TierAction } from '../../model/cluster.ts';

const DNS_PORT = 53;

function allows(ports: PortSet, protocol: Protocol): boolean {
  return portsContain(ports, protocol, DNS_PORT);
}

/** Whether an egress Access lets a class resolve names over `protocol`. */
function reachesDns(
  ctx: RuleContext,
  access: Access,
  policies: readonly CompiledPolicy[],
  protocol: Protocol,
): boolean {
  if (allows(access.everything, protocol)) {
    if (!hasCuts(access)) return true;
    // Cluster policy tiers may cut single peers out of `everything`: look at each address.
    const { addressSpace } = ctx.compiled;
    if (addressSpace.classes.some((a) => allows(accessToAddress(access, a.id), protocol))) return true;
  }
  // DNS servers outside the pods (NodeLocal DNSCache, a VPC resolver) are addresses: any address on 53 will do.
  for (const ports of access.addresses.values()) if (allows(ports, protocol)) return true;
  const dns = ctx.lookup.dnsClasses;
  if (dns.length > 0)
    return dns.some((id) => allows(accessToPod(access, ctx.compiled.classes[id]!), protocol));
  // The DNS pods are not in the input: accept any rule that allows port 53, whoever its peers are.
  if (allows(access.allPods, protocol)) return true;
  for (const ports of access.pods.values()) if (allows(ports, protocol)) return true;
  return policies.some((p) =>
    p.egress.some(
      (r) =>
        allows(r.ports.numeric, protocol) ||
        r.ports.named.some((n) => n.protocol === protocol && n.name.includes('dns')),
    ),
  );
}

/** `namespace kube-system, pods k8s-app=kube-dns` */
function dnsPeer(ctx: RuleContext): string {
  const first = ctx.lookup.dnsClasses[0];
  if (first === undefined) return 'the cluster DNS (namespace kube-system, pods k8s-app=kube-dns)';
  const cls = ctx.compiled.classes[first]!;
  // A class keeps only the labels policies select on: the DNS label is on its pods.
  const label = cls.pods.map((p) => dnsLabel(p.labels)).find((l) => l !== undefined)!;
  return `the DNS pods (namespace ${cls.namespace}, pods ${label[0]}=${label[1]})`;
}

export function dnsRule(protocol: 'UDP' | 'TCP'): RuleDefinition<'missing' | 'deniedByTier'> {
  return defineRule({
    id: `require-dns-egress-${protocol.toLowerCase()}`,
    meta: {
      severity: protocol === 'UDP' ? 'error' : 'warning',
      category: RuleCategory.Dns,
      description: `Pods with restricted egress may reach the cluster DNS on ${protocol} port 53`,
      rationale:
        protocol === 'UDP'
          ? 'Once a policy restricts the egress of a pod, everything it does not allow is dropped, including DNS: every name lookup then times out, and the application fails in ways that do not look like a network policy problem. The DNS pods (CoreDNS, k8s-app=kube-dns) must be allowed on UDP 53.'
          : 'DNS falls back to TCP when an answer does not fit in a UDP packet (many records, DNSSEC, long TXT records), and some resolvers use TCP outright. With only UDP 53 allowed, those lookups fail intermittently, which is hard to trace back to a policy.',
      fix: `Add an egress rule to the DNS pods (namespaceSelector kubernetes.io/metadata.name: kube-system with podSelector k8s-app: kube-dns, in one peer) on ${protocol === 'UDP' ? 'UDP 53 and TCP 53' : 'TCP 53 as well as UDP 53'}; a namespace-wide allow-dns policy (podSelector: {}) covers every pod at once.`,
      messages: {
        missing:
          protocol === 'UDP'
            ? 'Egress of {{workloads}} is restricted, but nothing allows DNS over UDP port 53{{to}}, so every name lookup fails; add an egress rule to {{peer}} on UDP 53 and TCP 53'
            : 'Egress of {{workloads}} is restricted, but nothing allows DNS over TCP port 53{{to}}, so lookups whose answers do not fit in UDP fail; add TCP 53 next to UDP 53 in the rule to {{peer}}',
        deniedByTier:
          protocol === 'UDP'
            ? 'This {{tier}} {{action}} rule denies DNS over UDP port 53 from {{workloads}}{{to}}, so every name lookup fails; add an Accept rule for {{peer}} on UDP 53 and TCP 53 before it'
            : 'This {{tier}} {{action}} rule denies DNS over TCP port 53 from {{workloads}}{{to}}, so lookups whose answers do not fit in UDP fail; add an Accept rule for {{peer}} on TCP 53 as well as UDP 53 before it',
      },
    },
    check(ctx) {
      const dns = new Set(ctx.lookup.dnsClasses);
      const groups = new Map<Access, number[]>();
      for (const cls of ctx.compiled.classes) {
        const access = ctx.compiled.egress[cls.id]!;
        // The DNS servers themselves resolve through upstream servers, not through themselves.
        if (cls.hostNetwork || !access.isolated || dns.has(cls.id)) continue;
        const list = groups.get(access);
        if (list === undefined) groups.set(access, [cls.id]);
        else list.push(cls.id);
      }
      const to =
        ctx.lookup.dnsClasses.length > 0
          ? ` to ${targetsText(ctx, ctx.lookup.workloadsOfClasses(ctx.lookup.dnsClasses))}`
          : '';
      for (const [access, classes] of groups) {
        const policies = [...new Set(classes.flatMap((id) => ctx.lookup.policiesOf(id, 'egress')))];
        if (reachesDns(ctx, access, policies, protocol)) continue;
        const workloads = ctx.lookup.workloadsOfClasses(classes);
        // A cluster policy rule that denies DNS decides before any NetworkPolicy could allow it: blame it.
        const dnsClass = ctx.lookup.dnsClasses[0];
        const by =
          dnsClass === undefined
            ? undefined
            : decider(ctx.compiled, classes[0]!, 'egress', { pod: dnsClass }, protocol, DNS_PORT);
        if (by?.kind === 'tier' && by.ref.rule.action === TierAction.Deny) {
          const info = by.ref.policy.info;
          ctx.report({
            messageId: 'deniedByTier',
            data: {
              tier: tierName(info.tier),
              action: actionWord(info, by.ref.rule.action),
              workloads: targetsText(ctx, workloads),
              to,
              peer: dnsPeer(ctx),
            },
            subject: { clusterPolicy: info },
            path: ['spec', 'egress', by.ref.rule.index],
            workloads,
          });
          continue;
        }
        // Restricted by cluster policies alone, in a way netfence cannot pin on one rule: nothing to blame.
        if (policies.length === 0) continue;
        // Blame the namespace-wide policy when there is one: a DNS rule there fixes every pod at once.
        const blamed = policies.find((p) => p.selector.matchesAll) ?? policies[0]!;
        ctx.report({
          messageId: 'missing',
          data: { workloads: targetsText(ctx, workloads), to, peer: dnsPeer(ctx) },
          subject: { policy: blamed.info },
          path: blamed.info.spec.egress !== undefined ? ['spec', 'egress'] : ['spec', 'policyTypes'],
          workloads,
        });
      }
    },
  });
}
