/**
 * The model the web UI draws: namespaces, workloads (with the policies that select them and whether they are
 * isolated), policies (with their origin and YAML), address classes (outside the cluster, or the Nodes'), and every allowed
 * connection by entity id, plus the same connections aggregated namespace by namespace (what the UI draws
 * first on large clusters). Pure: built from a compiled cluster and its connectivity.
 */
import { isOpenAccess, type CompiledCluster } from '../engine/compile.ts';
import type { Connectivity } from '../engine/connectivity.ts';
import type { L7Connection } from '../engine/cilium-l7.ts';
import { nodesAtAddressClass } from '../engine/own-node.ts';
import { formatPorts } from '../describe/ports.ts';
import { isEmptyPorts, NO_PORTS, portsToJson, unionPorts, type PortSet } from '../engine/ports.ts';
import type { RefIndex } from '../engine/refs.ts';
import { analysisSummary, connectivityToJson } from '../format/connectivity.ts';
import { toYamlDocument } from '../format/yaml.ts';
import type {
  ConnectionJson,
  GroupConnectionJson,
  IsolationJson as Isolation,
  ModelJson,
  NamespaceConnectionsJson,
  PolicyJson,
  SourceJson,
} from '../contract/api.ts';
import { Tier, type PolicyInfo } from '../model/cluster.ts';
import { allowedByOf, clusterPoliciesJson } from './tiers.ts';
import { compareText, pairKey } from '../base/text.ts';

export const MODEL_SCHEMA_VERSION = 1;

/** The id of the group of every address outside the cluster, in `namespaceConnections`. */
export const OUTSIDE = 'outside';

/**
 * The id of the group of the Nodes' addresses, in `namespaceConnections`: address classes made of Nodes'
 * addresses alone (`nodesAtAddressClass`, as `explain`'s `node-address` status) are in the cluster, not outside.
 */
export const NODES = 'nodes';

/**
 * Above this many connections the model leaves the workload-level list out (`connections: null`): the UI
 * starts from `namespaceConnections` and asks `/api/connections?namespace=` for the namespaces it expands.
 */
export const MAX_MODEL_CONNECTIONS = 50_000;

/** The source the model describes (`SourceJson`), as the commands name it. */
export type { SourceJson as SourceInfo } from '../contract/api.ts';

/** The namespace group id of a namespace. */
export function namespaceGroup(namespace: string): string {
  return `ns:${namespace}`;
}

function isolationOf(values: readonly (boolean | 'host')[]): Isolation {
  if (values.length === 0) return 'not-isolated';
  if (values.every((v) => v === 'host')) return 'host-network';
  const isolated = values.filter((v) => v === true).length;
  if (isolated === 0) return 'not-isolated';
  return isolated === values.length ? 'isolated' : 'partly';
}

export interface ModelInput {
  compiled: CompiledCluster;
  connectivity: Connectivity;
  index: RefIndex;
  source: SourceJson;
  /** YAML of each policy (and cluster policy) by id; policies without one get their spec rebuilt as YAML. */
  policyYaml: ReadonlyMap<string, string>;
  /** Rebuilds a policy's YAML when its source text is not known. */
  renderPolicy: (policy: PolicyInfo) => string;
  /** Bumped on every reload, so that the UI knows when to fetch again. */
  version: number;
  /** Whether flow captures were given (`/api/flows` answers). */
  flows: boolean;
  /** Whether the server reloads on changes (`/api/events` pushes them). */
  watch: boolean;
}

/** What the model says of each workload beyond its definition. */
export interface WorkloadFacts {
  isolated: { ingress: Isolation; egress: Isolation };
  /**
   * Whether it allows every connection in that direction, with every peer: not isolated, on the host network,
   * or isolated by a rule that allows everything (`ingress: [{}]`). Its connections in that direction say
   * nothing about its policies: the UI colours the node instead of drawing them all.
   */
  open: { ingress: boolean; egress: boolean };
  policies: string[];
  /** Cluster policy ids selecting it, in evaluation order (Admin tier, then Baseline). */
  clusterPolicies: string[];
  /** Cilium policy ids with a rule set selecting it, in input order. */
  ciliumPolicies: string[];
}

