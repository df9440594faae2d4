/**
 * The web app's files: when a checkout's build is stale, what a build writes (from a small app of its own,
 * in a temporary folder), and the files `netfence serve` loads. (Found missing by the whole-folder mutation
 * run of src/server: the CLI tests reach this module only in a child process; see docs/mutation/server.md.)
 */
import assert from 'node:assert/strict';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, test } from 'node:test';
import {
  CONTENT_TYPES,
  UI_DIST,
  UI_FILES,
  UI_SOURCES,
  buildUi,
  loadUiAssets,
  uiIsStale,
} from '../../src/server/assets.ts';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'netfence-assets-'));
  dirs.push(d);
  return d;
}

/** A small app: `main.ts` importing a module of a subfolder, `editor.ts`, `app.css` importing a file, `index.html`. */
function smallApp(): string {
  const src = tempDir();
  mkdirSync(join(src, 'views'));
  writeFileSync(
    join(src, 'views', 'greet.ts'),
    'export function greet(who: string): string { return `hello ${who}`; }\n',
  );
  writeFileSync(
    join(src, 'main.ts'),
    "import { greet } from './views/greet.ts';\nconst longVariableName = greet('app');\nconsole.log(longVariableName);\n",
  );
  writeFileSync(join(src, 'editor.ts'), "console.log('editor here');\n");
  writeFileSync(join(src, 'base.css'), 'body { color: red; }\n');
  writeFileSync(join(src, 'app.css'), "@import './base.css';\n.graph { margin: 0px; }\n");
  writeFileSync(join(src, 'index.html'), '<!doctype html><title>small</title>\n');
  return src;
}

const at = (seconds: number): Date => new Date(1_700_000_000_000 + seconds * 1000);

describe('uiIsStale', () => {
  function built(): { sources: string; dist: string } {
    const sources = tempDir();
    const dist = tempDir();
    mkdirSync(join(sources, 'views'));
    writeFileSync(join(sources, 'main.ts'), '');
    writeFileSync(join(sources, 'views', 'graph.ts'), '');
    for (const f of UI_FILES) writeFileSync(join(dist, f), '');
    utimesSync(join(sources, 'main.ts'), at(0), at(0));
    utimesSync(join(sources, 'views', 'graph.ts'), at(0), at(0));
    utimesSync(join(dist, 'index.html'), at(10), at(10));
    return { sources, dist };
  }

  test('a build newer than every source is fresh', async () => {
    const { sources, dist } = built();
    assert.equal(await uiIsStale(sources, dist), false);
  });

  test('a source newer than the build, even in a subfolder, makes it stale', async () => {
    const { sources, dist } = built();
    utimesSync(join(sources, 'views', 'graph.ts'), at(20), at(20));
    assert.equal(await uiIsStale(sources, dist), true);
  });

  test('a source exactly as old as the build does not', async () => {
    const { sources, dist } = built();
    utimesSync(join(sources, 'views', 'graph.ts'), at(10), at(10));
    assert.equal(await uiIsStale(sources, dist), false);
  });

  test('a built file missing makes it stale, whichever', async () => {
    for (const missing of UI_FILES) {
      const { sources, dist } = built();
      rmSync(join(dist, missing));
      assert.equal(await uiIsStale(sources, dist), true, missing);
    }
  });
});

describe('buildUi', () => {
  test('the four files, bundled, and nothing else left in the folder', async () => {
    const sources = smallApp();
    const outdir = join(tempDir(), 'ui');
    await buildUi({ sources, outdir, minify: false });
    assert.deepEqual(readdirSync(outdir).sort(), ['app.css', 'app.js', 'editor.js', 'index.html']);
    const app = readFileSync(join(outdir, 'app.js'), 'utf8');
    assert.match(app, /hello \$\{who\}/, 'the imported module is bundled in');
    assert.match(app, /longVariableName/, 'not minified');
    assert.doesNotMatch(app, /^import /m);
    assert.match(readFileSync(join(outdir, 'editor.js'), 'utf8'), /editor here/);
    const css = readFileSync(join(outdir, 'app.css'), 'utf8');
    assert.match(css, /color: red/, 'the imported stylesheet is bundled in');
    assert.match(css, /\.graph/);
    assert.equal(readFileSync(join(outdir, 'index.html'), 'utf8'), '<!doctype html><title>small</title>\n');
  });

  test('minified by default', async () => {
    const sources = smallApp();
    const outdir = join(tempDir(), 'ui');
    await buildUi({ sources, outdir });
    assert.doesNotMatch(readFileSync(join(outdir, 'app.js'), 'utf8'), /longVariableName/);
    assert.doesNotMatch(readFileSync(join(outdir, 'app.css'), 'utf8'), /\n\s/, 'the stylesheet on one line');
  });
});

describe('loadUiAssets', () => {
  test('the built files of the checkout, each with the bytes on disk; served with a type of their own', async () => {
    // A checkout's app: its sources in ui/, built into dist/ui/.
    assert.equal(UI_SOURCES, fileURLToPath(new URL('../../ui', import.meta.url)));
    assert.equal(UI_DIST, fileURLToPath(new URL('../../dist/ui', import.meta.url)));
    const assets = await loadUiAssets();
    assert.deepEqual([...assets.keys()], [...UI_FILES]);
    for (const f of UI_FILES) assert.deepEqual(assets.get(f), readFileSync(join(UI_DIST, f)), f);
    assert.deepEqual(CONTENT_TYPES, {
      'app.js': 'text/javascript; charset=utf-8',
      'editor.js': 'text/javascript; charset=utf-8',
      'app.css': 'text/css; charset=utf-8',
      'index.html': 'text/html; charset=utf-8',
    });
  });
});
