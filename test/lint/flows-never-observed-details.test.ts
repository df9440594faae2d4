/**
 * flows-never-observed beyond its table (test/lint/rules/flows-never-observed.ts): egress rules, towards
 * workloads (named ports) and towards addresses, an Admin rule whose unobserved traffic goes to an address, and
 * built states: which rules get which connections, with and without cluster policies, and their workloads.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lint } from '../../src/lint/run.ts';
import rule from '../../src/lint/rules/flows-never-observed.ts';
import { formatPath } from '../../src/model/problem.ts';
import type { NetworkPolicySpec } from '../../src/model/k8s.ts';
import { cluster, cnp, namedPort, ns as builtNs, pod, policy, withWorkloads } from '../support/builders.ts';
import type { ClusterPolicyInfo, ClusterState, PolicyInfo } from '../../src/model/cluster.ts';
import { tcp as tcpPort } from './tier-fixtures.ts';
import type { ObservedConnection } from '../../src/lint/types.ts';
import { deploy, docs, ns, ruleTester, yaml } from './helpers.ts';

const w = (id: string) => ({ kind: 'workload' as const, id });
const base = docs(
  ns('data'),
  ns('shop'),
  deploy('data', 'redis', { ports: ['redis:6379'] }),
  deploy('shop', 'api'),
);
/** api's egress: to redis on `port`, and (marked by `markWeb`) to 203.0.113.0/24 on 443. */
const apiEgress = (port: string, markRedis = '', markWeb = ''): string => yaml`
  apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata: {name: api-out, namespace: shop}
  spec:
    podSelector: {matchLabels: {app: api}}
    policyTypes: [Egress]
    egress:
      - to: [{namespaceSelector: {}, podSelector: {matchLabels: {app: redis}}}]${markRedis}
        ports: [{port: ${port}}]
      - to: [{ipBlock: {cidr: 203.0.113.0/24}}]${markWeb}
        ports: [{port: 443}]
`;
const apiToRedis: ObservedConnection[] = [
  { src: w('shop/Deployment/api'), dst: w('data/Deployment/redis'), protocol: 'TCP', port: 6379 },
];
const apiToWeb: ObservedConnection[] = [
  { src: w('shop/Deployment/api'), dst: { kind: 'external', ip: '203.0.113.7' }, protocol: 'TCP', port: 443 },
];

ruleTester(rule, {
  valid: [
    {
      name: 'egress to a workload by a named port and to an address, both observed',
      yaml: docs(base, apiEgress('redis')),
      observed: [...apiToRedis, ...apiToWeb],
    },
  ],
  invalid: [
    {
      // The connection to the address class is an end of its own (not a workload): reported on its rule.
      name: 'egress to an address never observed',
      yaml: docs(base, apiEgress('6379', '', '  # <-')),
      observed: apiToRedis,
      messages: [
        [
          'This egress rule allows 1 connection on ports never observed in the flows',
          'shop/api → 203.0.113.0/24 TCP 443',
        ],
      ],
    },
    {
      // The named port is read on the destination's pods (redis: 6379), as the rule grants it.
      name: 'egress to a workload by a named port never observed',
      yaml: docs(base, apiEgress('redis', '  # <-')),
      observed: apiToWeb,
      messages: [
        [
          'This egress rule allows 1 connection on ports never observed in the flows',
          'shop/api → data/redis TCP 6379',
        ],
      ],
    },
  ],
});

// An Admin rule that accepts egress to an address: the unobserved part is explained towards the address.
ruleTester(rule, {
  valid: [],
  invalid: [
    {
      name: 'an Admin Accept rule to an address never observed',
      yaml: docs(
        base,
        yaml`
          apiVersion: policy.networking.k8s.io/v1beta1
          kind: ClusterNetworkPolicy
          metadata: {name: api-to-web}
          spec:
            tier: Admin
            priority: 10
            subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: shop}}}
            egress:
              - action: Accept  # <-
                to: [{networks: [203.0.113.0/24]}]
                protocols: [{tcp: {destinationPort: {number: 443}}}]
        `,
      ),
      observed: apiToRedis,
      messages: [
        [
          'This egress rule allows 1 connection on ports never observed in the flows',
          'shop/api → 203.0.113.0/24 TCP 443',
        ],
      ],
    },
  ],
});

