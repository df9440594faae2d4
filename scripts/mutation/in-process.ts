/**
 * The in-process harness behind the Stryker test runner of scripts/mutation/node-test-runner.ts: it runs the
 * suite's `node:test` files again and again in ONE Node process, switching `__stryker__.activeMutant` between
 * runs, instead of one process per test file per mutant (the TAP runner).
 *
 * - `node:test` is replaced by scripts/mutation/node-test-shim.ts (a module hook), which registers the
 *   tests here; the harness runs them itself, in declaration order, one at a time.
 * - Each run imports the test files afresh: every module outside src/ and node_modules/ (test files, their
 *   helpers in test/support/, fixtures modules) gets a `?nftag=N` query, so it is evaluated again with the
 *   mutant active, while the sources under src/ (the instrumented code) are loaded once and shared.
 * - The body of every module under src/ runs with `currentTestId` unset, so that what a module does when it
 *   is loaded counts as static coverage: Stryker then runs such a mutant in a fresh process (the runner
 *   declares `reloadEnvironment: false`), where the mutant is active while the module loads.
 * - Coverage of a test = what ran while it ran (its beforeEach/afterEach/t.after hooks included) + what its
 *   file did when imported (module bodies of test helpers, describe bodies) + its suites' before/after
 *   hooks: all of that runs again whenever the test runs.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { registerHooks } from 'node:module';
import { relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** A file's path relative to `root` (absolute or relative to it), with `/` on every platform. */
export function relativeTo(root: string, file: string): string {
  return relative(root, resolve(root, file)).replaceAll('\\', '/');
}

type HookFn = (context: unknown) => unknown;

interface TestOptions {
  skip?: boolean | string;
  todo?: boolean | string;
  only?: boolean;
  timeout?: number;
  concurrency?: unknown;
  signal?: AbortSignal;
}

export interface TestCase {
  kind: 'test';
  /** `<file relative to the root> :: <describe> > ... > <test>`, ` (2)` added to a repeated name. */
  id: string;
  name: string;
  fullName: string;
  file: string;
  fn: HookFn | undefined;
  suite: SuiteNode;
  skip: boolean;
  /** A todo test runs, but its failure does not count (as in node:test). */
  todo: boolean;
}

export interface SuiteNode {
  kind: 'suite';
  id: string;
  name: string;
  file: string;
  parent: SuiteNode | undefined;
  children: (SuiteNode | TestCase)[];
  before: HookFn[];
  after: HookFn[];
  beforeEach: HookFn[];
  afterEach: HookFn[];
  skip: boolean;
  todo: boolean;
  /** An async describe body still running, or how it failed. */
  pending: Promise<unknown> | undefined;
  error: unknown;
}

export interface TestOutcome {
  id: string;
  name: string;
  file: string;
  status: 'passed' | 'failed' | 'skipped';
  error?: string;
  timeSpentMs: number;
}

export interface RunOptions {
  /**
   * Run only these test ids (and the hooks they need), or all the tests of a file given by its name relative
   * to the root; all tests when undefined.
   */
  filter?: ReadonlySet<string>;
  /** Stop at the first failure (the rest of the file's after hooks still run). */
  bail: boolean;
  /**
   * Import the sources afresh too (a static mutant: active while they load), instead of the copy loaded once.
   * All the files of the run share that fresh copy.
   */
  freshSources?: boolean;
}

export interface RunResult {
  tests: TestOutcome[];
  /** The first failure: test id and message. */
  failure: { id: string; message: string } | undefined;
  /** For each test run: the coverage ids that count for it (its own, its file's load, its suites' hooks). */
  scopes: Map<string, string[]>;
  /** For each test file run (relative to the root): the time it took, loading and hooks included (ms). */
  fileMs: Map<string, number>;
}

