/**
 * The model's workloads beyond model-details.test.ts: the Admin-tier policies selecting a workload sorted by
 * priority even when the pod selected by the later one comes first (its class, and so its policies, first).
 * Found missing by the whole-folder mutation run of src/server, round 8 (docs/mutation/server.md).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { PodInfo, WorkloadInfo } from '../../src/model/cluster.ts';
import { anp, cluster, ns, pod } from '../support/builders.ts';
import { analysisOf } from './support.ts';

describe('model: a workload’s cluster policies', () => {
  test('within the Admin tier by priority, whichever pod each selects and in whatever order', () => {
    for (const order of [
      ['late', 'early'],
      ['early', 'late'],
    ]) {
      const id = 'prod/Deployment/web';
      const pods: PodInfo[] = order.map((track) => ({
        ...pod('prod', `web-${track}`, { app: 'web', track }),
        workload: id,
      }));
      const state = cluster({
        namespaces: [ns('prod')],
        clusterPolicies: [
          anp('late', {
            priority: 20,
            subject: { pods: { namespaceSelector: {}, podSelector: { matchLabels: { track: 'late' } } } },
          }),
          anp('early', {
            priority: 10,
            subject: { pods: { namespaceSelector: {}, podSelector: { matchLabels: { track: 'early' } } } },
          }),
        ],
      });
      const workload: WorkloadInfo = {
        id,
        namespace: 'prod',
        kind: 'Deployment',
        name: 'web',
        labels: { app: 'web' },
        pods: pods.map((p) => p.name),
        replicas: 2,
      };
      const a = analysisOf({ ...state, pods, workloads: [workload] });
      try {
        assert.deepEqual(
          a.model().workloads.find((w) => w.id === id)?.clusterPolicies,
          ['AdminNetworkPolicy/early', 'AdminNetworkPolicy/late'],
          order.join(', '),
        );
      } finally {
        a.close();
      }
    }
  });
});
