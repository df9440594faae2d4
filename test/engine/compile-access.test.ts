/**
 * What the policy compiler (src/engine/compile.ts) builds for each class: named ports resolved per
 * destination (egress) and per selected class (ingress, NetworkPolicies and cluster policies), accesses shared
 * between classes only where they must be equal, policies a CNI ignores, the hairpin, and reach by DNS name
 * through Cilium rules. Written from the mutants that survived the conformance and property tests
 * (docs/mutation/engine.md, issue #20).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compileCluster } from '../../src/engine/compile.ts';
import { UPSTREAM_PROFILE, cniEngineOptions, type CniProfile } from '../../src/engine/profiles.ts';
import { formatPorts } from '../../src/describe/ports.ts';
import { ciliumPolicyInfo } from '../../src/model/cilium.ts';
import {
  anp,
  node,
  cluster,
  cnpCilium,
  namedPort,
  ns,
  pod,
  podRef,
  policy,
  type ClusterInput,
} from '../support/builders.ts';

type Compiled = ReturnType<typeof compileCluster>;
const between = (c: Compiled, src: string, dst: string): string => {
  const ref = (s: string) => {
    const [namespace, name] = s.split('/') as [string, string];
    return podRef(namespace, name);
  };
  return formatPorts(c.allowedBetween(ref(src), ref(dst)));
};

/** `a/client` and three web pods naming `http` differently, a pod defining `metrics`, and a host-network agent. */
const base: ClusterInput = {
  namespaces: [ns('a'), ns('b')],
  pods: [
    pod('a', 'client', { app: 'client' }),
    pod('a', 'web1', { app: 'web', v: '1' }, { namedPorts: [namedPort('http', 8081)] }),
    pod(
      'a',
      'web2',
      { app: 'web', v: '2' },
      { namedPorts: [namedPort('http', 8082), namedPort('metrics', 9100)] },
    ),
    pod('a', 'plain', { app: 'plain' }),
    pod('b', 'web3', { app: 'web', v: '3' }, { namedPorts: [namedPort('http', 8083)] }),
    pod('b', 'agent', { app: 'agent' }, { hostNetwork: true, namedPorts: [namedPort('http', 9000)] }),
  ],
};

const clientEgress = (...egress: object[]) =>
  policy('a', 'client-out', {
    podSelector: { matchLabels: { app: 'client' } },
    policyTypes: ['Egress'],
    egress,
  });

