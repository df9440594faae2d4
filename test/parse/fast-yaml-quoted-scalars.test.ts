/**
 * src/parse/fast-yaml.ts, survivors of round 12's run (issue #20): quoted scalars (a quote doubled in single
 * quotes, a backslash there, a single quote right after a double-quoted scalar) and a key with a space before
 * its `:` (declined, as the reader's header says: `locate.ts` tests a plain key's text as it is written).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFastYaml } from '../../src/parse/fast-yaml.ts';

test('single quotes: a doubled quote is one quote, a backslash is itself', () => {
  assert.deepEqual(readFastYaml("a: 'it''s'\n")?.values, [{ a: "it's" }]);
  assert.deepEqual(readFastYaml("a: 'x'''\n")?.values, [{ a: "x'" }]);
  assert.deepEqual(readFastYaml("'it''s': b\n")?.values, [{ "it's": 'b' }]);
  assert.deepEqual(readFastYaml("a: 'x\\ny'\n")?.values, [{ a: 'x\\ny' }]);
  assert.deepEqual(readFastYaml("a: 'x\\'\n")?.values, [{ a: 'x\\' }]);
});

test('a double-quoted scalar ends at its quote, even before a single quote (an error for js-yaml: declined)', () => {
  assert.deepEqual(readFastYaml('a: "x"\n')?.values, [{ a: 'x' }]);
  assert.equal(readFastYaml('a: "x"\'y"\n'), undefined);
  assert.equal(readFastYaml('a: "x"\'\'\n'), undefined);
});

test('a key with a space before its `:` is declined', () => {
  for (const text of ['a : b\n', 'k: v\na : b\n', 'a  : b\n', '- a : b\n', 'true : b\n'])
    assert.equal(readFastYaml(text), undefined, text);
  assert.deepEqual(readFastYaml('a b: c\n')?.values, [{ 'a b': 'c' }]);
});

test('escapes of double-quoted scalars: the one-character ones, \\x and \\u read; bad ones, surrogates, others declined', () => {
  const read: [string, string][] = [
    ['\\n', '\n'],
    ['\\t', '\t'],
    ['\\"', '"'],
    ['\\\\', '\\'],
    ['\\_', '\xa0'],
    ['\\x41', 'A'],
    ['\\x41B', 'AB'],
    ['\\x7e', '~'],
    ['\\u00e9', 'é'],
    ['\\u00E9x', 'éx'],
    ['\\ud7ff', '\ud7ff'],
    ['\\ue000', '\ue000'],
  ];
  for (const [escape, value] of read)
    assert.deepEqual(readFastYaml(`a: "x${escape}"\n`)?.values, [{ a: `x${value}` }], escape);
  // Too short, not hexadecimal (whole or in part), a surrogate (js-yaml pairs or keeps it), and the escapes
  // left to js-yaml (\N, \L, \P, \U, an escape of a character it rejects).
  const declined = ['\\x4', '\\x4"', '\\xZZ', '\\x4Z', '\\u00e', '\\u00eZ', '\\ud800', '\\udbff', '\\udc00'];
  for (const escape of [...declined, '\\udfff', '\\N', '\\L', '\\P', '\\U0001F600', '\\q', '\\é'])
    assert.equal(readFastYaml(`a: "x${escape}"\n`), undefined, escape);
});

test('the longest key read: 1,000 characters in a flow mapping, 999 before a block `:` (which counts)', () => {
  const key = (n: number): string => 'k'.repeat(n);
  assert.deepEqual(readFastYaml(`{${key(1000)}: 1}\n`)?.values, [{ [key(1000)]: 1 }]);
  assert.equal(readFastYaml(`{${key(1001)}: 1}\n`), undefined);
  assert.deepEqual(readFastYaml(`${key(999)}: 1\n`)?.values, [{ [key(999)]: 1 }]);
  assert.deepEqual(readFastYaml(`a: 0\n${key(999)}: 1\n`)?.values, [{ a: 0, [key(999)]: 1 }]);
  assert.equal(readFastYaml(`${key(1001)}: 1\n`), undefined);
});

test('keys named like what objects inherit are read; a key twice is declined', () => {
  assert.deepEqual(readFastYaml('constructor: a\ntoString: b\n')?.values, [
    { constructor: 'a', toString: 'b' },
  ]);
  assert.equal(readFastYaml('a: 1\na: 2\n'), undefined);
});

test('a long plain value that cannot be a number is read', () => {
  // (Characters on either side of the digits' codes too: `/` and `:` are 47 and 58.)
  for (const first of ['x', '/', '$', '(', ';', '~x', 'é']) {
    const long = `${first}${'y'.repeat(300)}`;
    assert.deepEqual(readFastYaml(`a: ${long}\n`)?.values, [{ a: long }], first);
  }
  // Numbers beyond a double and long texts that start like a number (`+`, `-`, `.`, a digit): left to js-yaml.
  for (const start of ['+', '-', '.', '0', '1', '9', '+.', '-1'])
    for (const text of [
      `${start}1e400`,
      `${start}1E+999`,
      `${start}1${'0'.repeat(300)}`,
      `${start}${'x'.repeat(300)}`,
    ])
      assert.equal(readFastYaml(`a: ${text}\n`), undefined, text);
  // An exponent of three digits within a double is a number.
  assert.deepEqual(readFastYaml('a: 1e100\nb: -1e-300\nc: 9.5E+200\n')?.values, [
    { a: 1e100, b: -1e-300, c: 9.5e200 },
  ]);
  assert.deepEqual(readFastYaml('a: +1e40\nb: -1e40\nc: .5e40\nd: 1e40\n')?.values, [
    { a: 1e40, b: -1e40, c: 0.5e40, d: 1e40 },
  ]);
});

test('a value read again in another text is the same (the caches keep short values, forget long ones)', () => {
  for (const value of [
    'Stryker was here!',
    'a value of some length',
    'short',
    'x'.repeat(64),
    'y'.repeat(65),
  ])
    for (let i = 0; i < 3; i++) {
      assert.deepEqual(readFastYaml(`a: ${value}\n`)?.values, [{ a: value }], value);
      assert.deepEqual(readFastYaml(`${value}: 1\n`)?.values, [{ [value]: 1 }], value);
    }
});

test('a value whose text starts another one cached before is its own (the cache compares whole texts)', () => {
  // 20,000 pairs: a value of 10 characters, then its first 4 alone, at offsets where a wrong length check
  // would compare the short one with the first 4 characters of the long one; many pairs share a slot.
  for (let i = 0; i < 20_000; i++) {
    const long = `${i.toString(36).padStart(4, 'q')}zzzzzz`;
    const short = long.slice(0, 4);
    assert.deepEqual(readFastYaml(`a: ${long}\n`)?.values, [{ a: long }]);
    assert.deepEqual(readFastYaml(`a: ${short}\n`)?.values, [{ a: short }], short);
  }
});
