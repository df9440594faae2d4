/**
 * Diff: how connectivity and policies differ between two cluster states (two folders, two revisions).
 *
 * Workloads (or pods) are matched by id. The outside world is compared on the common refinement of both
 * address spaces: every CIDR either state mentions splits it, so each address class of the diff lies inside
 * exactly one class of each state, and a connection to "0.0.0.0/0" before and to "198.51.100.40/32" after
 * compare address by address.
 */
import type { ClusterState, PolicyInfo } from '../model/cluster.ts';
import type { CiliumPolicyInfo } from '../model/cilium.ts';
import type { FieldPath } from '../model/problem.ts';
import { buildAddressSpace, type AddressSpace } from './addresses.ts';
import { addressSpaceCidrs, compileCluster, type CompiledCluster, type EngineOptions } from './compile.ts';
import {
  computeConnectivity,
  externalId,
  type Connectivity,
  type Entity,
  type Granularity,
} from './connectivity.ts';
import { formatIp } from '../base/ip.ts';
import { NO_PORTS, isEmptyPorts, portsEqual, subtractPorts, unionPorts, type PortSet } from './ports.ts';
import { compareText, pairKey, splitPairKey } from '../base/text.ts';
import { diffClusterPolicies, type ClusterPolicyChange } from './tier-diff.ts';
import { nodesAtAddressClass } from './own-node.ts';

export const ConnectionChangeKind = { Added: 'added', Removed: 'removed', Changed: 'changed' } as const;
export type ConnectionChangeKind = (typeof ConnectionChangeKind)[keyof typeof ConnectionChangeKind];

export interface ConnectionChange {
  change: ConnectionChangeKind;
  /** Entity ids of the diff (`ClusterDiff.byId`). */
  src: string;
  dst: string;
  /** Allowed before; `NO_PORTS` for an added connection. */
  before: PortSet;
  /** Allowed after; `NO_PORTS` for a removed connection. */
  after: PortSet;
  /** `after − before`: newly allowed. */
  added: PortSet;
  /** `before − after`: no longer allowed. */
  removed: PortSet;
  /**
   * What happened to the connection (or connections) of a side this pair is part of, counted in that side's
   * own address classes as `analyze` counts them: `added` when the after side's connection is new at every
   * address, `removed` when the before side's is gone at every address, else `changed` (a connection to an
   * address class of one side that the common space splits may lose some of its addresses and keep others).
   */
  connection: ConnectionChangeKind;
  /**
   * The ports Cilium filters at L7 on each side (`NO_PORTS`: none), when either side filters some: a pair
   * gaining or losing L7 filtering is a change even on the same ports.
   */
  l7?: { before: PortSet; after: PortSet };
}

/**
 * The connections of one side as `analyze` counts them (in the side's own address classes), by what the
 * diff does to them: each is unchanged (the same ports to every address), changed (some addresses or ports
 * differ), or removed (before: allowed to no address of it after) / added (after: allowed to none before).
 */
export interface SideCounts {
  connections: number;
  unchanged: number;
  changed: number;
  /** `removed` on the before side, `added` on the after side. */
  gone: number;
}

export const PolicyChangeKind = { Added: 'added', Removed: 'removed', Modified: 'modified' } as const;
export type PolicyChangeKind = (typeof PolicyChangeKind)[keyof typeof PolicyChangeKind];

export interface PolicyChange {
  change: PolicyChangeKind;
  /** `namespace/name` */
  id: string;
  before: PolicyInfo | undefined;
  after: PolicyInfo | undefined;
  /**
   * For a modified policy, the fields that differ, relative to the object (`['spec', 'ingress', 0, 'from']`,
   * `['metadata', 'labels', 'team']`): the deepest paths where the two sides differ; a list whose length
   * changed is reported as a whole.
   */
  fields: FieldPath[];
}

/** A Cilium policy added, removed or modified (its spec, specs or labels; fields relative to the object). */
export interface CiliumPolicyChange {
  change: PolicyChangeKind;
  /** `CiliumNetworkPolicy/shop/db` or `CiliumClusterwideNetworkPolicy/name`. */
  id: string;
  before: CiliumPolicyInfo | undefined;
  after: CiliumPolicyInfo | undefined;
  fields: FieldPath[];
}

