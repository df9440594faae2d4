/**
 * The simple flow formats any capture tool can write (docs/flows.md): CSV with a header row naming any
 * subset of the columns below, and JSON Lines with the same field names. Pure.
 */
import type { Protocol } from '../model/k8s.ts';
import { closestMatch, withSuggestion } from '../base/suggest.ts';
import type { FlowRecord, RawEnd } from './types.ts';

export const FLOW_COLUMNS = [
  'src_namespace',
  'src_workload',
  'src_pod',
  'src_ip',
  'dst_namespace',
  'dst_workload',
  'dst_pod',
  'dst_ip',
  'protocol',
  'port',
  'count',
  'denied',
  'first_seen',
  'last_seen',
] as const;
export type FlowColumn = (typeof FLOW_COLUMNS)[number];

/** Each column's position in `FLOW_COLUMNS`: what a `FieldGetter` is asked for. */
const COLUMN = Object.fromEntries(FLOW_COLUMNS.map((c, i) => [c, i])) as Record<FlowColumn, number>;

export type SimpleResult =
  | { kind: 'flow'; record: FlowRecord }
  | { kind: 'skip'; reason: 'other-protocol' }
  | { kind: 'invalid'; message: string };

/** Splits one CSV line (RFC 4180 quoting; a quoted field cannot span lines). */
export function splitCsvLine(line: string): string[] | undefined {
  if (!line.includes('"')) return line.split(',');
  const out: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) return undefined;
        value += line.slice(i, q);
        if (line[q + 1] === '"') {
          value += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      out.push(value);
      if (i === line.length) return out;
      if (line[i] !== ',') return undefined;
      i++;
    } else {
      const comma = line.indexOf(',', i);
      if (comma < 0) {
        out.push(line.slice(i));
        return out;
      }
      out.push(line.slice(i, comma));
      i = comma + 1;
    }
  }
}

export interface CsvHeader {
  /** Column index of each known field. */
  index: Partial<Record<FlowColumn, number>>;
  /** The same, by the field's position in `FLOW_COLUMNS` (the row reader's lookup). */
  columns: (number | undefined)[];
  /** Columns the header names that netfence does not read (kept for a notice). */
  unknown: string[];
}

/**
 * Reads the header row. Fails when no column is known or a side cannot be identified, with a suggestion for
 * misspelled names (`dst_port` → `port`).
 */
export function parseCsvHeader(
  line: string,
): { ok: true; header: CsvHeader } | { ok: false; message: string } {
  const cells = splitCsvLine(line.replace(/^\uFEFF/, ''));
  if (cells === undefined) return { ok: false, message: 'the header row has an unterminated quote' };
  const index: Partial<Record<FlowColumn, number>> = {};
  const unknown: string[] = [];
  cells.forEach((raw, i) => {
    const name = raw.trim().toLowerCase();
    if ((FLOW_COLUMNS as readonly string[]).includes(name)) index[name as FlowColumn] = i;
    else unknown.push(raw.trim());
  });
  if (Object.keys(index).length === 0) {
    return {
      ok: false,
      message: `the first line names none of the flow columns (${FLOW_COLUMNS.join(', ')}): "${line.slice(0, 80)}"`,
    };
  }
  if (index.port === undefined) {
    const guess = unknown.find((u) => /port/i.test(u));
    return {
      ok: false,
      message: withSuggestion(
        `the header has no "port" column (the destination port)${guess === undefined ? '' : `; found "${guess}"`}`,
        guess === undefined ? undefined : 'port',
      ),
    };
  }
  for (const side of ['src', 'dst'] as const) {
    const ids = [`${side}_workload`, `${side}_pod`, `${side}_ip`] as const;
    if (ids.every((c) => index[c] === undefined)) {
      const guess = unknown.map((u) => closestMatch(u, ids)).find((g) => g !== undefined);
      return {
        ok: false,
        message: withSuggestion(
          `the header identifies no ${side === 'src' ? 'source' : 'destination'}: give ${ids.join(', ')} or several of them`,
          guess,
        ),
      };
    }
  }
  return { ok: true, header: { index, columns: FLOW_COLUMNS.map((c) => index[c]), unknown } };
}

export const PROTOCOL_NAMES: Readonly<Record<string, Protocol>> = {
  tcp: 'TCP',
  '6': 'TCP',
  udp: 'UDP',
  '17': 'UDP',
  sctp: 'SCTP',
  '132': 'SCTP',
};
const OTHER_PROTOCOLS = new Set(['icmp', 'icmpv4', 'icmpv6', 'icmp6', '1', '58', 'gre', '47', 'esp', '50']);

/** `2026-11-24T03:11:09Z`, `2026-11-24 03:11:09` (UTC), or seconds (or milliseconds) since the epoch. */
export function parseTime(text: string): number | undefined {
  // The times of a capture repeat (first and last seen of a row, rows of the same second): the last one
  // read is remembered.
  if (text === lastTime.text) return lastTime.value;
  const value = parseTimeText(text);
  lastTime.text = text;
  lastTime.value = value;
  return value;
}

