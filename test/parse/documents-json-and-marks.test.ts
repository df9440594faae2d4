/**
 * src/parse/documents.ts, the mutants round 9 left not analysed (issue #20, round 10): JSON error positions
 * Node gives where the text's own reader cannot, byte order marks that stay text, JSON and YAML in a `.json`
 * file, where js-yaml's reading says each document and List item starts, and the fast path's guards.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatProblem } from '../../src/model/problem.ts';
import { parseManifestText, parseManifestTextExact, readWithJsYaml } from '../../src/parse/documents.ts';
import type { ParseResult } from '../../src/parse/types.ts';

const M = '\uFEFF';

/** What a parse gives: each object with its place and name, each problem as printed. */
function summary(r: ParseResult): unknown {
  return {
    objects: r.objects.map((o) => [o.kind, o.line, o.column, o.documentIndex, o.documentPath, o.object]),
    errors: r.errors.map(formatProblem),
    warnings: r.warnings.map(formatProblem),
    nonK8sDocuments: r.nonK8sDocuments,
  };
}

describe('JSON errors', () => {
  test('nested too deep for the text reader: the position comes from Node’s message', () => {
    // 10,000 brackets deep: the reader of json-position.ts runs out of stack and gives no position; Node's
    // `JSON.parse` says where (the `}` closing a `[`), on the third line.
    const n = 10_000;
    const text = `\n\n${'['.repeat(n)}1${']'.repeat(n - 1)}}\n`;
    const r = parseManifestText(text, 'deep.json');
    assert.deepEqual(
      r.errors.map((e) => [e.code, e.line, e.column]),
      [['json-syntax', 3, 2 * n + 1]],
    );
    assert.match(r.errors[0]!.message, /^invalid JSON: Expected ',' or ']' after array element$/);
  });
});

