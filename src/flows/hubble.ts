/**
 * Hubble / Cilium flows: one JSON object, as `hubble observe -o json` (the bare `Flow`) or `-o jsonpb` and
 * Cilium's flow export (`{"flow": {...}, "node_name": ..., "time": ...}`) print it, into a `FlowRecord`.
 * Pure. Field names are the protobuf names Hubble's JSON uses (`pod_name`, `is_reply`, `destination_port`).
 */
import type { Protocol } from '../model/k8s.ts';
import type { FlowRecord, RawEnd } from './types.ts';
import { readHubbleVerdict } from './verdicts.ts';

export type HubbleResult =
  | { kind: 'flow'; record: FlowRecord }
  | { kind: 'skip'; reason: 'reply' | 'other-event' | 'other-protocol' | 'node-local' }
  | { kind: 'invalid'; message: string };

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Keys of a `GetFlowsResponse` that carry something other than a flow. */
const OTHER_EVENTS = ['lost_events', 'debug_event', 'agent_event', 'node_status'];

/** Event type of Cilium's L7 records (`event_type.type`). */
const MESSAGE_TYPE_L7 = 129;

/** Whether a parsed JSON object is Hubble output (a flow, a wrapped flow, or another Hubble event). */
export function isHubbleObject(o: unknown): boolean {
  if (!isObject(o)) return false;
  if (isObject(o.flow)) return true;
  if (OTHER_EVENTS.some((k) => k in o)) return true;
  return isObject(o.IP) || isObject(o.l4) || typeof o.Type === 'string' || typeof o.verdict === 'string';
}

function endpoint(e: unknown, ip: unknown): { end: RawEnd; host: boolean } {
  const end: RawEnd = {};
  if (typeof ip === 'string' && ip !== '') end.ip = ip;
  if (!isObject(e)) return { end, host: false };
  if (typeof e.namespace === 'string' && e.namespace !== '') end.namespace = e.namespace;
  if (typeof e.pod_name === 'string' && e.pod_name !== '') end.pod = e.pod_name;
  const workloads = e.workloads;
  if (Array.isArray(workloads) && isObject(workloads[0])) {
    const w = workloads[0];
    if (typeof w.name === 'string' && w.name !== '') end.workload = w.name;
    if (typeof w.kind === 'string' && w.kind !== '') end.workloadKind = w.kind;
  }
  const labels = e.labels;
  const host = end.pod === undefined && Array.isArray(labels) && labels.includes('reserved:host');
  return { end, host };
}

const L4_PROTOCOLS: readonly [string, Protocol][] = [
  ['TCP', 'TCP'],
  ['UDP', 'UDP'],
  ['SCTP', 'SCTP'],
];

/** Reads one Hubble JSON object; with `verdicts`, the record carries Cilium's verdict of the flow. */
export function parseHubbleObject(o: unknown, verdicts = false): HubbleResult {
  if (!isObject(o)) return { kind: 'invalid', message: 'not a JSON object' };
  let flow: Json;
  if (isObject(o.flow)) flow = o.flow;
  else if (OTHER_EVENTS.some((k) => k in o)) return { kind: 'skip', reason: 'other-event' };
  else flow = o;

  const type = flow.Type;
  if (type !== undefined && type !== 'L3_L4') return { kind: 'skip', reason: 'other-event' };
  const eventType = flow.event_type;
  if (flow.l7 !== undefined || (isObject(eventType) && eventType.type === MESSAGE_TYPE_L7)) {
    return { kind: 'skip', reason: 'other-event' };
  }

  const l4 = flow.l4;
  if (!isObject(l4)) {
    return type === 'L3_L4' || isObject(flow.IP)
      ? { kind: 'skip', reason: 'other-protocol' }
      : {
          kind: 'invalid',
          message: 'neither a Hubble flow (no "l4", "IP" or "Type") nor another Hubble event',
        };
  }
  let protocol: Protocol | undefined;
  let layer: Json | undefined;
  for (const [key, p] of L4_PROTOCOLS) {
    const v = l4[key];
    if (isObject(v)) {
      protocol = p;
      layer = v;
      break;
    }
  }
  if (protocol === undefined || layer === undefined) return { kind: 'skip', reason: 'other-protocol' };

  // Direction: `is_reply` (a BoolValue, absent when Cilium could not tell). Without it, a TCP SYN-ACK is
  // still recognizably a reply; anything else is taken as a request.
  const flags = isObject(layer.flags) ? layer.flags : undefined;
  const isReply = flow.is_reply;
  if (isReply === true || (isReply === undefined && flow.reply === true))
    return { kind: 'skip', reason: 'reply' };
  if (isReply === undefined && flags !== undefined && flags.SYN === true && flags.ACK === true) {
    return { kind: 'skip', reason: 'reply' };
  }

  const port = layer.destination_port;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
    return {
      kind: 'invalid',
      message: `l4.${protocol}.destination_port is ${JSON.stringify(port)}, not a port 1-65535`,
    };
  }
  const ip = isObject(flow.IP) ? flow.IP : {};
  const src = endpoint(flow.source, ip.source);
  const dst = endpoint(flow.destination, ip.destination);
  if (src.host || dst.host) return { kind: 'skip', reason: 'node-local' };

  const verdict = flow.verdict;
  const denied = verdict === 'DROPPED' || verdict === 'ERROR' ? 1 : 0;
  const timeText =
    typeof flow.time === 'string' ? flow.time : typeof o.time === 'string' ? o.time : undefined;
  const time = timeText === undefined ? Number.NaN : Date.parse(timeText);
  const sourcePort = typeof layer.source_port === 'number' ? layer.source_port : 0;
  const record: FlowRecord = {
    src: src.end,
    dst: dst.end,
    protocol,
    port,
    count: 1,
    denied,
    tuple: `${protocol} ${src.end.ip ?? src.end.pod ?? ''} ${sourcePort} ${dst.end.ip ?? dst.end.pod ?? ''} ${port}`,
  };
  if (!Number.isNaN(time)) {
    record.firstSeen = time;
    record.lastSeen = time;
  }
  if (verdicts) record.verdict = readHubbleVerdict(flow);
  return { kind: 'flow', record };
}