describe('egress named ports resolve against each destination', () => {
  test('to every destination: every pod defining the name, host-network ones too', () => {
    const c = compileCluster(cluster({ ...base, policies: [clientEgress({ ports: [{ port: 'http' }] })] }));
    assert.equal(between(c, 'a/client', 'a/web1'), 'TCP 8081');
    assert.equal(between(c, 'a/client', 'a/web2'), 'TCP 8082');
    assert.equal(between(c, 'a/client', 'b/web3'), 'TCP 8083');
    assert.equal(between(c, 'a/client', 'b/agent'), 'TCP 9000');
    assert.equal(between(c, 'a/client', 'a/plain'), 'No connections');
  });

  test('to every pod by selectors: the pods defining the name, not host-network ones', () => {
    const c = compileCluster(
      cluster({
        ...base,
        policies: [clientEgress({ to: [{ namespaceSelector: {} }], ports: [{ port: 'http' }] })],
      }),
    );
    assert.equal(between(c, 'a/client', 'a/web1'), 'TCP 8081');
    assert.equal(between(c, 'a/client', 'b/web3'), 'TCP 8083');
    assert.equal(between(c, 'a/client', 'b/agent'), 'No connections');
  });

  test('to some pods: only those, whichever side is smaller', () => {
    // One peer class, three definers: the peer's classes are looked up.
    const one = compileCluster(
      cluster({
        ...base,
        policies: [
          clientEgress({ to: [{ podSelector: { matchLabels: { v: '2' } } }], ports: [{ port: 'http' }] }),
        ],
      }),
    );
    assert.equal(between(one, 'a/client', 'a/web2'), 'TCP 8082');
    assert.equal(between(one, 'a/client', 'a/web1'), 'No connections');
    // Four peer classes, one definer of `metrics`: the definers are looked up among the peer's classes.
    const many = compileCluster(
      cluster({
        ...base,
        policies: [
          clientEgress(
            { to: [{ podSelector: {} }], ports: [{ port: 'metrics' }] },
            {
              to: [
                { podSelector: { matchLabels: { app: 'plain' } } },
                { podSelector: { matchLabels: { app: 'client' } } },
              ],
              ports: [{ port: 'http' }],
            },
          ),
        ],
      }),
    );
    assert.equal(between(many, 'a/client', 'a/web2'), 'TCP 9100');
    assert.equal(between(many, 'a/client', 'a/web1'), 'No connections');
    // The same with a Cilium rule set on the client: its layer reads every pod entry of the egress access.
    const withCilium = compileCluster(
      cluster({
        ...base,
        policies: many.state.policies,
        ciliumPolicies: [
          cnpCilium('a', 'out', {
            endpointSelector: { matchLabels: { app: 'client' } },
            egress: [{ toCIDR: ['8.8.8.8/32'] }],
          }),
        ],
      }),
    );
    assert.equal(between(withCilium, 'a/client', 'a/web2'), 'TCP 9100');
    assert.equal(between(withCilium, 'a/client', 'a/plain'), 'No connections');
    // Two peer classes, one definer of `metrics` that is not among them: nothing.
    const outside = compileCluster(
      cluster({
        ...base,
        policies: [
          clientEgress({
            to: [
              {
                podSelector: {
                  matchExpressions: [{ key: 'app', operator: 'In', values: ['client', 'plain'] }],
                },
              },
            ],
            ports: [{ port: 'metrics' }],
          }),
        ],
      }),
    );
    assert.equal(between(outside, 'a/client', 'a/web2'), 'No connections');
    // Peers in `a` only: not the definers in `b`.
    const other = compileCluster(
      cluster({
        ...base,
        policies: [
          clientEgress({
            to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'a' } } }],
            ports: [{ port: 'http' }],
          }),
        ],
      }),
    );
    assert.equal(between(other, 'a/client', 'a/web1'), 'TCP 8081');
    assert.equal(between(other, 'a/client', 'a/web2'), 'TCP 8082');
    assert.equal(between(other, 'a/client', 'b/web3'), 'No connections');
    assert.equal(between(other, 'a/client', 'b/agent'), 'No connections');
  });

  test('a name no pod defines allows nothing, the rule’s numeric ports still do', () => {
    const c = compileCluster(
      cluster({
        ...base,
        policies: [
          clientEgress(
            { to: [{ podSelector: {} }], ports: [{ port: 'grpc' }, { port: 22 }] },
            { ports: [{ port: 'nope' }] },
          ),
        ],
      }),
    );
    assert.equal(between(c, 'a/client', 'a/web1'), 'TCP 22');
    assert.equal(between(c, 'a/client', 'b/web3'), 'No connections');
  });
});

describe('ingress named ports resolve against each selected class', () => {
  test('NetworkPolicies: one policy over classes with different ports', () => {
    const c = compileCluster(
      cluster({
        ...base,
        policies: [
          policy('a', 'web-in', {
            podSelector: { matchLabels: { app: 'web' } },
            ingress: [{ ports: [{ port: 'http' }] }],
          }),
        ],
      }),
    );
    assert.equal(between(c, 'a/client', 'a/web1'), 'TCP 8081');
    assert.equal(between(c, 'a/client', 'a/web2'), 'TCP 8082');
  });

  test('cluster policies: one Admin policy over classes with different ports', () => {
    const c = compileCluster(
      cluster({
        ...base,
        clusterPolicies: [
          anp('web-in', {
            priority: 1,
            subject: { pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: 'web' } } } },
            ingress: [
              { name: 'http', action: 'Allow', from: [{ namespaces: {} }], ports: [{ namedPort: 'http' }] },
              { name: 'rest', action: 'Deny', from: [{ namespaces: {} }] },
            ],
          }),
        ],
      }),
    );
    assert.equal(between(c, 'a/client', 'a/web1'), 'TCP 8081');
    assert.equal(between(c, 'a/client', 'a/web2'), 'TCP 8082');
    assert.equal(between(c, 'a/client', 'b/web3'), 'TCP 8083');
  });
});

