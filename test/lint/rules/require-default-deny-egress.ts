import rule from '../../../src/lint/rules/require-default-deny-egress.ts';
import { deploy, docs, ns, ruleTester, stateRuleTester, yaml } from '../helpers.ts';
import { cluster, cnp, pod } from '../../support/builders.ts';
import { allPods, tierBase, withTiers } from '../tier-fixtures.ts';

ruleTester(rule, {
  valid: [
    {
      name: 'a default-deny egress policy',
      yaml: docs(
        ns('shop'),
        deploy('shop', 'web'),
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: default-deny-egress, namespace: shop}
          spec:
            podSelector: {}
            policyTypes: [Egress]
        `,
      ),
    },
    {
      name: 'egress rules without policyTypes make the policy affect egress',
      yaml: docs(
        ns('shop'),
        deploy('shop', 'web'),
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: dns-only, namespace: shop}
          spec:
            podSelector: {}
            egress:
              - ports: [{protocol: UDP, port: 53}]
        `,
      ),
    },
    {
      // Cilium: a clusterwide rule set selecting the namespace's identity label covers every pod of it.
      name: 'a CiliumClusterwideNetworkPolicy isolating the egress of the namespace',
      yaml: docs(
        ns('shop'),
        deploy('shop', 'web'),
        yaml`
          apiVersion: cilium.io/v2
          kind: CiliumClusterwideNetworkPolicy
          metadata: {name: shop-egress}
          spec:
            endpointSelector: {matchLabels: {k8s:io.kubernetes.pod.namespace: shop}}
            egress:
              - toEntities: [cluster]
        `,
      ),
    },
  ],
  invalid: [
    {
      // enableDefaultDeny.egress: false: the rule set adds allows without isolating.
      name: 'a Cilium rule set with default deny off does not isolate',
      yaml: docs(
        ns('shop', {}, true),
        deploy('shop', 'web'),
        yaml`
          apiVersion: cilium.io/v2
          kind: CiliumNetworkPolicy
          metadata: {name: extra, namespace: shop}
          spec:
            endpointSelector: {}
            egress:
              - toEntities: [cluster]
            enableDefaultDeny: {egress: false}
        `,
      ),
      messageIds: ['missing'],
    },
    {
      // A default-deny ingress policy leaves egress open.
      name: 'only ingress is denied by default',
      yaml: docs(
        ns('shop', {}, true),
        deploy('shop', 'web'),
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: default-deny, namespace: shop}
          spec:
            podSelector: {}
        `,
      ),
    },
    {
      name: 'two namespaces, each reported on its own Namespace object',
      yaml: docs(ns('a', {}, true), ns('b', {}, true), deploy('a', 'x'), deploy('b', 'y')),
    },
  ],
});

// Cluster-wide policies (built as cluster states until manifests of them can be parsed in these tables).
stateRuleTester(rule, {
  valid: [
    {
      name: 'an Admin ClusterNetworkPolicy denies egress to every pod and every address',
      state: withTiers({
        clusterPolicies: [
          cnp('deny-egress', {
            tier: 'Admin',
            priority: 1000,
            subject: allPods,
            egress: [{ action: 'Deny', to: [allPods, { networks: ['0.0.0.0/0', '::/0'] }] }],
          }),
        ],
      }),
    },
  ],
  invalid: [
    {
      name: 'a Deny of every pod leaves the addresses outside the cluster open',
      state: withTiers({
        clusterPolicies: [
          cnp('deny-egress', {
            tier: 'Baseline',
            priority: 1000,
            subject: allPods,
            egress: [{ action: 'Deny', to: [allPods] }],
          }),
        ],
      }),
      findings: [
        'Namespace/data metadata.name',
        'Namespace/kube-system metadata.name',
        'Namespace/shop metadata.name',
      ],
    },
    {
      // Not a default deny (one namespace only): the open workloads can connect anywhere but there.
      name: 'a cluster policy denies part of the reach: the message says so',
      state: withTiers({
        clusterPolicies: [
          cnp('no-data', {
            tier: 'Baseline',
            priority: 10,
            subject: { namespaces: { matchLabels: { team: 'shop' } } },
            egress: [{ action: 'Deny', to: [{ namespaces: { matchLabels: { team: 'data' } } }] }],
          }),
        ],
      }),
      findings: [
        'Namespace/data metadata.name',
        'Namespace/kube-system metadata.name',
        'Namespace/shop metadata.name',
      ],
      messages: [
        ['(data/db) can connect anywhere; add'],
        ['(kube-system/coredns) can connect anywhere; add'],
        [
          '(shop/api and shop/web) can connect anywhere as far as NetworkPolicies go (cluster policies decide first, and Deny rules of ClusterNetworkPolicy/no-data keep part of it out: netfence explain shows one connection); add',
        ],
      ],
    },
    {
      // Pods without a known IP count as IPv4 ones: `::/0` alone leaves 0.0.0.0/0 open.
      name: 'a Deny of every pod and ::/0 leaves IPv4 addresses open',
      state: withTiers({
        clusterPolicies: [
          cnp('deny-egress', {
            tier: 'Baseline',
            priority: 1000,
            subject: allPods,
            egress: [{ action: 'Deny', to: [allPods, { networks: ['::/0'] }] }],
          }),
        ],
      }),
      findings: [
        'Namespace/data metadata.name',
        'Namespace/kube-system metadata.name',
        'Namespace/shop metadata.name',
      ],
    },
    {
      name: 'with an IPv6 pod, a Deny of 0.0.0.0/0 alone leaves IPv6 addresses open',
      state: cluster({
        ...tierBase,
        pods: [...(tierBase.pods ?? []), pod('shop', 'v6', { app: 'v6' }, { ips: ['fd00::10'] })],
        clusterPolicies: [
          cnp('deny-egress', {
            tier: 'Admin',
            priority: 10,
            subject: allPods,
            egress: [{ action: 'Deny', to: [allPods, { networks: ['0.0.0.0/0'] }] }],
          }),
        ],
      }),
      findings: [
        'Namespace/data metadata.name',
        'Namespace/kube-system metadata.name',
        'Namespace/shop metadata.name',
      ],
    },
  ],
});
