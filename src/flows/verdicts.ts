/**
 * Hubble's policy verdicts: what Cilium decided for each observed flow, and the policies it names
 * (`egress_allowed_by`, `ingress_denied_by`, …), read from the flow JSON and tallied per observed connection,
 * so that `check-flows --verdicts` can set them beside netfence's decision. Pure.
 *
 * Which flows are policy verdicts follows Cilium's own `pkg/policy/correlation` (the code that fills the
 * `*_allowed_by` / `*_denied_by` lists): a policy-verdict event (`event_type.type` 5) that is `FORWARDED` or
 * `REDIRECTED` (allowed), `DROPPED` with drop reason `POLICY_DENIED` or `POLICY_DENY` (denied), or `AUDIT`
 * (denied, but let through in audit mode). A drop event (`event_type.type` 1) for a policy reason is a denial
 * too. Everything else (trace events, drops for other reasons, `TRACED`, `TRANSLATED`, `ERROR`) is counted
 * apart, never compared.
 */
import type { ObservedConnection } from './types.ts';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A policy as Hubble names it (`flow.Policy`) or as netfence cites it: compared by kind, namespace, name. */
export interface PolicyName {
  /** `NetworkPolicy`, `CiliumNetworkPolicy`, `CiliumClusterwideNetworkPolicy`, `ClusterNetworkPolicy`, … */
  kind: string;
  /** Empty for cluster-scoped kinds. */
  namespace: string;
  name: string;
}

export const CiliumOutcome = { allowed: 'allowed', denied: 'denied', audit: 'audit' } as const;
export type CiliumOutcome = (typeof CiliumOutcome)[keyof typeof CiliumOutcome];

/** `traffic_direction`; `unknown` when Hubble does not say (some drop events). */
export type VerdictDirection = 'egress' | 'ingress' | 'unknown';

/** One policy verdict of Cilium, as one flow records it. */
export interface PolicyVerdict {
  outcome: CiliumOutcome;
  direction: VerdictDirection;
  /** `FORWARDED`, `REDIRECTED`, `DROPPED`, `AUDIT`. */
  verdict: string;
  /** Hubble's `drop_reason_desc` of a denial: `POLICY_DENIED` (no rule allows) or `POLICY_DENY` (a deny rule). */
  dropReason: string | undefined;
  /** The policies the flow names for its direction and outcome (empty when Hubble names none), sorted. */
  policies: PolicyName[];
}

export type VerdictReading =
  | { kind: 'policy'; verdict: PolicyVerdict }
  /** Dropped for a reason other than policy (`CT_MAP_INSERTION_FAILED`, `STALE_OR_UNROUTABLE_IP`, …). */
  | { kind: 'other-drop'; reason: string }
  /** A verdict that is no policy decision: a trace point's `FORWARDED`, `TRACED`, `TRANSLATED`, `ERROR`. */
  | { kind: 'non-policy'; verdict: string }
  /** No verdict at all. */
  | { kind: 'none' };

/** `monitorAPI.MessageTypeDrop`, `MessageTypeTrace`, `MessageTypePolicyVerdict` (pkg/monitor/api/types.go). */
const EVENT_DROP = 1;
const EVENT_TRACE = 4;
const EVENT_POLICY_VERDICT = 5;

/** The drop reasons of policy: `DropReason` 133 and 181 in flow.proto. */
const POLICY_DROP_REASONS: Readonly<Record<string, string>> = {
  POLICY_DENIED: 'POLICY_DENIED',
  POLICY_DENY: 'POLICY_DENY',
  '133': 'POLICY_DENIED',
  '181': 'POLICY_DENY',
};

/** The numeric `Verdict` values, for JSON written with enums as numbers. */
const VERDICT_NAMES = [
  'VERDICT_UNKNOWN',
  'FORWARDED',
  'DROPPED',
  'ERROR',
  'AUDIT',
  'REDIRECTED',
  'TRACED',
  'TRANSLATED',
];

function enumName(v: unknown, names: readonly string[]): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return names[v] ?? String(v);
  return undefined;
}

function direction(flow: Json): VerdictDirection {
  const d = enumName(flow.traffic_direction, ['TRAFFIC_DIRECTION_UNKNOWN', 'INGRESS', 'EGRESS']);
  return d === 'EGRESS' ? 'egress' : d === 'INGRESS' ? 'ingress' : 'unknown';
}

