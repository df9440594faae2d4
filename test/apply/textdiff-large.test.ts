/**
 * The fallback of the unified diff for texts too large to align line by line: beyond 4,000,000 cells of the
 * table, every old line removed then every new one added. Apart from `textdiff-details.test.ts` because it
 * aligns 2000 × 2000 lines (a mutation run runs it only for the mutants the quick tests do not kill).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { unifiedDiff } from '../../src/apply/textdiff.ts';

const names = { before: 'a (live)', after: 'a (after apply)' };
const header = ['--- a (live)', '+++ a (after apply)'];

describe('unifiedDiff: texts too large to align', () => {
  // 2000 × 2000 lines is exactly the largest table computed (4,000,000 cells); one more line is not.
  const before = (n: number): string => Array.from({ length: n }, (_, i) => `old ${i}`).join('\n');
  const after = (n: number): string =>
    Array.from({ length: n }, (_, i) => (i === n - 1 ? 'old 0' : `new ${i}`)).join('\n');

  test('up to 4,000,000 cells: aligned, so a line in common is context', () => {
    const out = unifiedDiff(before(2000), after(2000), { ...names, context: 0 });
    const lines = out.split('\n');
    assert.equal(lines.filter((l) => l.startsWith('-')).length - 1, 1999, 'old 1 … old 1999 removed');
    assert.equal(lines.filter((l) => l.startsWith('+')).length - 1, 1999, 'new 0 … new 1998 added');
    assert.ok(!lines.includes('-old 0'), 'old 0 is kept');
  });

  test('beyond: every line of the old text removed, then every line of the new one added', () => {
    const out = unifiedDiff(before(2001), after(2000), names);
    const lines = out.split('\n');
    assert.deepEqual(lines.slice(0, 4), [...header, '@@ -1,2001 +1,2000 @@', '-old 0']);
    assert.equal(lines[2004], '+new 0');
    assert.equal(lines.at(-2), '+old 0');
    assert.equal(lines.length, 2 + 1 + 2001 + 2000 + 1);
  });
});
