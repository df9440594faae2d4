/**
 * Large flow captures read on several threads, with the answer of one sequential reading, byte for byte.
 *
 * Each large file is cut into byte ranges at line starts (a gzip file in ranges of its inflated bytes: every
 * thread inflates from the start and skips to its range); each range (a shard) is read by a thread of its own
 * (this very module on worker threads, and the calling thread) into a map of its own, and the maps are
 * merged in order: counts and statistics summed, first and last seen combined, problems and unmatched
 * endpoints ordered by line as one reading lists them.
 *
 * CSV rows and JSON Lines records stand alone. A Hubble flow does not: it counts as a new attempt only when
 * its 5-tuple was not seen within the dedupe window before, possibly in an earlier shard. So a shard leaves
 * every 5-tuple new to it within a window (and an allowed disorder) of its first flow pending, with all
 * later flows of that tuple, and the stitch counts those, in order, against the tuples the earlier shards
 * remembered at their ends: the same decisions one reading takes. What the stitch cannot reproduce exactly
 * (flows without times, or out of time order by more than `SHARD_ORDER_SLACK_MS`; a tuple repeated after
 * the sequential reader may have forgotten it; too many tuples at once) makes the whole reading start
 * again sequentially. Where it can, that is decided before the reading (a flow without a time in a file's
 * first MiB; times going back at the cuts of a plain file) or as soon as a shard meets it (then every thread
 * stops). A file that fails while read keeps its error, as in one reading: the shards after the failure are
 * dropped, the others stand. Verdicts (`check-flows --verdicts`) and standard input are always read
 * sequentially.
 */