export interface DiffOptions extends EngineOptions {
  /** @default 'workload' */
  granularity: Granularity;
}

export interface ClusterDiff {
  granularity: Granularity;
  /**
   * Every workload (or pod) of either state, in id order (the after side's description when both have it),
   * then every class of the common address space.
   */
  entities: Entity[];
  byId: ReadonlyMap<string, Entity>;
  /** The common refinement of both states' address spaces; external entity ids refer to its classes. */
  addressSpace: AddressSpace;
  /** Ids of workloads (or pods) only the after state has. */
  entitiesAdded: string[];
  /** Ids of workloads (or pods) only the before state has. */
  entitiesRemoved: string[];
  /** Added, removed and changed connections, in entity order of source, then destination. */
  connections: ConnectionChange[];
  /** Each side's connections as `analyze` counts them, by what the diff does to them. */
  counts: { before: SideCounts; after: SideCounts };
  /** Added, removed and modified policies, by id. */
  policies: PolicyChange[];
  /** Added, removed and modified cluster policies (CNP, ANP, BANP), by id (`tier-diff.ts`). */
  clusterPolicies: ClusterPolicyChange[];
  /** Added, removed and modified Cilium policies, by id (`CiliumNetworkPolicy/ns/name`). */
  ciliumPolicies: CiliumPolicyChange[];
  /** Each state as compiled, and its connections keyed `src\0dst` in the common address space. */
  sides: { before: Side; after: Side };
}

/** One state of a comparison: compiled, and its connections in the common address space. */
export interface Side {
  compiled: CompiledCluster;
  /** Workloads (or pods) of this state. */
  entities: Entity[];
  /** Connections keyed `src\0dst`, external ids in the common address space. */
  connections: Map<string, PortSet>;
  /** The ports Cilium filters at L7, keyed as `connections` (only pairs with some). */
  l7: Map<string, PortSet>;
  /** How many connections the state has in its own address classes, as `analyze` counts them. */
  own: number;
  /**
   * For a key of `connections` that is one of several pieces of one connection of the state (an address
   * class of its own that the common space splits): that connection's index, and how many pieces it has.
   */
  split: Map<string, { index: number; pieces: number }>;
}

/** For each class of `own`, the classes of the finer `common` space inside it. */
function refinementMap(own: AddressSpace, common: AddressSpace): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (const c of common.classes) {
    // A common class lies inside exactly one class of `own`, so any one of its addresses tells which.
    const first = c.cover[0]!;
    const id = own.classOfIp(formatIp(first.family, first.start));
    if (id === undefined) throw new Error(`address class ${common.describe(c.id)} has no class in a side`);
    const list = out.get(id);
    if (list === undefined) out.set(id, [c.id]);
    else list.push(c.id);
  }
  return out;
}

/** The order `computeConnectivity` lists entities in: workloads by namespace, name and kind; pods by id. */
function compareEntities(x: Entity, y: Entity): number {
  if (x.kind === 'workload' && y.kind === 'workload') {
    const a = x.workload;
    const b = y.workload;
    return (
      compareText(a.namespace, b.namespace) || compareText(a.name, b.name) || compareText(a.kind, b.kind)
    );
  }
  return compareText(x.id, y.id);
}

/**
 * Connections of one state, keyed `src\0dst`, with external ids rewritten into `common`, an address space
 * at least as fine as the state's own (built from the CIDRs of every state compared), so that the
 * connections of several states compare key by key.
 */
export function sideConnections(state: ClusterState, common: AddressSpace, options: DiffOptions): Side {
  const compiled = compileCluster(state, {
    ipBlockMatchesPods: options.ipBlockMatchesPods,
    ...(options.hostNetworkPods === undefined ? {} : { hostNetworkPods: options.hostNetworkPods }),
    ...(options.cni === undefined ? {} : { cni: options.cni }),
  });
  return sideOf(compiled, computeConnectivity(compiled, options.granularity), common);
}

/**
 * An entity id of `conn` as the ids of `common` (at least as fine as the state's own address space): an
 * external class becomes the common classes inside it, any other entity stays.
 */
