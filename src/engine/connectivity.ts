/**
 * Evaluate: every allowed connection, first between classes (pod classes and address classes), then
 * expanded to workloads or pods. The work is proportional to the rules' fan-out and to the answer, never to
 * all pairs of pods.
 */
import type { PodInfo, WorkloadInfo } from '../model/cluster.ts';
import type { AddressClass } from './addresses.ts';
import { accessToAddress, accessToPod, type Access, type CompiledCluster } from './compile.ts';
import { podKey } from './classes.ts';
import { intersectPorts, isEmptyPorts, unionPorts, type PortSet } from './ports.ts';

export type ClassEnd = { pod: number } | { address: number };

export interface ClassConnection {
  src: ClassEnd;
  dst: ClassEnd;
  ports: PortSet;
}

function isOpenTowardsPods(a: Access): boolean {
  return !isEmptyPorts(a.everything) || !isEmptyPorts(a.allPods);
}

/** Address classes an access allows, with ports; computed once per distinct Access object. */
function addressReach(
  access: Access,
  addressCount: number,
  memo: Map<Access, [number, PortSet][]>,
): [number, PortSet][] {
  let out = memo.get(access);
  if (out !== undefined) return out;
  out = [];
  if (!isEmptyPorts(access.everything)) {
    for (let a = 0; a < addressCount; a++) out.push([a, accessToAddress(access, a)]);
  } else {
    for (const [a, ports] of [...access.addresses.entries()].sort((x, y) => x[0] - y[0])) {
      if (!isEmptyPorts(ports)) out.push([a, ports]);
    }
  }
  memo.set(access, out);
  return out;
}

/** Every allowed connection between classes, including to and from addresses outside the cluster. */
export function classConnections(compiled: CompiledCluster): ClassConnection[] {
  const { classes, ingress, egress } = compiled;
  const addressCount = compiled.addressSpace.classes.length;
  const out: ClassConnection[] = [];
  const openEgress: number[] = [];
  const reverse = new Map<number, number[]>();
  for (const cls of classes) {
    const e = egress[cls.id]!;
    if (isOpenTowardsPods(e)) openEgress.push(cls.id);
    for (const dst of e.pods.keys()) {
      const list = reverse.get(dst);
      if (list === undefined) reverse.set(dst, [cls.id]);
      else list.push(cls.id);
    }
  }
  const openSet = new Set(openEgress);
  for (const d of classes) {
    const ing = ingress[d.id]!;
    let candidates: Iterable<number>;
    if (isOpenTowardsPods(ing)) {
      const extra = (reverse.get(d.id) ?? []).filter((s) => !openSet.has(s));
      candidates = extra.length === 0 ? openEgress : [...openEgress, ...extra].sort((a, b) => a - b);
    } else {
      candidates = [...ing.pods.keys()].sort((a, b) => a - b);
    }
    for (const s of candidates) {
      const src = classes[s]!;
      const e = accessToPod(egress[s]!, d);
      if (isEmptyPorts(e)) continue;
      const ports = intersectPorts(e, accessToPod(ing, src));
      if (!isEmptyPorts(ports)) out.push({ src: { pod: s }, dst: { pod: d.id }, ports });
    }
  }
  const egressMemo = new Map<Access, [number, PortSet][]>();
  const ingressMemo = new Map<Access, [number, PortSet][]>();
  for (const cls of classes) {
    for (const [a, ports] of addressReach(egress[cls.id]!, addressCount, egressMemo)) {
      out.push({ src: { pod: cls.id }, dst: { address: a }, ports });
    }
    for (const [a, ports] of addressReach(ingress[cls.id]!, addressCount, ingressMemo)) {
      out.push({ src: { address: a }, dst: { pod: cls.id }, ports });
    }
  }
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
}

export function externalId(addressClass: number): string {
  return `external:${addressClass}`;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Whether a workload stands for more than one pod, so that it can talk to itself. */
function manyPods(w: WorkloadInfo | undefined): boolean {
  return w !== undefined && w.replicas !== 1;
}

export function computeConnectivity(
  compiled: CompiledCluster,
  granularity: Granularity = 'workload',
): Connectivity {
  const { state } = compiled;
  const workloadById = new Map(state.workloads.map((w) => [w.id, w]));
  const entities: Entity[] = [];
  /** For each class: the entities its pods belong to, with how many of its pods each has. */
  const members: { id: string; count: number; many: boolean }[][] = compiled.classes.map(() => []);

  if (granularity === 'workload') {
    const sorted = [...state.workloads].sort(
      (a, b) =>
        compareText(a.namespace, b.namespace) || compareText(a.name, b.name) || compareText(a.kind, b.kind),
    );
    for (const w of sorted) entities.push({ kind: 'workload', id: w.id, workload: w });
    for (const cls of compiled.classes) {
      const counts = new Map<string, number>();
      for (const p of cls.pods) counts.set(p.workload, (counts.get(p.workload) ?? 0) + 1);
      for (const [id, count] of counts) {
        const w = workloadById.get(id);
        members[cls.id]!.push({
          id,
          count,
          many: count > 1 || (w !== undefined && w.pods.length === 0 && manyPods(w)),
        });
      }
    }
  } else {
    const sorted = [...state.pods].sort((a, b) => {
      const ka = podKey(a.namespace, a.name);
      const kb = podKey(b.namespace, b.name);
      return ka < kb ? -1 : ka > kb ? 1 : 0;
    });
    for (const p of sorted) {
      entities.push({
        kind: 'pod',
        id: podKey(p.namespace, p.name),
        pod: p,
        workload: workloadById.get(p.workload),
      });
    }
    for (const cls of compiled.classes) {
      for (const p of cls.pods) {
        members[cls.id]!.push({
          id: podKey(p.namespace, p.name),
          count: 1,
          many: p.template && manyPods(workloadById.get(p.workload)),
        });
      }
    }
  }
  for (const a of compiled.addressSpace.classes) {
    entities.push({ kind: 'external', id: externalId(a.id), address: a });
  }

  const merged = new Map<string, Connection>();
  const add = (src: string, dst: string, ports: PortSet): void => {
    const key = `${src}\u0000${dst}`;
    const cur = merged.get(key);
    if (cur === undefined) merged.set(key, { src, dst, ports });
    else cur.ports = unionPorts(cur.ports, ports);
  };
  for (const c of classConnections(compiled)) {
    if ('address' in c.src) {
      const srcId = externalId(c.src.address);
      for (const m of members[(c.dst as { pod: number }).pod]!) add(srcId, m.id, c.ports);
    } else if ('address' in c.dst) {
      const dstId = externalId(c.dst.address);
      for (const m of members[c.src.pod]!) add(m.id, dstId, c.ports);
    } else {
      const sameClass = c.src.pod === c.dst.pod;
      for (const ms of members[c.src.pod]!) {
        for (const md of members[c.dst.pod]!) {
          // A pod's traffic to itself is not network traffic; an entity talks to itself only through
          // two distinct pods.
          if (sameClass && ms.id === md.id && !ms.many) continue;
          add(ms.id, md.id, c.ports);
        }
      }
    }
  }
  const order = new Map(entities.map((e, i) => [e.id, i]));
  const connections = [...merged.values()]
    .filter((c) => !isEmptyPorts(c.ports))
    .sort((a, b) => order.get(a.src)! - order.get(b.src)! || order.get(a.dst)! - order.get(b.dst)!);
  return { granularity, entities, byId: new Map(entities.map((e) => [e.id, e])), connections };
}
