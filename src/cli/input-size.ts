/** How large a command's input is, before running it: what decides whether it runs on a worker (process.ts). */
import { createHash } from 'node:crypto';
import type { Stats } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isManifestName, isSkippedEntry } from '../parse/folders.ts';

/** Input this large or larger runs on the worker. */
export const WORKER_INPUT_BYTES = 2_000_000;
/** Looking costs time too: after this many folder entries, the input counts as small. */
const MAX_ENTRIES = 20_000;

/**
 * Calls `onFile` for each file the arguments name as the readers read them (a file named is counted whatever
 * its name, folders are walked as the readers walk them: manifests only, hidden entries and node_modules
 * skipped, each folder once), until it returns true or `MAX_ENTRIES` entries were looked at. Arguments that
 * are not paths count nothing, and `--option=path` counts its path.
 */
async function walkInput(
  args: readonly string[],
  onFile: (path: string, info: Stats) => boolean,
): Promise<void> {
  let entries = 0;
  let done = false;
  const seen = new Set<string>();
  const visit = async (path: string, named: boolean): Promise<void> => {
    if (done || entries >= MAX_ENTRIES) return;
    entries++;
    const info = await stat(path).catch(() => undefined);
    if (info === undefined) return;
    if (info.isFile()) {
      if (named || isManifestName(path)) done = onFile(path, info);
      return;
    }
    if (!info.isDirectory()) return;
    const id = `${info.dev}:${info.ino}`;
    if (seen.has(id)) return; // a symlink loop, or a folder given twice
    seen.add(id);
    const names = await readdir(path).catch(() => [] as string[]);
    for (const name of names.sort()) {
      if (isSkippedEntry(name)) continue;
      await visit(join(path, name), false);
    }
  };
  for (const arg of args) await visit(arg.replace(/^--[\w-]+=/, ''), true);
}

/** Whether the arguments name at least `limit` bytes of files (see `walkInput`). */
export async function namesLargeInput(args: readonly string[], limit: number): Promise<boolean> {
  let total = 0;
  await walkInput(args, (_path, info) => (total += info.size) >= limit);
  return total >= limit;
}

/**
 * A fingerprint of the files the arguments name (with the folder the paths are relative to): their paths,
 * sizes and modification times. Equal fingerprints mean, as far as a look at the folders can tell, the same
 * input; process.ts uses it only to choose a thread, never for an answer.
 */
export async function inputFingerprint(args: readonly string[], cwd: string): Promise<string> {
  const hash = createHash('sha256').update(`${cwd}\n`);
  await walkInput(args, (path, info) => {
    hash.update(`${path}\n${info.size}\n${info.mtimeMs}\n`);
    return false;
  });
  return hash.digest('hex');
}
