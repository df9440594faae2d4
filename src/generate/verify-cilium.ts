/**
 * The proof of `generate --format cilium`: the generated CiliumNetworkPolicies, evaluated by the engine in place
 * of the generated NetworkPolicies (the kept ones stay), allow what the verified NetworkPolicy form allows, pair
 * by pair and port by port, except towards the outside addresses written as DNS names: those the engine cannot
 * resolve, so their connections must be reached by name (`toFQDNs`) on their ports instead; and towards the
 * addresses written as entities (Hubble's `reserved:kube-apiserver`, `host`, `remote-node`): those connections
 * must be allowed by a `toEntities`/`fromEntities` rule of that entity on their port. The peers at Nodes' addresses
 * written as `host`/`remote-node` (`GeneratedRule.nodeEntities`, which the NetworkPolicy form cannot allow) are
 * checked by the engine's Cilium model, which knows each pod's node: each of their observed connections
 * must be allowed by the Cilium form for every pod (class) of its workloads, and where a pod's node or the peer's
 * is not known (the engine then reads `host` and `remote-node` alike, as every node), by a rule of each entity the
 * peer may be for it.
 *
 * The pairs compared are those of the addresses of both forms' address spaces: the Cilium form's sets every Node's
 * address apart where its `host`/`remote-node` rules do, even where the NetworkPolicy form's keeps them among the
 * outside addresses (nodes not known). A pair of a workload with a Node's address or a host-network workload may
 * be allowed more than in the NetworkPolicy form only on the ports of an entity rule selecting the workload in
 * that direction whose entity stands for that peer (`host`: a node of the workload's pods; `remote-node`: any
 * other; both: every node, where the pod's node is not known): what the files' headers say an entity rule allows
 * beyond the observed traffic. Which pairs those are is not listed: a connection to a Node's address and one to a
 * host-network pod on that node are the same packets, which the pairs name apart (where nodes are not known,
 * netfence cannot tell which host-network pod an address is), so a list would call observed traffic unobserved.
 * Pure.
 */
import { formatIp } from '../base/ip.ts';
import { pairKey } from '../base/text.ts';
import { externalId } from '../engine/connectivity.ts';
import {
  isEmptyPorts,
  NO_PORTS,
  portsContain,
  subtractPorts,
  unionPorts,
  type PortSet,
} from '../engine/ports.ts';
import { nodesAtAddressClass, ownNodeAllowed } from '../engine/own-node.ts';
import { openSession, type ClusterSession } from '../engine/session.ts';
import type { FlowEnd, ObservedConnection } from '../flows/types.ts';
import { ciliumPolicyInfo } from '../model/cilium.ts';
import type { ClusterState } from '../model/cluster.ts';
import { entityAddresses, namedAddresses, type GeneratedCiliumPolicy } from './cilium.ts';
import { allowedByEntity, classesByWorkload } from '../flows/check.ts';
import { allowedBetweenEnds } from '../engine/cilium-l7.ts';
import type { ClassEnd } from '../engine/connectivity.ts';
import { compilePorts, type CompiledCluster, type EngineOptions } from '../engine/compile.ts';
import { hostNetworkWorkloads, policySubject } from './subjects.ts';
import { selectedWorkloads, stateWithGenerated } from './verify.ts';
import type { Generation } from './types.ts';

export interface CiliumVerification {
  ok: boolean;
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
   * those with a peer at a Node's address that the Cilium form does not allow (or, where a node is not known,
   * does not allow by each entity the peer may be).
   */
  entityMissing: ObservedConnection[];
}

/** The entities that stand for nodes and their host-network pods. */
const NODE_ENTITIES: readonly string[] = ['host', 'remote-node'];

/** A rule of `host`/`remote-node` of a generated policy: where the Cilium form may allow more than observed. */
interface NodeEntityRule {
  direction: 'ingress' | 'egress';
  /** The workloads its policy selects. */
  workloads: ReadonlySet<string>;
  entities: readonly string[];
  ports: PortSet;
}

/**
 * The rules of `host`/`remote-node` the generated policies mean to write (of a peer at a Node's address,
 * `nodeEntities`, or of an address Hubble labelled with those entities): their entities and ports as generated,
 * not as written in the policy objects under test.
 */
function nodeEntityRules(state: ClusterState, policies: readonly GeneratedCiliumPolicy[]): NodeEntityRule[] {
  const out: NodeEntityRule[] = [];
  for (const p of policies) {
    const workloads = selectedWorkloads(state, p.source);
    for (const [direction, parts] of [
      ['ingress', p.ingress],
      ['egress', p.egress],
    ] as const) {
      for (const part of parts) {
        const rule = p.source.rules[part.from];
        if (rule === undefined || part.peers !== 'entity') continue;
        const named = rule.nodeEntities?.entities ?? (part.entities ?? []).flatMap((e) => e.entities);
        const entities = [...new Set(named)].filter((e) => NODE_ENTITIES.includes(e));
        if (entities.length > 0)
          out.push({ direction, workloads, entities, ports: compilePorts(rule.ports).numeric });
      }
    }
  }
  return out;
}

