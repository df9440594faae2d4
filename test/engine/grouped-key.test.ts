/**
 * The grouped answer's group key: two sources share a group only when their destination lists are the same
 * list. With 35 kinds of entities or more, two different ascending lists of kind numbers can spell the same
 * digits (`1,2,34` and `12,34`): only the separator keeps them apart.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileCluster } from '../../src/engine/compile.ts';
import { computeConnectivity } from '../../src/engine/connectivity.ts';
import { computeGroupedConnectivity } from '../../src/engine/grouped.ts';
import { formatPorts } from '../../src/describe/ports.ts';
import { cluster, ns, pod, policy } from '../support/builders.ts';

test('destination lists that spell the same digits without commas never share a group', () => {
  // 41 pods p00…p40, each its own kind (its own app label), numbered in name order; every pod is isolated
  // both ways. p00 reaches p01, p02 and p34 on TCP 80; p05 reaches p12 and p34 on TCP 80.
  const names = Array.from({ length: 41 }, (_, i) => `p${String(i).padStart(2, '0')}`);
  const apps = (...list: string[]) => ({
    matchExpressions: [{ key: 'app', operator: 'In' as const, values: list }],
  });
  const state = cluster({
    namespaces: [ns('a')],
    pods: names.map((name) => pod('a', name, { app: name })),
    policies: [
      policy('a', 'deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
      policy('a', 'web', {
        podSelector: apps('p01', 'p02', 'p12', 'p34'),
        ingress: [{ from: [{ podSelector: {} }], ports: [{ port: 80 }] }],
      }),
      policy('a', 'from-p00', {
        podSelector: { matchLabels: { app: 'p00' } },
        egress: [{ to: [{ podSelector: apps('p01', 'p02', 'p34') }], ports: [{ port: 80 }] }],
      }),
      policy('a', 'from-p05', {
        podSelector: { matchLabels: { app: 'p05' } },
        egress: [{ to: [{ podSelector: apps('p12', 'p34') }], ports: [{ port: 80 }] }],
      }),
    ],
  });
  const compiled = compileCluster(state);
  // The pairwise answer, as the groups must expand to.
  assert.deepEqual(
    computeConnectivity(compiled, 'workload').connections.map((c) => `${c.src} -> ${c.dst}`),
    [
      'a/Pod/p00 -> a/Pod/p01',
      'a/Pod/p00 -> a/Pod/p02',
      'a/Pod/p00 -> a/Pod/p34',
      'a/Pod/p05 -> a/Pod/p12',
      'a/Pod/p05 -> a/Pod/p34',
    ],
  );
  const grouped = computeGroupedConnectivity(compiled);
  assert.deepEqual(
    grouped.groups.map((g) => [g.src, g.dst, formatPorts(g.ports)]),
    [
      [['a/Pod/p00'], ['a/Pod/p01', 'a/Pod/p02', 'a/Pod/p34'], 'TCP 80'],
      [['a/Pod/p05'], ['a/Pod/p12', 'a/Pod/p34'], 'TCP 80'],
    ],
  );
  assert.equal(grouped.pairs, 5);
});
