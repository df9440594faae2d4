/**
 * src/parse/fast-yaml.ts, survivors of round 13's runs (issue #20): of its last lines, literal block scalars,
 * block mappings and sequences with empty or commented values, and the starts of empty documents; of the
 * values made when the module loads, the escapes' table and the test of exponents beyond a double. What the
 * reader reads (so that a mutant that declines more is seen), with js-yaml's values, and what it leaves to
 * js-yaml.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { constructFromEvents, parseEvents } from 'js-yaml';
import { FAST_SCHEMA, readFastYaml, readFastYamlLocated } from '../../src/parse/fast-yaml.ts';

/** The values the fast reader reads from `text` (undefined when it declines). */
function values(text: string): unknown[] | undefined {
  return readFastYaml(text)?.values;
}

/** js-yaml's values of `text` (the reference of the fast reader: test/parse/fast-yaml.test.ts). */
function jsYaml(text: string): unknown[] {
  return constructFromEvents(parseEvents(text, {}), { source: text, schema: FAST_SCHEMA });
}

/** Asserts that the fast reader reads `text` as `expected`, as js-yaml does. */
function readsAs(text: string, expected: unknown[]): void {
  assert.deepEqual(jsYaml(text), expected, `js-yaml ${JSON.stringify(text)}`);
  assert.deepEqual(values(text), expected, JSON.stringify(text));
}

test('a literal block scalar: `|-`, a comment or spaces after its header, CRLF, no line break at the end', () => {
  readsAs('a: |-\n  x\n  y\n', [{ a: 'x\ny' }]);
  readsAs('- |-\n  x\n', [['x']]);
  readsAs('a: | # c\n  x\n', [{ a: 'x\n' }]);
  readsAs('a: |-  # c\n  x\n', [{ a: 'x' }]);
  readsAs('a: |  \n  x\n', [{ a: 'x\n' }]);
  readsAs('a: |\r\n  x\r\n\r\n  y\r\nb: 1\r\n', [{ a: 'x\n\ny\n', b: 1 }]);
  readsAs('a: |\n  x\n  y', [{ a: 'x\ny\n' }]);
  readsAs('a: |-\n  x', [{ a: 'x' }]);
  // Not a comment after the header (an error for js-yaml), or an indentation indicator: left to js-yaml.
  for (const text of ['a: |  x\n  y\n', 'a: | x\n  y\n', 'a: |#c\n  y\n', 'a: |2\n  y\n'])
    assert.equal(readFastYaml(text), undefined, JSON.stringify(text));
  // A line of spaces only longer than the indentation, before a shorter one: its extra spaces are text.
  const text = 'a: |\n  x\n   \n\n  y\n';
  assert.deepEqual(jsYaml(text), [{ a: 'x\n \n\ny\n' }]);
  assert.equal(readFastYaml(text), undefined);
});

test('a block mapping: only the root `items` list gives the items starts, and plain keys keep their text', () => {
  const text = 'a:\n- x\n- y\nitems:\n- z\nb: [1]\n';
  assert.deepEqual(readFastYaml(text), {
    values: [{ a: ['x', 'y'], items: ['z'], b: [1] }],
    starts: [{ root: 0, items: [text.indexOf('z')] }],
  });
  const items = 'items:\n  - a\n  - b\n';
  assert.deepEqual(readFastYaml(items), {
    values: [{ items: ['a', 'b'] }],
    starts: [{ root: 0, items: [items.indexOf('a'), items.indexOf('b')] }],
  });
  const located = readFastYamlLocated('a: 1\nbc: 2\n"d": 3\n');
  assert.ok(located !== undefined);
  assert.deepEqual(located.keys.get(located.values[0] as object), [
    { key: 'a', start: 0, plain: 'a' },
    { key: 'bc', start: 5, plain: 'bc' },
    { key: 'd', start: 11, plain: undefined },
  ]);
});

test('a mapping value that is empty or a comment, at the end of the text too', () => {
  readsAs('a:', [{ a: null }]);
  readsAs('b: 1\na: ', [{ b: 1, a: null }]);
  readsAs('a: # c\nb: 1\n', [{ a: null, b: 1 }]);
  readsAs('a: # c\n  b: 1\n', [{ a: { b: 1 } }]);
});

test('a block sequence entry that is empty, a comment or on the next line', () => {
  readsAs('-\n  x\n', [['x']]);
  readsAs('-\n  a: 1\n  b: 2\n-\n', [[{ a: 1, b: 2 }, null]]);
  readsAs('- # c\n  x\n', [['x']]);
  readsAs('- x\n-', [['x', null]]);
  readsAs('- x\n- ', [['x', null]]);
  readsAs('- x\n- # c\n- y\n', [['x', null, 'y']]);
  // An empty entry starts nowhere, at the end of the text too.
  for (const text of ['- x\n-', '- x\n- ', '- x\n-\n']) {
    const located = readFastYamlLocated(text);
    assert.ok(located !== undefined);
    assert.deepEqual(located.entries.get(located.values[0] as unknown[]), [2, -1], JSON.stringify(text));
  }
});

test('an empty document (`---` with nothing after it) starts nowhere and has no items', () => {
  assert.deepEqual(readFastYaml('---\n---\na: 1\n'), {
    values: [null, { a: 1 }],
    starts: [
      { root: -1, items: [] },
      { root: 8, items: [] },
    ],
  });
  assert.deepEqual(readFastYaml('a: 1\n---\n'), {
    values: [{ a: 1 }, null],
    starts: [
      { root: 0, items: [] },
      { root: -1, items: [] },
    ],
  });
});

test('the tables made when the module loads: every one-character escape, exponents beyond a double, a lone CR', () => {
  readsAs('a: "\\0\\a\\b\\t\\n\\v\\f\\r\\e\\ \\"\\/\\\\\\_"\n', [{ a: '\0\x07\b\t\n\v\f\r\x1B "/\\\xA0' }]);
  // An exponent of three digits or more: a string for js-yaml, Infinity for `yaml`, so left to js-yaml.
  for (const number of [
    '1e400',
    '10e400',
    '-1e400',
    '+1e400',
    '.1e400',
    '1.5e400',
    '1e+400',
    '12.5e999',
    '1e4000',
  ])
    assert.equal(readFastYaml(`a: ${number}\n`), undefined, number);
  // Texts that only contain one, and a smaller exponent, are read.
  for (const text of ['1x1e400', '1e400x', '1-1e400', '--1e400']) readsAs(`a: ${text}\n`, [{ a: text }]);
  readsAs('a: 1e40\n', [{ a: 1e40 }]);
  // A CR without an LF: a line break for js-yaml, not for `yaml`.
  assert.equal(readFastYaml('a: 1\rb: 2\n'), undefined);
});
