/**
 * netfence's decision for each observed connection beside the policy verdicts Cilium recorded for it
 * (`check-flows --verdicts`): where they disagree, which tool said what and the policies each names. Pure.
 *
 * Cilium's verdicts of a connection, grouped by direction and outcome, are each set beside netfence's
 * decision for the same direction: the source's egress, the destination's ingress, or, when Hubble gives no
 * direction, the connection as a whole. Whether netfence allows comes from the check (every layer the engine
 * evaluates); the explanation attributes it. Policies are compared by kind, namespace and name, whatever
 * layer cites them (NetworkPolicy rules `namespace/name`, cluster policy rules `Kind/name`, Cilium rules
 * `Kind/namespace/name` or `Kind/name`).
 */
import type { FlowCheck, Side } from './check.ts';
import type { FlowDecision, SideDecision } from './decide.ts';
import type { ObservedConnection } from './types.ts';
import {
  CiliumOutcome,
  policyKey,
  policySet,
  type PolicyName,
  type VerdictCapture,
  type VerdictDirection,
  type VerdictObservation,
  type VerdictStats,
} from './verdicts.ts';

export const VerdictAgreement = {
  /** Both allow, or both deny, naming the same policies (or one side names none). */
  agree: 'agree',
  /** netfence allows, Cilium dropped (or would have, in audit mode). */
  netfenceAllows: 'netfence-allows',
  /** netfence denies, Cilium forwarded. */
  netfenceDenies: 'netfence-denies',
  /** The same verdict, but the two name different policies. */
  otherPolicies: 'other-policies',
} as const;
export type VerdictAgreement = (typeof VerdictAgreement)[keyof typeof VerdictAgreement];

/** netfence's side of one comparison. */
export interface NetfenceVerdict {
  allowed: boolean;
  /** The decisions of the direction compared (both directions' when Hubble gave none), agreeing with `allowed`. */
  decisions: SideDecision[];
  /** A pod's traffic to itself: no policy applies. */
  unpoliced: boolean;
  /** The policies whose rules decided, as compared with Cilium's (isolation without a rule names none). */
  policies: PolicyName[];
}

/** Cilium's side of one comparison: its verdicts of one outcome in one direction. */
export type CiliumVerdict = VerdictObservation;

export interface VerdictRow {
  connection: ObservedConnection;
  direction: VerdictDirection;
  agreement: VerdictAgreement;
  netfence: NetfenceVerdict;
  cilium: CiliumVerdict;
}

export interface VerdictComparison {
  /** Every comparison, in connection order then egress, ingress, unknown; allowed before denied. */
  rows: VerdictRow[];
  connections: {
    /** Observed connections in the map. */
    observed: number;
    /** With at least one Cilium policy verdict. */
    compared: number;
    agree: number;
    /** With at least one verdict disagreement. */
    disagree: number;
    /** Same verdicts, but other policies named (and no disagreement). */
    otherPolicies: number;
    /** Without any policy verdict (only trace events, non-policy drops...): not compared. */
    withoutVerdict: number;
  };
  /**
   * Of those without a policy verdict: connections netfence denies that got through during the capture (some
   * attempt was not dropped). Not a disagreement (no verdict to compare), but a sign that Cilium enforced no
   * policy where netfence expects one (a policy missing from the cluster, an endpoint not under policy).
   */
  deliveredWithoutVerdict: ObservedConnection[];
  stats: VerdictStats;
}

/** A policy id the engine cites → its kind, namespace and name. */
export function policyNameOf(id: string): PolicyName {
  const parts = id.split('/');
  if (parts.length >= 3) return { kind: parts[0]!, namespace: parts[1]!, name: parts.slice(2).join('/') };
  if (parts.length === 2) {
    // `ClusterNetworkPolicy/name` (a kind is capitalized) or a NetworkPolicy's `namespace/name`.
    return /^[A-Z]/.test(parts[0]!)
      ? { kind: parts[0]!, namespace: '', name: parts[1]! }
      : { kind: 'NetworkPolicy', namespace: parts[0]!, name: parts[1]! };
  }
  return { kind: 'NetworkPolicy', namespace: '', name: id };
}

/**
 * The policies whose rules made a decision: a cluster policy rule; allowed, the NetworkPolicy and Cilium allow
 * rules; denied, the Cilium deny rules (isolation without a matching rule names none).
 */
export function decidingPolicies(d: SideDecision): PolicyName[] {
  const ids: string[] = [];
  if (d.tierRule !== undefined && (d.decidedBy === 'admin' || d.decidedBy === 'baseline')) {
    ids.push(d.tierRule.policy);
  }
  if (d.allowed) for (const r of d.rules) ids.push(r.policy);
  for (const r of d.cilium) ids.push(r.policy);
  return policySet(ids.map(policyNameOf));
}

