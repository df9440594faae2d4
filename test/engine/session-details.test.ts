/**
 * `openSession` and `ClusterSession.tryPolicies` (`src/engine/session.ts`), for what mutation testing
 * (issue #20) found unpinned: the options a session is opened with, cluster policies tried (and put back
 * afterwards), and the reference index of a session and of a tried state (workloads unless asked).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { openSession } from '../../src/engine/session.ts';
import type { Connectivity } from '../../src/engine/connectivity.ts';
import { cluster, cnp, ns, pod, policy } from '../support/builders.ts';

const state = cluster({
  namespaces: [ns('a')],
  pods: [
    pod('a', 'web', { app: 'web' }, { ips: ['10.0.0.1'] }),
    pod('a', 'db', { app: 'db' }, { ips: ['10.0.0.2'] }),
    pod('a', 'host', { app: 'host' }, { ips: ['192.168.0.1'], hostNetwork: true }),
  ],
  policies: [
    // db: only from 10.0.0.0/24 (web's IP when ipBlocks match pods, as by default).
    policy('a', 'db', {
      podSelector: { matchLabels: { app: 'db' } },
      ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/24' } }] }],
    }),
  ],
});

const deny = cnp('deny-web-db', {
  tier: 'Admin',
  priority: 1,
  subject: { pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: 'db' } } } },
  ingress: [
    {
      action: 'Deny',
      from: [{ pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: 'web' } } } }],
    },
  ],
});

/** Whether web reaches db. */
const webToDb = (c: Connectivity): boolean =>
  c.connections.some((x) => x.src === 'a/Pod/web' && x.dst === 'a/Pod/db');

describe('openSession', () => {
  test('the default options, and the options given', () => {
    assert.equal(webToDb(openSession(state).connectivity()), true, 'ipBlocks match pod IPs by default');
    assert.equal(webToDb(openSession(state, { ipBlockMatchesPods: false }).connectivity()), false);
  });

  test('the reference index is by workload unless asked', () => {
    const s = openSession(state);
    assert.equal(s.refs().granularity, 'workload');
    assert.equal(s.refs().ends('a/Pod/web').length, 1);
    assert.equal(s.refs('pod').granularity, 'pod');
    assert.equal(s.refs('pod').byId.has('a/web'), true);
  });
});

describe('tryPolicies', () => {
  test('cluster policies tried apply to that try only', () => {
    const s = openSession(state);
    assert.equal(
      s.tryPolicies(state.policies, (e) => webToDb(e.connectivity), [deny]),
      false,
      'the Admin deny applies',
    );
    assert.equal(
      s.tryPolicies(state.policies, (e) => webToDb(e.connectivity)),
      true,
      'and is put back',
    );
  });

  test('the tried state has its own reference index, by workload', () => {
    const s = openSession(state);
    const refs = s.tryPolicies([], (e) => e.refs());
    assert.equal(refs.granularity, 'workload');
    assert.deepEqual(
      refs.entities.filter((x) => x.kind !== 'external').map((x) => x.id),
      ['a/Pod/db', 'a/Pod/host', 'a/Pod/web'],
    );
    assert.equal(
      s.tryPolicies([], (e) => e.refs() === e.refs()),
      true,
      'built once',
    );
  });
});
