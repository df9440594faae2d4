/**
 * In-memory manifest sources → cluster state: the pure half of loading, shared by files, standard input and
 * git revisions, so that every input reports problems the same way, sorted by file order, line and column.
 */
import { formatPath, type Problem } from '../model/problem.ts';
import { buildClusterState } from './build.ts';
import { parseManifestText } from './documents.ts';
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
}

interface Place {
  file?: string | undefined;
  line?: number | undefined;
  column?: number | undefined;
}

/**
 * Parses and builds the sources. `prior` carries problems found while reading (unreadable files, missing
 * paths) and the order of every file, read or not, so that all problems sort together.
 */
export function loadSources(
  sources: readonly Source[],
  options: BuildOptions,
  prior: { errors?: readonly Problem[]; warnings?: readonly Problem[]; fileOrder?: readonly string[] } = {},
  onProgress?: (progress: ReadingProgress) => void,
): LoadResult {
  const objects: ParsedObject[] = [];
  const errors: Problem[] = [...(prior.errors ?? [])];
  const warnings: Problem[] = [...(prior.warnings ?? [])];
  const skipped: SkippedObject[] = [];
  let nonK8sFiles = 0;
  let found = 0;
  const total = sources.reduce((n, s) => n + s.text.length, 0);
  const report = onProgress !== undefined && total >= READ_PROGRESS_BYTES ? onProgress : undefined;
  let done = 0;
  for (const { file, text } of sources) {
    const parsed = parseManifestText(text, file);
    done += text.length;
    report?.({ done, total });
    objects.push(...parsed.objects);
    warnings.push(...parsed.warnings);
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
      errors.push(...parsed.errors);
    }
    if (parsed.objects.length === 0 && parsed.errors.length === 0 && parsed.nonK8sDocuments > 0)
      nonK8sFiles++;
  }
  const built = buildClusterState(objects, options);
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
    objects,
  };
}
