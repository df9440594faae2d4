/**
 * Endpoint references (src/engine/refs.ts, lines 105–291: `parseRef`, `parseSelectorRef`,
 * `parseLabelSelector`) at the edges the round-8 mutation run found untested (issue #20).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseLabelSelector, parseRef } from '../../src/engine/refs.ts';

describe('parseRef: a selector that starts with a slash', () => {
  test('is read as a label selector whose key is invalid, not as an empty namespace', () => {
    const r = parseRef('/app=web');
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.equal(r.error.message, 'invalid label selector "/app=web": invalid label key "/app"');
  });
});

describe('parseLabelSelector: each term is read whole', () => {
  test('a key with a space inside is not cut down to its last word', () => {
    assert.equal(
      parseLabelSelector('a b=c'),
      'cannot read "a b=c" (expected key=value, key!=value, key in (a,b), key notin (a,b), key or !key)',
    );
  });
  test('several spaces before "in" and "notin"', () => {
    assert.deepEqual(parseLabelSelector('app  in (a),tier \t notin (b)'), {
      matchExpressions: [
        { key: 'app', operator: 'In', values: ['a'] },
        { key: 'tier', operator: 'NotIn', values: ['b'] },
      ],
    });
  });
});
