import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { fastTuple, hubbleMarks, MARK_FULL_PATH, MARK_L3_L4, MARK_REPLY } from '../../src/flows/parser.ts';

/** `fastTuple` as it was, with three text searches for what takes the full path: the reference. */
function reference(text: string): { key: string; time: number } | undefined {
  if (text.includes('"verdict":"DROPPED"') || text.includes('"verdict":"ERROR"') || text.includes('"l7"'))
    return undefined;
  const ip = /"IP":\{"source":"([^"]+)","destination":"([^"]+)"/.exec(text);
  const l4 = /"l4":\{"(TCP|UDP|SCTP)":\{"source_port":([0-9]+),"destination_port":([0-9]+)/.exec(text);
  const time = /"time":"([^"]+)"/.exec(text);
  if (ip === null || l4 === null || time === null) return undefined;
  return { key: `${l4[1]!} ${ip[1]!} ${l4[2]!} ${ip[2]!} ${l4[3]!}`, time: Date.parse(time[1]!) };
}

const LINES = readFileSync(new URL('../../examples/flows/webshop-hubble.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l !== '');

/** The texts that send a line to the full path, whole and cut, and others like them. */
const FRAGMENT = fc.constantFrom(
  '"verdict":"DROPPED"',
  '"verdict":"ERROR"',
  '"l7"',
  '"verdict":"DROP',
  '"verdict":"ERRO',
  '"l7',
  'l7"',
  '"verdict": "DROPPED"',
  '"verdict":"FORWARDED"',
  '"L7"',
  '"l4"',
);

/** `line` with each fragment inserted at its place (modulo the length so far). */
function inserted(line: string, inserts: readonly (readonly [string, number])[]): string {
  let text = line;
  for (const [fragment, at] of inserts) {
    const i = at % (text.length + 1);
    text = `${text.slice(0, i)}${fragment}${text.slice(i)}`;
  }
  return text;
}

test('the fast path sends the same lines to the full parse as three text searches did', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...LINES),
      fc.array(fc.tuple(FRAGMENT, fc.nat()), { maxLength: 3 }),
      (line, inserts) => {
        const text = inserted(line, inserts);
        assert.deepEqual(fastTuple(text), reference(text));
      },
    ),
    { numRuns: 1000 },
  );
});

/** The texts the reader recognises a line by, cut, and run into each other (a quote shared by two texts). */
const MARK_FRAGMENT = fc.constantFrom(
  '"Type":"L3_L4"',
  '"Type":"L3_L7"',
  '"Type":"L3_L4',
  '"is_reply":true',
  '"is_reply":false',
  '"is_reply":tru',
  '"l7"Type":"L3_L4"',
  '"verdict":"DROPPED"is_reply":true',
  '"l7"l7"is_reply":true"',
  '"verdict":"ERROR"l7"',
  '""',
);

test('one pass finds the texts that make a line a reply or an L3/L4 flow, as a text search for each does', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...LINES),
      fc.array(fc.tuple(fc.oneof(MARK_FRAGMENT, FRAGMENT), fc.nat()), { maxLength: 4 }),
      fc.boolean(),
      (line, inserts, bare) => {
        // Also without the flow's own texts, so that only the inserted ones can be found.
        const text = inserted(
          bare ? line.replaceAll('"Type"', '"type"').replaceAll('"is_reply"', '"reply"') : line,
          inserts,
        );
        const marks = hubbleMarks(text);
        assert.equal((marks & MARK_L3_L4) !== 0, text.includes('"Type":"L3_L4"'));
        assert.equal((marks & MARK_REPLY) !== 0, text.includes('"is_reply":true'));
        assert.equal(
          (marks & MARK_FULL_PATH) !== 0,
          ['"verdict":"DROPPED"', '"verdict":"ERROR"', '"l7"'].some((t) => text.includes(t)),
        );
      },
    ),
    { numRuns: 1000 },
  );
});
