/**
 * The lookups the rules share (src/lint/lookup.ts), called directly: which workloads a pod class stands for and
 * in which order, the classes of a workload, the namespaces with workloads, the short names, the DNS labels.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileCluster } from '../../src/engine/compile.ts';
import { buildLookup, dnsLabel } from '../../src/lint/lookup.ts';
import type { ClusterState, WorkloadInfo } from '../../src/model/cluster.ts';
import { cluster, ns, pod, policy } from '../support/builders.ts';

const lookupOf = (state: ClusterState) => buildLookup(compileCluster(state), []);

test('the DNS labels of CoreDNS, kube-dns and node-local-dns', () => {
  assert.deepEqual(dnsLabel({ 'k8s-app': 'kube-dns' }), ['k8s-app', 'kube-dns']);
  assert.deepEqual(dnsLabel({ 'k8s-app': 'coredns' }), ['k8s-app', 'coredns']);
  assert.deepEqual(dnsLabel({ 'app.kubernetes.io/name': 'coredns' }), ['app.kubernetes.io/name', 'coredns']);
  assert.deepEqual(dnsLabel({ 'k8s-app': 'node-local-dns' }), ['k8s-app', 'node-local-dns']);
  assert.equal(dnsLabel({ 'k8s-app': 'web' }), undefined);
  assert.equal(dnsLabel({ '': 'coredns' }), undefined);
  assert.equal(dnsLabel({ 'k8s-app': '' }), undefined);
});

test('the workloads of a class are sorted, whatever the order of the pods', () => {
  const l = lookupOf(cluster({ pods: [pod('shop', 'b', { app: 'web' }), pod('shop', 'a', { app: 'web' })] }));
  const [cls] = l.classesOfWorkload('shop/Pod/a');
  assert.deepEqual(l.classesOfWorkload('shop/Pod/b'), [cls]);
  assert.deepEqual(l.workloadsOfClass(cls!), ['shop/Pod/a', 'shop/Pod/b']);
  assert.deepEqual(l.workloadsOfClasses([cls!, cls!]), ['shop/Pod/a', 'shop/Pod/b']);
});

test('a workload whose pods fall into two classes has both', () => {
  const state = cluster({
    pods: [pod('shop', 'web-1', { app: 'web', v: '1' }), pod('shop', 'web-2', { app: 'web', v: '2' })],
    policies: [policy('shop', 'v1', { podSelector: { matchLabels: { v: '1' } }, policyTypes: ['Ingress'] })],
  });
  const w: WorkloadInfo = {
    ...state.workloads[0]!,
    id: 'shop/Deployment/web',
    kind: 'Deployment',
    name: 'web',
  };
  const l = lookupOf({
    ...state,
    workloads: [w],
    pods: state.pods.map((p) => ({ ...p, workload: w.id })),
  });
  assert.equal(l.classesOfWorkload('shop/Deployment/web').length, 2);
});

test('unknown classes, workloads and namespaces give nothing', () => {
  const l = lookupOf(cluster({ pods: [pod('shop', 'web')] }));
  assert.deepEqual(l.workloadsOfClass(99), []);
  assert.deepEqual(l.workloadsOfClasses([99]), []);
  assert.deepEqual(l.classesOfWorkload('shop/Pod/nope'), []);
  assert.deepEqual(l.workloadsIn('nope'), []);
  assert.deepEqual(l.podClassesIn('nope'), []);
  assert.deepEqual(l.policiesOf(99, 'ingress'), []);
  assert.equal(l.workload('shop/Pod/nope'), undefined);
  assert.equal(l.namespace('nope'), undefined);
  assert.equal(l.name('shop/Pod/nope'), 'shop/Pod/nope');
});

test('workloads, namespaces and names found', () => {
  const state = cluster({ namespaces: [ns('shop', { team: 'a' })], pods: [pod('shop', 'web')] });
  const l = lookupOf(state);
  assert.equal(l.workload('shop/Pod/web'), state.workloads[0]);
  assert.equal(l.namespace('shop')?.labels['team'], 'a');
  assert.equal(l.name('shop/Pod/web'), 'shop/web');
});

test('two workloads of one namespace and name keep their full ids', () => {
  const state = cluster({ pods: [pod('shop', 'web')] });
  const twin: WorkloadInfo = { ...state.workloads[0]!, id: 'shop/Deployment/web', kind: 'Deployment' };
  const l = lookupOf({ ...state, workloads: [...state.workloads, twin] });
  assert.equal(l.name('shop/Pod/web'), 'shop/Pod/web');
  assert.equal(l.name('shop/Deployment/web'), 'shop/Deployment/web');
});

test('the workloads of a namespace are sorted by id', () => {
  const state = cluster({ pods: [pod('shop', 'web'), pod('shop', 'api'), pod('data', 'db')] });
  const l = lookupOf(state);
  assert.deepEqual(
    l.workloadsIn('shop').map((w) => w.id),
    ['shop/Pod/api', 'shop/Pod/web'],
  );
});

test('a namespace has workloads when it has a workload or a pod', () => {
  const state = cluster({ pods: [pod('shop', 'web'), pod('data', 'db')] });
  // Workloads without pods in `shop`, pods without workloads in `data`: each is enough.
  const l = lookupOf({
    ...state,
    workloads: state.workloads.filter((w) => w.namespace === 'shop'),
    pods: state.pods.filter((p) => p.namespace === 'data'),
  });
  assert.equal(l.hasWorkloads('shop'), true);
  assert.equal(l.hasWorkloads('data'), true);
  assert.equal(l.hasWorkloads('other'), false);
});

test('a class is a DNS class when one of its pods carries a DNS label', () => {
  // No selector reads `k8s-app`, so the two pods may share a class.
  const l = lookupOf(
    cluster({
      pods: [pod('kube-system', 'coredns', { 'k8s-app': 'kube-dns' }), pod('kube-system', 'other')],
    }),
  );
  const dnsClasses = l.classesOfWorkload('kube-system/Pod/coredns');
  assert.deepEqual(l.dnsClasses, dnsClasses);
  assert.deepEqual(l.workloadsOfClasses(l.dnsClasses).includes('kube-system/Pod/coredns'), true);
});
