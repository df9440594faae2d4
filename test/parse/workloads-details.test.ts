/**
 * Pods grouped into workloads (src/parse/workloads.ts), case by case (issue #20, mutation testing): owners of
 * other API groups, ReplicaSets and Jobs in the input or not, the current one of several ReplicaSets, pods
 * owned directly by each controller, and what a workload and its pods carry (labels, annotations, node,
 * service account, origin).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildClusterState, parseManifestText } from '../../src/parse/index.ts';
import type { ClusterState } from '../../src/model/cluster.ts';

function stateOf(text: string): ClusterState {
  const parsed = parseManifestText(text, 'in.yaml');
  assert.deepEqual(parsed.errors, []);
  const r = buildClusterState(parsed.objects, { defaultNamespace: 'default', skipInvalid: false });
  assert.deepEqual(r.errors, []);
  return r.state;
}

function pod(name: string, owner?: string, extra = ''): string {
  const refs = owner === undefined ? '' : `\n  ownerReferences: [${owner}]`;
  return `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  namespace: ns${refs}
  labels: {app: a, pod-template-hash: h1, controller-revision-hash: c1, statefulset.kubernetes.io/pod-name: ${name}}
  annotations: {note: ${name}}
spec:
  containers: [{name: c, image: i, ports: [{name: http, containerPort: 80}]}]${extra}
---
`;
}

function workload(kind: string, name: string, spec = '', meta = '', apiVersion = 'apps/v1'): string {
  const jobs = kind === 'Job' || kind === 'CronJob';
  const template = `  template:
    metadata: {labels: {app: ${name}, pod-template-hash: t1}}
    spec: {${jobs ? 'restartPolicy: Never, ' : ''}containers: [{name: c, image: i, ports: [{name: web, containerPort: 8080}]}]}`;
  const body =
    kind === 'CronJob'
      ? `spec:
  schedule: "* * * * *"
  jobTemplate:
    spec:
${template.replace(/^/gm, '    ')}`
      : `spec:
${kind === 'Job' ? '' : `  selector: {matchLabels: {app: ${name}}}\n`}${spec}${template}`;
  return `apiVersion: ${jobs ? 'batch/v1' : kind === 'ReplicationController' ? 'v1' : apiVersion}
kind: ${kind}
metadata:
  name: ${name}
  namespace: ns${meta}
${body}
---
`;
}

const owner = (kind: string, name: string, apiVersion = 'apps/v1') =>
  `{apiVersion: ${apiVersion}, kind: ${kind}, name: ${name}, uid: u-${name}}`;

const ids = (state: ClusterState) => state.workloads.map((w) => w.id);
const podsOf = (state: ClusterState) => state.pods.map((p) => [p.name, p.workload, p.template]);

describe('owners', () => {
  test('an owner of another API group is not a controller netfence knows: the pod is its own workload', () => {
    const state = stateOf(
      pod('r-1', owner('ReplicaSet', 'r', 'example.com/v1')) +
        pod('d-1', owner('Deployment', 'd', 'example.com/v1')) +
        pod('s-1', owner('StatefulSet', 's', 'apps/v1')),
    );
    assert.deepEqual(ids(state), ['ns/Pod/d-1', 'ns/Pod/r-1', 'ns/StatefulSet/s']);
  });

  test('a ReplicaSet owned by a Deployment of another group stands for itself, and so do its pods', () => {
    const state = stateOf(
      workload(
        'ReplicaSet',
        'web-abc',
        '',
        `\n  ownerReferences: [${owner('Deployment', 'web', 'example.com/v1')}]`,
      ) + pod('web-abc-1', owner('ReplicaSet', 'web-abc')),
    );
    assert.deepEqual(ids(state), ['ns/ReplicaSet/web-abc']);
    assert.deepEqual(podsOf(state), [['web-abc-1', 'ns/ReplicaSet/web-abc', false]]);
  });

  test('a ReplicaSet in the input owned by something else than a Deployment is its own workload', () => {
    const state = stateOf(
      workload('ReplicaSet', 'rs', '', `\n  ownerReferences: [${owner('StatefulSet', 'x')}]`) +
        pod('rs-1', owner('ReplicaSet', 'rs')),
    );
    assert.deepEqual(ids(state), ['ns/ReplicaSet/rs']);
  });

  test('a ReplicaSet in the input is the workload, or its Deployment, whatever its name and the pod-template-hash', () => {
    const state = stateOf(
      workload('ReplicaSet', 'legacy-h1') +
        pod('legacy-h1-x', owner('ReplicaSet', 'legacy-h1')) +
        workload('ReplicaSet', 'odd', '', `\n  ownerReferences: [${owner('Deployment', 'web')}]`) +
        pod('odd-x', owner('ReplicaSet', 'odd')),
    );
    assert.deepEqual(ids(state), ['ns/Deployment/web', 'ns/ReplicaSet/legacy-h1']);
  });

  test('an owner without apiVersion (a warning) is read as a built-in one', () => {
    const state = stateOf(
      pod('web-h1-x', '{kind: ReplicaSet, name: web-h1, uid: u}') +
        pod('s-0', '{kind: StatefulSet, name: s, uid: u}'),
    );
    assert.deepEqual(ids(state), ['ns/Deployment/web', 'ns/StatefulSet/s']);
  });

  test('only a ReplicaSet owned by a Deployment, and a Job owned by a CronJob, stand for their owner', () => {
    const ownedBy = (kind: string, name: string, by: string) =>
      workload(kind, name, '', `\n  ownerReferences: [${by}]`);
    const state = stateOf(
      ownedBy('StatefulSet', 'sts', owner('Deployment', 'd1')) +
        ownedBy('ReplicaSet', 'rs', owner('CronJob', 'c1', 'batch/v1')) +
        ownedBy('Job', 'job', owner('Deployment', 'd2')),
    );
    assert.deepEqual(ids(state), ['ns/Job/job', 'ns/ReplicaSet/rs', 'ns/StatefulSet/sts']);
  });

  test('an absent ReplicaSet: the Deployment only when its name ends in "-<pod-template-hash>" with something before', () => {
    const hashed = (name: string, rs: string, hash: string | undefined) =>
      `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  namespace: ns
  ownerReferences: [${owner('ReplicaSet', rs)}]
  labels: {app: a${hash === undefined ? '' : `, pod-template-hash: "${hash}"`}}
spec: {containers: [{name: c, image: i}]}
---
`;
    const state = stateOf(
      hashed('p1', 'web-h1', 'h1') + // web
        hashed('p2', '-h2', 'h2') + // nothing before the hash: the ReplicaSet
        hashed('p3', 'api-h3', '') + // empty hash
        hashed('p4', 'db-h4', undefined) + // no hash
        hashed('p5', 'cache-h5', 'h6') + // another hash
        hashed('p6', 'queueh7', 'h7') + // no '-'
        hashed('p7', 'db-undefined', undefined) + // no hash, whatever the name
        hashed('p8', 'api-', ''), // an empty hash, whatever the name
    );
    assert.deepEqual(ids(state), [
      'ns/Deployment/web',
      'ns/ReplicaSet/-h2',
      'ns/ReplicaSet/api-',
      'ns/ReplicaSet/api-h3',
      'ns/ReplicaSet/cache-h5',
      'ns/ReplicaSet/db-h4',
      'ns/ReplicaSet/db-undefined',
      'ns/ReplicaSet/queueh7',
    ]);
  });

  test('Jobs: in the input with or without a CronJob; absent, the CronJob only when given and named so', () => {
    const state = stateOf(
      workload('CronJob', 'nightly') +
        workload('Job', 'solo') +
        pod('solo-1', owner('Job', 'solo', 'batch/v1')) +
        workload('Job', 'cj-run', '', `\n  ownerReferences: [${owner('CronJob', 'nightly', 'batch/v1')}]`) +
        pod('cj-run-1', owner('Job', 'cj-run', 'batch/v1')) +
        pod('nightly-28000000-x', owner('Job', 'nightly-28000000', 'batch/v1')) +
        pod('hourly-28000000-x', owner('Job', 'hourly-28000000', 'batch/v1')) +
        pod('nightly-abc-x', owner('Job', 'nightly-abc', 'batch/v1')) +
        pod('nightly-12abc-x', owner('Job', 'nightly-12abc', 'batch/v1')),
    );
    assert.deepEqual(ids(state), [
      'ns/CronJob/nightly',
      'ns/Job/hourly-28000000',
      'ns/Job/nightly-12abc',
      'ns/Job/nightly-abc',
      'ns/Job/solo',
    ]);
    assert.deepEqual(
      state.workloads.map((w) => [w.id, w.pods]),
      [
        ['ns/CronJob/nightly', ['cj-run-1', 'nightly-28000000-x']],
        ['ns/Job/hourly-28000000', ['hourly-28000000-x']],
        ['ns/Job/nightly-12abc', ['nightly-12abc-x']],
        ['ns/Job/nightly-abc', ['nightly-abc-x']],
        ['ns/Job/solo', ['solo-1']],
      ],
    );
  });

  test('pods owned directly by each controller, and by a Node', () => {
    const state = stateOf(
      pod('d-1', owner('Deployment', 'd')) +
        pod('s-1', owner('StatefulSet', 's')) +
        pod('ds-1', owner('DaemonSet', 'ds')) +
        pod('rc-1', owner('ReplicationController', 'rc', 'v1')) +
        pod('cj-1', owner('CronJob', 'cj', 'batch/v1')) +
        pod('static-node1', owner('Node', 'node1', 'v1')),
    );
    assert.deepEqual(ids(state), [
      'ns/CronJob/cj',
      'ns/DaemonSet/ds',
      'ns/Deployment/d',
      'ns/Pod/static-node1',
      'ns/ReplicationController/rc',
      'ns/StatefulSet/s',
    ]);
  });
});

describe('the current ReplicaSet of a Deployment not in the input', () => {
  const rs = (name: string, replicas: number | undefined, revision: string | undefined) =>
    `apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: ${name}
  namespace: ns${revision === undefined ? '' : `\n  annotations: {deployment.kubernetes.io/revision: "${revision}"}`}
  ownerReferences: [${owner('Deployment', 'web')}]
spec:${replicas === undefined ? '' : `\n  replicas: ${replicas}`}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web, from: ${name}}}
    spec: {containers: [{name: c, image: i}]}
---
`;
  const current = (text: string) => stateOf(text).pods.map((p) => p.labels['from']);

  test('one that runs pods before one scaled to zero, whatever the revisions', () => {
    assert.deepEqual(current(rs('web-a', 0, '9') + rs('web-b', 1, '1')), ['web-b']);
    assert.deepEqual(current(rs('web-b', 1, '1') + rs('web-a', 0, '9')), ['web-b']);
    // No replicas field: one replica.
    assert.deepEqual(current(rs('web-a', 0, '9') + rs('web-b', undefined, '1')), ['web-b']);
  });

  test('then the highest revision (a revision that is not a number counts as 0), then the last name', () => {
    assert.deepEqual(current(rs('web-a', 1, '10') + rs('web-b', 1, '9')), ['web-a']);
    assert.deepEqual(current(rs('web-b', 1, '9') + rs('web-a', 1, '10')), ['web-a']);
    assert.deepEqual(current(rs('web-a', 1, '1') + rs('web-b', 1, 'x')), ['web-a']);
    assert.deepEqual(current(rs('web-b', 1, 'x') + rs('web-a', 1, '1')), ['web-a']);
    assert.deepEqual(current(rs('web-a', 1, undefined) + rs('web-b', 1, undefined)), ['web-b']);
    assert.deepEqual(current(rs('web-b', 1, undefined) + rs('web-a', 1, undefined)), ['web-b']);
  });

  test('the workload: replicas and origin of the current one, no annotations', () => {
    const state = stateOf(rs('web-a', 0, '1') + rs('web-b', 3, '2'));
    const [w] = state.workloads;
    assert.deepEqual(
      [w?.id, w?.replicas, w?.origin?.line, w?.annotations],
      ['ns/Deployment/web', 3, 15, undefined],
    );
    assert.equal(w !== undefined && 'annotations' in w, false);
    assert.deepEqual(
      state.pods.map((p) => [p.name, p.labels, p.origin?.line]),
      [['web-deployment-template', { app: 'web', from: 'web-b' }, 15]],
    );
  });
});

describe('what a workload and its pods carry', () => {
  test('a workload in the input: its template labels and its own annotations; its pods their own', () => {
    const state = stateOf(
      workload('Deployment', 'd', '', '\n  annotations: {owner: team-a}') +
        pod('d-2', owner('Deployment', 'd')) +
        pod('d-1', owner('Deployment', 'd')),
    );
    const [w] = state.workloads;
    assert.deepEqual(
      {
        labels: w?.labels,
        annotations: w?.annotations,
        pods: w?.pods,
        replicas: w?.replicas,
        line: w?.origin?.line,
      },
      {
        labels: { app: 'd', 'pod-template-hash': 't1' },
        annotations: { owner: 'team-a' },
        pods: ['d-1', 'd-2'],
        replicas: 2,
        line: 1,
      },
    );
  });

  test('a workload known by its pods: the first pod’s labels without the per-pod ones, no annotations; a bare pod keeps all', () => {
    const state = stateOf(
      pod('s-2', owner('StatefulSet', 's')) + pod('s-1', owner('StatefulSet', 's')) + pod('bare'),
    );
    const byId = new Map(state.workloads.map((w) => [w.id, w]));
    const s = byId.get('ns/StatefulSet/s');
    assert.deepEqual([s?.labels, s?.annotations, s?.origin?.line], [{ app: 'a' }, undefined, 12]);
    const bare = byId.get('ns/Pod/bare');
    assert.deepEqual(bare?.labels, {
      app: 'a',
      'pod-template-hash': 'h1',
      'controller-revision-hash': 'c1',
      'statefulset.kubernetes.io/pod-name': 'bare',
    });
    assert.deepEqual(bare?.annotations, { note: 'bare' });
  });

  test('pods: node name and service account only when set; the workload’s id; sorted by namespace and name', () => {
    const state = stateOf(
      pod('b', undefined, '\n  nodeName: node1\n  serviceAccountName: sa1') +
        pod('a') +
        pod('c', undefined, '\n  hostNetwork: true'),
    );
    assert.deepEqual(
      state.pods.map((p) => [
        p.name,
        p.nodeName,
        p.serviceAccount,
        'nodeName' in p,
        'serviceAccount' in p,
        p.hostNetwork,
        p.workload,
      ]),
      [
        ['a', undefined, undefined, false, false, false, 'ns/Pod/a'],
        ['b', 'node1', 'sa1', true, true, false, 'ns/Pod/b'],
        ['c', undefined, undefined, false, false, true, 'ns/Pod/c'],
      ],
    );
    assert.deepEqual(state.pods[0]?.namedPorts, [{ name: 'http', port: 80, protocol: 'TCP' }]);
    assert.deepEqual(
      state.pods.map((p) => [p.origin?.file, p.origin?.line]),
      [
        ['in.yaml', 13],
        ['in.yaml', 1],
        ['in.yaml', 23],
      ],
    );
  });

  test('a representative pod: the template’s labels, ports and service account', () => {
    const state = stateOf(
      workload('DaemonSet', 'agent', '', '').replace(
        'spec: {containers',
        'spec: {serviceAccountName: agent-sa, hostNetwork: true, containers',
      ) + workload('StatefulSet', 'db'),
    );
    assert.deepEqual(
      state.pods.map((p) => [
        p.name,
        p.labels,
        p.namedPorts,
        p.serviceAccount,
        'serviceAccount' in p,
        p.hostNetwork,
        p.ips,
        p.template,
      ]),
      [
        [
          'agent-daemonset-template',
          { app: 'agent', 'pod-template-hash': 't1' },
          [{ name: 'web', port: 8080, protocol: 'TCP' }],
          'agent-sa',
          true,
          true,
          [],
          true,
        ],
        [
          'db-statefulset-template',
          { app: 'db', 'pod-template-hash': 't1' },
          [{ name: 'web', port: 8080, protocol: 'TCP' }],
          undefined,
          false,
          false,
          [],
          true,
        ],
      ],
    );
  });

  test('workloads sorted by id, pods by namespace then name', () => {
    const text = (ns: string, name: string) => pod(name).replace('namespace: ns', `namespace: ${ns}`);
    const state = stateOf(text('b', 'a') + text('a', 'z') + text('a', 'b'));
    assert.deepEqual(ids(state), ['a/Pod/b', 'a/Pod/z', 'b/Pod/a']);
    assert.deepEqual(
      state.pods.map((p) => `${p.namespace}/${p.name}`),
      ['a/b', 'a/z', 'b/a'],
    );
  });
});
