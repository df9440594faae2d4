/**
 * The proof of `generate --format cilium`: the generated CiliumNetworkPolicies, evaluated by the engine in place
 * of the generated NetworkPolicies (the kept ones stay), allow what the verified NetworkPolicy form allows, pair
 * by pair and port by port, except towards the outside addresses written as DNS names: those the engine cannot
 * resolve, so their connections must be reached by name (`toFQDNs`) on their ports instead; and towards the
 * addresses written as entities (Hubble's `reserved:kube-apiserver`, `host`, `remote-node`): those connections
 * must be allowed by a `toEntities`/`fromEntities` rule of that entity on their port. The peers at Nodes' addresses
 * written as `host`/`remote-node` (`GeneratedRule.nodeEntities`, which the NetworkPolicy form cannot allow) are
 * checked by the engine's Cilium model, which knows each pod's node: each of their observed connections
 * must be allowed by the Cilium form for every pod (class) of its workloads, and a pair of a workload with a Node's address or a host-network workload
 * may be allowed more than in the NetworkPolicy form only on the ports of the entity rules selecting the
 * workload in that direction (`host`/`remote-node` stand for whole nodes). Pure.
 */
import { formatIp } from '../base/ip.ts';
import { pairKey } from '../base/text.ts';
import { externalId } from '../engine/connectivity.ts';
import {
  isEmptyPorts,
  NO_PORTS,
  portSetOf,
  portsContain,
  subtractPorts,
  unionPorts,
  type PortSet,
} from '../engine/ports.ts';
import { nodesAtAddressClass } from '../engine/own-node.ts';
import { openSession, type ClusterSession } from '../engine/session.ts';
import type { FlowEnd, ObservedConnection } from '../flows/types.ts';
import { ciliumPolicyInfo } from '../model/cilium.ts';
import type { ClusterState } from '../model/cluster.ts';
import { entityAddresses, namedAddresses, type GeneratedCiliumPolicy } from './cilium.ts';
import { allowedByEntity, classesByWorkload } from '../flows/check.ts';
import { allowedBetweenEnds } from '../engine/cilium-l7.ts';
import type { ClassEnd } from '../engine/connectivity.ts';
import type { CompiledCluster, EngineOptions } from '../engine/compile.ts';
import {
  hostNetworkWorkloads,
  nodeEntitiesObserved,
  selectedWorkloads,
  stateWithGenerated,
} from './verify.ts';
import type { Generation } from './types.ts';

export interface CiliumVerification {
  ok: boolean;
  /** Pairs (workload or address class) compared with the NetworkPolicy form. */
  pairs: number;
  /** Observed connections to named addresses, found reachable by name. */
  named: number;
  /** Pairs whose allowed ports differ from the NetworkPolicy form's (`src dst: np | cilium`). */
  mismatched: string[];
  /** Observed connections to named addresses that no `toFQDNs` rule reaches on their port. */
  unnamed: ObservedConnection[];
  /** Observed connections with an address written as an entity, found allowed by an entity rule. */
  byEntity: number;
  /** Observed connections with a peer at a Node's address written as `host`/`remote-node`, found allowed. */
  byNodeEntity: number;
  /**
   * Observed connections with an address written as an entity that no entity rule allows on their port, and
   * those with a peer at a Node's address that the Cilium form does not allow.
   */
  entityMissing: ObservedConnection[];
}

/**
 * The ports of the rules of Node entities (`nodeEntities`) of the generated policies, by `direction workload`
 * of the workloads each policy selects: where the Cilium form may allow more than the NetworkPolicy form.
 */
