/**
 * The manifest cache: what reading a file gave (its objects and their checks, `StoredFile`), kept on disk by
 * the hash of the file's text, so that reading an unchanged file again skips parsing and validating it.
 * Beside `files.ts`, the other part of the adapter that touches the file system.
 *
 * - Never stale: an entry's name is the SHA-256 of the text, netfence's version (from a checkout, also the
 *   size and time of the reader's source files) and the options that change the checks (default namespace,
 *   strict); a changed byte is another entry.
 * - Safe to share: an entry is written to a temporary file and renamed into place, so a reader (another
 *   process at the same time) sees a whole entry or none; each entry carries a CRC-32 of its contents,
 *   and one that does not match, or cannot be read, is ignored (the file is parsed, and the entry written
 *   again).
 * - Bounded: after a run that wrote entries, the oldest entries go until the rest fit the limit.
 * - Positions: an entry holds the values and where each object starts; positions inside an object (a problem,
 *   lint, explain) come from reading the text again when first asked for, as on the fast reader's path.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { mkdirSync, readdirSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deserialize, serialize } from 'node:v8';
import { crc32 } from 'node:zlib';
import type { StoredFile } from './sources.ts';

/** Where entries go, under the cache folder. */
const SUBDIR = 'manifests';
const MAGIC = Buffer.from('NFC1');
/** A CRC-32 of the payload: damage shows, at a third of a SHA-256's cost (entries are named by one already). */
const CHECK_BYTES = 4;
/** Temporary files older than this were left by a process that stopped while writing. */
const STALE_TEMP_MS = 60 * 60 * 1000;

/** The limit of the cache's size without NETFENCE_CACHE_MAX_MB: 512 MiB. */
export const DEFAULT_CACHE_MAX_BYTES = 512 * 2 ** 20;

/** What the entry of a text depends on besides the text. */
export interface CacheVariant {
  defaultNamespace: string;
  strict: boolean;
}

export interface ManifestCache {
  /**
   * The key of a text read with these options, and its stored reading when an entry exists and is whole
   * (undefined when there is none, or it is damaged: `store` then replaces it).
   */
  lookup(text: string, variant: CacheVariant): Promise<{ key: string; stored: StoredFile | undefined }>;
  /** Keeps the reading of the text of a key, written by `flush`. */
  store(key: string, stored: StoredFile): void;
  /** Writes what was stored (atomically), then evicts the oldest entries beyond the limit. Never throws. */
  flush(): Promise<void>;
}

export interface ManifestCacheOptions {
  /** The cache folder (entries go in its `manifests/` subfolder). */
  dir: string;
  /** netfence's version. */
  version: string;
  /** @default DEFAULT_CACHE_MAX_BYTES */
  maxBytes?: number;
}

/**
 * The cache folder of an environment: `NETFENCE_CACHE_DIR`, else `$XDG_CACHE_HOME/netfence`, else
 * `$HOME/.cache/netfence`; undefined when none is set (nothing is cached then).
 */
export function cacheDirectory(env: Readonly<Record<string, string | undefined>>): string | undefined {
  if (nonEmpty(env.NETFENCE_CACHE_DIR)) return env.NETFENCE_CACHE_DIR;
  if (nonEmpty(env.XDG_CACHE_HOME)) return join(env.XDG_CACHE_HOME, 'netfence');
  if (nonEmpty(env.HOME)) return join(env.HOME, '.cache', 'netfence');
  return undefined;
}

function nonEmpty(value: string | undefined): value is string {
  return value !== undefined && value !== '';
}

/** The size limit of an environment: `NETFENCE_CACHE_MAX_MB` (MiB), else the default. */
export function cacheMaxBytes(env: Readonly<Record<string, string | undefined>>): number {
  const mb = Number(env.NETFENCE_CACHE_MAX_MB);
  return env.NETFENCE_CACHE_MAX_MB !== undefined && Number.isFinite(mb) && mb >= 0
    ? mb * 2 ** 20
    : DEFAULT_CACHE_MAX_BYTES;
}

/**
 * From a checkout, the reader's code changes without the version changing: its source files' sizes and
 * modification times go into every key. The published package's code changes only with its version.
 */
function codeFingerprint(): string {
  const here = fileURLToPath(import.meta.url);
  if (!here.endsWith('.ts')) return '';
  const src = dirname(dirname(here));
  const parts: string[] = [];
  for (const folder of ['parse', 'parse/validate', 'model', 'base']) {
    for (const name of attempt(() => readdirSync(join(src, folder)).sort()) ?? []) {
      const info = attempt(() => statSync(join(src, folder, name)));
      if (info !== undefined) parts.push(`${folder}/${name}:${info.size}:${info.mtimeMs}`);
    }
  }
  return parts.join('\n');
}

