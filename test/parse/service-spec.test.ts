/**
 * src/parse/validate/service.ts (issue #20, round 10): the spec a Service keeps, without its `null` map values
 * (the API reads them as absent) but with the `null` items of its lists.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildClusterState, parseManifestText } from '../../src/parse/index.ts';

test('a Service’s spec: null map values dropped, null list items kept', () => {
  const text =
    'apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: a}\nspec:\n  selector: {app: a}\n' +
    '  ports: [{port: 80, name: null}]\n  sessionAffinity: null\n  externalIPs: [null, 10.0.0.1]\n';
  const r = buildClusterState(parseManifestText(text, 's.yaml').objects, {
    defaultNamespace: 'default',
    skipInvalid: false,
  });
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.state.services[0]?.spec, {
    selector: { app: 'a' },
    ports: [{ port: 80 }],
    externalIPs: [null, '10.0.0.1'],
  });
});
