/**
 * Fuzzing the input adapter (round 17): random bytes, and random edits of the manifests of the examples and the
 * test fixtures, read as a file is read (`decodeManifest`, then `loadSources`, which parses and checks). Whatever
 * the text, reading it must end, throw nothing (bad input is problems, never an exception), and give every
 * problem a file, a line and a column (1-based), so that the CLI prints `file:line:column path: message`.
 * Positions inside the objects read (`locate`, which may read the text again with `yaml`) must not throw either.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { decodeText } from '../../src/parse/decode.ts';
import { loadSources } from '../../src/parse/index.ts';
import type { Problem } from '../../src/model/problem.ts';
import { manifestsUnder, problems } from './helpers.ts';

const ROOT = new URL('../..', import.meta.url).pathname;
/** The run count of each property; NETFENCE_FUZZ_RUNS=50 (say) for a cheap run, e.g. under Stryker. */
const RUNS = Number(process.env.NETFENCE_FUZZ_RUNS ?? 300);
const FILE = 'fuzzed.yaml';

/** The manifests of the examples and the fixtures (those under 20 kB: each is edited and read whole per run). */
const FIXTURES: readonly string[] = [
  ...manifestsUnder(join(ROOT, 'examples')),
  ...manifestsUnder(join(ROOT, 'test/fixtures')),
]
  .filter((path) => statSync(path).size < 20_000)
  .map((path) => readFileSync(path, 'utf8'));

/** What a user's editor, a bad template or a wrong tool puts in a manifest. */
const TOKENS = [
  '[',
  ']',
  '{',
  '}',
  '[[[[[[[[',
  ',',
  ':',
  ': ',
  '- ',
  '? ',
  '#',
  '|',
  '>-',
  '"',
  "'",
  '&a ',
  '*a',
  '&a [*a, *a] ',
  '<<: ',
  '!!binary ',
  '!Ref ',
  '!!set ',
  '%YAML 1.1\n',
  '\n---\n',
  '\n...\n',
  '\t',
  '\0',
  '\r',
  '\r\n',
  '\uFEFF',
  '\u2028',
  '\uD800',
  '\u001b[31m',
  '0',
  '-1',
  '65536',
  '1e400',
  '0x50',
  '99999999999999999999',
  'null',
  '~',
  'true',
  '80.5',
  '::1%eth0/64',
  '10.0.0.0/33',
  '__proto__',
  'constructor',
  'a'.repeat(300),
  '{"a": [1, {"b": null}]}',
];

type Edit = (text: string) => string;

/** One random edit of a text: a token put in or over it, a piece cut or doubled, lines moved or re-indented. */
const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.tuple(fc.nat(), fc.constantFrom(...TOKENS)).map(([at, token]): Edit => (text) => {
    const i = at % (text.length + 1);
    return text.slice(0, i) + token + text.slice(i);
  }),
  fc.tuple(fc.nat(), fc.constantFrom(...TOKENS)).map(([at, token]): Edit => (text) => {
    // Over a value: after a `: ` or a `- `, to the end of the line.
    const starts = [...text.matchAll(/(?::|-) /g)].map((m) => m.index + m[0].length);
    if (starts.length === 0) return text;
    const i = starts[at % starts.length]!;
    const end = text.indexOf('\n', i);
    return text.slice(0, i) + token + (end < 0 ? '' : text.slice(end));
  }),
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 40 })).map(([at, length]): Edit => (text) => {
    const i = at % (text.length + 1);
    return text.slice(0, i) + text.slice(i + length);
  }),
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 200 })).map(([at, length]): Edit => (text) => {
    const i = at % (text.length + 1);
    return text.slice(0, i + length) + text.slice(i, i + length) + text.slice(i + length);
  }),
  fc.tuple(fc.nat(), fc.nat(), fc.integer({ min: -3, max: 3 })).map(([a, b, shift]): Edit => (text) => {
    const lines = text.split('\n');
    const i = a % lines.length;
    const j = b % lines.length;
    [lines[i], lines[j]] = [lines[j]!, lines[i]!];
    const line = lines[i];
    lines[i] = shift >= 0 ? ' '.repeat(shift) + line : line.replace(new RegExp(`^ {0,${-shift}}`), '');
    return lines.join('\n');
  }),
);

/** A fixture's text after one to five random edits. */
const editedFixture: fc.Arbitrary<string> = fc
  .tuple(fc.nat(), fc.array(edit, { minLength: 1, maxLength: 5 }))
  .map(([n, edits]) => edits.reduce((text, f) => f(text), FIXTURES[n % FIXTURES.length]!));

/** How the CLI may read: each option that changes the checks or what is kept. */
interface ReadOptions {
  skipInvalid: boolean;
  strict: boolean;
  keepObjects: boolean;
}

const readOptions: fc.Arbitrary<ReadOptions> = fc.record({
  skipInvalid: fc.boolean(),
  strict: fc.boolean(),
  keepObjects: fc.boolean(),
});

/**
 * Problems that sum up several objects, naming each, and have no one place by design: `left out 2 terminated
 * pods …: jobs/done, jobs/crashed` (test/parse/inputs.test.ts pins it so, files and clusters alike).
 */
const SUMMARIES: ReadonlySet<string> = new Set(['terminated-pods']);

