/** `netfence test`: check a reachability spec (the unit tests of a network), or write one with --init. */
import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { errorCode } from '../../base/error-code.ts';
import { openSession } from '../../engine/session.ts';
import { formatTestReport, TestFormat, type SpecReport } from '../../format/testspec.ts';
import { formatProblem, type Problem } from '../../model/problem.ts';
import { pathMeant, readReason, whyMissing } from '../../parse/index.ts';
import { initSpec } from '../../testspec/init.ts';
import { resolveSpec, runTests } from '../../testspec/run.ts';
import { parseSpec, type Spec } from '../../testspec/spec.ts';
import { addInputOptions, engineOptions, loadInput, type InputOptions } from '../options/input.ts';
import { checkForceGoesWith, checkOutputFile, writeFileAtomic } from '../options/output.ts';
import { collect } from '../options/values.ts';
import { ExitCode, UserError, note, type Io } from '../io.ts';
import { noteUndefinedOrder } from '../undefined-order.ts';

interface TestOptions extends InputOptions {
  spec?: string[];
  init: boolean;
  output?: string;
  force: boolean;
}

const FORMATS = Object.keys(TestFormat);

async function readSpecFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = errorCode(error);
    const why = code === 'ENOENT' || code === 'ENOTDIR' ? whyMissing(file) : undefined;
    if (why !== undefined) throw new UserError(`--spec: cannot read "${file}": ${why}`);
    if (code === 'ENOENT') {
      const meant = pathMeant(file);
      throw new UserError(
        meant === undefined
          ? `--spec: no file "${file}" (write one with: netfence test --init -o ${file} <manifests>)`
          : `--spec: no file "${file}"; did you mean "${meant}"? (or write one with: netfence test --init -o ${file} <manifests>)`,
      );
    }
    if (code === 'EISDIR') throw new UserError(`--spec: "${file}" is a folder; give the spec file`);
    throw new UserError(`--spec: cannot read "${file}": ${readReason(error, file)}`);
  }
}

export function testCommand(io: Io, setExit: (code: number) => void): Command {
  const cmd = new Command('test')
    .description(
      'Check reachability expectations (a spec of allow/deny tests) against the manifests; --init writes one',
    )
    .argument('[paths...]', 'manifest files or folders (YAML or JSON), or - for standard input')
    .option('--spec <file>', 'the reachability spec to check (repeatable)', collect)
    .option('--init', "write a spec describing today's connectivity instead of checking one", false)
    .option(
      '-o, --output <format>',
      `output format: ${FORMATS.join(', ')} (default txt); with --init, the file to write (default standard output)`,
    )
    .option('--force', 'with --init -o: replace the file if it exists', false);
  addInputOptions(cmd);
  cmd.addHelpText(
    'after',
    `
A spec is YAML:
  tests:
    - name: web reaches the API
      from: shop/web            # a reference, or a list of them
      to: shop/api
      port: 8080/TCP            # 53/UDP, 8080 (TCP), 1000-2000/TCP, TCP, or a list; absent: any port
      expect: allow             # allow | deny
    - name: only the API reaches the database
      from: "*"                 # every workload; also namespace/*, app=db, ns/app=db, 0.0.0.0/0, an IP
      to: data/postgres
      expect: deny
      except: [shop/api]        # excluded from the check, and held to the opposite (allow)

Exit status: 0 when every test passes, 1 when one fails, 2 on bad input or a bad spec.

Examples:
  netfence test --spec examples/webshop-tests.yaml examples/webshop
  netfence test --spec reachability.yaml -o junit manifests/ > netfence-junit.xml
  netfence test --init -o reachability.yaml manifests/`,
  );
  cmd.action(async (paths: string[], options: TestOptions) => {
    const toFile = options.init && options.output !== undefined && options.output !== '-';
    const goesWith = options.init ? '-o <file>' : '--init -o <file>';
    checkForceGoesWith(options.force, toFile, goesWith, 'the file if it exists');
    if (options.init) {
      await writeInitialSpec(paths, options, io);
      setExit(ExitCode.Ok);
      return;
    }
    if (options.spec === undefined)
      throw new UserError('give a spec with --spec <file>, or write one with --init');
    const format = options.output ?? 'txt';
    if (!FORMATS.includes(format))
      throw new UserError(`-o: unknown format "${format}" (${FORMATS.join(', ')})`);
    const { reports, problems } = await runSpecs(paths, options.spec, options, io);
    if (problems.length > 0) {
      for (const p of problems) io.stderr(`${formatProblem(p)}\n`);
      const n = problems.length;
      throw new UserError(
        `${n} problem${n === 1 ? '' : 's'} in the spec; fix ${n === 1 ? 'it' : 'them'} and run again`,
      );
    }
    io.stdout(formatTestReport(reports, format as TestFormat));
    const failed = reports.some((r) => r.results.some((t) => !t.passed));
    setExit(failed ? ExitCode.CheckFailed : ExitCode.Ok);
  });
  return cmd;
}

