/**
 * Objects read from a cluster → the `ClusterState`, through the parse layer's pure `buildClusterState`, so
 * that a cluster, a snapshot of it and the same objects in files give the same state.
 */
import type { ClusterState } from '../model/cluster.ts';
import type { Problem } from '../model/problem.ts';
import { buildClusterState } from '../parse/index.ts';
import type { ParsedObject } from '../parse/index.ts';
import type { KubeObject } from './types.ts';

/** Kinds without a namespace. */
const CLUSTER_SCOPED: ReadonlySet<string> = new Set([
  'Namespace',
  'Node',
  'ClusterNetworkPolicy',
  'AdminNetworkPolicy',
  'BaselineAdminNetworkPolicy',
  'CiliumClusterwideNetworkPolicy',
]);

/** `shop/Deployment/web`, `Namespace/shop`, `Node/n1`: how problems and notices name a cluster object. */
export function objectId(o: KubeObject): string {
  const name = o.metadata.name ?? '(unnamed)';
  return CLUSTER_SCOPED.has(o.kind) ? `${o.kind}/${name}` : `${o.metadata.namespace ?? ''}/${o.kind}/${name}`;
}

/** A parsed object without positions: the cluster has no file and no lines. */
function parsedFromObject(o: KubeObject, index: number, source: string): ParsedObject {
  return {
    object: o as unknown as Readonly<Record<string, unknown>>,
    apiVersion: o.apiVersion,
    kind: o.kind,
    file: `${source}:${objectId(o)}`,
    line: 1,
    column: 1,
    locate: () => undefined,
    nodeAt: () => undefined,
    sourceText: () => undefined,
    document: undefined,
    node: undefined,
    documentIndex: index,
    documentPath: [],
  };
}

export interface ClusterStateResult {
  state: ClusterState;
  /**
   * Warnings of the parse layer (terminated pods left out, ...), without line numbers; each names its object
   * (`object`: `shop/Pod/web-1`) when it is about one.
   */
  warnings: Problem[];
  /**
   * The warnings that bear on answers: a field netfence reads but does not evaluate, a nodes peer without the
   * nodes, ... Every answer leaves that part out. Not the terminated pods, left out because they have no
   * network presence, which changes no answer.
   */
  partial: Problem[];
  /**
   * Objects the API server accepted but netfence cannot analyze, left out. Rare: the validation is the API
   * server's own, so this is a disagreement worth reporting.
   */
  skipped: LeftOutObject[];
}

/** An object of the cluster netfence cannot analyze: its id (`shop/NetworkPolicy/web`) and why. */
export interface LeftOutObject {
  id: string;
  why: string;
}

/** `id: why`, as warnings name a left-out object. */
export function leftOutText(o: LeftOutObject): string {
  return `${o.id}: ${o.why}`;
}

/** The warning without line numbers (the cluster has none), naming its object by id when it is about one. */
function clusterWarning(p: Problem, idOfFile: ReadonlyMap<string, string>): Problem {
  const out: Problem = { ...p };
  delete out.line;
  delete out.column;
  const id = p.file === undefined ? undefined : idOfFile.get(p.file);
  if (out.object === undefined && id !== undefined) out.object = id;
  return out;
}

/** Warnings whose cause has no network presence, so that leaving it out changes no answer. */
const NO_BEARING_ON_ANSWERS: ReadonlySet<string> = new Set(['terminated-pods']);

function withoutOrigin<T extends { origin?: unknown }>(item: T): T {
  const out = { ...item };
  delete out.origin;
  return out;
}

/**
 * Builds the state of objects read from a cluster. Invalid objects are left out and listed (the cluster
 * cannot be "fixed" like a file); nothing points at lines, and the state's objects carry no origin.
 *
 * @param source names the objects in problems: `cluster` gives `cluster:shop/Pod/web-1`.
 */
export function stateFromObjects(objects: readonly KubeObject[], source = 'cluster'): ClusterStateResult {
  const parsed = objects.map((o, i) => parsedFromObject(o, i, source));
  const idOfFile = new Map(objects.map((o, i) => [parsed[i]?.file ?? '', objectId(o)]));
  const built = buildClusterState(parsed, { defaultNamespace: 'default', skipInvalid: true });
  const state: ClusterState = {
    namespaces: built.state.namespaces.map(withoutOrigin),
    workloads: built.state.workloads.map(withoutOrigin),
    pods: built.state.pods.map(withoutOrigin),
    policies: built.state.policies.map(withoutOrigin),
    services: built.state.services.map(withoutOrigin),
    clusterPolicies: built.state.clusterPolicies.map(withoutOrigin),
    nodes: built.state.nodes.map(withoutOrigin),
    ciliumPolicies: built.state.ciliumPolicies.map(withoutOrigin),
  };
  if (built.state.serviceEndpoints !== undefined)
    state.serviceEndpoints = built.state.serviceEndpoints.map(withoutOrigin);
  const warnings = built.warnings.map((w) => clusterWarning(w, idOfFile));
  return {
    state,
    warnings,
    partial: warnings.filter((w) => !NO_BEARING_ON_ANSWERS.has(w.code)),
    skipped: built.skipped.map((s) => ({ id: s.object, why: s.reason })),
  };
}
