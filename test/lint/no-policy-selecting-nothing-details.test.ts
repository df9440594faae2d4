/**
 * no-policy-selecting-nothing beyond its table (test/lint/rules/no-policy-selecting-nothing.ts): a workload
 * some of whose pods run on the host network (mid-rollout: the workload's labels match the policy, its
 * other pods' labels no longer do) is named as host-network.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import rule from '../../src/lint/rules/no-policy-selecting-nothing.ts';
import type { WorkloadInfo } from '../../src/model/cluster.ts';
import { cluster, pod, policy } from '../support/builders.ts';
import { stateFindingsOf } from './rule-details.ts';

test('a workload with a host-network pod and a pod the selector does not match', () => {
  const state = cluster({
    pods: [
      pod('shop', 'web-1', { app: 'web' }, { hostNetwork: true }),
      pod('shop', 'web-2', { app: 'web-v2' }),
    ],
    policies: [
      policy('shop', 'web', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'] }),
    ],
  });
  const web: WorkloadInfo = {
    id: 'shop/Deployment/web',
    namespace: 'shop',
    kind: 'Deployment',
    name: 'web',
    labels: { app: 'web' },
    pods: ['web-1', 'web-2'],
    replicas: 2,
  };
  const found = stateFindingsOf(rule, {
    ...state,
    workloads: [web],
    pods: state.pods.map((p) => ({ ...p, workload: web.id })),
  });
  assert.deepEqual(
    found.map((f) => [f.message, f.workloads]),
    [
      [
        'podSelector app=web matches only host-network pods (shop/web), which NetworkPolicies never apply to, so the policy does nothing; protect them on the nodes instead',
        ['shop/Deployment/web'],
      ],
    ],
  );
});
