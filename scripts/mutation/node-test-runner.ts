/**
 * A StrykerJS test-runner plugin (`testRunner: 'node-test'`) that runs the suite's `node:test` files in ONE
 * Node process for all the mutants, through the harness of scripts/mutation/in-process.ts (read there how
 * tests, hooks and coverage are handled), instead of one process per test file per mutant (the TAP runner).
 *
 * - Test ids are `<test file> :: <describe> > ... > <test>`, so coverage is per test, and a mutant runs only
 *   the tests that reached it, stopping at the first failure, under Stryker's hit limit.
 * - A mutant reached while a source module loads (static) needs the module loaded afresh: the runner says
 *   `reloadEnvironment: false`, so Stryker starts a new runner process for each such mutant.
 * - The mutant's id is also in the environment (`__STRYKER_ACTIVE_MUTANT__`) while it runs, so worker threads
 *   and child processes started by a test run it too, as under the TAP runner.
 * - Timeouts (an infinite loop) are Stryker's: its timeout decorator ends the runner process.
 * - A mutant's test files run cheapest first, by what their tests (and the file's loading and hooks) took in
 *   the dry run: a killed mutant stops at its first failing test, so the sooner a cheap test fails, the less
 *   of the expensive ones (property tests) runs. Files do not depend on each other's order.
 *
 * Options (`nodeTest` in the Stryker config): `testFiles` (globs, default `test/**\/*.test.ts`; `!glob` leaves
 * out what a glob before it took in), `srcDirs`
 * (folders whose modules load once and count as static while loading; default `['src']`).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { glob } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, matchesGlob, resolve } from 'node:path';
import type { Logger } from '@stryker-mutator/api/logging';
import type { StrykerOptions, MutantCoverage } from '@stryker-mutator/api/core';
import { commonTokens, declareClassPlugin, PluginKind, tokens } from '@stryker-mutator/api/plugin';
import {
  determineHitLimitReached,
  DryRunStatus,
  TestStatus,
  toMutantRunResult,
  type DryRunOptions,
  type DryRunResult,
  type MutantRunOptions,
  type MutantRunResult,
  type TestResult,
  type TestRunner,
  type TestRunnerCapabilities,
} from '@stryker-mutator/api/test-runner';
import { installHarness, relativeTo, runFiles, sourcesReached, type RunResult } from './in-process.ts';

export interface NodeTestOptions {
  testFiles?: string[];
  srcDirs?: string[];
  /**
   * A static mutant's run imports the sources afresh in the same process (default), instead of Stryker
   * starting a new runner process for it (false: `reloadEnvironment: false`, seconds a mutant).
   */
  reloadInProcess?: boolean;
  /**
   * Sources (globs) whose mutants run against a fresh copy of the sources, as static ones do: modules that
   * keep, from run to run, values their own code computed (a memo keyed by a module-level object, a cache
   * keyed by text), which a mutant could leave wrong for the next mutants. About a second a mutant.
   */
  freshSourcesFor?: string[];
}

const ACTIVE_MUTANT_ENV = '__STRYKER_ACTIVE_MUTANT__';

/** What the dry run measured, to order a mutant's test files: per test id, and per file outside its tests. */
interface Costs {
  /** Each test's own time (ms). */
  tests: Record<string, number>;
  /** Each file's loading and hooks: its time in the dry run less its tests' (ms). */
  files: Record<string, number>;
}

function costsOf(run: RunResult): Costs {
  const tests: Record<string, number> = {};
  const inTests = new Map<string, number>();
  for (const t of run.tests) {
    tests[t.id] = t.timeSpentMs;
    inTests.set(t.file, (inTests.get(t.file) ?? 0) + t.timeSpentMs);
  }
  const files: Record<string, number> = {};
  for (const [file, ms] of run.fileMs) files[file] = Math.max(0, ms - (inTests.get(file) ?? 0));
  return { tests, files };
}

function toTestResults(run: RunResult): TestResult[] {
  return run.tests.map((t) => {
    const base = { id: t.id, name: t.name, fileName: t.file, timeSpentMs: Math.round(t.timeSpentMs) };
    if (t.status === 'failed')
      return { ...base, status: TestStatus.Failed, failureMessage: t.error ?? 'failed' };
    if (t.status === 'skipped') return { ...base, status: TestStatus.Skipped };
    return { ...base, status: TestStatus.Success };
  });
}

