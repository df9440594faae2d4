/**
 * The note `analyze` and `test` print when cluster policies of one tier and priority decide some traffic
 * differently: the API leaves that outcome undefined, and netfence's answer follows its stable order.
 */
import type { CompiledCluster } from '../engine/compile.ts';
import { undefinedOrders, type UndefinedOrder } from '../lint/checks/priority-overlap.ts';
import { Tier } from '../model/cluster.ts';
import { STABLE_ORDER } from '../describe/stable-order.ts';
import { note, type Io } from './io.ts';

/** `Admin priority 10: ClusterNetworkPolicy/a, ClusterNetworkPolicy/b` */
function groupText(g: UndefinedOrder): string {
  return `${g.tier === Tier.Admin ? 'Admin' : 'Baseline'} priority ${g.priority}: ${g.policies.join(', ')}`;
}

/** The note's line, or undefined when no tie decides anything. */
export function undefinedOrderNote(groups: readonly UndefinedOrder[]): string | undefined {
  if (groups.length === 0) return undefined;
  return `note: cluster policies of equal priority decide some traffic differently (${groups.map(groupText).join('; ')}): the API leaves the outcome undefined, and ${STABLE_ORDER}; see netfence lint (rule no-tier-priority-overlap) for that traffic, and netfence explain for a connection\n`;
}

/** Writes the note when some tie decides traffic (and `show`), and returns the ties. */
export function noteUndefinedOrder(io: Io, compiled: CompiledCluster, show = true): UndefinedOrder[] {
  const groups = undefinedOrders(compiled);
  const text = undefinedOrderNote(groups);
  if (show && text !== undefined) note(io, text);
  return groups;
}
