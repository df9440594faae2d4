/**
 * src/parse/build.ts (issue #20, round 11): the first object of a Kind/namespace/name, looked up in nested maps,
 * and by the whole key when the namespace or the name has a '/' (invalid, reported): two such objects whose
 * keys read the same are one object twice.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildClusterState, parseManifestText } from '../../src/parse/index.ts';

function policies(...pairs: [namespace: string, name: string, value: string][]): string[] {
  const text = pairs
    .map(
      ([namespace, name, value]) =>
        `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: "${name}", namespace: "${namespace}"}\nspec: {podSelector: {matchLabels: {app: "${value}"}}}\n`,
    )
    .join('---\n');
  const r = buildClusterState(parseManifestText(text, 'p.yaml').objects, {
    defaultNamespace: 'default',
    skipInvalid: false,
  });
  return [...r.errors, ...r.warnings].filter((p) => p.code.startsWith('duplicate')).map((p) => p.code);
}

test("a namespace and a name with a '/' that make the same key: one object twice", () => {
  assert.deepEqual(policies(['a/b', 'c', '1'], ['a', 'b/c', '2']), ['duplicate-object']);
  assert.deepEqual(policies(['a/b', 'c', '1'], ['a/b', 'c', '2']), ['duplicate-object']);
  assert.deepEqual(policies(['a', 'b/c', '1'], ['a', 'b/c', '2']), ['duplicate-object']);
  assert.deepEqual(policies(['a', 'c', '1'], ['a', 'c', '2']), ['duplicate-object']);
  assert.deepEqual(policies(['a/b', 'c', '1'], ['a', 'c', '2'], ['b', 'c', '3']), []);
  // The third read compared with the first (the same: merged), not with the second (differing).
  assert.deepEqual(policies(['a/b', 'c', '1'], ['a', 'b/c', '2'], ['a/b', 'c', '1']).sort(), [
    'duplicate-merged',
    'duplicate-object',
  ]);
});
