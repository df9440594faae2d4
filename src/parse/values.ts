/** Type guards and descriptions of plain JS values read from YAML. */

export type JsonMap = Record<string, unknown>;

export function isMap(value: unknown): value is JsonMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** How a value reads in a message: strings quoted, collections summarized. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list []' : 'a list';
  if (isMap(value)) return Object.keys(value).length === 0 ? 'a mapping {}' : 'a mapping';
  return typeof value;
}

/** `got a mapping`, `got 80.5`, `got "abc"`. */
export function got(value: unknown): string {
  return `got ${describeValue(value)}`;
}

/** A short JSON rendering of a value for a message, cut when long. */
export function shortJson(value: unknown, max = 60): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
