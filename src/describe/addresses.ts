/**
 * Unions of address classes in words: `any address`, `any address except 10.0.0.0/8`, or the fewest CIDRs
 * covering exactly the union.
 */
import { formatCidr, rangeToCidrs, rootCidr, type Cidr, type IpFamily } from '../base/ip.ts';
import type { AddressSpace } from '../engine/addresses.ts';

/**
 * A readable description of a union of address classes: `any address`, `any address except …`, or the
 * fewest CIDRs covering exactly the union.
 */
export function describeAddressUnion(space: AddressSpace, ids: readonly number[]): string {
  const index = unionIndex(space);
  // Outputs describe the same unions over and over (every workload egressing to "any address except the
  // cluster" on the same ports).
  const key = ids.join(',');
  let text = index.memo.get(key);
  if (text === undefined) index.memo.set(key, (text = unionText(space, index, ids)));
  return text;
}

interface UnionIndex {
  /**
   * The covers of all classes, sorted by family then address. Classes partition both address families,
   * so consecutive pieces of one family touch: a union is a set of runs of consecutive pieces.
   */
  pieces: Cidr[];
  /** Per class, the positions of its cover's pieces in `pieces`. */
  ranks: number[][];
  memo: Map<string, string>;
}

const unionIndexes = new WeakMap<AddressSpace, UnionIndex>();

function unionIndex(space: AddressSpace): UnionIndex {
  let index = unionIndexes.get(space);
  if (index !== undefined) return index;
  const all: [Cidr, number][] = [];
  for (const c of space.classes) for (const piece of c.cover) all.push([piece, c.id]);
  all.sort((a, b) => a[0].family - b[0].family || (a[0].start < b[0].start ? -1 : 1));
  const ranks = space.classes.map((): number[] => []);
  all.forEach(([, id], i) => ranks[id]!.push(i));
  index = { pieces: all.map(([piece]) => piece), ranks, memo: new Map() };
  unionIndexes.set(space, index);
  return index;
}

type Range = readonly [IpFamily, bigint, bigint];

function unionText(space: AddressSpace, index: UnionIndex, ids: readonly number[]): string {
  const all = space.classes.length;
  const wanted = new Set(ids);
  if (wanted.size === all) return 'any address';
  // One class is its own description, but the outside (both roots in one class) reads as the rest does:
  // "any address except 10.0.0.0/8", not "0.0.0.0/0 except 10.0.0.0/8; ::/0".
  if (wanted.size === 1 && space.classes[ids[0]!]?.nodes.length === 1) return space.describe(ids[0]!);
  // The union as maximal ranges: runs of consecutive pieces.
  const { pieces } = index;
  const positions: number[] = [];
  for (const id of wanted) for (const r of index.ranks[id]!) positions.push(r);
  const sorted = Int32Array.from(positions).sort();
  const inside: Range[] = [];
  for (let i = 0; i < sorted.length;) {
    const first = pieces[sorted[i]!]!;
    let j = i;
    while (
      j + 1 < sorted.length &&
      sorted[j + 1] === sorted[j]! + 1 &&
      pieces[sorted[j + 1]!]!.family === first.family
    )
      j++;
    inside.push([first.family, first.start, pieces[sorted[j]!]!.end]);
    i = j + 1;
  }
  // The rest of the address space: the gaps between those ranges.
  const outside: Range[] = [];
  for (const family of [4, 6] as const) {
    const top = rootCidr(family).end;
    let cur = 0n;
    for (const [f, a, b] of inside) {
      if (f !== family) continue;
      if (a > cur) outside.push([family, cur, a - 1n]);
      cur = b + 1n;
    }
    if (cur <= top) outside.push([family, cur, top]);
  }
  // The shorter list of CIDRs (the union itself on a tie), without splitting the longer one further than
  // the shorter one's length: splitting into CIDRs is most of the cost.
  const lists = [inside, outside].map((ranges) => ({ ranges, next: 0, cidrs: [] as Cidr[] }));
  const [i, o] = lists as [(typeof lists)[0], (typeof lists)[0]];
  for (;;) {
    const iDone = i.next === i.ranges.length;
    const oDone = o.next === o.ranges.length;
    if (iDone && i.cidrs.length <= o.cidrs.length) return i.cidrs.map(formatCidr).join(', ');
    // Each range left adds at least one CIDR.
    if (oDone && (o.cidrs.length < i.cidrs.length || (o.cidrs.length === i.cidrs.length && !iDone)))
      return `any address except ${o.cidrs.map(formatCidr).join(', ')}`;
    const grow = !iDone && (oDone || i.cidrs.length <= o.cidrs.length) ? i : o;
    const [f, a, b] = grow.ranges[grow.next++]!;
    for (const c of rangeToCidrs(f, a, b)) grow.cidrs.push(c);
  }
}