export function commonIds(
  compiled: CompiledCluster,
  conn: Connectivity,
  common: AddressSpace,
): (id: string) => string[] {
  const refine = refinementMap(compiled.addressSpace, common);
  return (id) => {
    const e = conn.byId.get(id)!;
    return e.kind === 'external' ? (refine.get(e.address.id) ?? []).map(externalId) : [id];
  };
}

/** `sideConnections` of a state already compiled, with its connectivity. */
export function sideOf(compiled: CompiledCluster, conn: Connectivity, common: AddressSpace): Side {
  const expand = commonIds(compiled, conn, common);
  const keyed = (
    list: readonly { src: string; dst: string; ports: PortSet }[],
    split?: Map<string, { index: number; pieces: number }>,
  ): Map<string, PortSet> => {
    const out = new Map<string, PortSet>();
    list.forEach((c, index) => {
      const srcs = expand(c.src);
      const dsts = expand(c.dst);
      const pieces = srcs.length * dsts.length;
      for (const src of srcs) {
        for (const dst of dsts) {
          const key = pairKey(src, dst);
          const cur = out.get(key);
          out.set(key, cur === undefined ? c.ports : unionPorts(cur, c.ports));
          if (pieces > 1) split?.set(key, { index, pieces });
        }
      }
    });
    return out;
  };
  const split = new Map<string, { index: number; pieces: number }>();
  return {
    compiled,
    entities: conn.entities.filter((e) => e.kind !== 'external'),
    connections: keyed(conn.connections, split),
    l7: keyed(conn.l7 ?? []),
    own: conn.connections.length,
    split,
  };
}

/**
 * Which connection of `side` (in the side's own address classes) a pair of the common space is part of: an
 * index, or the pair's own key when the connection is that one pair. Two pairs of one connection give the same.
 */
export function sideConnectionOf(side: Side, key: string): number | string {
  return side.split.get(key)?.index ?? key;
}

/**
 * What the diff does to each connection of one side (in its own address classes): `pieces` are the changed
 * pairs of the common space, `gone` tells a piece this side no longer (before) or not yet (after) allows at
 * all. A connection all of whose pieces are gone is gone; one with some piece changed, changed; the rest
 * unchanged. Returns the counts, and the verdict of each connection by its pieces' keys.
 */
function judgeSide(
  side: Side,
  pieces: readonly { key: string; gone: boolean }[],
  gone: ConnectionChangeKind,
): { counts: SideCounts; verdict: (key: string) => ConnectionChangeKind } {
  const touched = new Map<number | string, { pieces: number; gone: number }>();
  const group = (key: string): number | string => sideConnectionOf(side, key);
  for (const p of pieces) {
    const id = group(p.key);
    const t = touched.get(id) ?? { pieces: side.split.get(p.key)?.pieces ?? 1, gone: 0 };
    if (p.gone) t.gone++;
    touched.set(id, t);
  }
  let goneCount = 0;
  for (const t of touched.values()) if (t.gone === t.pieces) goneCount++;
  const changed = touched.size - goneCount;
  return {
    counts: { connections: side.own, unchanged: side.own - touched.size, changed, gone: goneCount },
    verdict: (key) => {
      const t = touched.get(group(key))!;
      return t.gone === t.pieces ? gone : 'changed';
    },
  };
}

/**
 * The differences between two cluster states: connections added, removed and changed (same pair, other
 * ports), the workloads only one side has, and the policies added, removed or modified (spec or labels).
 */
export function diffClusters(
  before: ClusterState,
  after: ClusterState,
  options: Partial<DiffOptions> = {},
): ClusterDiff {
  const opts: DiffOptions = { granularity: 'workload', ipBlockMatchesPods: true, ...options };
  const common = commonAddressSpace(before, after);
  const a = sideConnections(before, common, opts);
  const b = sideConnections(after, common, opts);
  return diffSides(before, after, { before: a, after: b }, common, opts.granularity);
}

