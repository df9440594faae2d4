/**
 * no-cilium-l7-shadowed-by-l4 explains one peer per group of peers that read alike (round 14): the cases where
 * two peers differ in one thing only, so that a group that joined them would name both or neither of them. A
 * Cilium deny rule of the side, which Cilium allow rule matches (not how many), which NetworkPolicy rule does
 * (a rule matches a peer when any of its peers does), the destination's named ports (and where each starts);
 * and a finding that names more than three workloads and outside addresses. Each case is checked against
 * explaining every pair (test/lint/l7-shadowed-reference.ts). Round 15's mutation run (issue #20) found them
 * untested.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import rule from '../../src/lint/rules/no-cilium-l7-shadowed-by-l4.ts';
import { deploy, docs, ns, yaml } from './helpers.ts';
import { findingsOf, stateFindingsOf } from './rule-details.ts';
import { cluster, cnpCilium, pod, policy } from '../support/builders.ts';
import { referenceRule } from './l7-shadowed-reference.ts';

const base = docs(ns('shop'), deploy('shop', 'web'), deploy('shop', 'api'), deploy('shop', 'admin'));

/** web's ingress from every pod on 80, filtered at L7. */
const l7FromEveryPod = yaml`
  apiVersion: cilium.io/v2
  kind: CiliumNetworkPolicy
  metadata: {name: l7, namespace: shop}
  spec:
    endpointSelector: {matchLabels: {app: web}}
    ingress:
      - fromEndpoints: [{}]
        toPorts:
          - ports: [{port: "80", protocol: TCP}]
            rules: {http: [{method: GET}]}
`;

/** The messages of the rule's findings on `text`, after checking them against explaining every pair. */
function messages(text: string): string[] {
  const found = findingsOf(rule, text);
  assert.deepEqual(found, findingsOf(referenceRule, text));
  return found.map((f) => f.message);
}

function shadowed(direction: string, peers: string, ports: string, by: string): string {
  const allow = by.includes(' and ') ? 'allow' : 'allows';
  return `The L7 (http) rules of this ${direction} entry have no effect for ${peers} on ${ports}: ${by} ${allow} the same peer and port at L4 alone, so Cilium does not filter it at L7; narrow that allow, or give it the same L7 rules`;
}

// Every pod matches the L7 rule and the L4 allow alike; a Cilium deny rule of the same side stops api, whose
// connection is then neither filtered nor shadowed: a group of api with the others would name api or no one.
test('a peer a Cilium deny rule stops is not named, on ingress and on egress', () => {
  const text = docs(
    base,
    yaml`
  apiVersion: cilium.io/v2
  kind: CiliumNetworkPolicy
  metadata: {name: l7, namespace: shop}
  spec:
    endpointSelector: {matchLabels: {app: web}}
    ingress:
      - fromEndpoints: [{}]
        toPorts:
          - ports: [{port: "80", protocol: TCP}]
            rules: {http: [{method: GET}]}
    egress:
      - toEndpoints: [{}]
        toPorts:
          - ports: [{port: "80", protocol: TCP}]
            rules: {http: [{method: GET}]}
  ---
  apiVersion: cilium.io/v2
  kind: CiliumNetworkPolicy
  metadata: {name: l4, namespace: shop}
  spec:
    endpointSelector: {matchLabels: {app: web}}
    ingress:
      - fromEndpoints: [{}]
        toPorts: [{ports: [{port: "80", protocol: TCP}]}]
    egress:
      - toEndpoints: [{}]
        toPorts: [{ports: [{port: "80", protocol: TCP}]}]
  ---
  apiVersion: cilium.io/v2
  kind: CiliumNetworkPolicy
  metadata: {name: deny, namespace: shop}
  spec:
    endpointSelector: {matchLabels: {app: web}}
    ingressDeny:
      - fromEndpoints: [{matchLabels: {app: api}}]
    egressDeny:
      - toEndpoints: [{matchLabels: {app: admin}}]
`,
  );
  assert.deepEqual(messages(text), [
    shadowed('ingress', 'shop/admin and shop/web', '80/TCP', 'CiliumNetworkPolicy/shop/l4 spec.ingress[0]'),
    shadowed('egress', 'shop/api and shop/web', '80/TCP', 'CiliumNetworkPolicy/shop/l4 spec.egress[0]'),
  ]);
});

// admin and api are each matched by two of the side's three Cilium rules (the L7 rule and one L4 allow), but not
// by the same two: only api's allow covers the L7 port.
test('two peers matched by as many Cilium rules, but not the same ones: only the one the L4 allow covers is named', () => {
  const text = docs(
    base,
    l7FromEveryPod,
    yaml`
  apiVersion: cilium.io/v2
  kind: CiliumNetworkPolicy
  metadata: {name: l4, namespace: shop}
  spec:
    endpointSelector: {matchLabels: {app: web}}
    ingress:
      - fromEndpoints: [{matchLabels: {app: api}}]
        toPorts: [{ports: [{port: "80", protocol: TCP}]}]
      - fromEndpoints: [{matchLabels: {app: admin}}]
        toPorts: [{ports: [{port: "9999", protocol: TCP}]}]
`,
  );
  assert.deepEqual(messages(text), [
    shadowed('ingress', 'shop/api', '80/TCP', 'CiliumNetworkPolicy/shop/l4 spec.ingress[0]'),
  ]);
});