import { open, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { ClusterState } from '../model/cluster.ts';
import {
  FlowAggregator,
  MAX_PROBLEMS,
  MAX_TUPLES,
  SHARD_ORDER_SLACK_MS,
  sortConnections,
  PendingFlows,
  type ExportedTuples,
  type PendingData,
  type ShardTuples,
} from './aggregate.ts';
import { parseHubbleObject } from './hubble.ts';
import { FlowMatcher } from './match.ts';
import { mergeConnection } from './merge.ts';
import {
  firstFormatLine,
  FlowObserver,
  startInput,
  type InputContinuation,
  type ObserveOptions,
} from './parser.ts';
import type { FlowProgress } from './read.ts';
import { errnoReason, feed, fileBytes, isGzip } from './stream.ts';
import {
  emptyStats,
  type FlowProblem,
  type FlowStats,
  type ObservedConnection,
  type ObservedTraffic,
  type UnmatchedEndpoint,
} from './types.ts';

/** Inputs smaller than this in all are read on one thread (starting threads costs more than it saves). */
export const PARALLEL_MIN_BYTES = 16 << 20;
/** The bytes read at the start of a file for the line that says its format (the CSV header). */
const PROBE_BYTES = 1 << 20;
/**
 * The least bytes of a shard: a file is cut only from twice this size, and in at most one range per this
 * size (each thread costs 25–30 MiB and 0.2 s of CPU to start: a range must be worth it).
 */
const MIN_SHARD_BYTES = 8 << 20;
/** The young generation of a worker, in MiB. */
const WORKER_YOUNG_MB = 8;
/** The most threads used (each adds 25–30 MiB: four keep 10 million flows near the 300 MiB goal). */
const MAX_THREADS = 4;

/**
 * Threads to read with: `NETFENCE_FLOW_THREADS` (1 reads sequentially), else the machine's parallelism; never
 * more than `MAX_THREADS`. A value that is not a whole number from 1 is not used, and a notice says so.
 */
export function flowThreadsSetting(env: NodeJS.ProcessEnv = process.env): {
  threads: number;
  notice?: string;
} {
  const text = env.NETFENCE_FLOW_THREADS;
  const machine = Math.max(1, Math.min(MAX_THREADS, availableParallelism()));
  if (text === undefined || text.trim() === '') return { threads: machine };
  if (/^[0-9]+$/.test(text.trim()) && Number(text.trim()) >= 1) {
    return { threads: Math.min(MAX_THREADS, Number(text.trim())) };
  }
  return {
    threads: machine,
    notice: `NETFENCE_FLOW_THREADS=${JSON.stringify(text)} is not a number of threads (a whole number from 1; 1 reads on one thread): reading on ${machine}`,
  };
}

/** `flowThreadsSetting`'s threads. */
export function flowThreads(env: NodeJS.ProcessEnv = process.env): number {
  return flowThreadsSetting(env).threads;
}

interface ShardSpec {
  index: number;
  /** Index of the file in the inputs. */
  file: number;
  path: string;
  gzip: boolean;
  /** The shard's lines are those starting at or after the first line start at or after `start`... */
  start: number;
  /** ... and before the first line start at or after `end` (Infinity: the end of the file). */
  end: number;
  /** Undefined for a file's first shard (it detects the format); else its format and CSV header. */
  continuation: InputContinuation | undefined;
  /** Whether shards come before it (whose Hubble 5-tuples its flows may repeat). */
  predecessors: boolean;
  /**
   * Whether shards come after it (whose flows may repeat its Hubble 5-tuples): the last shard sends none of the
   * tuples it remembers at its end, which nothing would read.
   */
  successors: boolean;
}

interface ShardResult {
  index: number;
  /** Lines of the shard. */
  lines: number;
  stats: FlowStats;
  connections: ObservedConnection[];
  /** Insertion order; `line` in the shard. */
  unmatched: { key: string; endpoint: UnmatchedEndpoint; line: number }[];
  /** Lines in the shard. */
  problems: FlowProblem[];
  errors: FlowProblem[];
  notices: string[];
  /** The shard's 5-tuples, its pending flows as data (`PendingFlows.toData`). */
  tuples: Omit<ShardTuples, 'pending'> & { pending: PendingData };
  recent: ExportedTuples;
  /** Why the file could not be read to the end. */
  readError?: string;
}

/** The options a worker can receive (no callbacks). */
type WorkerOptions = Pick<ObserveOptions, 'format' | 'dedupeWindowMs'>;

interface FlowWorkerData {
  kind: 'netfence-flows';
  state: ClusterState;
  options: WorkerOptions;
  /**
   * Shared by the threads of one reading: [0] not 0 when every shard stops (the reading is given up); [1 + f]
   * the index + 1 of the first shard of file f that failed to read (the shards after it stop), 0 if none.
   */
  stop: Int32Array;
}

type WorkerReply =
  { result: ShardResult } | { progress: { records: number; bytes: number; connections: number } };

/** Records and bytes read since the last call, and the connections of the shard read. */
type Tick = (records: number, bytes: number, connections: number) => void;

/**
 * The lines of a byte stream whose start is at `offset` that belong to a shard: from the first line start at
 * or after `start`, up to (and with) the line holding byte `end - 1`.
 */
async function* shardBytes(
  chunks: AsyncIterable<Buffer>,
  offset: number,
  start: number,
  end: number,
): AsyncGenerator<Uint8Array> {
  let pos = offset;
  let started = start === 0;
  for await (const chunk of chunks) {
    let c: Uint8Array = chunk;
    let at = pos;
    pos += chunk.length;
    if (!started) {
      // The first line start at or after `start`: just after a newline at `start - 1` or later.
      if (pos <= start - 1) continue;
      const nl = c.indexOf(10, Math.max(0, start - 1 - at));
      if (nl < 0) continue;
      c = c.subarray(nl + 1);
      at += nl + 1;
      started = true;
      if (at >= end) return;
    }
    if (at + c.length >= end) {
      const nl = c.indexOf(10, Math.max(0, end - 1 - at));
      if (nl >= 0) {
        yield c.subarray(0, nl + 1);
        return;
      }
    }
    if (c.length > 0) yield c;
  }
}

/** The chunks of `chunks` until `halted` says to stop (checked before each one). */
async function* until(chunks: AsyncIterable<Uint8Array>, halted: () => boolean): AsyncGenerator<Uint8Array> {
  for await (const chunk of chunks) {
    if (halted()) return;
    yield chunk;
  }
}

/** Marks `spec` as the first shard of its file that failed to read, unless an earlier one did. */
function stopAfter(stop: Int32Array, spec: ShardSpec): void {
  const slot = 1 + spec.file;
  for (let seen = Atomics.load(stop, slot); seen === 0 || seen > spec.index + 1;) {
    const was = Atomics.compareExchange(stop, slot, seen, spec.index + 1);
    if (was === seen) return;
    seen = was;
  }
}

/**
 * Reads one shard into a map of its own. It stops early when the reading is given up (`stop`), when it finds
 * it cannot be stitched (then it gives the reading up for every thread), or after an earlier shard of its
 * file failed to read.
 */
async function readShard(
  spec: ShardSpec,
  matcher: FlowMatcher,
  options: WorkerOptions,
  tick: Tick,
  stop: Int32Array,
): Promise<ShardResult> {
  const observer = new FlowObserver(matcher.state, options, matcher);
  observer.aggregator.startShard(spec.predecessors);
  const input = observer.input(spec.path, spec.continuation);
  const offset = spec.gzip ? 0 : Math.max(0, spec.start - 1);
  const halted = (): boolean => {
    if (observer.aggregator.shardFailure !== undefined) Atomics.store(stop, 0, 1);
    const failedAt = Atomics.load(stop, 1 + spec.file);
    return Atomics.load(stop, 0) !== 0 || (failedAt !== 0 && spec.index >= failedAt);
  };
  let readError: string | undefined;
  let ticked = 0;
  let records = 0;
  try {
    await feed(
      until(shardBytes(fileBytes(spec.path, spec.gzip, offset), offset, spec.start, spec.end), halted),
      input,
      (bytes) => {
        tick(observer.stats.records - records, bytes - ticked, observer.aggregator.size);
        ticked = bytes;
        records = observer.stats.records;
      },
      spec.start > 0,
    );
  } catch (error) {
    readError = `cannot read "${spec.path}": ${errnoReason(error)}`;
    stopAfter(stop, spec);
  }
  // A file that fails is not ended, as in one reading (no entry in the statistics).
  if (readError === undefined) input.end();
  const { connections, unmatched } = observer.aggregator.unsortedResult();
  const { tuples, recent } = observer.aggregator.shardTuples(connections, spec.successors);
  return {
    index: spec.index,
    lines: input.lines,
    stats: observer.stats,
    connections,
    unmatched,
    problems: observer.aggregator.problems,
    errors: observer.errors,
    notices: observer.notices,
    tuples: { ...tuples, pending: tuples.pending.toData() },
    recent,
    ...(readError === undefined ? {} : { readError }),
  };
}

/** The state's lists the flow matcher reads, as data a worker can be given (origins hold functions). */
function matcherState(state: ClusterState): ClusterState {
  const plain = <T extends { origin?: unknown }>(items: readonly T[]): T[] =>
    items.map((item) => {
      if (item.origin === undefined) return item;
      const copy = { ...item };
      delete copy.origin;
      return copy;
    });
  return {
    namespaces: [],
    workloads: plain(state.workloads),
    pods: plain(state.pods),
    policies: [],
    services: plain(state.services),
    clusterPolicies: [],
    nodes: [],
    ciliumPolicies: [],
  };
}

/** The first bytes of a file (inflated when gzip): at most `PROBE_BYTES`. */
async function firstBytes(path: string, gzip: boolean): Promise<Buffer> {
  const parts: Buffer[] = [];
  let n = 0;
  const stream = fileBytes(path, gzip, 0);
  try {
    for await (const chunk of stream) {
      parts.push(chunk);
      n += chunk.length;
      if (n >= PROBE_BYTES) break;
    }
  } finally {
    (stream as unknown as { destroy?: () => void }).destroy?.();
  }
  return Buffer.concat(parts).subarray(0, PROBE_BYTES);
}

/**
 * The inflated size of a gzip file, counted by inflating it: its trailer cannot say it (it gives the last
 * member's size only, modulo 4 GiB, and garbage when the file is cut short). A file that fails to inflate is
 * `damaged` (read on one thread, where its error is found again).
 */
async function inflatedSize(path: string): Promise<{ size: number; damaged: boolean }> {
  let size = 0;
  try {
    for await (const chunk of fileBytes(path, true)) size += chunk.length;
    return { size, damaged: false };
  } catch {
    return { size, damaged: true };
  }
}

/** Bytes read on each side of a cut of a plain Hubble file for the times of its flows. */
const CUT_WINDOW = 64 << 10;

/**
 * The times of the Hubble flows with a 5-tuple on the complete lines of `text` (its first line too when
 * `whole`), in order: NaN for a flow without a time.
 */
function flowTimes(text: string, whole: boolean): number[] {
  const lines = text.split('\n');
  lines.pop(); // unfinished
  if (!whole) lines.shift(); // may have started before
  const times: number[] = [];
  for (const line of lines) {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      continue;
    }
    const r = parseHubbleObject(value);
    if (r.kind === 'flow' && r.record.tuple !== undefined) times.push(r.record.firstSeen ?? Number.NaN);
  }
  return times;
}

