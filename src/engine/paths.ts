/**
 * Lateral movement: what an attacker who holds one workload can reach over allowed connections, in how many
 * hops and through which path, and each workload's blast radius.
 *
 * The model is the workload: reaching any pod of a workload compromises it, and the attacker then moves on
 * from any of its pods. The graph is built on pod classes, not pods or workload pairs:
 *
 *     workload w ──▶ out(c)   for each class c of w's pods      (the attacker acts from any of w's pods)
 *     out(c) ──▶ in(c')       for each allowed class connection  (one hop, with its ports)
 *     in(c') ──▶ workload w'  for each workload with a pod in c' (reaching a pod compromises its workload)
 *
 * Blast radius is reachability on that graph: strongly connected components (Tarjan, iterative), then one
 * pass over the condensation in reverse topological order that unions bitsets of workloads
 * (O((V + E) · W / 32), in chunks of the workload range to bound memory). Shortest paths are a breadth-first
 * search from the compromised workloads, with predecessors. Nothing here walks all pairs.
 */
import type { WorkloadInfo } from '../model/cluster.ts';
import type { CompiledCluster } from './compile.ts';
import { classConnections } from './connectivity.ts';
import { l7Filters } from './cilium-l7.ts';
import { unionPorts, type PortSet } from './ports.ts';
import { compareText } from '../base/text.ts';
import { nodesAtAddressClass } from './own-node.ts';

// ---------------------------------------------------------------------------------------------------------
// Directed graphs, strongly connected components and reachability bitsets

/** A directed graph in compressed sparse rows: the successors of `u` are `targets[offsets[u] .. offsets[u+1])`. */
export interface Digraph {
  readonly nodeCount: number;
  readonly offsets: Uint32Array;
  readonly targets: Uint32Array;
}

/** Builds a graph from parallel arrays of edge sources and targets (duplicates allowed). */
export function digraph(nodeCount: number, from: ArrayLike<number>, to: ArrayLike<number>): Digraph {
  const offsets = new Uint32Array(nodeCount + 1);
  // `+= 1`, not `!++`: Stryker's instrumenter cannot parse a postfix increment after a non-null assertion.
  for (let i = 0; i < from.length; i++) offsets[from[i]! + 1]! += 1;
  for (let u = 0; u < nodeCount; u++) offsets[u + 1]! += offsets[u]!;
  const fill = offsets.slice(0, nodeCount);
  const targets = new Uint32Array(from.length);
  for (let i = 0; i < from.length; i++) {
    const slot = fill[from[i]!]!;
    fill[from[i]!] = slot + 1;
    targets[slot] = to[i]!;
  }
  return { nodeCount, offsets, targets };
}

export interface Components {
  count: number;
  /**
   * Component of each node. Components are numbered in the order Tarjan's algorithm completes them, which
   * is a reverse topological order: every edge goes from a component to one with an equal or lower number.
   */
  component: Uint32Array;
  /** Whether the component has a cycle: two or more nodes, or one node with an edge to itself. */
  cyclic: Uint8Array;
}

/** Tarjan's strongly connected components, with an explicit stack (no recursion, whatever the depth). */
export function stronglyConnectedComponents(g: Digraph): Components {
  const n = g.nodeCount;
  const UNSEEN = 0xffffffff;
  const index = new Uint32Array(n).fill(UNSEEN);
  const low = new Uint32Array(n);
  const onStack = new Uint8Array(n);
  const stack = new Uint32Array(n);
  let top = 0;
  const callNode = new Uint32Array(n);
  const callEdge = new Uint32Array(n);
  const component = new Uint32Array(n);
  const cyclicList: number[] = [];
  let next = 0;
  let count = 0;
  for (let root = 0; root < n; root++) {
    if (index[root] !== UNSEEN) continue;
    let depth = 0;
    callNode[0] = root;
    callEdge[0] = g.offsets[root]!;
    index[root] = low[root] = next++;
    stack[top++] = root;
    onStack[root] = 1;
    while (depth >= 0) {
      const u = callNode[depth]!;
      const e = callEdge[depth]!;
      if (e < g.offsets[u + 1]!) {
        callEdge[depth] = e + 1;
        const v = g.targets[e]!;
        if (index[v] === UNSEEN) {
          index[v] = low[v] = next++;
          stack[top++] = v;
          onStack[v] = 1;
          depth++;
          callNode[depth] = v;
          callEdge[depth] = g.offsets[v]!;
        } else if (onStack[v] === 1 && index[v]! < low[u]!) {
          low[u] = index[v]!;
        }
        continue;
      }
      if (low[u] === index[u]) {
        let size = 0;
        let w: number;
        do {
          w = stack[--top]!;
          onStack[w] = 0;
          component[w] = count;
          size++;
        } while (w !== u);
        let cyclic = size > 1;
        for (let k = g.offsets[u]!; !cyclic && k < g.offsets[u + 1]!; k++) cyclic = g.targets[k] === u;
        cyclicList.push(cyclic ? 1 : 0);
        count++;
      }
      depth--;
      if (depth >= 0) {
        const parent = callNode[depth]!;
        if (low[u]! < low[parent]!) low[parent] = low[u]!;
      }
    }
  }
  return { count, component, cyclic: Uint8Array.from(cyclicList) };
}

