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
  const labels = selector.matchLabels;
  // `for in` over own keys: the order of `Object.entries`, without its arrays.
  for (const key in labels) {
    if (Object.hasOwn(labels, key)) requirements.push({ key, operator: Operator.In, values: [labels[key]!] });
  }
  for (const expr of selector.matchExpressions ?? []) {
    const operator = expr.operator as Operator;
    const values =
      operator === Operator.In || operator === Operator.NotIn ? [...(expr.values ?? [])].sort() : [];
    requirements.push({ key: expr.key, operator, values });
  }
  if (requirements.length > 1) requirements.sort(compareRequirements);
  // The key by concatenation (a selector is compiled for every policy and peer: tens of thousands at T1).
  let key = '';
  for (let i = 0; i < requirements.length; i++) {
    const r = requirements[i]!;
    if (i > 0) key += '\u0003';
    key += `${r.key}\u0001${r.operator}\u0001${r.values.length === 1 ? r.values[0]! : r.values.join('\u0002')}`;
  }
  return { key, requirements, matchesAll: requirements.length === 0 };
}

function compareRequirements(a: Requirement, b: Requirement): number {
  return a.key !== b.key
    ? a.key < b.key
      ? -1
      : 1
    : a.operator < b.operator
      ? -1
      : a.operator > b.operator
        ? 1
        : 0;
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
