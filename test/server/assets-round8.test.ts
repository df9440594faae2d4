/**
 * The web app's build, beyond assets.test.ts and assets-build.test.ts: a build that fails or a built file that
 * is missing, as `loadUiAssets` reports them; `loadUiAssets` without `onBuild`; no temporary file left when a
 * file cannot be put in place; syntax newer than ES2022 lowered; esbuild's warnings kept off the terminal.
 * Found missing by the whole-folder mutation run of src/server, round 8 (docs/mutation/server.md).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { AssetsError, UI_FILES, buildUi, loadUiAssets } from '../../src/server/assets.ts';
import { smallApp as appIn, tempDirs } from '../support/assets.ts';

const tempDir = tempDirs();
/** A small app whose `main.ts` is `main`. */
const smallApp = (main?: string, css?: string): string => appIn(tempDir, main, css);

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
