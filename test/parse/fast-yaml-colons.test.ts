/**
 * The fast YAML reader (src/parse/fast-yaml.ts) after round 15's hot loops: a `:` is a key's indicator only
 * when a space or a line break (LF or CR) follows it, or the text ends there; inside a plain scalar it is a
 * character.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readFastYaml } from '../../src/parse/fast-yaml.ts';

const values = (text: string): unknown[] | undefined => readFastYaml(text)?.values;

test('a plain scalar with a colon inside is one string, read by the fast reader, not a mapping', () => {
  assert.deepEqual(values('a:b\n'), ['a:b']);
  assert.deepEqual(values('- a:b\n'), [['a:b']]);
  assert.deepEqual(values('k: http://x\n'), [{ k: 'http://x' }]);
  assert.deepEqual(values('k:\n  a:b: c\n'), [{ k: { 'a:b': 'c' } }]);
});

test('a colon before a CRLF line break ends a key, as before a LF', () => {
  assert.deepEqual(values('k:\r\n'), [{ k: null }]);
  assert.deepEqual(values('k:\r\n  a: 1\r\n'), [{ k: { a: 1 } }]);
});

test('a colon at the very end of the text ends a key', () => {
  assert.deepEqual(values('a:b: 1'), [{ 'a:b': 1 }]);
  assert.deepEqual(values('k:'), [{ k: null }]);
});