/**
 * The times of a plain file's flows around `cut` (the lines within `CUT_WINDOW` before and after it) that
 * start at or after `from`, a line start; and where the lines read end.
 */
async function timesAround(
  path: string,
  cut: number,
  from: number,
): Promise<{ times: number[]; to: number }> {
  const start = Math.max(from, cut - CUT_WINDOW);
  if (start >= cut + CUT_WINDOW) return { times: [], to: from };
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(cut + CUT_WINDOW - start);
    const { bytesRead } = await fh.read(buf, 0, buf.length, start);
    const end = buf.subarray(0, bytesRead).lastIndexOf(10) + 1;
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(buf.subarray(0, end));
    return { times: flowTimes(text, start === from), to: end > 0 ? start + end : from };
  } finally {
    await fh.close();
  }
}

/** A file's shards, and the times of Hubble flows read while planning them, in the file's order. */
interface FilePlan {
  shards: Omit<ShardSpec, 'index' | 'predecessors' | 'successors'>[];
  times: number[];
}

/**
 * The shards of one file of `length` bytes (inflated, for gzip): cut in `parts` ranges when its first line
 * says the format, else one. For Hubble, the times of flows at its start and (plain files) around the cuts.
 */
async function planFile(
  path: string,
  file: number,
  gzip: boolean,
  length: number,
  parts: number,
  forced: ObserveOptions['format'],
  minShard: number,
): Promise<FilePlan> {
  const whole = {
    shards: [{ file, path, gzip, start: 0, end: Number.POSITIVE_INFINITY, continuation: undefined }],
    times: [],
  };
  if (parts < 2 || length < 2 * minShard) return whole;
  let head: Buffer;
  try {
    head = await firstBytes(path, gzip);
  } catch {
    // Damaged (a gzip header or its first bytes): read on one thread, which reports it as usual.
    return whole;
  }
  const lastNewline = head.lastIndexOf(10);
  if (lastNewline < 0) return whole;
  // Decoded as the first shard decodes it (a byte order mark dropped).
  const text = new TextDecoder('utf-8').decode(head.subarray(0, lastNewline + 1));
  const lines = text.slice(0, -1).split('\n');
  const first = firstFormatLine(lines, forced);
  if (first === undefined) return whole;
  const started =
    first.index < 0
      ? ({ ok: true, format: forced!, header: undefined } as const)
      : startInput(first.text, forced);
  if (!started.ok) return whole;
  const continuation: InputContinuation = { format: started.format, header: started.header };
  // The first shard holds the line that says the format: the others are told it.
  let firstEnd = 0;
  for (let i = 0; i <= first.index; i++) firstEnd = head.indexOf(10, firstEnd) + 1;
  const cuts: number[] = [0];
  for (let i = 1; i < parts; i++) {
    const cut = Math.max(minShard, firstEnd, Math.floor((length * i) / parts));
    if (cut > cuts[cuts.length - 1]!) cuts.push(cut);
  }
  const times = started.format === 'hubble' ? flowTimes(text, true) : [];
  if (started.format === 'hubble' && !gzip) {
    // In the file's order: each window from where the lines read so far end.
    let to = lastNewline + 1;
    try {
      for (const cut of cuts.slice(1)) {
        const around = await timesAround(path, cut, to);
        times.push(...around.times);
        to = around.to;
      }
    } catch {
      // Unreadable there: the reading finds it again, and keeps its error.
    }
  }
  return {
    shards: cuts.map((start, i) => ({
      file,
      path,
      gzip,
      start,
      end: cuts[i + 1] ?? Number.POSITIVE_INFINITY,
      continuation: i === 0 ? undefined : continuation,
    })),
    times,
  };
}

