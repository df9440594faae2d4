/**
 * `npm run bench`: the scale benchmark. For each chosen tier and mix it generates the synthetic cluster (once:
 * cached in bench/out/), measures parse, compile, connectivity and JSON output in a fresh process with the
 * sizes that explain the cost, then runs the whole `netfence analyze DIR -o json` as a user would, under
 * `/usr/bin/time -v` for its wall time and peak memory. Prints a table, writes bench/out/results.json, and
 * with --write-docs rewrites the results section of docs/benchmarks.md.
 *
 *   npm run bench -- [--tiers T1,T2] [--mixes all|microseg,...] [--suite targets|full] [--seed 1]
 *                    [--incremental] [--paths] [--lint] [--cli dist|source | --no-cli] [--timeout 900]
 *                    [--write-docs] [--runs N] [--update-baseline] [--no-compare] [--peer netpol-analyzer]
 *
 * Then it compares what it measured with the committed baseline (bench/baseline.json, bench/compare.ts):
 * a case more than 10% slower or bigger than the baseline makes it exit with 1, naming the figure. The
 * baseline is only compared on the machine it was measured on: the file keeps one per machine (CPU model and
 * count). `--runs N` measures each case N times and keeps the run with the least CPU time (the steadiest
 * figure on a shared machine); `--update-baseline` writes the measured cases into this machine's baseline.
 *
 * The CLI runs compiled (`--cli dist`, the default: the published package runs dist/), or from the sources
 * with Node's type stripping (`--cli source`, as bin/netfence in a checkout: about a second more to start).
 *
 * `--peer netpol-analyzer` also runs netpol-analyzer (github.com/np-guard/netpol-analyzer, Go; built into the
 * cache by scripts/netpol-analyzer.sh) on the same folders, `netpolicy list --dirpath DIR -o json`, the same way
 * (wall, CPU and peak memory from `/usr/bin/time -v`), up to T2: it grows as workloads^2 (a minute of CPU at
 * T1, four at T2).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  MIXES,
  TIERS,
  TIER_NAMES,
  defaultOutDir,
  readStats,
  writeCluster,
  type GeneratedStats,
  type Mix,
  type TierName,
} from './generate.ts';
import type { Measurement } from './measure.ts';
import { writeAtomically } from '../src/parse/cache.ts';
import {
  DEFAULT_TOLERANCE,
  METRIC_NAMES,
  baselineForMachine,
  baselineFrom,
  compareWithBaseline,
  machineName,
  readBaselineFile,
  withBaseline,
  type Baseline,
  type Comparison,
} from './compare.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const OUT = join(ROOT, 'bench', 'out');
const DOCS = join(ROOT, 'docs', 'benchmarks.md');
const BASELINE = join(ROOT, 'bench', 'baseline.json');
export const RESULTS_BEGIN = '<!-- bench:results:begin (written by `npm run bench -- --write-docs`) -->';
export const RESULTS_END = '<!-- bench:results:end -->';

interface Case {
  tier: TierName;
  mix: Mix;
  incremental: boolean;
  paths: boolean;
  /** Also run `netfence lint DIR -o json`, to compare with analyze. */
  lint: boolean;
  /** Also run this other analyzer on the same folder (`--peer`). */
  peer?: Peer;
}

/** Another analyzer measured side by side (`--peer`): its binary, and the largest tier it is run on. */
interface Peer {
  name: string;
  binary: string;
}

interface CliRun {
  /** Exit status, or null when it was killed (timeout, out of memory). */
  exitCode: number | null;
  wallMs: number;
  cpuMs: number | null;
  /** Peak resident memory, bytes (null without /usr/bin/time). */
  peakRss: number | null;
  error?: string;
}

interface CaseResult {
  tier: TierName;
  mix: Mix;
  /** Why the case was not run (an answer too large to hold), when it was not. */
  skipped?: string;
  /** When it ran, and the machine's 1-minute load average then (other work slows wall times down). */
  date: string;
  load: number;
  generated: GeneratedStats;
  measurement?: Measurement;
  measurementError?: string;
  cli?: CliRun;
  pathsCli?: CliRun;
  /** `netfence lint DIR -o json --fail-on none`, the same way as `cli`. */
  lintCli?: CliRun;
  /** The `--peer` analyzer on the same folder, the same way as `cli`, and its command (folder as `DIR`). */
  peerCli?: CliRun & { peer: string; command: string };
}

interface Machine {
  /** How the CLI ran: `dist` (compiled, as published) or `source` (bin/netfence from a checkout). */
  cli: string;
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  os: string;
  /** 1-minute load average before and after the run: other work on the machine slows wall times down. */
  loadBefore: number;
  loadAfter: number;
}

export interface Results {
  date: string;
  seed: number;
  machine: Machine;
  cases: CaseResult[];
}

// ---------------------------------------------------------------------------------------------------------
// Running

function cpuModel(): string {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    if (line !== undefined) return line.split(':')[1]!.trim();
  } catch {
    // not Linux
  }
  return cpus()[0]?.model ?? 'unknown';
}

