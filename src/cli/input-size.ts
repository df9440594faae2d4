/** How large a command's input is, before running it: what decides whether it runs on a worker (process.ts). */
import { createHash } from 'node:crypto';
import type { Stats } from 'node:fs';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isManifestName, isSkippedEntry } from '../parse/folders.ts';

/**
 * Input this large or larger runs on the worker. Below it (T1 of every benchmark mix, 1.6–4.6 MB) the main
 * thread's larger young generation costs less than starting the worker (bootstrapping a second Node
 * environment, loading netfence again): docs/benchmarks.md.
 */
export const WORKER_INPUT_BYTES = 8_000_000;
/** Looking costs time too: after this many folder entries, the input counts as small. */
const MAX_ENTRIES = 20_000;

/**
 * Calls `onFile` for each file the arguments name as the readers read them (a file named is counted whatever
 * its name, folders are walked as the readers walk them: manifests only, hidden entries and node_modules
 * skipped, each folder once), until it returns true or `MAX_ENTRIES` entries were looked at. Arguments that
 * are not paths count nothing, and `--option=path` counts its path. Returns whether every entry was looked
 * at, and whether an argument names something that is neither a file nor a folder (a pipe, a device).
 * Synchronous, as the readers list folders (src/parse/files.ts): nothing else runs before the command, and an
 * awaited `stat` per entry cost twice the CPU (docs/benchmarks.md, round 13).
 */
function walkInput(
  args: readonly string[],
  onFile: (path: string, info: Stats) => boolean,
): { complete: boolean; special: boolean } {
  let entries = 0;
  let done = false;
  let special = false;
  const seen = new Set<string>();
  const visit = (path: string, named: boolean): void => {
    if (done || entries >= MAX_ENTRIES) return;
    entries++;
    const info = statOrUndefined(path);
    if (info === undefined) return;
    if (info.isFile()) {
      if (named || isManifestName(path)) done = onFile(path, info);
      return;
    }
    if (!info.isDirectory()) {
      special ||= named;
      return;
    }
    const id = `${info.dev}:${info.ino}`;
    if (seen.has(id)) return; // a symlink loop, or a folder given twice
    seen.add(id);
    for (const name of namesIn(path).sort()) {
      if (isSkippedEntry(name)) continue;
      visit(join(path, name), false);
    }
  };
  for (const arg of args) visit(arg.replace(/^--[\w-]+=/, ''), true);
  return { complete: entries < MAX_ENTRIES, special };
}

/** `stat` of a path (symbolic links followed), or undefined when it cannot be had. */
function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}

/** The names in a folder, or none when it cannot be read. */
function namesIn(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}

/**
 * The files the arguments name (see `walkInput`) with what `stat` said of each, or undefined when they cannot
 * all be known: too many entries, or an argument that names a pipe or a device.
 */
export function listInput(args: readonly string[]): Promise<{ path: string; info: Stats }[] | undefined> {
  const files: { path: string; info: Stats }[] = [];
  const walked = walkInput(args, (path, info) => {
    files.push({ path, info });
    return false;
  });
  return Promise.resolve(walked.complete && !walked.special ? files : undefined);
}

/** Whether the arguments name at least `limit` bytes of files (see `walkInput`). */
export function namesLargeInput(args: readonly string[], limit: number): Promise<boolean> {
  let total = 0;
  walkInput(args, (_path, info) => (total += info.size) >= limit);
  return Promise.resolve(total >= limit);
}

/**
 * A fingerprint of the files the arguments name (with the folder the paths are relative to): their paths,
 * sizes and modification times. Equal fingerprints mean, as far as a look at the folders can tell, the same
 * input; process.ts uses it only to choose a thread, never for an answer.
 */
export function inputFingerprint(args: readonly string[], cwd: string): Promise<string> {
  const files: { path: string; size: number; mtimeMs: number }[] = [];
  walkInput(args, (path, info) => {
    files.push({ path, size: info.size, mtimeMs: info.mtimeMs });
    return false;
  });
  return Promise.resolve(fingerprintFiles(cwd, files));
}

/** `inputFingerprint` of files already listed (by `listInput`, in its order). */
export function fingerprintFiles(
  cwd: string,
  files: readonly { path: string; size: number; mtimeMs: number }[],
): string {
  const hash = createHash('sha256').update(`${cwd}\n`);
  for (const f of files) hash.update(`${f.path}\n${f.size}\n${f.mtimeMs}\n`);
  return hash.digest('hex');
}
