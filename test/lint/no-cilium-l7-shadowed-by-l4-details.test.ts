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
import { ccnp, cluster, cnpCilium, node, pod, policy } from '../support/builders.ts';
import type { ClusterState } from '../../src/model/cluster.ts';
import { referenceRule } from './l7-shadowed-reference.ts';

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
        'The L7 (http) rules of this egress entry have no effect for 192.0.2.0/24, 198.51.100.0/24 on 8080/TCP: CiliumNetworkPolicy/shop/web-l4 spec.egress[1] allows the same peer and port at L4 alone, so Cilium does not filter it at L7; narrow that allow, or give it the same L7 rules',
      workloads: ['shop/Deployment/web'],
    },
    {
      at: '75 shop/CiliumNetworkPolicy/web-out spec.egress[2].toPorts[0]',
      message:
        'The L7 (http) rules of this egress entry have no effect for shop/admin, shop/api, shop/web and 0.0.0.0/0 on 9090/TCP: CiliumNetworkPolicy/shop/web-l4 spec.egress[0] and CiliumNetworkPolicy/shop/web-l4 spec.egress[1] allow the same peer and port at L4 alone, so Cilium does not filter it at L7; narrow that allow, or give it the same L7 rules',
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
        'The L7 (http) rules of this egress entry have no effect for any address on 443/TCP: CiliumNetworkPolicy/shop/b-l4 spec.egress[1] allows the same peer and port at L4 alone, so Cilium does not filter it at L7; narrow that allow, or give it the same L7 rules',
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
        / for 10\.200\.0\.0\/24, 10\.200\.1\.0\/25, 10\.200\.1\.128\/28 on 8080\/TCP: CiliumNetworkPolicy\/shop\/l4 spec\.ingress\[0\] allows the same peer/,
      );
    });
  }
});

describe('the worst case: every pod class under an L7 rule and an L4 allow from every pod', () => {
  // `count` namespaces of one pod each (a pod class each). In each, a CiliumNetworkPolicy filters HTTP on port
  // 80 from every pod of the cluster, and a NetworkPolicy allows port 80 from every pod at L4: count² (pod,
  // peer) pairs, every one shadowed. Two namespaces differ: the middle one's NetworkPolicy allows 8080 (no
  // shadow), the last one's allows port 80 from the first namespace only.
  const name = (i: number): string => `n${String(i).padStart(3, '0')}`;
  const state = (count: number): ClusterState => {
    const names = Array.from({ length: count }, (_, i) => name(i));
    const middle = names[count >> 1]!;
    const last = names[count - 1]!;
    return cluster({
      pods: names.map((n) => pod(n, 'web', { app: 'web' })),
      ciliumPolicies: names.map((n) =>
        cnpCilium(n, 'l7', {
          endpointSelector: {},
          ingress: [
            {
              fromEndpoints: [
                { matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'Exists' }] },
              ],
              toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{ method: 'GET' }] } }],
            },
          ],
        }),
      ),
      policies: names.map((n) =>
        policy(n, 'l4', {
          podSelector: {},
          ingress: [
            {
              from: [
                n === last
                  ? { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': names[0]! } } }
                  : { namespaceSelector: {} },
              ],
              ports: [{ port: n === middle ? 8080 : 80 }],
            },
          ],
        }),
      ),
    });
  };

  test('300 pod classes (90,000 pairs): a finding for each but the middle one, naming its peers', () => {
    const found = stateFindingsOf(rule, state(300));
    assert.equal(found.length, 299);
    assert.ok(!found.some((f) => f.workloads.includes('n150/Pod/web')));
    const message = (peers: string, n: string): string =>
      `The L7 (http) rules of this ingress entry have no effect for ${peers} on 80/TCP: ${n}/l4 spec.ingress[0] allows the same peer and port at L4 alone, so Cilium does not filter it at L7; narrow that allow, or give it the same L7 rules`;
    const of = (n: string) => found.find((f) => f.at.startsWith(`- ${n}/`));
    assert.deepEqual(of('n000'), {
      at: '- n000/CiliumNetworkPolicy/l7 spec.ingress[0].toPorts[0]',
      message: message('n000/web, n001/web, n002/web and 297 more', 'n000'),
      workloads: ['n000/Pod/web'],
    });
    assert.deepEqual(of('n299'), {
      at: '- n299/CiliumNetworkPolicy/l7 spec.ingress[0].toPorts[0]',
      message: message('n000/web', 'n299'),
      workloads: ['n299/Pod/web'],
    });
    const all = message('n000/web, n001/web, n002/web and 297 more', '');
    assert.equal(found.filter((f) => f.message.startsWith(all.slice(0, all.indexOf(': ')))).length, 298);
  });

  test('40 pod classes: the same findings as explaining every pair', () => {
    const found = stateFindingsOf(rule, state(40));
    assert.equal(found.length, 39);
    assert.deepEqual(found, stateFindingsOf(referenceRule, state(40)));
  });
});

