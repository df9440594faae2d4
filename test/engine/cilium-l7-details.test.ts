/**
 * src/engine/cilium-l7.ts part by part: `allowedBetweenEnds` in both directions, the peers of an L7 rule
 * (any of them, everything, a CIDR), named ports, the L4-only allows of the source's side, the ports of
 * each entry, and the rows of `l7Connections` (directions, address classes, workloads spread over classes or
 * sharing one, several rows and policies in order).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compileCluster, type Endpoint } from '../../src/engine/compile.ts';
import { computeConnectivity } from '../../src/engine/connectivity.ts';
import { allowedBetweenEnds, l7Filters } from '../../src/engine/cilium-l7.ts';
import { portsEqual } from '../../src/engine/ports.ts';
import { formatPorts } from '../../src/describe/ports.ts';
import type { ClusterState, PodInfo } from '../../src/model/cluster.ts';
import type { CiliumRule } from '../../src/model/cilium-wire.ts';
import { cluster, cnpCilium, namedPort, ns, pod, policy, type ClusterInput } from '../support/builders.ts';

const app = (value: string) => ({ matchLabels: { app: value } });
const http = { http: [{ method: 'GET' }] };
const tcp = (port: string) => ({ port, protocol: 'TCP' as const });

/** prod: web, db (named port `sql` 5432), client, other; the world at 8.8.8.8 and 1.1.1.1 is mentioned. */
const PODS: PodInfo[] = [
  pod('prod', 'web', { app: 'web' }, { ips: ['10.0.0.1'] }),
  pod('prod', 'db', { app: 'db' }, { ips: ['10.0.0.2'], namedPorts: [namedPort('sql', 5432)] }),
  pod('prod', 'client', { app: 'client' }, { ips: ['10.0.0.3'] }),
  pod('prod', 'other', { app: 'other' }, { ips: ['10.0.0.4'] }),
];

function state(
  ciliumPolicies: NonNullable<ClusterInput['ciliumPolicies']>,
  extra: ClusterInput = {},
): ClusterState {
  return cluster({ namespaces: [ns('prod')], pods: PODS, ...extra, ciliumPolicies });
}

const cnp = (name: string, spec: CiliumRule) => cnpCilium('prod', name, spec);

/** The L7 rows of the connectivity answer: `src -> dst: ports by policies`. */
function rows(s: ClusterState): string[] {
  return (computeConnectivity(compileCluster(s)).l7 ?? []).map(
    (c) => `${c.src} -> ${c.dst}: ${formatPorts(c.ports)} by ${c.policies.join(',')}`,
  );
}

/** The filters of one connection between two pods, as `list policy entry ports`. */
function filtersBetween(s: ClusterState, src: string, dst: string): string[] {
  const compiled = compileCluster(s);
  const from = compiled.classOfPod('prod', src)!;
  const to = compiled.classOfPod('prod', dst)!;
  const allowed = compiled.allowedBetween(
    { kind: 'pod', namespace: 'prod', name: src },
    { kind: 'pod', namespace: 'prod', name: dst },
  );
  return l7Filters(compiled, { pod: from }, { pod: to }, allowed).map(
    (f) => `${f.list} ${f.policy} ${f.rule}/${f.entry} ${formatPorts(f.ports)}`,
  );
}