// Findings without a place in a file (a state built without files) are ordered by message, then as the rule
// reports them: by policy, then by rule. Six rules granting the same unobserved connection.
test('findings with the same message come by policy, then by rule', () => {
  const rules = (n: number): NetworkPolicySpec => ({
    podSelector: { matchLabels: { app: 'redis' } },
    ingress: Array.from({ length: n }, () => ({ ports: [{ port: 6379 }] })),
  });
  const state = cluster({
    pods: [pod('data', 'redis', { app: 'redis' }), pod('shop', 'api', { app: 'api' })],
    policies: [
      policy('data', 'z-first', rules(3)),
      policy('data', 'a-second', rules(2)),
      policy('data', 'm-third', rules(1)),
    ],
  });
  const result = lint({ state, observed: [] }, { rules: [rule] });
  assert.deepEqual(
    result.findings.map((f) => `${f.object.id} ${formatPath(f.path)} ${f.line ?? '-'}`),
    [
      'data/NetworkPolicy/z-first spec.ingress[0] -',
      'data/NetworkPolicy/z-first spec.ingress[1] -',
      'data/NetworkPolicy/z-first spec.ingress[2] -',
      'data/NetworkPolicy/a-second spec.ingress[0] -',
      'data/NetworkPolicy/a-second spec.ingress[1] -',
      'data/NetworkPolicy/m-third spec.ingress[0] -',
    ],
  );
  assert.equal(new Set(result.findings.map((f) => f.message)).size, 1);
  // The workloads each rule grants the unobserved traffic to.
  for (const f of result.findings) assert.deepEqual(f.workloads, ['data/Pod/redis']);
});

// The rule's own order, where the input's would differ: redis's two pods fall into two classes; the first is
// selected by the second policy only (its rule 1: the named port of rule 0 is the other pod's), so the
// second policy and its rule 1 are met first. The messages are the same, so the order is the rule's.
test('findings with the same message: by policy and rule even when met in another order', () => {
  const redis = (name: string, role: string) =>
    pod(
      'data',
      name,
      { app: 'redis', role },
      role === 'replica' ? { namedPorts: [namedPort('redis', 6379)] } : {},
    );
  const pods = [{ ...redis('redis-0', 'primary'), workload: 'data/StatefulSet/redis' }];
  pods.push({ ...redis('redis-1', 'replica'), workload: 'data/StatefulSet/redis' });
  const base = cluster({
    pods: [...pods, pod('shop', 'api', { app: 'api' })],
    policies: [
      policy('data', 'replicas', {
        podSelector: { matchLabels: { role: 'replica' } },
        ingress: [{ ports: [{ port: 6379 }] }],
      }),
      policy('data', 'redis', {
        podSelector: { matchLabels: { app: 'redis' } },
        ingress: [{ ports: [{ port: 'redis' }] }, { ports: [{ port: 6379 }] }],
      }),
    ],
  });
  const state = {
    ...base,
    workloads: [
      {
        id: 'data/StatefulSet/redis',
        namespace: 'data',
        kind: 'StatefulSet' as const,
        name: 'redis',
        labels: { app: 'redis' },
        pods: ['redis-0', 'redis-1'],
        replicas: 2,
      },
      ...base.workloads.filter((w) => w.namespace === 'shop'),
    ],
  };
  const result = lint({ state, observed: [] }, { rules: [rule] });
  assert.deepEqual(
    result.findings.map((f) => `${f.object.id} ${formatPath(f.path)}`),
    [
      'data/NetworkPolicy/replicas spec.ingress[0]',
      'data/NetworkPolicy/redis spec.ingress[0]',
      'data/NetworkPolicy/redis spec.ingress[1]',
    ],
  );
  assert.equal(new Set(result.findings.map((f) => f.message)).size, 1);
});

// Built states; the findings as the user sees them (object, field path, whole message, workloads), by place
// (without files the runner orders them by message).
const found = (state: ClusterState, observed: readonly ObservedConnection[]) =>
  lint({ state, observed }, { rules: [rule] })
    .findings.map((f) => ({
      at: `${f.object.id} ${formatPath(f.path)}`,
      message: f.message,
      workloads: f.workloads,
    }))
    .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
const tcpFlow = (src: ObservedConnection['src'], dst: ObservedConnection['dst'], port: number) => ({
  src,
  dst,
  protocol: 'TCP' as const,
  port,
});
const unused = (direction: string, count: string, examples: string): string =>
  `This ${direction} rule allows ${count} on ports never observed in the flows (${examples}); narrow its peers or ports to what is used`;
/** shop/web-1 (v=1) and shop/web-2 (v=2): one Deployment `w1` of two pod classes; data/db; zeta/client, zeta/other. */
const flowsState = (input: { policies?: PolicyInfo[]; clusterPolicies?: ClusterPolicyInfo[] }) =>
  withWorkloads(
    {
      namespaces: [
        builtNs('shop', { team: 'shop' }),
        builtNs('data', { team: 'data' }),
        builtNs('zeta', { team: 'zeta' }),
      ],
      pods: [
        pod('shop', 'web-1', { app: 'web', v: '1' }),
        pod('shop', 'web-2', { app: 'web', v: '2' }),
        pod('data', 'db', { app: 'db' }),
        pod('zeta', 'client', { app: 'client' }),
        pod('zeta', 'other', { app: 'other' }),
      ],
      ...input,
    },
    [1, 1, 0, 0, 0],
    false,
  );
