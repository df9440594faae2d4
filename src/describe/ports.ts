/**
 * Port sets in words: `TCP 80,8080-8090; UDP 53` (tables, summaries) and `8080/TCP, 53/UDP` (sentences).
 */
import { PROTOCOLS, type Protocol } from '../model/k8s.ts';
import { intervalPairs, intervalsEqual } from '../base/intervals.ts';
import { ALL_PORTS, isAllConnections, isEmptyPorts, type PortSet } from '../engine/ports.ts';

/** `80`, `8080-8090` */
function range([f, t]: [number, number]): string {
  return f === t ? `${f}` : `${f}-${t}`;
}

/** One part per protocol with ports: `whole(p)` when it has every port, else `some(p, its ranges)`. */
function protocolParts(
  a: PortSet,
  whole: (p: Protocol) => string,
  some: (p: Protocol, ranges: string[]) => string,
): string[] {
  const parts: string[] = [];
  for (const p of PROTOCOLS) {
    const iv = a[p];
    if (iv.length > 0)
      parts.push(intervalsEqual(iv, ALL_PORTS) ? whole(p) : some(p, intervalPairs(iv).map(range)));
  }
  return parts;
}

/** `TCP 80,8080-8090; UDP 53`, or `All connections`. */
export function formatPorts(a: PortSet): string {
  if (isAllConnections(a)) return 'All connections';
  if (isEmptyPorts(a)) return 'No connections';
  return protocolParts(
    a,
    (p) => `${p} all ports`,
    (p, ranges) => `${p} ${ranges.join(',')}`,
  ).join('; ');
}

/** `8080/TCP`, `1000-2000/TCP, 53/UDP`, `all TCP ports`, `all ports`; `no ports` when empty. */
export function formatPortList(ports: PortSet): string {
  if (isAllConnections(ports)) return 'all ports';
  if (isEmptyPorts(ports)) return 'no ports';
  const some = (p: Protocol, ranges: string[]): string => ranges.map((r) => `${r}/${p}`).join(', ');
  return protocolParts(ports, (p) => `all ${p} ports`, some).join(', ');
}
