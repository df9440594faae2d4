/**
 * Observed traffic against a policy set: which observed connections the policies allow, which they deny
 * (and where: the source's egress, the destination's ingress), and what they allow that was never observed.
 * Pure; reads the engine's compiled structures, at workload granularity.
 */
import { accessToAddress, accessToPod, type CompiledCluster } from '../engine/compile.ts';
import { externalId, type Connectivity } from '../engine/connectivity.ts';
import type { ClusterSession } from '../engine/session.ts';
import {
  NO_PORTS,
  isEmptyPorts,
  portSetOf,
  portsContain,
  subtractPorts,
  unionPorts,
  type PortSet,
} from '../engine/ports.ts';
import type { FlowEnd, ObservedConnection } from './types.ts';
import { pairKey } from '../base/text.ts';
import { domainMatches } from '../engine/explain.ts';
import { ciliumRulePortsTowards } from '../engine/cilium.ts';

export type Side = 'egress' | 'ingress';

export interface DeniedConnection {
  connection: ObservedConnection;
  /** Where it is stopped: the source's egress, the destination's ingress, or both. */
  blockedAt: Side[];
  /** Policies isolating the blocking side(s): `namespace/name`, sorted. */
  policies: string[];
}

export interface UnobservedAllowance {
  /** Entity ids as in `computeConnectivity`: workload ids, or `external:<address class>`. */
  src: string;
  dst: string;
  /** Allowed, and never observed. */
  ports: PortSet;
  /** Whether some other port of this pair was observed (tighten the ports) or none (tighten the peer). */
  pairObserved: boolean;
}

export interface FlowCheck {
  connectivity: Connectivity;
  allowed: ObservedConnection[];
  denied: DeniedConnection[];
  /** Connections a policy cannot affect: a single pod's traffic to itself. */
  unpoliced: ObservedConnection[];
  unobserved: UnobservedAllowance[];
  /**
   * Of `allowed`: connections to an outside address that the capture saw under a DNS name (Hubble's DNS
   * observations), allowed by name (a `toFQDNs` rule, a `domainNames` rule) rather than by address.
   */
  allowedByName?: ObservedConnection[];
  /**
   * Of `allowed`: connections with an outside end Hubble labelled a reserved identity (`reserved:kube-apiserver`,
   * `host`, `remote-node`) that a Cilium allow rule of that entity lets through on their port (netfence cannot
   * tell those identities' addresses from the manifests).
   */
  allowedByEntity?: ObservedConnection[];
}

/** What a Hubble capture says about outside addresses besides its connections. */
export interface HubbleHints {
  /** The DNS names each address was seen under (`dnsNamesOfHubble`). */
  names?: ReadonlyMap<string, readonly string[]> | undefined;
  /** The entities of the addresses labelled with a reserved identity (`reservedEntitiesOfHubble`). */
  entities?: ReadonlyMap<string, readonly string[]> | undefined;
}

/**
 * Whether an allow rule of the Cilium rule sets selecting the connection's workload end (egress at the source,
 * ingress at the destination), on every class of that workload, names one of `entities` on the connection's port.
 * `egress`: which end `classes` are of, when both ends are workloads (a host-network peer); by default the
 * source when it is a workload.
 */
export function allowedByEntity(
  compiled: CompiledCluster,
  classes: readonly number[],
  c: ObservedConnection,
  entities: readonly string[],
  egress = c.src.kind === 'workload',
): boolean {
  return (
    classes.length > 0 &&
    classes.every((id) =>
      compiled.cilium.ofClass[id]!.some((s) =>
        (egress ? compiled.cilium.specs[s]!.egress : compiled.cilium.specs[s]!.ingress).some(
          (rule) =>
            rule.peers.some((p) => p.info.kind === 'entity' && entities.includes(p.info.entity)) &&
            portsContain(
              ciliumRulePortsTowards(rule.ports, egress ? undefined : compiled.classes[id]),
              c.protocol,
              c.port,
            ),
        ),
      ),
    )
  );
}

/** The connectivity entity of an observed end: the workload, or the address class of the IP. */
export function entityOf(compiled: CompiledCluster, end: FlowEnd): string | undefined {
  if (end.kind === 'workload') return end.id;
  const id = compiled.addressSpace.classOfIp(end.ip);
  return id === undefined ? undefined : externalId(id);
}

/** Pod classes of each workload, in class order. */
export function classesByWorkload(compiled: CompiledCluster): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const cls of compiled.classes) {
    for (const p of cls.pods) {
      const list = out.get(p.workload);
      if (list === undefined) out.set(p.workload, [cls.id]);
      else if (list[list.length - 1] !== cls.id) list.push(cls.id);
    }
  }
  return out;
}

/**
 * Whether the source reaches the connection's outside destination by one of the DNS names the capture saw it
 * under (`names`: address → names), on its port.
 */
function reachedByName(
  connectivity: Connectivity,
  conn: ObservedConnection,
  names: ReadonlyMap<string, readonly string[]> | undefined,
): boolean {
  if (names === undefined || conn.src.kind !== 'workload' || conn.dst.kind !== 'external') return false;
  const seen = names.get(conn.dst.ip) ?? [];
  const src = conn.src.id;
  return connectivity.domains.some(
    (d) =>
      d.src === src &&
      seen.some((name) => domainMatches(d.domain, name)) &&
      portsContain(d.ports, conn.protocol, conn.port),
  );
}

