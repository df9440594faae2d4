/**
 * The web app's build, beyond test/server/assets.test.ts: into a folder whose parents do not exist yet,
 * without the legal comments of the sources, and `loadUiAssets` building the app exactly when it
 * is stale (telling `onBuild` first). Found missing by the mutation run of src/server, fifth round
 * (docs/mutation/server.md).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { UI_FILES, buildUi, loadUiAssets, uiIsStale } from '../../src/server/assets.ts';
import { smallApp as appIn, tempDirs } from '../support/assets.ts';

const tempDir = tempDirs();
const smallApp = (): string => appIn(tempDir, "/*! legal notice of the app */\nconsole.log('app here');\n");

describe('buildUi', () => {
  test('into a folder whose parents do not exist yet', async () => {
    const outdir = join(tempDir(), 'a', 'b', 'ui');
    await buildUi({ sources: smallApp(), outdir, minify: false });
    assert.deepEqual(readdirSync(outdir).sort(), ['app.css', 'app.js', 'editor.js', 'index.html']);
  });

  test('legal comments of the sources are left out', async () => {
    const outdir = join(tempDir(), 'ui');
    await buildUi({ sources: smallApp(), outdir, minify: false });
    const app = readFileSync(join(outdir, 'app.js'), 'utf8');
    assert.match(app, /app here/);
    assert.doesNotMatch(app, /legal notice/);
  });
});

describe('loadUiAssets', () => {
  test('builds the app when a source is newer than the build, telling onBuild first; then not again', async () => {
    // Folders of its own: the checkout's ui/ and dist/ui are left alone (other tests read them meanwhile).
    const where = { sources: smallApp(), dist: join(tempDir(), 'ui') };
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
