/**
 * The in-process Stryker test runner (scripts/mutation/node-test-runner.ts): its node:test stand-in runs hooks
 * in Node's order with Node's failure semantics, and mutants of a small source are killed, survive, time out
 * or count as static as they would under Stryker's TAP runner.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Logger } from '@stryker-mutator/api/logging';
import type { Mutant, StrykerOptions } from '@stryker-mutator/api/core';
import {
  TestStatus,
  type CompleteDryRunResult,
  type MutantRunResult,
} from '@stryker-mutator/api/test-runner';
import { Instrumenter } from '@stryker-mutator/instrumenter';
import { runFiles } from '../../scripts/mutation/in-process.ts';
import { NodeTestRunner } from '../../scripts/mutation/node-test-runner.ts';

const FIXTURES = new URL('fixtures/', import.meta.url).pathname;
const noop = () => undefined;
const logger = {
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  trace: noop,
  fatal: noop,
  isDebugEnabled: () => false,
  isTraceEnabled: () => false,
  isInfoEnabled: () => false,
  isWarnEnabled: () => false,
  isErrorEnabled: () => false,
  isFatalEnabled: () => false,
} as unknown as Logger;

const root = mkdtempSync(join(tmpdir(), 'netfence-mutation-runner-'));
after(() => {
  rmSync(root, { recursive: true, force: true });
  // What the runner's dry run keeps for the runner processes after it (scripts/mutation/node-test-runner.ts).
  rmSync(join(tmpdir(), `netfence-node-test-reached-${process.ppid}.json`), { force: true });
  rmSync(join(tmpdir(), `netfence-node-test-costs-${process.ppid}.json`), { force: true });
});

let mutants: Mutant[] = [];
let runner: NodeTestRunner;

before(async () => {
  cpSync(FIXTURES, root, { recursive: true });
  const instrumenter = new Instrumenter(logger);
  const out = await instrumenter.instrument(
    [{ name: 'src/calc.ts', mutate: true, content: readFileSync(join(root, 'src/calc.ts'), 'utf8') }],
    { plugins: null, excludedMutations: [], ignorers: [] },
  );
  for (const f of out.files) writeFileSync(join(root, f.name), f.content);
  mutants = out.mutants.map((m) => ({ ...m, fileName: m.fileName }));
  runner = new NodeTestRunner(
    { nodeTest: { testFiles: ['test/*.fixture.ts', '!test/hooks.fixture.ts'] } } as unknown as StrykerOptions,
    logger,
    root,
  );
  await runner.init();
});

describe('the node:test stand-in', () => {
  const stripLoad = (events: string[]) => events.filter((e) => !e.endsWith(' body'));

  test('hooks run in the order Node runs them; a failing before hook fails the tests of its suite', async () => {
    // Node's own run of the fixture (a child of a test run would report to its parent: NODE_TEST_CONTEXT).
    const env = { ...process.env };
    delete env.NODE_TEST_CONTEXT;
    const node = spawnSync(
      process.execPath,
      ['--test-reporter=dot', join(FIXTURES, 'test/hooks.fixture.ts')],
      {
        env: { ...env, HOOK_EVENTS_PRINT: '1' },
        encoding: 'utf8',
      },
    ).stdout;
    const expected = JSON.parse(/^EVENTS (.*)$/m.exec(node)![1]!) as string[];
    const events: string[] = [];
    (globalThis as { hookEvents?: string[] }).hookEvents = events;
    const run = await runFiles([join(root, 'test/hooks.fixture.ts')], { bail: false });
    // Describe bodies run while the file loads, as in Node (which starts the file's before hook as soon as
    // the first test is declared: the harness runs it when the tests start).
    assert.deepEqual(
      events.filter((e) => e.endsWith(' body')),
      ['module body', 'outer body', 'async body'],
    );
    assert.deepEqual(stripLoad(events), stripLoad(expected));
    const failed = run.tests.filter((t) => t.status === 'failed').map((t) => t.name);
    assert.deepEqual(failed, [
      'failing before > e',
      'failing before > f',
      'failing beforeEach > g',
      'failing test',
    ]);
    assert.match(
      run.tests.find((t) => t.name === 'failing before > e')!.error!,
      /before hook failed: Error: boom/,
    );
    assert.deepEqual(
      run.tests.filter((t) => t.status === 'skipped').map((t) => t.id),
      ['test/hooks.fixture.ts :: outer > inner > skipped', 'test/hooks.fixture.ts :: outer > inner > todo'],
    );
    assert.equal(run.failure?.id, 'test/hooks.fixture.ts :: failing before > e');
  });

  test('with bail, the run stops at the first failure, after hooks still run', async () => {
    const events: string[] = [];
    (globalThis as { hookEvents?: string[] }).hookEvents = events;
    const run = await runFiles([join(root, 'test/hooks.fixture.ts')], { bail: true });
    assert.equal(run.tests.at(-1)?.name, 'failing before > e');
    assert.equal(run.tests.filter((t) => t.status === 'failed').length, 1);
    assert.deepEqual(events.slice(-2), ['failing before: after', 'file after']);
  });

  test('a file that throws while it loads, before declaring a test, fails the run', async () => {
    writeFileSync(join(root, 'test/broken.fixture.ts'), "throw new Error('broken');\n");
    const run = await runFiles([join(root, 'test/broken.fixture.ts')], { bail: true });
    assert.deepEqual(
      run.tests.map((t) => [t.id, t.status, t.error]),
      [['test/broken.fixture.ts <error>', 'failed', 'the file failed to load: Error: broken']],
    );
  });

  test("a suite's failing after hook fails its first test, an id Stryker knows", async () => {
    writeFileSync(
      join(root, 'test/after-fails.fixture.ts'),
      [
        "import { after, describe, test } from 'node:test';",
        "describe('s', () => {",
        "  test('skipped', { skip: true }, () => {});",
        "  test('a', () => {});",
        "  test('b', () => {});",
        "  after(() => { throw new Error('late'); });",
        '});',
        '',
      ].join('\n'),
    );
    const run = await runFiles([join(root, 'test/after-fails.fixture.ts')], { bail: false });
    assert.deepEqual(
      run.tests.map((t) => [t.name, t.status]),
      [
        ['s > skipped', 'skipped'],
        ['s > b', 'passed'],
        ['s > a', 'failed'],
      ],
    );
    const failed = run.tests.find((t) => t.status === 'failed')!;
    assert.equal(failed.id, 'test/after-fails.fixture.ts :: s > a');
    assert.equal(failed.error, 'an after hook of "s" failed: Error: late');
    assert.equal(run.failure?.id, failed.id);
  });

  test('a filter runs only its tests, with the hooks they need', async () => {
    const events: string[] = [];
    (globalThis as { hookEvents?: string[] }).hookEvents = events;
    const run = await runFiles([join(root, 'test/hooks.fixture.ts')], {
      bail: true,
      filter: new Set(['test/hooks.fixture.ts :: outer > inner > b']),
    });
    assert.deepEqual(
      run.tests.map((t) => [t.name, t.status]),
      [['outer > inner > b', 'passed']],
    );
    assert.deepEqual(stripLoad(events), [
      'file before',
      'outer before',
      'file beforeEach b',
      'outer beforeEach',
      'inner beforeEach',
      'b',
      'inner afterEach',
      'outer afterEach',
      'file afterEach b',
      'outer after',
      'file after',
    ]);
  });
  test('a failure a test leaves for later (a timer) counts for its own run, not the next one (review 7, M2)', () => {
    const env = { ...process.env };
    delete env.NODE_TEST_CONTEXT;
    const out = spawnSync(process.execPath, [join(FIXTURES, 'late-run.ts'), root], { env, encoding: 'utf8' });
    assert.equal(out.status, 0, out.stderr);
    const [first, second] = JSON.parse(out.stdout) as {
      tests: [string, string][];
      failure?: { id: string; message: string };
    }[];
    assert.deepEqual(first?.tests, [['leaves a timer', 'failed']]);
    assert.match(first?.failure?.message ?? '', /after the test ended: Error: late, from mutant "late"/);
    assert.deepEqual(second?.tests, [['waits', 'passed']]);
    assert.equal(second?.failure, undefined);
  });
});

describe('mutants of a fixture source', () => {
  let dry: CompleteDryRunResult;
  const status = (r: MutantRunResult): string => r.status;
  const killers = (r: MutantRunResult) => ('killedBy' in r ? r.killedBy : undefined);
  const source = readFileSync(join(FIXTURES, 'src/calc.ts'), 'utf8').split('\n');
  /** The mutant of this mutator and replacement, on the first line containing `near`. */
  const find = (mutatorName: string, replacement: string, near = '') => {
    const m = mutants.find(
      (x) =>
        x.mutatorName === mutatorName &&
        x.replacement === replacement &&
        source[x.location.start.line]!.includes(near),
    );
    assert.ok(m, `a ${mutatorName} mutant ${replacement}`);
    return m;
  };
  const coveredBy = (id: string) =>
    Object.entries(dry.mutantCoverage!.perTest)
      .filter(([, ids]) => ids[id] !== undefined)
      .map(([t]) => t);
  /**
   * As Stryker plans a mutant: a static one runs every test, and asks for a reload; its activation is
   * `static`, or `runtime` with the test files (absolute paths) as the filter when --testFiles is given
   * (`listed`).
   */
  const runMutant = (
    m: Mutant,
    options: { hitLimit?: number; listed?: boolean; disableBail?: boolean } = {},
  ): Promise<MutantRunResult> => {
    const isStatic = dry.mutantCoverage!.static[m.id] !== undefined;
    return runner.mutantRun({
      activeMutant: m,
      ...(isStatic
        ? options.listed === true
          ? { testFilter: [join(root, 'test/calc.fixture.ts'), join(root, 'test/other.fixture.ts')] }
          : {}
        : { testFilter: coveredBy(m.id) }),
      timeout: 10_000,
      disableBail: options.disableBail ?? false,
      sandboxFileName: join(root, 'src/calc.ts'),
      mutantActivation: isStatic && options.listed !== true ? 'static' : 'runtime',
      reloadEnvironment: isStatic,
      ...(options.hitLimit === undefined ? {} : { hitLimit: options.hitLimit }),
    });
  };

  /**
   * What the dry run measured to order a mutant's test files, replaced by given costs (ms) of a-slow's test and
   * of each of calc's (no file's loading): the order the tests see follows them, not the machine's load.
   */
  const setCosts = (slow: number, calc: number): void => {
    const tests: Record<string, number> = {};
    for (const t of dry.tests)
      tests[t.id] = t.id.startsWith('test/a-slow.fixture.ts')
        ? slow
        : t.id.startsWith('test/calc.')
          ? calc
          : 1;
    writeFileSync(
      join(tmpdir(), `netfence-node-test-costs-${process.ppid}.json`),
      JSON.stringify({ tests, files: {} }),
    );
    // The runner keeps the dry run's costs: forgotten, they are read from the file, as a runner process after
    // the dry run reads them.
    (runner as unknown as { costs: unknown }).costs = undefined;
  };

  before(async () => {
    const result = await runner.dryRun({ coverageAnalysis: 'perTest', timeout: 10_000, disableBail: false });
    assert.equal(result.status, 'complete');
    dry = result;
    setCosts(1000, 1);
  });

  test('the dry run passes, each test has its own id', () => {
    assert.deepEqual(
      dry.tests.map((t) => [t.id, t.status]),
      [
        ['test/a-slow.fixture.ts :: slow clamp', TestStatus.Success],
        ...['clamp', 'limit', 'sums', 'double'].map((n) => [
          `test/calc.fixture.ts :: calc > ${n}`,
          TestStatus.Success,
        ]),
        ['test/other.fixture.ts :: other', TestStatus.Success],
      ],
    );
  });

  test('coverage: a module-level mutant is static, code a test file runs when loaded or in a before hook counts for its tests', () => {
    const limit = find('ArithmeticOperator', '10 / 2');
    assert.ok(dry.mutantCoverage!.static[limit.id] !== undefined);
    assert.deepEqual(coveredBy(limit.id), []);
    const clampOnly = find('EqualityOperator', 'n >= LIMIT');
    assert.deepEqual(coveredBy(clampOnly.id), [
      'test/a-slow.fixture.ts :: slow clamp',
      'test/calc.fixture.ts :: calc > clamp',
    ]);
    // double() runs only in the suite's before hook, sumTo(2) also when the file loads: all the tests.
    assert.equal(coveredBy(find('ArithmeticOperator', 'n / 2').id).length, 4);
    assert.equal(coveredBy(find('EqualityOperator', 'i < n').id).length, 4);
    // label() runs nowhere.
    assert.deepEqual(coveredBy(find('EqualityOperator', 'n <= 0').id), []);
  });

  test('the cheaper file runs first by the costs, not by name: a-slow.fixture.ts the cheaper, its test kills', async () => {
    setCosts(1, 1000);
    try {
      const killed = await runMutant(find('EqualityOperator', 'n <= LIMIT'));
      assert.deepEqual(killers(killed), ['test/a-slow.fixture.ts :: slow clamp']);
      const limit = await runMutant(find('ArithmeticOperator', '10 / 2'), { disableBail: true });
      assert.deepEqual(killers(limit), ['test/a-slow.fixture.ts :: slow clamp']);
    } finally {
      setCosts(1000, 1);
    }
  });

  test('killed, survived, static, and an infinite loop ended by the hit limit', async () => {
    // Both a-slow.fixture.ts (first by name, the costlier) and calc.fixture.ts kill it: the cheaper file runs first.
    const killed = await runMutant(find('EqualityOperator', 'n <= LIMIT'));
    assert.equal(status(killed), 'killed');
    assert.deepEqual(killers(killed), ['test/calc.fixture.ts :: calc > clamp']);
    // The boundary (clamp(20)) is never tested: this one survives.
    assert.equal(status(await runMutant(find('EqualityOperator', 'n >= LIMIT'))), 'survived');
    // Reached only through the before hook, killed by the test that reads what the hook computed.
    const viaHook = await runMutant(find('ArithmeticOperator', 'n / 2'));
    assert.equal(status(viaHook), 'killed');
    assert.deepEqual(killers(viaHook), ['test/calc.fixture.ts :: calc > double']);
    // i-- never ends the loop: the hit limit does.
    const loop = find('UpdateOperator', 'i--');
    assert.equal(status(await runMutant(loop, { hitLimit: 1000 })), 'timeout');
    // A module-level mutant, in a fresh copy of the sources: LIMIT is 5, clamp and limit fail (and a-slow's
    // test, which runs after calc.fixture.ts, the cheaper). Only the test files that load src/calc.ts run (not
    // other.fixture.ts: no bail here).
    const g = globalThis as { otherLoads?: number };
    const otherLoads = g.otherLoads;
    for (const listed of [false, true]) {
      const limit = await runMutant(find('ArithmeticOperator', '10 / 2'), { listed, disableBail: true });
      assert.equal(status(limit), 'killed');
      assert.deepEqual(killers(limit), ['test/calc.fixture.ts :: calc > clamp']);
    }
    assert.equal(g.otherLoads, otherLoads);
    // Nothing carries over (the shared copy still has LIMIT 20): the same tests pass again.
    assert.equal(status(await runMutant(find('EqualityOperator', 'n >= LIMIT'))), 'survived');
  });

  test('coverage off: every test file given runs, one that loads no source too (its child processes may)', async () => {
    // Stryker then plans each mutant as a static one. Before round 15 only the files loading the mutant's source
    // ran: the mutants of src/cli/process.ts, which tests start in child processes, counted survived unrun.
    const off = new NodeTestRunner(
      {
        coverageAnalysis: 'off',
        nodeTest: { testFiles: ['test/*.fixture.ts', '!test/hooks.fixture.ts'] },
      } as unknown as StrykerOptions,
      logger,
      root,
    );
    await off.init();
    const g = globalThis as { otherLoads?: number };
    const otherLoads = g.otherLoads ?? 0;
    const killed = await off.mutantRun({
      activeMutant: find('EqualityOperator', 'n <= LIMIT'),
      timeout: 10_000,
      disableBail: true,
      sandboxFileName: join(root, 'src/calc.ts'),
      mutantActivation: 'static',
      reloadEnvironment: true,
    });
    assert.equal(status(killed), 'killed');
    assert.equal(g.otherLoads, otherLoads + 1, 'other.fixture.ts ran');
  });
});
