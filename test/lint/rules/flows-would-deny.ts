import rule from '../../../src/lint/rules/flows-would-deny.ts';
import type { ObservedConnection } from '../../../src/lint/types.ts';
import { cniEngine, coredns, deploy, docs, ns, ruleTester, yaml } from '../helpers.ts';

const w = (id: string) => ({ kind: 'workload' as const, id });
const base = docs(
  ns('payments'),
  ns('monitoring'),
  deploy('payments', 'gateway', { ports: ['metrics:9102'] }),
  deploy('monitoring', 'prometheus'),
  coredns(),
);
const scrape = (port: string, marker = ''): string => yaml`
  apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata: {name: allow-scrape, namespace: payments}
  spec:
    podSelector: {}
    ingress:${marker}
      - from:
          - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: monitoring}}
            podSelector: {matchLabels: {app: prometheus}}
        ports: [{port: ${port}}]
`;
/** Ingress to payments from 203.0.113.0/24 on 443 only; `marker` marks its ingress rules. */
const publicPolicy = (marker = ''): string => yaml`
  apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata: {name: public, namespace: payments}
  spec:
    podSelector: {}
    ingress: [{from: [{ipBlock: {cidr: 203.0.113.0/24}}], ports: [{port: 443}]}]${marker}
`;
const scrapeFlow: ObservedConnection[] = [
  {
    src: w('monitoring/Deployment/prometheus'),
    dst: w('payments/Deployment/gateway'),
    protocol: 'TCP',
    port: 9102,
  },
];

