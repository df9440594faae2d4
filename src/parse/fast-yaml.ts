/**
 * A reader for the YAML that Kubernetes manifests use, straight from text to values in one pass. Pure.
 *
 * It reads what `kubectl`, Helm and most people write: block mappings and sequences (indentless sequences
 * too), plain, single- and double-quoted scalars on one line, literal block scalars (`|`, `|-`), `---`
 * documents, comments, CRLF line ends, and flow collections (`{}`, `[a, "b"]`, `{a: 1, b: [2]}`, JSON) of
 * such scalars. Its values are exactly js-yaml's under the schema the fast path uses (the YAML 1.2 core
 * schema: plain scalars are typed by js-yaml's own resolver). It **declines** (answers undefined, and
 * js-yaml reads the whole text as before) on anything else or on any doubt: anchors, aliases, tags, merge
 * keys, folded and `|+` block scalars, plain or quoted scalars over several lines, explicit or complex keys,
 * directives, `...`, tabs, control and non-BMP characters, keys with a space before their `:`, nesting
 * deeper than the stack, and every syntax error (so that the error a user sees is the one the exact readers
 * give). test/parse/fast-yaml.test.ts compares it with js-yaml.
 *
 * Why a hand-written reader (docs/architecture.md): js-yaml builds events, then values from them; reading the
 * manifests was 60–80% of `analyze`. This one reads the common subset 2.8–4.2 times faster and leaves the
 * rest to js-yaml, which stays the reference.
 */
import { CORE_SCHEMA, mergeTag } from 'js-yaml';

/** What js-yaml's `constructFromEvents` gives, with where each document's root and `items` entries start. */
export interface FastYaml {
  values: unknown[];
  /** Per document: the offset of its root node and, when the root is a mapping, of each `items` entry. */
  starts: { root: number; items: number[] }[];
}

/** Where a mapping's keys start, in the order of the text (`readFastYamlLocated`). */
export interface KeyStart {
  key: string;
  /** Offset of the key: its first character, or its opening quote. */
  start: number;
  /** The key's text when it is plain (not quoted). */
  plain: string | undefined;
}

/** What `readFastYamlLocated` gives: the values, and where the keys of each mapping and the entries of each list start. */
export interface LocatedYaml extends FastYaml {
  keys: Map<object, KeyStart[]>;
  /** Per list, where each entry starts: its first character (or opening quote), or -1 for an empty entry. */
  entries: Map<unknown[], number[]>;
}

/** The schema of the fast path (src/parse/documents.ts); its resolver types plain scalars. */
export const FAST_SCHEMA = CORE_SCHEMA.withTags(mergeTag);

/** Thrown to give up; caught at the top (an Error made once: no stack is taken per decline). */
const DECLINE = new Error('not in the subset the fast YAML reader reads');

/** A CR without an LF after it: a line break for js-yaml, not for `yaml`. */
const LONE_CR = /\r(?!\n)/;

const LF = 10;
const CR = 13;
const SPACE = 32;
const HASH = 35;
const DASH = 45;
const COLON = 58;
const COMMA = 44;
const DQUOTE = 34;
const SQUOTE = 39;
const BACKSLASH = 92;
const LBRACKET = 91;
const RBRACKET = 93;
const LBRACE = 123;
const RBRACE = 125;
const DOT = 46;
const PIPE = 124;

/** The longest key read here (js-yaml and `yaml` disagree past 1024 characters: src/parse/documents.ts). */
const MAX_KEY = 1000;
/** Plain scalars this long that start like a number are left to js-yaml (documents.ts `hasUnsafeScalar`). */
const LONG_NUMBERISH = 200;

let src = '';
let len = 0;
/** While `readFastYamlLocated` reads: where it records the starts of keys and list entries. */
let recording: { keys: Map<object, KeyStart[]>; entries: Map<unknown[], number[]> } | undefined;
let pos = 0;
/** Indentation of the line `pos` is on (pos at its first character that is not a space); -1 at an end. */
let indent = -1;
/** Set by `scanPlain`: the scalar ends at a `:` indicator (it is a key). */
let plainIsKey = false;
/** Set by `scanPlain`: the `hashOf` the scalar's text. */
let plainHash = 0;

function decline(): never {
  throw DECLINE;
}

/**
 * Is `c` a character js-yaml rejects or that needs care, of those from U+007F: C1 controls, surrogates (non-BMP
 * characters), BOMs, U+FFFE/F and U+2028/9. (Below U+0020 every character but LF and CR is declined where it
 * is met: tabs and C0 controls.) Every character of the text goes through this or a test for one of the
 * characters the reader reads (spaces, line breaks, indicators, ASCII), so nothing unusual is read.
 */
