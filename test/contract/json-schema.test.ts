/**
 * docs/json-schema.md against src/contract/: every documented JSON example must type-check as the contract's
 * type for its command, so that the page and the types (which the formatters, the server and the UI are
 * compiled against) cannot drift apart. And the contract stays type-only: it compiles to nothing.
 *
 * The examples are JSONC with two kinds of elision: comments, and `"…"`. An object holding a `"…"` key or a
 * block comment (`{ /* the same shape *\/ }`) lists only some of its fields: it is checked as a `Partial` of
 * its type, so the fields it shows must still exist and have the right types. A `"…"` item among objects
 * stands for more of them and is left out; among strings it is a string like the others.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DOC = 'docs/json-schema.md';
const CONTRACT = join(ROOT, 'src', 'contract');

/** The contract type of each section's examples: `[module, type]`. */
const TYPES: Readonly<Record<string, readonly [string, string]>> = {
  analyze: ['analyze.ts', 'AnalyzeJson'],
  diff: ['diff.ts', 'DiffJson'],
  drift: ['drift.ts', 'DriftJson'],
  paths: ['paths.ts', 'PathsJson'],
  explain: ['explain.ts', 'ExplainJson'],
  exposure: ['exposure.ts', 'ExposureJson'],
  test: ['test.ts', 'TestJson'],
  lint: ['lint.ts', 'LintJson'],
  map: ['flows.ts', 'MapJson'],
  generate: ['generate.ts', 'GenerateJson'],
  'check-flows': ['flows.ts', 'CheckFlowsJson'],
  'check-flows --verdicts': ['flows.ts', 'CheckFlowsVerdictsJson'],
  apply: ['apply.ts', 'ApplyJson'],
  rollback: ['apply.ts', 'RollbackJson'],
};

interface Example {
  section: string;
  /** 1-based line of the example's first line in the doc. */
  line: number;
  text: string;
}

/** The ```jsonc blocks of the doc, with the `## ` section each is under. */
function examples(markdown: string): Example[] {
  const out: Example[] = [];
  const lines = markdown.split('\n');
  let section = '';
  for (let i = 0; i < lines.length; i++) {
    const heading = /^## `?([^`]+)`?\s*$/.exec(lines[i]!);
    if (heading !== null) section = heading[1]!;
    if (lines[i] !== '```jsonc') continue;
    const end = lines.indexOf('```', i + 1);
    assert.ok(end > i, `${DOC}:${i + 1}: the code block does not end`);
    out.push({ section, line: i + 2, text: lines.slice(i + 1, end).join('\n') });
    i = end;
  }
  return out;
}

type Value =
  | { kind: 'object'; entries: [string, Value][]; partial: boolean }
  | { kind: 'array'; items: Value[] }
  /** A string, number, true, false or null, as written (JSON's literals are TypeScript's). */
  | { kind: 'literal'; text: string };

const ELLIPSIS = '"…"';

