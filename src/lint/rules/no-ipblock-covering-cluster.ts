import { cidrContainsIp, parseCidr, parseIp, type Cidr } from '../../base/ip.ts';
import { policyRules } from '../checks/policies.ts';
import { listNames } from '../text.ts';
import { RuleCategory, defineRule } from '../types.ts';

/** Service ranges are /12 (IPv4, kubeadm's 10.96.0.0/12) to /112 (IPv6) or narrower. */
const SERVICE_SIZED_PREFIX = { 4: 12, 6: 64 } as const;

interface ClusterAddress {
  ip: string;
  /** `pod shop/api-1`, `Service kube-system/kube-dns` */
  what: string;
}

function inBlock(ip: string, cidr: Cidr, except: readonly Cidr[]): boolean {
  const parsed = parseIp(ip);
  return (
    parsed !== undefined && cidrContainsIp(cidr, parsed) && !except.some((e) => cidrContainsIp(e, parsed))
  );
}

export default defineRule({
  id: 'no-ipblock-covering-cluster',
  meta: {
    severity: 'warning',
    category: RuleCategory.Permissive,
    description: 'ipBlocks leave out the addresses of the cluster’s pods and Services',
    rationale:
      'ipBlock is meant for addresses outside the cluster. Whether it also matches pod IPs depends on the CNI (and pod IPs change), so a block covering pod addresses opens or closes in-cluster traffic differently from one cluster to the next. Service ClusterIPs never match at all: policies see traffic after the Service address is translated to a pod address, so an egress rule to a ClusterIP allows nothing. Pod addresses are checked in every block; Service addresses in egress blocks of /12 (IPv6: /64) or narrower, the size of a Service range: a wider block is about the internet, which no-wide-ipblock judges.',
    fix: 'Add the pod and Service ranges of the cluster to except, and select in-cluster peers with podSelector and namespaceSelector.',
    messages: {
      pods: 'ipBlock {{cidr}} also covers pod addresses ({{addresses}}), and CNIs differ on whether ipBlocks apply to pods; add the pod range to except and select pods with podSelector/namespaceSelector',
      services:
        'ipBlock {{cidr}} also covers Service addresses ({{addresses}}), which policies never see (traffic is translated to pod addresses first); add the Service range to except and select the pods behind the Service instead',
    },
  },
  check(ctx) {
    const pods: ClusterAddress[] = ctx.state.pods
      .filter((p) => !p.hostNetwork)
      .flatMap((p) => p.ips.map((ip) => ({ ip, what: `pod ${p.namespace}/${p.name} ${ip}` })));
    const services: ClusterAddress[] = ctx.state.services.flatMap((s) =>
      [
        ...new Set([
          ...(s.spec.clusterIPs ?? []),
          ...(s.spec.clusterIP === undefined ? [] : [s.spec.clusterIP]),
        ]),
      ]
        .filter((ip) => parseIp(ip) !== undefined)
        .map((ip) => ({ ip, what: `Service ${s.id} ${ip}` })),
    );
    if (pods.length === 0 && services.length === 0) return;
    for (const visit of policyRules(ctx)) {
      if (visit.compiled === undefined || visit.peers === undefined) continue;
      for (const [i, peer] of visit.peers.entries()) {
        const block = peer.ipBlock;
        if (block === undefined) continue;
        const cidr = parseCidr(block.cidr);
        if (!cidr.ok) continue;
        const except = (block.except ?? []).flatMap((e) => {
          const parsed = parseCidr(e);
          return parsed.ok ? [parsed.cidr] : [];
        });
        const workloads = ctx.lookup.workloadsOfClasses(visit.policy.selected);
        const coveredPods = pods.filter((a) => inBlock(a.ip, cidr.cidr, except));
        // Traffic never comes from a Service address, so only egress rules can mean one; and only a block
        // about the size of a Service range (or narrower) is likely meant for Services: a wider one is about
        // the internet, which no-wide-ipblock judges.
        const aboutServices = cidr.cidr.prefix >= SERVICE_SIZED_PREFIX[cidr.cidr.family];
        const coveredServices =
          visit.direction === 'egress' && aboutServices
            ? services.filter((a) => inBlock(a.ip, cidr.cidr, except))
            : [];
        for (const [messageId, covered] of [
          ['pods', coveredPods],
          ['services', coveredServices],
        ] as const) {
          if (covered.length === 0) continue;
          ctx.report({
            messageId,
            data: {
              cidr: block.cidr,
              addresses: listNames(
                covered.map((a) => a.what),
                2,
              ),
            },
            subject: { policy: visit.policy.info },
            path: [...visit.peersPath, i, 'ipBlock'],
            workloads,
          });
        }
      }
    }
  },
});
