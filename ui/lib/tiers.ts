/**
 * Cluster policy tiers in words, for edges and the inspector: which layer (Admin tier, NetworkPolicy,
 * Baseline tier, default) allowed a connection, per direction. Pure.
 */
import type { AllowedByJson, ConnectionJson } from '../../src/contract/api.ts';
import type { DecidedByJson } from '../../src/contract/explain.ts';

const LAYER_NAMES: Record<DecidedByJson, string> = {
  admin: 'Admin',
  'network-policy': 'NetworkPolicy',
  baseline: 'Baseline',
  default: 'default (no policy)',
};

/** `Admin: ClusterNetworkPolicy/x rule 1 (Accept)` (only allow rules allow), `NetworkPolicy`, `default (no policy)`. */
export function layerText(a: AllowedByJson): string {
  if (a.policy === null) return LAYER_NAMES[a.layer];
  return `${LAYER_NAMES[a.layer]}: ${a.policy}${a.rule === null ? '' : ` rule ${a.rule}`} (Accept)`;
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
