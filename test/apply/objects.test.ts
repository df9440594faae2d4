/**
 * What `apply` compares and shows of a policy, in detail: content equality (empty labels are no labels, the
 * kind counts, a null field is a value), ids of objects without a namespace, and the YAML of a diff (the
 * NetworkPolicy apiVersion whatever the live object carries, rule keys in the API's order in both
 * directions, fields netfence does not know kept). (Found missing by mutation testing: see docs/mutation/apply.md.)
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  namespaceOf,
  policyId,
  renderPolicy,
  sameContent,
  type CiliumObject,
  type ClusterPolicyObject,
} from '../../src/apply/index.ts';
import type { NetworkPolicy, NetworkPolicySpec, ObjectMeta } from '../../src/model/k8s.ts';

const SPEC: NetworkPolicySpec = { podSelector: {}, policyTypes: ['Ingress'] };

function np(metadata: ObjectMeta, spec: NetworkPolicySpec = SPEC): NetworkPolicy {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata, spec };
}

describe('sameContent', () => {
  test('empty labels and annotations are the same as none', () => {
    const bare = np({ name: 'a', namespace: 'shop' });
    assert.ok(sameContent(bare, np({ name: 'a', namespace: 'shop', labels: {} })));
    assert.ok(sameContent(bare, np({ name: 'a', namespace: 'shop', annotations: {} })));
    assert.ok(sameContent(np({ name: 'a', namespace: 'shop', labels: {}, annotations: {} }), bare));
  });

  test('annotations are content', () => {
    assert.ok(
      !sameContent(
        np({ name: 'a', namespace: 'shop' }),
        np({ name: 'a', namespace: 'shop', annotations: { x: 'y' } }),
      ),
    );
  });

  test('the kind is content: a CiliumNetworkPolicy is not the NetworkPolicy of the same name and body', () => {
    const k8s = np({ name: 'a', namespace: 'shop' });
    const cilium = {
      ...k8s,
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
    } as unknown as CiliumObject;
    assert.ok(!sameContent(k8s, cilium));
    assert.ok(!sameContent(cilium, k8s));
  });

  test('a field set to null is compared, not a crash', () => {
    const withNull = np({ name: 'a', namespace: 'shop' }, {
      ...SPEC,
      ingress: null,
    } as unknown as NetworkPolicySpec);
    assert.ok(sameContent(withNull, withNull));
    assert.ok(!sameContent(withNull, np({ name: 'a', namespace: 'shop' })));
  });

  test('absent on one side only: different; absent on both: the same', () => {
    const a = np({ name: 'a', namespace: 'shop' });
    assert.ok(!sameContent(a, undefined));
    assert.ok(!sameContent(undefined, a));
    assert.ok(sameContent(undefined, undefined));
  });
});

describe('ids and namespaces of objects without them', () => {
  test('a missing namespace or name is empty, never "undefined"', () => {
    const nameless = np({});
    assert.equal(policyId(nameless), '/');
    assert.equal(namespaceOf(nameless), '');
    const cilium: CiliumObject = {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: {},
      spec: { endpointSelector: {} },
    };
    assert.equal(policyId(cilium), 'CiliumNetworkPolicy//');
    assert.equal(namespaceOf(cilium), '');
  });

  test('a cluster-scoped policy has no namespace, even one the object carries', () => {
    const cnp: ClusterPolicyObject = {
      apiVersion: 'policy.networking.k8s.io/v1beta1',
      kind: 'ClusterNetworkPolicy',
      metadata: { name: 'guard', namespace: 'stray' },
      spec: { tier: 'Admin', priority: 1, subject: { namespaces: {} } },
    };
    assert.equal(namespaceOf(cnp), '');
    assert.equal(policyId(cnp), 'ClusterNetworkPolicy/guard');
  });
});

describe('renderPolicy', () => {
  test('a NetworkPolicy is shown as networking.k8s.io/v1 whatever apiVersion the object carries', () => {
    // Items of a list read from the API server carry no apiVersion.
    const listed = { ...np({ name: 'a', namespace: 'shop' }), apiVersion: '' };
    assert.match(renderPolicy(listed), /^apiVersion: networking\.k8s\.io\/v1\nkind: NetworkPolicy\n/);
  });

  test("ingress rules are in the API's order too, and fields netfence does not know are kept, after the known ones", () => {
    const cnp = {
      apiVersion: 'policy.networking.k8s.io/v1beta1',
      kind: 'ClusterNetworkPolicy',
      metadata: { name: 'guard' },
      spec: {
        future: true,
        ingress: [{ from: [{ namespaces: {} }], later: 1, action: 'Accept', name: 'in' }],
        subject: { namespaces: {} },
        priority: 5,
        tier: 'Admin',
      },
    } as unknown as ClusterPolicyObject;
    assert.equal(
      renderPolicy(cnp),
      `apiVersion: policy.networking.k8s.io/v1beta1
kind: ClusterNetworkPolicy
metadata:
  name: guard
spec:
  tier: Admin
  priority: 5
  subject:
    namespaces: {}
  ingress:
    - name: in
      action: Accept
      from:
        - namespaces: {}
      later: 1
  future: true
`,
    );
  });

  test("a Cilium rule's keys in Cilium's order, in spec and in specs", () => {
    const rule = { egressDeny: [{ toEntities: ['world'] }], description: 'no world', endpointSelector: {} };
    const both: CiliumObject = {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: 'w', namespace: 'shop' },
      spec: rule,
      // A copy, as the API server's JSON has it.
      specs: [structuredClone(rule)],
    };
    assert.equal(
      renderPolicy(both),
      `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: w
  namespace: shop
spec:
  endpointSelector: {}
  egressDeny:
    - toEntities:
        - world
  description: no world
specs:
  - endpointSelector: {}
    egressDeny:
      - toEntities:
          - world
    description: no world
`,
    );
  });
});