interface Namespace {
  activeMutant?: string | undefined;
  currentTestId?: string | undefined;
  hitCount?: number | undefined;
  hitLimit?: number | undefined;
  mutantCoverage?: { static: Record<string, number>; perTest: Record<string, Record<string, number>> };
}

const SHIM_URL = new URL('./node-test-shim.ts', import.meta.url).href;
const HERE = fileURLToPath(new URL('.', import.meta.url));
const realNodeTest = process.getBuiltinModule('node:test');
type MockTracker = typeof realNodeTest.mock;
const MockTrackerClass = realNodeTest.mock.constructor as new () => MockTracker;

class ProcessExitError extends Error {}

/** Exceptions and rejections nobody caught while tests ran: they fail the test that runs (as in node:test). */
const stray: unknown[] = [];

/** The state of the harness: one per process. */
class Harness {
  readonly root: string;
  readonly srcDirs: string[];
  readonly namespace: string;
  /** The suite a describe body or a module body registers into. */
  readonly current = new AsyncLocalStorage<SuiteNode>();
  /** The file being imported (its root suite). */
  loading: SuiteNode | undefined;
  /** The test running, for its `t` and for stray errors. */
  running: TestCase | undefined;
  private tag = 0;
  /** Runs so far (static mutants' runs load the sources afresh once per run). */
  runs = 0;
  private readonly env = { ...process.env };
  private readonly cwd = process.cwd();

  constructor(root: string, srcDirs: string[], namespace: string) {
    this.root = root;
    this.srcDirs = srcDirs.map((d) => (resolve(root, d) + sep).replaceAll('\\', '/'));
    this.namespace = namespace;
    const g = globalThis as Record<string, unknown>;
    const ns = (g[namespace] ??= {}) as Namespace;
    // Created before any instrumented module runs: the instrumented code keeps this very object.
    ns.mutantCoverage ??= { static: {}, perTest: {} };
    const onStray = (error: unknown) => {
      stray.push(error);
    };
    process.on('uncaughtException', onStray);
    process.on('unhandledRejection', onStray);
    this.installHooks();
  }

  /** Which file imports which (paths, without the tags): what a static mutant's module reaches. */
  readonly imports = new Map<string, Set<string>>();

  private recordEdge(parent: string | undefined, child: string): void {
    if (parent === undefined || !parent.startsWith('file:') || !child.startsWith('file:')) return;
    if (child.includes(`${sep}node_modules${sep}`) || child.includes('/node_modules/')) return;
    const from = fileURLToPath(parent.replace(/\?.*$/, ''));
    const to = fileURLToPath(child.replace(/\?.*$/, ''));
    let set = this.imports.get(from);
    if (set === undefined) this.imports.set(from, (set = new Set()));
    set.add(to);
  }

  get ns(): Namespace {
    return (globalThis as Record<string, unknown>)[this.namespace] as Namespace;
  }

  isSrc(path: string): boolean {
    return this.srcDirs.some((d) => path.startsWith(d));
  }

