/**
 * The normalizer of Cilium's policies (src/model/cilium.ts), one test per rule, each checked against Cilium's
 * own sources (v1.20.2): `pkg/k8s/apis/cilium.io/utils/utils.go` (namespace scoping of selectors),
 * `pkg/policy/utils/parserules.go` (empty peer lists, default deny per entry), `pkg/policy/api/` (rule.go,
 * ingress.go, egress.go, l4.go, entity.go, rule_validation.go), `pkg/policy/l4.go` (port ranges, L7 parser).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CILIUM_NAMESPACE_KEY,
  ciliumIdentityLabels,
  ciliumPolicyInfo,
  ciliumPortNumber,
  type CiliumPeerInfo,
  type CiliumRuleInfo,
  type CiliumSpecInfo,
} from '../../src/model/cilium.ts';
import type { CiliumRule } from '../../src/model/cilium-wire.ts';
import { ccnp, cnpCilium } from '../support/builders.ts';

const WEB = { endpointSelector: { matchLabels: { app: 'web' } } };
const NS = CILIUM_NAMESPACE_KEY;

/** `namespace` null: a CiliumClusterwideNetworkPolicy. */
function only(spec: CiliumRule, namespace: string | null = 'shop'): CiliumSpecInfo {
  const info = namespace === null ? ccnp('p', spec) : cnpCilium(namespace, 'p', spec);
  assert.equal(info.specs.length, 1);
  return info.specs[0]!;
}

function ingress0(spec: CiliumRule, namespace?: string | null): CiliumRuleInfo {
  return only(spec, namespace).ingress[0]!;
}

function peer0(spec: CiliumRule, namespace?: string | null): CiliumPeerInfo {
  return ingress0(spec, namespace).peers[0]!;
}

