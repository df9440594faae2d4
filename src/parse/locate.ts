/**
 * Field paths → offsets, without building `yaml` nodes: from where the hand-written reader
 * (src/parse/fast-yaml.ts, `readFastYamlLocated`) saw each key and list entry start or, for text it declines,
 * from js-yaml's events. Pure.
 *
 * Gives the offset `yaml` gives (src/parse/documents.ts `walk`): the key of the deepest mapping entry of the
 * path that exists, or the start of the deepest list item. Where it cannot be sure of giving the same offset
 * it answers `undefined` and the caller asks `yaml`: a key that YAML could read as something other than its
 * text (a number, a boolean, null, a merge key `<<`), a key that is not a scalar, an alias, a list item
 * that is empty or a block scalar (`|`, `>`), whose start `yaml` counts differently. test/parse/locate.test.ts
 * compares the two on every fixture and every benchmark mix, for every field path.
 */
import { EVENT_ID, SCALAR_STYLE, getScalarValue, parseEvents } from 'js-yaml';
import type { Event } from 'js-yaml';
import type { FieldPath } from '../model/problem.ts';
import { readFastYamlLocated, type KeyStart, type LocatedYaml } from './fast-yaml.ts';
import { isMap } from './values.ts';

const { DOCUMENT, MAPPING, SEQUENCE, SCALAR, POP } = EVENT_ID;

/** Plain keys that a YAML 1.2 core schema may read as a number, a boolean or null, and merge keys. */
const AMBIGUOUS_PLAIN_KEY = /^(?:[-+.\d~]|<<$|(?:null|Null|NULL|true|True|TRUE|false|False|FALSE)$)/;

/** Index just past the node whose event is at `i`. */
export function skipNode(events: readonly Event[], i: number): number {
  const type = events[i]?.type;
  if (type !== MAPPING && type !== SEQUENCE) return i + 1;
  let depth = 0;
  for (; i < events.length; i++) {
    const t = events[i]!.type;
    if (t === MAPPING || t === SEQUENCE) depth++;
    else if (t === POP && --depth === 0) return i + 1;
  }
  return i;
}

/** Where `yaml` says the node of event `e` starts; undefined when unsure. */
function nodeStart(text: string, e: Event | undefined): number | undefined {
  if (e === undefined) return undefined;
  if (e.type === MAPPING || e.type === SEQUENCE) return e.start;
  if (e.type !== SCALAR || e.valueStart < 0 || e.tagStart >= 0 || e.anchorStart >= 0) return undefined;
  if (e.style === SCALAR_STYLE.PLAIN) return e.valueStart;
  const quote =
    e.style === SCALAR_STYLE.DOUBLE_QUOTED ? '"' : e.style === SCALAR_STYLE.SINGLE_QUOTED ? "'" : undefined;
  return quote !== undefined && text[e.valueStart - 1] === quote ? e.valueStart - 1 : undefined;
}

/** What a locator answers: an offset, or undefined when `yaml` must be asked. */
export type Located = number | undefined;

/**
 * Walks `path` from the node whose event is at `at`, as `yaml`'s walk does: the offset of the deepest
 * existing field, and the index of the event of the value at the path (undefined when the path does not
 * exist, or when unsure: then `offset` is undefined too).
 */