function isUnusual(c: number): boolean {
  return (
    c <= 0x9f || (c >= 0xd800 && c <= 0xdfff) || c === 0xfeff || c >= 0xfffe || c === 0x2028 || c === 0x2029
  );
}

/** Declines unless the characters from `from` to `to` are all ones the reader reads (see `isUnusual`). */
function checkText(from: number, to: number): void {
  for (let p = from; p < to; p++) {
    const c = src.charCodeAt(p);
    if (c < SPACE || (c >= 0x7f && isUnusual(c))) decline();
  }
}

function isBreak(c: number): boolean {
  return c === LF || c === CR;
}

/** End of a line's content: a line break or the end of the text. */
function atLineEnd(p: number): boolean {
  return p >= len || isBreak(src.charCodeAt(p));
}

/** A space, a line break or the end: what must follow `-`, `:` and `#` indicators. */
function isBlank(p: number): boolean {
  return p >= len || src.charCodeAt(p) === SPACE || isBreak(src.charCodeAt(p));
}

/**
 * Past the line break at or after `p` (the rest of the line must already be known to be a comment or blank);
 * declines on a character of it the reader does not read.
 */
function skipLine(p: number): number {
  const text = src;
  const length = len;
  for (; p < length; p++) {
    const c = text.charCodeAt(p);
    if (c === LF) return p + 1;
    if ((c < SPACE && c !== CR) || (c >= 0x7f && isUnusual(c))) decline();
  }
  return length;
}

/** Is there a document marker (`---` or `...` followed by a blank) at `p`, the start of a line? */
function isMarker(p: number): boolean {
  const c = src.charCodeAt(p);
  return (
    (c === DASH || c === DOT) && src.charCodeAt(p + 1) === c && src.charCodeAt(p + 2) === c && isBlank(p + 3)
  );
}

/**
 * From the start of a line: skips blank and comment lines, and sets `pos` at the first character of the next
 * content line and `indent` to its indentation; at the end of the text or at a document marker (pos at the
 * line's start), `indent` is -1.
 */
function nextContent(): void {
  const text = src;
  const length = len;
  let p = pos;
  for (;;) {
    if (p >= length) {
      pos = p;
      indent = -1;
      return;
    }
    const lineStart = p;
    while (p < length && text.charCodeAt(p) === SPACE) p++;
    const c = p < length ? text.charCodeAt(p) : LF;
    if (c === LF || c === CR || c === HASH) {
      p = skipLine(p);
      continue;
    }
    pos = p;
    if (p === lineStart && isMarker(p)) {
      indent = -1;
      return;
    }
    indent = p - lineStart;
    return;
  }
}

/** After a node on a line: spaces, then a comment or the line's end; then on to the next content line. */
function endLine(): void {
  const start = pos;
  while (pos < len && src.charCodeAt(pos) === SPACE) pos++;
  if (pos < len) {
    const c = src.charCodeAt(pos);
    if (c === HASH) {
      if (pos === start) decline();
    } else if (!isBreak(c)) decline();
    pos = skipLine(pos);
  }
  nextContent();
}

const plainResolver = (() => {
  // Plain scalars whose first character no implicit tag of the schema starts with are strings.
  const starts = new Uint8Array(128);
  for (const c of '-+.0123456789~nNtTfF<') starts[c.charCodeAt(0)] = 1;
  return (text: string): unknown => {
    const c = text.charCodeAt(0);
    if (text.length > 0 && (c >= 128 || starts[c] === 0)) return text;
    return FAST_SCHEMA.resolveImplicitScalarTag(text).value;
  };
})();

/** Can a plain scalar start at `p` (block context)? Not at an indicator, nor at `-`, `?`, `:` before a blank. */
function canStartPlain(p: number): boolean {
  const c = src.charCodeAt(p);
  switch (c) {
    case DASH:
    case COLON:
    case 63: // ?
      return !isBlank(p + 1);
    case COMMA:
    case LBRACKET:
    case RBRACKET:
    case LBRACE:
    case RBRACE:
    case HASH:
    case 38: // &
    case 42: // *
    case 33: // !
    case PIPE:
    case 62: // >
    case SQUOTE:
    case DQUOTE:
    case 37: // %
    case 64: // @
    case 96: // `
      return false;
    default:
      return true;
  }
}

/**
 * A plain scalar in block context from `pos`, on this line: returns its end (trailing spaces excluded) and
 * leaves `pos` there; sets `plainIsKey` when a `:` indicator follows (then `pos` is just past the `:`).
 */
