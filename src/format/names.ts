/** Display names: `namespace/name` where that is unambiguous, else the full `namespace/Kind/name`. */
import type { AddressSpace } from '../engine/addresses.ts';
import type { Connectivity, Entity } from '../engine/connectivity.ts';

export function displayNames(conn: Connectivity, space: AddressSpace): Map<string, string> {
  const shortCount = new Map<string, number>();
  const short = (e: Entity): string | undefined =>
    e.kind === 'workload' ? `${e.workload.namespace}/${e.workload.name}` : undefined;
  for (const e of conn.entities) {
    const s = short(e);
    if (s !== undefined) shortCount.set(s, (shortCount.get(s) ?? 0) + 1);
  }
  const out = new Map<string, string>();
  for (const e of conn.entities) {
    if (e.kind === 'external') out.set(e.id, space.describe(e.address.id));
    else if (e.kind === 'pod') out.set(e.id, e.id);
    else {
      const s = short(e)!;
      out.set(e.id, shortCount.get(s) === 1 ? s : e.id);
    }
  }
  return out;
}
