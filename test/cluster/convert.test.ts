/**
 * The client's models → plain Kubernetes JSON, stripped to what the analysis reads. Without a server: the
 * inputs are shaped as the client deserializes them (`_from`, Dates, managedFields).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { V1CronJob, V1Job, V1NetworkPolicy, V1Pod } from '@kubernetes/client-node';
import {
  forAnalysis,
  networkPolicyFromClient,
  podFromClient,
  workloadFromClient,
} from '../../src/k8s/convert.ts';
import { stateFromObjects } from '../../src/k8s/state.ts';

const created = new Date('2026-11-20T10:00:00Z');

/** A NetworkPolicy as the client returns it. */
const clientPolicy = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: {
    name: 'allow-web',
    namespace: 'shop',
    uid: 'u-1',
    resourceVersion: '812',
    creationTimestamp: created,
    generation: 3,
    labels: { team: 'storefront' },
    annotations: {
      'kubectl.kubernetes.io/last-applied-configuration': '{"big": "json"}',
      'netfence.io/ignore': 'no-allow-all-rule: the shop is public',
    },
    managedFields: [{ manager: 'netfence', operation: 'Apply', time: created }],
  },
  spec: {
    podSelector: {},
    policyTypes: ['Ingress'],
    ingress: [
      {
        _from: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: 'x' } } }],
        ports: [{ port: 'http' }],
      },
      {},
    ],
    egress: [],
  },
} as unknown as V1NetworkPolicy;

describe('networkPolicyFromClient', () => {
  test('`_from` becomes `from`; absent stays absent and empty stays empty; bookkeeping is dropped', () => {
    assert.deepEqual(networkPolicyFromClient(clientPolicy), {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: {
        name: 'allow-web',
        namespace: 'shop',
        labels: { team: 'storefront' },
        annotations: { 'netfence.io/ignore': 'no-allow-all-rule: the shop is public' },
        uid: 'u-1',
      },
      spec: {
        podSelector: {},
        policyTypes: ['Ingress'],
        // `{}` (allow all) and `egress: []` (deny all) keep their meaning.
        ingress: [
          {
            from: [{ podSelector: { matchLabels: { app: 'x' } }, namespaceSelector: {} }],
            ports: [{ port: 'http' }],
          },
          {},
        ],
        egress: [],
      },
    });
  });

  test('in full (what apply records): every annotation and the resourceVersion too', () => {
    const full = networkPolicyFromClient(clientPolicy, 'full');
    assert.equal(full.metadata.resourceVersion, '812');
    assert.deepEqual(Object.keys(full.metadata.annotations ?? {}), [
      'kubectl.kubernetes.io/last-applied-configuration',
      'netfence.io/ignore',
    ]);
    assert.deepEqual(forAnalysis(full), networkPolicyFromClient(clientPolicy));
  });
});

describe('podFromClient', () => {
  test('owner, containers and their ports, phase and IPs; nothing else', () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'web-1',
        namespace: 'shop',
        labels: { app: 'web' },
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'ReplicaSet',
            name: 'web-7d',
            uid: 'rs',
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      spec: {
        nodeName: 'node-1',
        restartPolicy: 'Always',
        containers: [
          {
            name: 'web',
            image: 'web:1',
            env: [{ name: 'PASSWORD', value: 'secret' }],
            ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP', hostPort: 0 }],
          },
        ],
      },
      status: {
        phase: 'Running',
        podIP: '10.0.0.5',
        podIPs: [{ ip: '10.0.0.5' }],
        hostIP: '192.168.1.10',
        conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: created }],
        startTime: created,
      },
    } as unknown as V1Pod;
    assert.deepEqual(podFromClient(pod), {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'web-1',
        namespace: 'shop',
        labels: { app: 'web' },
        ownerReferences: [
          { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-7d', uid: 'rs', controller: true },
        ],
      },
      spec: {
        containers: [
          { name: 'web', image: 'web:1', ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }] },
        ],
        // The node it runs on: traffic from it is always allowed (docs/cni.md).
        nodeName: 'node-1',
        restartPolicy: 'Always',
      },
      status: { phase: 'Running', podIP: '10.0.0.5', podIPs: [{ ip: '10.0.0.5' }] },
    });
  });
});

describe('workloadFromClient', () => {
  const template = {
    metadata: { labels: { app: 'report' } },
    spec: { restartPolicy: 'OnFailure', containers: [{ name: 'r', image: 'r:1' }] },
  };

  test('a Job: its generated selector is left out (the API sets it; only manualSelector ones are kept)', () => {
    const job = {
      metadata: { name: 'report-1', namespace: 'data' },
      spec: { parallelism: 2, selector: { matchLabels: { 'controller-uid': 'x' } }, template },
    } as unknown as V1Job;
    assert.deepEqual(workloadFromClient('Job', job), {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'report-1', namespace: 'data' },
      spec: { parallelism: 2, template },
    });
    // Built into a state, it is a valid Job: the parse layer would reject a generated selector.
    const { state, skipped } = stateFromObjects([workloadFromClient('Job', job)]);
    assert.deepEqual(skipped, []);
    assert.deepEqual(
      state.workloads.map((w) => w.id),
      ['data/Job/report-1'],
    );
  });

  test('a CronJob: schedule and job template', () => {
    const cron = {
      metadata: { name: 'report', namespace: 'data', creationTimestamp: created },
      spec: { schedule: '0 2 * * *', suspend: false, jobTemplate: { spec: { template } } },
    } as unknown as V1CronJob;
    assert.deepEqual(workloadFromClient('CronJob', cron).spec, {
      schedule: '0 2 * * *',
      jobTemplate: { spec: { template } },
    });
  });
});

describe('stateFromObjects', () => {
  test('objects the analysis cannot use are left out and named, without file positions', () => {
    const bad = {
      apiVersion: 'v1',
      kind: 'Pod' as const,
      metadata: { name: 'p', namespace: 'a' },
      spec: {
        containers: [
          { name: 'c', image: 'i', ports: [{ name: 'way-too-long-port-name', containerPort: 80 }] },
        ],
      },
    };
    const { state, skipped } = stateFromObjects([bad]);
    assert.equal(state.pods.length, 0);
    assert.equal(skipped.length, 1);
    assert.equal(skipped[0]!.id, 'a/Pod/p');
    assert.match(skipped[0]!.why, /^spec\.containers\[0\]\.ports\[0\]\.name: /);
  });
});