/**
 * A peer that `host`/`remote-node` stand for: a Node's address (`address`, with the Nodes listing it), or a
 * host-network workload (the nodes of its pods; undefined for a pod whose node is not known).
 */
interface NodePeer {
  address: boolean;
  nodes: readonly (string | undefined)[];
}

/**
 * Whether `entity` of a rule selecting a pod on `node` (undefined: not known, and then both entities stand for
 * every node) stands for `peer`: `host` for the pod's own node, `remote-node` for every other. An address is one
 * endpoint (a Node's address is `host` for a pod on that node); a host-network workload's pods are several.
 */
function entityHolds(entity: string, node: string | undefined, peer: NodePeer): boolean {
  if (node === undefined) return true;
  if (entity === 'host') return peer.nodes.some((n) => n === undefined || n === node);
  if (peer.address) return !peer.nodes.includes(node);
  return peer.nodes.some((n) => n === undefined || n !== node);
}

function allowedByPair(session: ClusterSession): Map<string, PortSet> {
  return new Map(session.connectivity('workload').connections.map((c) => [pairKey(c.src, c.dst), c.ports]));
}

/** An end of the pairs compared: a workload, or an address with its class in each form's session. */
interface End {
  /** The workload, or the address class of the NetworkPolicy form (`external:N`). */
  np: string;
  /** The same end in the Cilium form's session. */
  cilium: string;
  /** An address: the one probed, and its class in the Cilium form's session. */
  address?: { ip: string; cls: number };
}

/**
 * The address classes of both sessions, probed at each start of their covers, each part of a class of one that
 * a class of the other sets apart once (each part begins at a start of one of their covers). The Cilium form's
 * space sets every Node's address apart where its `host`/`remote-node` rules are, even where the NetworkPolicy
 * form's keeps them among outside addresses (nodes not known): every node is compared on its own.
 */
function addressEnds(np: ClusterSession, cilium: ClusterSession): End[] {
  const out = new Map<string, End>();
  for (const session of [np, cilium]) {
    for (const cls of session.compiled.addressSpace.classes) {
      for (const c of cls.cover) {
        const ip = formatIp(c.family, c.start);
        const a = np.compiled.addressSpace.classOfIp(ip);
        const b = cilium.compiled.addressSpace.classOfIp(ip);
        if (a === undefined || b === undefined || out.has(`${a} ${b}`)) continue;
        out.set(`${a} ${b}`, { np: externalId(a), cilium: externalId(b), address: { ip, cls: b } });
      }
    }
  }
  return [...out.values()];
}

/**
 * The nodes of the classes `ids` (undefined for a class whose node is not known): the class's, as the engine reads
 * `host`/`remote-node` for it, not its pods' `spec.nodeName` (a node netfence knows is also a Node of the input;
 * classes are split by it).
 */
