import rule from '../../../src/lint/rules/require-default-deny-egress.ts';
import { deploy, docs, ns, ruleTester, yaml } from '../helpers.ts';

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
  ],
  invalid: [
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
