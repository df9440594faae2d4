/**
 * One benchmark case, in its own process (so that peak memory is this case's): parse, compile, connectivity
 * and JSON output of `netfence analyze -o json`, timed separately, with the sizes that explain the cost.
 * Prints one JSON object (`Measurement`) on stdout; progress goes to stderr. `bench/run.ts` runs it.
 *
 *   node bench/measure.ts DIR [--incremental] [--paths] [--v8-defaults]
 *
 * The phases run as `analyze` runs them: an input the CLI reads on its main thread (under
 * `WORKER_INPUT_BYTES`) runs without TurboFan and gets the check that holds the young generation at 8 MiB
 * semi-spaces after each file (src/cli/young-generation.ts, on the Node versions and options where the CLI
 * does so). `--v8-defaults` runs with V8's defaults instead, as this script did before round 16
 * (docs/benchmarks.md).
 */
import { parseArgs } from 'node:util';
import { loadManifests } from '../src/parse/index.ts';
import type { CompiledCluster } from '../src/engine/compile.ts';
import { forEachClassConnection } from '../src/engine/connectivity.ts';
import { openSession } from '../src/engine/session.ts';
import { computeGroupedConnectivity } from '../src/engine/grouped.ts';
import { compileSelector } from '../src/engine/selectors.ts';
import { intervalPairs } from '../src/base/intervals.ts';
import { analysisSummary, groupedJsonChunks } from '../src/format/connectivity.ts';
import type { ClusterState, PolicyInfo } from '../src/model/cluster.ts';
import type { LabelSelector } from '../src/model/k8s.ts';
import { PROTOCOLS } from '../src/model/k8s.ts';
import { namesLargeInput, WORKER_INPUT_BYTES } from '../src/cli/input-size.ts';
import { setFlagsFromString } from 'node:v8';
import { holdsYoungGeneration, shortRunFlags, youngGenerationCap } from '../src/cli/young-generation.ts';

export interface Sizes {
  namespaces: number;
  workloads: number;
  /** Sum of replicas (real pods where given). */
  pods: number;
  /** Pods the engine computes on: real pods, plus one representative per workload given by its template. */
  podInfos: number;
  policies: number;
  classes: number;
  /** Distinct label selectors (policy podSelectors and peers' pod and namespace selectors). */
  selectors: number;
  addressClasses: number;
  /** Distinct port intervals (protocol, from, to) in the policies' numeric ports. */
  portIntervals: number;
  namedPortRefs: number;
  /** Distinct `Access` objects (classes selected by the same policies share one). */
  accessObjects: number;
  /** Allowed (source class, destination class) pairs, pods and address classes. */
  classPairs: number;
  /** Allowed (source, destination) pairs of workloads and address classes: the answer. */
  connections: number;
  /** Entries of the JSON answer (groups of sources × destinations). */
  groups?: number;
  /** Size of the JSON answer; null when it could not be written (see `outputError`). */
  outputBytes: number | null;
}

/** Wall and CPU time of one phase, in ms. */
export interface Timing {
  wallMs: number;
  cpuMs: number;
}

export interface Measurement {
  dir: string;
  parse: Timing;
  compile: Timing;
  connectivity: Timing;
  output: Timing;
  /** The four phases together. */
  total: Timing;
  /** Peak resident memory of this process, bytes. */
  peakRss: number;
  /**
   * Whether the parse phase held the young generation as the CLI's main thread does (see the top); absent in
   * results recorded before round 16, which never held it.
   */
  youngGenerationHeld?: boolean;
  /** The V8 flags set as the CLI sets them (see the top), when any; absent before round 16. */
  v8Flags?: string;
  sizes: Sizes;
  /** Why the JSON output failed, when it did. */
  outputError?: string;
  incremental?: IncrementalMeasurement;
  paths?: { build: Timing; rank: Timing };
}

export interface IncrementalMeasurement {
  /** Building the incremental engine and its first connectivity (ms). */
  initialMs: number;
  /** Each edit: its kind, the classes it touched, and the time until the updated connectivity was ready. */
  edits: { kind: string; policy: string; touchedClasses: number; ms: number }[];
  /** Whether the incremental result matched a fresh compile after the edits. */
  verified: boolean;
}

function selectorKeys(policies: readonly PolicyInfo[]): number {
  const keys = new Set<string>();
  const add = (s: LabelSelector | undefined, kind: string): void => {
    if (s !== undefined) keys.add(`${kind}${compileSelector(s).key}`);
  };
  for (const p of policies) {
    add(p.spec.podSelector ?? {}, 'p');
    for (const rule of [
      ...(p.spec.ingress ?? []).map((r) => r.from),
      ...(p.spec.egress ?? []).map((r) => r.to),
    ]) {
      for (const peer of rule ?? []) {
        add(peer.podSelector, 'p');
        add(peer.namespaceSelector, 'n');
      }
    }
  }
  return keys.size;
}

function portSizes(compiled: CompiledCluster): { intervals: number; named: number } {
  const intervals = new Set<string>();
  let named = 0;
  for (const p of compiled.policies) {
    for (const rule of [...p.ingress, ...p.egress]) {
      if (rule.ports.any) continue;
      named += rule.ports.named.length;
      for (const protocol of PROTOCOLS) {
        for (const [from, to] of intervalPairs(rule.ports.numeric[protocol]))
          intervals.add(`${protocol}/${from}-${to}`);
      }
    }
  }
  return { intervals: intervals.size, named };
}

export function time<T>(fn: () => T): [T, Timing] {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  const value = fn();
  return [value, { wallMs: ms(wall), cpuMs: cpuMs(cpu) }];
}

