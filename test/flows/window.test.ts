import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FIRST_TABLE, TupleWindow, tupleHash } from '../../src/flows/window.ts';
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
 * names of 300 characters, characters above 255, the empty text).
 */
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
            : kind < 0.95
              ? `TCP café-${p} ${p} ☃-${p % 5} 80`
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
    for (let i = 0; i < 5000; i++) {
      const key = `again ${i}`;
      if (w.find(key) < 0) w.insert(key, i, false, -1);
      ref.map.set(key, { last: i, denied: false, pending: -1 });
    }
    assertSame(w, ref, `refilled (seed ${seed})`);
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
