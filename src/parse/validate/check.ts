/**
 * Type checks of decoded YAML against the API's Go types, reported like the API's decoder would reject
 * them, but in plain words. `null` reads as absent, as it does for the API.
 */
import type { FieldPath } from '../../model/problem.ts';
import { closestMatch, withSuggestion } from '../../base/suggest.ts';
import { describeValue, isMap, type JsonMap } from '../values.ts';
import type { Reporter } from './report.ts';
import { yaml } from '../yaml.ts';

/** How a scalar is written in the source, for "quote it" hints: `1.10`, not the number 1.1. */
function written(r: Reporter, path: FieldPath, value: unknown): string {
  return r.source.sourceText(path) ?? String(value);
}

/** Whether a field is absent as the API reads it (missing or `null`): the `as…` checks below say nothing of it. */
export function absent(value: unknown): value is undefined | null {
  return value === undefined || value === null;
}

/** A mapping, or undefined when absent or null; anything else is a wrong-type error. */
export function asMap(r: Reporter, path: FieldPath, value: unknown, hint = ''): JsonMap | undefined {
  if (value === undefined || value === null) return undefined;
  if (isMap(value)) return value;
  r.error('wrong-type', path, `must be a mapping (key: value), got ${describeValue(value)}${hint}`);
  return undefined;
}

/** A list, or undefined when absent or null; anything else is a wrong-type error. */
export function asList(r: Reporter, path: FieldPath, value: unknown, hint = ''): unknown[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return value as unknown[];
  r.error('wrong-type', path, `must be a list, got ${describeValue(value)}${hint}`);
  return undefined;
}

// The checks of `map[key]` at `[...path, key]`, that path made only when there is a problem to report (most
// fields have none: reading every object of a large input made a path for each of them).

/** `asList(r, [...path, key], map[key], hint)`. */
export function listAt(
  r: Reporter,
  path: FieldPath,
  map: JsonMap,
  key: string,
  hint = '',
): unknown[] | undefined {
  const value = map[key];
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return value as unknown[];
  return asList(r, [...path, key], value, hint);
}

/** `asString(r, [...path, key], map[key])`. */
export function stringAt(r: Reporter, path: FieldPath, map: JsonMap, key: string): string | undefined {
  const value = map[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  return asString(r, [...path, key], value);
}

/** `asInt(r, [...path, key], map[key])`. */
export function intAt(r: Reporter, path: FieldPath, map: JsonMap, key: string): number | undefined {
  const value = map[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  return asInt(r, [...path, key], value);
}

/** A string, or undefined when absent or null. A number or boolean gets a "quote it" hint. */
export function asString(r: Reporter, path: FieldPath, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') {
    const text = written(r, path, value);
    r.error(
      'wrong-type',
      path,
      `must be a string, got ${text}. Quote it: "${text.replace(/^["']|["']$/g, '')}"`,
    );
    return undefined;
  }
  r.error('wrong-type', path, `must be a string, got ${describeValue(value)}`);
  return undefined;
}

/** An integer, or undefined when absent or null. A quoted number gets a "remove the quotes" hint. */
export function asInt(r: Reporter, path: FieldPath, value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^-?[0-9]+$/.test(value.trim())) {
    r.error(
      'wrong-type',
      path,
      `must be an integer, got ${describeValue(value)}. Remove the quotes: ${value.trim()}`,
    );
    return undefined;
  }
  r.error('wrong-type', path, `must be an integer, got ${describeValue(value)}`);
  return undefined;
}

/** A boolean, or undefined when absent or null. */
export function asBool(r: Reporter, path: FieldPath, value: unknown): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean') return value;
  const hint = value === 'true' || value === 'false' ? `. Remove the quotes: ${value}` : '';
  r.error('wrong-type', path, `must be true or false, got ${describeValue(value)}${hint}`);
  return undefined;
}

/**
 * Unknown fields: the API server rejects the object under strict field validation (kubectl's default) and
 * drops the field without it, so a typo like `ingres` silently changes what a policy means. netfence reads on
 * as the API server without strict validation does (a warning; the lint rule `no-unknown-field` weighs the
 * consequence); with `--strict` it is an error.
 */
export function checkKnownFields(r: Reporter, path: FieldPath, map: JsonMap, known: readonly string[]): void {
  // `for in` over own keys: the order of `Object.keys`, without its array (every mapping read comes here).
  for (const key in map) {
    if (known.includes(key) || !Object.hasOwn(map, key)) continue;
    const suggestion = closestMatch(key, known);
    r.unknownFields.push({ path: [...path, key], suggestion });
    const message = `unknown field "${key}": ${UNKNOWN_FIELD_CONSEQUENCE}`;
    const text =
      suggestion === undefined
        ? `${message}. Known fields: ${known.join(', ')}`
        : withSuggestion(message, suggestion);
    if (r.strict) r.error('unknown-field', [...path, key], text);
    else r.warn('unknown-field', [...path, key], text);
  }
}

/** What the API server does with an unknown field, for messages. */
export const UNKNOWN_FIELD_CONSEQUENCE =
  "with strict field validation (kubectl's default) the API server rejects the object; without, it drops the field";

/** Plain scalars that YAML 1.1 (go-yaml in kubectl and Helm) reads as booleans, and YAML 1.2 as strings. */
export const YAML11_BOOLEAN = /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$/;

/**
 * A string that kubectl reads otherwise: an unquoted `yes`, `on`, `n`... is a boolean for kubectl's YAML 1.1
 * parser, and the API server rejects a boolean where a string belongs (a label value, a selector value).
 * netfence reads YAML 1.2 (the string "yes"), so it says so. The source is only looked at for such words.
 */
export function checkYaml11String(r: Reporter, path: FieldPath, text: string): boolean {
  if (!YAML11_BOOLEAN.test(text) || r.source.sourceText(path) !== text) return true;
  const bool = ['y', 'yes', 'on'].includes(text.toLowerCase());
  r.error(
    'yaml11-boolean',
    path,
    `unquoted ${text} is the boolean ${bool} for kubectl and Helm (YAML 1.1), and the API server rejects a boolean here: quote it: "${text}"`,
  );
  return false;
}

/**
 * A mapping key kubectl reads otherwise: an unquoted `yes` key is the boolean true for YAML 1.1, which kubectl
 * sends as the key "true". A warning: the object is accepted, under another key.
 */
export function checkYaml11Key(r: Reporter, path: FieldPath, key: string): void {
  if (!YAML11_BOOLEAN.test(key)) return;
  const parent = r.source.nodeAt(path.slice(0, -1));
  const { isMap: isYamlMap, isScalar } = yaml();
  if (!isYamlMap(parent)) return;
  const plain = parent.items.some(
    (pair) => isScalar(pair.key) && pair.key.value === key && pair.key.type === 'PLAIN',
  );
  if (!plain) return;
  const bool = ['y', 'yes', 'on'].includes(key.toLowerCase());
  r.warn(
    'yaml11-boolean-key',
    path,
    `unquoted key ${key} is the boolean ${bool} for kubectl and Helm (YAML 1.1), which send the key "${bool}": quote it: "${key}"`,
  );
}
