/**
 * The states an apply goes through: a pruned NetworkPolicy is gone after its phase, a phase that writes a
 * NetworkPolicy and a cluster policy together applies both, and a cut between Deployments is named by the
 * workloads, once. (Found missing by the whole-folder mutation run of src/apply: see docs/mutation/apply.md.)
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  connectivityChange,
  phaseSessions,
  planApply,
  transientCuts,
  type DesiredPolicy,
  type PolicyObject,
} from '../../src/apply/index.ts';
import { formatPorts } from '../../src/describe/ports.ts';
import { openSession } from '../../src/engine/session.ts';
import type { NetworkPolicy, NetworkPolicySpec } from '../../src/model/k8s.ts';
import { cluster, ns, pod, policy, withWorkloads } from '../support/builders.ts';

const MANAGED = { 'app.kubernetes.io/managed-by': 'netfence' };

function np(id: string, spec: NetworkPolicySpec, labels?: Record<string, string>): NetworkPolicy {
  const [namespace, name] = id.split('/') as [string, string];
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace, ...(labels === undefined ? {} : { labels }) },
    spec,
  };
}

function desired(p: PolicyObject): DesiredPolicy {
  return { desired: p, result: p };
}

const DB_ISOLATED: NetworkPolicySpec = {
  podSelector: { matchLabels: { app: 'db' } },
  policyTypes: ['Ingress'],
};

const pods = [
  pod('prod', 'web', { app: 'web' }, { ips: ['10.0.0.1'] }),
  pod('prod', 'db', { app: 'db' }, { ips: ['10.0.0.2'] }),
];

describe('the states after each phase', () => {
  test('a pruned NetworkPolicy is gone after the prune: what it denied is allowed again', () => {
    const live = cluster({
      namespaces: [ns('prod')],
      pods,
      policies: [policy('prod', 'db-isolated', DB_ISOLATED)],
    });
    const stored = np('prod/db-isolated', DB_ISOLATED, MANAGED);
    const plan = planApply({ desired: [], live: [stored], prune: [stored], staged: true });
    assert.deepEqual(
      plan.phases.map((p) => [p.kind, p.changes.map((c) => [c.action, c.id])]),
      [['prune', [['delete', 'prod/db-isolated']]]],
    );
    const sessions = phaseSessions(openSession(live), plan);
    assert.deepEqual(
      sessions.map((s) => s.state.policies.map((p) => p.id)),
      [['prod/db-isolated'], []],
    );
    const change = connectivityChange(sessions);
    assert.deepEqual(
      change.connections.map((c) => [c.change, c.src, c.dst]),
      [
        ['added', 'prod/Pod/web', 'prod/Pod/db'],
        ['added', 'external:0', 'prod/Pod/db'],
      ],
    );
    assert.deepEqual(
      change.policies.map((p) => [p.change, p.id]),
      [['removed', 'prod/db-isolated']],
    );
  });

  test('one phase writing a NetworkPolicy and a cluster policy: the state after it has both', () => {
    const live = cluster({ namespaces: [ns('prod')], pods });
    const guard: PolicyObject = {
      apiVersion: 'policy.networking.k8s.io/v1beta1',
      kind: 'ClusterNetworkPolicy',
      metadata: { name: 'guard' },
      spec: {
        tier: 'Admin',
        priority: 10,
        subject: { pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: 'web' } } } },
        egress: [
          {
            action: 'Deny',
            to: [{ pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: 'db' } } } }],
          },
        ],
      },
    };
    // Unstaged: every write in one phase, in id order (the cluster policy's `ClusterNetworkPolicy/guard`
    // before `prod/db-isolated`).
    const plan = planApply({
      desired: [desired(np('prod/db-isolated', DB_ISOLATED)), desired(guard)],
      live: [],
      prune: [],
      staged: false,
    });
    assert.deepEqual(
      plan.phases.map((p) => [p.kind, p.changes.map((c) => c.id)]),
      [['apply', ['ClusterNetworkPolicy/guard', 'prod/db-isolated']]],
    );
    const sessions = phaseSessions(openSession(live), plan);
    const after = sessions[1]!.state;
    assert.deepEqual(
      [after.policies.map((p) => p.id), after.clusterPolicies.map((p) => p.id)],
      [['prod/db-isolated'], ['ClusterNetworkPolicy/guard']],
    );
    const change = connectivityChange(sessions);
    assert.deepEqual(
      change.clusterPolicies.map((c) => [c.id, c.change]),
      [['ClusterNetworkPolicy/guard', 'added']],
    );
    assert.deepEqual(
      change.policies.map((p) => [p.change, p.id]),
      [['added', 'prod/db-isolated']],
    );
  });

  test('a cut between Deployments names each workload once, not its pods', () => {
    // web-1, web-2 are the Deployment w1; db-1, db-2 the Deployment w2.
    const live = withWorkloads(
      {
        namespaces: [ns('prod')],
        pods: [
          pod('prod', 'web-1', { app: 'web' }, { ips: ['10.0.0.1'] }),
          pod('prod', 'web-2', { app: 'web' }, { ips: ['10.0.0.2'] }),
          pod('prod', 'db-1', { app: 'db' }, { ips: ['10.0.0.3'] }),
          pod('prod', 'db-2', { app: 'db' }, { ips: ['10.0.0.4'] }),
        ],
      },
      [1, 1, 2, 2],
      false,
    );
    const dbFromWeb: NetworkPolicySpec = {
      podSelector: { matchLabels: { app: 'db' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 5432 }] }],
    };
    const plan = planApply({
      desired: [desired(np('prod/db-isolated', DB_ISOLATED)), desired(np('prod/db-from-web', dbFromWeb))],
      live: [],
      prune: [],
      staged: true,
    });
    // The wrong order: the default-deny first, then the allow.
    const wrong = { ...plan, phases: [...plan.phases].reverse() };
    assert.deepEqual(
      wrong.phases.map((p) => p.kind),
      ['deny', 'allow'],
    );
    assert.deepEqual(
      transientCuts(phaseSessions(openSession(live), wrong)).map((c) => [
        c.afterPhase,
        c.src,
        c.dst,
        formatPorts(c.ports),
      ]),
      [[1, 'prod/w1', 'prod/w2', 'TCP 5432']],
    );
  });
});
