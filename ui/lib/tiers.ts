/**
 * Cluster policy tiers in words, for edges and the inspector: which layer (Admin tier, NetworkPolicy,
 * Baseline tier, default) allowed or denied a connection, per direction. Pure.
 */
import type { AllowedByJson, ConnectionJson, LayerJson, LayerStepJson } from '../../src/contract/api.ts';

const LAYER_NAMES: Record<LayerJson, string> = {
  admin: 'Admin',
  networkpolicy: 'NetworkPolicy',
  baseline: 'Baseline',
  default: 'default (no policy)',
};

const ACTION_NAMES: Record<LayerStepJson['action'], string> = { allow: 'Accept', deny: 'Deny', pass: 'Pass' };

/** `Admin: ClusterNetworkPolicy/x rule 1 (Accept)`, `NetworkPolicy`, `default (no policy)`. */
export function layerText(
  a: AllowedByJson,
  action: LayerStepJson['action'] = 'allow',
  ruleName?: string | null,
): string {
  if (a.policy === null) return LAYER_NAMES[a.layer];
  const rule =
    a.rule === null
      ? ''
      : ` rule ${a.rule}${ruleName === undefined || ruleName === null ? '' : ` "${ruleName}"`}`;
  return `${LAYER_NAMES[a.layer]}: ${a.policy}${rule} (${ACTION_NAMES[action]})`;
}

/** `egress allowed by default (no policy); ingress allowed by Admin: ClusterNetworkPolicy/x rule 1 (Accept)`. */
export function allowedByText(by: NonNullable<ConnectionJson['allowedBy']>): string {
  const side = (dir: string, list: readonly AllowedByJson[]): string | null =>
    list.length === 0 ? null : `${dir} allowed by ${list.map((a) => layerText(a)).join(' and ')}`;
  return [side('egress', by.egress), side('ingress', by.ingress)].filter((s) => s !== null).join('; ');
}

/** Whether an Admin tier Accept allowed the connection (on some port, in some direction). */
export function allowedByAdmin(by: ConnectionJson['allowedBy']): boolean {
  return by !== undefined && [...by.egress, ...by.ingress].some((a) => a.layer === 'admin');
}

/** One step of a direction's walk: `Admin: ClusterNetworkPolicy/x rule 0 "no-sandbox" (Deny): all ports`. */
export function stepText(s: LayerStepJson): string {
  return `${layerText(s, s.action, s.ruleName)}${s.policy === null && s.layer === 'networkpolicy' ? (s.action === 'allow' ? ' allows' : ' isolates and denies') : ''}: ${s.ports}`;
}