describe('classes selected by the same policies share the answer only where it must be equal', () => {
  test('egress: two classes under the same policies, and one under a subset', () => {
    const c = compileCluster(
      cluster({
        ...base,
        policies: [
          policy('a', 'web-out', {
            podSelector: { matchLabels: { app: 'web' } },
            egress: [{ ports: [{ port: 80 }] }],
          }),
          policy('a', 'web2-out', {
            podSelector: { matchLabels: { v: '2' } },
            egress: [{ ports: [{ port: 443 }] }],
          }),
        ],
      }),
    );
    assert.equal(between(c, 'a/web1', 'a/plain'), 'TCP 80');
    assert.equal(between(c, 'a/web2', 'a/plain'), 'TCP 80,443');
    assert.equal(between(c, 'a/client', 'a/plain'), 'All connections');
  });
});

describe('policies a CNI ignores', () => {
  const profile = (endPort: 'range' | 'policy-ignored' | 'first-port'): CniProfile => ({
    ...UPSTREAM_PROFILE,
    settings: { ...UPSTREAM_PROFILE.settings, endPort },
  });
  const state = cluster({
    ...base,
    policies: [
      policy('a', 'range', {
        podSelector: { matchLabels: { app: 'plain' } },
        ingress: [{ ports: [{ port: 80, endPort: 90 }] }],
      }),
      policy('a', 'single', {
        podSelector: { matchLabels: { app: 'client' } },
        ingress: [{ ports: [{ port: 80 }] }],
      }),
    ],
  });

  test('a policy with endPort selects nothing where the CNI rejects it; a range or the first port elsewhere', () => {
    const ignored = compileCluster(state, cniEngineOptions(profile('policy-ignored')));
    assert.deepEqual(ignored.policies[0]!.selected, []);
    assert.equal(between(ignored, 'a/client', 'a/plain'), 'All connections');
    // A policy without endPort still applies.
    assert.equal(between(ignored, 'a/plain', 'a/client'), 'TCP 80');
    assert.equal(
      between(compileCluster(state, cniEngineOptions(profile('range'))), 'a/client', 'a/plain'),
      'TCP 80-90',
    );
    assert.equal(
      between(compileCluster(state, cniEngineOptions(profile('first-port'))), 'a/client', 'a/plain'),
      'TCP 80',
    );
    assert.equal(compileCluster(state).policies[0]!.selected.length, 1);
  });
});

describe('compiled policies', () => {
  test('rules of a direction the policy does not affect are not compiled; peers and ports are', () => {
    const c = compileCluster(
      cluster({
        ...base,
        policies: [
          policy('a', 'in-only', {
            podSelector: {},
            policyTypes: ['Ingress'],
            ingress: [
              {
                from: [
                  { podSelector: { matchLabels: { app: 'client' } } },
                  { ipBlock: { cidr: '10.0.0.0/8' } },
                ],
              },
              { from: [] },
            ],
            egress: [{ ports: [{ port: 53 }] }],
          }),
        ],
      }),
    );
    const p = c.policies[0]!;
    assert.equal(p.affectsIngress, true);
    assert.equal(p.affectsEgress, false);
    assert.deepEqual(p.egress, []);
    assert.equal(p.ingress.length, 2);
    assert.deepEqual(
      p.ingress.map((r) => [
        r.direction,
        r.index,
        r.peers === 'everything' ? 'everything' : r.peers.map((x) => `${x.index}:${x.kind}`),
      ]),
      [
        ['ingress', 0, ['0:pods', '1:ipBlock']],
        ['ingress', 1, 'everything'],
      ],
    );
    assert.equal(p.ingress[0]!.ports.any, true);
    // Every class of `a` (host-network pods are not in it), in id order.
    assert.equal(p.selected.length, 4);
    for (const id of p.selected) assert.deepEqual(c.policiesOfClass[id], [0]);
  });
});

