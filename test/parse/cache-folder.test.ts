/**
 * `checkCacheFolder` (src/parse/cache.ts): which folders netfence keeps its cache in. This user's, writable by no
 * other user; a missing one is made rwx------; with any other, no cache, and why when other users could write
 * there. The CLI's side (the warning, nothing read or kept, Node's compiled code): test/cli/cache-private.test.ts.
 */
import assert from 'node:assert/strict';
import { chmodSync, chownSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { checkCacheFolder } from '../../src/parse/cache.ts';
import { caseFolders } from '../support/case-folders.ts';

const caseFolder = caseFolders('cache-folder');

/** A new folder with these permission bits (set after it is made: the umask does not apply). */
function folder(mode: number): string {
  const dir = caseFolder();
  chmodSync(dir, mode);
  return dir;
}

const posix = process.getuid !== undefined;
const isRoot = process.getuid?.() === 0;

describe('checkCacheFolder', { skip: !posix && 'no user ids here' }, () => {
  test("this user's folder that no other user can write to is used", () => {
    for (const mode of [0o700, 0o755, 0o750, 0o711])
      assert.deepEqual(checkCacheFolder(folder(mode)), { ok: true });
    // Its own group may write (a user-private group: what a umask of 002 gives).
    const group = folder(0o775);
    assert.equal(statSync(group).gid, process.getgid?.());
    assert.deepEqual(checkCacheFolder(group), { ok: true });
  });

  test('a folder every user can write to is not, and says so', () => {
    for (const mode of [0o777, 0o1777, 0o703, 0o722])
      assert.deepEqual(
        checkCacheFolder(folder(mode)),
        { ok: false, unsafe: 'every user can write to it' },
        mode.toString(8),
      );
  });

  test('where there are no user ids or group ids (Windows), any folder is used', () => {
    const open = folder(0o777);
    const proc = process as unknown as Record<'getuid' | 'getgid', (() => number) | undefined>;
    for (const name of ['getuid', 'getgid'] as const) {
      const saved = proc[name];
      proc[name] = undefined;
      try {
        assert.deepEqual(checkCacheFolder(open), { ok: true }, name);
      } finally {
        proc[name] = saved;
      }
    }
  });

  test('a missing folder is made, for this user alone, whatever the umask, and used', () => {
    const above = join(caseFolder(), 'made');
    const dir = join(above, 'netfence');
    const umask = process.umask(0);
    try {
      assert.deepEqual(checkCacheFolder(dir), { ok: true });
    } finally {
      process.umask(umask);
    }
    assert.equal((statSync(dir).mode & 0o777).toString(8), '700');
    assert.equal((statSync(above).mode & 0o777).toString(8), '700');
  });

  test('a file, or a folder that cannot be made, is no cache and nothing to warn about', () => {
    const file = join(caseFolder(), 'a-file');
    writeFileSync(file, '');
    assert.deepEqual(checkCacheFolder(file), { ok: false });
    assert.deepEqual(checkCacheFolder(join(file, 'netfence')), { ok: false });
  });

  test(
    "another user's folder, or one another group can write to, is not",
    { skip: !isRoot && 'needs root (chown)' },
    () => {
      const theirs = folder(0o700);
      chownSync(theirs, 65534, 65534);
      assert.deepEqual(checkCacheFolder(theirs), {
        ok: false,
        unsafe: 'it belongs to another user (uid 65534)',
      });
      const shared = folder(0o770);
      chownSync(shared, process.getuid!(), 65534);
      assert.deepEqual(checkCacheFolder(shared), {
        ok: false,
        unsafe: 'the users of group 65534 can write to it',
      });
      // Readable by that group, not writable: fine.
      const readable = folder(0o750);
      chownSync(readable, process.getuid!(), 65534);
      assert.deepEqual(checkCacheFolder(readable), { ok: true });
    },
  );
});