const lastTime: { text: string; value: number | undefined } = { text: '', value: undefined };

/**
 * The last minute read in the form `YYYY-MM-DDTHH:MM:SS[.sss]Z`: its first 17 characters and the time of
 * its second 0. Within a minute the time is that plus the seconds and milliseconds, read without Date.parse.
 */
const lastMinute = { prefix: '', base: 0 };

/** 0–9 of the character at `i`, or -1. */
function digit(text: string, i: number): number {
  const d = text.charCodeAt(i) - 48;
  return d >= 0 && d <= 9 ? d : -1;
}

/**
 * The milliseconds after the minute of `YYYY-MM-DDTHH:MM:SSZ` or `YYYY-MM-DDTHH:MM:SS.sssZ` (length 20 or
 * 24, the `T` and `Z` checked by the caller), the seconds below 60; -1 for any other text. An hour of 24
 * (which Date.parse reads only as `24:00:00`) is another text too.
 */
function withinMinute(text: string): number {
  const h1 = digit(text, 11);
  const h2 = digit(text, 12);
  const s1 = digit(text, 17);
  const s2 = digit(text, 18);
  if (h1 < 0 || h2 < 0 || h1 * 10 + h2 > 23 || s1 < 0 || s1 > 5 || s2 < 0) return -1;
  const seconds = (s1 * 10 + s2) * 1000;
  if (text.length === 20) return seconds;
  if (text.length !== 24 || text.charCodeAt(19) !== 46 /* . */) return -1;
  const m1 = digit(text, 20);
  const m2 = digit(text, 21);
  const m3 = digit(text, 22);
  if (m1 < 0 || m2 < 0 || m3 < 0) return -1;
  return seconds + m1 * 100 + m2 * 10 + m3;
}

/** Whether the first 17 characters are `YYYY-MM-DDTHH:MM:` (digits and separators where they belong). */
function isoMinute(text: string): boolean {
  for (let i = 0; i < 17; i++) {
    const c = text.charCodeAt(i);
    const want =
      i === 4 || i === 7 ? 45 /* - */ : i === 10 ? 84 /* T */ : i === 13 || i === 16 ? 58 /* : */ : -1;
    if (want < 0 ? c < 48 || c > 57 : c !== want) return false;
  }
  return true;
}

function parseTimeText(text: string): number | undefined {
  // The common case first, without a regular expression: an ISO 8601 time in UTC (`…Z`); within the minute
  // last read, without Date.parse either.
  if (
    text.length >= 20 &&
    text.charCodeAt(10) === 84 /* T */ &&
    text.charCodeAt(text.length - 1) === 90 /* Z */
  ) {
    const ms = withinMinute(text);
    if (ms >= 0 && text.startsWith(lastMinute.prefix) && lastMinute.prefix !== '')
      return lastMinute.base + ms;
    const t = Date.parse(text);
    if (Number.isNaN(t)) return undefined;
    if (ms >= 0 && isoMinute(text)) {
      lastMinute.prefix = text.slice(0, 17);
      lastMinute.base = t - ms;
    }
    return t;
  }
  if (/^[0-9]+(\.[0-9]+)?$/.test(text)) {
    const n = Number(text);
    return n < 1e11 ? Math.round(n * 1000) : Math.round(n);
  }
  let iso = text.includes('T') ? text : text.replace(' ', 'T');
  if (!/(Z|[+-][0-9]{2}:?[0-9]{2})$/i.test(iso)) iso += 'Z';
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : t;
}

/**
 * Field values of one record, by the column's position in `FLOW_COLUMNS` (a number: no lookup by name per
 * field); `undefined` for absent or empty fields.
 */
export type FieldGetter = (column: number) => string | undefined;

function side(get: FieldGetter, prefix: 'src' | 'dst'): RawEnd | string {
  const end: RawEnd = {};
  // The four columns of a side follow each other in `FLOW_COLUMNS`: namespace, workload, pod, ip.
  const at = prefix === 'src' ? COLUMN.src_namespace : COLUMN.dst_namespace;
  const ns = get(at);
  const workload = get(at + 1);
  const pod = get(at + 2);
  const ip = get(at + 3);
  if (ns !== undefined) end.namespace = ns;
  if (workload !== undefined) end.workload = workload;
  if (pod !== undefined) end.pod = pod;
  if (ip !== undefined) end.ip = ip;
  const label = prefix === 'src' ? 'source' : 'destination';
  if (workload === undefined && pod === undefined && ip === undefined) {
    return ns === undefined
      ? `no ${label}: ${prefix}_workload, ${prefix}_pod and ${prefix}_ip are all empty`
      : `the ${label} is only a namespace ("${ns}"): add ${prefix}_workload, ${prefix}_pod or ${prefix}_ip`;
  }
  if ((workload !== undefined || pod !== undefined) && ns === undefined) {
    return `${prefix}_${workload !== undefined ? 'workload' : 'pod'} "${workload ?? pod ?? ''}" needs ${prefix}_namespace`;
  }
  return end;
}

