/**
 * The generator's proof: run the generated policies (with the ones it keeps) through the engine and compare,
 * at workload granularity, with the observed connections. Every observed connection must be allowed, and
 * nothing beyond them, except what is intended and reported separately: the other DNS transport (and DNS
 * for everyone with `--allow-dns`), aggregated address blocks, what the kept policies already allowed
 * (augment), and pairs no generated policy restricts (excluded namespaces, namespaces without default-deny,
 * host-network workloads). With `--tier`, the generated cluster policies go through the engine too, with the
 * cluster policies kept; DNS for every pod they let resolve names and the API server are intended, and what
 * the Baseline policy cannot deny (ingress from outside addresses and host-network pods) is reported apart.
 * Pure.
 */
import type { AddressSpace } from '../engine/addresses.ts';
import type { EngineOptions } from '../engine/compile.ts';
import { cidrContainsCidr, formatIp, parseCidr, type Cidr } from '../base/ip.ts';
import {
  intersectPorts,
  isEmptyPorts,
  NO_PORTS,
  portSetOf,
  subtractPorts,
  unionPorts,
  type PortSet,
} from '../engine/ports.ts';
import { compileSelector, selectorMatches } from '../engine/selectors.ts';
import { openSession, type ClusterSession } from '../engine/session.ts';
import { addressClassOfId, externalId, isExternalId } from '../engine/connectivity.ts';
import { nodesAtAddressClass, ownNodeAllowed, workloadNodes } from '../engine/own-node.ts';
import { checkObserved, type HubbleHints, type UnobservedAllowance } from '../flows/check.ts';
import type { ObservedConnection } from '../flows/types.ts';
import type { ClusterState } from '../model/cluster.ts';
import { toPolicyInfos } from './policies.ts';
import { hostNetworkWorkloads } from './subjects.ts';
import { toClusterPolicyInfos } from './tiers.ts';
import type { GeneratedPolicy, Generation } from './types.ts';
import { pairKey } from '../base/text.ts';

export interface Verification {
  /** True when every observed connection is allowed and nothing unintended is. */
  ok: boolean;
  /**
   * Observed connections checked (those no rule could be generated for are in `generation.leftOut`; those of
   * rules of Cilium entities, `nodeEntitiesObserved`, are checked by the Cilium form's verification).
   */
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
  /** Intended (`--tier baseline`): egress to the API server's addresses (`--api-server`). */
  apiServer: UnobservedAllowance[];
  /**
   * `--tier baseline`: connections from outside addresses or host-network pods to workloads no ingress
   * NetworkPolicy isolates. The Baseline policy cannot deny them: cluster policy ingress peers are only
   * namespaces and pods, never addresses, and host-network pods never match them.
   */
  outsideIngress: UnobservedAllowance[];
  /**
   * Observed, denied by cluster policies of the input (which generate keeps, and no NetworkPolicy can
   * override): allowed without them. Not netfence's to fix; reported.
   */
  deniedByClusterPolicies: ObservedConnection[];
  /** Allowed, not observed, and allowed only because of cluster policies of the input (kept). */
  allowedByClusterPolicies: UnobservedAllowance[];
  /** Pairs no generated policy restricts on either side (outside the generated set's reach). */
  unrestricted: number;
  /** The workloads of those pairs, sorted. */
  unrestrictedWorkloads: string[];
  /** Augment: pairs whose extra ports the kept policies already allowed. */
  alreadyAllowed: number;
  /**
   * From a pod's own node (an address class of the Nodes its workload's pods run on) to the workload: allowed
   * whatever the policies say (docs/cni.md, "Traffic from the pod's own node"), so not the generated set's.
   */
  ownNode: UnobservedAllowance[];
  /** The address space the `external:<n>` ids of the allowances index: that of the generated set. */
  addressSpace: AddressSpace;
}

const DNS_PORTS: PortSet = unionPorts(portSetOf('UDP', [53, 53]), portSetOf('TCP', [53, 53]));

/** The state the generated policies are checked in: the kept policies plus the generated ones. */
export function stateWithGenerated(state: ClusterState, gen: Generation): ClusterState {
  return sessionWithGenerated(openSession(state), gen).state;
}

/**
 * The session of the state with the generated policies (the kept ones are a subsequence of the state's) and
 * the generated cluster policies (beside the kept ones: all but those they replace).
 */
function sessionWithGenerated(session: ClusterSession, gen: Generation): ClusterSession {
  const kept = new Set(gen.kept.map((p) => p.id));
  const edited = session.withPolicyEdits({
    remove: session.state.policies.filter((p) => !kept.has(p.id)).map((p) => p.id),
    add: toPolicyInfos(gen.policies),
  });
  if (gen.clusterPolicies.length === 0) return edited;
  return openSession(
    {
      ...edited.state,
      clusterPolicies: [...gen.keptClusterPolicies, ...toClusterPolicyInfos(gen.clusterPolicies)],
    },
    session.options,
  );
}

