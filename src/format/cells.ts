/** Escaping one value for the text formats: a CSV field, a Markdown table cell, a Graphviz id. */

/** A CSV field (RFC 4180): quoted when it holds a quote, a comma or a newline. */
export function csvField(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** A Markdown table cell: `|` escaped. */
export function mdCell(s: string): string {
  return s.replaceAll('|', '\\|');
}

/** A quoted Graphviz (dot) id. */
export function dotId(s: string): string {
  return `"${s.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}