/** Isolation and selecting policies of every workload. */
export function workloadFacts(compiled: CompiledCluster, index: RefIndex): Map<string, WorkloadFacts> {
  const out = new Map<string, WorkloadFacts>();
  for (const e of index.entities) {
    if (e.kind !== 'workload') continue;
    const classes = index.ends(e.id).flatMap((end) => ('pod' in end ? [end.pod] : []));
    const side = (dir: 'ingress' | 'egress'): Isolation =>
      isolationOf(
        classes.map((c) => (compiled.classes[c]!.hostNetwork ? 'host' : compiled[dir][c]!.isolated)),
      );
    const policies = new Set<number>();
    for (const c of classes) for (const p of compiled.policiesOfClass[c] ?? []) policies.add(p);
    const tierPolicies = new Set<number>();
    for (const c of classes) for (const p of compiled.tierPoliciesOfClass[c] ?? []) tierPolicies.add(p);
    const ciliumPolicies = new Set<number>();
    for (const c of classes)
      for (const i of compiled.cilium.ofClass[c] ?? []) ciliumPolicies.add(compiled.cilium.specs[i]!.policy);
    const open = (dir: 'ingress' | 'egress'): boolean =>
      classes.length > 0 && classes.every((c) => isOpenAccess(compiled[dir][c]!));
    out.set(e.id, {
      isolated: { ingress: side('ingress'), egress: side('egress') },
      open: { ingress: open('ingress'), egress: open('egress') },
      policies: [...policies].sort((a, b) => a - b).map((p) => compiled.policies[p]!.info.id),
      clusterPolicies: [...tierPolicies]
        .map((p) => compiled.tierPolicies[p]!)
        .sort((a, b) => (a.tier === b.tier ? a.rank - b.rank : a.tier === Tier.Admin ? -1 : 1))
        .map((p) => p.info.id),
      ciliumPolicies: [...ciliumPolicies].sort((a, b) => a - b).map((p) => compiled.cilium.policies[p]!.id),
    });
  }
  return out;
}

/**
 * Whether a connection is unrestricted: the source allows every connection out and the destination every
 * connection in (an address outside the cluster restricts nothing).
 */
export function isOpen(facts: ReadonlyMap<string, WorkloadFacts>, src: string, dst: string): boolean {
  return (facts.get(src)?.open.egress ?? true) && (facts.get(dst)?.open.ingress ?? true);
}

/** The group (namespace, the Nodes' addresses or outside) of an entity id. */
export function groupOf(index: RefIndex, id: string): string {
  const e = index.byId.get(id);
  if (e === undefined) return OUTSIDE;
  if (e.kind === 'external')
    return nodesAtAddressClass(index.compiled, e.address.id).length > 0 ? NODES : OUTSIDE;
  return namespaceGroup(e.kind === 'workload' ? e.workload.namespace : e.pod.namespace);
}

export function connectionJson(
  facts: ReadonlyMap<string, WorkloadFacts>,
  c: { src: string; dst: string; ports: PortSet },
  allowedBy?: AllowedBy,
  l7?: ReadonlyMap<string, L7Connection>,
): ConnectionJson {
  const out: ConnectionJson = {
    src: c.src,
    dst: c.dst,
    ports: portsToJson(c.ports),
    summary: formatPorts(c.ports),
    open: isOpen(facts, c.src, c.dst),
  };
  const by = allowedBy?.(c.src, c.dst, c.ports);
  if (by !== undefined) out.allowedBy = by;
  const filtered = l7?.get(`${c.src}\u0000${c.dst}`);
  if (filtered !== undefined)
    out.l7 = {
      ports: portsToJson(filtered.ports),
      summary: formatPorts(filtered.ports),
      policies: filtered.policies,
    };
  return out;
}

/** The connections Cilium filters at L7, by `src\0dst` (`Connectivity.l7`). */
function l7ByPair(connectivity: Connectivity): Map<string, L7Connection> {
  return new Map((connectivity.l7 ?? []).map((c) => [`${c.src}\u0000${c.dst}`, c]));
}

type AllowedBy = ReturnType<typeof allowedByOf>;

/** Connections aggregated between namespaces (and the outside world), in group order. */
export function groupConnections(
  index: RefIndex,
  facts: ReadonlyMap<string, WorkloadFacts>,
  connections: readonly { src: string; dst: string; ports: PortSet }[],
): GroupConnectionJson[] {
  const groups = new Map<string, { src: string; dst: string; count: number; open: number; ports: PortSet }>();
  for (const c of connections) {
    const src = groupOf(index, c.src);
    const dst = groupOf(index, c.dst);
    const key = pairKey(src, dst);
    let g = groups.get(key);
    if (g === undefined) groups.set(key, (g = { src, dst, count: 0, open: 0, ports: NO_PORTS }));
    g.count++;
    if (isOpen(facts, c.src, c.dst)) g.open++;
    g.ports = unionPorts(g.ports, c.ports);
  }
  return [...groups.values()]
    .filter((g) => !isEmptyPorts(g.ports))
    .sort((a, b) => compareText(a.src, b.src) || compareText(a.dst, b.dst))
    .map((g) => ({
      src: g.src,
      dst: g.dst,
      count: g.count,
      open: g.open,
      ports: portsToJson(g.ports),
      summary: formatPorts(g.ports),
    }));
}

