/** Helpers for the parse tests: inline YAML and one-call parsing into formatted problems. */
import { formatProblem } from '../../src/model/problem.ts';
import { buildClusterState, parseManifestText } from '../../src/parse/index.ts';
import type { LoadResult } from '../../src/parse/index.ts';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Inline YAML without the source's indentation: the first non-empty line sets the margin, so line and column
 * numbers in expectations are those of the YAML as a user would write it. Line 1 is the first line.
 */
export function yaml(strings: TemplateStringsArray, ...values: unknown[]): string {
  const raw = strings.reduce((out, s, i) => out + s + (i < values.length ? String(values[i]) : ''), '');
  const lines = raw.replace(/^\n/, '').split('\n');
  const margin = Math.min(
    ...lines.filter((l) => l.trim() !== '').map((l) => l.length - l.trimStart().length),
  );
  return lines.map((l) => l.slice(margin)).join('\n');
}

/** Parses and builds one text, as `loadManifests` would for one file. */
export function load(
  text: string,
  file = 'policies.yaml',
  defaultNamespace = 'default',
  strict = false,
): LoadResult {
  const parsed = parseManifestText(text, file);
  const built = buildClusterState(parsed.objects, { defaultNamespace, skipInvalid: false, strict });
  return {
    ...built,
    errors: [...parsed.errors, ...built.errors],
    warnings: [...parsed.warnings, ...built.warnings],
  };
}

/** Every problem of a text (errors, then warnings), formatted as the CLI prints them. */
export function problems(text: string, file = 'policies.yaml'): string[] {
  const result = load(text, file);
  return [...result.errors, ...result.warnings].map(formatProblem);
}

/** A NetworkPolicy manifest around a spec written at the indentation of `spec:`'s children. */
export function policy(spec: string, name = 'web'): string {
  const body = spec
    .split('\n')
    .map((l) => (l === '' ? l : `  ${l}`))
    .join('\n');
  return `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: ${name}\nspec:\n${body}\n`;
}

/** Every manifest file (`.yaml`, `.yml`, `.json`) under a folder, recursively. */
export function manifestsUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return manifestsUnder(path);
    return /\.(ya?ml|json)$/.test(name) ? [path] : [];
  });
}