describe('reach by DNS name through Cilium toFQDNs rules', () => {
  test('each name with its ports, rule set, and rule', () => {
    const dns53 = { ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } };
    const state = cluster({
      ...base,
      ciliumPolicies: [
        cnpCilium('a', 'other', {
          endpointSelector: { matchLabels: { app: 'plain' } },
          egress: [{ toEndpoints: [{}] }],
        }),
        // Two rule sets: the name is in the policy's second, the cluster's third.
        ciliumPolicyInfo({
          apiVersion: 'cilium.io/v2',
          kind: 'CiliumNetworkPolicy',
          metadata: { name: 'names', namespace: 'a' },
          specs: [
            { endpointSelector: { matchLabels: { app: 'plain' } }, egress: [{ toEndpoints: [{}] }] },
            {
              endpointSelector: { matchLabels: { app: 'client' } },
              egress: [
                { toEndpoints: [{}], toPorts: [dns53] },
                {
                  toFQDNs: [{ matchName: 'api.example.com' }],
                  toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }],
                },
              ],
            },
          ],
        }),
      ],
    });
    const c = compileCluster(state);
    const reach = c.domainReach(c.classOfPod('a', 'client')!);
    assert.deepEqual(
      reach.map((r) => ({ ...r, ports: formatPorts(r.ports) })),
      [{ domain: 'api.example.com', ports: 'TCP 443', policy: 1, rule: 1, cilium: { spec: 2 } }],
    );
    assert.deepEqual(c.domainReach(c.classOfPod('a', 'plain')!), []);
  });
});

describe('tiers and Cilium layers over the NetworkPolicy accesses', () => {
  test('a Cilium deny on a class nothing isolates, different for two classes with the same accesses', () => {
    // `enableDefaultDeny: { egress: false }`: the deny rules do not isolate the pods.
    const open = { egress: false };
    const c = compileCluster(
      cluster({
        ...base,
        ciliumPolicies: [
          cnpCilium('a', 'client-deny', {
            endpointSelector: { matchLabels: { app: 'client' } },
            enableDefaultDeny: open,
            egressDeny: [{ toCIDR: ['8.8.8.8/32'] }],
          }),
          cnpCilium('a', 'plain-deny', {
            endpointSelector: { matchLabels: { app: 'plain' } },
            enableDefaultDeny: open,
            egressDeny: [{ toCIDR: ['1.1.1.1/32'] }],
          }),
        ],
      }),
    );
    const toIp = (src: string, ip: string) =>
      formatPorts(c.allowedBetween(podRef('a', src), { kind: 'ip', ip }));
    assert.equal(toIp('client', '8.8.8.8'), 'No connections');
    assert.equal(toIp('client', '1.1.1.1'), 'All connections');
    assert.equal(toIp('plain', '1.1.1.1'), 'No connections');
    assert.equal(toIp('plain', '8.8.8.8'), 'All connections');
  });

  test('a pod to its own IP skips cluster policies; a pod of the same name in another namespace does not', () => {
    const state = cluster({
      namespaces: [ns('a'), ns('b')],
      pods: [pod('a', 'web', { app: 'web' }), pod('b', 'web', { app: 'web' })],
      clusterPolicies: [
        anp('deny', {
          priority: 1,
          subject: { namespaces: {} },
          ingress: [{ name: 'all', action: 'Deny', from: [{ namespaces: {} }] }],
        }),
      ],
    });
    const c = compileCluster(state);
    assert.equal(between(c, 'a/web', 'a/web'), 'All connections');
    assert.equal(between(c, 'a/web', 'b/web'), 'No connections');
  });
});

