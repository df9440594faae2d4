import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseSelector, stableLabels } from '../../src/generate/index.ts';
import type { PodInfo, WorkloadInfo } from '../../src/model/cluster.ts';

function workload(name: string, labels: Record<string, string>): WorkloadInfo {
  return {
    id: `ns/Deployment/${name}`,
    namespace: 'ns',
    kind: 'Deployment',
    name,
    labels,
    pods: [],
    replicas: 2,
  };
}

function pod(w: WorkloadInfo, extra: Record<string, string> = {}): PodInfo {
  return {
    name: `${w.name}-pod`,
    namespace: 'ns',
    labels: { ...w.labels, ...extra },
    namedPorts: [],
    ips: [],
    hostNetwork: false,
    workload: w.id,
    template: false,
  };
}

describe('choosing the selector of a workload', () => {
  test('the preferred key alone when it is enough', () => {
    const web = workload('web', {
      'app.kubernetes.io/name': 'web',
      'app.kubernetes.io/part-of': 'shop',
      tier: 'frontend',
    });
    const api = workload('api', {
      'app.kubernetes.io/name': 'api',
      'app.kubernetes.io/part-of': 'shop',
      tier: 'backend',
    });
    assert.deepEqual(chooseSelector(web, [pod(web), pod(api)]), {
      matchLabels: { 'app.kubernetes.io/name': 'web' },
      exact: true,
      sharedWith: [],
    });
  });

  test('two labels when no single one tells the workload apart (name shared by two instances)', () => {
    const a = workload('redis-cache', {
      'app.kubernetes.io/name': 'redis',
      'app.kubernetes.io/instance': 'cache',
    });
    const b = workload('redis-queue', {
      'app.kubernetes.io/name': 'redis',
      'app.kubernetes.io/instance': 'queue',
    });
    // instance alone is enough here, and it ranks before the combination.
    assert.deepEqual(chooseSelector(a, [pod(a), pod(b)]).matchLabels, {
      'app.kubernetes.io/instance': 'cache',
    });
    const c = workload('redis-cache-eu', {
      'app.kubernetes.io/name': 'redis-eu',
      'app.kubernetes.io/instance': 'cache',
    });
    assert.deepEqual(chooseSelector(a, [pod(a), pod(b), pod(c)]).matchLabels, {
      'app.kubernetes.io/name': 'redis',
      'app.kubernetes.io/instance': 'cache',
    });
  });

  test('never hashes, per-pod labels, versions or chart labels', () => {
    assert.deepEqual(
      stableLabels({
        'pod-template-hash': '5d8f9c7b6',
        'controller-revision-hash': 'pg-7c9d8',
        'statefulset.kubernetes.io/pod-name': 'pg-0',
        'app.kubernetes.io/version': '1.2.3',
        'helm.sh/chart': 'pg-12.1.0',
        release: '5d8f9c7b6a',
        image: 'v2.1',
        app: 'pg',
      }).map(([k]) => k),
      ['app'],
    );
  });

  test('workloads with the same labels: all stable labels, and the others it also selects', () => {
    const a = workload('a', { app: 'twin', 'app.kubernetes.io/version': '1.0.0' });
    const b = workload('b', { app: 'twin', 'app.kubernetes.io/version': '2.0.0' });
    assert.deepEqual(chooseSelector(a, [pod(a), pod(b)]), {
      matchLabels: { app: 'twin' },
      exact: false,
      sharedWith: ['ns/Deployment/b'],
    });
  });

  test('only labels every pod of the workload carries', () => {
    const w = workload('w', { app: 'w', tier: 'x' });
    // One pod lost its `app` label (relabelled by hand): `app` cannot select all of them.
    assert.deepEqual(chooseSelector(w, [pod(w), { ...pod(w), labels: { tier: 'x' } }]).matchLabels, {
      tier: 'x',
    });
  });
});
