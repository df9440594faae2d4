/**
 * The benchmark's regression check (bench/compare.ts): a figure more than 10% worse than the committed
 * baseline is a regression, within 10% is not, a CLI that failed where the baseline has a figure is one, and
 * a baseline from another machine judges nothing.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  baselineForMachine,
  baselineFrom,
  compareWithBaseline,
  machineName,
  readBaselineFile,
  withBaseline,
  type Baseline,
} from '../../bench/compare.ts';
import type { Results } from '../../bench/run.ts';

const MACHINE = {
  cli: 'dist',
  cpus: 2,
  cpuModel: 'Test CPU',
  memoryGiB: 24,
  node: '24.0.0',
  os: 'linux',
  loadBefore: 0.5,
  loadAfter: 0.7,
};

const timing = (cpuMs: number) => ({ wallMs: cpuMs, cpuMs });

/** Results of one case: in-process phases of `phases` ms CPU, the CLI `cli` ms and `rss` bytes. */
function results(
  cases: {
    tier?: string;
    mix?: string;
    phases: number;
    cli: number | 'failed';
    rss?: number;
    edits?: number[];
  }[],
  machine: Partial<typeof MACHINE> = {},
): Results {
  return {
    date: '2026-12-05T12:00:00.000Z',
    seed: 1,
    machine: { ...MACHINE, ...machine },
    cases: cases.map((c) => ({
      tier: (c.tier ?? 'T1') as 'T1',
      mix: (c.mix ?? 'microseg') as 'microseg',
      date: '2026-12-05T12:00:00.000Z',
      load: 0.5,
      generated: {} as Results['cases'][number]['generated'],
      measurement: {
        dir: '/tmp/x',
        parse: timing(c.phases / 2),
        compile: timing(c.phases / 4),
        connectivity: timing(c.phases / 8),
        output: timing(c.phases / 8),
        total: timing(c.phases),
        peakRss: 100 * 2 ** 20,
        sizes: {} as never,
        ...(c.edits === undefined
          ? {}
          : {
              incremental: {
                initialMs: 10,
                edits: c.edits.map((ms) => ({ kind: 'add', policy: 'p', touchedClasses: 1, ms })),
                verified: true,
              },
            }),
      },
      cli:
        c.cli === 'failed'
          ? { exitCode: 1, wallMs: 10, cpuMs: null, peakRss: null, error: 'out of memory' }
          : { exitCode: 0, wallMs: c.cli, cpuMs: c.cli, peakRss: c.rss ?? 200 * 2 ** 20 },
    })),
  };
}

function regressions(now: Results, baseline: Baseline): string[] {
  const c = compareWithBaseline(now, baseline);
  assert.ok(c.comparable);
  return c.rows.filter((r) => r.regressed).map((r) => `${r.tier}/${r.mix} ${r.metric}`);
}

