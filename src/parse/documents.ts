/**
 * Manifest text → Kubernetes objects with positions. Pure: no file access.
 *
 * YAML and JSON (JSON is YAML), several documents per file, `kind: List` and every `*List` kind. Each object
 * can give its `yaml` node, so every field path maps back to a line and column. Ordinary text is read by a
 * fast reader first; a position inside an object comes from the fast reader's events (src/parse/locate.ts),
 * and from `yaml` (keeping nodes and positions) only when those cannot tell or a node is asked for.
 */
import { EVENT_ID, SCALAR_STYLE, constructFromEvents, getScalarValue, parseEvents } from 'js-yaml';
import type { Event } from 'js-yaml';
import type { Alias, Document, Node } from 'yaml';
import type { FieldPath, Problem, SourceLocation } from '../model/problem.ts';
import type { ParseResult, ParsedObject } from './types.ts';
import { jsonErrorOffset } from './json-position.ts';
import { FAST_SCHEMA, readFastYaml, type FastYaml } from './fast-yaml.ts';
import { textLocator, skipNode, type TextLocator } from './locate.ts';
import { describeValue, isMap } from './values.ts';
import { yaml } from './yaml.ts';
import { lowerBound } from '../base/sorted.ts';

interface Source {
  file: string;
  /** The whole text of the file. */
  text: string;
  /** Line starts of the whole text. */
  lineCounter: Lines;
  /** Offset in `text` of what `document` was parsed from (a JSON value in a stream of them; else 0). */
  base: number;
  document: Document.Parsed | undefined;
  documentIndex: number;
}

function resolveNode(source: Source, node: unknown): Node | undefined {
  const { isAlias, isMap: isYamlMap, isScalar, isSeq } = yaml();
  if (isAlias(node))
    return source.document === undefined ? undefined : resolveNode(source, node.resolve(source.document));
  return isYamlMap(node) || isSeq(node) || isScalar(node) ? node : undefined;
}

interface Step {
  /** The node of the value at the path, when the path exists. */
  value: Node | undefined;
  /** Offset of the deepest existing field: the key of a mapping entry, or a list item. */
  offset: number | undefined;
}

function walk(source: Source, root: Node | undefined, path: FieldPath): Step {
  const { isMap: isYamlMap, isScalar, isSeq } = yaml();
  let node: Node | undefined = root;
  let offset = root?.range?.[0];
  for (const part of path) {
    const current = resolveNode(source, node);
    if (isYamlMap(current)) {
      const pair = current.items.find((p) => isScalar(p.key) && String(p.key.value) === String(part));
      if (pair === undefined) return { value: undefined, offset };
      const keyNode = pair.key as Node;
      offset = keyNode.range?.[0] ?? offset;
      node = (pair.value as Node | null) ?? undefined;
      if (node === undefined) return { value: undefined, offset };
    } else if (isSeq(current) && typeof part === 'number') {
      const item = current.items[part] as Node | null | undefined;
      if (item === undefined || item === null) return { value: undefined, offset };
      offset = item.range?.[0] ?? offset;
      node = item;
    } else {
      return { value: undefined, offset };
    }
  }
  return { value: resolveNode(source, node), offset };
}

function position(source: Source, offset: number): SourceLocation {
  const { line, col } = source.lineCounter.linePos(source.base + offset);
  return { file: source.file, line, column: col };
}

function makeObject(
  source: Source,
  node: Node | undefined,
  documentPath: FieldPath,
  object: Record<string, unknown>,
  apiVersion: string,
  kind: string,
): ParsedObject {
  const start = node?.range?.[0];
  const at = position(source, start ?? 0);
  return {
    object,
    apiVersion,
    kind,
    file: source.file,
    line: at.line,
    column: at.column,
    locate(path) {
      if (node === undefined) return undefined;
      const { offset } = walk(source, node, path);
      return offset === undefined ? undefined : position(source, offset);
    },
    nodeAt(path) {
      return node === undefined ? undefined : walk(source, node, path).value;
    },
    sourceText(path) {
      const value = node === undefined ? undefined : walk(source, node, path).value;
      const range = value?.range;
      return range === undefined || range === null
        ? undefined
        : source.text.slice(source.base + range[0], source.base + range[1]);
    },
    document: source.document,
    node,
    documentIndex: source.documentIndex,
    documentPath,
  };
}

function isListKind(kind: string, value: Record<string, unknown>): boolean {
  return kind === 'List' || (kind.length > 4 && kind.endsWith('List') && 'items' in value);
}

/** What the items of a list inherit: nothing from `List`, the list's apiVersion and item kind from `FooList`. */
function listItemDefaults(apiVersion: string, kind: string): { apiVersion: string; kind: string } {
  return kind === 'List' ? { apiVersion: '', kind: '' } : { apiVersion, kind: kind.slice(0, -4) };
}

interface Collected {
  objects: ParsedObject[];
  errors: Problem[];
  /** Where each document that is not a Kubernetes object starts. */
  strays: SourceLocation[];
}

function problemAt(
  source: Source,
  offset: number | undefined,
  code: string,
  path: FieldPath,
  message: string,
): Problem {
  const at = position(source, offset ?? 0);
  return { code, severity: 'error', message, file: source.file, line: at.line, column: at.column, path };
}

