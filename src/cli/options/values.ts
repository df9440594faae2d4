/**
 * Parsers of option values shared by the commands (`.argParser(...)`). They throw a UserError without the
 * option's name: `run` (main.ts) puts the flag in front (`--top: expected a whole number of 1 or more, got "-1"`).
 */
import { dns1123LabelProblems } from '../../parse/names.ts';
import { UserError } from '../io.ts';

/** The parser of a repeatable option (`--spec a --spec b`): every value given, in order. */
export function collect(value: string, previous: readonly string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** A parser of whole numbers of at least `min` (`--top`, `--page-size`). */
export function wholeNumber(min: number): (text: string) => number {
  return (text) => {
    const n = Number(text);
    if (text.trim() === '' || !Number.isInteger(n) || n < min)
      throw new UserError(`expected a whole number of ${min} or more, got "${text}"`);
    return n;
  };
}

const DURATION_EXAMPLES = 'such as 500ms, 30s, 2m or 1m30s';

/**
 * The longest duration a timer of Node.js keeps (2^31 − 1 ms, about 24.8 days): a longer one fires after 1 ms
 * (an interval then runs without pause), and `AbortSignal.timeout` refuses one beyond 2^32 − 1 ms.
 */
export const MAX_DURATION_MS = 2 ** 31 - 1;

/** `30s`, `2m`, `1m30s`, `500ms`, or a number of seconds → milliseconds, more than 0 and at most `MAX_DURATION_MS`. */
export function parseDuration(text: string): number {
  const t = text.trim();
  let total = 0;
  if (/^\d+(\.\d+)?$/.test(t)) total = Number(t) * 1000;
  else {
    const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
    let end = 0;
    for (let m = re.exec(t); m !== null; m = re.exec(t)) {
      const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
      total += Number(m[1]) * unit;
      end = re.lastIndex;
    }
    if (end !== t.length || end === 0)
      throw new UserError(`expected a duration ${DURATION_EXAMPLES}, got "${text}"`);
  }
  const ms = Math.round(total);
  if (ms <= 0) throw new UserError(`a duration must be more than 0 (${DURATION_EXAMPLES}), got "${text}"`);
  if (ms > MAX_DURATION_MS)
    throw new UserError(
      `a duration must be at most 596h31m (about 24.8 days, the longest a timer waits), got "${text}"`,
    );
  return ms;
}

/**
 * `-n, --namespace`: a namespace name (an RFC 1123 label), or a usage error quoting it with the name meant
 * (`Bad_NS` → `bad-ns`). Read as an input error, `--skip-invalid` ran on with it.
 */
export function namespaceName(text: string): string {
  const problems = dns1123LabelProblems(text);
  if (problems.length === 0) return text;
  const meant = text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  const hint = meant !== '' && dns1123LabelProblems(meant).length === 0 ? `; did you mean "${meant}"?` : '';
  throw new UserError(`"${text}" is not a valid namespace name: ${problems.join('; ')}${hint}`);
}
