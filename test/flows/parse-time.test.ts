import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseTime } from '../../src/flows/index.ts';

/** `parseTime` as it was before its fast path and its memory of the last time: the reference. */
function reference(text: string): number | undefined {
  if (/^[0-9]+(\.[0-9]+)?$/.test(text)) {
    const n = Number(text);
    return n < 1e11 ? Math.round(n * 1000) : Math.round(n);
  }
  let iso = text.includes('T') ? text : text.replace(' ', 'T');
  if (!/(Z|[+-][0-9]{2}:?[0-9]{2})$/i.test(iso)) iso += 'Z';
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : t;
}

/**
 * Times of a few minutes (read from the last minute's start without Date.parse), and near misses: hour 24
 * (Date.parse reads only 24:00:00), second 60, other fractions, other characters where digits belong.
 */
const MINUTE_TEXT = fc
  .record({
    minute: fc.constantFrom(
      '2026-12-01T00:00',
      '2026-12-01T23:59',
      '2026-12-01T24:00',
      '2026-02-30T10:07',
      '2026-12-0xT10:07',
      '2026-12-01T1a:07',
    ),
    second: fc.oneof(fc.constantFrom(0, 59, 60), fc.integer({ min: 0, max: 61 })),
    fraction: fc.constantFrom('', '.5', '.123', '.999', '.1234', ',123', '.12a', 'x123'),
  })
  .map(({ minute, second, fraction }) => `${minute}:${String(second).padStart(2, '0')}${fraction}Z`);

/** Times as captures write them, and near misses: zones, fractions, spaces, epoch numbers, garbage. */
const TIME_TEXT = fc.oneof(
  fc
    .record({
      ms: fc.integer({ min: 0, max: 4_102_444_800_000 }),
      fraction: fc.constantFrom('', '.5', '.123', '.123456789'),
      zone: fc.constantFrom('Z', 'z', '', '+02:00', '-0530', ' ', 'ZZ'),
      sep: fc.constantFrom('T', ' ', 't'),
    })
    .map(({ ms, fraction, zone, sep }) => {
      const iso = new Date(ms).toISOString();
      return `${iso.slice(0, 10)}${sep}${iso.slice(11, 19)}${fraction}${zone}`;
    }),
  fc.integer({ min: 0, max: 4_102_444_800_000 }).map(String),
  fc.double({ min: 0, max: 4e9, noNaN: true }).map((n) => n.toFixed(3)),
  fc.string({ maxLength: 24 }),
  fc.constantFrom(
    '2026-13-01T00:00:00Z',
    '2026-11-24T03:11:09Z',
    '2026-11-24T03:11:09.999Z',
    'xxxxxxxxxxTxxxxxxxxZ',
  ),
);

test('parseTime reads every text as the plain reading does, also when a text repeats', () => {
  fc.assert(
    fc.property(fc.array(TIME_TEXT, { minLength: 1, maxLength: 8 }), (texts) => {
      for (const text of [...texts, ...texts.toReversed(), texts[0]!]) {
        assert.equal(parseTime(text), reference(text), JSON.stringify(text));
      }
    }),
    { numRuns: 500 },
  );
});

test('parseTime reads times of the same few minutes as the plain reading does', () => {
  fc.assert(
    fc.property(fc.array(MINUTE_TEXT, { minLength: 1, maxLength: 12 }), (texts) => {
      for (const text of [...texts, ...texts.toReversed()]) {
        assert.equal(parseTime(text), reference(text), JSON.stringify(text));
      }
    }),
    { numRuns: 500 },
  );
});
