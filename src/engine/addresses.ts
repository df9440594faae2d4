/**
 * The address space, split into disjoint classes at every CIDR any policy mentions.
 *
 * CIDR prefixes are laminar: two of them are nested or disjoint. So the mentioned CIDRs form a tree, and
 * each node's remainder (its range minus its children) is one class of addresses that every ipBlock treats
 * the same way: "10.0.0.0/8 except 10.1.0.0/16". The two roots, 0.0.0.0/0 and ::/0, are one class unless a
 * policy names either of them.
 */
import {
  cidrContainsCidr,
  formatCidr,
  parseCidr,
  parseIp,
  rangeToCidrs,
  rootCidr,
  type Cidr,
  type IpAddress,
} from '../base/ip.ts';

export interface AddressClass {
  id: number;
  /** The tree nodes this class consists of (one, or both roots). */
  nodes: readonly Cidr[];
  /** The mentioned CIDRs nested directly inside, excluded from this class. */
  except: readonly Cidr[];
  /** The fewest CIDRs whose union is exactly this class. */
  cover: readonly Cidr[];
}

interface Node {
  cidr: Cidr;
  key: string;
  parent: Node | undefined;
  /** In the order classes are numbered: shortest prefix first, then lowest address. */
  children: Node[];
  /** The same children by address, for binary search. */
  byStart: Node[];
  classId: number;
  /** The class ids of this subtree: `[lo, hi)` (ids are numbered depth first, so a subtree's are contiguous). */
  lo: number;
  hi: number;
}

export interface AddressSpace {
  readonly classes: readonly AddressClass[];
  /** Classes inside `cidr` and outside every `except`: exactly the addresses an ipBlock matches. */
  classesOfBlock(cidr: string, except: readonly string[]): number[];
  /** The class of one address, or undefined when it does not parse. */
  classOfIp(ip: string): number | undefined;
  describe(id: number): string;
}

function cidrKey(c: Cidr): string {
  return `${c.family}/${c.start}/${c.prefix}`;
}

function newNode(cidr: Cidr, parent: Node | undefined): Node {
  return { cidr, key: cidrKey(cidr), parent, children: [], byStart: [], classId: -1, lo: 0, hi: 0 };
}

function compareBigint(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The child of `node` whose range holds `value`, by binary search over its children sorted by address. */
function childHolding(node: Node, value: bigint): Node | undefined {
  const kids = node.byStart;
  let lo = 0;
  let hi = kids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (kids[mid]!.cidr.start <= value) lo = mid + 1;
    else hi = mid;
  }
  const candidate = kids[lo - 1];
  return candidate !== undefined && value <= candidate.cidr.end ? candidate : undefined;
}