describe('cilium normalizer: selectors', () => {
  test('a CiliumNetworkPolicy endpointSelector is always scoped to its namespace', () => {
    assert.deepEqual(only(WEB).subject, {
      kind: 'endpoints',
      selector: { matchLabels: { app: 'web', [NS]: 'shop' } },
    });
    // `{}` selects every pod of the namespace, not of the cluster.
    assert.deepEqual(only({ endpointSelector: {}, ingress: [{}] }).subject, {
      kind: 'endpoints',
      selector: { matchLabels: { [NS]: 'shop' } },
    });
  });

  test('a k8s: namespace match in a CiliumNetworkPolicy endpointSelector is replaced by its own namespace', () => {
    // utils.go: AddMatch(k8s:io.kubernetes.pod.namespace, namespace) overwrites the user's value (logged as illegal).
    const spec = only({
      endpointSelector: { matchLabels: { [`k8s:${NS}`]: 'other', app: 'web' } },
      ingress: [{}],
    });
    assert.deepEqual(spec.subject, {
      kind: 'endpoints',
      selector: { matchLabels: { app: 'web', [NS]: 'shop' } },
    });
  });

  test('an any: namespace match of another namespace in a CiliumNetworkPolicy endpointSelector selects nothing', () => {
    // The any: key is a different key for the agent: both matches stay, and no pod is in two namespaces.
    const spec = only({ endpointSelector: { matchLabels: { [NS]: 'other' } }, ingress: [{}] });
    assert.deepEqual(spec.subject, {
      kind: 'endpoints',
      selector: {
        matchLabels: { [NS]: 'other' },
        matchExpressions: [{ key: NS, operator: 'In', values: ['shop'] }],
      },
    });
  });

  test('a CiliumClusterwideNetworkPolicy endpointSelector is not scoped', () => {
    assert.deepEqual(only({ ...WEB, ingress: [{}] }, null).subject, {
      kind: 'endpoints',
      selector: { matchLabels: { app: 'web' } },
    });
  });

  test('a peer selector is scoped to the policy namespace unless it names the namespace key', () => {
    assert.deepEqual(peer0({ ...WEB, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'api' } }] }] }), {
      kind: 'endpoints',
      selector: { matchLabels: { app: 'api', [NS]: 'shop' } },
    });
    for (const key of [`k8s:${NS}`, `any:${NS}`, NS]) {
      assert.deepEqual(
        peer0({ ...WEB, ingress: [{ fromEndpoints: [{ matchLabels: { [key]: 'ops', app: 'api' } }] }] }),
        { kind: 'endpoints', selector: { matchLabels: { [NS]: 'ops', app: 'api' } } },
        key,
      );
    }
    // A matchExpressions on the namespace key counts too (HasKey looks at both).
    assert.deepEqual(
      peer0({
        ...WEB,
        ingress: [{ fromEndpoints: [{ matchExpressions: [{ key: `k8s:${NS}`, operator: 'Exists' }] }] }],
      }),
      { kind: 'endpoints', selector: { matchExpressions: [{ key: NS, operator: 'Exists' }] } },
    );
  });

  test('a peer selector that names a namespace label is not scoped', () => {
    const key = 'k8s:io.cilium.k8s.namespace.labels.team';
    assert.deepEqual(peer0({ ...WEB, ingress: [{ fromEndpoints: [{ matchLabels: { [key]: 'a' } }] }] }), {
      kind: 'endpoints',
      selector: { matchLabels: { 'io.cilium.k8s.namespace.labels.team': 'a' } },
    });
  });

  test('a CiliumClusterwideNetworkPolicy peer selector gets Exists on the namespace key', () => {
    // Only Cilium-managed pods, even for `{}`: never the host or the world.
    assert.deepEqual(peer0({ ...WEB, ingress: [{ fromEndpoints: [{}] }] }, null), {
      kind: 'endpoints',
      selector: { matchExpressions: [{ key: NS, operator: 'Exists' }] },
    });
    // ... even when it names a namespace label (only a CNP honours those).
    const key = 'io.cilium.k8s.namespace.labels.team';
    assert.deepEqual(
      peer0({ ...WEB, ingress: [{ fromEndpoints: [{ matchLabels: { [key]: 'a' } }] }] }, null),
      {
        kind: 'endpoints',
        selector: { matchLabels: { [key]: 'a' }, matchExpressions: [{ key: NS, operator: 'Exists' }] },
      },
    );
    // ... but not when the subject selects initializing endpoints, which have no namespace label.
    assert.deepEqual(
      peer0(
        { endpointSelector: { matchLabels: { 'reserved:init': '' } }, ingress: [{ fromEndpoints: [{}] }] },
        null,
      ),
      { kind: 'endpoints', selector: {} },
    );
  });

  test('k8s: and any: prefixes are dropped from keys; a reserved: label alone is its entity, beside others kept unscoped', () => {
    assert.deepEqual(
      peer0({ ...WEB, ingress: [{ fromEndpoints: [{ matchLabels: { 'k8s:app': 'a', 'any:tier': 'b' } }] }] }),
      { kind: 'endpoints', selector: { matchLabels: { app: 'a', tier: 'b', [NS]: 'shop' } } },
    );
    assert.deepEqual(
      peer0({ ...WEB, ingress: [{ fromEndpoints: [{ matchLabels: { 'reserved:host': '' } }] }] }),
      { kind: 'entity', entity: 'host' },
    );
    assert.deepEqual(
      peer0({ ...WEB, ingress: [{ fromEndpoints: [{ matchLabels: { 'reserved:host': '', app: 'a' } }] }] }),
      { kind: 'endpoints', selector: { matchLabels: { 'reserved:host': '', app: 'a' } } },
    );
  });

  test('identity labels carry the namespace, the namespace labels, the service account and the cluster', () => {
    assert.deepEqual(ciliumIdentityLabels({ app: 'web' }, 'shop', { team: 'a' }), {
      app: 'web',
      'io.cilium.k8s.namespace.labels.team': 'a',
      [NS]: 'shop',
      'io.cilium.k8s.policy.serviceaccount': 'default',
      'io.cilium.k8s.policy.cluster': 'default',
    });
    assert.deepEqual(
      ciliumIdentityLabels({}, 'shop', {}, { serviceAccount: 'frontend', clusterName: 'prod-eu1' }),
      {
        [NS]: 'shop',
        'io.cilium.k8s.policy.serviceaccount': 'frontend',
        'io.cilium.k8s.policy.cluster': 'prod-eu1',
      },
    );
  });
});

