/** Why a selector matches nothing, and what it most likely meant. */
import { compileSelector, requirementMatches } from '../../engine/selectors.ts';
import type { LabelSelector } from '../../model/k8s.ts';
import { suggestName } from '../text.ts';

/** `{}`: whether a selector selects everything, as `compileSelector(…).matchesAll` says, without compiling it. */
export function selectsEverything(selector: LabelSelector): boolean {
  return (
    Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0
  );
}

/**
 * For a selector that matches none of `labelSets`: a corrected `key=value` for the first `matchLabels`-style
 * requirement that no label set satisfies, when a close value exists (`app=grafna` → `app=grafana`).
 */
export function suggestLabel(
  selector: LabelSelector,
  labelSets: readonly Readonly<Record<string, string>>[],
): string | undefined {
  for (const r of compileSelector(selector).requirements) {
    if (r.operator !== 'In' || r.values.length !== 1) continue;
    if (labelSets.some((labels) => requirementMatches(r, labels))) continue;
    const values = labelSets.flatMap((labels) => (labels[r.key] === undefined ? [] : [labels[r.key]!]));
    const value = suggestName(r.values[0]!, values);
    if (value !== undefined) return `${r.key}=${value}`;
    const keys = labelSets.flatMap((labels) => (labels[r.key] === undefined ? Object.keys(labels) : []));
    const key = suggestName(r.key, keys);
    if (key !== undefined) return `${key}=${r.values[0]!}`;
  }
  return undefined;
}
