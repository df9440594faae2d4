/** Sorted arrays of numbers (class ids, policy indexes): binary search, membership, insertion. */

/** Index of the first element of sorted `list` that is ≥ `value`. */
export function lowerBound(list: readonly number[], value: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Whether sorted `ids` contains `id`. */
export function sortedIncludes(ids: readonly number[], id: number): boolean {
  return ids[lowerBound(ids, id)] === id;
}

/** Inserts `value` into sorted `list` unless it is there already. */
export function insertSorted(list: number[], value: number): void {
  const at = lowerBound(list, value);
  if (list[at] !== value) list.splice(at, 0, value);
}
