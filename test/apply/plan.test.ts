import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  effectOf,
  planApply,
  pruneCandidates,
  sameContent,
  withManagedBy,
  type DesiredPolicy,
} from '../../src/apply/index.ts';
import type { NetworkPolicy, NetworkPolicySpec } from '../../src/model/k8s.ts';

function np(
  id: string,
  spec: NetworkPolicySpec,
  labels?: Record<string, string>,
  extra: object = {},
): NetworkPolicy {
  const [namespace, name] = id.split('/') as [string, string];
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace, ...(labels === undefined ? {} : { labels }), ...extra },
    spec,
  };
}

const MANAGED = { 'app.kubernetes.io/managed-by': 'netfence' };
const DENY_INGRESS: NetworkPolicySpec = { podSelector: {}, policyTypes: ['Ingress'] };
const ALLOW_WEB: NetworkPolicySpec = {
  podSelector: { matchLabels: { app: 'web' } },
  policyTypes: ['Ingress'],
  ingress: [{ ports: [{ protocol: 'TCP', port: 8080 }] }],
};

/** What the server would answer to a dry run: here, the object as sent. */
function desired(p: NetworkPolicy): DesiredPolicy {
  return { desired: p, result: p };
}

describe('effectOf: allow or default-deny', () => {
  // [spec, effect, why the case matters]
  const cases: [NetworkPolicySpec, 'allow' | 'deny', string][] = [
    [DENY_INGRESS, 'deny', 'the classic default-deny'],
    [{ podSelector: {} }, 'deny', 'no policyTypes and no rules: Ingress, denied'],
    [{ podSelector: {}, ingress: [] }, 'deny', '`ingress: []` allows nothing'],
    [{ podSelector: {}, policyTypes: ['Ingress', 'Egress'] }, 'deny', 'deny both ways'],
    [ALLOW_WEB, 'allow', 'a rule allows something'],
    [{ podSelector: {}, ingress: [{}] }, 'allow', '`[{}]` allows everything'],
    [
      {
        podSelector: {},
        policyTypes: ['Ingress', 'Egress'],
        egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }],
      },
      'allow',
      'denies ingress but allows some egress: applying it late could cut egress the others do not allow',
    ],
    [{ podSelector: {}, egress: [] }, 'deny', 'egress present but empty, with the default types'],
  ];
  for (const [spec, effect, why] of cases) {
    test(`${effect}: ${why}`, () => assert.equal(effectOf(spec), effect));
  }
});

describe('planApply', () => {
  const live = [
    np('shop/allow-web', ALLOW_WEB, MANAGED),
    np('shop/default-deny', DENY_INGRESS, MANAGED),
    np('shop/old', ALLOW_WEB, MANAGED),
  ];

  test('create, update and unchanged, by content (labels, annotations, spec)', () => {
    const plan = planApply({
      desired: [
        desired(np('shop/allow-web', ALLOW_WEB, MANAGED)),
        desired(np('shop/default-deny', { ...DENY_INGRESS, policyTypes: ['Ingress', 'Egress'] }, MANAGED)),
        desired(np('shop/allow-api', ALLOW_WEB, MANAGED)),
      ],
      live,
      prune: [],
      staged: false,
    });
    assert.deepEqual(
      plan.changes.map((c) => [c.id, c.action, c.effect]),
      [
        ['shop/allow-api', 'create', 'allow'],
        ['shop/allow-web', 'unchanged', 'allow'],
        ['shop/default-deny', 'update', 'deny'],
      ],
    );
    assert.deepEqual(
      plan.phases.map((p) => [p.kind, p.changes.map((c) => c.id)]),
      [['apply', ['shop/allow-api', 'shop/default-deny']]],
    );
  });

  test('staged: allow policies, then default-deny policies, then prune; empty phases left out', () => {
    const plan = planApply({
      desired: [
        desired(np('shop/z-deny', DENY_INGRESS, MANAGED)),
        desired(np('shop/a-allow', ALLOW_WEB, MANAGED)),
        desired(np('data/deny', DENY_INGRESS, MANAGED)),
      ],
      live: [],
      prune: [live[2]!],
      staged: true,
    });
    assert.deepEqual(
      plan.phases.map((p) => [p.kind, p.title, p.changes.map((c) => `${c.action} ${c.id}`)]),
      [
        ['allow', 'allow policies', ['create shop/a-allow']],
        ['deny', 'default-deny policies', ['create data/deny', 'create shop/z-deny']],
        ['prune', 'prune', ['delete shop/old']],
      ],
    );
    const allowsOnly = planApply({
      desired: [desired(np('a/x', ALLOW_WEB))],
      live: [],
      prune: [],
      staged: true,
    });
    assert.deepEqual(
      allowsOnly.phases.map((p) => p.kind),
      ['allow'],
    );
  });

  test('a bookkeeping difference (resourceVersion, uid) is not a change', () => {
    const stored = np('shop/allow-web', ALLOW_WEB, MANAGED, { resourceVersion: '42', uid: 'u-1' });
    assert.ok(sameContent(stored, np('shop/allow-web', ALLOW_WEB, MANAGED)));
    // Key order is not content either.
    const reordered = np(
      'shop/allow-web',
      {
        policyTypes: ['Ingress'],
        ingress: [{ ports: [{ port: 8080, protocol: 'TCP' }] }],
        podSelector: { matchLabels: { app: 'web' } },
      },
      MANAGED,
    );
    assert.ok(sameContent(stored, reordered));
    assert.ok(
      !sameContent(stored, np('shop/allow-web', ALLOW_WEB, { ...MANAGED, team: 'x' })),
      'labels are content',
    );
  });
});

describe('pruneCandidates', () => {
  const live = [
    np('shop/keep', ALLOW_WEB, MANAGED),
    np('shop/gone', ALLOW_WEB, MANAGED),
    np('shop/hand-made', ALLOW_WEB),
    np('shop/helm', ALLOW_WEB, { 'app.kubernetes.io/managed-by': 'Helm' }),
    np('data/gone-too', DENY_INGRESS, MANAGED),
  ];
  const desiredIds = new Set(['shop/keep']);

  test('only labelled managed-by netfence, not desired, in the namespaces of the files', () => {
    assert.deepEqual(
      pruneCandidates(live, desiredIds, { kind: 'namespaces', namespaces: ['shop'] }).map(
        (p) => p.metadata.name,
      ),
      ['gone'],
    );
  });

  test('in every namespace with -A', () => {
    assert.deepEqual(
      pruneCandidates(live, desiredIds, { kind: 'all' }).map(
        (p) => `${p.metadata.namespace}/${p.metadata.name}`,
      ),
      ['data/gone-too', 'shop/gone'],
    );
  });
});

describe('withManagedBy', () => {
  test('adds the label, keeping the others', () => {
    assert.deepEqual(withManagedBy(np('a/b', ALLOW_WEB, { team: 'x' })).metadata.labels, {
      team: 'x',
      ...MANAGED,
    });
  });

  test("leaves another tool's managed-by alone (and so it is never pruned)", () => {
    const helm = np('a/b', ALLOW_WEB, { 'app.kubernetes.io/managed-by': 'Helm' });
    assert.equal(withManagedBy(helm), helm);
  });
});
