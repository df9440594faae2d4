/**
 * The web app's build, beyond test/server/assets.test.ts: into a folder whose parents do not exist yet, or named
 * relative to the working directory or with a final slash (the build said "did not produce app.js": esbuild names
 * its outputs by absolute path), without the legal comments of the sources; `loadUiAssets` building the app
 * exactly when it is stale (telling `onBuild` first, or without an `onBuild`); a build that fails or a built
 * file that is missing, as `loadUiAssets` reports them; no temporary file left when a file cannot be put in
 * place; syntax newer than ES2022 lowered; esbuild's warnings kept off the terminal; and without esbuild
 * installed, where `buildUi` and `loadUiAssets` say what to do (a child process whose module resolution finds no
 * esbuild). Found missing by the mutation runs of src/server (docs/mutation/server.md).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import process from 'node:process';
import { describe, test } from 'node:test';
import { AssetsError, UI_FILES, buildUi, loadUiAssets, uiIsStale } from '../../src/server/assets.ts';
import { smallApp as appIn, tempDirs } from '../support/assets.ts';

const tempDir = tempDirs();
/** A small app whose `main.ts` is `main` and `app.css` is `css` (by default: logs "app here"). */
const smallApp = (main?: string, css?: string): string => appIn(tempDir, main, css);
/** The small app with a legal comment in its script. */
const legalApp = (): string => smallApp("/*! legal notice of the app */\nconsole.log('app here');\n");

describe('buildUi', () => {
  test('into a folder whose parents do not exist yet', async () => {
    const outdir = join(tempDir(), 'a', 'b', 'ui');
    await buildUi({ sources: legalApp(), outdir, minify: false });
    assert.deepEqual(readdirSync(outdir).sort(), ['app.css', 'app.js', 'editor.js', 'index.html']);
  });

  test('legal comments of the sources are left out', async () => {
    const outdir = join(tempDir(), 'ui');
    await buildUi({ sources: legalApp(), outdir, minify: false });
    const app = readFileSync(join(outdir, 'app.js'), 'utf8');
    assert.match(app, /app here/);
    assert.doesNotMatch(app, /legal notice/);
  });
});

describe('loadUiAssets', () => {
  test('builds the app when a source is newer than the build, telling onBuild first; then not again', async () => {
    // Folders of its own: the checkout's ui/ and dist/ui are left alone (other tests read them meanwhile).
    const where = { sources: legalApp(), dist: join(tempDir(), 'ui') };
    let first = 0;
    await loadUiAssets(() => first++, where);
    assert.equal(first, 1, 'built when missing');
    // Make it stale: a source newer than the build (its content is not changed).
    const index = join(where.dist, 'index.html');
    const built = statSync(index).mtimeMs;
    const later = new Date(built + 5_000);
    utimesSync(join(where.sources, 'main.ts'), later, later);
    assert.equal(await uiIsStale(where.sources, where.dist), true);
    let told = 0;
    const assets = await loadUiAssets(() => told++, where);
    assert.equal(told, 1);
    assert.ok(statSync(index).mtimeMs > built, 'built again');
    assert.deepEqual([...assets.keys()], [...UI_FILES]);
    assert.match(assets.get('app.js')!.toString(), /app here/);
    // Up to date now (the build is newer than every source): not built again.
    const now = new Date(Date.now() + 10_000);
    utimesSync(index, now, now);
    assert.equal(await uiIsStale(where.sources, where.dist), false);
    let again = 0;
    await loadUiAssets(() => again++, where);
    assert.equal(again, 0);
  });
});

/** The AssetsError `p` rejects with. */
async function assetsError(p: Promise<unknown>): Promise<AssetsError> {
  try {
    await p;
  } catch (error) {
    assert.ok(error instanceof AssetsError, `not an AssetsError: ${String(error)}`);
    return error;
  }
  assert.fail('no error');
}

describe('loadUiAssets, failing', () => {
  test('a build that fails: the first line of esbuild’s message, after what failed', async () => {
    const sources = smallApp('export const = ;\n');
    const error = await assetsError(loadUiAssets(() => {}, { sources, dist: join(tempDir(), 'ui') }));
    assert.equal(error.message, 'the web UI could not be built from ui/: Build failed with 1 error:');
  });

  test('a built file missing where nothing can build it: which one, and what to do', async () => {
    const sources = tempDir(); // no main.ts: an installed package, which never builds
    const dist = tempDir();
    for (const f of UI_FILES) if (f !== 'editor.js') writeFileSync(join(dist, f), f);
    const error = await assetsError(loadUiAssets(() => {}, { sources, dist }));
    assert.equal(
      error.message,
      `the web UI is missing ${join(dist, 'editor.js')}: reinstall netfence, or run npm run build`,
    );
  });
});

