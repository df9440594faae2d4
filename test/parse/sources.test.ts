/**
 * `loadSources` (src/parse/sources.ts): progress, what it gives a cache to keep and takes back from it (the
 * parse and the check of each object), counting, and the order of problems (issue #20, round 9).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatProblem, type Problem } from '../../src/model/problem.ts';
import { loadSources, type Source } from '../../src/parse/index.ts';
import { parseManifestText, storedParse } from '../../src/parse/documents.ts';
import type { StoredFile } from '../../src/parse/sources.ts';
import { READ_PROGRESS_BYTES, type BuildOptions, type ReadingProgress } from '../../src/parse/types.ts';

const options: BuildOptions = { defaultNamespace: 'default', skipInvalid: false };
const ns = (name: string): string => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n`;
const pod = (name: string, port = 80): string =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n  namespace: shop\n  labels: {app: ${name}}\n` +
  `spec:\n  containers:\n    - name: c\n      image: i\n      ports: [{containerPort: ${port}}]\n`;

/** What a run keeps of each file it reads, by file. */
function kept(sources: readonly Source[], opts = options): Map<string, StoredFile> {
  const out = new Map<string, StoredFile>();
  loadSources(sources, opts, {}, undefined, (source, stored) => out.set(source.file, stored));
  return out;
}

describe('progress', () => {
  /** A text of `size` characters: a namespace, then comment lines. */
  function text(size: number, name: string): string {
    const head = ns(name);
    const line = `# ${'x'.repeat(97)}\n`;
    const body = line.repeat(Math.floor((size - head.length) / line.length));
    return head + body + '#'.repeat(size - head.length - body.length);
  }

  test('reported after each file from READ_PROGRESS_BYTES of text on, with what is done and the total', () => {
    const calls: ReadingProgress[] = [];
    const half = READ_PROGRESS_BYTES / 2;
    const sources = [
      { file: 'a.yaml', text: text(half, 'a') },
      { file: 'b.yaml', text: text(half, 'b') },
    ];
    assert.equal(sources[0]!.text.length + sources[1]!.text.length, READ_PROGRESS_BYTES);
    const r = loadSources(sources, options, {}, (p) => calls.push(p));
    assert.deepEqual(r.errors, []);
    assert.deepEqual(calls, [
      { done: half, total: READ_PROGRESS_BYTES },
      { done: READ_PROGRESS_BYTES, total: READ_PROGRESS_BYTES },
    ]);
  });

  test('none below it, nor without a callback', () => {
    const calls: ReadingProgress[] = [];
    const small = [{ file: 'a.yaml', text: text(READ_PROGRESS_BYTES - 1, 'a') }];
    loadSources(small, options, {}, (p) => calls.push(p));
    assert.deepEqual(calls, []);
    const big = [{ file: 'a.yaml', text: text(READ_PROGRESS_BYTES, 'a') }];
    assert.deepEqual(loadSources(big, options).errors, []);
  });
});

