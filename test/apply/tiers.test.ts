/**
 * Planning the deployment of cluster policies (ClusterNetworkPolicy, AdminNetworkPolicy,
 * BaselineAdminNetworkPolicy) beside NetworkPolicies: ids, effect, prune scope, content comparison, the
 * YAML shown, rollback records and steps, and the state after each phase.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  clusterEffectOf,
  connectivityChange,
  editClusterPolicies,
  entryRef,
  newRecord,
  parseRecord,
  phaseSessions,
  planApply,
  policyId,
  pruneCandidates,
  renderPolicy,
  rollbackSteps,
  sameContent,
  withManagedBy,
  type ClusterPolicyObject,
  type DesiredPolicy,
  type PolicyObject,
} from '../../src/apply/index.ts';
import { openSession } from '../../src/engine/session.ts';
import type { ClusterNetworkPolicySpec, NetworkPolicy } from '../../src/model/k8s.ts';
import { cluster, cnp as cnpInfo, ns, pod } from '../support/builders.ts';

const MANAGED = { 'app.kubernetes.io/managed-by': 'netfence' };

function cnp(
  name: string,
  spec: ClusterNetworkPolicySpec,
  labels?: Record<string, string>,
): ClusterPolicyObject {
  return {
    apiVersion: 'policy.networking.k8s.io/v1beta1',
    kind: 'ClusterNetworkPolicy',
    metadata: { name, ...(labels === undefined ? {} : { labels }) },
    spec,
  };
}

function np(id: string, labels?: Record<string, string>): NetworkPolicy {
  const [namespace, name] = id.split('/') as [string, string];
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace, ...(labels === undefined ? {} : { labels }) },
    spec: { podSelector: {}, policyTypes: ['Ingress'] },
  };
}

const SUBJECT = { namespaces: {} };
const ALLOW_DNS: ClusterNetworkPolicySpec = {
  tier: 'Admin',
  priority: 10,
  subject: SUBJECT,
  egress: [{ name: 'dns', action: 'Accept', to: [{ namespaces: {} }] }],
};
const DENY_DB: ClusterNetworkPolicySpec = {
  tier: 'Admin',
  priority: 20,
  subject: SUBJECT,
  egress: [
    {
      name: 'deny-db',
      action: 'Deny',
      to: [{ pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: 'db' } } } }],
    },
  ],
};

function desired(p: PolicyObject): DesiredPolicy {
  return { desired: p, result: p };
}

describe('objects', () => {
  test('a cluster policy is Kind/name; a NetworkPolicy namespace/name', () => {
    assert.equal(policyId(cnp('guard', DENY_DB)), 'ClusterNetworkPolicy/guard');
    assert.equal(policyId(np('shop/web')), 'shop/web');
  });

  test('effect: deny when a rule can take a connection away (Deny or Pass), else allow', () => {
    assert.equal(clusterEffectOf(cnp('a', ALLOW_DNS)), 'allow');
    assert.equal(clusterEffectOf(cnp('d', DENY_DB)), 'deny');
    const pass = { ...ALLOW_DNS, ingress: [{ action: 'Pass', from: [{ namespaces: {} }] }] };
    assert.equal(clusterEffectOf(cnp('p', pass)), 'deny');
  });

  test('same content: labels and spec; the server-side namespace-less metadata and bookkeeping aside', () => {
    const stored = { ...cnp('guard', DENY_DB), metadata: { name: 'guard', resourceVersion: '7', uid: 'u' } };
    assert.ok(sameContent(cnp('guard', DENY_DB), stored));
    assert.ok(!sameContent(cnp('guard', DENY_DB), cnp('guard', { ...DENY_DB, priority: 21 })));
    assert.ok(!sameContent(cnp('guard', DENY_DB), withManagedBy(cnp('guard', DENY_DB))));
  });

  test('YAML: the apiVersion written, no namespace, spec keys in the order the API documents', () => {
    const sorted = cnp('guard', {
      egress: [{ to: [{ namespaces: {} }], name: 'x', action: 'Deny' }],
      subject: SUBJECT,
      priority: 5,
      tier: 'Admin',
    });
    assert.equal(
      renderPolicy(sorted),
      `apiVersion: policy.networking.k8s.io/v1beta1
kind: ClusterNetworkPolicy
metadata:
  name: guard
spec:
  tier: Admin
  priority: 5
  subject:
    namespaces: {}
  egress:
    - name: x
      action: Deny
      to:
        - namespaces: {}
`,
    );
  });
});

describe('prune scope', () => {
  const live: PolicyObject[] = [
    cnp('old', DENY_DB, MANAGED),
    cnp('platform', DENY_DB), // not managed by netfence
    np('shop/old', MANAGED),
    {
      apiVersion: 'policy.networking.k8s.io/v1alpha1',
      kind: 'AdminNetworkPolicy',
      metadata: { name: 'anp', labels: MANAGED },
      spec: { priority: 1, subject: SUBJECT },
    },
  ];
  const ids = (list: readonly PolicyObject[]): string[] => list.map(policyId);

  test('only the kinds the files deploy, and only managed ones', () => {
    assert.deepEqual(
      ids(pruneCandidates(live, new Set(), { kind: 'all' }, new Set(['ClusterNetworkPolicy']))),
      ['ClusterNetworkPolicy/old'],
      'files of ClusterNetworkPolicies prune no NetworkPolicy, even everywhere (-A)',
    );
  });

  test('NetworkPolicies everywhere (-A) never prune a cluster policy', () => {
    assert.deepEqual(ids(pruneCandidates(live, new Set(), { kind: 'all' })), ['shop/old']);
  });

  test('a desired cluster policy is kept', () => {
    assert.deepEqual(
      ids(
        pruneCandidates(
          live,
          new Set(['ClusterNetworkPolicy/old']),
          { kind: 'namespaces', namespaces: ['shop'] },
          new Set(['NetworkPolicy', 'ClusterNetworkPolicy', 'AdminNetworkPolicy']),
        ),
      ),
      ['AdminNetworkPolicy/anp', 'shop/old'],
    );
  });
});

describe('plan, record, rollback', () => {
  const liveGuard = {
    ...cnp('guard', DENY_DB, MANAGED),
    metadata: { name: 'guard', labels: MANAGED, resourceVersion: '5' },
  };
  const plan = planApply({
    desired: [
      desired(withManagedBy(cnp('guard', { ...DENY_DB, priority: 5 }))),
      desired(withManagedBy(cnp('dns', ALLOW_DNS))),
    ],
    live: [liveGuard],
    prune: [],
    staged: true,
  });

  test('kinds, namespaces, actions and staged phases: allow first, then the policies that can deny', () => {
    assert.deepEqual(
      plan.changes.map((c) => [c.id, c.kind, c.namespace, c.action, c.effect]),
      [
        ['ClusterNetworkPolicy/dns', 'ClusterNetworkPolicy', '', 'create', 'allow'],
        ['ClusterNetworkPolicy/guard', 'ClusterNetworkPolicy', '', 'update', 'deny'],
      ],
    );
    assert.deepEqual(
      plan.phases.map((p) => [p.kind, p.changes.map((c) => c.id)]),
      [
        ['allow', ['ClusterNetworkPolicy/dns']],
        ['deny', ['ClusterNetworkPolicy/guard']],
      ],
    );
  });

  test('the record names kind and apiVersion, and reads back', () => {
    const record = newRecord(plan, { time: new Date('2026-12-05T00:00:00Z'), context: 'c', server: 's' });
    assert.deepEqual(
      record.entries.map((e) => [e.id, e.kind, e.apiVersion, e.namespace, e.action, e.before === null]),
      [
        [
          'ClusterNetworkPolicy/dns',
          'ClusterNetworkPolicy',
          'policy.networking.k8s.io/v1beta1',
          '',
          'create',
          true,
        ],
        [
          'ClusterNetworkPolicy/guard',
          'ClusterNetworkPolicy',
          'policy.networking.k8s.io/v1beta1',
          '',
          'update',
          false,
        ],
      ],
    );
    const parsed = parseRecord(JSON.stringify(record), 'r.json');
    assert.ok(parsed.ok);
    assert.deepEqual(entryRef(parsed.record.entries[1]!), {
      kind: 'ClusterNetworkPolicy',
      apiVersion: 'policy.networking.k8s.io/v1beta1',
      namespace: '',
      name: 'guard',
    });
  });

  test('a record entry of an unknown kind is refused in one line', () => {
    const text = JSON.stringify({
      kind: 'NetfenceRollbackRecord',
      schemaVersion: 1,
      id: 'x',
      context: 'c',
      entries: [
        { namespace: '', name: 'a', action: 'create', before: null, kind: 'Secret', apiVersion: 'v1' },
      ],
    });
    const r = parseRecord(text, 'r.json');
    assert.ok(!r.ok && r.error.startsWith('r.json: entry 0 has kind "Secret"'), !r.ok ? r.error : '');
  });

  test('an old record (no kind) is of NetworkPolicies', () => {
    assert.deepEqual(
      entryRef({
        id: 'shop/a',
        namespace: 'shop',
        name: 'a',
        action: 'create',
        before: null,
        outcome: 'applied',
        after: null,
        resourceVersion: null,
      }),
      {
        kind: 'NetworkPolicy',
        apiVersion: 'networking.k8s.io/v1',
        namespace: 'shop',
        name: 'a',
      },
    );
  });

  test('rollback: the updated one is replaced with its recorded version, the created one deleted', () => {
    const record = newRecord(plan, { time: new Date(0), context: 'c', server: 's' });
    for (const e of record.entries) {
      e.outcome = 'applied';
      e.after = plan.changes.find((c) => c.id === e.id)!.result!;
    }
    const live = new Map<string, PolicyObject | undefined>(plan.changes.map((c) => [c.id, c.result]));
    const steps = rollbackSteps(record, live, false);
    assert.deepEqual(
      steps.map((s) => [
        s.entry.id,
        s.kind,
        s.target === undefined ? null : (s.target.spec as { priority?: number }).priority,
      ]),
      [
        ['ClusterNetworkPolicy/guard', 'replace', 20],
        ['ClusterNetworkPolicy/dns', 'delete', null],
      ],
    );
  });
});

describe('the state after each phase', () => {
  test('applied cluster policies replace or join the live ones; deleted ones go', () => {
    const live = [cnpInfo('guard', DENY_DB), cnpInfo('old', ALLOW_DNS)];
    const plan = planApply({
      desired: [desired(cnp('guard', { ...DENY_DB, priority: 5 })), desired(cnp('dns', ALLOW_DNS))],
      live: [cnp('guard', DENY_DB), cnp('old', ALLOW_DNS)],
      prune: [cnp('old', ALLOW_DNS, MANAGED)],
      staged: false,
    });
    const after = editClusterPolicies(live, plan.changes);
    assert.deepEqual(
      after.map((p) => [p.id, p.priority]),
      [
        ['ClusterNetworkPolicy/guard', 5],
        ['ClusterNetworkPolicy/dns', 10],
      ],
    );
    const sessions = phaseSessions(openSession(cluster({ clusterPolicies: live })), plan);
    assert.equal(sessions.length, 1 + plan.phases.length);
    assert.deepEqual(
      sessions.map((s) => s.state.clusterPolicies.map((p) => p.id).sort()),
      [
        ['ClusterNetworkPolicy/guard', 'ClusterNetworkPolicy/old'],
        ['ClusterNetworkPolicy/dns', 'ClusterNetworkPolicy/guard', 'ClusterNetworkPolicy/old'],
        ['ClusterNetworkPolicy/dns', 'ClusterNetworkPolicy/guard'],
      ],
    );
  });
});

describe('impact of a cluster policy', () => {
  test('the connectivity change evaluates the tiers: an Admin Deny removes the connection it matches', () => {
    const live = cluster({
      namespaces: [ns('prod')],
      pods: [
        pod('prod', 'web', { app: 'web' }, { ips: ['10.0.0.1'] }),
        pod('prod', 'db', { app: 'db' }, { ips: ['10.0.0.2'] }),
      ],
    });
    const plan = planApply({ desired: [desired(cnp('guard', DENY_DB))], live: [], prune: [], staged: true });
    const change = connectivityChange(phaseSessions(openSession(live), plan));
    assert.deepEqual(
      change.connections.map((c) => [c.change, c.src, c.dst]),
      [['removed', 'prod/Pod/web', 'prod/Pod/db']],
    );
    assert.deepEqual(
      change.clusterPolicies.map((c) => [c.id, c.change]),
      [['ClusterNetworkPolicy/guard', 'added']],
    );
  });
});
