/**
 * The Hubble 5-tuples of the dedupe window (aggregate.ts), in typed arrays: no object or string per tuple.
 *
 * A `Map` from the tuple's text to an object per tuple held a text, an object and an entry for each of the
 * window's tuples (a hundred thousand and more in a busy capture). Each lives a minute and a half of capture
 * time, long enough to be promoted to V8's old generation before it dies, and that generation grows to a
 * multiple of what it keeps alive before it is collected: most of a Hubble reading's memory was this garbage.
 * Here a tuple is a slot, a number: its fields are columns (`last`, `denied`, `pending`, `conns`), its text's
 * characters are in a byte arena, and an open-addressing hash table over the slots finds it by text (exact:
 * the characters are compared). Every array grows by doubling; the only objects per tuple are the
 * connections it counts (which outlive it anyway) and, when verdicts are read, its verdicts seen.
 *
 * The order is the `Map`'s: by last activity, a tuple moved to the end when `touch`ed, so that pruning from
 * the front (`front`) stops at the first tuple still recent, as it did. It is a queue of slots in which a
 * moved or removed tuple leaves a hole, compacted when the queue is full.
 *
 * The table, the order and the arena also shrink when the window empties (a burst of a million tuples, then
 * a hundred): the table and the order are rebuilt at half their length when fewer than an eighth of it is in
 * use, the arena at the smallest power of two twice its live bytes when those are less than an eighth of it
 * (never below their first lengths). The per-slot columns keep the most slots ever in use (33 bytes a slot):
 * a caller may hold a slot number across a removal, so slots are never renumbered.
 *
 * Bound: the arena's offsets are Int32, so its live texts may take at most 2 GiB (2^31 bytes, a byte a
 * character or two for a text with a character above 255). The sequential reading keeps at most MAX_TUPLES
 * (2^20) tuples, far below it; a shard without times that never prunes could reach it, and then `insert`
 * throws a RangeError saying so rather than wrap the offsets.
 */
import type { ObservedConnection } from './types.ts';

const FIRST_SLOTS = 1024;
/** The table's first length (twice the first slots). */
export const FIRST_TABLE = 2 * FIRST_SLOTS;
/** The order's first length. */
export const FIRST_ORDER = 2 * FIRST_SLOTS;
/** The arena's first length, in bytes. */
export const FIRST_ARENA = 32 * FIRST_SLOTS;
/** The most bytes the arena may hold: its offsets are Int32 (from 0 to 2^31 - 1). */
export const MAX_ARENA = 2 ** 31;

/** Whether the text `tupleHash` last read has a character above 255. */
let wide = false;

/** A text's hash (FNV-1a over its characters, mixed); sets `wide`. */
export function tupleHash(key: string): number {
  let h = 0x811c9dc5 | 0;
  let or = 0;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    or |= c;
    h = Math.imul(h ^ c, 0x01000193);
  }
  wide = or > 255;
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return h ^ (h >>> 12);
}

export class TupleWindow {
  /** Tuples in the window. */
  size = 0;
  /** Per slot: the time of the tuple's last flow (NaN: none). */
  last = new Float64Array(FIRST_SLOTS);
  /** Per slot: 1 when one of the attempt's flows was dropped. */
  denied = new Uint8Array(FIRST_SLOTS);
  /** Per slot: the tuple's index in its shard's pending tuples, -1 when it is not pending. */
  pending = new Int32Array(FIRST_SLOTS);
  /** Per slot: the connection the attempt was counted in, if any. */
  conns: (ObservedConnection | undefined)[] = [];
  /** By slot, when verdicts are read: the policy verdicts the attempt reported so far. */
  readonly seen = new Map<number, Set<string>>();

  /** Per slot: the text's hash, where its characters start in `arena`, and its length (`~length`: wide). */
  private hash = new Int32Array(FIRST_SLOTS);
  private keyAt = new Int32Array(FIRST_SLOTS);
  private keyLength = new Int32Array(FIRST_SLOTS);
  /** Per slot: its place in `order`. */
  private place = new Int32Array(FIRST_SLOTS);
  /** Slots removed, to be used again, and how many slots were ever used. */
  private free = new Int32Array(FIRST_SLOTS);
  private freeCount = 0;
  private used = 0;
  /** Open addressing, linear probing: slot + 1 (0: empty), at most half full. */
  private table = new Int32Array(FIRST_TABLE);
  /** The texts: a byte a character, or two (low, high) for a text with a character above 255. */
  private arena = new Uint8Array(FIRST_ARENA);
  private arenaTop = 0;
  private arenaLive = 0;
  /** The slots by last activity (-1: a hole), from `head` to `tail`. */
  private order = new Int32Array(FIRST_ORDER);
  private head = 0;
  private tail = 0;
  /** What the last `find` computed for its text, for an `insert` of the same text. */
  private probeKey: string | undefined;
  private probeHash = 0;
  private probeLength = 0;