export class NodeTestRunner implements TestRunner {
  static inject = tokens(commonTokens.options, commonTokens.logger);
  private readonly options: NodeTestOptions;
  private readonly root: string;
  private readonly log: Logger;
  private testFiles: string[] = [];
  private runs = 0;
  /** The sources each test file loads (the dry run's record). */
  private reached: Record<string, string[]> | undefined;
  /** Whether this process ran tests already (the dry run or a mutant). */
  private loaded = false;
  /** The dry run's times (its record, for the runner processes after it). */
  private costs: Costs | undefined;
  /**
   * `--coverageAnalysis off`: every mutant runs every test file given, those that load its source or not (a
   * source loaded only by the processes a test starts, such as src/cli/process.ts, is reached by no file).
   */
  private readonly everyFile: boolean;

  constructor(options: StrykerOptions, log: Logger, root = process.cwd()) {
    this.options = (options as StrykerOptions & { nodeTest?: NodeTestOptions }).nodeTest ?? {};
    this.everyFile = options.coverageAnalysis === 'off';
    this.log = log;
    this.root = root;
  }

  capabilities(): TestRunnerCapabilities {
    return { reloadEnvironment: this.options.reloadInProcess ?? true };
  }

  async init(): Promise<void> {
    installHarness({ root: this.root, srcDirs: this.options.srcDirs ?? ['src'] });
    const patterns = this.options.testFiles ?? ['test/**/*.test.ts'];
    const excluded = patterns.filter((p) => p.startsWith('!')).map((p) => p.slice(1));
    const files = new Set<string>();
    for (const pattern of patterns.filter((p) => !p.startsWith('!'))) {
      for await (const f of glob(pattern, { cwd: this.root })) {
        if (!excluded.some((e) => matchesGlob(f, e))) files.add(f);
      }
    }
    this.testFiles = [...files].sort().map((f) => resolve(this.root, f));
    this.log.debug(`node-test: ${this.testFiles.length} test files`);
  }

  private ns(): {
    activeMutant?: string | undefined;
    hitCount?: number | undefined;
    hitLimit?: number | undefined;
    mutantCoverage?: MutantCoverage;
  } {
    return (globalThis as unknown as Record<string, ReturnType<NodeTestRunner['ns']>>)['__stryker__']!;
  }

  async dryRun(options: DryRunOptions): Promise<DryRunResult> {
    const files =
      options.testFiles !== undefined && options.testFiles.length > 0
        ? options.testFiles.map((f) => resolve(this.root, f))
        : this.testFiles;
    const ns = this.ns();
    const coverage = ns.mutantCoverage!;
    coverage.static = {};
    coverage.perTest = {};
    ns.activeMutant = undefined;
    this.loaded = true;
    const run = await runFiles(files, { bail: !options.disableBail });
    const tests = toTestResults(run);
    // Kept for the runner processes Stryker starts later (same Stryker process: same parent).
    this.reached = sourcesReached(files);
    writeFileSync(this.reachedFile(), JSON.stringify(this.reached));
    this.costs = costsOf(run);
    writeFileSync(this.costsFile(), JSON.stringify(this.costs));
    if (options.coverageAnalysis === 'off') return { status: DryRunStatus.Complete, tests };
    const perTest: Record<string, Record<string, number>> = {};
    const staticCoverage = { ...coverage.static };
    if (options.coverageAnalysis === 'all') {
      for (const ids of Object.values(coverage.perTest))
        for (const [k, n] of Object.entries(ids)) staticCoverage[k] = (staticCoverage[k] ?? 0) + n;
    } else {
      for (const [id, scopes] of run.scopes) {
        const merged: Record<string, number> = {};
        for (const scope of scopes)
          for (const [k, n] of Object.entries(coverage.perTest[scope] ?? {}))
            merged[k] = (merged[k] ?? 0) + n;
        perTest[id] = merged;
      }
    }
    return { status: DryRunStatus.Complete, tests, mutantCoverage: { static: staticCoverage, perTest } };
  }

