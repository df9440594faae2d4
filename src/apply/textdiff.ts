/** A unified diff of two texts, line by line (longest common subsequence), with context. Pure. */

export interface DiffOptions {
  /** Lines of context around each change. @default 3 */
  context?: number;
  /** Header lines: `--- <before>`, `+++ <after>`. */
  before: string;
  after: string;
}

type Op = { kind: ' ' | '-' | '+'; line: string; a: number; b: number };

/** Beyond this many cells the table would be too large: show the texts as removed and added instead. */
const MAX_CELLS = 4_000_000;

function operations(a: readonly string[], b: readonly string[]): Op[] {
  const n = a.length;
  const m = b.length;
  if (n * m > MAX_CELLS) {
    return [
      ...a.map((line, i): Op => ({ kind: '-', line, a: i, b: 0 })),
      ...b.map((line, j): Op => ({ kind: '+', line, a: n, b: j })),
    ];
  }
  // lcs[i][j]: length of the longest common subsequence of a[i..] and b[j..].
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      ops.push({ kind: ' ', line: a[i]!, a: i, b: j });
      i++;
      j++;
    } else if (i < n && (j === m || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) {
      // Removed lines before added ones, as diff shows them.
      ops.push({ kind: '-', line: a[i]!, a: i, b: j });
      i++;
    } else {
      ops.push({ kind: '+', line: b[j]!, a: i, b: j });
      j++;
    }
  }
  return ops;
}

function lines(text: string): string[] {
  if (text === '') return [];
  return (text.endsWith('\n') ? text.slice(0, -1) : text).split('\n');
}

/** `--- before` / `+++ after` / `@@ -1,4 +1,5 @@` hunks; the empty string when the texts are equal. */
export function unifiedDiff(before: string, after: string, options: DiffOptions): string {
  const context = options.context ?? 3;
  const ops = operations(lines(before), lines(after));
  if (ops.every((o) => o.kind === ' ')) return '';
  const out = [`--- ${options.before}`, `+++ ${options.after}`];
  let k = 0;
  while (k < ops.length) {
    // The next change, and the hunk around it: extend while changes are within 2×context lines.
    while (k < ops.length && ops[k]!.kind === ' ') k++;
    if (k >= ops.length) break;
    const start = Math.max(0, k - context);
    let end = k;
    let lastChange = k;
    while (end < ops.length) {
      if (ops[end]!.kind !== ' ') lastChange = end;
      else if (end - lastChange > 2 * context) break;
      end++;
    }
    end = Math.min(ops.length, lastChange + context + 1);
    const hunk = ops.slice(start, end);
    const first = hunk[0]!;
    const aCount = hunk.filter((o) => o.kind !== '+').length;
    const bCount = hunk.filter((o) => o.kind !== '-').length;
    const aStart = aCount === 0 ? first.a : first.a + 1;
    const bStart = bCount === 0 ? first.b : first.b + 1;
    out.push(`@@ -${aStart},${aCount} +${bStart},${bCount} @@`);
    for (const o of hunk) out.push(`${o.kind}${o.line}`);
    k = end;
  }
  return `${out.join('\n')}\n`;
}