function nodeEntityPorts(state: ClusterState, gen: Generation): Map<string, PortSet> {
  const out = new Map<string, PortSet>();
  for (const p of gen.policies) {
    const rules = p.rules.filter((r) => r.nodeEntities !== undefined);
    if (rules.length === 0) continue;
    let ports = NO_PORTS;
    // A rule's ports are those of its observed connections.
    for (const r of rules)
      for (const c of r.observed) ports = unionPorts(ports, portSetOf(c.protocol, [c.port, c.port]));
    for (const w of selectedWorkloads(state, p)) {
      const key = `${p.kind} ${w}`;
      out.set(key, unionPorts(out.get(key) ?? NO_PORTS, ports));
    }
  }
  return out;
}

function allowedByPair(session: ClusterSession): Map<string, PortSet> {
  return new Map(session.connectivity('workload').connections.map((c) => [pairKey(c.src, c.dst), c.ports]));
}

/** Each address class of `from` as the class of `to` holding each start of its cover (classes may split differently). */
function addressProbes(from: ClusterSession): { id: string; ips: string[] }[] {
  return from.compiled.addressSpace.classes.map((cls) => ({
    id: externalId(cls.id),
    ips: cls.cover.map((c) => formatIp(c.family, c.start)),
  }));
}

/**
 * Whether `c` is allowed for every pod (class) of its workload ends, not only for one: the pods of a workload on
 * several nodes need different entities towards one node (`host` on that node, `remote-node` on the others),
 * and the workload's connectivity (the union over its pods) would let one pod hide another's missing entity.
 */
function allowedForEveryPod(
  compiled: CompiledCluster,
  classes: ReadonlyMap<string, readonly number[]>,
  c: ObservedConnection,
): boolean {
  const ends = (end: FlowEnd): ClassEnd[] => {
    if (end.kind === 'workload') return (classes.get(end.id) ?? []).map((pod) => ({ pod }));
    const address = compiled.addressSpace.classOfIp(end.ip);
    return address === undefined ? [] : [{ address }];
  };
  const srcs = ends(c.src);
  const dsts = ends(c.dst);
  return (
    srcs.length > 0 &&
    dsts.length > 0 &&
    srcs.every((src) =>
      dsts.every((dst) => portsContain(allowedBetweenEnds(compiled, src, dst), c.protocol, c.port)),
    )
  );
}

