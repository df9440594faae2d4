/** Problems are data: parsers and validators return them instead of throwing. */

export type FieldPath = readonly (string | number)[];

export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

export const Severity = { Error: 'error', Warning: 'warning', Info: 'info' } as const;
export type Severity = (typeof Severity)[keyof typeof Severity];

export interface Problem {
  /** Stable machine-readable code, e.g. `invalid-cidr`. */
  code: string;
  severity: Severity;
  /** One line that quotes the bad value and suggests the fix. */
  message: string;
  file?: string;
  line?: number;
  column?: number;
  /** Field path inside the object, e.g. `['spec', 'ingress', 0, 'ports', 0, 'endPort']`. */
  path: FieldPath;
  /** `namespace/Kind/name` of the object, when known. */
  object?: string;
}

export type Result<T> = { ok: true; value: T; problems: Problem[] } | { ok: false; problems: Problem[] };

/** `spec.ingress[0].ports[0].endPort` */
export function formatPath(path: FieldPath): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? part : `.${part}`;
  }
  return out;
}

/** `policies.yaml:14:9 spec.ingress[0].ports[0].endPort: must be ≥ port (80)` */
export function formatProblem(p: Problem): string {
  const where =
    p.file === undefined ? '' : `${p.file}${p.line === undefined ? '' : `:${p.line}:${p.column ?? 1}`} `;
  const path = p.path.length > 0 ? `${formatPath(p.path)}: ` : '';
  const prefix = p.severity === 'warning' ? 'warning: ' : '';
  return `${where}${prefix}${path}${p.message}`;
}
