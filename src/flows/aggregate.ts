/**
 * Aggregation: flow records → the observed connection map, as they stream by. Pure; memory grows with
 * distinct connections and endpoints, plus (for Hubble) the connections seen within the last dedupe window.
 */
import { parseIp } from '../base/ip.ts';
import type { Protocol } from '../model/k8s.ts';
import { own, type FlowMatcher, type InternedEnd, type Resolution } from './match.ts';
import type {
  FlowEnd,
  FlowProblem,
  FlowRecord,
  FlowStats,
  ObservedConnection,
  RawEnd,
  UnmatchedEndpoint,
} from './types.ts';
import { VerdictTally, type PolicyVerdict, type VerdictReading } from './verdicts.ts';
import { TupleWindow } from './window.ts';

/**
 * How long after its last flow a Hubble 5-tuple stays "the same attempt". Both observation points and the
 * policy-verdict event of an attempt come within milliseconds; retransmitted SYNs come 1, 2, 4 ... 32 s apart
 * and DNS retries 5 s apart, so each is within a minute of the previous one.
 */
export const DEFAULT_DEDUPE_WINDOW_MS = 60_000;
export const MAX_PROBLEMS = 20;
/** A hard bound on remembered 5-tuples, for captures without times or far out of order. */
export const MAX_TUPLES = 1 << 20;

/**
 * How far out of time order a shard's flows may be before a parallel reading is given up for the sequential
 * one (read-parallel.ts): Hubble Relay sorts the flows of all nodes, within a second or so.
 */
export const SHARD_ORDER_SLACK_MS = 30_000;

const PROTOCOLS: readonly Protocol[] = ['TCP', 'UDP', 'SCTP'];
/** The numbers kept per pending flow (`PendingFlows.chunks`). */
const PENDING_FIELDS = 11;
/**
 * Pending flows per chunk (a power of two): 5.5 MiB, above the sizes glibc's malloc keeps in its arenas once a
 * thread has freed a few MiB (its threshold for mapping a block of its own rises to the largest block freed), so
 * that a chunk is a mapping of its own: its pages count only once written, and go back to the system when it is
 * freed, instead of staying in the allocator for the rest of the run (`generate` after the reading).
 */
export const PENDING_CHUNK = 1 << 16;

/**
 * The flows of a shard whose 5-tuple may continue an attempt of an earlier shard, counted by the stitch: their
 * numbers in chunks of `PENDING_CHUNK` flows, the ends and 5-tuples by index into lists of the distinct ones.
 * A record object per flow (its two ends, their texts) took about 700 bytes where this takes 88 plus the
 * distinct texts, and every shard but the first keeps the flows of a window and the allowed disorder (a
 * minute and a half of a busy capture: hundreds of thousands) until its end, then sends them to the calling
 * thread (the chunks moved, not copied: `transferables`).
 */
export class PendingFlows {
  /**
   * Per flow: source and destination (in `ends`), protocol (in `PROTOCOLS`), port, count, denied, first and
   * last seen (NaN: absent), line in the shard, the latest time of the shard's flows before it, 5-tuple (in
   * `tuples`).
   */
  chunks: Float64Array[] = [];
  length = 0;
  ends: RawEnd[] = [];
  tuples: string[] = [];
  /** Verdicts of the flows that have one, by index (a parallel reading never reads them: none). */
  verdicts = new Map<number, VerdictReading>();
  private readonly endIndex = new Map<string, number>();

  /** Keeps a flow; `tuple` is the index of its 5-tuple in `tuples` (`tupleIndex`). */
  push(record: FlowRecord, tuple: number, line: number, max: number): void {
    const n = this.length;
    if ((n & (PENDING_CHUNK - 1)) === 0) this.chunks.push(new Float64Array(PENDING_CHUNK * PENDING_FIELDS));
    const c = this.chunks[this.chunks.length - 1]!;
    const at = (n & (PENDING_CHUNK - 1)) * PENDING_FIELDS;
    c[at] = this.endOf(record.src);
    c[at + 1] = this.endOf(record.dst);
    c[at + 2] = PROTOCOLS.indexOf(record.protocol);
    c[at + 3] = record.port;
    c[at + 4] = record.count;
    c[at + 5] = record.denied;
    c[at + 6] = record.firstSeen ?? Number.NaN;
    c[at + 7] = record.lastSeen ?? Number.NaN;
    c[at + 8] = line;
    c[at + 9] = max;
    c[at + 10] = tuple;
    if (record.verdict !== undefined) this.verdicts.set(n, record.verdict);
    this.length = n + 1;
  }

