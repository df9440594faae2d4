import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  breakingFlows,
  connectivityChange,
  phaseSessions,
  planApply,
  transientCuts,
  type DesiredPolicy,
} from '../../src/apply/index.ts';
import { formatPorts } from '../../src/describe/ports.ts';
import { openSession } from '../../src/engine/session.ts';
import type { ObservedConnection } from '../../src/flows/types.ts';
import type { NetworkPolicy, NetworkPolicySpec } from '../../src/model/k8s.ts';
import { cluster, ns, pod } from '../support/builders.ts';

function np(id: string, spec: NetworkPolicySpec): NetworkPolicy {
  const [namespace, name] = id.split('/') as [string, string];
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec };
}

function desired(p: NetworkPolicy): DesiredPolicy {
  return { desired: p, result: p };
}

/** `prod`: web, db and cache pods, no policies yet: everything is allowed. */
const live = cluster({
  namespaces: [ns('prod')],
  pods: [
    pod('prod', 'web', { app: 'web' }, { ips: ['10.0.0.1'] }),
    pod('prod', 'db', { app: 'db' }, { ips: ['10.0.0.2'] }),
    pod('prod', 'cache', { app: 'cache' }, { ips: ['10.0.0.3'] }),
  ],
});

const DENY_ALL: NetworkPolicySpec = { podSelector: {}, policyTypes: ['Ingress', 'Egress'] };
const DB_FROM_WEB: NetworkPolicySpec = {
  podSelector: { matchLabels: { app: 'db' } },
  policyTypes: ['Ingress'],
  ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 5432 }] }],
};
const WEB_TO_DB: NetworkPolicySpec = {
  podSelector: { matchLabels: { app: 'web' } },
  policyTypes: ['Egress'],
  egress: [{ to: [{ podSelector: { matchLabels: { app: 'db' } } }], ports: [{ port: 5432 }] }],
};

/** Observed: web → db (which DB_FROM_WEB allows) and cache → db (which it denies). */
const OBSERVED: ObservedConnection[] = [
  {
    src: { kind: 'workload', id: 'prod/Pod/web' },
    dst: { kind: 'workload', id: 'prod/Pod/db' },
    protocol: 'TCP',
    port: 5432,
    count: 120,
    denied: 0,
  },
  {
    src: { kind: 'workload', id: 'prod/Pod/cache' },
    dst: { kind: 'workload', id: 'prod/Pod/db' },
    protocol: 'TCP',
    port: 5432,
    count: 3,
    denied: 0,
  },
];

describe('staged rollouts', () => {
  test('allow policies, then default-deny: no connection allowed before and after is cut in between', () => {
    const plan = planApply({
      desired: [
        desired(np('prod/deny-all', DENY_ALL)),
        desired(np('prod/db', DB_FROM_WEB)),
        desired(np('prod/web', WEB_TO_DB)),
      ],
      live: [],
      prune: [],
      staged: true,
    });
    const sessions = phaseSessions(openSession(live), plan);
    assert.equal(sessions.length, 3, 'live, after the allows, after the denies');
    assert.deepEqual(transientCuts(sessions), []);
  });

  test('a policy that denies one way and allows the other is an allow: staged late it would cut', () => {
    // web-egress-and-isolate denies web's ingress and allows its egress to db. Had it been classed as a
    // default-deny (applied last), web's egress would have been isolated by web-to-cache alone in between,
    // cutting web → db, which both ends allow. As an allow, it goes first with the others.
    const isolate: NetworkPolicySpec = {
      podSelector: { matchLabels: { app: 'web' } },
      policyTypes: ['Ingress', 'Egress'],
      egress: [{ to: [{ podSelector: { matchLabels: { app: 'db' } } }], ports: [{ port: 5432 }] }],
    };
    const webToCache: NetworkPolicySpec = {
      podSelector: { matchLabels: { app: 'web' } },
      policyTypes: ['Egress'],
      egress: [{ to: [{ podSelector: { matchLabels: { app: 'cache' } } }], ports: [{ port: 6379 }] }],
    };
    const plan = planApply({
      desired: [desired(np('prod/isolate', isolate)), desired(np('prod/to-cache', webToCache))],
      live: [],
      prune: [],
      staged: true,
    });
    assert.deepEqual(
      plan.phases.map((p) => p.kind),
      ['allow'],
    );
    assert.deepEqual(transientCuts(phaseSessions(openSession(live), plan)), []);
  });

  test('an order that would cut an allowed connection for a while is detected, with the phase', () => {
    // Hand-made phases: the default-deny first, then the allows (the wrong order).
    const plan = planApply({
      desired: [
        desired(np('prod/deny-all', DENY_ALL)),
        desired(np('prod/db', DB_FROM_WEB)),
        desired(np('prod/web', WEB_TO_DB)),
      ],
      live: [],
      prune: [],
      staged: true,
    });
    const wrong = { ...plan, phases: [...plan.phases].reverse() };
    const cuts = transientCuts(phaseSessions(openSession(live), wrong));
    assert.deepEqual(
      cuts.map((c) => [c.afterPhase, c.src, c.dst, formatPorts(c.ports), c.srcNodes, c.dstNodes]),
      // Workloads: no Node's address.
      [[1, 'prod/web', 'prod/db', 'TCP 5432', [], []]],
    );
  });
});