const zetaPods = (app?: string) => ({
  namespaceSelector: { matchLabels: { team: 'zeta' } },
  podSelector: app === undefined ? {} : { matchLabels: { app } },
});
/** db's ingress: rule 0 from zeta/client on 80, rule 1 from every zeta pod on 80, rule 2 from zeta/client on 443. */
const dbIn = policy('data', 'db-in', {
  podSelector: {},
  ingress: [
    { from: [zetaPods('client')], ports: [{ port: 80 }] },
    { from: [zetaPods()], ports: [{ port: 80 }] },
    { from: [zetaPods('client')], ports: [{ port: 443 }] },
  ],
});
const client = w('zeta/Pod/client');
const dbEnd = w('data/Pod/db');

test('NetworkPolicies alone: each rule gets the unobserved connections of its peers and ports', () => {
  // client → db on 443 observed: rule 2 is used; 80 is not, for client (rules 0 and 1) and other (rule 1).
  assert.deepEqual(found(flowsState({ policies: [dbIn] }), [tcpFlow(client, dbEnd, 443)]), [
    {
      at: 'data/NetworkPolicy/db-in spec.ingress[0]',
      message: unused('ingress', '1 connection', 'zeta/client → data/db TCP 80'),
      workloads: ['data/Pod/db'],
    },
    {
      at: 'data/NetworkPolicy/db-in spec.ingress[1]',
      message: unused(
        'ingress',
        '2 connections',
        'zeta/client → data/db TCP 80 and zeta/other → data/db TCP 80',
      ),
      workloads: ['data/Pod/db'],
    },
  ]);
  // Nothing observed: without cluster policies, a rule names the whole unobserved connection, all its ports.
  assert.deepEqual(
    found(flowsState({ policies: [dbIn] }), []).map((f) => f.message),
    [
      unused('ingress', '1 connection', 'zeta/client → data/db TCP 80,443'),
      unused('ingress', '2 connections', 'zeta/client → data/db TCP 80,443 and zeta/other → data/db TCP 80'),
      unused('ingress', '1 connection', 'zeta/client → data/db TCP 80,443'),
    ],
  );
});

test('with cluster policies: each deciding rule, NetworkPolicy or cluster policy, with the part it decides', () => {
  // client's egress to db on 80 is accepted by an Admin rule; db's ingress from client on 80 and 443 by db-in.
  const clientOut = cnp('client-out', {
    tier: 'Admin',
    priority: 10,
    subject: { pods: zetaPods('client') },
    egress: [
      {
        action: 'Accept',
        to: [{ pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: 'db' } } } }],
        protocols: [tcpPort(80)],
      },
    ],
  });
  const dbFromClient = policy('data', 'db-in', {
    podSelector: {},
    ingress: [{ from: [zetaPods('client')], ports: [{ port: 80 }, { port: 443 }] }],
  });
  assert.deepEqual(found(flowsState({ policies: [dbFromClient], clusterPolicies: [clientOut] }), []), [
    {
      at: 'ClusterNetworkPolicy/client-out spec.egress[0]',
      message: unused('egress', '1 connection', 'zeta/client → data/db TCP 80'),
      workloads: ['zeta/Pod/client'],
    },
    {
      at: 'data/NetworkPolicy/db-in spec.ingress[0]',
      message: unused('ingress', '1 connection', 'zeta/client → data/db TCP 80,443'),
      workloads: ['data/Pod/db'],
    },
  ]);
});

test('with cluster policies: a pod class the connection does not pass is no use of a rule', () => {
  // w1's v=1 pods may not reach db (an Admin Deny); its v=2 pods may: only db-in's rule is reported.
  const noV1 = cnp('no-v1', {
    tier: 'Admin',
    priority: 10,
    subject: { pods: { namespaceSelector: {}, podSelector: { matchLabels: { v: '1' } } } },
    egress: [{ action: 'Deny', to: [{ namespaces: { matchLabels: { team: 'data' } } }] }],
  });
  const dbFromWeb = policy('data', 'db-in', {
    podSelector: {},
    ingress: [
      {
        from: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: 'web' } } }],
        ports: [{ port: 5432 }],
      },
    ],
  });
  assert.deepEqual(
    found(flowsState({ policies: [dbFromWeb], clusterPolicies: [noV1] }), []).map((f) => [f.at, f.message]),
    [
      [
        'data/NetworkPolicy/db-in spec.ingress[0]',
        unused('ingress', '1 connection', 'shop/w1 → data/db TCP 5432'),
      ],
    ],
  );
});

test('egress to an address by a numeric and a named port: the numeric one is the connection', () => {
  const out = policy('zeta', 'client-out', {
    podSelector: { matchLabels: { app: 'client' } },
    policyTypes: ['Egress'],
    egress: [{ to: [{ ipBlock: { cidr: '203.0.113.0/24' } }], ports: [{ port: 443 }, { port: 'http' }] }],
  });
  assert.deepEqual(
    found(flowsState({ policies: [out] }), []).map((f) => [f.at, f.message]),
    [
      [
        'zeta/NetworkPolicy/client-out spec.egress[0]',
        unused('egress', '1 connection', 'zeta/client → 203.0.113.0/24 TCP 443'),
      ],
    ],
  );
});