describe('byte order marks that are text', () => {
  test('a mark and a marker inside a quoted scalar stay: the objects after it keep their lines', () => {
    const flow = `{apiVersion: v1, kind: ConfigMap, metadata: {name: a}, data: {k: "a\n${M}...\n b"}}\n`;
    const ns = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: n\n';
    for (const parse of [parseManifestText, parseManifestTextExact]) {
      const after = parse(`${ns}---\n${flow}`, 'c.yaml');
      assert.deepEqual(
        after.objects.map((o) => [o.kind, o.line, o.column]),
        [
          ['Namespace', 1, 1],
          ['ConfigMap', 6, 1],
        ],
      );
      assert.deepEqual(after.objects[1]!.locate(['data', 'k']), { file: 'c.yaml', line: 6, column: 63 });
      // A document with a mark after it: the mark before `apiVersion` counts as a column.
      const before = parse(`${flow}---\n${M}${ns}`, 'c.yaml');
      assert.deepEqual(
        before.objects.map((o) => [o.kind, o.line, o.column]),
        [
          ['ConfigMap', 1, 1],
          ['Namespace', 5, 2],
        ],
      );
      assert.deepEqual(before.objects[1]!.locate(['metadata', 'name']), {
        file: 'c.yaml',
        line: 8,
        column: 3,
      });
      assert.deepEqual(before.errors, []);
    }
  });

  test('a mark inside a line, before a marker in a comment, is text: the document goes on', () => {
    const text = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a # note ${M}---\n  namespace: x\n`;
    for (const parse of [parseManifestText, parseManifestTextExact]) {
      const r = parse(text, 'a.yaml');
      assert.deepEqual(r.errors, []);
      assert.deepEqual(
        r.objects.map((o) => o.object.metadata),
        [{ name: 'a', namespace: 'x' }],
      );
    }
  });

  test('a mark before a marker on the last line, without a line break: an empty document', () => {
    const text = `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n${M}---`;
    for (const parse of [parseManifestText, parseManifestTextExact]) {
      const r = parse(text, 'a.yaml');
      assert.deepEqual(summary(r), {
        objects: [
          ['Namespace', 1, 1, 0, [], { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a' } }],
        ],
        errors: [],
        warnings: [],
        nonK8sDocuments: 0,
      });
    }
  });
});

describe('JSON and YAML in a .json file', () => {
  test('YAML that is not JSON, in a .json file, is read as YAML', () => {
    const text = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n';
    for (const parse of [parseManifestText, parseManifestTextExact]) {
      const r = parse(text, 'a.json');
      assert.deepEqual(r.errors, []);
      assert.deepEqual(
        r.objects.map((o) => [o.kind, o.line, o.column, o.object.metadata]),
        [['Namespace', 1, 1, { name: 'a' }]],
      );
    }
  });

  test('a JSON scalar after a tab: valid JSON, not YAML: the YAML error, and nothing read', () => {
    // JSON.parse reads `"a"` (a string, no object); `yaml` refuses the tab. Not a stream of JSON values either.
    for (const parse of [parseManifestText, parseManifestTextExact]) {
      const r = parse('\t"a"\n', 'a.json');
      assert.deepEqual(
        r.errors.map((e) => [e.code, e.line, e.column]),
        [['yaml-syntax', 1, 1]],
      );
      assert.match(r.errors[0]!.message, /^invalid YAML: tabs are not allowed/);
      assert.deepEqual(r.objects, []);
    }
  });
});

describe('readWithJsYaml: where documents and List items start', () => {
  test('the entries of `items` only, of each document, whatever comes before or after', () => {
    const text = [
      'kind: A', // 0
      '---',
      'other: [1, 2]', // document 1 at 12
      'meta: {a: [1]}',
      'items:',
      '- {a: 1}', // 50
      '- b: 2', // 59
      'last: [3]',
      '---',
      'items: null',
      '---',
      'items: {a: 1}',
      '---',
      'items: []',
      'after: [x]',
      '---',
      '- items',
      '- [1]',
      '---',
      '"items": [{x: 1}]',
      '',
    ].join('\n');
    const read = readWithJsYaml(text);
    assert.ok(read !== undefined);
    const at = (s: string, from = 0): number => text.indexOf(s, from);
    assert.deepEqual(read.starts, [
      { root: 0, items: [] },
      { root: at('other'), items: [at('{a: 1}'), at('b: 2')] },
      { root: at('items: null'), items: [] },
      { root: at('items: {a'), items: [] },
      { root: at('items: []'), items: [] },
      { root: at('- items'), items: [] },
      { root: at('"items"'), items: [at('{x: 1}')] },
    ]);
    assert.equal(read.values.length, 7);
  });

  test('a key too long for `yaml` after a nested collection: left to `yaml`', () => {
    const long = 'k'.repeat(1100);
    for (const before of ['a: [x]\n', 'a: [x, y, z]\n', 'a:\n  b: [x]\n  c: d\n', 'a: {b: c}\n'])
      assert.equal(readWithJsYaml(`${before}${long}: v\n`), undefined, before);
    // Not too long, or a value: read.
    assert.ok(readWithJsYaml(`a: [x]\n${'k'.repeat(900)}: v\n`) !== undefined);
    assert.ok(readWithJsYaml(`a: [x]\nb: ${long}\n`) !== undefined);
  });
});

describe('the fast path gives what `yaml` gives', () => {
  const cases: [string, string][] = [
    ['items an empty string', 'apiVersion: v1\nkind: List\nitems: ""\n'],
    ['items a number', 'apiVersion: v1\nkind: List\nitems: 0\n'],
    ['a typed List with a scalar item', 'apiVersion: v1\nkind: NamespaceList\nitems:\n- a\n'],
    [
      'a List item without apiVersion',
      'apiVersion: v1\nkind: List\nitems:\n- kind: Namespace\n  metadata: {name: a}\n',
    ],
    [
      'a List item without kind',
      'apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  metadata: {name: a}\n',
    ],
    [
      'items merged from a mapping (`<<`)',
      'apiVersion: v1\nkind: List\n<<: {items: [{apiVersion: v1, kind: Namespace, metadata: {name: a}}]}\n',
    ],
  ];
  for (const [name, text] of cases)
    test(name, () => {
      const fast = parseManifestText(text, 'l.yaml');
      assert.deepEqual(summary(fast), summary(parseManifestTextExact(text, 'l.yaml')));
      for (const o of fast.objects) assert.ok(Number.isInteger(o.line) && Number.isInteger(o.column));
    });
});
