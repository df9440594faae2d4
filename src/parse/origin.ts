import type { Document, Node } from 'yaml';
import type { ClusterState, Origin } from '../model/cluster.ts';
import type { FieldPath, SourceLocation } from '../model/problem.ts';
import { parseManifestText } from './documents.ts';
import type { ParsedObject } from './types.ts';

/** Where an object of the state came from, with its field locator. */
export function originOf(source: ParsedObject): Origin {
  // An object kept by its text is its own origin: no origin object and locator closure for each object.
  if (source instanceof TextSource) return source;
  return {
    file: source.file,
    line: source.line,
    column: source.column,
    locate: (path) => source.locate(path),
  };
}

/** Every file the state's objects come from. */
export function originFiles(state: ClusterState): Set<string> {
  const files = new Set<string>();
  for (const o of [
    ...state.namespaces,
    ...state.workloads,
    ...state.pods,
    ...state.policies,
    ...state.services,
    ...state.clusterPolicies,
    ...state.nodes,
  ]) {
    if (o.origin !== undefined) files.add(o.origin.file);
  }
  return files;
}

/**
 * The objects read from each file's text again, when a position in one of them is asked for: by file, then
 * by `objectPlace`.
 */
/** The path of an object at the top of its document, shared by every such object kept. */
const TOP: FieldPath = Object.freeze([]);

export type Rereads = Map<string, { text: string; objects: Map<string, ParsedObject> }>;

/** Where an object is in its file: its document and its path in it (unique in the file). */
function objectPlace(o: { documentIndex: number; documentPath: FieldPath }): string {
  return `${o.documentIndex}\u0000${o.documentPath.join('\u0000')}`;
}

/**
 * An object of the state's origins, without the values read from it: its file's text and where in the text
 * it is. The first position asked for reads the text again (`parseManifestText`, pure: the same objects in
 * the same order, so the same positions); only then are that file's values held again.
 *
 * Keeping the `ParsedObject`s themselves for positions kept every value read (and every object of a file
 * with any one of them) for as long as the state lives: half of the parse phase's memory (T3: 64 of 114 MiB;
 * the state's own values are copies made by validation). Objects without their file's text (read by `yaml` or
 * JSON.parse alone, which build their positions eagerly) are kept as they are.
 *
 * It is also the `Origin` of the state's objects made from it (`originOf`): its only own fields are `file`,
 * `line` and `column` (what a copy of an origin, `{ ...origin }`, or its JSON holds, as for a plain origin
 * without its `locate` function); the rest is private, read through getters.
 */
export class TextSource implements ParsedObject, Origin {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly #apiVersion: string;
  readonly #kind: string;
  readonly #documentIndex: number;
  readonly #documentPath: FieldPath;
  readonly #fileText: string;
  readonly #rereads: Rereads;
  #found: ParsedObject | undefined | null = null;

  constructor(source: ParsedObject, fileText: string, rereads: Rereads) {
    this.file = source.file;
    this.line = source.line;
    this.column = source.column;
    this.#apiVersion = source.apiVersion;
    this.#kind = source.kind;
    this.#documentIndex = source.documentIndex;
    this.#documentPath = source.documentPath.length === 0 ? TOP : source.documentPath;
    this.#fileText = fileText;
    this.#rereads = rereads;
  }

  get apiVersion(): string {
    return this.#apiVersion;
  }

  get kind(): string {
    return this.#kind;
  }

  get documentIndex(): number {
    return this.#documentIndex;
  }

  get documentPath(): FieldPath {
    return this.#documentPath;
  }

  get fileText(): string {
    return this.#fileText;
  }

  /** The same object read again from the text: same document, path, kind and start, or none. */
  #again(): ParsedObject | undefined {
    if (this.#found !== null) return this.#found;
    let read = this.#rereads.get(this.file);
    if (read?.text !== this.#fileText) {
      const objects = parseManifestText(this.#fileText, this.file).objects;
      read = { text: this.#fileText, objects: new Map(objects.map((o) => [objectPlace(o), o])) };
      this.#rereads.set(this.file, read);
    }
    const again = read.objects.get(objectPlace(this));
    // The same reading of the same text gives the same object; should it ever differ, no position is better
    // than a wrong one.
    const same =
      again !== undefined &&
      again.kind === this.#kind &&
      again.line === this.line &&
      again.column === this.column;
    this.#found = same ? again : undefined;
    return this.#found;
  }

  get object(): Readonly<Record<string, unknown>> {
    return this.#again()?.object ?? {};
  }

  locate(path: FieldPath): SourceLocation | undefined {
    return this.#again()?.locate(path);
  }

  nodeAt(path: FieldPath): Node | undefined {
    return this.#again()?.nodeAt(path);
  }

  sourceText(path: FieldPath): string | undefined {
    return this.#again()?.sourceText(path);
  }

  get document(): Document.Parsed | undefined {
    return this.#again()?.document;
  }

  get node(): Node | undefined {
    return this.#again()?.node;
  }
}

/** What the state's origins keep of `source`: see `TextSource`. */
export function originSource(source: ParsedObject, rereads: Rereads): ParsedObject {
  if (source instanceof TextSource) return source;
  const { fileText } = source;
  return fileText === undefined ? source : new TextSource(source, fileText, rereads);
}
