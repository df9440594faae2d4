/**
 * `parseManifestText` reads ordinary manifests with a fast reader (js-yaml) and builds the `yaml` nodes only
 * when a position or node is asked for; `parseManifestTextExact` reads everything with `yaml`. Both must give
 * the same objects, positions, problems and nodes, on every input: these tests compare them.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseManifestText, parseManifestTextExact } from '../../src/parse/documents.ts';
import type { FieldPath } from '../../src/model/problem.ts';
import type { ParseResult } from '../../src/parse/types.ts';
import { MIXES, generateFiles } from '../../bench/generate.ts';
import { cases } from './invalid-cases.ts';
import { manifestTexts } from './arbitraries.ts';
import { manifestsUnder } from './helpers.ts';

const ROOT = new URL('../..', import.meta.url).pathname;

/** Every field path of a value (objects and lists), depth first. */
function fieldPaths(value: unknown, prefix: FieldPath = []): FieldPath[] {
  const out: FieldPath[] = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...fieldPaths(v, [...prefix, i])));
  else if (typeof value === 'object' && value !== null)
    for (const [k, v] of Object.entries(value)) out.push(...fieldPaths(v, [...prefix, k]));
  return out;
}

/** What a caller can observe of a parse result, with every field's position and source text. */
function observe(r: ParseResult, deep: boolean): unknown {
  return {
    objects: r.objects.map((o) => ({
      object: o.object,
      apiVersion: o.apiVersion,
      kind: o.kind,
      at: [o.file, o.line, o.column],
      documentIndex: o.documentIndex,
      documentPath: o.documentPath,
      fields: (deep ? fieldPaths(o.object) : [['kind'], ['metadata', 'name'], ['spec']]).map((p) => [
        p,
        o.locate(p),
        o.sourceText(p),
        o.nodeAt(p)?.range,
      ]),
      node: o.node?.range,
      documentErrors: o.document?.errors.length,
    })),
    errors: r.errors,
    warnings: r.warnings,
    nonK8sDocuments: r.nonK8sDocuments,
  };
}

function assertSameAsExact(text: string, file = 'in.yaml', deep = true): void {
  assert.deepEqual(
    observe(parseManifestText(text, file), deep),
    observe(parseManifestTextExact(text, file), deep),
    JSON.stringify(text.length > 300 ? `${text.slice(0, 300)}…` : text),
  );
}

