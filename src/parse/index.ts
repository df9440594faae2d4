/**
 * The input adapter: manifests (files, folders, standard input; YAML or JSON) → a validated `ClusterState`,
 * with every problem as data that points at a file, line, column and field path.
 *
 * `loadManifests` reads; `parseManifestText` and `buildClusterState` are pure.
 */
export { loadManifests, pathMeant, readReason, STDIN_NAME, UNREAD_CODES, whyMissing } from './files.ts';
export { parseManifestText, withoutMark } from './documents.ts';
export { buildClusterState } from './build.ts';
export { describeIgnored } from './ignored.ts';
export { loadSources, type Source } from './sources.ts';
export { cacheDirectory, cacheMaxBytes, openManifestCache, type ManifestCache } from './cache.ts';
export type {
  BuildOptions,
  IgnoredSummary,
  LoadOptions,
  LoadResult,
  ParseResult,
  ParsedObject,
  SkippedObject,
} from './types.ts';