/** Parses JSONC documents, one after the other; a block comment inside an object makes it partial. */
function parseDocuments(text: string, where: string): Value[] {
  let pos = 0;
  const open: Value[] = [];
  const fail = (message: string): never => {
    const line = text.slice(0, pos).split('\n').length;
    throw new Error(`${where}, line ${line} of the example: ${message}`);
  };
  /** The next token, past blanks and comments. */
  const peek = (): string => {
    for (;;) {
      const rest = text.slice(pos);
      const blank = /^\s+/.exec(rest);
      if (blank !== null) pos += blank[0].length;
      else if (rest.startsWith('//'))
        pos = text.indexOf('\n', pos) < 0 ? text.length : text.indexOf('\n', pos);
      else if (rest.startsWith('/*')) {
        const end = text.indexOf('*/', pos);
        if (end < 0) fail('unterminated comment');
        pos = end + 2;
        const top = open.at(-1);
        if (top?.kind === 'object') top.partial = true;
      } else break;
    }
    const rest = text.slice(pos);
    const token = /^(?:"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null|[{}[\]:,])/.exec(
      rest,
    );
    if (token === null) return rest === '' ? '' : fail(`unexpected "${rest.slice(0, 20)}"`);
    return token[0];
  };
  const take = (expected?: string): string => {
    const token = peek();
    if (expected !== undefined && token !== expected) fail(`expected ${expected}, got "${token}"`);
    pos += token.length;
    return token;
  };
  const value = (): Value => {
    const token = take();
    if (token === '{') {
      const object: Value = { kind: 'object', entries: [], partial: false };
      open.push(object);
      while (peek() !== '}') {
        const key = take();
        if (!key.startsWith('"')) fail(`expected a key, got "${key}"`);
        take(':');
        const v = value();
        if (key === ELLIPSIS) object.partial = true;
        else object.entries.push([JSON.parse(key) as string, v]);
        if (peek() === ',') take(',');
        else if (peek() !== '}') fail(`expected , or }, got "${peek()}"`);
      }
      take('}');
      open.pop();
      return object;
    }
    if (token === '[') {
      const array: Value = { kind: 'array', items: [] };
      open.push(array);
      while (peek() !== ']') {
        array.items.push(value());
        if (peek() === ',') take(',');
        else if (peek() !== ']') fail(`expected , or ], got "${peek()}"`);
      }
      take(']');
      open.pop();
      const isString = (v: Value): boolean => v.kind === 'literal' && v.text.startsWith('"');
      if (!array.items.every(isString)) {
        array.items = array.items.filter((v) => !(v.kind === 'literal' && v.text === ELLIPSIS));
      }
      return array;
    }
    if (/^[{}[\]:,]$/.test(token) || token === '') fail(`unexpected "${token}"`);
    return { kind: 'literal', text: token };
  };
  const documents: Value[] = [];
  while (peek() !== '') documents.push(value());
  return documents;
}

/** The value as a TypeScript expression; a partial object is checked against its contextual type's `Partial`. */
function expression(v: Value, indent = ''): string {
  const inner = `${indent}  `;
  switch (v.kind) {
    case 'literal':
      return v.text;
    case 'array':
      return `[\n${v.items.map((x) => `${inner}${expression(x, inner)},\n`).join('')}${indent}]`;
    case 'object': {
      const body = `{\n${v.entries.map(([k, x]) => `${inner}${JSON.stringify(k)}: ${expression(x, inner)},\n`).join('')}${indent}}`;
      return v.partial ? `partial(${body})` : body;
    }
  }
}

interface Checked {
  /** The example, by section and line in the doc. */
  name: string;
  type: string;
  document: Value;
}

/** Type-checks each document as its type, in one program; the diagnostics of each, by name. */
function typeCheck(checked: readonly Checked[]): Map<string, string[]> {
  const file = join(ROOT, 'test', 'contract', '__json_schema_examples__.ts');
  const modules = new Map<string, Set<string>>();
  for (const c of checked) {
    const [module, type] = TYPES[c.type]!;
    if (!modules.has(module)) modules.set(module, new Set());
    modules.get(module)!.add(type);
  }
  const lines = [
    ...[...modules].map(
      ([m, types]) => `import type { ${[...types].join(', ')} } from '../../src/contract/${m}';`,
    ),
    '/** Only the fields shown; the type comes from where the value stands (`NoInfer`). */',
    'declare function partial<T>(fields: NoInfer<Partial<T>>): T;',
  ];
  const spans: { name: string; from: number; to: number }[] = [];
  checked.forEach((c, i) => {
    const from = lines.length;
    lines.push(...`export const example${i}: ${TYPES[c.type]![1]} = ${expression(c.document)};`.split('\n'));
    spans.push({ name: c.name, from, to: lines.length });
  });
  const source = lines.join('\n');

  const config = ts.readConfigFile(join(ROOT, 'tsconfig.json'), (p) => ts.sys.readFile(p));
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT);
  const options: ts.CompilerOptions = { ...parsed.options, types: [], noEmit: true };
  const base = ts.createCompilerHost(options);
  const host: ts.CompilerHost = {
    ...base,
    getSourceFile: (name, language, ...rest) =>
      name === file
        ? ts.createSourceFile(name, source, language, true)
        : base.getSourceFile(name, language, ...rest),
    fileExists: (name) => name === file || base.fileExists(name),
    readFile: (name) => (name === file ? source : base.readFile(name)),
  };
  const program = ts.createProgram([file], options, host);
  const sourceFile = program.getSourceFile(file)!;
  const out = new Map<string, string[]>(checked.map((c) => [c.name, []]));
  const diagnostics = [
    ...program.getSyntacticDiagnostics(sourceFile),
    ...program.getSemanticDiagnostics(sourceFile),
  ];
  for (const d of diagnostics) {
    const line = d.start === undefined ? -1 : sourceFile.getLineAndCharacterOfPosition(d.start).line;
    const span = spans.find((s) => line >= s.from && line < s.to);
    const message = `${ts.flattenDiagnosticMessageText(d.messageText, '\n')}\n    at: ${lines[line]?.trim() ?? '?'}`;
    if (span === undefined) throw new Error(`the generated file does not compile: ${message}`);
    out.get(span.name)!.push(message);
  }
  return out;
}