describe('breakingFlows', () => {
  test('observed connections the live state allows and the final state denies, with the blocking side', () => {
    const plan = planApply({
      desired: [desired(np('prod/db', DB_FROM_WEB))],
      live: [],
      prune: [],
      staged: false,
    });
    const breaking = breakingFlows(phaseSessions(openSession(live), plan), OBSERVED);
    assert.deepEqual(
      breaking.map((b) => [b.connection.src, b.afterPhase, b.blockedAt, b.policies]),
      [[{ kind: 'workload', id: 'prod/Pod/cache' }, 1, ['ingress'], ['prod/db']]],
    );
  });

  test('traffic the live policies already deny is not this apply breaking it', () => {
    const denied = cluster({
      ...live,
      policies: [
        {
          ...np('prod/db', DB_FROM_WEB),
          id: 'prod/db',
          namespace: 'prod',
          name: 'db',
          labels: {},
          annotations: {},
        },
      ],
    });
    const plan = planApply({
      desired: [desired(np('prod/db', DB_FROM_WEB))],
      live: [],
      prune: [],
      staged: false,
    });
    assert.deepEqual(breakingFlows(phaseSessions(openSession(denied), plan), OBSERVED), []);
  });
});

describe('the engine options of the impact', () => {
  // db runs in the host network: most CNIs exempt it from policies (exempt), the API read literally
  // polices it (policed).
  const hostNetworkDb = cluster({
    namespaces: [ns('prod')],
    pods: [
      pod('prod', 'web', { app: 'web' }, { ips: ['10.0.0.1'] }),
      pod('prod', 'db', { app: 'db' }, { ips: ['10.0.0.2'], hostNetwork: true }),
      pod('prod', 'cache', { app: 'cache' }, { ips: ['10.0.0.3'] }),
    ],
  });
  const cacheToDb = OBSERVED[1]!;
  const plan = planApply({
    desired: [desired(np('prod/db', DB_FROM_WEB))],
    live: [],
    prune: [],
    staged: false,
  });

  test('hostNetworkPods: exempt (the default): a policy selecting a host-network pod changes nothing', () => {
    const sessions = phaseSessions(openSession(hostNetworkDb, { hostNetworkPods: 'exempt' }), plan);
    assert.deepEqual(breakingFlows(sessions, [cacheToDb]), []);
    assert.deepEqual(connectivityChange(sessions).connections, []);
  });

  test('hostNetworkPods: policed: the same policy denies what it does not allow', () => {
    const sessions = phaseSessions(openSession(hostNetworkDb, { hostNetworkPods: 'policed' }), plan);
    assert.deepEqual(
      breakingFlows(sessions, [cacheToDb]).map((b) => [b.connection, b.afterPhase, b.policies]),
      [[cacheToDb, 1, ['prod/db']]],
    );
    assert.ok(connectivityChange(sessions).connections.length > 0, 'db loses its other clients');
  });
});
