import assert from 'node:assert/strict';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { crc32 } from 'node:zlib';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { writeCluster } from '../../bench/generate.ts';
import { openManifestCache, readPack } from '../../src/parse/cache.ts';
import { inputFingerprint } from '../../src/cli/input-size.ts';
import { isWarmInput, recordInput } from '../../src/cli/warm-inputs.ts';
import { runCli, spawnCli, type CliResult } from '../support/cli.ts';

const root = mkdtempSync(join(tmpdir(), 'netfence-cache-test-'));
after(() => rmSync(root, { recursive: true, force: true }));
let folders = 0;
const fresh = (): string => join(root, `cache-${++folders}`);

const TIERS = 'test/fixtures/tiers';

/** T1 microseg of the benchmark (3 MB, 200 files), written once. */
function t1(): string {
  const dir = join(root, 'T1');
  if (!existsSync(dir)) writeCluster(dir, { tier: 'T1', mix: 'microseg', seed: 1 });
  return dir;
}

/**
 * An input large enough to run on the worker (`WORKER_INPUT_BYTES`, 8 MB): T1 microseg and a file of 6 MB of
 * comments beside it (read and cached as any file, no object in it).
 */
function largeInput(): string[] {
  const padding = join(root, 'padding.yaml');
  if (!existsSync(padding)) writeFileSync(padding, `# ${'x'.repeat(98)}\n`.repeat(60_000));
  return [t1(), padding];
}

/** The packs of a cache folder: name → bytes. */
function packs(cacheDir: string): Map<string, Buffer> {
  const dir = join(cacheDir, 'packs');
  if (!existsSync(dir)) return new Map();
  return new Map(readdirSync(dir).map((name) => [name, readFileSync(join(dir, name))]));
}

/** The entries of a cache folder's packs: key → bytes. */
function entries(cacheDir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const bytes of packs(cacheDir).values())
    for (const [key, entry] of readPack(bytes)) out.set(key, Buffer.from(entry.bytes));
  return out;
}

/** The modification time of each pack. */
function packTimes(cacheDir: string): Map<string, number> {
  return new Map([...packs(cacheDir).keys()].map((n) => [n, statSync(join(cacheDir, 'packs', n)).mtimeMs]));
}

async function cli(args: readonly string[], cacheDir: string): Promise<CliResult> {
  return runCli(args, { env: { NETFENCE_CACHE_DIR: cacheDir } });
}

/**
 * No cache; a first run, which keeps only the mark that the input was read; a second that fills the cache; a
 * third that reads it: the same bytes, and the third wrote nothing.
 */
async function assertSameThrough(args: readonly string[]): Promise<Map<string, Buffer>> {
  const dir = fresh();
  const plain = await runCli([...args, '--no-cache'], { env: { NETFENCE_CACHE_DIR: dir } });
  assert.equal(existsSync(dir), false, '--no-cache wrote into the cache folder');
  const first = await cli(args, dir);
  assert.ok(packs(dir).size > 0, 'the first run left no mark');
  assert.equal(entries(dir).size, 0, 'the first run of an input kept its entries');
  const cold = await cli(args, dir);
  const stored = entries(dir);
  assert.ok(stored.size > 0, 'the second run kept nothing');
  const times = packTimes(dir);
  const warm = await cli(args, dir);
  for (const r of [first, cold, warm]) {
    assert.equal(r.code, plain.code);
    assert.equal(r.stdout, plain.stdout);
    assert.equal(r.stderr, plain.stderr);
  }
  // Every entry was read, no pack written again (a miss or a damaged entry is written again).
  assert.deepEqual(packTimes(dir), times);
  assert.deepEqual(entries(dir), stored);
  return stored;
}