/** Adds one document's value (or one List item) to `out`, expanding Lists. */
function collect(
  source: Source,
  value: unknown,
  node: Node | undefined,
  documentPath: FieldPath,
  inherited: { apiVersion: string; kind: string } | undefined,
  out: Collected,
): void {
  const offset = node?.range?.[0];
  const start = position(source, offset ?? 0);
  if (!isMap(value)) {
    if (inherited === undefined) out.strays.push(start);
    else
      out.errors.push(
        problemAt(
          source,
          offset,
          'not-an-object',
          documentPath,
          `must be a Kubernetes object, got ${describeValue(value)}`,
        ),
      );
    return;
  }
  const apiVersion = value.apiVersion ?? inherited?.apiVersion;
  const kind = value.kind ?? inherited?.kind;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string' || apiVersion === '' || kind === '') {
    if (inherited === undefined && value.apiVersion === undefined && value.kind === undefined) {
      out.strays.push(start);
      return;
    }
    const missing = (['apiVersion', 'kind'] as const).filter((f) => {
      const v = f === 'apiVersion' ? apiVersion : kind;
      return typeof v !== 'string' || v === '';
    });
    const wrongType = missing.find(
      (f) => value[f] !== undefined && value[f] !== null && typeof value[f] !== 'string',
    );
    if (wrongType !== undefined) {
      const at = walk(source, node, [wrongType]).offset;
      const message = `must be a string, got ${describeValue(value[wrongType])}`;
      out.errors.push(problemAt(source, at, 'wrong-type', [...documentPath, wrongType], message));
    } else {
      const verb = missing.length > 1 ? 'are' : 'is';
      const message = `${missing.join(' and ')} ${verb} missing: every Kubernetes object needs a string apiVersion and kind`;
      out.errors.push(problemAt(source, offset, 'missing-kind', documentPath, message));
    }
    return;
  }
  if (isListKind(kind, value)) {
    const items = value.items;
    if (items === undefined || items === null) return;
    if (!Array.isArray(items)) {
      out.errors.push(
        problemAt(
          source,
          walk(source, node, ['items']).offset,
          'wrong-type',
          [...documentPath, 'items'],
          `must be a list of objects, got ${describeValue(items)}`,
        ),
      );
      return;
    }
    const itemDefaults = listItemDefaults(apiVersion, kind);
    for (const [i, item] of items.entries()) {
      const itemNode = walk(source, node, ['items', i]).value;
      collect(source, item, itemNode, [...documentPath, 'items', i], itemDefaults, out);
    }
    return;
  }
  out.objects.push(makeObject(source, node, documentPath, value, apiVersion, kind));
}

/** Said of text nested deeper than the readers' stack (`yaml` reports it as RESOURCE_EXHAUSTION). */
const TOO_DEEP =
  'collections nested too deeply to read (thousands of levels); a manifest nests a few dozen: check what wrote this file';

/**
 * The first alias inside the collection its anchor names (`&a [*a]`), whose value would contain itself
 * (`toJS` makes a cycle of it, which kubectl refuses); undefined when there is none. Aliases are rare in
 * manifests: a document without one is not walked.
 */
function selfContainingAlias(document: Document, text: string): Alias | undefined {
  const range = document.range ?? [0, text.length, text.length];
  if (!text.slice(range[0], range[2]).includes('*')) return undefined;
  let found: Alias | undefined;
  const { visit } = yaml();
  visit(document, {
    Alias(_key, node, path) {
      const target = node.resolve(document);
      if (target === undefined || !path.includes(target)) return undefined;
      found = node;
      return visit.BREAK;
    },
  });
  return found;
}

/** `yaml`'s error for aliases that expand to too much (`toJS`'s `maxAliasCount`, 100 by default). */
const ALIAS_BOMB = /alias count/i;

/** `Map keys must be unique at line 2, column 1:\n...` → `Map keys must be unique`. */
function yamlMessage(code: string, message: string, text: string, pos: readonly number[]): string {
  if (code === 'DUPLICATE_KEY') {
    const key = (/^[^:\n]*/.exec(text.slice(pos[0]))?.[0] ?? '').trim();
    // `cat a.yaml b.yaml` where a.yaml lacks a trailing `---`: the second object's header repeats the first's.
    const atLineStart = pos[0] === 0 || text[(pos[0] ?? 0) - 1] === '\n';
    if (atLineStart && (key === 'apiVersion' || key === 'kind')) {
      return `invalid YAML: the key ${JSON.stringify(key)} appears twice: is a \`---\` missing between two documents? Put a line \`---\` before the second object`;
    }
    return `invalid YAML: the key ${JSON.stringify(key)} appears twice in the same mapping; keep one`;
  }
  if (code === 'TAB_AS_INDENT') return 'invalid YAML: tabs are not allowed for indentation; use spaces';
  if (code === 'RESOURCE_EXHAUSTION') return `invalid YAML: ${TOO_DEEP}`;
  const first = message.split('\n')[0] ?? message;
  return `invalid YAML: ${first.replace(/ at line \d+, column \d+:?$/, '')}`;
}

