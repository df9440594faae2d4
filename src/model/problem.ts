/** Problems are data: parsers and validators return them instead of throwing. */

export type FieldPath = readonly (string | number)[];

export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

export const Severity = { Error: 'error', Warning: 'warning', Info: 'info' } as const;
export type Severity = (typeof Severity)[keyof typeof Severity];

/**
 * A message at a place in the input: what every kind of problem shares (parse and validation problems, lint
 * findings, unreadable flow lines). Each kind adds what identifies it: a code, a rule, a severity.
 */
export interface LocatedMessage {
  /** One line that quotes the bad value and suggests the fix. */
  message: string;
  /** The file as the user named it (`-` content is `<stdin>`, a git revision `rev:path`). */
  file?: string;
  /** 1-based. */
  line?: number;
  /** 1-based. */
  column?: number;
}

/** A problem of the input (parse, validation, configuration, test spec), with a stable code. */
export interface Problem extends LocatedMessage {
  /** Stable machine-readable code, e.g. `invalid-cidr`. */
  code: string;
  severity: Severity;
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
