/**
 * The traffic overlay: every pair of endpoints the policies allow or the flows show, coloured by what the
 * captures say about it. Built on `checkObserved`, the same comparison `netfence check-flows` prints.
 */
import type { TrafficEdgeJson as TrafficEdge, TrafficJson, TrafficStatus } from '../contract/api.ts';
import type { ClusterSession } from '../engine/session.ts';
import { formatPorts } from '../describe/ports.ts';
import { isEmptyPorts, NO_PORTS, type PortSet } from '../engine/ports.ts';
import { checkObserved, entityOf } from '../flows/check.ts';
import type { ObservedConnection, ObservedTraffic } from '../flows/types.ts';
import { describeInputs, describeLeftOut, observedPortCounts } from '../format/flows.ts';
import { pairKey } from '../base/text.ts';

/** `/api/flows`: one edge per pair of endpoints, in the order of the connectivity, denied pairs after. */
export function trafficOverlay(session: ClusterSession, traffic: ObservedTraffic): TrafficJson {
  const check = checkObserved(session, traffic.connections);
  const edges = new Map<string, TrafficEdge>();
  const unobservedPorts = new Map<string, PortSet>();
  for (const u of check.unobserved) unobservedPorts.set(pairKey(u.src, u.dst), u.ports);
  for (const c of check.connectivity.connections) {
    const key = pairKey(c.src, c.dst);
    const rest = unobservedPorts.get(key) ?? NO_PORTS;
    edges.set(key, {
      src: c.src,
      dst: c.dst,
      status: 'unobserved',
      observed: [],
      denied: [],
      unobserved: isEmptyPorts(rest) ? null : formatPorts(rest),
    });
  }
  const edgeOf = (conn: ObservedConnection): TrafficEdge | undefined => {
    const src = entityOf(session.compiled, conn.src);
    const dst = entityOf(session.compiled, conn.dst);
    if (src === undefined || dst === undefined) return undefined;
    const key = pairKey(src, dst);
    let edge = edges.get(key);
    if (edge === undefined) {
      edge = { src, dst, status: 'denied', observed: [], denied: [], unobserved: null };
      edges.set(key, edge);
    }
    return edge;
  };
  for (const conn of check.allowed) {
    edgeOf(conn)?.observed.push({ protocol: conn.protocol, port: conn.port, count: conn.count });
  }
  for (const d of check.denied) {
    const c = d.connection;
    edgeOf(c)?.denied.push({
      protocol: c.protocol,
      port: c.port,
      count: c.count,
      blockedAt: d.blockedAt,
      policies: d.policies,
    });
  }
  for (const edge of edges.values()) {
    if (edge.denied.length > 0) edge.status = 'denied';
    else if (edge.observed.length > 0)
      edge.status = edge.unobserved === null ? 'observed' : 'partly-observed';
  }
  const list = [...edges.values()];
  const count = (s: TrafficStatus): number => list.filter((e) => e.status === s).length;
  return {
    inputs: describeInputs(traffic),
    leftOut: describeLeftOut(traffic) ?? null,
    unmatched: traffic.unmatched.map((u) => u.description),
    summary: {
      observed: count('observed'),
      partlyObserved: count('partly-observed'),
      unobserved: count('unobserved'),
      denied: count('denied'),
      connections: traffic.connections.length,
      ports: observedPortCounts(check, traffic),
    },
    edges: list,
  };
}