function positiveInteger(text: string | undefined, fallback: number): number | undefined {
  if (text === undefined) return fallback;
  if (!/^[0-9]+$/.test(text)) return undefined;
  return Number(text);
}

/** One record of the simple formats, from its fields. */
export function parseSimpleRecord(get: FieldGetter): SimpleResult {
  const protocolText = get(COLUMN.protocol);
  let protocol: Protocol = 'TCP';
  if (protocolText !== undefined) {
    const lower = protocolText.toLowerCase();
    const p = Object.hasOwn(PROTOCOL_NAMES, lower) ? PROTOCOL_NAMES[lower] : undefined;
    if (p === undefined) {
      if (OTHER_PROTOCOLS.has(lower)) return { kind: 'skip', reason: 'other-protocol' };
      return {
        kind: 'invalid',
        message: withSuggestion(
          `protocol "${protocolText}" is not TCP, UDP or SCTP`,
          closestMatch(protocolText, ['TCP', 'UDP', 'SCTP']),
        ),
      };
    }
    protocol = p;
  }
  const portText = get(COLUMN.port);
  const port = portText === undefined ? undefined : positiveInteger(portText, 0);
  if (port === undefined || port < 1 || port > 65535) {
    return {
      kind: 'invalid',
      message: `port ${JSON.stringify(portText ?? '')} is not a port number 1-65535`,
    };
  }
  const countText = get(COLUMN.count);
  const count = positiveInteger(countText, 1);
  if (count === undefined || count < 1) {
    return { kind: 'invalid', message: `count "${countText ?? ''}" is not a positive whole number` };
  }
  const deniedText = get(COLUMN.denied);
  const denied = positiveInteger(deniedText, 0);
  if (denied === undefined || denied > count) {
    return {
      kind: 'invalid',
      message: `denied "${deniedText ?? ''}" is not a whole number from 0 to count (${count})`,
    };
  }
  const src = side(get, 'src');
  if (typeof src === 'string') return { kind: 'invalid', message: src };
  const dst = side(get, 'dst');
  if (typeof dst === 'string') return { kind: 'invalid', message: dst };
  const record: FlowRecord = { src, dst, protocol, port, count, denied };
  for (const [column, key] of [
    ['first_seen', 'firstSeen'],
    ['last_seen', 'lastSeen'],
  ] as const) {
    const text = get(COLUMN[column]);
    if (text === undefined) continue;
    const t = parseTime(text);
    if (t === undefined) {
      return {
        kind: 'invalid',
        message: `${column} "${text}" is not a time (use ISO 8601, e.g. 2026-11-24T03:11:09Z)`,
      };
    }
    record[key] = t;
  }
  if (record.firstSeen === undefined && record.lastSeen !== undefined) record.firstSeen = record.lastSeen;
  if (record.lastSeen === undefined && record.firstSeen !== undefined) record.lastSeen = record.firstSeen;
  if (record.firstSeen !== undefined && record.lastSeen !== undefined && record.firstSeen > record.lastSeen) {
    return { kind: 'invalid', message: 'first_seen is after last_seen' };
  }
  return { kind: 'flow', record };
}

/** One CSV data row. */
export function parseCsvRow(header: CsvHeader, line: string): SimpleResult {
  const cells = splitCsvLine(line);
  if (cells === undefined)
    return { kind: 'invalid', message: 'unterminated quote (a field cannot span lines)' };
  const columns = header.columns;
  return parseSimpleRecord((column) => {
    const i = columns[column];
    if (i === undefined) return undefined;
    const v = cells[i]?.trim();
    return v === undefined || v === '' ? undefined : v;
  });
}

/** Whether a parsed JSON object is a record of the simple JSON Lines format. */
export function isSimpleJsonRecord(o: unknown): boolean {
  return typeof o === 'object' && o !== null && !Array.isArray(o) && FLOW_COLUMNS.some((c) => c in o);
}

/** One JSON Lines record: the CSV columns as fields, with string or number values. */
export function parseSimpleJson(o: unknown): SimpleResult {
  if (!isSimpleJsonRecord(o)) {
    return {
      kind: 'invalid',
      message: `not a flow record: expected fields such as ${FLOW_COLUMNS.slice(0, 4).join(', ')}`,
    };
  }
  const rec = o as Record<string, unknown>;
  return parseSimpleRecord((column) => {
    const v = rec[FLOW_COLUMNS[column]!];
    if (typeof v === 'number') return String(v);
    if (typeof v === 'string') {
      const t = v.trim();
      return t === '' ? undefined : t;
    }
    return undefined;
  });
}
