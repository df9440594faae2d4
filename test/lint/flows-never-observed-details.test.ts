/**
 * flows-never-observed beyond its table (test/lint/rules/flows-never-observed.ts): egress rules, towards
 * workloads (named ports) and towards addresses, and an Admin rule whose unobserved traffic goes to an address.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lint } from '../../src/lint/run.ts';
import rule from '../../src/lint/rules/flows-never-observed.ts';
import { formatPath } from '../../src/model/problem.ts';
import type { NetworkPolicySpec } from '../../src/model/k8s.ts';
import { cluster, namedPort, pod, policy } from '../support/builders.ts';
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
        ['This egress rule allows 1 connection never observed', 'shop/api → 203.0.113.0/24 TCP 443'],
      ],
    },
    {
      // The named port is read on the destination's pods (redis: 6379), as the rule grants it.
      name: 'egress to a workload by a named port never observed',
      yaml: docs(base, apiEgress('redis', '  # <-')),
      observed: apiToWeb,
      messages: [['This egress rule allows 1 connection never observed', 'shop/api → data/redis TCP 6379']],
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
        ['This egress rule allows 1 connection never observed', 'shop/api → 203.0.113.0/24 TCP 443'],
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
