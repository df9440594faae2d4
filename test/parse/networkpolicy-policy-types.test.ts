/**
 * src/parse/validate/networkpolicy.ts (issue #20, round 10): the policy types a policy keeps, whether its list
 * is read as it is (one or two types, no duplicate) or checked item by item.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildClusterState, parseManifestText } from '../../src/parse/index.ts';

function policyTypes(types: string): { kept: unknown; warnings: string[]; errors: string[] } {
  const text = `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: shop}\nspec:\n  podSelector: {}\n  policyTypes: ${types}\n`;
  const r = buildClusterState(parseManifestText(text, 'p.yaml').objects, {
    defaultNamespace: 'default',
    skipInvalid: false,
  });
  return {
    kept: r.state.policies[0]?.spec.policyTypes,
    warnings: r.warnings.map((w) => w.message),
    errors: r.errors.map((e) => e.message),
  };
}

test('policy types kept as listed: plain lists, and a duplicate (with its warning)', () => {
  assert.deepEqual(policyTypes('[Ingress]'), { kept: ['Ingress'], warnings: [], errors: [] });
  assert.deepEqual(policyTypes('[Egress, Ingress]'), {
    kept: ['Egress', 'Ingress'],
    warnings: [],
    errors: [],
  });
  assert.deepEqual(policyTypes('[Egress, Egress]'), {
    kept: ['Egress', 'Egress'],
    warnings: ['"Egress" is listed twice: remove the duplicate'],
    errors: [],
  });
  assert.deepEqual(policyTypes('[]'), { kept: [], warnings: [], errors: [] });
});
