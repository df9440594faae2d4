/**
 * The manifest cache (src/parse/cache.ts) in-process, without the CLI: its folder and size limit from the
 * environment, the code fingerprint, the pack format, atomic writes, eviction, and what a cache keeps from
 * run to run (keys, packs, `holdFirst`, `deferred`, damaged entries). test/cli/cache.test.ts checks the same
 * through `netfence analyze` (issue #20, round 9: mutants of cache.ts none of test/parse reached).
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
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
import { join } from 'node:path';
import { serialize } from 'node:v8';
import { crc32 } from 'node:zlib';
import {
  DEFAULT_CACHE_MAX_BYTES,
  cacheDirectory,
  cacheMaxBytes,
  codeFingerprint,
  evict,
  openManifestCache,
  readPack,
  writeAtomically,
  type CacheVariant,
} from '../../src/parse/cache.ts';
import { parseManifestText, storedParse } from '../../src/parse/documents.ts';
import type { StoredFile } from '../../src/parse/sources.ts';

const root = mkdtempSync(join(tmpdir(), 'netfence-cache-'));
after(() => rmSync(root, { recursive: true, force: true }));
let made = 0;
const fresh = (): string => {
  const dir = join(root, `c${++made}`);
  mkdirSync(dir);
  return dir;
};

const SRC = join(import.meta.dirname, '../../src');
const VARIANT: CacheVariant = { defaultNamespace: 'default', strict: false };
const TEXT = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n';
const TEXT2 = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: web\n';

function stored(text: string): StoredFile {
  const parse = storedParse(parseManifestText(text, 'a.yaml'));
  assert.ok(parse !== undefined);
  return { parse, checks: parse.objects.map(() => null) };
}

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');
const FINGERPRINT = (): string => codeFingerprint(['parse', 'parse/validate', 'model', 'base']);
const prefixOf = (version: string, v: CacheVariant): string =>
  `netfence ${version}\n${FINGERPRINT()}\n${v.defaultNamespace}\n${String(v.strict)}\n`;

/** The packs of a cache folder: name → bytes. */
function packs(dir: string): Map<string, Buffer> {
  const folder = join(dir, 'packs');
  if (!existsSync(folder)) return new Map();
  return new Map(readdirSync(folder).map((n) => [n, readFileSync(join(folder, n))]));
}

/** A pack's bytes by hand: magic, count, index (key, offset, length, CRC-32), entries. */
function packBytes(entries: [key: string, bytes: Buffer, crc?: number][], count = entries.length): Buffer {
  const head = 8 + entries.length * 44;
  const index = Buffer.alloc(head);
  index.write('NFP1', 0, 'latin1');
  index.writeUInt32BE(count, 4);
  let offset = head;
  entries.forEach(([key, bytes, crc], i) => {
    const at = 8 + i * 44;
    index.write(key, at, 32, 'hex');
    index.writeUInt32BE(offset, at + 32);
    index.writeUInt32BE(bytes.length, at + 36);
    index.writeUInt32BE(crc ?? crc32(bytes), at + 40);
    offset += bytes.length;
  });
  return Buffer.concat([index, ...entries.map(([, b]) => b)]);
}

describe('the cache folder and its limit, from the environment', () => {
  test('cacheDirectory: NETFENCE_CACHE_DIR, else $XDG_CACHE_HOME/netfence, else $HOME/.cache/netfence', () => {
    assert.equal(cacheDirectory({ NETFENCE_CACHE_DIR: '/c', XDG_CACHE_HOME: '/x', HOME: '/h' }), '/c');
    assert.equal(cacheDirectory({ NETFENCE_CACHE_DIR: '', XDG_CACHE_HOME: '/x', HOME: '/h' }), '/x/netfence');
    assert.equal(cacheDirectory({ XDG_CACHE_HOME: '/x', HOME: '/h' }), '/x/netfence');
    assert.equal(cacheDirectory({ XDG_CACHE_HOME: '', HOME: '/h' }), '/h/.cache/netfence');
    assert.equal(cacheDirectory({ HOME: '/h' }), '/h/.cache/netfence');
    assert.equal(cacheDirectory({ HOME: '' }), undefined);
    assert.equal(cacheDirectory({}), undefined);
  });

  test('cacheMaxBytes: NETFENCE_CACHE_MAX_MB in MiB, else 512 MiB', () => {
    assert.equal(DEFAULT_CACHE_MAX_BYTES, 536_870_912);
    assert.equal(cacheMaxBytes({}), DEFAULT_CACHE_MAX_BYTES);
    assert.equal(cacheMaxBytes({ NETFENCE_CACHE_MAX_MB: '2' }), 2_097_152);
    assert.equal(cacheMaxBytes({ NETFENCE_CACHE_MAX_MB: '0.5' }), 524_288);
    assert.equal(cacheMaxBytes({ NETFENCE_CACHE_MAX_MB: '0' }), 0);
    for (const bad of ['-1', '-0.5', 'lots', 'Infinity', 'NaN', '', '  '])
      assert.equal(cacheMaxBytes({ NETFENCE_CACHE_MAX_MB: bad }), DEFAULT_CACHE_MAX_BYTES, bad);
  });
});

