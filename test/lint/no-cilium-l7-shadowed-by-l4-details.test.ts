/**
 * no-cilium-l7-shadowed-by-l4 beyond its table (test/lint/rules/no-cilium-l7-shadowed-by-l4.ts): egress, the
 * three kinds of peer an L7 rule can have (every pod through `{}`, no peer field at all, addresses), an entry
 * shadowed by two allows, and the whole message, place and workloads of each finding.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import rule from '../../src/lint/rules/no-cilium-l7-shadowed-by-l4.ts';
import { deploy, docs, ns, yaml } from './helpers.ts';
import { findingsOf } from './rule-details.ts';

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
