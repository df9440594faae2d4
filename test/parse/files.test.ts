/**
 * `loadManifests` (src/parse/files.ts): standard input (read and unreadable), paths that cannot be read,
 * folder order, offered bytes, strict, the manifest cache, and the "no manifests" line (issue #20, round 9).
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { formatProblem } from '../../src/model/problem.ts';
import { loadManifests, openManifestCache, UNREAD_CODES, type ManifestCache } from '../../src/parse/index.ts';
import type { LoadOptions } from '../../src/parse/index.ts';
import { offerFiles } from '../../src/parse/preread.ts';
import type { CacheVariant } from '../../src/parse/cache.ts';
import type { StoredFile } from '../../src/parse/sources.ts';

const options: LoadOptions = { defaultNamespace: 'default', skipInvalid: false };
const root = mkdtempSync(join(tmpdir(), 'netfence-files-'));
after(() => rmSync(root, { recursive: true, force: true }));
let made = 0;
const fresh = (): string => {
  const dir = join(root, `d${++made}`);
  mkdirSync(dir);
  return dir;
};
const ns = (name: string): string => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n`;
const names = (r: { state: { namespaces: readonly { name: string; implicit: boolean }[] } }): string[] =>
  r.state.namespaces.filter((n) => !n.implicit).map((n) => n.name);

describe('standard input', () => {
  test('process.stdin when no readStdin is given: chunks as strings and bytes, decoded once joined', async () => {
    const text = `${ns('shop')}  annotations:\n    note: café\n`;
    const bytes = Buffer.from(text);
    const cut = bytes.indexOf(0xa9); // the second byte of é
    const chunks = ['apiVersion: v1\n', bytes.subarray(15, cut), bytes.subarray(cut)];
    const saved = Object.getOwnPropertyDescriptor(process, 'stdin')!;
    Object.defineProperty(process, 'stdin', { configurable: true, get: () => Readable.from(chunks) });
    try {
      const r = await loadManifests(['-'], { ...options, keepObjects: true });
      assert.deepEqual(r.errors, []);
      assert.deepEqual(names(r), ['shop']);
      assert.deepEqual(r.objects?.[0]?.object, {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'shop', annotations: { note: 'café' } },
      });
      assert.equal(r.objects?.[0]?.file, '<stdin>');
    } finally {
      Object.defineProperty(process, 'stdin', saved);
    }
  });

  test('"-" given twice is read once', async () => {
    let reads = 0;
    const readStdin = (): Promise<string> => {
      reads++;
      return Promise.resolve(ns('shop'));
    };
    const r = await loadManifests(['-', '-'], { ...options, readStdin });
    assert.equal(reads, 1);
    assert.deepEqual([r.errors, r.warnings, r.found], [[], [], 1]);
  });

  test('standard input that cannot be read: an error with the reason', async () => {
    // Not only Errors: whatever a reader rejects with is reported.
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
    const fail = (error: unknown): Promise<string> => Promise.reject(error);
    const cases: [unknown, string][] = [
      [Object.assign(new Error('x'), { code: 'EACCES' }), 'permission denied'],
      [{ code: 'EPERM' }, 'permission denied'],
      [{ code: 'EISDIR' }, 'it is a folder'],
      [{ code: 'ENOENT' }, 'it does not exist'],
      [new Error('the pipe broke'), 'the pipe broke'],
      [Object.assign(new Error('busy'), { code: 'EBUSY' }), 'busy'],
      [{ code: 7 }, '[object Object]'],
      ['a string', 'a string'],
      [null, 'null'],
      [undefined, 'undefined'],
    ];
    for (const [error, reason] of cases) {
      const r = await loadManifests(['-'], { ...options, readStdin: () => fail(error) });
      assert.deepEqual(r.errors.map(formatProblem), [`<stdin> cannot read "<stdin>": ${reason}`]);
      assert.equal(r.errors[0]!.code, 'unreadable-file');
      assert.equal(r.errors[0]!.severity, 'error');
      assert.equal(r.ignored.files, 0);
      assert.equal(r.noManifests, `no manifests found in standard input (cannot read "<stdin>": ${reason})`);
    }
  });

  test('binary as git decides: a NUL among the first 8,000 characters', async () => {
    const read = (text: string) =>
      loadManifests(['-'], { ...options, readStdin: () => Promise.resolve(text) });
    const late = await read(`${'#'.repeat(8000)}\0`);
    assert.equal(late.ignored.files, 0);
    assert.doesNotMatch(late.noManifests ?? '', /binary/);
    const early = await read(`${'#'.repeat(7999)}\0`);
    assert.equal(early.ignored.files, 1);
    assert.match(early.noManifests ?? '', /standard input is a binary file/);
  });
});

describe('paths', () => {
  test('a path under a file does not exist; a symlink loop cannot be read', async () => {
    const dir = fresh();
    writeFileSync(join(dir, 'a.yaml'), ns('a'));
    symlinkSync(join(dir, 'l1'), join(dir, 'l2'));
    symlinkSync(join(dir, 'l2'), join(dir, 'l1'));
    const under = join(dir, 'a.yaml', 'x.yaml');
    const loop = join(dir, 'l1');
    const r = await loadManifests([under, loop, join(dir, 'a.yaml')], options);
    assert.ok(r.errors.every((e) => e.severity === 'error'));
    assert.deepEqual(
      r.errors.map((e) => [e.code, e.file, e.message]),
      [
        [
          'path-not-found',
          under,
          `path "${under}" does not exist: "${join(dir, 'a.yaml')}" is a file, not a folder`,
        ],
        ['unreadable-path', loop, `cannot read "${loop}": it is a loop of symbolic links`],
      ],
    );
    assert.deepEqual(names(r), ['a']);
  });

  test(
    'a file that cannot be read: an error with the reason',
    { skip: process.platform !== 'linux' },
    async () => {
      // /proc/self/mem stats as a file, and reading it from the start fails (EIO).
      const r = await loadManifests(['/proc/self/mem'], options);
      assert.deepEqual(
        r.errors.map((e) => [e.code, e.severity, e.file, e.message]),
        [
          [
            'unreadable-file',
            'error',
            '/proc/self/mem',
            'cannot read "/proc/self/mem": EIO: i/o error, read',
          ],
        ],
      );
    },
  );

  test('UNREAD_CODES: the problems of paths that could not be read', () => {
    assert.deepEqual([...UNREAD_CODES].sort(), ['path-not-found', 'unreadable-file', 'unreadable-path']);
  });

  test('a folder is read in the order of code units, not of bytes', async () => {
    const dir = fresh();
    // U+E000 comes after the surrogates of U+1F600 in UTF-16, before it in UTF-8 (the order the folder lists).
    writeFileSync(join(dir, '\uE000.yaml'), ns('private-use'));
    writeFileSync(join(dir, '\u{1F600}.yaml'), ns('emoji'));
    writeFileSync(join(dir, 'B.yaml'), ns('upper'));
    writeFileSync(join(dir, 'a.yaml'), ns('lower'));
    const r = await loadManifests([dir], { ...options, keepObjects: true });
    assert.deepEqual(
      r.objects?.map((o) => o.file.slice(dir.length + 1)),
      ['B.yaml', 'a.yaml', '\u{1F600}.yaml', '\uE000.yaml'],
    );
  });

  test('bytes offered and not taken are dropped when loading ends', async () => {
    const dir = fresh();
    const file = join(dir, 'a.yaml');
    writeFileSync(file, ns('on-disk'));
    writeFileSync(join(dir, 'other.yaml'), ns('other'));
    offerFiles([[file, Buffer.from(ns('offered'))]]);
    assert.deepEqual(names(await loadManifests([join(dir, 'other.yaml')], options)), ['other']);
    assert.deepEqual(names(await loadManifests([file], options)), ['on-disk']);
  });
});

describe('options', () => {
  test('strict makes the problems of fields that do not change connectivity errors', async () => {
    const text = `${ns('shop')}spec:\n  finalizers: []\nunknown: 1\n`;
    const read = (strict?: boolean) =>
      loadManifests(['-'], {
        ...options,
        ...(strict === undefined ? {} : { strict }),
        readStdin: () => Promise.resolve(text),
      });
    for (const lax of [await read(), await read(false)]) {
      assert.deepEqual(lax.errors, []);
      assert.equal(lax.warnings.length, 1);
      assert.deepEqual(names(lax), ['shop']);
    }
    const strict = await read(true);
    assert.equal(strict.errors.length, 1);
    assert.deepEqual(strict.warnings, []);
    assert.equal(strict.errors[0]!.message, (await read()).warnings[0]!.message);
  });

  test('keepObjects: the objects read, only when asked for', async () => {
    const read = (keepObjects?: boolean) =>
      loadManifests(['-'], {
        ...options,
        ...(keepObjects === undefined ? {} : { keepObjects }),
        readStdin: () => Promise.resolve(ns('shop')),
      });
    assert.equal((await read(true)).objects?.length, 1);
    assert.equal('objects' in (await read(false)), false);
    assert.equal('objects' in (await read()), false);
  });
});

describe('the manifest cache', () => {
  /** A cache that records what loading asks of it. */
  function recording(cache: ManifestCache): { cache: ManifestCache; calls: string[] } {
    const calls: string[] = [];
    return {
      calls,
      cache: {
        ...cache,
        async lookup(text: string, variant: CacheVariant) {
          calls.push(`lookup ${text.length} ${variant.defaultNamespace} ${String(variant.strict)}`);
          return cache.lookup(text, variant);
        },
        store(key: string, stored: StoredFile) {
          calls.push(`store ${stored.parse.objects.length}`);
          cache.store(key, stored);
        },
        async flush() {
          calls.push('flush');
          return cache.flush();
        },
      },
    };
  }

  test('files without problems are kept and found again; cacheShare is the share of the text in the cache', async () => {
    const dir = fresh();
    const good = ns('shop');
    const bad = 'kind: [\n';
    writeFileSync(join(dir, 'good.yaml'), good);
    writeFileSync(join(dir, 'bad.yaml'), bad);
    const cacheDir = join(dir, '.cache');
    const share = good.length / (good.length + bad.length);

    const first = recording(openManifestCache({ dir: cacheDir, version: 't' }));
    const r1 = await loadManifests([dir], { ...options, cache: first.cache });
    assert.deepEqual(first.calls, [
      `lookup ${bad.length} default false`,
      `lookup ${good.length} default false`,
      'store 1',
      'flush',
    ]);
    assert.equal(r1.cacheShare, share);
    assert.deepEqual(names(r1), ['shop']);
    assert.equal(r1.errors.length, 1);

    const second = recording(openManifestCache({ dir: cacheDir, version: 't' }));
    const r2 = await loadManifests([dir], { ...options, strict: false, cache: second.cache });
    assert.deepEqual(second.calls, [
      `lookup ${bad.length} default false`,
      `lookup ${good.length} default false`,
      'flush',
    ]);
    assert.equal(r2.cacheShare, share);
    assert.deepEqual(names(r2), ['shop']);
    assert.deepEqual(r2.errors.map(formatProblem), r1.errors.map(formatProblem));

    // Strict, or another namespace: other keys, nothing found.
    const third = recording(openManifestCache({ dir: cacheDir, version: 't' }));
    const r3 = await loadManifests([join(dir, 'good.yaml')], {
      ...options,
      defaultNamespace: 'shop',
      strict: true,
      cache: third.cache,
    });
    assert.deepEqual(third.calls, [`lookup ${good.length} shop true`, 'store 1', 'flush']);
    assert.equal(r3.cacheShare, 1);
  });

  test('with nothing read, the whole of nothing is in the cache; without a cache, no share', async () => {
    const cache = openManifestCache({ dir: join(fresh(), 'c'), version: 't' });
    const r = await loadManifests([join(root, 'missing.yaml')], { ...options, cache });
    assert.equal(r.cacheShare, 1);
    const none = await loadManifests(['-'], { ...options, readStdin: () => Promise.resolve(ns('a')) });
    assert.equal('cacheShare' in none, false);
  });
});