describe('codeFingerprint', () => {
  /** The line of each file of a source folder, as expected: name order, size and time. */
  function lines(folder: string, deep: boolean): string[] {
    return readdirSync(join(SRC, folder))
      .sort()
      .flatMap((name) => {
        const info = statSync(join(SRC, folder, name));
        if (info.isDirectory()) return deep ? lines(`${folder}/${name}`, true) : [];
        return [`${folder}/${name}:${info.size}:${info.mtimeMs}`];
      });
  }
  const lock = statSync(join(SRC, '..', 'package-lock.json'));
  const lockLine = `package-lock.json:${lock.size}:${lock.mtimeMs}`;

  test('the size and time of each file of the folders, in name order, then package-lock.json', () => {
    assert.equal(codeFingerprint(['model']), [...lines('model', false), lockLine].join('\n'));
    // Not into subfolders without `/**`; to the bottom with it.
    const parse = codeFingerprint(['parse']);
    assert.equal(parse, [...lines('parse', false), lockLine].join('\n'));
    assert.ok(!parse.includes('parse/validate/'));
    const deep = codeFingerprint(['parse/**']);
    assert.equal(deep, [...lines('parse', true), lockLine].join('\n'));
    assert.ok(deep.includes('\nparse/validate/meta.ts:'));
    assert.equal(
      codeFingerprint(['model', 'base']),
      [...lines('model', false), ...lines('base', false), lockLine].join('\n'),
    );
  });

  test('a folder that does not exist adds nothing', () => {
    assert.equal(codeFingerprint(['no-such-folder']), lockLine);
    assert.equal(codeFingerprint([]), lockLine);
  });
});

describe('readPack', () => {
  const k1 = 'ab'.repeat(32);
  const k2 = 'cd'.repeat(32);
  const b1 = Buffer.from('first entry');
  const b2 = Buffer.from('second');

  test('every entry: its bytes and CRC-32, by key', () => {
    const pack = readPack(
      packBytes([
        [k1, b1],
        [k2, b2, 7],
      ]),
    );
    assert.deepEqual([...pack.keys()], [k1, k2]);
    assert.deepEqual(pack.get(k1), { bytes: b1, crc: crc32(b1) });
    assert.deepEqual(pack.get(k2), { bytes: b2, crc: 7 });
    assert.equal(readPack(packBytes([])).size, 0);
  });

  test('not a pack, or an index longer than the bytes: no entries', () => {
    assert.equal(readPack(Buffer.alloc(0)).size, 0);
    assert.equal(readPack(Buffer.from('NFP1')).size, 0);
    assert.equal(readPack(Buffer.from('NFP1\0\0\0')).size, 0);
    const good = packBytes([[k1, b1]]);
    assert.equal(readPack(good).size, 1);
    assert.equal(readPack(Buffer.concat([Buffer.from('NFP2'), good.subarray(4)])).size, 0);
    assert.equal(readPack(Buffer.concat([Buffer.from('XFP1'), good.subarray(4)])).size, 0);
    // The index says two entries, the bytes hold the index of one (and its entry): nothing.
    assert.equal(readPack(packBytes([[k1, b1]], 2)).size, 0);
    // Exactly the index, no entry bytes: the index is whole, the entry cut.
    const bare = packBytes([[k1, Buffer.alloc(0)]]);
    assert.deepEqual(readPack(bare).get(k1)?.bytes, Buffer.alloc(0));
  });

  test('a truncated pack keeps its whole entries', () => {
    const bytes = packBytes([
      [k1, b1],
      [k2, b2],
    ]);
    const cut = readPack(bytes.subarray(0, bytes.length - 1));
    assert.deepEqual([...cut.keys()], [k1]);
    assert.deepEqual(cut.get(k1)?.bytes, b1);
    // Cut exactly at the end of the first entry: the same.
    assert.deepEqual([...readPack(bytes.subarray(0, bytes.length - b2.length)).keys()], [k1]);
    assert.deepEqual([...readPack(bytes).keys()], [k1, k2]);
  });
});