const HAS_TIME = existsSync('/usr/bin/time');
const DIST = join(OUT, 'dist');
/**
 * Node's module compile cache, as `bin/netfence` enables it for every user (`module.enableCompileCache()`);
 * the compiled entry point is run directly here, so the same cache is given by environment. Filled by a
 * first run before any case is timed.
 */
const COMPILE_CACHE = join(OUT, 'compile-cache');

/** Newest modification time of the files under `dir`. */
function newest(dir: string): number {
  let max = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) max = Math.max(max, statSync(join(e.parentPath, e.name)).mtimeMs);
  }
  return max;
}

/**
 * The CLI as the published package runs it: src/ compiled to JavaScript (as `npm run build` does, without
 * the web UI), into bench/out/dist/, rebuilt when a source file is newer.
 */
function distCli(): string {
  const entry = join(DIST, 'cli', 'process.js');
  const stamp = join(DIST, '.built');
  if (existsSync(stamp) && statSync(stamp).mtimeMs >= newest(join(ROOT, 'src'))) return entry;
  process.stderr.write('compiling src/ into bench/out/dist (the CLI as published)\n');
  const tsc = spawnSync(
    process.execPath,
    [
      join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'),
      '-p',
      'tsconfig.build.json',
      '--outDir',
      DIST,
      '--declaration',
      'false',
    ],
    { cwd: ROOT, stdio: 'inherit' },
  );
  // tsc still emits when another file has a type error; the CLI only needs to run.
  if (!existsSync(entry)) throw new Error('tsc emitted nothing: run with --cli source');
  if (tsc.status !== 0)
    process.stderr.write('bench: tsc reported errors (above); measuring what it emitted\n');
  writeFileSync(stamp, '');
  return entry;
}

/** Runs Node with stdout discarded, under `/usr/bin/time -v` when available. */
function timed(args: string[], timeoutSec: number): CliRun {
  return timedCommand([process.execPath, ...args], timeoutSec);
}

/** Runs a command (`[program, ...args]`) with stdout discarded, under `/usr/bin/time -v` when available. */
function timedCommand(program: string[], timeoutSec: number): CliRun {
  const command = HAS_TIME ? '/usr/bin/time' : program[0]!;
  const argv = HAS_TIME ? ['-v', ...program] : program.slice(1);
  const start = performance.now();
  const r = spawnSync(command, argv, {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: timeoutSec * 1000,
    maxBuffer: 64 * 1024 * 1024,
    encoding: 'utf8',
    // Cold runs: the manifest cache (issue #18) would answer a case measured before from what it kept.
    env: { ...process.env, NODE_COMPILE_CACHE: COMPILE_CACHE, NETFENCE_NO_CACHE: '1' },
  });
  const wallMs = Math.round(performance.now() - start);
  const stderr = r.stderr ?? '';
  const field = (name: string): string | undefined =>
    new RegExp(`^\\s*${name}: (.*)$`, 'm').exec(stderr)?.[1]?.trim();
  const user = Number(field('User time \\(seconds\\)') ?? NaN);
  const system = Number(field('System time \\(seconds\\)') ?? NaN);
  const rssKb = Number(field('Maximum resident set size \\(kbytes\\)') ?? NaN);
  const status = HAS_TIME ? /Exit status: (\d+)/.exec(stderr)?.[1] : String(r.status ?? '');
  const out: CliRun = {
    exitCode: r.signal !== null || status === undefined || status === '' ? null : Number(status),
    wallMs,
    cpuMs: Number.isFinite(user + system) ? Math.round((user + system) * 1000) : null,
    peakRss: Number.isFinite(rssKb) ? rssKb * 1024 : null,
  };
  if (r.error !== undefined) out.error = r.error.message;
  else if (out.exitCode !== 0) {
    // The one line that says what happened: a JavaScript error's, or the first line netfence printed.
    const lines = stderr.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('\t'));
    const reason = lines.find((l) => /^\w*Error: /.test(l.trim())) ?? lines[0] ?? '';
    out.error = (r.signal !== null ? `killed by ${r.signal}` : reason.trim()).slice(0, 200);
  }
  return out;
}

function ensureGenerated(tier: TierName, mix: Mix, seed: number): { dir: string; stats: GeneratedStats } {
  const options = { tier, mix, seed };
  const dir = defaultOutDir(options);
  const existing = readStats(dir);
  if (existing !== undefined && existing.tier === tier && existing.mix === mix && existing.seed === seed) {
    return { dir, stats: existing };
  }
  process.stderr.write(`generating ${tier} ${mix} (seed ${seed}) into ${dir}\n`);
  return { dir, stats: writeCluster(dir, options) };
}

