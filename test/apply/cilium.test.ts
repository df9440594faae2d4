/**
 * Planning the deployment of Cilium's policies (CiliumNetworkPolicy, namespaced; CiliumClusterwideNetworkPolicy,
 * cluster-scoped; `spec`, `specs` or both) beside the other kinds: ids, effect, prune scope, content
 * comparison (never `status`), the YAML shown, rollback records, and the state after each phase.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ciliumEffectOf,
  connectivityChange,
  editCiliumPolicies,
  entryRef,
  newRecord,
  parseRecord,
  phaseSessions,
  planApply,
  policyId,
  pruneCandidates,
  renderPolicy,
  sameContent,
  transientCuts,
  withManagedBy,
  type CiliumObject,
  type DesiredPolicy,
  type PolicyObject,
} from '../../src/apply/index.ts';
import { openSession } from '../../src/engine/session.ts';
import type { CiliumRule } from '../../src/model/cilium-wire.ts';
import type { NetworkPolicy } from '../../src/model/k8s.ts';
import { ccnp as ccnpInfo, cluster, cnpCilium, ns, pod } from '../support/builders.ts';

const MANAGED = { 'app.kubernetes.io/managed-by': 'netfence' };

const ALLOW_FRONTEND: CiliumRule = {
  endpointSelector: { matchLabels: { app: 'web' } },
  ingress: [{ fromEndpoints: [{ matchLabels: { app: 'frontend' } }] }],
};
const DENY_WORLD: CiliumRule = { endpointSelector: {}, egressDeny: [{ toEntities: ['world'] }] };
const DENY_ALL: CiliumRule = { endpointSelector: {}, ingress: [{}] };

function cnp(
  namespace: string,
  name: string,
  spec: CiliumRule,
  labels?: Record<string, string>,
): CiliumObject {
  return {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: { name, namespace, ...(labels === undefined ? {} : { labels }) },
    spec,
  };
}

function ccnp(name: string, specs: CiliumRule[], labels?: Record<string, string>): CiliumObject {
  return {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumClusterwideNetworkPolicy',
    metadata: { name, ...(labels === undefined ? {} : { labels }) },
    specs,
  };
}

function np(namespace: string, name: string): NetworkPolicy {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace, labels: MANAGED },
    spec: { podSelector: {}, policyTypes: ['Ingress'] },
  };
}

/** As the API server answers: bookkeeping metadata and the agent's status. */
function stored(o: CiliumObject, resourceVersion = '7'): CiliumObject {
  const status = { conditions: [{ type: 'Valid', status: 'True' }] };
  return Object.assign(
    { ...o, metadata: { ...o.metadata, resourceVersion, uid: 'u-1', generation: 2 } },
    { status },
  );
}

