import rule from '../../../src/lint/rules/no-redundant-rule.ts';
import { deploy, docs, ns, ruleTester, yaml } from '../helpers.ts';

const base = docs(
  ns('shop'),
  deploy('shop', 'web', { ports: ['http:8080', 'metrics:9464'] }),
  deploy('shop', 'api', { ports: ['http:8080'] }),
  deploy('shop', 'cart'),
);

ruleTester(rule, {
  valid: [
    {
      name: 'rules that allow different sources',
      yaml: docs(
        base,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: allow-api, namespace: shop}
          spec:
            podSelector: {matchLabels: {app: api}}
            ingress:
              - from: [{podSelector: {matchLabels: {app: web}}}]
                ports: [{port: 8080}]
              - from: [{podSelector: {matchLabels: {app: cart}}}]
                ports: [{port: 8080}]
        `,
      ),
    },
    {
      // The rule is covered for web, but it also applies to api, where nothing else allows it.
      name: 'a rule covered for some of its pods only',
      yaml: docs(
        base,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: allow-http, namespace: shop}
          spec:
            podSelector: {matchExpressions: [{key: app, operator: In, values: [web, api]}]}
            ingress:
              - ports: [{port: http}]
          ---
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: allow-web, namespace: shop}
          spec:
            podSelector: {matchLabels: {app: web}}
            ingress:
              - {}
        `,
      ),
    },
    {
      // A namespace-wide rule also applies to pods deployed later: only another namespace-wide rule covers it.
      name: 'a namespace-wide rule covered only by a per-workload one',
      yaml: docs(
        ns('data'),
        deploy('data', 'redis'),
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: scrape, namespace: data}
          spec:
            podSelector: {}
            ingress:
              - ports: [{port: 9121}]
          ---
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: allow-redis, namespace: data}
          spec:
            podSelector: {matchLabels: {app: redis}}
            ingress:
              - {}
        `,
      ),
    },
  ],
  invalid: [
    {
      // A rule without ports also allows ICMP and other IP protocols; TCP, UDP and SCTP 1-65535 do not: the
      // rule without ports is kept (though later), the one with every port of the three protocols reported.
      name: 'every port of the three protocols is covered by "no ports", not the other way round',
      yaml: docs(
        base,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: allow-web, namespace: shop}
          spec:
            podSelector: {matchLabels: {app: web}}
            ingress:
              - from: [{podSelector: {}}]  # <-
                ports: [{protocol: TCP}, {protocol: UDP}, {protocol: SCTP}]
              - from: [{podSelector: {}}]
        `,
      ),
      messages: [
        [
          'Everything this ingress rule allows is already allowed by spec.ingress[1] of this policy, so it changes nothing; remove it',
        ],
      ],
    },
    {
      name: 'a port already allowed to the same sources by a wider rule of the same policy',
      yaml: docs(
        base,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: allow-web, namespace: shop}
          spec:
            podSelector: {matchLabels: {app: web}}
            ingress:
              - from: [{podSelector: {}}]
                ports: [{port: 8000, endPort: 9000}]
              - from: [{podSelector: {matchLabels: {app: api}}}]  # <-
                ports: [{port: 8080}]
        `,
      ),
      messageIds: ['single'],
      messages: [
        [
          'Everything this ingress rule allows is already allowed by spec.ingress[0] of this policy, so it changes nothing; remove it',
        ],
      ],
    },
    {
      // Of two identical rules (http is 8080 on api), the first one written is kept and the second reported.
      // (Were it the only rule of b, the whole policy would be redundant: no-redundant-policy's finding.)
      name: 'the same rule in two policies',
      yaml: docs(
        base,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: a, namespace: shop}
          spec:
            podSelector: {matchLabels: {app: api}}
            ingress:
              - from: [{podSelector: {matchLabels: {app: web}}}]
                ports: [{port: 8080}]
              - from: [{podSelector: {matchLabels: {app: cart}}}]
          ---
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: b, namespace: shop}
          spec:
            podSelector: {matchLabels: {app: api}}
            ingress:
              - from: [{podSelector: {matchLabels: {app: web}}}]  # <-
                ports: [{port: http}]
              - from: [{podSelector: {matchLabels: {app: web}}}]
                ports: [{port: 9999}]
        `,
      ),
      messageIds: ['single'],
      messages: [
        [
          'Everything this ingress rule allows is already allowed by spec.ingress[0] of shop/a, so it changes nothing; remove it',
        ],
      ],
    },
    {
      name: 'covered by two rules together',
      yaml: docs(
        base,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: allow-api, namespace: shop}
          spec:
            podSelector: {matchLabels: {app: api}}
            ingress:
              - from: [{podSelector: {matchLabels: {app: web}}}]
              - from: [{podSelector: {matchLabels: {app: cart}}}]
              - from:  # <-
                  - podSelector: {matchExpressions: [{key: app, operator: In, values: [web, cart]}]}
                ports: [{port: 8080}]
        `,
      ),
      messageIds: ['several'],
      messages: [
        [
          'Everything this ingress rule allows is already allowed by spec.ingress[1] of this policy and spec.ingress[0] of this policy together, so it changes nothing; remove it',
        ],
      ],
    },
  ],
});