function scanPlain(): number {
  // (The text and its length in locals: the loop reads no module variable.)
  const text = src;
  const length = len;
  let p = pos;
  let end = p;
  // The hash of the text (`hashOf`), to the character before `p` and to `end`.
  let h = 0;
  let hashToEnd = 0;
  plainIsKey = false;
  for (; p < length; p++) {
    const c = text.charCodeAt(p);
    if (c <= SPACE) {
      if (c === SPACE) {
        if (text.charCodeAt(p + 1) === HASH) break;
        h = (Math.imul(h, 31) + c) | 0;
        continue;
      }
      if (c === LF || c === CR) break;
      decline(); // a tab or a control character
    }
    if (c >= 0x7f && isUnusual(c)) decline();
    if (c === COLON) {
      const next = p + 1 < length ? text.charCodeAt(p + 1) : SPACE;
      if (next === SPACE || next === LF || next === CR) {
        // A key: no space before its `:` (js-yaml allows it; it is rare and would need care), none after here.
        if (end !== p) decline();
        plainIsKey = true;
        plainHash = hashToEnd;
        pos = p + 1;
        return end;
      }
    }
    h = (Math.imul(h, 31) + c) | 0;
    hashToEnd = h;
    end = p + 1;
  }
  plainHash = hashToEnd;
  pos = end;
  return end;
}

/** The one-character escapes of double-quoted scalars that are read here, by the character after `\\`. */
const ESCAPES: (string | undefined)[] = (() => {
  const table = new Array<string | undefined>(128).fill(undefined);
  const pairs: [string, string][] = [
    ['0', '\0'],
    ['a', '\x07'],
    ['b', '\b'],
    ['t', '\t'],
    ['n', '\n'],
    ['v', '\v'],
    ['f', '\f'],
    ['r', '\r'],
    ['e', '\x1B'],
    [' ', ' '],
    ['"', '"'],
    ['/', '/'],
    ['\\', '\\'],
    ['_', '\xA0'],
  ];
  for (const [c, value] of pairs) table[c.charCodeAt(0)] = value;
  return table;
})();

/**
 * The value of the quoted scalar whose opening quote (`"` or `'`) is at `pos`, on one line; `pos` goes past
 * its end. In single quotes `''` is a quote; in double quotes `\\` starts an escape.
 */
function readQuoted(): string {
  const quote = src.charCodeAt(pos);
  let p = pos + 1;
  let out = '';
  let from = p;
  for (;;) {
    if (p >= len) decline();
    const c = src.charCodeAt(p);
    if (c === quote) {
      if (quote === DQUOTE || src.charCodeAt(p + 1) !== SQUOTE) break;
      out += src.slice(from, p + 1);
      p += 2;
      from = p;
    } else if (c < SPACE || (c >= 0x7f && isUnusual(c))) {
      decline(); // a line break (a scalar over several lines), a tab, a control character
    } else if (c === BACKSLASH && quote === DQUOTE) {
      out += src.slice(from, p);
      p = readEscape(p + 1);
      out += escaped;
      from = p;
    } else {
      p++;
    }
  }
  out += src.slice(from, p);
  pos = p + 1;
  return out;
}

/** Set by `readEscape`: what the escape stands for. */
let escaped = '';

/** Reads the escape whose character (after `\\`) is at `p` into `escaped`; returns the offset after it. */
function readEscape(p: number): number {
  const e = src.charCodeAt(p);
  const simple = e < 128 ? ESCAPES[e] : undefined;
  if (simple !== undefined) {
    escaped = simple;
    return p + 1;
  }
  // \N, \L, \P, \U, a line break, anything else: left to js-yaml.
  if (e !== 120 && e !== 117) decline();
  // \xXX, \uXXXX (not a surrogate: js-yaml would pair or keep it as it is)
  const digits = e === 120 ? 2 : 4;
  const hex = src.slice(p + 1, p + 1 + digits);
  if (hex.length !== digits || !/^[0-9a-fA-F]+$/.test(hex)) decline();
  const code = parseInt(hex, 16);
  if (code >= 0xd800 && code <= 0xdfff) decline();
  escaped = String.fromCharCode(code);
  return p + 1 + digits;
}

/** A mapping key from a scalar's value: js-yaml's objects turn every key into a string. */
function keyOf(value: unknown, length: number): string {
  if (length > MAX_KEY) decline();
  if (value === '<<') decline(); // a merge key (quoted `"<<"` is a plain key, but rare: also left to js-yaml)
  const key = String(value);
  // A null key (`~`, `null`: "null" for js-yaml, "" for `yaml`), `__proto__`.
  if (value === null || key === '__proto__') decline();
  return key;
}

function setKey(map: Record<string, unknown>, key: string, value: unknown): void {
  // A duplicate key is an error for js-yaml (and `yaml`): theirs to report.
  // (No value read here is undefined: a key whose value is not undefined is there, or inherited.)
  if (map[key] !== undefined && Object.prototype.hasOwnProperty.call(map, key)) decline();
  map[key] = value;
}

