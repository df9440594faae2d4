/**
 * What-if requests (`applyChanges`, issue #20, round 9): an object that is not a policy is refused for its
 * kind alone, whatever else is wrong with it; a problem of a change as a whole (the default namespace a new
 * policy would go to) has no line nor column, in the problem and in the API's answer.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { ClusterState } from '../../src/model/cluster.ts';
import { loadManifests } from '../../src/parse/index.ts';
import { applyChanges, whatIf } from '../../src/server/whatif.ts';

let webshop: ClusterState;
before(async () => {
  const loaded = await loadManifests(['examples/webshop'], {
    defaultNamespace: 'default',
    skipInvalid: false,
  });
  assert.deepEqual(loaded.errors, []);
  webshop = loaded.state;
});

const KINDS =
  'NetworkPolicy, ClusterNetworkPolicy, AdminNetworkPolicy, BaselineAdminNetworkPolicy, CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy';

describe('applyChanges: objects that are not policies', () => {
  test('refused for their kind only: their own problems are not reported', () => {
    const namespace = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: Bad_NS\n  labels: {a: "b c"}\n';
    const service = [
      'apiVersion: v1',
      'kind: Service',
      'metadata: {name: svc, namespace: shop}',
      'spec:',
      '  selector: {app: "x y"}',
      '  ports: [{port: 70000}]',
      '',
    ].join('\n');
    const r = applyChanges(webshop, [{ yaml: namespace }, { yaml: service }], 'default');
    assert.deepStrictEqual(
      r.problems,
      ['Namespace', 'Service'].map((kind, change) => ({
        change,
        severity: 'error',
        message: `only ${KINDS} objects can be tried here, not ${kind}`,
        line: 1,
        column: 1,
        path: 'kind',
      })),
    );
    assert.deepEqual(r.applied, []);
    assert.equal(r.after.namespaces.length, webshop.namespaces.length);
  });
});

describe('applyChanges: a problem of the change as a whole', () => {
  const POLICY =
    'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: x}\nspec: {podSelector: {}}\n';
  const MESSAGE =
    'default namespace "Bad_NS" is not a valid namespace name: it contains upper-case letters; it contains "_"';

  test('no line nor column in the problem', () => {
    const r = applyChanges(webshop, [{ yaml: POLICY }], 'Bad_NS');
    assert.deepStrictEqual(r.problems, [{ change: 0, severity: 'error', message: MESSAGE, path: '' }]);
    assert.deepEqual(r.applied, []);
  });

  test('null line and column in the answer', () => {
    const r = whatIf(webshop, [{ yaml: POLICY }], {
      engine: { ipBlockMatchesPods: true },
      defaultNamespace: 'Bad_NS',
    });
    assert.deepStrictEqual(r.problems, [
      { change: 0, severity: 'error', message: MESSAGE, line: null, column: null, path: '' },
    ]);
  });
});
