/**
 * Attack paths, pure: from `/api/paths` to what the graph highlights, hop by hop.
 */
import type { ApiPathsJson as PathsJson, PathStepJson } from '../../src/contract/api.ts';

/** Hops from the compromised workloads to each workload reached (0 for the compromised ones). */
export function hopsOf(p: PathsJson): Map<string, number> {
  return new Map((p.reached ?? []).map((r) => [r.id, r.hops]));
}

/** The deepest hop reached. */
export function maxHops(p: PathsJson): number {
  return Math.max(0, ...(p.reached ?? []).map((r) => r.hops));
}

/** Workloads reached at each hop count: `[[sources], [hop 1], [hop 2]…]`. */
export function layers(p: PathsJson): string[][] {
  const out: string[][] = [];
  for (const r of p.reached ?? []) (out[r.hops] ??= []).push(r.id);
  return Array.from({ length: out.length }, (_, i) => out[i] ?? []);
}

/**
 * The edges of the breadth-first tree up to `upTo` hops (`src>dst`): for each workload reached, the hop that
 * reached it first.
 */
export function treeEdges(p: PathsJson, upTo = Infinity): Set<string> {
  const out = new Set<string>();
  for (const r of p.reached ?? []) {
    if (r.via !== null && r.hops <= upTo) out.add(`${r.via.from}>${r.id}`);
  }
  return out;
}

/** The edges of the shortest paths to the targets (`src>dst`). */
export function targetEdges(p: PathsJson): Set<string> {
  const out = new Set<string>();
  for (const t of p.targets ?? []) for (const s of t.path ?? []) out.add(`${s.src}>${s.dst}`);
  return out;
}

/** A shortest path as read: every workload on it, the compromised start included (`web → api → postgres`). */
export function pathText(path: readonly PathStepJson[], name: (id: string) => string): string {
  const first = path[0];
  return first === undefined ? '' : [first.src, ...path.map((s) => s.dst)].map(name).join(' → ');
}

/**
 * The status line: `7 of 15 other workloads reachable within 1 hop`, the workloads reached (up to `upTo` hops)
 * of those not compromised, as `netfence paths` counts them; from outside the cluster (address classes, not
 * workloads) every workload counts: `16 of 16 workloads reachable`.
 */
export function reachSummary(p: PathsJson, upTo: number, isWorkload: (id: string) => boolean): string {
  const reached = (p.reached ?? []).filter((r) => r.hops > 0 && r.hops <= upTo).length;
  const sources = (p.from ?? []).filter(isWorkload).length;
  const of = p.workloads - sources;
  const noun = `${sources > 0 ? 'other ' : ''}workload${of === 1 ? '' : 's'}`;
  const within = upTo === Infinity ? '' : ` within ${upTo} hop${upTo === 1 ? '' : 's'}`;
  return `${reached} of ${of} ${noun} reachable${within}`;
}
