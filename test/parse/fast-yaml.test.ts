/**
 * The hand-written reader (src/parse/fast-yaml.ts) against js-yaml, today's reader and its reference: on every
 * input, either the same values (and the same document and List item starts) or a decline, never a
 * different value; and a decline on every syntax error, so that the error reported stays the exact readers'.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { constructFromEvents, parseEvents } from 'js-yaml';
import { FAST_SCHEMA, readFastYaml, readFastYamlLocated, type FastYaml } from '../../src/parse/fast-yaml.ts';
import { parseManifestText, parseManifestTextExact, readWithJsYaml } from '../../src/parse/documents.ts';
import { isMap } from '../../src/parse/values.ts';
import { MIXES, generateFiles } from '../../bench/generate.ts';
import { manifestTexts } from './arbitraries.ts';
import { manifestsUnder } from './helpers.ts';

const ROOT = new URL('../..', import.meta.url).pathname;
/** The property tests' run counts; NETFENCE_YAML_RUNS=150 (say) for a cheap run, e.g. under Stryker. */
const RUNS = Number(process.env.NETFENCE_YAML_RUNS ?? 1500);
const STYLE_RUNS = Math.ceil((RUNS * 400) / 1500);
const EDIT_RUNS = RUNS * 2;
/** Small texts, cheap: three times as many, for the few of them that show a rare shape (`emptyValueTexts`). */
const EMPTY_RUNS = RUNS * 3;

/** js-yaml's values of `text` (what the fast path read before), or undefined on an error. */
function jsYaml(text: string): unknown[] | undefined {
  try {
    return constructFromEvents(parseEvents(text, {}), { source: text, schema: FAST_SCHEMA });
  } catch {
    return undefined;
  }
}

/**
 * Asserts that the fast reader gives js-yaml's values (and, for every mapping document, where it and its
 * `items` entries start) or declines. Returns whether it read the text.
 */
function assertSameOrDeclined(text: string): boolean {
  const mine = readFastYaml(text);
  // Reading for positions reads the same values (and declines the same texts).
  assert.deepStrictEqual(readFastYamlLocated(text)?.values, mine?.values);
  if (mine === undefined) return false;
  const label = JSON.stringify(text.length > 400 ? `${text.slice(0, 400)}…` : text);
  const reference = readWithJsYaml(text);
  if (reference === undefined) {
    const theirs = jsYaml(text);
    assert.ok(theirs !== undefined, `read what js-yaml rejects: ${label}`);
    assert.deepStrictEqual(mine.values, theirs, label);
    assert.fail(`read a scalar the fast path leaves to js-yaml: ${label}`);
  }
  assert.deepStrictEqual(mine.values, reference.values, label);
  assert.equal(mine.starts.length, reference.starts.length, label);
  // Where a mapping document starts, and its `items` entries that are mappings (the fast path reads no other).
  const objectStarts = (value: unknown, start: FastYaml['starts'][number] | undefined): unknown => {
    const items = isMap(value) && Array.isArray(value.items) ? (value.items as unknown[]) : [];
    return { root: start?.root, items: start?.items.filter((_, j) => isMap(items[j])) };
  };
  for (const [i, value] of mine.values.entries())
    if (isMap(value))
      assert.deepEqual(
        objectStarts(value, mine.starts[i]),
        objectStarts(value, reference.starts[i]),
        `starts of document ${i}: ${label}`,
      );
  return true;
}

/** `assertSameOrDeclined` on `numRuns` random texts (property); returns how many of them were read. */
function readOfRandom(texts: fc.Arbitrary<string>, numRuns: number): number {
  let read = 0;
  fc.assert(
    fc.property(texts, (text) => {
      if (assertSameOrDeclined(text)) read++;
    }),
    { numRuns },
  );
  return read;
}

const manifestFiles = (): string[] => [
  ...manifestsUnder(join(ROOT, 'examples')),
  ...manifestsUnder(join(ROOT, 'test')),
];