describe('the fast reader equals the yaml reader', () => {
  test('on every manifest in the examples and test fixtures', () => {
    const files = [...manifestsUnder(join(ROOT, 'examples')), ...manifestsUnder(join(ROOT, 'test/fixtures'))];
    assert.ok(files.length >= 50, `only ${files.length} files found`);
    for (const file of files) assertSameAsExact(readFileSync(file, 'utf8'), file, false);
  });

  test('on every case of the bad-input table', () => {
    for (const c of cases) assertSameAsExact(c.input, 'policies.yaml');
  });

  test('on the synthetic clusters of the benchmark, every mix', () => {
    for (const mix of MIXES)
      for (const file of generateFiles({ tier: 'T0', mix, seed: 3 }))
        assertSameAsExact(file.text, file.path, false);
  });

  test('on scalars that YAML readers are known to read differently', () => {
    const scalars = [
      ...['0x1F', '0o17', '017', '00', '09', '1_000', '+12', '-0', '-0x1', '0b101', '1:20', '0O17', '0X1F'],
      ...['.5', '-.5', '1.', '12.0', '1e3', '1E3', '1.5e-3', '12e', '1e400', '-1e400', '9007199254740993'],
      ...['.inf', '-.Inf', '+.INF', '.NaN', '~', 'Null', 'NULL', 'null', ''],
      ...['yes', 'no', 'on', 'off', 'y', 'n', 'True', 'TRUE', 'tRUE', 'False', '2001-12-14'],
      ...[
        '"\\u00e9"',
        '"\\U0001F600"',
        '"\\x41"',
        '"\\N"',
        '"\\e"',
        '"\\/"',
        '"a\\tb"',
        `'it''s'`,
        '""',
        `''`,
      ],
      ...['a #c', 'a#b', 'é', '[1, 2, {b: c}]', '{b: }', '"a\n\n  b"', `'a\n  b'`, 'a\n  b'],
      ...['|\n  x\n  y\n', '>-\n  x\n  y\n', '|+\n  x\n\n', '>\n  x\n\n  y\n'],
    ];
    for (const v of scalars) {
      const plainKey = /^[\w.+-]+$/.test(v) ? `\n  ${v}: key` : '';
      assertSameAsExact(
        `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: ${v}${plainKey}\n`,
      );
    }
  });

  test('on document streams, Lists, JSON, line endings and broken input', () => {
    const documents = [
      'apiVersion: v1\r\nkind: ConfigMap\r\nmetadata:\r\n  name: x\r\ndata:\r\n  a: "b"\r\n',
      '# c\n---\n# d\napiVersion: v1\nkind: ConfigMap\n...\n---\n---\n  apiVersion: v1\n  kind: Namespace\n',
      '--- {apiVersion: v1, kind: Namespace, metadata: {name: a}}\n--- [1,2]\n',
      'apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Namespace\n- {apiVersion: v1, kind: Namespace}\n',
      'apiVersion: v1\nkind: NamespaceList\nitems:\n- metadata: {name: a}\n-   metadata:\n      name: b\n',
      'apiVersion: v1\nkind: List\nitems: []\n',
      'apiVersion: v1\nkind: List\n',
      'apiVersion: v1\nkind: List\nitems:\n- 3\n',
      'apiVersion: v1\nkind: X\nspec:\n  <<: {a: 1, b: 2}\n  b: 3\n',
      'apiVersion: v1\nkind: X\nspec:\n  a: 1\n  a: 2\n',
      'apiVersion: v1\nkind: X\nspec: &s {a: 1}\nother: *s\n',
      '%YAML 1.2\n---\napiVersion: v1\nkind: X\n',
      'apiVersion: v1\nkind: X\nport: !!str 80\n',
      'apiVersion: v1\nkind: X\n? spec\n: 1\n',
      '{"apiVersion": "v1", "kind": "X", "a": {"b": [1, 2.5, null, true]}}',
      '{"apiVersion": "v1", "kind": "X"}\n{"apiVersion": "v1", "kind": "Y"}\n',
      '\uFEFFapiVersion: v1\nkind: X\n',
      '',
      '# only a comment\n',
      'apiVersion: v1\nkind: X\nmetadata:\n  name: "unterminated\n',
      'apiVersion: v1\nkind: X\n  bad: indent\n',
      'apiVersion: v1\nkind: X\n\tspec: {}\n',
      'apiVersion: 1\nkind: X\n',
      'kind: X\n',
      'foo: bar\n',
      'apiVersion: v1\nkind: X\n---\nfoo: bar\n',
      '- a\n- b\n',
      'apiVersion: v1\nkind: X\na: b: c\n',
      'apiVersion: v1\nkind: X\nx: @foo\n',
      'apiVersion: v1\nkind: X\nx: [a, b,]\n',
      'apiVersion: v1\nkind: X\n__proto__: {a: 1}\n',
      'apiVersion: v1\nkind: X\n~: 1\n',
    ];
    // Found by review: lone CRs, leading or repeated `...`, keys past 1024 characters, numbers beyond a
    // double without a long exponent, \U beyond U+10FFFF, two BOMs.
    const pod = 'apiVersion: v1\nkind: Pod\n';
    documents.push(
      'apiVersion: v1\r\r\nkind: Pod\r\r\nmetadata:\r\r\n  name: a\r\r\n',
      'apiVersion: v1\r\nkind: Pod\r\nspec: a\r',
      `${pod}spec: a\r`,
      'apiVersion: v1\rkind: Pod\rmetadata:\r  name: a\r',
      `...\n${pod}`,
      `${pod}...\n...\napiVersion: v1\nkind: Service\n`,
      `${pod}---\n...\n...\napiVersion: v1\nkind: Service\n`,
      `${pod}${'a'.repeat(1100)}: 1\n`,
      `${pod}spec:\n  - ${'b'.repeat(1100)}: 1\n`,
      `${pod}spec: [${'c'.repeat(1100)}: 1]\n`,
      `${pod}spec: {1e400: a}\n`,
      `${pod}spec:\n  1e400: a\n`,
      `${pod}spec: 1${'0'.repeat(310)}\n`,
      `${pod}spec: 1${'0'.repeat(250)}e99\n`,
      `${pod}spec: 0x${'f'.repeat(260)}\n`,
      `${pod}spec: "\\U00110000"\n`,
      `\uFEFF\uFEFF${pod}`,
    );
    // What the full-parser-only patterns look for, inside scalars, comments and literal block scalars, where
    // the hand-written reader reads it (it declines the rest itself).
    documents.push(
      `${pod}a: b!c\nb: "!x"\nc: 'x!'\nd: b # !tag &a *b ? c : d %e\n`,
      `${pod}data:\n  f: |\n    !x\n    &y *z\n    ? q\n    : r\n    %d\n    __proto__: 1\n    \\U0001\n    ...\n`,
      `${pod}a: b &c *d\nb: [b &c, d*]\nc: b ? c\nd: x :y\ne: __proto__\nf: '\\U0001F600'\ng: \\U1\n`,
      `${pod}a: "x # : y"\nb: x#:y\n# % ! & * ? : __proto__ \\U ...\n`,
      `${pod}a: 1e400\n`,
      `${pod}spec: [x, 1e999]\n`,
      `${pod}spec:\n  null: 1\n`,
      `${pod}spec:\n  ~: 1\n`,
      `${pod}spec: {Null: 1}\n`,
    );
    for (const text of documents) assertSameAsExact(text);
    const ns = (name: string) => `{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"${name}"}}`;
    const streams = [
      `${ns('a')}\n${ns('b')}\n${ns('c')}\n`,
      `  ${ns('a')}${ns('b')}\n\n\n  ${ns('c')}`,
      `${ns('a')}\n{"apiVersion":"v1","kind":"List","items":[${ns('b')}]}\n`,
      `${ns('a')}\n{"apiVersion":"v1","kind":"X","a":1,"a":2}\n`,
      `${ns('a')}\n{"apiVersion":"v1","kind":"X",}\n`,
      `${ns('a')}\n{"kind":"X"}\n`,
      `${ns('a')}\n[${ns('b')}]\n`,
      `${ns('a')}\n{"apiVersion":"v1","kind":"X","s":"}{\\"\\n"}\n${ns('b')}`,
      `${ns('a')}\n${ns('b')}\ntrailing`,
    ];
    for (const text of streams) for (const file of ['in.json', 'in.yaml']) assertSameAsExact(text, file);
  });

  test('where a full-parser-only pattern meets the start or the end of the text, or a space', () => {
    // Each pattern's `^`, `$` and character classes, at the text's first or last character (issue #20, round
    // 13: a pattern without one of them sent these texts to a fast reader that reads them otherwise).
    const ns = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n';
    const data = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n';
    const texts = [
      `&a ${ns}`, // an anchor at the start
      `${ns}?`, // explicit keys: a `?` last, alone on its line or indented
      `${data}  ?`,
      `${data}  a: 1\n  ?`,
      `${data}  ? \n`, // … followed by a space: an empty explicit key
      `: a\n${ns}`, // empty keys: first, last, before a non-blank
      `${ns}:`,
      `${data}  a: 1\n  :`,
      `${data}  : a\n`,
      `${data}  x: [a, : b]\n`,
      `${data}  x: {: b}\n`,
      `~: a\n${ns}`, // null keys: first, last
      `null: a\n${ns}`,
      `${data}  null:`,
      `1e999: a\n${ns}`, // numbers beyond a double: first, last, several digits before the exponent, a sign in it, before a space
      `${data}  a: 12e999\n`,
      `${data}  a: .5e999\n`,
      `${data}  a: 1e+999\n`,
      `${data}  a: 1e999`,
      `${data}  a: 1e999 # c\n`,
      `${data}  a: [1e999 ]\n`,
      `... \n${ns}`, // a leading document end marker followed by a space or a comment
      `... # c\n${ns}`,
      '---  # c\n\uFEFF---  # c\n', // a byte order mark before a marker line with two spaces before its comment
      `  \n\uFEFFa: b\n${ns}`, // … after a blank line
    ];
    for (const text of texts) assertSameAsExact(text);
  });

  test('on random objects written in every YAML style (property)', () => {
    fc.assert(
      fc.property(manifestTexts, (text) => assertSameAsExact(text)),
      { numRuns: Math.ceil((Number(process.env.NETFENCE_YAML_RUNS ?? 1500) * 200) / 1500) },
    );
  });

  test('neither reader prints warnings of its own (a collection as a key)', async () => {
    const warnings: string[] = [];
    const listener = (w: Error): void => void warnings.push(w.message);
    process.on('warning', listener);
    try {
      const text = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  [a, b]: c\n';
      parseManifestText(text, 'in.yaml');
      parseManifestTextExact(text, 'in.yaml');
      await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on the next tick
    } finally {
      process.off('warning', listener);
    }
    assert.deepEqual(warnings, []);
  });
});
