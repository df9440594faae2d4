import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FIRST_ARENA, FIRST_ORDER, FIRST_TABLE, TupleWindow, tupleHash } from '../../src/flows/window.ts';
import { mulberry32 as rng } from '../support/random.ts';

interface Entry {
  last: number;
  denied: boolean;
  pending: number;
}

/** The window as the aggregator kept it before: a `Map` in order of last activity. */
class Reference {
  readonly map = new Map<string, Entry>();
  touch(key: string, last: number): void {
    const e = this.map.get(key)!;
    e.last = last;
    this.map.delete(key);
    this.map.set(key, e);
  }
  /** Forgets from the front while older than `horizon`, as the aggregator prunes. */
  prune(horizon: number): void {
    for (const [key, e] of this.map) {
      if (!(e.last < horizon)) break;
      this.map.delete(key);
    }
  }
}

function prune(w: TupleWindow, horizon: number): void {
  for (let s = w.front(); s >= 0; s = w.front()) {
    if (!(w.last[s]! < horizon)) break;
    w.remove(s);
  }
}

function assertSame(w: TupleWindow, ref: Reference, when: string): void {
  assert.equal(w.size, ref.map.size, `size ${when}`);
  const got = [...w.slots()].map((s) => [w.key(s), w.last[s], w.denied[s] === 1, w.pending[s]]);
  const want = [...ref.map].map(([k, e]) => [k, e.last, e.denied, e.pending]);
  assert.deepEqual(got, want, `tuples in order ${when}`);
}

/**
 * A capture's 5-tuples: mostly new (a fresh source port), often one of the last few hundred coming back
 * (a retry, the other observation point), sometimes far out of order; texts of every kind (IPv4, IPv6, pod
 * names of 300 characters, characters above 255, surrogate pairs and lone surrogates, NUL, U+00FF, U+0100,
 * U+FFFF, the empty text).
 */
const ODD = [
  'TCP \ud83d\ude00 # \u0000 80',
  '\u0000#\u0000',
  'UDP \uffff # \uffff',
  'TCP \ud83d # \ude00 53',
  '\u00ff#\u0100',
  'SCTP \u{10ffff}#',
];

/** The bytes the window's arena keeps for these texts: one a character, two when one is above 255. */
function textBytes(keys: Iterable<string>): number {
  let bytes = 0;
  for (const k of keys) {
    let or = 0;
    for (let i = 0; i < k.length; i++) or |= k.charCodeAt(i);
    bytes += or > 255 ? 2 * k.length : k.length;
  }
  return bytes;
}

/**
 * What the window holds is in proportion to what it keeps (a quarter to twice as much, none below their
 * first lengths): its table and its order are at most half full and, above their first lengths, an eighth
 * full at least; the arena holds the live texts and, above its first length, is at most 8 times as large.
 */
function assertCapacity(w: TupleWindow, ref: Reference, when: string): void {
  const { table, order, arena } = w.capacity;
  const live = textBytes(ref.map.keys());
  const size = ref.map.size;
  assert.ok(
    2 * size <= table && (table === FIRST_TABLE || 8 * size >= table),
    `table ${table} for ${size} ${when}`,
  );
  assert.ok(
    size <= order && (order === FIRST_ORDER || 8 * size >= order),
    `order ${order} for ${size} ${when}`,
  );
  assert.ok(
    live <= arena && (arena === FIRST_ARENA || 8 * live >= arena),
    `arena ${arena} for ${live} ${when}`,
  );
}

function tupleSource(random: () => number): () => string {
  const seen: string[] = [];
  let port = 0;
  return () => {
    const r = random();
    if (seen.length > 0 && r < 0.45) {
      const back = Math.floor(random() * Math.min(seen.length, random() < 0.9 ? 300 : seen.length));
      return seen[seen.length - 1 - back]!;
    }
    const kind = random();
    const p = port++;
    const text =
      kind < 0.6
        ? `TCP 10.0.${p % 251}.${p % 7} ${p} 10.1.0.${p % 13} 443`
        : kind < 0.75
          ? `UDP fd00::${p.toString(16)} ${p} fd00::35 53`
          : kind < 0.85
            ? `SCTP ${'pod-'.repeat(75)}${p} ${p}  9`
            : kind < 0.92
              ? `TCP café-${p} ${p} ☃-${p % 5} 80`
              : kind < 0.96
                ? ODD[p % ODD.length]!.replace('#', String(p))
                : kind < 0.99
                  ? `TCP ${p}`
                  : '';
    seen.push(text);
    return text;
  };
}