describe('allowedBetweenEnds', () => {
  test('what the compiled state allows between pods and addresses, both sides counted', () => {
    const s = state([
      // web may send to db on 80 and 443 only; db accepts 443 and 5432 only.
      cnp('web-out', {
        endpointSelector: app('web'),
        egress: [
          { toEndpoints: [app('db')], toPorts: [{ ports: [tcp('80'), tcp('443')] }] },
          { toCIDR: ['8.8.8.0/24'] },
        ],
      }),
      cnp('db-in', {
        endpointSelector: app('db'),
        ingress: [
          { fromEndpoints: [app('web')], toPorts: [{ ports: [tcp('443'), tcp('5432')] }] },
          { fromCIDR: ['1.1.1.0/24'], toPorts: [{ ports: [tcp('5432')] }] },
        ],
      }),
    ]);
    const compiled = compileCluster(s);
    const end = (e: Endpoint) =>
      e.kind === 'pod'
        ? { pod: compiled.classOfPod(e.namespace, e.name)! }
        : { address: compiled.addressSpace.classOfIp(e.ip)! };
    const endpoints: Endpoint[] = [
      { kind: 'pod', namespace: 'prod', name: 'web' },
      { kind: 'pod', namespace: 'prod', name: 'db' },
      { kind: 'ip', ip: '8.8.8.8' },
      { kind: 'ip', ip: '1.1.1.1' },
    ];
    for (const a of endpoints) {
      for (const b of endpoints) {
        if (a.kind === 'ip' && b.kind === 'ip') continue;
        if (a === b) continue;
        const got = allowedBetweenEnds(compiled, end(a), end(b));
        const want = compiled.allowedBetween(a, b);
        assert.ok(portsEqual(got, want), `${JSON.stringify(a)} -> ${JSON.stringify(b)}: ${formatPorts(got)}`);
      }
    }
    assert.equal(
      formatPorts(allowedBetweenEnds(compiled, end(endpoints[0]!), end(endpoints[1]!))),
      'TCP 443',
    );
  });
});

describe('l7Filters', () => {
  test('an L7 rule of several peers applies to a source matching any one of them', () => {
    const s = state([
      cnp('db-http', {
        endpointSelector: app('db'),
        ingress: [
          { fromEndpoints: [app('other'), app('web')], toPorts: [{ ports: [tcp('80')], rules: http }] },
        ],
      }),
    ]);
    assert.deepEqual(filtersBetween(s, 'web', 'db'), ['ingress CiliumNetworkPolicy/prod/db-http 0/0 TCP 80']);
  });

  test('an L7 rule does not filter a source it does not name (the class open to it otherwise)', () => {
    const s = state([
      cnp('db-http', {
        endpointSelector: app('db'),
        enableDefaultDeny: { ingress: false },
        ingress: [{ fromEndpoints: [app('web')], toPorts: [{ ports: [tcp('80')], rules: http }] }],
      }),
    ]);
    assert.deepEqual(filtersBetween(s, 'client', 'db'), []);
    assert.deepEqual(rows(s), ['prod/Pod/web -> prod/Pod/db: TCP 80 by CiliumNetworkPolicy/prod/db-http']);
  });

  test('a named port of an L7 entry resolves on the destination pod', () => {
    const s = state([
      cnp('db-http', {
        endpointSelector: app('db'),
        ingress: [{ fromEndpoints: [app('web')], toPorts: [{ ports: [tcp('sql')], rules: http }] }],
      }),
    ]);
    assert.deepEqual(filtersBetween(s, 'web', 'db'), [
      'ingress CiliumNetworkPolicy/prod/db-http 0/0 TCP 5432',
    ]);
  });

  test('an L4-only allow by named port cancels the L7 rule on that port', () => {
    const s = state([
      cnp('db-http', {
        endpointSelector: app('db'),
        ingress: [{ fromEndpoints: [app('web')], toPorts: [{ ports: [tcp('5432')], rules: http }] }],
      }),
      cnp('db-l4', {
        endpointSelector: app('db'),
        ingress: [{ fromEndpoints: [app('web')], toPorts: [{ ports: [tcp('sql')] }] }],
      }),
    ]);
    assert.deepEqual(filtersBetween(s, 'web', 'db'), []);
    assert.deepEqual(rows(s), []);
  });

  test('egress: an L4-only allow of the source, Cilium rule or NetworkPolicy, cancels its L7 rule', () => {
    const l7Out = cnp('web-http', {
      endpointSelector: app('web'),
      egress: [{ toEndpoints: [app('db')], toPorts: [{ ports: [tcp('80')], rules: http }] }],
    });
    assert.deepEqual(filtersBetween(state([l7Out]), 'web', 'db'), [
      'egress CiliumNetworkPolicy/prod/web-http 0/0 TCP 80',
    ]);
    const l4Out = cnp('web-l4', {
      endpointSelector: app('web'),
      egress: [{ toEndpoints: [app('db')], toPorts: [{ ports: [tcp('80')] }] }],
    });
    assert.deepEqual(filtersBetween(state([l7Out, l4Out]), 'web', 'db'), []);
    const np = policy('prod', 'web-np', {
      podSelector: app('web'),
      policyTypes: ['Egress'],
      egress: [{ to: [{ podSelector: app('db') }], ports: [{ port: 80, protocol: 'TCP' }] }],
    });
    assert.deepEqual(filtersBetween(state([l7Out], { policies: [np] }), 'web', 'db'), []);
    // To the world: an L4-only rule to the same CIDR cancels the L7 one.
    const world = (l4: boolean) =>
      state([
        cnp('web-world', {
          endpointSelector: app('web'),
          egress: [
            { toCIDR: ['8.8.8.0/24'], toPorts: [{ ports: [tcp('443')], rules: http }] },
            ...(l4 ? [{ toCIDR: ['8.8.8.0/24'], toPorts: [{ ports: [tcp('443')] }] }] : []),
          ],
        }),
      ]);
    assert.equal(rows(world(false)).length, 1);
    assert.deepEqual(rows(world(true)), []);
  });

  test('an entry whose ports are all let through at L4 is not listed; the other entry is', () => {
    const s = state([
      cnp('db-http', {
        endpointSelector: app('db'),
        ingress: [
          {
            fromEndpoints: [app('web')],
            toPorts: [
              { ports: [tcp('80')], rules: http },
              { ports: [tcp('81')], rules: http },
            ],
          },
        ],
      }),
      cnp('db-l4', {
        endpointSelector: app('db'),
        ingress: [{ fromEndpoints: [app('web')], toPorts: [{ ports: [tcp('81')] }] }],
      }),
    ]);
    assert.deepEqual(filtersBetween(s, 'web', 'db'), ['ingress CiliumNetworkPolicy/prod/db-http 0/0 TCP 80']);
  });
});