function walkEvents(
  text: string,
  events: readonly Event[],
  at: number,
  path: FieldPath,
): { offset: Located; value: number | undefined } {
  let i = at;
  let offset = nodeStart(text, events[i]);
  if (offset === undefined) return { offset: undefined, value: undefined };
  for (const part of path) {
    const e = events[i]!;
    if (e.type === MAPPING) {
      const wanted = String(part);
      let found: number | undefined;
      for (let j = i + 1; j < events.length && events[j]!.type !== POP;) {
        const key = events[j]!;
        if (key.type !== SCALAR || key.tagStart >= 0 || key.anchorStart >= 0)
          return { offset: undefined, value: undefined };
        const plain = key.style === SCALAR_STYLE.PLAIN;
        if (plain && AMBIGUOUS_PLAIN_KEY.test(text.slice(key.valueStart, key.valueEnd)))
          return { offset: undefined, value: undefined };
        const valueAt = j + 1;
        if (getScalarValue(text, key) === wanted) {
          const keyStart = nodeStart(text, key);
          if (keyStart === undefined) return { offset: undefined, value: undefined };
          offset = keyStart;
          found = valueAt;
          break;
        }
        j = skipNode(events, valueAt);
      }
      if (found === undefined) return { offset, value: undefined };
      i = found;
    } else if (e.type === SEQUENCE && typeof part === 'number') {
      // No list has such an item (`yaml` would say so at the list; `walkValues` declines too).
      if (!Number.isInteger(part) || part < 0) return { offset: undefined, value: undefined };
      let j = i + 1;
      for (let n = 0; n < part && j < events.length && events[j]!.type !== POP; n++) j = skipNode(events, j);
      if (j >= events.length || events[j]!.type === POP) return { offset, value: undefined };
      const itemStart = nodeStart(text, events[j]);
      if (itemStart === undefined) return { offset: undefined, value: undefined };
      offset = itemStart;
      i = j;
    } else if (e.type === SCALAR || e.type === SEQUENCE) {
      // A scalar, or a list indexed by a name: the path goes no further.
      return { offset, value: undefined };
    } else {
      return { offset: undefined, value: undefined };
    }
  }
  return { offset, value: i };
}

/** Locates field paths of the objects of one text, from its events (read on the first request). */
export interface TextLocator {
  /**
   * Offset of `path` inside the object at `documentPath` of document `documentIndex`: what `yaml` gives, or
   * undefined when unsure (or when the text cannot be read).
   */
  offset(documentIndex: number, documentPath: FieldPath, path: FieldPath): Located;
}

/** A text read for positions. */
interface Read {
  /** How many documents the text has. */
  documents: number;
  /** The offset of `path` inside the object at `at` in document `n` (what `yaml` gives), or undefined. */
  locate(n: number, at: FieldPath, path: FieldPath): Located;
}

/** Which reader gives the positions: the hand-written reader, or js-yaml where it declines; or js-yaml only. */
export type LocatorReader = 'fast' | 'events';

/** `text` read for positions; null when it cannot be read. */
function read(text: string, reader: LocatorReader): Read | null {
  const fast = reader === 'fast' ? readFastYamlLocated(text) : undefined;
  return fast === undefined ? readEvents(text) : fastRead(text, fast);
}

/** The events of `text`, or null when js-yaml cannot read it. */
function readEvents(text: string): Read | null {
  let events: Event[];
  try {
    events = parseEvents(text, {});
  } catch {
    return null;
  }
  const roots: number[] = [];
  for (let i = 0; i < events.length; i++) if (events[i]!.type === DOCUMENT) roots.push(i + 1);
  return {
    documents: roots.length,
    locate(n, at, path) {
      const root = roots[n];
      if (root === undefined) return undefined;
      const object = walkEvents(text, events, root, at).value;
      return object === undefined ? undefined : walkEvents(text, events, object, path).offset;
    },
  };
}

/** No value at the path: it goes no further. */
const MISSING = Symbol('missing');

/**
 * `walkEvents` on the hand-written reader's values and starts: from `value`, which starts at `start`, the
 * offset of the deepest existing field of `path` and the value at the path (`MISSING` when the path does not
 * exist; `offset` undefined when unsure).
 */
