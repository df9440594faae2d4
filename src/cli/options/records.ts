/**
 * The rollback records `apply` writes and `rollback` reads: their options' defaults (`--state-dir`,
 * `--record-namespace`), the ConfigMap they go to with `--record`, and the local store under the state folder.
 */
import { readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseRecord, type RollbackRecord } from '../../apply/index.ts';
import { UserError, type Io } from '../io.ts';
import { makeFolder, writeFileAtomic, writeFileIfAbsent } from './output.ts';

/** Where records live under the state folder. */
export const RECORD_FOLDER = 'rollback';
/** The ConfigMap `--record` writes and `--from-cluster` reads, and its one key. */
export const RECORD_CONFIGMAP = 'netfence-rollback';
export const RECORD_KEY = 'record.json';
export const DEFAULT_STATE_DIR = '.netfence';
export const DEFAULT_RECORD_NAMESPACE = 'default';

export function recordPath(stateDir: string, id: string): string {
  return join(stateDir, RECORD_FOLDER, `${id}.json`);
}

/** Writes a record atomically (creating the folders), and returns its path. */
export async function saveRecord(stateDir: string, record: RollbackRecord): Promise<string> {
  await recordFolder(stateDir);
  const path = recordPath(stateDir, record.id);
  await writeFileAtomic(path, recordText(record));
  return path;
}

/**
 * Writes a new record under an id no record of the state folder has: its own (the time to the millisecond), or,
 * when another apply took that one, the same with `_2`, `_3`, … (sorted after it). The record as written.
 */
export async function saveNewRecord(stateDir: string, record: RollbackRecord): Promise<StoredRecord> {
  await recordFolder(stateDir);
  for (let n = 1; ; n++) {
    const claimed = n === 1 ? record : { ...record, id: `${record.id}_${n}` };
    const path = recordPath(stateDir, claimed.id);
    if (await writeFileIfAbsent(path, recordText(claimed))) return { path, record: claimed };
  }
}

/** Removes a record saved by `saveNewRecord` for an apply that then wrote nothing. */
export async function removeRecord(path: string): Promise<void> {
  await rm(path, { force: true });
}

function recordText(record: RollbackRecord): string {
  return `${JSON.stringify(record, null, 2)}\n`;
}

async function recordFolder(stateDir: string): Promise<void> {
  const dir = join(stateDir, RECORD_FOLDER);
  const cannot = await makeFolder(dir);
  if (cannot !== undefined)
    throw new UserError(
      `cannot create "${dir}" for the rollback record: ${cannot} (choose another with --state-dir)`,
    );
}

export interface StoredRecord {
  path: string;
  record: RollbackRecord;
}

/** Every readable record of the state folder, oldest first; unreadable files are reported on stderr. */
export async function listRecords(stateDir: string, io: Io): Promise<StoredRecord[]> {
  const dir = join(stateDir, RECORD_FOLDER);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const out: StoredRecord[] = [];
  for (const name of names.filter((n) => n.endsWith('.json') && !n.startsWith('.')).sort()) {
    const path = join(dir, name);
    const parsed = parseRecord(await readFile(path, 'utf8'), path);
    if (parsed.ok) out.push({ path, record: parsed.record });
    else io.stderr(`warning: ${parsed.error}: skipped\n`);
  }
  return out;
}