  /** A new 5-tuple's index. */
  tupleIndex(tuple: string): number {
    this.tuples.push(tuple);
    return this.tuples.length - 1;
  }

  /** Pending flow `i`: its record (a new object, its ends shared), line and latest time before it. */
  flow(i: number): { record: FlowRecord; line: number; max: number } {
    const c = this.chunks[Math.floor(i / PENDING_CHUNK)]!;
    const at = (i & (PENDING_CHUNK - 1)) * PENDING_FIELDS;
    const record: FlowRecord = {
      src: this.ends[c[at]!]!,
      dst: this.ends[c[at + 1]!]!,
      protocol: PROTOCOLS[c[at + 2]!]!,
      port: c[at + 3]!,
      count: c[at + 4]!,
      denied: c[at + 5]!,
      tuple: this.tuples[c[at + 10]!]!,
    };
    if (!Number.isNaN(c[at + 6]!)) record.firstSeen = c[at + 6]!;
    if (!Number.isNaN(c[at + 7]!)) record.lastSeen = c[at + 7]!;
    const verdict = this.verdicts.get(i);
    if (verdict !== undefined) record.verdict = verdict;
    return { record, line: c[at + 8]!, max: c[at + 9]! };
  }

  /** What a worker sends (`transferables` says what to move rather than copy). */
  toData(): PendingData {
    const { chunks, length, ends, tuples, verdicts } = this;
    return { chunks, length, ends, tuples, verdicts };
  }

  /** The flows a worker sent (`toData`). */
  static fromData(data: PendingData): PendingFlows {
    const p = new PendingFlows();
    p.chunks = data.chunks;
    p.length = data.length;
    p.ends = data.ends;
    p.tuples = data.tuples;
    p.verdicts = data.verdicts;
    return p;
  }

  private endOf(e: RawEnd): number {
    // Each field absent or its length and text: no two ends share a key.
    const f = (v: string | undefined): string => (v === undefined ? '-' : `${v.length}:${v}`);
    const key = `${f(e.namespace)}${f(e.pod)}${f(e.workloadKind)}${f(e.workload)}${f(e.ip)}`;
    let i = this.endIndex.get(key);
    if (i === undefined) {
      i = this.ends.length;
      // Copies: a text of a line may keep the whole piece of the capture it was cut from.
      const copy: RawEnd = {};
      if (e.namespace !== undefined) copy.namespace = own(e.namespace);
      if (e.pod !== undefined) copy.pod = own(e.pod);
      if (e.workloadKind !== undefined) copy.workloadKind = own(e.workloadKind);
      if (e.workload !== undefined) copy.workload = own(e.workload);
      if (e.ip !== undefined) copy.ip = own(e.ip);
      this.ends.push(copy);
      this.endIndex.set(key, i);
    }
    return i;
  }
}

/** `PendingFlows` as data a worker can send. */
export interface PendingData {
  chunks: Float64Array[];
  length: number;
  ends: RawEnd[];
  tuples: string[];
  verdicts: Map<number, VerdictReading>;
}

/**
 * The Hubble 5-tuples of one shard of a capture read in parallel: what the stitch needs to count the
 * attempts that span shards exactly as one sequential reading would (read-parallel.ts).
 */
export interface ShardTuples {
  /** The time of the shard's first flow with a 5-tuple (NaN: none). */
  first: number;
  min: number;
  max: number;
  /** Flows with a time up to this, whose 5-tuple is new to the shard, are pending. */
  pendingUntil: number;
  pending: PendingFlows;
  /** Why the shard cannot be stitched exactly (the capture is then read sequentially). */
  failure: string | undefined;
  /** The most 5-tuples remembered at once. */
  peak: number;
}

