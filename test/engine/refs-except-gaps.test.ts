/**
 * Address references with `except` (src/engine/refs.ts, `coveredBy`) whose except ranges leave a gap before
 * the first of them or between two: the range keeps those addresses, so its class is the answer (issue #20,
 * round 10: a gap found before the end was read as covered).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileCluster } from '../../src/engine/compile.ts';
import { buildRefIndex, resolveRefText } from '../../src/engine/refs.ts';
import { loadManifests } from '../../src/parse/index.ts';

const { state } = await loadManifests(['examples/webshop'], {
  defaultNamespace: 'default',
  skipInvalid: false,
});
const index = buildRefIndex(compileCluster(state), 'workload');

/** The display names `text` resolves to (it must resolve). */
function classesOf(text: string): string[] {
  const r = resolveRefText(index, text);
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  return r.value.entities.map((e) => index.displayName(e.id));
}

const WORLD = '0.0.0.0/0 except 10.0.0.0/24, 203.0.113.0/24, 198.51.100.25/32';
const THERE = '203.0.113.0/24 except 203.0.113.240/28';

describe('address references whose excepts leave a gap', () => {
  test('before the first except: its class', () => {
    assert.deepEqual(classesOf('8.8.8.0/24 except 8.8.8.128/25'), [WORLD]);
    assert.deepEqual(classesOf('203.0.113.0/24 except 203.0.113.1/32, 203.0.113.2/31'), [
      THERE,
      '203.0.113.240/28',
    ]);
  });

  test('between two excepts: its class', () => {
    assert.deepEqual(classesOf('8.8.8.0/24 except 8.8.8.0/26, 8.8.8.128/25'), [WORLD]);
    assert.deepEqual(classesOf('203.0.113.0/24 except 203.0.113.128/25, 203.0.113.0/26'), [THERE]);
  });
});
