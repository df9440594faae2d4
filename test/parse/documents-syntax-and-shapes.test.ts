/**
 * src/parse/documents.ts, what mutation testing found untested (issue #20, round 8): the YAML and JSON syntax
 * messages and their positions, objects without a string apiVersion or kind, Lists, documents that are not
 * objects, JSON streams on both paths, and the fast path's objects against the exact reader's.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatProblem } from '../../src/model/problem.ts';
import {
  parseManifestText,
  parseManifestTextExact,
  restoreParse,
  storedParse,
} from '../../src/parse/documents.ts';
import type { ParseResult } from '../../src/parse/types.ts';

type Parse = (text: string, file: string) => ParseResult;
const READERS: [string, Parse][] = [
  ['parseManifestText', parseManifestText],
  ['parseManifestTextExact', parseManifestTextExact],
];

/** Objects as `Kind@line:column document/path`, problems as the CLI prints them. */
function summary(r: ParseResult): {
  objects: string[];
  errors: string[];
  warnings: string[];
  nonK8s: number;
} {
  return {
    objects: r.objects.map(
      (o) => `${o.apiVersion} ${o.kind}@${o.line}:${o.column} ${o.documentIndex}/${o.documentPath.join('.')}`,
    ),
    errors: r.errors.map(formatProblem),
    warnings: r.warnings.map(formatProblem),
    nonK8s: r.nonK8sDocuments,
  };
}