/**
 * `names`: the DNS names the capture saw outside addresses under (`dnsNamesOfHubble`); a connection to such an
 * address that the policies allow by name is allowed (`allowedByName`).
 */
export function checkObserved(
  session: ClusterSession,
  observed: readonly ObservedConnection[],
  hints: HubbleHints = {},
): FlowCheck {
  const { names, entities } = hints;
  const { compiled } = session;
  const connectivity = session.connectivity('workload');
  const allowedPorts = new Map<string, PortSet>();
  for (const c of connectivity.connections) allowedPorts.set(pairKey(c.src, c.dst), c.ports);
  const classesOf = classesByWorkload(compiled);
  const workloads = new Map(compiled.state.workloads.map((w) => [w.id, w]));

  const out: FlowCheck = { connectivity, allowed: [], denied: [], unpoliced: [], unobserved: [] };
  if (names !== undefined) out.allowedByName = [];
  if (entities !== undefined) out.allowedByEntity = [];
  const observedPorts = new Map<string, PortSet>();
  for (const conn of observed) {
    const src = entityOf(compiled, conn.src);
    const dst = entityOf(compiled, conn.dst);
    if (src === undefined || dst === undefined) continue;
    const key = pairKey(src, dst);
    observedPorts.set(
      key,
      unionPorts(observedPorts.get(key) ?? NO_PORTS, portSetOf(conn.protocol, [conn.port, conn.port])),
    );
    if (src === dst && workloads.get(src)?.replicas === 1) {
      out.unpoliced.push(conn);
      continue;
    }
    const ports = allowedPorts.get(key);
    if (ports !== undefined && portsContain(ports, conn.protocol, conn.port)) {
      out.allowed.push(conn);
      continue;
    }
    if (reachedByName(connectivity, conn, names)) {
      out.allowed.push(conn);
      out.allowedByName?.push(conn);
      continue;
    }
    const outside =
      conn.dst.kind === 'external' ? conn.dst : conn.src.kind === 'external' ? conn.src : undefined;
    const reserved = outside === undefined ? undefined : entities?.get(outside.ip);
    const end = conn.src.kind === 'workload' ? conn.src : conn.dst;
    if (
      reserved !== undefined &&
      end.kind === 'workload' &&
      allowedByEntity(compiled, classesOf.get(end.id) ?? [], conn, reserved)
    ) {
      out.allowed.push(conn);
      out.allowedByEntity?.push(conn);
      continue;
    }
    out.denied.push(explainDenied(compiled, classesOf, conn));
  }
  for (const c of connectivity.connections) {
    const seen = observedPorts.get(pairKey(c.src, c.dst));
    const rest = seen === undefined ? c.ports : subtractPorts(c.ports, seen);
    if (!isEmptyPorts(rest))
      out.unobserved.push({ src: c.src, dst: c.dst, ports: rest, pairObserved: seen !== undefined });
  }
  return out;
}

/** Which side stops an observed connection, and the policies isolating that side. */
function explainDenied(
  compiled: CompiledCluster,
  classesOf: ReadonlyMap<string, readonly number[]>,
  conn: ObservedConnection,
): DeniedConnection {
  const srcClasses = conn.src.kind === 'workload' ? (classesOf.get(conn.src.id) ?? []) : [];
  const dstClasses = conn.dst.kind === 'workload' ? (classesOf.get(conn.dst.id) ?? []) : [];
  const srcAddress = conn.src.kind === 'external' ? compiled.addressSpace.classOfIp(conn.src.ip) : undefined;
  const dstAddress = conn.dst.kind === 'external' ? compiled.addressSpace.classOfIp(conn.dst.ip) : undefined;
  const has = (p: PortSet): boolean => portsContain(p, conn.protocol, conn.port);

  let egressOpen = srcClasses.length === 0;
  for (const s of srcClasses) {
    const access = compiled.egress[s]!;
    if (dstAddress !== undefined) egressOpen ||= has(accessToAddress(access, dstAddress));
    for (const d of dstClasses) egressOpen ||= has(accessToPod(access, compiled.classes[d]!));
  }
  let ingressOpen = dstClasses.length === 0;
  for (const d of dstClasses) {
    const access = compiled.ingress[d]!;
    if (srcAddress !== undefined) ingressOpen ||= has(accessToAddress(access, srcAddress));
    for (const s of srcClasses) ingressOpen ||= has(accessToPod(access, compiled.classes[s]!));
  }
  const blockedAt: Side[] = [];
  const policies = new Set<string>();
  const isolating = (classes: readonly number[], side: Side): void => {
    for (const id of classes) {
      for (const i of compiled.policiesOfClass[id] ?? []) {
        const p = compiled.policies[i]!;
        if (side === 'egress' ? p.affectsEgress : p.affectsIngress) policies.add(p.info.id);
      }
    }
  };
  if (!egressOpen) {
    blockedAt.push('egress');
    isolating(srcClasses, 'egress');
  }
  if (!ingressOpen) {
    blockedAt.push('ingress');
    isolating(dstClasses, 'ingress');
  }
  // Open on both sides one pod pair at a time, but never for the same pair (pods of one workload differ).
  if (blockedAt.length === 0) blockedAt.push('egress', 'ingress');
  return { connection: conn, blockedAt, policies: [...policies].sort() };
}
