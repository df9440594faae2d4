/**
 * scripts/mutation/static-reuse.ts: before an incremental Stryker run, the static mutants without a kill are
 * taken out of the incremental file when a test file of the run was added or changed since, as Stryker
 * itself never runs them again (docs/testing.md, "Incremental runs and static mutants"; issue #20, round 13).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { changedTestFiles, forgetStaticSurvivors } from '../../scripts/mutation/static-reuse.ts';

let dir: string;
const file = (): string => join(dir, 'incremental.json');
const PATTERNS = ['test/**/*.test.ts', '!test/ui/**'];

const MUTANTS = [
  { id: '0', status: 'Survived', static: true },
  { id: '1', status: 'NoCoverage', static: true },
  { id: '2', status: 'Killed', static: true },
  { id: '3', status: 'Timeout', static: true },
  { id: '4', status: 'Survived', static: false },
  { id: '5', status: 'Survived' },
];

function writeTest(path: string, source: string): void {
  mkdirSync(join(dir, path, '..'), { recursive: true });
  writeFileSync(join(dir, path), source);
}

/** An incremental file that recorded test/a.test.ts with `source`. */
function writeReport(source: string): void {
  const report = {
    files: { 'src/x.ts': { source: 'x', mutants: MUTANTS } },
    testFiles: { 'test/a.test.ts': { source, tests: [] } },
  };
  writeFileSync(file(), JSON.stringify(report));
}

const ids = (): string[] =>
  (
    JSON.parse(readFileSync(file(), 'utf8')) as { files: Record<string, { mutants: { id: string }[] }> }
  ).files['src/x.ts']!.mutants.map((m) => m.id);

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'netfence-static-reuse-'));
  writeTest('test/a.test.ts', 'a');
  writeTest('test/ui/e2e.test.ts', 'left out');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('forgetStaticSurvivors', () => {
  test('no test file added or changed: the incremental file is left as it is', () => {
    writeReport('a');
    const before = statSync(file()).mtimeMs;
    assert.deepEqual(forgetStaticSurvivors(file(), PATTERNS, dir), { changed: [], forgotten: 0 });
    assert.deepEqual(ids(), ['0', '1', '2', '3', '4', '5']);
    assert.equal(statSync(file()).mtimeMs, before);
  });

  const CHANGES = [
    { change: 'added', recorded: 'a', added: 'test/parse/b.test.ts', changed: ['test/parse/b.test.ts'] },
    { change: 'changed', recorded: 'a, before', added: undefined, changed: ['test/a.test.ts'] },
  ];
  for (const { change, recorded, added, changed } of CHANGES)
    test(`a test file ${change}: the static mutants without a kill are taken out, the others kept`, () => {
      writeReport(recorded);
      if (added !== undefined) writeTest(added, 'b');
      assert.deepEqual(forgetStaticSurvivors(file(), PATTERNS, dir), { changed, forgotten: 2 });
      assert.deepEqual(ids(), ['2', '3', '4', '5']);
    });

  test('a test file the patterns leave out, or none of them match, is no change', () => {
    writeReport('a');
    writeTest('test/ui/graph.test.ts', 'left out too');
    writeTest('test/support/builders.ts', 'not a test file');
    assert.deepEqual(
      changedTestFiles({ files: {}, testFiles: { 'test/a.test.ts': { source: 'a' } } }, PATTERNS, dir),
      [],
    );
    assert.deepEqual(forgetStaticSurvivors(file(), PATTERNS, dir), { changed: [], forgotten: 0 });
    assert.deepEqual(changedTestFiles({ files: {} }, ['test/*.test.ts'], dir), ['test/a.test.ts']);
  });

  test('no incremental file yet: nothing to do', () => {
    assert.deepEqual(forgetStaticSurvivors(file(), PATTERNS, dir), { changed: [], forgotten: 0 });
  });
});
