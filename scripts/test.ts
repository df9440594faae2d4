/**
 * `npm test`: runs every test file with Node's test runner and ends with one line `N passed, N failed`
 * (individual tests, not files), which CI reads.
 *
 *   node scripts/test.ts [file-or-glob ...]
 */
import { run } from 'node:test';
import { spec } from 'node:test/reporters';
import { glob, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The tests' netfence processes (and the in-process CLI of test/support/cli.ts) keep their manifest cache and
// compiled code in a folder of this run, never in the user's cache, which is removed at the end.
const cacheDir = await mkdtemp(join(tmpdir(), 'netfence-test-cache-'));
process.env.NETFENCE_CACHE_DIR = cacheDir;

const patterns = process.argv.slice(2);
const files: string[] = [];
for (const pattern of patterns.length > 0 ? patterns : ['test/**/*.test.ts']) {
  for await (const f of glob(pattern)) files.push(f);
}
files.sort();

let passed = 0;
let failed = 0;
let skipped = 0;

const stream = run({ files, concurrency: true, timeout: 10 * 60 * 1000 });
stream.on('test:pass', (data) => {
  if (data.details.type === 'suite') return;
  if (data.skip !== undefined || data.todo !== undefined) skipped++;
  else passed++;
});
stream.on('test:fail', (data) => {
  if (data.details.type !== 'suite') failed++;
});
const reporter = stream.pipe(new spec());
reporter.pipe(process.stdout);
await new Promise<void>((resolve) => reporter.on('end', resolve));
process.stdout.write(`\n${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}\n`);
process.exitCode = failed > 0 || files.length === 0 ? 1 : 0;
await rm(cacheDir, { recursive: true, force: true });