test('the typed-array window answers as a Map in order of last activity: finds, moves, prunes, grows', () => {
  for (const seed of [1, 2, 3]) {
    const random = rng(seed);
    const next = tupleSource(random);
    const w = new TupleWindow();
    const ref = new Reference();
    const WINDOW = 60_000;
    let now = 0;
    let most = 0;
    for (let i = 0; i < 30_000; i++) {
      // Mostly in time order, with a little disorder, a few flows far back and a few without a time.
      now += Math.floor(random() * 20);
      const d = random();
      const t = d < 0.02 ? now - 100_000 : d < 0.03 ? Number.NaN : now - Math.floor(random() * 2000);
      const key = next();
      const s = w.find(key);
      const e = ref.map.get(key);
      assert.equal(s >= 0, e !== undefined, `find ${JSON.stringify(key)}`);
      if (e !== undefined) {
        assert.equal(w.key(s), key);
        assert.equal(Object.is(w.last[s], e.last), true);
        assert.equal(w.denied[s] === 1, e.denied);
        assert.equal(w.pending[s], e.pending);
        const op = random();
        if (op < 0.5 && t > e.last) {
          w.last[s] = t;
          w.touch(s);
          ref.touch(key, t);
        } else if (op < 0.6) {
          w.denied[s] = 1;
          e.denied = true;
        } else if (op < 0.8) {
          // Back after the window: forgotten, then remembered again at the end.
          w.remove(s);
          ref.map.delete(key);
          const denied = random() < 0.5;
          w.insert(key, t, denied, -1);
          ref.map.set(key, { last: t, denied, pending: -1 });
        }
      } else {
        const denied = random() < 0.1;
        const pending = random() < 0.2 ? i : -1;
        const at = w.insert(key, t, denied, pending);
        assert.equal(w.find(key), at);
        ref.map.set(key, { last: t, denied, pending });
      }
      most = Math.max(most, w.size);
      if (i % 1500 === 1499) {
        prune(w, now - WINDOW);
        ref.prune(now - WINDOW);
        assertSame(w, ref, `after the pruning at ${i} (seed ${seed})`);
        assertCapacity(w, ref, `after the pruning at ${i} (seed ${seed})`);
      }
    }
    assertSame(w, ref, `at the end (seed ${seed})`);
    // Grown past its first thousand slots, and each text still found.
    assert.ok(most > 2000, `${most} tuples at most`);
    for (const key of ref.map.keys()) assert.equal(w.key(w.find(key)), key);
    // Emptied, then used again: every slot and text reused.
    prune(w, Number.POSITIVE_INFINITY);
    ref.prune(Number.POSITIVE_INFINITY);
    const nan = [...ref.map.keys()];
    for (const key of nan) {
      w.remove(w.find(key));
      ref.map.delete(key);
    }
    assert.equal(w.size, 0);
    assert.equal(w.front(), -1);
    assert.deepEqual(
      [w.capacity.table, w.capacity.order, w.capacity.arena],
      [FIRST_TABLE, FIRST_ORDER, FIRST_ARENA],
      `emptied (seed ${seed})`,
    );
    for (let i = 0; i < 5000; i++) {
      const key = `again ${i}`;
      if (w.find(key) < 0) w.insert(key, i, false, -1);
      ref.map.set(key, { last: i, denied: false, pending: -1 });
    }
    assertSame(w, ref, `refilled (seed ${seed})`);
  }
});

