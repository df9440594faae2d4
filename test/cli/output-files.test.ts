/**
 * How commands write their files (src/cli/options/output.ts): a file written is rw-r--r-- whatever the umask,
 * one replaced keeps its permissions; a write that fails says why in one line naming the file, and leaves
 * neither the file nor a temporary file;
 * `writeFileIfAbsent` (a rollback record is never written over) says "taken" only when the name is taken, and
 * creates the file exclusively instead of linking it only where the file system has no hard links.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { UserError } from '../../src/cli/io.ts';
import { makeFolder, writeFileAtomic, writeFileIfAbsent } from '../../src/cli/options/output.ts';
import { caseFolders } from '../support/case-folders.ts';

/** A folder of its own for each case, so that "nothing left" can be read from its listing. */
const folder = caseFolders('output-files');

/** A `link` that fails with `error` (as a file system would, or with what no file system gives: not an Error). */
const linkFailing = (error: unknown) => (): Promise<void> =>
  // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the code reads any reason
  Promise.reject(error);

const coded = (code: string, message: string): Error => Object.assign(new Error(message), { code });

/** What `write` rejects with: a UserError, its one line. */
async function reason(write: Promise<unknown>): Promise<string> {
  const error: unknown = await write.then(
    () => assert.fail('written'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof UserError, String(error));
  return error.message;
}

describe('a file written', () => {
  test('is rw-r--r-- even where the umask would let others write it', async () => {
    const at = folder();
    const umask = process.umask(0);
    try {
      await writeFileAtomic(join(at, 'atomic.json'), '{}\n');
      assert.equal(await writeFileIfAbsent(join(at, 'record.json'), '{}\n'), true);
    } finally {
      process.umask(umask);
    }
    assert.equal(statSync(join(at, 'atomic.json')).mode & 0o777, 0o644);
    assert.equal(statSync(join(at, 'record.json')).mode & 0o777, 0o644);
  });
});

describe('a file replaced', () => {
  test("keeps its permissions, as a shell's > keeps them: one only its owner may read stays so", async () => {
    const at = folder();
    for (const mode of [0o600, 0o640, 0o664]) {
      const path = join(at, `kept-${mode.toString(8)}.yaml`);
      writeFileSync(path, 'old\n');
      chmodSync(path, mode);
      await writeFileAtomic(path, 'new\n');
      assert.equal(readFileSync(path, 'utf8'), 'new\n');
      assert.equal((statSync(path).mode & 0o777).toString(8), mode.toString(8));
    }
    // Through a symbolic link: the file it points to keeps its permissions.
    const target = join(at, 'private.yaml');
    writeFileSync(target, 'old\n');
    chmodSync(target, 0o600);
    symlinkSync(target, join(at, 'link.yaml'));
    await writeFileAtomic(join(at, 'link.yaml'), 'new\n');
    assert.equal(readFileSync(target, 'utf8'), 'new\n');
    assert.equal((statSync(target).mode & 0o777).toString(8), '600');
    assert.deepEqual(
      readdirSync(at).filter((n) => n.endsWith('.tmp')),
      [],
    );
  });
});

describe('a write that fails: the reason in one line, nothing left behind', () => {
  test('into a folder that does not exist: said so, not "taken"', async () => {
    const at = folder();
    const path = join(at, 'no', 'such', 'record.json');
    assert.equal(
      await reason(writeFileIfAbsent(path, '{}\n')),
      `cannot write "${path}": folder "${join(at, 'no', 'such')}" does not exist`,
    );
  });

  test('over a folder: "it is a folder"', async () => {
    const at = folder();
    const path = join(at, 'taken');
    mkdirSync(path);
    assert.equal(await reason(writeFileAtomic(path, '{}\n')), `cannot write "${path}": it is a folder`);
    assert.deepEqual(readdirSync(at), ['taken'], 'no temporary file left');
  });

  test('into a folder the file system keeps unchanged (EPERM, even for root): "permission denied"', async (t) => {
    // An immutable folder (chattr +i) refuses new names with EPERM whoever asks: the one way a test run as root
    // meets EPERM from a write. Where chattr cannot set it (not root, or a file system without the attribute),
    // there is nothing to test.
    const at = folder();
    const locked = join(at, 'locked');
    mkdirSync(locked);
    if (spawnSync('chattr', ['+i', locked]).status !== 0) {
      t.skip('chattr +i is not available here');
      return;
    }
    try {
      const path = join(locked, 'report.html');
      assert.equal(await reason(writeFileAtomic(path, '{}\n')), `cannot write "${path}": permission denied`);
      assert.equal(await makeFolder(join(locked, 'out')), 'permission denied');
    } finally {
      spawnSync('chattr', ['-i', locked]);
    }
    assert.deepEqual(readdirSync(locked), [], 'nothing written');
  });

  test('a folder that cannot be made for another reason: the system\'s own words, not "permission denied"', async () => {
    const at = folder();
    const long = join(at, 'x'.repeat(300));
    assert.match((await makeFolder(long)) ?? 'made', /^ENAMETOOLONG: name too long, mkdir /);
    assert.deepEqual(readdirSync(at), []);
  });

  test('a link refused for want of rights: "permission denied", nothing written', async () => {
    const at = folder();
    const path = join(at, 'record.json');
    assert.equal(
      await reason(
        writeFileIfAbsent(path, '{}\n', linkFailing(coded('EACCES', 'EACCES: permission denied, link'))),
      ),
      `cannot write "${path}": permission denied`,
    );
    assert.deepEqual(readdirSync(at), []);
  });

  test('any other failure of the link is the write failing (not a file system without hard links)', async () => {
    const at = folder();
    const path = join(at, 'record.json');
    assert.equal(
      await reason(writeFileIfAbsent(path, '{}\n', linkFailing(coded('EIO', 'i/o error, link')))),
      `cannot write "${path}": i/o error, link`,
    );
    assert.deepEqual(readdirSync(at), [], 'not created another way');
  });

  test('whatever it fails with, an Error without a code or not an Error at all: its own words', async () => {
    const at = folder();
    const path = join(at, 'record.json');
    for (const [error, said] of [
      [new Error('gone'), 'gone'],
      ['gone', 'gone'],
      [null, 'null'],
      [undefined, 'undefined'],
      [42, '42'],
    ] as const) {
      assert.equal(
        await reason(writeFileIfAbsent(path, '{}\n', linkFailing(error))),
        `cannot write "${path}": ${said}`,
        String(error),
      );
    }
    assert.deepEqual(readdirSync(at), []);
  });
});

describe('writeFileIfAbsent where the file system has no hard links', () => {
  for (const code of ['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']) {
    test(`link failing with ${code}: created exclusively instead, then refused`, async () => {
      const at = folder();
      const path = join(at, 'record.json');
      const noLinks = linkFailing(coded(code, `${code}: link`));
      assert.equal(await writeFileIfAbsent(path, 'first\n', noLinks), true);
      assert.equal(await writeFileIfAbsent(path, 'second\n', noLinks), false);
      assert.equal(readFileSync(path, 'utf8'), 'first\n');
      assert.deepEqual(readdirSync(at), ['record.json']);
    });
  }
});
