/** "Did you mean" suggestions for misspelled names, field names and enum values. */

/**
 * Edit distance counting a swap of two neighbouring letters as one edit (`wbe` → `web`), with an early exit
 * above `limit`.
 */
export function editDistance(a: string, b: string, limit = Number.POSITIVE_INFINITY): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      let value = Math.min(
        previous[j]! + 1,
        current[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        value = Math.min(value, before[j - 2]! + 1);
      current.push(value);
      rowMin = Math.min(rowMin, value);
    }
    if (rowMin > limit) return limit + 1;
    before = previous;
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * The candidate closest to `input`: a case-insensitive match first, then the nearest by edit distance within
 * a third of the word's length (at least 1, at most 3); ties go to the alphabetically first candidate.
 */
export function closestMatch(input: string, candidates: readonly string[]): string | undefined {
  const lower = input.toLowerCase();
  const sameCase = candidates.find((c) => c.toLowerCase() === lower);
  if (sameCase !== undefined) return sameCase;
  const limit = Math.min(3, Math.max(1, Math.floor(input.length / 3)));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of [...new Set(candidates)].sort()) {
    const distance = editDistance(lower, candidate.toLowerCase(), limit);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** The candidate a misspelled name most likely meant: close in spelling, or one contains the other. */
export function suggestName(input: string, candidates: readonly string[]): string | undefined {
  const unique = [...new Set(candidates)].filter((c) => c !== input);
  const close = closestMatch(input, unique);
  if (close !== undefined) return close;
  // `http-metrics` for `metrics`: the longest name that contains, or is contained in, the input.
  const containing = unique
    .filter((c) => input.includes(c) || c.includes(input))
    .sort((a, b) => b.length - a.length);
  const [first, second] = containing;
  return first !== undefined && (second === undefined || second.length < first.length) ? first : undefined;
}

/** `message`, plus `. Did you mean "x"?` when there is a suggestion. */
export function withSuggestion(message: string, suggestion: string | undefined): string {
  return suggestion === undefined ? message : `${message}. Did you mean "${suggestion}"?`;
}

/** `message`, plus `; did you mean "x"?` when there is a suggestion: for one-line CLI messages. */
export function withDidYouMean(message: string, suggestion: string | undefined): string {
  return suggestion === undefined ? message : `${message}; did you mean "${suggestion}"?`;
}