describe('docs/json-schema.md against src/contract', () => {
  const found = examples(readFileSync(join(ROOT, DOC), 'utf8'));
  const checked: Checked[] = found.flatMap((e) =>
    parseDocuments(e.text, `${DOC}:${e.line}`).map((document, i, all) => ({
      name: `## ${e.section} (${DOC}:${e.line}${all.length > 1 ? `, document ${i + 1}` : ''})`,
      type: e.section,
      document,
    })),
  );

  test('every section with an example has a contract type, and every type an example', () => {
    const sections = new Set(found.map((e) => e.section));
    assert.deepEqual(
      [...sections].filter((s) => TYPES[s] === undefined),
      [],
      'sections whose examples no type checks: add them to TYPES',
    );
    assert.deepEqual(
      Object.keys(TYPES).filter((s) => !sections.has(s)),
      [],
      'types without an example in the doc',
    );
  });

  test('every documented example type-checks as its command’s JSON type', () => {
    // A control beside the real examples: the analyze example with one field misspelt must fail, so that a
    // checker that accepts everything (a broken `partial`, an `any`) cannot pass this test.
    const analyze = checked.find((c) => c.type === 'analyze')!.document;
    assert.ok(analyze.kind === 'object');
    const misspelt: Value = {
      ...analyze,
      entries: analyze.entries.map(([k, v]) => [k === 'granularity' ? 'granularty' : k, v]),
    };
    const control = { name: 'control', type: 'analyze', document: misspelt };
    const result = typeCheck([...checked, control]);
    assert.match(result.get('control')!.join('\n'), /granularty\W+ does not exist in type 'AnalyzeJson'/);
    result.delete('control');
    const failures = [...result].filter(([, errors]) => errors.length > 0);
    assert.deepEqual(
      failures.map(([name, errors]) => `${name}:\n  ${errors.join('\n  ')}`),
      [],
      'the doc and src/contract disagree',
    );
    assert.ok(result.size >= Object.keys(TYPES).length);
  });
});

describe('src/contract is type-only', () => {
  test('each module compiles to nothing', () => {
    const files = readdirSync(CONTRACT).filter((f) => f.endsWith('.ts'));
    assert.ok(files.length >= 10);
    for (const f of files) {
      const js = ts.transpileModule(readFileSync(join(CONTRACT, f), 'utf8'), {
        compilerOptions: { module: ts.ModuleKind.ESNext, verbatimModuleSyntax: true, removeComments: true },
        fileName: f,
      }).outputText;
      assert.equal(
        js.replace('export {};', '').trim(),
        '',
        `${relative(ROOT, join(CONTRACT, f))} has runtime code`,
      );
    }
  });
});