/** The common refinement of two states' address spaces: split at every CIDR either mentions (cluster policies' too). */
export function commonAddressSpace(before: ClusterState, after: ClusterState): AddressSpace {
  return buildAddressSpace([...addressSpaceCidrs(before), ...addressSpaceCidrs(after)]);
}

/** `diffClusters` of two states whose sides are already computed in `common` (`sideOf`, `sideConnections`). */
export function diffSides(
  before: ClusterState,
  after: ClusterState,
  sides: { before: Side; after: Side },
  common: AddressSpace,
  granularity: Granularity,
): ClusterDiff {
  const { before: a, after: b } = sides;
  const local = new Map<string, Entity>();
  for (const e of a.entities) local.set(e.id, e);
  for (const e of b.entities) local.set(e.id, e);
  const beforeIds = new Set(a.entities.map((e) => e.id));
  const afterIds = new Set(b.entities.map((e) => e.id));
  const entities: Entity[] = [...local.values()].sort(compareEntities);
  for (const c of common.classes) entities.push({ kind: 'external', id: externalId(c.id), address: c });
  const order = new Map(entities.map((e, i) => [e.id, i]));

  const connections: Omit<ConnectionChange, 'connection'>[] = [];
  for (const key of new Set([...a.connections.keys(), ...b.connections.keys()])) {
    const [src, dst] = splitPairKey(key);
    const was = a.connections.get(key) ?? NO_PORTS;
    const now = b.connections.get(key) ?? NO_PORTS;
    const l7Was = a.l7.get(key);
    const l7Now = b.l7.get(key);
    const l7 =
      l7Was === undefined && l7Now === undefined
        ? undefined
        : { before: l7Was ?? NO_PORTS, after: l7Now ?? NO_PORTS };
    if (portsEqual(was, now) && (l7 === undefined || portsEqual(l7.before, l7.after))) continue;
    const change: ConnectionChangeKind = isEmptyPorts(was)
      ? 'added'
      : isEmptyPorts(now)
        ? 'removed'
        : 'changed';
    connections.push({
      change,
      src,
      dst,
      before: was,
      after: now,
      added: subtractPorts(now, was),
      removed: subtractPorts(was, now),
      ...(l7 === undefined ? {} : { l7 }),
    });
  }
  connections.sort((x, y) => order.get(x.src)! - order.get(y.src)! || order.get(x.dst)! - order.get(y.dst)!);
  const keyOf = (c: { src: string; dst: string }): string => pairKey(c.src, c.dst);
  const was = judgeSide(
    a,
    connections
      .filter((c) => c.change !== 'added')
      .map((c) => ({ key: keyOf(c), gone: c.change === 'removed' })),
    'removed',
  );
  const now = judgeSide(
    b,
    connections
      .filter((c) => c.change !== 'removed')
      .map((c) => ({ key: keyOf(c), gone: c.change === 'added' })),
    'added',
  );

  return {
    granularity,
    entities,
    byId: new Map(entities.map((e) => [e.id, e])),
    addressSpace: common,
    entitiesAdded: entities.filter((e) => afterIds.has(e.id) && !beforeIds.has(e.id)).map((e) => e.id),
    entitiesRemoved: entities.filter((e) => beforeIds.has(e.id) && !afterIds.has(e.id)).map((e) => e.id),
    connections: connections.map((c) => ({
      ...c,
      connection:
        c.change === 'added'
          ? now.verdict(keyOf(c))
          : c.change === 'removed'
            ? was.verdict(keyOf(c))
            : 'changed',
    })),
    counts: { before: was.counts, after: now.counts },
    policies: diffPolicies(before.policies, after.policies),
    clusterPolicies: diffClusterPolicies(before.clusterPolicies, after.clusterPolicies),
    ciliumPolicies: diffCiliumPolicies(before.ciliumPolicies, after.ciliumPolicies),
    sides,
  };
}

