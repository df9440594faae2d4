/**
 * no-unknown-field beyond its table (test/lint/rules/no-unknown-field.ts): the consequence counted in each of
 * its three ways (more, fewer, on other ports; several at once, in the plural), a typo whose right spelling
 * is there already (not a typo then), in a list, beside a field of another kind of peer, in a policy without
 * namespace, and one whose fix changes only connections to addresses.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import rule from '../../src/lint/rules/no-unknown-field.ts';
import { deploy, docs, ns, yaml } from './helpers.ts';
import { findingsOf } from './rule-details.ts';

const base = docs(
  ns('data'),
  deploy('data', 'db'),
  deploy('data', 'cache'),
  deploy('data', 'queue'),
  ns('shop'),
  deploy('shop', 'web'),
  deploy('shop', 'api'),
);
const strict =
  "With strict field validation (kubectl's default) the API server rejects the object; with none it drops the field";
const unknown = (key: string): string =>
  `Unknown field "${key}": with strict field validation (kubectl's default) the API server rejects the object; with none it drops the field. Remove it`;
const seen = (text: string): string[][] => findingsOf(rule, text).map((f) => [f.at, f.message]);

test('a misspelled podSelector: more connections, and others on other ports', () => {
  // data denies all ingress; cache lets shop in on 80; allow-shop means db on 5432. Misspelled, it lets shop
  // into every pod of data on 5432: queue (2 more pairs) and cache (on 80 and 5432: 2 pairs on other ports).
  const text = docs(
    base,
    yaml`
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata: {name: deny-all, namespace: data}
      spec:
        podSelector: {}
        policyTypes: [Ingress]
      ---
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata: {name: allow-80, namespace: data}
      spec:
        podSelector: {matchLabels: {app: cache}}
        ingress:
          - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: shop}}}]
            ports: [{port: 80}]
      ---
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata: {name: allow-shop, namespace: data}
      spec:
        podSelecter: {matchLabels: {app: db}}
        ingress:
          - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: shop}}}]
            ports: [{port: 5432}]
    `,
  );
  assert.deepEqual(seen(text), [
    [
      '121 data/NetworkPolicy/allow-shop spec.podSelecter',
      `Unknown field "podSelecter" (did you mean "podSelector"?): spec.podSelector is then empty: this policy selects every pod in data; 2 more connections between workloads are allowed, 2 connections between workloads are allowed on other ports than with the field spelled right. ${strict}`,
    ],
  ]);
});

test('typos in a list, beside a selector, in a policy without namespace', () => {
  const text = docs(
    base,
    yaml`
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata: {name: db, namespace: data}
      spec:
        podSelector: {matchLabels: {app: db}}
        ingress:
          - from: [{podSelector: {}}]
          - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: shop}}}]
            prots: [{port: 5432}]
      ---
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata: {name: cache, namespace: data}
      spec:
        podSelector: {matchLabels: {app: cache}}
        ingress:
          - from: [{podSelector: {}, ipBlok: {cidr: 10.0.0.0/8}}]
      ---
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata: {name: nowhere}
      spec:
        podSelecter: {matchLabels: {app: db}}
        policyTypes: [Ingress]
      ---
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata: {name: empty, namespace: ""}
      spec:
        podSelecter: {matchLabels: {app: db}}
        policyTypes: [Ingress]
    `,
  );
  assert.deepEqual(seen(text), [
    [
      '109 data/NetworkPolicy/db spec.ingress[1].prots',
      `Unknown field "prots" (did you mean "ports"?): spec.ingress[1].ports is then absent; 2 connections between workloads are allowed on other ports than with the field spelled right. ${strict}`,
    ],
    [
      // Spelled right, the peer would hold a podSelector and an ipBlock: the API server rejects that policy,
      // which then isolates nothing.
      '117 data/NetworkPolicy/cache spec.ingress[0].from[0].ipBlok',
      `Unknown field "ipBlok" (did you mean "ipBlock"?): spec.ingress[0].from[0].ipBlock is then absent; 2 fewer connections between workloads are allowed than with the field spelled right. ${strict}`,
    ],
    [
      '123 default/NetworkPolicy/nowhere spec.podSelecter',
      `Unknown field "podSelecter" (did you mean "podSelector"?): spec.podSelector is then empty: this policy selects every pod in default; the connections between workloads are the same as with the field spelled right. ${strict}`,
    ],
    [
      // An empty namespace is the default one too.
      '130 default/NetworkPolicy/empty spec.podSelecter',
      `Unknown field "podSelecter" (did you mean "podSelector"?): spec.podSelector is then empty: this policy selects every pod in default; the connections between workloads are the same as with the field spelled right. ${strict}`,
    ],
  ]);
});

test('the right spelling already there; an unknown field; a fix that changes only connections to addresses', () => {
  const text = docs(
    base,
    yaml`
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata: {name: both, namespace: data}
      spec:
        podSelector: {}
        podSelecter: {matchLabels: {app: db}}
        policyTypes: [Ingress]
        ingress:
          - from: [{namespaceSelector: {}, namespaceSelectr: {}}]
        whatever: 1
      ---
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata: {name: egress-typo, namespace: data}
      spec:
        podSelector: {matchLabels: {app: queue}}
        policyTypes: [Egress]
        egres: [{to: [{ipBlock: {cidr: 203.0.113.0/24}}]}]
    `,
  );
  assert.deepEqual(seen(text), [
    ['106 data/NetworkPolicy/both spec.podSelecter', unknown('podSelecter')],
    ['109 data/NetworkPolicy/both spec.ingress[0].from[0].namespaceSelectr', unknown('namespaceSelectr')],
    ['110 data/NetworkPolicy/both spec.whatever', unknown('whatever')],
    [
      // Only queue's egress to 203.0.113.0/24 differs: no connection between workloads.
      '118 data/NetworkPolicy/egress-typo spec.egres',
      `Unknown field "egres" (did you mean "egress"?): spec.egress is then absent; the connections between workloads are the same as with the field spelled right. ${strict}`,
    ],
  ]);
});