async function timeAsync<T>(fn: () => Promise<T>): Promise<[T, Timing]> {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  const value = await fn();
  return [value, { wallMs: ms(wall), cpuMs: cpuMs(cpu) }];
}

function progress(text: string): void {
  process.stderr.write(`  ${text}\n`);
}

function ms(since: number): number {
  return Math.round((performance.now() - since) * 10) / 10;
}

/** CPU time (user + system) of this process since `since`, in ms: steadier than wall time on a busy machine. */
function cpuMs(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return Math.round((d.user + d.system) / 100) / 10;
}

/** Allowed (class, class) and (class, address class) pairs, counted without keeping them. */
function countClassPairs(compiled: CompiledCluster): number {
  let n = 0;
  const count = (): void => {
    n++;
  };
  forEachClassConnection(compiled, count, count, count);
  return n;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      incremental: { type: 'boolean', default: false },
      paths: { type: 'boolean', default: false },
      'v8-defaults': { type: 'boolean', default: false },
    },
  });
  const dir = positionals[0];
  if (dir === undefined)
    throw new Error('usage: node bench/measure.ts DIR [--incremental] [--paths] [--v8-defaults]');
  // As src/cli/process.ts decides them for the main thread (a large input runs on a worker, with V8's
  // compilers and its own young generation); decided before the clock starts, as the CLI does before the command.
  const { execArgv } = process;
  const options = process.env.NODE_OPTIONS;
  const small = !(await namesLargeInput([dir], WORKER_INPUT_BYTES));
  const defaults = values['v8-defaults'];
  const hold = !defaults && small && holdsYoungGeneration(process.versions.node, execArgv, options);
  const flags = defaults
    ? undefined
    : shortRunFlags('analyze', small, process.versions.node, execArgv, options);
  if (flags !== undefined) setFlagsFromString(flags);

  const start = { wall: performance.now(), cpu: process.cpuUsage() };
  const [loaded, parse] = await timeAsync(() =>
    loadManifests([dir], {
      defaultNamespace: 'default',
      skipInvalid: false,
      ...(hold ? { afterFile: youngGenerationCap() } : {}),
    }),
  );
  if (loaded.errors.length > 0)
    throw new Error(`${loaded.errors.length} errors, first: ${loaded.errors[0]!.message}`);
  const state: ClusterState = loaded.state;
  progress(`parsed in ${parse.wallMs} ms`);

  // Through the session facade, as the commands do: its compiled state is compiled on first use, so timing
  // that first use times the compilation alone. The grouped connectivity (what `analyze` prints at scale) is
  // not a session's: it is computed here from the compiled state, timed on its own.
  const session = openSession(state);
  const [compiled, compile] = time(() => session.compiled);
  progress(`compiled in ${compile.wallMs} ms (${compiled.classes.length} classes)`);

  const [conn, connectivity] = time(() => computeGroupedConnectivity(compiled, 'workload'));
  progress(
    `connectivity in ${connectivity.wallMs} ms (${conn.pairs} connections in ${conn.groups.length} groups)`,
  );

  // Written in pieces as `analyze` does (a large answer is longer than the longest string V8 allows); an
  // error (out of memory) is recorded, not fatal.
  let outputError: string | undefined;
  const [outputBytes, output] = time(() => {
    let bytes = 0;
    try {
      const summary = analysisSummary(state);
      for (const chunk of groupedJsonChunks(conn, compiled.addressSpace, summary))
        bytes += Buffer.byteLength(chunk);
      return bytes;
    } catch (error) {
      outputError = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      return null;
    }
  });
  progress(
    outputError === undefined
      ? `output in ${output.wallMs} ms (${((outputBytes ?? 0) / 1e6).toFixed(1)} MB)`
      : `output failed after ${output.wallMs} ms: ${outputError}`,
  );
  const total: Timing = { wallMs: ms(start.wall), cpuMs: cpuMs(start.cpu) };

  const ports = portSizes(compiled);
  const sizes: Sizes = {
    namespaces: state.namespaces.length,
    workloads: state.workloads.length,
    pods: state.workloads.reduce((n, w) => n + (w.pods.length > 0 ? w.pods.length : (w.replicas ?? 1)), 0),
    podInfos: state.pods.length,
    policies: state.policies.length,
    classes: compiled.classes.length,
    selectors: selectorKeys(state.policies),
    addressClasses: compiled.addressSpace.classes.length,
    portIntervals: ports.intervals,
    namedPortRefs: ports.named,
    accessObjects: new Set([...compiled.ingress, ...compiled.egress]).size,
    classPairs: countClassPairs(compiled),
    connections: conn.pairs,
    groups: conn.groups.length,
    outputBytes,
  };
  const result: Measurement = {
    dir,
    parse,
    compile,
    connectivity,
    output,
    total,
    peakRss: process.resourceUsage().maxRSS * 1024,
    youngGenerationHeld: hold,
    ...(flags === undefined ? {} : { v8Flags: flags }),
    sizes,
  };
  if (outputError !== undefined) result.outputError = outputError;

  if (values.paths) {
    const paths = await import('../src/engine/paths.ts');
    const [graph, build] = time(() => paths.buildLateralGraph(compiled));
    const [ranking, rank] = time(() =>
      paths.blastRadius(graph).sort((a, b) => b.reach - a.reach || a.workload - b.workload),
    );
    progress(
      `paths: graph in ${build.wallMs} ms, ranking in ${rank.wallMs} ms (top reach ${ranking[0]?.reach ?? 0})`,
    );
    result.paths = { build, rank };
  }

  if (values.incremental) {
    const { measureIncremental } = await import('./incremental.ts');
    result.incremental = measureIncremental(state, session.connectivity('workload'), progress);
  }
  result.peakRss = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

await main();