describe('the manifest cache', () => {
  test('analyze gives the same bytes without the cache, filling it and reading it (cluster policies and Nodes)', async () => {
    const stored = await assertSameThrough(['analyze', TIERS, '-o', 'json']);
    // One entry per file read (README.md is not a manifest).
    const files = readdirSync(TIERS).filter((f) => f.endsWith('.yaml'));
    assert.equal(stored.size, files.length);
  });

  test('positions survive the cache: lint and explain cite the same lines and columns', async () => {
    const lint = await assertSameThrough(['lint', TIERS, '-o', 'json', '--fail-on', 'none']);
    assert.ok(lint.size > 0);
    const plain = await runCli(['lint', TIERS, '-o', 'json', '--fail-on', 'none', '--no-cache']);
    assert.match(plain.stdout, /"line": \d+/, 'the fixture gives findings with positions');
    const explain = ['explain', '--from', 'shop/web', '--to', 'data/db', 'test/fixtures/explain-tiers'];
    await assertSameThrough(explain);
    assert.match((await runCli(explain)).stdout, /\.yaml:\d+/, 'explain cites file:line');
  });

  test('files with problems are read again each time, with the same problems', async () => {
    await assertSameThrough(['analyze', 'test/fixtures/cli/invalid.yaml', 'test/fixtures/cli/pods.yaml']);
    await assertSameThrough(['analyze', 'test/fixtures/parse', '--skip-invalid', '-o', 'json']);
  });

  test('T1 microseg of the benchmark: the same bytes from the cache', async () => {
    await assertSameThrough(['analyze', t1(), '-o', 'json']);
  });

  test('a large input read from the cache is remembered as warm (it then runs on the main thread)', async () => {
    const dir = fresh();
    const args = ['analyze', ...largeInput(), '-o', 'json'];
    const fingerprint = await inputFingerprint(args, process.cwd());
    const expected = await runCli([...args, '--no-cache']);
    const first = await spawnCli(args, { NETFENCE_CACHE_DIR: dir });
    assert.equal(first.stdout, expected.stdout);
    assert.equal(await isWarmInput(dir, fingerprint), false, 'a first run keeps only a mark: not warm');
    // Each run spelled differently, so that none is answered from the answer cache.
    const second = [...args, '--granularity', 'workload'];
    assert.equal((await spawnCli(second, { NETFENCE_CACHE_DIR: dir })).stdout, expected.stdout);
    assert.equal(await isWarmInput(dir, fingerprint), true);
    // The third run, on the main thread, answers the same.
    const third = [...args, '--granularity=workload'];
    assert.equal((await spawnCli(third, { NETFENCE_CACHE_DIR: dir })).stdout, expected.stdout);
    // --no-cache neither reads nor changes what is remembered.
    await recordInput(dir, fingerprint, false);
    assert.equal(
      (await spawnCli([...args, '--no-cache'], { NETFENCE_CACHE_DIR: dir })).stdout,
      expected.stdout,
    );
    assert.equal(await isWarmInput(dir, fingerprint), false);
  });

  test('warm inputs: remembered by fingerprint, the most recent 64', async () => {
    const dir = fresh();
    const prints = Array.from({ length: 70 }, (_, i) => i.toString(16).padStart(64, '0'));
    for (const p of prints) await recordInput(dir, p, true);
    assert.equal(await isWarmInput(dir, prints[0]!), false);
    assert.equal(await isWarmInput(dir, prints[69]!), true);
    assert.equal(await isWarmInput(dir, prints[6]!), true);
    await recordInput(dir, prints[69]!, false);
    assert.equal(await isWarmInput(dir, prints[69]!), false);
    assert.equal(await isWarmInput(dir, prints[68]!), true);
  });

  test('an input fingerprint follows the files: paths, sizes and times', async () => {
    const input = join(root, 'print');
    cpSync(TIERS, input, { recursive: true });
    const args = ['analyze', input, '-o', 'json'];
    const first = await inputFingerprint(args, '/');
    assert.equal(await inputFingerprint(args, '/'), first);
    assert.notEqual(await inputFingerprint(args, '/elsewhere'), first);
    const file = join(input, 'nodes.yaml');
    utimesSync(file, 1_000_000, 1_000_000);
    const touched = await inputFingerprint(args, '/');
    assert.notEqual(touched, first);
    writeFileSync(join(input, 'notes.txt'), 'not a manifest');
    assert.equal(await inputFingerprint(args, '/'), touched);
    writeFileSync(join(input, 'more.yaml'), '');
    assert.notEqual(await inputFingerprint(args, '/'), touched);
  });

  test('editing one file changes the answer (never stale)', async () => {
    const input = join(root, 'edit');
    cpSync(TIERS, input, { recursive: true });
    const dir = fresh();
    const before = await cli(['analyze', input, '-o', 'json'], dir);
    assert.equal(before.code, 0, before.stderr);
    assert.equal((await cli(['analyze', input, '-o', 'json'], dir)).stdout, before.stdout);
    assert.ok(entries(dir).size > 0, 'the second run filled the cache');
    const file = join(input, 'tenant-a.yaml');
    const text = readFileSync(file, 'utf8');
    const edited = text.replace(/port: 8080/, 'port: 8081');
    assert.notEqual(edited, text, 'the fixture has a port 8080 to change');
    writeFileSync(file, edited);
    const afterEdit = await cli(['analyze', input, '-o', 'json'], dir);
    assert.notEqual(afterEdit.stdout, before.stdout);
    assert.equal(afterEdit.stdout, (await runCli(['analyze', input, '-o', 'json', '--no-cache'])).stdout);
    // Back to the first text: the first entry answers again.
    writeFileSync(file, text);
    assert.equal((await cli(['analyze', input, '-o', 'json'], dir)).stdout, before.stdout);
  });

  test('the options that change the checks are part of the key', async () => {
    const dir = fresh();
    const args = ['analyze', TIERS, '-o', 'json'];
    for (const extra of [[], ['-n', 'elsewhere'], ['--strict']]) {
      await cli([...args, ...extra], dir);
      const again = await cli([...args, ...extra], dir);
      assert.equal(again.stdout, (await runCli([...args, ...extra, '--no-cache'])).stdout);
    }
    const files = readdirSync(TIERS).filter((f) => f.endsWith('.yaml')).length;
    assert.equal(entries(dir).size, 3 * files);
  });

  test('a damaged entry is ignored and written again', async () => {
    const dir = fresh();
    const args = ['analyze', TIERS, '-o', 'json'];
    await cli(args, dir);
    const first = await cli(args, dir);
    const stored = entries(dir);
    assert.ok(stored.size >= 3);
    const [name, pack] = [...packs(dir)][0]!;
    const path = join(dir, 'packs', name);
    // A flipped byte in the last entry, a truncated pack, garbage, an empty file.
    const flipped = Buffer.from(pack);
    flipped[flipped.length - 3] = flipped[flipped.length - 3]! ^ 0xff;
    for (const damaged of [
      flipped,
      pack.subarray(0, pack.length >> 1),
      Buffer.from('not a pack'),
      Buffer.alloc(0),
    ]) {
      writeFileSync(path, damaged);
      assert.ok(entries(dir).size < stored.size || damaged === flipped);
      const again = await cli(args, dir);
      assert.equal(again.stdout, first.stdout);
      assert.equal(again.stderr, first.stderr);
      assert.deepEqual(entries(dir), stored, 'the damaged entries were not written again');
    }
  });

  test('--no-cache and NETFENCE_NO_CACHE=1 write nothing, compiled code included', async () => {
    const dir = fresh();
    const off = await spawnCli(['analyze', TIERS, '--no-cache'], { NETFENCE_CACHE_DIR: dir });
    assert.equal(off.code, 0, off.stderr);
    assert.equal(existsSync(dir), false);
    const env = await spawnCli(['analyze', TIERS], { NETFENCE_CACHE_DIR: dir, NETFENCE_NO_CACHE: '1' });
    assert.equal(env.stdout, off.stdout);
    assert.equal(existsSync(dir), false);
    const on = await spawnCli(['analyze', TIERS], { NETFENCE_CACHE_DIR: dir });
    assert.equal(on.stdout, off.stdout);
    assert.deepEqual(readdirSync(dir).sort(), ['answers', 'compile', 'packs']);
  });

  test('the folder is NETFENCE_CACHE_DIR, else $XDG_CACHE_HOME/netfence, else ~/.cache/netfence', async () => {
    const xdg = fresh();
    await runCli(['analyze', TIERS], { env: { XDG_CACHE_HOME: xdg, HOME: join(root, 'no-home') } });
    assert.ok(packs(join(xdg, 'netfence')).size > 0);
    const home = fresh();
    await runCli(['analyze', TIERS], { env: { HOME: home } });
    assert.ok(packs(join(home, '.cache', 'netfence')).size > 0);
    assert.equal(existsSync(join(root, 'no-home')), false);
  });

  test('two processes filling the same cache at once both answer right, and leave whole entries', async () => {
    const input = join(root, 'T0');
    writeCluster(input, { tier: 'T0', mix: 'microseg', seed: 1 });
    const dir = fresh();
    const args = ['analyze', input, '-o', 'json'];
    const expected = await runCli([...args, '--no-cache']);
    // Twice: the first time both leave the mark of a first run, the second time (spelled differently, not to
    // be answered from the answer cache) both write the entries.
    for (const round of [args, [...args, '--granularity', 'workload']]) {
      const both = await Promise.all([
        spawnCli(round, { NETFENCE_CACHE_DIR: dir }),
        spawnCli(round, { NETFENCE_CACHE_DIR: dir }),
      ]);
      for (const r of both) {
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout, expected.stdout);
      }
    }
    const names = readdirSync(join(dir, 'packs'));
    assert.ok(names.length > 0);
    assert.deepEqual(
      names.filter((n) => n.endsWith('.tmp')),
      [],
    );
    const stored = entries(dir);
    assert.ok(stored.size > 0);
    const times = packTimes(dir);
    assert.equal((await cli(args, dir)).stdout, expected.stdout);
    assert.deepEqual(entries(dir), stored);
    assert.deepEqual(packTimes(dir), times, 'a pack the two processes wrote was not whole');
  });

  test('beyond its limit the cache drops its oldest packs', async () => {
    const dir = fresh();
    const folder = join(dir, 'packs');
    mkdirSync(folder, { recursive: true });
    const old = Date.now() / 1000 - 3600;
    for (const [i, name] of ['a', 'b', 'c'].entries()) {
      writeFileSync(join(folder, name), Buffer.alloc(1000));
      utimesSync(join(folder, name), old + i, old + i);
    }
    writeFileSync(join(folder, 'left.1.x.tmp'), 'partial');
    utimesSync(join(folder, 'left.1.x.tmp'), old - 7200, old - 7200);
    const cache = openManifestCache({ dir, version: 'test', maxBytes: 2500 });
    const { key } = await cache.lookup('kind: x', { defaultNamespace: 'default', strict: false });
    cache.store(key, { parse: { objects: [], nonK8sDocuments: 1 }, checks: [] });
    await cache.flush();
    // The new pack and the newest old ones that fit: 2,500 bytes hold the new pack and one of 1,000 more.
    const left = readdirSync(folder).sort();
    const written = left.filter((n) => !['a', 'b', 'c'].includes(n));
    assert.equal(written.length, 1);
    assert.ok(readPack(readFileSync(join(folder, written[0]!))).has(key));
    assert.ok(left.includes('c'));
    assert.equal(left.includes('a'), false);
    assert.equal(left.includes('left.1.x.tmp'), false, 'a stale temporary file stays');
    const size = left.reduce((n, name) => n + statSync(join(folder, name)).size, 0);
    assert.ok(size <= 2500, `${size} bytes left`);
    // What was stored reads back.
    const reopened = openManifestCache({ dir, version: 'test', maxBytes: 2500 });
    const back = await reopened.lookup('kind: x', { defaultNamespace: 'default', strict: false });
    assert.deepEqual(back.stored, { parse: { objects: [], nonK8sDocuments: 1 }, checks: [] });
  });
  test('the answer cache: a repeated analyze prints the kept answer, byte for byte', async () => {
    const input = join(root, 'answer');
    cpSync(TIERS, input, { recursive: true });
    const dir = fresh();
    const args = ['analyze', input, '-o', 'json'];
    const expected = await runCli([...args, '--no-cache']);
    const first = await spawnCli(args, { NETFENCE_CACHE_DIR: dir });
    const kept = readdirSync(join(dir, 'answers'));
    assert.equal(kept.length, 1);
    const second = await spawnCli(args, { NETFENCE_CACHE_DIR: dir });
    for (const r of [first, second]) {
      assert.equal(r.code, expected.code);
      assert.equal(r.stdout, expected.stdout);
      assert.equal(r.stderr, expected.stderr);
    }
    // It is the kept answer that the second run printed: one changed in place (with a right CRC) is printed.
    const path = join(dir, 'answers', kept[0]!);
    const bytes = readFileSync(path);
    const body = Buffer.concat([Buffer.from('kept\n'), bytes.subarray(12, bytes.length - 2)]);
    const head = Buffer.from(bytes.subarray(0, 12));
    head.writeUInt32BE(crc32(body), 4);
    head.writeUInt32BE(bytes.readUInt32BE(8) + 5 - 2, 8);
    writeFileSync(path, Buffer.concat([head, body]));
    assert.match((await spawnCli(args, { NETFENCE_CACHE_DIR: dir })).stdout, /^kept\n/);
    // A damaged one is ignored, and written again.
    writeFileSync(path, bytes.subarray(0, bytes.length - 1));
    assert.equal((await spawnCli(args, { NETFENCE_CACHE_DIR: dir })).stdout, expected.stdout);
    assert.deepEqual(readFileSync(path), bytes);
  });

  test('the answer cache is never stale: a same-size edit with the same time, a new file, a new option', async () => {
    const input = join(root, 'answer-edit');
    cpSync(TIERS, input, { recursive: true });
    const dir = fresh();
    const args = ['analyze', input, '-o', 'json'];
    const run = (extra: string[] = []): Promise<CliResult> =>
      spawnCli([...args, ...extra], { NETFENCE_CACHE_DIR: dir });
    const before = await run();
    assert.equal((await run()).stdout, before.stdout);
    const file = join(input, 'tenant-a.yaml');
    const text = readFileSync(file, 'utf8');
    const { mtime } = statSync(file);
    const edited = text.replace(/port: 8080/, 'port: 8081');
    assert.notEqual(edited, text, 'the fixture has a port 8080 to change');
    writeFileSync(file, edited);
    utimesSync(file, mtime, mtime);
    const afterEdit = await run();
    assert.notEqual(afterEdit.stdout, before.stdout);
    assert.equal(afterEdit.stdout, (await runCli([...args, '--no-cache'])).stdout);
    writeFileSync(join(input, 'extra.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: extra\n');
    const added = await run();
    assert.match(added.stdout, /"namespaces": \d+/);
    assert.equal(added.stdout, (await runCli([...args, '--no-cache'])).stdout);
    assert.notEqual(added.stdout, afterEdit.stdout);
    const pods = await run(['--granularity', 'pod']);
    assert.equal(pods.stdout, (await runCli([...args, '--granularity', 'pod', '--no-cache'])).stdout);
  });

  test('no answer is kept for a failed run, with --no-cache, or for another command', async () => {
    const dir = fresh();
    const env = { NETFENCE_CACHE_DIR: dir };
    const invalid = await spawnCli(['analyze', 'test/fixtures/cli/invalid.yaml'], env);
    assert.equal(invalid.code, 2);
    await spawnCli(['analyze', TIERS, '--no-cache'], env);
    await spawnCli(['lint', TIERS, '--fail-on', 'none'], env);
    assert.equal(existsSync(join(dir, 'answers')), false);
  });
});