/**
 * The 5-tuples remembered at a shard's end: each tuple, and in `columns` three numbers for it: its last time,
 * 1 if denied (else 0), its connection (an index in the shard's connections, -1 for none). Columns rather
 * than an array per tuple: a busy capture's window holds a hundred thousand tuples and more.
 */
export interface ExportedTuples {
  tuples: string[];
  columns: Float64Array;
}

export function endKey(e: FlowEnd): string {
  return e.kind === 'workload' ? `w:${e.id}` : `x:${e.ip}`;
}

export function connectionKey(c: { src: FlowEnd; dst: FlowEnd; protocol: string; port: number }): string {
  return `${endKey(c.src)}\u0000${endKey(c.dst)}\u0000${c.protocol}\u0000${c.port}`;
}

/** `namespace/Kind/name` → a key that sorts by namespace, then name, then kind. */
export function workloadSortKey(id: string): string {
  const first = id.indexOf('/');
  const last = id.lastIndexOf('/');
  if (first < 0 || first === last) return id;
  return `${id.slice(0, first)}\u0000${id.slice(last + 1)}\u0000${id.slice(first + 1, last)}`;
}

/** A string that sorts ends as `compareEnds` does. */
export function endSortKey(e: FlowEnd): string {
  if (e.kind === 'workload') return `0${workloadSortKey(e.id)}`;
  const ip = parseIp(e.ip);
  return ip === undefined ? `2${e.ip}` : `1${ip.family}${ip.value.toString(16).padStart(32, '0')}`;
}

/** Workloads first (by namespace and name), then addresses (IPv4 before IPv6, numerically). */
export function compareEnds(a: FlowEnd, b: FlowEnd): number {
  if (a.kind !== b.kind) return a.kind === 'workload' ? -1 : 1;
  if (a.kind === 'workload' && b.kind === 'workload') {
    const ka = workloadSortKey(a.id);
    const kb = workloadSortKey(b.id);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  }
  const ia = parseIp((a as { ip: string }).ip);
  const ib = parseIp((b as { ip: string }).ip);
  if (ia === undefined || ib === undefined) return 0;
  if (ia.family !== ib.family) return ia.family - ib.family;
  return ia.value < ib.value ? -1 : ia.value > ib.value ? 1 : 0;
}

export function compareConnections(a: ObservedConnection, b: ObservedConnection): number {
  return (
    compareEnds(a.src, b.src) ||
    compareEnds(a.dst, b.dst) ||
    (a.protocol < b.protocol ? -1 : a.protocol > b.protocol ? 1 : 0) ||
    a.port - b.port
  );
}

export interface AggregatorOptions {
  /** @default DEFAULT_DEDUPE_WINDOW_MS */
  dedupeWindowMs?: number;
  /** Tally Cilium's policy verdicts per connection (records carry them: `parseHubbleObject(o, true)`). */
  verdicts?: boolean;
}

export class FlowAggregator {
  readonly stats: FlowStats;
  readonly problems: FlowProblem[] = [];
  private readonly matcher: FlowMatcher;
  /**
   * By the source end's id (`InternedEnd`): destination end id × 196,608 + protocol × 65,536 + port →
   * connection.
   */
  private readonly connections: (Map<number, ObservedConnection> | undefined)[] = [];
  private distinct = 0;
  private readonly unmatched = new Map<string, UnmatchedEndpoint>();
  /**
   * The Hubble 5-tuples seen within the window, by last activity (window.ts): each tuple's last time, whether
   * denied, its connection, its verdicts seen, and, part of a shard, its index in `pending.tuples` (its flows
   * left to the thread that knows the shards before: `ShardTuples`).
   */
  private readonly recent = new TupleWindow();
  private readonly window: number;
  private latest = Number.NEGATIVE_INFINITY;
  private sincePrune = 0;
  /** With `verdicts`: Cilium's policy verdicts per connection. */
  readonly verdicts: VerdictTally | undefined;
  /** Reading one shard of a capture read in parallel (`startShard`). */
  private shard: ShardTuples | undefined;
  /** Where each unmatched endpoint was first seen (its line), for the stitch of shards. */
  private readonly unmatchedLine = new Map<string, number>();

