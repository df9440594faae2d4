/**
 * jsonErrorOffset agrees with JSON.parse: the same texts are valid, the same offset where JSON.parse gives
 * one, and where it gives none the offset of the token it names (or the end of the text).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { jsonErrorOffset } from '../../src/parse/json-position.ts';

/** JSON.parse's message, or undefined when the text is valid. */
function parseError(text: string): string | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

const VALID = [
  JSON.stringify({ a: [1, -2.5e3, 'x\n\u0001"y', true, false, null, {}], b: { c: [] } }, null, 1),
  '{"a":"\\u00e9\\/"}',
  '[0, 10, -0.5, 1E+2, 3e-1]',
  '"s"',
  ' \t\r\n7 ',
];
const PIECES = [
  '',
  ' ',
  ',',
  '}',
  ']',
  '{',
  '[',
  '"',
  ':',
  't',
  'f',
  'n',
  '0',
  '01',
  '-',
  '.',
  'e',
  '\\',
  '\n',
  'x',
  '\u0001',
  'u',
];

/** A valid text with one piece inserted or replacing one or two characters. */
const nearlyJsonArb = fc
  .record({
    text: fc.constantFrom(...VALID),
    at: fc.nat(),
    piece: fc.constantFrom(...PIECES),
    cut: fc.nat(2),
  })
  .map(({ text, at, piece, cut }) => {
    const i = at % (text.length + 1);
    return text.slice(0, i) + piece + text.slice(i + cut);
  });

describe('jsonErrorOffset', () => {
  test('agrees with JSON.parse on nearly-JSON texts', () => {
    fc.assert(
      fc.property(nearlyJsonArb, (text) => {
        const message = parseError(text);
        const offset = jsonErrorOffset(text);
        if (message === undefined) {
          assert.equal(offset, undefined);
          return;
        }
        assert.notEqual(offset, undefined, message);
        const position = /at position (\d+)/.exec(message);
        const token = /^Unexpected token '(.)', /su.exec(message);
        if (position !== null) assert.equal(offset, Number(position[1]), message);
        else if (token !== null) assert.equal(text[offset!], token[1], message);
        else assert.equal(offset, text.length, message);
      }),
      { numRuns: 3000 },
    );
  });

  test('finds the token JSON.parse names without a position', () => {
    // `Unexpected token '}', "{"a": tru}" is not valid JSON`: the `}` after the cut-short literal.
    assert.match(parseError('{"a": tru}')!, /^Unexpected token '\}', .* is not valid JSON$/);
    assert.equal(jsonErrorOffset('{"a": tru}'), 9);
    assert.equal(jsonErrorOffset('[1,]'), 3);
    assert.equal(jsonErrorOffset('{"a": [1, 2'), 11);
  });

  test('every escape, every digit', () => {
    assert.equal(jsonErrorOffset('"\\b\\f\\n\\r\\t\\/\\\\\\"\\u09aF"'), undefined);
    assert.equal(jsonErrorOffset('[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, -9.9e9]'), undefined);
    assert.equal(jsonErrorOffset('"\\x"'), 2);
  });

  test('text cut short inside a value ends at its end, even within a \\u escape', () => {
    assert.equal(jsonErrorOffset('"\\u00'), 5);
    assert.equal(jsonErrorOffset('{"a": 1}', 0, 5), 5);
    assert.equal(jsonErrorOffset('{"a": 1}', 0, 6), 6);
  });

  test('nesting deeper than the stack gives no offset rather than an exception', () => {
    assert.equal(jsonErrorOffset('['.repeat(1_000_000)), undefined);
  });

  test('reads only between start and end', () => {
    const text = '{"a": 1}\n{"b": nul}\n';
    assert.equal(jsonErrorOffset(text, 0, 8), undefined);
    assert.equal(jsonErrorOffset(text, 9, 19), 18);
  });
});
