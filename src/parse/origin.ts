import type { Origin } from '../model/cluster.ts';
import type { ParsedObject } from './types.ts';

/** Where an object of the state came from, with its field locator. */
export function originOf(source: ParsedObject): Origin {
  return {
    file: source.file,
    line: source.line,
    column: source.column,
    locate: (path) => source.locate(path),
  };
}
