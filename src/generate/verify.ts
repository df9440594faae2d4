/**
 * The generator's proof: run the generated policies (with the ones it keeps) through the engine and compare,
 * at workload granularity, with the observed connections. Every observed connection must be allowed, and
 * nothing beyond them, except what is intended and reported separately: the other DNS transport (and DNS
 * for everyone with `--allow-dns`), aggregated address blocks, what the kept policies already allowed
 * (augment), and pairs no generated policy restricts (excluded namespaces, namespaces without default-deny,
 * host-network workloads). Pure.
 */
import type { EngineOptions } from '../engine/compile.ts';
import { cidrContainsCidr, parseCidr } from '../base/ip.ts';
import {
  intersectPorts,
  isEmptyPorts,
  portSetOf,
  subtractPorts,
  unionPorts,
  type PortSet,
} from '../engine/ports.ts';
import { compileSelector, selectorMatches } from '../engine/selectors.ts';
import { openSession, type ClusterSession } from '../engine/session.ts';
import { checkObserved, type UnobservedAllowance } from '../flows/check.ts';
import type { ObservedConnection } from '../flows/types.ts';
import type { ClusterState } from '../model/cluster.ts';
import { toPolicyInfos } from './policies.ts';
import type { Generation } from './types.ts';
import { pairKey } from '../base/text.ts';

export interface Verification {
  /** True when every observed connection is allowed and nothing unintended is. */
  ok: boolean;
  /** Observed connections checked (those no rule could be generated for are in `generation.leftOut`). */
  checked: number;
  /** Observed connections the generated set denies: a bug. */
  missing: ObservedConnection[];
  /** Allowed, not observed, and not intended: a bug (or workloads whose labels cannot tell them apart). */
  unexpected: UnobservedAllowance[];
  /** Intended: DNS on the transport not observed, or for every workload with `--allow-dns`. */
  dns: UnobservedAllowance[];
  /** Allowed because a generated selector also selects another workload that shares its labels. */
  shared: UnobservedAllowance[];
  /** Intended: outside addresses inside an aggregated block. */
  aggregated: UnobservedAllowance[];
  /** Intended: host-network workloads reached through an ipBlock of a node address, which they share. */
  hostNetwork: UnobservedAllowance[];
  /** Pairs no generated policy restricts on either side (outside the generated set's reach). */
  unrestricted: number;
  /** The workloads of those pairs, sorted. */
  unrestrictedWorkloads: string[];
  /** Augment: pairs whose extra ports the kept policies already allowed. */
  alreadyAllowed: number;
}

const DNS_PORTS: PortSet = unionPorts(portSetOf('UDP', [53, 53]), portSetOf('TCP', [53, 53]));

/** The state the generated policies are checked in: the kept policies plus the generated ones. */
export function stateWithGenerated(state: ClusterState, gen: Generation): ClusterState {
  return sessionWithGenerated(openSession(state), gen).state;
}

/** The session of the state with the generated policies (the kept ones are a subsequence of the state's). */
function sessionWithGenerated(session: ClusterSession, gen: Generation): ClusterSession {
  const kept = new Set(gen.kept.map((p) => p.id));
  return session.withPolicyEdits({
    remove: session.state.policies.filter((p) => !kept.has(p.id)).map((p) => p.id),
    add: toPolicyInfos(gen.policies),
  });
}

/** Workloads each generated policy selects, per direction (a selector may select workloads sharing labels). */
function restrictedWorkloads(
  state: ClusterState,
  gen: Generation,
): { ingress: Set<string>; egress: Set<string> } {
  const out = { ingress: new Set<string>(), egress: new Set<string>() };
  for (const p of gen.policies) {
    const sel = compileSelector({ matchLabels: { ...p.matchLabels } });
    const selected = new Set(
      state.pods
        .filter(
          (pod) => pod.namespace === p.namespace && !pod.hostNetwork && selectorMatches(sel, pod.labels),
        )
        .map((pod) => pod.workload),
    );
    for (const w of selected) {
      if (p.kind !== 'egress') out.ingress.add(w);
      if (p.kind !== 'ingress') out.egress.add(w);
    }
  }
  return out;
}