function assertLocated(problem: Problem, text: string): void {
  if (SUMMARIES.has(problem.code) && problem.file === undefined) return;
  const where = `${JSON.stringify(problem)} of ${JSON.stringify(text.length > 400 ? `${text.slice(0, 400)}…` : text)}`;
  assert.equal(problem.file, FILE, where);
  assert.ok(Number.isInteger(problem.line) && problem.line! >= 1, `no line: ${where}`);
  assert.ok(Number.isInteger(problem.column) && problem.column! >= 1, `no column: ${where}`);
  assert.ok(problem.message.trim() !== '', `no message: ${where}`);
}

/** Reads `text` as one file is read; fails on an exception, or on a problem without its place. */
function assertReadsAsData(text: string, options: ReadOptions): void {
  const result = loadSources([{ file: FILE, text }], { defaultNamespace: 'default', ...options });
  for (const problem of [...result.errors, ...result.warnings]) assertLocated(problem, text);
  for (const skipped of result.skipped) {
    assert.equal(skipped.file, FILE);
    assert.ok(Number.isInteger(skipped.line) && skipped.line >= 1, JSON.stringify(skipped));
  }
  // Positions inside the objects read: from the fast reader's events, or `yaml` reading the text again.
  for (const object of result.objects ?? []) {
    for (const path of [['metadata', 'name'], ['spec', 'ingress', 0, 'ports', 0, 'port'], ['nowhere']]) {
      const at = object.locate(path);
      if (at !== undefined) assert.ok(at.line >= 1 && at.column >= 1, JSON.stringify(at));
    }
  }
}

describe('reading any text gives problems with places, never an exception', () => {
  test('random bytes, decoded as a file is', () => {
    assert.ok(FIXTURES.length >= 50, `only ${FIXTURES.length} fixtures`);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), readOptions, (bytes, options) =>
        assertReadsAsData(decodeText(bytes), options),
      ),
      { numRuns: RUNS },
    );
  });

  test('random text, every code point', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), readOptions, (text, options) =>
        assertReadsAsData(text, options),
      ),
      { numRuns: RUNS },
    );
  });

  test('the fixtures after random edits', () => {
    fc.assert(
      fc.property(editedFixture, readOptions, (text, options) => assertReadsAsData(text, options)),
      { numRuns: RUNS * 2 },
    );
  });
});

/** An anchor of nine aliases of an anchor of nine aliases…, `levels` deep: 9^levels values when expanded. */
function aliasBomb(levels: number): string {
  const lines = ['  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
  for (let i = 1; i < levels; i++)
    lines.push(
      `  a${i}: &a${i} [${Array(9)
        .fill(`*a${i - 1}`)
        .join(', ')}]`,
    );
  return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n${lines.join('\n')}\n`;
}

describe('what the fuzzing found (round 17), each a fixed example', () => {
  test('an alias bomb is refused in words that say what to do, not as a "resource exhaustion attack"', () => {
    assert.deepEqual(problems(aliasBomb(10)), [
      'policies.yaml:1:1 invalid YAML: its aliases (*name) expand to too much data (aliases of anchors that hold aliases, a "billion laughs"); write the values out, or use fewer aliases',
    ]);
  });

  test('collections nested thousands deep: said so, not "Maximum call stack size exceeded"', () => {
    for (const [open, close] of [
      ['[', ']'],
      ['{a: ', '}'],
    ] as const) {
      const text = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: ${open.repeat(20_000)}1${close.repeat(20_000)}\n`;
      const found = problems(text);
      assert.equal(found.length, 1, found.join('\n'));
      assert.match(
        found[0]!,
        /^policies\.yaml:4:\d+ invalid YAML: collections nested too deeply to read \(thousands of levels\); a manifest nests a few dozen: check what wrote this file$/,
      );
    }
  });

  test('an alias inside the value its anchor names (a value containing itself) is a problem at the alias, as kubectl refuses it; was a stack overflow out of the reader', () => {
    const service = (spec: string): string =>
      `apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n  namespace: n\nspec:\n${spec}  ports: [{port: 80}]\n`;
    assert.deepEqual(problems(service('  type: &a [*a, *a]\n')), [
      'policies.yaml:7:13 invalid YAML: the alias *a stands inside the value its anchor &a names, so that value would contain itself; write the value out',
    ]);
    assert.deepEqual(problems(service('  selector: &b {x: *b}\n')), [
      'policies.yaml:7:20 invalid YAML: the alias *b stands inside the value its anchor &b names, so that value would contain itself; write the value out',
    ]);
    // An alias of a value that is complete where the alias stands is read as before.
    assert.deepEqual(
      problems(
        'apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n  namespace: n\n  labels: &l {app: x}\nspec:\n  selector: *l\n  ports: [{port: 80}]\n',
      ),
      [],
    );
  });

  test('lone CRs (classic Mac OS line ends) break lines, as YAML 1.2 and kubectl read them', () => {
    const lf =
      'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: web\nspec:\n  podSelector: 3\n';
    assert.deepEqual(problems(lf.replaceAll('\n', '\r')), problems(lf));
    assert.deepEqual(problems(lf), [
      'policies.yaml:6:3 spec.podSelector: must be a mapping (key: value), got 3',
    ]);
    // Mixed with CR LF: each lone CR is one line break, each CR LF another.
    assert.deepEqual(problems(lf.replace('\n', '\r\n').replace('web\n', 'web\r')), problems(lf));
  });
});
