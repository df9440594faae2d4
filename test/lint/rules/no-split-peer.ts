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
  ],
});
