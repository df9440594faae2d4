/**
 * `map --merge`: observed connection maps written by `map -o json` (docs/json-schema.md#map), read back and
 * combined into one, so that captures can be reduced shard by shard anywhere. Pure. The merge is
 * associative; it is commutative too except for the order of the listed inputs and problems (argument
 * order, as several `--flows` are read in order) and the example line of an unmatched endpoint (the first).
 */
import {
  emptyCluster,
  type ClusterState,
  type NodeInfo,
  type WorkloadInfo,
  type WorkloadKindOrPod,
} from '../model/cluster.ts';
import { PROTOCOLS, type Protocol } from '../model/k8s.ts';
import { connectionKey, sortConnections } from './aggregate.ts';
import {
  emptyStats,
  type FlowEnd,
  type FlowFormat,
  type FlowProblem,
  type FlowStats,
  type ObservedConnection,
  type ObservedTraffic,
  type UnmatchedEndpoint,
} from './types.ts';

/**
 * The map of one `map -o json` document, the workloads it names with their namespace, kind and name, and the
 * Nodes whose addresses its connections name (`nodes` on an `ip` end), with those addresses.
 */
export interface MapShard {
  traffic: ObservedTraffic;
  workloads: WorkloadInfo[];
  nodes: NodeInfo[];
}

const MAX_PROBLEMS = 20;
const STAT_KEYS = Object.keys(emptyStats()).filter((k) => k !== 'files') as Exclude<
  keyof FlowStats,
  'files'
>[];
const FORMATS: readonly string[] = ['hubble', 'csv', 'jsonl'];

class ShapeError extends Error {}

type Json = Record<string, unknown>;

function describe(v: unknown): string {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

function fail(path: string, expected: string, v: unknown): never {
  throw new ShapeError(`${path}: expected ${expected}, got ${describe(v)}`);
}

function object(v: unknown, path: string): Json {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(path, 'an object', v);
  return v as Json;
}

function array(v: unknown, path: string): unknown[] {
  if (!Array.isArray(v)) fail(path, 'a list', v);
  return v;
}

function string(v: unknown, path: string): string {
  if (typeof v !== 'string') fail(path, 'a string', v);
  return v;
}

function count(v: unknown, path: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) fail(path, 'a whole number ≥ 0', v);
  return v;
}

function nullableString(v: unknown, path: string): string | null {
  return v === null ? null : string(v, path);
}

function time(v: unknown, path: string): number | undefined {
  if (v === null) return undefined;
  const ms = typeof v === 'string' ? Date.parse(v) : Number.NaN;
  if (Number.isNaN(ms)) fail(path, 'an ISO 8601 time or null', v);
  return ms;
}

/** The Nodes an end names, by node: name → its addresses the ends name. */
type NodesSeen = Map<string, Set<string>>;

function end(v: unknown, path: string, nodes: NodesSeen): FlowEnd {
  const o = object(v, path);
  if (typeof o.workload === 'string') return { kind: 'workload', id: o.workload };
  if (typeof o.ip === 'string') {
    if (o.nodes !== undefined) {
      for (const [i, n] of array(o.nodes, `${path}.nodes`).entries()) {
        const name = string(n, `${path}.nodes[${i}]`);
        nodes.set(name, (nodes.get(name) ?? new Set()).add(o.ip));
      }
    }
    return { kind: 'external', ip: o.ip };
  }
  return fail(path, '{"workload": "namespace/Kind/name"} or {"ip": "..."}', v);
}

/** The Nodes seen, by name, each with the addresses seen (in the order seen). */
function nodeInfos(nodes: NodesSeen): NodeInfo[] {
  return [...nodes]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, addresses]) => ({ name, labels: {}, addresses: [...addresses] }));
}

function connection(v: unknown, path: string, nodes: NodesSeen): ObservedConnection {
  const o = object(v, path);
  const protocol = o.protocol;
  if (typeof protocol !== 'string' || !(PROTOCOLS as readonly string[]).includes(protocol)) {
    fail(`${path}.protocol`, 'TCP, UDP or SCTP', protocol);
  }
  const port = count(o.port, `${path}.port`);
  if (port < 1 || port > 65535) fail(`${path}.port`, 'a port from 1 to 65535', port);
  const c: ObservedConnection = {
    src: end(o.src, `${path}.src`, nodes),
    dst: end(o.dst, `${path}.dst`, nodes),
    protocol: protocol as Protocol,
    port,
    count: count(o.count, `${path}.count`),
    denied: count(o.denied, `${path}.denied`),
  };
  if (c.denied > c.count) fail(`${path}.denied`, `at most count (${c.count})`, c.denied);
  const first = time(o.firstSeen, `${path}.firstSeen`);
  const last = time(o.lastSeen, `${path}.lastSeen`);
  if (first !== undefined) c.firstSeen = first;
  if (last !== undefined) c.lastSeen = last;
  return c;
}

function unmatchedEndpoint(v: unknown, path: string): UnmatchedEndpoint {
  const o = object(v, path);
  const u: UnmatchedEndpoint = {
    description: string(o.description, `${path}.description`),
    namespace: string(o.namespace, `${path}.namespace`),
    records: count(o.records, `${path}.records`),
    count: count(o.count, `${path}.count`),
    example: string(o.example, `${path}.example`),
  };
  for (const key of ['pod', 'workload', 'ip'] as const) {
    if (o[key] !== undefined) u[key] = string(o[key], `${path}.${key}`);
  }
  // The aggregator writes the optional fields after the counts; keep that order for byte-identical JSON.
  const { description, namespace, records, count: n, example, ...rest } = u;
  return { description, namespace, records, count: n, example, ...rest };
}

