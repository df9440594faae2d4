import rule from '../../../src/lint/rules/require-ingress-isolation.ts';
import { deploy, docs, ns, ruleTester, yaml } from '../helpers.ts';

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
