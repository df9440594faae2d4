import rule from '../../../src/lint/rules/require-default-deny-ingress.ts';
import { deploy, docs, ns, ruleTester, stateRuleTester, yaml } from '../helpers.ts';
import { cnp } from '../../support/builders.ts';
import { allPods, shop, withTiers } from '../tier-fixtures.ts';

const denyIngress = yaml`
  apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata: {name: default-deny-ingress, namespace: shop}
  spec:
    podSelector: {}
    policyTypes: [Ingress]
`;

ruleTester(rule, {
  valid: [
    { name: 'a default-deny ingress policy', yaml: docs(ns('shop'), deploy('shop', 'web'), denyIngress) },
    {
      name: 'a namespace-wide policy with allow rules also isolates every pod',
      yaml: docs(
        ns('shop'),
        deploy('shop', 'web'),
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: same-namespace, namespace: shop}
          spec:
            podSelector: {}
            ingress:
              - from: [{podSelector: {}}]
        `,
      ),
    },
    { name: 'a namespace without workloads has nothing to protect', yaml: docs(ns('empty')) },
    {
      // Cilium: an empty endpointSelector selects every endpoint of the policy's namespace, later ones too.
      name: 'a CiliumNetworkPolicy with an empty endpointSelector and ingress rules',
      yaml: docs(
        ns('shop'),
        deploy('shop', 'web'),
        yaml`
          apiVersion: cilium.io/v2
          kind: CiliumNetworkPolicy
          metadata: {name: same-namespace, namespace: shop}
          spec:
            endpointSelector: {}
            ingress:
              - fromEndpoints: [{}]
        `,
      ),
    },
    {
      // Policies never apply to host-network pods: a default deny would not change anything for them.
      name: 'a namespace with only host-network workloads',
      yaml: docs(ns('monitoring'), deploy('monitoring', 'node-exporter', { hostNetwork: true })),
    },
  ],
  invalid: [
    { name: 'no policy at all', yaml: docs(ns('shop', {}, true), deploy('shop', 'web')) },
    {
      name: 'a podSelector that is not empty is not a default',
      yaml: docs(
        ns('shop', {}, true),
        deploy('shop', 'web'),
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: web, namespace: shop}
          spec:
            podSelector: {matchLabels: {app: web}}
            policyTypes: [Ingress]
        `,
      ),
      // Every workload is isolated today, but the next one will not be.
      messageIds: ['missingAllIsolated'],
    },
    {
      // Every workload is isolated by a Cilium rule set today, but the next one will not be.
      name: 'a CiliumNetworkPolicy selecting one workload isolates it, not the namespace',
      yaml: docs(
        ns('shop', {}, true),
        deploy('shop', 'web'),
        yaml`
          apiVersion: cilium.io/v2
          kind: CiliumNetworkPolicy
          metadata: {name: web, namespace: shop}
          spec:
            endpointSelector: {matchLabels: {app: web}}
            ingressDeny:
              - fromEntities: [world]
        `,
      ),
      messageIds: ['missingAllIsolated'],
    },
    {
      name: 'an egress-only default deny does not deny ingress',
      yaml: docs(
        ns('shop', {}, true),
        deploy('shop', 'web'),
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: deny-egress, namespace: shop}
          spec:
            podSelector: {}
            policyTypes: [Egress]
        `,
      ),
      messageIds: ['missing'],
    },
  ],
});

// Cluster-wide policies (built as cluster states until manifests of them can be parsed in these tables).
/** A Baseline policy for every namespace: `first` for shop's pods, then a Deny of every pod. */
const denyAllAfter = (first: 'Accept' | 'Pass') =>
  cnp('baseline', {
    tier: 'Baseline',
    priority: 1000,
    subject: allPods,
    ingress: [
      { action: first, from: [shop] },
      { action: 'Deny', from: [allPods] },
    ],
  });

stateRuleTester(rule, {
  valid: [
    {
      name: 'a Baseline ClusterNetworkPolicy denies ingress from every pod to every namespace, after its allowances',
      state: withTiers({ clusterPolicies: [denyAllAfter('Accept')] }),
    },
  ],
  invalid: [
    {
      // The Pass hands shop's ingress on to NetworkPolicies (none) and then to the default allow.
      name: 'a Pass before the Deny of every pod',
      state: withTiers({ clusterPolicies: [denyAllAfter('Pass')] }),
      findings: [
        'Namespace/data metadata.name',
        'Namespace/kube-system metadata.name',
        'Namespace/shop metadata.name',
      ],
    },
    {
      // Pods deployed to shop later are not selected: only the namespace is reported, and api, the open workload.
      name: 'a default deny for some pods of a namespace only',
      state: withTiers({
        clusterPolicies: [
          cnp('web', {
            tier: 'Admin',
            priority: 1,
            subject: { pods: { podSelector: { matchLabels: { app: 'web' } } } },
            ingress: [{ action: 'Deny', from: [allPods] }],
          }),
          cnp('rest', {
            tier: 'Baseline',
            priority: 1,
            subject: {
              namespaces: { matchExpressions: [{ key: 'team', operator: 'NotIn', values: ['shop'] }] },
            },
            ingress: [{ action: 'Deny', from: [allPods] }],
          }),
        ],
      }),
      findings: ['Namespace/shop metadata.name'],
      messages: [['1 of its 2 workloads (shop/api)']],
    },
  ],
});