describe('no manifests found: the line that says why', () => {
  const binary = Buffer.from([0x61, 0x3a, 0x20, 0x31, 0x0a, 0]);

  test('binary files: one, two, three, four', async () => {
    const dir = fresh();
    const files = ['a', 'b', 'c', 'd'].map((n) => join(dir, `${n}.yaml`));
    for (const f of files) writeFileSync(f, binary);
    const line = async (n: number): Promise<string | undefined> =>
      (await loadManifests(files.slice(0, n), options)).noManifests;
    const q = files.map((f) => `"${f}"`);
    const named = (n: number): string => files.slice(0, n).join(', ');
    assert.equal(await line(1), `no manifests found in ${named(1)} (${q[0]} is a binary file)`);
    assert.equal(await line(2), `no manifests found in ${named(2)} (${q[0]}, ${q[1]} are binary files)`);
    assert.equal(
      await line(3),
      `no manifests found in ${named(3)} (${q[0]}, ${q[1]}, ${q[2]} are binary files)`,
    );
    assert.equal(
      await line(4),
      `no manifests found in ${named(4)} (${q[0]}, ${q[1]}, ${q[2]} and 1 more are binary files)`,
    );
  });

  test('files without objects, with the other reasons; a file of comments only is said to be so', async () => {
    const dir = fresh();
    writeFileSync(join(dir, 'values.yaml'), 'replicas: 2\n');
    writeFileSync(join(dir, 'more.yaml'), 'image: x\n');
    writeFileSync(join(dir, 'comments.yaml'), '# nothing\n');
    writeFileSync(join(dir, 'sealed.yaml'), binary);
    const one = join(dir, 'values.yaml');
    const missing = join(dir, 'missing.yaml');
    const r1 = await loadManifests([one, one], options);
    assert.equal(r1.noManifests, `no manifests found in ${one} (1 file with no Kubernetes objects)`);
    const r2 = await loadManifests([dir, missing], options);
    assert.equal(
      r2.noManifests,
      `no manifests found in ${dir}, ${missing} (path "${missing}" does not exist; "${join(dir, 'sealed.yaml')}" is a binary file; 2 files with no Kubernetes objects; 1 file empty or with only comments)`,
    );
    const r3 = await loadManifests([join(dir, 'comments.yaml')], options);
    assert.equal(
      r3.noManifests,
      `no manifests found in ${join(dir, 'comments.yaml')} (it is empty or holds only comments)`,
    );
  });

  test('only the problems of paths that gave nothing are reasons', async () => {
    const file = join(fresh(), 'comments.yaml');
    writeFileSync(file, '# nothing\n');
    const r = await loadManifests([file], { ...options, defaultNamespace: 'Bad_NS' });
    assert.equal(r.errors.length, 1);
    assert.equal(r.noManifests, `no manifests found in ${file} (it is empty or holds only comments)`);
  });
});