/**
 * Why the shards of flows with these times (in the inputs' order) cannot be stitched, if that is sure already:
 * a flow without a time, or times going back by more than the allowed disorder, as the stitch finds them.
 */
function unstitchable(times: readonly number[]): string | undefined {
  let latest = Number.NEGATIVE_INFINITY;
  for (const t of times) {
    if (Number.isNaN(t)) return 'a Hubble flow without a time';
    if (t < latest - SHARD_ORDER_SLACK_MS) return 'flows out of time order';
    if (t > latest) latest = t;
  }
  return undefined;
}

/** Threads reading shards: the calling thread and workers started on demand. */
class ShardPool {
  private readonly workers: Worker[] = [];
  private readonly data: FlowWorkerData;
  private readonly matcher: FlowMatcher;

  constructor(state: ClusterState, matcher: FlowMatcher, options: WorkerOptions, files: number) {
    this.matcher = matcher;
    const stop = new Int32Array(new SharedArrayBuffer(4 * (1 + files)));
    this.data = { kind: 'netfence-flows', state: matcherState(state), options, stop };
  }

  /** Reads every shard, `threads` at a time (this thread and `threads - 1` workers), results in the shards' order. */
  async run(shards: readonly ShardSpec[], threads: number, tick: Tick): Promise<ShardResult[] | string> {
    const results: ShardResult[] = [];
    let next = 0;
    // Workers take the shards from the front; this thread too, after starting them.
    const onWorker = async (worker: Worker): Promise<void> => {
      try {
        for (let i = next++; i < shards.length; i = next++)
          results[i] = await this.onWorker(worker, shards[i]!, tick);
        // Its memory (a heap with the dedupe window of its shard) goes now, not when the last shard is read.
        await worker.terminate();
      } catch (error) {
        Atomics.store(this.data.stop, 0, 1); // the others stop: the reading starts again on one thread
        throw error;
      }
    };
    const running: Promise<void>[] = [];
    for (let w = 1; w < Math.min(threads, shards.length); w++) {
      const worker = new Worker(new URL(import.meta.url), {
        workerData: this.data,
        // A small young generation: a worker's lines die young, and the peak memory of the process stays that
        // of one thread (measured: 245 MiB for 1 million CSV rows, as on one thread; 297 MiB with V8's default).
        resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_MB },
      });
      this.workers.push(worker);
      running.push(onWorker(worker));
    }
    const here = async (): Promise<void> => {
      for (let i = next++; i < shards.length; i = next++) {
        results[i] = await readShard(shards[i]!, this.matcher, this.data.options, tick, this.data.stop);
      }
    };
    try {
      // A worker that fails (out of memory, say) leaves its shard unread: the caller reads sequentially.
      const settled = await Promise.allSettled([here(), ...running]);
      const failed = settled.find((s) => s.status === 'rejected');
      if (failed !== undefined) {
        const reason: unknown = failed.reason;
        return `a thread failed: ${reason instanceof Error ? reason.message : String(reason)}`;
      }
    } finally {
      await Promise.all(this.workers.map((w) => w.terminate()));
    }
    return results;
  }

  private onWorker(worker: Worker, spec: ShardSpec, tick: Tick): Promise<ShardResult> {
    return new Promise((resolve, reject) => {
      const onMessage = (reply: WorkerReply): void => {
        if ('progress' in reply) {
          tick(reply.progress.records, reply.progress.bytes, reply.progress.connections);
          return;
        }
        worker.off('message', onMessage);
        worker.off('error', reject);
        worker.off('exit', onExit);
        resolve(reply.result);
      };
      const onExit = (code: number): void => reject(new Error(`exit code ${code}`));
      worker.on('message', onMessage);
      worker.on('error', reject);
      worker.once('exit', onExit);
      worker.postMessage(spec);
    });
  }
}