describe('building', () => {
  test('loadUiAssets builds a stale app without an onBuild to tell', async () => {
    const sources = smallApp();
    const dist = join(tempDir(), 'ui');
    const assets = await loadUiAssets(undefined, { sources, dist });
    assert.deepEqual([...assets.keys()], [...UI_FILES]);
    assert.match(assets.get('app.js')!.toString('utf8'), /app here/);
  });

  test('a file that cannot be put in place fails the build and leaves no temporary file', async () => {
    const outdir = tempDir();
    // A folder where app.js goes: the rename over it fails.
    mkdirSync(join(outdir, 'app.js'));
    writeFileSync(join(outdir, 'app.js', 'keep'), '');
    await assert.rejects(buildUi({ sources: smallApp(), outdir }));
    assert.deepEqual(readdirSync(outdir), ['app.js']);
  });

  test('syntax newer than ES2022 is lowered: the app runs in browsers of ES2022', async () => {
    const sources = smallApp(
      '{\n  using res = { [Symbol.dispose]() { console.log("disposed"); } };\n  console.log(res);\n}\n',
    );
    const outdir = tempDir();
    await buildUi({ sources, outdir, minify: false });
    const app = readFileSync(join(outdir, 'app.js'), 'utf8');
    assert.match(app, /disposed/);
    assert.doesNotMatch(app, /\busing\b/);
  });

  test('esbuild’s warnings (of the script or of the stylesheet) are not written on the terminal', async () => {
    // A duplicate key in the script, an @import after a rule in the stylesheet: esbuild warns of both.
    const sources = smallApp(
      'const o = { a: 1, a: 2 };\nconsole.log(o);\n',
      '.a { color: red; }\n@import "b.css";\n',
    );
    const outdir = tempDir();
    const script = `import { buildUi } from ${JSON.stringify(new URL('../../src/server/assets.ts', import.meta.url).href)};
await buildUi({ sources: ${JSON.stringify(sources)}, outdir: ${JSON.stringify(outdir)} });`;
    const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
      execFile(process.execPath, ['--input-type=module', '-e', script], (error, out, err) =>
        error === null
          ? resolve({ stdout: out, stderr: err })
          : reject(new Error(`${error.message}\n${err}`)),
      );
    });
    assert.deepEqual(readdirSync(outdir).sort(), [...UI_FILES].sort());
    assert.equal(stdout, '');
    assert.equal(stderr, '');
  });
});

describe('buildUi: the output folder as given', () => {
  test('relative to the working directory', async () => {
    const outdir = join(tempDir(), 'ui');
    await buildUi({ sources: smallApp(), outdir: relative(process.cwd(), outdir), minify: false });
    assert.deepEqual(readdirSync(outdir).sort(), [...UI_FILES].sort());
  });

  test('with a final slash', async () => {
    const outdir = join(tempDir(), 'ui');
    await buildUi({ sources: smallApp(), outdir: `${outdir}/`, minify: false });
    assert.deepEqual(readdirSync(outdir).sort(), [...UI_FILES].sort());
  });
});

describe('without esbuild', () => {
  test('buildUi and loadUiAssets say to install it, in an AssetsError', async () => {
    const sources = smallApp();
    const dist = join(tempDir(), 'ui');
    const assets = new URL('../../src/server/assets.ts', import.meta.url).href;
    // The child finds no package named esbuild, as an installation without its optional build tools.
    const script = `import { registerHooks } from 'node:module';
registerHooks({
  resolve(specifier, context, next) {
    if (specifier === 'esbuild') {
      throw Object.assign(new Error("Cannot find package 'esbuild'"), { code: 'ERR_MODULE_NOT_FOUND' });
    }
    return next(specifier, context);
  },
});
const { AssetsError, buildUi, loadUiAssets } = await import(${JSON.stringify(assets)});
const out = [];
for (const run of [
  () => buildUi({ sources: ${JSON.stringify(sources)}, outdir: ${JSON.stringify(dist)} }),
  () => loadUiAssets(undefined, { sources: ${JSON.stringify(sources)}, dist: ${JSON.stringify(dist)} }),
]) {
  try {
    await run();
    out.push('no error');
  } catch (error) {
    out.push([error instanceof AssetsError, error.message]);
  }
}
console.log(JSON.stringify(out));`;
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ['--input-type=module', '-e', script], (error, out, err) =>
        error === null ? resolve(out) : reject(new Error(`${error.message}\n${err}`)),
      );
    });
    const message =
      'the web UI is not built and esbuild is not installed to build it: run npm install (or npm run build)';
    assert.deepEqual(JSON.parse(stdout), [
      [true, message],
      [true, message],
    ]);
  });
});
