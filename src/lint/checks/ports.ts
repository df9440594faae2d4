/** Describing what a rule's ports allow, for messages. */
import { formatPorts } from '../../describe/ports.ts';
import { isAllConnections, isEmptyPorts } from '../../engine/ports.ts';
import type { CompiledPorts } from '../../engine/compile.ts';

/** `every port`, `TCP 443`, `TCP 80; port named "http" (TCP)` */
export function portsText(ports: CompiledPorts): string {
  if (ports.any || isAllConnections(ports.numeric)) return 'every port';
  const parts: string[] = [];
  if (!isEmptyPorts(ports.numeric)) parts.push(formatPorts(ports.numeric));
  for (const n of ports.named) parts.push(`port "${n.name}" (${n.protocol})`);
  return parts.join('; ');
}