function samePolicies(a: readonly PolicyName[], b: readonly PolicyName[]): boolean {
  return a.length === b.length && a.every((p, i) => policyKey(p) === policyKey(b[i]!));
}

/**
 * netfence's verdict for one direction. Whether it allows comes from the check (the compiled policies, every
 * layer the engine evaluates: `blockedAt` says which side stops a denied connection); the attribution from the
 * explanation of that side, keeping the decisions that agree with the verdict.
 */
function netfenceFor(
  direction: VerdictDirection,
  status: { unpoliced: true } | { unpoliced: false; blockedAt: readonly Side[] | undefined },
  decision: FlowDecision | undefined,
): NetfenceVerdict {
  if (status.unpoliced) return { allowed: true, decisions: [], unpoliced: true, policies: [] };
  const { blockedAt } = status;
  const allowed = blockedAt === undefined || (direction !== 'unknown' && !blockedAt.includes(direction));
  // The connection as a whole (no direction from Hubble): denied by the blocking side(s), allowed by both.
  const sides =
    direction !== 'unknown'
      ? (decision?.[direction] ?? [])
      : [
          ...(allowed || blockedAt.includes('egress') ? (decision?.egress ?? []) : []),
          ...(allowed || blockedAt.includes('ingress') ? (decision?.ingress ?? []) : []),
        ];
  const decisions = sides.filter((d) => d.allowed === allowed);
  return {
    allowed,
    decisions,
    unpoliced: false,
    policies: policySet(decisions.flatMap(decidingPolicies)),
  };
}

function agreementOf(n: NetfenceVerdict, c: CiliumVerdict): VerdictAgreement {
  const ciliumAllowed = c.outcome === CiliumOutcome.allowed;
  if (n.allowed && !ciliumAllowed) return VerdictAgreement.netfenceAllows;
  if (!n.allowed && ciliumAllowed) return VerdictAgreement.netfenceDenies;
  return n.policies.length > 0 && c.policies.length > 0 && !samePolicies(n.policies, c.policies)
    ? VerdictAgreement.otherPolicies
    : VerdictAgreement.agree;
}

/**
 * Sets Cilium's verdicts beside netfence's decisions. `connections` in map order; `decisions` for the
 * allowed and denied connections of `check` (as `decideObserved` gives them).
 */
export function compareVerdicts(
  connections: readonly ObservedConnection[],
  check: Pick<FlowCheck, 'allowed' | 'denied' | 'unpoliced'>,
  decisions: ReadonlyMap<ObservedConnection, FlowDecision>,
  capture: VerdictCapture,
): VerdictComparison {
  const allowed = new Set(check.allowed);
  const unpoliced = new Set(check.unpoliced);
  const blockedAt = new Map(check.denied.map((d) => [d.connection, d.blockedAt]));
  const out: VerdictComparison = {
    rows: [],
    connections: {
      observed: connections.length,
      compared: 0,
      agree: 0,
      disagree: 0,
      otherPolicies: 0,
      withoutVerdict: 0,
    },
    deliveredWithoutVerdict: [],
    stats: capture.stats,
  };
  for (const conn of connections) {
    const observations = capture.byConnection.get(conn);
    // A connection the check could not place (an address of no class) has no decision to compare.
    const decided = allowed.has(conn) || unpoliced.has(conn) || blockedAt.has(conn);
    if (observations === undefined || observations.length === 0 || !decided) {
      out.connections.withoutVerdict++;
      if (blockedAt.has(conn) && conn.count > conn.denied) out.deliveredWithoutVerdict.push(conn);
      continue;
    }
    out.connections.compared++;
    const self = unpoliced.has(conn);
    const status = self
      ? ({ unpoliced: true } as const)
      : ({ unpoliced: false, blockedAt: blockedAt.get(conn) } as const);
    let worst: VerdictAgreement = VerdictAgreement.agree;
    for (const cilium of observations) {
      const { direction } = cilium;
      const netfence = netfenceFor(direction, status, decisions.get(conn));
      const agreement = agreementOf(netfence, cilium);
      out.rows.push({ connection: conn, direction, agreement, netfence, cilium });
      if (agreement === VerdictAgreement.netfenceAllows || agreement === VerdictAgreement.netfenceDenies) {
        worst = agreement;
      } else if (agreement === VerdictAgreement.otherPolicies && worst === VerdictAgreement.agree) {
        worst = agreement;
      }
    }
    if (worst === VerdictAgreement.agree) out.connections.agree++;
    else if (worst === VerdictAgreement.otherPolicies) out.connections.otherPolicies++;
    else out.connections.disagree++;
  }
  return out;
}

/** Whether a row is a verdict disagreement (what fails the gate). */
export function isDisagreement(row: VerdictRow): boolean {
  return (
    row.agreement === VerdictAgreement.netfenceAllows || row.agreement === VerdictAgreement.netfenceDenies
  );
}