describe('bench regression check', () => {
  const baseline = baselineFrom(results([{ phases: 1000, cli: 1200, edits: [100, 50, 80] }]));

  test('the baseline keeps the phases, the CLI, its memory and the median incremental edit', () => {
    assert.deepEqual(baseline.cases, [
      {
        tier: 'T1',
        mix: 'microseg',
        phasesCpuMs: 1000,
        cliCpuMs: 1200,
        cliPeakRss: 200 * 2 ** 20,
        incrementalMedianMs: 80,
      },
    ]);
    assert.equal(baseline.machine.cpuModel, 'Test CPU');
    assert.equal(baseline.load, 0.7);
  });

  test('within 10% is not a regression', () => {
    const now = results([{ phases: 1099, cli: 1319, rss: 219 * 2 ** 20, edits: [87] }]);
    assert.deepEqual(regressions(now, baseline), []);
  });

  test('more than 10% slower or bigger is a regression, figure by figure', () => {
    assert.deepEqual(regressions(results([{ phases: 1101, cli: 1200, edits: [80] }]), baseline), [
      'T1/microseg phasesCpuMs',
    ]);
    assert.deepEqual(regressions(results([{ phases: 1000, cli: 1400, edits: [80] }]), baseline), [
      'T1/microseg cliCpuMs',
    ]);
    assert.deepEqual(
      regressions(results([{ phases: 1000, cli: 1200, rss: 221 * 2 ** 20, edits: [80] }]), baseline),
      ['T1/microseg cliPeakRss'],
    );
    assert.deepEqual(regressions(results([{ phases: 1000, cli: 1200, edits: [200] }]), baseline), [
      'T1/microseg incrementalMedianMs',
    ]);
  });

  test('a few ms over a short time is noise, not a regression', () => {
    const short = baselineFrom(results([{ phases: 1000, cli: 1200, edits: [8] }]));
    assert.deepEqual(regressions(results([{ phases: 1000, cli: 1200, edits: [12] }]), short), []);
    assert.deepEqual(regressions(results([{ phases: 1000, cli: 1200, edits: [40] }]), short), [
      'T1/microseg incrementalMedianMs',
    ]);
  });

  test('a CLI that failed where the baseline has a figure is a regression', () => {
    assert.deepEqual(regressions(results([{ phases: 1000, cli: 'failed', edits: [80] }]), baseline), [
      'T1/microseg cliCpuMs',
      'T1/microseg cliPeakRss',
    ]);
  });

  test('a case the baseline lacks is listed, not judged', () => {
    const c = compareWithBaseline(results([{ tier: 'T3', phases: 5000, cli: 6000 }]), baseline);
    assert.ok(c.comparable);
    assert.deepEqual(c.rows, []);
    assert.deepEqual(c.notInBaseline, ['T3/microseg']);
  });

  test('a baseline from another machine judges nothing and says why', () => {
    const c = compareWithBaseline(
      results([{ phases: 9000, cli: 9000 }], { cpuModel: 'Other CPU' }),
      baseline,
    );
    assert.equal(c.comparable, false);
    assert.match(c.comparable ? '' : c.reason, /Test CPU.*Other CPU/);
  });

  test('refreshing a baseline keeps the cases not measured again', () => {
    const two = baselineFrom(
      results([
        { tier: 'T1', phases: 1000, cli: 1200 },
        { tier: 'T3', phases: 5000, cli: 6000 },
      ]),
    );
    const refreshed = baselineFrom(results([{ tier: 'T3', phases: 4000, cli: 5000 }]), two);
    assert.deepEqual(
      refreshed.cases.map((c) => [c.tier, c.phasesCpuMs]),
      [
        ['T1', 1000],
        ['T3', 4000],
      ],
    );
  });

  test('one baseline per machine: each run is compared with the baseline of its own machine', () => {
    const xeon = baselineFrom(results([{ phases: 1000, cli: 1200 }], { cpuModel: 'Xeon' }));
    const epyc = baselineFrom(results([{ phases: 2000, cli: 2400 }], { cpuModel: 'EPYC' }));
    const file = withBaseline(withBaseline({ baselines: [] }, xeon), epyc);
    assert.deepEqual(
      file.baselines.map((b) => b.machine.cpuModel),
      ['EPYC', 'Xeon'],
    );
    assert.equal(baselineForMachine(file, { cpus: 2, cpuModel: 'EPYC' }), epyc);
    assert.equal(baselineForMachine(file, { cpus: 4, cpuModel: 'EPYC' }), undefined);
    assert.equal(baselineForMachine(file, { cpus: 2, cpuModel: 'Other' }), undefined);
    // Refreshing one machine's baseline leaves the other's as it was.
    const refreshed = withBaseline(
      file,
      baselineFrom(results([{ phases: 900, cli: 1000 }], { cpuModel: 'Xeon' })),
    );
    assert.equal(baselineForMachine(refreshed, { cpus: 2, cpuModel: 'EPYC' }), epyc);
    assert.equal(baselineForMachine(refreshed, { cpus: 2, cpuModel: 'Xeon' })?.cases[0]?.phasesCpuMs, 900);
    assert.equal(refreshed.baselines.length, 2);
  });

  test('a file of one bare baseline (the format before one per machine) reads as that one', () => {
    const bare = baselineFrom(results([{ phases: 1000, cli: 1200 }], { cpuModel: 'Xeon' }));
    assert.deepEqual(readBaselineFile(JSON.parse(JSON.stringify(bare))), { baselines: [bare] });
    assert.deepEqual(readBaselineFile({ baselines: [bare] }), { baselines: [bare] });
    assert.deepEqual(readBaselineFile({}), { baselines: [] });
  });

  test('the committed baselines cover the target suite on their machines', () => {
    const committed = readBaselineFile(
      JSON.parse(readFileSync(new URL('../../bench/baseline.json', import.meta.url), 'utf8')),
    );
    assert.ok(committed.baselines.length > 0, 'bench/baseline.json holds no baseline');
    const names = committed.baselines.map((b) => machineName(b.machine));
    assert.equal(new Set(names).size, names.length, `one baseline per machine: ${names.join(', ')}`);
    for (const baseline of committed.baselines) {
      const keys = baseline.cases.map((c) => `${c.tier}/${c.mix}`);
      for (const key of ['T1/microseg', 'T1/multitenant', 'T3/microseg', 'T4/microseg']) {
        assert.ok(keys.includes(key), `the baseline of ${machineName(baseline.machine)} lacks ${key}`);
      }
      for (const c of baseline.cases) {
        assert.ok(c.phasesCpuMs !== null && c.phasesCpuMs > 0, `${c.tier}/${c.mix} has no phases figure`);
      }
    }
  });
});