for (const [name, parse] of READERS) {
  const read = (text: string, file = 'a.yaml') => summary(parse(text, file));
  const errors = (text: string, file = 'a.yaml') => read(text, file).errors;

  describe(`${name}: YAML syntax errors`, () => {
    test('a tab in the indentation', () => {
      assert.deepEqual(errors('apiVersion: v1\nkind: Pod\nmetadata:\n\tname: x\n'), [
        'a.yaml:4:1 invalid YAML: tabs are not allowed for indentation; use spaces',
      ]);
    });

    test('a key twice in a mapping: the key, at the second one', () => {
      assert.deepEqual(errors('apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n  name: y\n'), [
        'a.yaml:5:3 invalid YAML: the key "name" appears twice in the same mapping; keep one',
      ]);
    });

    test('kind or apiVersion twice at the start of a line: a missing `---`', () => {
      assert.deepEqual(errors('apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nkind: Pod\n'), [
        'a.yaml:4:1 invalid YAML: the key "kind" appears twice: is a `---` missing between two documents? Put a line `---` before the second object',
      ]);
      assert.deepEqual(errors('apiVersion: v1\nkind: Pod\napiVersion: v2\n'), [
        'a.yaml:3:1 invalid YAML: the key "apiVersion" appears twice: is a `---` missing between two documents? Put a line `---` before the second object',
      ]);
    });

    test('kind twice inside a line, or another key twice at the start of a line: the ordinary message', () => {
      assert.deepEqual(errors('apiVersion: v1\nkind: Pod\nmetadata: {name: a, kind: x, kind: y}\n'), [
        'a.yaml:3:30 invalid YAML: the key "kind" appears twice in the same mapping; keep one',
      ]);
      assert.deepEqual(errors('metadata: {name: a}\napiVersion: v1\nkind: Pod\nmetadata: {}\n'), [
        'a.yaml:4:1 invalid YAML: the key "metadata" appears twice in the same mapping; keep one',
      ]);
    });

    test('other errors: the first line of the message, without its position', () => {
      assert.deepEqual(errors('apiVersion: v1\nkind: Pod\nmetadata: [a\n'), [
        'a.yaml:4:1 invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
      ]);
    });

    test('the first error of each document, the other documents still read, errors in the order of the text', () => {
      const r = read(
        'apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n  name: y\n  name: z\n---\napiVersion: 7\nkind: Pod\n',
      );
      assert.deepEqual(r.objects, ['v1 Pod@1:1 0/']);
      assert.deepEqual(r.errors, [
        'a.yaml:9:3 invalid YAML: the key "name" appears twice in the same mapping; keep one',
        'a.yaml:12:1 apiVersion: must be a string, got 7',
      ]);
    });
  });

  describe(`${name}: YAML warnings and values that cannot be built`, () => {
    test('each warning of yaml, without its position in the message, at its place; the object kept', () => {
      const r = parse('\n\napiVersion: v1\nkind: Pod\nmetadata: {name: a}\nx: !foo 1\ny: !bar 2\n', 'a.yaml');
      assert.equal(r.objects.length, 1);
      assert.deepEqual(r.errors, []);
      assert.deepEqual(r.warnings, [
        {
          code: 'yaml-warning',
          severity: 'warning',
          message: 'Unresolved tag: !foo',
          file: 'a.yaml',
          line: 6,
          column: 4,
          path: [],
        },
        {
          code: 'yaml-warning',
          severity: 'warning',
          message: 'Unresolved tag: !bar',
          file: 'a.yaml',
          line: 7,
          column: 4,
          path: [],
        },
      ]);
    });

    test('too many aliases: an error at the start of the document, the next document still read', () => {
      const laughs =
        'apiVersion: v1\nkind: Pod\na: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n';
      const r = parse(`apiVersion: v1\nkind: Pod\n---\n# laughs\n${laughs}`, 'a.yaml');
      assert.deepEqual(summary(r).objects, ['v1 Pod@1:1 0/']);
      assert.deepEqual(r.errors, [
        {
          code: 'yaml-syntax',
          severity: 'error',
          message:
            'invalid YAML: its aliases (*name) expand to too much data (aliases of anchors that hold aliases, a "billion laughs"); write the values out, or use fewer aliases',
          file: 'a.yaml',
          line: 5,
          column: 1,
          path: [],
        },
      ]);
    });
  });

  describe(`${name}: positions`, () => {
    test('a path through an empty value: at its key; and the code of each problem', () => {
      const r = parse('apiVersion: v1\nkind: Pod\nmetadata:\nspec: {}\n', 'a.yaml');
      assert.deepEqual(r.objects[0]!.locate(['metadata', 'name']), { file: 'a.yaml', line: 3, column: 1 });
      assert.deepEqual(r.objects[0]!.locate(['spec', 'containers', 0]), {
        file: 'a.yaml',
        line: 4,
        column: 1,
      });
      // A key without a value at all (`{metadata}`, `? metadata`): at the key too.
      const flow = parse('apiVersion: v1\nkind: Pod\nx: {metadata, b: [a, {c}]}\n', 'a.yaml').objects[0]!;
      assert.deepEqual(flow.locate(['x', 'metadata', 'name']), { file: 'a.yaml', line: 3, column: 5 });
      assert.deepEqual(flow.locate(['x', 'b', 1, 'c', 'd']), { file: 'a.yaml', line: 3, column: 23 });
      const explicit = parse('apiVersion: v1\nkind: Pod\n? metadata\n', 'a.yaml').objects[0]!;
      assert.deepEqual(explicit.locate(['metadata', 'name']), { file: 'a.yaml', line: 3, column: 3 });
      assert.deepEqual(
        parse(
          'apiVersion: v1\nkind: List\nitems: {a: 1}\n---\napiVersion: 7\nkind: Pod\n',
          'a.yaml',
        ).errors.map((e) => [e.code, e.severity, e.path]),
        [
          ['wrong-type', 'error', ['items']],
          ['wrong-type', 'error', ['apiVersion']],
        ],
      );
    });

    test('problems on one line in the order of their columns', () => {
      const r = parse('{a: !foo 1, b: !bar 2}\n---\napiVersion: v1\nkind: Pod\n', 'a.yaml');
      assert.deepEqual(
        r.warnings.map((w) => `${w.line}:${w.column} ${w.code}`),
        ['1:1 not-a-kubernetes-object', '1:5 yaml-warning', '1:16 yaml-warning'],
      );
    });
  });

  describe(`${name}: objects without a string apiVersion and kind`, () => {
    test('a wrong type, at the field', () => {
      assert.deepEqual(errors('apiVersion: 7\nkind: Pod\n'), [
        'a.yaml:1:1 apiVersion: must be a string, got 7',
      ]);
      assert.deepEqual(errors('apiVersion: v1\nkind: [a]\n'), [
        'a.yaml:2:1 kind: must be a string, got a list',
      ]);
      assert.deepEqual(errors('metadata: {}\napiVersion: v1\nkind: {a: 1}\n'), [
        'a.yaml:3:1 kind: must be a string, got a mapping',
      ]);
    });

    test('one missing, empty or null, at the object', () => {
      assert.deepEqual(errors('apiVersion: v1\nmetadata: {name: a}\n'), [
        'a.yaml:1:1 kind is missing: every Kubernetes object needs a string apiVersion and kind',
      ]);
      assert.deepEqual(errors('apiVersion: v1\nkind: ""\n'), [
        'a.yaml:1:1 kind is missing: every Kubernetes object needs a string apiVersion and kind',
      ]);
      assert.deepEqual(errors('\napiVersion: null\nkind: Pod\n'), [
        'a.yaml:2:1 apiVersion is missing: every Kubernetes object needs a string apiVersion and kind',
      ]);
    });

    test('List items: both missing ("are"), not an object, one missing; paths and positions of the items', () => {
      const r = read(
        'apiVersion: v1\nkind: List\nitems:\n- metadata: {name: a}\n- 7\n- {apiVersion: v1}\n- {kind: Pod}\n',
      );
      assert.deepEqual(r.objects, []);
      assert.deepEqual(r.errors, [
        'a.yaml:4:3 items[0]: apiVersion and kind are missing: every Kubernetes object needs a string apiVersion and kind',
        'a.yaml:5:3 items[1]: must be a Kubernetes object, got 7',
        'a.yaml:6:3 items[2]: kind is missing: every Kubernetes object needs a string apiVersion and kind',
        'a.yaml:7:3 items[3]: apiVersion is missing: every Kubernetes object needs a string apiVersion and kind',
      ]);
      assert.equal(r.nonK8s, 0);
    });

    test('items that are not a list: at the items key', () => {
      assert.deepEqual(errors('apiVersion: v1\nkind: List\nitems: {a: 1}\n'), [
        'a.yaml:3:1 items: must be a list of objects, got a mapping',
      ]);
    });
  });

  describe(`${name}: Lists`, () => {
    test('a FooList gives its items its apiVersion and Foo; a List gives nothing', () => {
      const r = read(
        'apiVersion: v1\nkind: PodList\nitems:\n- metadata: {name: a}\n- {apiVersion: v2, kind: Service, metadata: {name: s}}\n',
      );
      assert.deepEqual(r.objects, ['v1 Pod@4:3 0/items.0', 'v2 Service@5:3 0/items.1']);
      assert.deepEqual(r.errors, []);
    });

    test('a List without items, or with null items, gives nothing; a *List without items is an object', () => {
      assert.deepEqual(read('apiVersion: v1\nkind: List\n'), {
        objects: [],
        errors: [],
        warnings: [],
        nonK8s: 0,
      });
      assert.deepEqual(read('apiVersion: v1\nkind: List\nitems: null\n').objects, []);
      assert.deepEqual(read('apiVersion: v1\nkind: List\nitems: []\n').objects, []);
      assert.deepEqual(read('apiVersion: v1\nkind: FooList\nmetadata: {}\n').objects, ['v1 FooList@1:1 0/']);
      // `List` itself, four letters: not a FooList of kind "".
      assert.deepEqual(read('apiVersion: v1\nkind: List\nitems: [{apiVersion: v1, kind: Pod}]\n').objects, [
        'v1 Pod@3:9 0/items.0',
      ]);
    });

    test('a List in the second document, after blank lines: its items at their own lines', () => {
      const r = read(
        'apiVersion: v1\nkind: Pod\n---\n\n\napiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Service\n  - apiVersion: v1\n    kind: Pod\n',
      );
      assert.deepEqual(r.objects, ['v1 Pod@1:1 0/', 'v1 Service@9:5 1/items.0', 'v1 Pod@11:5 1/items.1']);
    });
  });

  describe(`${name}: documents that are not Kubernetes objects`, () => {
    test('counted; a warning each only when the text also has objects', () => {
      assert.deepEqual(read('a: 1\n---\napiVersion: v1\nkind: Pod\n---\n- x\n'), {
        objects: ['v1 Pod@3:1 1/'],
        errors: [],
        warnings: [
          'a.yaml:1:1 warning: this document is not a Kubernetes object (it has no apiVersion and kind): ignored',
          'a.yaml:6:1 warning: this document is not a Kubernetes object (it has no apiVersion and kind): ignored',
        ],
        nonK8s: 2,
      });
      assert.deepEqual(read('a: 1\n---\n- x\n'), { objects: [], errors: [], warnings: [], nonK8s: 2 });
    });

    test('empty documents are nothing', () => {
      assert.deepEqual(read('---\n---\n# only a comment\n---\napiVersion: v1\nkind: Pod\n'), {
        objects: ['v1 Pod@5:1 2/'],
        errors: [],
        warnings: [],
        nonK8s: 0,
      });
    });
  });

  describe(`${name}: JSON`, () => {
    const pod = (n: string): string =>
      JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: n } });

    test('a stream of objects: each at its start, names located', () => {
      const r = parse(`${pod('a')}\n  ${pod('b')}\n`, 'a.json');
      assert.deepEqual(summary(r).objects, ['v1 Pod@1:1 0/', 'v1 Pod@2:3 1/']);
      assert.deepEqual(
        r.objects.map((o) => o.locate(['metadata', 'name'])),
        [
          { file: 'a.json', line: 1, column: 45 },
          { file: 'a.json', line: 2, column: 47 },
        ],
      );
      assert.deepEqual(
        r.objects.map((o) => o.sourceText(['metadata', 'name'])),
        ['"a"', '"b"'],
      );
    });

    test('braces and escaped quotes inside strings do not end a value', () => {
      const r = parse(
        `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a}\\"{]"}}\n[${pod('c')}]\n${pod('b')}`,
        'a.json',
      );
      assert.deepEqual(summary(r).objects, ['v1 Pod@1:1 0/', 'v1 Pod@3:1 2/']);
      assert.equal(r.objects[0]!.locate(['metadata', 'name'])?.column, 45);
      assert.deepEqual(summary(r).warnings, [
        'a.json:2:1 warning: this document is not a Kubernetes object (it has no apiVersion and kind): ignored',
      ]);
      assert.equal(r.nonK8sDocuments, 1);
    });

    test('a bad value in a stream: the error at its place, the other values still read (a .json file)', () => {
      const r = read(`${pod('a')}\n{"apiVersion": "v1", "kind": "Pod",}\n`, 'a.json');
      assert.deepEqual(r.objects, ['v1 Pod@1:1 0/']);
      assert.deepEqual(r.errors, ['a.json:2:36 invalid JSON: Expected double-quoted property name']);
    });

    test('the same text in a .yaml file: the YAML error', () => {
      assert.deepEqual(read(`${pod('a')}\n{"apiVersion": "v1", "kind": "Pod",}\n`, 'a.yaml').errors, [
        'a.yaml:2:1 invalid YAML: Unexpected flow-map-start at node end',
      ]);
    });

    test('a value cut short: just after the last thing written, not at the blank lines after it', () => {
      assert.deepEqual(errors(`{"apiVersion": "v1", "kind": \n\n`, 'a.json'), [
        'a.json:1:29 invalid JSON: Unexpected end of JSON input',
      ]);
      assert.deepEqual(errors(`{"apiVersion": "v1", "kind": "Pod",,}\n`, 'a.JSON'), [
        'a.JSON:1:36 invalid JSON: Expected double-quoted property name',
      ]);
    });

    test('text after a value, or an unclosed value after one: where JSON.parse stops', () => {
      assert.deepEqual(errors(`${pod('a')} x\n`, 'a.json'), [
        'a.json:1:58 invalid JSON: Unexpected non-whitespace character after JSON at position 57',
      ]);
      assert.deepEqual(errors(`${pod('a')}\n{"apiVersion": "v1", "kind": \n\n\n`, 'a.json'), [
        'a.json:2:1 invalid JSON: Unexpected non-whitespace character after JSON at position 57',
      ]);
    });

    test('a List in a stream: its items', () => {
      const r = read(`${pod('a')}\n{"apiVersion":"v1","kind":"List","items":[${pod('c')}]}\n`, 'a.json');
      assert.deepEqual(r.objects, ['v1 Pod@1:1 0/', 'v1 Pod@2:43 1/items.0']);
    });
  });
}