  /** The lengths of the arrays that grow and shrink with the window: table, order, arena (bytes), slots. */
  get capacity(): {
    readonly table: number;
    readonly order: number;
    readonly arena: number;
    readonly slots: number;
  } {
    return {
      table: this.table.length,
      order: this.order.length,
      arena: this.arena.length,
      slots: this.last.length,
    };
  }

  /** The slot of a text, or -1. */
  find(key: string): number {
    const h = tupleHash(key);
    const length = wide ? ~key.length : key.length;
    this.probeKey = key;
    this.probeHash = h;
    this.probeLength = length;
    const { table, hash, keyLength } = this;
    const mask = table.length - 1;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const e = table[i]!;
      if (e === 0) return -1;
      const s = e - 1;
      if (hash[s] === h && keyLength[s] === length && this.same(s, key)) return s;
    }
  }

  /** A new tuple (its text not in the window), last in the order; its slot. */
  insert(key: string, last: number, denied: boolean, pending: number): number {
    if (key !== this.probeKey) this.find(key);
    const h = this.probeHash;
    const length = this.probeLength;
    const n = length < 0 ? ~length : length;
    const bytes = length < 0 ? 2 * n : n;
    if (this.arenaTop + bytes > this.arena.length) this.compactArena(bytes);
    if (2 * (this.size + 1) > this.table.length) this.growTable();
    const s = this.slot();
    const at = this.arenaTop;
    const arena = this.arena;
    if (length < 0) {
      for (let i = 0; i < n; i++) {
        const c = key.charCodeAt(i);
        arena[at + 2 * i] = c & 255;
        arena[at + 2 * i + 1] = c >>> 8;
      }
    } else {
      for (let i = 0; i < n; i++) arena[at + i] = key.charCodeAt(i);
    }
    this.arenaTop = at + bytes;
    this.arenaLive += bytes;
    this.hash[s] = h;
    this.keyAt[s] = at;
    this.keyLength[s] = length;
    this.last[s] = last;
    this.denied[s] = denied ? 1 : 0;
    this.pending[s] = pending;
    this.conns[s] = undefined;
    if (this.seen.size > 0) this.seen.delete(s);
    const table = this.table;
    const mask = table.length - 1;
    let i = h & mask;
    while (table[i] !== 0) i = (i + 1) & mask;
    table[i] = s + 1;
    this.push(s);
    this.size++;
    return s;
  }

  /** Moves a tuple to the end of the order (it was just active). */
  touch(s: number): void {
    this.order[this.place[s]!] = -1;
    this.push(s);
  }

  /** Forgets a tuple; its slot may be used again. */
  remove(s: number): void {
    const table = this.table;
    const mask = table.length - 1;
    let i = this.hash[s]! & mask;
    while (table[i] !== s + 1) i = (i + 1) & mask;
    // Backward-shift deletion: the entries after the hole that probed past it move into it.
    table[i] = 0;
    for (let j = (i + 1) & mask; table[j] !== 0; j = (j + 1) & mask) {
      const e = table[j]!;
      const home = this.hash[e - 1]! & mask;
      if (j > i ? home <= i || home > j : home <= i && home > j) {
        table[i] = e;
        table[j] = 0;
        i = j;
      }
    }
    this.order[this.place[s]!] = -1;
    const length = this.keyLength[s]!;
    this.arenaLive -= length < 0 ? 2 * ~length : length;
    this.conns[s] = undefined;
    if (this.seen.size > 0) this.seen.delete(s);
    if (this.freeCount === this.free.length) this.free = grown(this.free);
    this.free[this.freeCount++] = s;
    this.size--;
    // Shrinking: each at most a quarter full afterwards, so that growing again is far off.
    if (this.table.length > FIRST_TABLE && 8 * this.size < this.table.length)
      this.rebuildTable(this.table.length / 2);
    if (this.order.length > FIRST_ORDER && 8 * this.size < this.order.length)
      this.moveOrder(this.order.length / 2);
    if (this.arena.length > FIRST_ARENA && 8 * this.arenaLive < this.arena.length) this.compactArena(0);
  }

  /** The first tuple in the order (the least recently active), or -1 when the window is empty. */
  front(): number {
    const order = this.order;
    while (this.head < this.tail) {
      const s = order[this.head]!;
      if (s >= 0) return s;
      this.head++;
    }
    return -1;
  }

  /** The tuples in order. */
  *slots(): Generator<number> {
    for (let i = this.head; i < this.tail; i++) {
      const s = this.order[i]!;
      if (s >= 0) yield s;
    }
  }

  /** A tuple's text. */
  key(s: number): string {
    const at = this.keyAt[s]!;
    const length = this.keyLength[s]!;
    const arena = this.arena;
    let text = '';
    if (length < 0) {
      for (let i = 0; i < ~length; i++)
        text += String.fromCharCode(arena[at + 2 * i]! | (arena[at + 2 * i + 1]! << 8));
      return text;
    }
    for (let i = 0; i < length; i += 4096)
      text += String.fromCharCode(...arena.subarray(at + i, at + Math.min(length, i + 4096)));
    return text;
  }

  private same(s: number, key: string): boolean {
    const arena = this.arena;
    const at = this.keyAt[s]!;
    const n = key.length;
    if (this.keyLength[s]! < 0) {
      for (let i = 0; i < n; i++) {
        if ((arena[at + 2 * i]! | (arena[at + 2 * i + 1]! << 8)) !== key.charCodeAt(i)) return false;
      }
      return true;
    }
    for (let i = 0; i < n; i++) if (arena[at + i] !== key.charCodeAt(i)) return false;
    return true;
  }

  /** A slot for a new tuple: one removed, else a new one (the columns doubled when full). */
  private slot(): number {
    if (this.freeCount > 0) return this.free[--this.freeCount]!;
    if (this.used === this.last.length) {
      this.last = grown(this.last);
      this.denied = grown(this.denied);
      this.pending = grown(this.pending);
      this.hash = grown(this.hash);
      this.keyAt = grown(this.keyAt);
      this.keyLength = grown(this.keyLength);
      this.place = grown(this.place);
    }
    return this.used++;
  }

  private push(s: number): void {
    if (this.tail === this.order.length) this.compactOrder();
    this.place[s] = this.tail;
    this.order[this.tail++] = s;
  }

  /** The queue's holes closed up, in an array twice as long when it would be more than half full. */
  private compactOrder(): void {
    const old = this.order;
    let live = 0;
    for (let i = this.head; i < this.tail; i++) if (old[i]! >= 0) live++;
    this.moveOrder(2 * (live + 1) > old.length ? 2 * old.length : old.length);
  }

  /** The queue's holes closed up, in an array of `length` (the same array when it is its length). */
  private moveOrder(length: number): void {
    const old = this.order;
    const order = length === old.length ? old : new Int32Array(length);
    let to = 0;
    for (let i = this.head; i < this.tail; i++) {
      const s = old[i]!;
      if (s < 0) continue;
      this.place[s] = to;
      order[to++] = s;
    }
    this.order = order;
    this.head = 0;
    this.tail = to;
  }

  /**
   * Room for `bytes` more: the live texts copied to the start of an arena of the smallest power of two at
   * least twice `bytes` and the live bytes (at least the first length, at most MAX_ARENA).
   */
  private compactArena(bytes: number): void {
    const need = this.arenaLive + bytes;
    if (need > MAX_ARENA)
      throw new RangeError(
        `the dedupe window of Hubble 5-tuples would hold ${need} bytes of tuple text, more than its limit of 2 GiB (${MAX_ARENA} bytes): read the flows on one thread (NETFENCE_FLOW_THREADS=1), or with times`,
      );
    let size = FIRST_ARENA;
    while (2 * need > size && size < MAX_ARENA) size *= 2;
    const old = this.arena;
    const arena = new Uint8Array(size);
    let top = 0;
    for (const s of this.slots()) {
      const length = this.keyLength[s]!;
      const n = length < 0 ? 2 * ~length : length;
      const at = this.keyAt[s]!;
      arena.set(old.subarray(at, at + n), top);
      this.keyAt[s] = top;
      top += n;
    }
    this.arena = arena;
    this.arenaTop = top;
  }

  private growTable(): void {
    this.rebuildTable(2 * this.table.length);
  }

  /** The table rebuilt at `length` (a power of two). */
  private rebuildTable(length: number): void {
    const table = new Int32Array(length);
    const mask = table.length - 1;
    for (const s of this.slots()) {
      let i = this.hash[s]! & mask;
      while (table[i] !== 0) i = (i + 1) & mask;
      table[i] = s + 1;
    }
    this.table = table;
  }
}

function grown<T extends Float64Array | Int32Array | Uint8Array>(a: T): T {
  const b = new (a.constructor as new (n: number) => T)(2 * a.length);
  b.set(a);
  return b;
}