export function verifyCiliumGeneration(
  state: ClusterState,
  gen: Generation,
  policies: readonly GeneratedCiliumPolicy[],
  engineOptions: Partial<EngineOptions> = {},
): CiliumVerification {
  const np = openSession(stateWithGenerated(state, gen), engineOptions);
  const kept = new Set(gen.kept.map((p) => p.id));
  const cilium = openSession(
    {
      ...state,
      policies: state.policies.filter((p) => kept.has(p.id)),
      ciliumPolicies: [...state.ciliumPolicies, ...policies.map((p) => ciliumPolicyInfo(p.object))],
    },
    engineOptions,
  );
  const named = new Map(namedAddresses(policies).map((n) => [n.ip, n.names]));
  const entities = new Map(entityAddresses(policies).map((e) => [e.ip, e.entities]));
  // `host`/`remote-node` stand for every node, and so for every host-network workload (netfence does not know
  // their nodes' addresses): pairs with one are checked through the observed connections, by entity.
  const nodeEntities = [...entities.values()].some((e) => e.includes('host') || e.includes('remote-node'));
  const hostWorkloads = hostNetworkWorkloads(state);
  const hostNetwork = nodeEntities ? hostWorkloads : new Set<string>();
  const npAllowed = allowedByPair(np);
  const ciliumAllowed = allowedByPair(cilium);
  // A workload with a Node's address or a host-network workload: what the entity rules may allow beyond.
  const entityPorts = nodeEntityPorts(state, gen);
  const isNode = (id: string): boolean =>
    hostWorkloads.has(id) ||
    (id.startsWith('external:') && nodesAtAddressClass(np.compiled, Number(id.slice(9))).length > 0);
  const beyond = (src: string, dst: string): PortSet =>
    entityPorts.size === 0
      ? NO_PORTS
      : isNode(dst)
        ? (entityPorts.get(`egress ${src}`) ?? NO_PORTS)
        : isNode(src)
          ? (entityPorts.get(`ingress ${dst}`) ?? NO_PORTS)
          : NO_PORTS;

  // Endpoints of one session → the other's: workloads by id, address classes by the addresses they cover.
  const npAddress = addressProbes(np);
  const toCilium = (id: string, ip?: string): string => {
    if (!id.startsWith('external:') || ip === undefined) return id;
    const cls = cilium.compiled.addressSpace.classOfIp(ip);
    return cls === undefined ? id : externalId(cls);
  };
  const ends = [
    ...np.compiled.state.workloads.map((w) => ({ id: w.id, ips: [undefined] as (string | undefined)[] })),
    ...npAddress,
  ];
  const out: CiliumVerification = {
    ok: true,
    pairs: 0,
    named: 0,
    mismatched: [],
    unnamed: [],
    byEntity: 0,
    byNodeEntity: 0,
    entityMissing: [],
  };
  for (const a of ends) {
    for (const b of ends) {
      if (a === b && a.id.startsWith('external:')) continue;
      if (hostNetwork.has(a.id) || hostNetwork.has(b.id)) continue;
      for (const ipA of a.ips) {
        for (const ipB of b.ips) {
          // Traffic to an address written as a name is checked by name below.
          // Traffic to an address written as an entity is checked by entity below.
          if ([ipA, ipB].some((ip) => ip !== undefined && (named.has(ip) || entities.has(ip)))) continue;
          const want = npAllowed.get(pairKey(a.id, b.id)) ?? NO_PORTS;
          const got = ciliumAllowed.get(pairKey(toCilium(a.id, ipA), toCilium(b.id, ipB))) ?? NO_PORTS;
          out.pairs++;
          const extra = subtractPorts(subtractPorts(got, want), beyond(a.id, b.id));
          const equal = isEmptyPorts(extra) && isEmptyPorts(subtractPorts(want, got));
          if (!equal)
            out.mismatched.push(
              `${a.id}${ipA === undefined ? '' : ` (${ipA})`} → ${b.id}${ipB === undefined ? '' : ` (${ipB})`}`,
            );
        }
      }
    }
  }
  const domains = cilium.connectivity('workload').domains;
  const leftOut = new Set(gen.leftOut.map((l) => l.connection));
  for (const c of gen.observed) {
    if (leftOut.has(c) || c.dst.kind !== 'external' || c.src.kind !== 'workload') continue;
    const names = named.get(c.dst.ip);
    if (names === undefined) continue;
    const src = c.src.id;
    const reached = domains.some(
      (d) => d.src === src && names.includes(d.domain) && portsContain(d.ports, c.protocol, c.port),
    );
    if (reached) out.named++;
    else out.unnamed.push(c);
  }
  for (const c of gen.observed) {
    if (leftOut.has(c)) continue;
    const outside = c.dst.kind === 'external' ? c.dst : c.src.kind === 'external' ? c.src : undefined;
    const wanted = outside === undefined ? undefined : entities.get(outside.ip);
    if (wanted === undefined) continue;
    const end = c.src.kind === 'workload' ? c.src : c.dst;
    const classes = end.kind === 'workload' ? (classesByWorkload(cilium.compiled).get(end.id) ?? []) : [];
    if (allowedByEntity(cilium.compiled, classes, c, wanted)) out.byEntity++;
    else out.entityMissing.push(c);
  }
  // Written as host/remote-node: allowed as the engine's Cilium model reads them, for each subject's node.
  const byNode = [...nodeEntitiesObserved(gen)].filter((c) => !leftOut.has(c));
  const classes = classesByWorkload(cilium.compiled);
  for (const c of byNode) {
    if (allowedForEveryPod(cilium.compiled, classes, c)) out.byNodeEntity++;
    else out.entityMissing.push(c);
  }
  out.ok = out.mismatched.length === 0 && out.unnamed.length === 0 && out.entityMissing.length === 0;
  return out;
}