describe('the fast path: which texts a cache can keep (storedParse)', () => {
  const stored = (text: string): boolean => storedParse(parseManifestText(text, 'a.yaml')) !== undefined;

  test('ordinary text, Lists, JSON streams and empty documents: read fast, kept', () => {
    assert.equal(
      stored(
        'apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n---\napiVersion: v1\nkind: PodList\nitems:\n- metadata: {name: b}\n',
      ),
      true,
    );
    assert.equal(stored('{"apiVersion":"v1","kind":"Pod"}\n{"apiVersion":"v1","kind":"Pod"}\n'), true);
    assert.equal(stored('apiVersion: v1\nkind: List\nitems: ~\n---\napiVersion: v1\nkind: Pod\n'), true);
    assert.equal(stored(`apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n${'k'.repeat(1000)}: 1\n`), true);
    assert.equal(stored(`apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nx: ${'1'.repeat(199)}\n`), true);
  });

  test('tags, anchors, documents that are not objects, keys over 1000 characters, long numbers: read by yaml', () => {
    assert.equal(stored('apiVersion: v1\nkind: Pod\nmetadata: {name: !!str a}\n'), false);
    assert.equal(stored('apiVersion: v1\nkind: Pod\nmetadata: &m {name: a}\nx: *m\n'), false);
    assert.equal(stored('a: 1\n---\napiVersion: v1\nkind: Pod\n'), false);
    assert.equal(stored(`apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n${'k'.repeat(1001)}: 1\n`), false);
    assert.equal(stored(`apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nx: ${'1'.repeat(200)}\n`), false);
  });

  test('restored: the same objects, at the same places, for the same file', () => {
    const text =
      '\napiVersion: v1\nkind: Pod\nmetadata: {name: a}\n---\napiVersion: v1\nkind: PodList\nitems:\n- metadata: {name: b}\n';
    const first = parseManifestText(text, 'a.yaml');
    const again = restoreParse(text, 'b.yaml', storedParse(first)!);
    assert.deepEqual(summary(again), {
      objects: ['v1 Pod@2:1 0/', 'v1 Pod@9:3 1/items.0'],
      errors: [],
      warnings: [],
      nonK8s: 0,
    });
    assert.deepEqual(
      again.objects.map((o) => [o.file, o.locate(['metadata', 'name']), o.object]),
      [
        [
          'b.yaml',
          { file: 'b.yaml', line: 4, column: 12 },
          { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a' } },
        ],
        ['b.yaml', { file: 'b.yaml', line: 9, column: 14 }, { metadata: { name: 'b' } }],
      ],
    );
    assert.equal(storedParse(parseManifestText('a: 1\n', 'a.yaml'))?.nonK8sDocuments, 1);
  });
});
