/** Which workloads `generate` writes policies for: the one predicate the build and the verifications ask. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostNetworkWorkloads, policySubject } from '../../src/generate/subjects.ts';
import type { ClusterState, WorkloadInfo } from '../../src/model/cluster.ts';
import { cluster, pod } from '../support/builders.ts';

/** `shop`: web, agent (host network), a Deployment with one pod on the host network and one not, one with none. */
function state(): ClusterState {
  const base = cluster({
    pods: [
      pod('shop', 'web'),
      pod('shop', 'agent', {}, { hostNetwork: true }),
      pod('ops', 'tool'),
      pod('ops', 'probe', {}, { hostNetwork: true }),
    ],
  });
  const deployment = (name: string, pods: string[]): WorkloadInfo => ({
    id: `shop/Deployment/${name}`,
    namespace: 'shop',
    kind: 'Deployment',
    name,
    labels: {},
    pods,
    replicas: pods.length,
  });
  const mixed = [
    { ...pod('shop', 'mixed-a', {}, { hostNetwork: true }), workload: 'shop/Deployment/mixed' },
    { ...pod('shop', 'mixed-b'), workload: 'shop/Deployment/mixed' },
  ];
  return {
    ...base,
    workloads: [...base.workloads, deployment('mixed', ['mixed-a', 'mixed-b']), deployment('empty', [])],
    pods: [...base.pods, ...mixed],
  };
}

test('host-network workloads: those with pods, every one of them on the host network', () => {
  assert.deepEqual([...hostNetworkWorkloads(state())].sort(), ['ops/Pod/probe', 'shop/Pod/agent']);
});

test('a subject is a workload of the state, outside the excluded namespaces, not on the host network', () => {
  const s = state();
  const ids = [...s.workloads.map((w) => w.id), 'shop/Deployment/ghost'];
  const subjects = (excluded: string[]): string[] => ids.filter(policySubject(s, excluded)).sort();
  assert.deepEqual(subjects([]), [
    'ops/Pod/tool',
    'shop/Deployment/empty',
    'shop/Deployment/mixed',
    'shop/Pod/web',
  ]);
  assert.deepEqual(subjects(['ops']), ['shop/Deployment/empty', 'shop/Deployment/mixed', 'shop/Pod/web']);
  assert.deepEqual(subjects(['shop', 'ops']), []);
  // An excluded namespace the state does not have excludes nothing, and an id the state does not hold is none.
  assert.deepEqual(subjects(['', 'other']), subjects([]));
});