function shape(value: unknown): MapShard {
  const doc = object(value, '(document)');
  if (!('connections' in doc) || !('inputs' in doc)) {
    throw new ShapeError('not the JSON of `netfence map -o json` (no "connections" and "inputs")');
  }
  if (doc.schemaVersion !== 1) fail('schemaVersion', '1', doc.schemaVersion);
  const stats: FlowStats = emptyStats();
  for (const [i, v] of array(doc.inputs, 'inputs').entries()) {
    const o = object(v, `inputs[${i}]`);
    const format = string(o.format, `inputs[${i}].format`);
    if (!FORMATS.includes(format)) fail(`inputs[${i}].format`, 'hubble, csv or jsonl', format);
    stats.files.push({
      name: string(o.name, `inputs[${i}].name`),
      format: format as FlowFormat,
      lines: count(o.lines, `inputs[${i}].lines`),
    });
  }
  const s = object(doc.stats, 'stats');
  for (const k of STAT_KEYS) stats[k] = count(s[k], `stats.${k}`);
  const workloads: WorkloadInfo[] = [];
  for (const [i, v] of array(doc.workloads, 'workloads').entries()) {
    const o = object(v, `workloads[${i}]`);
    const id = string(o.id, `workloads[${i}].id`);
    const namespace = nullableString(o.namespace, `workloads[${i}].namespace`);
    const kind = nullableString(o.kind, `workloads[${i}].kind`);
    const name = nullableString(o.name, `workloads[${i}].name`);
    if (namespace === null || kind === null || name === null) continue;
    workloads.push({
      id,
      namespace,
      kind: kind as WorkloadKindOrPod,
      name,
      labels: {},
      pods: [],
      replicas: undefined,
    });
  }
  const problems: FlowProblem[] = array(doc.problems, 'problems').map((v, i) => {
    const o = object(v, `problems[${i}]`);
    return {
      file: string(o.file, `problems[${i}].file`),
      line: count(o.line, `problems[${i}].line`),
      message: string(o.message, `problems[${i}].message`),
    };
  });
  const nodes: NodesSeen = new Map();
  return {
    traffic: {
      connections: array(doc.connections, 'connections').map((v, i) =>
        connection(v, `connections[${i}]`, nodes),
      ),
      unmatched: array(doc.unmatched, 'unmatched').map((v, i) => unmatchedEndpoint(v, `unmatched[${i}]`)),
      stats,
      problems,
      errors: [],
      notices: [],
    },
    workloads,
    nodes: nodeInfos(nodes),
  };
}

/** A parsed `map -o json` document as a map, or a one-line message saying what is wrong with it. */
export function readMapJson(value: unknown): { ok: true; shard: MapShard } | { ok: false; message: string } {
  try {
    return { ok: true, shard: shape(value) };
  } catch (error) {
    if (error instanceof ShapeError) return { ok: false, message: error.message };
    throw error;
  }
}

/** Adds a connection to a merged map (by its key): counts summed, first and last seen combined. */
export function mergeConnection(into: Map<string, ObservedConnection>, c: ObservedConnection): void {
  const key = connectionKey(c);
  const prev = into.get(key);
  if (prev === undefined) {
    into.set(key, { ...c });
    return;
  }
  prev.count += c.count;
  prev.denied += c.denied;
  if (c.firstSeen !== undefined && (prev.firstSeen === undefined || c.firstSeen < prev.firstSeen)) {
    prev.firstSeen = c.firstSeen;
  }
  if (c.lastSeen !== undefined && (prev.lastSeen === undefined || c.lastSeen > prev.lastSeen)) {
    prev.lastSeen = c.lastSeen;
  }
}

/**
 * One map from several: counts, denied and statistics summed, first seen the earliest and last seen the
 * latest, unmatched endpoints combined (their first example kept), inputs and the first 20 problems in
 * order. `state` holds the workloads the maps name, and the Nodes whose addresses they name, for the output's
 * names.
 */
export function mergeMaps(shards: readonly MapShard[]): { traffic: ObservedTraffic; state: ClusterState } {
  const connections = new Map<string, ObservedConnection>();
  const unmatched = new Map<string, UnmatchedEndpoint>();
  const workloads = new Map<string, WorkloadInfo>();
  const nodes: NodesSeen = new Map();
  const stats = emptyStats();
  const problems: FlowProblem[] = [];
  for (const { traffic, workloads: named, nodes: namedNodes } of shards) {
    for (const c of traffic.connections) mergeConnection(connections, c);
    for (const u of traffic.unmatched) {
      const key = [u.description, u.namespace, u.pod, u.workload, u.ip].join('\u0000');
      const prev = unmatched.get(key);
      if (prev === undefined) unmatched.set(key, { ...u });
      else {
        prev.records += u.records;
        prev.count += u.count;
      }
    }
    for (const w of named) if (!workloads.has(w.id)) workloads.set(w.id, w);
    for (const n of namedNodes) {
      const addresses = nodes.get(n.name) ?? new Set<string>();
      for (const a of n.addresses) addresses.add(a);
      nodes.set(n.name, addresses);
    }
    stats.files.push(...traffic.stats.files);
    for (const k of STAT_KEYS) stats[k] += traffic.stats[k];
    for (const p of traffic.problems) if (problems.length < MAX_PROBLEMS) problems.push(p);
  }
  const state: ClusterState = {
    ...emptyCluster(),
    workloads: [...workloads.values()],
    nodes: nodeInfos(nodes),
  };
  return {
    traffic: {
      connections: sortConnections([...connections.values()]),
      unmatched: [...unmatched.values()].sort((a, b) =>
        a.description < b.description ? -1 : a.description > b.description ? 1 : 0,
      ),
      stats,
      problems,
      errors: [],
      notices: [],
    },
    state,
  };
}