export function buildAddressSpace(mentioned: Iterable<string>): AddressSpace {
  const unique = new Map<string, Cidr>();
  let rootsMentioned = false;
  // Policies repeat the same few CIDRs: parse each text once.
  for (const text of new Set(mentioned)) {
    const parsed = parseCidr(text);
    if (!parsed.ok) continue;
    if (parsed.cidr.prefix === 0) rootsMentioned = true;
    unique.set(cidrKey(parsed.cidr), parsed.cidr);
  }
  const roots: Node[] = ([4, 6] as const).map((family) => {
    const cidr = rootCidr(family);
    unique.delete(cidrKey(cidr));
    return newNode(cidr, undefined);
  });
  // By address, a containing CIDR before the CIDRs inside it: the tree in preorder. One pass with the path
  // from the root as a stack builds it, each node's children coming in address order.
  const preorder = [...unique.values()].sort(
    (a, b) => a.family - b.family || compareBigint(a.start, b.start) || a.prefix - b.prefix,
  );
  const byKey = new Map<string, Node>(roots.map((r) => [r.key, r]));
  const path: Node[] = [];
  for (const cidr of preorder) {
    if (path[0]?.cidr.family !== cidr.family) path.splice(0, path.length, roots[cidr.family === 4 ? 0 : 1]!);
    while (!cidrContainsCidr(path[path.length - 1]!.cidr, cidr)) path.pop();
    const parent = path[path.length - 1]!;
    const node = newNode(cidr, parent);
    parent.byStart.push(node);
    byKey.set(node.key, node);
    path.push(node);
  }
  // Among siblings, classes are numbered shortest prefix first, then by address: ids, except lists and
  // descriptions are visible in every output (and its goldens), so this order stays.
  for (const node of byKey.values()) {
    node.children =
      node.byStart.length < 2
        ? node.byStart
        : [...node.byStart].sort(
            (a, b) => a.cidr.prefix - b.cidr.prefix || compareBigint(a.cidr.start, b.cidr.start),
          );
  }

  const classes: AddressClass[] = [];
  const remainderCover = (node: Node): Cidr[] => {
    const out: Cidr[] = [];
    let cur = node.cidr.start;
    for (const k of node.byStart) {
      if (k.cidr.start > cur) out.push(...rangeToCidrs(node.cidr.family, cur, k.cidr.start - 1n));
      cur = k.cidr.end + 1n;
    }
    if (cur <= node.cidr.end) out.push(...rangeToCidrs(node.cidr.family, cur, node.cidr.end));
    return out;
  };
  let root4: AddressClass | undefined;
  const visit = (node: Node): void => {
    node.lo = classes.length;
    const cover = remainderCover(node);
    if (cover.length > 0) {
      const merged = node.parent === undefined && !rootsMentioned && node.cidr.family === 6;
      if (merged && root4 !== undefined) {
        (root4.nodes as Cidr[]).push(node.cidr);
        // Loops, not spread arguments: a root may have more children than a call takes arguments.
        for (const c of node.children) (root4.except as Cidr[]).push(c.cidr);
        for (const c of cover) (root4.cover as Cidr[]).push(c);
        node.classId = root4.id;
      } else {
        node.classId = classes.length;
        const cls: AddressClass = {
          id: node.classId,
          nodes: [node.cidr],
          except: node.children.map((c) => c.cidr),
          cover,
        };
        if (node.parent === undefined && node.cidr.family === 4) root4 = cls;
        classes.push(cls);
      }
    }
    for (const child of node.children) visit(child);
    node.hi = classes.length;
  };
  for (const r of roots) visit(r);

  const deepest = (ip: IpAddress): Node => {
    let node = roots[ip.family === 4 ? 0 : 1]!;
    for (;;) {
      const next = childHolding(node, ip.value);
      if (next === undefined) return node;
      node = next;
    }
  };

  const blockCache = new Map<string, number[]>();
  const descriptions: (string | undefined)[] = [];
  return {
    classes,
    classesOfBlock(cidrText, except) {
      const cacheKey = `${cidrText} ${except.join(' ')}`;
      const cached = blockCache.get(cacheKey);
      if (cached !== undefined) return cached;
      const result: number[] = [];
      const parsed = parseCidr(cidrText);
      const top = parsed.ok ? byKey.get(cidrKey(parsed.cidr)) : undefined;
      const holes: Node[] = [];
      for (const e of except) {
        const pe = parseCidr(e);
        const hole = pe.ok ? byKey.get(cidrKey(pe.cidr)) : undefined;
        if (hole !== undefined && top !== undefined && cidrContainsCidr(top.cidr, hole.cidr))
          holes.push(hole);
      }
      if (top !== undefined && !holes.includes(top)) {
        // The block's classes are its subtree's minus the subtrees of the excepts inside it: id ranges. The
        // IPv6 root, merged into the IPv4 root's class, is the one node whose id lies outside its subtree's.
        if (top.classId >= 0 && top.classId < top.lo) result.push(top.classId);
        holes.sort((a, b) => a.lo - b.lo);
        let cur = top.lo;
        for (const hole of holes) {
          for (; cur < hole.lo; cur++) result.push(cur);
          if (hole.hi > cur) cur = hole.hi;
        }
        for (; cur < top.hi; cur++) result.push(cur);
      }
      blockCache.set(cacheKey, result);
      return result;
    },
    classOfIp(text) {
      const ip = parseIp(text);
      if (ip === undefined) return undefined;
      const id = deepest(ip).classId;
      return id >= 0 ? id : undefined;
    },
    describe(id) {
      const c = classes[id];
      if (c === undefined) return `?${id}`;
      const cached = descriptions[id];
      if (cached !== undefined) return cached;
      const text = c.nodes
        .map((node) => {
          const holes = c.except.filter((e) => cidrContainsCidr(node, e));
          return holes.length === 0
            ? formatCidr(node)
            : `${formatCidr(node)} except ${holes.map(formatCidr).join(', ')}`;
        })
        .join('; ');
      descriptions[id] = text;
      return text;
    },
  };
}