describe('l7Connections', () => {
  test('an L7 rule from every endpoint lists every source', () => {
    const s = state([
      cnp('db-http', {
        endpointSelector: app('db'),
        ingress: [{ fromEntities: ['all'], toPorts: [{ ports: [tcp('80')], rules: http }] }],
      }),
    ]);
    const got = rows(s);
    for (const src of ['web', 'client', 'other'])
      assert.ok(
        got.includes(`prod/Pod/${src} -> prod/Pod/db: TCP 80 by CiliumNetworkPolicy/prod/db-http`),
        got.join('\n'),
      );
  });

  test('egress L7 rules to pods, ingress L7 rules from CIDRs: each in its direction', () => {
    const s = state([
      cnp('client-http', {
        endpointSelector: app('client'),
        egress: [{ toEndpoints: [app('db')], toPorts: [{ ports: [tcp('80')], rules: http }] }],
      }),
      cnp('db-from-world', {
        endpointSelector: app('db'),
        ingress: [
          { fromCIDR: ['8.8.8.0/24'], toPorts: [{ ports: [tcp('443')], rules: http }] },
          { fromEndpoints: [app('client')] },
        ],
      }),
    ]);
    const got = rows(s);
    assert.ok(
      got.includes('prod/Pod/client -> prod/Pod/db: TCP 80 by CiliumNetworkPolicy/prod/client-http'),
      got.join('\n'),
    );
    assert.ok(
      got.some((r) =>
        /^external:\d+ -> prod\/Pod\/db: TCP 443 by CiliumNetworkPolicy\/prod\/db-from-world$/.test(r),
      ),
      got.join('\n'),
    );
    assert.equal(got.length, 2, got.join('\n'));
  });

  test('several sources, several address classes: a row for each, named after its own entity', () => {
    const s = state([
      cnp('db-http', {
        endpointSelector: app('db'),
        ingress: [
          { fromEndpoints: [app('web'), app('client')], toPorts: [{ ports: [tcp('80')], rules: http }] },
        ],
      }),
      cnp('web-world', {
        endpointSelector: app('web'),
        egress: [
          {
            toCIDR: ['1.1.1.0/24', '8.8.8.0/24', '9.9.9.0/24'],
            toPorts: [{ ports: [tcp('443')], rules: http }],
          },
          { toEndpoints: [app('db')] },
        ],
      }),
    ]);
    const got = rows(s);
    assert.deepEqual(
      got.filter((r) => r.includes('-> prod/Pod/db')),
      [
        'prod/Pod/client -> prod/Pod/db: TCP 80 by CiliumNetworkPolicy/prod/db-http',
        'prod/Pod/web -> prod/Pod/db: TCP 80 by CiliumNetworkPolicy/prod/db-http',
      ],
    );
    // Each address class is its own external entity, `external:<class>`.
    const compiled = compileCluster(s);
    assert.deepEqual(
      got.filter((r) => r.startsWith('prod/Pod/web -> external:')),
      ['1.1.1.1', '8.8.8.8', '9.9.9.9'].map(
        (ip) =>
          `prod/Pod/web -> external:${compiled.addressSpace.classOfIp(ip)!}: TCP 443 by CiliumNetworkPolicy/prod/web-world`,
      ),
    );
    assert.ok(compiled.addressSpace.classOfIp('1.1.1.1')! > 0);
  });

  test('rows sorted by destination; policies of a row sorted by name', () => {
    // web's egress L7 rules: to `zeta` in the first policy, to `alpha` in the second; db's ingress rule
    // (policy `a-in`) and web's egress rule (policy `z-out`) filter the same connection.
    const s = cluster({
      namespaces: [ns('prod')],
      pods: [
        pod('prod', 'web', { app: 'web' }, { ips: ['10.0.0.1'] }),
        pod('prod', 'alpha', { app: 'alpha' }, { ips: ['10.0.0.2'] }),
        pod('prod', 'zeta', { app: 'zeta' }, { ips: ['10.0.0.3'] }),
      ],
      ciliumPolicies: [
        cnp('z-out', {
          endpointSelector: app('web'),
          egress: [{ toEndpoints: [app('zeta')], toPorts: [{ ports: [tcp('80')], rules: http }] }],
        }),
        cnp('zz-out', {
          endpointSelector: app('web'),
          egress: [{ toEndpoints: [app('alpha')], toPorts: [{ ports: [tcp('80')], rules: http }] }],
        }),
        cnp('a-in', {
          endpointSelector: app('zeta'),
          ingress: [{ fromEndpoints: [app('web')], toPorts: [{ ports: [tcp('80')], rules: http }] }],
        }),
      ],
    });
    assert.deepEqual(rows(s), [
      'prod/Pod/web -> prod/Pod/alpha: TCP 80 by CiliumNetworkPolicy/prod/zz-out',
      'prod/Pod/web -> prod/Pod/zeta: TCP 80 by CiliumNetworkPolicy/prod/a-in,CiliumNetworkPolicy/prod/z-out',
    ]);
  });
});