describe('the cache: what a run keeps, and what it is given back', () => {
  test('keep: the parse of each file without problems and the check of each object (null: checked each time)', () => {
    const text = `${pod('web')}---\n${pod('bad', 0)}---\n${ns('shop')}`;
    const stored = kept([
      { file: 'a.yaml', text },
      { file: 'b.yaml', text: 'kind: [' },
    ]);
    // A file with a syntax error is parsed again each time: nothing kept.
    assert.deepEqual([...stored.keys()], ['a.yaml']);
    const a = stored.get('a.yaml')!;
    assert.deepEqual(a.parse, storedParse(parseManifestText(text, 'a.yaml')));
    assert.deepEqual(
      a.checks.map((c) => c && [c.id, c.key, c.valid.kind]),
      [['shop/Pod/web', 'Pod/shop/web', 'Pod'], null, ['Namespace/shop', 'Namespace/shop', 'Namespace']],
    );
    // Nothing is checked twice, or kept, without a cache.
    const plain = loadSources([{ file: 'a.yaml', text }], options);
    assert.deepEqual(plain.state.pods.map(podId), ['shop/web']);
  });

  test('stored checks are used as given (not checked again), for the objects they are stored with', () => {
    const text = pod('web');
    const other = pod('api');
    const mine = kept([{ file: 'a.yaml', text }]).get('a.yaml')!;
    const theirs = kept([{ file: 'a.yaml', text: other }]).get('a.yaml')!;
    assert.ok(mine.checks[0] !== null && theirs.checks[0] !== null);
    // The parse of web.yaml with the check of api's pod: the state holds what the check says.
    const swapped: StoredFile = { parse: mine.parse, checks: theirs.checks };
    const fresh = { file: 'c.yaml', text: pod('db') };
    for (const sources of [
      [{ file: 'a.yaml', text, stored: swapped }],
      [{ file: 'a.yaml', text, stored: swapped }, fresh],
      [fresh, { file: 'a.yaml', text, stored: swapped }],
    ]) {
      const r = loadSources(sources, options);
      assert.deepEqual(r.errors, []);
      assert.deepEqual(
        r.state.pods.map(podId).sort(),
        sources.length === 1 ? ['shop/api'] : ['shop/api', 'shop/db'],
      );
      // With a keep callback too.
      const again = new Map<string, StoredFile>();
      const k = loadSources(sources, options, {}, undefined, (s, st) => again.set(s.file, st));
      assert.deepEqual(k.state.pods.map(podId).sort(), r.state.pods.map(podId).sort());
      // A file given back is not kept again; a file read afresh is.
      assert.deepEqual([...again.keys()], sources.length === 1 ? [] : ['c.yaml']);
    }
    // A null check: the object is checked again.
    const unchecked: StoredFile = { parse: mine.parse, checks: [null] };
    const r = loadSources([{ file: 'a.yaml', text, stored: unchecked }], options);
    assert.deepEqual(r.state.pods.map(podId), ['shop/web']);
    assert.deepEqual(r.errors, []);
  });

  test('the objects given back are those of the text, at their places', () => {
    const text = `${ns('shop')}---\n${pod('web')}`;
    const stored = kept([{ file: 'a.yaml', text }]).get('a.yaml')!;
    const fromCache = loadSources([{ file: 'a.yaml', text, stored }], { ...options, keepObjects: true });
    const read = loadSources([{ file: 'a.yaml', text }], { ...options, keepObjects: true });
    assert.deepEqual(
      fromCache.objects?.map((o) => [o.kind, o.line, o.column]),
      read.objects?.map((o) => [o.kind, o.line, o.column]),
    );
    assert.deepEqual(fromCache.state.pods.map(podId), ['shop/web']);
    assert.deepEqual(JSON.stringify(fromCache.state.pods), JSON.stringify(read.state.pods));
    assert.equal(fromCache.found, 2);
  });
});

describe('counting, warnings, skipped objects', () => {
  test('found: objects and documents that fail as objects', () => {
    const text = `${ns('a')}---\napiVersion: v1\nkind: Pod\nmetadata: {name: 7}\n---\nkind: [\n`;
    const r = loadSources([{ file: 'a.yaml', text }], options);
    assert.equal(r.found, 3);
    assert.equal(loadSources([{ file: 'a.yaml', text: `${ns('a')}---\nkind: [\n` }], options).found, 2);
  });

  test('files without objects: only those with a document that is no object, and no error', () => {
    const count = (text: string): number => loadSources([{ file: 'a.yaml', text }], options).ignored.files;
    assert.equal(count('name: values\nreplicas: 2\n'), 1);
    assert.equal(count(''), 0);
    assert.equal(count('# nothing\n'), 0);
    assert.equal(count(`${ns('a')}---\nname: values\n`), 0);
    assert.equal(count('name: values\n---\nkind: [\n'), 0);
    assert.equal(count('name: values\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: 7}\n'), 0);
  });

  test('the warnings of parsing are kept', () => {
    const r = loadSources([{ file: 'a.yaml', text: `${ns('a')}---\nname: values\n` }], options);
    assert.deepEqual(r.warnings.map(formatProblem), [
      'a.yaml:6:1 warning: this document is not a Kubernetes object (it has no apiVersion and kind): ignored',
    ]);
  });

  test('skipInvalid: a document that fails to parse is skipped with its path and message', () => {
    const text = `${ns('a')}---\napiVersion: 7\nkind: Pod\n---\nkind: [\n`;
    const r = loadSources([{ file: 'a.yaml', text }], { ...options, skipInvalid: true });
    assert.deepEqual(r.errors, []);
    assert.deepEqual(
      r.skipped.map((s) => [s.object, s.line, s.reason]),
      [
        ['document', 6, 'apiVersion: must be a string, got 7'],
        ['document', 10, r.skipped[1]!.reason],
      ],
    );
    assert.match(r.skipped[1]!.reason, /^invalid YAML: /);
  });

  test('objects only with keepObjects', () => {
    const r = loadSources([{ file: 'a.yaml', text: ns('a') }], options);
    assert.equal('objects' in r, false);
    assert.equal(
      loadSources([{ file: 'a.yaml', text: ns('a') }], { ...options, keepObjects: true }).objects?.length,
      1,
    );
  });
});

