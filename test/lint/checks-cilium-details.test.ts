/**
 * checks/cilium.ts as the Cilium rules use it: which deny rules no-cilium-shadowed-allow names when one
 * holds named ports, named ports against ranges, and a workload whose pods a NetworkPolicy isolates only in
 * part (no-cilium-allow-without-default-deny).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findRule } from '../../src/lint/registry.ts';
import { lint } from '../../src/lint/run.ts';
import type { CiliumPolicyInfo } from '../../src/model/cilium.ts';
import type { ClusterState } from '../../src/model/cluster.ts';
import { cluster, cnpCilium, ns, pod, policy } from '../support/builders.ts';
import { shopCluster, web } from './cilium-fixtures.ts';

const shadowed = findRule('no-cilium-shadowed-allow')!;
const withoutDefaultDeny = findRule('no-cilium-allow-without-default-deny')!;

const messages = (rule: typeof shadowed, state: ClusterState): string[] =>
  lint({ state }, { rules: [rule] }).findings.map((f) => f.message);

const db = { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'data', app: 'db' } };
const tcp = (port: string) => [{ ports: [{ port, protocol: 'TCP' }] }];
const webPolicy = (egress: object[], egressDeny: object[]): CiliumPolicyInfo =>
  cnpCilium('shop', 'web', { endpointSelector: web, egress, egressDeny });

test('no-cilium-shadowed-allow names only the deny rules that take some of the allowed traffic', () => {
  const cases: [string, CiliumPolicyInfo, string[]][] = [
    [
      'a deny of a named port next to a deny of every port: the named one takes none of port 5432',
      webPolicy(
        [{ toEndpoints: [db], toPorts: tcp('5432') }],
        [{ toEndpoints: [db] }, { toEndpoints: [db], toPorts: tcp('metrics') }],
      ),
      ['egressDeny[0]'],
    ],
    [
      'a deny of the same named port',
      webPolicy([{ toEndpoints: [db], toPorts: tcp('pg') }], [{ toEndpoints: [db], toPorts: tcp('pg') }]),
      ['egressDeny[0]'],
    ],
    [
      'a deny of one port does not hold a named port',
      webPolicy([{ toEndpoints: [db], toPorts: tcp('pg') }], [{ toEndpoints: [db], toPorts: tcp('5432') }]),
      [],
    ],
    [
      'a deny of a named port does not hold a number',
      webPolicy([{ toEndpoints: [db], toPorts: tcp('5432') }], [{ toEndpoints: [db], toPorts: tcp('pg') }]),
      [],
    ],
    [
      'a deny of another named port',
      webPolicy(
        [{ toEndpoints: [db], toPorts: tcp('pg') }],
        [{ toEndpoints: [db], toPorts: tcp('metrics') }],
      ),
      [],
    ],
  ];
  for (const [name, cnp, expected] of cases) {
    const found = messages(shadowed, shopCluster([cnp]));
    assert.deepEqual(
      found.map((m) => [...m.matchAll(/egressDeny\[\d\]/g)].map((x) => x[0]).join(' ')),
      expected,
      `${name}: ${found.join('\n')}`,
    );
  }
});

test('a workload whose pods a NetworkPolicy isolates in part is isolated elsewhere', () => {
  const gold = pod('shop', 'web-1', { app: 'web', tier: 'gold' });
  const plain = pod('shop', 'web-2', { app: 'web' });
  const base = cluster({ namespaces: [ns('shop')], pods: [gold, plain] });
  // One Deployment of both pods.
  const workload = {
    ...base.workloads[0]!,
    id: 'shop/Deployment/web',
    kind: 'Deployment' as const,
    name: 'web',
    pods: ['web-1', 'web-2'],
    replicas: 2,
  };
  const state: ClusterState = {
    ...base,
    workloads: [workload],
    pods: base.pods.map((p) => ({ ...p, workload: workload.id })),
    policies: [
      policy('shop', 'gold', { podSelector: { matchLabels: { tier: 'gold' } }, policyTypes: ['Egress'] }),
    ],
    ciliumPolicies: [
      cnpCilium('shop', 'layer', {
        endpointSelector: web,
        egress: [{ toEndpoints: [db] }],
        enableDefaultDeny: { egress: false },
      }),
    ],
  };
  assert.deepEqual(messages(withoutDefaultDeny, state), []);
  assert.equal(messages(withoutDefaultDeny, { ...state, policies: [] }).length, 1);
});
