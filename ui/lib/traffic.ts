/**
 * The Traffic view's lines, pure: one pair of endpoints of `/api/flows` as an edge of the graph, labelled with
 * what the line means. An observed line's ports are the ports seen; a partly-observed line's too, with the
 * ports the policies allow beside them (`UDP 53 of all allowed`: seen on DNS, allowed on everything, the
 * rule to tighten); a line never observed has the allowed ports; a denied one, the ports seen and denied.
 */
import type { ObservedPortJson, TrafficEdgeJson, TrafficJson } from '../../src/contract/api.ts';
import type { PortsJson } from '../../src/contract/common.ts';
import type { EdgeInput } from './graph.ts';
import { formatPorts, NO_PORTS, unionPorts } from './ports.ts';
import { observedPortsOutcome } from '../../src/describe/observed-ports.ts';

/** Ports as the flows list them (`{protocol: 'TCP', port: 53}`, repeated per source), as a port set. */
export function portSet(list: readonly { protocol: string; port: number }[]): PortsJson {
  let out = NO_PORTS;
  for (const p of list) {
    if (p.protocol !== 'TCP' && p.protocol !== 'UDP' && p.protocol !== 'SCTP') continue;
    out = unionPorts(out, { ...NO_PORTS, [p.protocol]: [[p.port, p.port]] });
  }
  return out;
}

/**
 * One pair of endpoints of the flows as a graph edge; `allowed` is the allowed connection between them (the
 * model's), when there is one.
 */
export function trafficEdge(t: TrafficEdgeJson, allowed: EdgeInput | undefined): EdgeInput {
  const edge = {
    src: t.src,
    dst: t.dst,
    // Unrestricted connections nobody used say nothing about the policies: hidden like in the graph.
    open: t.status === 'unobserved' && allowed?.open === true,
    status: t.status,
  };
  switch (t.status) {
    case 'denied': {
      const denied = portSet(t.denied);
      return { ...edge, ports: null, matches: denied, summary: `${formatPorts(denied)} denied` };
    }
    case 'unobserved':
      return {
        ...edge,
        ports: allowed?.ports ?? null,
        summary: allowed?.summary ?? t.unobserved ?? '',
      };
    default: {
      const seen = portSet(t.observed);
      // The policies allow more than was seen: both, the seen ports first.
      const wider = t.status === 'partly-observed' && allowed !== undefined;
      return {
        ...edge,
        ports: seen,
        allowed: allowed?.ports ?? seen,
        matches: allowed?.ports ?? seen,
        summary: wider ? `${formatPorts(seen)} of ${allowed.summary} allowed` : formatPorts(seen),
      };
    }
  }
}

/**
 * The ports of a pair as the inspector lists them: one row per protocol and port (and, for denied ones, where
 * and by what they are stopped), the flows of every observed connection behind it added up. The flows list a
 * row per observed connection: the customers reaching the ingress controller from the outside world's one
 * address range are `TCP 443` seven times, once per address.
 */
export function portRows<T extends ObservedPortJson>(
  list: readonly T[],
  key: (p: T) => string = () => '',
): T[] {
  const rows = new Map<string, T>();
  for (const p of list) {
    const k = `${p.protocol} ${p.port} ${key(p)}`;
    const row = rows.get(k);
    rows.set(k, row === undefined ? { ...p } : { ...row, count: row.count + p.count });
  }
  return [...rows.values()].sort((a, b) => a.protocol.localeCompare(b.protocol) || a.port - b.port);
}

/**
 * What `netfence check-flows` says of the same capture, in its words and its unit, observed ports (source,
 * destination, protocol, port): `67 observed ports: 63 allowed, 0 would be denied, 4 still denied (dropped during
 * the capture too)`. The status counts beside it are pairs of endpoints, named so.
 */
export function observedPortsText(ports: TrafficJson['summary']['ports']): string {
  const n = ports.observed.toLocaleString('en-US');
  return `${n} observed port${ports.observed === 1 ? '' : 's'}: ${observedPortsOutcome(ports)}`;
}

/** `3 pairs`, `1 pair`: a count beside a Traffic status (pairs of endpoints, not observed ports). */
export function pairsText(n: number): string {
  return `${n.toLocaleString('en-US')} pair${n === 1 ? '' : 's'}`;
}
