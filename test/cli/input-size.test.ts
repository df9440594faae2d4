/**
 * Which commands run on a worker thread (process.ts): those whose arguments name 8 MB of input or more,
 * counted as the readers would read it, without looping and without walking forever.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { namesLargeInput } from '../../src/cli/input-size.ts';

describe('namesLargeInput', () => {
  test('counts manifests in folders, any file named, --option=path; skips hidden, node_modules, loops', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'netfence-size-'));
    try {
      const kb = (n: number): string => 'x'.repeat(n * 1000);
      await mkdir(join(dir, 'apps/.hidden'), { recursive: true });
      await mkdir(join(dir, 'node_modules'));
      await writeFile(join(dir, 'apps/a.yaml'), kb(300));
      await writeFile(join(dir, 'apps/notes.txt'), kb(900)); // not a manifest: not read, not counted
      await writeFile(join(dir, 'apps/.hidden/h.yaml'), kb(900));
      await writeFile(join(dir, 'node_modules/n.yaml'), kb(900));
      await writeFile(join(dir, 'flows.log'), kb(500));
      await symlink(dir, join(dir, 'apps/loop'));
      const apps = join(dir, 'apps');
      // 300 kB in the folder (the loop adds nothing more than the folder itself once).
      assert.equal(await namesLargeInput(['analyze', dir], 300_000), true);
      assert.equal(await namesLargeInput(['analyze', dir], 300_001), false);
      // A file named is counted whatever its name; so is one given as --option=path.
      assert.equal(await namesLargeInput(['map', apps, join(dir, 'flows.log')], 800_000), true);
      assert.equal(await namesLargeInput(['map', apps, `--flows=${join(dir, 'flows.log')}`], 800_000), true);
      // Words that are not paths count nothing.
      assert.equal(await namesLargeInput(['analyze', '-o', 'json', 'nope'], 1), false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
