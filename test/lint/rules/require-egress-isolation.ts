import rule from '../../../src/lint/rules/require-egress-isolation.ts';
import { deploy, docs, ns, ruleTester, yaml } from '../helpers.ts';

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
