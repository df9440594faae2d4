/**
 * The connectivity answer in groups: sets of sources × sets of destinations with the ports allowed between
 * every pair, instead of one entry per pair. Entities (workloads or pods) whose pods sit in the same classes
 * behave alike, so the work and the answer grow with distinct classes, not with pairs: a cluster without
 * policies is a handful of groups instead of a million pairs.
 *
 * Exactly the pairs of `computeConnectivity`, each in one place: a pair of distinct entities is in exactly one
 * group, and an entity that talks to itself (two of its pods to each other) is in exactly one `within` entry.
 */
import {
  connectivityDomains,
  entityIndex,
  forEachClassConnection,
  type DomainConnection,
  type Entity,
  type Granularity,
} from './connectivity.ts';
import { isOpenAccess, type CompiledCluster } from './compile.ts';
import { l7Field, type L7Connection } from './cilium-l7.ts';
import {
  ALL_CONNECTIONS,
  isAllConnections,
  isEmptyPorts,
  portsKey,
  unionPorts,
  type PortSet,
} from './ports.ts';

export interface ConnectionGroup {
  /** Entity ids, in the entities' order. */
  src: string[];
  dst: string[];
  /** Allowed from every source to every destination other than itself. */
  ports: PortSet;
}

export interface WithinGroup {
  /** Entities whose pods may connect to each other on `ports` (entity order). */
  members: string[];
  ports: PortSet;
}

export interface GroupedConnectivity {
  granularity: Granularity;
  /** Every workload (or pod), then every external address class, as in `computeConnectivity`. */
  entities: Entity[];
  byId: ReadonlyMap<string, Entity>;
  /** Sorted by first source, then first destination. */
  groups: ConnectionGroup[];
  /** Sorted by first member. */
  within: WithinGroup[];
  /** Allowed (source, destination) pairs in all: `computeConnectivity(…).connections.length`. */
  pairs: number;
  /** Reach by DNS name, as `computeConnectivity(…).domains` (not counted in `pairs`). */
  domains: DomainConnection[];
  /** Connections filtered at L7 by Cilium rules, as `computeConnectivity(…).l7` (present when any). */
  l7?: L7Connection[];
}

/** Entities that are members of the same classes (with the same multiplicity): they behave alike. */
interface Kind {
  /** Entity indices, ascending. */
  entities: number[];
  /** Pod classes, and whether the entity has two or more pods in it (so that it may talk to itself). */
  classes: { id: number; many: boolean }[];
}

function ascending(a: number, b: number): number {
  return a - b;
}

