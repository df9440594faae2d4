import rule from '../../../src/lint/rules/no-split-peer.ts';
import { deploy, docs, ns, ruleTester, yaml } from '../helpers.ts';

const base = docs(
  ns('shop', { team: 'storefront' }),
  ns('payments', { team: 'payments' }),
  deploy('shop', 'checkout'),
  deploy('shop', 'web'),
  deploy('payments', 'gateway'),
  deploy('payments', 'fraud-check'),
);

ruleTester(rule, {
  valid: [
    {
      name: 'one peer with both selectors (the AND)',
      yaml: docs(
        base,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: allow-gateway, namespace: payments}
          spec:
            podSelector: {matchLabels: {app: gateway}}
            ingress:
              - from:
                  - namespaceSelector: {matchLabels: {team: storefront}}
                    podSelector: {matchLabels: {app: checkout}}
        `,
      ),
    },
    {
      // The pod peer finds fraud-check at home, and no fraud-check runs in shop: the OR is meant.
      name: 'two peers where the input shows the OR is meant',
      yaml: docs(
        base,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: allow-gateway, namespace: payments}
          spec:
            podSelector: {matchLabels: {app: gateway}}
            ingress:
              - from:
                  - namespaceSelector: {matchLabels: {team: storefront}}
                  - podSelector: {matchLabels: {app: fraud-check}}
        `,
      ),
    },
    {
      // Each shape below is no split: a combined peer next to a pod peer, a namespace peer next to a combined
      // peer, two pod peers, two namespace peers, a namespace peer next to an ipBlock, a rule without peers.
      name: 'adjacent peers of other shapes',
      yaml: docs(
        base,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: allow-gateway, namespace: payments}
          spec:
            podSelector: {matchLabels: {app: gateway}}
            ingress:
              - from:
                  - namespaceSelector: {matchLabels: {team: storefront}}
                    podSelector: {matchLabels: {app: checkout}}
                  - podSelector: {matchLabels: {app: checkout}}
              - from:
                  - namespaceSelector: {matchLabels: {team: storefront}}
                  - namespaceSelector: {matchLabels: {team: storefront}}
                    podSelector: {matchLabels: {app: checkout}}
              - from:
                  - podSelector: {matchLabels: {app: checkout}}
                  - podSelector: {matchLabels: {app: web}}
              - from:
                  - namespaceSelector: {matchLabels: {team: storefront}}
                  - namespaceSelector: {matchLabels: {team: payments}}
              - from:
                  - namespaceSelector: {matchLabels: {team: storefront}}
                  - ipBlock: {cidr: 10.0.0.0/8}
              - ports: [{port: 8443}]
        `,
      ),
    },
  ],
  invalid: [
    {
      name: 'the classic extra "-": every pod of shop, or checkout pods of payments (none)',
      yaml: docs(
        base,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: allow-gateway, namespace: payments}
          spec:
            podSelector: {matchLabels: {app: gateway}}
            ingress:
              - from:
                  - namespaceSelector: {matchLabels: {team: storefront}}
                  - podSelector: {matchLabels: {app: checkout}}  # <-
        `,
      ),
      messages: [
        [
          'namespaceSelector (team=storefront) and podSelector (app=checkout) are two peers: this allows every pod of namespace shop (2 workloads) OR matching pods of "payments" (none); if you meant matching pods of namespace shop (shop/checkout), remove the "-" before podSelector to make one peer',
        ],
      ],
    },
    {
      name: 'the same mistake, podSelector first, in an egress rule',
      yaml: docs(
        base,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: web-egress, namespace: shop}
          spec:
            podSelector: {matchLabels: {app: checkout}}
            egress:
              - to:
                  - podSelector: {matchLabels: {app: gateway}}
                  - namespaceSelector: {matchLabels: {team: payments}}  # <-
        `,
      ),
      messages: [
        [
          'namespaceSelector (team=payments) and podSelector (app=gateway) are two peers: this allows every pod of namespace payments (2 workloads) OR matching pods of "shop" (none); if you meant matching pods of namespace payments (payments/gateway), remove the "-" before namespaceSelector to make one peer',
        ],
      ],
    },
    {
      // namespaceSelector: {} stands for every pod of the cluster but the host-network ones, which no selector
      // matches: 4 workloads, not 5.
      name: 'an item selecting every namespace',
      yaml: docs(
        base,
        deploy('payments', 'node-agent', { hostNetwork: true }),
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: allow-gateway, namespace: payments}
          spec:
            podSelector: {matchLabels: {app: gateway}}
            ingress:
              - from:
                  - namespaceSelector: {}
                  - podSelector: {matchLabels: {app: checkout}}  # <-
        `,
      ),
      messages: [
        ['every pod of every namespace (4 workloads) OR', 'matching pods of every namespace (shop/checkout)'],
      ],
    },
    {
      name: 'an item selecting no namespace of the input',
      yaml: docs(
        base,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: allow-gateway, namespace: payments}
          spec:
            podSelector: {matchLabels: {app: gateway}}
            ingress:
              - from:
                  - namespaceSelector: {matchLabels: {team: nobody}}
                  - podSelector: {matchLabels: {app: checkout}}  # <-
        `,
      ),
      messages: [['every pod of the namespaces it selects (0 workloads) OR', '(none in the input)']],
    },
    {
      name: 'an item selecting two namespaces',
      yaml: docs(
        base,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: allow-gateway, namespace: payments}
          spec:
            podSelector: {matchLabels: {app: gateway}}
            ingress:
              - from:
                  - namespaceSelector: {matchExpressions: [{key: team, operator: Exists}]}
                  - podSelector: {matchLabels: {app: checkout}}  # <-
        `,
      ),
      messages: [['every pod of namespaces payments and shop (4 workloads) OR']],
    },
    {
      // The pod peer finds web at home, but web also runs in payments: the OR is not shown to be meant.
      name: 'pods of that label at home and in the namespaces selected',
      yaml: docs(
        base,
        deploy('payments', 'web'),
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: web-egress, namespace: shop}
          spec:
            podSelector: {matchLabels: {app: checkout}}
            egress:
              - to:
                  - namespaceSelector: {matchLabels: {team: payments}}
                  - podSelector: {matchLabels: {app: web}}  # <-
        `,
      ),
    },
  ],
});
