/**
 * The connectivity answer (`src/engine/connectivity.ts`) on fixed examples: which workloads and pods talk to
 * themselves, the order of entities and connections, reach by DNS name, and addresses a cluster policy cuts
 * out of an open egress. Found by mutation testing (issue #20): the property tests compare the engine with
 * the naive evaluator pod by pod, which says nothing of these.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileCluster } from '../../src/engine/compile.ts';
import { computeConnectivity, type Connectivity, type Granularity } from '../../src/engine/connectivity.ts';
import { computeGroupedConnectivity } from '../../src/engine/grouped.ts';
import { formatPorts } from '../../src/describe/ports.ts';
import { buildClusterState, parseManifestText } from '../../src/parse/index.ts';
import type { ClusterState } from '../../src/model/cluster.ts';
import { anp, cluster, cnp, cnpCilium, ns, pod, policy, withWorkloads } from '../support/builders.ts';

function stateOf(yaml: string): ClusterState {
  const { state, errors } = buildClusterState(parseManifestText(yaml, 'apps.yaml').objects, {
    defaultNamespace: 'default',
    skipInvalid: false,
  });
  assert.deepEqual(errors, []);
  return state;
}

function workloadYaml(kind: string, name: string, namespace: string, replicas?: number): string {
  return [
    `apiVersion: apps/v1`,
    `kind: ${kind}`,
    `metadata: {name: ${name}, namespace: ${namespace}}`,
    `spec:`,
    ...(replicas === undefined ? [] : [`  replicas: ${replicas}`]),
    `  selector: {matchLabels: {app: ${name}}}`,
    `  template:`,
    `    metadata: {labels: {app: ${name}}}`,
    `    spec: {containers: [{name: c, image: i}]}`,
  ].join('\n');
}

function answer(state: ClusterState, granularity: Granularity = 'workload'): Connectivity {
  return computeConnectivity(compileCluster(state), granularity);
}

/** Sources that reach themselves. */
function selfTalk(conn: Connectivity): string[] {
  return conn.connections.filter((c) => c.src === c.dst).map((c) => c.src);
}

describe('who talks to itself', () => {
  const state = stateOf(
    [
      workloadYaml('Deployment', 'three', 'a', 3),
      workloadYaml('Deployment', 'one', 'a', 1),
      workloadYaml('Deployment', 'zero', 'a', 0),
      workloadYaml('DaemonSet', 'ds', 'a'),
      workloadYaml('StatefulSet', 'three', 'a', 2),
    ].join('\n---\n'),
  );

  test('workloads given by their template: two replicas or more, or a DaemonSet (one pod per node)', () => {
    assert.deepEqual(selfTalk(answer(state)), [
      'a/DaemonSet/ds',
      'a/Deployment/three',
      'a/StatefulSet/three',
    ]);
  });

  test('their template pods, by pod: the same', () => {
    assert.deepEqual(selfTalk(answer(state, 'pod')), [
      'a/ds-daemonset-template',
      'a/three-deployment-template',
      'a/three-statefulset-template',
    ]);
  });

  test('real pods: a workload with two pods talks to itself, one pod never to itself', () => {
    const real = withWorkloads(
      {
        pods: [
          pod('a', 'p1', { app: 'x' }),
          pod('a', 'p2', { app: 'x' }),
          pod('a', 'p3', { app: 'x' }),
          pod('a', 'p4', { app: 'x' }),
        ],
      },
      [1, 1, 2, 0],
      false,
    );
    assert.deepEqual(selfTalk(answer(real)), ['a/Deployment/w1']);
    assert.deepEqual(selfTalk(answer(real, 'pod')), []);
  });

  test('a workload whose two pods are in two classes talks to itself through them', () => {
    const real = withWorkloads(
      {
        pods: [pod('a', 'p1', { app: 'x', version: '1' }), pod('a', 'p2', { app: 'x', version: '2' })],
        policies: [
          policy('a', 'v2-from-v1', {
            podSelector: { matchLabels: { version: '2' } },
            policyTypes: ['Ingress'],
            ingress: [{ from: [{ podSelector: { matchLabels: { version: '1' } } }] }],
          }),
        ],
      },
      [1, 1],
      false,
    );
    const conn = answer(real);
    assert.deepEqual(selfTalk(conn), ['a/Deployment/w1']);
  });

  test('a workload whose two pods may each reach only their own kind of pod does not talk to itself', () => {
    const own = (version: string) =>
      policy('a', `v${version}-only`, {
        podSelector: { matchLabels: { version } },
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ podSelector: { matchLabels: { version } } }] }],
      });
    const real = withWorkloads(
      {
        pods: [pod('a', 'p1', { app: 'x', version: '1' }), pod('a', 'p2', { app: 'x', version: '2' })],
        policies: [own('1'), own('2')],
      },
      [1, 1],
      false,
    );
    assert.deepEqual(selfTalk(answer(real)), []);
  });
});

