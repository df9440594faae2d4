/**
 * Evaluate: every allowed connection, first between classes (pod classes and address classes), then
 * expanded to workloads or pods. The work is proportional to the rules' fan-out and to the answer, never to
 * all pairs of pods.
 */
import type { PodInfo, WorkloadInfo } from '../model/cluster.ts';
import type { AddressClass } from './addresses.ts';
import {
  accessToAddress,
  accessToPod,
  progressReporter,
  type Access,
  type CompiledCluster,
} from './compile.ts';
import { podKey } from './classes.ts';
import { intersectPorts, isEmptyPorts, unionPorts, type PortSet } from './ports.ts';
import { compareText } from '../base/text.ts';
import { l7Field, type L7Connection } from './cilium-l7.ts';

export type ClassEnd = { pod: number } | { address: number };

export interface ClassConnection {
  src: ClassEnd;
  dst: ClassEnd;
  ports: PortSet;
}

/**
 * Whether an access allows something towards every pod but those it cuts (so that any class may be a peer;
 * a cut peer is visited and found empty through `accessToPod`).
 */
export function isOpenTowardsPods(a: Access): boolean {
  return !isEmptyPorts(a.everything) || !isEmptyPorts(a.allPods);
}

/** Address classes an access allows, with ports; computed once per distinct Access object. */
export function addressReach(
  access: Access,
  addressCount: number,
  memo: Map<Access, [number, PortSet][]>,
): [number, PortSet][] {
  let out = memo.get(access);
  if (out !== undefined) return out;
  out = [];
  if (!isEmptyPorts(access.everything)) {
    for (let a = 0; a < addressCount; a++) {
      const ports = accessToAddress(access, a);
      // Cluster policy tiers may cut an address out of `everything`.
      if (!isEmptyPorts(ports)) out.push([a, ports]);
    }
  } else {
    for (const [a, ports] of [...access.addresses.entries()].sort((x, y) => x[0] - y[0])) {
      if (!isEmptyPorts(ports)) out.push([a, ports]);
    }
  }
  memo.set(access, out);
  return out;
}

/**
 * Calls `pod(src, dst, ports)` for every allowed pair of pod classes (destination by destination), then
 * `egressTo(src, address, ports)` and `ingressFrom(address, dst, ports)` for the allowed connections with
 * address classes. Nothing is allocated per pair but the port sets (what `classConnections` returns, as
 * callbacks).
 */
export function forEachClassConnection(
  compiled: CompiledCluster,
  pod: (src: number, dst: number, ports: PortSet) => void,
  egressTo: (src: number, address: number, ports: PortSet) => void,
  ingressFrom: (address: number, dst: number, ports: PortSet) => void,
  /** Pairs of pod classes the caller accounts for itself: neither computed nor reported. */
  skip?: (src: number, dst: number) => boolean,
): void {
  const { classes, ingress, egress } = compiled;
  const addressCount = compiled.addressSpace.classes.length;
  const openEgress: number[] = [];
  const isOpen = new Uint8Array(classes.length);
  const reverse = new Array<number[] | undefined>(classes.length);
  for (const cls of classes) {
    const e = egress[cls.id]!;
    if (isOpenTowardsPods(e)) {
      openEgress.push(cls.id);
      isOpen[cls.id] = 1;
    }
    for (const dst of e.pods.keys()) {
      const list = reverse[dst];
      if (list === undefined) reverse[dst] = [cls.id];
      else list.push(cls.id);
    }
  }
  const report = progressReporter(compiled.options.onProgress, 'connections', classes.length);
  for (const d of classes) {
    report(d.id + 1);
    const ing = ingress[d.id]!;
    let candidates: readonly number[];
    if (isOpenTowardsPods(ing)) {
      const extra = (reverse[d.id] ?? []).filter((s) => isOpen[s] === 0);
      candidates = extra.length === 0 ? openEgress : [...openEgress, ...extra].sort((a, b) => a - b);
    } else {
      candidates = [...ing.pods.keys()].sort((a, b) => a - b);
    }
    for (const s of candidates) {
      if (skip?.(s, d.id) === true) continue;
      const src = classes[s]!;
      const e = accessToPod(egress[s]!, d);
      if (isEmptyPorts(e)) continue;
      const ports = intersectPorts(e, accessToPod(ing, src));
      if (!isEmptyPorts(ports)) pod(s, d.id, ports);
    }
  }
  const egressMemo = new Map<Access, [number, PortSet][]>();
  const ingressMemo = new Map<Access, [number, PortSet][]>();
  for (const cls of classes) {
    for (const [a, ports] of addressReach(egress[cls.id]!, addressCount, egressMemo))
      egressTo(cls.id, a, ports);
    for (const [a, ports] of addressReach(ingress[cls.id]!, addressCount, ingressMemo)) {
      ingressFrom(a, cls.id, ports);
    }
  }
}