/**
 * A number with an exponent of three digits or more: beyond a double (`1e400`), a string for js-yaml and
 * Infinity for `yaml`.
 */
const HUGE_NUMBER = /^[-+]?[\d.]+[eE][-+]?\d{3,}$/;

/** A plain scalar's text, typed as js-yaml's schema types it (uncached). */
function resolvePlain(text: string): unknown {
  const c = text.charCodeAt(0);
  // Not `+`, `-`, `.` or a digit: no number.
  if (c !== 43 && c !== DASH && c !== DOT && (c < 48 || c > 57)) return plainResolver(text);
  if (text.length >= LONG_NUMBERISH) decline();
  const value = plainResolver(text);
  if (typeof value === 'string' && HUGE_NUMBER.test(text)) decline();
  return value;
}

// Caches of plain scalars: the same text gives the same value, and most keys and many values of manifests
// repeat (`name`, `app`, `TCP`, `80`, a label's value in every object that has it). A hit costs neither the
// copy of the text nor typing it, and the values read share one string (less memory, less for the garbage
// collector to copy). Direct-mapped by a hash of the text; a collision replaces the entry. Keys stay from
// text to text: a string used as a property key is made internal by V8 and no longer refers to the text it
// was cut from. Values of 13 characters or more (V8 makes them slices that keep the whole text alive) stay
// for the text they were read from only (`forget`).
const CACHE_BITS = 12;
const CACHE_MASK = (1 << CACHE_BITS) - 1;
/** Longer scalars are not looked up (they rarely repeat). */
const MAX_CACHED = 64;
/** Strings this long or longer are slices of the text (V8's SlicedString::kMinLength is 13). */
const SLICED = 13;

interface ScalarCache {
  texts: string[];
  values: unknown[];
  /** Indexes of the entries of 13 characters or more made while reading the current text. */
  long: number[];
}

function scalarCache(): ScalarCache {
  return {
    texts: new Array<string>(1 << CACHE_BITS).fill(''),
    values: new Array<unknown>(1 << CACHE_BITS).fill(null),
    long: [],
  };
}

const keyCache = scalarCache();
const valueCache = scalarCache();

/** Drops the cache's entries that may refer to the text just read. */
function forget(cache: ScalarCache): void {
  for (const i of cache.long) {
    cache.texts[i] = '';
    cache.values[i] = null;
  }
  cache.long.length = 0;
}

/** A hash of the text from `start` to `end` (`scanPlain` computes the same as it reads). */
function hashOf(start: number, end: number): number {
  const text = src;
  let h = 0;
  for (let p = start; p < end; p++) h = (Math.imul(h, 31) + text.charCodeAt(p)) | 0;
  return h;
}

/** The entry of the caches for a text of `length` characters and hash `h`, or -1 when too long to cache. */
function slotOf(h: number, length: number): number {
  if (length > MAX_CACHED) return -1;
  h = (h + Math.imul(length, 0x9e3779b1)) | 0;
  return (h ^ (h >>> 15)) & CACHE_MASK;
}

/** Is `text` the text from `start` to `end`? */
function sameText(text: string, start: number, end: number): boolean {
  if (text.length !== end - start) return false;
  // (A loop: faster than `startsWith` on such short texts.)
  const source = src;
  for (let i = 0, p = start; p < end; i++, p++) if (text.charCodeAt(i) !== source.charCodeAt(p)) return false;
  return true;
}

/** A plain scalar from `start` to `end`, typed as js-yaml's schema types it. */
function plainValue(start: number, end: number, hash: number): unknown {
  const slot = slotOf(hash, end - start);
  if (slot < 0) return resolvePlain(src.slice(start, end));
  const { texts, values } = valueCache;
  if (sameText(texts[slot]!, start, end)) return values[slot];
  const text = src.slice(start, end);
  const value = resolvePlain(text);
  texts[slot] = text;
  values[slot] = value;
  if (text.length >= SLICED) valueCache.long.push(slot);
  return value;
}

/** A plain scalar from `start` to `end` that is a mapping key: its key (`keyOf`). */
function plainKey(start: number, end: number, hash: number): string {
  const slot = slotOf(hash, end - start);
  if (slot < 0) return keyOf(resolvePlain(src.slice(start, end)), end - start);
  const { texts, values } = keyCache;
  if (sameText(texts[slot]!, start, end)) return values[slot] as string;
  const text = src.slice(start, end);
  const key = keyOf(resolvePlain(text), text.length);
  // (A key that is not its text, `1.0` read as "1", is not cached when its text is a slice: nothing makes
  // that text internal.)
  if (text.length < SLICED || key === text) {
    texts[slot] = text;
    values[slot] = key;
    if (text.length >= SLICED) keyCache.long.push(slot);
  }
  return key;
}