test('bursts then prunes: the window answers as the Map, and gives its memory back', () => {
  for (const seed of [4, 5]) {
    const random = rng(seed);
    const next = tupleSource(random);
    const w = new TupleWindow();
    const ref = new Reference();
    let now = 0;
    let mostTable = 0;
    // Bursts of growing sizes (the last past 2^17 tuples, a capture without times read at once), each
    // pruned down to a few hundred tuples, a hundred, or none; between them, a steady trickle.
    for (const [round, burst] of [20_000, 100_000, 3000, 50_000].entries()) {
      for (let i = 0; i < burst; i++) {
        now++;
        const key = next();
        const s = w.find(key);
        const e = ref.map.get(key);
        assert.equal(s >= 0, e !== undefined, `find ${JSON.stringify(key)}`);
        if (e === undefined) {
          w.insert(key, now, false, -1);
          ref.map.set(key, { last: now, denied: false, pending: -1 });
        } else if (random() < 0.5) {
          w.last[s] = now;
          w.touch(s);
          ref.touch(key, now);
        } else {
          w.remove(s);
          ref.map.delete(key);
        }
        if (i % 10_007 === 0) assertCapacity(w, ref, `in burst ${round} at ${i} (seed ${seed})`);
      }
      mostTable = Math.max(mostTable, w.capacity.table);
      assertSame(w, ref, `after burst ${round} (seed ${seed})`);
      assertCapacity(w, ref, `after burst ${round} (seed ${seed})`);
      // Pruned in steps, as the aggregator does every 4096 flows: down to 100 tuples.
      for (const keep of [burst / 2, burst / 10, 300, 100]) {
        prune(w, now - keep);
        ref.prune(now - keep);
        assertSame(w, ref, `pruned to the last ${keep} of burst ${round} (seed ${seed})`);
        assertCapacity(w, ref, `pruned to the last ${keep} of burst ${round} (seed ${seed})`);
      }
      assert.ok(w.size <= 100, `${w.size} left`);
      // Back to the first lengths: 100 tuples of short texts fit in them.
      assert.deepEqual(
        [w.capacity.table, w.capacity.order, w.capacity.arena],
        [FIRST_TABLE, FIRST_ORDER, FIRST_ARENA],
        `after burst ${round} (seed ${seed})`,
      );
      for (const key of ref.map.keys()) assert.equal(w.key(w.find(key)), key);
    }
    assert.ok(mostTable >= 2 ** 17, `the table grew to ${mostTable}`);
  }
});

test('a slot held across a shrinking still names its tuple, with its columns', () => {
  // The aggregator keeps slot numbers (a flow's tuple) while others are removed: hold 40 tuples of a burst,
  // remove every other one (the table and order shrink), then each held slot still names its tuple.
  const w = new TupleWindow();
  const burst = 2 ** 17;
  for (let i = 0; i < burst; i++) w.insert(`t${i}`, i, false, -1);
  const grown = w.capacity.table;
  const held = Array.from({ length: 40 }, (_, j) => {
    const key = `t${j * 3001}`;
    const s = w.find(key);
    w.last[s] = -j;
    w.denied[s] = j % 2;
    w.pending[s] = j;
    return [key, s] as const;
  });
  const keep = new Set(held.map(([key]) => key));
  for (let i = 0; i < burst; i++) if (!keep.has(`t${i}`)) w.remove(w.find(`t${i}`));
  assert.equal(w.size, 40);
  assert.ok(w.capacity.table < grown / 8, `table ${grown} → ${w.capacity.table}`);
  for (const [j, [key, s]] of held.entries()) {
    assert.equal(w.key(s), key);
    assert.equal(w.find(key), s);
    assert.deepEqual([w.last[s], w.denied[s], w.pending[s]], [-j, j % 2, j]);
  }
});