function runCase(c: Case, seed: number, options: { cli: string | undefined; timeout: number }): CaseResult {
  const { dir, stats } = ensureGenerated(c.tier, c.mix, seed);
  const result: CaseResult = {
    tier: c.tier,
    mix: c.mix,
    date: new Date().toISOString(),
    load: Math.round(loadavg()[0]! * 10) / 10,
    generated: stats,
  };
  process.stderr.write(`${c.tier} ${c.mix}: measuring\n`);
  const args = [
    '--max-old-space-size=16384',
    join(ROOT, 'bench', 'measure.ts'),
    dir,
    ...(c.incremental ? ['--incremental'] : []),
    ...(c.paths ? ['--paths'] : []),
  ];
  const r = spawnSync(process.execPath, args, {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: options.timeout * 1000,
    maxBuffer: 64 * 1024 * 1024,
    encoding: 'utf8',
  });
  const line = (r.stdout ?? '').trim().split('\n').pop() ?? '';
  if (r.status === 0 && line.startsWith('{')) result.measurement = JSON.parse(line) as Measurement;
  else
    result.measurementError =
      r.signal !== null ? `killed by ${r.signal} (timeout ${options.timeout} s?)` : `exit ${r.status}`;
  if (options.cli !== undefined) {
    process.stderr.write(`${c.tier} ${c.mix}: netfence analyze ${dir} -o json\n`);
    result.cli = timed([options.cli, 'analyze', dir, '-o', 'json'], options.timeout);
    if (c.paths && existsSync(join(ROOT, 'src', 'cli', 'paths.ts'))) {
      process.stderr.write(`${c.tier} ${c.mix}: netfence paths ${dir} --top 20\n`);
      result.pathsCli = timed([options.cli, 'paths', dir, '--top', '20'], options.timeout);
    }
    if (c.lint) {
      process.stderr.write(`${c.tier} ${c.mix}: netfence lint ${dir} -o json\n`);
      const lintArgs = [options.cli, 'lint', dir, '-o', 'json', '--fail-on', 'none'];
      result.lintCli = timed(lintArgs, options.timeout);
    }
  }
  if (c.peer !== undefined && PEER_TIERS.includes(c.tier))
    result.peerCli = runPeer(c.peer, dir, options.timeout);
  return result;
}

/** The tiers the peer runs on: it grows as workloads^2 (T1 about a minute of CPU, T2 four, T3 would be 25). */
const PEER_TIERS: readonly TierName[] = ['T0', 'T1', 'T2'];

/** Builds (once, into the cache) the peer analyzer named by `--peer`; its binary. */
function buildPeer(name: string): Peer {
  if (name !== 'netpol-analyzer') fail(`unknown --peer "${name}": the one known is netpol-analyzer`);
  const r = spawnSync('bash', [join(ROOT, 'scripts', 'netpol-analyzer.sh')], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  const binary = (r.stdout ?? '').trim().split('\n').pop() ?? '';
  if (r.status !== 0 || binary === '') fail(`could not build ${name} (scripts/netpol-analyzer.sh, above)`);
  return { name, binary };
}

/** netpol-analyzer's answer for the folder, as JSON, timed as the CLI is. */
function runPeer(peer: Peer, dir: string, timeoutSec: number): NonNullable<CaseResult['peerCli']> {
  const args = ['list', '--dirpath', dir, '-o', 'json'];
  process.stderr.write(`${peer.name}: netpolicy ${args.join(' ')}\n`);
  const run = timedCommand([peer.binary, ...args], timeoutSec);
  return { ...run, peer: peer.name, command: `netpolicy ${args.join(' ').replace(dir, 'DIR')}` };
}

// ---------------------------------------------------------------------------------------------------------
// Reporting

function seconds(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '–';
  return (ms / 1000).toFixed(ms < 10_000 ? 2 : 1);
}

function size(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) return '–';
  return bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(1)} GiB` : `${Math.round(bytes / 2 ** 20)} MiB`;
}

function count(n: number): string {
  return n >= 10_000 ? `${Math.round(n / 1000)}k` : String(n);
}

const HEADER = [
  'tier',
  'mix',
  'pods',
  'workloads',
  'policies',
  'classes',
  'selectors',
  'address classes',
  'port intervals',
  'class pairs',
  'connections',
  'groups',
  'JSON',
  'parse CPU s',
  'compile CPU s',
  'connectivity CPU s',
  'output CPU s',
  'CLI wall s',
  'CLI CPU s',
  'CLI peak',
  'load',
  'notes',
];

/** What went wrong in a case, in a few words: why it was not run, which phase failed and how. */
function note(r: CaseResult): string {
  if (r.skipped !== undefined) return `not run: ${r.skipped}`;
  const notes: string[] = [];
  if (r.measurementError !== undefined) notes.push(`measurement failed: ${r.measurementError}`);
  if (r.measurement?.outputError !== undefined)
    notes.push(`JSON output failed: ${r.measurement.outputError}`);
  if (r.cli !== undefined && r.cli.exitCode !== 0) {
    const error = r.cli.error ?? `exit ${r.cli.exitCode}`;
    notes.push(`CLI failed: ${/\b\w*Error: [^|\n]*/.exec(error)?.[0]?.trim() ?? error}`);
  }
  return notes.join('; ');
}

function row(r: CaseResult): string[] {
  const m = r.measurement;
  const s = m?.sizes;
  const cli = r.cli;
  const ok = cli?.exitCode === 0;
  return [
    r.tier,
    r.mix,
    count(r.generated.pods),
    count(r.generated.workloads),
    // Results written before the tiers mix have no clusterPolicies.
    `${count(r.generated.policies)}${(r.generated.clusterPolicies ?? 0) > 0 ? ` + ${r.generated.clusterPolicies} CNP` : ''}`,
    s === undefined ? '–' : count(s.classes),
    s === undefined ? '–' : count(s.selectors),
    s === undefined ? '–' : count(s.addressClasses),
    s === undefined ? '–' : count(s.portIntervals),
    s === undefined ? '–' : count(s.classPairs),
    s === undefined ? '–' : count(s.connections),
    s?.groups === undefined ? '–' : count(s.groups),
    s === undefined ? '–' : size(s.outputBytes),
    seconds(m?.parse.cpuMs),
    seconds(m?.compile.cpuMs),
    seconds(m?.connectivity.cpuMs),
    m?.outputError !== undefined ? '–' : seconds(m?.output.cpuMs),
    ok ? seconds(cli.wallMs) : '–',
    ok ? seconds(cli.cpuMs) : '–',
    size(cli?.peakRss),
    r.load.toFixed(1),
    note(r),
  ];
}

function textTable(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** A column of numbers (and sizes) is right-aligned. */
function numeric(rows: string[][], i: number): boolean {
  return rows.length > 0 && rows.every((r) => /^(?:[\d.,-]+(?: ?(?:k|MiB|GiB|%))?|–|)$/.test(r[i] ?? ''));
}

function markdownTable(header: string[], rows: string[][]): string {
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map((_, i) => (numeric(rows, i) ? '---:' : '---')).join(' | ')} |`,
    ...rows.map((r) => `| ${r.map((c) => c.replaceAll('|', '\\|')).join(' | ')} |`),
  ].join('\n');
}

