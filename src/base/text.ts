/** Text helpers every layer shares: one order for strings, one key for a pair, numbers and times as shown. */

/**
 * Orders strings by UTF-16 code units, the same everywhere and on every machine (unlike `localeCompare`),
 * so that sorted output is byte-identical across runs and locales.
 */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** One map key for an ordered pair of ids (`src`, `dst`); ids never contain U+0000. */
export function pairKey(src: string, dst: string): string {
  return `${src}\u0000${dst}`;
}

/** The two ids of a `pairKey`. */
export function splitPairKey(key: string): [string, string] {
  const at = key.indexOf('\u0000');
  return [key.slice(0, at), key.slice(at + 1)];
}

/**
 * `12,345`: `n.toLocaleString('en-US')`. Whole numbers are grouped here: the first `toLocaleString` of a
 * process loads the locale's data, 10–15 ms of CPU for a line of warnings (docs/benchmarks.md, round 13).
 */
export function formatCount(n: number): string {
  if (!Number.isSafeInteger(n) || Object.is(n, -0)) return n.toLocaleString('en-US');
  const digits = String(Math.abs(n));
  let out = digits.slice(0, ((digits.length - 1) % 3) + 1);
  for (let i = out.length; i < digits.length; i += 3) out += `,${digits.slice(i, i + 3)}`;
  return n < 0 ? `-${out}` : out;
}

/** `2026-11-25T02:00:10Z` (seconds), or `2026-11-25T02:00Z` (minutes). */
export function formatTime(ms: number, precision: 'seconds' | 'minutes' = 'seconds'): string {
  const iso = new Date(ms).toISOString();
  return precision === 'minutes' ? `${iso.slice(0, 16)}Z` : `${iso.slice(0, 19)}Z`;
}