  constructor(matcher: FlowMatcher, stats: FlowStats, options: AggregatorOptions = {}) {
    this.matcher = matcher;
    this.stats = stats;
    this.window = options.dedupeWindowMs ?? DEFAULT_DEDUPE_WINDOW_MS;
    this.verdicts = options.verdicts === true ? new VerdictTally() : undefined;
  }

  /** Distinct connections so far. */
  get size(): number {
    return this.distinct;
  }

  invalid(file: string, line: number, message: string): void {
    this.stats.invalid++;
    if (this.problems.length < MAX_PROBLEMS) this.problems.push({ file, line, message });
  }

  /**
   * Counts a flow as a repeat observation when its 5-tuple was seen within the window, without the record
   * (the reader's fast path for Hubble's second observation point). False: read the flow normally.
   */
  repeat(tuple: string, time: number): boolean {
    const w = this.recent;
    const prev = w.find(tuple);
    const s = this.shard;
    if (s !== undefined) {
      this.shardTime(s, time);
      if (prev >= 0 && w.pending[prev]! >= 0) return false;
    }
    if (prev < 0 || Number.isNaN(time)) return false;
    const last = w.last[prev]!;
    if (Number.isNaN(last) || Math.abs(time - last) > this.window) return false;
    if (s !== undefined) this.shardMatch(s, last, time);
    this.stats.duplicates++;
    if (time > last) {
      w.last[prev] = time;
      w.touch(prev);
    }
    return true;
  }

  /**
   * Reads the rest as one shard of a capture read in parallel: a 5-tuple that the shards before may have seen
   * within the window (a flow up to a window and the allowed disorder after the shard's first) is left
   * pending for the stitch, with every later flow of that tuple; and what would make the shards' sum differ
   * from one sequential reading (flows without times or far out of order, a remembered tuple older than the
   * window from the latest flow, which sequential pruning may have forgotten) is noted as the failure.
   */
  startShard(predecessors: boolean): void {
    this.shard = {
      first: Number.NaN,
      min: Number.POSITIVE_INFINITY,
      max: Number.NEGATIVE_INFINITY,
      pendingUntil: predecessors ? Number.NaN : Number.NEGATIVE_INFINITY,
      pending: new PendingFlows(),
      failure: undefined,
      peak: 0,
    };
  }

  /**
   * The shard's 5-tuples (after `startShard`), with the tuples remembered at its end: none for the last shard
   * (`remembered` false), whose tuples no later flow can repeat.
   */
  shardTuples(
    connections: readonly ObservedConnection[],
    remembered = true,
  ): { tuples: ShardTuples; recent: ExportedTuples } {
    const s = this.shard!;
    if (!remembered) return { tuples: s, recent: { tuples: [], columns: new Float64Array(0) } };
    const index = new Map(connections.map((c, i) => [c, i]));
    const horizon = s.max - this.window - SHARD_ORDER_SLACK_MS;
    const w = this.recent;
    const kept = (r: number): boolean => w.pending[r]! < 0 && !(w.last[r]! < horizon);
    let n = 0;
    for (const r of w.slots()) if (kept(r)) n++;
    const tuples: string[] = [];
    const columns = new Float64Array(3 * n);
    for (const r of w.slots()) {
      if (!kept(r)) continue;
      const at = 3 * tuples.length;
      tuples.push(w.key(r));
      columns[at] = w.last[r]!;
      columns[at + 1] = w.denied[r]!;
      const conn = w.conns[r];
      columns[at + 2] = conn === undefined ? -1 : index.get(conn)!;
    }
    return { tuples: s, recent: { tuples, columns } };
  }