  async mutantRun(options: MutantRunOptions): Promise<MutantRunResult> {
    const ns = this.ns();
    // Test ids; or, for a static mutant when --testFiles is given, the test files (Stryker's global filter).
    const filter =
      options.testFilter === undefined
        ? undefined
        : new Set(options.testFilter.map((id) => this.testOrFile(id)));
    const planned = this.cheapestFirst(filter === undefined ? this.testFiles : this.filesOf(filter), filter);
    // A static mutant (every test, or whole test files, asked for): only the files that load its source, unless
    // coverage is off (Stryker then runs every mutant as a static one).
    const wholeFiles = filter === undefined || [...filter].every((id) => !id.includes(' :: '));
    const isStatic = options.mutantActivation === 'static' || options.reloadEnvironment;
    const files =
      wholeFiles && isStatic && !this.everyFile
        ? this.filesReaching(planned, options.activeMutant.fileName)
        : planned;
    ns.activeMutant = options.activeMutant.id;
    ns.hitLimit = options.hitLimit;
    ns.hitCount = options.hitLimit === undefined ? undefined : 0;
    let run: RunResult;
    try {
      // A fresh copy of the sources, loaded with the mutant active, when Stryker asks for a reload (a static
      // mutant, whose activation says `runtime` when --testFiles is given, and the run after one), for the
      // first run of a new process (Stryker then leaves `reloadEnvironment` out, the mutant may be static),
      // and for mutants of sources that keep state. So the shared copy never loads a static mutant.
      const freshSources =
        options.reloadEnvironment ||
        options.mutantActivation === 'static' ||
        !this.loaded ||
        this.keepsState(options.activeMutant.fileName);
      this.loaded = true;
      run = await runFiles(
        files,
        { bail: !options.disableBail, freshSources, ...(filter === undefined ? {} : { filter }) },
        {
          [ACTIVE_MUTANT_ENV]: options.activeMutant.id,
        },
      );
    } finally {
      ns.activeMutant = undefined;
    }
    if (++this.runs % 200 === 0) {
      this.log.info(`node-test: ${this.runs} mutants run, ${Math.round(process.memoryUsage().rss / 1e6)} MB`);
    }
    const hitCount = ns.hitCount;
    ns.hitCount = undefined;
    ns.hitLimit = undefined;
    const coverage = ns.mutantCoverage!;
    coverage.static = {};
    coverage.perTest = {};
    const timeout = determineHitLimitReached(hitCount, options.hitLimit);
    if (timeout !== undefined) return toMutantRunResult(timeout);
    return toMutantRunResult({ status: DryRunStatus.Complete, tests: toTestResults(run) }, false);
  }

  private reachedFile(): string {
    return join(tmpdir(), `netfence-node-test-reached-${process.ppid}.json`);
  }

  private costsFile(): string {
    return join(tmpdir(), `netfence-node-test-costs-${process.ppid}.json`);
  }

  /**
   * The files in order of what running them for this filter cost in the dry run (the selected tests, or all
   * of a file given whole, plus its loading and hooks), cheapest first, then by name; as given when the dry
   * run's record is missing.
   */
  private cheapestFirst(files: string[], filter: ReadonlySet<string> | undefined): string[] {
    try {
      this.costs ??= JSON.parse(readFileSync(this.costsFile(), 'utf8')) as Costs;
    } catch {
      return files;
    }
    const { tests, files: overhead } = this.costs;
    const cost = new Map<string, number>();
    for (const [id, ms] of Object.entries(tests)) {
      const file = id.slice(0, id.indexOf(' :: '));
      if (filter === undefined || filter.has(file) || filter.has(id))
        cost.set(file, (cost.get(file) ?? 0) + ms);
    }
    const costOf = (f: string): number => {
      const rel = relativeTo(this.root, f);
      return (overhead[rel] ?? 0) + (cost.get(rel) ?? 0);
    };
    return files
      .map((f) => ({ f, ms: costOf(f) }))
      .sort((a, b) => a.ms - b.ms || (a.f < b.f ? -1 : a.f > b.f ? 1 : 0))
      .map((x) => x.f);
  }

  /** The test files that load the mutant's source (all of them when the dry run's record is missing). */
  private filesReaching(files: string[], fileName: string): string[] {
    try {
      this.reached ??= JSON.parse(readFileSync(this.reachedFile(), 'utf8')) as Record<string, string[]>;
    } catch {
      return files;
    }
    const rel = relativeTo(this.root, fileName);
    const reached = this.reached;
    return files.filter((f) => reached[f] === undefined || reached[f].includes(rel));
  }

  private keepsState(fileName: string): boolean {
    const rel = relativeTo(this.root, fileName);
    return (this.options.freshSourcesFor ?? []).some((g) => matchesGlob(rel, g));
  }

  /** The test files of these test ids (`<file> :: ...`), in the order of the test files. */
  private testOrFile(id: string): string {
    return id.includes(' :: ') ? id : relativeTo(this.root, id);
  }

  private filesOf(ids: ReadonlySet<string>): string[] {
    const wanted = new Set<string>();
    for (const id of ids) wanted.add(id.includes(' :: ') ? id.slice(0, id.indexOf(' :: ')) : id);
    return [...wanted].sort().map((f) => resolve(this.root, f));
  }
}

export const strykerPlugins = [declareClassPlugin(PluginKind.TestRunner, 'node-test', NodeTestRunner)];

export const strykerValidationSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  properties: {
    nodeTest: {
      type: 'object',
      properties: {
        testFiles: { type: 'array', items: { type: 'string' } },
        srcDirs: { type: 'array', items: { type: 'string' } },
        reloadInProcess: { type: 'boolean' },
        freshSourcesFor: { type: 'array', items: { type: 'string' } },
      },
      additionalProperties: false,
    },
  },
};