describe('cilium normalizer: peers', () => {
  test('an L4-only rule applies to every peer', () => {
    const rule = ingress0({ ...WEB, ingress: [{ toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }] });
    assert.deepEqual(rule.peers, [{ kind: 'anyPeer' }]);
    // ICMP types without ports too.
    assert.deepEqual(ingress0({ ...WEB, ingress: [{ icmps: [{ fields: [{ type: 8 }] }] }] }).peers, [
      { kind: 'anyPeer' },
    ]);
  });

  test('an empty rule {} has no peer', () => {
    const rule = ingress0({ ...WEB, ingress: [{}] });
    assert.deepEqual(rule.peers, []);
    assert.equal(rule.ports, undefined);
  });

  test('an empty peer list with ports selects nothing (not every peer)', () => {
    // ingress.go: "an empty non-nil FromEndpoints does not select anything"; parserules.go returns nil L3.
    for (const field of ['fromEndpoints', 'fromEntities', 'fromCIDR', 'fromCIDRSet', 'fromNodes'] as const) {
      const rule = ingress0({ ...WEB, ingress: [{ [field]: [], toPorts: [{ ports: [{ port: '80' }] }] }] });
      assert.deepEqual(rule.peers, [], field);
    }
  });

  test('CIDR, CIDR sets with except, entities, services and FQDNs are peers', () => {
    const spec = only({
      ...WEB,
      egress: [
        { toCIDR: ['10.0.0.0/8'] },
        { toCIDRSet: [{ cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] }, { cidrGroupRef: 'g' }] },
        { toEntities: ['world', 'cluster-mesh'] },
        { toServices: [{ k8sService: { serviceName: 'db' } }, { k8sServiceSelector: { selector: {} } }] },
        { toFQDNs: [{ matchName: 'API.Example.com.' }, { matchPattern: '*.example.com' }] },
      ],
    });
    assert.deepEqual(
      spec.egress.map((r) => r.peers),
      [
        [{ kind: 'cidr', cidr: '10.0.0.0/8', except: [] }],
        [
          { kind: 'cidr', cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] },
          {
            kind: 'unsupported',
            field: 'toCIDRSet.cidrGroupRef',
            path: ['spec', 'egress', 1, 'toCIDRSet', 1],
          },
        ],
        [
          { kind: 'entity', entity: 'world' },
          { kind: 'entity', entity: 'cluster-mesh' },
        ],
        [
          // No namespace: the Service in any namespace (service.go serviceRefMatches), not the policy's.
          { kind: 'service', name: 'db', namespace: undefined },
          { kind: 'serviceSelector', selector: {}, namespace: undefined },
        ],
        [
          { kind: 'fqdn', name: 'api.example.com' },
          { kind: 'fqdnPattern', pattern: '*.example.com' },
        ],
      ],
    );
  });

  test('fromGroups is an unsupported peer', () => {
    assert.deepEqual(peer0({ ...WEB, ingress: [{ fromGroups: [{ aws: {} }] }] }), {
      kind: 'unsupported',
      field: 'fromGroups',
      path: ['spec', 'ingress', 0, 'fromGroups'],
    });
  });
});

describe('cilium normalizer: ports', () => {
  const portsOf = (ports: NonNullable<CiliumRule['ingress']>): unknown =>
    ingress0({ ...WEB, ingress: ports }).ports?.map((p) => p.ports);

  test('port "0" or absent is every port', () => {
    assert.deepEqual(
      portsOf([{ toPorts: [{ ports: [{ port: '0', protocol: 'TCP' }, { protocol: 'UDP' }] }] }]),
      [
        [
          { kind: 'range', protocol: 'TCP', start: 1, end: 65535 },
          { kind: 'range', protocol: 'UDP', start: 1, end: 65535 },
        ],
      ],
    );
  });

  test('endPort makes a range; an endPort not above the port is the port alone', () => {
    assert.deepEqual(
      portsOf([
        {
          toPorts: [
            {
              ports: [
                { port: '8000', endPort: 8080, protocol: 'TCP' },
                { port: '90', endPort: 80, protocol: 'TCP' },
              ],
            },
          ],
        },
      ]),
      [
        [
          { kind: 'range', protocol: 'TCP', start: 8000, end: 8080 },
          { kind: 'range', protocol: 'TCP', start: 90, end: 90 },
        ],
      ],
    );
  });

  test('a named port is a name, lower-cased', () => {
    assert.deepEqual(portsOf([{ toPorts: [{ ports: [{ port: 'HTTP-alt', protocol: 'TCP' }] }] }]), [
      [{ kind: 'named', protocol: 'TCP', name: 'http-alt' }],
    ]);
  });

  test('protocol ANY, absent or empty is ANY; others are upper-cased', () => {
    assert.deepEqual(
      portsOf([
        {
          toPorts: [
            { ports: [{ port: '53' }, { port: '53', protocol: '' }, { port: '53', protocol: 'udp' }] },
          ],
        },
      ]),
      [
        [
          { kind: 'range', protocol: 'ANY', start: 53, end: 53 },
          { kind: 'range', protocol: 'ANY', start: 53, end: 53 },
          { kind: 'range', protocol: 'UDP', start: 53, end: 53 },
        ],
      ],
    );
  });

  test('a port with a leading zero is octal, as Go reads it', () => {
    assert.equal(ciliumPortNumber('010'), 8);
    assert.equal(ciliumPortNumber('8080'), 8080);
    assert.equal(ciliumPortNumber('08'), undefined);
  });

  test('a toPorts entry without ports matches no port; an empty toPorts is every port', () => {
    // pkg/policy/rule.go mergeL4Filter: L4 has one entry, so it is no L3-only rule, and the entry has no port.
    const none = ingress0({ ...WEB, ingress: [{ toPorts: [{}] }] });
    assert.deepEqual([none.peers, none.ports], [[{ kind: 'anyPeer' }], []]);
    const withPeer = ingress0({
      ...WEB,
      ingress: [{ fromEntities: ['world'], toPorts: [{}, { ports: [{ port: '80' }] }] }],
    });
    assert.deepEqual(
      withPeer.ports?.map((p) => p.index),
      [1],
    );
    // toPorts: [] is no L4 at all: with a peer, an L3-only rule (every port).
    assert.equal(ingress0({ ...WEB, ingress: [{ fromEntities: ['world'], toPorts: [] }] }).ports, undefined);
  });
});