/** Every allowed connection between classes, including to and from addresses outside the cluster. */
export function classConnections(compiled: CompiledCluster): ClassConnection[] {
  const out: ClassConnection[] = [];
  forEachClassConnection(
    compiled,
    (s, d, ports) => out.push({ src: { pod: s }, dst: { pod: d }, ports }),
    (s, a, ports) => out.push({ src: { pod: s }, dst: { address: a }, ports }),
    (a, d, ports) => out.push({ src: { address: a }, dst: { pod: d }, ports }),
  );
  return out;
}

export const Granularity = { Workload: 'workload', Pod: 'pod' } as const;
export type Granularity = (typeof Granularity)[keyof typeof Granularity];

export type Entity =
  | { kind: 'workload'; id: string; workload: WorkloadInfo }
  | { kind: 'pod'; id: string; pod: PodInfo; workload: WorkloadInfo | undefined }
  | { kind: 'external'; id: string; address: AddressClass };

export interface Connection {
  src: string;
  dst: string;
  ports: PortSet;
}

export interface Connectivity {
  granularity: Granularity;
  /** Every workload (or pod), then every external address class, in a stable order. */
  entities: Entity[];
  byId: ReadonlyMap<string, Entity>;
  /** One entry per (source, destination) pair with any allowed connection, sorted. */
  connections: Connection[];
  /**
   * What sources reach by DNS name (cluster policies' `domainNames` allow rules), sorted by source then
   * domain; not in `connections`, since the DNS answer decides which addresses those are.
   */
  domains: DomainConnection[];
  /**
   * The connections (of `connections`) that Cilium rules with L7 rules filter: allowed at L4, then decided
   * request by request by Cilium's proxy (cilium-l7.ts). Present only when there is at least one.
   */
  l7?: L7Connection[];
}

/** A source (workload or pod id) that may connect to a domain name on `ports`, wherever it resolves. */
export interface DomainConnection {
  src: string;
  domain: string;
  ports: PortSet;
}

/** Every entity's reach by DNS name (`compiled.domainReach` of its classes), sorted by source then domain. */
export function connectivityDomains(
  compiled: CompiledCluster,
  index: Pick<EntityIndex, 'entities' | 'members'>,
): DomainConnection[] {
  // Only classes that a policy with a `domainNames` allow rule selects can reach a domain.
  const withDomains = new Set(
    compiled.tierPolicies
      .filter((p) => p.egress.some((r) => r.action === 'allow' && r.peers.some((x) => x.domains.length > 0)))
      .map((p) => p.index),
  );
  // And classes that a Cilium rule set with a `toFQDNs` egress rule selects.
  const ciliumDomains = new Set(
    compiled.cilium.specs
      .filter((s) => s.egress.some((r) => r.peers.some((x) => x.domains.length > 0)))
      .map((s) => s.index),
  );
  if (withDomains.size === 0 && ciliumDomains.size === 0) return [];
  const byEntity = new Map<number, Map<string, PortSet>>();
  for (const cls of compiled.classes) {
    if (
      !compiled.tierPoliciesOfClass[cls.id]!.some((i) => withDomains.has(i)) &&
      !(compiled.cilium.ofClass[cls.id] ?? []).some((i) => ciliumDomains.has(i))
    )
      continue;
    const reach = compiled.domainReach(cls.id);
    if (reach.length === 0) continue;
    for (const m of index.members[cls.id]!) {
      let row = byEntity.get(m.entity);
      if (row === undefined) byEntity.set(m.entity, (row = new Map<string, PortSet>()));
      for (const r of reach) {
        const cur = row.get(r.domain);
        row.set(r.domain, cur === undefined ? r.ports : unionPorts(cur, r.ports));
      }
    }
  }
  const out: DomainConnection[] = [];
  for (const e of [...byEntity.keys()].sort((a, b) => a - b)) {
    const row = byEntity.get(e)!;
    for (const domain of [...row.keys()].sort(compareText)) {
      out.push({ src: index.entities[e]!.id, domain, ports: row.get(domain)! });
    }
  }
  return out;
}

const EXTERNAL = 'external:';

/** The id of the entity standing for one address class: `external:<n>`. */
export function externalId(addressClass: number): string {
  return `${EXTERNAL}${addressClass}`;
}

/**
 * Whether an entity id names addresses outside the cluster rather than a workload or a pod: an address
 * class's `external:<n>`, or an id of the same family that stands for several classes (`external:*`).
 */
export function isExternalId(id: string): boolean {
  return id.startsWith(EXTERNAL);
}

/** The address class an `external:<n>` id stands for (the inverse of `externalId`); undefined for any other id. */
export function addressClassOfId(id: string): number | undefined {
  const digits = isExternalId(id) ? id.slice(EXTERNAL.length) : '';
  return /^\d+$/.test(digits) ? Number(digits) : undefined;
}

/**
 * Whether a workload stands for two or more pods, so that it can talk to itself: not with `replicas: 0` or
 * 1; a DaemonSet (`undefined`: one per node) may have several.
 */
function manyPods(w: WorkloadInfo | undefined): boolean {
  return w !== undefined && (w.replicas === undefined || w.replicas >= 2);
}

