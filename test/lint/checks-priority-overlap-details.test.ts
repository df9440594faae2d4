/**
 * checks/priority-overlap.ts: a tie whose only conflicting traffic is a class's traffic to itself is still
 * one (the example of last resort), and a group's first policy is compared with the others.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileCluster } from '../../src/engine/compile.ts';
import { priorityOverlaps } from '../../src/lint/checks/priority-overlap.ts';
import { cluster, cnp, ns, pod } from '../support/builders.ts';

const shop = { namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } } };

test('two policies of one priority conflicting only on a class to itself: one overlap, with itself as example', () => {
  const state = cluster({
    namespaces: [ns('shop')],
    pods: [pod('shop', 'web', { app: 'web' })],
    clusterPolicies: [
      cnp('deny', { tier: 'Admin', priority: 5, subject: shop, ingress: [{ action: 'Deny', from: [shop] }] }),
      cnp('accept', {
        tier: 'Admin',
        priority: 5,
        subject: shop,
        ingress: [{ action: 'Accept', from: [shop] }],
      }),
    ],
  });
  const compiled = compileCluster(state);
  const found = priorityOverlaps(compiled).map((o) => ({
    later: o.later.info.id,
    earlier: o.earlier.info.id,
    direction: o.conflict.direction,
    withItself: 'pod' in o.conflict.target && o.conflict.target.pod === o.conflict.subject,
  }));
  assert.deepEqual(found, [
    {
      later: 'ClusterNetworkPolicy/deny',
      earlier: 'ClusterNetworkPolicy/accept',
      direction: 'ingress',
      withItself: true,
    },
  ]);
});
