/**
 * src/parse/fast-yaml.ts, survivors of round 12's second run (issue #20): flow collections (`[…]`, `{…}`) and
 * block collections, what the reader reads (so that a mutant that declines more is seen) and what it leaves
 * to js-yaml (an error there).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFastYaml, readFastYamlLocated } from '../../src/parse/fast-yaml.ts';

/** The values the fast reader reads from `text` (undefined when it declines). */
function values(text: string): unknown[] | undefined {
  return readFastYaml(text)?.values;
}

test('a flow collection over several lines (JSON as kubectl prints it) is read, comments and all', () => {
  const json = '{\n  "a": 1,\n  "b": [\n    "x"\n  ]\n}\n';
  assert.deepEqual(values(json), [{ a: 1, b: ['x'] }]);
  assert.deepEqual(values(json.replaceAll('\n', '\r\n')), [{ a: 1, b: ['x'] }]);
  assert.deepEqual(values('[a, # c\n b]\n'), [['a', 'b']]);
  assert.deepEqual(values('[\n# c\n a]\n'), [['a']]);
  assert.deepEqual(values('[\n a,\n b\n]\n'), [['a', 'b']]);
  assert.deepEqual(values('[\r\n a,\r\n b\r\n]\r\n'), [['a', 'b']]);
  // A plain scalar at the end of its line: the next line goes on with `,`, `]` or `}`.
  assert.deepEqual(values('[a\n, b]\n'), [['a', 'b']]);
  assert.deepEqual(values('[a\n]\n'), [['a']]);
  assert.deepEqual(values('[a\n , b]\n'), [['a', 'b']]);
  assert.deepEqual(values('[a\n# c\n, b]\n'), [['a', 'b']]);
  assert.deepEqual(values('{a: b\n}\n'), [{ a: 'b' }]);
  // A document marker inside it, a `#` right after a character: an error for js-yaml.
  for (const text of ['[a,\n---\n]\n', '[a,\n...\n]\n', '[a,#c\n b]\n'])
    assert.equal(readFastYaml(text), undefined, text);
});

test('flow scalars: quoted, and plain ones that start with `-`, `:` or `?`', () => {
  assert.deepEqual(values('[\'a\', "b"]\n'), [['a', 'b']]);
  assert.deepEqual(values('[-1, -x, :x, ?x]\n'), [[-1, '-x', ':x', '?x']]);
  assert.deepEqual(values('[a b, c]\n'), [['a b', 'c']]);
  // A `:` inside a plain scalar, and one before a flow indicator (a pair in a list for js-yaml).
  assert.deepEqual(values('[registry:5000/a, ::/0]\n'), [['registry:5000/a', '::/0']]);
  for (const text of ['[a:, b]\n', '[a:]\n', '[a:{b}]\n', '{a:[b]}\n', '{a: x:}\n'])
    assert.equal(readFastYaml(text), undefined, text);
  // A `[` or `{` inside a plain scalar (an error for js-yaml).
  for (const text of ['[a{b, c]\n', '[a[b, c]\n']) assert.equal(readFastYaml(text), undefined, text);
  // Control characters (an error for js-yaml).
  for (const text of ['[a\x01b]\n', '[a\x7fb]\n']) assert.equal(readFastYaml(text), undefined, text);
  // Alone before a flow indicator they are indicators: left to js-yaml.
  for (const text of ['[-]\n', '[:]\n', '[?]\n', '[-, a]\n', '[a, -]\n', '{a: -}\n', '[:, a]\n', '[?, a]\n'])
    assert.equal(readFastYaml(text), undefined, text);
  // A quoted key far into the text is not taken for a long one.
  assert.deepEqual(values(`z: ${'y'.repeat(1100)}\na: {"b": 1, 'c': 2}\n`), [
    { z: 'y'.repeat(1100), a: { b: 1, c: 2 } },
  ]);
});

test('a flow mapping: quoted keys right before their `:` (JSON), and where its keys and `items` entries start', () => {
  assert.deepEqual(values('{"a":1,\'b\':2}\n'), [{ a: 1, b: 2 }]);
  const text = '{a: [x, y], items: [{b: 1}], "c": 2, \'d\': 3}\n';
  const located = readFastYamlLocated(text);
  assert.ok(located !== undefined);
  // Only the root's `items` entries are its items (not another key's list).
  assert.deepEqual(located.starts, [{ root: 0, items: [text.indexOf('{b')] }]);
  const root = located.values[0] as Record<string, unknown>;
  // A quoted key has no plain text (locate.ts tests a plain key's text as written).
  assert.deepEqual(located.keys.get(root), [
    { key: 'a', start: 1, plain: 'a' },
    { key: 'items', start: 12, plain: 'items' },
    { key: 'c', start: 29, plain: undefined },
    { key: 'd', start: 37, plain: undefined },
  ]);
});

test('a literal block scalar as a document is left to js-yaml (at column 0, `---` would be its text)', () => {
  for (const text of ['|\na\n---\nb: 1\n', '|\n a\n', '|-\n  x\n'])
    assert.equal(readFastYaml(text), undefined, JSON.stringify(text));
  assert.deepEqual(values('a: |\n  x\n'), [{ a: 'x\n' }]);
});
