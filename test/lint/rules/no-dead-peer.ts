import rule from '../../../src/lint/rules/no-dead-peer.ts';
import { deploy, docs, ns, ruleTester, yaml } from '../helpers.ts';

const base = docs(
  ns('shop', { team: 'storefront' }),
  ns('monitoring', { team: 'platform' }),
  deploy('shop', 'web'),
  deploy('shop', 'api'),
  deploy('monitoring', 'prometheus'),
  deploy('monitoring', 'node-exporter', { hostNetwork: true }),
);

ruleTester(rule, {
  valid: [
    {
      name: 'peers that match pods, in the namespace and across namespaces',
      yaml: docs(
        base,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: allow-api, namespace: shop}
          spec:
            podSelector: {matchLabels: {app: api}}
            ingress:
              - from:
                  - podSelector: {matchLabels: {app: web}}
                  - namespaceSelector: {matchLabels: {team: platform}}
                    podSelector: {matchLabels: {app: prometheus}}
                  - ipBlock: {cidr: 10.0.0.0/8}
        `,
      ),
    },
    {
      // kube-system is not in the input: its pods may well exist on the cluster.
      name: 'a namespace the input does not have is not judged',
      yaml: docs(
        base,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: dns, namespace: shop}
          spec:
            podSelector: {}
            egress:
              - to:
                  - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}
                    podSelector: {matchLabels: {k8s-app: kube-dns}}
        `,
      ),
    },
    {
      // No "from", or an empty one: every source, no peer to judge.
      name: 'rules without peers',
      yaml: docs(
        base,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: allow-api, namespace: shop}
          spec:
            podSelector: {matchLabels: {app: api}}
            ingress:
              - from: []
              - ports: [{port: 8080}]
        `,
      ),
    },
  ],
  invalid: [
    {
      // Labels close to none of the input's: no suggestion, the generic advice.
      name: 'a pod selector and a namespace selector that resemble nothing',
      yaml: docs(
        base,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: allow-api, namespace: shop}
          spec:
            podSelector: {matchLabels: {app: api}}
            ingress:
              - from:
                  - podSelector: {matchLabels: {tier: cache}}  # <-
                  - namespaceSelector: {matchLabels: {zone: eu}}  # <-
                  - podSelector: {matchLabels: {app: web}}
        `,
      ),
      messageIds: ['noPod', 'noNamespace'],
      messages: [
        [
          'Peer podSelector tier=cache matches no pod in namespace "shop", so it allows nothing; check its labels',
        ],
        [
          'namespaceSelector zone=eu matches no namespace, so peer namespaceSelector zone=eu allows nothing; check the namespace labels',
        ],
      ],
    },
    {
      name: 'a pod label typo, next to a peer that matches',
      yaml: docs(
        base,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: allow-api, namespace: shop}
          spec:
            podSelector: {matchLabels: {app: api}}
            ingress:
              - from:
                  - podSelector: {matchLabels: {app: wbe}}  # <-
                  - ipBlock: {cidr: 10.0.0.0/8}
        `,
      ),
      messageIds: ['noPod'],
      messages: [
        [
          'Peer podSelector app=wbe matches no pod in namespace "shop", so it allows nothing. Did you mean app=web?',
        ],
      ],
    },
    {
      name: 'a namespace label that no namespace has',
      yaml: docs(
        base,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: allow-api, namespace: shop}
          spec:
            podSelector: {matchLabels: {app: api}}
            ingress:
              - from:
                  - namespaceSelector: {matchLabels: {team: platfrom}}  # <-
        `,
      ),
      messageIds: ['noNamespace'],
      messages: [
        [
          'namespaceSelector team=platfrom matches no namespace, so peer namespaceSelector team=platfrom allows nothing. Did you mean team=platform?',
        ],
      ],
    },
    {
      // Selectors never match host-network pods: an ipBlock of the nodes is the only way.
      name: 'a peer that matches only host-network pods',
      yaml: docs(
        base,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: scrape, namespace: shop}
          spec:
            podSelector: {}
            ingress:
              - from:
                  - namespaceSelector: {matchLabels: {team: platform}}  # <-
                    podSelector: {matchLabels: {app: node-exporter}}
        `,
      ),
      messageIds: ['hostNetworkOnly'],
      messages: [
        [
          'Peer namespaceSelector team=platform, podSelector app=node-exporter matches only host-network pods (monitoring/node-exporter), which selectors never match; allow their node addresses with an ipBlock instead',
        ],
      ],
    },
    {
      // node-exporter runs on the host network: suggesting its label would only lead to hostNetworkOnly.
      name: 'a pod label typo close only to a host-network workload gets no suggestion',
      yaml: docs(
        base,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: scrape, namespace: shop}
          spec:
            podSelector: {}
            ingress:
              - from:
                  - namespaceSelector: {matchLabels: {team: platform}}  # <-
                    podSelector: {matchLabels: {app: node-exportr}}
        `,
      ),
      messageIds: ['noPod'],
      messages: [
        [
          'Peer namespaceSelector team=platform, podSelector app=node-exportr matches no pod in namespace "monitoring", so it allows nothing; check its labels',
        ],
      ],
    },
    {
      name: 'every peer of a rule is dead: one finding for the rule',
      yaml: docs(
        base,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: allow-api, namespace: shop}
          spec:
            podSelector: {matchLabels: {app: api}}
            ingress:
              - from:  # <-
                  - podSelector: {matchLabels: {app: frontend}}
                  - podSelector: {matchLabels: {app: backend}}
        `,
      ),
      messageIds: ['deadRule'],
      messages: [
        [
          'None of the 2 peers of this ingress rule matches a pod or an address (podSelector app=frontend), so the rule allows nothing; fix the selectors or remove the rule',
        ],
      ],
    },
  ],
});
