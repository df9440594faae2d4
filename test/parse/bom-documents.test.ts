/**
 * A byte order mark at the start of a later document of a stream, as `cat a.yaml b.yaml` of two files each
 * saved with one makes. YAML 1.2 (9.1.1, l-document-prefix) allows a mark at the start of every document and
 * kubectl reads such a file; the readers read the mark as part of the document's first key ("apiVersion is
 * missing"). Each object now loads as without the marks; lines and columns are those of the file as written
 * (its first mark, the encoding's, not counted; a later one counts as a column, as in an editor).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as yaml from 'yaml';
import { formatProblem } from '../../src/model/problem.ts';
import { loadManifests, parseManifestText, withoutMark } from '../../src/parse/index.ts';
import { parseManifestTextExact, restoreParse, storedParse } from '../../src/parse/documents.ts';
import type { LoadResult, ParseResult } from '../../src/parse/index.ts';
import { documentText, lineStarts } from '../../src/server/sources.ts';

const M = '\uFEFF';
const options = { defaultNamespace: 'default', skipInvalid: false };

const deny = [
  'apiVersion: networking.k8s.io/v1',
  'kind: NetworkPolicy',
  'metadata:',
  '  name: deny',
  '  namespace: shop',
  'spec:',
  '  podSelector: {}',
  '  policyTypes: [Ingress]',
  '',
].join('\n');

const allow = [
  'apiVersion: networking.k8s.io/v1',
  'kind: NetworkPolicy',
  'metadata:',
  '  name: allow',
  '  namespace: shop',
  'spec:',
  '  podSelector:',
  '    matchLabels: {app: web}',
  '  ingress:',
  '    - ports:',
  '        - port: 8080',
  '',
].join('\n');

/** The same, with an anchor and an alias: text the fast readers leave to `yaml` (the exact path). */
const aliased =
  allow.replace('{app: web}', '&web {app: web}') +
  '  egress:\n    - to:\n        - podSelector: {matchLabels: *web}\n';

