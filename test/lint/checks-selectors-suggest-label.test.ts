/**
 * checks/selectors.ts (issue #20, round 9): a key that every label set has is not the misspelling, whatever
 * its length: short keys (`a`, `k`, `tier`) are contained in many strings, so nothing but the label sets'
 * own keys may be offered for them.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { suggestLabel } from '../../src/lint/checks/selectors.ts';

const LETTERS = 'abcdefghijklmnopqrstuvwxyz'.split('');

test('suggestLabel: a key every label set has, with no close value, gets no suggestion (one-letter keys)', () => {
  for (const key of [...LETTERS, 'he', 'was', 'tier', 'role']) {
    // Every set has the key, at values far from the one asked: neither a value nor a key to offer.
    const sets = [{ [key]: 'zzzzzzzz' }, { [key]: 'qqqqqqqq', other: 'x' }];
    assert.equal(suggestLabel({ matchLabels: { [key]: 'm' } }, sets), undefined, key);
  }
});

test('suggestLabel: a key suggestion is always a key of a label set that lacks the asked key', () => {
  for (const key of LETTERS) {
    // One set has the key (far value), the other has a longer key containing it: that one is offered.
    const longer = `${key}${key}x`;
    const sets = [{ [key]: 'zzzzzzzz' }, { [longer]: 'm' }];
    assert.equal(suggestLabel({ matchLabels: { [key]: 'm' } }, sets), `${longer}=m`, key);
  }
});