ruleTester(rule, {
  valid: [
    {
      name: 'an observed scrape the policy allows',
      yaml: docs(base, scrape('metrics')),
      observed: scrapeFlow,
    },
    {
      // Nothing isolates the destination or the source: everything is allowed.
      name: 'traffic between pods no policy selects',
      yaml: base,
      observed: [
        {
          src: w('payments/Deployment/gateway'),
          dst: w('kube-system/Deployment/coredns'),
          protocol: 'UDP',
          port: 53,
        },
      ],
    },
    {
      // Flows from outside that reach a pod are judged too: here from an address on the allowed range.
      name: 'an observed connection from outside the cluster',
      yaml: docs(base, publicPolicy()),
      observed: [
        {
          src: { kind: 'external', ip: '203.0.113.7' },
          dst: w('payments/Deployment/gateway'),
          protocol: 'TCP',
          port: 443,
        },
      ],
    },
    {
      // A workload that is not in the input, or two addresses outside the cluster: nothing to judge.
      name: 'observed connections with an unknown end or no workload end',
      yaml: docs(base, scrape('metrics')),
      observed: [
        {
          src: w('monitoring/Deployment/grafana'),
          dst: w('payments/Deployment/gateway'),
          protocol: 'TCP',
          port: 9102,
        },
        {
          src: w('monitoring/Deployment/prometheus'),
          dst: w('payments/Deployment/ledger'),
          protocol: 'TCP',
          port: 9102,
        },
        {
          src: { kind: 'external', ip: '198.51.100.1' },
          dst: { kind: 'external', ip: '203.0.113.7' },
          protocol: 'TCP',
          port: 22,
        },
      ],
    },
  ],
  invalid: [
    {
      // From outside, off the allowed range: judged (an address at one end only is not left out).
      name: 'an observed connection from outside the cluster, off the allowed range',
      yaml: docs(base, publicPolicy('  # <-')),
      observed: [
        {
          src: { kind: 'external', ip: '198.51.100.9' },
          dst: w('payments/Deployment/gateway'),
          protocol: 'TCP',
          port: 443,
        },
      ],
    },
    {
      name: 'a scrape on a port name the pods do not define',
      yaml: docs(base, scrape('http-metrics', '  # <-')),
      observed: scrapeFlow,
      messageIds: ['ingress'],
    },
    {
      name: 'DNS lookups dropped by an egress policy without DNS',
      yaml: docs(
        base,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: egress, namespace: payments}
          spec:
            podSelector: {}
            policyTypes: [Egress]  # <-
        `,
      ),
      observed: [
        {
          src: w('payments/Deployment/gateway'),
          dst: w('kube-system/Deployment/coredns'),
          protocol: 'UDP',
          port: 53,
        },
        {
          src: w('payments/Deployment/gateway'),
          dst: w('kube-system/Deployment/coredns'),
          protocol: 'TCP',
          port: 53,
        },
      ],
      messageIds: ['egress'],
    },
  ],
});

// Cluster-wide policy tiers: a Baseline Deny decides for pods no NetworkPolicy isolates.
const tierDeny = (tier: 'Admin' | 'Baseline', marker = ''): string => yaml`
  apiVersion: policy.networking.k8s.io/v1beta1
  kind: ClusterNetworkPolicy
  metadata: {name: ${tier.toLowerCase()}}
  spec:
    tier: ${tier}
    priority: ${tier === 'Admin' ? 10 : 100}
    subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: payments}}}
    ingress:
      - action: Deny${marker}
        from: [{namespaces: {}}]
`;

ruleTester(rule, {
  valid: [
    {
      // The NetworkPolicy isolates the gateway and allows the scrape: the Baseline tier is never reached.
      name: 'a Baseline Deny under a NetworkPolicy that allows the scrape',
      yaml: docs(base, scrape('metrics'), tierDeny('Baseline')),
      observed: scrapeFlow,
    },
  ],
  invalid: [
    {
      // No NetworkPolicy selects the gateway: the finding points at the Baseline rule that denies it.
      name: 'a scrape the Baseline tier denies',
      yaml: docs(base, tierDeny('Baseline', '  # <-')),
      observed: scrapeFlow,
      // Baseline: it decides because no NetworkPolicy isolates the gateway (not "before any NetworkPolicy").
      messageIds: ['baseline'],
    },
    {
      // The Admin tier decides before the NetworkPolicy that allows the scrape is consulted.
      name: 'a scrape an Admin Deny stops above the NetworkPolicy that allows it',
      yaml: docs(base, scrape('metrics'), tierDeny('Admin', '  # <-')),
      observed: scrapeFlow,
      messageIds: ['tier'],
    },
  ],
});

// Cilium policies (`--cni cilium`): the deny rule that matches, or the rule sets whose default deny decides.
const cilium = cniEngine('cilium');
ruleTester(rule, {
  valid: [
    {
      // A Cilium allow rule lifts the default deny its rule set puts the gateway in.
      name: 'a scrape a CiliumNetworkPolicy allows',
      yaml: docs(
        base,
        yaml`
          apiVersion: cilium.io/v2
          kind: CiliumNetworkPolicy
          metadata: {name: scrape, namespace: payments}
          spec:
            endpointSelector: {}
            ingress:
              - fromEndpoints: [{matchLabels: {k8s:io.kubernetes.pod.namespace: monitoring}}]
                toPorts: [{ports: [{port: "9102", protocol: TCP}]}]
        `,
      ),
      observed: scrapeFlow,
      engine: cilium,
    },
  ],
  invalid: [
    {
      // The rule set selects the gateway and allows another peer only: its default deny drops the scrape.
      name: 'a scrape a CiliumNetworkPolicy default-denies',
      yaml: docs(
        base,
        yaml`
          apiVersion: cilium.io/v2
          kind: CiliumNetworkPolicy
          metadata: {name: from-payments, namespace: payments}
          spec:
            endpointSelector: {}
            ingress:  # <-
              - fromEndpoints: [{}]
        `,
      ),
      observed: scrapeFlow,
      engine: cilium,
      messageIds: ['ciliumDefault'],
    },
    {
      // An egress deny rule wins over the allow rule of the same rule set.
      name: 'a scrape a CiliumClusterwideNetworkPolicy egressDeny rule stops',
      yaml: docs(
        base,
        yaml`
          apiVersion: cilium.io/v2
          kind: CiliumClusterwideNetworkPolicy
          metadata: {name: no-scrape}
          spec:
            endpointSelector: {matchLabels: {app: prometheus}}
            egress: [{toEntities: [cluster]}]
            egressDeny:
              - toPorts: [{ports: [{port: "9102", protocol: TCP}]}]  # <-
                toEndpoints: [{matchLabels: {k8s:io.kubernetes.pod.namespace: payments}}]
        `,
      ),
      observed: scrapeFlow,
      engine: cilium,
      messageIds: ['ciliumDeny'],
    },
  ],
});