  /** The stitch: remembers a tuple of an earlier shard, with `conn` standing for its connection. */
  remember(tuple: string, last: number, denied: boolean, conn: ObservedConnection | undefined): void {
    const w = this.recent;
    const prev = w.find(tuple);
    if (prev >= 0) w.remove(prev);
    w.conns[w.insert(tuple, last, denied, -1)] = conn;
  }

  /** The stitch: counts a pending flow, the latest time before it being `max`. */
  addPending(record: FlowRecord, max: number, file: string, line: number): void {
    const s = this.shard!;
    if (max > s.max) s.max = max;
    this.add(record, file, line);
  }

  /** Tuples remembered now. */
  get rememberedTuples(): number {
    return this.recent.size;
  }

  private shardTime(s: ShardTuples, t: number): void {
    if (Number.isNaN(t)) {
      s.failure ??= 'a Hubble flow without a time';
      return;
    }
    if (t < s.max - SHARD_ORDER_SLACK_MS) s.failure ??= 'flows out of time order';
    if (Number.isNaN(s.first)) {
      s.first = t;
      if (Number.isNaN(s.pendingUntil)) s.pendingUntil = t + this.window + SHARD_ORDER_SLACK_MS;
    }
    if (t < s.min) s.min = t;
  }

  /** A repeat of a remembered tuple: sequential pruning could have forgotten it if it is that old. */
  private shardMatch(s: ShardTuples, last: number, t: number): void {
    if (last < s.max - this.window) s.failure ??= 'a 5-tuple repeated after a long time out of order';
    if (t > s.max) s.max = t;
  }

  /** Adds one record; `file` and `line` say where it came from, for reports. */
  add(record: FlowRecord, file: string, line: number): void {
    const tuple = record.tuple;
    let recent = -1;
    if (record.verdict !== undefined) this.verdicts?.read(record.verdict);
    if (tuple !== undefined) {
      const t = record.firstSeen ?? Number.NaN;
      const w = this.recent;
      const prev = w.find(tuple);
      const s = this.shard;
      if (s !== undefined) {
        this.shardTime(s, t);
        const pending = prev < 0 ? -1 : w.pending[prev]!;
        if (pending >= 0 || (prev < 0 && t <= s.pendingUntil)) {
          if (prev < 0) {
            const index = s.pending.tupleIndex(tuple);
            w.insert(tuple, t, false, index);
            s.pending.push(record, index, line, s.max);
          } else {
            s.pending.push(record, pending, line, s.max);
            if (t > w.last[prev]!) {
              w.last[prev] = t;
              // Ordered by last activity, as below: an entry left in its place would stop every pruning
              // there, and the shard would remember every tuple after it (the tuple of a pending attempt
              // repeated minutes later, by a source port used again, kept them all).
              w.touch(prev);
            }
          }
          if (t > s.max) s.max = t;
          return;
        }
      }
      if (prev >= 0) {
        const last = w.last[prev]!;
        if (Number.isNaN(t) || Number.isNaN(last) || Math.abs(t - last) <= this.window) {
          if (s !== undefined) this.shardMatch(s, last, t);
          this.stats.duplicates++;
          if (!Number.isNaN(t) && t > last) {
            w.last[prev] = t;
            // Keep the window ordered by last activity, so that pruning stops at the first recent entry.
            w.touch(prev);
          }
          const conn = w.conns[prev];
          if (record.denied > 0 && w.denied[prev] === 0) {
            w.denied[prev] = 1;
            if (conn !== undefined) conn.denied++;
          }
          if (conn !== undefined) this.noteVerdict(conn, record.verdict, prev);
          return;
        }
        w.remove(prev);
      }
      recent = w.insert(tuple, t, record.denied > 0, -1);
      if (t > this.latest) this.latest = t;
      if (s !== undefined && t > s.max) s.max = t;
    }

    this.addFlow(
      this.matcher.resolve(record.src),
      this.matcher.resolve(record.dst),
      record.protocol,
      record.port,
      record.count,
      record.denied,
      record.firstSeen ?? Number.NaN,
      record.lastSeen ?? Number.NaN,
      file,
      line,
      record.verdict,
      recent,
    );
    // After the flow is in its slot: a tuple far out of order may be pruned at once, and its slot reused.
    if (recent >= 0 && ++this.sincePrune >= 4096) this.prune();
  }

