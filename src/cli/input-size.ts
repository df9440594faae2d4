/** How large a command's input is, before running it: what decides whether it runs on a worker (process.ts). */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isManifestName, isSkippedEntry } from '../parse/folders.ts';

/** Input this large or larger runs on the worker. */
export const WORKER_INPUT_BYTES = 2_000_000;
/** Looking costs time too: after this many folder entries, the input counts as small. */
const MAX_ENTRIES = 20_000;

/**
 * Whether the arguments name at least `limit` bytes of files: a file named is counted whatever its name,
 * folders are walked as the readers walk them (manifests only, hidden entries and node_modules skipped, each
 * folder once). Arguments that are not paths count nothing, and `--option=path` counts its path.
 */
export async function namesLargeInput(args: readonly string[], limit: number): Promise<boolean> {
  let total = 0;
  let entries = 0;
  const seen = new Set<string>();
  const visit = async (path: string, named: boolean): Promise<void> => {
    if (total >= limit || entries >= MAX_ENTRIES) return;
    entries++;
    const info = await stat(path).catch(() => undefined);
    if (info === undefined) return;
    if (info.isFile()) {
      if (named || isManifestName(path)) total += info.size;
      return;
    }
    if (!info.isDirectory()) return;
    const id = `${info.dev}:${info.ino}`;
    if (seen.has(id)) return; // a symlink loop, or a folder given twice
    seen.add(id);
    const names = await readdir(path).catch(() => [] as string[]);
    for (const name of names) {
      if (isSkippedEntry(name)) continue;
      await visit(join(path, name), false);
    }
  };
  for (const arg of args) await visit(arg.replace(/^--[\w-]+=/, ''), true);
  return total >= limit;
}
