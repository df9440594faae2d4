/** `1 policy`, `2 policies`, `0 workloads`. */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

/**
 * ` in 124 rows` when the human formats show `connections` (allowed source–destination pairs, docs/json-schema.md)
 * in fewer rows (pairs to or from address ranges with the same ports merged into one row); empty otherwise.
 */
export function inRows(connections: number, rows: number): string {
  return connections === rows ? '' : ` in ${plural(rows, 'row')}`;
}