describe('writeAtomically', () => {
  test('writes a string, a buffer or buffers, and leaves no temporary file', () => {
    const dir = fresh();
    const path = join(dir, 'f');
    writeAtomically(path, 'text');
    assert.equal(readFileSync(path, 'utf8'), 'text');
    writeAtomically(path, Buffer.from('bytes'));
    assert.equal(readFileSync(path, 'utf8'), 'bytes');
    writeAtomically(path, [Buffer.from('a'), Buffer.from('b'), Buffer.from('c')]);
    assert.equal(readFileSync(path, 'utf8'), 'abc');
    assert.deepEqual(readdirSync(dir), ['f']);
  });

  test('a write that fails throws, and removes its temporary file', () => {
    const dir = fresh();
    mkdirSync(join(dir, 'sub', 'inside'), { recursive: true });
    // Renaming a file over a folder that is not empty fails.
    assert.throws(() => writeAtomically(join(dir, 'sub'), 'x'));
    assert.deepEqual(readdirSync(dir), ['sub']);
    assert.throws(() => writeAtomically(join(dir, 'missing', 'f'), 'x'));
    assert.deepEqual(readdirSync(dir), ['sub']);
  });
});

describe('evict', () => {
  const HOUR = 3600;
  /** A file of `size` bytes modified `age` seconds ago. */
  function file(dir: string, name: string, size: number, age: number): void {
    writeFileSync(join(dir, name), Buffer.alloc(size));
    const t = Date.now() / 1000 - age;
    utimesSync(join(dir, name), t, t);
  }

  test('the oldest files go until the rest fit', () => {
    const dir = fresh();
    file(dir, 'new', 100, 10);
    file(dir, 'old', 100, 300);
    file(dir, 'mid', 100, 100);
    evict(dir, 300);
    assert.deepEqual(readdirSync(dir).sort(), ['mid', 'new', 'old']);
    evict(dir, 250);
    assert.deepEqual(readdirSync(dir).sort(), ['mid', 'new']);
    evict(dir, 100);
    assert.deepEqual(readdirSync(dir).sort(), ['new']);
    evict(dir, 0);
    assert.deepEqual(readdirSync(dir), []);
  });

  test('temporary files: removed after an hour, never counted', () => {
    const dir = fresh();
    file(dir, 'pack', 100, 10);
    file(dir, 'a.tmp', 1000, 2 * HOUR);
    file(dir, 'b.tmp', 1000, 10);
    file(dir, 'c.tmp', 1000, HOUR - 60);
    evict(dir, 100);
    assert.deepEqual(readdirSync(dir).sort(), ['b.tmp', 'c.tmp', 'pack']);
    // The newest pack also goes when it alone is over the limit; temporary files are not packs.
    evict(dir, 99);
    assert.deepEqual(readdirSync(dir).sort(), ['b.tmp', 'c.tmp']);
  });
});