  private installHooks(): void {
    const tagOf = (url: string | undefined) =>
      url === undefined ? undefined : /[?&]nftag=(\w+)/.exec(url)?.[1];
    registerHooks({
      resolve: (specifier, context, nextResolve) => {
        if (specifier === 'node:test') return { url: SHIM_URL, shortCircuit: true };
        const result = nextResolve(specifier, context);
        this.recordEdge(context.parentURL, result.url);
        const tag = tagOf(context.parentURL);
        if (tag === undefined || !result.url.startsWith('file:') || result.url.includes('?')) return result;
        const path = fileURLToPath(result.url);
        if (path.includes(`${sep}node_modules${sep}`) || path.startsWith(HERE)) return result;
        if (!/\.(ts|mts|js|mjs)$/.test(path)) return result;
        // Sources load once, except in a static mutant's run (tag `s<run>x<file>`): afresh, once for the run.
        if (this.isSrc(path)) {
          const run = /^s\d+/.exec(tag)?.[0];
          return run === undefined ? result : { ...result, url: `${result.url}?nftag=${run}` };
        }
        return { ...result, url: `${result.url}?nftag=${tag}` };
      },
      load: (url, context, nextLoad) => {
        const result = nextLoad(url, context);
        if (!url.startsWith('file:') || result.source === undefined) return result;
        if (!this.isSrc(fileURLToPath(url.replace(/\?.*$/, '')))) return result;
        // The module body of a source runs with no current test: what it hits is static coverage.
        const source =
          typeof result.source === 'string' ? result.source : new TextDecoder().decode(result.source);
        const key = JSON.stringify(this.namespace);
        return {
          ...result,
          source:
            `globalThis[Symbol.for('netfence.inProcess')]?.enterModule(${key});` +
            `${source}\n;globalThis[Symbol.for('netfence.inProcess')]?.leaveModule(${key});\n`,
        };
      },
    });
    let depth = 0;
    let saved: string | undefined;
    (globalThis as Record<symbol, unknown>)[Symbol.for('netfence.inProcess')] = {
      enterModule: () => {
        if (depth++ === 0) saved = this.ns.currentTestId;
        this.ns.currentTestId = undefined;
      },
      leaveModule: () => {
        if (depth > 0 && --depth === 0) this.ns.currentTestId = saved;
      },
      reset: () => {
        depth = 0;
      },
    };
  }

  /** Imports a test file afresh and returns its tests (async describe bodies awaited). */
  async load(file: string, freshSources: boolean): Promise<SuiteNode> {
    const rel = relativeTo(this.root, file);
    const root = newSuite(rel, rel, undefined);
    const tag = freshSources ? `s${this.runs}x${++this.tag}` : `${++this.tag}`;
    this.loading = root;
    try {
      await this.current.run(
        root,
        () => import(`${pathToFileURL(resolve(this.root, file)).href}?nftag=${tag}`),
      );
      await settle(root);
    } catch (error) {
      root.error = error;
    } finally {
      this.loading = undefined;
    }
    return root;
  }

  restoreProcess(extraEnv: Record<string, string>): void {
    for (const k of Object.keys(process.env)) if (!(k in this.env)) Reflect.deleteProperty(process.env, k);
    for (const [k, v] of Object.entries(this.env))
      if (process.env[k] !== v && v !== undefined) process.env[k] = v;
    Object.assign(process.env, extraEnv);
    if (process.cwd() !== this.cwd) process.chdir(this.cwd);
    process.exitCode = undefined;
    realNodeTest.mock.reset();
  }
}

async function settle(suite: SuiteNode): Promise<void> {
  if (suite.pending !== undefined) {
    try {
      await suite.pending;
    } catch (error) {
      suite.error = error;
    }
    suite.pending = undefined;
  }
  for (const child of suite.children) if (child.kind === 'suite') await settle(child);
}

function newSuite(id: string, file: string, parent: SuiteNode | undefined, name = id): SuiteNode {
  return {
    kind: 'suite',
    id,
    name,
    file,
    parent,
    children: [],
    before: [],
    after: [],
    beforeEach: [],
    afterEach: [],
    skip: parent?.skip ?? false,
    todo: parent?.todo ?? false,
    pending: undefined,
    error: undefined,
  };
}

let harness: Harness | undefined;

/** Sets up the harness (module hooks, the Stryker namespace); once per process. */
export function installHarness(options: { root: string; srcDirs?: string[]; namespace?: string }): void {
  if (harness !== undefined) return;
  harness = new Harness(options.root, options.srcDirs ?? ['src'], options.namespace ?? '__stryker__');
}

/**
 * For each test file (absolute path), the sources (paths relative to the root) it loads, directly or not,
 * as imported so far in this process (dynamic imports included). A module-level mutant can only matter to
 * the test files that load its module (the TAP runner, a process per file, runs only those too).
 */
