/**
 * Inputs whose files were all in the manifest cache after their last run (by `inputFingerprint`): such a run
 * reads little and makes little garbage, so it runs on the main thread, where it does not pay for starting a
 * worker (about 0.15 s of CPU at T1). Only a choice of thread: the answer never depends on it.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cacheDirectory } from '../parse/cache.ts';

const FILE = 'warm-inputs';
/** How many inputs are remembered (the most recent). */
const KEEP = 64;
/** The share of an input's text that must be in the cache for it to count as warm. */
export const WARM_SHARE = 0.9;

/** The cache folder, unless caching is off (`--no-cache`, `NETFENCE_NO_CACHE`) or no folder is known. */
export function cacheFolder(
  env: Readonly<Record<string, string | undefined>>,
  noCacheFlag: boolean,
): string | undefined {
  const off = env.NETFENCE_NO_CACHE;
  if (noCacheFlag || (off !== undefined && off !== '' && off !== '0')) return undefined;
  return cacheDirectory(env);
}

async function remembered(dir: string): Promise<string[]> {
  const text = await readFile(join(dir, FILE), 'utf8').catch(() => '');
  return text.split('\n').filter((line) => /^[0-9a-f]{64}$/.test(line));
}

export async function isWarmInput(dir: string, fingerprint: string): Promise<boolean> {
  return (await remembered(dir)).includes(fingerprint);
}

/** Remembers whether an input is warm now; never throws (a cache that cannot be written is no error). */
export async function recordInput(dir: string, fingerprint: string, warm: boolean): Promise<void> {
  const known = await remembered(dir);
  if (known.includes(fingerprint) === warm) return;
  const next = known.filter((f) => f !== fingerprint);
  if (warm) next.push(fingerprint);
  const path = join(dir, FILE);
  const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(temp, `${next.slice(-KEEP).join('\n')}\n`);
    await rename(temp, path);
  } catch {
    await unlink(temp).catch(() => undefined);
  }
}
