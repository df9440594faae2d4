/**
 * Unions of address classes in words: `any address`, `any address except 10.0.0.0/8`, or the fewest CIDRs
 * covering exactly the union.
 */
import {
  cidrContainsCidr,
  cidrOf,
  familyBits,
  formatCidr,
  rangeToCidrs,
  rootCidr,
  type Cidr,
  type IpFamily,
} from '../base/ip.ts';
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
  const plain = shorterList(inside, outside);
  // Blocks with a few holes ("10.0.0.0/8, 192.168.0.0/16 except 192.168.1.10/32") when that is shorter.
  const holed = blocksExcept(inside, plain.count);
  return holed ?? plain.text;
}

/**
 * The shorter list of CIDRs (the union itself on a tie), without splitting the longer one further than the
 * shorter one's length: splitting into CIDRs is most of the cost.
 */
function shorterList(inside: readonly Range[], outside: readonly Range[]): { text: string; count: number } {
  const lists = [inside, outside].map((ranges) => ({ ranges, next: 0, cidrs: [] as Cidr[] }));
  const [i, o] = lists as [(typeof lists)[0], (typeof lists)[0]];
  for (;;) {
    const iDone = i.next === i.ranges.length;
    const oDone = o.next === o.ranges.length;
    if (iDone && i.cidrs.length <= o.cidrs.length)
      return { text: i.cidrs.map(formatCidr).join(', '), count: i.cidrs.length };
    // Each range left adds at least one CIDR.
    if (oDone && (o.cidrs.length < i.cidrs.length || (o.cidrs.length === i.cidrs.length && !iDone)))
      return { text: `any address except ${o.cidrs.map(formatCidr).join(', ')}`, count: o.cidrs.length };
    const grow = !iDone && (oDone || i.cidrs.length <= o.cidrs.length) ? i : o;
    const [f, a, b] = grow.ranges[grow.next++]!;
    for (const c of rangeToCidrs(f, a, b)) grow.cidrs.push(c);
  }
}

/** The smallest CIDR holding the whole range. */
function hullOf([family, a, b]: Range): Cidr {
  let prefix = familyBits(family);
  while (prefix > 0 && a >> BigInt(familyBits(family) - prefix) !== b >> BigInt(familyBits(family) - prefix))
    prefix--;
  return cidrOf({ family, value: a }, prefix);
}

/**
 * The union as the smallest CIDRs around its ranges minus the holes left inside them, when that takes fewer
 * CIDRs than `limit` (the plain list's length); undefined otherwise, or when there are no holes.
 */
function blocksExcept(inside: readonly Range[], limit: number): string | undefined {
  // Ranges come sorted by family then address, so CIDR hulls nest in or follow the previous block.
  const blocks: { hull: Cidr; ranges: Range[] }[] = [];
  for (const range of inside) {
    const hull = hullOf(range);
    const last = blocks.at(-1);
    if (last !== undefined && cidrContainsCidr(last.hull, hull)) {
      last.ranges.push(range);
      continue;
    }
    const ranges = [range];
    while (blocks.length > 0 && cidrContainsCidr(hull, blocks.at(-1)!.hull))
      ranges.unshift(...blocks.pop()!.ranges);
    blocks.push({ hull, ranges });
  }
  const holes: Cidr[] = [];
  for (const { hull, ranges } of blocks) {
    let cur = hull.start;
    for (const [, a, b] of [...ranges, [hull.family, hull.end + 1n, hull.end + 1n] as const]) {
      if (a > cur) holes.push(...rangeToCidrs(hull.family, cur, a - 1n));
      if (blocks.length + holes.length >= limit) return undefined;
      cur = b + 1n;
    }
  }
  if (holes.length === 0) return undefined;
  return `${blocks.map((x) => formatCidr(x.hull)).join(', ')} except ${holes.map(formatCidr).join(', ')}`;
}
