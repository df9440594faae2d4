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
    {
      // Every address outside, but no pod: the in-cluster sources stay shut out.
      name: 'every address, but no pod',
      yaml: docs(
        base,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: allow-web, namespace: shop}
          spec:
            podSelector: {matchLabels: {app: web}}
            ingress:
              - from:
                  - ipBlock: {cidr: 0.0.0.0/0}
                  - ipBlock: {cidr: ::/0}
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
      messages: [
        [
          'This ingress rule has no "from" and no "ports", so every pod of the cluster and any address can reach every port of shop/web; list the sources in "from" and the ports in "ports"',
        ],
      ],
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
      messages: [
        [
          'This egress rule has no "to" and no "ports", so shop/web may connect anywhere on every port; list the destinations in "to" and the ports in "ports"',
        ],
      ],
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
      messages: [
        [
          'The peers of this ingress rule cover every pod of every namespace and every address, and it has no "ports": it allows everything to shop/web; narrow the peers, or list the ports',
        ],
      ],
    },
  ],
});
