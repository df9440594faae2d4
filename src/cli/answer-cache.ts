/**
 * The answer cache: what `analyze` over files printed (standard output and error, exit code 0), kept under the
 * SHA-256 of everything the answer depends on, so that a repeated run over unchanged files prints it without
 * loading netfence's engine (process.ts looks it up before anything else).
 *
 * - The key: netfence's version (from a checkout, also the size and time of every source file and of
 *   package-lock.json), Node's version, the working folder, the whole command line, and for each file the
 *   arguments name (`listInput`: the files the reader reads, and any other argument that happens to be a
 *   file) its path, its real path and its text. A changed byte, an added or removed file, a symlink pointing elsewhere: another
 *   key; the answer is never stale.
 * - Kept only for `analyze` reading files (not standard input, not a live cluster: `--cluster`), when it
 *   ends with exit code 0 and no file changed (size or time) while it ran, with the cache on (`--no-cache`,
 *   `NETFENCE_NO_CACHE`), for answers up to 64 MiB. Progress lines on a terminal are not part of it.
 * - Written atomically beside the manifest packs (`answers/`), with a CRC-32; a damaged one is ignored and
 *   written again. Bounded by the cache's limit, oldest first. For this user only: never in a folder another
 *   user can write (`cacheFolder`), and readable by this user alone.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import {
  cacheMaxBytes,
  codeFingerprint,
  evict,
  PRIVATE_FOLDER_MODE,
  writeAtomically,
} from '../parse/cache.ts';
import { listInput } from './input-size.ts';
import { VERSION } from './version.ts';
import { cacheFolder } from './warm-inputs.ts';

const SUBDIR = 'answers';
const MAGIC = Buffer.from('NFA1');
const HEAD_BYTES = MAGIC.length + 4 + 4;
/** Longer answers are not kept. */
const MAX_ANSWER_BYTES = 64 * 2 ** 20;
/** What a progress line writes (src/cli/progress.ts): not part of an answer. */
const PROGRESS_PREFIX = '\r\x1b[K';

/** Where a command line's answer is kept, and what its files were when the key was taken. */
export interface AnswerKey {
  path: string;
  maxBytes: number;
  files: { path: string; size: number; mtimeMs: number }[];
}

export interface Answer {
  stdout: Buffer;
  stderr: Buffer;
}

/** Whether a command line's answer can be kept: `analyze` over files. */
function keepable(args: readonly string[]): boolean {
  if (args[0] !== 'analyze') return false;
  return !args.some((a) => a === '-' || /^--(cluster|context|kubeconfig|help)(=|$)/.test(a) || a === '-h');
}

/**
 * The key of a command line's answer, or undefined when it cannot be kept (see the module's comment). `onRead`
 * is given each file's bytes as read for the key (the run then reads them from there: src/parse/preread.ts).
 */
export async function answerKey(
  args: readonly string[],
  cwd: string,
  env: Readonly<Record<string, string | undefined>>,
  onRead?: (path: string, bytes: Buffer) => void,
): Promise<AnswerKey | undefined> {
  if (!keepable(args)) return undefined;
  const dir = cacheFolder(env, args.includes('--no-cache'));
  if (dir === undefined) return undefined;
  const listed = await listInput(args.slice(1));
  if (listed === undefined) return undefined;
  let read;
  try {
    // One after the other, synchronously: several times less CPU than all at once through the thread pool
    // (src/parse/files.ts reads the same way).
    read = listed.map(({ path }) => ({ real: realpathSync.native(path), text: readFileSync(path) }));
  } catch {
    return undefined; // a file that cannot be read: the command reports it
  }
  const hash = createHash('sha256').update(
    `netfence answer 1\n${VERSION}\n${process.version}\n${codeFingerprint(['./**'])}\n${cwd}\n${JSON.stringify(args)}\n`,
  );
  for (const [i, { path }] of listed.entries()) {
    const { real, text } = read[i]!;
    hash.update(`${JSON.stringify([path, real, text.length])}\n`).update(text);
    onRead?.(path, text);
  }
  return {
    path: join(dir, SUBDIR, hash.digest('hex')),
    maxBytes: cacheMaxBytes(env),
    files: listed.map(({ path, info }) => ({ path, size: info.size, mtimeMs: info.mtimeMs })),
  };
}

/** The kept answer of a key, or undefined (none, or damaged). */
export async function findAnswer(key: AnswerKey): Promise<Answer | undefined> {
  const bytes = await readFile(key.path).catch(() => undefined);
  if (bytes === undefined || bytes.length < HEAD_BYTES || !bytes.subarray(0, MAGIC.length).equals(MAGIC))
    return undefined;
  const body = bytes.subarray(HEAD_BYTES);
  if (crc32(body) !== bytes.readUInt32BE(MAGIC.length)) return undefined;
  const split = bytes.readUInt32BE(MAGIC.length + 4);
  if (split > body.length) return undefined;
  return { stdout: body.subarray(0, split), stderr: body.subarray(split) };
}

/** Collects a run's answer as it is written (progress lines left out), up to the size kept (`max`). */
export function answerRecorder(max: number = MAX_ANSWER_BYTES): {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  answer: () => Answer | undefined;
} {
  const out: string[] = [];
  const err: string[] = [];
  let size = 0;
  const add = (into: string[], text: string): void => {
    size += text.length;
    if (size <= max) into.push(text);
    else out.length = err.length = 0; // not kept: what was collected goes
  };
  return {
    stdout: (text) => add(out, text),
    stderr: (text) => {
      if (!text.startsWith(PROGRESS_PREFIX)) add(err, text);
    },
    answer: () =>
      size > max ? undefined : { stdout: Buffer.from(out.join('')), stderr: Buffer.from(err.join('')) },
  };
}

/**
 * Keeps the answer of a run that ended with exit code 0, unless a file changed (size or time) since the key
 * was taken: the answer may then be of other texts. Never throws.
 */
export function keepAnswer(key: AnswerKey, answer: Answer): void {
  const same = key.files.every((f) => {
    try {
      const info = statSync(f.path);
      return info.size === f.size && info.mtimeMs === f.mtimeMs;
    } catch {
      return false;
    }
  });
  if (!same) return;
  const head = Buffer.alloc(HEAD_BYTES);
  MAGIC.copy(head);
  const body = Buffer.concat([answer.stdout, answer.stderr]);
  head.writeUInt32BE(crc32(body), MAGIC.length);
  head.writeUInt32BE(answer.stdout.length, MAGIC.length + 4);
  try {
    const folder = join(key.path, '..');
    mkdirSync(folder, { recursive: true, mode: PRIVATE_FOLDER_MODE });
    writeAtomically(key.path, [head, body]);
    evict(folder, key.maxBytes);
  } catch {
    // A cache that cannot be written only makes the next run slower.
  }
}
