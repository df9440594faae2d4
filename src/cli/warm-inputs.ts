/**
 * Inputs whose files were all in the manifest cache after their last run (by `inputFingerprint`): such a run
 * reads little and makes little garbage, so it runs on the main thread, where it does not pay for starting a
 * worker (about 0.15 s of CPU at T1). Only a choice of thread: the answer never depends on it.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cacheDirectory, checkCacheFolder, PRIVATE_FILE_MODE, PRIVATE_FOLDER_MODE } from '../parse/cache.ts';

const FILE = 'warm-inputs';
/** How many inputs are remembered (the most recent). */
const KEEP = 64;
/** The share of an input's text that must be in the cache for it to count as warm. */
export const WARM_SHARE = 0.9;

/**
 * The cache folder, unless caching is off (`--no-cache`, `NETFENCE_NO_CACHE`), no folder is known, or the folder
 * cannot be used (`checkCacheFolder`: missing and not made, or another user could write to it).
 */
export function cacheFolder(
  env: Readonly<Record<string, string | undefined>>,
  noCacheFlag: boolean,
): string | undefined {
  const dir = wantedCacheFolder(env, noCacheFlag);
  return dir !== undefined && checkCacheFolder(dir).ok ? dir : undefined;
}

/** The cache folder the environment names, unless caching is off; whether it can be used is not checked. */
function wantedCacheFolder(
  env: Readonly<Record<string, string | undefined>>,
  noCacheFlag: boolean,
): string | undefined {
  const off = env.NETFENCE_NO_CACHE;
  if (noCacheFlag || (off !== undefined && off !== '' && off !== '0')) return undefined;
  return cacheDirectory(env);
}

/**
 * The warning for a cache folder that netfence does not use because other users could write to it, or undefined
 * (caching is off, or the folder is fine, or it is missing and cannot be made, which needs no warning).
 */
export function unsafeCacheWarning(
  env: Readonly<Record<string, string | undefined>>,
  noCacheFlag: boolean,
): string | undefined {
  const dir = wantedCacheFolder(env, noCacheFlag);
  const unsafe = dir === undefined ? undefined : checkCacheFolder(dir).unsafe;
  if (dir === undefined || unsafe === undefined) return undefined;
  return `netfence: not using the cache folder "${dir}": ${unsafe}, and what it holds is printed as answers and run as code; make it yours alone (chmod go-w), or set NETFENCE_CACHE_DIR to a folder of your own\n`;
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
    await mkdir(dir, { recursive: true, mode: PRIVATE_FOLDER_MODE });
    await writeFile(temp, `${next.slice(-KEEP).join('\n')}\n`, { mode: PRIVATE_FILE_MODE });
    await rename(temp, path);
  } catch {
    await unlink(temp).catch(() => undefined);
  }
}
