/** Label selectors in kubectl's `-l` syntax: `app=web, tier in (a, b), !canary`; `{}` selects everything. */
import { Operator, type CompiledSelector, type Requirement } from '../engine/selectors.ts';

export function describeRequirement(r: Requirement): string {
  switch (r.operator) {
    case Operator.In:
      return r.values.length === 1 ? `${r.key}=${r.values[0]!}` : `${r.key} in (${r.values.join(', ')})`;
    case Operator.NotIn:
      return `${r.key} notin (${r.values.join(', ')})`;
    case Operator.Exists:
      return r.key;
    case Operator.DoesNotExist:
      return `!${r.key}`;
  }
}

/** `app=web, tier in (a, b)`; `{}` selects everything. */
export function describeSelector(s: CompiledSelector): string {
  return s.matchesAll ? '{}' : s.requirements.map(describeRequirement).join(', ');
}

/** `matchLabels` as `k8s-app=kube-dns,tier=dns` (no spaces, as `--dns-selector` takes them). */
export function describeLabels(labels: Readonly<Record<string, string>>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}
