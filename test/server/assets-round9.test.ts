/**
 * The web app's build (issue #20, round 9): into a folder named relative to the working directory or with a
 * final slash (the build said "did not produce app.js": esbuild names its outputs by absolute path), and
 * without esbuild installed, where `buildUi` and `loadUiAssets` say what to do (a child process whose
 * module resolution finds no esbuild).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import process from 'node:process';
import { describe, test } from 'node:test';
import { UI_FILES, buildUi } from '../../src/server/assets.ts';
import { smallApp as appIn, tempDirs } from '../support/assets.ts';

const tempDir = tempDirs();
const smallApp = (): string => appIn(tempDir);

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
