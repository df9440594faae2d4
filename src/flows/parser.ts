/**
 * One flow input, line by line: detects its format from the first line, reads each line as a record and
 * hands it to the aggregator. Pure: `read.ts` feeds it lines from files and streams.
 */
import type { ClusterState } from '../model/cluster.ts';
import { FlowAggregator, type AggregatorOptions } from './aggregate.ts';
import { CsvFastRows } from './csv-rows.ts';
import { isHubbleObject, parseHubbleObject, type HubbleResult } from './hubble.ts';
import { FlowMatcher } from './match.ts';
import {
  isSimpleJsonRecord,
  parseCsvHeader,
  parseCsvRow,
  parseSimpleJson,
  type CsvHeader,
  type SimpleResult,
} from './simple.ts';
import {
  emptyStats,
  type FlowFormat,
  type FlowProblem,
  type FlowStats,
  type ObservedTraffic,
} from './types.ts';

export interface ObserveOptions extends AggregatorOptions {
  /** Skip detection and read every input in this format. @default detected from each input's first line */
  format?: FlowFormat;
}

const IP_PAIR = /"IP":\{"source":"([^"]+)","destination":"([^"]+)"/;
const L4_PORTS = /"l4":\{"(TCP|UDP|SCTP)":\{"source_port":([0-9]+),"destination_port":([0-9]+)/;
const TIME = /"time":"([^"]+)"/;

/**
 * The texts a Hubble line is recognised by without parsing it: `"Type":"L3_L4"`, `"is_reply":true`, and
 * what sends a flow to the full path (`"verdict":"DROPPED"`, `"verdict":"ERROR"`, `"l7"`: drops may mark an
 * attempt denied, L7 records are other events).
 */
const MARKS = /"(?:Type":"L3_L4"|is_reply":true|verdict":"(?:DROPPED|ERROR)"|l7")/g;
export const MARK_L3_L4 = 1;
export const MARK_REPLY = 2;
export const MARK_FULL_PATH = 4;

/**
 * Which of the texts of `MARKS` a line contains, a bit each, as `includes` of each would say: one pass over
 * the line instead of one per text (a search resumes a character after each find, so that texts that
 * overlap are all found).
 */
export function hubbleMarks(text: string): number {
  let marks = 0;
  MARKS.lastIndex = 0;
  for (let m = MARKS.exec(text); m !== null; m = MARKS.exec(text)) {
    const c = text.charCodeAt(m.index + 1);
    marks |= c === 84 /* T */ ? MARK_L3_L4 : c === 105 /* i */ ? MARK_REPLY : MARK_FULL_PATH;
    MARKS.lastIndex = m.index + 1;
  }
  return marks;
}

/** The 5-tuple and time of a Hubble flow line by text search (whatever the line's verdict). */
function tupleOf(text: string): { key: string; time: number } | undefined {
  const ip = IP_PAIR.exec(text);
  const l4 = L4_PORTS.exec(text);
  const time = TIME.exec(text);
  if (ip === null || l4 === null || time === null) return undefined;
  return { key: `${l4[1]!} ${ip[1]!} ${l4[2]!} ${ip[2]!} ${l4[3]!}`, time: Date.parse(time[1]!) };
}

/**
 * The 5-tuple and time of a compact Hubble flow line, as `parseHubbleObject` would compute them, found by
 * text search; undefined when the line is not in the exact shape Hubble writes, or is a drop.
 */
export function fastTuple(text: string): { key: string; time: number } | undefined {
  return (hubbleMarks(text) & MARK_FULL_PATH) !== 0 ? undefined : tupleOf(text);
}

export type InputStart =
  { ok: true; format: FlowFormat; header: CsvHeader | undefined } | { ok: false; message: string };

/** The format and CSV header an input's first line (not blank, not a comment) says, or what is wrong. */
export function startInput(text: string, forced: FlowFormat | undefined): InputStart {
  let format = forced;
  if (format === undefined) {
    if (text.trimStart().startsWith('{')) {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        return {
          ok: false,
          message: 'the first line starts like JSON but does not parse: expected one JSON object per line',
        };
      }
      if (isHubbleObject(value)) format = 'hubble';
      else if (isSimpleJsonRecord(value)) format = 'jsonl';
      else {
        return {
          ok: false,
          message:
            'the first JSON line is neither a Hubble flow ("flow", "IP", "l4"...) nor a flow record ("src_namespace", "dst_ip", "port"...)',
        };
      }
    } else {
      format = 'csv';
    }
  }
  if (format !== 'csv') return { ok: true, format, header: undefined };
  const parsed = parseCsvHeader(text);
  return parsed.ok ? { ok: true, format, header: parsed.header } : parsed;
}

/**
 * The first line of an input that says its format (and is the CSV header), after blank and comment lines:
 * its text and index in `lines`; the empty text at index -1 when the format is forced and is not CSV;
 * undefined when `lines` has no such line.
 */
export function firstFormatLine(
  lines: readonly string[],
  forced: FlowFormat | undefined,
): { text: string; index: number } | undefined {
  if (forced !== undefined && forced !== 'csv') return { text: '', index: -1 };
  for (const [index, raw] of lines.entries()) {
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (text.length === 0 || (text.charCodeAt(0) <= 32 && text.trim() === '')) continue;
    if (text.startsWith('#')) continue;
    return { text, index };
  }
  return undefined;
}

/** A part of an input after its first part (read in parallel): its format, and the CSV header. */
export interface InputContinuation {
  format: FlowFormat;
  header: CsvHeader | undefined;
}

/** Reads flow inputs one line at a time into one observed connection map. */
export class FlowObserver {
  readonly stats: FlowStats = emptyStats();
  readonly aggregator: FlowAggregator;
  readonly matcher: FlowMatcher;
  readonly errors: FlowProblem[] = [];
  readonly notices: string[] = [];
  private readonly forced: FlowFormat | undefined;
  /** Read Cilium's verdicts: every flow is parsed (the other observation point carries its own verdict). */
  readonly verdicts: boolean;

  constructor(state: ClusterState, options: ObserveOptions = {}, matcher = new FlowMatcher(state)) {
    this.matcher = matcher;
    this.aggregator = new FlowAggregator(matcher, this.stats, options);
    this.forced = options.format;
    this.verdicts = options.verdicts === true;
  }

  /**
   * Starts an input; feed it with `line`, in order. A continuation is a later part of an input whose first
   * part another observer reads: its lines are read in the format given, and `end` records nothing.
   */
  input(name: string, continuation?: InputContinuation): FlowInput {
    return new FlowInput(this, name, continuation?.format ?? this.forced, continuation);
  }

  result(): ObservedTraffic {
    const { connections, unmatched } = this.aggregator.result();
    return {
      connections,
      unmatched,
      stats: this.stats,
      problems: this.aggregator.problems,
      errors: this.errors,
      notices: this.notices,
      ...(this.aggregator.verdicts === undefined ? {} : { verdicts: this.aggregator.verdicts.result() }),
    };
  }
}

export class FlowInput {
  private readonly observer: FlowObserver;
  private readonly name: string;
  private format: FlowFormat | undefined;
  private header: CsvHeader | undefined;
  /** The CSV rows' fast path, once the header is known. */
  private rows: CsvFastRows | undefined;
  private lineNo = 0;
  private failed = false;
  private readonly entry: { name: string; format: FlowFormat; lines: number };
  private readonly continuation: boolean;

  constructor(
    observer: FlowObserver,
    name: string,
    format: FlowFormat | undefined,
    continuation?: InputContinuation,
  ) {
    this.observer = observer;
    this.name = name;
    this.format = format;
    this.header = continuation?.header;
    if (this.header !== undefined) this.rows = new CsvFastRows(this.header, observer.matcher);
    this.continuation = continuation !== undefined;
    this.entry = { name, format: format ?? 'csv', lines: 0 };
  }

  /** Lines read so far. */
  get lines(): number {
    return this.lineNo;
  }

  /** Whether the input turned out not to be flows at all (reported in `errors`); stop feeding it. */
  get stopped(): boolean {
    return this.failed;
  }

  line(raw: string): void {
    if (this.failed) return;
    const n = ++this.lineNo;
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    // Blank lines are skipped; only a line that starts with white space is worth trimming.
    if (text.length === 0 || (text.charCodeAt(0) <= 32 && text.trim() === '')) return;
    const agg = this.observer.aggregator;
    if (this.format === undefined || (this.format === 'csv' && this.header === undefined)) {
      // Comment lines may precede a CSV header.
      if (text.startsWith('#') && (this.format === undefined || this.format === 'csv')) return;
      if (!this.start(text, n)) return;
      if (this.format === 'csv') return; // the header row
    }
    let result: HubbleResult | SimpleResult;
    if (this.format === 'csv') {
      if (text.startsWith('#')) return;
      if (this.rows!.add(text, agg, this.name, n)) return;
      result = parseCsvRow(this.header!, text);
    } else {
      // Replies are a third of a Hubble capture: recognize them without parsing. In compact JSON the text
      // `"is_reply":true` can only be that field (a quote inside a string would be escaped).
      const marks = this.format === 'hubble' ? hubbleMarks(text) : 0;
      if ((marks & MARK_L3_L4) !== 0) {
        if ((marks & MARK_REPLY) !== 0) {
          this.observer.stats.records++;
          this.observer.stats.replies++;
          return;
        }
        // The other observation point of an attempt already counted: recognized by its 5-tuple, unparsed.
        // Dropped flows always take the full path (they may mark the attempt denied).
        const tuple = this.observer.verdicts || (marks & MARK_FULL_PATH) !== 0 ? undefined : tupleOf(text);
        if (tuple !== undefined && agg.repeat(tuple.key, tuple.time)) {
          this.observer.stats.records++;
          return;
        }
      }
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        this.observer.stats.records++;
        agg.invalid(this.name, n, `not JSON: "${text.length > 60 ? `${text.slice(0, 60)}…` : text}"`);
        return;
      }
      result =
        this.format === 'hubble' ? parseHubbleObject(value, this.observer.verdicts) : parseSimpleJson(value);
    }
    const stats = this.observer.stats;
    stats.records++;
    switch (result.kind) {
      case 'flow':
        agg.add(result.record, this.name, n);
        return;
      case 'invalid':
        agg.invalid(this.name, n, result.message);
        return;
      case 'skip':
        switch (result.reason) {
          case 'reply':
            stats.replies++;
            return;
          case 'other-event':
            stats.otherEvents++;
            return;
          case 'other-protocol':
            stats.otherProtocols++;
            return;
          case 'node-local':
            stats.nodeLocal++;
            return;
        }
    }
  }

  /** Detects the format from the first non-empty line (and reads a CSV header). */
  private start(text: string, n: number): boolean {
    const started = startInput(text, this.format);
    if (!started.ok) {
      this.failed = true;
      this.observer.errors.push({ file: this.name, line: n, message: started.message });
      return false;
    }
    this.format = started.format;
    this.entry.format = this.format;
    if (started.header !== undefined) {
      this.header = started.header;
      this.rows = new CsvFastRows(started.header, this.observer.matcher);
      if (started.header.unknown.length > 0) {
        this.observer.notices.push(
          `${this.name}: ignoring column${started.header.unknown.length === 1 ? '' : 's'} ${started.header.unknown.map((u) => `"${u}"`).join(', ')}`,
        );
      }
    }
    return true;
  }

  /** Ends the input and records it in the statistics. */
  end(): void {
    if (this.continuation) return;
    this.entry.lines = this.lineNo;
    if (this.format !== undefined) this.entry.format = this.format;
    if (this.lineNo === 0 || (this.format === undefined && !this.failed)) {
      this.observer.errors.push({ file: this.name, line: 0, message: 'no flows: the input is empty' });
      return;
    }
    if (!this.failed) this.observer.stats.files.push(this.entry);
  }
}

/** Pure: the observed connection map of in-memory inputs (tests, uploads). */
export function observeFlowText(
  inputs: readonly { name: string; text: string }[],
  state: ClusterState,
  options: ObserveOptions = {},
): ObservedTraffic {
  const observer = new FlowObserver(state, options);
  for (const { name, text } of inputs) {
    const input = observer.input(name);
    const lines = text.split('\n');
    if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    for (const line of lines) {
      if (input.stopped) break;
      input.line(line);
    }
    input.end();
  }
  return observer.result();
}