test('a window whose texts are long: the arena shrinks by its live bytes, with few tuples', () => {
  // 500 texts of 2,000 characters: the table stays at its first length, the arena grows to 2 MiB; the texts
  // removed, the arena shrinks; wide texts take two bytes a character.
  const w = new TupleWindow();
  const ref = new Reference();
  for (const wide of [false, true]) {
    for (let i = 0; i < 500; i++) {
      const key = `${wide ? 'Ω' : 'o'}${String(i).padStart(4, '0')}`.repeat(400);
      w.insert(key, i, false, -1);
      ref.map.set(key, { last: i, denied: false, pending: -1 });
      if (i % 50 === 49) assertCapacity(w, ref, `at ${i}`);
    }
    assert.equal(w.capacity.table, FIRST_TABLE);
    assert.ok(w.capacity.arena >= (wide ? 4 : 2) * 1_000_000, `arena ${w.capacity.arena}`);
    for (let keep = 400; keep >= 0; keep -= 100) {
      prune(w, 500 - keep);
      ref.prune(500 - keep);
      assertSame(w, ref, `the last ${keep} kept`);
      assertCapacity(w, ref, `the last ${keep} kept`);
    }
    assert.equal(w.capacity.arena, FIRST_ARENA);
  }
});

test('a window entry keeps its connection and verdicts until its slot is removed', () => {
  const w = new TupleWindow();
  const conn = { src: { kind: 'external', ip: '192.0.2.1' }, dst: { kind: 'external', ip: '192.0.2.2' } };
  const a = w.insert('TCP a 1 b 80', 0, false, -1);
  w.conns[a] = conn as never;
  w.seen.set(a, new Set(['allow']));
  assert.equal(w.conns[w.find('TCP a 1 b 80')], conn);
  w.remove(a);
  assert.equal(w.find('TCP a 1 b 80'), -1);
  // The slot is used again: nothing of the tuple before it.
  const b = w.insert('TCP c 2 d 80', 1, true, 7);
  assert.equal(b, a);
  assert.equal(w.conns[b], undefined);
  assert.equal(w.seen.has(b), false);
  assert.deepEqual([w.last[b], w.denied[b], w.pending[b]], [1, 1, 7]);
});

test('texts that collide in the table are told apart by their characters', () => {
  // Texts of one length differing in one character, many of them: probing runs long; each finds its own.
  const w = new TupleWindow();
  const keys = Array.from(
    { length: 20_000 },
    (_, i) => `TCP 10.0.0.1 ${String(i).padStart(5, '0')} 10.0.0.2 80`,
  );
  for (const [i, k] of keys.entries()) w.insert(k, i, false, -1);
  for (const [i, k] of keys.entries()) assert.equal(w.last[w.find(k)], i);
  // Every other one removed (backward-shift deletion): the rest still found, the removed ones not.
  for (let i = 0; i < keys.length; i += 2) w.remove(w.find(keys[i]!));
  for (const [i, k] of keys.entries()) assert.equal(w.find(k) >= 0, i % 2 === 1, k);
  // The same characters, one wide: not the same text.
  w.insert('x\u0101', 0, false, -1);
  assert.equal(w.find('x\u0001'), -1);
  assert.equal(w.find('xā'), w.find('x\u0101'));
});

test('a run of texts that wraps round the end of the table: removals keep the rest found', () => {
  // Texts whose place in the first table is among its last 4 or first 4: their probing runs across the
  // end of the table to its start, where a removal must move back the texts that wrapped.
  const mask = FIRST_TABLE - 1;
  const atEnd: string[] = [];
  const atStart: string[] = [];
  for (let i = 0; atEnd.length < 12 || atStart.length < 12; i++) {
    const key = `UDP 10.0.0.1 ${i} 10.0.0.2 53`;
    const home = tupleHash(key) & mask;
    if (home >= FIRST_TABLE - 4 && atEnd.length < 12) atEnd.push(key);
    else if (home < 4 && atStart.length < 12) atStart.push(key);
  }
  for (const order of [
    [...atEnd, ...atStart],
    [...atStart, ...atEnd],
  ]) {
    for (let remove = 0; remove < order.length; remove++) {
      const w = new TupleWindow();
      for (const [i, k] of order.entries()) w.insert(k, i, false, -1);
      w.remove(w.find(order[remove]!));
      for (const [i, k] of order.entries()) {
        if (i === remove) assert.equal(w.find(k), -1, k);
        else assert.equal(w.last[w.find(k)], i, `${k} after removing ${order[remove]!}`);
      }
    }
  }
});
