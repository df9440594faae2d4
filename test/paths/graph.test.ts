/**
 * The graph core of `paths`: Tarjan's components and the bitset closure over the condensation must equal a
 * plain breadth-first search from every node, on any graph (cycles, self-loops, duplicate edges, isolated
 * nodes) and in any number of memory chunks.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  digraph,
  forEachReach,
  popcount32,
  stronglyConnectedComponents,
  type Digraph,
} from '../../src/engine/paths.ts';

function successors(g: Digraph, u: number): number[] {
  return Array.from(g.targets.subarray(g.offsets[u], g.offsets[u + 1]));
}

/** Nodes at the end of a non-empty path from `start`, by breadth-first search. */
function naiveReach(g: Digraph, start: number): Set<number> {
  const seen = new Set<number>();
  const queue = successors(g, start);
  for (const v of queue) seen.add(v);
  for (let i = 0; i < queue.length; i++) {
    for (const v of successors(g, queue[i]!)) {
      if (seen.has(v)) continue;
      seen.add(v);
      queue.push(v);
    }
  }
  return seen;
}

/** Every group's reachable items, gathered from all chunks. */
function closure(
  g: Digraph,
  items: readonly (readonly number[])[],
  itemCount: number,
  groups: readonly (readonly number[])[],
  memoryWords?: number,
): Set<number>[] {
  const out = groups.map(() => new Set<number>());
  forEachReach(
    g,
    (u) => items[u]!,
    itemCount,
    groups,
    (gi, bits, first) => {
      for (let i = 0; i < bits.length * 32; i++) {
        if ((bits[i >>> 5]! & (1 << (i & 31))) !== 0) out[gi]!.add(first + i);
      }
    },
    memoryWords === undefined ? {} : { memoryWords },
  );
  return out;
}

const graphArb = fc.integer({ min: 1, max: 40 }).chain((n) =>
  fc.record({
    n: fc.constant(n),
    edges: fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: 3 * n }),
    // Each node carries 0–2 items out of up to 70 (more than two 32-bit words).
    items: fc.array(fc.array(fc.nat(69), { maxLength: 2 }), { minLength: n, maxLength: n }),
    memoryWords: fc.constantFrom(undefined, 1, 2, 5),
  }),
);

describe('stronglyConnectedComponents', () => {
  test('a cycle is one cyclic component; a chain is one trivial component per node, in reverse topological order', () => {
    const cycle = stronglyConnectedComponents(digraph(3, [0, 1, 2], [1, 2, 0]));
    assert.equal(cycle.count, 1);
    assert.deepEqual([...cycle.cyclic], [1]);
    const chain = stronglyConnectedComponents(digraph(4, [0, 1, 2], [1, 2, 3]));
    assert.equal(chain.count, 4);
    // Tarjan completes the sink first: 3, 2, 1, 0.
    assert.deepEqual([...chain.component], [3, 2, 1, 0]);
    assert.deepEqual([...chain.cyclic], [0, 0, 0, 0]);
  });

  test('a self-loop makes a one-node component cyclic', () => {
    const c = stronglyConnectedComponents(digraph(2, [0, 1], [0, 0]));
    assert.deepEqual([...c.cyclic].sort(), [0, 1]);
    assert.equal(c.cyclic[c.component[0]!], 1);
  });

  test('every edge goes to a component with an equal or lower number (property)', () => {
    fc.assert(
      fc.property(graphArb, ({ n, edges }) => {
        const g = digraph(
          n,
          edges.map((e) => e[0]),
          edges.map((e) => e[1]),
        );
        const { component } = stronglyConnectedComponents(g);
        for (const [u, v] of edges) assert.ok(component[v]! <= component[u]!);
        // Same component ⇔ mutually reachable.
        for (let u = 0; u < n; u++) {
          const ru = naiveReach(g, u);
          for (let v = 0; v < n; v++) {
            if (u === v) continue;
            assert.equal(component[u] === component[v], ru.has(v) && naiveReach(g, v).has(u));
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  test('a path of 200 000 nodes needs no recursion', () => {
    const n = 200_000;
    const from = Array.from({ length: n - 1 }, (_, i) => i);
    const to = from.map((i) => i + 1);
    const { count } = stronglyConnectedComponents(digraph(n, from, to));
    assert.equal(count, n);
  });

  test('the closure of a 10 000-node path counts every later node once', () => {
    // The worst case for bitsets (each node reaches all later ones), in several chunks.
    const n = 10_000;
    const from = Array.from({ length: n - 1 }, (_, i) => i);
    const to = from.map((i) => i + 1);
    let reached = 0;
    const lastReaches: number[] = [];
    forEachReach(
      digraph(n, from, to),
      (u) => [u],
      n,
      [[0], [n - 2]],
      (gi, bits, first) => {
        for (let i = 0; i < bits.length * 32; i++) {
          if ((bits[i >>> 5]! & (1 << (i & 31))) === 0) continue;
          if (gi === 0) reached++;
          else lastReaches.push(first + i);
        }
      },
      { memoryWords: 1 << 20 },
    );
    assert.deepEqual(lastReaches, [n - 1]);
    assert.equal(reached, n - 1);
  });
});

describe('forEachReach', () => {
  test('equals a breadth-first search from every node, in any number of chunks (property)', () => {
    fc.assert(
      fc.property(graphArb, ({ n, edges, items, memoryWords }) => {
        const g = digraph(
          n,
          edges.map((e) => e[0]),
          edges.map((e) => e[1]),
        );
        const groups = Array.from({ length: n }, (_, u) => [u]);
        const got = closure(g, items, 70, groups, memoryWords);
        for (let u = 0; u < n; u++) {
          const want = new Set([...naiveReach(g, u)].flatMap((v) => items[v]!));
          assert.deepEqual(
            [...got[u]!].sort((a, b) => a - b),
            [...want].sort((a, b) => a - b),
            `node ${u}`,
          );
        }
      }),
      { numRuns: 300 },
    );
  });

  test('a group reaches the union of what its nodes reach', () => {
    // 0 → 1, 2 → 3: the group {0, 2} reaches 1 and 3, not itself.
    const g = digraph(4, [0, 2], [1, 3]);
    const [reach] = closure(g, [[0], [1], [2], [3]], 4, [[0, 2]]);
    assert.deepEqual([...reach!].sort(), [1, 3]);
  });

  test('popcount32 counts the bits of any 32-bit word', () => {
    for (const [x, n] of [
      [0, 0],
      [1, 1],
      [0xffffffff, 32],
      [0x80000000, 1],
      [0x55555555, 16],
    ] as const) {
      assert.equal(popcount32(x), n);
    }
  });
});