export function verifyGeneration(
  state: ClusterState,
  gen: Generation,
  engineOptions: Partial<EngineOptions> = {},
): Verification {
  const current = openSession(state, engineOptions);
  const edited = sessionWithGenerated(current, gen);
  const leftOut = new Set(gen.leftOut.map((l) => l.connection));
  const observed = gen.observed.filter((c) => !leftOut.has(c));
  const check = checkObserved(edited, observed);

  let before: Map<string, PortSet> | undefined;
  if (gen.options.mode === 'augment') {
    before = new Map();
    for (const c of current.connectivity('workload').connections) {
      before.set(pairKey(c.src, c.dst), c.ports);
    }
  }
  const restricted = restrictedWorkloads(state, gen);
  const hostNetwork = new Set<string>();
  const podsByWorkload = new Map<string, boolean[]>();
  for (const p of state.pods)
    podsByWorkload.set(p.workload, [...(podsByWorkload.get(p.workload) ?? []), p.hostNetwork]);
  for (const [id, flags] of podsByWorkload) if (flags.every(Boolean)) hostNetwork.add(id);
  const dnsServers = new Set(gen.dns.workloads);
  // Whoever got a DNS rule: the clients given DNS egress, and the sources the DNS pods accept lookups from.
  const dnsClients = new Set(gen.dns.clients);
  for (const c of gen.observed) {
    if (c.port === 53 && c.src.kind === 'workload' && c.dst.kind === 'workload' && dnsServers.has(c.dst.id)) {
      dnsClients.add(c.src.id);
    }
  }
  const shared = new Set<string>();
  for (const [id, sel] of gen.selectors) {
    if (!sel.exact) {
      shared.add(id);
      for (const other of sel.sharedWith) shared.add(other);
    }
  }
  const blocks = gen.aggregated.flatMap((b) => {
    const parsed = parseCidr(b.cidr);
    return parsed.ok ? [parsed.cidr] : [];
  });
  // The addresses of host-network pods: their nodes' addresses, which an ipBlock allowing them allows too.
  const hostAddresses = state.pods
    .filter((p) => p.hostNetwork)
    .flatMap((p) => p.ips)
    .flatMap((ip) => {
      const parsed = parseCidr(ip.includes(':') ? `${ip}/128` : `${ip}/32`);
      return parsed.ok ? [parsed.cidr] : [];
    });
  const isHostAddress = (entity: string): boolean => {
    if (!entity.startsWith('external:') || hostAddresses.length === 0) return false;
    const cls = edited.compiled.addressSpace.classes[Number(entity.slice('external:'.length))];
    return (
      cls !== undefined &&
      cls.cover.length > 0 &&
      cls.cover.every((c) => hostAddresses.some((h) => cidrContainsCidr(h, c)))
    );
  };
  const inAggregatedBlock = (entity: string): boolean => {
    if (!entity.startsWith('external:')) return false;
    const cls = edited.compiled.addressSpace.classes[Number(entity.slice('external:'.length))];
    return (
      cls !== undefined &&
      cls.cover.length > 0 &&
      cls.cover.every((c) => blocks.some((b) => cidrContainsCidr(b, c)))
    );
  };

  const result: Verification = {
    ok: true,
    checked: observed.length,
    missing: check.denied.map((d) => d.connection),
    unexpected: [],
    dns: [],
    shared: [],
    aggregated: [],
    hostNetwork: [],
    unrestricted: 0,
    unrestrictedWorkloads: [],
    alreadyAllowed: 0,
  };
  const unrestrictedWorkloads = new Set<string>();
  for (const u of check.unobserved) {
    let rest = u.ports;
    if (before !== undefined) {
      const had = before.get(pairKey(u.src, u.dst));
      if (had !== undefined) rest = subtractPorts(rest, had);
      if (isEmptyPorts(rest)) {
        result.alreadyAllowed++;
        continue;
      }
    }
    if (dnsServers.has(u.dst) && (dnsClients.has(u.src) || gen.options.allowDns)) {
      const dnsPart = intersectPorts(rest, DNS_PORTS);
      if (!isEmptyPorts(dnsPart)) {
        result.dns.push({ ...u, ports: dnsPart });
        rest = subtractPorts(rest, DNS_PORTS);
        if (isEmptyPorts(rest)) continue;
      }
    }
    const srcRestricted = restricted.egress.has(u.src);
    const dstRestricted = restricted.ingress.has(u.dst);
    if (!srcRestricted && !dstRestricted) {
      result.unrestricted++;
      for (const e of [u.src, u.dst]) if (!e.startsWith('external:')) unrestrictedWorkloads.add(e);
      continue;
    }
    const item = { ...u, ports: rest };
    if (inAggregatedBlock(u.src) || inAggregatedBlock(u.dst)) result.aggregated.push(item);
    else if (
      hostNetwork.has(u.src) ||
      hostNetwork.has(u.dst) ||
      isHostAddress(u.src) ||
      isHostAddress(u.dst)
    ) {
      result.hostNetwork.push(item);
    } else if (shared.has(u.src) || shared.has(u.dst)) result.shared.push(item);
    else result.unexpected.push(item);
  }
  result.unrestrictedWorkloads = [...unrestrictedWorkloads].sort();
  result.ok = result.missing.length === 0 && result.unexpected.length === 0;
  return result;
}
