/** `netfence lint`: finds weak and broken NetworkPolicies from what they actually allow; txt, json or SARIF. */
import { readFile } from 'node:fs/promises';
import { relative, resolve, sep } from 'node:path';
import { Command, Option } from 'commander';
import { formatLint, formatRuleList, lintFailed, type LintFormat } from '../../format/lint.ts';
import { CONFIG_FILE, type FailOn, type LintConfig } from '../../lint/config.ts';
import { RULES } from '../../lint/registry.ts';
import { lint } from '../../lint/run.ts';
import type { Finding, LintResult, ObservedConnection } from '../../lint/types.ts';
import type { ClusterState } from '../../model/cluster.ts';
import { formatProblem, type Problem } from '../../model/problem.ts';
import { STDIN_NAME, describeIgnored, loadManifests, parseManifestText } from '../../parse/index.ts';
import { originFiles } from '../../parse/origin.ts';
import type { LoadResult, ParsedObject } from '../../parse/types.ts';
import { checkClusterOptions, loadClusterState, printWarnings } from '../options/cluster.ts';
import {
  addInputOptions,
  checkFound,
  checkSomethingLeft,
  engineOptions,
  manifestCache,
  recordWarmth,
  warnUnenforcedClusterPolicies,
  type InputOptions,
} from '../options/input.ts';
import { loadLintConfig } from '../options/lint-config.ts';
import { addFlowOptions, loadFlows, reportUnmatched, type FlowOptions } from '../options/flows.ts';
import { ExitCode, UserError, note, type Io } from '../io.ts';
import { VERSION } from '../version.ts';

interface LintCommandOptions extends InputOptions, FlowOptions {
  output: LintFormat;
  failOn?: FailOn;
  /** A file, `false` for --no-config, undefined for the default. */
  config?: string | false;
  listRules: boolean;
}

interface Loaded {
  state: ClusterState;
  sources: ParsedObject[];
  /** Parse errors that enabled lint rules report themselves (a duplicate policy name, endPort with a name). */
  deferred: Problem[];
  /** `LintInput.unknownFieldFiles`; undefined when not known. */
  unknownFieldFiles?: Set<string>;
}

/**
 * The files whose objects may have unknown fields: those the reader found some in (a warning, an error with
 * --strict) and those of the objects it skipped (--skip-invalid). Undefined (any file) when an object was read
 * once for two identical definitions: the second one's problems are not reported.
 */
function unknownFieldFiles(result: LoadResult): Set<string> | undefined {
  const files = new Set<string>();
  for (const p of [...result.warnings, ...result.errors]) {
    if (p.code === 'duplicate-merged') return undefined;
    if (p.code === 'unknown-field' && p.file !== undefined) files.add(p.file);
  }
  for (const s of result.skipped) files.add(s.file);
  return files;
}

/**
 * Like `loadInput`, but parse errors that a lint rule reports as a finding do not stop the run, and the
 * objects as parsed (with their YAML nodes) are kept for the YAML checks.
 */
async function loadForLint(
  paths: readonly string[],
  options: InputOptions,
  config: LintConfig,
  io: Io,
): Promise<Loaded> {
  checkClusterOptions(options);
  // The live cluster has no files: the YAML checks and the rules that read files as written do not apply.
  if (options.cluster === true)
    return { state: await loadClusterState(paths, options, io), sources: [], deferred: [] };
  if (paths.length === 0) {
    throw new UserError('no input: give manifest files or folders, or - to read standard input');
  }
  let stdinText = '';
  const variant = { defaultNamespace: options.namespace, strict: options.strict };
  const result = await loadManifests([...paths], {
    ...variant,
    skipInvalid: options.skipInvalid,
    keepObjects: true,
    readStdin: async () => (stdinText = await io.readStdin()),
    afterFile: io.afterFileRead,
    cache: await manifestCache(options, io, paths, variant),
  });
  await recordWarmth(result, io);
  checkFound(result, io);
  const superseded = new Set(
    RULES.filter((r) => config.rules[r.id] !== 'off').flatMap((r) => r.meta.supersedes ?? []),
  );
  // A warning a rule reports as a finding (an unknown field) is not printed twice.
  printWarnings(
    result.warnings.filter((w) => !superseded.has(w.code)),
    options,
    io,
  );
  const notice = describeIgnored(result.ignored);
  if (notice !== undefined) note(io, `${notice}\n`);
  const deferred = result.errors.filter((e) => superseded.has(e.code));
  const errors = result.errors.filter((e) => !superseded.has(e.code));
  // The run stops before the rules: the errors a rule was to report are errors of the input too (analyze's list).
  if (errors.length > 0 && !options.skipInvalid) stopOnErrors(result.errors, io);
  if (options.skipInvalid) {
    for (const e of errors) io.stderr(`${formatProblem(e)}\n`);
    for (const s of result.skipped) io.stderr(`skipped ${s.object} (${s.file}:${s.line}): ${s.reason}\n`);
    checkSomethingLeft(result);
  }
  // The YAML checks need the parsed documents: those read for the state, else the files parsed again.
  const { state } = result;
  // Cilium host policies the profile does not enforce, cluster policy kinds it does not enforce: one line each.
  warnUnenforcedClusterPolicies(state, options, io);
  const files = originFiles(state);
  for (const e of deferred) if (e.file !== undefined) files.add(e.file);
  const sources: ParsedObject[] = [];
  const read = new Map<string, ParsedObject[]>();
  for (const o of result.objects ?? []) {
    const list = read.get(o.file);
    if (list === undefined) read.set(o.file, [o]);
    else list.push(o);
  }
  for (const file of files) {
    const known = read.get(file);
    if (known !== undefined) {
      sources.push(...known);
      continue;
    }
    let text: string;
    try {
      text = file === STDIN_NAME ? stdinText : await readFile(file, 'utf8');
    } catch {
      continue; // read a moment ago; if it is gone now, its objects are still linted from the state
    }
    sources.push(...parseManifestText(text, file).objects);
  }
  const unknown = unknownFieldFiles(result);
  return { state, sources, deferred, ...(unknown === undefined ? {} : { unknownFieldFiles: unknown }) };
}

