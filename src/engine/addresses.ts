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
  cidrContainsIp,
  formatCidr,
  parseCidr,
  parseIp,
  rangeToCidrs,
  rootCidr,
  type Cidr,
  type IpAddress,
} from './ip.ts';

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
  children: Node[];
  classId: number;
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

export function buildAddressSpace(mentioned: Iterable<string>): AddressSpace {
  const unique = new Map<string, Cidr>();
  let rootsMentioned = false;
  for (const text of mentioned) {
    const parsed = parseCidr(text);
    if (!parsed.ok) continue;
    if (parsed.cidr.prefix === 0) rootsMentioned = true;
    unique.set(cidrKey(parsed.cidr), parsed.cidr);
  }
  const roots: Node[] = ([4, 6] as const).map((family) => {
    const cidr = rootCidr(family);
    unique.delete(cidrKey(cidr));
    return { cidr, key: cidrKey(cidr), parent: undefined, children: [], classId: -1 };
  });
  // Insert shortest prefixes first, so every parent exists before its children.
  const sorted = [...unique.values()].sort((a, b) => a.prefix - b.prefix || (a.start < b.start ? -1 : 1));
  const byKey = new Map<string, Node>(roots.map((r) => [r.key, r]));
  for (const cidr of sorted) {
    let parent = roots[cidr.family === 4 ? 0 : 1]!;
    for (;;) {
      const next = parent.children.find((c) => cidrContainsCidr(c.cidr, cidr));
      if (next === undefined) break;
      parent = next;
    }
    const node: Node = { cidr, key: cidrKey(cidr), parent, children: [], classId: -1 };
    parent.children.push(node);
    byKey.set(node.key, node);
  }

  const classes: AddressClass[] = [];
  const remainderCover = (node: Node): Cidr[] => {
    const kids = [...node.children].sort((a, b) => (a.cidr.start < b.cidr.start ? -1 : 1));
    const out: Cidr[] = [];
    let cur = node.cidr.start;
    for (const k of kids) {
      if (k.cidr.start > cur) out.push(...rangeToCidrs(node.cidr.family, cur, k.cidr.start - 1n));
      cur = k.cidr.end + 1n;
    }
    if (cur <= node.cidr.end) out.push(...rangeToCidrs(node.cidr.family, cur, node.cidr.end));
    return out;
  };
  const visit = (node: Node): void => {
    const cover = remainderCover(node);
    if (cover.length > 0) {
      const merged = node.parent === undefined && !rootsMentioned && node.cidr.family === 6;
      if (merged) {
        const root4 = classes.find(
          (c) => c.nodes.length === 1 && c.nodes[0]!.prefix === 0 && c.nodes[0]!.family === 4,
        );
        if (root4 !== undefined) {
          (root4.nodes as Cidr[]).push(node.cidr);
          (root4.except as Cidr[]).push(...node.children.map((c) => c.cidr));
          (root4.cover as Cidr[]).push(...cover);
          node.classId = root4.id;
        }
      }
      if (node.classId < 0) {
        node.classId = classes.length;
        classes.push({
          id: node.classId,
          nodes: [node.cidr],
          except: node.children.map((c) => c.cidr),
          cover,
        });
      }
    }
    for (const child of node.children) visit(child);
  };
  for (const r of roots) visit(r);

  const deepest = (ip: IpAddress): Node => {
    let node = roots[ip.family === 4 ? 0 : 1]!;
    for (;;) {
      const next = node.children.find((c) => cidrContainsIp(c.cidr, ip));
      if (next === undefined) return node;
      node = next;
    }
  };

  const blockCache = new Map<string, number[]>();
  return {
    classes,
    classesOfBlock(cidrText, except) {
      const cacheKey = `${cidrText} ${except.join(' ')}`;
      const cached = blockCache.get(cacheKey);
      if (cached !== undefined) return cached;
      const out = new Set<number>();
      const parsed = parseCidr(cidrText);
      if (parsed.ok) {
        const top = byKey.get(cidrKey(parsed.cidr));
        const excluded = new Set<string>();
        for (const e of except) {
          const pe = parseCidr(e);
          if (pe.ok) excluded.add(cidrKey(pe.cidr));
        }
        const walk = (n: Node): void => {
          if (excluded.has(n.key)) return;
          if (n.classId >= 0) out.add(n.classId);
          for (const c of n.children) walk(c);
        };
        if (top !== undefined) walk(top);
      }
      const result = [...out].sort((a, b) => a - b);
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
      return c.nodes
        .map((node) => {
          const holes = c.except.filter((e) => cidrContainsCidr(node, e));
          return holes.length === 0
            ? formatCidr(node)
            : `${formatCidr(node)} except ${holes.map(formatCidr).join(', ')}`;
        })
        .join('; ');
    },
  };
}

/**
 * A readable description of a union of address classes: `any address`, `any address except …`, or the
 * fewest CIDRs covering exactly the union.
 */
export function describeAddressUnion(space: AddressSpace, ids: readonly number[]): string {
  const all = space.classes.length;
  const wanted = new Set(ids);
  if (wanted.size === all) return 'any address';
  const complement = space.classes.filter((c) => !wanted.has(c.id)).map((c) => c.id);
  const cidrs = (list: readonly number[]): string[] => {
    const ranges: [4 | 6, bigint, bigint][] = [];
    for (const id of list) for (const c of space.classes[id]!.cover) ranges.push([c.family, c.start, c.end]);
    ranges.sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
    const merged: [4 | 6, bigint, bigint][] = [];
    for (const r of ranges) {
      const last = merged[merged.length - 1];
      if (last !== undefined && last[0] === r[0] && r[1] <= last[2] + 1n) {
        if (r[2] > last[2]) last[2] = r[2];
      } else merged.push([r[0], r[1], r[2]]);
    }
    return merged.flatMap(([f, a, b]) => rangeToCidrs(f, a, b).map(formatCidr));
  };
  if (wanted.size === 1) return space.describe(ids[0]!);
  const inside = cidrs(ids);
  const outside = cidrs(complement);
  return outside.length < inside.length ? `any address except ${outside.join(', ')}` : inside.join(', ');
}
