/**
 * Stryker's incremental mode never runs again a static mutant it did not kill (a module-level value, run once
 * at import: docs/testing.md, "Incremental runs and static mutants"). It reuses a non-killed mutant's result
 * unless a test was added among the tests that cover it, and a static mutant has no covering tests of its
 * own (its coverage is "static", every test), so no added or changed test file is ever seen as one for it:
 * only a change to its own code runs it again. Issue #20, round 13: 11 static mutants of fast-yaml.ts that a
 * new test file kills "survived" an incremental run.
 *
 * So, before a run (stryker.config.js calls this), when a test file of the run was added or changed since the
 * incremental file was written, the static mutants it records without a kill are taken out of it, and the run
 * tests them again (with every test, as static mutants are). Killed ones stay: Stryker runs them again itself
 * when their killing test changed or is gone.
 */
import { existsSync, globSync, readFileSync, writeFileSync } from 'node:fs';

interface ReportMutant {
  status: string;
  static?: boolean;
}

interface Report {
  files: Record<string, { mutants: ReportMutant[] }>;
  testFiles?: Record<string, { source?: string }>;
}

/** Statuses that are a kill: Stryker's reuse rule for them sees the killing test change. */
const DETECTED = new Set(['Killed', 'Timeout']);

/**
 * The test files matching `patterns` (globs, `!` before one to leave its files out) that are new or changed
 * since `report` recorded them, relative to `cwd`, sorted.
 */
export function changedTestFiles(report: Report, patterns: readonly string[], cwd: string): string[] {
  const include = patterns.filter((p) => !p.startsWith('!'));
  const exclude = patterns.filter((p) => p.startsWith('!')).map((p) => p.slice(1));
  const recorded = report.testFiles ?? {};
  return globSync(include, { cwd, exclude })
    .map((file) => file.replaceAll('\\', '/'))
    .filter((file) => recorded[file]?.source !== readFileSync(`${cwd}/${file}`, 'utf8'))
    .sort();
}

/**
 * Takes the static mutants without a kill out of the incremental file `file` when a test file matching
 * `patterns` was added or changed since it was written. Returns the test files seen changed and how many
 * mutants were taken out; leaves the file as it is when there is none to take out.
 */
export function forgetStaticSurvivors(
  file: string,
  patterns: readonly string[],
  cwd: string,
): { changed: string[]; forgotten: number } {
  if (!existsSync(file)) return { changed: [], forgotten: 0 };
  const report = JSON.parse(readFileSync(file, 'utf8')) as Report;
  const changed = changedTestFiles(report, patterns, cwd);
  let forgotten = 0;
  if (changed.length > 0) {
    for (const result of Object.values(report.files)) {
      const kept = result.mutants.filter((m) => m.static !== true || DETECTED.has(m.status));
      forgotten += result.mutants.length - kept.length;
      result.mutants = kept;
    }
  }
  if (forgotten > 0) writeFileSync(file, JSON.stringify(report));
  return { changed, forgotten };
}
