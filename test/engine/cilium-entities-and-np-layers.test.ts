/**
 * What mutation testing (issue #20, round 9) found unpinned in src/engine/cilium.ts: NetworkPolicy allows
 * combined with Cilium rule sets (ipBlocks kept, deny-only rule sets that do not isolate), `world` and
 * `world-ipv4` by address family, `host` per node in a rule that also has other peers, `remote-node` and an
 * address two Nodes list, host-network pods on no known node, `toCIDR` under each `policy-cidr-match-mode`,
 * host policies and a dual-stack host-network pod, `toServices` backends that are not IPs, and the L7 filters
 * exposure gives a deny rule. Every verdict is checked on the naive evaluator too.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileCluster } from '../../src/engine/compile.ts';
import { computeConnectivity, externalId } from '../../src/engine/connectivity.ts';
import { computeExposure } from '../../src/engine/exposure.ts';
import { portsContain } from '../../src/engine/ports.ts';
import { buildRefIndex } from '../../src/engine/refs.ts';
import { formatPorts } from '../../src/describe/ports.ts';
import { ccnp, cluster, cnpCilium, node, ns, pod, policy } from '../support/builders.ts';
import { cniProfile, endpoint, expectVerdicts, expectVerdictsUnder } from '../support/verdicts.ts';

const app = (name: string) => ({ matchLabels: { app: name } });

describe('NetworkPolicies and Cilium rule sets selecting one pod', () => {
  test('an ipBlock a NetworkPolicy allows stays allowed beside a Cilium rule set', () => {
    const s = cluster({
      namespaces: [ns('a')],
      pods: [pod('a', 'web', { app: 'web' }, { ips: ['10.0.0.1'] })],
      policies: [
        policy('a', 'np', {
          podSelector: app('web'),
          policyTypes: ['Egress'],
          egress: [{ to: [{ ipBlock: { cidr: '1.2.3.4/32' } }] }],
        }),
      ],
      ciliumPolicies: [
        cnpCilium('a', 'c', { endpointSelector: app('web'), egress: [{ toCIDR: ['5.6.7.8/32'] }] }),
      ],
    });
    expectVerdicts(s, {
      'a/web -> 1.2.3.4 TCP/80': 'allow',
      'a/web -> 5.6.7.8 TCP/80': 'allow',
      'a/web -> 9.9.9.9 TCP/80': 'deny',
    });
  });

  test('a deny-only rule set without default deny takes its ports out of what a NetworkPolicy allows', () => {
    const s = cluster({
      namespaces: [ns('a')],
      pods: [
        pod('a', 'web', { app: 'web' }, { ips: ['10.0.0.1'] }),
        pod('a', 'db', { app: 'db' }, { ips: ['10.0.0.2'] }),
      ],
      policies: [
        policy('a', 'np', {
          podSelector: app('db'),
          policyTypes: ['Ingress'],
          ingress: [{ from: [{ podSelector: app('web') }] }],
        }),
      ],
      ciliumPolicies: [
        cnpCilium('a', 'c', {
          endpointSelector: app('db'),
          enableDefaultDeny: { ingress: false },
          ingressDeny: [
            { fromEndpoints: [app('web')], toPorts: [{ ports: [{ port: '5432', protocol: 'TCP' }] }] },
          ],
        }),
      ],
    });
    expectVerdicts(s, {
      'a/web -> a/db TCP/5432': 'deny',
      'a/web -> a/db TCP/80': 'allow',
      '8.8.8.8 -> a/db TCP/80': 'deny',
    });
  });
});

describe('Cilium world entities by address family', () => {
  const s = (entity: string) =>
    cluster({
      namespaces: [ns('a')],
      pods: [pod('a', 'c', { app: 'c' }, { ips: ['10.0.0.1'] })],
      ciliumPolicies: [
        cnpCilium('a', 'p', { endpointSelector: app('c'), egress: [{ toEntities: [entity] }] }),
      ],
    });

  test('world is both families where another rule set splits them', () => {
    const st = cluster({
      namespaces: [ns('a')],
      pods: [
        pod('a', 'c', { app: 'c' }, { ips: ['10.0.0.1'] }),
        pod('a', 'd', { app: 'd' }, { ips: ['10.0.0.2'] }),
      ],
      ciliumPolicies: [
        cnpCilium('a', 'c', { endpointSelector: app('c'), egress: [{ toEntities: ['world'] }] }),
        cnpCilium('a', 'd', { endpointSelector: app('d'), egress: [{ toEntities: ['world-ipv4'] }] }),
      ],
    });
    expectVerdicts(st, {
      'a/c -> 8.8.8.8 TCP/443': 'allow',
      'a/c -> 2001:db8::1 TCP/443': 'allow',
      'a/d -> 8.8.8.8 TCP/443': 'allow',
      'a/d -> 2001:db8::1 TCP/443': 'deny',
    });
  });

  test('world is both families, world-ipv4 the IPv4 outside only, world-ipv6 the IPv6 one', () => {
    expectVerdicts(s('world'), {
      'a/c -> 8.8.8.8 TCP/443': 'allow',
      'a/c -> 2001:db8::1 TCP/443': 'allow',
    });
    expectVerdicts(s('world-ipv4'), {
      'a/c -> 8.8.8.8 TCP/443': 'allow',
      'a/c -> 2001:db8::1 TCP/443': 'deny',
    });
    expectVerdicts(s('world-ipv6'), {
      'a/c -> 8.8.8.8 TCP/443': 'deny',
      'a/c -> 2001:db8::1 TCP/443': 'allow',
    });
  });
});

describe('Cilium host and remote-node where pods’ nodes are known', () => {
  const nodes = [node('n1', {}, ['192.168.0.1']), node('n2', {}, ['192.168.0.2'])];

  test('host beside another peer in one rule: each pod’s own node, and the other peer too', () => {
    const st = cluster({
      namespaces: [ns('a')],
      pods: [
        pod('a', 'c1', { app: 'c' }, { ips: ['10.0.0.1'], nodeName: 'n1' }),
        pod('a', 'c2', { app: 'c' }, { ips: ['10.0.0.2'], nodeName: 'n2' }),
        pod('a', 'db', { app: 'db' }, { ips: ['10.0.0.3'], nodeName: 'n1' }),
      ],
      nodes,
      ciliumPolicies: [
        cnpCilium('a', 'p', {
          endpointSelector: app('c'),
          egress: [{ toEntities: ['host', 'world'] }, { toEndpoints: [app('db')] }],
        }),
      ],
    });
    expectVerdicts(st, {
      'a/c1 -> 192.168.0.1 TCP/10250': 'allow',
      'a/c1 -> 192.168.0.2 TCP/10250': 'deny',
      'a/c1 -> 8.8.8.8 TCP/443': 'allow',
      'a/c1 -> a/db TCP/5432': 'allow',
      'a/c2 -> 192.168.0.2 TCP/10250': 'allow',
      'a/c2 -> 192.168.0.1 TCP/10250': 'deny',
      'a/c2 -> 8.8.8.8 TCP/443': 'allow',
    });
  });

  test('an address two Nodes list is host for a pod on either, never remote-node', () => {
    const st = cluster({
      namespaces: [ns('a')],
      pods: [pod('a', 'c', { app: 'c' }, { ips: ['10.0.0.1'], nodeName: 'n1' })],
      nodes: [node('n1', {}, ['192.168.0.1']), node('n2', {}, ['192.168.0.2', '192.168.0.1'])],
      ciliumPolicies: [
        cnpCilium('a', 'p', { endpointSelector: app('c'), egress: [{ toEntities: ['remote-node'] }] }),
      ],
    });
    expectVerdicts(st, {
      'a/c -> 192.168.0.2 TCP/10250': 'allow',
      'a/c -> 192.168.0.1 TCP/10250': 'deny',
    });
  });

  test('a host-network pod on no known node is host and remote-node for every pod', () => {
    const st = (entity: string) =>
      cluster({
        namespaces: [ns('a')],
        pods: [
          pod('a', 'c', { app: 'c' }, { ips: ['10.0.0.1'], nodeName: 'n1' }),
          pod('a', 'agent', { app: 'agent' }, { ips: ['192.168.0.9'], hostNetwork: true }),
          pod('a', 'agent1', { app: 'agent1' }, { ips: ['192.168.0.1'], hostNetwork: true, nodeName: 'n1' }),
        ],
        nodes,
        ciliumPolicies: [
          cnpCilium('a', 'p', { endpointSelector: app('c'), egress: [{ toEntities: [entity] }] }),
        ],
      });
    expectVerdicts(st('host'), {
      'a/c -> a/agent TCP/9100': 'allow',
      'a/c -> a/agent1 TCP/9100': 'allow',
      'a/c -> 192.168.0.2 TCP/9100': 'deny',
    });
    expectVerdicts(st('remote-node'), {
      'a/c -> a/agent TCP/9100': 'allow',
      'a/c -> a/agent1 TCP/9100': 'deny',
      'a/c -> 192.168.0.2 TCP/9100': 'allow',
    });
  });
});

describe('Cilium toCIDR and the pods in the block, by policy-cidr-match-mode', () => {
  // n1 at 10.1.0.1 with a host-network pod on it; db a pod at 10.2.0.2: both inside 10.0.0.0/8. (The naive
  // evaluator does not read the mode for Cilium rules: the engine's answers only, as in cilium-conformance.)
  const st = cluster({
    namespaces: [ns('a')],
    pods: [
      pod('a', 'c', { app: 'c' }, { ips: ['172.16.0.1'] }),
      pod('a', 'db', { app: 'db' }, { ips: ['10.2.0.2'] }),
      pod('a', 'agent', { app: 'agent' }, { ips: ['10.1.0.1'], hostNetwork: true }),
    ],
    nodes: [node('n1', {}, ['10.1.0.1'])],
    ciliumPolicies: [
      cnpCilium('a', 'p', { endpointSelector: app('c'), egress: [{ toCIDR: ['10.0.0.0/8'] }] }),
    ],
  });
  const reached = (mode: string) => {
    const compiled = compileCluster(st, { cni: cniProfile('cilium', `policy-cidr-match-mode=${mode}`) });
    return ['10.1.0.1', 'a/agent', 'a/db', '10.3.0.1'].filter((dst) =>
      portsContain(compiled.allowedBetween(endpoint('a/c'), endpoint(dst)), 'TCP', 80),
    );
  };

  test('nodes: the node and its host-network pods, not the pods', () => {
    assert.deepEqual(reached('nodes'), ['10.1.0.1', 'a/agent', '10.3.0.1']);
  });

  test('pods: the pods, not the node nor its host-network pods', () => {
    assert.deepEqual(reached('pods'), ['a/db', '10.3.0.1']);
  });

  test('neither: outside addresses only; both: everything in the block', () => {
    assert.deepEqual(reached(''), ['10.3.0.1']);
    assert.deepEqual(reached('nodes,pods'), ['10.1.0.1', 'a/agent', 'a/db', '10.3.0.1']);
  });
});

describe('Cilium host policies and a dual-stack host-network pod', () => {
  test('a host-network pod at one of the node’s addresses is on it, though its other IP is not listed', () => {
    const st = cluster({
      namespaces: [ns('shop'), ns('monitoring')],
      pods: [
        pod('shop', 'web', { app: 'web' }, { ips: ['10.0.1.10'] }),
        pod('shop', 'api', { app: 'api' }, { ips: ['10.0.1.20'] }),
        pod(
          'monitoring',
          'exporter',
          { app: 'exporter' },
          { ips: ['192.168.0.1', 'fd00::1'], hostNetwork: true },
        ),
      ],
      nodes: [node('n1', { role: 'worker' }, ['192.168.0.1'])],
      ciliumPolicies: [
        ccnp('workers', {
          nodeSelector: { matchLabels: { role: 'worker' } },
          ingress: [
            { fromEndpoints: [app('web')], toPorts: [{ ports: [{ port: '9100', protocol: 'TCP' }] }] },
          ],
        }),
      ],
    });
    expectVerdictsUnder(st, cniProfile('cilium', 'enable-host-firewall=true'), {
      'shop/web -> monitoring/exporter TCP/9100': 'allow',
      'shop/api -> monitoring/exporter TCP/9100': 'deny',
    });
  });
});

describe('Cilium toServices backends', () => {
  test('a backend address that is not an IP is skipped; the others are peers', () => {
    const st = cluster({
      namespaces: [ns('a')],
      pods: [pod('a', 'web', { app: 'web' }, { ips: ['10.0.0.1'] })],
      ciliumPolicies: [
        cnpCilium('a', 'p', {
          endpointSelector: app('web'),
          egress: [{ toServices: [{ k8sService: { serviceName: 'ext', namespace: 'a' } }] }],
        }),
      ],
    });
    st.services.push({
      id: 'a/ext',
      namespace: 'a',
      name: 'ext',
      labels: {},
      spec: { ports: [{ port: 80 }] },
    });
    st.serviceEndpoints = [
      {
        id: 'a/EndpointSlice/ext',
        kind: 'EndpointSlice',
        namespace: 'a',
        name: 'ext',
        service: 'ext',
        labels: { 'kubernetes.io/service-name': 'ext' },
        addresses: ['192.0.2.9', 'not-an-ip', '192.0.2.1'],
      },
    ];
    expectVerdicts(st, {
      'a/web -> 192.0.2.1 TCP/80': 'allow',
      'a/web -> 192.0.2.9 TCP/80': 'allow',
      'a/web -> 192.0.2.5 TCP/80': 'deny',
    });
  });
});

describe('exposure of Cilium rules', () => {
  test('a deny rule has no L7 filters; an allow rule its own', () => {
    const st = cluster({
      namespaces: [ns('a')],
      pods: [pod('a', 'x', { app: 'x' })],
      ciliumPolicies: [
        cnpCilium('a', 'p', {
          endpointSelector: {},
          ingress: [
            {
              fromEntities: ['cluster'],
              toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{ method: 'GET' }] } }],
            },
          ],
          ingressDeny: [{ fromEntities: ['world'], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }],
        }),
      ],
    });
    const [x] = computeExposure(buildRefIndex(compileCluster(st)));
    assert.deepEqual(
      x!.ingress.cilium.map((c) => `${c.path} ${c.deny ? 'deny' : 'allow'} l7=${JSON.stringify(c.l7)}`),
      ['spec.ingress[0] allow l7=["http"]', 'spec.ingressDeny[0] deny l7=[]'],
    );
  });
});

describe('Cilium L7 rules towards host and remote-node, pods’ nodes known', () => {
  // a/c on n1; the host-network pods: h/h1 on n1, h/hx on no known node (a higher class id than h1's).
  const nodes = [
    node('n1', {}, ['192.168.0.1']),
    node('n2', {}, ['192.168.0.3']),
    node('n3', {}, ['192.168.0.2']),
  ];
  const st = (entity: string) =>
    cluster({
      namespaces: [ns('a'), ns('h')],
      pods: [
        pod('a', 'c', { app: 'c' }, { ips: ['10.0.0.1'], nodeName: 'n1' }),
        pod('h', 'h1', { app: 'h1' }, { ips: ['192.168.0.1'], hostNetwork: true, nodeName: 'n1' }),
        pod('h', 'hx', { app: 'hx' }, { ips: ['192.168.0.9'], hostNetwork: true }),
      ],
      nodes,
      ciliumPolicies: [
        cnpCilium('a', 'p', {
          endpointSelector: app('c'),
          egress: [
            {
              toEntities: [entity],
              toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{ method: 'GET' }] } }],
            },
          ],
        }),
      ],
    });
  /** The L7 rows, node addresses by IP (their address classes are `external:<id>` in the answer). */
  const rows = (entity: string): string[] => {
    const compiled = compileCluster(st(entity));
    const ips = ['192.168.0.1', '192.168.0.2', '192.168.0.3'];
    const names = new Map(ips.map((ip) => [externalId(compiled.addressSpace.classOfIp(ip)!), ip]));
    return (computeConnectivity(compiled).l7 ?? []).map(
      (c) => `${c.src} -> ${names.get(c.dst) ?? c.dst}: ${formatPorts(c.ports)}`,
    );
  };

  test('host: the own node and its host-network pods, and those on no known node, each filtered', () => {
    assert.deepEqual(rows('host'), [
      'a/Pod/c -> h/Pod/h1: TCP 80',
      'a/Pod/c -> h/Pod/hx: TCP 80',
      'a/Pod/c -> 192.168.0.1: TCP 80',
    ]);
  });

  test('remote-node: every other node, whatever the order of their addresses', () => {
    assert.deepEqual(rows('remote-node'), [
      'a/Pod/c -> h/Pod/hx: TCP 80',
      'a/Pod/c -> 192.168.0.2: TCP 80',
      'a/Pod/c -> 192.168.0.3: TCP 80',
    ]);
  });
});
