/**
 * The manifest cache: what reading a file gave (its objects and their checks, `StoredFile`), kept on disk by
 * the hash of the file's text, so that reading an unchanged file again skips parsing and validating it.
 * Beside `files.ts`, the other part of the adapter that touches the file system. Generic over what the
 * reader returns: an entry is whatever plain data `StoredFile` holds (new kinds go through unchanged).
 *
 * - One pack per input: the entries of one run's files go in one file (`packs/<name>`, named by the input:
 *   the folder and paths given, and the options), so that a first run writes one file, not one per input
 *   file, and a repeated run reads one. An entry carries the bytes it was first written with: a run after an
 *   edit serializes only the files it read afresh and copies the rest.
 * - Never stale: an entry's key is the SHA-256 of the text, netfence's version (from a checkout, also the
 *   size and time of the reader's source files) and the options that change the checks (default namespace,
 *   strict); a changed byte is another key. A pack keeps only the entries its last run used.
 * - Safe to share: a pack is written to a temporary file and renamed into place, so a reader (another
 *   process at the same time) sees a whole pack or none; each entry carries a CRC-32 of its bytes, and one
 *   that does not match, or cannot be read, is ignored (the file is parsed, and the entry written again).
 * - Off the answer's path: a cache opened with `deferred` writes when `commit` is called (the CLI calls it
 *   once the answer is out), not in `flush`.
 * - Bounded: after a run that wrote a pack, the oldest packs go until the rest fit the limit.
 * - Positions: an entry holds the values and where each object starts; positions inside an object (a problem,
 *   lint, explain) come from reading the text again when first asked for, as on the fast reader's path.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deserialize, serialize } from 'node:v8';
import { crc32 } from 'node:zlib';
import type { StoredFile } from './sources.ts';

/** Where packs go, under the cache folder. */
const SUBDIR = 'packs';
/** Where the entries of earlier versions went, one file each: removed when a pack is written. */
const LEGACY_SUBDIR = 'manifests';
const MAGIC = Buffer.from('NFP1');
/** A key's bytes (SHA-256). */
const KEY_BYTES = 32;
/** Per entry in the index: key, offset and length of its bytes, CRC-32 of them. */
const INDEX_BYTES = KEY_BYTES + 4 + 4 + 4;
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
   * Whether the input was read before with these options (its pack exists). When it was not and the cache
   * `holdFirst`s, the mark is kept (written by `flush` or `commit`), and the caller reads without the cache:
   * no hashing, no entries kept.
   */
  begin(variant: CacheVariant): Promise<boolean>;
  /**
   * The key of a text read with these options, and its stored reading when an entry exists and is whole
   * (undefined when there is none, or it is damaged: `store` then replaces it).
   */
  lookup(text: string, variant: CacheVariant): Promise<{ key: string; stored: StoredFile | undefined }>;
  /** Keeps the reading of the text of a key, written by `flush` (or, `deferred`, by `commit`). */
  store(key: string, stored: StoredFile): void;
  /**
   * The load is over: writes the pack (atomically) when this run read a file afresh or no longer has one,
   * then evicts the oldest packs beyond the limit; with `deferred`, leaves that to `commit`. Never throws.
   */
  flush(): Promise<void>;
  /** Writes what `flush` left (with `deferred`); nothing otherwise. Never throws. */
  commit(): void;
  /**
   * After `flush`: whether the entries of this run's files are kept (false while `holdFirst` keeps only the
   * mark of an input's first run; true when nothing needed writing).
   */
  keepsEntries(): boolean;
}

