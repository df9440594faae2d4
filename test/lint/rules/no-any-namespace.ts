import rule from '../../../src/lint/rules/no-any-namespace.ts';
import { deploy, docs, ns, ruleTester, yaml } from '../helpers.ts';
import { cnpYaml, tierBaseYaml } from '../tier-fixtures.ts';

const base = docs(ns('data'), deploy('data', 'redis'));

/** An Admin ClusterNetworkPolicy on the data team's pods denying one direction with the shop team. */
const dataAdmin = (name: string, direction: 'ingress' | 'egress', peers: 'from' | 'to'): string =>
  cnpYaml(
    name,
    yaml`
      tier: Admin
      priority: 10
      subject: {namespaces: {matchLabels: {team: data}}}
      ${direction}:
        - action: Deny
          ${peers}: [{namespaces: {matchLabels: {team: shop}}}]
    `,
  );
const anyNamespaceToDb = yaml`
  apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata: {name: allow-db, namespace: data}
  spec:
    podSelector: {matchLabels: {app: db}}
    ingress:
      - from:
          - namespaceSelector: {}  # <-
`;

ruleTester(rule, {
  valid: [
    {
      name: 'namespaces selected by name, with a pod selector in the same peer',
      yaml: docs(
        base,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: allow-redis, namespace: data}
          spec:
            podSelector: {matchLabels: {app: redis}}
            ingress:
              - from:
                  - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: shop}}
                    podSelector: {matchLabels: {app: api}}
                  - podSelector: {matchLabels: {app: api}}
              - ports: [{port: 6379}]
        `,
      ),
    },
  ],
  invalid: [
    {
      // podSelector: {} beside it selects every pod too.
      name: 'every pod of every namespace, the pods written as {}',
      yaml: docs(
        base,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: allow-redis, namespace: data}
          spec:
            podSelector: {matchLabels: {app: redis}}
            ingress:
              - from:
                  - podSelector: {}
                    namespaceSelector: {}  # <-
        `,
      ),
      messageIds: ['everyPod'],
    },
    {
      name: 'every pod of every namespace',
      yaml: docs(
        base,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: allow-redis, namespace: data}
          spec:
            podSelector: {matchLabels: {app: redis}}
            ingress:
              - from:
                  - namespaceSelector: {}  # <-
                ports: [{port: 6379}]
        `,
      ),
      messageIds: ['everyPod'],
      messages: [
        [
          'namespaceSelector: {} lets every pod of every namespace connect to data/redis; select the namespaces that need it, e.g. namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: <namespace>}}',
        ],
      ],
    },
    {
      // Anyone who can create a pod in any namespace can label it app=prometheus.
      name: 'labelled pods of any namespace, in an egress rule',
      yaml: docs(
        base,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: redis-egress, namespace: data}
          spec:
            podSelector: {matchLabels: {app: redis}}
            policyTypes: [Egress]
            egress:
              - to:
                  - podSelector: {matchLabels: {app: prometheus}}
                    namespaceSelector: {}  # <-
        `,
      ),
      messageIds: ['anyNamespace'],
      messages: [
        [
          'namespaceSelector: {} lets pods labelled app=prometheus in any namespace receive connections from data/redis, and anyone who can create a pod can label it so; also select the namespace, e.g. kubernetes.io/metadata.name: <namespace>',
        ],
      ],
    },
    {
      // An Admin Deny keeps the other teams out of data/db: the reach stated is the NetworkPolicy's only.
      name: 'cluster policies deny some of the reach first: the message says so',
      yaml: docs(tierBaseYaml, dataAdmin('data-only', 'ingress', 'from'), anyNamespaceToDb),
      messageIds: ['everyPod'],
      messages: [
        [
          'lets every pod of every namespace connect to data/db as far as NetworkPolicies go (cluster policies decide first, and Deny rules of ClusterNetworkPolicy/data-only keep part of it out: netfence explain shows one connection); select',
        ],
      ],
    },
    {
      // A Deny of traffic the NetworkPolicy does not concern (egress) changes nothing in the message.
      name: 'cluster policies that deny only the other direction: no qualifier',
      yaml: docs(tierBaseYaml, dataAdmin('no-egress', 'egress', 'to'), anyNamespaceToDb),
      messageIds: ['everyPod'],
      messages: [['lets every pod of every namespace connect to data/db; select']],
    },
  ],
});
