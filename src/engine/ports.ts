/**
 * Port sets: for each protocol netfence models (TCP, UDP, SCTP), an interval set of ports 1–65535.
 * "All connections" is every port of all three protocols.
 */
import { PROTOCOLS, type Protocol } from '../model/k8s.ts';
import {
  EMPTY_INTERVALS,
  intersectIntervals,
  intervalPairs,
  intervalsContain,
  intervalsEqual,
  intervalsSubset,
  subtractIntervals,
  unionIntervals,
  type Intervals,
} from '../base/intervals.ts';

export const MIN_PORT = 1;
export const MAX_PORT = 65535;
export const ALL_PORTS: Intervals = Object.freeze([MIN_PORT, MAX_PORT]);

export interface PortSet {
  readonly TCP: Intervals;
  readonly UDP: Intervals;
  readonly SCTP: Intervals;
}

export const NO_PORTS: PortSet = Object.freeze({
  TCP: EMPTY_INTERVALS,
  UDP: EMPTY_INTERVALS,
  SCTP: EMPTY_INTERVALS,
});
export const ALL_CONNECTIONS: PortSet = Object.freeze({ TCP: ALL_PORTS, UDP: ALL_PORTS, SCTP: ALL_PORTS });

export function portSetOf(protocol: Protocol, ports: Intervals): PortSet {
  // Literals of one shape (a spread with a computed key makes each object the slow way).
  switch (protocol) {
    case 'TCP':
      return { TCP: ports, UDP: EMPTY_INTERVALS, SCTP: EMPTY_INTERVALS };
    case 'UDP':
      return { TCP: EMPTY_INTERVALS, UDP: ports, SCTP: EMPTY_INTERVALS };
    case 'SCTP':
      return { TCP: EMPTY_INTERVALS, UDP: EMPTY_INTERVALS, SCTP: ports };
    default:
      return { ...NO_PORTS, [protocol]: ports };
  }
}

export function unionPorts(a: PortSet, b: PortSet): PortSet {
  if (a === NO_PORTS || b === ALL_CONNECTIONS) return b;
  if (b === NO_PORTS || a === ALL_CONNECTIONS) return a;
  return {
    TCP: unionIntervals(a.TCP, b.TCP),
    UDP: unionIntervals(a.UDP, b.UDP),
    SCTP: unionIntervals(a.SCTP, b.SCTP),
  };
}

export function intersectPorts(a: PortSet, b: PortSet): PortSet {
  if (a === ALL_CONNECTIONS || b === NO_PORTS) return b;
  if (b === ALL_CONNECTIONS || a === NO_PORTS) return a;
  return {
    TCP: intersectIntervals(a.TCP, b.TCP),
    UDP: intersectIntervals(a.UDP, b.UDP),
    SCTP: intersectIntervals(a.SCTP, b.SCTP),
  };
}

export function subtractPorts(a: PortSet, b: PortSet): PortSet {
  if (isEmptyPorts(a) || isEmptyPorts(b)) return a;
  if (b === ALL_CONNECTIONS) return NO_PORTS;
  return {
    TCP: subtractIntervals(a.TCP, b.TCP),
    UDP: subtractIntervals(a.UDP, b.UDP),
    SCTP: subtractIntervals(a.SCTP, b.SCTP),
  };
}

export function isEmptyPorts(a: PortSet): boolean {
  return a === NO_PORTS || (a.TCP.length === 0 && a.UDP.length === 0 && a.SCTP.length === 0);
}

export function isAllConnections(a: PortSet): boolean {
  return a === ALL_CONNECTIONS || PROTOCOLS.every((p) => intervalsEqual(a[p], ALL_PORTS));
}

export function portsEqual(a: PortSet, b: PortSet): boolean {
  return PROTOCOLS.every((p) => intervalsEqual(a[p], b[p]));
}

/** `a ⊆ b` */
export function portsSubset(a: PortSet, b: PortSet): boolean {
  return PROTOCOLS.every((p) => intervalsSubset(a[p], b[p]));
}

export function portsContain(a: PortSet, protocol: Protocol, port: number): boolean {
  return intervalsContain(a[protocol], port);
}

/** JSON form: every protocol spelled out, each a sorted list of inclusive `[from, to]` ranges. */
export function portsToJson(a: PortSet): Record<Protocol, [number, number][]> {
  return { TCP: intervalPairs(a.TCP), UDP: intervalPairs(a.UDP), SCTP: intervalPairs(a.SCTP) };
}

/** A stable key, for grouping equal port sets. */
export function portsKey(a: PortSet): string {
  return `${a.TCP.join(',')}|${a.UDP.join(',')}|${a.SCTP.join(',')}`;
}
