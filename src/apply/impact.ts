/**
 * What an apply does to connectivity, computed by the engine before anything is written: the state after
 * each phase, the connectivity change of the whole apply, the connections a staged rollout would cut
 * between phases although both ends of it allow them, and the observed ports it would deny. Pure.
 */
import { buildAddressSpace } from '../engine/addresses.ts';
import { addressSpaceCidrs } from '../engine/compile.ts';
import { externalId } from '../engine/connectivity.ts';
import { sideConnectionOf, sideOf, type ClusterDiff } from '../engine/diff.ts';
import { NO_PORTS, intersectPorts, isEmptyPorts, subtractPorts, type PortSet } from '../engine/ports.ts';
import { nodeAddressClasses } from '../engine/own-node.ts';
import { openSession, type ClusterSession, type PolicyEdits } from '../engine/session.ts';
import { checkObserved, type Side } from '../flows/check.ts';
import { connectionKey } from '../flows/aggregate.ts';
import type { ObservedConnection } from '../flows/types.ts';
import type { ClusterPolicyInfo, PolicyInfo } from '../model/cluster.ts';
import type { NetworkPolicy } from '../model/k8s.ts';
import { clusterPolicyInfo } from '../model/tiers.ts';
import { ciliumPolicyInfo, type CiliumPolicyInfo } from '../model/cilium.ts';
import { isCiliumObject, isClusterPolicyObject, policyId, type PolicyObject } from './objects.ts';
import type { ApplyPlan, Change } from './plan.ts';
import { splitPairKey } from '../base/text.ts';

/** The engine's view of a stored NetworkPolicy (the annotations it keeps are netfence's own). */
export function policyInfoOf(np: NetworkPolicy): PolicyInfo {
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(np.metadata.annotations ?? {}))
    if (k.startsWith('netfence.io/')) annotations[k] = v;
  return {
    id: policyId(np),
    namespace: np.metadata.namespace ?? '',
    name: np.metadata.name ?? '',
    spec: np.spec,
    labels: np.metadata.labels ?? {},
    annotations,
  };
}

/** The NetworkPolicy edits of some changes: applied policies replace (or join) the live ones, deleted ones go. */
function editsOf(changes: readonly Change[]): PolicyEdits {
  const set = new Map<string, PolicyInfo[]>();
  for (const c of changes) {
    if (c.kind !== 'NetworkPolicy') continue;
    if (c.action === 'delete') set.set(c.id, []);
    else if (c.result !== undefined && c.result.kind === 'NetworkPolicy')
      set.set(c.id, [policyInfoOf(c.result)]);
  }
  return { set, sortById: true };
}

/**
 * Some policies of the live state after some changes: applied ones (that `info` converts, the others
 * undefined) replace (or join) the live ones, in place; deleted ones go.
 */
function editById<T extends { id: string }>(
  live: readonly T[],
  changes: readonly Change[],
  info: (o: PolicyObject) => T | undefined,
): T[] {
  const edits = new Map<string, T | undefined>();
  for (const c of changes) {
    const o = c.action === 'delete' ? c.live : c.result;
    if (o === undefined || info(o) === undefined) continue;
    edits.set(c.id, c.action === 'delete' ? undefined : info(o));
  }
  const out: T[] = [];
  for (const p of live) {
    if (!edits.has(p.id)) out.push(p);
    else if (edits.get(p.id) !== undefined) out.push(edits.get(p.id)!);
  }
  const present = new Set(live.map((p) => p.id));
  for (const [id, p] of edits) if (!present.has(id) && p !== undefined) out.push(p);
  return out;
}

/**
 * The cluster policies after some changes. (Their order in the state does not matter: the engine orders
 * them by tier and priority.)
 */
export function editClusterPolicies(
  live: readonly ClusterPolicyInfo[],
  changes: readonly Change[],
): ClusterPolicyInfo[] {
  return editById(live, changes, (o) => (isClusterPolicyObject(o) ? clusterPolicyInfo(o) : undefined));
}

/** The Cilium policies after some changes. */
export function editCiliumPolicies(
  live: readonly CiliumPolicyInfo[],
  changes: readonly Change[],
): CiliumPolicyInfo[] {
  return editById(live, changes, (o) => (isCiliumObject(o) ? ciliumPolicyInfo(o) : undefined));
}

/**
 * The live state, then the state after each phase of the plan (the last one is the final state), each one
 * session: what the impact computations ask of a state is compiled once, however many of them ask.
 */
export function phaseSessions(live: ClusterSession, plan: ApplyPlan): ClusterSession[] {
  const sessions = [live];
  let current = live;
  for (const phase of plan.phases) {
    current = current.withPolicyEdits(editsOf(phase.changes));
    if (phase.changes.some((c) => c.kind !== 'NetworkPolicy')) {
      const clusterPolicies = editClusterPolicies(current.state.clusterPolicies, phase.changes);
      const ciliumPolicies = editCiliumPolicies(current.state.ciliumPolicies, phase.changes);
      current = openSession({ ...current.state, clusterPolicies, ciliumPolicies }, current.options);
    }
    sessions.push(current);
  }
  return sessions;
}

/** The connectivity change of the whole apply (live → final), as `netfence diff` shows it. */
export function connectivityChange(sessions: readonly ClusterSession[]): ClusterDiff {
  return sessions[0]!.diff(sessions[sessions.length - 1]!, 'workload');
}