/** A position in the inputs: file, then line. */
function before(a: { file: number; line: number }, b: { file: number; line: number }): number {
  return a.file - b.file || a.line - b.line;
}

type StatKey = Exclude<keyof FlowStats, 'files'>;
const STAT_KEYS = Object.keys(emptyStats()).filter((k) => k !== 'files') as StatKey[];

/**
 * The shards' maps as one: the map one sequential reading of the inputs gives, or undefined when the Hubble
 * flows cannot be stitched exactly.
 */
function stitch(
  specs: readonly ShardSpec[],
  results: readonly ShardResult[],
  names: readonly string[],
  readErrors: readonly (FlowProblem | undefined)[],
  matcher: FlowMatcher,
  options: WorkerOptions,
): ObservedTraffic | string {
  // A range that met Hubble it cannot stitch stopped every thread, some before they read a line (their file
  // then has no entry yet): its reason first, before anything is merged.
  for (const [i, r] of results.entries()) {
    if (r.tuples.failure !== undefined) return `${r.tuples.failure} in ${names[specs[i]!.file]!}`;
  }
  const stats = emptyStats();
  const replay = new FlowAggregator(matcher, stats, options);
  replay.startShard(false);
  const connections = new Map<string, ObservedConnection>();
  const problems: (FlowProblem & { at: number })[] = [];
  const unmatched = new Map<string, { endpoint: UnmatchedEndpoint; file: number; line: number }>();
  const lineOffset = names.map(() => 0);
  const fileEntries = names.map((): FlowStats['files'][number] | undefined => undefined);
  const errors: FlowProblem[][] = names.map((_, i) => (readErrors[i] === undefined ? [] : [readErrors[i]]));
  const notices: string[] = [];
  let latest = Number.NEGATIVE_INFINITY;
  let sawTuples = false;
  /** Connections of earlier shards, with no attempts: the denied attempts pending flows add to them. */
  const allDeltas: ObservedConnection[] = [];
  const noteUnmatched = (key: string, u: UnmatchedEndpoint, file: number, line: number): void => {
    const prev = unmatched.get(key);
    if (prev === undefined) unmatched.set(key, { endpoint: { ...u }, file, line });
    else {
      if (before({ file, line }, prev) < 0) {
        const { records, count } = prev.endpoint;
        Object.assign(prev, { endpoint: { ...u, records, count }, file, line });
      }
      prev.endpoint.records += u.records;
      prev.endpoint.count += u.count;
    }
  };
  /** Files that failed to read: their shards after the failure are not counted, as one reading stops there. */
  const failedFiles = new Set<number>();
  for (const [i, r] of results.entries()) {
    const spec = specs[i]!;
    if (failedFiles.has(spec.file)) continue;
    const name = names[spec.file]!;
    const offset = lineOffset[spec.file]!;
    lineOffset[spec.file] = offset + r.lines;
    const t = r.tuples;
    if (!Number.isNaN(t.first)) {
      if (sawTuples && t.min < latest - SHARD_ORDER_SLACK_MS) return 'flows out of time order across shards';
      // The stitch's flows are named by the file's index, for their order (two inputs may share a name).
      const pending = PendingFlows.fromData(t.pending);
      for (let p = 0; p < pending.length; p++) {
        const { record, line, max } = pending.flow(p);
        replay.addPending(record, Math.max(latest, max), String(spec.file), line + offset);
      }
      const deltas = new Map<number, ObservedConnection>();
      const { tuples: recentTuples, columns } = r.recent;
      for (const [k, tuple] of recentTuples.entries()) {
        const last = columns[3 * k]!;
        const denied = columns[3 * k + 1] === 1;
        const conn = columns[3 * k + 2]!;
        let delta: ObservedConnection | undefined;
        if (conn >= 0) {
          delta = deltas.get(conn);
          if (delta === undefined) {
            const { src, dst, protocol, port } = r.connections[conn]!;
            delta = { src, dst, protocol, port, count: 0, denied: 0 };
            deltas.set(conn, delta);
          }
        }
        replay.remember(tuple, last, denied, delta);
      }
      // Merged at the end: the pending flows of later shards may still mark them denied.
      allDeltas.push(...deltas.values());
      latest = Math.max(latest, t.max);
      sawTuples = true;
      replay.forgetOld(latest);
      if (replay.rememberedTuples + t.peak + recentTuples.length > MAX_TUPLES / 2)
        return 'too many 5-tuples at once';
    }
    for (const c of r.connections) mergeConnection(connections, c);
    for (const k of STAT_KEYS) stats[k] += r.stats[k];
    for (const f of r.stats.files) fileEntries[spec.file] = f;
    if (spec.continuation !== undefined) fileEntries[spec.file]!.lines += r.lines;
    for (const p of r.problems) problems.push({ ...p, file: name, line: p.line + offset, at: spec.file });
    for (const u of r.unmatched) noteUnmatched(u.key, u.endpoint, spec.file, u.line + offset);
    errors[spec.file]!.push(...r.errors);
    notices.push(...r.notices);
    if (r.readError !== undefined) {
      errors[spec.file]!.push({ file: name, line: 0, message: r.readError });
      fileEntries[spec.file] = undefined;
      failedFiles.add(spec.file);
    }
  }
  if (replay.shardFailure !== undefined) return `${replay.shardFailure} across shards`;
  for (const d of allDeltas) mergeConnection(connections, d);
  const { connections: replayed, unmatched: replayedUnmatched } = replay.unsortedResult();
  for (const c of replayed) mergeConnection(connections, c);
  for (const p of replay.problems) problems.push({ ...p, file: names[Number(p.file)]!, at: Number(p.file) });
  for (const u of replayedUnmatched) {
    noteUnmatched(
      u.key,
      u.endpoint,
      Number(u.endpoint.example.slice(0, u.endpoint.example.indexOf(':'))),
      u.line,
    );
  }
  stats.files = fileEntries.filter((f) => f !== undefined);
  const firstUnmatched = [...unmatched.values()].sort(before);
  return {
    connections: sortConnections([...connections.values()]),
    unmatched: firstUnmatched
      .map(({ endpoint, file, line }) => ({ ...endpoint, example: `${names[file]!}:${line}` }))
      .sort((a, b) => (a.description < b.description ? -1 : a.description > b.description ? 1 : 0)),
    stats,
    problems: problems
      .sort((a, b) => a.at - b.at || a.line - b.line)
      .slice(0, MAX_PROBLEMS)
      .map(({ file, line, message }) => ({ file, line, message })),
    errors: errors.flat(),
    notices,
  };
}