export function sourcesReached(files: readonly string[]): Record<string, string[]> {
  const h = need();
  const out: Record<string, string[]> = {};
  for (const file of files) {
    const seen = new Set<string>();
    const stack = [resolve(h.root, file)];
    while (stack.length > 0) {
      for (const next of h.imports.get(stack.pop()!) ?? []) {
        if (!seen.has(next)) {
          seen.add(next);
          stack.push(next);
        }
      }
    }
    out[resolve(h.root, file)] = [...seen]
      .filter((p) => h.isSrc(p.replaceAll('\\', '/')))
      .map((p) => relativeTo(h.root, p))
      .sort();
  }
  return out;
}

function need(): Harness {
  if (harness === undefined) throw new Error('the node:test stand-in is used outside the in-process harness');
  return harness;
}

function parseArgs(args: unknown[]): {
  name: string | undefined;
  options: TestOptions;
  fn: HookFn | undefined;
} {
  let name: string | undefined;
  let options: TestOptions = {};
  let fn: HookFn | undefined;
  for (const a of args) {
    if (typeof a === 'string') name = a;
    else if (typeof a === 'function') fn = a as HookFn;
    else if (a !== null && typeof a === 'object') options = a;
  }
  return { name: name ?? (fn?.name || '<anonymous>'), options, fn };
}

function currentSuite(h: Harness, what: string): SuiteNode {
  if (h.running !== undefined)
    throw new Error(`${what} inside a running test is not supported by the in-process runner`);
  const s = h.current.getStore() ?? h.loading;
  if (s === undefined) throw new Error(`${what} called outside a test file load`);
  return s;
}

function uniqueId(parent: SuiteNode, base: string): string {
  const taken = new Set(parent.children.map((c) => c.id));
  if (!taken.has(base)) return base;
  let n = 2;
  while (taken.has(`${base} (${n})`)) n++;
  return `${base} (${n})`;
}

function childId(parent: SuiteNode, name: string): string {
  const prefix = parent.parent === undefined ? `${parent.id} :: ` : `${parent.id} > `;
  return uniqueId(parent, prefix + name);
}

const isSet = (option: boolean | string | undefined) => option !== undefined && option !== false;

function defineTest(args: unknown[], extra: TestOptions): void {
  const h = need();
  const parent = currentSuite(h, 'test()');
  const { name, options, fn } = parseArgs(args);
  const id = childId(parent, name!);
  parent.children.push({
    kind: 'test',
    id,
    name: name!,
    fullName: id.slice(id.indexOf(' :: ') + 4),
    file: parent.file,
    fn,
    suite: parent,
    skip: parent.skip || isSet(options.skip) || isSet(extra.skip) || fn === undefined,
    todo: parent.todo || isSet(options.todo) || isSet(extra.todo),
  });
}

function defineSuite(args: unknown[], extra: TestOptions): void {
  const h = need();
  const parent = currentSuite(h, 'describe()');
  const { name, options, fn } = parseArgs(args);
  const s = newSuite(childId(parent, name!), parent.file, parent, name);
  s.skip = parent.skip || isSet(options.skip) || isSet(extra.skip);
  s.todo = parent.todo || isSet(options.todo) || isSet(extra.todo);
  parent.children.push(s);
  if (fn === undefined) return;
  try {
    const out = h.current.run(s, () => fn({ name: s.name, signal: new AbortController().signal }));
    if (out instanceof Promise) s.pending = out;
  } catch (error) {
    s.error = error;
  }
}

function defineHook(kind: 'before' | 'after' | 'beforeEach' | 'afterEach', fn: unknown): void {
  const h = need();
  if (typeof fn !== 'function') throw new TypeError(`${kind}() needs a function`);
  currentSuite(h, `${kind}()`)[kind].push(fn as HookFn);
}

type TestFunction = ((...args: unknown[]) => void) & {
  skip: (...args: unknown[]) => void;
  todo: (...args: unknown[]) => void;
  only: (...args: unknown[]) => void;
};

