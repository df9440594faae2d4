/**
 * Label selectors, compiled once: matching, a canonical key (equal selectors share their results), and a
 * readable description.
 */
import type { LabelSelector } from '../model/k8s.ts';

export const Operator = { In: 'In', NotIn: 'NotIn', Exists: 'Exists', DoesNotExist: 'DoesNotExist' } as const;
export type Operator = (typeof Operator)[keyof typeof Operator];

export interface Requirement {
  key: string;
  operator: Operator;
  values: readonly string[];
}

export interface CompiledSelector {
  /** Canonical: equal keys select the same objects. */
  key: string;
  /** All requirements, `matchLabels` as `In` with one value. */
  requirements: readonly Requirement[];
  /** `{}`: selects everything. */
  matchesAll: boolean;
}

export function compileSelector(selector: LabelSelector): CompiledSelector {
  const requirements: Requirement[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    requirements.push({ key, operator: Operator.In, values: [value] });
  }
  for (const expr of selector.matchExpressions ?? []) {
    const operator = expr.operator as Operator;
    // Each value once (the API server accepts `values: [a, a]`): the lookups by value would find a match twice.
    const values =
      operator === Operator.In || operator === Operator.NotIn ? [...new Set(expr.values ?? [])].sort() : [];
    requirements.push({ key: expr.key, operator, values });
  }
  requirements.sort((a, b) =>
    a.key !== b.key
      ? a.key < b.key
        ? -1
        : 1
      : a.operator < b.operator
        ? -1
        : a.operator > b.operator
          ? 1
          : 0,
  );
  const key = requirements
    .map((r) => `${r.key}\u0001${r.operator}\u0001${r.values.join('\u0002')}`)
    .join('\u0003');
  return { key, requirements, matchesAll: requirements.length === 0 };
}

export function requirementMatches(r: Requirement, labels: Readonly<Record<string, string>>): boolean {
  const has = Object.hasOwn(labels, r.key);
  switch (r.operator) {
    case Operator.In:
      return has && r.values.includes(labels[r.key]!);
    case Operator.NotIn:
      // NotIn also matches objects that do not have the key at all.
      return !has || !r.values.includes(labels[r.key]!);
    case Operator.Exists:
      return has;
    case Operator.DoesNotExist:
      return !has;
  }
}

export function selectorMatches(s: CompiledSelector, labels: Readonly<Record<string, string>>): boolean {
  for (const r of s.requirements) if (!requirementMatches(r, labels)) return false;
  return true;
}

/** The requirements a label set fails, for explanations ("label app=db missing"). */
export function failedRequirements(
  s: CompiledSelector,
  labels: Readonly<Record<string, string>>,
): Requirement[] {
  return s.requirements.filter((r) => !requirementMatches(r, labels));
}