/**
 * The entries of the lists being read, innermost last: a list's entries are gathered here and copied into a
 * list of their number when it ends (`listFrom`). A list grown by `push` keeps room for 16 or more entries
 * (and keeps it as long as it lives); most lists of manifests have one to three.
 */
const pending: unknown[] = [];
/**
 * How many entries of `pending` are in use. (Its length is not cut to it: V8 would give back the room of a
 * short array and make it again for the next list.)
 */
let pendingTop = 0;

/** Adds an entry to the list being read. */
function addEntry(value: unknown): void {
  pending[pendingTop++] = value;
}

/** The list of the entries gathered since `base`, which leave `pending`. */
function listFrom(base: number): unknown[] {
  const list = pending.slice(base, pendingTop);
  pendingTop = base;
  return list;
}

// ---------------------------------------------------------------------------------------------------------
// Flow collections: `[…]` and `{…}`, on one line or several (JSON).

/** Skips spaces, line breaks and (after a space or at a line's start) comments inside a flow collection. */
function skipFlowSpace(minIndent: number): void {
  let lineStart = -1;
  for (;;) {
    if (pos >= len) decline();
    const c = src.charCodeAt(pos);
    if (c === SPACE) pos++;
    else if (c === CR || c === LF) {
      pos = skipLine(pos);
      lineStart = pos;
      // A document marker ends the document; a line indented no more than the block around it is an error.
      if (isMarker(pos)) decline();
    } else if (c === HASH) {
      const before = src.charCodeAt(pos - 1);
      if (before !== SPACE && !isBreak(before)) decline();
      pos = skipLine(pos);
      lineStart = pos;
    } else {
      if (lineStart >= 0 && pos - lineStart <= minIndent) decline();
      return;
    }
  }
}

/**
 * A scalar inside a flow collection: quoted, or plain of characters that cannot be indicators there. A key
 * (`key`) ends at a `:` before a blank; any other `:` is left to js-yaml.
 */
function flowScalar(key: boolean): { value: unknown; length: number } {
  const c = src.charCodeAt(pos);
  if (c === DQUOTE || c === SQUOTE) {
    const start = pos;
    const value = readQuoted();
    return { value, length: pos - start };
  }
  if (!canStartPlain(pos)) decline();
  // `-`, `?`, `:` start a plain scalar in a flow collection only before a character that can follow them.
  if (c === DASH || c === COLON || c === 63) {
    const next = src.charCodeAt(pos + 1);
    if (next === COMMA || next === LBRACKET || next === RBRACKET || next === LBRACE || next === RBRACE)
      decline();
  }
  const start = pos;
  let end = pos;
  let p = pos;
  for (; p < len; p++) {
    const ch = src.charCodeAt(p);
    if (ch === COMMA || ch === RBRACKET || ch === RBRACE || ch === LF || ch === CR) break;
    if (ch === SPACE) {
      if (src.charCodeAt(p + 1) === HASH) decline();
      continue;
    }
    if (ch < SPACE || (ch >= 0x7f && isUnusual(ch))) decline();
    if (ch === COLON) {
      // A `:` before a blank or a flow indicator ends a key; before anything else it is part of the scalar
      // (`registry:5000/a`, `::/0`).
      const next = src.charCodeAt(p + 1);
      const ends =
        isBlank(p + 1) ||
        next === COMMA ||
        next === LBRACKET ||
        next === RBRACKET ||
        next === LBRACE ||
        next === RBRACE;
      if (!ends) {
        end = p + 1;
        continue;
      }
      if (key && isBlank(p + 1)) break;
      decline();
    }
    // `[`, `{`, `#`, quotes inside: left to js-yaml.
    if (ch === LBRACKET || ch === LBRACE || ch === HASH || ch === DQUOTE || ch === SQUOTE) decline();
    end = p + 1;
  }
  // A plain scalar that goes on past its line would be folded; a key must end on its line.
  if (p >= len || isBreak(src.charCodeAt(p))) {
    if (key) decline();
    pos = p;
    skipFlowSpaceNoCheck();
    const next = src.charCodeAt(pos);
    if (next !== COMMA && next !== RBRACKET && next !== RBRACE) decline();
  }
  // A key with spaces before its `:`: left to js-yaml.
  if (key && end !== p) decline();
  pos = end;
  const hash = hashOf(start, end);
  return { value: key ? plainKey(start, end, hash) : plainValue(start, end, hash), length: end - start };
}

