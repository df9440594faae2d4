/**
 * src/parse/fast-yaml.ts, survivors of round 9's partial run (issue #20, round 10): the characters the fast
 * reader declines wherever it meets them (C0 and C1 controls, DEL, surrogates, byte order marks, U+FFFE/F,
 * U+2028/9) and the ones next to them it reads; line ends (CR LF, none at the end); a quote never closed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFastYaml } from '../../src/parse/fast-yaml.ts';

/** The places a character is met: a plain value, a quoted value, a comment, a key, a block scalar. */
const places = (ch: string): [string, unknown][] => [
  [`a: x${ch}y\n`, { a: `x${ch}y` }],
  [`a: "x${ch}y"\n`, { a: `x${ch}y` }],
  [`a: 'x${ch}y'\n`, { a: `x${ch}y` }],
  [`a: b # x${ch}y\n`, { a: 'b' }],
  [`x${ch}y: b\n`, { [`x${ch}y`]: 'b' }],
  [`a: |\n  x${ch}y\n`, { a: `x${ch}y\n` }],
];

const DECLINED = [
  ...['\u0001', '\u001f', '\u007f', '\u0080', '\u009f'],
  ...['\ud800', '\udbff', '\udc00', '\udfff', '\ud83d\ude00'],
  ...['\ufeff', '\ufffe', '\uffff', '\u2028', '\u2029'],
];
const READ = [' ', '~', '\u00a0', '\u00ff', '\ud7ff', '\ue000', '\ufefe', '\ufffd', '\u2027', '\u202a'];

test('characters js-yaml rejects or reads with care are declined wherever they are', () => {
  for (const ch of DECLINED)
    for (const [text] of places(ch))
      assert.equal(readFastYaml(text), undefined, `${JSON.stringify(ch)} in ${JSON.stringify(text)}`);
});

test('the characters next to them are read', () => {
  for (const ch of READ)
    for (const [text, value] of places(ch))
      assert.deepEqual(
        readFastYaml(text)?.values,
        [value],
        `${JSON.stringify(ch)} in ${JSON.stringify(text)}`,
      );
});

test('line ends: CR LF, and none at the end of the text', () => {
  assert.deepEqual(readFastYaml('a: b\r\nc: "d"\r\n# e\r\nf: g\r\n')?.values, [{ a: 'b', c: 'd', f: 'g' }]);
  assert.deepEqual(readFastYaml('a: b')?.values, [{ a: 'b' }]);
  assert.deepEqual(readFastYaml('a:\n- b')?.values, [{ a: ['b'] }]);
  assert.deepEqual(readFastYaml('a: b # c')?.values, [{ a: 'b' }]);
  // A last line of spaces only, without a line break: blank.
  assert.deepEqual(readFastYaml('a: b\n   ')?.values, [{ a: 'b' }]);
  assert.deepEqual(readFastYaml('a:\n  b: c\n  ')?.values, [{ a: { b: 'c' } }]);
  assert.deepEqual(readFastYaml('a: |\n  x\n  ')?.values, [{ a: 'x\n' }]);
  assert.deepEqual(readFastYaml('a: |\n  x\n\n  ')?.values, [{ a: 'x\n' }]);
  assert.deepEqual(readFastYaml('  ')?.values, []);
});

test('a quote never closed: declined', () => {
  for (const text of ['a: "abc', "a: 'abc", 'a: "abc\\"', 'a: "ab\nc"\n'])
    assert.equal(readFastYaml(text), undefined, text);
});

test('three characters alike at the start of a line are a document marker only for `---` and `...`', () => {
  assert.deepEqual(readFastYaml('zzz\n')?.values, ['zzz']);
  assert.deepEqual(readFastYaml('key: v\nccc d: e\n')?.values, [{ key: 'v', 'ccc d': 'e' }]);
  assert.deepEqual(readFastYaml('a: b\n--- \nc: d\n')?.values, [{ a: 'b' }, { c: 'd' }]);
  // Round 11: the third character counts too (`--x` and `..x` before a blank are text).
  assert.deepEqual(readFastYaml('key: v\n--x d: e\n')?.values, [{ key: 'v', '--x d': 'e' }]);
  assert.deepEqual(readFastYaml('key: v\n..x d: e\n')?.values, [{ key: 'v', '..x d': 'e' }]);
});