/** Least-squares slope of log(y) over log(x): the exponent k of y ∝ x^k. */
export function fitExponent(points: readonly (readonly [number, number])[]): number | undefined {
  const usable = points.filter(([x, y]) => x > 0 && y > 0);
  if (usable.length < 2) return undefined;
  const xs = usable.map(([x]) => Math.log(x));
  const ys = usable.map(([, y]) => Math.log(y));
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let num = 0;
  let den = 0;
  for (let i = 0; i < xs.length; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den === 0 ? undefined : num / den;
}

/**
 * Exponents of CPU time over the size that drives each phase, per mix, across the tiers measured (three or
 * more): parse over manifest bytes, compile over classes + policies, connectivity over class pairs +
 * classes, output over JSON bytes, and the whole CLI over workloads.
 */
function costModel(results: Results): string[][] {
  const rows: string[][] = [];
  for (const mix of MIXES) {
    const cases = results.cases.filter((c) => c.mix === mix && c.measurement !== undefined);
    if (new Set(cases.map((c) => c.tier)).size < 3) continue;
    const fit = (
      x: (c: CaseResult, m: Measurement) => number | null,
      y: (c: CaseResult, m: Measurement) => number | null,
    ): string => {
      const points = cases.flatMap((c) => {
        const xv = x(c, c.measurement!);
        const yv = y(c, c.measurement!);
        return xv === null || yv === null ? [] : [[xv, yv] as const];
      });
      const k = fitExponent(points);
      return k === undefined ? '–' : k.toFixed(2);
    };
    rows.push([
      mix,
      cases.map((c) => c.tier).join(', '),
      fit(
        (c) => c.generated.bytes,
        (_, m) => m.parse.cpuMs,
      ),
      fit(
        (_, m) => m.sizes.classes + m.sizes.policies,
        (_, m) => m.compile.cpuMs,
      ),
      fit(
        (_, m) => m.sizes.classPairs + m.sizes.classes,
        (_, m) => m.connectivity.cpuMs,
      ),
      fit(
        (_, m) => m.sizes.outputBytes,
        (_, m) => (m.outputError === undefined ? m.output.cpuMs : null),
      ),
      fit(
        (c) => c.generated.workloads,
        (c) => (c.cli?.exitCode === 0 ? c.cli.cpuMs : null),
      ),
    ]);
  }
  return rows;
}

const COST_HEADER = [
  'mix',
  'tiers',
  'parse ∝ manifest bytes^k',
  'compile ∝ (classes + policies)^k',
  'connectivity ∝ (class pairs + classes)^k',
  'output ∝ JSON bytes^k',
  'CLI ∝ workloads^k',
];

function incrementalRows(results: Results): string[][] {
  return results.cases.flatMap((c) =>
    (c.measurement?.incremental?.edits ?? []).map((e) => [
      c.tier,
      c.mix,
      e.kind,
      `\`${e.policy}\``,
      String(e.touchedClasses),
      `${e.ms}`,
      c.measurement!.incremental!.verified ? 'yes' : '**no**',
    ]),
  );
}

function pathsRows(results: Results): string[][] {
  return results.cases.flatMap((c) =>
    c.measurement?.paths === undefined && c.pathsCli === undefined
      ? []
      : [
          [
            c.tier,
            c.mix,
            seconds(c.measurement?.paths?.build.wallMs),
            seconds(c.measurement?.paths?.rank.wallMs),
            c.pathsCli === undefined
              ? '–'
              : c.pathsCli.exitCode === 0
                ? seconds(c.pathsCli.wallMs)
                : 'failed',
            size(c.pathsCli?.peakRss),
          ],
        ],
  );
}

function ratio(a: number | null | undefined, b: number | null | undefined): string {
  return a === null || a === undefined || b === null || b === undefined || b === 0
    ? '–'
    : `${(a / b).toFixed(2)}×`;
}

function lintRows(results: Results): string[][] {
  return results.cases.flatMap((c) => {
    const lint = c.lintCli;
    if (lint === undefined) return [];
    if (lint.exitCode !== 0) return [[c.tier, c.mix, 'failed', '–', '–', '–', '–', '–']];
    return [
      [
        c.tier,
        c.mix,
        seconds(lint.wallMs),
        seconds(lint.cpuMs),
        size(lint.peakRss),
        ratio(lint.wallMs, c.cli?.wallMs),
        ratio(lint.cpuMs, c.cli?.cpuMs),
        ratio(lint.peakRss, c.cli?.peakRss),
      ],
    ];
  });
}

const PEER_HEADER = [
  'tier',
  'mix',
  'workloads',
  'netfence wall s',
  'netfence CPU s',
  'netfence peak',
  'peer wall s',
  'peer CPU s',
  'peer peak',
  'peer CPU ÷ netfence',
  'netfence peak ÷ peer',
];

function peerRows(results: Results): string[][] {
  return results.cases.flatMap((c) => {
    const peer = c.peerCli;
    if (peer === undefined) return [];
    const ok = peer.exitCode === 0;
    const ours = c.cli?.exitCode === 0 ? c.cli : undefined;
    return [
      [
        c.tier,
        c.mix,
        String(c.generated.workloads),
        seconds(ours?.wallMs),
        seconds(ours?.cpuMs),
        size(ours?.peakRss),
        ok ? seconds(peer.wallMs) : 'failed',
        ok ? seconds(peer.cpuMs) : '–',
        size(peer.peakRss),
        ok ? ratio(peer.cpuMs, ours?.cpuMs) : '–',
        ratio(ours?.peakRss, peer.peakRss),
      ],
    ];
  });
}

function machineLine(m: Machine): string {
  return `${m.cpus} CPUs (${m.cpuModel}), ${m.memoryGiB} GiB memory, Node ${m.node}, Linux ${m.os}, shared with other work (1-minute load average between ${m.loadBefore.toFixed(1)} and ${m.loadAfter.toFixed(1)}; the last column gives it at the start of each case)`;
}

export function resultsMarkdown(results: Results): string {
  const parts = [
    `Measured ${results.date.slice(0, 10)} (seed ${results.seed}) on ${machineLine(results.machine)}.`,
    '',
    `Sizes: pods are the sum of replicas (real Pods in the adversarial mix); classes, selectors, address classes and port intervals are counted in the compiled cluster; class pairs are allowed (class, class) and (class, address class) pairs; connections are the allowed (source, destination) pairs, groups the entries of the JSON answer that list them (sources × destinations). Phase times are CPU times (user + system, all threads) of one in-process run (bench/measure.ts), with V8 set as the CLI sets it (under 8 MB of input: TurboFan off and the young generation held at 8 MiB semi-spaces, since round 16; before, V8's defaults); "CLI" is the whole \`netfence analyze DIR -o json > /dev/null\` in its own process (${results.machine.cli === 'dist' ? 'compiled, as the published package runs it' : 'from the TypeScript sources'}), with its CPU time and peak resident memory from \`/usr/bin/time -v\`.`,
    '',
    markdownTable(HEADER, results.cases.map(row)),
  ];
  const cost = costModel(results);
  if (cost.length > 0) {
    parts.push(
      '',
      'Fitted exponents k of time ∝ size^k (least squares on log–log; CPU times; mixes measured on three tiers or more).',
      '',
      markdownTable(COST_HEADER, cost),
    );
  }
  const shares = results.cases.filter(
    (c) => c.measurement !== undefined && c.measurement.outputError === undefined,
  );
  if (shares.length > 0) {
    const pct = (part: number, whole: number): string => `${Math.round((100 * part) / whole)}%`;
    parts.push(
      '',
      "Where the time goes: each phase's share of the CPU time of the four phases (in process, without the start of the CLI).",
      '',
      markdownTable(
        ['tier', 'mix', 'parse', 'compile', 'connectivity', 'output'],
        shares.map((c) => {
          const m = c.measurement!;
          const whole = m.parse.cpuMs + m.compile.cpuMs + m.connectivity.cpuMs + m.output.cpuMs;
          return [
            c.tier,
            c.mix,
            pct(m.parse.cpuMs, whole),
            pct(m.compile.cpuMs, whole),
            pct(m.connectivity.cpuMs, whole),
            pct(m.output.cpuMs, whole),
          ];
        }),
      ),
    );
  }
  // The optional tables: each with its sentence, when it has rows.
  const section = (text: string, header: string[], rows: string[][]): void => {
    if (rows.length > 0) parts.push('', text, '', markdownTable(header, rows));
  };
  section(
    'Incremental updates (`createIncrementalEngine`): time from the edit until the updated connectivity is ready, and whether the result equals a fresh compile.',
    ['tier', 'mix', 'edit', 'policy', 'classes touched', 'ms', 'equals fresh compile'],
    incrementalRows(results),
  );
  section(
    '`paths` blast-radius ranking: the lateral graph and the ranking in process, and the whole `netfence paths DIR --top 20`.',
    ['tier', 'mix', 'graph s', 'ranking s', 'CLI wall s', 'CLI peak'],
    pathsRows(results),
  );
  section(
    '`lint` against `analyze`: the whole `netfence lint DIR -o json --fail-on none` in its own process, the same way as the CLI column above, and its ratios to that `analyze` run (the target: at most 1.3×).',
    ['tier', 'mix', 'wall s', 'CPU s', 'peak', 'wall ÷ analyze', 'CPU ÷ analyze', 'peak ÷ analyze'],
    lintRows(results),
  );
  const peer = results.cases.find((c) => c.peerCli !== undefined)?.peerCli;
  section(
    `netfence against ${peer?.peer ?? 'a peer'} on the same folders (\`${peer?.command ?? ''}\`, stdout discarded, under \`/usr/bin/time -v\`), and the whole \`netfence analyze DIR -o json\` of the CLI columns above.`,
    PEER_HEADER,
    peerRows(results),
  );
  return parts.join('\n');
}

function writeDocs(results: Results): void {
  const text = existsSync(DOCS) ? readFileSync(DOCS, 'utf8') : '';
  const begin = text.indexOf(RESULTS_BEGIN);
  const end = text.indexOf(RESULTS_END);
  if (begin < 0 || end < begin) {
    throw new Error(`docs/benchmarks.md has no ${RESULTS_BEGIN} … ${RESULTS_END} section to rewrite`);
  }
  const updated = `${text.slice(0, begin + RESULTS_BEGIN.length)}\n\n${resultsMarkdown(results)}\n\n${text.slice(end)}`;
  writeFileSync(DOCS, updated);
  process.stderr.write(`rewrote the results section of ${DOCS}\n`);
}

// ---------------------------------------------------------------------------------------------------------

function fail(message: string): never {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(2);
}

function list<T extends string>(text: string, all: readonly T[], what: string): T[] {
  if (text === 'all') return [...all];
  return text.split(',').map((t) => {
    const v = t.trim();
    const found = all.find((a) => a.toLowerCase() === v.toLowerCase());
    if (found === undefined) fail(`unknown ${what} "${v}": choose from ${all.join(', ')} (or all)`);
    return found;
  });
}

/** The cases the targets name, plus the adversarial mix up to T4. */
function targetSuite(): Case[] {
  return [
    ...MIXES.map((mix) => ({
      tier: 'T1' as const,
      mix,
      incremental: false,
      paths: false,
      lint: mix === 'microseg',
    })),
    { tier: 'T2', mix: 'multitenant', incremental: false, paths: false, lint: false },
    { tier: 'T3', mix: 'microseg', incremental: false, paths: false, lint: true },
    { tier: 'T3', mix: 'adversarial', incremental: false, paths: false, lint: false },
    { tier: 'T4', mix: 'microseg', incremental: true, paths: true, lint: false },
    { tier: 'T4', mix: 'tiers', incremental: true, paths: false, lint: false },
    { tier: 'T4', mix: 'cilium', incremental: true, paths: false, lint: false },
    { tier: 'T4', mix: 'adversarial', incremental: false, paths: false, lint: false },
    { tier: 'T5', mix: 'microseg', incremental: false, paths: false, lint: false },
  ];
}

function main(): void {
  const { values } = parseArgs({
    options: {
      tiers: { type: 'string', default: 'T1' },
      mixes: { type: 'string', default: 'all' },
      suite: { type: 'string' },
      seed: { type: 'string', default: '1' },
      incremental: { type: 'boolean', default: false },
      paths: { type: 'boolean', default: false },
      lint: { type: 'boolean', default: false },
      'no-cli': { type: 'boolean', default: false },
      cli: { type: 'string', default: 'dist' },
      timeout: { type: 'string', default: '900' },
      'write-docs': { type: 'boolean', default: false },
      merge: { type: 'boolean', default: false },
      'docs-only': { type: 'boolean', default: false },
      runs: { type: 'string', default: '1' },
      'update-baseline': { type: 'boolean', default: false },
      'no-compare': { type: 'boolean', default: false },
      peer: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(
      [
        'usage: npm run bench -- [--tiers T1,T2|all] [--mixes all|microseg,...] [--suite targets|full] [--seed N]',
        '                        [--incremental] [--paths] [--lint] [--cli dist|source | --no-cli] [--timeout SECONDS]',
        '                        [--merge] [--write-docs] [--docs-only] [--runs N] [--update-baseline] [--no-compare]',
        '                        [--peer netpol-analyzer]',
        '',
        `  --tiers, --mixes   the cases: every tier × every mix listed (tiers ${TIER_NAMES.join(', ')}; mixes ${MIXES.join(', ')})`,
        '  --suite targets    the cases the performance targets name; --suite full: T1–T4 × every mix, and T5 microseg',
        '  --incremental      also time policy edits on the incremental engine',
        '  --paths            also time the `paths` blast-radius ranking',
        '  --lint             also time `netfence lint DIR -o json`, against analyze',
        '  --cli              run the CLI compiled as published (dist, the default) or from the sources; --no-cli skips it',
        '  --merge            keep the cases of bench/out/results.json that this run does not measure',
        '  --write-docs       rewrite the results section of docs/benchmarks.md',
        '  --docs-only        rewrite it from bench/out/results.json, measuring nothing',
        '  --runs N           measure each case N times and keep the run with the least CPU time',
        `  --update-baseline  write the measured cases into the baseline of this machine in ${BASELINE}`,
        '  --no-compare       do not compare with the baseline (by default: exit 1 on a regression over 10%)',
        `  --peer netpol-analyzer  also run netpol-analyzer on the same folders (${PEER_TIERS.join(', ')} only), built by scripts/netpol-analyzer.sh`,
        '',
      ].join('\n'),
    );
    return;
  }
  if (values['docs-only']) {
    const file = join(OUT, 'results.json');
    if (!existsSync(file)) fail(`no ${file} yet: run the benchmark first`);
    writeDocs(JSON.parse(readFileSync(file, 'utf8')) as Results);
    return;
  }
  if (!/^\d+$/.test(values.seed)) fail(`invalid --seed "${values.seed}": give a whole number`);
  if (!/^\d+$/.test(values.timeout)) fail(`invalid --timeout "${values.timeout}": give seconds`);
  if (!/^[1-9]\d*$/.test(values.runs))
    fail(`invalid --runs "${values.runs}": give a whole number, 1 or more`);
  const runs = Number(values.runs);
  const seed = Number(values.seed);
  let cases: Case[];
  if (values.suite === 'targets') cases = targetSuite();
  else if (values.suite === 'full') {
    cases = (['T1', 'T2', 'T3', 'T4'] as const).flatMap((tier) =>
      MIXES.map((mix) => ({
        tier,
        mix,
        incremental: tier === 'T4' && (mix === 'microseg' || mix === 'tiers' || mix === 'cilium'),
        paths: tier === 'T4' && mix === 'microseg',
        lint: (tier === 'T1' || tier === 'T3') && mix === 'microseg',
      })),
    );
    cases.push({ tier: 'T5', mix: 'microseg', incremental: false, paths: false, lint: false });
  } else if (values.suite !== undefined) fail(`unknown --suite "${values.suite}": choose targets or full`);
  else {
    const tiers = list(values.tiers, TIER_NAMES, 'tier');
    const mixes = list(values.mixes, MIXES, 'mix');
    cases = tiers.flatMap((tier) =>
      mixes.map((mix) => ({
        tier,
        mix,
        incremental: values.incremental,
        paths: values.paths,
        lint: values.lint,
      })),
    );
  }
  if (values.cli !== 'dist' && values.cli !== 'source')
    fail(`unknown --cli "${values.cli}": choose dist or source`);
  const cli = values['no-cli']
    ? undefined
    : values.cli === 'dist'
      ? distCli()
      : join(ROOT, 'bin', 'netfence');
  if (cli !== undefined) timed([cli, '--version'], 60); // fills the compile cache
  if (values.peer !== undefined) {
    const peer = buildPeer(values.peer);
    for (const c of cases) c.peer = peer;
  }
  if (!HAS_TIME) {
    process.stderr.write(
      'bench: /usr/bin/time not found: CLI peak memory is not measured (apt-get install time)\n',
    );
  }
  mkdirSync(OUT, { recursive: true });
  const results: Results = {
    date: new Date().toISOString(),
    seed,
    machine: {
      cli: values['no-cli'] ? 'none' : values.cli,
      cpus: availableParallelism(),
      cpuModel: cpuModel(),
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.versions.node,
      os: release(),
      loadBefore: loadavg()[0]!,
      loadAfter: 0,
    },
    cases: [],
  };
  for (const c of cases) {
    if (!(c.tier in TIERS)) continue;
    const measured = Array.from({ length: runs }, () =>
      runCase(c, seed, { cli, timeout: Number(values.timeout) }),
    );
    results.cases.push(measured.reduce((best, r) => (cpuOf(r) < cpuOf(best) ? r : best)));
    process.stdout.write(`${textTable([HEADER, row(results.cases.at(-1)!)])}\n\n`);
  }
  results.machine.loadAfter = loadavg()[0]!;
  const file = join(OUT, 'results.json');
  if (values.merge && existsSync(file)) {
    const previous = JSON.parse(readFileSync(file, 'utf8')) as Results;
    // Results written before cases carried their own date and load.
    for (const c of previous.cases) {
      c.date ??= previous.date;
      c.load ??= Math.round(previous.machine.loadBefore * 10) / 10;
    }
    const key = (c: CaseResult): string => `${c.tier}/${c.mix}`;
    const fresh = new Set(results.cases.map(key));
    const order = (c: CaseResult): number => TIER_NAMES.indexOf(c.tier) * MIXES.length + MIXES.indexOf(c.mix);
    results.cases = [...previous.cases.filter((c) => !fresh.has(key(c))), ...results.cases].sort(
      (a, b) => order(a) - order(b),
    );
    results.machine.loadBefore = Math.min(results.machine.loadBefore, previous.machine.loadBefore);
    results.machine.loadAfter = Math.max(results.machine.loadAfter, previous.machine.loadAfter);
  }
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`${textTable([HEADER, ...results.cases.map(row)])}\n\nwrote ${file}\n`);
  const peers = peerRows(results);
  if (peers.length > 0) process.stdout.write(`\n${textTable([PEER_HEADER, ...peers])}\n`);
  if (values['write-docs']) writeDocs(results);
  const baselines = existsSync(BASELINE)
    ? readBaselineFile(JSON.parse(readFileSync(BASELINE, 'utf8')))
    : { baselines: [] };
  const previous = baselineForMachine(baselines, results.machine);
  if (values['update-baseline']) {
    writeAtomically(
      BASELINE,
      `${JSON.stringify(withBaseline(baselines, baselineFrom(results, previous)), null, 2)}\n`,
    );
    process.stdout.write(`wrote ${BASELINE} (the baseline of ${machineName(results.machine)})\n`);
  } else if (!values['no-compare']) {
    if (previous === undefined) {
      const others = baselines.baselines.map((b) => machineName(b.machine));
      process.stdout.write(
        `not compared: ${BASELINE} has no baseline for ${machineName(results.machine)}${others.length === 0 ? '' : ` (it has ${others.join(', ')})`}; measure one on this machine with --update-baseline\n`,
      );
    } else {
      const comparison = compareWithBaseline(results, previous);
      process.stdout.write(comparisonText(comparison, previous));
      if (comparison.comparable && comparison.rows.some((r) => r.regressed)) process.exitCode = 1;
    }
  }
}

/** The CPU time a run of a case took (in process and the CLI): `--runs` keeps the least. */
function cpuOf(r: CaseResult): number {
  const m = r.measurement?.total.cpuMs;
  const c = r.cli?.cpuMs;
  if (m === undefined && (c === undefined || c === null)) return Number.POSITIVE_INFINITY;
  return (m ?? 0) + (c ?? 0);
}

function figure(metric: keyof typeof METRIC_NAMES, value: number): string {
  if (!Number.isFinite(value)) return 'failed';
  return metric === 'cliPeakRss' ? size(value) : `${Math.round(value)} ms`;
}

/** The comparison with the baseline, as printed: every regression, then a one-line verdict. */
function comparisonText(comparison: Comparison, baseline: Baseline): string {
  if (!comparison.comparable) return `not compared with the baseline: ${comparison.reason}\n`;
  const lines: string[] = [];
  const regressed = comparison.rows.filter((r) => r.regressed);
  for (const r of regressed) {
    lines.push(
      `regression: ${r.tier} ${r.mix} ${METRIC_NAMES[r.metric]} ${figure(r.metric, r.measured)}, baseline ${figure(r.metric, r.baseline)} (${(r.ratio * 100 - 100).toFixed(0)}% more; the limit is ${DEFAULT_TOLERANCE * 100}%)`,
    );
  }
  for (const key of comparison.notInBaseline) lines.push(`not in the baseline: ${key}`);
  const cases = new Set(comparison.rows.map((r) => `${r.tier}/${r.mix}`)).size;
  lines.push(
    regressed.length === 0
      ? `baseline (${baseline.date.slice(0, 10)}): ${comparison.rows.length} figures of ${cases} cases compared, none more than ${DEFAULT_TOLERANCE * 100}% worse`
      : `baseline (${baseline.date.slice(0, 10)}): ${regressed.length} of ${comparison.rows.length} figures more than ${DEFAULT_TOLERANCE * 100}% worse`,
  );
  return `${lines.join('\n')}\n`;
}

if (process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href) main();