/** Where each top-level JSON value of a stream starts and ends; undefined when the text is not such a stream. */
function splitJsonValues(text: string): { start: number; end: number }[] | undefined {
  const values: { start: number; end: number }[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (i >= text.length) break;
    if (text[i] !== '{' && text[i] !== '[') return undefined;
    const start = i;
    let depth = 0;
    let inString = false;
    for (; i < text.length; i++) {
      const ch = text[i];
      if (inString) {
        if (ch === '\\') i++;
        else if (ch === '"') inString = false;
      } else if (ch === '"') inString = true;
      else if (ch === '{' || ch === '[') depth++;
      else if (ch === '}' || ch === ']') {
        depth--;
        if (depth === 0) break;
      }
    }
    if (depth !== 0) return undefined;
    values.push({ start, end: i + 1 });
    i++;
  }
  return values.length > 0 ? values : undefined;
}

/** Positions of offsets: what `yaml`'s LineCounter answers (1-based line and column), without loading `yaml`. */
interface Lines {
  linePos(offset: number): { line: number; col: number };
}

/** Line starts of `text`, for positions of offsets (as `yaml`'s LineCounter given every line start). */
function lineCounterOf(text: string): Lines {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return {
    linePos(offset) {
      const low = lowerBound(starts, offset);
      if (starts[low] === offset) return { line: low + 1, col: 1 };
      if (low === 0) return { line: 0, col: offset };
      return { line: low, col: offset - starts[low - 1]! + 1 };
    },
  };
}

/** A stream of JSON values, each read by JSON.parse and, for positions, by `yaml`. */
function parseJsonStream(file: string, text: string): Collected | undefined {
  const chunks = splitJsonValues(text);
  if (chunks === undefined) {
    try {
      JSON.parse(text);
    } catch (error) {
      return { objects: [], errors: [jsonProblem(file, text, error, 0, text.length)], strays: [] };
    }
    return undefined;
  }
  const lineCounter = lineCounterOf(text);
  const out: Collected = { objects: [], errors: [], strays: [] };
  for (const [documentIndex, { start, end }] of chunks.entries()) {
    const chunk = text.slice(start, end);
    let value: unknown;
    try {
      value = JSON.parse(chunk);
    } catch (error) {
      out.errors.push(jsonProblem(file, text, error, start, end));
      continue;
    }
    const parsed = yaml().parseAllDocuments(chunk, { logLevel: 'error' });
    const document =
      Array.isArray(parsed) && parsed.length === 1 && parsed[0]!.errors.length === 0 ? parsed[0] : undefined;
    const source: Source = { file, text, lineCounter, base: start, document, documentIndex };
    const root = document === undefined ? undefined : resolveNode(source, document.contents);
    collect(source, value, root, [], undefined, out);
  }
  return out;
}

/**
 * Node's `JSON.parse` message → message and position (`base`, `end`: where the parsed text starts and ends in
 * `text`). When the message gives no position (`Unexpected token '}', "…" is not valid JSON`, `Unexpected end
 * of JSON input`), the position is found in the text.
 */
function jsonProblem(file: string, text: string, error: unknown, base: number, end: number): Problem {
  const message = error instanceof Error ? error.message : String(error);
  const pos = /at position (\d+)/.exec(message);
  let offset = pos === null ? jsonErrorOffset(text, base, end) : base + Number(pos[1]);
  // Cut short: point just after the last thing written, not at trailing blank lines.
  if (offset !== undefined && offset === end) offset = base + text.slice(base, end).trimEnd().length;
  const before = text.slice(0, offset ?? base);
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  const clean = message.replace(/ in JSON at position \d+.*$/, '').replace(/ \(line \d+ column \d+\)$/, '');
  return {
    code: 'json-syntax',
    severity: 'error',
    message: `invalid JSON: ${clean}`,
    file,
    line,
    column,
    path: [],
  };
}

/** A file's text as the parser reads it: without its byte order mark. */
export function withoutMark(text: string): string {
  return text.startsWith('\uFEFF') ? text.slice(1) : text;
}

/** A CR that no LF follows: a line break of YAML 1.2 (5.4, b-break; js-yaml and kubectl read it so), not of `yaml`. */
const LONE_CR = /\r(?!\n)/g;

/**
 * `withoutMark(text)`, with each lone CR (line ends of classic Mac OS files, or of a file whose LFs were lost)
 * made the LF it stands for, at the same offset: every reader, and the positions, then break lines there.
 */
function bodyOf(text: string): string {
  const body = withoutMark(text);
  return body.includes('\r') ? body.replace(LONE_CR, '\n') : body;
}

/**
 * Parses manifest text into Kubernetes objects with positions. Pure.
 *
 * Documents that are not Kubernetes objects (no string `apiVersion` and `kind`) are counted in
 * `nonK8sDocuments`; when the same text also has Kubernetes objects, each one also gets a warning.
 * A document with a syntax error is reported (its first error only: later ones usually follow from it)
 * and left out; the other documents are still read.
 */
