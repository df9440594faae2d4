/**
 * `formatCount` groups whole numbers by hand (round 13: the first `toLocaleString` of a process loads the
 * locale's data): its text is `toLocaleString('en-US')`'s for every number, whole or not.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatCount } from '../../src/base/text.ts';

test('formatCount writes what toLocaleString("en-US") writes', () => {
  const values = [
    0,
    -0,
    1,
    -1,
    9,
    10,
    99,
    100,
    999,
    1000,
    -1000,
    1001,
    9999,
    12_345,
    99_999,
    100_000,
    123_456,
    999_999,
    1_000_000,
    -1_234_567,
    12_345_678,
    2 ** 31,
    2 ** 32,
    Number.MAX_SAFE_INTEGER,
    Number.MIN_SAFE_INTEGER,
    2 ** 53,
    2 ** 60,
    1e21,
    1.5,
    -2.25,
    1234.5678,
    0.0004,
    NaN,
    Infinity,
    -Infinity,
  ];
  // And every count of 1 to 7 digits, by powers of ten and one less.
  for (let p = 1; p <= 1e7; p *= 10) values.push(p - 1, p, p + 1, -p, 7 * p + 3);
  for (const n of values) assert.equal(formatCount(n), n.toLocaleString('en-US'), String(n));
});
