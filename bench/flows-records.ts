/**
 * The per-record path of the flow readers alone: the lines of a capture, already in memory as text, fed to a
 * `FlowObserver` (format detection, parsing, matching to workloads, aggregation), without reading or
 * decoding the file and on one thread. Prints the CPU time per line of each run (the steadier figure on a
 * shared machine) and a digest of the map's JSON, so that an optimisation can be checked to keep the answer
 * byte-identical. Not a test. Captures come from `node bench/flows.ts --flows N --write-only`.
 *
 *   node bench/flows-records.ts <cluster.yaml> <capture> [--lines 300000] [--runs 5]
 *
 * The lines are cut from 1 MiB pieces of text as the stream reader cuts them (slices of a larger string), so
 * that the strings the parsers see are those they see when reading a file.
 */
import { createHash } from 'node:crypto';
import { openSync, readSync, closeSync } from 'node:fs';
import { FlowObserver } from '../src/flows/index.ts';
import { observedMapToJson } from '../src/format/flows.ts';
import { loadManifests } from '../src/parse/index.ts';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const [clusterPath, capture] = args;
const LINES = flag('--lines', 300_000);
const RUNS = flag('--runs', 5);
if (clusterPath === undefined || capture === undefined) {
  console.error('usage: node bench/flows-records.ts <cluster.yaml> <capture> [--lines 300000] [--runs 5]');
  process.exit(2);
}
const { state } = await loadManifests([clusterPath], { defaultNamespace: 'default', skipInvalid: false });

/** The first `LINES` lines of the capture, as 1 MiB pieces of text that end at a line's end. */
function pieces(): string[] {
  const fd = openSync(capture!, 'r');
  const out: string[] = [];
  const buf = Buffer.alloc(1 << 20);
  const decoder = new TextDecoder();
  let rest = '';
  let lines = 0;
  try {
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      const text = rest + decoder.decode(buf.subarray(0, n), { stream: true });
      let end = 0;
      for (let nl = text.indexOf('\n'); nl >= 0 && lines < LINES; nl = text.indexOf('\n', nl + 1)) {
        end = nl + 1;
        lines++;
      }
      out.push(text.slice(0, end));
      rest = text.slice(end);
      if (lines >= LINES) break;
    }
  } finally {
    closeSync(fd);
  }
  return out;
}

const chunks = pieces();
for (let run = 0; run < RUNS; run++) {
  const cpu0 = process.cpuUsage();
  const observer = new FlowObserver(state);
  const input = observer.input(capture);
  for (const text of chunks) {
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      input.line(text.slice(start, nl));
      start = nl + 1;
    }
  }
  input.end();
  const traffic = observer.result();
  const used = process.cpuUsage(cpu0);
  const cpu = (used.user + used.system) / 1e6;
  const lineCount = input.lines;
  const digest = createHash('sha256')
    .update(JSON.stringify(observedMapToJson(traffic, state)))
    .digest('hex')
    .slice(0, 12);
  console.log(
    `${lineCount.toLocaleString('en-US')} lines: CPU ${cpu.toFixed(2)} s, ${((cpu / lineCount) * 1e6).toFixed(2)} µs a line (${Math.round(lineCount / cpu).toLocaleString('en-US')} lines/s), map ${digest}`,
  );
}
