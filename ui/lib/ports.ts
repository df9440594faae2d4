/**
 * Port sets as the API sends them (`{TCP: [[80, 80], [8080, 8090]], UDP: [], SCTP: []}`): union, filtering
 * and the short labels the graph draws on edges.
 */
import type { PortsJson } from '../../src/contract/common.ts';

export const PROTOCOLS = ['TCP', 'UDP', 'SCTP'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

export const NO_PORTS: PortsJson = { TCP: [], UDP: [], SCTP: [] };

function unionRanges(a: readonly [number, number][], b: readonly [number, number][]): [number, number][] {
  const all = [...a, ...b].sort((x, y) => x[0] - y[0]);
  const out: [number, number][] = [];
  for (const [from, to] of all) {
    const last = out[out.length - 1];
    if (last !== undefined && from <= last[1] + 1) last[1] = Math.max(last[1], to);
    else out.push([from, to]);
  }
  return out;
}

export function unionPorts(a: PortsJson, b: PortsJson): PortsJson {
  return {
    TCP: unionRanges(a.TCP, b.TCP),
    UDP: unionRanges(a.UDP, b.UDP),
    SCTP: unionRanges(a.SCTP, b.SCTP),
  };
}

function isAll(ranges: readonly [number, number][]): boolean {
  return ranges.length === 1 && ranges[0]![0] === 1 && ranges[0]![1] === 65535;
}

export function isAllConnections(p: PortsJson): boolean {
  return PROTOCOLS.every((proto) => isAll(p[proto]));
}

/** As the server's `formatPorts`: `TCP 80,8080-8090; UDP 53`, `All connections`. */
export function formatPorts(p: PortsJson): string {
  if (isAllConnections(p)) return 'All connections';
  const parts: string[] = [];
  for (const proto of PROTOCOLS) {
    const r = p[proto];
    if (r.length === 0) continue;
    if (isAll(r)) parts.push(`${proto} all ports`);
    else parts.push(`${proto} ${r.map(([f, t]) => (f === t ? `${f}` : `${f}-${t}`)).join(',')}`);
  }
  return parts.length === 0 ? 'No connections' : parts.join('; ');
}

/** A short edge label: `all`, `TCP 5432`, `TCP 80,443 · UDP 53`, `TCP 9 ports`… */
export function shortPorts(p: PortsJson): string {
  if (isAllConnections(p)) return 'all';
  const parts: string[] = [];
  for (const proto of PROTOCOLS) {
    const r = p[proto];
    if (r.length === 0) continue;
    if (isAll(r)) parts.push(`${proto} all`);
    else if (r.length > 3) parts.push(`${proto} ${r.length} ranges`);
    else parts.push(`${proto} ${r.map(([f, t]) => (f === t ? `${f}` : `${f}-${t}`)).join(',')}`);
  }
  return parts.join(' · ');
}

/** A port filter: a protocol, a port (TCP), or both; `null` fields match anything. */
export interface PortFilter {
  protocol: Protocol | null;
  port: number | null;
}

/**
 * Parses `5432`, `TCP/5432`, `5432/TCP`, `udp`, `53/UDP`. Returns a message quoting the text when it is not
 * one of these.
 */
export function parsePortFilter(text: string): PortFilter | string {
  const t = text.trim().toUpperCase();
  if (t === '') return { protocol: null, port: null };
  const proto = (s: string | undefined): Protocol | null | undefined =>
    s === undefined ? null : (PROTOCOLS as readonly string[]).includes(s) ? (s as Protocol) : undefined;
  let m = /^(TCP|UDP|SCTP)$/.exec(t);
  if (m !== null) return { protocol: m[1] as Protocol, port: null };
  m = /^(?:([A-Z]+)[/ ])?(\d+)(?:[/ ]([A-Z]+))?$/.exec(t);
  if (m !== null) {
    const protocol = proto(m[1] ?? m[3]);
    const port = Number(m[2]);
    if (protocol !== undefined && port >= 1 && port <= 65535 && !(m[1] !== undefined && m[3] !== undefined))
      return { protocol, port };
  }
  return `"${text}" is not a port: use 5432, 53/UDP or TCP`;
}

/** Whether a port set allows what the filter names. */
export function portsMatch(p: PortsJson, f: PortFilter): boolean {
  const protocols = f.protocol === null ? PROTOCOLS : [f.protocol];
  return protocols.some((proto) =>
    p[proto].some(([from, to]) => f.port === null || (from <= f.port && f.port <= to)),
  );
}