/** With --flows, the rules that compare the policies with observed traffic run too: the observed connections. */
async function loadObserved(
  paths: readonly string[],
  options: LintCommandOptions,
  state: ClusterState,
  io: Io,
): Promise<ObservedConnection[]> {
  const traffic = await loadFlows(options, paths, state, io);
  reportUnmatched(traffic, io);
  return traffic.connections;
}

/**
 * A parse error the linter was to report itself but did not (its rule ran elsewhere, or the namespace is
 * excluded) is still an error in the input: print them and stop.
 */
function checkUnreported(deferred: readonly Problem[], result: LintResult, io: Io): void {
  const reported = [...result.findings, ...result.suppressed];
  const unreported = deferred.filter((p) => !reported.some((f) => sameSpot(p, f)));
  if (unreported.length > 0) stopOnErrors(unreported, io);
}

/**
 * A lint gate without findings over input with neither a policy nor a workload (a folder of ConfigMaps, a
 * wrong folder of a repository) has checked nothing: "No findings" there is never a pass (exit 2). Policies
 * alone are linted; a finding (a broken policy the rules report, a YAML trap in any object) is an answer.
 */
function checkSomethingToLint(state: ClusterState): void {
  const { policies, clusterPolicies, ciliumPolicies, workloads, pods } = state;
  if (policies.length + clusterPolicies.length + ciliumPolicies.length + workloads.length + pods.length > 0)
    return;
  throw new UserError(
    'nothing to lint: the input has no policy (NetworkPolicy, cluster policy or Cilium policy) and no workload; a gate with nothing to check does not pass (--fail-on none lints it anyway)',
  );
}

/** Prints the input's errors, then stops with one line (exit 2). */
function stopOnErrors(errors: readonly Problem[], io: Io): never {
  for (const e of errors) io.stderr(`${formatProblem(e)}\n`);
  const n = errors.length;
  throw new UserError(
    `${n} error${n === 1 ? '' : 's'} in the input; fix ${n === 1 ? 'it' : 'them'}, or run with --skip-invalid to lint the rest`,
    ExitCode.Usage,
  );
}

function sameSpot(p: Problem, f: Finding): boolean {
  return p.file === f.file && p.line === f.line && p.column === f.column;
}

/** A repository-relative URI for SARIF: forward slashes, each segment percent-encoded. */
function sarifUri(file: string): string {
  const path = file === STDIN_NAME ? file : relative(process.cwd(), resolve(file));
  return path
    .split(sep)
    .join('/')
    .split('/')
    .map((s) => (s === '' || s === '.' || s === '..' ? s : encodeURIComponent(s)))
    .join('/');
}

export function lintCommand(io: Io, setExit: (code: number) => void): Command {
  const cmd = new Command('lint')
    .description('Find weak and broken NetworkPolicies from what they actually allow (txt, json or SARIF)')
    .argument('[paths...]', 'manifest files or folders (YAML or JSON), or - for standard input')
    .addOption(
      new Option('-o, --output <format>', 'output format').choices(['txt', 'json', 'sarif']).default('txt'),
    )
    .addOption(
      new Option(
        '--fail-on <severity>',
        'exit 1 when findings of this severity or above remain (default: failOn in the configuration, else error)',
      ).choices(['error', 'warning', 'info', 'none']),
    )
    .option(
      '-c, --config <file>',
      `configuration file (default: ${CONFIG_FILE} in the current folder, if there is one)`,
    )
    .option('--no-config', `ignore ${CONFIG_FILE}`)
    .option('--list-rules', 'print the rules with their severities, and exit', false);
  addFlowOptions(cmd);
  addInputOptions(cmd);
  cmd.action(async (paths: string[], options: LintCommandOptions) => {
    const config = await loadLintConfig(options.config, io);
    if (options.listRules) {
      io.stdout(formatRuleList(RULES, config, options.output === 'json' ? 'json' : 'txt'));
      setExit(ExitCode.Ok);
      return;
    }
    const failOn: FailOn = options.failOn ?? config.failOn ?? 'error';
    const loaded = await loadForLint(paths, options, config, io);
    const observed =
      options.flows.length > 0 ? await loadObserved(paths, options, loaded.state, io) : undefined;
    const result = lint(
      {
        state: loaded.state,
        ...(observed === undefined ? {} : { observed }),
        sources: loaded.sources,
        ...(loaded.unknownFieldFiles === undefined ? {} : { unknownFieldFiles: loaded.unknownFieldFiles }),
        defaultNamespace: options.namespace,
        engine: engineOptions(options),
      },
      { rules: RULES, config },
    );
    for (const n of result.notices) io.stderr(`${formatProblem(n)}\n`);
    if (!options.skipInvalid) checkUnreported(loaded.deferred, result, io);
    if (failOn !== 'none' && result.findings.length === 0 && loaded.deferred.length === 0) {
      checkSomethingToLint(loaded.state);
    }
    io.stdout(
      formatLint(result, options.output, { rules: RULES, config, failOn, version: VERSION, uri: sarifUri }),
    );
    setExit(lintFailed(result, failOn) ? ExitCode.CheckFailed : ExitCode.Ok);
  });
  return cmd;
}
