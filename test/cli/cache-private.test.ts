/**
 * The cache folder is this user's alone (docs/security.md): netfence makes it, its subfolders and its files
 * for this user only, and keeps nothing in, and reads nothing from, a folder another user can write to (what
 * an answer kept there holds is printed as the answer; Node runs the compiled code kept in `compile/`).
 */
import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { crc32 } from 'node:zlib';
import { caseFolders } from '../support/case-folders.ts';
import { runCli, spawnCli } from '../support/cli.ts';

const caseFolder = caseFolders('cache-private');
/** A cache folder not made yet, in a new folder of its own. */
const fresh = (): string => join(caseFolder(), 'cache');

const ARGS = ['analyze', 'test/fixtures/tiers', '-o', 'json'];
const posix = process.getuid !== undefined;
const isRoot = process.getuid?.() === 0;

/** The permission bits of every folder and file under `dir` (and of `dir`), by path relative to it. */
function modes(dir: string, under = ''): Map<string, number> {
  const out = new Map<string, number>([
    [under === '' ? '.' : under, statSync(join(dir, under)).mode & 0o777],
  ]);
  for (const name of readdirSync(join(dir, under))) {
    const path = under === '' ? name : join(under, name);
    if (name === 'compile') continue; // Node's own
    if (statSync(join(dir, path)).isDirectory()) for (const [p, m] of modes(dir, path)) out.set(p, m);
    else out.set(path, statSync(join(dir, path)).mode & 0o777);
  }
  return out;
}

/**
 * Replaces the one kept answer of `dir` with one that starts with `forged\n` (with the right CRC-32): what
 * another user who can write to the folder could do.
 */
function forgeAnswer(dir: string): void {
  const [name] = readdirSync(join(dir, 'answers'));
  assert.ok(name !== undefined, 'an answer was kept');
  const path = join(dir, 'answers', name);
  const bytes = readFileSync(path);
  const body = Buffer.concat([Buffer.from('forged\n'), bytes.subarray(12)]);
  const head = Buffer.from(bytes.subarray(0, 12));
  head.writeUInt32BE(crc32(body), 4);
  head.writeUInt32BE(bytes.readUInt32BE(8) + 7, 8);
  writeFileSync(path, Buffer.concat([head, body]));
}

const warning = (dir: string, why: string): string =>
  `netfence: not using the cache folder "${dir}": ${why}, and what it holds is printed as answers and run as code; make it yours alone (chmod go-w), or set NETFENCE_CACHE_DIR to a folder of your own\n`;

describe('the cache folder', { skip: !posix && 'no user ids here' }, () => {
  test('is made for this user alone: its folders rwx------, its files rw-------, whatever the umask', async () => {
    const dir = fresh();
    const umask = process.umask(0);
    try {
      // Three runs: the mark of a first run, the entries of a second (and its answer), a third from the cache.
      for (let i = 0; i < 3; i++) assert.equal((await spawnCli(ARGS, { NETFENCE_CACHE_DIR: dir })).code, 0);
    } finally {
      process.umask(umask);
    }
    const seen = modes(dir);
    assert.ok(seen.has('answers') && seen.has('packs'), [...seen.keys()].join(', '));
    assert.ok(
      [...seen.keys()].some((p) => p.startsWith('answers/')),
      'an answer was kept',
    );
    for (const [path, mode] of seen) {
      const folder = statSync(join(dir, path)).isDirectory();
      assert.equal(mode.toString(8), (folder ? 0o700 : 0o600).toString(8), path);
    }
  });

  test('that every user can write to is not used: a forged answer is not printed, nothing is kept there', async () => {
    const dir = fresh();
    const expected = await runCli([...ARGS, '--no-cache']);
    for (let i = 0; i < 2; i++) await spawnCli(ARGS, { NETFENCE_CACHE_DIR: dir });
    forgeAnswer(dir);
    assert.match(
      (await spawnCli(ARGS, { NETFENCE_CACHE_DIR: dir })).stdout,
      /^forged\n/,
      'the forged answer is read from a private folder',
    );
    chmodSync(dir, 0o777);
    const open = await spawnCli(ARGS, { NETFENCE_CACHE_DIR: dir });
    assert.equal(open.code, 0, open.stderr);
    assert.equal(open.stdout, expected.stdout);
    assert.equal(open.stderr, expected.stderr + warning(dir, 'every user can write to it'));
    // --no-cache (or NETFENCE_NO_CACHE) asks for no cache: nothing to warn about.
    const off = await spawnCli([...ARGS, '--no-cache'], { NETFENCE_CACHE_DIR: dir });
    assert.equal(off.stderr, expected.stderr);
  });

  test('that every user can write to gets no compiled code, no answer and no manifests', async () => {
    const dir = fresh();
    mkdirSync(dir);
    chmodSync(dir, 0o1777); // as /tmp
    for (let i = 0; i < 2; i++) {
      const r = await spawnCli(ARGS, { NETFENCE_CACHE_DIR: dir });
      assert.equal(r.code, 0, r.stderr);
      assert.ok(r.stderr.endsWith(warning(dir, 'every user can write to it')), r.stderr);
    }
    assert.deepEqual(readdirSync(dir), []);
  });

  test("writable by this user's own group (a umask of 002) is used", async () => {
    const dir = fresh();
    mkdirSync(dir);
    chmodSync(dir, 0o775);
    assert.equal(statSync(dir).gid, process.getgid?.());
    for (let i = 0; i < 2; i++) assert.equal((await spawnCli(ARGS, { NETFENCE_CACHE_DIR: dir })).code, 0);
    assert.deepEqual(readdirSync(dir).sort(), ['answers', 'compile', 'packs']);
  });

  test(
    "another user's, or writable by another group, is not used",
    { skip: !isRoot && 'needs root (chown)' },
    async () => {
      const expected = await runCli([...ARGS, '--no-cache']);
      const theirs = fresh();
      mkdirSync(theirs, { mode: 0o755 });
      chownSync(theirs, 65534, 65534);
      const group = fresh();
      mkdirSync(group);
      chmodSync(group, 0o775);
      chownSync(group, 0, 65534);
      for (const [dir, why] of [
        [theirs, 'it belongs to another user (uid 65534)'],
        [group, 'the users of group 65534 can write to it'],
      ] as const) {
        const r = await spawnCli(ARGS, { NETFENCE_CACHE_DIR: dir });
        assert.equal(r.stdout, expected.stdout);
        assert.equal(r.stderr, expected.stderr + warning(dir, why));
        assert.deepEqual(readdirSync(dir), []);
      }
    },
  );
});