function withVariants(define: (args: unknown[], extra: TestOptions) => void): TestFunction {
  const f = ((...args: unknown[]) => define(args, {})) as TestFunction;
  f.skip = (...args: unknown[]) => define(args, { skip: true });
  f.todo = (...args: unknown[]) => define(args, { todo: true });
  f.only = (...args: unknown[]) => define(args, {});
  return f;
}

/** What node-test-shim.ts exports. */
export function shimApi() {
  return {
    test: withVariants(defineTest),
    describe: withVariants(defineSuite),
    before: (fn: unknown) => defineHook('before', fn),
    after: (fn: unknown) => defineHook('after', fn),
    beforeEach: (fn: unknown) => defineHook('beforeEach', fn),
    afterEach: (fn: unknown) => defineHook('afterEach', fn),
    mock: realNodeTest.mock,
  };
}

/** The `t` of a test: what the suite uses of node:test's TestContext. */
class Context {
  readonly name: string;
  readonly fullName: string;
  readonly signal = new AbortController().signal;
  readonly afters: HookFn[] = [];
  skipped = false;
  private tracker: MockTracker | undefined;

  constructor(test: TestCase) {
    this.name = test.name;
    this.fullName = test.fullName;
  }

  get mock(): MockTracker {
    return (this.tracker ??= new MockTrackerClass());
  }

  after(fn: HookFn): void {
    this.afters.push(fn);
  }

  skip(): void {
    this.skipped = true;
  }

  todo(): void {
    this.skipped = true;
  }

  diagnostic(): void {}

  plan(): void {}

  runOnly(): void {}

  test(): never {
    throw new Error('subtests (t.test) are not supported by the in-process runner');
  }

  dispose(): void {
    this.tracker?.reset();
  }
}

