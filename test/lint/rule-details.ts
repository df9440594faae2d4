/**
 * The findings of one rule as the user sees them, for the details tests of the rules (`*-details.test.ts`):
 * where (line, object, field path), the whole message, and the workloads each finding names.
 */
import type { ClusterState } from '../../src/model/cluster.ts';
import { formatPath } from '../../src/model/problem.ts';
import { lint } from '../../src/lint/run.ts';
import type { AnyRule, LintResult } from '../../src/lint/types.ts';
import { lintText, type LintTextOptions } from './helpers.ts';

export interface Seen {
  /** `<line> <object id> <field path>` (`-` for no line). */
  at: string;
  message: string;
  workloads: readonly string[];
}

function seen(result: LintResult): Seen[] {
  return result.findings.map((f) => ({
    at: `${f.line ?? '-'} ${f.object.id} ${formatPath(f.path)}`.trim(),
    message: f.message,
    workloads: f.workloads,
  }));
}

/** The findings of `rule` on a YAML text. */
export function findingsOf(
  rule: AnyRule,
  text: string,
  options: Omit<LintTextOptions, 'rules'> = {},
): Seen[] {
  return seen(lintText(text, { ...options, rules: [rule] }));
}

/** The findings of `rule` on a cluster state built with test/support/builders.ts. */
export function stateFindingsOf(rule: AnyRule, state: ClusterState): Seen[] {
  return seen(lint({ state }, { rules: [rule] }));
}