/** Objects added, removed, or modified (`fieldsOf` the two sides is not empty), by id, in id order. */
function diffById<T extends { id: string }>(
  before: readonly T[],
  after: readonly T[],
  fieldsOf: (x: T, y: T) => FieldPath[],
): {
  change: PolicyChangeKind;
  id: string;
  before: T | undefined;
  after: T | undefined;
  fields: FieldPath[];
}[] {
  const was = new Map(before.map((p) => [p.id, p]));
  const now = new Map(after.map((p) => [p.id, p]));
  const out: ReturnType<typeof diffById<T>> = [];
  for (const id of [...new Set([...was.keys(), ...now.keys()])].sort(compareText)) {
    const x = was.get(id);
    const y = now.get(id);
    if (x === y) continue; // the same object (what-if keeps the policies it does not edit)
    if (x === undefined) out.push({ change: 'added', id, before: undefined, after: y, fields: [] });
    else if (y === undefined) out.push({ change: 'removed', id, before: x, after: undefined, fields: [] });
    else {
      const fields = fieldsOf(x, y);
      if (fields.length > 0) out.push({ change: 'modified', id, before: x, after: y, fields });
    }
  }
  return out;
}

const nodesMemo = new WeakMap<ClusterDiff, (classId: number) => readonly string[]>();

/**
 * The classes of the common address space made of Nodes' addresses: a class inside a class of a side that is
 * made of that side's Nodes' addresses (`nodesAtAddressClass`; the common space refines both sides'), with the
 * Nodes of both sides, sorted; [] for any other class. What the diff's outputs name as Nodes' addresses.
 */
export function diffNodesAt(diff: ClusterDiff): (classId: number) => readonly string[] {
  let nodesAt = nodesMemo.get(diff);
  if (nodesAt === undefined) {
    const held = new Map<number, Set<string>>();
    for (const { compiled } of [diff.sides.before, diff.sides.after]) {
      for (const node of compiled.state.nodes) {
        for (const a of node.addresses) {
          const own = compiled.addressSpace.classOfIp(a);
          const common = diff.addressSpace.classOfIp(a);
          if (own === undefined || common === undefined || nodesAtAddressClass(compiled, own).length === 0)
            continue;
          const names = held.get(common) ?? new Set<string>();
          held.set(common, names.add(node.name));
        }
      }
    }
    const sorted = new Map([...held].map(([id, names]) => [id, [...names].sort()]));
    nodesAt = (id) => sorted.get(id) ?? [];
    nodesMemo.set(diff, nodesAt);
  }
  return nodesAt;
}

/** Policies added, removed, or modified in their spec or labels (annotations are bookkeeping, not policy). */
export function diffPolicies(before: readonly PolicyInfo[], after: readonly PolicyInfo[]): PolicyChange[] {
  return diffById(before, after, (x, y) => {
    const fields: FieldPath[] = [];
    valueDiff(x.labels, y.labels, ['metadata', 'labels'], fields);
    valueDiff(x.spec, y.spec, ['spec'], fields);
    return fields;
  });
}

/** Cilium policies added, removed, or modified in `spec`, `specs` or labels. */
export function diffCiliumPolicies(
  before: readonly CiliumPolicyInfo[],
  after: readonly CiliumPolicyInfo[],
): CiliumPolicyChange[] {
  return diffById(before, after, (x, y) => {
    const fields: FieldPath[] = [];
    valueDiff(x.labels, y.labels, ['metadata', 'labels'], fields);
    valueDiff(x.object.spec, y.object.spec, ['spec'], fields);
    valueDiff(x.object.specs, y.object.specs, ['specs'], fields);
    return fields;
  });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Appends to `out` the deepest paths under `path` where `x` and `y` differ (object key order ignored). */
export function valueDiff(x: unknown, y: unknown, path: FieldPath, out: FieldPath[]): void {
  if (Array.isArray(x) && Array.isArray(y)) {
    if (x.length !== y.length) {
      out.push(path);
      return;
    }
    for (let i = 0; i < x.length; i++) valueDiff(x[i], y[i], [...path, i], out);
    return;
  }
  if (isRecord(x) && isRecord(y)) {
    const keys = [...new Set([...Object.keys(x), ...Object.keys(y)])].sort(compareText);
    for (const k of keys) {
      if (!Object.hasOwn(x, k) || !Object.hasOwn(y, k)) out.push([...path, k]);
      else valueDiff(x[k], y[k], [...path, k], out);
    }
    return;
  }
  if (!Object.is(x, y)) out.push(path);
}