function dropReason(flow: Json): string | undefined {
  const desc = flow.drop_reason_desc;
  if (typeof desc === 'string' && desc !== '' && desc !== 'DROP_REASON_UNKNOWN') return desc;
  if (typeof desc === 'number' && desc !== 0) return POLICY_DROP_REASONS[String(desc)] ?? String(desc);
  const legacy = flow.drop_reason;
  if (typeof legacy === 'number' && legacy !== 0)
    return POLICY_DROP_REASONS[String(legacy)] ?? String(legacy);
  return undefined;
}

export function policyKey(p: PolicyName): string {
  return `${p.kind}/${p.namespace}/${p.name}`;
}

function comparePolicies(a: PolicyName, b: PolicyName): number {
  const ka = policyKey(a);
  const kb = policyKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** Distinct, sorted. */
export function policySet(list: Iterable<PolicyName>): PolicyName[] {
  const byKey = new Map<string, PolicyName>();
  for (const p of list) byKey.set(policyKey(p), p);
  return [...byKey.values()].sort(comparePolicies);
}

/** `flow.Policy` objects → names; entries without a name are left out. */
function policiesOf(v: unknown): PolicyName[] {
  if (!Array.isArray(v)) return [];
  const out: PolicyName[] = [];
  for (const p of v) {
    if (!isObject(p) || typeof p.name !== 'string' || p.name === '') continue;
    out.push({
      kind: typeof p.kind === 'string' && p.kind !== '' ? p.kind : 'CiliumNetworkPolicy',
      namespace: typeof p.namespace === 'string' ? p.namespace : '',
      name: p.name,
    });
  }
  return out;
}

/** Whether a flow without `event_type` carries policy-verdict fields. */
function hasPolicyFields(flow: Json): boolean {
  return (
    flow.policy_match_type !== undefined ||
    ['egress_allowed_by', 'ingress_allowed_by', 'egress_denied_by', 'ingress_denied_by'].some(
      (k) => Array.isArray(flow[k]) && (flow[k] as unknown[]).length > 0,
    )
  );
}

/** Cilium's verdict of one Hubble flow (the inner `Flow` object), classified as docs/flows.md says. */
export function readHubbleVerdict(flow: Json): VerdictReading {
  const verdict = enumName(flow.verdict, VERDICT_NAMES);
  if (verdict === undefined || verdict === 'VERDICT_UNKNOWN') return { kind: 'none' };
  const eventType = isObject(flow.event_type) ? flow.event_type.type : undefined;
  const reason = verdict === 'DROPPED' ? dropReason(flow) : undefined;
  const policyReason =
    reason === undefined || !Object.hasOwn(POLICY_DROP_REASONS, reason)
      ? undefined
      : POLICY_DROP_REASONS[reason];
  if (verdict === 'DROPPED' && policyReason === undefined) {
    return { kind: 'other-drop', reason: reason ?? 'DROP_REASON_UNKNOWN' };
  }
  const isVerdictEvent =
    eventType === EVENT_POLICY_VERDICT ||
    (verdict === 'DROPPED' && (eventType === EVENT_DROP || eventType === undefined)) ||
    (eventType === undefined && hasPolicyFields(flow));
  let outcome: CiliumOutcome | undefined;
  if (isVerdictEvent) {
    if (verdict === 'FORWARDED' || verdict === 'REDIRECTED') outcome = CiliumOutcome.allowed;
    else if (verdict === 'DROPPED') outcome = CiliumOutcome.denied;
    else if (verdict === 'AUDIT') outcome = CiliumOutcome.audit;
  }
  if (outcome === undefined) {
    const at = eventType === EVENT_TRACE ? ' (trace)' : '';
    return { kind: 'non-policy', verdict: `${verdict}${at}` };
  }
  const dir = direction(flow);
  const field = `${dir === 'ingress' ? 'ingress' : 'egress'}_${outcome === CiliumOutcome.allowed ? 'allowed' : 'denied'}_by`;
  // Without a direction, take whichever list the flow carries for its outcome.
  const other = `${dir === 'ingress' ? 'egress' : 'ingress'}_${outcome === CiliumOutcome.allowed ? 'allowed' : 'denied'}_by`;
  const named = policiesOf(flow[field]);
  const policies = dir === 'unknown' ? [...named, ...policiesOf(flow[other])] : named;
  return {
    kind: 'policy',
    verdict: { outcome, direction: dir, verdict, dropReason: policyReason, policies: policySet(policies) },
  };
}

/**
 * Cilium's policy verdicts of one connection in one direction with one outcome (allowed, or denied with
 * audit), over the capture: what was recorded, the policies named, and on how many attempts.
 */
export interface VerdictObservation {
  direction: VerdictDirection;
  /** Denied and audited together read as denied; audit alone stays audit. */
  outcome: CiliumOutcome;
  /** As recorded, in first-seen order: `FORWARDED`, `REDIRECTED`, `DROPPED`, `AUDIT`. */
  verdicts: string[];
  /** `POLICY_DENIED`, `POLICY_DENY`. */
  dropReasons: string[];
  /** Every policy named, sorted. */
  policies: PolicyName[];
  /** Connection attempts (docs/flows.md) with such a verdict, however many events reported it. */
  attempts: number;
}

/** What `--verdicts` reading found, beside the connection map. */
export interface VerdictStats {
  /** Flows carrying a policy verdict (each observation point, each event). */
  policy: number;
  /** Flows dropped for other reasons, by `drop_reason_desc`. */
  otherDrops: Record<string, number>;
  /** Flows with a verdict that is no policy decision, by verdict (`FORWARDED (trace)`, `TRACED`, …). */
  nonPolicy: Record<string, number>;
  /** Flows without a verdict. */
  none: number;
}

export interface VerdictCapture {
  /** Per observed connection of the map: its verdicts by direction (egress, ingress, unknown), allowed first. */
  byConnection: Map<ObservedConnection, VerdictObservation[]>;
  stats: VerdictStats;
}

const DIRECTION_ORDER: Record<VerdictDirection, number> = { egress: 0, ingress: 1, unknown: 2 };

/** The group of a verdict: direction, then allowed before denied. */
function groupKey(v: PolicyVerdict): string {
  return `${DIRECTION_ORDER[v.direction]}${v.outcome === CiliumOutcome.allowed ? 0 : 1}`;
}

/** Tallies verdicts as the aggregator hands them over. */
export class VerdictTally {
  readonly stats: VerdictStats = { policy: 0, otherDrops: {}, nonPolicy: {}, none: 0 };
  private readonly byConnection = new Map<ObservedConnection, Map<string, VerdictObservation>>();
  private readonly ids = new Map<ObservedConnection, number>();

  /** Counts a flow's reading (every flow, repeats of an attempt included). */
  read(reading: VerdictReading): void {
    switch (reading.kind) {
      case 'policy':
        this.stats.policy++;
        return;
      case 'other-drop':
        this.stats.otherDrops[reading.reason] = (this.stats.otherDrops[reading.reason] ?? 0) + 1;
        return;
      case 'non-policy':
        this.stats.nonPolicy[reading.verdict] = (this.stats.nonPolicy[reading.verdict] ?? 0) + 1;
        return;
      case 'none':
        this.stats.none++;
        return;
    }
  }

  /**
   * Adds a policy verdict to a connection; `seen` holds what the attempt reported so far, so that an attempt
   * counts once per distinct verdict however many events (observation points, retransmissions) report it.
   */
  add(conn: ObservedConnection, verdict: PolicyVerdict, seen: Set<string>): void {
    let list = this.byConnection.get(conn);
    if (list === undefined) {
      list = new Map();
      this.byConnection.set(conn, list);
      this.ids.set(conn, this.ids.size);
    }
    const key = groupKey(verdict);
    let o = list.get(key);
    if (o === undefined) {
      o = {
        direction: verdict.direction,
        outcome: verdict.outcome,
        verdicts: [],
        dropReasons: [],
        policies: [],
        attempts: 0,
      };
      list.set(key, o);
    }
    if (o.outcome !== verdict.outcome) o.outcome = CiliumOutcome.denied;
    if (!o.verdicts.includes(verdict.verdict)) o.verdicts.push(verdict.verdict);
    if (verdict.dropReason !== undefined && !o.dropReasons.includes(verdict.dropReason)) {
      o.dropReasons.push(verdict.dropReason);
    }
    if (verdict.policies.length > 0) o.policies = policySet([...o.policies, ...verdict.policies]);
    // One record can stand for several connections (a Service's workloads): the attempt is per connection.
    const seenKey = `${this.ids.get(conn)!}|${key}`;
    if (seen.has(seenKey)) return;
    seen.add(seenKey);
    o.attempts++;
  }

  result(): VerdictCapture {
    const sorted = (m: Map<string, VerdictObservation>): VerdictObservation[] =>
      [...m.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([, o]) => o);
    return {
      byConnection: new Map([...this.byConnection].map(([c, m]) => [c, sorted(m)])),
      stats: this.stats,
    };
  }
}
