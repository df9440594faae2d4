/**
 * src/parse/documents.ts, what mutation testing left (issue #20, round 9): positions through an alias, kinds
 * that end in "List" without being lists, and what `storedParse` keeps (not a parse with warnings).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseManifestText, parseManifestTextExact, storedParse } from '../../src/parse/documents.ts';
import type { ParseResult } from '../../src/parse/types.ts';

type Parse = (text: string, file: string) => ParseResult;
const READERS: [string, Parse][] = [
  ['parseManifestText', parseManifestText],
  ['parseManifestTextExact', parseManifestTextExact],
];

for (const [name, parse] of READERS) {
  describe(name, () => {
    test('a path through an alias: positions and nodes inside the anchored value', () => {
      const text =
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  labels: &l\n    app: web\n' +
        '---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: b\n  labels: &m {app: api}\n  annotations: *m\n';
      const [, pod] = parse(text, 'a.yaml').objects;
      assert.ok(pod !== undefined);
      assert.deepEqual(pod.object.metadata, {
        name: 'b',
        labels: { app: 'api' },
        annotations: { app: 'api' },
      });
      // Through the alias to the anchored mapping: its key `app` on line 12.
      assert.deepEqual(pod.locate(['metadata', 'annotations', 'app']), {
        file: 'a.yaml',
        line: 12,
        column: 15,
      });
      assert.deepEqual(pod.locate(['metadata', 'annotations']), { file: 'a.yaml', line: 13, column: 3 });
      assert.equal(pod.sourceText?.(['metadata', 'annotations', 'app']), 'api');
      assert.equal(pod.sourceText?.(['metadata', 'annotations']), '{app: api}');
    });

    test('a kind that ends in "List" is a List only with items; other kinds with items are objects', () => {
      const text =
        'apiVersion: v1\nkind: Config\nitems: [{apiVersion: v1, kind: Namespace, metadata: {name: x}}]\n' +
        '---\napiVersion: v1\nkind: List\nitems: [{apiVersion: v1, kind: Namespace, metadata: {name: y}}]\n' +
        '---\napiVersion: v1\nkind: PodList\nmetadata: {}\n' +
        '---\napiVersion: example.com/v1\nkind: NotAList\nitems: [{metadata: {name: z}}]\n';
      const r = parse(text, 'a.yaml');
      assert.deepEqual(r.errors, []);
      assert.deepEqual(
        r.objects.map((o) => `${o.apiVersion} ${o.kind} ${o.documentPath.join('.')}`),
        ['v1 Config ', 'v1 Namespace items.0', 'v1 PodList ', 'example.com/v1 NotA items.0'],
      );
    });
  });
}

describe('parseManifestTextExact', () => {
  test('a path that goes on past a scalar: the scalar field itself, and no node', () => {
    const text = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n';
    const [o] = parseManifestTextExact(text, 'a.yaml').objects;
    assert.ok(o !== undefined);
    for (const path of [
      ['metadata', 'name', 0],
      ['metadata', 'name', 'x'],
      ['metadata', 'name', 'x', 1],
    ]) {
      assert.deepEqual(o.locate(path), { file: 'a.yaml', line: 4, column: 3 }, JSON.stringify(path));
      assert.equal(o.nodeAt?.(path), undefined);
      assert.equal(o.sourceText?.(path), undefined);
    }
    assert.equal(o.sourceText?.(['metadata', 'name']), 'a');
  });
});

for (const [name, parse] of READERS) {
  describe(`${name}: codes`, () => {
    test('a List item that is not an object; a document without apiVersion and kind strings', () => {
      const r = parse(
        'apiVersion: v1\nkind: List\nitems: [7]\n---\nkind: ""\n---\napiVersion: v1\n',
        'a.yaml',
      );
      assert.deepEqual(
        r.errors.map((e) => [e.code, e.line, e.message]),
        [
          ['not-an-object', 3, 'must be a Kubernetes object, got 7'],
          ['missing-kind', 5, r.errors[1]!.message],
          ['missing-kind', 7, r.errors[2]!.message],
        ],
      );
      assert.match(r.errors[1]!.message, /^apiVersion and kind are missing/);
      assert.match(r.errors[2]!.message, /^kind is missing/);
    });

    test('syntax errors are errors: YAML, JSON (a stream and a single value)', () => {
      for (const [text, file, code] of [
        ['kind: [\n', 'a.yaml', 'yaml-syntax'],
        ['{"kind": "A", "apiVersion": "v1"}\n{"kind": }\n', 'a.json', 'json-syntax'],
        ['{"kind": [}\n', 'a.json', 'json-syntax'],
      ] as const) {
        const r = parse(text, file);
        assert.deepEqual(
          r.errors.map((e) => [e.code, e.severity]),
          [[code, 'error']],
          text,
        );
        assert.equal(r.nonK8sDocuments, 0);
      }
    });

    test("errors in the order of the text: an object's before a later syntax error", () => {
      const r = parse('kind: ""\n---\nkind: [\n', 'a.yaml');
      assert.deepEqual(
        r.errors.map((e) => [e.code, e.line]),
        [
          ['missing-kind', 1],
          ['yaml-syntax', 4],
        ],
      );
    });

    test('a JSON value with a key twice (JSON.parse keeps the last, yaml refuses it): read, without positions inside', () => {
      const text =
        '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"a","name":"b"}}\n' +
        '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"c"}}\n';
      const r = parse(text, 'a.json');
      assert.deepEqual(r.errors, []);
      const [twice, once] = r.objects;
      assert.ok(twice !== undefined && once !== undefined);
      assert.deepEqual([twice.line, twice.column, twice.object.metadata], [1, 1, { name: 'b' }]);
      assert.equal(twice.locate(['metadata', 'name']), undefined);
      assert.deepEqual(once.locate(['metadata', 'name']), { file: 'a.json', line: 2, column: 51 });
    });

    test("List items where the fast reader declines (a plain scalar on two lines): js-yaml's starts", () => {
      const text =
        'apiVersion: v1\nkind: List\nmetadata: {}\nitems:\n- apiVersion: v1\n  kind: Namespace\n  metadata:\n' +
        '    name: a\n    annotations:\n      note: two\n        lines\n- {apiVersion: v1, kind: Namespace, metadata: {name: b}}\n' +
        'other: [1, 2]\n';
      const r = parse(text, 'a.yaml');
      assert.deepEqual(r.errors, []);
      assert.deepEqual(
        r.objects.map((o) => [o.documentPath.join('.'), o.line, o.column]),
        [
          ['items.0', 5, 3],
          ['items.1', 12, 3],
        ],
      );
      assert.deepEqual(r.objects[1]!.locate(['metadata', 'name']), { file: 'a.yaml', line: 12, column: 48 });
    });

    test("text after a JSON value on line 12: the message without Node's (line, column)", () => {
      const text = `{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a"}}${'\n'.repeat(11)}x\n`;
      const r = parse(text, 'a.json');
      assert.deepEqual(
        r.errors.map((e) => [e.code, e.line, e.column, e.message]),
        [
          [
            'json-syntax',
            12,
            1,
            'invalid JSON: Unexpected non-whitespace character after JSON at position 79',
          ],
        ],
      );
    });

    test('a List with items: null has nothing in it', () => {
      const r = parse('apiVersion: v1\nkind: List\nitems: null\n', 'a.yaml');
      assert.deepEqual([r.objects, r.errors, r.warnings], [[], [], []]);
    });

    test('a key twice, written with a space before its colon', () => {
      const r = parse('apiVersion: v1\nkind : Namespace\nkind : Pod\nmetadata: {name: a}\n', 'a.yaml');
      assert.deepEqual(
        r.errors.map((e) => e.message),
        [
          'invalid YAML: the key "kind" appears twice: is a `---` missing between two documents? Put a line `---` before the second object',
        ],
      );
    });
  });
}

describe('storedParse', () => {
  test('not kept: a parse with a warning only, or an error only', () => {
    const warned = parseManifestText(
      'apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\nx: 1\n',
      'a.yaml',
    );
    assert.equal(warned.errors.length, 0);
    assert.equal(warned.warnings.length, 1);
    assert.equal(storedParse(warned), undefined);
    const failed = parseManifestText(
      'apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\nkind: [\n',
      'a.yaml',
    );
    assert.equal(failed.warnings.length, 0);
    assert.equal(failed.errors.length, 1);
    assert.equal(storedParse(failed), undefined);
    // Without objects too (a parse with problems comes from `yaml`, whose objects have no text to read again).
    for (const text of ['kind: [\n', 'a: !foo x\n']) {
      const none = parseManifestText(text, 'a.yaml');
      assert.equal(none.objects.length, 0);
      assert.equal(none.errors.length + none.warnings.length, 1);
      assert.equal(storedParse(none), undefined, text);
    }
    const plain = parseManifestText('apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n', 'a.yaml');
    assert.equal(storedParse(plain)?.objects.length, 1);
  });
});
