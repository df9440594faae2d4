import { formatProblem, type Problem } from '../model/problem.ts';
import { formatCount } from '../base/text.ts';

/** How many warnings alike (the same code and message, at different places) are printed in full. */
export const WARNINGS_ALIKE_SHOWN = 3;

/**
 * The lines of a load's warnings on stderr, in input order. Unless `all`, only the first
 * {@link WARNINGS_ALIKE_SHOWN} of warnings alike are printed (a cluster that names the `health` entity in 300
 * policies gets three lines of it, not 300), and one closing line per kind counts the rest:
 * `warning: 327 more like this not shown (330 in all): <message>; --all-warnings prints each`.
 */
export function formatWarnings(warnings: readonly Problem[], all: boolean): string[] {
  if (all) return warnings.map(formatProblem);
  const alike = new Map<string, { count: number; message: string }>();
  const lines: string[] = [];
  for (const w of warnings) {
    const key = `${w.code}\u0000${w.message}`;
    const kind = alike.get(key) ?? { count: 0, message: w.message };
    kind.count++;
    alike.set(key, kind);
    if (kind.count <= WARNINGS_ALIKE_SHOWN) lines.push(formatProblem(w));
  }
  for (const { count, message } of alike.values()) {
    if (count <= WARNINGS_ALIKE_SHOWN) continue;
    lines.push(
      `warning: ${formatCount(count - WARNINGS_ALIKE_SHOWN)} more like this not shown (${formatCount(count)} in all): ${message}; --all-warnings prints each`,
    );
  }
  return lines;
}
