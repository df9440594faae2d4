/**
 * Port sets in words: `TCP 80,8080-8090; UDP 53` (tables, summaries) and `8080/TCP, 53/UDP` (sentences).
 */
import { PROTOCOLS } from '../model/k8s.ts';
import { intervalPairs, intervalsEqual } from '../base/intervals.ts';
import { ALL_PORTS, isAllConnections, isEmptyPorts, type PortSet } from '../engine/ports.ts';

/** `TCP 80,8080-8090; UDP 53`, or `All connections`. */
export function formatPorts(a: PortSet): string {
  if (isAllConnections(a)) return 'All connections';
  if (isEmptyPorts(a)) return 'No connections';
  const parts: string[] = [];
  for (const p of PROTOCOLS) {
    const iv = a[p];
    if (iv.length === 0) continue;
    if (intervalsEqual(iv, ALL_PORTS)) {
      parts.push(`${p} all ports`);
      continue;
    }
    parts.push(
      `${p} ${intervalPairs(iv)
        .map(([f, t]) => (f === t ? `${f}` : `${f}-${t}`))
        .join(',')}`,
    );
  }
  return parts.join('; ');
}
