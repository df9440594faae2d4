import rule from '../../../src/lint/rules/no-allow-all-rule.ts';
import { deploy, docs, ns, ruleTester, yaml } from '../helpers.ts';

const base = docs(ns('shop'), deploy('shop', 'web'));

ruleTester(rule, {
  valid: [
    {
      // Open to everyone, but on one port: the usual shape of a public endpoint.
      name: 'no peers, but ports',
      yaml: docs(
        base,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: allow-web, namespace: shop}
          spec:
            podSelector: {matchLabels: {app: web}}
            ingress:
              - ports: [{port: 8080}]
        `,
      ),
    },
    {
      name: 'every pod of every namespace, but not every address',
      yaml: docs(
        base,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: allow-web, namespace: shop}
          spec:
            podSelector: {matchLabels: {app: web}}
            ingress:
              - from: [{namespaceSelector: {}}]
        `,
      ),
    },
  ],
  invalid: [
    {
      name: 'the "- {}" ingress rule',
      yaml: docs(
        base,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: allow-web, namespace: shop}
          spec:
            podSelector: {matchLabels: {app: web}}
            ingress:
              - {}  # <-
        `,
      ),
      messageIds: ['ingress'],
    },
    {
      name: 'an egress rule with neither "to" nor "ports"',
      yaml: docs(
        base,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: web-egress, namespace: shop}
          spec:
            podSelector: {matchLabels: {app: web}}
            policyTypes: [Egress]
            egress:
              - to: []  # <-
        `,
      ),
      messageIds: ['egress'],
    },
    {
      // Spelled out, it is the same as "- {}".
      name: 'peers covering every pod and every address, no ports',
      yaml: docs(
        base,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: allow-web, namespace: shop}
          spec:
            podSelector: {matchLabels: {app: web}}
            ingress:
              - from:  # <-
                  - namespaceSelector: {}
                  - ipBlock: {cidr: 0.0.0.0/0}
                  - ipBlock: {cidr: ::/0}
        `,
      ),
      messageIds: ['peers'],
    },
  ],
});