/** `--init`: a spec that holds today's connectivity, to stdout or to the file of `-o`. */
async function writeInitialSpec(paths: readonly string[], options: TestOptions, io: Io): Promise<void> {
  if (options.spec !== undefined) throw new UserError('--init writes a spec; it takes no --spec');
  const target = options.output;
  if (target !== undefined && FORMATS.includes(target) && !target.includes('.')) {
    throw new UserError(
      `with --init, -o is the file to write, not a format: did you mean -o ${target}.yaml?`,
    );
  }
  if (target !== undefined && target !== '-')
    await checkOutputFile(target, options.force, 'reachability.yaml');
  const state = await loadInput(paths, options, io);
  const session = openSession(state, engineOptions(options));
  const index = session.refs('workload');
  const source =
    options.cluster === true
      ? `the live cluster (${options.context === undefined ? 'current context' : `context ${options.context}`})`
      : paths.join(' ');
  const text = initSpec(index, session.connectivity('workload'), source);
  const tests = text.split('\n').filter((l) => l.startsWith('  - name:')).length;
  // A spec without tests is a problem when run (it checks nothing): do not write one.
  if (tests === 0) {
    const workloads = index.entities.some((e) => e.kind !== 'external');
    throw new UserError(
      `--init: nothing to freeze: ${source} ${workloads ? 'allows no connection and isolates no workload' : 'has no workload'}, so the spec would hold no test; give the manifests of the workloads`,
    );
  }
  if (target === undefined || target === '-') io.stdout(text);
  else {
    await writeFileAtomic(target, text);
    note(io, `wrote ${target}: ${tests} test${tests === 1 ? '' : 's'}\n`);
  }
}

/**
 * Reads and checks every spec, then (when they are valid) the manifests, and runs each spec's tests at its
 * granularity; problems of the specs and of their references are returned, not thrown.
 */
async function runSpecs(
  paths: readonly string[],
  files: readonly string[],
  options: TestOptions,
  io: Io,
): Promise<{ reports: SpecReport[]; problems: Problem[] }> {
  // Read and check every spec before the manifests: a typo in the spec is the cheaper error.
  const specs: Spec[] = [];
  const problems: Problem[] = [];
  for (const file of files) {
    const parsed = parseSpec(await readSpecFile(file), file);
    if (!parsed.ok) problems.push(...parsed.problems);
    else {
      for (const w of parsed.warnings) io.stderr(`${formatProblem(w)}\n`);
      specs.push(parsed.spec);
    }
  }
  const state = problems.length === 0 ? await loadInput(paths, options, io) : undefined;
  const session = state === undefined ? undefined : openSession(state, engineOptions(options));
  const reports: SpecReport[] = [];
  // Verdicts that depend on a tie the API leaves undefined follow netfence's stable order: say so.
  if (session !== undefined && specs.length > 0) noteUndefinedOrder(io, session.compiled);
  for (const spec of session === undefined ? [] : specs) {
    const view = { index: session!.refs(spec.granularity), conn: session!.connectivity(spec.granularity) };
    const resolved = resolveSpec(spec, view.index);
    if (!resolved.ok) {
      problems.push(...resolved.problems);
      continue;
    }
    reports.push({ spec, index: view.index, results: runTests(resolved.tests, view.index, view.conn) });
  }
  return { reports, problems };
}
