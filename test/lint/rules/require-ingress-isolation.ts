import rule from '../../../src/lint/rules/require-ingress-isolation.ts';
import { deploy, docs, ns, ruleTester, stateRuleTester, yaml } from '../helpers.ts';
import { cnp, policy } from '../../support/builders.ts';
import { allPods, withTiers } from '../tier-fixtures.ts';

const allowWeb = yaml`
  apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata: {name: allow-web, namespace: shop}
  spec:
    podSelector: {matchLabels: {app: web}}
    ingress:
      - ports: [{port: 8080}]
`;

ruleTester(rule, {
  valid: [
    { name: 'every workload selected', yaml: docs(ns('shop'), deploy('shop', 'web'), allowWeb) },
    {
      // require-default-deny-ingress reports a namespace without any ingress policy, once.
      name: 'a namespace with no ingress policy at all is left to require-default-deny-ingress',
      yaml: docs(ns('shop'), deploy('shop', 'web'), deploy('shop', 'api')),
    },
    {
      name: 'a workload isolated by a CiliumNetworkPolicy is not open',
      yaml: docs(
        ns('shop'),
        deploy('shop', 'web'),
        deploy('shop', 'api'),
        allowWeb,
        yaml`
          apiVersion: cilium.io/v2
          kind: CiliumNetworkPolicy
          metadata: {name: api, namespace: shop}
          spec:
            endpointSelector: {matchLabels: {app: api}}
            ingress:
              - fromEndpoints: [{matchLabels: {app: web}}]
        `,
      ),
    },
    {
      name: 'host-network workloads cannot be isolated by policies',
      yaml: docs(ns('shop'), deploy('shop', 'web'), deploy('shop', 'agent', { hostNetwork: true }), allowWeb),
    },
  ],
  invalid: [
    {
      name: 'a workload left out by the namespace policies',
      yaml: docs(ns('shop'), deploy('shop', 'web'), deploy('shop', 'api', { mark: true }), allowWeb),
    },
    {
      // A policy whose selector has a typo selects nothing: the workload is still open.
      name: 'a workload whose only policy has a label typo',
      yaml: docs(
        ns('shop'),
        deploy('shop', 'web', { mark: true }),
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: allow-web, namespace: shop}
          spec:
            podSelector: {matchLabels: {app: wbe}}
            ingress: []
        `,
      ),
    },
  ],
});

// Cluster-wide policies (built as cluster states until manifests of them can be parsed in these tables).
const isolateWeb = policy('shop', 'web', {
  podSelector: { matchLabels: { app: 'web' } },
  policyTypes: ['Ingress'],
});
const denyApi = (ports?: { tcp: { destinationPort: { number: number } } }[]) =>
  cnp('api', {
    tier: 'Baseline',
    priority: 10,
    subject: { pods: { podSelector: { matchLabels: { app: 'api' } } } },
    ingress: [{ action: 'Deny', from: [allPods], ...(ports === undefined ? {} : { protocols: ports }) }],
  });

stateRuleTester(rule, {
  valid: [
    {
      name: 'a Baseline policy denies ingress to the workload no NetworkPolicy selects',
      state: withTiers({ policies: [isolateWeb], clusterPolicies: [denyApi()] }),
    },
  ],
  invalid: [
    {
      name: 'a Baseline policy that denies one port only does not isolate it',
      state: withTiers({
        policies: [isolateWeb],
        clusterPolicies: [denyApi([{ tcp: { destinationPort: { number: 22 } } }])],
      }),
      findings: ['shop/Pod/api'],
    },
  ],
});
