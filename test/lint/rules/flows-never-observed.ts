import rule from '../../../src/lint/rules/flows-never-observed.ts';
import type { ObservedConnection } from '../../../src/lint/types.ts';
import { deploy, docs, ns, ruleTester, yaml } from '../helpers.ts';

const w = (id: string) => ({ kind: 'workload' as const, id });
const base = docs(
  ns('data'),
  ns('shop'),
  deploy('data', 'redis'),
  deploy('shop', 'api'),
  deploy('shop', 'cart'),
);
const allowRedis = (from: string, marker = ''): string => yaml`
  apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata: {name: allow-redis, namespace: data}
  spec:
    podSelector: {matchLabels: {app: redis}}
    ingress:
      - from: ${from}${marker}
        ports: [{port: 6379}]
`;
const apiToRedis: ObservedConnection[] = [
  { src: w('shop/Deployment/api'), dst: w('data/Deployment/redis'), protocol: 'TCP', port: 6379 },
];
const both: ObservedConnection[] = [
  ...apiToRedis,
  { src: w('shop/Deployment/cart'), dst: w('data/Deployment/redis'), protocol: 'TCP', port: 6379 },
];

ruleTester(rule, {
  valid: [
    {
      name: 'every allowed connection was observed',
      yaml: docs(
        base,
        allowRedis('[{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: shop}}}]'),
      ),
      observed: both,
    },
    {
      // Pods that no policy isolates are the isolation rules' business, not this one's.
      // cart → api and api → cart are allowed (shop has no policy) and never observed.
      name: 'unobserved traffic between pods no policy selects',
      yaml: docs(
        base,
        allowRedis(
          '[{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: shop}}, podSelector: {matchLabels: {app: api}}}]',
        ),
      ),
      observed: apiToRedis,
    },
  ],
  invalid: [
    {
      name: 'a rule open to a namespace where only one workload uses it',
      yaml: docs(
        base,
        allowRedis('[{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: shop}}}]', '  # <-'),
      ),
      observed: apiToRedis,
    },
    {
      // Nothing at all reaches redis in the capture: the rule is reported, with every connection it allows.
      name: 'a rule whose connections were never observed',
      yaml: docs(base, allowRedis('[{namespaceSelector: {}}]', '  # <-')),
      observed: [],
    },
  ],
});

// Cluster-wide policy tiers: the rule that decides the unobserved traffic is the one reported, at any layer.
/** An Admin ClusterNetworkPolicy for redis's ingress from shop: `Accept` on 6379, or `Pass` on every port. */
const shopToRedis = (action: 'Accept' | 'Pass', marker = ''): string => yaml`
  apiVersion: policy.networking.k8s.io/v1beta1
  kind: ClusterNetworkPolicy
  metadata: {name: shop-to-redis}
  spec:
    tier: Admin
    priority: 10
    subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: data}}}
    ingress:
      - action: ${action}${marker}
        from: [{namespaces: {matchLabels: {kubernetes.io/metadata.name: shop}}}]
        ${action === 'Accept' ? 'protocols: [{tcp: {destinationPort: {number: 6379}}}]' : ''}
`;

ruleTester(rule, {
  valid: [
    {
      name: 'an Admin Accept rule whose every connection was observed',
      yaml: docs(base, shopToRedis('Accept')),
      observed: both,
    },
  ],
  invalid: [
    {
      // cart → redis is never observed; the Admin rule decides it (the NetworkPolicy is never consulted
      // on 6379, so it is not blamed).
      name: 'an Admin Accept rule wider than the traffic, above a NetworkPolicy',
      yaml: docs(
        base,
        shopToRedis('Accept', '  # <-'),
        allowRedis('[{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: shop}}}]'),
      ),
      observed: apiToRedis,
    },
    {
      // The Admin tier passes shop's traffic down: the NetworkPolicy decides, and is reported.
      name: 'a NetworkPolicy rule under an Admin Pass',
      yaml: docs(
        base,
        shopToRedis('Pass'),
        allowRedis('[{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: shop}}}]', '  # <-'),
      ),
      observed: apiToRedis,
    },
  ],
});
