/**
 * The session facade: what the use cases (commands, the server, apply, generate, lint, flow checks) ask of
 * one cluster state, computed once and only when asked: the compiled cluster, its connectivity and its
 * reference index (per granularity); states with edited policies; and the diff between two states. Callers go
 * through it instead of wiring compile, connectivity and references themselves. Pure: no I/O.
 *
 *     const session = openSession(state, { ipBlockMatchesPods: true });
 *     session.connectivity();                               // compiles once, on first use
 *     const edited = session.withPolicyEdits({ remove: ['shop/allow-web'] });
 *     session.diff(edited);                                 // what `diffClusters` answers
 *     session.tryPolicies([...session.state.policies, p], (s) => ...); // incremental engine, then put back
 *     session.tryPolicies(session.state.policies, (s) => ..., [...session.state.clusterPolicies, cnp]);
 *     session.tryPolicies(session.state.policies, (s) => ..., undefined, [...session.state.ciliumPolicies, c]);
 */
import { compareText } from '../base/text.ts';
import type { CiliumPolicyInfo } from '../model/cilium.ts';
import type { ClusterPolicyInfo, ClusterState, PolicyInfo } from '../model/cluster.ts';
import {
  compileCluster,
  DEFAULT_ENGINE_OPTIONS,
  type CompiledCluster,
  type EngineOptions,
} from './compile.ts';
import { computeConnectivity, type Connectivity, type Granularity } from './connectivity.ts';
import { commonAddressSpace, diffSides, sideOf, type ClusterDiff } from './diff.ts';
import { createIncrementalEngine, type IncrementalEngine } from './incremental.ts';
import { buildRefIndex, type RefIndex } from './refs.ts';

/** Edits of a state's policies; the other objects stay as they are. */
export interface PolicyEdits {
  /**
   * By id: the policies that take its place (several: in its place, in this order; none: it goes). An id the
   * state does not have is added after the others, in the map's order.
   */
  set?: ReadonlyMap<string, readonly PolicyInfo[]>;
  /** Ids of policies that go. */
  remove?: Iterable<string>;
  /** New policies, after all the others. */
  add?: readonly PolicyInfo[];
  /** Orders the policies by id afterwards (as a cluster lists them). @default false: as edited */
  sortById?: boolean;
}

/** The policies after the edits (the one place where an edited list of policies is made). */
export function editPolicies(policies: readonly PolicyInfo[], edits: PolicyEdits): PolicyInfo[] {
  const set = edits.set ?? new Map<string, readonly PolicyInfo[]>();
  const removed = new Set(edits.remove ?? []);
  const out: PolicyInfo[] = [];
  const present = new Set<string>();
  for (const p of policies) {
    present.add(p.id);
    if (removed.has(p.id)) continue;
    const instead = set.get(p.id);
    if (instead === undefined) out.push(p);
    else out.push(...instead);
  }
  for (const [id, instead] of set) if (!present.has(id) && !removed.has(id)) out.push(...instead);
  out.push(...(edits.add ?? []));
  if (edits.sortById === true) out.sort((a, b) => compareText(a.id, b.id));
  return out;
}

/** A state compiled, with its connectivity: what `tryPolicyEdits` hands its callback. */
export interface EditedState {
  state: ClusterState;
  compiled: CompiledCluster;
  connectivity: Connectivity;
  /** `buildRefIndex(compiled, 'workload')`, built on first use. */
  refs(): RefIndex;
}

