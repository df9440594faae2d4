import rule from '../../../src/lint/rules/require-egress-isolation.ts';
import { deploy, docs, ns, ruleTester, stateRuleTester, yaml } from '../helpers.ts';
import { cnp, policy } from '../../support/builders.ts';
import { allPods, withTiers } from '../tier-fixtures.ts';

const webEgress = yaml`
  apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata: {name: web-egress, namespace: shop}
  spec:
    podSelector: {matchLabels: {app: web}}
    policyTypes: [Egress]
    egress:
      - to: [{podSelector: {matchLabels: {app: api}}}]
`;

ruleTester(rule, {
  valid: [
    {
      name: 'every workload restricted',
      yaml: docs(
        ns('shop'),
        deploy('shop', 'web'),
        webEgress,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: deny-egress, namespace: shop}
          spec:
            podSelector: {matchLabels: {app: api}}
            policyTypes: [Egress]
        `,
        deploy('shop', 'api'),
      ),
    },
    {
      // Ingress policies say nothing about egress; require-default-deny-egress covers the namespace.
      name: 'a namespace with ingress policies only',
      yaml: docs(
        ns('shop'),
        deploy('shop', 'web'),
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: deny, namespace: shop}
          spec:
            podSelector: {}
        `,
      ),
    },
  ],
  invalid: [
    {
      name: 'one workload of the namespace has no egress policy',
      yaml: docs(ns('shop'), deploy('shop', 'web'), deploy('shop', 'api', { mark: true }), webEgress),
    },
  ],
});

// Cluster-wide policies (built as cluster states until manifests of them can be parsed in these tables).
const isolateWeb = policy('shop', 'web', {
  podSelector: { matchLabels: { app: 'web' } },
  policyTypes: ['Egress'],
});
const denyApi = (networks: string[]) =>
  cnp('api', {
    tier: 'Admin',
    priority: 10,
    subject: { pods: { podSelector: { matchLabels: { app: 'api' } } } },
    egress: [{ action: 'Deny', to: [allPods, ...(networks.length === 0 ? [] : [{ networks }])] }],
  });

stateRuleTester(rule, {
  valid: [
    {
      name: 'an Admin policy denies egress of the workload no NetworkPolicy selects',
      state: withTiers({ policies: [isolateWeb], clusterPolicies: [denyApi(['0.0.0.0/0'])] }),
    },
  ],
  invalid: [
    {
      name: 'an Admin policy that denies egress to pods only does not isolate it',
      state: withTiers({ policies: [isolateWeb], clusterPolicies: [denyApi([])] }),
      findings: ['shop/Pod/api'],
    },
  ],
});
