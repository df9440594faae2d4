/**
 * src/parse/build.ts (issue #20, round 10): metadata the API server sets does not make two definitions of an
 * object differ, each field of it alone (`SERVER_SET_METADATA`, a module-level list the round's run left out).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildClusterState, parseManifestText } from '../../src/parse/index.ts';

const namespace = (extra: string): string =>
  `apiVersion: v1\nkind: Namespace\nmetadata: {name: shop${extra}}\n`;

for (const field of [
  'uid: u-1',
  'resourceVersion: "42"',
  'creationTimestamp: "2026-01-01T00:00:00Z"',
  'managedFields: []',
])
  test(`two definitions that differ only in ${field.split(':')[0]} are one object, read once`, () => {
    const objects = [
      ...parseManifestText(namespace(''), 'a.yaml').objects,
      ...parseManifestText(namespace(`, ${field}`), 'b.yaml').objects,
    ];
    const r = buildClusterState(objects, { defaultNamespace: 'default', skipInvalid: false });
    assert.deepEqual(r.errors, []);
    assert.deepEqual(
      r.state.namespaces.map((n) => [n.name, n.origin?.file]),
      [['shop', 'a.yaml']],
    );
    assert.match(r.warnings.map((w) => w.message).join('\n'), /1 object is defined again, identically/);
  });