export function parseManifestText(text: string, file: string): ParseResult {
  const body = bodyOf(text);
  // A second BOM would shift the lazily read positions by one: leave such text to `yaml`.
  if (body.startsWith('\uFEFF')) return parseManifestTextExact(text, file);
  return (
    fastParse(body, file, withoutDocumentMarks(body)) ??
    fastJsonStream(body, file) ??
    parseManifestTextExact(text, file)
  );
}

/** A line that is a document marker (`---`, `...`) with nothing after it but a comment; a mark before it allowed. */
const MARKER_LINE = /^\uFEFF?(?:---|\.\.\.)(?:[ \t]+(?:#.*)?)?\r?$/;
/** A line with nothing but spaces, or a comment; a mark before it allowed. */
const PREFIX_LINE = /^\uFEFF?[ \t]*(?:#.*)?\r?$/;

/**
 * `body` with each byte order mark that starts a document out of the readers' way, at the same length (every
 * offset of the text read is its offset in `body`, so positions and the text of a node are counted in
 * `body`, the file as written: a mark counts as a column, as in an editor); `body` itself when it has none.
 *
 * YAML allows a mark at the start of every document of a stream (YAML 1.2 9.1.1, l-document-prefix), as
 * `cat a.yaml b.yaml` of two files saved with one makes, and kubectl reads such a file; both readers here
 * read it as part of the document's first key. Such a mark starts a line that is a document marker
 * (`\uFEFF---`), or a line that only a document marker (or the start of the text) and blank or comment lines
 * come before. The line break before it becomes CR LF (one line break, in a block scalar too); after CR LF, a
 * space before the break where the line before is a marker, blank or comment line, else a space after the
 * marker (`--- `). A mark anywhere else, inside a document, is text and stays. A mark that starts `body`
 * (the file's second) is left to `yaml`, which skips it.
 */
function withoutDocumentMarks(body: string): string {
  const marks = documentMarks(body);
  if (marks.length === 0) return body;
  const moved = moveMarks(body, marks);
  const errors = syntaxErrors(moved);
  if (errors === 0) return moved;
  // A line that starts with a mark and a marker can also be text, inside a quoted or flow scalar
  // (`"a\n\uFEFF...\n b"`): moving that mark would end the document there. So each mark is moved only where
  // that makes no syntax error more than the text as written has (one `yaml` read a mark; marks are rare).
  let kept: number[] = [];
  let least = syntaxErrors(body);
  for (const mark of marks) {
    const next = [...kept, mark];
    const count = syntaxErrors(moveMarks(body, next));
    if (count > least) continue;
    kept = next;
    least = count;
  }
  return moveMarks(body, kept);
}

/** How many syntax errors `yaml` finds in the documents of `text`. */
function syntaxErrors(text: string): number {
  let count = 0;
  for (const document of yaml().parseAllDocuments(text, { prettyErrors: false, logLevel: 'silent' }))
    count += document.errors.length;
  return count;
}

/** The offsets of the marks of `body` that start a document (see `withoutDocumentMarks`). */
function documentMarks(body: string): number[] {
  const marks: number[] = [];
  for (let i = body.indexOf('\uFEFF', 1); i >= 0; i = body.indexOf('\uFEFF', i + 1)) {
    if (body[i - 1] !== '\n') continue;
    if (MARKER_LINE.test(lineAt(body, i)) || inPrefix(body, i)) marks.push(i);
  }
  return marks;
}

/** The line of `body` that starts at `start`, without its line break. */
function lineAt(body: string, start: number): string {
  const lineEnd = body.indexOf('\n', start);
  return body.slice(start, lineEnd < 0 ? body.length : lineEnd);
}

/** `body` with the marks at `marks` (offsets in order, each one of `documentMarks`) moved, at the same length. */
function moveMarks(body: string, marks: readonly number[]): string {
  let out = '';
  let copied = 0;
  for (const i of marks) {
    if (body[i - 2] !== '\r') out += `${body.slice(copied, i - 1)}\r\n`;
    else if (inPrefix(body, i)) out += `${body.slice(copied, i - 2)} \r\n`;
    else {
      out += `${body.slice(copied, i)}${lineAt(body, i).slice(1, 4)} `;
      copied = i + 4;
      continue;
    }
    copied = i + 1;
  }
  return copied === 0 ? body : out + body.slice(copied);
}

/**
 * Whether the line starting at `start` comes before any content of its document: the lines before it, back
 * to a document marker line or the start of the text, are blank or comments.
 */
function inPrefix(body: string, start: number): boolean {
  let end = start - 1;
  while (end >= 0) {
    const lineStart = body.lastIndexOf('\n', end - 1) + 1;
    const line = body.slice(lineStart, end);
    if (MARKER_LINE.test(line)) return true;
    if (!PREFIX_LINE.test(line)) return false;
    end = lineStart - 1;
  }
  return true;
}

/**
 * The same with the `yaml` reader only: every position, every problem, the nodes, built eagerly. The fast
 * path of `parseManifestText` must give the same answer; tests compare the two.
 */
export function parseManifestTextExact(text: string, file: string): ParseResult {
  const body = bodyOf(text);
  const read = withoutDocumentMarks(body);
  // Positions are counted in `body` (the same offsets as `read`, whose line starts may differ by a moved mark).
  const yamlLines = new (yaml().LineCounter)();
  const lineCounter: Lines = read === body ? yamlLines : lineCounterOf(body);
  // logLevel 'error': `yaml` would print some warnings on stderr itself (a collection as a key); its warnings
  // that matter are in `document.warnings`, reported below as problems.
  const documents = yaml().parseAllDocuments(read, {
    lineCounter: yamlLines,
    merge: true,
    prettyErrors: false,
    logLevel: 'error',
  });
  const out: Collected = { objects: [], errors: [], strays: [] };
  const warnings: Problem[] = [];
  const syntaxErrors: Problem[] = [];
  const isJsonFile = file.toLowerCase().endsWith('.json');

  for (const [documentIndex, document] of documents.entries()) {
    const source: Source = { file, text: body, lineCounter, base: 0, document, documentIndex };
    const first = document.errors[0];
    if (first !== undefined) {
      const at = position(source, first.pos[0]);
      syntaxErrors.push({
        code: 'yaml-syntax',
        severity: 'error',
        message: yamlMessage(first.code, first.message, body, first.pos),
        file,
        line: at.line,
        column: at.column,
        path: [],
      });
      continue;
    }
    for (const warning of document.warnings) {
      const at = position(source, warning.pos[0]);
      const message = (warning.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
      warnings.push({
        code: 'yaml-warning',
        severity: 'warning',
        message,
        file,
        line: at.line,
        column: at.column,
        path: [],
      });
    }
    const cycle = selfContainingAlias(document, body);
    if (cycle !== undefined) {
      syntaxErrors.push(
        problemAt(
          source,
          cycle.range?.[0] ?? 0,
          'yaml-syntax',
          [],
          `invalid YAML: the alias *${cycle.source} stands inside the value its anchor &${cycle.source} names, so that value would contain itself; write the value out`,
        ),
      );
      continue;
    }
    let value: unknown;
    try {
      value = document.toJS();
    } catch (error) {
      const offset = document.contents?.range[0] ?? 0;
      const reason = error instanceof Error ? error.message : String(error);
      const message = ALIAS_BOMB.test(reason)
        ? 'invalid YAML: its aliases (*name) expand to too much data (aliases of anchors that hold aliases, a "billion laughs"); write the values out, or use fewer aliases'
        : `invalid YAML: ${reason}`;
      syntaxErrors.push(problemAt(source, offset, 'yaml-syntax', [], message));
      continue;
    }
    if (value === null || value === undefined) continue;
    const root = resolveNode(source, document.contents);
    collect(source, value, root, [], undefined, out);
  }

  if (syntaxErrors.length > 0 && (isJsonFile || /^\s*[[{]/.test(body))) {
    // Some JSON is not YAML: several JSON values one after the other (JSON Lines, `jq -c`). Read it as JSON.
    const stream = parseJsonStream(file, body);
    if (stream !== undefined && (stream.errors.length === 0 || isJsonFile))
      return finish(file, stream, warnings);
  }
  return finish(file, { ...out, errors: [...syntaxErrors, ...out.errors] }, warnings);
}

function finish(file: string, out: Collected, warnings: Problem[]): ParseResult {
  if (out.objects.length > 0) {
    for (const at of out.strays) {
      warnings.push({
        code: 'not-a-kubernetes-object',
        severity: 'warning',
        message: 'this document is not a Kubernetes object (it has no apiVersion and kind): ignored',
        file,
        line: at.line,
        column: at.column,
        path: [],
      });
    }
  }
  const byPosition = (a: Problem, b: Problem): number =>
    (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0);
  return {
    objects: out.objects,
    errors: [...out.errors].sort(byPosition),
    warnings: [...warnings].sort(byPosition),
    nonK8sDocuments: out.strays.length,
  };
}

// ---------------------------------------------------------------------------------------------------------
// The fast path: src/parse/fast-yaml.ts (for the YAML manifests usually are), else js-yaml (about ten times
// faster than `yaml`), reads the values of text on which both readers
// agree; `yaml` reads the file again only when a position or node is asked for (a problem to report, lint,
// explain), which for most files is never.

/**
 * Text the fast reader leaves to `yaml`: where the two could read different values, or where `yaml` has
 * warnings to give. test/parse/fast-path.test.ts compares the two readers on all of these. One pattern
 * each, with lookbehinds: several times faster than one alternation.
 */
const FULL_PARSER_ONLY = [
  /^%/m, // directives
  /!/, // tags
  /(?<=^|[\s,[{])[&*]\S/m, // anchors and aliases
  /(?<=^[ -]*)\?(?:\s|$)/m, // explicit keys
  /\t/,
  /__proto__/,
  /(?<=^|[\s,[{-]):(?:\s|$)/m, // empty keys: "" for `yaml`, "null" for js-yaml
  /(?<=^|[\s,[{-])(?:~|null|Null|NULL)\s*:(?:\s|$)/m, // null keys: "" for `yaml`, "null" for js-yaml
  /(?<=^|[\s:,[{])[-+]?[\d.]+[eE][-+]?\d{3,}(?:[\s,\]}:]|$)/m, // beyond a double: Infinity for `yaml`, a string for js-yaml
  /\r(?!\n)/, // a lone CR: a line break for js-yaml (YAML 1.2), not for `yaml`
  /^\.\.\.(?:\s|$)/m, // document end markers: `yaml` counts an empty document after a leading or repeated one
  /\\U/, // \U escapes: js-yaml accepts code points beyond U+10FFFF
];

const { DOCUMENT, MAPPING, SEQUENCE, SCALAR, POP, ALIAS } = EVENT_ID;

function eventStart(e: Event): number {
  if (e.type === SCALAR) return e.valueStart;
  if (e.type === MAPPING || e.type === SEQUENCE) return e.start;
  return 0;
}

/** Per document: where its root node starts and, for a mapping with an `items` list, where each item starts. */
function documentStarts(source: string, events: readonly Event[]): { root: number; items: number[] }[] {
  const out: { root: number; items: number[] }[] = [];
  for (let i = 0; i < events.length; i++) {
    if (events[i]!.type !== DOCUMENT) continue;
    const root = events[i + 1];
    const doc = { root: root === undefined ? 0 : eventStart(root), items: [] as number[] };
    out.push(doc);
    if (root?.type !== MAPPING) continue;
    for (let j = i + 2; j < events.length && events[j]!.type !== POP;) {
      const key = events[j]!;
      const valueAt = skipNode(events, j);
      if (
        key.type === SCALAR &&
        getScalarValue(source, key) === 'items' &&
        events[valueAt]?.type === SEQUENCE
      ) {
        for (let k = valueAt + 1; k < events.length && events[k]!.type !== POP; k = skipNode(events, k))
          doc.items.push(eventStart(events[k]!));
      }
      j = skipNode(events, valueAt);
    }
  }
  return out;
}

function nonEmpty(v: unknown): v is string {
  return typeof v === 'string' && v !== '';
}

/**
 * What the objects of one text read by a fast reader share: the text, its line starts and the `yaml` reading
 * of it, each made on the first request.
 */
class LazyText {
  readonly body: string;
  readonly file: string;
  readonly locator: TextLocator | undefined;
  readonly objects: LazyObject[] = [];
  #lines: Lines | undefined;
  #exact: ParseResult | undefined;

  constructor(body: string, file: string, locator: TextLocator | undefined) {
    this.body = body;
    this.file = file;
    this.locator = locator;
  }

  /** Counted up to `#counted` (on line `#line`, which starts at `#lineStart`), for `startPos`. */
  #counted = 0;
  #line = 1;
  #lineStart = 0;

  linePos(offset: number): { line: number; col: number } {
    return (this.#lines ??= lineCounterOf(this.body)).linePos(offset);
  }

  /**
   * `linePos` of where an object starts, counting lines from the previous object's start: objects come in
   * the order of the text, and the line starts of the whole text (an array kept as long as the objects) are
   * made only when a position inside an object is asked for.
   */
  startPos(offset: number): { line: number; col: number } {
    if (offset < this.#counted || this.#lines !== undefined) return this.linePos(offset);
    const { body } = this;
    for (let i = body.indexOf('\n', this.#counted); i >= 0 && i < offset; i = body.indexOf('\n', i + 1)) {
      this.#line++;
      this.#lineStart = i + 1;
    }
    this.#counted = offset;
    return { line: this.#line, col: offset - this.#lineStart + 1 };
  }

  /** Object `n` as `yaml` reads it (object `n` of both readers is the same object). */
  exactObject(n: number): ParsedObject | undefined {
    const theirs = (this.#exact ??= parseManifestTextExact(this.body, this.file)).objects[n];
    const mine = this.objects[n]!;
    // The same object in both readers (the guards see to it); should they ever differ, no position is
    // better than a wrong one.
    const same =
      theirs !== undefined &&
      theirs.documentIndex === mine.documentIndex &&
      theirs.kind === mine.kind &&
      theirs.line === mine.line &&
      theirs.column === mine.column;
    return same ? theirs : undefined;
  }
}

/**
 * An object read by a fast reader, at its position; positions inside it come from the fast reader's events
 * when they are sure to be what `yaml` gives, else (and its nodes) from `yaml` reading the whole text. A class
 * rather than an object literal with closures: one of these is made for every object read.
 */
class LazyObject implements ParsedObject {
  readonly object: Record<string, unknown>;
  readonly apiVersion: string;
  readonly kind: string;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly documentIndex: number;
  readonly documentPath: FieldPath;
  readonly #text: LazyText;
  readonly #n: number;

  constructor(
    text: LazyText,
    object: Record<string, unknown>,
    kinds: [string, string],
    at: readonly [line: number, column: number],
    within: [number, FieldPath],
  ) {
    this.object = object;
    this.apiVersion = kinds[0];
    this.kind = kinds[1];
    this.file = text.file;
    this.line = at[0];
    this.column = at[1];
    this.documentIndex = within[0];
    this.documentPath = within[1];
    this.#text = text;
    this.#n = text.objects.length;
  }

  get fileText(): string {
    return this.#text.body;
  }

  locate(path: FieldPath): SourceLocation | undefined {
    const text = this.#text;
    const fast = text.locator?.offset(this.documentIndex, this.documentPath, path);
    if (fast === undefined) return text.exactObject(this.#n)?.locate(path);
    const where = text.linePos(fast);
    return { file: this.file, line: where.line, column: where.col };
  }

  nodeAt(path: FieldPath): Node | undefined {
    return this.#text.exactObject(this.#n)?.nodeAt(path);
  }

  sourceText(path: FieldPath): string | undefined {
    return this.#text.exactObject(this.#n)?.sourceText(path);
  }

  get document(): Document.Parsed | undefined {
    return this.#text.exactObject(this.#n)?.document;
  }

  get node(): Node | undefined {
    return this.#text.exactObject(this.#n)?.node;
  }
}

/**
 * Objects read by a fast reader, each at its position (`LazyObject`); nodes, and positions inside them, come
 * from `parseManifestTextExact` of the whole text, read on the first request (object `n` of both is the same).
 */
function lazyObjects(
  body: string,
  file: string,
  locator?: TextLocator,
): {
  objects: ParsedObject[];
  add: (
    object: Record<string, unknown>,
    kinds: [string, string],
    start: number | readonly [line: number, column: number],
    at: [number, FieldPath],
  ) => void;
} {
  const text = new LazyText(body, file, locator);
  const add = (
    object: Record<string, unknown>,
    kinds: [string, string],
    start: number | readonly [line: number, column: number],
    at: [number, FieldPath],
  ): void => {
    let position: readonly [number, number];
    if (typeof start === 'number') {
      const { line, col } = text.startPos(start);
      position = [line, col];
    } else position = start;
    text.objects.push(new LazyObject(text, object, kinds, position, at));
  };
  return { objects: text.objects, add };
}

/**
 * Several JSON values one after the other (JSON Lines, `jq -c`), which YAML cannot read: each read by
 * JSON.parse. Undefined unless the text is such a stream of well-formed objects (no Lists).
 */
function fastJsonStream(body: string, file: string): ParseResult | undefined {
  if (!/^\s*[[{]/.test(body)) return undefined;
  const chunks = splitJsonValues(body);
  if (chunks === undefined || chunks.length < 2) return undefined;
  const { objects, add } = lazyObjects(body, file);
  for (const [documentIndex, { start, end }] of chunks.entries()) {
    let value: unknown;
    try {
      value = JSON.parse(body.slice(start, end));
    } catch {
      return undefined;
    }
    if (!isMap(value) || !nonEmpty(value.apiVersion) || !nonEmpty(value.kind)) return undefined;
    if (isListKind(value.kind, value)) return undefined;
    add(value, [value.apiVersion, value.kind], start, [documentIndex, []]);
  }
  return { objects, errors: [], warnings: [], nonK8sDocuments: 0 };
}

/**
 * Whether an alias stands inside the collection its anchor names (`&a [*a]`): a value that contains itself,
 * which kubectl refuses (`anchor 'a' value contains itself`) and js-yaml reads as a cycle that no check
 * could walk to its end.
 */
function hasSelfContainingAlias(source: string, events: readonly Event[]): boolean {
  // The anchors of the collections open at each event (undefined for one without an anchor, and documents).
  const open: (string | undefined)[] = [];
  for (const e of events) {
    if (e.type === POP) open.pop();
    else if (e.type === DOCUMENT) open.push(undefined);
    else if (e.type === MAPPING || e.type === SEQUENCE)
      open.push(e.anchorEnd > e.anchorStart ? source.slice(e.anchorStart, e.anchorEnd) : undefined);
    else if (e.type === ALIAS && open.includes(source.slice(e.anchorStart, e.anchorEnd))) return true;
  }
  return false;
}

/**
 * Scalars the readers could read differently, which no pattern finds cheaply: a mapping key longer than
 * `yaml` allows for an implicit key (1024 characters up to its `:`), and a long plain scalar that starts like
 * a number (one beyond a double: Infinity for `yaml`, a string for js-yaml).
 */
function hasUnsafeScalar(source: string, events: readonly Event[]): boolean {
  const stack: { map: boolean; n: number }[] = [];
  for (const e of events) {
    if (e.type === POP) {
      stack.pop();
      continue;
    }
    const top = stack[stack.length - 1];
    if (e.type === SCALAR) {
      const length = e.valueEnd - e.valueStart;
      if (length >= 200 && e.style === SCALAR_STYLE.PLAIN && /[-+.\d]/.test(source[e.valueStart] ?? ''))
        return true;
      // In a mapping, events alternate key, value: every other node is a key.
      if (top?.map === true && top.n % 2 === 0 && length > 1000) return true;
    }
    if (top?.map === true) top.n++;
    if (e.type === MAPPING || e.type === SEQUENCE || e.type === DOCUMENT)
      stack.push({ map: e.type === MAPPING, n: 0 });
  }
  return false;
}

/**
 * The values of `body` as js-yaml reads them, with where each document and List item starts; undefined on a
 * syntax error or a scalar the readers could read differently (see `hasUnsafeScalar`).
 */
export function readWithJsYaml(body: string): FastYaml | undefined {
  let events: Event[];
  let values: unknown[];
  try {
    events = parseEvents(body, {});
    values = constructFromEvents(events, { source: body, schema: FAST_SCHEMA });
  } catch {
    return undefined;
  }
  // `yaml` reads it again, and says where the value contains itself.
  if (hasUnsafeScalar(body, events) || hasSelfContainingAlias(body, events)) return undefined;
  return { values, starts: documentStarts(body, events) };
}

/**
 * The objects of `body` read by the fast reader (src/parse/fast-yaml.ts) or, where it declines, js-yaml,
 * with their positions; undefined when `yaml` must read it (text the readers could read differently, a syntax error, anything that is not a well-formed object: `yaml` then
 * reports it, at its position, exactly as without the fast path).
 */
function fastParse(body: string, file: string, text: string): ParseResult | undefined {
  // `text`: `body` as the readers read it (`withoutDocumentMarks`), at the same offsets.
  // Text the hand-written reader reads has none of what FULL_PARSER_ONLY looks for (it declines directives,
  // tags, anchors, aliases, explicit, empty and null keys, huge numbers, tabs, `__proto__` keys, lone CRs,
  // `...` and `\U` escapes: what is left of them is text inside scalars and comments, read alike by js-yaml
  // and `yaml`).
  const fast = readFastYaml(text);
  if (fast === undefined && FULL_PARSER_ONLY.some((pattern) => pattern.test(text))) return undefined;
  const read = fast ?? readWithJsYaml(text);
  if (read === undefined) return undefined;
  const { values, starts } = read;
  if (starts.length !== values.length) return undefined;
  const { objects, add } = lazyObjects(body, file, textLocator(text));
  for (const [documentIndex, value] of values.entries()) {
    if (value === null || value === undefined) continue;
    if (!isMap(value) || !nonEmpty(value.apiVersion) || !nonEmpty(value.kind)) return undefined;
    const { apiVersion, kind } = value;
    const start = starts[documentIndex]!;
    if (!isListKind(kind, value)) {
      add(value, [apiVersion, kind], start.root, [documentIndex, []]);
      continue;
    }
    const items = value.items;
    if (items === undefined || items === null) continue;
    if (!Array.isArray(items) || items.length !== start.items.length) return undefined;
    const defaults = listItemDefaults(apiVersion, kind);
    for (const [i, item] of (items as unknown[]).entries()) {
      if (!isMap(item)) return undefined;
      const itemApiVersion = item.apiVersion ?? defaults.apiVersion;
      const itemKind = item.kind ?? defaults.kind;
      if (!nonEmpty(itemApiVersion) || !nonEmpty(itemKind) || isListKind(itemKind, item)) return undefined;
      add(item, [itemApiVersion, itemKind], start.items[i]!, [documentIndex, ['items', i]]);
    }
  }
  return { objects, errors: [], warnings: [], nonK8sDocuments: 0 };
}

// ---------------------------------------------------------------------------------------------------------
// What a cache keeps of a parse: the values and where each object starts. The nodes and positions inside an
// object come, as on the fast path, from `yaml` reading the text again when first asked for.

/** One object of a parse, without its file name, nodes or functions: plain data a cache can store. */
export interface StoredObject {
  object: Record<string, unknown>;
  apiVersion: string;
  kind: string;
  line: number;
  column: number;
  documentIndex: number;
  documentPath: FieldPath;
}

/** A file's parse as stored data. */
export interface StoredParse {
  objects: StoredObject[];
  nonK8sDocuments: number;
}

/**
 * The stored form of a parse, when the parse can be rebuilt from it and the text alone: the fast reader read
 * every object (its nodes are built from the text on demand), and there is no problem to report (problems
 * name their file; a file with one is parsed again each time). Undefined otherwise.
 */
export function storedParse(parsed: ParseResult): StoredParse | undefined {
  if (parsed.errors.length > 0 || parsed.warnings.length > 0) return undefined;
  if (parsed.objects.some((o) => o.fileText === undefined)) return undefined;
  return {
    objects: parsed.objects.map((o) => ({
      object: o.object,
      apiVersion: o.apiVersion,
      kind: o.kind,
      line: o.line,
      column: o.column,
      documentIndex: o.documentIndex,
      documentPath: o.documentPath,
    })),
    nonK8sDocuments: parsed.nonK8sDocuments,
  };
}

/**
 * The parse of `text` rebuilt from its stored form (`storedParse` of `parseManifestText(text, …)`): the same
 * objects, positions and nodes as `parseManifestText(text, file)` gives. Pure.
 */
export function restoreParse(text: string, file: string, stored: StoredParse): ParseResult {
  const body = bodyOf(text);
  // Positions from the fast reader's events, as on a first read (it declines, to the `yaml` nodes, where unsure).
  const { objects, add } = lazyObjects(body, file, textLocator(withoutDocumentMarks(body)));
  for (const o of stored.objects)
    add(o.object, [o.apiVersion, o.kind], [o.line, o.column], [o.documentIndex, o.documentPath]);
  return { objects, errors: [], warnings: [], nonK8sDocuments: stored.nonK8sDocuments };
}
