/**
 * src/parse/locate.ts, what mutation testing found untested (issue #20, round 8): the offsets the locator
 * gives (not only that they agree with `yaml` when given): quoted keys and items, flow collections, paths
 * that go past the end, keys that could be read as something else, tags, anchors, block scalars and empty
 * items (declined), documents read alone or the whole text (directives, `...`, a document before the first
 * `---`), List items.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { textLocator, skipNode, type LocatorReader } from '../../src/parse/locate.ts';
import { parseManifestTextExact } from '../../src/parse/documents.ts';
import type { FieldPath } from '../../src/model/problem.ts';
import { parseEvents } from 'js-yaml';

type Query = [document: number, at: FieldPath, path: FieldPath];

/**
 * The offsets of each query, for both readers (`undefined`: declined), checked against the `yaml` position of
 * the same path where the text has such an object (the locator answers what `yaml` does, or nothing).
 */
function offsets(text: string, queries: readonly Query[], reader: LocatorReader): (number | undefined)[] {
  const locator = textLocator(text, reader);
  const exact = parseManifestTextExact(text, 'in.yaml').objects;
  return queries.map(([document, at, path]) => {
    const offset = locator.offset(document, at, path);
    const object = exact.find(
      (o) => o.documentIndex === document && o.documentPath.join('.') === at.join('.'),
    );
    if (offset !== undefined && object !== undefined) {
      const before = text.slice(0, offset);
      const line = before.split('\n').length;
      const column = offset - before.lastIndexOf('\n');
      assert.deepEqual(object.locate(path), { file: 'in.yaml', line, column }, JSON.stringify(path));
    }
    return offset;
  });
}

function both(
  text: string,
  queries: readonly Query[],
  expected: (number | undefined)[],
  events = expected,
): void {
  assert.deepEqual(offsets(text, queries, 'fast'), expected, 'fast');
  assert.deepEqual(offsets(text, queries, 'events'), events, 'events');
}

describe('textLocator: offsets', () => {
  const text = `apiVersion: v1\nkind: ConfigMap\nmetadata: {"name": a, 'namespace': b}\ndata:\n  "x": 1\n  'y': 2\n  z: 3\nlist:\n  - "q"\n  - 'r'\n  - s\n  - [1]\n  - {a: 1}\n`;

  test('quoted keys and items start at their quote; flow collections at their bracket', () => {
    both(
      text,
      [
        [0, [], ['metadata', 'name']],
        [0, [], ['metadata', 'namespace']],
        [0, [], ['data', 'x']],
        [0, [], ['data', 'y']],
        [0, [], ['data', 'z']],
        [0, [], ['list', 0]],
        [0, [], ['list', 1]],
        [0, [], ['list', 2]],
        [0, [], ['list', 3]],
        [0, [], ['list', 4]],
        [0, [], ['list', 4, 'a']],
        [0, [], ['list', 3, 0]],
        [0, [], []],
      ],
      [42, 53, 77, 86, 95, 110, 118, 126, 132, 140, 141, 133, 0],
    );
  });

  test('a path that goes past what exists: the deepest field that does', () => {
    both(
      text,
      [
        [0, [], ['list', 5]],
        [0, [], ['list', 'name']],
        [0, [], ['data', 'z', 'deeper']],
        [0, [], ['data', 'w']],
        [0, [], ['nothing', 'x']],
        [0, [], ['list', 3, 1]],
      ],
      [100, 100, 95, 69, 0, 132],
    );
  });

  test('an index that is negative or not a whole number: declined (no list has such an item)', () => {
    both(
      text,
      [
        [0, [], ['list', -1]],
        [0, [], ['list', 1.5]],
      ],
      [undefined, undefined],
    );
  });

  test('no such document: undefined', () => {
    both(
      text,
      [
        [1, [], []],
        [0, ['data'], ['x']],
        [0, ['missing'], []],
      ],
      [undefined, 77, undefined],
    );
  });
});

