/** Display names: `namespace/name` where that is unambiguous, else the full `namespace/Kind/name`. */
import type { AddressSpace } from '../engine/addresses.ts';
import type { Connectivity, Entity } from '../engine/connectivity.ts';
import { noNodes, withNodes, type NodesAt } from './node-addresses.ts';

/** An address class that is a Node's address says so: `192.168.0.1/32 (an address of node n1)`. */
export function displayNames(
  conn: Connectivity,
  space: AddressSpace,
  nodesAt: NodesAt = noNodes,
): Map<string, string> {
  const shortCount = new Map<string, number>();
  const short = (e: Entity): string | undefined =>
    e.kind === 'workload' ? `${e.workload.namespace}/${e.workload.name}` : undefined;
  for (const e of conn.entities) {
    const s = short(e);
    if (s !== undefined) shortCount.set(s, (shortCount.get(s) ?? 0) + 1);
  }
  const out = new Map<string, string>();
  for (const e of conn.entities) {
    if (e.kind === 'external') out.set(e.id, withNodes(space.describe(e.address.id), nodesAt(e.address.id)));
    else if (e.kind === 'pod') out.set(e.id, e.id);
    else {
      const s = short(e)!;
      out.set(e.id, shortCount.get(s) === 1 ? s : e.id);
    }
  }
  return out;
}
