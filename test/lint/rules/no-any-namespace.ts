import rule from '../../../src/lint/rules/no-any-namespace.ts';
import { deploy, docs, ns, ruleTester, yaml } from '../helpers.ts';

const base = docs(ns('data'), deploy('data', 'redis'));

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
        `,
      ),
    },
  ],
  invalid: [
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
    },
  ],
});