/** One cluster state and what the engine computes of it, each part once, on first use. */
export interface ClusterSession {
  readonly state: ClusterState;
  readonly options: EngineOptions;
  /** `compileCluster(state, options)`. */
  readonly compiled: CompiledCluster;
  /** `computeConnectivity(compiled, granularity)`. */
  connectivity(granularity?: Granularity): Connectivity;
  /** `buildRefIndex(compiled, granularity)`: references (`shop/web`, `app=web`, CIDRs) resolved. */
  refs(granularity?: Granularity): RefIndex;
  /** A session over the state with its policies edited (compiled from scratch when asked). */
  withPolicyEdits(edits: PolicyEdits): ClusterSession;
  /** What `diffClusters(this.state, other.state)` answers, from the two sessions' compiled states. */
  diff(other: ClusterSession, granularity?: Granularity): ClusterDiff;
  /**
   * Calls `use` with the state after `policies` (and `clusterPolicies`, `ciliumPolicies`, when given)
   * replace the state's, computed by an incremental engine (made on first use, kept) as one batch and undone
   * afterwards: the cost of what the edits touch, not of a compilation. What `use` is handed is valid only
   * during the call. Workload granularity.
   */
  tryPolicies<T>(
    policies: readonly PolicyInfo[],
    use: (edited: EditedState) => T,
    clusterPolicies?: readonly ClusterPolicyInfo[],
    ciliumPolicies?: readonly CiliumPolicyInfo[],
  ): T;
}

class Session implements ClusterSession {
  readonly state: ClusterState;
  readonly options: EngineOptions;
  #compiled: CompiledCluster | undefined;
  readonly #connectivity = new Map<Granularity, Connectivity>();
  readonly #refs = new Map<Granularity, RefIndex>();
  #incremental: IncrementalEngine | undefined;

  constructor(state: ClusterState, options: EngineOptions, compiled?: CompiledCluster) {
    this.state = state;
    this.options = options;
    this.#compiled = compiled;
  }

  get compiled(): CompiledCluster {
    return (this.#compiled ??= compileCluster(this.state, this.options));
  }

  connectivity(granularity: Granularity = 'workload'): Connectivity {
    let c = this.#connectivity.get(granularity);
    if (c === undefined)
      this.#connectivity.set(granularity, (c = computeConnectivity(this.compiled, granularity)));
    return c;
  }

  refs(granularity: Granularity = 'workload'): RefIndex {
    let r = this.#refs.get(granularity);
    if (r === undefined) this.#refs.set(granularity, (r = buildRefIndex(this.compiled, granularity)));
    return r;
  }

  withPolicyEdits(edits: PolicyEdits): ClusterSession {
    return new Session({ ...this.state, policies: editPolicies(this.state.policies, edits) }, this.options);
  }

  diff(other: ClusterSession, granularity: Granularity = 'workload'): ClusterDiff {
    const common = commonAddressSpace(this.state, other.state);
    const before = sideOf(this.compiled, this.connectivity(granularity), common);
    const after = sideOf(other.compiled, other.connectivity(granularity), common);
    return diffSides(this.state, other.state, { before, after }, common, granularity);
  }

  tryPolicies<T>(
    policies: readonly PolicyInfo[],
    use: (edited: EditedState) => T,
    clusterPolicies?: readonly ClusterPolicyInfo[],
    ciliumPolicies?: readonly CiliumPolicyInfo[],
  ): T {
    const engine = (this.#incremental ??= createIncrementalEngine(this.state, this.options, 'workload'));
    try {
      if (clusterPolicies !== undefined) engine.setClusterPolicies(clusterPolicies);
      if (ciliumPolicies !== undefined) engine.setCiliumPolicies(ciliumPolicies);
      engine.setPolicies(policies);
      const compiled = engine.compiled;
      let refs: RefIndex | undefined;
      return use({
        state: engine.state,
        compiled,
        connectivity: engine.connectivity(),
        refs: () => (refs ??= buildRefIndex(compiled, 'workload')),
      });
    } finally {
      try {
        engine.setClusterPolicies(this.state.clusterPolicies);
        engine.setCiliumPolicies(this.state.ciliumPolicies);
        engine.setPolicies(this.state.policies);
      } catch {
        // An engine that could not be put back is dropped (the answer was computed before): the next
        // call builds a fresh one.
        this.#incremental = undefined;
      }
    }
  }
}

/**
 * A session over `state`. `compiled`, when given, must be `compileCluster(state, options)` (a caller that
 * already has it need not compile twice).
 */
export function openSession(
  state: ClusterState,
  options: Partial<EngineOptions> = {},
  compiled?: CompiledCluster,
): ClusterSession {
  return new Session(state, { ...DEFAULT_ENGINE_OPTIONS, ...options }, compiled);
}