export function popcount32(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

export interface ReachOptions {
  /**
   * Most 32-bit words held at once for the bitsets of all components: the item range is processed in chunks
   * that fit. @default 4_194_304 (16 MiB)
   */
  memoryWords: number;
}

/**
 * For each group of nodes, the items reachable from it over one or more edges: the union of `itemsOf(v)`
 * for every node `v` at the end of a non-empty path from a node of the group.
 *
 * `visit(group, bits, first)` is called for every group and chunk, with the bitset of the chunk's items
 * (bit `i` of `bits` is item `first + i`); `bits` is reused between calls.
 */
export function forEachReach(
  g: Digraph,
  itemsOf: (node: number) => readonly number[],
  itemCount: number,
  groups: readonly (readonly number[])[],
  visit: (group: number, bits: Uint32Array, first: number) => void,
  options: Partial<ReachOptions> = {},
): void {
  const { count, component, cyclic } = stronglyConnectedComponents(g);
  const nodesOf: number[][] = Array.from({ length: count }, () => []);
  for (let u = 0; u < g.nodeCount; u++) nodesOf[component[u]!]!.push(u);
  const totalWords = Math.max(1, Math.ceil(itemCount / 32));
  const memory = options.memoryWords ?? 4_194_304;
  const chunkWords = Math.max(1, Math.min(totalWords, Math.floor(memory / Math.max(1, count))));
  const stamp = new Int32Array(count).fill(-1);
  for (let firstWord = 0; firstWord < totalWords; firstWord += chunkWords) {
    const words = Math.min(chunkWords, totalWords - firstWord);
    const first = firstWord * 32;
    const end = Math.min(itemCount, first + words * 32);
    // closed[k]: items of component k and of everything reachable from it (paths of length ≥ 0).
    const closed = new Uint32Array(count * words);
    for (let k = 0; k < count; k++) {
      const base = k * words;
      for (const u of nodesOf[k]!) {
        for (const item of itemsOf(u)) {
          if (item >= first && item < end)
            closed[base + ((item - first) >>> 5)]! |= 1 << ((item - first) & 31);
        }
        for (let e = g.offsets[u]!; e < g.offsets[u + 1]!; e++) {
          const j = component[g.targets[e]!]!;
          if (j === k || stamp[j] === k) continue;
          stamp[j] = k;
          const from = j * words;
          for (let w = 0; w < words; w++) closed[base + w]! |= closed[from + w]!;
        }
      }
    }
    stamp.fill(-1);
    const bits = new Uint32Array(words);
    for (let gi = 0; gi < groups.length; gi++) {
      bits.fill(0);
      for (const u of groups[gi]!) {
        const k = component[u]!;
        if (cyclic[k] === 1) {
          // On a cycle, u reaches its own component (and so itself) over a non-empty path.
          const from = k * words;
          for (let w = 0; w < words; w++) bits[w]! |= closed[from + w]!;
          continue;
        }
        for (let e = g.offsets[u]!; e < g.offsets[u + 1]!; e++) {
          const from = component[g.targets[e]!]! * words;
          for (let w = 0; w < words; w++) bits[w]! |= closed[from + w]!;
        }
      }
      visit(gi, bits, first);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// The lateral-movement graph of a cluster

/** What of a hop Cilium's proxy filters at L7: on these ports, by these policies (ids, sorted). */
export interface L7Hop {
  ports: PortSet;
  policies: readonly string[];
}

/** An allowed connection from a class to another class or an address class, with its ports. */
export interface ClassEdge {
  to: number;
  ports: PortSet;
  /** Allowed at L4 but filtered at L7 on some of `ports` (Cilium L7 rules): never plainly allowed. */
  l7?: L7Hop;
}

/** The L7 filtering of a connection allowed on `ports`, or undefined when no L7 rule applies. */
function l7Hop(
  compiled: CompiledCluster,
  src: { pod: number } | { address: number },
  dst: { pod: number } | { address: number },
  ports: PortSet,
): L7Hop | undefined {
  const filters = l7Filters(compiled, src, dst, ports);
  if (filters.length === 0) return undefined;
  let filtered = filters[0]!.ports;
  for (const f of filters) filtered = unionPorts(filtered, f.ports);
  return { ports: filtered, policies: [...new Set(filters.map((f) => f.policy))].sort(compareText) };
}

export interface LateralGraph {
  readonly compiled: CompiledCluster;
  /** The workloads, in the order and with the ids of `computeConnectivity` at workload granularity. */
  readonly workloads: readonly WorkloadInfo[];
  readonly workloadIndex: ReadonlyMap<string, number>;
  /** Pod classes of each workload. */
  readonly classesOf: readonly (readonly number[])[];
  /** Workloads with a pod in each class. */
  readonly membersOf: readonly (readonly number[])[];
  /** Allowed connections out of each class, to classes. */
  readonly podEdges: readonly (readonly ClassEdge[])[];
  /** Allowed connections into classes from each address class (entry points when it is in `outside`). */
  readonly entryEdges: readonly (readonly ClassEdge[])[];
  /**
   * The address classes outside the cluster, in order: every class but those made of Nodes' addresses alone
   * (a node is in the cluster; a pod's own node reaches it whatever the policies say, so it is no way in).
   */
  readonly outside: readonly number[];
  /** Allowed connections out of each class to address classes. */
  readonly exitEdges: readonly (readonly ClassEdge[])[];
}

export function buildLateralGraph(compiled: CompiledCluster): LateralGraph {
  const workloads = [...compiled.state.workloads].sort(
    (a, b) =>
      compareText(a.namespace, b.namespace) || compareText(a.name, b.name) || compareText(a.kind, b.kind),
  );
  const workloadIndex = new Map(workloads.map((w, i) => [w.id, i]));
  const classCount = compiled.classes.length;
  const classSets: Set<number>[] = workloads.map(() => new Set());
  const memberSets: Set<number>[] = Array.from({ length: classCount }, () => new Set());
  for (const cls of compiled.classes) {
    for (const p of cls.pods) {
      const w = workloadIndex.get(p.workload);
      if (w === undefined) continue;
      classSets[w]!.add(cls.id);
      memberSets[cls.id]!.add(w);
    }
  }
  const sorted = (s: Set<number>): number[] => [...s].sort((a, b) => a - b);
  const podEdges: ClassEdge[][] = Array.from({ length: classCount }, () => []);
  const exitEdges: ClassEdge[][] = Array.from({ length: classCount }, () => []);
  const entryEdges: ClassEdge[][] = compiled.addressSpace.classes.map(() => []);
  const anyL7 = compiled.cilium.specs.some((s) => [...s.ingress, ...s.egress].some((r) => r.l7.length > 0));
  for (const c of classConnections(compiled)) {
    const l7 = anyL7 ? l7Hop(compiled, c.src, c.dst, c.ports) : undefined;
    const edge = (to: number): ClassEdge =>
      l7 === undefined ? { to, ports: c.ports } : { to, ports: c.ports, l7 };
    if ('address' in c.src) entryEdges[c.src.address]!.push(edge((c.dst as { pod: number }).pod));
    else if ('address' in c.dst) exitEdges[c.src.pod]!.push(edge(c.dst.address));
    else podEdges[c.src.pod]!.push(edge(c.dst.pod));
  }
  for (const list of [...podEdges, ...exitEdges, ...entryEdges]) list.sort((a, b) => a.to - b.to);
  return {
    compiled,
    workloads,
    workloadIndex,
    classesOf: classSets.map(sorted),
    membersOf: memberSets.map(sorted),
    podEdges,
    entryEdges,
    exitEdges,
    outside: compiled.addressSpace.classes
      .map((a) => a.id)
      .filter((id) => nodesAtAddressClass(compiled, id).length === 0),
  };
}

/** The workload → out(class) → in(class) → workload graph of the module comment. */
function tripartite(g: LateralGraph): Digraph {
  const W = g.workloads.length;
  const C = g.membersOf.length;
  const from: number[] = [];
  const to: number[] = [];
  for (let w = 0; w < W; w++) {
    for (const c of g.classesOf[w]!) {
      from.push(w);
      to.push(W + c);
    }
  }
  for (let c = 0; c < C; c++) {
    for (const e of g.podEdges[c]!) {
      from.push(W + c);
      to.push(W + C + e.to);
    }
    for (const w of g.membersOf[c]!) {
      from.push(W + C + c);
      to.push(w);
    }
  }
  return digraph(W + 2 * C, from, to);
}

export interface BlastRadius {
  /** Index in `LateralGraph.workloads`. */
  workload: number;
  /** Other workloads it reaches, over any number of hops. */
  reach: number;
  /** Other workloads it reaches in one hop. */
  direct: number;
  /** Address classes outside the cluster that may connect to it (it is an entry point), with the ports. */
  entry: readonly { address: number; ports: PortSet }[];
}

/** Every workload's blast radius, in workload order. */
export function blastRadius(g: LateralGraph, options: Partial<ReachOptions> = {}): BlastRadius[] {
  const W = g.workloads.length;
  const reach = new Uint32Array(W);
  const none: readonly number[] = [];
  const self = Array.from({ length: W }, (_, w) => [w]);
  forEachReach(
    tripartite(g),
    (node) => (node < W ? self[node]! : none),
    W,
    self,
    (w, bits, first) => {
      let n = 0;
      for (let i = 0; i < bits.length; i++) n += popcount32(bits[i]!);
      // A workload on a cycle reaches itself; its blast radius counts the others.
      if (
        w >= first &&
        w < first + bits.length * 32 &&
        (bits[(w - first) >>> 5]! & (1 << ((w - first) & 31))) !== 0
      ) {
        n--;
      }
      reach[w]! += n;
    },
    options,
  );
  const stamp = new Int32Array(W).fill(-1);
  const entries = new Map<number, Map<number, PortSet>>();
  for (const a of g.outside) {
    for (const e of g.entryEdges[a]!) {
      for (const w of g.membersOf[e.to]!) {
        let byAddress = entries.get(w);
        if (byAddress === undefined) entries.set(w, (byAddress = new Map<number, PortSet>()));
        const cur = byAddress.get(a);
        byAddress.set(a, cur === undefined ? e.ports : unionPorts(cur, e.ports));
      }
    }
  }
  return g.workloads.map((_, w) => {
    let direct = 0;
    stamp[w] = w;
    for (const c of g.classesOf[w]!) {
      for (const e of g.podEdges[c]!) {
        for (const m of g.membersOf[e.to]!) {
          if (stamp[m] === w) continue;
          stamp[m] = w;
          direct++;
        }
      }
    }
    const entry = [...(entries.get(w) ?? new Map<number, PortSet>())].map(([address, ports]) => ({
      address,
      ports,
    }));
    return { workload: w, reach: reach[w]!, direct, entry };
  });
}

/** Where an attacker starts: workloads they hold, and address classes outside the cluster they connect from. */
export interface AttackSources {
  workloads: readonly number[];
  addresses: readonly number[];
}

/** The hop that first reached a workload: from which workload (or address class), on which ports. */
export type Hop = { from: { workload: number } | { address: number }; ports: PortSet; l7?: L7Hop };

/** The hop over `e` from `from`, with its L7 filtering when any. */
function hopOf(from: Hop['from'], e: ClassEdge): Hop {
  return e.l7 === undefined ? { from, ports: e.ports } : { from, ports: e.ports, l7: e.l7 };
}

export interface AttackReach {
  sources: AttackSources;
  /** Hops to each workload (0 for a source), or -1 when out of reach. */
  distance: Int32Array;
  /** The hop that first reached each workload at its distance; undefined for sources and unreached. */
  via: readonly (Hop | undefined)[];
  /** Address classes outside the cluster reached (when asked for), with their hop; -1 when not. */
  addressDistance: Int32Array;
  addressVia: readonly (Hop | undefined)[];
}

export interface AttackOptions {
  /** Stop after this many hops. @default unlimited */
  maxHops: number;
  /** Also compute which addresses outside the cluster the attacker can open connections to. @default false */
  exits: boolean;
}

/**
 * Breadth-first search from the sources over allowed connections: the fewest hops to every workload, and
 * for each the hop that reached it first (so that `attackPath` rebuilds one shortest path).
 */
export function attackReach(
  g: LateralGraph,
  sources: AttackSources,
  options: Partial<AttackOptions> = {},
): AttackReach {
  const maxHops = options.maxHops ?? Infinity;
  const W = g.workloads.length;
  const C = g.membersOf.length;
  const distance = new Int32Array(W).fill(-1);
  const via: (Hop | undefined)[] = new Array<Hop | undefined>(W).fill(undefined);
  const entered = new Uint8Array(C);
  const expanded = new Uint8Array(C);
  const queue: number[] = [];
  const enter = (c: number, d: number, hop: Hop): void => {
    if (entered[c] === 1) return;
    entered[c] = 1;
    for (const w of g.membersOf[c]!) {
      if (distance[w] !== -1) continue;
      distance[w] = d;
      via[w] = hop;
      queue.push(w);
    }
  };
  for (const w of sources.workloads) {
    if (distance[w] !== -1) continue;
    distance[w] = 0;
    queue.push(w);
  }
  if (maxHops >= 1) {
    for (const a of sources.addresses) {
      for (const e of g.entryEdges[a]!) enter(e.to, 1, hopOf({ address: a }, e));
    }
  }
  for (let head = 0; head < queue.length; head++) {
    const w = queue[head]!;
    const d = distance[w]!;
    if (d >= maxHops) continue;
    for (const c of g.classesOf[w]!) {
      if (expanded[c] === 1) continue;
      expanded[c] = 1;
      for (const e of g.podEdges[c]!) enter(e.to, d + 1, hopOf({ workload: w }, e));
    }
  }
  const addressCount = g.entryEdges.length;
  const addressDistance = new Int32Array(addressCount).fill(-1);
  const addressVia: (Hop | undefined)[] = new Array<Hop | undefined>(addressCount).fill(undefined);
  if (options.exits === true) {
    // In queue order, so that the first workload to reach an address is one of the nearest.
    for (const w of queue) {
      const d = distance[w]!;
      if (d >= maxHops) continue;
      for (const c of g.classesOf[w]!) {
        for (const e of g.exitEdges[c]!) {
          if (addressDistance[e.to] !== -1) continue;
          addressDistance[e.to] = d + 1;
          addressVia[e.to] = hopOf({ workload: w }, e);
        }
      }
    }
  }
  return { sources, distance, via, addressDistance, addressVia };
}

/** One hop of an attack path. */
export interface PathStep {
  from: { workload: number } | { address: number };
  to: { workload: number } | { address: number };
  ports: PortSet;
  /** Allowed at L4 but filtered at L7 on these ports by these Cilium policies. */
  l7?: L7Hop;
}

/** A shortest path to a workload (or, with `exits`, an address class), or undefined when out of reach. */
export function attackPath(
  r: AttackReach,
  target: { workload: number } | { address: number },
): PathStep[] | undefined {
  let hop = 'workload' in target ? r.via[target.workload] : r.addressVia[target.address];
  const reached = 'workload' in target ? r.distance[target.workload]! : r.addressDistance[target.address]!;
  if (reached < 0) return undefined;
  const steps: PathStep[] = [];
  let to = target;
  while (hop !== undefined) {
    steps.push({ from: hop.from, to, ports: hop.ports, ...(hop.l7 === undefined ? {} : { l7: hop.l7 }) });
    to = hop.from;
    hop = 'workload' in hop.from ? r.via[hop.from.workload] : undefined;
  }
  return steps.reverse();
}