describe('classes', () => {
  test('pods differing only in labels no selector reads share a class, unless classes go by every label', () => {
    const state = cluster({
      pods: [
        pod('a', 'x', { app: 'web', v: '1' }),
        pod('a', 'y', { app: 'web', v: '2' }),
        pod('a', 'z', { app: 'db' }),
      ],
      policies: [policy('a', 'web', { podSelector: { matchLabels: { app: 'web' } }, ingress: [] })],
    });
    assert.equal(compileCluster(state).classes.length, 2);
    assert.equal(compileCluster(state, { classesByAllLabels: true }).classes.length, 3);
  });

  test('a name a pod gives two ports: both, in either direction', () => {
    const state = cluster({
      pods: [
        pod('a', 'client', { app: 'client' }),
        pod('a', 'web', { app: 'web' }, { namedPorts: [namedPort('http', 8080), namedPort('http', 8081)] }),
      ],
      policies: [
        policy('a', 'out', {
          podSelector: { matchLabels: { app: 'client' } },
          policyTypes: ['Egress'],
          egress: [{ ports: [{ port: 'http' }] }],
        }),
        policy('a', 'in', {
          podSelector: { matchLabels: { app: 'web' } },
          ingress: [{ ports: [{ port: 'http' }] }],
        }),
      ],
    });
    const c = compileCluster(state);
    assert.equal(between(c, 'a/client', 'a/web'), 'TCP 8080-8081');
    assert.equal(
      formatPorts(c.egress[c.classOfPod('a', 'client')!]!.pods.get(c.classOfPod('a', 'web')!)!),
      'TCP 8080-8081',
    );
  });
});

describe('accesses shared by classes under the same policies', () => {
  test('policy lists that would read alike joined without a separator stay apart ([1, 2, 3] and [1, 23])', () => {
    const none = { matchLabels: { app: 'none' } };
    const policies = Array.from({ length: 24 }, (_, i) => {
      const selects =
        i === 1
          ? { matchExpressions: [{ key: 'app', operator: 'In' as const, values: ['x', 'y'] }] }
          : i === 2 || i === 3
            ? { matchLabels: { app: 'x' } }
            : i === 23
              ? { matchLabels: { app: 'y' } }
              : none;
      const ports = [{ port: 1000 + i }];
      return policy('a', `p${i}`, {
        podSelector: selects,
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{ ports }],
        egress: [{ ports }],
      });
    });
    const c = compileCluster(
      cluster({
        pods: [pod('a', 'x', { app: 'x' }), pod('a', 'y', { app: 'y' }), pod('a', 'z', { app: 'z' })],
        policies,
      }),
    );
    assert.equal(between(c, 'a/x', 'a/z'), 'TCP 1001-1003');
    assert.equal(between(c, 'a/y', 'a/z'), 'TCP 1001,1023');
    assert.equal(between(c, 'a/z', 'a/x'), 'TCP 1001-1003');
    assert.equal(between(c, 'a/z', 'a/y'), 'TCP 1001,1023');
  });
});

describe('pod addresses are known when some rule matches pods by address, whatever ipBlockMatchesPods says', () => {
  const pods = [
    pod('a', 'client', { app: 'client' }),
    pod('a', 'web', { app: 'web' }, { ips: ['10.0.0.5'] }),
    pod('a', 'agent', { app: 'agent' }, { ips: ['192.168.0.9'], hostNetwork: true, nodeName: 'n1' }),
  ];

  test('an Admin policy’s networks match a pod by its IP', () => {
    const c = compileCluster(
      cluster({
        pods,
        clusterPolicies: [
          anp('deny', {
            priority: 1,
            subject: { pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: 'client' } } } },
            egress: [{ name: 'net', action: 'Deny', to: [{ networks: ['10.0.0.0/24'] }] }],
          }),
        ],
      }),
      { ipBlockMatchesPods: false },
    );
    assert.equal(between(c, 'a/client', 'a/web'), 'No connections');
    assert.equal(between(c, 'a/client', 'a/agent'), 'All connections');
  });

  test('a Cilium node peer matches a host-network pod by its node’s address', () => {
    const c = compileCluster(
      cluster({
        pods,
        nodes: [node('n1', {}, ['192.168.0.9'])],
        ciliumPolicies: [
          cnpCilium('a', 'nodes', {
            endpointSelector: { matchLabels: { app: 'client' } },
            egress: [{ toNodes: [{}] }],
          }),
        ],
      }),
      { ipBlockMatchesPods: false },
    );
    assert.equal(between(c, 'a/client', 'a/agent'), 'All connections');
    assert.equal(between(c, 'a/client', 'a/web'), 'No connections');
  });
});