export interface ManifestCacheOptions {
  /** The cache folder (packs go in its `packs/` subfolder). */
  dir: string;
  /** netfence's version. */
  version: string;
  /** @default DEFAULT_CACHE_MAX_BYTES */
  maxBytes?: number;
  /**
   * What names the input, for its pack (the CLI gives the working folder and the paths): runs over the same
   * input share a pack. @default '' (one pack for every input)
   */
  input?: string;
  /** Write in `commit`, not in `flush` (after the answer is out). @default false */
  deferred?: boolean;
  /**
   * On an input's first run (no pack yet), write an empty pack, the mark that the input was read, and its
   * entries from its second run on: a one-off run pays nothing for the cache. @default false
   */
  holdFirst?: boolean;
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

/** The permissions of the folders and files netfence makes in its cache: this user's only. */
export const PRIVATE_FOLDER_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/**
 * Whether netfence may keep its cache in `dir`, and when it may not because other users could write there,
 * why (`unsafe`): what an answer kept there holds is printed as the answer, and Node runs the compiled code
 * kept in `compile/`, so a folder another user can write into would let them change answers or run code as
 * this user. The folder must be this user's, and writable by no one else: not by every user, nor by a group
 * other than this user's own (a user-private group, which a umask of 002 gives new folders, is this user).
 * A missing folder is made, for this user only (`PRIVATE_FOLDER_MODE`), and then checked, since someone may
 * have made it first; one that cannot be made is no cache, and nothing to warn about. No check where there
 * are no user ids (Windows). bin/netfence checks the same before it keeps Node's compiled code there.
 */
export function checkCacheFolder(dir: string): { ok: boolean; unsafe?: string } {
  const uid = process.getuid?.();
  const gid = process.getgid?.();
  if (uid === undefined || gid === undefined) return { ok: true };
  let info = attempt(() => statSync(dir));
  if (info === undefined) {
    attempt(() => mkdirSync(dir, { recursive: true, mode: PRIVATE_FOLDER_MODE }));
    info = attempt(() => statSync(dir));
  }
  if (info === undefined || !info.isDirectory()) return { ok: false };
  const unsafe =
    info.uid !== uid
      ? `it belongs to another user (uid ${info.uid})`
      : (info.mode & 0o002) !== 0
        ? 'every user can write to it'
        : (info.mode & 0o020) !== 0 && info.gid !== gid
          ? `the users of group ${info.gid} can write to it`
          : undefined;
  return unsafe === undefined ? { ok: true } : { ok: false, unsafe };
}

/**
 * The size limit of an environment: `NETFENCE_CACHE_MAX_MB` (MiB), else the default. Empty (or blank) counts as
 * unset, as the cache folder's variables do (`Number('')` would be a limit of 0).
 */
export function cacheMaxBytes(env: Readonly<Record<string, string | undefined>>): number {
  const value = env.NETFENCE_CACHE_MAX_MB?.trim();
  const mb = Number(value);
  return nonEmpty(value) && Number.isFinite(mb) && mb >= 0 ? mb * 2 ** 20 : DEFAULT_CACHE_MAX_BYTES;
}

/**
 * From a checkout, the code changes without the version changing: the sizes and modification times of the
 * source files in `folders` (under `src/`) and of package-lock.json go into every key. The published package's code changes only with
 * its version (''). Folders ending in `/**` are walked to the bottom.
 */
export function codeFingerprint(folders: readonly string[]): string {
  const here = fileURLToPath(import.meta.url);
  if (!here.endsWith('.ts')) return '';
  const src = dirname(dirname(here));
  const parts: string[] = [];
  const visit = (folder: string, deep: boolean): void => {
    for (const name of attempt(() => readdirSync(join(src, folder)).sort()) ?? []) {
      const info = attempt(() => statSync(join(src, folder, name)));
      if (info === undefined) continue;
      if (info.isDirectory()) {
        if (deep) visit(`${folder}/${name}`, true);
      } else parts.push(`${folder}/${name}:${info.size}:${info.mtimeMs}`);
    }
  };
  for (const folder of folders) {
    const deep = folder.endsWith('/**');
    visit(deep ? folder.slice(0, -3) : folder, deep);
  }
  // The dependencies' versions (the YAML reader's among them).
  const lock = attempt(() => statSync(join(src, '..', 'package-lock.json')));
  if (lock !== undefined) parts.push(`package-lock.json:${lock.size}:${lock.mtimeMs}`);
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

/** An entry's bytes, or undefined for something that is not plain data (not kept). */
function encode(stored: StoredFile): Buffer | undefined {
  try {
    return serialize(stored);
  } catch {
    return undefined;
  }
}

function decode(bytes: Buffer, crc: number): StoredFile | undefined {
  if (crc32(bytes) !== crc) return undefined;
  try {
    const value: unknown = deserialize(bytes);
    return isStoredFile(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** A pack's entries by key (hex): their bytes (slices of the pack) and CRC-32. */
type Pack = Map<string, { bytes: Buffer; crc: number }>;

/** The entries of a pack's bytes: magic, count, index (key, offset, length, CRC-32), then the entries' bytes. */
export function readPack(bytes: Buffer): Pack {
  const pack: Pack = new Map();
  const head = MAGIC.length + 4;
  if (bytes.length < head || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) return pack;
  const count = bytes.readUInt32BE(MAGIC.length);
  if (head + count * INDEX_BYTES > bytes.length) return pack;
  for (let i = 0; i < count; i++) {
    const at = head + i * INDEX_BYTES;
    const key = bytes.toString('hex', at, at + KEY_BYTES);
    const offset = bytes.readUInt32BE(at + KEY_BYTES);
    const length = bytes.readUInt32BE(at + KEY_BYTES + 4);
    // A truncated pack keeps its whole entries; the CRC-32 finds damage inside one.
    if (offset + length > bytes.length) continue;
    pack.set(key, {
      bytes: bytes.subarray(offset, offset + length),
      crc: bytes.readUInt32BE(at + KEY_BYTES + 8),
    });
  }
  return pack;
}

function writePack(pack: Pack): Buffer[] {
  const head = MAGIC.length + 4;
  const index = Buffer.alloc(head + pack.size * INDEX_BYTES);
  MAGIC.copy(index);
  index.writeUInt32BE(pack.size, MAGIC.length);
  const parts: Buffer[] = [index];
  let offset = index.length;
  let i = 0;
  for (const [key, { bytes, crc }] of pack) {
    const at = head + i++ * INDEX_BYTES;
    index.write(key, at, KEY_BYTES, 'hex');
    index.writeUInt32BE(offset, at + KEY_BYTES);
    index.writeUInt32BE(bytes.length, at + KEY_BYTES + 4);
    index.writeUInt32BE(crc, at + KEY_BYTES + 8);
    parts.push(bytes);
    offset += bytes.length;
  }
  return parts;
}

/** Writes a file atomically, for this user only: a temporary file beside it, renamed over it. */
export function writeAtomically(path: string, data: Buffer | string | readonly Buffer[]): void {
  const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    writeFileSync(temp, typeof data === 'string' || Buffer.isBuffer(data) ? data : Buffer.concat(data), {
      mode: PRIVATE_FILE_MODE,
    });
    renameSync(temp, path);
  } catch (error) {
    attempt(() => unlinkSync(temp));
    throw error;
  }
}

/** Removes the oldest files (by modification time) until the rest fit `maxBytes`, and stale temporary files. */
export function evict(folder: string, maxBytes: number): void {
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
  let packPath: string | undefined;
  /** The pack as the last run left it (read once, by the first lookup); undefined: there was none. */
  let previous: Promise<Pack | undefined> | undefined;
  let markOnly = false;
  /** The entries of this run: found in the pack, or read afresh (`store`). */
  const used: Pack = new Map();
  const fresh = new Map<string, StoredFile>();
  let ready = false;
  const write = (): void => {
    if (!ready || packPath === undefined) return;
    ready = false;
    try {
      const pack: Pack = markOnly ? new Map<string, { bytes: Buffer; crc: number }>() : used;
      if (!markOnly) {
        for (const [key, stored] of fresh) {
          const bytes = encode(stored);
          if (bytes !== undefined) pack.set(key, { bytes, crc: crc32(bytes) });
        }
      }
      fresh.clear();
      mkdirSync(folder, { recursive: true, mode: PRIVATE_FOLDER_MODE });
      writeAtomically(packPath, writePack(pack));
      evict(folder, maxBytes);
      const legacy = join(options.dir, LEGACY_SUBDIR);
      if (existsSync(legacy)) rmSync(legacy, { recursive: true, force: true });
    } catch {
      // A cache that cannot be written (a read-only home, a full disk) only makes the next run slower.
    }
  };
  /** The texts' key prefix of a variant; the first call also starts reading the pack. */
  const prefix = (variant: CacheVariant): string => {
    salt ??= `netfence ${options.version}\n${codeFingerprint(['parse', 'parse/validate', 'model', 'base'])}`;
    const text = `${salt}\n${variant.defaultNamespace}\n${String(variant.strict)}\n`;
    if (previous === undefined) {
      const name = createHash('sha256')
        .update(`${text}${options.input ?? ''}`)
        .digest('hex');
      packPath = join(folder, name);
      previous = readFile(packPath).then(readPack, () => undefined);
    }
    return text;
  };
  return {
    async begin(variant) {
      prefix(variant);
      const seen = (await previous) !== undefined;
      if (!seen && options.holdFirst === true) {
        markOnly = true;
        ready = true;
        if (options.deferred !== true) write();
      }
      return seen;
    },
    async lookup(text, variant) {
      const key = createHash('sha256').update(prefix(variant)).update(text).digest('hex');
      const entry = (await previous)?.get(key);
      const stored = entry === undefined ? undefined : decode(entry.bytes, entry.crc);
      if (stored !== undefined && entry !== undefined) used.set(key, entry);
      return { key, stored };
    },
    store(key, stored) {
      fresh.set(key, stored);
    },
    async flush() {
      if (previous === undefined) return;
      const before = await previous;
      markOnly = before === undefined && options.holdFirst === true;
      // Written when this run read something afresh, or no longer has a file the pack holds.
      ready = fresh.size > 0 || before === undefined || [...before.keys()].some((key) => !used.has(key));
      if (options.deferred !== true) write();
    },
    commit() {
      write();
    },
    keepsEntries() {
      return !markOnly;
    },
  };
}