/** The JSON of `/api/model` (documented in docs/ui.md). */
export function buildModel(input: ModelInput): ModelJson {
  const { compiled, connectivity, index } = input;
  const { state } = compiled;
  const base = connectivityToJson(connectivity, compiled.addressSpace, analysisSummary(state), (id) =>
    nodesAtAddressClass(compiled, id),
  );
  const facts = workloadFacts(compiled, index);
  // The model is computed on workloads (`computeConnectivity(…, 'workload')`): its list is `workloads`.
  const workloads = ('workloads' in base ? base.workloads : []).map((w) => {
    const id = w.id;
    const f = facts.get(id)!;
    return {
      ...w,
      displayName: index.displayName(id),
      isolated: f.isolated,
      open: f.open,
      policies: f.policies,
      clusterPolicies: f.clusterPolicies,
      ciliumPolicies: f.ciliumPolicies,
    };
  });
  const selects = new Map<string, string[]>();
  for (const [id, f] of facts) {
    for (const p of [...f.policies, ...f.clusterPolicies, ...f.ciliumPolicies]) {
      const list = selects.get(p);
      if (list === undefined) selects.set(p, [id]);
      else list.push(id);
    }
  }
  const policies: PolicyJson[] = compiled.policies.map((p) => ({
    id: p.info.id,
    namespace: p.info.namespace,
    name: p.info.name,
    file: p.info.origin?.file ?? null,
    line: p.info.origin?.line ?? null,
    ingress: p.affectsIngress,
    egress: p.affectsEgress,
    selects: selects.get(p.info.id) ?? [],
    yaml: input.policyYaml.get(p.info.id) ?? input.renderPolicy(p.info),
  }));
  const workloadCount = new Map<string, number>();
  for (const w of state.workloads) workloadCount.set(w.namespace, (workloadCount.get(w.namespace) ?? 0) + 1);
  const policyCount = new Map<string, number>();
  for (const p of state.policies) policyCount.set(p.namespace, (policyCount.get(p.namespace) ?? 0) + 1);
  const namespaces = [...state.namespaces]
    .sort((a, b) => compareText(a.name, b.name))
    .map((n) => ({
      name: n.name,
      labels: n.labels,
      implicit: n.implicit,
      workloads: workloadCount.get(n.name) ?? 0,
      policies: policyCount.get(n.name) ?? 0,
    }));
  const tooMany = connectivity.connections.length > MAX_MODEL_CONNECTIONS;
  const allowedBy = tooMany ? undefined : allowedByOf(index);
  const l7 = l7ByPair(connectivity);
  return {
    schemaVersion: MODEL_SCHEMA_VERSION,
    version: input.version,
    source: input.source,
    features: { flows: input.flows, watch: input.watch, static: false },
    granularity: connectivity.granularity,
    summary: { ...base.summary, domains: connectivity.domains.length },
    namespaces,
    workloads,
    external: base.external,
    policies,
    clusterPolicies: clusterPoliciesJson(compiled, selects, input.policyYaml),
    ciliumPolicies: state.ciliumPolicies.map((p) => ({
      id: p.id,
      kind: p.kind,
      namespace: p.namespace ?? null,
      name: p.name,
      file: p.origin?.file ?? null,
      line: p.origin?.line ?? null,
      ingress: p.specs.some((s) => s.defaultDeny.ingress),
      egress: p.specs.some((s) => s.defaultDeny.egress),
      selects: selects.get(p.id) ?? [],
      // As written; rebuilt from the object when its source text is not known (read from a cluster).
      yaml: input.policyYaml.get(p.id) ?? toYamlDocument({ value: p.object }),
    })),
    connections: tooMany
      ? null
      : connectivity.connections.map((c) => connectionJson(facts, c, allowedBy, l7)),
    namespaceConnections: groupConnections(index, facts, connectivity.connections),
    domains: connectivity.domains.map((d) => ({
      src: d.src,
      domain: d.domain,
      ports: portsToJson(d.ports),
      summary: formatPorts(d.ports),
    })),
  };
}

/** `/api/connections?namespace=`: the workload-level connections with an end in one namespace. */
export function connectionsOfNamespace(
  index: RefIndex,
  connectivity: Connectivity,
  namespace: string,
  limit = MAX_MODEL_CONNECTIONS,
): NamespaceConnectionsJson {
  const facts = workloadFacts(index.compiled, index);
  const allowedBy = allowedByOf(index);
  const group = namespaceGroup(namespace);
  const out: ConnectionJson[] = [];
  const l7 = l7ByPair(connectivity);
  for (const c of connectivity.connections) {
    if (groupOf(index, c.src) !== group && groupOf(index, c.dst) !== group) continue;
    if (out.length === limit) return { connections: out, truncated: true };
    out.push(connectionJson(facts, c, allowedBy, l7));
  }
  return { connections: out, truncated: false };
}