/** Skips spaces, line breaks and comments (for a look ahead only). */
function skipFlowSpaceNoCheck(): void {
  while (pos < len) {
    const c = src.charCodeAt(pos);
    if (c === SPACE || c === CR || c === LF) pos++;
    else if (c === HASH) pos = skipLine(pos);
    else return;
  }
}

function flowNode(minIndent: number): unknown {
  const c = src.charCodeAt(pos);
  if (c === LBRACKET) return flowSequence(minIndent);
  if (c === LBRACE) return flowMapping(minIndent);
  return flowScalar(false).value;
}

/** Past the `[` or `{` at `pos`; true when the collection is empty (then past its `close` too). */
function openFlow(minIndent: number, close: number): boolean {
  pos++;
  skipFlowSpace(minIndent);
  if (src.charCodeAt(pos) !== close) return false;
  pos++;
  return true;
}

/**
 * After an entry of a flow collection: true at its end (then past `close`), false past a `,` before the next
 * entry. Anything else (a `:` after a sequence entry, a trailing comma) is left to js-yaml.
 */
function flowEnds(minIndent: number, close: number): boolean {
  skipFlowSpace(minIndent);
  const c = src.charCodeAt(pos);
  pos++;
  if (c === close) return true;
  if (c !== COMMA) decline();
  skipFlowSpace(minIndent);
  if (src.charCodeAt(pos) === close) decline();
  return false;
}

/** A flow sequence from its `[` at `pos`; the offset of each entry goes to `starts` if given. */
function flowSequence(minIndent: number, starts?: number[]): unknown[] {
  if (openFlow(minIndent, RBRACKET)) return [];
  const base = pendingTop;
  const own = starts ?? (recording === undefined ? undefined : []);
  do {
    own?.push(pos);
    addEntry(flowNode(minIndent));
  } while (!flowEnds(minIndent, RBRACKET));
  return recorded(listFrom(base), own);
}

/** Records where the entries of `list` start, while `readFastYamlLocated` reads. */
function recorded(list: unknown[], starts: number[] | undefined): unknown[] {
  if (recording !== undefined && starts !== undefined) recording.entries.set(list, starts);
  return list;
}

/** The record of a mapping's keys while `readFastYamlLocated` reads; else undefined. */
function keysOf(map: Record<string, unknown>): KeyStart[] | undefined {
  if (recording === undefined) return undefined;
  const keys: KeyStart[] = [];
  recording.keys.set(map, keys);
  return keys;
}

/** Records a key that starts at `start` and is `length` characters long (a plain key ends just before). */
function recordKey(keys: KeyStart[], key: string, start: number, length: number): void {
  const c = src.charCodeAt(start);
  const plain = c === DQUOTE || c === SQUOTE ? undefined : src.slice(start, start + length);
  keys.push({ key, start, plain });
}

/**
 * A flow mapping from its `{` at `pos`; for a document's root, `items` gets where the entries of its `items`
 * list start.
 */