describe('openManifestCache', () => {
  test('nothing on disk before a lookup; keys and the pack name from the version, options and input', async () => {
    const dir = fresh();
    const cache = openManifestCache({ dir, version: '1.2.3', input: 'in' });
    assert.equal(cache.keepsEntries(), true);
    await cache.flush();
    cache.commit();
    assert.deepEqual(readdirSync(dir), []);
    const { key, stored: none } = await cache.lookup(TEXT, VARIANT);
    assert.equal(none, undefined);
    assert.equal(key, sha(prefixOf('1.2.3', VARIANT) + TEXT));
    const strict = { defaultNamespace: 'shop', strict: true };
    assert.equal((await cache.lookup(TEXT, strict)).key, sha(prefixOf('1.2.3', strict) + TEXT));
    cache.store(key, stored(TEXT));
    // Nothing is written before flush.
    cache.commit();
    assert.deepEqual(readdirSync(dir), []);
    await cache.flush();
    assert.deepEqual([...packs(dir).keys()], [sha(prefixOf('1.2.3', VARIANT) + 'in')]);
    assert.equal(cache.keepsEntries(), true);
    // Without an input: the pack of every input.
    const dir2 = fresh();
    const other = openManifestCache({ dir: dir2, version: '1.2.3' });
    other.store((await other.lookup(TEXT, VARIANT)).key, stored(TEXT));
    await other.flush();
    assert.deepEqual([...packs(dir2).keys()], [sha(prefixOf('1.2.3', VARIANT))]);
  });

  test('what a run stores, the next run finds (with the same version, options and input only)', async () => {
    const dir = fresh();
    const first = openManifestCache({ dir, version: '1', input: 'x' });
    assert.equal(await first.begin(VARIANT), false);
    const a = await first.lookup(TEXT, VARIANT);
    const b = await first.lookup(TEXT2, VARIANT);
    first.store(a.key, stored(TEXT));
    first.store(b.key, stored(TEXT2));
    await first.flush();
    const [name, bytes] = [...packs(dir)][0]!;
    assert.deepEqual([...readPack(bytes).keys()].sort(), [a.key, b.key].sort());

    const second = openManifestCache({ dir, version: '1', input: 'x' });
    assert.equal(await second.begin(VARIANT), true);
    assert.deepEqual(await second.lookup(TEXT, VARIANT), { key: a.key, stored: stored(TEXT) });
    assert.deepEqual(await second.lookup(TEXT2, VARIANT), { key: b.key, stored: stored(TEXT2) });
    // Nothing new and nothing dropped: the pack is not written again.
    const old = Date.now() / 1000 - 1000;
    utimesSync(join(dir, 'packs', name), old, old);
    const time = statSync(join(dir, 'packs', name)).mtimeMs;
    await second.flush();
    assert.equal(statSync(join(dir, 'packs', name)).mtimeMs, time);
    assert.equal(second.keepsEntries(), true);

    // A run that stores an entry writes once: a second flush has nothing new.
    const third = openManifestCache({ dir, version: '1', input: 'x' });
    await third.lookup(TEXT, VARIANT);
    await third.lookup(TEXT2, VARIANT);
    const c = await third.lookup('kind: Other\n', VARIANT);
    third.store(c.key, stored(TEXT));
    await third.flush();
    assert.equal(readPack(readFileSync(join(dir, 'packs', name))).size, 3);
    utimesSync(join(dir, 'packs', name), old, old);
    const written = statSync(join(dir, 'packs', name)).mtimeMs;
    await third.flush();
    assert.equal(statSync(join(dir, 'packs', name)).mtimeMs, written);

    for (const [options, variant] of [
      [{ version: '2', input: 'x' }, VARIANT],
      [{ version: '1', input: 'y' }, VARIANT],
      [
        { version: '1', input: 'x' },
        { defaultNamespace: 'shop', strict: false },
      ],
      [
        { version: '1', input: 'x' },
        { defaultNamespace: 'default', strict: true },
      ],
    ] as const) {
      const other = openManifestCache({ dir, ...options });
      assert.equal(await other.begin(variant), false, JSON.stringify([options, variant]));
      assert.equal((await other.lookup(TEXT, variant)).stored, undefined);
    }
  });

  test('a run that no longer reads a file writes the pack without it', async () => {
    const dir = fresh();
    const first = openManifestCache({ dir, version: '1' });
    const a = await first.lookup(TEXT, VARIANT);
    const b = await first.lookup(TEXT2, VARIANT);
    first.store(a.key, stored(TEXT));
    first.store(b.key, stored(TEXT2));
    await first.flush();
    const second = openManifestCache({ dir, version: '1' });
    assert.deepEqual((await second.lookup(TEXT, VARIANT)).stored, stored(TEXT));
    await second.flush();
    const [bytes] = [...packs(dir).values()];
    assert.deepEqual([...readPack(bytes!).keys()], [a.key]);
    // Its entry copied as it was written.
    const firstBytes = readPack(bytes!).get(a.key)!;
    assert.equal(firstBytes.crc, crc32(firstBytes.bytes));
    assert.deepEqual(firstBytes.bytes, serialize(stored(TEXT)));
  });

  test('holdFirst: the first run of an input keeps only its mark, the second its entries', async () => {
    const dir = fresh();
    const first = openManifestCache({ dir, version: '1', holdFirst: true });
    assert.equal(await first.begin(VARIANT), false);
    // The mark is written at once (not deferred).
    assert.equal(packs(dir).size, 1);
    const a = await first.lookup(TEXT, VARIANT);
    first.store(a.key, stored(TEXT));
    await first.flush();
    assert.equal(first.keepsEntries(), false);
    const [mark] = [...packs(dir).values()];
    assert.equal(readPack(mark!).size, 0);
    assert.deepEqual(mark, Buffer.from('NFP1\0\0\0\0', 'latin1'));

    const second = openManifestCache({ dir, version: '1', holdFirst: true });
    assert.equal(await second.begin(VARIANT), true);
    assert.equal((await second.lookup(TEXT, VARIANT)).stored, undefined);
    second.store(a.key, stored(TEXT));
    await second.flush();
    assert.equal(second.keepsEntries(), true);
    assert.deepEqual([...readPack([...packs(dir).values()][0]!).keys()], [a.key]);

    const third = openManifestCache({ dir, version: '1', holdFirst: true });
    assert.equal(await third.begin(VARIANT), true);
    assert.deepEqual((await third.lookup(TEXT, VARIANT)).stored, stored(TEXT));
  });

  test('holdFirst and deferred: the mark waits for commit', async () => {
    const dir = fresh();
    const first = openManifestCache({ dir, version: '1', holdFirst: true, deferred: true });
    assert.equal(await first.begin(VARIANT), false);
    await first.flush();
    assert.equal(packs(dir).size, 0);
    first.commit();
    assert.equal(packs(dir).size, 1);
    assert.equal(first.keepsEntries(), false);
    // A pack without holdFirst on an input's first run: its entries at once.
    const dir2 = fresh();
    const plain = openManifestCache({ dir: dir2, version: '1' });
    assert.equal(await plain.begin(VARIANT), false);
    assert.equal(packs(dir2).size, 0);
    plain.store((await plain.lookup(TEXT, VARIANT)).key, stored(TEXT));
    await plain.flush();
    assert.equal(plain.keepsEntries(), true);
    assert.equal(readPack([...packs(dir2).values()][0]!).size, 1);
  });

  test('deferred: flush writes nothing, commit writes once', async () => {
    const dir = fresh();
    const cache = openManifestCache({ dir, version: '1', deferred: true });
    const a = await cache.lookup(TEXT, VARIANT);
    cache.store(a.key, stored(TEXT));
    await cache.flush();
    assert.equal(packs(dir).size, 0);
    cache.commit();
    assert.equal(packs(dir).size, 1);
    const [name] = [...packs(dir).keys()];
    rmSync(join(dir, 'packs', name!));
    cache.commit();
    assert.equal(packs(dir).size, 0, 'commit wrote a second time');
  });

  test('a damaged entry, or one of another shape, is not given back (and is written again)', async () => {
    const dir = fresh();
    const cache = openManifestCache({ dir, version: '1' });
    const a = await cache.lookup(TEXT, VARIANT);
    cache.store(a.key, stored(TEXT));
    await cache.flush();
    const [name, bytes] = [...packs(dir)][0]!;
    const entry = readPack(bytes).get(a.key)!;
    const path = join(dir, 'packs', name);

    // A wrong CRC-32.
    writeFileSync(path, packBytes([[a.key, entry.bytes, (entry.crc ^ 1) >>> 0]]));
    const damaged = openManifestCache({ dir, version: '1' });
    assert.equal((await damaged.lookup(TEXT, VARIANT)).stored, undefined);
    damaged.store(a.key, stored(TEXT));
    await damaged.flush();
    assert.deepEqual(readPack([...packs(dir).values()][0]!).get(a.key), entry);

    // A damaged entry the run does not store again is dropped.
    writeFileSync(path, packBytes([[a.key, entry.bytes, (entry.crc ^ 1) >>> 0]]));
    const dropped = openManifestCache({ dir, version: '1' });
    assert.equal((await dropped.lookup(TEXT, VARIANT)).stored, undefined);
    await dropped.flush();
    assert.equal(readPack(readFileSync(path)).size, 0);

    // Bytes that are not v8-serialized data.
    writeFileSync(path, packBytes([[a.key, Buffer.from([0xff, 0x0f, 0x99])]]));
    const garbled = openManifestCache({ dir, version: '1' });
    assert.equal((await garbled.lookup(TEXT, VARIANT)).stored, undefined);

    // Whole entries of other layouts.
    const s = stored(TEXT);
    const shapes: unknown[] = [
      null,
      'text',
      7,
      { checks: s.checks },
      { parse: null, checks: s.checks },
      { parse: 'x', checks: s.checks },
      { parse: { nonK8sDocuments: 0 }, checks: s.checks },
      { parse: { objects: s.parse.objects }, checks: s.checks },
      { parse: { objects: s.parse.objects, nonK8sDocuments: '0' }, checks: s.checks },
      { parse: s.parse },
      { parse: s.parse, checks: {} },
      { parse: s.parse, checks: [] },
      { parse: s.parse, checks: [null, null] },
    ];
    for (const shape of shapes) {
      writeFileSync(path, packBytes([[a.key, serialize(shape)]]));
      const other = openManifestCache({ dir, version: '1' });
      assert.equal((await other.lookup(TEXT, VARIANT)).stored, undefined, JSON.stringify(shape));
    }
    writeFileSync(path, packBytes([[a.key, serialize(s)]]));
    const whole = openManifestCache({ dir, version: '1' });
    assert.deepEqual((await whole.lookup(TEXT, VARIANT)).stored, s);
  });

  test('an entry that is not plain data is not kept; the others are', async () => {
    const dir = fresh();
    const cache = openManifestCache({ dir, version: '1' });
    const a = await cache.lookup(TEXT, VARIANT);
    const b = await cache.lookup(TEXT2, VARIANT);
    cache.store(a.key, { ...stored(TEXT), extra: () => 1 } as unknown as StoredFile);
    cache.store(b.key, stored(TEXT2));
    await cache.flush();
    assert.deepEqual([...readPack([...packs(dir).values()][0]!).keys()], [b.key]);
  });

  test('writing evicts the oldest packs beyond the limit, and removes the old one-file-per-entry folder', async () => {
    const dir = fresh();
    mkdirSync(join(dir, 'manifests', 'ab'), { recursive: true });
    writeFileSync(join(dir, 'manifests', 'ab', 'entry'), 'old');
    mkdirSync(join(dir, 'packs'));
    writeFileSync(join(dir, 'packs', 'older'), Buffer.alloc(2000));
    const t = Date.now() / 1000 - 1000;
    utimesSync(join(dir, 'packs', 'older'), t, t);
    const cache = openManifestCache({ dir, version: '1', maxBytes: 1500 });
    cache.store((await cache.lookup(TEXT, VARIANT)).key, stored(TEXT));
    await cache.flush();
    assert.equal(existsSync(join(dir, 'manifests')), false);
    const names = [...packs(dir).keys()];
    assert.equal(names.length, 1);
    assert.notEqual(names[0], 'older');
    // The default limit keeps both.
    const dir2 = fresh();
    mkdirSync(join(dir2, 'packs'));
    writeFileSync(join(dir2, 'packs', 'older'), Buffer.alloc(2000));
    const roomy = openManifestCache({ dir: dir2, version: '1' });
    roomy.store((await roomy.lookup(TEXT, VARIANT)).key, stored(TEXT));
    await roomy.flush();
    assert.equal(packs(dir2).size, 2);
  });

  test('a cache that cannot be written never throws', async () => {
    const dir = fresh();
    writeFileSync(join(dir, 'packs'), 'a file where the folder goes');
    const cache = openManifestCache({ dir, version: '1', holdFirst: true });
    assert.equal(await cache.begin(VARIANT), false);
    cache.store((await cache.lookup(TEXT, VARIANT)).key, stored(TEXT));
    await cache.flush();
    cache.commit();
    assert.equal(readFileSync(join(dir, 'packs'), 'utf8'), 'a file where the folder goes');
  });
});
