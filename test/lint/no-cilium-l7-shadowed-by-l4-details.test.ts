/**
 * no-cilium-l7-shadowed-by-l4 beyond its table (test/lint/rules/no-cilium-l7-shadowed-by-l4.ts): egress, the
 * three kinds of peer an L7 rule can have (every pod through `{}`, no peer field at all, addresses), an entry
 * shadowed by two allows, and the whole message, place and workloads of each finding.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import rule from '../../src/lint/rules/no-cilium-l7-shadowed-by-l4.ts';
import { deploy, docs, ns, yaml } from './helpers.ts';
import { findingsOf, stateFindingsOf } from './rule-details.ts';
import { ccnp, cluster, cnpCilium, pod } from '../support/builders.ts';
import type { ClusterState } from '../../src/model/cluster.ts';

const base = docs(ns('shop'), deploy('shop', 'web'), deploy('shop', 'api'), deploy('shop', 'admin'));

test('egress L7 rules to every pod, to addresses and to every peer, shadowed at L4', () => {
  const text = docs(
    base,
    yaml`
  apiVersion: cilium.io/v2
  kind: CiliumNetworkPolicy
  metadata: {name: web-out, namespace: shop}
  spec:
    endpointSelector: {matchLabels: {app: web}}
    egress:
      - toEndpoints: [{}]
        toPorts:
          - ports: [{port: "8080", protocol: TCP}]
            rules: {http: [{method: GET}]}
      - toCIDR: [192.0.2.0/24, 198.51.100.0/24]
        toPorts:
          - ports: [{port: "8080", protocol: TCP}]
            rules: {http: [{method: GET}]}
      - toPorts:
          - ports: [{port: "9090", protocol: TCP}]
            rules: {http: [{method: GET}]}
  ---
  apiVersion: cilium.io/v2
  kind: CiliumNetworkPolicy
  metadata: {name: web-l4, namespace: shop}
  spec:
    endpointSelector: {matchLabels: {app: web}}
    egress:
      - toEndpoints: [{}]
      - toCIDR: [192.0.2.0/24, 0.0.0.0/0]
        toPorts: [{ports: [{port: "8080"}, {port: "9090"}]}]
  ---
  apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata: {name: web-np, namespace: shop}
  spec:
    podSelector: {matchLabels: {app: web}}
    policyTypes: [Egress]
    egress: [{to: [{podSelector: {matchLabels: {app: api}}}], ports: [{port: 8080}]}]
`,
  );
  assert.deepEqual(findingsOf(rule, text), [
    {
      at: '68 shop/CiliumNetworkPolicy/web-out spec.egress[0].toPorts[0]',
      message:
        'The L7 (http) rules of this egress entry have no effect for shop/admin, shop/api and shop/web on 8080/TCP: CiliumNetworkPolicy/shop/web-l4 spec.egress[0] and shop/web-np spec.egress[0] allow the same peer and port at L4 alone, so Cilium does not filter it at L7; narrow that allow, or give it the same L7 rules',
      workloads: ['shop/Deployment/web'],
    },
    {
      at: '72 shop/CiliumNetworkPolicy/web-out spec.egress[1].toPorts[0]',
      message:
        'The L7 (http) rules of this egress entry have no effect for 192.0.2.0/24 and 198.51.100.0/24 on 8080/TCP: CiliumNetworkPolicy/shop/web-l4 spec.egress[1] allows the same peer and port at L4 alone, so Cilium does not filter it at L7; narrow that allow, or give it the same L7 rules',
      workloads: ['shop/Deployment/web'],
    },
    {
      at: '75 shop/CiliumNetworkPolicy/web-out spec.egress[2].toPorts[0]',
      message:
        'The L7 (http) rules of this egress entry have no effect for shop/admin, shop/api and shop/web on 9090/TCP: CiliumNetworkPolicy/shop/web-l4 spec.egress[0] allows the same peer and port at L4 alone, so Cilium does not filter it at L7; narrow that allow, or give it the same L7 rules',
      workloads: ['shop/Deployment/web'],
    },
  ]);
});

// A named port resolved at the destination pod; the `cluster` and `world` entities (the latter's addresses
// named by their blocks); two allows listed by name, not in the order met.
test('a named port to the cluster entity and a port to the world entity, shadowed at L4', () => {
  const text = docs(
    ns('shop'),
    deploy('shop', 'web'),
    deploy('shop', 'api', { ports: ['http:8080'] }),
    yaml`
  apiVersion: cilium.io/v2
  kind: CiliumNetworkPolicy
  metadata: {name: web-out, namespace: shop}
  spec:
    endpointSelector: {matchLabels: {app: web}}
    egress:
      - toEntities: [cluster]
        toPorts:
          - ports: [{port: http, protocol: TCP}]
            rules: {http: [{method: GET}]}
      - toEntities: [world]
        toPorts:
          - ports: [{port: "443", protocol: TCP}]
            rules: {http: [{method: GET}]}
  ---
  apiVersion: cilium.io/v2
  kind: CiliumNetworkPolicy
  metadata: {name: b-l4, namespace: shop}
  spec:
    endpointSelector: {matchLabels: {app: web}}
    egress:
      - toEndpoints: [{matchLabels: {app: api}}]
        toPorts: [{ports: [{port: "8080"}]}]
      - toEntities: [world]
        toPorts: [{ports: [{port: "443"}]}]
  ---
  apiVersion: cilium.io/v2
  kind: CiliumNetworkPolicy
  metadata: {name: a-l4, namespace: shop}
  spec:
    endpointSelector: {matchLabels: {app: web}}
    egress:
      - toEndpoints: [{matchLabels: {app: api}}]
        toPorts: [{ports: [{port: "8080"}]}]
`,
  );
  assert.deepEqual(findingsOf(rule, text), [
    {
      at: '54 shop/CiliumNetworkPolicy/web-out spec.egress[0].toPorts[0]',
      message:
        'The L7 (http) rules of this egress entry have no effect for shop/api on 8080/TCP: CiliumNetworkPolicy/shop/a-l4 spec.egress[0] and CiliumNetworkPolicy/shop/b-l4 spec.egress[0] allow the same peer and port at L4 alone, so Cilium does not filter it at L7; narrow that allow, or give it the same L7 rules',
      workloads: ['shop/Deployment/web'],
    },
    {
      at: '58 shop/CiliumNetworkPolicy/web-out spec.egress[1].toPorts[0]',
      message:
        'The L7 (http) rules of this egress entry have no effect for 0.0.0.0/0, ::/0 on 443/TCP: CiliumNetworkPolicy/shop/b-l4 spec.egress[1] allows the same peer and port at L4 alone, so Cilium does not filter it at L7; narrow that allow, or give it the same L7 rules',
      workloads: ['shop/Deployment/web'],
    },
  ]);
});

test('every (pod, peer) pair of an entry is looked at, however many: a shadow met late is reported', () => {
  // 21 namespaces of one pod each: 21 pod classes, so a cluster-wide L7 rule of every pod from every pod has
  // 441 pairs, taken subject by subject (n00 first), peers from n20 down. Before round 13 the rule looked at
  // 400 of them (up to n19 from n20) and missed the last 41.
  const names = Array.from({ length: 21 }, (_, i) => `n${String(i).padStart(2, '0')}`);
  const l7 = ccnp('l7', {
    endpointSelector: {},
    ingress: [
      {
        fromEndpoints: [{}],
        toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{ method: 'GET' }] } }],
      },
    ],
  });
  /** An L4 allow of port 80 into `subject`'s pods from `peer`'s. */
  const shadowed = (subject: string, peer: string): string[] =>
    stateFindingsOf(
      rule,
      cluster({
        pods: names.map((n) => pod(n, 'web')),
        ciliumPolicies: [
          l7,
          cnpCilium(subject, 'l4', {
            endpointSelector: {},
            ingress: [
              {
                fromEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': peer } }],
                toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }],
              },
            ],
          }),
        ],
      }),
    ).map((f) => f.message.slice(0, f.message.indexOf(' on ')));
  const found = (peer: string): string[] => [
    `The L7 (http) rules of this ingress entry have no effect for ${peer}/web`,
  ];
  assert.deepEqual(shadowed('n00', 'n20'), found('n20'));
  assert.deepEqual(shadowed('n19', 'n20'), found('n20'));
  assert.deepEqual(shadowed('n19', 'n19'), found('n19'));
  assert.deepEqual(shadowed('n20', 'n00'), found('n00'));
});