  /**
   * Adds a flow whose ends are resolved already (`FlowMatcher.resolveFields`), times NaN when absent: the CSV
   * reader's fast path calls this with no record object (no 5-tuple, no verdict); `add` with its record's.
   */
  addFlow(
    src: Resolution,
    dst: Resolution,
    protocol: Protocol,
    port: number,
    count: number,
    denied: number,
    first: number,
    last: number,
    file: string,
    line: number,
    verdict?: VerdictReading,
    recent = -1,
  ): void {
    if (src.kind === 'invalid' || dst.kind === 'invalid') {
      const which = src.kind === 'invalid' ? 'source' : 'destination';
      this.invalid(
        file,
        line,
        `${which}: ${(src.kind === 'invalid' ? src : (dst as { message: string })).message}`,
      );
      return;
    }
    if (src.kind === 'unmatched' || dst.kind === 'unmatched') {
      this.stats.unmatched++;
      for (const r of [src, dst]) if (r.kind === 'unmatched') this.noteUnmatched(r, count, file, line);
      return;
    }
    // A Service IP as the source: replies through the Service's address, or a node masquerading; keep the
    // address.
    const from = src.kind === 'service' ? this.matcher.intern({ kind: 'external', ip: src.ip }) : src;
    let to: InternedEnd;
    if (dst.kind === 'service') {
      const targets = this.matcher.serviceTargetEnds(dst.service, protocol, port);
      if (targets.ends.length > 0) {
        this.stats.viaService++;
        this.stats.counted++;
        for (let i = 0; i < targets.ends.length; i++) {
          this.count(
            from,
            targets.ends[i]!,
            protocol,
            targets.ports[i]!,
            count,
            denied,
            first,
            last,
            verdict,
            recent,
          );
        }
        return;
      }
      // A port the Service does not expose, or a selector that matches no workload: keep the address.
      to = this.matcher.intern({ kind: 'external', ip: dst.ip });
    } else {
      to = dst;
    }
    if (from.end.kind === 'external' && to.end.kind === 'external') {
      this.stats.external++;
      return;
    }
    this.stats.counted++;
    this.count(from, to, protocol, port, count, denied, first, last, verdict, recent);
  }

  private count(
    src: InternedEnd,
    dst: InternedEnd,
    protocol: Protocol,
    port: number,
    count: number,
    denied: number,
    first: number,
    last: number,
    verdict: VerdictReading | undefined,
    recent: number,
  ): void {
    // Numbers as keys (the interned ends' small integers, the protocol and the port): no string per flow.
    let bySrc = this.connections[src.id];
    if (bySrc === undefined) {
      bySrc = new Map();
      this.connections[src.id] = bySrc;
    }
    const key = dst.id * 196_608 + (protocol === 'TCP' ? 0 : protocol === 'UDP' ? 65_536 : 131_072) + port;
    let conn = bySrc.get(key);
    if (conn === undefined) {
      conn = { src: src.end, dst: dst.end, protocol, port, count: 0, denied: 0 };
      bySrc.set(key, conn);
      this.distinct++;
    }
    conn.count += count;
    conn.denied += denied;
    if (!Number.isNaN(first) && (conn.firstSeen === undefined || first < conn.firstSeen))
      conn.firstSeen = first;
    if (!Number.isNaN(last) && (conn.lastSeen === undefined || last > conn.lastSeen)) conn.lastSeen = last;
    if (recent >= 0) this.recent.conns[recent] = conn;
    if (verdict !== undefined) this.noteVerdict(conn, verdict, recent);
  }