/** Scalars YAML readers are known to type differently, and ones that need care to read. */
const TRICKY = [
  ...['yes', 'no', 'on', 'off', 'y', 'n', 'Y', 'N', 'true', 'True', 'TRUE', 'tRUE', 'false', 'FALSE'],
  ...['~', 'null', 'Null', 'NULL', 'nULL', '1e3', '1E3', '1e+3', '1.5e-3', '12e', '1e400', '0o17', '0O17'],
  ...['012', '09', '00', '0x1F', '0X1F', '0xg', '+12', '-0', '-0x1', '0b101', '1_000', '1:20', '.5', '-.5'],
  ...['1.', '12.0', '.inf', '-.inf', '+.INF', '-.Inf', '.nan', '.NaN', '.NAN', '2001-12-14', '12:30:00'],
  ...['9007199254740993', '-', '--', '---', '-a', ':a', '?a', 'a:b', 'a::b', '::/0', '0.0.0.0/0', '<<', '<'],
  ...['a#b', 'a #b', 'a b', 'a,b', 'a]b', 'a}b', '[a]', '{a}', 'é', 'http://x:80/y', 'r.example/db:1'],
  ...['&a', '*a', '!a', '!!str', '|', '>', '%a', '@a', '`a', '#a', 'a: b', '- a', '? a', '...', '__proto__'],
  ...[`'it''s'`, `'a # b'`, `''`, `'''`, `'a`, '"a"', '""', '"a # b"', '"\\u00e9"', '"\\x41"', '"\\/"'],
  ...['"\\t\\n\\r\\0\\a\\b\\e\\v\\f\\ \\"\\\\\\_"', '"\\N"', '"\\L"', '"\\P"', '"\\U0001F600"', '"\\ud800"'],
  ...['"\\q"', '"\\x4"', '"a\\', '"a', "'a'b", '"a"b', '"a":', "'a':"],
];

/** Marks a generated literal block scalar (followed by its lines in JSON). */
const LITERAL = '\u0001literal';
/** Marks a generated empty value: nothing after its `key:` or `-` (but spaces or a comment), a null. */
const EMPTY = '\u0001empty';

/**
 * Random manifest-like texts: random nesting, each node in a random style, with comments and spacing; mappings
 * and lists of up to `maxLength` entries, an empty value `emptyWeight` times as likely as each other kind of
 * scalar.
 */