/** One entity a class's pods belong to: its index in `entities`, and whether it can talk to itself. */
export interface Member {
  entity: number;
  /** The entity stands for two or more pods of this class, so it may talk to itself through it. */
  many: boolean;
}

export interface EntityIndex {
  granularity: Granularity;
  /** Every workload (or pod), then every external address class, in a stable order. */
  entities: Entity[];
  byId: Map<string, Entity>;
  /** For each pod class, the entities its pods belong to (ascending). */
  members: Member[][];
  /** Index in `entities` of the first external address class (they come last, in address class order). */
  firstExternal: number;
}

/** The entities of the output and the members of every class (shared by the incremental engine). */
export function entityIndex(compiled: CompiledCluster, granularity: Granularity): EntityIndex {
  const { state } = compiled;
  const workloadById = new Map(state.workloads.map((w) => [w.id, w]));
  const entities: Entity[] = [];
  const members: Member[][] = compiled.classes.map(() => []);

  if (granularity === 'workload') {
    const sorted = [...state.workloads].sort(
      (a, b) =>
        compareText(a.namespace, b.namespace) || compareText(a.name, b.name) || compareText(a.kind, b.kind),
    );
    for (const w of sorted) entities.push({ kind: 'workload', id: w.id, workload: w });
  } else {
    const keyed = state.pods.map((p) => [podKey(p.namespace, p.name), p] as const);
    keyed.sort((a, b) => compareText(a[0], b[0]));
    for (const [id, p] of keyed) {
      entities.push({ kind: 'pod', id, pod: p, workload: workloadById.get(p.workload) });
    }
  }
  const indexOf = new Map(entities.map((e, i) => [e.id, i]));
  if (granularity === 'workload') {
    for (const cls of compiled.classes) {
      const counts = new Map<string, number>();
      for (const p of cls.pods) counts.set(p.workload, (counts.get(p.workload) ?? 0) + 1);
      for (const [id, count] of counts) {
        const entity = indexOf.get(id);
        if (entity === undefined) continue;
        const w = workloadById.get(id);
        members[cls.id]!.push({
          entity,
          many: count > 1 || (w !== undefined && w.pods.length === 0 && manyPods(w)),
        });
      }
      members[cls.id]!.sort((a, b) => a.entity - b.entity);
    }
  } else {
    for (const cls of compiled.classes) {
      for (const p of cls.pods) {
        members[cls.id]!.push({
          entity: indexOf.get(podKey(p.namespace, p.name))!,
          many: p.template && manyPods(workloadById.get(p.workload)),
        });
      }
      members[cls.id]!.sort((a, b) => a.entity - b.entity);
    }
  }
  const firstExternal = entities.length;
  for (const a of compiled.addressSpace.classes) {
    entities.push({ kind: 'external', id: externalId(a.id), address: a });
  }
  return { granularity, entities, byId: new Map(entities.map((e) => [e.id, e])), members, firstExternal };
}

export function computeConnectivity(
  compiled: CompiledCluster,
  granularity: Granularity = 'workload',
): Connectivity {
  const { entities, byId, members, firstExternal } = entityIndex(compiled, granularity);
  // One map per source entity (a single map would hit the engine's limit of 2^24 entries on large answers).
  const rows: (Map<number, PortSet> | undefined)[] = new Array<Map<number, PortSet> | undefined>(
    entities.length,
  );
  const add = (src: number, dst: number, ports: PortSet): void => {
    let row = rows[src];
    if (row === undefined) rows[src] = row = new Map<number, PortSet>();
    const cur = row.get(dst);
    row.set(dst, cur === undefined ? ports : unionPorts(cur, ports));
  };
  forEachClassConnection(
    compiled,
    (s, d, ports) => {
      const sameClass = s === d;
      const dstMembers = members[d]!;
      for (const ms of members[s]!) {
        for (const md of dstMembers) {
          // A pod's traffic to itself is not network traffic; an entity talks to itself only through
          // two distinct pods.
          if (sameClass && ms.entity === md.entity && !ms.many) continue;
          add(ms.entity, md.entity, ports);
        }
      }
    },
    (s, a, ports) => {
      for (const m of members[s]!) add(m.entity, firstExternal + a, ports);
    },
    (a, d, ports) => {
      for (const m of members[d]!) add(firstExternal + a, m.entity, ports);
    },
  );
  const connections: Connection[] = [];
  for (let src = 0; src < entities.length; src++) {
    const row = rows[src];
    if (row === undefined) continue;
    const id = entities[src]!.id;
    const keys = Int32Array.from(row.keys()).sort();
    for (const dst of keys) {
      const ports = row.get(dst)!;
      if (!isEmptyPorts(ports)) connections.push({ src: id, dst: entities[dst]!.id, ports });
    }
    rows[src] = undefined;
  }
  const domains = connectivityDomains(compiled, { entities, members });
  const l7 = l7Field(compiled, { entities, members, firstExternal });
  return { granularity, entities, byId, connections, domains, ...l7 };
}