function podNodes(compiled: CompiledCluster, ids: readonly number[]): (string | undefined)[] {
  return ids.map((id) => compiled.classes[id]!.node);
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
  const hostWorkloads = hostNetworkWorkloads(state);
  const npAllowed = allowedByPair(np);
  const ciliumAllowed = allowedByPair(cilium);
  const classes = classesByWorkload(cilium.compiled);
  const leftOut = new Set(gen.leftOut.map((l) => l.connection));

  /** A Node's address or a host-network workload, by its end in the Cilium form's session. */
  const nodePeer = (e: Omit<End, 'np'>): NodePeer | undefined => {
    if (e.address !== undefined) {
      const nodes = nodesAtAddressClass(cilium.compiled, e.address.cls);
      return nodes.length === 0 ? undefined : { address: true, nodes };
    }
    if (!hostWorkloads.has(e.cilium)) return undefined;
    const nodes = podNodes(cilium.compiled, classes.get(e.cilium) ?? []);
    return { address: false, nodes: nodes.length === 0 ? [undefined] : nodes };
  };
  /** What the entity rules may allow beyond the NetworkPolicy form: towards a peer their entities stand for. */
  const entityRules = nodeEntityRules(state, policies);
  const beyond = (src: End, dst: End): PortSet => {
    let out = NO_PORTS;
    for (const [subject, other, direction] of [
      [src, dst, 'egress'],
      [dst, src, 'ingress'],
    ] as const) {
      const peer = subject.address === undefined ? nodePeer(other) : undefined;
      if (peer === undefined) continue;
      const nodes = podNodes(cilium.compiled, classes.get(subject.cilium) ?? []);
      for (const r of entityRules)
        if (
          r.direction === direction &&
          r.workloads.has(subject.cilium) &&
          r.entities.some((e) => nodes.some((n) => entityHolds(e, n, peer)))
        )
          out = unionPorts(out, r.ports);
    }
    return out;
  };
  const ends: End[] = [
    ...np.compiled.state.workloads.map((w) => ({ np: w.id, cilium: w.id })),
    ...addressEnds(np, cilium),
  ];
  const label = (e: End): string => `${e.np}${e.address === undefined ? '' : ` (${e.address.ip})`}`;
  const out: CiliumVerification = {
    ok: true,
    named: 0,
    mismatched: [],
    unnamed: [],
    byEntity: 0,
    byNodeEntity: 0,
    entityMissing: [],
  };
  for (const a of ends) {
    for (const b of ends) {
      // Outside addresses have no connections between them.
      if (a.address !== undefined && b.address !== undefined) continue;
      // Traffic to an address written as a name is checked by name below.
      // Traffic to an address written as an entity is checked by entity below.
      const ip = a.address?.ip ?? b.address?.ip;
      if (ip !== undefined && (named.has(ip) || entities.has(ip))) continue;
      const want = npAllowed.get(pairKey(a.np, b.np)) ?? NO_PORTS;
      const got = ciliumAllowed.get(pairKey(a.cilium, b.cilium)) ?? NO_PORTS;
      const more = subtractPorts(got, want);
      if (!isEmptyPorts(subtractPorts(more, beyond(a, b))) || !isEmptyPorts(subtractPorts(want, got)))
        out.mismatched.push(`${label(a)} → ${label(b)}`);
    }
  }
  // A workload of an excluded namespace, on the host network or not in the state has no generated policy: its
  // traffic is what the kept policies (or none) decide, not the generated ones, even to an address they write as
  // a name or entity.
  const isSubject = policySubject(state, gen.options.excludeNamespaces, hostWorkloads);
  const domains = cilium.connectivity('workload').domains;
  for (const c of gen.observed) {
    if (leftOut.has(c) || c.dst.kind !== 'external' || c.src.kind !== 'workload' || !isSubject(c.src.id))
      continue;
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
    if (end.kind === 'workload' && !isSubject(end.id)) continue;
    const ids = end.kind === 'workload' ? (classes.get(end.id) ?? []) : [];
    if (allowedByEntity(cilium.compiled, ids, c, wanted)) out.byEntity++;
    else out.entityMissing.push(c);
  }

  /**
   * Where a pod's node or the peer's is not known, the engine reads `host` and `remote-node` alike (every node):
   * each pod (class) of the subject must then have a rule of each entity the peer may be for it, on the port:
   * `host` (but for ingress where the own node is let in anyway) and `remote-node`; where both are known, the
   * one the peer is for it (`entityHolds` holds for both entities where the pod's node or one of the peer's is
   * not known).
   */
  const ownLetIn = ownNodeAllowed(engineOptions);
  const byEachEntity = (c: ObservedConnection, egress: boolean): boolean => {
    const subject = egress ? c.src : c.dst;
    const other = egress ? c.dst : c.src;
    const cls = other.kind === 'external' ? cilium.compiled.addressSpace.classOfIp(other.ip) : undefined;
    const peer =
      other.kind === 'workload'
        ? nodePeer({ cilium: other.id })
        : cls === undefined
          ? undefined
          : nodePeer({ cilium: externalId(cls), address: { ip: other.ip, cls } });
    if (subject.kind !== 'workload' || peer === undefined) return false;
    const needed = NODE_ENTITIES.filter((e) => e === 'remote-node' || egress || !ownLetIn);
    return (classes.get(subject.id) ?? []).every((id) => {
      const node = cilium.compiled.classes[id]!.node;
      return needed
        .filter((e) => entityHolds(e, node, peer))
        .every((e) => allowedByEntity(cilium.compiled, [id], c, [e], egress));
    });
  };
  // Written as host/remote-node: allowed as the engine's Cilium model reads them, for each subject's node.
  const checked = new Set<ObservedConnection>();
  for (const p of gen.policies) {
    for (const r of p.rules) {
      if (r.nodeEntities === undefined) continue;
      for (const c of r.observed) {
        if (leftOut.has(c) || checked.has(c)) continue;
        checked.add(c);
        if (allowedForEveryPod(cilium.compiled, classes, c) && byEachEntity(c, p.kind === 'egress'))
          out.byNodeEntity++;
        else out.entityMissing.push(c);
      }
    }
  }
  out.ok = out.mismatched.length === 0 && out.unnamed.length === 0 && out.entityMissing.length === 0;
  return out;
}