/** Loads `text` as the only file of a folder, through the loader the CLI uses. */
async function loadText(text: string, name = 'policies.yaml'): Promise<LoadResult> {
  const dir = await mkdtemp(join(tmpdir(), 'netfence-bom-'));
  try {
    await writeFile(join(dir, name), text);
    const loaded = await loadManifests([dir], options);
    // Problems name their file: keep its name only.
    const local = (p: { file?: string }) => ({ ...p, file: p.file?.slice(dir.length + 1) });
    return {
      ...loaded,
      errors: loaded.errors.map(local),
      warnings: loaded.warnings.map(local),
    } as LoadResult;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** What the state says of each policy: its id, spec and origin, and where two of its fields are. */
function policies(r: LoadResult): unknown[] {
  return r.state.policies.map((p) => [
    p.id,
    p.spec,
    p.origin?.line,
    p.origin?.column,
    ...[
      ['metadata', 'name'],
      ['spec', 'podSelector'],
    ].map((path) => {
      const at = p.origin?.locate?.(path);
      return at === undefined ? undefined : [at.line, at.column];
    }),
  ]);
}

/** Every object of a parse: kind, value, position, document; and where its name is. */
function observe(r: ParseResult): unknown {
  return {
    objects: r.objects.map((o) => {
      const at = o.locate(['metadata', 'name']);
      return [
        o.kind,
        o.object,
        o.line,
        o.column,
        o.documentIndex,
        at?.line,
        at?.column,
        o.sourceText(['kind']),
      ];
    }),
    errors: r.errors.map(formatProblem),
    warnings: r.warnings.map(formatProblem),
  };
}

/** `unmarked`'s policies as `marked` should give them: the object at `shifted` lines one column right. */
function shift(expected: unknown[], shifted: number[]): unknown[] {
  return expected.map((p) => {
    const row = [...(p as unknown[])];
    if (shifted.includes(row[2] as number)) row[3] = (row[3] as number) + 1;
    return row;
  });
}

describe('a byte order mark at the start of each document', () => {
  // [name, text with marks, the same without, lines whose object starts after a mark]
  const streams: [string, string, string, number[]][] = [
    ['before the 1st and 2nd documents', `${M}${deny}---\n${M}${allow}`, `${deny}---\n${allow}`, [10]],
    ['before `---` (the spec form)', `${M}${deny}${M}---\n${allow}`, `${deny}---\n${allow}`, []],
    [
      'before `---` and after it',
      `${M}---\n${M}${deny}${M}---\n${M}${allow}`,
      `---\n${deny}---\n${allow}`,
      [2, 11],
    ],
    [
      'a comment, then the mark',
      `${deny}---\n# from b.yaml\n\n${M}${allow}`,
      `${deny}---\n# from b.yaml\n\n${allow}`,
      [12],
    ],
    [
      'the mark, then a comment',
      `${deny}---\n${M}# from b.yaml\n${allow}`,
      `${deny}---\n# from b.yaml\n${allow}`,
      [],
    ],
    ['after `...`', `${deny}...\n${M}${allow}`, `${deny}...\n${allow}`, [10]],
    [
      'after `--- # comment`, CR LF',
      `${M}${deny}--- # b\n${M}${allow}`.replace(/\n/g, '\r\n'),
      `${deny}--- # b\n${allow}`.replace(/\n/g, '\r\n'),
      [10],
    ],
    [
      'CR LF, before `---`',
      `${deny}${M}---\n${allow}`.replace(/\n/g, '\r\n'),
      `${deny}---\n${allow}`.replace(/\n/g, '\r\n'),
      [],
    ],
    [
      'CR LF, `...` and a comment, before `---`',
      `${deny}...\n# b\n${M}---\n${allow}`.replace(/\n/g, '\r\n'),
      `${deny}...\n# b\n---\n${allow}`.replace(/\n/g, '\r\n'),
      [],
    ],
    [
      'a comment at the top, then the mark',
      `# a.yaml\n${M}${deny}---\n${allow}`,
      `# a.yaml\n${deny}---\n${allow}`,
      [2],
    ],
    ['a mark inside a comment is text', `${deny}---\n# a${M}b\n${allow}`, `${deny}---\n# ab\n${allow}`, []],
    ['the exact path (an alias)', `${M}${deny}---\n${M}${aliased}`, `${deny}---\n${aliased}`, [10]],
  ];

  for (const [name, marked, unmarked, shifted] of streams) {
    test(`${name}: the objects of the text without marks, at their places as written`, async () => {
      const withMarks = await loadText(marked);
      const without = await loadText(unmarked);
      assert.deepEqual(withMarks.errors, []);
      assert.deepEqual(withMarks.warnings, []);
      assert.equal(withMarks.state.policies.length, 2);
      assert.deepEqual(policies(withMarks), shift(policies(without), shifted));
      // The fast path (where it reads the text) and `yaml` alone agree.
      assert.deepEqual(
        observe(parseManifestText(marked, 'p.yaml')),
        observe(parseManifestTextExact(marked, 'p.yaml')),
      );
      // Marks send no text to the slower `yaml` reader: the fast readers read what they read without them.
      const fast = (text: string): boolean[] =>
        parseManifestText(text, 'p.yaml').objects.map((o) => o.fileText !== undefined);
      assert.deepEqual(fast(marked), fast(unmarked));
    });
  }

  test('the object after a mark: its line and column as written, and every field of it', async () => {
    const r = await loadText(`${M}${deny}---\n${M}${aliased}`);
    const p = r.state.policies.find((x) => x.name === 'allow')!;
    assert.deepEqual([p.origin?.line, p.origin?.column], [10, 2]);
    assert.deepEqual(p.origin?.locate?.(['apiVersion']), { file: p.origin?.file, line: 10, column: 2 });
    assert.deepEqual(p.origin?.locate?.(['spec', 'egress', 0, 'to']), {
      file: p.origin?.file,
      line: 22,
      column: 7,
    });
    const parsed = parseManifestText(`${M}${deny}---\n${M}${aliased}`, 'p.yaml').objects[1]!;
    assert.equal(parsed.sourceText(['metadata', 'name']), 'allow');
    assert.equal(parsed.sourceText(['spec', 'podSelector', 'matchLabels']), '{app: web}');
  });

  test('a parse rebuilt from the cache: the same objects at the same places', () => {
    for (const text of [`${M}${deny}---\n${M}${allow}`, `${deny}${M}---\n${M}# b\n${allow}`]) {
      const first = parseManifestText(text, 'p.yaml');
      const stored = storedParse(first);
      assert.ok(stored !== undefined);
      const again = restoreParse(text, 'p.yaml', stored);
      assert.deepEqual(observe(again), observe(first));
      for (const path of [['apiVersion'], ['spec', 'podSelector']]) {
        assert.deepEqual(
          again.objects.map((o) => o.locate(path)),
          first.objects.map((o) => o.locate(path)),
        );
      }
      assert.deepEqual(
        again.objects.map((o) => [o.locate(['apiVersion'])?.line, o.locate(['apiVersion'])?.column]),
        again.objects.map((o) => [o.line, o.column]),
      );
    }
  });

  test('the YAML of each policy as written, for the what-if editor (src/server/sources.ts)', () => {
    const quotes = (text: string): (string | undefined)[] => {
      const file = withoutMark(text);
      const starts = lineStarts(file);
      return parseManifestText(text, 'p.yaml').objects.map((o) => documentText(file, starts, o));
    };
    // Before `---`: the marker line (mark and all) is left out, as any `---` line.
    assert.deepEqual(quotes(`${M}${deny}${M}---\n${allow}`), [deny, allow]);
    assert.deepEqual(quotes(`${M}${deny}${M}---\n${aliased}`), [deny, aliased]);
    // After `---`: the document as written, without its mark (the parser skips it; the quote used to start
    // with it).
    assert.deepEqual(quotes(`${M}${deny}---\n${M}${allow}`), [deny, allow]);
  });

  test('a problem in the second document: at its line and column as written', async () => {
    const bad = allow.replace('port: 8080', 'port: 0');
    // The document's first line, after its mark, as a flow mapping: a problem on the mark's line.
    const flow = `${M}{apiVersion: networking.k8s.io/v1, kind: NetworkPolicy, metadata: {name: f, namespace: shop}, spec: {podSelector: {}, policyTypes: [ingress]}}\n`;
    for (const parse of [parseManifestText, parseManifestTextExact]) {
      assert.equal(parse(`${M}${deny}---\n${M}${bad}`, 'p.yaml').objects.length, 2);
    }
    const r = await loadText(`${M}${deny}---\n${M}${bad}---\n${flow}`);
    assert.deepEqual(r.errors.map(formatProblem), [
      'policies.yaml:20:11 spec.ingress[0].ports[0].port: must be between 1 and 65535, got 0',
      'policies.yaml:22:134 spec.policyTypes[0]: "ingress" is not a policy type: use "Ingress" or "Egress". Did you mean "Ingress"?',
    ]);
    const plain = await loadText(`${deny}---\n${bad}---\n${flow.slice(1)}`);
    assert.deepEqual(plain.errors.map(formatProblem), [
      'policies.yaml:20:11 spec.ingress[0].ports[0].port: must be between 1 and 65535, got 0',
      'policies.yaml:22:133 spec.policyTypes[0]: "ingress" is not a policy type: use "Ingress" or "Egress". Did you mean "Ingress"?',
    ]);
  });

  test('a syntax error after a mark: at its line and column as written, by both readers', () => {
    const text = `${M}${deny}---\n${M}${allow}  egress: [\n`;
    const fast = parseManifestText(text, 'p.yaml');
    assert.deepEqual(observe(fast), observe(parseManifestTextExact(text, 'p.yaml')));
    assert.equal(fast.objects.length, 1);
    assert.equal(fast.errors.length, 1);
    assert.deepEqual([fast.errors[0]!.line, fast.errors[0]!.code], [22, 'yaml-syntax']);
  });

  test('a mark inside a document is text: a stream without `---` between its documents still says so', () => {
    const r = parseManifestText(`${M}${deny}${M}${allow}`, 'p.yaml');
    assert.deepEqual(r.objects, []);
    assert.deepEqual(r.errors.map(formatProblem), [
      'p.yaml:10:1 invalid YAML: the key "kind" appears twice: is a `---` missing between two documents? Put a line `---` before the second object',
    ]);
    // After a block scalar, before a key: the mark stays in the key, the scalar keeps its text.
    const map = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  a: |\n    x\n';
    for (const parse of [parseManifestText, parseManifestTextExact]) {
      assert.deepEqual(parse(`${map}${M}b: 1\n`, 'p.yaml').objects[0]?.object, {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'c' },
        data: { a: 'x\n' },
        [`${M}b`]: 1,
      });
    }
  });

  test('a block scalar before a marked `---` keeps its text, with either line ending', () => {
    const map = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  a: |+\n    x \n';
    for (const eol of ['\n', '\r\n']) {
      const marked = `${map}${M}---\n${M}${deny}`.replace(/\n/g, eol);
      const unmarked = `${map}---\n${deny}`.replace(/\n/g, eol);
      for (const parse of [parseManifestText, parseManifestTextExact]) {
        const objects = parse(marked, 'p.yaml').objects;
        assert.deepEqual(
          objects.map((o) => o.object),
          parse(unmarked, 'p.yaml').objects.map((o) => o.object),
        );
        // Kept: its trailing space, no space more, and no CR of the line end the mark's CR LF makes.
        assert.equal((objects[0]?.object.data as Record<string, string>).a, 'x \n');
      }
    }
  });
  test('a mark and a marker inside a quoted or flow scalar are text: the document is read as written', () => {
    // Review 7, M1: `\uFEFF...` at the start of a line inside a quoted string is no document end.
    const flow = `{apiVersion: v1, kind: ConfigMap, metadata: {name: a}, data: {k: "a\n${M}...\n b"}}\n`;
    for (const text of [flow, `${deny}---\n${flow}`, `${flow}---\n${M}${deny}`]) {
      const documents = yaml.parseAllDocuments(text.replace(`---\n${M}`, '---\n'));
      assert.deepEqual(
        documents.flatMap((d) => d.errors),
        [],
      );
      const expected = documents.map((d) => d.toJS() as unknown);
      for (const parse of [parseManifestText, parseManifestTextExact]) {
        const r = parse(text, 'c.yaml');
        assert.deepEqual(r.errors.map(formatProblem), []);
        assert.deepEqual(
          r.objects.map((o) => o.object),
          expected,
        );
      }
    }
    // The value as `yaml` folds it: the mark stays in the text.
    assert.equal(
      (parseManifestText(flow, 'c.yaml').objects[0]?.object.data as Record<string, string>).k,
      `a ${M}... b`,
    );
  });
});

describe('a stream of JSON values, each with a mark', () => {
  const ns = (name: string): string =>
    JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });

  test('each value loads, at its place as written (after its mark)', async () => {
    const r = await loadText(`${M}${ns('a')}\n${M}${ns('b')}\n`, 'ns.json');
    const plain = await loadText(`${ns('a')}\n${ns('b')}\n`, 'ns.json');
    assert.deepEqual(r.errors, []);
    assert.deepEqual(
      r.state.namespaces.map((n) => [n.name, n.labels, n.origin?.line, n.origin?.column]),
      [
        ['a', { 'kubernetes.io/metadata.name': 'a' }, 1, 1],
        ['b', { 'kubernetes.io/metadata.name': 'b' }, 2, 2],
      ],
    );
    assert.deepEqual(
      plain.state.namespaces.map((n) => [n.name, n.labels, n.origin?.line, n.origin?.column]),
      [
        ['a', { 'kubernetes.io/metadata.name': 'a' }, 1, 1],
        ['b', { 'kubernetes.io/metadata.name': 'b' }, 2, 1],
      ],
    );
  });

  test('a syntax error in the second value: at its line and column as written', () => {
    const text = `${M}${ns('a')}\n${M}{"apiVersion": "v1",, "kind": "Namespace"}\n`;
    const fast = parseManifestText(text, 'ns.json');
    assert.deepEqual(observe(fast), observe(parseManifestTextExact(text, 'ns.json')));
    assert.deepEqual(
      fast.objects.map((o) => [o.line, o.column]),
      [[1, 1]],
    );
    assert.deepEqual(
      fast.errors.map((e) => [e.code, e.line, e.column]),
      [['json-syntax', 2, 22]],
    );
  });
});