/** What `readFlows` passes on for a parallel reading. */
export interface ParallelOptions extends ObserveOptions {
  threads: number;
  /** @default PARALLEL_MIN_BYTES */
  minBytes?: number;
  /** Tests: the least bytes of a shard. @default 1 MiB */
  minShardBytes?: number;
  /**
   * Tests: at most this many worker threads besides the calling thread (0: every shard on the calling
   * thread). @default threads - 1
   */
  workers?: number;
  onProgress?: (progress: FlowProgress) => void;
}

/**
 * Reads flow files on `threads` threads when they are large enough; else (or when the reading must be
 * sequential, see the module's comment) says why: the caller reads them sequentially then.
 */
export async function readFlowsParallel(
  paths: readonly string[],
  state: ClusterState,
  options: ParallelOptions,
): Promise<{ traffic: ObservedTraffic; shards: number } | { sequential: string }> {
  if (options.threads < 2) return { sequential: 'one thread' };
  if (options.verdicts === true) return { sequential: 'verdicts are read' };
  if (paths.includes('-')) return { sequential: 'standard input' };
  /** `size` -1: cannot be read (`readErrors`); `damaged`: a gzip file that fails to inflate. */
  const files: { path: string; gzip: boolean; size: number; damaged: boolean }[] = [];
  const readErrors: (FlowProblem | undefined)[] = [];
  for (const path of paths) {
    try {
      const info = await stat(path);
      if (info.isDirectory()) throw Object.assign(new Error('folder'), { code: 'EISDIR' });
      if (!info.isFile()) return { sequential: 'not a regular file' };
      files.push({ path, gzip: await isGzip(path), size: info.size, damaged: false });
      readErrors.push(undefined);
    } catch (error) {
      files.push({ path, gzip: false, size: -1, damaged: false });
      readErrors.push({ file: path, line: 0, message: `cannot read "${path}": ${errnoReason(error)}` });
    }
  }
  // The bytes to read: a gzip file's inflated size, four files at a time (libuv's threads inflate them; many
  // rotated logs at once would hold a zlib state and an open file each).
  const gzips = files.filter((f) => f.gzip);
  const counting = async (): Promise<void> => {
    for (let f = gzips.shift(); f !== undefined; f = gzips.shift())
      Object.assign(f, await inflatedSize(f.path));
  };
  await Promise.all([counting(), counting(), counting(), counting()]);
  let total = 0;
  for (const f of files) total += Math.max(0, f.size);
  if (total < (options.minBytes ?? PARALLEL_MIN_BYTES)) return { sequential: 'small input' };
  const workerOptions: WorkerOptions = {
    ...(options.format === undefined ? {} : { format: options.format }),
    ...(options.dedupeWindowMs === undefined ? {} : { dedupeWindowMs: options.dedupeWindowMs }),
  };
  const specs: ShardSpec[] = [];
  const times: number[] = [];
  for (const [i, f] of files.entries()) {
    if (f.size < 0) continue;
    const minShard = options.minShardBytes ?? MIN_SHARD_BYTES;
    // A damaged gzip file is read whole, on one thread: its lines up to the damage count, then its error.
    const parts =
      f.size >= total / (2 * options.threads) && !f.damaged
        ? Math.max(1, Math.min(options.threads, Math.floor(f.size / minShard)))
        : 1;
    const plan = await planFile(f.path, i, f.gzip, f.size, parts, options.format, minShard);
    for (const s of plan.shards)
      specs.push({ ...s, index: specs.length, predecessors: specs.length > 0, successors: true });
    times.push(...plan.times);
  }
  // Decided before reading, where the plan shows it already: nothing is read twice.
  if (specs.length < 2) return { sequential: 'one shard' };
  specs[specs.length - 1]!.successors = false;
  const unsure = unstitchable(times);
  if (unsure !== undefined) return { sequential: unsure };
  const matcher = new FlowMatcher(state);
  let records = 0;
  let bytes = 0;
  let connections = 0;
  // The connections shown are the most of one shard so far: shards share most of theirs.
  const tick: Tick = (r, b, c) => {
    records += r;
    bytes += b;
    connections = Math.max(connections, c);
    options.onProgress?.({ file: paths.join(', '), bytes, totalBytes: total, records, connections });
  };
  // This thread reads a shard too, Hubble's as well: since the dedupe window is in typed arrays (window.ts)
  // its 5-tuples no longer survive into the young generation, which grew to about 200 MiB on this thread when
  // they did (round 5 of issue #18); a worker more costs its own heap and allocator, and this thread then
  // stitches with the memory its own shard let go (docs/benchmarks.md, round 17).
  const results = await new ShardPool(state, matcher, workerOptions, files.length).run(
    specs,
    Math.min(options.threads, (options.workers ?? options.threads - 1) + 1),
    tick,
  );
  if (typeof results === 'string') return { sequential: results };
  const traffic = stitch(specs, results, paths, readErrors, matcher, workerOptions);
  return typeof traffic === 'string' ? { sequential: traffic } : { traffic, shards: specs.length };
}

function serveShards(data: FlowWorkerData): void {
  const port = parentPort!;
  const matcher = new FlowMatcher(data.state);
  port.on('message', (spec: ShardSpec) => {
    void readShard(
      spec,
      matcher,
      data.options,
      (records, bytes, connections) => {
        port.postMessage({ progress: { records, bytes, connections } } satisfies WorkerReply);
      },
      data.stop,
    ).then((result) => {
      // The numbers are moved, not copied: the worker would hold them twice while sending.
      const moved = [...result.tuples.pending.chunks, result.recent.columns].map(
        (a) => a.buffer as ArrayBuffer,
      );
      port.postMessage({ result } satisfies WorkerReply, moved);
    });
  });
}

if (!isMainThread && (workerData as Partial<FlowWorkerData> | null)?.kind === 'netfence-flows') {
  serveShards(workerData as FlowWorkerData);
}