function message(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

function ancestors(suite: SuiteNode): SuiteNode[] {
  const out: SuiteNode[] = [];
  for (let s: SuiteNode | undefined = suite; s !== undefined; s = s.parent) out.unshift(s);
  return out;
}

function hasSelected(suite: SuiteNode, selected: (t: TestCase) => boolean): boolean {
  return suite.children.some((c) => (c.kind === 'suite' ? hasSelected(c, selected) : !c.skip && selected(c)));
}

function eachTest(suite: SuiteNode, f: (t: TestCase) => void): void {
  for (const c of suite.children)
    if (c.kind === 'suite') eachTest(c, f);
    else f(c);
}

/** The pseudo test id under which a file's import, and a suite's before/after hooks, record coverage. */
export const loadScope = (file: string) => `${file} <load>`;
export const hookScope = (suite: SuiteNode) => `${suite.id} <hooks>`;

interface RunState {
  h: Harness;
  options: RunOptions;
  selected: (t: TestCase) => boolean;
  result: RunResult;
  stop: boolean;
  scope: string;
}

function record(state: RunState, outcome: TestOutcome): void {
  state.result.tests.push(outcome);
  if (outcome.status === 'failed') {
    state.result.failure ??= { id: outcome.id, message: outcome.error ?? 'failed' };
    if (state.options.bail) state.stop = true;
  }
}

async function call(fn: HookFn, context: unknown): Promise<void> {
  await fn(context);
}

/** At most this long, after a run, for the timers its tests left to fire (see `drain`). */
const DRAIN_MS = 500;

/** The timers pending in this process. */
function timerCount(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
}

/**
 * Waits until the timers a run left pending (more than `timers`, the count at its start) have fired, at most
 * `DRAIN_MS`: what a mutant's effect leaves behind (a late rejection, a retry timer) then happens within its own
 * run, not in the next mutant's, whose test it would fail (a kill counted for the wrong mutant).
 */
async function drain(timers: number): Promise<void> {
  const until = performance.now() + DRAIN_MS;
  await new Promise<void>((r) => setImmediate(r));
  while (timerCount() > timers && performance.now() < until) await new Promise<void>((r) => setTimeout(r, 5));
  await new Promise<void>((r) => setImmediate(r));
}

function takeStray(): unknown {
  return stray.length > 0 ? stray.splice(0).at(0) : undefined;
}

async function runTest(state: RunState, test: TestCase): Promise<void> {
  const { h } = state;
  const ns = h.ns;
  const t = new Context(test);
  const start = performance.now();
  let error: unknown;
  let failed = false;
  const fail = (e: unknown) => {
    if (!failed) {
      failed = true;
      error = e;
    }
  };
  ns.currentTestId = test.id;
  h.running = test;
  const chain = ancestors(test.suite);
  try {
    for (const s of chain) for (const hook of s.beforeEach) await call(hook, t);
    if (test.fn !== undefined) await call(test.fn, t);
  } catch (e) {
    fail(e);
  }
  for (const s of chain.toReversed()) {
    for (const hook of s.afterEach) {
      try {
        await call(hook, t);
      } catch (e) {
        fail(e);
      }
    }
  }
  for (const hook of t.afters) {
    try {
      await call(hook, t);
    } catch (e) {
      fail(e);
    }
  }
  t.dispose();
  // Errors thrown from timers and unhandled rejections of the test fail it, as in node:test.
  await new Promise<void>((r) => setImmediate(r));
  const s = takeStray();
  if (s !== undefined) fail(s);
  h.running = undefined;
  ns.currentTestId = state.scope;
  record(state, {
    id: test.id,
    name: test.fullName,
    file: test.file,
    status: test.todo ? 'skipped' : failed ? 'failed' : t.skipped ? 'skipped' : 'passed',
    ...(failed && !test.todo ? { error: message(error) } : {}),
    timeSpentMs: performance.now() - start,
  });
}

function failAll(state: RunState, suite: SuiteNode, error: unknown, why: string): void {
  eachTest(suite, (t) => {
    if (!t.skip && state.selected(t) && !state.stop) {
      record(state, {
        id: t.id,
        name: t.fullName,
        file: t.file,
        status: 'failed',
        error: `${why}: ${message(error)}`,
        timeSpentMs: 0,
      });
    }
  });
}

/**
 * A suite's `after` hook failed: node:test fails the suite, which Stryker does not know as a test, so the
 * failure goes to the suite's first test that ran (its outcome replaced), whose id Stryker can name as the
 * mutant's killer.
 */
function failFirstTest(state: RunState, suite: SuiteNode, error: string): void {
  let first: TestCase | undefined;
  eachTest(suite, (t) => {
    if (first === undefined && !t.skip && state.selected(t)) first = t;
  });
  if (first === undefined) return;
  const { id, fullName, file } = first;
  const at = state.result.tests.findIndex((o) => o.id === id);
  const outcome: TestOutcome = { id, name: fullName, file, status: 'failed', error, timeSpentMs: 0 };
  if (at >= 0) {
    outcome.timeSpentMs = state.result.tests[at]!.timeSpentMs;
    state.result.tests.splice(at, 1);
  }
  record(state, outcome);
}

async function runSuite(state: RunState, suite: SuiteNode, scopes: string[]): Promise<void> {
  if (state.stop) return;
  if (suite.error !== undefined) {
    // A file that fails to load, or a describe body that throws, fails its tests; with none declared yet
    // (it threw first), the run fails all the same, as the file's process would under node:test.
    const why = suite.parent === undefined ? 'the file failed to load' : 'the describe body failed';
    const before = state.result.tests.length;
    failAll(state, suite, suite.error, why);
    if (state.result.tests.length === before) {
      record(state, {
        id: `${suite.id} <error>`,
        name: `${suite.name} (${why})`,
        file: suite.file,
        status: 'failed',
        error: `${why}: ${message(suite.error)}`,
        timeSpentMs: 0,
      });
    }
    return;
  }
  if (!hasSelected(suite, state.selected)) return;
  const { h } = state;
  const scope = hookScope(suite);
  const inner = suite.before.length + suite.after.length > 0 ? [...scopes, scope] : scopes;
  const context = { name: suite.name, signal: new AbortController().signal };
  let beforeError: unknown;
  let beforeFailed = false;
  h.ns.currentTestId = scope;
  for (const hook of suite.before) {
    try {
      await call(hook, context);
    } catch (e) {
      beforeFailed = true;
      beforeError = e;
      break;
    }
  }
  if (beforeFailed) failAll(state, suite, beforeError, 'a before hook failed');
  else {
    for (const child of suite.children) {
      if (state.stop) break;
      if (child.kind === 'suite') await runSuite(state, child, inner);
      else if (!child.skip && state.selected(child)) {
        await runTest(state, child);
        state.result.scopes.set(child.id, [child.id, ...inner]);
      } else if (child.skip && state.selected(child)) {
        record(state, {
          id: child.id,
          name: child.fullName,
          file: child.file,
          status: 'skipped',
          timeSpentMs: 0,
        });
      }
    }
  }
  h.ns.currentTestId = scope;
  for (const hook of suite.after) {
    try {
      await call(hook, context);
    } catch (e) {
      failFirstTest(state, suite, `an after hook of "${suite.name}" failed: ${message(e)}`);
    }
  }
  h.ns.currentTestId = state.scope;
}

/**
 * Imports the test files afresh and runs their (selected) tests. The caller sets `activeMutant` (and the hit
 * limit) before. Every test file's import and hooks record coverage under pseudo ids (`scopes` says which
 * ids count for which test).
 */
export async function runFiles(
  files: readonly string[],
  options: RunOptions,
  extraEnv: Record<string, string> = {},
): Promise<RunResult> {
  const h = need();
  const ns = h.ns;
  const result: RunResult = { tests: [], failure: undefined, scopes: new Map(), fileMs: new Map() };
  h.runs++;
  const realExit = Object.getOwnPropertyDescriptor(process, 'exit')!;
  // A source that ends the process (the CLI's EPIPE or signal paths) fails the test instead.
  process.exit = (code?: number | string | null) => {
    throw new ProcessExitError(`process.exit(${code ?? ''}) called`);
  };
  stray.length = 0;
  const timers = timerCount();
  try {
    for (const file of files) {
      const rel = relativeTo(h.root, file);
      const wholeFile = options.filter === undefined || options.filter.has(rel);
      if (!wholeFile && ![...options.filter!].some((id) => id.startsWith(`${rel} :: `))) continue;
      const fileStart = performance.now();
      h.restoreProcess(extraEnv);
      const scope = loadScope(rel);
      ns.currentTestId = scope;
      const root = await h.load(file, options.freshSources ?? false);
      const strayLoad = takeStray();
      if (strayLoad !== undefined && root.error === undefined) root.error = strayLoad;
      const state: RunState = {
        h,
        options,
        selected: wholeFile ? () => true : (t) => options.filter!.has(t.id),
        result,
        stop: false,
        scope,
      };
      await runSuite(state, root, [scope]);
      ns.currentTestId = undefined;
      result.fileMs.set(rel, performance.now() - fileStart);
      if (state.stop) break;
    }
    // An error that comes after the run's tests ended (a timer, a rejection they left) fails its last test.
    await drain(timers);
    const late = takeStray();
    const last = result.tests.at(-1);
    if (late !== undefined && last !== undefined && last.status !== 'failed') {
      last.status = 'failed';
      last.error = `after the test ended: ${message(late)}`;
      result.failure ??= { id: last.id, message: last.error };
    }
  } finally {
    Object.defineProperty(process, 'exit', realExit);
    ns.currentTestId = undefined;
    h.restoreProcess({});
    (globalThis as Record<symbol, { reset(): void } | undefined>)[Symbol.for('netfence.inProcess')]?.reset();
  }
  return result;
}