function walkValues(
  text: string,
  read: LocatedYaml,
  value: unknown,
  start: number,
  path: FieldPath,
): { offset: Located; value: unknown } {
  const unsure = { offset: undefined, value: MISSING };
  let offset = start;
  let node = value;
  for (const part of path) {
    if (Array.isArray(node)) {
      if (typeof part !== 'number') return { offset, value: MISSING };
      if (!Number.isInteger(part) || part < 0) return unsure;
      if (part >= node.length) return { offset, value: MISSING };
      const entry = read.entries.get(node)?.[part];
      // An empty entry, or a block scalar (whose start `yaml` counts differently).
      if (entry === undefined || entry < 0 || text.charCodeAt(entry) === 124 /* | */) return unsure;
      offset = entry;
      node = node[part];
    } else if (isMap(node)) {
      const keys = read.keys.get(node);
      if (keys === undefined) return unsure;
      const wanted = String(part);
      let found: KeyStart | undefined;
      // (As `walkEvents`: the keys before the one wanted must be plain text too.)
      for (const k of keys) {
        if (k.plain !== undefined && AMBIGUOUS_PLAIN_KEY.test(k.plain)) return unsure;
        if (k.key === wanted) {
          found = k;
          break;
        }
      }
      if (found === undefined) return { offset, value: MISSING };
      offset = found.start;
      node = node[found.key];
    } else {
      // A scalar, or an empty value: the path goes no further.
      return { offset, value: MISSING };
    }
  }
  return { offset, value: node };
}

function fastRead(text: string, read: LocatedYaml): Read {
  return {
    documents: read.values.length,
    locate(n, at, path) {
      const root = read.starts[n]?.root;
      if (root === undefined || root < 0) return undefined;
      const object = walkValues(text, read, read.values[n], root, at);
      if (object.value === MISSING || object.offset === undefined) return undefined;
      return walkValues(text, read, object.value, object.offset, path).offset;
    },
  };
}

/** A line that starts a document: `---`, then a space, a tab or the end of the line. */
const DOCUMENT_START = /^---(?=[ \t\r\n]|$)/gm;
/** A directive (`%YAML`) or a document end marker (`...`): documents do not then start at `---` lines only. */
const OTHER_MARKER = /^(?:%|\.\.\.(?=[ \t\r\n]|$))/m;

/** One document of a text, read alone, and where it starts in the whole text. */
interface Piece {
  read: Read;
  start: number;
}

/**
 * Locates from the document asked for, read alone (a finding in one document of a large file costs the
 * reading of that document only), or from the whole text when it has directives or `...` markers, or when a
 * document read alone is not exactly one document.
 */
export function textLocator(text: string, reader: LocatorReader = 'fast'): TextLocator {
  /**
   * Where each document starts: at the `---` lines (YAML forbids such a line inside a scalar), and at 0 when
   * there is a document before the first; null when the text is read whole.
   */
  let starts: number[] | null | undefined;
  const pieces = new Map<number, Piece | null>();
  let whole: Read | null | undefined;
  const piece = (start: number, end: number): Piece | null => {
    const r = read(text.slice(start, end), reader);
    return r === null ? null : { read: r, start };
  };
  const split = (): number[] | null => {
    if (OTHER_MARKER.test(text)) return null;
    const at: number[] = [];
    for (const m of text.matchAll(DOCUMENT_START)) at.push(m.index);
    // Before the first `---`: one document, or only comments and blank lines (none).
    const first = at[0] ?? text.length;
    if (first > 0) {
      const head = piece(0, first);
      if (head === null || head.read.documents > 1) return null;
      if (head.read.documents === 1) {
        pieces.set(0, head);
        at.unshift(0);
      }
    }
    return at;
  };
  /** Document `n` read alone; null when there is no such document, undefined when the text is read whole. */
  const document = (n: number): Piece | null | undefined => {
    starts ??= split();
    if (starts === null) return undefined;
    const start = starts[n];
    if (start === undefined) return null;
    let one = pieces.get(n);
    if (one === undefined) pieces.set(n, (one = piece(start, starts[n + 1] ?? text.length)));
    if (one !== null && one.read.documents === 1) return one;
    starts = null; // not exactly one document: the whole text decides
    return undefined;
  };
  return {
    offset(documentIndex, documentPath, path) {
      const one = document(documentIndex);
      if (one === null) return undefined;
      if (one !== undefined) {
        const offset = one.read.locate(0, documentPath, path);
        return offset === undefined ? undefined : one.start + offset;
      }
      whole ??= read(text, reader);
      return whole?.locate(documentIndex, documentPath, path);
    },
  };
}