describe('order', () => {
  test('entities: workloads by namespace, name and kind, then the address classes', () => {
    const state = stateOf(
      [
        workloadYaml('StatefulSet', 'web', 'b'),
        workloadYaml('Deployment', 'web', 'b'),
        workloadYaml('Deployment', 'api', 'b'),
        workloadYaml('Deployment', 'zeta', 'a'),
      ].join('\n---\n'),
    );
    // Whatever order the input lists them in.
    const conn = answer({ ...state, workloads: [...state.workloads].reverse() });
    assert.deepEqual(
      conn.entities.map((e) => e.id),
      ['a/Deployment/zeta', 'b/Deployment/api', 'b/Deployment/web', 'b/StatefulSet/web', 'external:0'],
    );
    assert.deepEqual(
      [...conn.byId.keys()],
      conn.entities.map((e) => e.id),
    );
  });

  test('pods by namespace/name; connections by source, then destination, in entity order', () => {
    // Twelve pods, written in reverse: entity 10 and 11 sort after 9 (not as text).
    const pods = Array.from({ length: 12 }, (_, i) =>
      pod('a', `p${String(i).padStart(2, '0')}`, { app: `a${i}` }),
    ).reverse();
    // A policy that reads `app` elsewhere: each pod is a class of its own, numbered in the order written.
    const reads = policy('z', 'reads-app', { podSelector: { matchLabels: { app: 'none' } } });
    const conn = answer(cluster({ namespaces: [ns('a')], pods, policies: [reads] }), 'pod');
    const ids = conn.entities.map((e) => e.id);
    assert.deepEqual(ids, [...pods.map((p) => `a/${p.name}`).reverse(), 'external:0']);
    const index = new Map(ids.map((id, i) => [id, i]));
    const order = conn.connections.map((c) => [index.get(c.src)!, index.get(c.dst)!] as const);
    assert.equal(order.length, 12 * 11 + 2 * 12); // every pair of pods, each pod to and from the outside
    for (let i = 1; i < order.length; i++) {
      const [a, b] = [order[i - 1]!, order[i]!];
      assert.ok(
        a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]),
        `${ids[a[0]]} → ${ids[a[1]]} before ${ids[b[0]]} → ${ids[b[1]]}`,
      );
    }
  });
});

describe('addresses', () => {
  test('an Admin deny cuts an address out of an open egress; the other addresses stay', () => {
    const state = cluster({
      pods: [pod('a', 'web', { app: 'web' }, { ips: ['10.0.0.1'] })],
      clusterPolicies: [
        anp('no-metadata', {
          priority: 1,
          subject: { namespaces: {} },
          egress: [{ action: 'Deny', to: [{ networks: ['169.254.169.254/32'] }] }],
        }),
      ],
    });
    const conn = answer(state);
    const described = (id: string): string => {
      const e = conn.byId.get(id)!;
      return e.kind === 'external' ? compileCluster(state).addressSpace.describe(e.address.id) : id;
    };
    assert.deepEqual(
      conn.connections.map((c) => `${described(c.src)} -> ${described(c.dst)}: ${formatPorts(c.ports)}`),
      [
        'a/Pod/web -> 0.0.0.0/0 except 169.254.169.254/32; ::/0: All connections',
        '0.0.0.0/0 except 169.254.169.254/32; ::/0 -> a/Pod/web: All connections',
        '169.254.169.254/32 -> a/Pod/web: All connections',
      ],
    );
    // The grouped answer has the same pairs: none towards the cut address.
    const grouped = computeGroupedConnectivity(compileCluster(state));
    assert.equal(grouped.pairs, 3);
    assert.deepEqual(
      grouped.groups.map(
        (g) =>
          `${g.src.map(described).join(', ')} -> ${g.dst.map(described).join(', ')}: ${formatPorts(g.ports)}`,
      ),
      [
        // (A kind is listed as a destination of itself; a single pod adds no pair by it.)
        'a/Pod/web -> a/Pod/web, 0.0.0.0/0 except 169.254.169.254/32; ::/0: All connections',
        '0.0.0.0/0 except 169.254.169.254/32; ::/0, 169.254.169.254/32 -> a/Pod/web: All connections',
      ],
    );
  });
});

