/**
 * A what-if worker that fails rather than throws (it runs out of memory): the what-if is refused with that
 * error, the process goes on (an 'error' event nobody listens to would end it), and the next what-if gets
 * a new worker. In a child process whose heap is small, so that a large what-if fills the worker's. Found
 * missing by the src/server mutation runs (issue #20, round 9).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import process from 'node:process';
import { after, describe, test } from 'node:test';

const dir = mkdtempSync(join(tmpdir(), 'netfence-whatif-thread-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('WhatIfThread: a worker out of memory', () => {
  test('the what-if fails with its error, the process goes on, the next what-if is answered', async () => {
    const support = new URL('./support.ts', import.meta.url).href;
    const script = `import { analysisOf } from ${JSON.stringify(support)};
import { loadManifests } from ${JSON.stringify(new URL('../../src/parse/index.ts', import.meta.url).href)};
const loaded = await loadManifests(['examples/webshop'], { defaultNamespace: 'default', skipInvalid: false });
const analysis = analysisOf(loaded.state);
const keep = setInterval(() => {}, 1000);
const out = [];
// Half a million short lists: read into far more than the worker's heap.
const huge = 'a:\\n' + '- [1, 2, 3]\\n'.repeat(500_000);
try {
  await analysis.whatIf({ changes: [{ yaml: huge }] });
  out.push('answered');
} catch (error) {
  out.push([error.constructor.name, error.code]);
}
const next = await analysis.whatIf({ changes: [{ target: 'data/allow-postgres' }] });
out.push(next.applied);
analysis.close();
clearInterval(keep);
console.log(JSON.stringify(out));`;
    // A file, not `-e` (run from `-e`, the worker started after the failure stopped at once here).
    const file = join(dir, 'child.mjs');
    writeFileSync(file, script);
    // Without `--max-semi-space-size`: the worker's own young generation (8 MiB, src/server/whatif-thread.ts)
    // is what lets it stop in time; with V8's default one the process itself ended with "FATAL ERROR: Reached
    // heap limit" in 4 of 37 runs (and once in the project's CI).
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(
        process.execPath,
        ['--max-old-space-size=64', file],
        { maxBuffer: 1 << 20 },
        (error, out, err) => (error === null ? resolve(out) : reject(new Error(`${error.message}\n${err}`))),
      );
    });
    assert.deepEqual(JSON.parse(stdout), [['Error', 'ERR_WORKER_OUT_OF_MEMORY'], [0]]);
  });
});