test('host and remote-node read for the pod’s node: two node addresses alike in every other way', () => {
  // web (on n0) accepts HTTP from both nodes' addresses; the L4 allow from `host` is n0's address for web.
  const state = cluster({
    pods: [
      pod('shop', 'web', { app: 'web' }, { nodeName: 'n0' }),
      pod('shop', 'api', { app: 'api' }, { nodeName: 'n1' }),
    ],
    nodes: [node('n0', {}, ['192.168.0.1']), node('n1', {}, ['192.168.0.2'])],
    ciliumPolicies: [
      ccnp('l7', {
        endpointSelector: { matchLabels: { app: 'web' } },
        ingress: [
          {
            fromEntities: ['host', 'remote-node'],
            toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{ method: 'GET' }] } }],
          },
        ],
      }),
      ccnp('l4', {
        endpointSelector: {},
        ingress: [{ fromEntities: ['host'], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }],
      }),
    ],
  });
  assert.deepEqual(
    stateFindingsOf(rule, state).map((f) => f.message.slice(0, f.message.indexOf(': '))),
    ['The L7 (http) rules of this ingress entry have no effect for 192.168.0.1/32 on 80/TCP'],
  );
});

test('two addresses allowed the same port by different NetworkPolicy rules: each rule named', () => {
  // 10.1.0.0/16 is allowed by both rules, 10.2.0.0/16 by the second alone: the same port either way. (10.2 is
  // met first: explaining it alone would not name the first rule.)
  const state = cluster({
    pods: [pod('shop', 'web', { app: 'web' })],
    policies: [
      policy('shop', 'web-in', {
        podSelector: {},
        ingress: [
          { from: [{ ipBlock: { cidr: '10.1.0.0/16' } }], ports: [{ port: 80 }] },
          { from: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 80 }] },
        ],
      }),
    ],
    ciliumPolicies: [
      cnpCilium('shop', 'l7', {
        endpointSelector: {},
        ingress: [
          {
            fromCIDR: ['10.2.0.0/16', '10.1.0.0/16'],
            toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{ method: 'GET' }] } }],
          },
        ],
      }),
    ],
  });
  assert.deepEqual(
    stateFindingsOf(rule, state).map((f) => f.message.slice(0, f.message.indexOf(', so'))),
    [
      'The L7 (http) rules of this ingress entry have no effect for 10.1.0.0/16, 10.2.0.0/16 on 80/TCP: shop/web-in spec.ingress[0] and shop/web-in spec.ingress[1] allow the same peer and port at L4 alone',
    ],
  );
});

test('a host-network pod is not a peer of a NetworkPolicy rule from every pod: not named', () => {
  // `all` reaches every pod, the host-network agent too; the NetworkPolicy's rule from every namespace does not.
  const state = cluster({
    pods: [
      pod('shop', 'agent', { app: 'agent' }, { hostNetwork: true }),
      pod('shop', 'web', { app: 'web' }),
      pod('shop', 'api', { app: 'api' }),
    ],
    policies: [
      policy('shop', 'web-in', {
        podSelector: { matchLabels: { app: 'web' } },
        ingress: [{ from: [{ namespaceSelector: {} }], ports: [{ port: 80 }] }],
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
  assert.deepEqual(
    stateFindingsOf(rule, state).map((f) => f.message.slice(0, f.message.indexOf(': '))),
    ['The L7 (http) rules of this ingress entry have no effect for shop/api and shop/web on 80/TCP'],
  );
  assert.deepEqual(stateFindingsOf(rule, state), stateFindingsOf(referenceRule, state));
});

// A peer of every identity (`fromEntities: [all]`) matches outside addresses too: an L4 allow from 0.0.0.0/0
// shadows its L7 rules for them (the rule looked at pods alone before round 14, and said nothing here).
test('an L7 rule from every identity, shadowed for outside addresses by an L4 allow from 0.0.0.0/0', () => {
  const text = docs(
    ns('shop'),
    deploy('shop', 'web'),
    yaml`
  apiVersion: cilium.io/v2
  kind: CiliumNetworkPolicy
  metadata: {name: web-l7, namespace: shop}
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
  metadata: {name: web-l4, namespace: shop}
  spec:
    endpointSelector: {matchLabels: {app: web}}
    ingress:
      - fromCIDR: [0.0.0.0/0]
        toPorts: [{ports: [{port: "80", protocol: TCP}]}]
`,
  );
  assert.deepEqual(
    findingsOf(rule, text).map((f) => f.message),
    [
      'The L7 (http) rules of this ingress entry have no effect for 0.0.0.0/0 on 80/TCP: CiliumNetworkPolicy/shop/web-l4 spec.ingress[0] allows the same peer and port at L4 alone, so Cilium does not filter it at L7; narrow that allow, or give it the same L7 rules',
    ],
  );
});
