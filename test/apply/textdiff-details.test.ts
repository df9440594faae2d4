/**
 * The unified diff `apply --diff` shows, in detail: where hunks split and merge, their headers when one side
 * is empty, the context option, texts without a final newline, and the fallback for texts too large to
 * align line by line (`textdiff-large.test.ts`). (Found missing by mutation testing: see docs/mutation/apply.md.)
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { unifiedDiff } from '../../src/apply/textdiff.ts';

const names = { before: 'a (live)', after: 'a (after apply)' };
const header = ['--- a (live)', '+++ a (after apply)'];

/** `n` numbered lines, with the lines at the indices of `changed` suffixed with `!`. */
function numbered(n: number, changed: readonly number[] = []): string {
  return Array.from({ length: n }, (_, i) => (changed.includes(i) ? `l${i + 1}!` : `l${i + 1}`)).join('\n');
}

function hunkHeaders(diff: string): string[] {
  return diff.split('\n').filter((l) => l.startsWith('@@'));
}

describe('unifiedDiff: hunks', () => {
  test('changes six unchanged lines apart (2 × context) share one hunk', () => {
    const out = unifiedDiff(numbered(20), numbered(20, [5, 12]), names);
    assert.deepEqual(hunkHeaders(out), ['@@ -3,14 +3,14 @@']);
  });

  test('changes seven unchanged lines apart make two hunks that meet', () => {
    const out = unifiedDiff(numbered(20), numbered(20, [5, 13]), names);
    assert.deepEqual(hunkHeaders(out), ['@@ -3,7 +3,7 @@', '@@ -11,7 +11,7 @@']);
  });

  test('a change on the first line has no context before it, one on the last none after it', () => {
    assert.equal(
      unifiedDiff(numbered(5), numbered(5, [0]), names),
      [...header, '@@ -1,4 +1,4 @@', '-l1', '+l1!', ' l2', ' l3', ' l4', ''].join('\n'),
    );
    assert.equal(
      unifiedDiff(numbered(5), numbered(5, [4]), names),
      [...header, '@@ -2,4 +2,4 @@', ' l2', ' l3', ' l4', '-l5', '+l5!', ''].join('\n'),
    );
  });

  test('context: 1 and context: 0', () => {
    assert.equal(
      unifiedDiff(numbered(9), numbered(9, [4]), { ...names, context: 1 }),
      [...header, '@@ -4,3 +4,3 @@', ' l4', '-l5', '+l5!', ' l6', ''].join('\n'),
    );
    assert.equal(
      unifiedDiff(numbered(9), numbered(9, [2, 4]), { ...names, context: 0 }),
      [...header, '@@ -3,1 +3,1 @@', '-l3', '+l3!', '@@ -5,1 +5,1 @@', '-l5', '+l5!', ''].join('\n'),
    );
  });

  test('lines only added or only removed: the empty side is counted from the line before', () => {
    assert.equal(
      unifiedDiff('a\nb\n', 'a\nx\nb\n', names),
      [...header, '@@ -1,2 +1,3 @@', ' a', '+x', ' b', ''].join('\n'),
    );
    assert.equal(
      unifiedDiff('a\nb\n', '', names),
      [...header, '@@ -1,2 +0,0 @@', '-a', '-b', ''].join('\n'),
      'a deleted object: everything removed',
    );
    assert.equal(
      unifiedDiff(numbered(9), numbered(9).replace('l5\n', ''), { ...names, context: 0 }),
      [...header, '@@ -5,1 +4,0 @@', '-l5', ''].join('\n'),
    );
    assert.equal(
      unifiedDiff(numbered(4), numbered(4).replace('l3\n', 'l3\nnew\n'), { ...names, context: 0 }),
      [...header, '@@ -3,0 +4,1 @@', '+new', ''].join('\n'),
    );
  });

  test('a final newline, or its absence, is not a difference; an empty line is a line', () => {
    assert.equal(unifiedDiff('a\nb', 'a\nb\n', names), '');
    assert.equal(unifiedDiff('', '\n', names), [...header, '@@ -0,0 +1,1 @@', '+', ''].join('\n'));
  });

  test('the longest common subsequence is kept: a line moved is one line removed and one added', () => {
    assert.equal(
      unifiedDiff('a\nb\nc\nd\n', 'b\nc\nd\na\n', names),
      [...header, '@@ -1,4 +1,4 @@', '-a', ' b', ' c', ' d', '+a', ''].join('\n'),
    );
    assert.equal(
      unifiedDiff('x\na\nb\n', 'a\ny\nb\n', names),
      [...header, '@@ -1,3 +1,3 @@', '-x', ' a', '+y', ' b', ''].join('\n'),
    );
  });
});
