/**
 * Types of the input adapter: what `parseManifestText` produces and what `loadManifests` returns.
 */
import type { Document, Node } from 'yaml';
import type { ClusterState } from '../model/cluster.ts';
import type { FieldPath, Problem, SourceLocation } from '../model/problem.ts';
import type { ManifestCache } from './cache.ts';

/**
 * One Kubernetes object read from a manifest, with everything needed to point back into its source.
 *
 * The raw `yaml` nodes stay reachable (`document`, `node`, `nodeAt`) so that a linter can inspect scalar
 * styles (quoted or not, `08080`, `yes`) that the plain JS value no longer shows.
 */
export interface ParsedObject {
  /** The object as plain JS (YAML 1.2 core schema, unless the document declares `%YAML 1.1`). */
  readonly object: Readonly<Record<string, unknown>>;
  /** `object.apiVersion`; for an item of a `*List` without its own, the list's. */
  readonly apiVersion: string;
  /** `object.kind`; for an item of a `FooList` without its own, `Foo`. */
  readonly kind: string;
  readonly file: string;
  /** 1-based line of the object's first field. */
  readonly line: number;
  /** 1-based column of the object's first field. */
  readonly column: number;
  /**
   * Location of a field path inside the object: the key of a mapping entry, the item of a list. A path that
   * does not exist resolves to its deepest existing ancestor (so a missing field points at its parent).
   * Undefined only when the source has no positions (a `.json` file only JSON.parse could read).
   */
  locate(path: FieldPath): SourceLocation | undefined;
  /** The raw `yaml` node at a field path inside the object (aliases resolved), when it exists. */
  nodeAt(path: FieldPath): Node | undefined;
  /** The exact source text of the value at a field path (`08080`, `"80"`, `yes`), when it exists. */
  sourceText(path: FieldPath): string | undefined;
  /** The `yaml` document the object comes from; undefined for a JSON.parse fallback. */
  readonly document: Document.Parsed | undefined;
  /** The object's own `yaml` node (the document's root, or an item of a List). */
  readonly node: Node | undefined;
  /**
   * The whole text of its file, when a fast reader read it (its `yaml` nodes are then built only when asked):
   * a check can rule a file out by its text before asking for nodes.
   */
  readonly fileText?: string;
  /** 0-based index of the document in its file. */
  readonly documentIndex: number;
  /** Path of the object inside its document: `[]` at the top, `['items', 2]` inside a List. */
  readonly documentPath: FieldPath;
}

export interface LoadOptions {
  /** Namespace of namespaced objects that give none (`metadata.namespace` absent or empty). */
  defaultNamespace: string;
  /** Leave invalid objects (and unreadable documents) out, list them in `skipped`, and analyze the rest. */
  skipInvalid: boolean;
  /**
   * Every rejection of the API server is an error, also for fields that do not change connectivity
   * (container names and images, owner references' uid, Service port names, object names) and unknown fields.
   * @default false: those are warnings and the object is read
   */
  strict?: boolean;
  /** Reads standard input for the path `-`. @default reads `process.stdin` */
  readStdin?: () => Promise<string>;
  /** Called after each file is parsed, when there are at least `READ_PROGRESS_BYTES` to read. */
  onProgress?: (progress: ReadingProgress) => void;
  /** Called after each file is parsed and checked, whatever the input's size. */
  afterFile?: (() => void) | undefined;
  /**
   * Return every object read, as parsed (`LoadResult.objects`, for lint's YAML checks). Otherwise the values
   * read are dropped as each file is checked, which saves the garbage collector copying them all.
   * @default false
   */
  keepObjects?: boolean;
  /** Where to find what earlier runs read of the same texts, and to keep what this run reads (`openManifestCache`). */
  cache?: ManifestCache | undefined;
}

/** How far reading the manifests has come, in characters of text. */
export interface ReadingProgress {
  done: number;
  total: number;
}

/** Below this much text (about a second of reading), no progress is reported. */
export const READ_PROGRESS_BYTES = 4_000_000;

export interface SkippedObject {
  /** `namespace/Kind/name` of the object, or `document N` when the document could not be read. */
  object: string;
  file: string;
  line: number;
  /** Every problem that made it invalid, as `path: message`, joined with `; `. */
  reason: string;
}

export interface IgnoredSummary {
  /** Objects of kinds netfence does not analyze (ConfigMap, Ingress, custom resources...). */
  count: number;
  /** The same objects by kind: `{ ConfigMap: 2 }`. */
  kinds: Record<string, number>;
  /** Files with no Kubernetes objects at all (a `package.json`, a Helm `values.yaml`). */
  files: number;
}

export interface LoadResult {
  /** Always returned: with errors, it is built from the valid objects only. */
  state: ClusterState;
  /**
   * Severity `error`: invalid objects, syntax errors, unreadable files. With `skipInvalid`, the problems of
   * skipped objects and documents are in `skipped` instead, and only path and file problems remain here.
   */
  errors: Problem[];
  warnings: Problem[];
  skipped: SkippedObject[];
  ignored: IgnoredSummary;
  /** Documents that are Kubernetes objects (of any kind) or fail to parse as one: 0 when the input has none. */
  found: number;
  /**
   * Of `found`, the definitions of an object defined before (read once, or, of a kind not read, counted once in
   * `ignored`): `found - repeated` counts each object once.
   */
  repeated: number;
  /**
   * Every object read, as parsed, in the order read (set by `loadSources` with `keepObjects`: lint reads them
   * as written).
   */
  objects?: ParsedObject[];
  /**
   * With a cache: the share of the text read (0 to 1) whose reading is in the cache after this load (found
   * there, or kept by it), which the next load of the same files will find.
   */
  cacheShare?: number;
  /**
   * Set by `loadManifests` when the input holds no Kubernetes object, valid or not: one line naming the inputs
   * and why, e.g. `no manifests found in manifests/prod ("manifests/prod" does not exist)`.
   */
  noManifests?: string;
}

export interface ParseResult {
  objects: ParsedObject[];
  errors: Problem[];
  /** Problems that do not make the input invalid (unresolved YAML tags, stray non-Kubernetes documents). */
  warnings: Problem[];
  /** Non-empty documents that are not Kubernetes objects (no string `apiVersion` and `kind`). */
  nonK8sDocuments: number;
}

export interface BuildOptions {
  defaultNamespace: string;
  skipInvalid: boolean;
  /** See `LoadOptions.strict`. @default false */
  strict?: boolean;
  /** See `LoadOptions.keepObjects` (`loadSources`; `buildClusterState` ignores it). @default false */
  keepObjects?: boolean;
}
