/**
 * The flow readers alone, in this process: `readFlows` of a capture against a cluster, timed (wall and CPU
 * time: on a shared machine, CPU time is the steadier figure) after the manifests are loaded. Prints the
 * lines per second and a digest of the map's JSON, so that an optimisation can be checked to keep the
 * answer byte-identical. Not a test. Captures come from `node bench/flows.ts --flows N --keep`.
 *
 *   node bench/flows-read.ts <cluster.yaml> <capture> [--runs 3] [--threads N]
 *
 * `--threads 1` reads sequentially; without it, as `readFlows` does (NETFENCE_FLOW_THREADS, else every
 * core). The CPU time counts every thread of the process.
 */
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { readFlows } from '../src/flows/index.ts';
import { observedMapToJson } from '../src/format/flows.ts';
import { loadManifests } from '../src/parse/index.ts';

const [clusterPath, capture] = process.argv.slice(2);
const runsAt = process.argv.indexOf('--runs');
const RUNS = runsAt > 0 ? Number(process.argv[runsAt + 1]) : 3;
const threadsAt = process.argv.indexOf('--threads');
const THREADS = threadsAt > 0 ? Number(process.argv[threadsAt + 1]) : undefined;
if (clusterPath === undefined || capture === undefined) {
  console.error('usage: node bench/flows-read.ts <cluster.yaml> <capture> [--runs 3] [--threads N]');
  process.exit(2);
}
const { state } = await loadManifests([clusterPath], { defaultNamespace: 'default', skipInvalid: false });
const size = statSync(capture).size;
for (let run = 0; run < RUNS; run++) {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let how = '';
  const traffic = await readFlows([capture], state, {
    ...(THREADS === undefined ? {} : { threads: THREADS }),
    onReading: (h) => {
      how =
        'sequential' in h ? `sequentially (${h.sequential})` : `on ${h.threads} threads, ${h.shards} shards`;
    },
  });
  const wall = (performance.now() - t0) / 1000;
  const used = process.cpuUsage(cpu0);
  const cpu = (used.user + used.system) / 1e6;
  const lines = traffic.stats.files.reduce((n, f) => n + f.lines, 0);
  const digest = createHash('sha256')
    .update(JSON.stringify(observedMapToJson(traffic, state)))
    .digest('hex')
    .slice(0, 12);
  const rate = (s: number): string => `${Math.round(lines / s).toLocaleString('en-US')} lines/s`;
  console.log(
    `${lines.toLocaleString('en-US')} lines, ${(size / 2 ** 20).toFixed(0)} MiB: wall ${wall.toFixed(2)} s (${rate(wall)}), CPU ${cpu.toFixed(2)} s (${rate(cpu)}, ${(size / 2 ** 20 / cpu).toFixed(0)} MiB/s), peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB, map ${digest}, read ${how}`,
  );
}