/**
 * The same state without the input's cluster policies (`undefined` when it has none): what they alone
 * decide. Entities of outside addresses are translated by address, since the cluster policies' networks may
 * split the address classes differently.
 */
function withoutKeptClusterPolicies(
  edited: ClusterSession,
  gen: Generation,
):
  | {
      allows(c: ObservedConnection): boolean;
      allowedOnlyByKept(src: string, dst: string, ports: PortSet): PortSet;
    }
  | undefined {
  if (gen.keptClusterPolicies.length === 0) return undefined;
  const without = openSession(
    { ...edited.state, clusterPolicies: toClusterPolicyInfos(gen.clusterPolicies) },
    edited.options,
  );
  let allowed: Map<string, PortSet> | undefined;
  const translate = (entity: string): string => {
    const classId = addressClassOfId(entity);
    if (classId === undefined) return entity;
    const first = edited.compiled.addressSpace.classes[classId]?.cover[0];
    const other =
      first === undefined
        ? undefined
        : without.compiled.addressSpace.classOfIp(formatIp(first.family, first.start));
    return other === undefined ? entity : externalId(other);
  };
  return {
    allows: (c) => checkObserved(without, [c], hubbleHints(gen)).denied.length === 0,
    allowedOnlyByKept: (src, dst, ports) => {
      allowed ??= new Map(
        without.connectivity('workload').connections.map((c) => [pairKey(c.src, c.dst), c.ports]),
      );
      return subtractPorts(ports, allowed.get(pairKey(translate(src), translate(dst))) ?? NO_PORTS);
    },
  };
}

/** Workloads the generated Baseline default-deny selects (none without `--tier baseline`). */
function baselineSubjects(state: ClusterState, gen: Generation): Set<string> {
  const policy = gen.clusterPolicies.find((p) => p.role === 'default-deny');
  if (policy === undefined) return new Set();
  const excluded = new Set(policy.excluded);
  return new Set(
    state.pods.filter((p) => !p.hostNetwork && !excluded.has(p.namespace)).map((p) => p.workload),
  );
}

/** The workloads a generated policy selects (its selector may select workloads sharing labels). */
export function selectedWorkloads(state: ClusterState, p: GeneratedPolicy): Set<string> {
  const sel = compileSelector({ matchLabels: { ...p.matchLabels } });
  return new Set(
    state.pods
      .filter((pod) => pod.namespace === p.namespace && !pod.hostNetwork && selectorMatches(sel, pod.labels))
      .map((pod) => pod.workload),
  );
}

/**
 * The observed connections of the rules of Cilium entities (`GeneratedRule.nodeEntities`): the NetworkPolicy
 * form cannot allow them, the Cilium form's verification checks them.
 */
export function nodeEntitiesObserved(gen: Generation): Set<ObservedConnection> {
  return new Set(
    gen.policies.flatMap((p) => p.rules.flatMap((r) => (r.nodeEntities === undefined ? [] : r.observed))),
  );
}

/** Workloads each generated policy selects, per direction (a selector may select workloads sharing labels). */
function restrictedWorkloads(
  state: ClusterState,
  gen: Generation,
): { ingress: Set<string>; egress: Set<string> } {
  const out = { ingress: new Set<string>(), egress: new Set<string>() };
  for (const p of gen.policies) {
    for (const w of selectedWorkloads(state, p)) {
      if (p.kind !== 'egress') out.ingress.add(w);
      if (p.kind !== 'ingress') out.egress.add(w);
    }
  }
  return out;
}

/** What the generation read from the capture besides connections, for crediting rules by name or entity. */
function hubbleHints(gen: Generation): HubbleHints {
  return { names: gen.dnsNames, entities: gen.reservedEntities };
}

