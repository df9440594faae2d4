/**
 * Sets of integers as sorted, disjoint, non-adjacent inclusive intervals, stored flat:
 * `[a0, b0, a1, b1, ...]` with `a0 <= b0 < a1 - 1`. Immutable; every operation returns a new array.
 */
export type Intervals = readonly number[];

export const EMPTY_INTERVALS: Intervals = Object.freeze([]);

export function interval(from: number, to: number): Intervals {
  return from <= to ? [from, to] : EMPTY_INTERVALS;
}

export function unionIntervals(a: Intervals, b: Intervals): Intervals {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    let from: number;
    let to: number;
    if (j >= b.length || (i < a.length && a[i]! <= b[j]!)) {
      from = a[i]!;
      to = a[i + 1]!;
      i += 2;
    } else {
      from = b[j]!;
      to = b[j + 1]!;
      j += 2;
    }
    const last = out.length - 1;
    if (last > 0 && from <= out[last]! + 1) {
      if (to > out[last]!) out[last] = to;
    } else {
      out.push(from, to);
    }
  }
  return out;
}

export function intersectIntervals(a: Intervals, b: Intervals): Intervals {
  if (a.length === 0 || b.length === 0) return EMPTY_INTERVALS;
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const from = Math.max(a[i]!, b[j]!);
    const to = Math.min(a[i + 1]!, b[j + 1]!);
    if (from <= to) out.push(from, to);
    if (a[i + 1]! < b[j + 1]!) i += 2;
    else j += 2;
  }
  return out;
}

/** `a` minus `b`. */
export function subtractIntervals(a: Intervals, b: Intervals): Intervals {
  if (a.length === 0 || b.length === 0) return a;
  const out: number[] = [];
  let j = 0;
  for (let i = 0; i < a.length; i += 2) {
    let from = a[i]!;
    const to = a[i + 1]!;
    while (j < b.length && b[j + 1]! < from) j += 2;
    let k = j;
    while (k < b.length && b[k]! <= to) {
      if (b[k]! > from) out.push(from, b[k]! - 1);
      from = Math.max(from, b[k + 1]! + 1);
      k += 2;
    }
    if (from <= to) out.push(from, to);
  }
  return out;
}

export function intervalsContain(a: Intervals, value: number): boolean {
  let lo = 0;
  let hi = a.length / 2 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (value < a[mid * 2]!) hi = mid - 1;
    else if (value > a[mid * 2 + 1]!) lo = mid + 1;
    else return true;
  }
  return false;
}

export function intervalsEqual(a: Intervals, b: Intervals): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** `a ⊆ b` */
export function intervalsSubset(a: Intervals, b: Intervals): boolean {
  return subtractIntervals(a, b).length === 0;
}

/** Pairs `[[from, to], ...]`, for output. */
export function intervalPairs(a: Intervals): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < a.length; i += 2) out.push([a[i]!, a[i + 1]!]);
  return out;
}