describe('l7Connections: workloads and classes', () => {
  /** `state` with the pods named in `groups` gathered into Deployments (`name` → pod names). */
  function deployments(s: ClusterState, groups: Record<string, string[]>): ClusterState {
    const of = new Map<string, string>();
    for (const [name, pods] of Object.entries(groups))
      for (const p of pods) of.set(p, `prod/Deployment/${name}`);
    const pods = s.pods.map((p) => (of.has(p.name) ? { ...p, workload: of.get(p.name)! } : p));
    const bare = s.workloads.filter((w) => !of.has(w.name));
    const grouped = Object.entries(groups).map(([name, names]) => ({
      id: `prod/Deployment/${name}`,
      namespace: 'prod',
      kind: 'Deployment' as const,
      name,
      labels: s.pods.find((p) => p.name === names[0])!.labels,
      pods: names,
      replicas: names.length,
    }));
    return { ...s, pods, workloads: [...bare, ...grouped] };
  }

  const selfHttp = (label: string, port = '80') =>
    cnp(`${label}-http`, {
      endpointSelector: app(label),
      ingress: [{ fromEndpoints: [app(label)], toPorts: [{ ports: [tcp(port)], rules: http }] }],
    });

  test('a single pod is not listed as talking to itself; two pods of one workload are', () => {
    const one = cluster({
      namespaces: [ns('prod')],
      pods: [pod('prod', 'api', { app: 'api' }, { ips: ['10.0.0.1'] })],
      ciliumPolicies: [selfHttp('api')],
    });
    assert.deepEqual(rows(one), []);
    const two = deployments(
      cluster({
        namespaces: [ns('prod')],
        pods: [
          pod('prod', 'api-1', { app: 'api' }, { ips: ['10.0.0.1'] }),
          pod('prod', 'api-2', { app: 'api' }, { ips: ['10.0.0.2'] }),
        ],
        ciliumPolicies: [selfHttp('api')],
      }),
      { api: ['api-1', 'api-2'] },
    );
    assert.deepEqual(rows(two), [
      'prod/Deployment/api -> prod/Deployment/api: TCP 80 by CiliumNetworkPolicy/prod/api-http',
    ]);
  });

  test('two single-pod workloads of one class are listed towards each other, not themselves', () => {
    const s = cluster({
      namespaces: [ns('prod')],
      pods: [
        pod('prod', 'api-1', { app: 'api' }, { ips: ['10.0.0.1'] }),
        pod('prod', 'api-2', { app: 'api' }, { ips: ['10.0.0.2'] }),
      ],
      ciliumPolicies: [selfHttp('api')],
    });
    const compiled = compileCluster(s);
    assert.equal(compiled.classOfPod('prod', 'api-1'), compiled.classOfPod('prod', 'api-2'));
    assert.deepEqual(rows(s), [
      'prod/Pod/api-1 -> prod/Pod/api-2: TCP 80 by CiliumNetworkPolicy/prod/api-http',
      'prod/Pod/api-2 -> prod/Pod/api-1: TCP 80 by CiliumNetworkPolicy/prod/api-http',
    ]);
  });

  test('a workload over two classes: its pods talk to each other; its rows gather both classes’ ports', () => {
    // The Deployment's pods differ by a label (a rollout): two classes, one entity.
    const s = deployments(
      cluster({
        namespaces: [ns('prod')],
        pods: [
          pod('prod', 'api-1', { app: 'api', v: '1' }, { ips: ['10.0.0.1'] }),
          pod('prod', 'api-2', { app: 'api', v: '2' }, { ips: ['10.0.0.2'] }),
          pod('prod', 'db', { app: 'db' }, { ips: ['10.0.0.3'] }),
        ],
        ciliumPolicies: [
          selfHttp('api'),
          cnp('db-http', {
            endpointSelector: app('db'),
            ingress: [
              {
                fromEndpoints: [{ matchLabels: { v: '1' } }],
                toPorts: [{ ports: [tcp('81')], rules: http }],
              },
              {
                fromEndpoints: [{ matchLabels: { v: '2' } }],
                toPorts: [{ ports: [tcp('82')], rules: http }],
              },
            ],
          }),
        ],
      }),
      { api: ['api-1', 'api-2'] },
    );
    const compiled = compileCluster(s);
    assert.notEqual(compiled.classOfPod('prod', 'api-1'), compiled.classOfPod('prod', 'api-2'));
    assert.deepEqual(rows(s), [
      'prod/Deployment/api -> prod/Deployment/api: TCP 80 by CiliumNetworkPolicy/prod/api-http',
      'prod/Deployment/api -> prod/Pod/db: TCP 81-82 by CiliumNetworkPolicy/prod/db-http',
    ]);
  });
});
