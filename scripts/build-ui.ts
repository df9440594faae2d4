/**
 * Builds the web app from ui/ into dist/ui/ (app.js, editor.js, app.css, index.html) with esbuild.
 *
 *   node scripts/build-ui.ts [--no-minify]
 *
 * `netfence serve` does the same on the fly in a checkout when dist/ui is missing or stale.
 */
import { buildUi, UI_DIST } from '../src/server/assets.ts';

const started = Date.now();
await buildUi({ minify: !process.argv.includes('--no-minify') });
process.stdout.write(`built ${UI_DIST} in ${Date.now() - started} ms\n`);