export function verifyGeneration(
  state: ClusterState,
  gen: Generation,
  engineOptions: Partial<EngineOptions> = {},
): Verification {
  const current = openSession(state, engineOptions);
  const edited = sessionWithGenerated(current, gen);
  const leftOut = new Set(gen.leftOut.map((l) => l.connection));
  const byEntity = nodeEntitiesObserved(gen);
  const observed = gen.observed.filter((c) => !leftOut.has(c) && !byEntity.has(c));
  const check = checkObserved(edited, observed, hubbleHints(gen));
  const withoutKept = withoutKeptClusterPolicies(edited, gen);

  let before: Map<string, PortSet> | undefined;
  if (gen.options.mode === 'augment') {
    before = new Map();
    for (const c of current.connectivity('workload').connections) {
      before.set(pairKey(c.src, c.dst), c.ports);
    }
  }
  const restricted = restrictedWorkloads(state, gen);
  // NetworkPolicy decides for the pods it isolates; the Baseline default-deny for the rest of its subjects.
  const baseline = baselineSubjects(state, gen);
  const npIngress = new Set(restricted.ingress);
  for (const w of baseline) {
    restricted.ingress.add(w);
    restricted.egress.add(w);
  }
  const hostNetwork = hostNetworkWorkloads(state);
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
  /** Whether `entity` is an outside address class inside `cidrs`. */
  const inside = (entity: string, cidrs: readonly Cidr[]): boolean => {
    const classId = addressClassOfId(entity);
    if (classId === undefined || cidrs.length === 0) return false;
    const cls = edited.compiled.addressSpace.classes[classId];
    return (
      cls !== undefined &&
      cls.cover.length > 0 &&
      cls.cover.every((c) => cidrs.some((b) => cidrContainsCidr(b, c)))
    );
  };
  const isHostAddress = (entity: string): boolean => inside(entity, hostAddresses);
  const inAggregatedBlock = (entity: string): boolean => inside(entity, blocks);
  // Traffic from a pod's own node is allowed whatever the policies say (but under allow-localhost=policy).
  const nodesOfWorkload = workloadNodes(state).nodes;
  const fromOwnNode = (src: string, dst: string): boolean => {
    const classId = addressClassOfId(src);
    if (classId === undefined || !ownNodeAllowed(edited.options)) return false;
    const nodes = nodesAtAddressClass(edited.compiled, classId);
    const placed = nodesOfWorkload.get(dst);
    return nodes.length > 0 && placed !== undefined && nodes.every((n) => placed.has(n));
  };
  const apiServer = gen.options.apiServer.flatMap((a) => {
    const parsed = parseCidr(a.cidr);
    return parsed.ok ? [parsed.cidr] : [];
  });

  const result: Verification = {
    ok: true,
    checked: observed.length,
    missing: [],
    unexpected: [],
    dns: [],
    shared: [],
    aggregated: [],
    hostNetwork: [],
    apiServer: [],
    outsideIngress: [],
    deniedByClusterPolicies: [],
    allowedByClusterPolicies: [],
    unrestricted: 0,
    unrestrictedWorkloads: [],
    alreadyAllowed: 0,
    ownNode: [],
    addressSpace: edited.compiled.addressSpace,
  };
  for (const d of check.denied) {
    if (withoutKept?.allows(d.connection) === true) result.deniedByClusterPolicies.push(d.connection);
    else result.missing.push(d.connection);
  }
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
    // DNS for everyone: --allow-dns, the Baseline policy's accept-dns, the Admin guardrails.
    if (
      dnsServers.has(u.dst) &&
      (dnsClients.has(u.src) || gen.options.allowDns || gen.clusterPolicies.length > 0)
    ) {
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
      for (const e of [u.src, u.dst]) if (!isExternalId(e)) unrestrictedWorkloads.add(e);
      continue;
    }
    const item = { ...u, ports: rest };
    if (fromOwnNode(u.src, u.dst)) result.ownNode.push(item);
    else if (baseline.has(u.src) && inside(u.dst, apiServer)) result.apiServer.push(item);
    else if (
      baseline.has(u.dst) &&
      !npIngress.has(u.dst) &&
      (isExternalId(u.src) || hostNetwork.has(u.src))
    ) {
      result.outsideIngress.push(item);
    } else if (inAggregatedBlock(u.src) || inAggregatedBlock(u.dst)) result.aggregated.push(item);
    else if (
      hostNetwork.has(u.src) ||
      hostNetwork.has(u.dst) ||
      isHostAddress(u.src) ||
      isHostAddress(u.dst)
    ) {
      result.hostNetwork.push(item);
    } else if (shared.has(u.src) || shared.has(u.dst)) result.shared.push(item);
    else {
      // What the input's cluster policies allow is theirs, not the generated set's.
      const byKept = withoutKept?.allowedOnlyByKept(u.src, u.dst, rest) ?? NO_PORTS;
      if (!isEmptyPorts(byKept)) result.allowedByClusterPolicies.push({ ...item, ports: byKept });
      const left = subtractPorts(rest, byKept);
      if (!isEmptyPorts(left)) result.unexpected.push({ ...item, ports: left });
    }
  }
  result.unrestrictedWorkloads = [...unrestrictedWorkloads].sort();
  result.ok = result.missing.length === 0 && result.unexpected.length === 0;
  return result;
}