// The same with NetworkPolicy rules, one of which has two peers: api matches one of them (enough for the rule to
// allow it), admin matches the other rule, on another port; web matches neither.
test('two peers matched by as many NetworkPolicy rules, but not the same ones; a rule matches through any of its peers', () => {
  const text = docs(
    base,
    l7FromEveryPod,
    yaml`
  apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata: {name: web-in, namespace: shop}
  spec:
    podSelector: {matchLabels: {app: web}}
    policyTypes: [Ingress]
    ingress:
      - from: [{podSelector: {matchLabels: {app: api}}}, {podSelector: {matchLabels: {app: nobody}}}]
        ports: [{port: 80}]
      - from: [{podSelector: {matchLabels: {app: admin}}}]
        ports: [{port: 9999}]
`,
  );
  assert.deepEqual(messages(text), [
    shadowed('ingress', 'shop/api', '80/TCP', 'shop/web-in spec.ingress[0]'),
  ]);
});

/**
 * web's egress to every pod: an L7 rule on named port `port`, an L4 allow on port `l4`; api's and admin's
 * container ports as given (`name:number`), web without any.
 */
function egressToNamedPort(api: string[], admin: string[], port: string, l4: string): string {
  return docs(
    ns('shop'),
    deploy('shop', 'web'),
    deploy('shop', 'api', { ports: api }),
    deploy('shop', 'admin', { ports: admin }),
    yaml`
  apiVersion: cilium.io/v2
  kind: CiliumNetworkPolicy
  metadata: {name: l7, namespace: shop}
  spec:
    endpointSelector: {matchLabels: {app: web}}
    egress:
      - toEndpoints: [{}]
        toPorts:
          - ports: [{port: ${port}, protocol: TCP}]
            rules: {http: [{method: GET}]}
  ---
  apiVersion: cilium.io/v2
  kind: CiliumNetworkPolicy
  metadata: {name: l4, namespace: shop}
  spec:
    endpointSelector: {matchLabels: {app: web}}
    egress:
      - toEndpoints: [{}]
        toPorts: [{ports: [{port: "${l4}", protocol: TCP}]}]
`,
  );
}

// Egress to a named port resolves at each destination pod: `http` is 8080 on api, which the L4 allow covers,
// and 9090 on admin, which it does not; web has no such port.
test('egress to a named port: only the destination whose port the L4 allow covers is named', () => {
  assert.deepEqual(messages(egressToNamedPort(['http:8080'], ['http:9090'], 'http', '8080')), [
    shadowed('egress', 'shop/api', '8080/TCP', 'CiliumNetworkPolicy/shop/l4 spec.egress[0]'),
  ]);
});

// api's named ports are x=1 and 2y=3, admin's x=12 and y=3: written one after the other, both read
// `x/TCP/12y/TCP/3`. The L4 allow covers api's x (1), not admin's (12).
test('egress to a named port: two destinations whose named ports differ only in where one ends', () => {
  assert.deepEqual(messages(egressToNamedPort(['x:1', '2y:3'], ['x:12', 'y:3'], 'x', '1')), [
    shadowed('egress', 'shop/api', '1/TCP', 'CiliumNetworkPolicy/shop/l4 spec.egress[0]'),
  ]);
});

// Five workloads and outside addresses: the first three workloads, how many more, and the addresses as one.
test('more than three workloads and outside addresses: three named, the others counted, the addresses last', () => {
  const text = docs(
    base,
    deploy('shop', 'batch'),
    deploy('shop', 'cron'),
    yaml`
  apiVersion: cilium.io/v2
  kind: CiliumNetworkPolicy
  metadata: {name: l7, namespace: shop}
  spec:
    endpointSelector: {matchLabels: {app: web}}
    ingress:
      - fromEntities: [all]
        toPorts:
          - ports: [{port: "80", protocol: TCP}]
            rules: {http: [{method: GET}]}
  ---
  apiVersion: cilium.io/v2
  kind: CiliumNetworkPolicy
  metadata: {name: l4, namespace: shop}
  spec:
    endpointSelector: {matchLabels: {app: web}}
    ingress:
      - fromEntities: [all]
        toPorts: [{ports: [{port: "80", protocol: TCP}]}]
`,
  );
  assert.deepEqual(messages(text), [
    shadowed(
      'ingress',
      'shop/admin, shop/api, shop/batch, 2 more and any address',
      '80/TCP',
      'CiliumNetworkPolicy/shop/l4 spec.ingress[0]',
    ),
  ]);
});

// A NetworkPolicy rule from every namespace and from api: it allows every pod but the host-network agent (the
// first peer), and api through either peer. The agent and api differ in that rule alone.
test('a NetworkPolicy rule from every namespace and from one pod: the host-network pod it does not allow is not named', () => {
  const state = cluster({
    pods: [
      pod('shop', 'agent', { app: 'agent' }, { hostNetwork: true }),
      pod('shop', 'web', { app: 'web' }),
      pod('shop', 'api', { app: 'api' }),
    ],
    policies: [
      policy('shop', 'web-in', {
        podSelector: { matchLabels: { app: 'web' } },
        ingress: [
          {
            from: [{ namespaceSelector: {} }, { podSelector: { matchLabels: { app: 'api' } } }],
            ports: [{ port: 80 }],
          },
        ],
      }),
    ],
    ciliumPolicies: [
      cnpCilium('shop', 'l7', {
        endpointSelector: { matchLabels: { app: 'web' } },
        ingress: [
          {
            fromEntities: ['all'],
            toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{ method: 'GET' }] } }],
          },
        ],
      }),
    ],
  });
  const found = stateFindingsOf(rule, state);
  assert.deepEqual(found, stateFindingsOf(referenceRule, state));
  assert.deepEqual(
    found.map((f) => f.message),
    [shadowed('ingress', 'shop/api and shop/web', '80/TCP', 'shop/web-in spec.ingress[0]')],
  );
});