describe('an entry with more pairs than the rule looked at before round 13 (400)', () => {
  // An L7 rule from 400 addresses (an address class each) into two subjects, selected by `role In [a, b]`:
  // `b` is read first, so its class comes first, though its value sorts after `a`'s. Before round 13 the rule
  // looked at 400 (subject, peer) pairs of an entry, so at `b` alone. (`c`, not selected, makes the
  // requirement narrower than every endpoint, so that its values' classes are looked up.)
  const cidrs = Array.from({ length: 400 }, (_, i) => `10.200.${i >> 8}.${i & 255}/32`);
  /** An L4 allow of the addresses into `role`'s pods cancels the L7 rule for them alone. */
  const state = (role: string): ClusterState =>
    cluster({
      pods: [
        pod('shop', 'b', { role: 'b' }),
        pod('shop', 'a', { role: 'a' }),
        pod('shop', 'c', { role: 'c' }),
      ],
      ciliumPolicies: [
        cnpCilium('shop', 'l7', {
          endpointSelector: { matchExpressions: [{ key: 'role', operator: 'In', values: ['a', 'b'] }] },
          ingress: [
            {
              fromCIDR: cidrs,
              toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }], rules: { http: [{ method: 'GET' }] } }],
            },
          ],
        }),
        cnpCilium('shop', 'l4', {
          endpointSelector: { matchLabels: { role } },
          ingress: [
            { fromCIDR: ['10.200.0.0/16'], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }] },
          ],
        }),
      ],
    });

  for (const role of ['b', 'a']) {
    test(`the shadow into ${role} is found (${role === 'b' ? 'the subject read first' : 'the subject read second, missed before'})`, () => {
      const found = stateFindingsOf(rule, state(role));
      assert.deepEqual(
        found.map((f) => [f.at, f.workloads]),
        [['- shop/CiliumNetworkPolicy/l7 spec.ingress[0].toPorts[0]', ['shop/Pod/a', 'shop/Pod/b']]],
      );
      assert.match(
        found[0]!.message,
        / for 10\.200\.0\.0\/32, 10\.200\.0\.1\/32, 10\.200\.0\.10\/32 and 397 more on 8080\/TCP: CiliumNetworkPolicy\/shop\/l4 spec\.ingress\[0\] allows the same peer/,
      );
    });
  }
});
