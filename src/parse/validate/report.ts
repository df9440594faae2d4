/** Collects the problems of one object, each located at the field it is about. */
import type { FieldPath, Problem } from '../../model/problem.ts';
import type { ParsedObject } from '../types.ts';

export interface Reporter {
  /** Problems reported so far, errors and warnings. */
  readonly problems: readonly Problem[];
  readonly errorCount: number;
  /** The object the problems are about (for source text and positions). */
  readonly source: ParsedObject;
  error(code: string, path: FieldPath, message: string): void;
  warn(code: string, path: FieldPath, message: string): void;
}

export function createReporter(source: ParsedObject, objectId: string | undefined): Reporter {
  const problems: Problem[] = [];
  let errorCount = 0;
  const add = (severity: 'error' | 'warning', code: string, path: FieldPath, message: string): void => {
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
    if (objectId !== undefined) problem.object = objectId;
    problems.push(problem);
  };
  return {
    problems,
    get errorCount() {
      return errorCount;
    },
    source,
    error(code, path, message) {
      errorCount++;
      add('error', code, path, message);
    },
    warn(code, path, message) {
      add('warning', code, path, message);
    },
  };
}