describe('pairs', () => {
  test('a workload whose pods are in two classes gets the ports of both', () => {
    const state = withWorkloads(
      {
        pods: [
          pod('a', 'p1', { app: 'x', version: '1' }),
          pod('a', 'p2', { app: 'x', version: '2' }),
          pod('a', 't', { app: 't' }),
        ],
        policies: [
          policy('a', 't-ingress', {
            podSelector: { matchLabels: { app: 't' } },
            policyTypes: ['Ingress'],
            ingress: [
              { from: [{ podSelector: { matchLabels: { version: '1' } } }], ports: [{ port: 80 }] },
              { from: [{ podSelector: { matchLabels: { version: '2' } } }], ports: [{ port: 443 }] },
            ],
          }),
        ],
      },
      [1, 1, 0],
      false,
    );
    const conn = answer(state);
    const toT = conn.connections
      .filter((c) => c.dst === 'a/Pod/t')
      .map((c) => `${c.src}: ${formatPorts(c.ports)}`);
    assert.deepEqual(toT, ['a/Deployment/w1: TCP 80,443']);
  });

  test('a source whose egress names its destinations reaches a destination open to all', () => {
    const state = cluster({
      pods: [
        pod('a', 'web', { app: 'web' }),
        pod('a', 'db', { app: 'db' }),
        pod('a', 'cache', { app: 'cache' }),
      ],
      policies: [
        policy('a', 'web-to-db', {
          podSelector: { matchLabels: { app: 'web' } },
          policyTypes: ['Egress'],
          egress: [{ to: [{ podSelector: { matchLabels: { app: 'db' } } }] }],
        }),
        policy('a', 'cache-from-db', {
          podSelector: { matchLabels: { app: 'cache' } },
          policyTypes: ['Ingress'],
          ingress: [{ from: [{ podSelector: { matchLabels: { app: 'db' } } }] }],
        }),
      ],
    });
    const fromWeb = answer(state)
      .connections.filter((c) => c.src === 'a/Pod/web')
      .map((c) => c.dst);
    assert.deepEqual(fromWeb, ['a/Pod/db']);
  });
});

describe('reach by DNS name', () => {
  test('cluster policies: by source in entity order, then by domain; ports joined over a workload’s classes', () => {
    const notV2 = { matchExpressions: [{ key: 'version', operator: 'NotIn' as const, values: ['2'] }] };
    const state = withWorkloads(
      {
        // Written out of name order: the classes are numbered zeta, alpha, then the workload's two.
        pods: [
          pod('a', 'zeta', { app: 'z' }),
          pod('a', 'alpha', { app: 'a' }),
          pod('a', 'p1', { app: 'x', version: '1' }),
          pod('a', 'p2', { app: 'x', version: '2' }),
        ],
        clusterPolicies: [
          cnp('names', {
            tier: 'Admin',
            priority: 1,
            subject: { pods: { namespaceSelector: {}, podSelector: notV2 } },
            egress: [
              {
                action: 'Accept',
                to: [
                  { domainNames: ['b.example.com', 'a.example.com'] },
                  { pods: { namespaceSelector: { matchLabels: { team: 'none' } }, podSelector: {} } },
                ],
                protocols: [{ tcp: { destinationPort: { number: 80 } } }],
              },
            ],
          }),
          cnp('v2', {
            tier: 'Admin',
            priority: 2,
            subject: { pods: { namespaceSelector: {}, podSelector: { matchLabels: { version: '2' } } } },
            egress: [
              {
                action: 'Accept',
                to: [{ domainNames: ['a.example.com'] }],
                protocols: [{ tcp: { destinationPort: { number: 443 } } }],
              },
            ],
          }),
          // Every pod is also the subject of a policy without names.
          cnp('plain', {
            tier: 'Admin',
            priority: 3,
            subject: {
              pods: {
                namespaceSelector: {},
                podSelector: { matchExpressions: [{ key: 'app', operator: 'Exists' }] },
              },
            },
            egress: [{ action: 'Accept', to: [{ networks: ['10.0.0.0/8'] }] }],
          }),
        ],
      },
      [0, 0, 1, 1],
      false,
    );
    assert.deepEqual(
      answer(state).domains.map((d) => `${d.src} ${d.domain} ${formatPorts(d.ports)}`),
      [
        'a/Pod/alpha a.example.com TCP 80',
        'a/Pod/alpha b.example.com TCP 80',
        'a/Deployment/w1 a.example.com TCP 80,443',
        'a/Deployment/w1 b.example.com TCP 80',
        'a/Pod/zeta a.example.com TCP 80',
        'a/Pod/zeta b.example.com TCP 80',
      ],
    );
  });

  test('Cilium toFQDNs: the pods a rule set with a toFQDNs rule selects, beside rule sets without', () => {
    // The DNS rule without peers (every peer) sends the lookups to Cilium's DNS proxy.
    const dns = {
      toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }],
    };
    const fqdn = {
      toFQDNs: [{ matchName: 'api.example.com' }],
      toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }],
    };
    const state = cluster({
      pods: [pod('a', 'c', { app: 'c' }), pod('a', 'd', { app: 'd' })],
      ciliumPolicies: [
        cnpCilium('a', 'to-api', { endpointSelector: { matchLabels: { app: 'c' } }, egress: [dns, fqdn] }),
        cnpCilium('a', 'also-c', {
          endpointSelector: { matchLabels: { app: 'c' } },
          egress: [{ toEndpoints: [{}] }],
        }),
      ],
    });
    assert.deepEqual(
      answer(state).domains.map((d) => `${d.src} ${d.domain} ${formatPorts(d.ports)}`),
      ['a/Pod/c api.example.com TCP 443'],
    );
  });
});
