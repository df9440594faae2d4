/**
 * src/parse/locate.ts, what mutation testing left (issue #20, round 9): on text the fast reader reads (no tag,
 * no anchor, so that its own walk is the one tested), block scalar and empty items, a list at the top, paths
 * through a scalar, an empty document; on js-yaml's events, tags and anchors at the very start, keys that are not plain text,
 * an index into a scalar or past a list with a key after it; documents read alone when a later one is broken.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { textLocator } from '../../src/parse/locate.ts';
import { readFastYamlLocated } from '../../src/parse/fast-yaml.ts';
import type { FieldPath } from '../../src/model/problem.ts';

type Query = [document: number, at: FieldPath, path: FieldPath];

/** The offsets of each query on both readers, which must agree. */
function both(text: string, queries: readonly Query[], expected: readonly (number | undefined)[]): void {
  for (const reader of ['fast', 'events'] as const) {
    const locator = textLocator(text, reader);
    assert.deepEqual(
      queries.map(([n, at, path]) => locator.offset(n, at, path)),
      expected,
      `${reader}: ${JSON.stringify(text)}`,
    );
  }
}

describe('the fast reader (text it reads)', () => {
  test('a block scalar item and an empty item are declined; the item after them is located', () => {
    const text = 'a:\n  - |\n    x\n  - \n  - y\n';
    assert.ok(readFastYamlLocated(text) !== undefined);
    both(
      text,
      [
        [0, [], ['a', 0]],
        [0, [], ['a', 1]],
        [0, [], ['a', 2]],
        [0, ['a'], [2]],
      ],
      [undefined, undefined, 24, 24],
    );
  });

  test('a list at the top: its items start at their values', () => {
    const text = '- x\n- y\n';
    assert.ok(readFastYamlLocated(text) !== undefined);
    both(
      text,
      [
        [0, [], [0]],
        [0, [], [1]],
        [0, [], []],
      ],
      [2, 6, 0],
    );
  });

  test('an object path through a scalar: no such object', () => {
    const text = 'a: 1\nb: [x]\n';
    assert.ok(readFastYamlLocated(text) !== undefined);
    both(
      text,
      [
        [0, ['a', 'x'], []],
        [0, ['a', 0], []],
        [0, ['b', 0, 'y'], []],
      ],
      [undefined, undefined, undefined],
    );
  });

  test('an empty document read alone: declined', () => {
    const text = '---\n---\na: 1\n';
    both(
      text,
      [
        [0, [], ['a']],
        [0, [], []],
        [1, [], ['a']],
      ],
      [undefined, undefined, 8],
    );
  });
});

describe("js-yaml's events (text the fast reader declines)", () => {
  test('a tag or an anchor at offset 0, on a scalar: declined', () => {
    for (const text of ['!!str x\n', '&a x\n']) {
      assert.equal(readFastYamlLocated(text), undefined);
      both(text, [[0, [], []]], [undefined]);
    }
  });

  test('a key that is not plain text, before the one wanted (at offset 0 too): declined', () => {
    for (const text of [
      '!!str a: 1\nb: 2\n',
      '&x a: 1\nb: 2\n',
      '? [x]\n: 1\nb: 2\n',
      'c: 0\n!!str a: 1\nb: 2\n',
    ]) {
      assert.equal(readFastYamlLocated(text), undefined);
      both(text, [[0, [], ['b']]], [undefined]);
    }
    // The same keys after the one wanted do not matter.
    both('b: 2\n!!str a: 1\n', [[0, [], ['b']]], [0]);
  });

  test('an index into a scalar, or past the end of a list, with a key after it: the field itself', () => {
    const text = 'a: x\nl: [x]\nb: y\nt: !!str z\n';
    assert.equal(readFastYamlLocated(text), undefined);
    both(
      text,
      [
        [0, [], ['a', 0]],
        [0, [], ['l', 3]],
        [0, [], ['l', 1]],
        [0, [], ['l', 0]],
        [0, [], ['b']],
      ],
      [0, 5, 5, 9, 12],
    );
  });

  test('a block scalar key: declined', () => {
    const text = '? |\n  a\n: [x]\n';
    both(
      text,
      [
        [0, [], ['a\n', 0]],
        [0, [], ['a\n']],
      ],
      [undefined, undefined],
    );
  });
});

describe('documents read alone', () => {
  test('a later document that cannot be read does not hide the earlier ones', () => {
    both(
      '---\na: 1\n---\nb: [\n',
      [
        [0, [], ['a']],
        [1, [], ['b']],
        [2, [], []],
      ],
      [4, undefined, undefined],
    );
    // The document before the first `---`.
    both(
      'a: 1\n---\nb: [\n',
      [
        [0, [], ['a']],
        [1, [], ['b']],
      ],
      [0, undefined],
    );
    // Three documents: the middle one ends at the third's `---`.
    both(
      '---\na: 1\n---\nb: 2\n---\nc: [\n',
      [
        [1, [], ['b']],
        [0, [], ['a']],
        [2, [], ['c']],
      ],
      [13, 4, undefined],
    );
  });
});
