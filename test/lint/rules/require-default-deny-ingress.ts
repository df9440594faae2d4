import rule from '../../../src/lint/rules/require-default-deny-ingress.ts';
import { deploy, docs, ns, ruleTester, yaml } from '../helpers.ts';

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
