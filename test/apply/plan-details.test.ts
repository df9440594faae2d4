/**
 * The plan in detail: the effect of a policy of each kind in the cases that decide the staged order (egress
 * rules under the default policyTypes, a Cilium ingressDeny or egress allow alone, a cluster policy's
 * egress Pass), the phases of an apply that is not staged, and what each change names. (Found missing by
 * mutation testing: see docs/mutation/apply.md.)
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ciliumEffectOf,
  clusterEffectOf,
  effectOf,
  effectOfObject,
  planApply,
  pruneCandidates,
  type CiliumObject,
  type ClusterPolicyObject,
  type DesiredPolicy,
} from '../../src/apply/index.ts';
import type { CiliumRule } from '../../src/model/cilium-wire.ts';
import type { NetworkPolicy, NetworkPolicySpec } from '../../src/model/k8s.ts';

const MANAGED = { 'app.kubernetes.io/managed-by': 'netfence' };
const DENY: NetworkPolicySpec = { podSelector: {}, policyTypes: ['Ingress'] };
const ALLOW: NetworkPolicySpec = { podSelector: {}, ingress: [{}] };

function np(id: string, spec: NetworkPolicySpec): NetworkPolicy {
  const [namespace, name] = id.split('/') as [string, string];
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace, labels: MANAGED },
    spec,
  };
}

function cilium(rule: CiliumRule): CiliumObject {
  return {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: { name: 'c', namespace: 'shop' },
    spec: rule,
  };
}

function desired(p: NetworkPolicy): DesiredPolicy {
  return { desired: p, result: p };
}

describe('effect', () => {
  test('egress rules under the default policyTypes allow (types are Ingress and Egress when egress is set)', () => {
    assert.equal(effectOf({ podSelector: {}, egress: [{}] }), 'allow');
    assert.equal(
      effectOf({ podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }] }),
      'allow',
    );
  });

  test('rules of a direction the policy does not declare allow nothing', () => {
    assert.equal(effectOf({ podSelector: {}, policyTypes: ['Egress'], ingress: [{}] }), 'deny');
    assert.equal(effectOf({ podSelector: {}, policyTypes: ['Ingress'], egress: [{}] }), 'deny');
  });

  test('Cilium: an ingressDeny rule alone is deny; an egress allow alone is allow', () => {
    const web = { matchLabels: { app: 'web' } };
    assert.equal(
      ciliumEffectOf(cilium({ endpointSelector: {}, ingressDeny: [{ fromEndpoints: [web] }] })),
      'deny',
    );
    assert.equal(ciliumEffectOf(cilium({ endpointSelector: {}, egress: [{ toEndpoints: [web] }] })), 'allow');
    assert.equal(
      ciliumEffectOf(
        cilium({
          endpointSelector: {},
          egress: [{ toEndpoints: [web] }],
          ingressDeny: [{ fromEndpoints: [web] }],
        }),
      ),
      'deny',
      'a deny rule makes it deny whatever it allows',
    );
  });

  test('cluster policies: an egress Pass is deny; ingress and egress Accepts are allow; no rules are allow', () => {
    const cnp = (spec: object): ClusterPolicyObject => ({
      apiVersion: 'policy.networking.k8s.io/v1beta1',
      kind: 'ClusterNetworkPolicy',
      metadata: { name: 'x' },
      spec: { tier: 'Admin', priority: 1, subject: { namespaces: {} }, ...spec },
    });
    const to = [{ namespaces: {} }];
    assert.equal(clusterEffectOf(cnp({ egress: [{ action: 'Pass', to }] })), 'deny');
    assert.equal(clusterEffectOf(cnp({ ingress: [{ action: 'Deny', from: to }] })), 'deny');
    assert.equal(
      clusterEffectOf(cnp({ ingress: [{ action: 'Accept', from: to }], egress: [{ action: 'Accept', to }] })),
      'allow',
    );
    assert.equal(clusterEffectOf(cnp({})), 'allow');
    assert.equal(effectOfObject(cnp({ egress: [{ action: 'Deny', to }] })), 'deny');
  });
});

describe('planApply', () => {
  test('not staged: one phase "policies" of every write in id order, then "prune"', () => {
    const plan = planApply({
      desired: [desired(np('b/deny', DENY)), desired(np('a/allow', ALLOW))],
      live: [],
      prune: [np('c/old', ALLOW)],
      staged: false,
    });
    assert.deepEqual(
      plan.phases.map((p) => [p.kind, p.title, p.changes.map((c) => c.id)]),
      [
        ['apply', 'policies', ['a/allow', 'b/deny']],
        ['prune', 'prune', ['c/old']],
      ],
    );
  });

  test('each change names its kind, namespace and name; a delete its live object and effect', () => {
    const old = np('c/old', DENY);
    const plan = planApply({ desired: [desired(np('a/new', ALLOW))], live: [], prune: [old], staged: true });
    assert.deepEqual(
      plan.changes.map((c) => [c.id, c.kind, c.namespace, c.name, c.action, c.effect]),
      [
        ['a/new', 'NetworkPolicy', 'a', 'new', 'create', 'allow'],
        ['c/old', 'NetworkPolicy', 'c', 'old', 'delete', 'deny'],
      ],
    );
    const deleted = plan.changes[1]!;
    assert.equal(deleted.live, old);
    assert.equal(deleted.desired, undefined);
    assert.equal(deleted.result, undefined);
    const created = plan.changes[0]!;
    assert.equal(created.live, undefined);
  });

  test('the dry-run answer decides: a file that differs only in what the server fills in is unchanged', () => {
    const live = np('a/p', { ...ALLOW, policyTypes: ['Ingress'] });
    const plan = planApply({
      desired: [{ desired: np('a/p', ALLOW), result: live }],
      live: [live],
      prune: [],
      staged: false,
    });
    assert.deepEqual(
      plan.changes.map((c) => c.action),
      ['unchanged'],
    );
    assert.deepEqual(plan.phases, []);
  });

  test('a policy without a name is planned with an empty name', () => {
    const nameless: NetworkPolicy = { ...np('a/x', ALLOW), metadata: { namespace: 'a' } };
    const plan = planApply({ desired: [desired(nameless)], live: [], prune: [nameless], staged: false });
    assert.deepEqual(
      plan.changes.map((c) => [c.id, c.name]),
      [
        ['a/', ''],
        ['a/', ''],
      ],
    );
  });
});

describe('pruneCandidates', () => {
  test('a namespaced policy without namespace is in no listed namespace', () => {
    const stray: NetworkPolicy = { ...np('a/x', ALLOW), metadata: { name: 'x', labels: MANAGED } };
    assert.deepEqual(pruneCandidates([stray], new Set(), { kind: 'namespaces', namespaces: ['a'] }), []);
    assert.deepEqual(pruneCandidates([stray], new Set(), { kind: 'namespaces', namespaces: [''] }), [stray]);
  });
});

describe('effect and prune scope of every kind, through the entry points the plan uses', () => {
  const cnp: ClusterPolicyObject = {
    apiVersion: 'policy.networking.k8s.io/v1beta1',
    kind: 'ClusterNetworkPolicy',
    metadata: { name: 'guard', labels: MANAGED },
    spec: {
      tier: 'Admin',
      priority: 1,
      subject: { namespaces: {} },
      egress: [{ action: 'Accept', to: [{ namespaces: {} }] }],
    },
  };
  const allowWeb = cilium({
    endpointSelector: {},
    ingress: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }] }],
  });

  test('effectOfObject: a Cilium allow is allow, a cluster Accept is allow, a NetworkPolicy by its rules', () => {
    assert.equal(effectOfObject(allowWeb), 'allow');
    assert.equal(effectOfObject(cilium({ endpointSelector: {}, ingress: [{}] })), 'deny');
    assert.equal(effectOfObject(cnp), 'allow');
    assert.equal(effectOfObject(np('a/x', ALLOW)), 'allow');
    assert.equal(effectOfObject(np('a/x', DENY)), 'deny');
  });

  test('pruneCandidates: a kind the files do not deploy is never pruned; a cluster-scoped one in any namespace scope', () => {
    const managedCilium: CiliumObject = { ...allowWeb, metadata: { ...allowWeb.metadata, labels: MANAGED } };
    const live = [cnp, managedCilium, np('shop/old', ALLOW)];
    const scope = { kind: 'namespaces', namespaces: ['shop'] } as const;
    assert.deepEqual(pruneCandidates(live, new Set(), scope), [live[2]], 'NetworkPolicies only, by default');
    assert.deepEqual(pruneCandidates(live, new Set(), scope, new Set(['ClusterNetworkPolicy'])), [cnp]);
    const prunedCilium = (namespace: string) =>
      pruneCandidates(
        live,
        new Set(),
        { kind: 'namespaces', namespaces: [namespace] },
        new Set(['CiliumNetworkPolicy']),
      );
    assert.deepEqual(prunedCilium('shop'), [managedCilium]);
    assert.deepEqual(prunedCilium('other'), []);
  });
});

describe('the effect of a Cilium policy of several rules', () => {
  const web = { matchLabels: { app: 'web' } };
  const allowWeb: CiliumRule = { endpointSelector: {}, ingress: [{ fromEndpoints: [web] }] };
  const denyAllIdiom: CiliumRule = { endpointSelector: {}, ingress: [{}] };
  const ccnp = (specs: CiliumRule[]): CiliumObject => ({
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumClusterwideNetworkPolicy',
    metadata: { name: 'c' },
    specs,
  });

  test('an egressDeny rule alone is deny', () => {
    assert.equal(
      ciliumEffectOf(cilium({ endpointSelector: {}, egressDeny: [{ toEndpoints: [web] }] })),
      'deny',
    );
  });

  test('one rule of several that denies makes it deny; one that allows a peer makes it allow', () => {
    assert.equal(
      ciliumEffectOf(ccnp([allowWeb, { endpointSelector: {}, egressDeny: [{ toEndpoints: [web] }] }])),
      'deny',
    );
    assert.equal(ciliumEffectOf(ccnp([allowWeb, denyAllIdiom])), 'allow');
    assert.equal(ciliumEffectOf(ccnp([denyAllIdiom, denyAllIdiom])), 'deny');
  });

  test('within a rule, one peer allowed is enough; `[{}]` alone allows no peer', () => {
    assert.equal(
      ciliumEffectOf(cilium({ endpointSelector: {}, ingress: [{}, { fromEndpoints: [web] }] })),
      'allow',
    );
    assert.equal(ciliumEffectOf(cilium(denyAllIdiom)), 'deny');
  });
});