describe('cilium normalizer: L7', () => {
  const l7 = (toPorts: NonNullable<NonNullable<CiliumRule['egress']>[number]['toPorts']>): unknown =>
    only({ ...WEB, egress: [{ toPorts }] }).egress[0]!.ports?.map((p) => p.l7);

  test('L7 detection: http, dns, TLS, serverNames and listener filter at L7; empty rules do not', () => {
    const ports = [{ port: '443', protocol: 'TCP' }];
    assert.deepEqual(l7([{ ports, rules: { http: [{ method: 'GET' }] } }]), ['http']);
    assert.deepEqual(l7([{ ports: [{ port: '53' }], rules: { dns: [{ matchPattern: '*' }] } }]), ['dns']);
    assert.deepEqual(l7([{ ports, terminatingTLS: { secret: { name: 's' } } }]), ['tls']);
    assert.deepEqual(l7([{ ports, serverNames: ['a.example.com'] }]), ['tls']);
    assert.deepEqual(l7([{ ports, listener: { name: 'l', envoyConfig: { name: 'e' } } }]), ['listener']);
    assert.deepEqual(l7([{ ports, rules: {} }, { ports, rules: { http: [] } }, { ports }]), [
      undefined,
      undefined,
      undefined,
    ]);
  });
});

describe('cilium normalizer: default deny', () => {
  test('defaultDeny defaults to true in each direction that has allow or deny rules', () => {
    assert.deepEqual(only({ ...WEB, ingress: [{}] }).defaultDeny, { ingress: true, egress: false });
    assert.deepEqual(only({ ...WEB, egressDeny: [{ toEntities: ['world'] }] }).defaultDeny, {
      ingress: false,
      egress: true,
    });
  });

  test('enableDefaultDeny false overrides the default', () => {
    const spec = only({ ...WEB, ingressDeny: [{}], enableDefaultDeny: { ingress: false } });
    assert.deepEqual(spec.defaultDeny, { ingress: false, egress: false });
  });

  test('enableDefaultDeny true in a direction without rules does nothing', () => {
    // parserules.go makes one policy entry per rule; only entries set default deny.
    const spec = only({ ...WEB, ingress: [{}], enableDefaultDeny: { ingress: true, egress: true } });
    assert.deepEqual(spec.defaultDeny, { ingress: true, egress: false });
  });
});

describe('cilium normalizer: objects', () => {
  test('spec and specs are both read, spec first', () => {
    const info = ciliumPolicyInfo({
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: 'p', namespace: 'shop' },
      spec: { ...WEB, ingress: [{}] },
      specs: [
        { ...WEB, egress: [{}] },
        { nodeSelector: {}, ingress: [{}] },
      ],
    });
    assert.equal(info.id, 'CiliumNetworkPolicy/shop/p');
    assert.deepEqual(
      info.specs.map((s) => [s.path, s.subject.kind]),
      [
        [['spec'], 'endpoints'],
        [['specs', 0], 'endpoints'],
        [['specs', 1], 'nodes'],
      ],
    );
  });

  test('a CiliumClusterwideNetworkPolicy has no namespace', () => {
    const info = ccnp('all', { ...WEB, ingress: [{}] });
    assert.equal(info.id, 'CiliumClusterwideNetworkPolicy/all');
    assert.equal(info.namespace, undefined);
  });
});
