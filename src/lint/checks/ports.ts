/** What a rule's ports match towards a peer, and how to describe them in messages. */
import { formatPorts } from '../../describe/ports.ts';
import { isAllConnections, isEmptyPorts, type PortSet } from '../../engine/ports.ts';
import {
  portsTowardsClass,
  type CompiledCluster,
  type CompiledPorts,
  type Direction,
} from '../../engine/compile.ts';

/** The other end of a rule's traffic: a pod class or an address class. */
export type Target = { pod: number } | { address: number };

/**
 * The ports a rule's `ports` match between the class a policy selects and `t`: named ports resolve against
 * the destination (the selected class for ingress, the target pod for egress; addresses have none).
 */
export function portsTowardsTarget(
  compiled: CompiledCluster,
  direction: Direction,
  ports: CompiledPorts,
  selected: number,
  t: Target,
): PortSet {
  const { classes } = compiled;
  if (direction === 'ingress') return portsTowardsClass(ports, classes[selected]!);
  return 'pod' in t ? portsTowardsClass(ports, classes[t.pod]!) : ports.numeric;
}

/** `every port`, `TCP 443`, `TCP 80; port named "http" (TCP)` */
export function portsText(ports: CompiledPorts): string {
  if (ports.any || isAllConnections(ports.numeric)) return 'every port';
  const parts: string[] = [];
  if (!isEmptyPorts(ports.numeric)) parts.push(formatPorts(ports.numeric));
  for (const n of ports.named) parts.push(`port "${n.name}" (${n.protocol})`);
  return parts.join('; ');
}
