// Mutation testing (`npm run mutate`): StrykerJS mutates the sources below one change at a time and runs the
// tests that cover each change; a mutant no test notices is a gap in the tests. See docs/testing.md.
//
// Node runs the .ts test files itself (type stripping) under the TAP runner. `--testFiles a,b` limits a run
// to those test files (the dry run and every mutant, static ones included), so that a run on the files a
// change touches takes minutes:
//
//   npm run mutate -- --mutate src/engine/selectors.ts --testFiles test/engine/conformance.test.ts

import process from 'node:process';

/** The value of `--testFiles` on the command line, as Stryker reads it (comma-separated globs). */
function cliTestFiles() {
  const i = process.argv.indexOf('--testFiles');
  const value = i >= 0 ? process.argv[i + 1] : undefined;
  return value === undefined ? undefined : value.split(',').filter((f) => f !== '');
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
  testRunner: 'tap',
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
  incrementalFile: 'reports/mutation/incremental.json',
  reporters: ['html', 'clear-text', 'progress'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  concurrency: 1,
  timeoutMS: 60_000,
  ignorePatterns: ['dist', 'bench/out', 'test-artifacts', 'reports', '.netfence'],
  thresholds: { high: 90, low: 80, break: null },
  cleanTempDir: 'always',
};
