/**
 * Pods grouped into workloads through ownerReferences, and representative pods for workloads given only by
 * their templates.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadManifests } from '../../src/parse/index.ts';
import type { ClusterState } from '../../src/model/cluster.ts';

const F = join(import.meta.dirname, '../fixtures/parse');

async function stateOf(file: string): Promise<ClusterState> {
  const r = await loadManifests([join(F, file)], { defaultNamespace: 'default', skipInvalid: false });
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.warnings, []);
  return r.state;
}

function workload(state: ClusterState, id: string): unknown {
  const w = state.workloads.find((x) => x.id === id);
  return w === undefined
    ? undefined
    : { kind: w.kind, name: w.name, labels: w.labels, pods: w.pods, replicas: w.replicas };
}

describe('ownerReference grouping', async () => {
  const state = await stateOf('grouping.yaml');

  test('every workload, and no ReplicaSet or Job standing in for its owner', () => {
    assert.deepEqual(
      state.workloads.map((w) => w.id),
      [
        'apps/CronJob/backup',
        'apps/Deployment/api',
        'apps/Deployment/web',
        'apps/Pod/canary-7d4b9',
        'apps/Pod/debug',
        'apps/ReplicaSet/legacy',
        'apps/StatefulSet/db',
        'kube-system/Pod/kube-apiserver-node1',
      ],
    );
  });

  test('Pod → ReplicaSet in the input → Deployment: labels from the template, replicas from the pods', () => {
    // spec.replicas is 5 but 2 pods are given: the pods are what exists.
    assert.deepEqual(workload(state, 'apps/Deployment/web'), {
      kind: 'Deployment',
      name: 'web',
      labels: { app: 'web', tier: 'front' },
      pods: ['web-5d8f7b9c4-aaaaa', 'web-5d8f7b9c4-zzzzz'],
      replicas: 2,
    });
  });

  test('Pod → absent ReplicaSet named <deployment>-<pod-template-hash> → Deployment', () => {
    // Neither the ReplicaSet nor the Deployment is in the input: the name and the hash label tell.
    assert.deepEqual(workload(state, 'apps/Deployment/api'), {
      kind: 'Deployment',
      name: 'api',
      labels: { app: 'api' },
      pods: ['api-6c9d7f8b5-x1x1x'],
      replicas: 1,
    });
  });

  test('Pod → Job owned by a CronJob → CronJob', () => {
    assert.deepEqual(workload(state, 'apps/CronJob/backup'), {
      kind: 'CronJob',
      name: 'backup',
      labels: { app: 'backup' },
      pods: ['backup-28934560-q2x7z'],
      replicas: 1,
    });
  });

  test("a StatefulSet's per-pod labels are not the workload's", () => {
    assert.deepEqual(workload(state, 'apps/StatefulSet/db'), {
      kind: 'StatefulSet',
      name: 'db',
      labels: { app: 'db' },
      pods: ['db-0'],
      replicas: 1,
    });
  });

  test('a ReplicaSet without a Deployment is its own workload', () => {
    assert.deepEqual(workload(state, 'apps/ReplicaSet/legacy'), {
      kind: 'ReplicaSet',
      name: 'legacy',
      labels: { app: 'legacy' },
      pods: ['legacy-abcde'],
      replicas: 1,
    });
  });

  test('static pods (owned by a Node), pods of unknown controllers, and bare pods are their own workload', () => {
    assert.deepEqual(workload(state, 'kube-system/Pod/kube-apiserver-node1'), {
      kind: 'Pod',
      name: 'kube-apiserver-node1',
      labels: { component: 'kube-apiserver', tier: 'control-plane' },
      pods: ['kube-apiserver-node1'],
      replicas: 1,
    });
    assert.deepEqual(workload(state, 'apps/Pod/canary-7d4b9'), {
      kind: 'Pod',
      name: 'canary-7d4b9',
      labels: { app: 'canary' },
      pods: ['canary-7d4b9'],
      replicas: 1,
    });
    assert.deepEqual(workload(state, 'apps/Pod/debug'), {
      kind: 'Pod',
      name: 'debug',
      labels: { run: 'debug' },
      pods: ['debug'],
      replicas: 1,
    });
  });

  test('pods keep their own labels, IPs, host networking and named ports', () => {
    assert.deepEqual(
      state.pods.map((p) => [p.namespace, p.name, p.workload, p.template]),
      [
        ['apps', 'api-6c9d7f8b5-x1x1x', 'apps/Deployment/api', false],
        ['apps', 'backup-28934560-q2x7z', 'apps/CronJob/backup', false],
        ['apps', 'canary-7d4b9', 'apps/Pod/canary-7d4b9', false],
        ['apps', 'db-0', 'apps/StatefulSet/db', false],
        ['apps', 'debug', 'apps/Pod/debug', false],
        ['apps', 'legacy-abcde', 'apps/ReplicaSet/legacy', false],
        ['apps', 'web-5d8f7b9c4-aaaaa', 'apps/Deployment/web', false],
        ['apps', 'web-5d8f7b9c4-zzzzz', 'apps/Deployment/web', false],
        ['kube-system', 'kube-apiserver-node1', 'kube-system/Pod/kube-apiserver-node1', false],
      ],
    );
    const apiserver = state.pods.find((p) => p.name === 'kube-apiserver-node1')!;
    assert.deepEqual(
      { ips: apiserver.ips, hostNetwork: apiserver.hostNetwork, namedPorts: apiserver.namedPorts },
      {
        ips: ['192.168.0.10'],
        hostNetwork: true,
        namedPorts: [{ name: 'probe-port', port: 6443, protocol: 'TCP' }],
      },
    );
    const web = state.pods.find((p) => p.name === 'web-5d8f7b9c4-aaaaa')!;
    assert.deepEqual(web.labels, { app: 'web', tier: 'front', 'pod-template-hash': '5d8f7b9c4' });
    assert.deepEqual(web.ips, ['10.0.1.1']);
  });

  test('implicit namespaces for every namespace used', () => {
    assert.deepEqual(
      state.namespaces.map((n) => [n.name, n.implicit]),
      [
        ['apps', true],
        ['kube-system', true],
      ],
    );
  });
});

describe('template representatives', async () => {
  const state = await stateOf('templates.yaml');

  test('one representative pod per workload without pods, with its replica count', () => {
    assert.deepEqual(
      state.workloads.map((w) => [w.id, w.replicas, w.pods]),
      [
        ['shop/CronJob/nightly', 1, []],
        // A DaemonSet runs one pod per node: how many is unknown.
        ['shop/DaemonSet/agent', undefined, []],
        ['shop/Deployment/frontend', 3, []],
        ['shop/Deployment/ghost', 2, []],
        ['shop/Job/once', 4, []],
        ['shop/ReplicationController/old', 0, []],
        ['shop/StatefulSet/cache', 1, []],
      ],
    );
    assert.deepEqual(
      state.pods.map((p) => [p.name, p.workload, p.template, p.ips, p.hostNetwork]),
      [
        ['agent-daemonset-template', 'shop/DaemonSet/agent', true, [], true],
        ['cache-statefulset-template', 'shop/StatefulSet/cache', true, [], false],
        ['frontend-deployment-template', 'shop/Deployment/frontend', true, [], false],
        ['ghost-deployment-template', 'shop/Deployment/ghost', true, [], false],
        ['nightly-cronjob-template', 'shop/CronJob/nightly', true, [], false],
        ['old-replicationcontroller-template', 'shop/ReplicationController/old', true, [], false],
        ['once-job-template', 'shop/Job/once', true, [], false],
      ],
    );
  });

  test('named ports of containers and init containers (sidecars), TCP by default, unnamed ones left out', () => {
    const frontend = state.pods.find((p) => p.name === 'frontend-deployment-template')!;
    assert.deepEqual(frontend.labels, { app: 'frontend', tier: 'web' });
    assert.deepEqual(frontend.namedPorts, [
      { name: 'http', port: 8080, protocol: 'TCP' },
      { name: 'dns', port: 5353, protocol: 'UDP' },
      { name: 'metrics', port: 9090, protocol: 'TCP' },
    ]);
  });

  test("a Deployment known only by its ReplicaSets takes the current one's template, without the hash label", () => {
    // The old revision (replicas 0) is not what runs; pod-template-hash belongs to one ReplicaSet only.
    const ghost = state.pods.find((p) => p.name === 'ghost-deployment-template')!;
    assert.deepEqual(ghost.labels, { app: 'ghost', version: 'v2' });
    assert.deepEqual(ghost.namedPorts, [{ name: 'http', port: 80, protocol: 'TCP' }]);
    assert.deepEqual(workload(state, 'shop/Deployment/ghost'), {
      kind: 'Deployment',
      name: 'ghost',
      labels: { app: 'ghost', version: 'v2' },
      pods: [],
      replicas: 2,
    });
  });

  test('origins point at the workload object', () => {
    const cronjob = state.workloads.find((w) => w.id === 'shop/CronJob/nightly')!;
    assert.deepEqual([cronjob.origin?.line, cronjob.origin?.column], [54, 1]);
    assert.equal(cronjob.origin?.locate?.(['spec', 'schedule'])?.line, 58);
  });
});
