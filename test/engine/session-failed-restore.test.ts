/**
 * `ClusterSession.tryPolicies` (`src/engine/session.ts`) when putting the session's own policies back fails
 * (issue #20, round 10: the `catch` that drops such an engine had no test). Reading the session's cluster
 * policies is made to throw during one try only.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openSession } from '../../src/engine/session.ts';
import type { ClusterState } from '../../src/model/cluster.ts';
import { cluster, cnp, pod } from '../support/builders.ts';

test('an engine that could not be put back after a try is dropped: the next try starts from the session', () => {
  const base = cluster({ pods: [pod('a', 'web', { app: 'web' }), pod('a', 'db', { app: 'db' })] });
  let unreadable = false;
  const state: ClusterState = Object.defineProperty({ ...base }, 'clusterPolicies', {
    get: () => {
      if (unreadable) throw new Error('cluster policies unreadable');
      return [];
    },
  });
  // Every pod's ingress denied.
  const deny = cnp('deny-all', {
    tier: 'Admin',
    priority: 1,
    subject: { namespaces: {} },
    ingress: [{ action: 'Deny', from: [{ namespaces: {} }] }],
  });
  const webToDb = (s: ClusterState['policies'], clusterPolicies?: (typeof deny)[]): boolean =>
    session.tryPolicies(
      s,
      (e) => {
        const reaches = e.connectivity.connections.some((x) => x.src === 'a/Pod/web' && x.dst === 'a/Pod/db');
        if (clusterPolicies !== undefined) unreadable = true; // the restore after this try throws
        return reaches;
      },
      clusterPolicies,
    );
  const session = openSession(state);
  assert.equal(webToDb([]), true);
  assert.equal(webToDb([], [deny]), false, 'the tried Admin deny applies');
  unreadable = false;
  assert.equal(webToDb([]), true, 'and is gone: the engine left with it was dropped');
});