/** What `f` returns, or undefined when it throws (a file removed meanwhile, a folder that cannot be read). */
function attempt<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}

function checksum(data: Buffer): Buffer {
  const out = Buffer.alloc(CHECK_BYTES);
  out.writeUInt32BE(crc32(data));
  return out;
}

/** Whether deserialized data has the shape of a `StoredFile` (a whole entry of another layout does not). */
function isStoredFile(value: unknown): value is StoredFile {
  if (typeof value !== 'object' || value === null) return false;
  const { parse, checks } = value as Partial<StoredFile>;
  return (
    typeof parse === 'object' &&
    parse !== null &&
    Array.isArray(parse.objects) &&
    typeof parse.nonK8sDocuments === 'number' &&
    Array.isArray(checks) &&
    checks.length === parse.objects.length
  );
}

/** The entry's bytes: magic, CRC-32 of the payload, payload. */
function encode(stored: StoredFile): Buffer | undefined {
  let payload: Buffer;
  try {
    payload = serialize(stored);
  } catch {
    return undefined; // something that is not plain data: not kept
  }
  return Buffer.concat([MAGIC, checksum(payload), payload]);
}

function decode(bytes: Buffer): StoredFile | undefined {
  const start = MAGIC.length + CHECK_BYTES;
  if (bytes.length < start || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  const payload = bytes.subarray(start);
  if (!checksum(payload).equals(bytes.subarray(MAGIC.length, start))) return undefined;
  try {
    const value: unknown = deserialize(payload);
    return isStoredFile(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Writes a file atomically: a temporary file beside it, renamed over it. Writes are synchronous: hundreds of
 * small files cost less CPU that way than through the thread pool.
 */
function writeAtomically(path: string, bytes: Buffer): void {
  const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    writeFileSync(temp, bytes);
    renameSync(temp, path);
  } catch (error) {
    attempt(() => unlinkSync(temp));
    throw error;
  }
}

/** Removes the oldest entries (by modification time) until the rest fit `maxBytes`, and stale temporary files. */
function evict(folder: string, maxBytes: number): void {
  const now = Date.now();
  const entries: { name: string; size: number; time: number }[] = [];
  for (const name of readdirSync(folder)) {
    const info = attempt(() => statSync(join(folder, name))); // undefined: removed meanwhile by another process
    if (info !== undefined) entries.push({ name, size: info.size, time: info.mtimeMs });
  }
  let total = 0;
  const doomed: string[] = [];
  for (const e of entries) {
    if (e.name.endsWith('.tmp')) {
      if (now - e.time > STALE_TEMP_MS) doomed.push(e.name);
    } else total += e.size;
  }
  const byAge = entries.filter((e) => !e.name.endsWith('.tmp')).sort((a, b) => a.time - b.time);
  for (const e of byAge) {
    if (total <= maxBytes) break;
    doomed.push(e.name);
    total -= e.size;
  }
  for (const name of doomed) attempt(() => unlinkSync(join(folder, name)));
}

/** A cache in `options.dir`; nothing touches the disk before the first lookup. */
export function openManifestCache(options: ManifestCacheOptions): ManifestCache {
  const folder = join(options.dir, SUBDIR);
  const maxBytes = options.maxBytes ?? DEFAULT_CACHE_MAX_BYTES;
  let salt: string | undefined;
  const pending = new Map<string, StoredFile>();
  return {
    async lookup(text, variant) {
      salt ??= `netfence ${options.version}\n${codeFingerprint()}`;
      const key = createHash('sha256')
        .update(`${salt}\n${variant.defaultNamespace}\n${String(variant.strict)}\n`)
        .update(text)
        .digest('hex');
      // Read asynchronously: the lookups of all files overlap.
      const bytes = await readFile(join(folder, key)).catch(() => undefined);
      return { key, stored: bytes === undefined ? undefined : decode(bytes) };
    },
    store(key, stored) {
      pending.set(key, stored);
    },
    flush() {
      if (pending.size === 0) return Promise.resolve();
      const entries = [...pending];
      pending.clear();
      try {
        mkdirSync(folder, { recursive: true });
        for (const [key, stored] of entries) {
          const bytes = encode(stored);
          if (bytes !== undefined) writeAtomically(join(folder, key), bytes);
        }
        evict(folder, maxBytes);
      } catch {
        // A cache that cannot be written (a read-only home, a full disk) only makes the next run slower.
      }
      return Promise.resolve();
    },
  };
}