  private noteVerdict(conn: ObservedConnection, verdict: VerdictReading | undefined, recent: number): void {
    if (this.verdicts === undefined || verdict?.kind !== 'policy') return;
    const policy: PolicyVerdict = verdict.verdict;
    let seen: Set<string> | undefined;
    if (recent >= 0) {
      seen = this.recent.seen.get(recent);
      if (seen === undefined) this.recent.seen.set(recent, (seen = new Set()));
    }
    this.verdicts.add(conn, policy, seen ?? new Set());
  }

  private noteUnmatched(
    r: Extract<Resolution, { kind: 'unmatched' }>,
    count: number,
    file: string,
    line: number,
  ): void {
    let u = this.unmatched.get(r.key);
    if (u === undefined) {
      u = {
        description: r.description,
        namespace: r.namespace,
        records: 0,
        count: 0,
        example: `${file}:${line}`,
      };
      if (r.pod !== undefined) u.pod = r.pod;
      if (r.workload !== undefined) u.workload = r.workload;
      if (r.ip !== undefined) u.ip = r.ip;
      this.unmatched.set(r.key, u);
      this.unmatchedLine.set(r.key, line);
    }
    u.records++;
    u.count += count;
  }

  /** Forgets 5-tuples idle for longer than the window (flows arrive roughly in time order). */
  private prune(): void {
    this.sincePrune = 0;
    const s = this.shard;
    const w = this.recent;
    if (s !== undefined) {
      // A shard forgets only what no later flow within the allowed disorder can repeat, and never for
      // want of room: the stitch gives up when the shards remember too many tuples.
      if (w.size > s.peak) s.peak = w.size;
      const horizon = s.max - this.window - SHARD_ORDER_SLACK_MS;
      for (let r = w.front(); r >= 0; r = w.front()) {
        if (!(w.last[r]! < horizon)) break;
        w.remove(r);
      }
      return;
    }
    const horizon = this.latest - this.window;
    for (let r = w.front(); r >= 0; r = w.front()) {
      if (!(w.last[r]! < horizon) && w.size <= MAX_TUPLES) break;
      w.remove(r);
    }
  }

  /** The stitch forgets the tuples of earlier shards no flow after `latest` can repeat. */
  forgetOld(latest: number): void {
    const s = this.shard!;
    if (latest > s.max) s.max = latest;
    this.prune();
  }

  /** Why the shards cannot be stitched exactly, if so. */
  get shardFailure(): string | undefined {
    return this.shard?.failure;
  }

  private connectionList(): ObservedConnection[] {
    const out: ObservedConnection[] = [];
    for (const bySrc of this.connections)
      if (bySrc !== undefined) for (const c of bySrc.values()) out.push(c);
    return out;
  }

  /** The connections in no order, and the unmatched endpoints with the line each was first seen on. */
  unsortedResult(): {
    connections: ObservedConnection[];
    unmatched: { key: string; endpoint: UnmatchedEndpoint; line: number }[];
  } {
    return {
      connections: this.connectionList(),
      unmatched: [...this.unmatched].map(([key, endpoint]) => ({
        key,
        endpoint,
        line: this.unmatchedLine.get(key)!,
      })),
    };
  }

  result(): { connections: ObservedConnection[]; unmatched: UnmatchedEndpoint[] } {
    return {
      connections: sortConnections(this.connectionList()),
      unmatched: [...this.unmatched.values()].sort((a, b) =>
        a.description < b.description ? -1 : a.description > b.description ? 1 : 0,
      ),
    };
  }
}

/** Sorted as `compareConnections` sorts, computing each end's sort key once. */
export function sortConnections(list: readonly ObservedConnection[]): ObservedConnection[] {
  const keys = new Map<string, string>();
  const keyOf = (e: FlowEnd): string => {
    const k = endKey(e);
    let sortKey = keys.get(k);
    if (sortKey === undefined) {
      sortKey = endSortKey(e);
      keys.set(k, sortKey);
    }
    return sortKey;
  };
  return list
    .map((c) => ({
      c,
      key: `${keyOf(c.src)}\u0001${keyOf(c.dst)}\u0001${c.protocol}\u0001${String(c.port).padStart(5, '0')}`,
    }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((x) => x.c);
}