function flowMapping(minIndent: number, items?: number[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const keys = keysOf(out);
  if (openFlow(minIndent, RBRACE)) return out;
  do {
    const c = src.charCodeAt(pos);
    if (c === LBRACKET || c === LBRACE) decline(); // a collection as a key
    const keyStart = pos;
    const { value: k, length } = flowScalar(true);
    // `key: value`; after a quoted key (JSON-like) the `:` may be followed by the value directly.
    if (src.charCodeAt(pos) !== COLON) decline();
    pos++;
    if (c !== DQUOTE && c !== SQUOTE && !isBlank(pos)) decline();
    skipFlowSpace(minIndent);
    const v = src.charCodeAt(pos);
    if (v === COMMA || v === RBRACE) decline(); // an empty value
    const name = keyOf(k, length);
    if (keys !== undefined) recordKey(keys, name, keyStart, length);
    const value =
      items !== undefined && name === 'items' && v === LBRACKET
        ? flowSequence(minIndent, items)
        : flowNode(minIndent);
    setKey(out, name, value);
  } while (!flowEnds(minIndent, RBRACE));
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Block collections.

/** Is `pos` at a block sequence entry (`-` before a blank)? */
function atDash(): boolean {
  return src.charCodeAt(pos) === DASH && isBlank(pos + 1);
}

/**
 * The node that starts at `pos`, the first character of a line indented `n` (or of the rest of a line after
 * `- `, at column `n`), inside a block indented `parent`. On return `pos` and `indent` are at the next
 * content line. Where a list's entries start goes to `starts` if the node is a list; where the entries of
 * its `items` list start, to `items` if it is a mapping (for a document's root).
 */
function blockNode(n: number, parent: number, starts?: number[], items?: number[]): unknown {
  if (atDash()) return blockSequence(n, starts);
  const c = src.charCodeAt(pos);
  if (c === LBRACKET || c === LBRACE) return flowInBlock(parent, starts, items);
  if (c === PIPE) return literalScalar(parent);
  const keyStart = pos;
  const value = inlineScalar();
  if (plainIsKey || quotedIsKey()) return blockMapping(n, value, pos - keyStart, items);
  endLine();
  return value;
}

/** A flow collection at `pos`, alone on the rest of its line in a block indented `parent`. */
function flowInBlock(parent: number, starts?: number[], items?: number[]): unknown {
  const value = src.charCodeAt(pos) === LBRACKET ? flowSequence(parent, starts) : flowMapping(parent, items);
  endLine();
  return value;
}

/** After a quoted scalar: is it a key (a `:` and a blank right after it)? Then `pos` goes past the `:`. */
function quotedIsKey(): boolean {
  if (src.charCodeAt(pos) === COLON && isBlank(pos + 1)) {
    pos++;
    plainIsKey = true;
    return true;
  }
  return false;
}

/**
 * A literal block scalar (`|` or `|-`, the forms ConfigMaps use for files) whose `|` is at `pos`, in a block
 * indented `parent`; `pos` and `indent` go to the next content line. Its lines keep their text after the
 * indentation of the first one, joined by line breaks, with one at the end (`|`) or none (`|-`). Left to
 * js-yaml: `|+`, an indentation indicator, folded scalars (`>`), no content, and a line of spaces only that
 * is longer than the indentation (where YAML's rules for it need care).
 */
function literalScalar(parent: number): string {
  if (parent < 0) decline();
  pos++;
  const strip = src.charCodeAt(pos) === DASH;
  if (strip) pos++;
  const header = pos;
  while (pos < len && src.charCodeAt(pos) === SPACE) pos++;
  if (pos < len && !isBreak(src.charCodeAt(pos))) {
    if (src.charCodeAt(pos) !== HASH || pos === header) decline();
  }
  pos = skipLine(pos);
  let n = -1;
  let blanks = 0;
  let longestBlank = 0;
  let out = '';
  let lines = 0;
  while (pos < len) {
    const lineStart = pos;
    let p = pos;
    while (p < len && src.charCodeAt(p) === SPACE) p++;
    const spaces = p - lineStart;
    if (atLineEnd(p)) {
      // A line of spaces only: an empty line of the scalar (or after it).
      if (spaces > longestBlank) longestBlank = spaces;
      blanks++;
      pos = skipLine(p);
      continue;
    }
    if (n < 0) {
      if (spaces <= parent) break;
      n = spaces;
    } else if (spaces < n) break;
    let end = src.indexOf('\n', p);
    if (end < 0) end = len;
    const next = end < len ? end + 1 : len;
    if (end > lineStart && src.charCodeAt(end - 1) === CR) end--;
    if (lines > 0) blanks++;
    checkText(p, end);
    out += '\n'.repeat(blanks) + src.slice(lineStart + n, end);
    blanks = 0;
    lines++;
    pos = next;
  }
  if (n < 0 || longestBlank > n) decline();
  // Back to the start of the line that ended the scalar (pos is there, or at the end).
  nextContent();
  return strip ? out : `${out}\n`;
}

/** A scalar on this line from `pos`: quoted or plain (then `plainIsKey` tells whether it is a key). */
function inlineScalar(): unknown {
  const c = src.charCodeAt(pos);
  plainIsKey = false;
  if (c === DQUOTE || c === SQUOTE) return readQuoted();
  if (!canStartPlain(pos)) decline();
  const start = pos;
  const end = scanPlain();
  return plainIsKey ? plainKey(start, end, plainHash) : plainValue(start, end, plainHash);
}

/**
 * The mapping whose first key (already read: its value `firstKey`, `firstLength` characters) is at column
 * `n`; `pos` is just past the key's `:`. `items`, for a document's root, gets where the entries of its `items`
 * list start.
 */
function blockMapping(
  n: number,
  firstKey: unknown,
  firstLength: number,
  items?: number[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let key = keyOf(firstKey, firstLength);
  let first = true;
  const keys = keysOf(out);
  // (`firstLength` and `pos - start` below count the key's `:`.)
  if (keys !== undefined) recordKey(keys, key, pos - firstLength, firstLength - 1);
  for (;;) {
    const starts = items !== undefined && key === 'items' ? items : undefined;
    const value = valueAfterColon(n, starts);
    // (Every list records its entries; should one not, no start is better than a wrong one.)
    if (starts !== undefined && Array.isArray(value) && value.length !== starts.length) decline();
    // (The first key cannot be a duplicate: no look-up for it.)
    if (first) {
      out[key] = value;
      first = false;
    } else setKey(out, key, value);
    if (indent < n) return out;
    if (indent > n || atDash()) decline();
    const start = pos;
    const k = inlineScalar();
    if (!plainIsKey && !quotedIsKey()) decline();
    key = keyOf(k, pos - start);
    if (keys !== undefined) recordKey(keys, key, start, pos - start - 1);
  }
}

/** The value of a mapping entry at column `n`, from just past its `:`. */
function valueAfterColon(n: number, starts?: number[]): unknown {
  while (pos < len && src.charCodeAt(pos) === SPACE) pos++;
  const c = src.charCodeAt(pos);
  if (pos >= len || isBreak(c) || c === HASH) {
    pos = skipLine(pos);
    nextContent();
    if (indent > n) return blockNode(indent, n, starts);
    if (indent === n && atDash()) return blockSequence(n, starts);
    return null;
  }
  if (c === LBRACKET || c === LBRACE) return flowInBlock(n, starts);
  if (c === PIPE) return literalScalar(n);
  const value = inlineScalar();
  // `a: b: c`, `a: "b": c`: an error for js-yaml.
  if (plainIsKey || quotedIsKey()) decline();
  endLine();
  return value;
}

/** The sequence whose first `-` is at `pos`, column `n`; the offset of each entry goes to `starts` if given. */
function blockSequence(n: number, listStarts: number[] | undefined): unknown[] {
  const base = pendingTop;
  const starts = listStarts ?? (recording === undefined ? undefined : []);
  for (;;) {
    const dash = pos;
    pos++;
    while (pos < len && src.charCodeAt(pos) === SPACE) pos++;
    const c = src.charCodeAt(pos);
    if (pos >= len || isBreak(c) || c === HASH) {
      if (c === HASH && pos === dash + 1) decline();
      pos = skipLine(pos);
      nextContent();
      if (indent > n) {
        starts?.push(pos);
        addEntry(blockNode(indent, n));
      } else {
        starts?.push(-1);
        addEntry(null);
      }
    } else {
      const column = n + (pos - dash);
      starts?.push(pos);
      addEntry(blockNode(column, n));
    }
    if (indent < n || (indent === n && !atDash())) return recorded(listFrom(base), starts);
    if (indent > n) decline();
  }
}

/** The document's root node, from the first content line; `pos`/`indent` after it. */
function rootNode(start: { root: number; items: number[] }): unknown {
  start.root = pos;
  return blockNode(indent, -1, undefined, start.items);
}

/**
 * The documents of `text` with the values js-yaml gives (`constructFromEvents` with `FAST_SCHEMA`), or
 * undefined when the text is not in the subset this reader reads (then js-yaml must read it).
 */
export function readFastYaml(text: string): FastYaml | undefined {
  recording = undefined;
  return read(text);
}

/**
 * `readFastYaml`, with where the keys of every mapping and the entries of every list start (for positions:
 * src/parse/locate.ts). Slower: for the text of an object with a problem to report.
 */
export function readFastYamlLocated(text: string): LocatedYaml | undefined {
  const record = { keys: new Map<object, KeyStart[]>(), entries: new Map<unknown[], number[]>() };
  recording = record;
  try {
    const values = read(text);
    return values === undefined ? undefined : { ...values, ...record };
  } finally {
    recording = undefined;
  }
}

function read(text: string): FastYaml | undefined {
  if (text.includes('\r') && LONE_CR.test(text)) return undefined;
  src = text;
  len = text.length;
  pos = 0;
  try {
    const values: unknown[] = [];
    const starts: { root: number; items: number[] }[] = [];
    // An explicit document (`---`) that has had no content yet.
    let open = false;
    nextContent();
    for (;;) {
      if (indent >= 0) {
        const start = { root: -1, items: [] as number[] };
        values.push(rootNode(start));
        starts.push(start);
        open = false;
        // After the root: the end or a marker.
        if (indent >= 0) decline();
        continue;
      }
      if (pos >= len) break;
      // A marker: `---` may be followed by a comment only; `...` is left to js-yaml.
      if (src.charCodeAt(pos) !== DASH) decline();
      if (open) {
        values.push(null);
        starts.push({ root: -1, items: [] });
      }
      pos += 3;
      endLine();
      open = true;
    }
    if (open) {
      values.push(null);
      starts.push({ root: -1, items: [] });
    }
    keyCache.long.length = 0; // (every key read is now a property key)
    return { values, starts };
  } catch (error) {
    forget(keyCache);
    // A decline, or nesting deeper than the stack (js-yaml and `yaml` then say what they say of it).
    if (error === DECLINE || error instanceof RangeError) return undefined;
    throw error;
  } finally {
    forget(valueCache);
    pending.length = 0; // (what it refers to is not kept)
    pendingTop = 0;
    src = '';
  }
}
