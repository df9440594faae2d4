/**
 * The CSV reader's fast path: a data row read in one pass over its commas, only the columns netfence uses
 * taken out, each side's resolution found by the side's text, and the flow handed to the aggregator without
 * a record object. Rows it cannot read exactly as `parseCsvRow` does (quotes, white space or other than
 * ASCII at a field's edge, any value the general reader would refuse or read unusually) are declined and go
 * through `parseCsvRow`, so that every answer, problem and message stays the general reader's. Pure.
 */
import type { Protocol } from '../model/k8s.ts';
import type { FlowAggregator } from './aggregate.ts';
import { own, type FlowMatcher, type Resolution } from './match.ts';
import { FLOW_COLUMNS, PROTOCOL_NAMES, parseTime, type CsvHeader } from './simple.ts';

const COLUMN = Object.fromEntries(FLOW_COLUMNS.map((c, i) => [c, i])) as Record<
  (typeof FLOW_COLUMNS)[number],
  number
>;

/** One side's columns (namespace, workload, pod, IP) in the row, and its resolutions by the side's text. */
interface SideLayout {
  /** Cell index of each of the four columns, -1 when the header lacks it. */
  cells: [number, number, number, number];
  /** The side's cells are next to each other (the first to the last of them): its text is one slice. */
  contiguous: boolean;
  first: number;
  last: number;
  /** The side's text → its resolution; null: the general reader must read the row. */
  byText: Map<string, Resolution | null>;
}

/** Whether a field's first or last character could be trimmed away (white space, or not ASCII). */
function edgeMayTrim(code: number): boolean {
  return code <= 32 || code >= 127;
}