describe('textLocator: what it declines', () => {
  const text = `apiVersion: v1\nkind: ConfigMap\ndata:\n  a: 1\n  1: x\n  b: 2\nother:\n  true: x\nm:\n  ~: 1\nn:\n  "1": q\n  k: 2\nt:\n  !!str k: 1\nan:\n  &a k: 1\nblock:\n  - |\n    text\n  -\n  - x\n`;

  test('a key before the wanted one that YAML could read as a number, boolean or null; tags and anchors', () => {
    both(
      text,
      [
        [0, [], ['data', 'a']],
        [0, [], ['data', 'b']],
        [0, [], ['other', 'true']],
        [0, [], ['m', 'x']],
        [0, [], ['n', 'k']],
        [0, [], ['t', 'k']],
        [0, [], ['an', 'k']],
      ],
      [39, undefined, undefined, undefined, 99, undefined, undefined],
    );
  });

  test("through an alias: declined (js-yaml's events; the fast reader declines such text)", () => {
    const text = `apiVersion: v1\nkind: ConfigMap\na: &x {b: 1}\nc: *x\n`;
    assert.deepEqual(
      [
        textLocator(text, 'events').offset(0, [], ['c', 'b']),
        textLocator(text, 'events').offset(0, [], ['c']),
      ],
      [undefined, text.indexOf('c:')],
    );
  });

  test('a block scalar item and an empty item; the item after them is located', () => {
    both(
      text,
      [
        [0, [], ['block', 0]],
        [0, [], ['block', 1]],
        [0, [], ['block', 2]],
      ],
      [undefined, undefined, 164],
    );
  });

  for (const [name, key] of [
    ['minus', '-1'],
    ['plus', '+1'],
    ['dot', '.5'],
    ['tilde', '~x'],
    ['merge', '<<'],
    ['Null', 'Null'],
    ['NULL', 'NULL'],
    ['True', 'True'],
    ['TRUE', 'TRUE'],
    ['false', 'false'],
    ['False', 'False'],
    ['FALSE', 'FALSE'],
  ] as const) {
    test(`a plain key ${name} (${key}) before the one wanted: declined; quoted, located`, () => {
      const plain = `apiVersion: v1\nkind: ConfigMap\nd:\n  ${key}: 1\n  k: 2\n`;
      both(
        plain,
        [
          [0, [], ['d', 'k']],
          [0, [], ['kind']],
        ],
        [undefined, 15],
      );
      const quoted = `apiVersion: v1\nkind: ConfigMap\nd:\n  "${key}": 1\n  k: 2\n`;
      const at = quoted.indexOf('k: 2');
      both(quoted, [[0, [], ['d', 'k']]], [at]);
    });
  }

  for (const key of ['nullx', 'truex', 'a<<', 'x-1', 'FALSEx', '<<<']) {
    test(`a plain key that only starts or ends like one (${key}): located`, () => {
      const plain = `apiVersion: v1\nkind: ConfigMap\nd:\n  ${key}: 1\n  k: 2\n`;
      both(plain, [[0, [], ['d', 'k']]], [plain.indexOf('k: 2')]);
    });
  }
});

describe('textLocator: documents', () => {
  test('a document before the first `---`, List items, markers with a comment or a tab after them', () => {
    const text = `# head\napiVersion: v1\nkind: Pod\nmetadata: {name: a}\n---\napiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: b}\n- apiVersion: v1\n  kind: Pod\n  metadata:\n    name: c\n--- # third\napiVersion: v1\nkind: Pod\nmetadata: {name: d}\n`;
    both(
      text,
      [
        [0, [], ['metadata', 'name']],
        [1, ['items', 0], ['metadata', 'name']],
        [1, ['items', 1], ['metadata', 'name']],
        [1, ['items', 2], ['metadata', 'name']],
        [2, [], ['metadata', 'name']],
        [3, [], ['metadata', 'name']],
        [1, ['items'], [0]],
        [1, ['nope'], []],
      ],
      [43, 131, 185, undefined, 241, undefined, 91, undefined],
    );
    const tabs = `a: 1\n--- \napiVersion: v1\nkind: Pod\nmetadata: {name: b}\n---\t\napiVersion: v1\nkind: Pod\nmetadata:\n  name: c\n`;
    both(
      tabs,
      [
        [0, [], ['a']],
        [1, [], ['metadata', 'name']],
        [2, [], ['metadata', 'name']],
      ],
      [0, 46, 97],
    );
  });

  test('only comments before the first `---`: no document there', () => {
    const text = `# only\n\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: b}\n`;
    both(
      text,
      [
        [0, [], ['metadata', 'name']],
        [1, [], []],
      ],
      [48, undefined],
    );
  });

  test('directives and `...` markers: the whole text is read', () => {
    const directive = `%YAML 1.2\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: b}\n`;
    both(
      directive,
      [
        [0, [], ['metadata', 'name']],
        [1, [], ['metadata', 'name']],
        [2, [], []],
      ],
      [50, 99, undefined],
    );
    const dots = `apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n...\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: b}\n`;
    both(
      dots,
      [
        [0, [], ['metadata', 'name']],
        [1, [], ['metadata', 'name']],
      ],
      [36, 89],
    );
  });

  test('`---` followed by text is not a marker', () => {
    const text = `apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  x: |\n    ---text\n---x: 1\n`;
    both(
      text,
      [
        [0, [], ['metadata', 'name']],
        [0, [], ['metadata', 'x']],
      ],
      [37, 47],
    );
  });

  test('text that cannot be read: undefined', () => {
    both(`apiVersion: v1\nkind: Pod\nmetadata: [a\n`, [[0, [], ['kind']]], [undefined]);
  });

  test('asked again, and in any order: the same answers', () => {
    const text = `a: 1\n---\nb: 2\n---\nc: 3\n`;
    for (const reader of ['fast', 'events'] as const) {
      const locator = textLocator(text, reader);
      assert.deepEqual(
        [
          [2, 'c'],
          [0, 'a'],
          [2, 'c'],
          [1, 'b'],
          [3, 'd'],
        ].map(([n, k]) => locator.offset(n as number, [], [k!])),
        [18, 0, 18, 9, undefined],
      );
    }
  });
});

describe('skipNode', () => {
  test('past a scalar, a mapping or a list (nested), or to the end', () => {
    const events = parseEvents('a: [1, {b: 2}]\nc: 3\n', {});
    // DOCUMENT, MAPPING, a, SEQUENCE, 1, MAPPING, b, 2, POP, POP, c, 3, POP, POP
    assert.equal(skipNode(events, 2), 3);
    assert.equal(skipNode(events, 3), 10);
    assert.equal(skipNode(events, 1), 13);
    assert.equal(skipNode(events, 5), 9);
    assert.equal(skipNode(events.slice(0, 6), 3), 6);
    assert.equal(skipNode(events, events.length), events.length + 1);
  });
});
