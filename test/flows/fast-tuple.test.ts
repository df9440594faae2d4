import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { fastTuple } from '../../src/flows/parser.ts';

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

test('the fast path sends the same lines to the full parse as three text searches did', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...LINES),
      fc.array(fc.tuple(FRAGMENT, fc.nat()), { maxLength: 3 }),
      (line, inserts) => {
        let text = line;
        for (const [fragment, at] of inserts) {
          const i = at % (text.length + 1);
          text = `${text.slice(0, i)}${fragment}${text.slice(i)}`;
        }
        assert.deepEqual(fastTuple(text), reference(text));
      },
    ),
    { numRuns: 1000 },
  );
});
