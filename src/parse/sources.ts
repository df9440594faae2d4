/**
 * In-memory manifest sources → cluster state: the pure half of loading, shared by files, standard input and
 * git revisions, so that every input reports problems the same way, sorted by file order, line and column.
 */
import { formatPath, type Problem } from '../model/problem.ts';
import { StateBuilder, type StoredCheck } from './build.ts';
import { parseManifestText, restoreParse, storedParse, type StoredParse } from './documents.ts';
import {
  READ_PROGRESS_BYTES,
  type BuildOptions,
  type LoadResult,
  type ParsedObject,
  type ReadingProgress,
  type SkippedObject,
} from './types.ts';

export interface Source {
  /** The name problems cite: a path, `<stdin>`, or `rev:path`. */
  file: string;
  text: string;
  /** What an earlier run kept of this text, read with the same options (`StoredFile`): used instead of parsing. */
  stored?: StoredFile | undefined;
}

/**
 * What a run keeps of one file for the next (src/parse/cache.ts stores it by the text's hash): its parse and
 * the check of each of its objects (`null` for an object that is checked again each time: one with problems,
 * or a generated name).
 */
export interface StoredFile {
  parse: StoredParse;
  checks: (StoredCheck | null)[];
}

interface Place {
  file?: string | undefined;
  line?: number | undefined;
  column?: number | undefined;
}

/**
 * Parses and builds the sources. `prior` carries problems found while reading (unreadable files, missing
 * paths) and the order of every file, read or not, so that all problems sort together. `afterFile` is called
 * after each file is parsed and checked (`LoadOptions.afterFile`).
 */
export function loadSources(
  sources: readonly Source[],
  options: BuildOptions,
  prior: { errors?: readonly Problem[]; warnings?: readonly Problem[]; fileOrder?: readonly string[] } = {},
  onProgress?: (progress: ReadingProgress) => void,
  keep?: (source: Source, stored: StoredFile) => void,
  afterFile?: () => void,
): LoadResult {
  const objects: ParsedObject[] | undefined = options.keepObjects === true ? [] : undefined;
  const errors: Problem[] = [...(prior.errors ?? [])];
  const warnings: Problem[] = [...(prior.warnings ?? [])];
  const skipped: SkippedObject[] = [];
  let nonK8sFiles = 0;
  let found = 0;
  const total = sources.reduce((n, s) => n + s.text.length, 0);
  const report = onProgress !== undefined && total >= READ_PROGRESS_BYTES ? onProgress : undefined;
  let done = 0;
  // The checks of the file at hand: given back (read from the cache), or made now (to keep in it).
  const given = new Map<ParsedObject, StoredCheck>();
  const made = new Map<ParsedObject, StoredCheck>();
  const memo =
    keep === undefined && !sources.some((s) => s.stored !== undefined)
      ? undefined
      : {
          get: (object: ParsedObject) => given.get(object),
          set: (object: ParsedObject, check: StoredCheck) => made.set(object, check),
        };
  // Each file's objects are checked as soon as it is read: what the state keeps of them is their checked
  // form, so the values read (most of what reading allocates) die young unless `keepObjects` keeps them.
  const builder = new StateBuilder(options, memo);
  for (const source of sources) {
    const { file, text, stored } = source;
    let parsed;
    let parse: StoredParse | undefined;
    if (stored !== undefined) {
      parsed = restoreParse(text, file, stored.parse);
      for (const [i, check] of stored.checks.entries()) {
        const object = parsed.objects[i];
        if (check !== null && object !== undefined) given.set(object, check);
      }
    } else {
      parsed = parseManifestText(text, file);
      parse = keep === undefined ? undefined : storedParse(parsed);
    }
    for (const object of parsed.objects) builder.add(object);
    if (parse !== undefined)
      keep?.(source, { parse, checks: parsed.objects.map((o) => made.get(o) ?? null) });
    given.clear();
    made.clear();
    done += text.length;
    report?.({ done, total });
    afterFile?.();
    if (objects !== undefined) for (const object of parsed.objects) objects.push(object);
    for (const w of parsed.warnings) warnings.push(w);
    found += parsed.objects.length + parsed.errors.length;
    if (options.skipInvalid) {
      for (const e of parsed.errors) {
        skipped.push({
          object: e.object ?? 'document',
          file,
          line: e.line ?? 1,
          reason: e.path.length > 0 ? `${formatPath(e.path)}: ${e.message}` : e.message,
        });
      }
    } else {
      for (const e of parsed.errors) errors.push(e);
    }
    if (parsed.objects.length === 0 && parsed.errors.length === 0 && parsed.nonK8sDocuments > 0)
      nonK8sFiles++;
  }
  const built = builder.finish();
  const fileOrder = new Map((prior.fileOrder ?? sources.map((s) => s.file)).map((f, i) => [f, i]));
  const byPlace = (a: Place, b: Place): number =>
    (a.file === undefined ? -1 : (fileOrder.get(a.file) ?? -1)) -
      (b.file === undefined ? -1 : (fileOrder.get(b.file) ?? -1)) ||
    (a.line ?? 0) - (b.line ?? 0) ||
    (a.column ?? 0) - (b.column ?? 0);
  return {
    state: built.state,
    errors: [...errors, ...built.errors].sort(byPlace),
    warnings: [...warnings, ...built.warnings].sort(byPlace),
    skipped: [...skipped, ...built.skipped].sort(byPlace),
    ignored: { ...built.ignored, files: nonK8sFiles },
    found,
    repeated: built.repeated,
    ...(objects === undefined ? {} : { objects }),
  };
}
