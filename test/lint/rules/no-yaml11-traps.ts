import rule, { yamlTrap } from '../../../src/lint/rules/no-yaml11-traps.ts';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deploy, docs, ns, ruleTester, yaml } from '../helpers.ts';

const base = docs(ns('shop'), deploy('shop', 'web'));

ruleTester(rule, {
  valid: [
    {
      name: 'quoted values and plain numbers',
      yaml: docs(
        base,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: web, namespace: shop, labels: {enabled: "yes"}}
          spec:
            podSelector: {matchLabels: {app: web, debug: "on"}}
            ingress:
              - ports: [{port: 8080}, {port: "http"}]
        `,
      ),
    },
    {
      // Only what netfence reads is checked: a ConfigMap's data is not.
      name: 'a ConfigMap value',
      yaml: docs(
        base,
        yaml`
          apiVersion: v1
          kind: ConfigMap
          metadata: {name: settings, namespace: shop}
          data:
            feature: on
        `,
      ),
    },
  ],
  invalid: [
    {
      name: 'an unquoted on in a selector, and a port with a leading zero',
      yaml: docs(
        base,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: web, namespace: shop}
          spec:
            podSelector:
              matchLabels:
                app: web
                debug: on  # <-
            ingress:
              - ports:
                  - port: 08080  # <-
        `,
      ),
      messageIds: ['boolean', 'leadingZero'],
    },
    {
      // In YAML 1.1, 010 is 8: the cluster would open another port than the one reviewed.
      name: 'a valid octal port, and yes as a key',
      yaml: docs(
        base,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata:
            name: web
            namespace: shop
            labels:
              yes: "true"  # <-
          spec:
            podSelector: {}
            egress:
              - ports:
                  - port: 010  # <-
        `,
      ),
      messageIds: ['boolean', 'octal'],
    },
    {
      // Annotation values must be strings: kubectl would read 22:30 as the number 1350 and fail.
      name: 'an annotation with a sexagesimal value',
      yaml: docs(
        base,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata:
            name: web
            namespace: shop
            annotations:
              maintenance-window: 22:30  # <-
          spec:
            podSelector: {}
        `,
      ),
      messageIds: ['sexagesimal'],
    },
    {
      // Flow style puts a value right after [ , or ": and right before , ] or }.
      name: 'traps in flow collections without spaces',
      yaml: docs(
        base,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: web, namespace: shop}
          spec:
            podSelector: {matchLabels: {"debug":on}}  # <-
            ingress:
              - from: [{podSelector: {matchExpressions: [{key: tier, operator: In, values: [n,off]}]}}]  # <- <-
                ports: [{"port":010}]  # <-
        `,
      ),
      messageIds: ['boolean', 'boolean', 'boolean', 'octal'],
    },
  ],
});

test('yamlTrap reads values as YAML 1.1 would', () => {
  assert.deepEqual(yamlTrap('010'), { messageId: 'octal', data: { text: '010', octal: 8, decimal: 10 } });
  assert.deepEqual(yamlTrap('22:30'), { messageId: 'sexagesimal', data: { text: '22:30', value: 1350 } });
  assert.deepEqual(yamlTrap('N'), { messageId: 'boolean', data: { text: 'N', bool: 'false' } });
  assert.equal(yamlTrap('0'), undefined);
  assert.equal(yamlTrap('true'), undefined, 'true is a boolean in both versions');
  assert.equal(yamlTrap('8080'), undefined);
});