function yamlTextsOf(shape: { maxLength: number; emptyWeight: number }): fc.Arbitrary<string> {
  // A literal block scalar's lines (rendered by `block` below; `flow` writes it as `x`).
  const literal = fc
    .array(fc.constantFrom('', ' ', '    ', 'x', 'y z', '# c', '  more', 'a: b', '- z', 'end  ', '"q"'), {
      minLength: 1,
      maxLength: 4,
    })
    .map((lines) => `${LITERAL}${JSON.stringify(lines)}`);
  const scalar = fc.oneof(
    literal,
    { arbitrary: fc.constant(EMPTY), weight: shape.emptyWeight },
    fc.constantFrom(...TRICKY),
    fc.string({ maxLength: 6 }),
    fc.integer().map(String),
    fc.double({ noNaN: true }).map(String),
    fc.stringMatching(/^[a-z][a-z0-9.:/#-]{0,8}$/),
  );
  const key = fc.oneof(
    fc.constantFrom('a', 'b', 'name', 'items', 'apiVersion', 'kind', '"q"', "'s'", '1', 'true', 'a b', 'a:b'),
    // An empty key too (`: v`).
    scalar.map((k) => (k === EMPTY ? '' : k)),
  );
  type Tree = string | Tree[] | [string, Tree][];
  const tree = fc.letrec<{ node: Tree; list: Tree[]; map: [string, Tree][] }>((tie) => ({
    node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('list'), tie('map')),
    list: fc.array(tie('node'), { maxLength: shape.maxLength }),
    map: fc.array(fc.tuple(key, tie('node')), { maxLength: shape.maxLength }),
  })).map;
  const style = fc.record({
    indent: fc.integer({ min: 1, max: 4 }),
    indentless: fc.boolean(),
    flow: fc.double({ min: 0, max: 1, noNaN: true }),
    comments: fc.boolean(),
    trailing: fc.constantFrom('', ' ', '  '),
    crlf: fc.boolean(),
    start: fc.constantFrom('', '---\n', '--- # c\n', '# c\n---\n'),
    // The last line's break, or none: the text may end right after a `key:`.
    end: fc.constantFrom('\n', ''),
    seed: fc.integer(),
  });
  return fc.tuple(fc.array(tree, { minLength: 1, maxLength: 3 }), style).map(([documents, s]) => {
    let r = s.seed;
    const coin = (p: number): boolean => {
      r = (Math.imul(r, 1103515245) + 12345) | 0;
      return ((r >>> 8) & 0xffff) / 0x10000 < p;
    };
    const isMapTree = (t: Tree): t is [string, Tree][] =>
      Array.isArray(t) &&
      t.length > 0 &&
      t.every((e) => Array.isArray(e) && e.length === 2 && typeof e[0] === 'string' && coin(1));
    const flow = (t: Tree): string => {
      if (t === EMPTY) return '';
      if (typeof t === 'string') return t.startsWith(LITERAL) ? 'x' : t;
      if (t.length > 0 && isMapTree(t) && coin(0.5))
        return `{${t.map(([k, v]) => `${k}: ${flow(v)}`).join(', ')}}`;
      return `[${t.map(flow).join(coin(0.2) ? ',' : ', ')}]`;
    };
    const lines: string[] = [];
    const comment = (): string => (s.comments && coin(0.3) ? ' # c' : '');
    const block = (t: Tree, pad: number, prefix: string): void => {
      // `prefix` is what comes before the node on its first line (`key:` or `-`).
      if (t === EMPTY) {
        // Nothing after it: the line break (LF or CRLF) or the end of the text follows at once, or spaces, or a
        // comment (after a space, or at once: `k:#c` is a plain scalar).
        const after = coin(0.5) ? '' : coin(0.5) ? s.trailing : s.comments ? (coin(0.5) ? ' # c' : '#c') : '';
        lines.push(`${prefix}${after}`);
        return;
      }
      if (typeof t === 'string' && t.startsWith(LITERAL)) {
        const odd = ['| # c', '|+', '>', '|2', '|  ', '|#c'];
        const header = coin(0.8) ? (coin(0.5) ? '|' : '|-') : odd[(r >>> 4) % odd.length];
        lines.push(`${prefix} ${header}`);
        const at = pad + s.indent + (coin(0.2) ? 1 : 0);
        for (const line of JSON.parse(t.slice(LITERAL.length)) as string[])
          lines.push(line === '' ? '' : ' '.repeat(at) + line);
        return;
      }
      if (typeof t === 'string' || t.length === 0 || coin(s.flow * 0.5)) {
        lines.push(`${prefix} ${flow(t)}${s.trailing}${comment()}`);
        return;
      }
      const inner = pad + s.indent;
      if (isMapTree(t)) {
        lines.push(`${prefix}${comment()}`);
        for (const [k, v] of t) block(v, inner, `${' '.repeat(inner)}${k}:`);
      } else {
        lines.push(`${prefix}${comment()}`);
        const at = s.indentless && prefix.endsWith(':') ? pad : inner;
        for (const v of t) block(v, at, `${' '.repeat(at)}-`);
      }
    };
    const texts = documents.map((d) => {
      lines.length = 0;
      if (s.comments) lines.push('# a comment');
      for (const [k, v] of d) block(v, 0, `${k}:`);
      return lines.join('\n');
    });
    const text = s.start + texts.join('\n---\n') + s.end;
    return s.crlf ? text.replaceAll('\n', '\r\n') : text;
  });
}

const yamlTexts = yamlTextsOf({ maxLength: 4, emptyWeight: 1 });
/**
 * Mostly documents and list entries of one key, often with an empty value: `k:` then at once a line break (LF or
 * CRLF), the end of the text, spaces or a comment. (A `:` before CRLF taken for a character read `k:\r\n` as
 * the string "k:": 1 text in 1,000 of `yamlTexts` shows it, 1 in 50 of these.)
 */
const emptyValueTexts = yamlTextsOf({ maxLength: 1, emptyWeight: 10 });

describe('the fast YAML reader equals js-yaml or declines', () => {
  test('on every YAML and JSON file of the examples and tests, and reads most of them', () => {
    const files = manifestFiles();
    assert.ok(files.length >= 100, `only ${files.length} files found`);
    let read = 0;
    for (const file of files) if (assertSameOrDeclined(readFileSync(file, 'utf8'))) read++;
    assert.ok(read / files.length > 0.8, `read ${read} of ${files.length}`);
  });

  test('on the benchmark clusters, every mix at T0 and T1, reading every file', () => {
    for (const tier of ['T0', 'T1'] as const)
      for (const mix of MIXES)
        for (const file of generateFiles({ tier, mix, seed: 1 }))
          assert.ok(assertSameOrDeclined(file.text), `declined ${tier} ${mix} ${file.path}`);
  });

  test('on tricky scalars as values, keys, list entries and flow entries', () => {
    let read = 0;
    for (const v of TRICKY) {
      const texts = [
        `a: ${v}\n`,
        `a: ${v} # c\n`,
        `a: ${v}  \r\nb: 1\r\n`,
        `${v}: a\n`,
        `- ${v}\n- b\n`,
        `a: [${v}, b]\n`,
        `a: {k: ${v}}\n`,
        `a: {${v}: b}\n`,
        `a:\n  ${v}\n`,
      ];
      for (const text of texts) if (assertSameOrDeclined(text)) read++;
    }
    assert.ok(read > TRICKY.length * 3, `read only ${read}`);
  });

  test('on documents, indentation, comments and flow collections', () => {
    const texts = [
      '',
      '# c\n',
      '---',
      '---\n---\na: 1',
      'a: 1\n---\n',
      'a: 1\n---  \n# c\n',
      '--- # c\na: 1',
      '--- a\n',
      '...\n',
      'a: 1\n...\n',
      '  a: 1\n  b: 2\n',
      '  a: 1\n b: 2\n',
      'a:\n- 1\n- 2\nb: 3',
      'a:\n  - 1\n  - 2\nb: 3',
      'a:\n  - 1\n - 2\n',
      '- a: 1\n  b: 2\n-\n- \n  - x',
      '- - a\n  - b\n- c',
      '-   a: 1\n    b: 2\n-   c: 3',
      '-   a: 1\n  b: 2',
      '- a:\n  - x\n  b: 1',
      'a: b\n  c',
      'a:\n  b\n  c\n',
      'a: b: c',
      'a : 1',
      '"a" : 1',
      '"a":1',
      '\'a\': 1\n"b": 2',
      'a:\n  b: 1\n c: 2',
      'a: 1\na: 2',
      'a: 1\n"a": 2',
      '1: a\n"1": b',
      'a: "b"c',
      'a: "b"#c',
      "a: 'x\n  y'",
      'a: "x\n  y"',
      'a: "x\\\n  y"',
      'a: |\n  x\n',
      'a: |\n  x\n  y\nb: 1',
      'a: |-\n  x\n\n   y\n\nb: 1',
      'a: |\n  x\n  # c\n# d\nb: 1',
      '- |\n  x\n- |-\n  y\n',
      'a:\n- |\n  x\n',
      'a: | # c\n  x\n',
      'a: |# c\n  x\n',
      'a: |\n\n  x\n',
      'a: |\n   \n  x\n',
      'a: |\n  x\n   \n',
      'a: |\n  x\r\n  y\r\nb: 1\r\n',
      'a: |\nb: 1',
      'a: |2\n  x',
      'a: |+\n  x\n\n',
      'a: |-2\n  x',
      'a:\n  b: |\n    x\n  c: 1\n',
      'a: |\n x\n',
      'a:\n  |\n   x\n',
      '- - |\n    x\n',
      'a: |\n  x\n---\nb: 1\n',
      'a: |\n    x\n  y\n',
      '|\n x\n',
      'a: >\n  x\n',
      'a: &x 1\nb: *x',
      'a: !!str 1',
      '<<: {a: 1}\nb: 2',
      '? a\n: b',
      '%YAML 1.2\n---\na: 1',
      'a:\tb',
      'a: b\r',
      'a: b\rc: d',
      '\uFEFFa: 1',
      'a: \u0085',
      'a: \u2028',
      'a: 😀',
      'a: [1, 2,]',
      'a: [1,,2]',
      'a: [1,\n2]',
      'a: [1,\n 2]',
      'a: [\n  1\n]',
      '[a\n]',
      '[a\n b]',
      '{a: 1,\n b: [2,\n  3]}\n',
      '{\n  "a": 1,\n  "b": [\n    "x"\n  ]\n}\n',
      '{"a":1,"b":"c","d":[1,2,{"e":null}]}',
      '{"a": 1}\n{"b": 2}\n',
      'a: {b}',
      'a: {b: }',
      'a: {b: , c: 1}',
      'a: [a: b]',
      'a: {[a]: b}',
      'a: [b] c',
      'a: [b] # c',
      'a: [b]#c',
      'a: {b: c} d: e',
      'a: [# c\n b]',
      'a: [b, # c\n  c]',
      'a: [\n---\n]',
      'a:\n  - b\n  -c',
      'a: b\n- c',
      '- a\nb: c',
      '- a\n  b',
      `${'k'.repeat(1100)}: 1`,
      `a: 1${'0'.repeat(300)}`,
      `a: ${'x'.repeat(300)}`,
      'apiVersion: v1\nkind: List\nitems:\n- a: 1\n-   b: 2\n- {c: 3}\n',
      'apiVersion: v1\nkind: List\nitems:\n  - a: 1\n  - b: 2\n',
      'apiVersion: v1\nkind: List\nitems: [{a: 1}]\n',
      'apiVersion: v1\nkind: List\nitems: []\n',
      'apiVersion: v1\nkind: List\nitems:\n',
      'apiVersion: v1\nkind: List\nitems:\n-\n  a: 1\n',
    ];
    for (const text of texts) assertSameOrDeclined(text);
  });

  test('on many distinct scalars of one length, in one text and from text to text (the caches collide)', () => {
    // More distinct scalars than the caches have entries: entries are replaced, and a scalar must never take
    // another's value (same length, same entry). Numbers and strings of the same length are mixed.
    const texts = [0, 1].map((t) =>
      [
        ...Array.from(
          { length: 6000 },
          (_, i) => `k${String(i + t * 3000).padStart(5, '0')}: v${String(i * 7 + t).padStart(5, '0')}`,
        ),
        'list:',
        ...Array.from(
          { length: 6000 },
          (_, i) =>
            `- ${i % 3 === 0 ? String(100000 + i * 13 + t) : `x${String(i * 11 + t).padStart(5, '0')}`}`,
        ),
        '',
      ].join('\n'),
    );
    for (const text of texts) assert.ok(assertSameOrDeclined(text), 'declined');
    for (const text of texts) assert.ok(assertSameOrDeclined(text), 'declined');
  });

  test('nesting deeper than the stack is declined, and read as before', () => {
    const deep = `apiVersion: v1\nkind: X\nspec: ${'['.repeat(20000)}${']'.repeat(20000)}\n`;
    assert.equal(readFastYaml(deep), undefined);
    const fast = parseManifestText(deep, 'in.yaml');
    const exact = parseManifestTextExact(deep, 'in.yaml');
    // (Where the stack ran out, the column of the error, depends on what was on the stack.)
    const seen = (r: typeof fast): unknown => [r.objects.length, r.errors.map((e) => [e.code, e.message])];
    assert.deepEqual(seen(fast), seen(exact));
  });

  test('on random manifests in many styles (property)', () => {
    const read = readOfRandom(yamlTexts, RUNS);
    // Not only declines: a fair share of the texts is read, so their values are compared (about a fifth of
    // them in most draws; the floor leaves room for the draw's variance, one draw read 298).
    assert.ok(read > RUNS * 0.1, `read ${read} of ${RUNS}`);
  });

  test('on random documents and list entries of one key, many of them empty (property)', () => {
    const read = readOfRandom(emptyValueTexts, EMPTY_RUNS);
    // About three in five are read.
    assert.ok(read > EMPTY_RUNS * 0.3, `read ${read} of ${EMPTY_RUNS}`);
  });

  test('on random objects written by the `yaml` package in every style (property)', () => {
    const read = readOfRandom(manifestTexts, STYLE_RUNS);
    assert.ok(read > STYLE_RUNS * 0.5, `read ${read} of ${STYLE_RUNS}`);
  });

  test('on manifests with one character inserted, deleted or replaced (property: syntax errors decline)', () => {
    const base = [
      ...[...generateFiles({ tier: 'T0', mix: 'microseg', seed: 2 })].map((f) => f.text.slice(0, 3000)),
      // Flow collections, quotes, escapes, literal blocks, JSON, CRLF.
      "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, labels: {app: \"x y\", tier: 'it''s'}}\n" +
        'data:\n  f: |\n    line one\n\n    # not a comment\n  g: |-\n    x: y\n  h: "a\\tb\\u00e9" # c\n' +
        '  i: [0.0.0.0/0, "::/0", 80, -1.5e3, ~, true]\n---\n- a\n- - b\n  - c: d\n    e: []\n',
      '{\r\n  "apiVersion": "v1",\r\n  "kind": "List",\r\n  "items": [\r\n    {"kind": "Pod", "spec": {"a": [1, 2]}}\r\n  ]\r\n}\r\n',
    ];
    let read = 0;
    const chars = [
      ' ',
      '\n',
      ':',
      '-',
      '#',
      '"',
      "'",
      '[',
      ']',
      '{',
      '}',
      ',',
      '|',
      '>',
      '&',
      '*',
      '!',
      '?',
      'x',
      '0',
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...base),
        fc.nat(),
        fc.constantFrom(...chars),
        fc.constantFrom('insert', 'delete', 'replace'),
        (text, at, ch, op) => {
          const i = at % text.length;
          const edited =
            op === 'insert'
              ? text.slice(0, i) + ch + text.slice(i)
              : op === 'delete'
                ? text.slice(0, i) + text.slice(i + 1)
                : text.slice(0, i) + ch + text.slice(i + 1);
          if (assertSameOrDeclined(edited)) read++;
        },
      ),
      { numRuns: EDIT_RUNS },
    );
    assert.ok(read > EDIT_RUNS * 0.5, `read ${read} of ${EDIT_RUNS}`);
  });
});
