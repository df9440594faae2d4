/**
 * The YAML `apply` shows of each kind of cluster policy: the spec's keys and every rule's keys in the API's
 * order, whatever order the object has, fields netfence does not know after the known ones. (Found missing
 * by the whole-folder mutation run of src/apply: see docs/mutation/apply.md.)
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { effectOfObject, renderPolicy, type ClusterPolicyObject } from '../../src/apply/index.ts';

/** A spec written backwards, with a field netfence does not know before each known one. */
function backwards(ports: 'ports' | 'protocols'): Record<string, unknown> {
  return {
    future: 1,
    egress: [
      { later: 2, [ports]: [{ x: 3 }], to: [{ networks: ['10.0.0.0/8'] }], action: 'Deny', name: 'out' },
    ],
    ingress: [{ later: 4, [ports]: [{ x: 5 }], from: [{ namespaces: {} }], action: 'Deny', name: 'in' }],
    subject: { namespaces: {} },
  };
}

function rendered(priority: string, ports: 'ports' | 'protocols'): string {
  return `${priority}  subject:
    namespaces: {}
  ingress:
    - name: in
      action: Deny
      from:
        - namespaces: {}
      ${ports}:
        - x: 5
      later: 4
  egress:
    - name: out
      action: Deny
      to:
        - networks:
            - 10.0.0.0/8
      ${ports}:
        - x: 3
      later: 2
  future: 1
`;
}

const CASES: {
  kind: ClusterPolicyObject['kind'];
  apiVersion: string;
  name: string;
  /** What comes before `subject`, as it is written and as it is shown. */
  head: Record<string, unknown>;
  shown: string;
  ports: 'ports' | 'protocols';
}[] = [
  {
    kind: 'AdminNetworkPolicy',
    apiVersion: 'policy.networking.k8s.io/v1alpha1',
    name: 'guard',
    head: { priority: 3 },
    shown: '  priority: 3\n',
    ports: 'ports',
  },
  {
    kind: 'BaselineAdminNetworkPolicy',
    apiVersion: 'policy.networking.k8s.io/v1alpha1',
    name: 'default',
    head: {},
    shown: '',
    ports: 'ports',
  },
  {
    kind: 'ClusterNetworkPolicy',
    apiVersion: 'policy.networking.k8s.io/v1beta1',
    name: 'guard',
    head: { priority: 3, tier: 'Admin' },
    shown: '  tier: Admin\n  priority: 3\n',
    ports: 'protocols',
  },
];

describe('renderPolicy of cluster policies written out of order', () => {
  for (const c of CASES) {
    test(`a ${c.kind}, whose rules have ${c.ports}`, () => {
      const o = {
        apiVersion: c.apiVersion,
        kind: c.kind,
        metadata: { name: c.name },
        spec: { ...backwards(c.ports), ...c.head },
      } as unknown as ClusterPolicyObject;
      assert.equal(
        renderPolicy(o),
        `apiVersion: ${c.apiVersion}\nkind: ${c.kind}\nmetadata:\n  name: ${c.name}\nspec:\n${rendered(c.shown, c.ports)}`,
      );
      assert.equal(effectOfObject(o), 'deny', 'its Deny rules make it a default-deny');
    });
  }
});