describe('Cilium policies in a plan', () => {
  test('ids: Kind/namespace/name and Kind/name, as CiliumPolicyInfo has them', () => {
    assert.equal(policyId(cnp('shop', 'web', ALLOW_FRONTEND)), 'CiliumNetworkPolicy/shop/web');
    assert.equal(policyId(ccnp('egress', [DENY_WORLD])), 'CiliumClusterwideNetworkPolicy/egress');
    assert.equal(policyId(cnp('shop', 'web', ALLOW_FRONTEND)), cnpCilium('shop', 'web', ALLOW_FRONTEND).id);
    assert.equal(policyId(ccnp('egress', [DENY_WORLD])), ccnpInfo('egress', DENY_WORLD).id);
  });

  test('effect: deny rules or no allowed peer is deny; an allow rule alone is allow', () => {
    assert.equal(ciliumEffectOf(cnp('shop', 'web', ALLOW_FRONTEND)), 'allow');
    assert.equal(ciliumEffectOf(cnp('shop', 'none', DENY_ALL)), 'deny');
    assert.equal(ciliumEffectOf(ccnp('egress', [ALLOW_FRONTEND, DENY_WORLD])), 'deny');
    assert.equal(ciliumEffectOf({ ...cnp('shop', 'both', ALLOW_FRONTEND), specs: [DENY_WORLD] }), 'deny');
  });

  test('content: spec and specs compared, bookkeeping and status never', () => {
    const a = cnp('shop', 'web', ALLOW_FRONTEND);
    assert.ok(sameContent(a, stored(a)));
    assert.ok(!sameContent(a, cnp('shop', 'web', DENY_ALL)));
    const b = ccnp('egress', [DENY_WORLD]);
    assert.ok(sameContent(b, stored(b)));
    assert.ok(!sameContent(b, ccnp('egress', [DENY_WORLD, DENY_ALL])));
    // The same rule in spec or in specs is a different object.
    assert.ok(
      !sameContent(b, { apiVersion: b.apiVersion, kind: b.kind, metadata: b.metadata, spec: DENY_WORLD }),
    );
  });

  test('the YAML shown: apiVersion cilium.io/v2, namespace only when namespaced, specs as written, no status', () => {
    assert.equal(
      renderPolicy(stored(ccnp('egress', [DENY_WORLD], MANAGED))),
      `apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata:
  name: egress
  labels:
    app.kubernetes.io/managed-by: netfence
specs:
  - endpointSelector: {}
    egressDeny:
      - toEntities:
          - world
`,
    );
    assert.match(renderPolicy(stored(cnp('shop', 'web', ALLOW_FRONTEND))), /\n {2}namespace: shop\nspec:\n/);
  });

  test('prune: managed, of the kinds of the files; CiliumNetworkPolicies by namespace, clusterwide ones everywhere', () => {
    const live: PolicyObject[] = [
      cnp('shop', 'old', DENY_ALL, MANAGED),
      cnp('other', 'old', DENY_ALL, MANAGED),
      cnp('shop', 'theirs', DENY_ALL),
      ccnp('old', [DENY_WORLD], MANAGED),
      np('shop', 'old'),
    ];
    const scope = { kind: 'namespaces', namespaces: ['shop'] } as const;
    assert.deepEqual(
      pruneCandidates(live, new Set(), scope, new Set(['CiliumNetworkPolicy'])).map(policyId),
      ['CiliumNetworkPolicy/shop/old'],
    );
    assert.deepEqual(
      pruneCandidates(live, new Set(), { kind: 'all' }, new Set(['CiliumNetworkPolicy'])).map(policyId),
      ['CiliumNetworkPolicy/other/old', 'CiliumNetworkPolicy/shop/old'],
    );
    assert.deepEqual(
      pruneCandidates(live, new Set(), scope, new Set(['CiliumClusterwideNetworkPolicy'])).map(policyId),
      ['CiliumClusterwideNetworkPolicy/old'],
    );
    assert.deepEqual(pruneCandidates(live, new Set(), scope).map(policyId), ['shop/old']);
  });

  test('plan and record: namespace, kind and apiVersion of each entry; the record reads back', () => {
    const web = withManagedBy(cnp('shop', 'web', ALLOW_FRONTEND));
    const egress = withManagedBy(ccnp('egress', [DENY_WORLD]));
    const desired: DesiredPolicy[] = [
      { desired: web, result: stored(web) },
      { desired: egress, result: stored(egress) },
    ];
    const plan = planApply({ desired, live: [stored(web, '3')], prune: [], staged: true });
    assert.deepEqual(
      plan.changes.map((c) => [c.id, c.kind, c.namespace, c.action, c.effect]),
      [
        ['CiliumClusterwideNetworkPolicy/egress', 'CiliumClusterwideNetworkPolicy', '', 'create', 'deny'],
        ['CiliumNetworkPolicy/shop/web', 'CiliumNetworkPolicy', 'shop', 'unchanged', 'allow'],
      ],
    );
    const record = newRecord(plan, { time: new Date(0), context: 'c', server: 's' });
    const parsed = parseRecord(JSON.stringify(record), 'r');
    assert.ok(parsed.ok);
    assert.deepEqual(entryRef(parsed.record.entries[0]!), {
      kind: 'CiliumClusterwideNetworkPolicy',
      apiVersion: 'cilium.io/v2',
      namespace: '',
      name: 'egress',
    });
  });

  test('the state after each phase: created ones join, updated ones replace, deleted ones go', () => {
    const keep = cnpCilium('shop', 'keep', ALLOW_FRONTEND);
    const gone = cnpCilium('shop', 'gone', DENY_ALL);
    const next = withManagedBy(cnp('shop', 'keep', DENY_ALL));
    const added = withManagedBy(ccnp('egress', [DENY_WORLD]));
    const plan = planApply({
      desired: [
        { desired: next, result: stored(next) },
        { desired: added, result: stored(added) },
      ],
      live: [keep.object as CiliumObject, gone.object as CiliumObject],
      prune: [gone.object as CiliumObject],
      staged: false,
    });
    const edited = editCiliumPolicies([keep, gone], plan.changes);
    assert.deepEqual(
      edited.map((p) => [p.id, p.specs[0]!.ingress.length]),
      [
        ['CiliumNetworkPolicy/shop/keep', 1],
        ['CiliumClusterwideNetworkPolicy/egress', 0],
      ],
    );
    assert.equal(edited[0]!.specs[0]!.ingress[0]!.peers.length, 0, 'the deny-all version');
    const sessions = phaseSessions(openSession({ ...cluster({}), ciliumPolicies: [keep, gone] }, {}), plan);
    assert.deepEqual(
      sessions.at(-1)!.state.ciliumPolicies.map((p) => p.id),
      ['CiliumNetworkPolicy/shop/keep', 'CiliumClusterwideNetworkPolicy/egress'],
    );
  });
});

