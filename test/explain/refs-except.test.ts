/**
 * An address reference with `except` (src/engine/refs.ts) resolves to the address classes that keep at least
 * one address once the except ranges are taken out, also when the reference lies inside a larger class and
 * when several except ranges cover it only between them.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compileCluster, type CompiledCluster } from '../../src/engine/compile.ts';
import { buildRefIndex, resolveRefText } from '../../src/engine/refs.ts';
import { loadManifests } from '../../src/parse/index.ts';

let compiled: CompiledCluster;

before(async () => {
  const loaded = await loadManifests(['examples/webshop'], {
    defaultNamespace: 'default',
    skipInvalid: false,
  });
  compiled = compileCluster(loaded.state);
});

function resolve(text: string): string[] | string {
  const index = buildRefIndex(compiled, 'workload');
  const r = resolveRefText(index, text);
  return r.ok
    ? r.value.entities.map((e) => index.displayName(e.id))
    : `error ${r.error.code}: ${r.error.message}`;
}

const WORLD = '0.0.0.0/0 except 10.0.0.0/24, 203.0.113.0/24, 198.51.100.25/32';

describe('address references with except', () => {
  test('a range inside a larger class, partly excepted, is that class', () => {
    assert.deepEqual(resolve('8.8.8.0/24'), [WORLD]);
    assert.deepEqual(resolve('8.8.8.0/24 except 8.8.8.0/25'), [WORLD]);
  });

  test('a range inside a larger class that one wider except covers leaves no address', () => {
    assert.equal(
      resolve('8.8.8.0/24 except 8.8.0.0/16'),
      'error no-match: "8.8.8.0/24 except 8.8.0.0/16" leaves no address: its except ranges cover it',
    );
  });

  test('except ranges that cover the range only between them leave no address', () => {
    assert.match(resolve('8.8.8.0/24 except 8.8.8.128/25, 8.8.8.0/25') as string, /^error no-match: /);
    // A gap of one address between them keeps the class.
    assert.deepEqual(
      resolve(
        '8.8.8.0/24 except 8.8.8.0/25, 8.8.8.128/26, 8.8.8.192/27, 8.8.8.224/28, 8.8.8.240/29, 8.8.8.248/30, 8.8.8.252/31, 8.8.8.254/32',
      ),
      [WORLD],
    );
  });

  test('a class made of several blocks is left out when the excepts cover each', () => {
    assert.deepEqual(
      resolve('203.0.113.0/24 except 203.0.113.0/25, 203.0.113.128/26, 203.0.113.192/27, 203.0.113.224/28'),
      ['203.0.113.240/28'],
    );
  });

  test('an except of the other family takes nothing out', () => {
    assert.deepEqual(resolve('8.8.8.0/24 except ::/0'), [WORLD]);
  });
});
