/**
 * flows-would-deny beyond its table (test/lint/rules/flows-would-deny.ts): how denied flows are grouped into
 * findings (by the two ends, an address by the IP observed), and an Admin Pass above the NetworkPolicy that
 * denies (the NetworkPolicy is blamed, not the cluster policy).
 */
import rule from '../../src/lint/rules/flows-would-deny.ts';
import type { ObservedConnection } from '../../src/lint/types.ts';
import { deploy, docs, ns, ruleTester, yaml } from './helpers.ts';

const w = (id: string) => ({ kind: 'workload' as const, id });
const base = docs(
  ns('payments'),
  ns('monitoring'),
  deploy('payments', 'gateway'),
  deploy('monitoring', 'prometheus'),
  deploy('monitoring', 'grafana'),
);
/** The gateway's ingress from 203.0.113.0/24 on 443 only; `marker` marks its ingress. */
const publicPolicy = (marker = ''): string => yaml`
  apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata: {name: public, namespace: payments}
  spec:
    podSelector: {}
    ingress: [{from: [{ipBlock: {cidr: 203.0.113.0/24}}], ports: [{port: 443}]}]${marker}
`;
const flow = (src: ObservedConnection['src'], port: number): ObservedConnection => ({
  src,
  dst: w('payments/Deployment/gateway'),
  protocol: 'TCP',
  port,
});

ruleTester(rule, {
  valid: [],
  invalid: [
    {
      // Two addresses of one address class: a finding for each IP, each naming it.
      name: 'denied flows from two addresses outside the allowed range',
      yaml: docs(base, publicPolicy('  # <- <-')),
      observed: [
        flow({ kind: 'external', ip: '198.51.100.9' }, 443),
        flow({ kind: 'external', ip: '198.51.100.10' }, 443),
      ],
      messages: [
        ['Observed 198.51.100.10 → payments/gateway on TCP 443'],
        ['Observed 198.51.100.9 → payments/gateway on TCP 443'],
      ],
    },
    {
      // One source on two ports: one finding with both ports.
      name: 'denied flows of one workload on two ports',
      yaml: docs(base, publicPolicy('  # <-')),
      observed: [
        flow(w('monitoring/Deployment/prometheus'), 9102),
        flow(w('monitoring/Deployment/prometheus'), 8080),
      ],
      messages: [['Observed monitoring/prometheus → payments/gateway on TCP 8080,9102 would be denied']],
    },
    {
      // The Admin tier passes the traffic down: the NetworkPolicy decides and is the one to fix.
      name: 'a flow an Admin Pass hands to a NetworkPolicy that denies it',
      yaml: docs(
        base,
        publicPolicy('  # <-'),
        yaml`
          apiVersion: policy.networking.k8s.io/v1beta1
          kind: ClusterNetworkPolicy
          metadata: {name: pass}
          spec:
            tier: Admin
            priority: 10
            subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: payments}}}
            ingress:
              - action: Pass
                from: [{namespaces: {}}]
        `,
      ),
      observed: [flow(w('monitoring/Deployment/prometheus'), 9102)],
      messageIds: ['ingress'],
    },
    {
      // Two workloads denied towards one: a finding for each.
      name: 'denied flows of two workloads',
      yaml: docs(base, publicPolicy('  # <- <-')),
      observed: [
        flow(w('monitoring/Deployment/grafana'), 3000),
        flow(w('monitoring/Deployment/prometheus'), 9102),
      ],
      messages: [
        ['Observed monitoring/grafana → payments/gateway on TCP 3000'],
        ['Observed monitoring/prometheus'],
      ],
    },
    {
      // An Admin Deny of egress to an address: the cluster policy's rule is the one named.
      name: 'a flow to an address an Admin Deny stops',
      yaml: docs(
        base,
        yaml`
          apiVersion: policy.networking.k8s.io/v1beta1
          kind: ClusterNetworkPolicy
          metadata: {name: no-docs-net}
          spec:
            tier: Admin
            priority: 10
            subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: payments}}}
            egress:
              - action: Deny  # <-
                to: [{networks: [198.51.100.0/24]}]
        `,
      ),
      observed: [
        {
          src: w('payments/Deployment/gateway'),
          dst: { kind: 'external', ip: '198.51.100.9' },
          protocol: 'TCP',
          port: 443,
        },
      ],
      messageIds: ['tier'],
    },
  ],
});
