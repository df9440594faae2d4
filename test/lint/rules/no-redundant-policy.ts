import rule from '../../../src/lint/rules/no-redundant-policy.ts';
import { deploy, docs, ns, ruleTester, yaml } from '../helpers.ts';

const base = docs(ns('shop'), deploy('shop', 'web'), deploy('shop', 'api'));
const denyAll = (name: string, marker = ''): string => yaml`
  apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata:
    name: ${name}${marker}
    namespace: shop
  spec:
    podSelector: {}
`;
const allowApi = (name: string, marker = ''): string => yaml`
  apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata:
    name: ${name}${marker}
    namespace: shop
  spec:
    podSelector: {matchLabels: {app: api}}
    ingress:
      - from: [{podSelector: {matchLabels: {app: web}}}]
        ports: [{port: 8080}]
`;

ruleTester(rule, {
  valid: [
    { name: 'a default deny and an allow', yaml: docs(base, denyAll('default-deny'), allowApi('allow-api')) },
    {
      // The default deny is not replaceable by an allow policy that happens to isolate the same pods today.
      name: 'a default deny next to namespace-wide allow policies',
      yaml: docs(
        base,
        denyAll('default-deny'),
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: allow-same-namespace, namespace: shop}
          spec:
            podSelector: {}
            ingress: [{from: [{podSelector: {}}]}]
        `,
      ),
    },
    {
      // Its ingress rule is covered, but it is the only policy that denies api's egress.
      name: 'a covered allow rule next to a deny of a direction only this policy isolates',
      yaml: docs(
        base,
        denyAll('default-deny'),
        allowApi('allow-api'),
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: api-no-egress, namespace: shop}
          spec:
            podSelector: {matchLabels: {app: api}}
            policyTypes: [Ingress, Egress]
            ingress:
              - from: [{podSelector: {matchLabels: {app: web}}}]
                ports: [{port: 8080}]
        `,
      ),
    },
  ],
  invalid: [
    {
      name: 'the same default deny twice (under two names)',
      yaml: docs(base, denyAll('default-deny'), denyAll('deny-all-ingress', '  # <-')),
      messageIds: ['isolation'],
      messages: [
        [
          'Policy "shop/deny-all-ingress" changes nothing: the pods it selects are already isolated for Ingress by shop/default-deny; remove it',
        ],
      ],
    },
    {
      // Removing allow-api changes nothing: open-api still isolates api, and allows everything anyway.
      name: 'an allow policy whose rule another policy of the same pods covers',
      yaml: docs(
        base,
        allowApi('allow-api', '  # <-'),
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: open-api, namespace: shop}
          spec:
            podSelector: {matchLabels: {app: api}}
            ingress: [{}]
        `,
      ),
      messageIds: ['duplicate'],
      messages: [
        [
          'Policy "shop/allow-api" changes nothing: other policies already allow everything it allows, and its pods stay isolated through shop/open-api; remove it',
        ],
      ],
    },
    {
      name: 'a copy of an allow policy under another name',
      yaml: docs(base, denyAll('default-deny'), allowApi('allow-api'), allowApi('allow-api-copy', '  # <-')),
      messageIds: ['duplicate'],
      messages: [
        [
          'Policy "shop/allow-api-copy" changes nothing: other policies already allow everything it allows, and its pods stay isolated through shop/allow-api; remove it',
        ],
      ],
    },
    {
      // Each direction is isolated by another policy: both are named, in name order.
      name: 'a deny of both directions next to a deny of each',
      yaml: docs(
        base,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: block-egress, namespace: shop}
          spec: {podSelector: {}, policyTypes: [Egress]}
          ---
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: block-ingress, namespace: shop}
          spec: {podSelector: {}, policyTypes: [Ingress]}
          ---
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: deny-both, namespace: shop}  # <-
          spec: {podSelector: {}, policyTypes: [Ingress, Egress]}
        `,
      ),
      messageIds: ['isolation'],
      messages: [
        [
          'Policy "shop/deny-both" changes nothing: the pods it selects are already isolated for Ingress and Egress by shop/block-egress and shop/block-ingress; remove it',
        ],
      ],
    },
    {
      name: 'the same egress deny twice',
      yaml: docs(
        base,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: block-egress, namespace: shop}
          spec: {podSelector: {}, policyTypes: [Egress]}
          ---
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: block-egress-2, namespace: shop}  # <-
          spec: {podSelector: {}, policyTypes: [Egress]}
        `,
      ),
      messageIds: ['isolation'],
      messages: [['isolated for Egress by shop/block-egress;']],
    },
    {
      // One rule in each direction: a policy with rules, even when it has as many of one as of the other.
      name: 'a copy of a policy with an ingress and an egress rule',
      yaml: docs(
        base,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: api, namespace: shop}
          spec:
            podSelector: {matchLabels: {app: api}}
            ingress: [{from: [{podSelector: {matchLabels: {app: web}}}]}]
            egress: [{to: [{podSelector: {matchLabels: {app: web}}}]}]
          ---
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: api-copy, namespace: shop}  # <-
          spec:
            podSelector: {matchLabels: {app: api}}
            ingress: [{from: [{podSelector: {matchLabels: {app: web}}}]}]
            egress: [{to: [{podSelector: {matchLabels: {app: web}}}]}]
        `,
      ),
      messageIds: ['duplicate'],
    },
  ],
});
