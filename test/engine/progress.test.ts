/**
 * Progress on large clusters: the engine reports each phase about every 1% (so a command can show that it
 * is working on a cluster that takes seconds), and never for small ones (no noise in tests and small runs).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileCluster, type Progress } from '../../src/engine/compile.ts';
import { computeConnectivity } from '../../src/engine/connectivity.ts';
import { cluster, ns, pod, policy } from '../support/builders.ts';

/** `n` pods, each alone in its class (a unique app label), and one ingress policy per pod. */
function large(n: number): ReturnType<typeof cluster> {
  const pods = Array.from({ length: n }, (_, i) => pod('a', `p${i}`, { app: `a${i}` }));
  const policies = pods.map((p, i) =>
    policy('a', `allow-${i}`, {
      podSelector: { matchLabels: p.labels },
      ingress: [{ from: [{ podSelector: { matchLabels: { app: `a${(i + 1) % n}` } } }] }],
    }),
  );
  return cluster({ namespaces: [ns('a')], pods, policies });
}

test('large clusters report every phase, in order, about every 1%', () => {
  const events: Progress[] = [];
  const compiled = compileCluster(large(10_000), { onProgress: (p) => events.push(p) });
  const conn = computeConnectivity(compiled);
  // Each pod accepts its successor (10,000), and each may reach the outside world (egress is not isolated).
  assert.equal(conn.connections.length, 20_000);
  for (const phase of ['policies', 'access', 'connections'] as const) {
    const mine = events.filter((e) => e.phase === phase);
    assert.ok(mine.length >= 90 && mine.length <= 101, `${phase}: ${mine.length} events`);
    assert.deepEqual(mine.at(-1), { phase, done: 10_000, total: 10_000 });
    for (let i = 1; i < mine.length; i++) assert.ok(mine[i]!.done > mine[i - 1]!.done);
  }
  assert.deepEqual([...new Set(events.map((e) => e.phase))], ['policies', 'access', 'connections']);
});

test('small clusters report nothing', () => {
  const events: Progress[] = [];
  computeConnectivity(compileCluster(large(50), { onProgress: (p) => events.push(p) }));
  assert.deepEqual(events, []);
});
