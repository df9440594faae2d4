/**
 * `node bench/whatif.ts` runs to its end: on the tiny tier T0 it answers each what-if and exits 0. Round 13:
 * it exited with 13 (an unsettled top-level await) since the what-if worker stopped keeping the process
 * running, even while the bench awaited its answer.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { execUnlessStuck } from '../support/progress.ts';

test('bench/whatif.ts on T0 answers every what-if and exits 0', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'netfence-bench-whatif-'));
  try {
    const script = new URL('../../bench/whatif.ts', import.meta.url).pathname;
    const args = [script, '--tier', 'T0', '--policies', '2,5', '--kind', 'cidrs', '--out', join(dir, 'T0')];
    const stdout = await execUnlessStuck(process.execPath, args, { cpuMs: 120_000, fallbackMs: 300_000 });
    const lines = stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^T0 microseg, cidrs: 30 policies; first what-if \(builds the engine\) \d+ ms$/);
    assert.match(lines[1]!, /^2 added policies \(0\.00 MB body, 2 applied\): what-if \d+ ms, diff \d+ ms$/);
    assert.match(lines[2]!, /^5 added policies \(0\.00 MB body, 5 applied\): what-if \d+ ms, diff \d+ ms$/);
    assert.equal(lines.length, 3);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
