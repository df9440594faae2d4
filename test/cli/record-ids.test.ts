/**
 * Rollback records of two applies started in the same millisecond: each keeps its own file (the second's id
 * gets `_2`), neither overwrites the other, and `rollback` lists them in the order they were made. Before
 * round 14 the second apply's record replaced the first's, and the first apply could no longer be rolled back.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { newRecord, planApply, recordIdOf, type RollbackRecord } from '../../src/apply/index.ts';
import { listRecords, RECORD_FOLDER, saveNewRecord, saveRecord } from '../../src/cli/options/records.ts';
import { UserError, type Io } from '../../src/cli/io.ts';
import { writeFileIfAbsent } from '../../src/cli/options/output.ts';

const dir = mkdtempSync(join(tmpdir(), 'netfence-record-ids-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const TIME = new Date('2026-11-26T16:11:22.123Z');
const ID = recordIdOf(TIME);
const meta = (context: string) => ({ time: TIME, context, server: 'https://10.0.0.1:6443' });
const emptyPlan = planApply({ desired: [], live: [], prune: [], staged: false });
const silent = { stderr: () => undefined } as unknown as Io;
const files = (stateDir: string): string[] => readdirSync(join(stateDir, RECORD_FOLDER)).sort();

describe('records of applies started in the same millisecond', () => {
  test('the second gets its own id and file; the first is kept as written', async () => {
    const stateDir = join(dir, 'two');
    const first = await saveNewRecord(stateDir, newRecord(emptyPlan, meta('first')));
    const second = await saveNewRecord(stateDir, newRecord(emptyPlan, meta('second')));
    assert.equal(first.record.id, ID);
    assert.equal(second.record.id, `${ID}_2`);
    assert.deepEqual(files(stateDir), [`${ID}.json`, `${ID}_2.json`]);
    const read = (path: string): RollbackRecord => JSON.parse(readFileSync(path, 'utf8')) as RollbackRecord;
    assert.deepEqual(
      [read(first.path).context, read(first.path).id, read(second.path).context, read(second.path).id],
      ['first', ID, 'second', `${ID}_2`],
    );
    // The apply's later saves go to the id it got.
    assert.equal(await saveRecord(stateDir, { ...second.record, status: 'complete' }), second.path);
    assert.equal(read(second.path).status, 'complete');
    assert.equal(read(first.path).status, 'in-progress');
    // Oldest first, as `rollback` reads them (the latest is the last).
    assert.deepEqual(
      (await listRecords(stateDir, silent)).map((r) => r.record.context),
      ['first', 'second'],
    );
  });

  test('five at once: five ids, five files, no temporary file left', async () => {
    const stateDir = join(dir, 'five');
    const saved = await Promise.all(
      ['a', 'b', 'c', 'd', 'e'].map((c) => saveNewRecord(stateDir, newRecord(emptyPlan, meta(c)))),
    );
    assert.equal(new Set(saved.map((s) => s.record.id)).size, 5);
    assert.deepEqual(
      files(stateDir),
      [ID, `${ID}_2`, `${ID}_3`, `${ID}_4`, `${ID}_5`].map((id) => `${id}.json`),
    );
  });
});

describe('writeFileIfAbsent on a file system without hard links', () => {
  test('an exclusive create instead: written once, then refused, the first text kept', async () => {
    const path = join(dir, 'no-links.json');
    const noLinks = (): Promise<void> =>
      Promise.reject(Object.assign(new Error('operation not permitted'), { code: 'EPERM' }));
    assert.equal(await writeFileIfAbsent(path, 'first\n', noLinks), true);
    assert.equal(await writeFileIfAbsent(path, 'second\n', noLinks), false);
    assert.equal(readFileSync(path, 'utf8'), 'first\n');
    assert.deepEqual(
      readdirSync(dir).filter((n) => n.startsWith('.no-links')),
      [],
      'no temporary file left',
    );
  });
});

describe('a state folder that cannot hold records', () => {
  test('the apply is told which folder, why, and the option to choose another', async () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    const stateDir = join(file, 'state');
    await assert.rejects(saveNewRecord(stateDir, newRecord(emptyPlan, meta('first'))), (error: unknown) => {
      assert.ok(error instanceof UserError, String(error));
      assert.equal(
        error.message,
        `cannot create "${join(stateDir, RECORD_FOLDER)}" for the rollback record: "${file}" is a file, not a folder (choose another with --state-dir)`,
      );
      return true;
    });
  });
});
