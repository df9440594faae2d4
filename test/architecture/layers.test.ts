/**
 * docs/architecture.md's layer table is the import graph of src/, exactly: every layer it lists imports
 * the layers it names and no others, and every folder of src/ is listed. A new import across layers fails
 * here until the table (and the diagram above it) says so; ESLint forbids the imports that must never be.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { test } from 'node:test';

const ROOT = join(import.meta.dirname, '..', '..');
const SRC = join(ROOT, 'src');

/** Layer → the layers it names as imports; `undefined` for "everything below". */
function documentedLayers(markdown: string): Map<string, Set<string> | undefined> {
  const table = new Map<string, Set<string> | undefined>();
  for (const line of markdown.split('\n')) {
    const m = /^\| (`src\/[^|]+) \| ([^|]+) \|$/.exec(line);
    if (m === null) continue;
    const layers = [...m[1]!.matchAll(/`src\/([a-z0-9]+)\/`/g)].map((x) => x[1]!);
    const text = m[2]!.replace(/\([^)]*\)/g, '').trim();
    const imports = text.startsWith('everything below')
      ? undefined
      : text.startsWith('nothing')
        ? new Set<string>()
        : new Set(text.split(',').map((s) => s.trim()));
    for (const layer of layers) table.set(layer, imports);
  }
  return table;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => join(e.parentPath, e.name));
}

/** Layer → the other layers its files import (static and dynamic imports with a relative path). */
function actualLayers(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of sourceFiles(SRC)) {
    const layer = relative(SRC, file).split('/')[0]!;
    const targets = graph.get(layer) ?? new Set<string>();
    graph.set(layer, targets);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:from |import\()'(\.[^']+)'/g)) {
      const target = relative(SRC, normalize(join(dirname(file), m[1]!)));
      if (target.startsWith('..')) continue;
      const other = target.split('/')[0]!;
      if (other !== layer) targets.add(other);
    }
  }
  return graph;
}

test("docs/architecture.md's layer table matches the imports of src/", () => {
  const documented = documentedLayers(readFileSync(join(ROOT, 'docs', 'architecture.md'), 'utf8'));
  const actual = actualLayers();
  // Guard against a table the parser no longer reads: the core layers must be in it.
  for (const core of ['base', 'model', 'engine', 'parse', 'format', 'cli'])
    assert.ok(documented.has(core), `the table lists src/${core}/`);
  for (const [layer, imports] of actual) {
    assert.ok(documented.has(layer), `src/${layer}/ is missing from the table in docs/architecture.md`);
    const named = documented.get(layer);
    if (named === undefined) continue; // "everything below"
    // A layer the table names but src/ does not have yet (planned) is not required.
    const expected = [...named].filter((l) => actual.has(l)).sort();
    assert.deepEqual(
      [...imports].sort(),
      expected,
      `src/${layer}/ imports (docs/architecture.md, "imports")`,
    );
  }
});

test('no command imports another command', () => {
  for (const file of sourceFiles(join(SRC, 'cli', 'commands'))) {
    const text = readFileSync(file, 'utf8');
    assert.doesNotMatch(text, /(?:from |import\()'\.\//, `${relative(ROOT, file)} imports a sibling command`);
  }
});