/** A connection allowed before and after the apply, but not after phase `afterPhase` (1-based). */
export interface TransientCut {
  afterPhase: number;
  /** Display names: `namespace/name` of a workload, or an address range. */
  src: string;
  dst: string;
  /**
   * For an address range made of Nodes' addresses alone, their Nodes (sorted): it is in the cluster, not
   * outside it. Empty otherwise.
   */
  srcNodes: readonly string[];
  dstNodes: readonly string[];
  ports: PortSet;
  /**
   * The connection of the live state (as `analyze` of it lists it, in its own address classes) this row is
   * part of: `id` tells it apart (as `sideConnectionOf` gives it), `src` and `dst` are its ends' display
   * names. A row is one pair of the phases' common address classes after one phase, so one connection may
   * have several rows (an address range another state's policy splits, several phases): `cutConnections`
   * counts each connection once.
   */
  connection: { id: number | string; src: string; dst: string };
}

/** How many connections of the live state the rows cut, each counted once (`analyze`'s unit). */
export function cutConnections(cuts: readonly TransientCut[]): number {
  return new Set(cuts.map((c) => c.connection.id)).size;
}

/**
 * The connections a rollout in these phases would cut for a while: allowed both in the live state and in
 * the final one, but not in some intermediate state. Empty means no allowed connection is ever cut in
 * between. (`sessions` as `phaseSessions` returns them.)
 */
export function transientCuts(sessions: readonly ClusterSession[]): TransientCut[] {
  if (sessions.length <= 2) return [];
  const common = buildAddressSpace(sessions.flatMap((s) => addressSpaceCidrs(s.state)));
  const sides = sessions.map((s) => sideOf(s.compiled, s.connectivity('workload'), common));
  const first = sides[0]!;
  const last = sides[sides.length - 1]!;
  const names = new Map<string, string>();
  for (const side of sides) {
    for (const e of side.entities)
      if (e.kind === 'workload') names.set(e.id, `${e.workload.namespace}/${e.workload.name}`);
  }
  for (const c of common.classes) names.set(externalId(c.id), common.describe(c.id));
  // An apply changes policies only: every state has the live Nodes.
  const nodes = new Map(
    [...nodeAddressClasses(common, sessions[0]!.state.nodes)].map(([id, of]) => [externalId(id), of]),
  );
  // Each pair of the common classes as the live connection (in the live state's own classes) it is part of.
  const live = sessions[0]!;
  const liveConn = live.connectivity('workload');
  const ownName = (id: string): string => {
    const e = liveConn.byId.get(id)!;
    return e.kind === 'external' ? live.compiled.addressSpace.describe(e.address.id) : names.get(id)!;
  };
  const connectionOf = (key: string): TransientCut['connection'] => {
    const id = sideConnectionOf(first, key);
    if (typeof id === 'string') {
      // The pair is the whole connection: its common classes are the live ones.
      const [src, dst] = splitPairKey(key);
      return { id, src: names.get(src) ?? src, dst: names.get(dst) ?? dst };
    }
    const c = liveConn.connections[id]!;
    return { id, src: ownName(c.src), dst: ownName(c.dst) };
  };
  const cuts: TransientCut[] = [];
  for (let i = 1; i < sides.length - 1; i++) {
    const mid = sides[i]!;
    for (const [key, before] of first.connections) {
      const kept = intersectPorts(before, last.connections.get(key) ?? NO_PORTS);
      if (isEmptyPorts(kept)) continue;
      const lost = subtractPorts(kept, mid.connections.get(key) ?? NO_PORTS);
      if (isEmptyPorts(lost)) continue;
      const [src, dst] = splitPairKey(key);
      cuts.push({
        afterPhase: i,
        src: names.get(src) ?? src,
        dst: names.get(dst) ?? dst,
        srcNodes: nodes.get(src) ?? [],
        dstNodes: nodes.get(dst) ?? [],
        ports: lost,
        connection: connectionOf(key),
      });
    }
  }
  return cuts;
}

/** An observed port the live policies allow, and some state of the rollout would deny. */
export interface BreakingFlow {
  connection: ObservedConnection;
  /** The first state that denies it: 1-based phase; the last phase is the final state. */
  afterPhase: number;
  blockedAt: Side[];
  /** Policies isolating the blocking side, `namespace/name`. */
  policies: string[];
}

/**
 * Observed ports (`map`'s rows) that the live state allows and some later state denies: what the apply
 * would break, while it runs or for good. (`sessions` as `phaseSessions` returns them.)
 */
export function breakingFlows(
  sessions: readonly ClusterSession[],
  observed: readonly ObservedConnection[],
): BreakingFlow[] {
  const before = checkObserved(sessions[0]!, observed);
  const allowedBefore = new Set([...before.allowed, ...before.unpoliced].map(connectionKey));
  const out = new Map<string, BreakingFlow>();
  for (let i = 1; i < sessions.length; i++) {
    for (const d of checkObserved(sessions[i]!, observed).denied) {
      const key = connectionKey(d.connection);
      if (!allowedBefore.has(key) || out.has(key)) continue;
      out.set(key, { connection: d.connection, afterPhase: i, blockedAt: d.blockedAt, policies: d.policies });
    }
  }
  return [...out.values()];
}
