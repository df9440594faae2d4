/**
 * The benchmark's own regression check (issue #18): `npm run bench` compares what it measured with the
 * committed baseline (bench/baseline.json) and fails when a case got more than 10% slower or bigger.
 *
 * Compared per case (tier and mix): the CPU time of the four phases in process (parse, compile, connectivity,
 * output), the whole CLI's CPU time and its peak memory, and the median time of the incremental edits when
 * the case has them. CPU times, not wall times: on a shared machine the load stretches wall times several
 * fold and CPU times much less. A baseline is only comparable on the machine it was measured on (same CPU
 * model and count), so the file keeps one baseline per machine; on a machine it has none for, the comparison
 * says so and judges nothing.
 *
 * Pure: no file or process access (bench/run.ts reads and writes the files).
 */
import type { Results } from './run.ts';

/** What is compared, per case. `null`: not measured in that run. */
export interface BaselineCase {
  tier: string;
  mix: string;
  /** CPU time of parse + compile + connectivity + output, in process (ms). */
  phasesCpuMs: number | null;
  /** CPU time of the whole `netfence analyze DIR -o json` (ms). */
  cliCpuMs: number | null;
  /** Peak resident memory of that CLI run (bytes). */
  cliPeakRss: number | null;
  /** Median time of the incremental edits (ms), when measured. */
  incrementalMedianMs: number | null;
}

export interface Baseline {
  /** When it was measured. */
  date: string;
  /** The machine it is valid on. */
  machine: { cpus: number; cpuModel: string; node: string };
  /** The 1-minute load average while it was measured (the lower the better the baseline). */
  load: number;
  cases: BaselineCase[];
}

/** bench/baseline.json: a baseline for each machine it was measured on. */
export interface BaselineFile {
  baselines: Baseline[];
}

/** The machine a baseline or a run is valid on, as the comparison names it. */
export function machineName(machine: { cpus: number; cpuModel: string }): string {
  return `${machine.cpus} × ${machine.cpuModel}`;
}

/** The file as read: a file of one bare baseline (written before there was one per machine) holds that one. */
export function readBaselineFile(json: unknown): BaselineFile {
  const value = json as Partial<BaselineFile> & Partial<Baseline>;
  if (Array.isArray(value.baselines)) return { baselines: value.baselines };
  return { baselines: value.machine === undefined ? [] : [value as Baseline] };
}

/** The baseline measured on this machine (same CPU model and count), if the file has one. */
export function baselineForMachine(
  file: BaselineFile,
  machine: { cpus: number; cpuModel: string },
): Baseline | undefined {
  return file.baselines.find((b) => machineName(b.machine) === machineName(machine));
}

/** The file with `baseline` in place of the one of its machine (added when the file had none). */
export function withBaseline(file: BaselineFile, baseline: Baseline): BaselineFile {
  const others = file.baselines.filter((b) => machineName(b.machine) !== machineName(baseline.machine));
  return {
    baselines: [...others, baseline].sort((a, b) =>
      machineName(a.machine).localeCompare(machineName(b.machine)),
    ),
  };
}

export const METRICS = ['phasesCpuMs', 'cliCpuMs', 'cliPeakRss', 'incrementalMedianMs'] as const;
export type Metric = (typeof METRICS)[number];

export const METRIC_NAMES: Record<Metric, string> = {
  phasesCpuMs: 'phases CPU',
  cliCpuMs: 'CLI CPU',
  cliPeakRss: 'CLI peak memory',
  incrementalMedianMs: 'incremental edit, median',
};

/** How much worse than the baseline a figure may be before it counts as a regression. */
export const DEFAULT_TOLERANCE = 0.1;

/**
 * Times under this many ms are too short for a 10% comparison (a 1 ms tick is more than 10%): a regression
 * there must also be larger than it.
 */
const NOISE_FLOOR_MS = 20;

export interface ComparisonRow {
  tier: string;
  mix: string;
  metric: Metric;
  baseline: number;
  measured: number;
  /** measured ÷ baseline. */
  ratio: number;
  regressed: boolean;
}

export type Comparison =
  | { comparable: false; reason: string }
  | {
      comparable: true;
      rows: ComparisonRow[];
      /** Cases measured now that the baseline does not have (`tier/mix`). */
      notInBaseline: string[];
    };

function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The figures of one measured case that the baseline keeps. */
export function baselineCase(c: Results['cases'][number]): BaselineCase {
  const m = c.measurement;
  const cliOk = c.cli !== undefined && c.cli.exitCode === 0;
  return {
    tier: c.tier,
    mix: c.mix,
    phasesCpuMs: m === undefined ? null : m.total.cpuMs,
    cliCpuMs: cliOk ? (c.cli?.cpuMs ?? null) : null,
    cliPeakRss: cliOk ? (c.cli?.peakRss ?? null) : null,
    incrementalMedianMs: median(m?.incremental?.edits.map((e) => e.ms) ?? []),
  };
}

const caseKey = (c: { tier: string; mix: string }): string => `${c.tier}/${c.mix}`;

/**
 * A baseline from these results; cases of `previous` that the results do not measure are kept (a baseline
 * can be refreshed one case at a time).
 */
export function baselineFrom(results: Results, previous?: Baseline): Baseline {
  const fresh = results.cases.filter((c) => c.skipped === undefined).map(baselineCase);
  const measured = new Set(fresh.map(caseKey));
  const kept = previous?.cases.filter((c) => !measured.has(caseKey(c))) ?? [];
  return {
    date: results.date,
    machine: {
      cpus: results.machine.cpus,
      cpuModel: results.machine.cpuModel,
      node: results.machine.node,
    },
    load: Math.max(results.machine.loadBefore, results.machine.loadAfter),
    cases: [...kept, ...fresh].sort((a, b) => caseKey(a).localeCompare(caseKey(b))),
  };
}

/** Compares measured results with a baseline: which figures are more than `tolerance` worse. */
export function compareWithBaseline(
  results: Results,
  baseline: Baseline,
  tolerance = DEFAULT_TOLERANCE,
): Comparison {
  const here = results.machine;
  if (machineName(here) !== machineName(baseline.machine)) {
    return {
      comparable: false,
      reason: `the baseline was measured on ${machineName(baseline.machine)}, this machine is ${machineName(here)}`,
    };
  }
  const byKey = new Map(baseline.cases.map((c) => [caseKey(c), c]));
  const rows: ComparisonRow[] = [];
  const notInBaseline: string[] = [];
  for (const c of results.cases) {
    if (c.skipped !== undefined) continue;
    const before = byKey.get(caseKey(c));
    if (before === undefined) {
      notInBaseline.push(caseKey(c));
      continue;
    }
    const now = baselineCase(c);
    for (const metric of METRICS) {
      const b = before[metric];
      const m = now[metric];
      if (b === null || b <= 0) continue;
      // A figure the baseline has and this run lost (the CLI failed) is the worst regression.
      const measured = m ?? Number.POSITIVE_INFINITY;
      const isTime = metric !== 'cliPeakRss';
      const over = measured > b * (1 + tolerance) && (!isTime || measured - b > NOISE_FLOOR_MS);
      rows.push({
        tier: c.tier,
        mix: c.mix,
        metric,
        baseline: b,
        measured,
        ratio: measured / b,
        regressed: over,
      });
    }
  }
  return { comparable: true, rows, notInBaseline };
}