export function computeGroupedConnectivity(
  compiled: CompiledCluster,
  granularity: Granularity = 'workload',
): GroupedConnectivity {
  const { entities, byId, members, firstExternal } = entityIndex(compiled, granularity);

  // Kinds of entities, by the classes they are members of; external address classes are kinds of one.
  const signature: string[] = new Array<string>(firstExternal).fill('');
  const classesOf: { id: number; many: boolean }[][] = Array.from({ length: firstExternal }, () => []);
  for (const cls of compiled.classes) {
    for (const m of members[cls.id]!) {
      signature[m.entity] = `${signature[m.entity]!}${cls.id}${m.many ? '+' : ''},`;
      classesOf[m.entity]!.push({ id: cls.id, many: m.many });
    }
  }
  const kinds: Kind[] = [];
  const kindByKey = new Map<string, number>();
  for (let e = 0; e < firstExternal; e++) {
    const key = signature[e]!;
    if (key === '') continue; // no pods: no connections
    let k = kindByKey.get(key);
    if (k === undefined) {
      kindByKey.set(key, (k = kinds.length));
      kinds.push({ entities: [], classes: classesOf[e]! });
    }
    kinds[k]!.entities.push(e);
  }
  const firstAddressKind = kinds.length;
  for (let e = firstExternal; e < entities.length; e++) kinds.push({ entities: [e], classes: [] });
  const kindsOfClass: number[][] = compiled.classes.map(() => []);
  for (const [k, kind] of kinds.entries()) for (const c of kind.classes) kindsOfClass[c.id]!.push(k);

  // Open kinds: every class of theirs allows everything in and out (no policy selects them). Between two open
  // kinds everything is allowed, so those pairs are one block, never enumerated (a cluster without policies
  // is all block). A class is left to the block when every kind it belongs to is open.
  const openClass = compiled.classes.map(
    (c) => isOpenAccess(compiled.egress[c.id]!) && isOpenAccess(compiled.ingress[c.id]!),
  );
  const kindOpen = kinds.map((k) => k.classes.length > 0 && k.classes.every((c) => openClass[c.id]));
  const inBlock = compiled.classes.map(
    (c) => openClass[c.id]! && kindsOfClass[c.id]!.every((k) => kindOpen[k]),
  );
  const openKinds = kinds.flatMap((_, k) => (kindOpen[k] ? [k] : []));

  // Ports between kinds: `rows[k]` maps destination kind → ports, `cross[k]` is between two entities of
  // kind k, `self[k]` between two pods of one entity of kind k.
  const rows = kinds.map(() => new Map<number, PortSet>());
  const cross: (PortSet | undefined)[] = new Array<PortSet | undefined>(kinds.length);
  const self: (PortSet | undefined)[] = new Array<PortSet | undefined>(kinds.length);
  const add = (ks: number, kd: number, ports: PortSet): void => {
    const row = rows[ks]!;
    const cur = row.get(kd);
    row.set(kd, cur === undefined ? ports : unionPorts(cur, ports));
  };
  const join = (cur: PortSet | undefined, ports: PortSet): PortSet =>
    cur === undefined ? ports : unionPorts(cur, ports);
  forEachClassConnection(
    compiled,
    (s, d, ports) => {
      for (const ks of kindsOfClass[s]!) {
        for (const kd of kindsOfClass[d]!) {
          if (ks !== kd) {
            add(ks, kd, ports);
            continue;
          }
          cross[ks] = join(cross[ks], ports);
          // One entity's pods: two distinct pods, in two classes or twice in one.
          if (s !== d || kinds[ks]!.classes.some((c) => c.id === s && c.many))
            self[ks] = join(self[ks], ports);
        }
      }
    },
    (s, a, ports) => {
      for (const ks of kindsOfClass[s]!) add(ks, firstAddressKind + a, ports);
    },
    (a, d, ports) => {
      for (const kd of kindsOfClass[d]!) add(firstAddressKind + a, kd, ports);
    },
    (s, d) => inBlock[s]! && inBlock[d]!,
  );
  // Within an open kind: two pods of one entity, in two classes or twice in one, may connect.
  for (const k of openKinds) {
    const { classes } = kinds[k]!;
    self[k] = classes.length > 1 || classes.some((c) => c.many) ? ALL_CONNECTIONS : undefined;
  }

  // For each source kind, its destination kinds by ports; then source kinds with the same destinations
  // and ports become one group. A kind is a destination of itself on its `cross` ports (for a kind of one
  // entity that adds no pair, but lets it join the group of the kinds that behave like it).
  // An open kind's block (every open kind, itself included, on all connections) is a bucket flagged `open`.
  interface Bucket {
    ports: PortSet;
    destinations: number[];
    open: boolean;
  }
  const merged = new Map<string, Bucket & { sources: number[] }>();
  for (let ks = 0; ks < kinds.length; ks++) {
    const buckets = new Map<string, Bucket>();
    const bucketOf = (ports: PortSet): Bucket => {
      const key = portsKey(ports);
      let bucket = buckets.get(key);
      if (bucket === undefined) buckets.set(key, (bucket = { ports, destinations: [], open: false }));
      return bucket;
    };
    const put = (kd: number, ports: PortSet): void => {
      if (!isEmptyPorts(ports)) bucketOf(ports).destinations.push(kd);
    };
    const open = kindOpen[ks] === true;
    for (const [kd, ports] of rows[ks]!) if (!(open && kindOpen[kd] === true)) put(kd, ports);
    const c = cross[ks];
    if (open) bucketOf(ALL_CONNECTIONS).open = true;
    else if (c !== undefined) put(ks, c);
    rows[ks] = new Map();
    for (const [key, bucket] of buckets) {
      // Destinations that include every open kind on all connections are the block too, so that sources
      // with the same destinations share a group whether they are open or not.
      if (!bucket.open && openKinds.length > 0 && isAllConnections(bucket.ports)) {
        const others = bucket.destinations.filter((kd) => kindOpen[kd] !== true);
        if (bucket.destinations.length - others.length === openKinds.length) {
          bucket.destinations = others;
          bucket.open = true;
        }
      }
      bucket.destinations.sort(ascending);
      const groupKey = `${key}\u0000${bucket.open ? '*' : ''}${bucket.destinations.join(',')}`;
      const group = merged.get(groupKey);
      if (group === undefined) merged.set(groupKey, { sources: [ks], ...bucket });
      else group.sources.push(ks);
    }
  }

  const ids = (kindList: readonly number[]): number[] =>
    kindList.flatMap((k) => kinds[k]!.entities).sort(ascending);
  let pairs = 0;
  const numbered: { src: number[]; dst: number[]; ports: PortSet }[] = [];
  for (const g of merged.values()) {
    const destinationKinds = g.open ? [...openKinds, ...g.destinations] : g.destinations;
    const src = ids(g.sources);
    const dst = ids(destinationKinds);
    let count = src.length * dst.length;
    // Pairs of an entity with itself are not in groups.
    const destinations = new Set(destinationKinds);
    for (const k of g.sources) if (destinations.has(k)) count -= kinds[k]!.entities.length;
    if (count === 0) continue; // a kind of one entity towards itself only: no pair
    pairs += count;
    numbered.push({ src, dst, ports: g.ports });
  }
  numbered.sort((a, b) => a.src[0]! - b.src[0]! || a.dst[0]! - b.dst[0]!);

  const withinByPorts = new Map<string, { members: number[]; ports: PortSet }>();
  for (let k = 0; k < firstAddressKind; k++) {
    const ports = self[k];
    if (ports === undefined || isEmptyPorts(ports)) continue;
    const key = portsKey(ports);
    const w = withinByPorts.get(key);
    if (w === undefined) withinByPorts.set(key, { members: [...kinds[k]!.entities], ports });
    else w.members.push(...kinds[k]!.entities);
    pairs += kinds[k]!.entities.length;
  }
  const within = [...withinByPorts.values()].map((w) => ({ ...w, members: w.members.sort(ascending) }));
  within.sort((a, b) => a.members[0]! - b.members[0]!);

  const idOf = (e: number): string => entities[e]!.id;
  return {
    granularity,
    entities,
    byId,
    groups: numbered.map((g) => ({ src: g.src.map(idOf), dst: g.dst.map(idOf), ports: g.ports })),
    within: within.map((w) => ({ members: w.members.map(idOf), ports: w.ports })),
    pairs,
    domains: connectivityDomains(compiled, { entities, members }),
    ...l7Field(compiled, { entities, members, firstExternal }),
  };
}
