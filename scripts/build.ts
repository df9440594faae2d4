/**
 * `npm run build` (and `prepack`): compiles src/ to dist/ with tsc (tsconfig.build.json), then builds the web
 * app into dist/ui/, so that the published package runs without TypeScript or esbuild.
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { buildUi, UI_DIST } from '../src/server/assets.ts';

const root = new URL('../', import.meta.url);
// Start clean: a file removed from src/ must not live on in dist/.
rmSync(new URL('dist/', root), { recursive: true, force: true });
const tsc = spawnSync(
  process.execPath,
  [new URL('node_modules/typescript/bin/tsc', root).pathname, '-p', 'tsconfig.build.json'],
  {
    cwd: root,
    stdio: 'inherit',
  },
);
if (tsc.status !== 0) {
  process.stderr.write('build: tsc failed\n');
  process.exit(tsc.status ?? 1);
}
await buildUi();
process.stdout.write(`built dist/ (compiled sources) and ${UI_DIST}\n`);