describe('impact of a Cilium policy change', () => {
  const live = (): ReturnType<typeof cluster> =>
    cluster({
      namespaces: [ns('shop')],
      pods: [
        pod('shop', 'web', { app: 'web' }, { ips: ['10.0.0.1'] }),
        pod('shop', 'frontend', { app: 'frontend' }, { ips: ['10.0.0.2'] }),
        pod('shop', 'batch', { app: 'batch' }, { ips: ['10.0.0.3'] }),
      ],
    });
  const desired = (o: CiliumObject): DesiredPolicy => ({ desired: o, result: stored(o) });
  const changes = (change: ReturnType<typeof connectivityChange>): string[][] =>
    change.connections.map((c) => [c.change, c.src, c.dst]);

  test('creating one: the pods it selects keep only what it allows (frontend); batch and the outside lose web', () => {
    const web = withManagedBy(cnp('shop', 'web', ALLOW_FRONTEND));
    const plan = planApply({ desired: [desired(web)], live: [], prune: [], staged: true });
    const change = connectivityChange(phaseSessions(openSession(live()), plan));
    assert.deepEqual(changes(change), [
      ['removed', 'shop/Pod/batch', 'shop/Pod/web'],
      // The outside is one address class, as without Cilium policies (no peer sets its families apart).
      ['removed', 'external:0', 'shop/Pod/web'],
    ]);
  });

  test('updating one (frontend → batch): the connections it swaps, as the engine evaluates Cilium', () => {
    const before = cnpCilium('shop', 'web', ALLOW_FRONTEND);
    const next = withManagedBy(
      cnp('shop', 'web', {
        ...ALLOW_FRONTEND,
        ingress: [{ fromEndpoints: [{ matchLabels: { app: 'batch' } }] }],
      }),
    );
    const plan = planApply({
      desired: [desired(next)],
      live: [before.object as CiliumObject],
      prune: [],
      staged: true,
    });
    assert.equal(plan.changes[0]!.action, 'update');
    const state = { ...live(), ciliumPolicies: [before] };
    const change = connectivityChange(phaseSessions(openSession(state), plan));
    assert.deepEqual(changes(change), [
      ['added', 'shop/Pod/batch', 'shop/Pod/web'],
      ['removed', 'shop/Pod/frontend', 'shop/Pod/web'],
    ]);
  });

  test('deleting one (prune) gives back what it took', () => {
    const before = cnpCilium('shop', 'web', ALLOW_FRONTEND);
    const plan = planApply({ desired: [], live: [], prune: [before.object as CiliumObject], staged: true });
    const change = connectivityChange(
      phaseSessions(openSession({ ...live(), ciliumPolicies: [before] }), plan),
    );
    assert.deepEqual(changes(change), [
      ['added', 'shop/Pod/batch', 'shop/Pod/web'],
      ['added', 'external:0', 'shop/Pod/web'],
    ]);
  });

  test('--staged: a deny-all Cilium policy written before its allow would cut frontend → web between phases', () => {
    // Live: no policy, everything open. Desired: web's allow of frontend (allow phase) and Cilium's deny-all
    // idiom on web (deny phase): the allow goes first, so frontend → web, kept at the end, is never cut.
    const allow = withManagedBy(cnp('shop', 'web', ALLOW_FRONTEND));
    const deny = withManagedBy(
      cnp('shop', 'web-deny', { endpointSelector: { matchLabels: { app: 'web' } }, ingress: [{}] }),
    );
    const staged = planApply({ desired: [desired(allow), desired(deny)], live: [], prune: [], staged: true });
    assert.deepEqual(
      staged.phases.map((p) => [p.kind, p.changes.map((c) => c.id)]),
      [
        ['allow', ['CiliumNetworkPolicy/shop/web']],
        ['deny', ['CiliumNetworkPolicy/shop/web-deny']],
      ],
    );
    assert.deepEqual(transientCuts(phaseSessions(openSession(live()), staged)), []);
    // Deny first (the phases reversed): frontend → web, allowed before and after, is cut in between.
    const reversed = { ...staged, phases: [...staged.phases].reverse() };
    assert.deepEqual(
      transientCuts(phaseSessions(openSession(live()), reversed)).map((c) => [c.afterPhase, c.src, c.dst]),
      [[1, 'shop/frontend', 'shop/web']],
    );
  });
});