describe('a state without its namespaces listed', () => {
  test('each namespace still carries its name label', () => {
    const state = cluster({
      pods: [pod('a', 'x', { app: 'x' }), pod('b', 'y', { app: 'y' })],
      policies: [
        policy('a', 'from-b', {
          podSelector: {},
          ingress: [
            { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'b' } } }] },
          ],
        }),
      ],
    });
    const c = compileCluster({ ...state, namespaces: [] });
    assert.equal(between(c, 'b/y', 'a/x'), 'All connections');
    assert.equal(between(c, 'a/x', 'a/x'), 'No connections');
  });
});

describe('the layers compiled', () => {
  const pods = [
    pod('a', 'db', { app: 'db' }, { ips: ['10.0.0.5'], nodeName: 'n1' }),
    pod('a', 'client', { app: 'client' }, { ips: ['10.0.0.6'], nodeName: 'n2' }),
  ];
  const nodes = [node('n1', {}, ['192.168.0.1']), node('n2', {}, ['192.168.0.2'])];
  const dbIn = cnpCilium('a', 'db-in', {
    endpointSelector: { matchLabels: { app: 'db' } },
    ingress: [{ fromEndpoints: [{ matchLabels: { app: 'nobody' } }] }],
  });
  const fromIp = (c: Compiled, ip: string, dst: string) =>
    formatPorts(c.allowedBetween({ kind: 'ip', ip }, podRef('a', dst)));

  test('without cluster or Cilium policies the final accesses are the NetworkPolicy ones', () => {
    const c = compileCluster(
      cluster({ pods, policies: [policy('a', 'p', { podSelector: {}, ingress: [] })] }),
    );
    assert.equal(c.ingress, c.npIngress);
    assert.equal(c.egress, c.npEgress);
  });

  test('a Cilium rule set isolating a pod still lets its own node in', () => {
    const c = compileCluster(cluster({ pods, nodes, ciliumPolicies: [dbIn] }));
    assert.equal(fromIp(c, '192.168.0.1', 'db'), 'All connections');
    assert.equal(fromIp(c, '192.168.0.2', 'db'), 'No connections');
    assert.equal(between(c, 'a/client', 'a/db'), 'No connections');
  });

  test('cluster policies over a Cilium layer: a class they do not select keeps its Cilium ingress', () => {
    const c = compileCluster(
      cluster({
        pods,
        nodes,
        ciliumPolicies: [dbIn],
        clusterPolicies: [
          anp('client-out', {
            priority: 1,
            subject: { pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: 'client' } } } },
            egress: [{ name: 'dns', action: 'Allow', to: [{ networks: ['8.8.8.8/32'] }] }],
          }),
        ],
      }),
    );
    assert.equal(between(c, 'a/client', 'a/db'), 'No connections');
    assert.equal(fromIp(c, '192.168.0.1', 'db'), 'All connections');
  });
});

describe('a policy without podSelector', () => {
  test('selects every pod of its namespace, as podSelector: {} does', () => {
    const c = compileCluster(
      cluster({
        pods: [pod('a', 'x', { app: 'x' }), pod('a', 'y')],
        policies: [policy('a', 'p', { ingress: [] })],
      }),
    );
    assert.equal(between(c, 'a/x', 'a/y'), 'No connections');
    assert.equal(between(c, 'a/y', 'a/x'), 'No connections');
  });
});