describe('the order of problems: file order, then line, then column', () => {
  const at = (
    file: string | undefined,
    line: number,
    column: number,
    severity: Problem['severity'] = 'error',
  ): Problem => ({
    code: 'x',
    severity,
    message: `${file}:${line}:${column}`,
    ...(file === undefined ? {} : { file }),
    line,
    column,
    path: [],
  });
  const order = (ps: readonly Problem[]): string[] => ps.map((p) => p.message);

  test('problems found before are sorted with the rest, by the order of the files given', () => {
    const errors = [
      at('b', 1, 1),
      at('a', 2, 9),
      at('a', 2, 3),
      at('c', 1, 1),
      at('a', 1, 5),
      at(undefined, 9, 9),
    ];
    const r = loadSources([], options, {
      errors,
      warnings: errors.map((e) => ({ ...e, severity: 'warning' as const })),
      fileOrder: ['a', 'b', 'c'],
    });
    const want = ['undefined:9:9', 'a:1:5', 'a:2:3', 'a:2:9', 'b:1:1', 'c:1:1'];
    assert.deepEqual(order(r.errors), want);
    assert.deepEqual(order(r.warnings), want);
    // A file not in the order (a path that could not be read) comes first, as a problem without a file.
    const missing = loadSources([], options, {
      errors: [at('b', 1, 1), at('gone', 5, 1), at('a', 1, 1)],
      fileOrder: ['a', 'b'],
    });
    assert.deepEqual(order(missing.errors), ['gone:5:1', 'a:1:1', 'b:1:1']);
    // On one line, by column, whatever order they come in.
    for (const given of [
      [at('a', 2, 3), at('a', 2, 9)],
      [at('a', 2, 9), at('a', 2, 3)],
    ])
      assert.deepEqual(order(loadSources([], options, { errors: given }).errors), ['a:2:3', 'a:2:9']);
  });

  test('without an order given: the order of the sources, whatever their names', () => {
    const bad = (name: string): string =>
      `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n  namespace: Bad_NS\n`;
    const r = loadSources(
      [
        { file: 'z.yaml', text: `${ns('x')}---\n${bad('p')}` },
        { file: 'm.yaml', text: bad('q') },
        { file: 'a.yaml', text: bad('r') },
      ],
      options,
    );
    assert.deepEqual(
      r.errors.map((e) => [e.file, e.line]),
      [
        ['z.yaml', 6],
        ['z.yaml', 10],
        ['m.yaml', 1],
        ['m.yaml', 5],
        ['a.yaml', 1],
        ['a.yaml', 5],
      ],
    );
    // Problems without a file (an invalid default namespace) first.
    const d = loadSources(
      [
        { file: 'b.yaml', text: bad('p') },
        { file: 'a.yaml', text: bad('q') },
      ],
      {
        ...options,
        defaultNamespace: 'Bad_NS',
      },
    );
    assert.deepEqual(
      d.errors.map((e) => e.file),
      [undefined, 'b.yaml', 'b.yaml', 'a.yaml', 'a.yaml'],
    );
  });
});

function podId(p: { namespace: string; name: string }): string {
  return `${p.namespace}/${p.name}`;
}