/** A whole number of at most `max` digits between `start` and `end`, or -1. */
function digits(line: string, start: number, end: number, max: number): number {
  if (end - start > max) return -1;
  let n = 0;
  for (let i = start; i < end; i++) {
    const d = line.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

export class CsvFastRows {
  private readonly matcher: FlowMatcher;
  /** Cell index of each `FLOW_COLUMNS` column, -1 when absent. */
  private readonly cell: number[];
  /** Cells to find in a row: up to the last one used. */
  private readonly cells: number;
  private readonly starts: Int32Array;
  private readonly ends: Int32Array;
  private readonly src: SideLayout;
  private readonly dst: SideLayout;

  constructor(header: CsvHeader, matcher: FlowMatcher) {
    this.matcher = matcher;
    this.cell = header.columns.map((i) => i ?? -1);
    this.cells = Math.max(...this.cell) + 1;
    this.starts = new Int32Array(this.cells);
    this.ends = new Int32Array(this.cells);
    this.src = this.layout(COLUMN.src_namespace);
    this.dst = this.layout(COLUMN.dst_namespace);
  }

  private layout(at: number): SideLayout {
    const cells = [this.cell[at]!, this.cell[at + 1]!, this.cell[at + 2]!, this.cell[at + 3]!] as [
      number,
      number,
      number,
      number,
    ];
    const present = cells.filter((c) => c >= 0).sort((a, b) => a - b);
    const first = present[0] ?? -1;
    const last = present[present.length - 1] ?? -1;
    return { cells, contiguous: last - first + 1 === present.length, first, last, byText: new Map() };
  }

  /**
   * Reads one data row (no comment, not blank) into `agg`; false when it must go through the general reader
   * instead (nothing has been counted then).
   */
  add(line: string, agg: FlowAggregator, file: string, lineNo: number): boolean {
    if (line.includes('"')) return false;
    const starts = this.starts;
    const ends = this.ends;
    let pos = 0;
    for (let i = 0; i < this.cells; i++) {
      if (pos > line.length) {
        // A row with fewer cells than the header: its missing cells read as empty, at the row's end (so that
        // a side's text ends with its last cell there, never empty for cells that are not).
        starts[i] = line.length;
        ends[i] = line.length;
        continue;
      }
      const comma = line.indexOf(',', pos);
      const end = comma < 0 ? line.length : comma;
      starts[i] = pos;
      ends[i] = end;
      if (end > pos && (edgeMayTrim(line.charCodeAt(pos)) || edgeMayTrim(line.charCodeAt(end - 1))))
        return false;
      pos = comma < 0 ? line.length + 1 : comma + 1;
    }
    const cell = this.cell;

    let protocol: Protocol = 'TCP';
    const p = cell[COLUMN.protocol]!;
    if (p >= 0 && ends[p]! > starts[p]!) {
      const text = line.slice(starts[p], ends[p]);
      if (text === 'TCP') protocol = 'TCP';
      else if (text === 'UDP') protocol = 'UDP';
      else {
        const known = KNOWN_PROTOCOLS.get(text.toLowerCase());
        if (known === undefined) return false;
        protocol = known;
      }
    }
    const pc = cell[COLUMN.port]!;
    const port = pc < 0 ? -1 : digits(line, starts[pc]!, ends[pc]!, 5);
    if (port < 1 || port > 65535) return false;
    const cc = cell[COLUMN.count]!;
    const count = cc < 0 || ends[cc] === starts[cc] ? 1 : digits(line, starts[cc]!, ends[cc]!, 15);
    if (count < 1) return false;
    const dc = cell[COLUMN.denied]!;
    const denied = dc < 0 || ends[dc] === starts[dc] ? 0 : digits(line, starts[dc]!, ends[dc]!, 15);
    if (denied < 0 || denied > count) return false;

    const src = this.side(line, this.src);
    if (src === null) return false;
    const dst = this.side(line, this.dst);
    if (dst === null) return false;

    let first = this.time(line, cell[COLUMN.first_seen]!);
    if (first === undefined) return false;
    let last = this.time(line, cell[COLUMN.last_seen]!);
    if (last === undefined) return false;
    if (Number.isNaN(first)) first = last;
    else if (Number.isNaN(last)) last = first;
    else if (first > last) return false;

    agg.stats.records++;
    agg.addFlow(src, dst, protocol, port, count, denied, first, last, file, lineNo);
    return true;
  }

  /** A time column: NaN when absent or empty, undefined when not a time (the general reader's problem). */
  private time(line: string, c: number): number | undefined {
    if (c < 0 || this.ends[c] === this.starts[c]) return Number.NaN;
    return parseTime(line.slice(this.starts[c], this.ends[c]));
  }

  /** One side's resolution, found by the side's text; null when the general reader must read the row. */
  private side(line: string, side: SideLayout): Resolution | null {
    if (side.first < 0) return null;
    if (!side.contiguous) return this.resolveSide(line, side);
    const text = line.slice(this.starts[side.first], this.ends[side.last]);
    let r = side.byText.get(text);
    if (r === undefined) {
      r = this.resolveSide(line, side);
      side.byText.set(own(text), r);
    }
    return r;
  }

  private resolveSide(line: string, side: SideLayout): Resolution | null {
    const [n, w, p, i] = side.cells;
    const ns = this.field(line, n);
    const workload = this.field(line, w);
    const pod = this.field(line, p);
    const ip = this.field(line, i);
    // What `parseSimpleRecord` refuses: no identity, or a workload or pod without a namespace.
    if (workload === undefined && pod === undefined && ip === undefined) return null;
    if ((workload !== undefined || pod !== undefined) && ns === undefined) return null;
    return this.matcher.resolveFields(ns, pod, undefined, workload, ip);
  }

  private field(line: string, c: number): string | undefined {
    if (c < 0 || this.ends[c] === this.starts[c]) return undefined;
    return line.slice(this.starts[c], this.ends[c]);
  }
}

/** `PROTOCOL_NAMES` as a map: only its own names (a lookup in the object also finds `constructor`...). */
const KNOWN_PROTOCOLS = new Map(Object.entries(PROTOCOL_NAMES));
