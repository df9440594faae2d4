/** Collects the problems of one object, each located at the field it is about. */
import type { FieldPath, Problem } from '../../model/problem.ts';
import type { ParsedObject } from '../types.ts';

/** An unknown field, with the known field of its mapping it is closest to (a likely typo). */
export interface UnknownField {
  /** Path of the unknown key: `['spec', 'podSelecter']`. */
  path: FieldPath;
  suggestion: string | undefined;
}

export interface Reporter {
  /** Problems reported so far, errors and warnings. */
  readonly problems: readonly Problem[];
  /** Unknown fields reported so far (as problems too), for tools that weigh a typo's consequence. */
  readonly unknownFields: UnknownField[];
  readonly errorCount: number;
  /** The object the problems are about (for source text and positions). */
  readonly source: ParsedObject;
  error(code: string, path: FieldPath, message: string): void;
  warn(code: string, path: FieldPath, message: string): void;
  /**
   * A problem the API server rejects but that does not change what the object means for connectivity (a
   * container's image, an owner reference's uid, a Service port's name): an error with `strict`, otherwise
   * a warning, and the object is read on.
   */
  lenient(code: string, path: FieldPath, message: string): void;
  /** Whether every rejection of the API server is an error (`--strict`). */
  readonly strict: boolean;
}

/** Appended to a lenient problem read as a warning. */
export const LENIENT_NOTE =
  ' (the API server rejects it; netfence reads on, as it does not change connectivity: --strict makes it an error)';

/** A class rather than an object literal with closures: one is made for every object checked. */
class ObjectReporter implements Reporter {
  readonly problems: Problem[] = [];
  readonly unknownFields: UnknownField[] = [];
  errorCount = 0;
  readonly source: ParsedObject;
  readonly strict: boolean;
  readonly #objectId: string | undefined;

  constructor(source: ParsedObject, objectId: string | undefined, strict: boolean) {
    this.source = source;
    this.#objectId = objectId;
    this.strict = strict;
  }

  error(code: string, path: FieldPath, message: string): void {
    this.errorCount++;
    this.#add('error', code, path, message);
  }

  warn(code: string, path: FieldPath, message: string): void {
    this.#add('warning', code, path, message);
  }

  lenient(code: string, path: FieldPath, message: string): void {
    if (this.strict) this.error(code, path, message);
    else this.#add('warning', code, path, `${message}${LENIENT_NOTE}`);
  }

  #add(severity: 'error' | 'warning', code: string, path: FieldPath, message: string): void {
    const { source } = this;
    const at = source.locate(path) ?? { line: source.line, column: source.column };
    const problem: Problem = {
      code,
      severity,
      message,
      file: source.file,
      line: at.line,
      column: at.column,
      path,
    };
    if (this.#objectId !== undefined) problem.object = this.#objectId;
    this.problems.push(problem);
  }
}

export function createReporter(source: ParsedObject, objectId: string | undefined, strict = false): Reporter {
  return new ObjectReporter(source, objectId, strict);
}
