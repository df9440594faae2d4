// Mutation testing (`npm run mutate`): StrykerJS mutates the sources below one change at a time and runs the
// tests that cover each change; a mutant no test notices is a gap in the tests. See docs/testing.md.
//
// The test runner is netfence's own in-process runner for Node's test runner (scripts/mutation/
// node-test-runner.ts, `testRunner: 'node-test'`): one Node process runs the tests of every mutant, with
// coverage per test (tens of milliseconds a mutant). `--testRunner tap` selects Stryker's TAP runner instead
// (one process per test file per mutant, 6-10 s a mutant), which the in-process runner was checked against
// (docs/testing.md, "The in-process runner"). `--testFiles a,b` limits a run to those test files (the dry
// run and every mutant, static ones included), so that a run on the files a change touches takes minutes:
//
//   npm run mutate -- --mutate src/engine/selectors.ts --testFiles test/engine/conformance.test.ts

import process from 'node:process';
import { forgetStaticSurvivors } from './scripts/mutation/static-reuse.ts';

// The property tests under a mutation run: fewer random cases each (the defaults are for `npm test`), as
// every covered mutant runs them again. A value already in the environment wins.
const PROPERTY_RUNS = {
  NETFENCE_CILIUM_RUNS: 20,
  NETFENCE_CSV_ROWS_RUNS: 50,
  NETFENCE_DECISIONS_RUNS: 100,
  NETFENCE_EQUIVALENCE_RUNS: 50,
  NETFENCE_EXPLAIN_RUNS: 25,
  NETFENCE_FUZZ_RUNS: 10,
  NETFENCE_GROUPED_RUNS: 40,
  NETFENCE_INCREMENTAL_RUNS: 30,
  NETFENCE_SESSION_RUNS: 10,
  NETFENCE_TIERED_EQUIVALENCE_RUNS: 50,
  NETFENCE_TIERS_RUNS: 30,
  NETFENCE_WHATIF_RUNS: 15,
  NETFENCE_YAML_RUNS: 150,
};
for (const [name, runs] of Object.entries(PROPERTY_RUNS)) process.env[name] ??= String(runs);

// Test files the in-process runner leaves out (`--testFiles` naming one brings it back):
// - test/ui/ files that drive a browser (playwright), e2e.test.ts, graph/outputs/tiers/cilium/whatif-cilium:
//   a browser per mutant, and the UI code they test is not in `mutate`;
// - test/cluster/: they need a Kubernetes API server and a cluster (skipped without them anyway);
// - test/mutation/: the runner's own tests, which start a harness of their own.
// Tests that spawn `bin/netfence` (test/server/serve.ts, test/cli/analyze.test.ts, ...) or start worker
// threads (src/server/whatif-thread.ts, src/flows/read-parallel.ts, src/cli/process.ts) stay: the mutant's
// id is in the environment the child or worker inherits, so it runs the mutant as under the TAP runner.
const IN_PROCESS_EXCLUDED = [
  '!test/ui/{e2e,graph,outputs,tiers,cilium,whatif-cilium}.test.ts',
  '!test/cluster/**',
  '!test/mutation/**',
];

/** The value of option `name` on the command line, if given. */
function cliOption(name) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** The value of `--testFiles` on the command line, as Stryker reads it (comma-separated globs). */
function cliTestFiles() {
  const value = cliOption('--testFiles');
  return value === undefined ? undefined : value.split(',').filter((f) => f !== '');
}

const tap = cliOption('--testRunner') === 'tap';

const INCREMENTAL_FILE = 'reports/mutation/incremental.json';
const DEFAULT_TEST_FILES = ['test/**/*.test.ts', ...IN_PROCESS_EXCLUDED];

// Stryker's incremental mode never runs again a static mutant it did not kill, whatever test is added
// (docs/testing.md, "Incremental runs and static mutants"): when a test file of this run was added or changed
// since the incremental file was written, its static mutants without a kill are taken out of it first.
if (!process.argv.includes('--force')) {
  const file = cliOption('--incrementalFile') ?? INCREMENTAL_FILE;
  const testFiles = cliTestFiles() ?? (tap ? ['test/**/*.test.ts'] : DEFAULT_TEST_FILES);
  const { changed, forgotten } = forgetStaticSurvivors(file, testFiles, process.cwd());
  if (forgotten > 0)
    process.stderr.write(
      `${file}: ${forgotten} static mutant(s) without a kill will run again (test files added or changed: ${changed.slice(0, 5).join(', ')}${changed.length > 5 ? ', ...' : ''})\n`,
    );
}

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  mutate: [
    'src/engine/**/*.ts',
    'src/parse/**/*.ts',
    'src/lint/**/*.ts',
    'src/apply/**/*.ts',
    'src/server/**/*.ts',
  ],
  plugins: ['@stryker-mutator/*', './scripts/mutation/node-test-runner.ts'],
  testRunner: 'node-test',
  nodeTest: {
    testFiles: cliTestFiles() ?? DEFAULT_TEST_FILES,
    // Sources whose memo outlives a run (docs/testing.md, "The in-process runner"): their mutants run
    // against a fresh copy of the sources, so that a wrong value a mutant memoised cannot reach the next one.
    freshSourcesFor: [
      'src/parse/fast-yaml.ts', // the scalar caches (text -> value) kept from text to text
      'src/engine/decisions.ts', // `emptiness` and `covering` also see the module-level NOTHING/EVERYTHING
      'src/engine/own-node.ts', // `accessMemo` also sees compile.ts's module-level OPEN access
      'src/engine/cilium.ts', // `accessMaps` also sees OPEN
      'src/parse/validate/meta.ts', // the label keys and values accepted once (`PLAIN_LABEL_KEYS`...)
      'src/parse/names.ts', // the checks whose answers meta.ts keeps
      'src/parse/yaml.ts', // `loaded`: the `yaml` package, loaded once (`??=` → `&&=` only fails a fresh load)
    ],
  },
  tap: {
    testFiles: cliTestFiles() ?? ['test/**/*.test.ts'],
    nodeArgs: ['--test-reporter=tap'],
  },
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.json',
  coverageAnalysis: 'perTest',
  // In place (originals kept in .stryker-tmp/ and put back at the end, or on Ctrl-C), not in a sandbox copy:
  // test files keep their paths from run to run, which incremental mode needs to reuse results.
  inPlace: true,
  // Node strips types without checking them, so no file needs `// @ts-nocheck` (the checker below type-checks
  // each mutant instead): in place, only the files being mutated are touched.
  disableTypeChecks: false,
  incremental: true,
  incrementalFile: INCREMENTAL_FILE,
  reporters: ['html', 'clear-text', 'progress'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  concurrency: 1,
  // A mutant's time limit is its tests' time in the dry run (times 1.5) plus this: a TAP run starts a Node
  // process per test file, the in-process runner none (an infinite loop costs this much, then a restart).
  timeoutMS: tap ? 60_000 : 10_000,
  ignorePatterns: ['dist', 'bench/out', 'test-artifacts', 'reports', '.netfence'],
  thresholds: { high: 90, low: 80, break: null },
  cleanTempDir: 'always',
};
