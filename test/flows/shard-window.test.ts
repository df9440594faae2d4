import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  DEFAULT_DEDUPE_WINDOW_MS,
  FlowAggregator,
  PENDING_CHUNK,
  PendingFlows,
  SHARD_ORDER_SLACK_MS,
} from '../../src/flows/aggregate.ts';
import { FlowMatcher } from '../../src/flows/match.ts';
import { emptyStats, type FlowRecord } from '../../src/flows/types.ts';
import type { ClusterState } from '../../src/model/cluster.ts';
import { FIXTURES, loadState } from './support.ts';

let state: ClusterState;
before(async () => {
  state = await loadState(join(FIXTURES, 'cluster.yaml'));
});

function flow(tuple: string, time: number): FlowRecord {
  return {
    src: { ip: '192.0.2.1' },
    dst: { ip: '192.0.2.2' },
    protocol: 'TCP',
    port: 443,
    count: 1,
    denied: 0,
    tuple,
    firstSeen: time,
    lastSeen: time,
  };
}

test('a shard forgets old 5-tuples although a pending one keeps coming back', () => {
  // A shard after the first: the tuples new within its first window and disorder are pending, and so is every
  // later flow of theirs. One of them comes back every 30 s for ten minutes (a DNS client's retries, a
  // keep-alive); a hundred new tuples a second come and go around it.
  const agg = new FlowAggregator(new FlowMatcher(state), emptyStats());
  agg.startShard(true);
  const TEN_MINUTES = 600_000;
  let most = 0;
  for (let t = 0, i = 0; t <= TEN_MINUTES; t += 10, i++) {
    if (t % 30_000 === 0) agg.add(flow('TCP 192.0.2.1 40000 192.0.2.2 443', t), 'capture', i);
    agg.add(flow(`TCP 192.0.2.1 ${i} 192.0.2.2 443`, t), 'capture', i);
    most = Math.max(most, agg.rememberedTuples);
  }
  assert.equal(agg.shardFailure, undefined);
  // What a window and the disorder hold (100 a second), and what arrives between two prunings (every 4,096
  // new tuples): not the 60,000 tuples of the ten minutes.
  const bound = ((DEFAULT_DEDUPE_WINDOW_MS + SHARD_ORDER_SLACK_MS) / 1000) * 100 + 4096 + 2;
  assert.ok(most <= bound, `at most ${bound} tuples remembered at once, not ${most}`);
  assert.ok(agg.rememberedTuples <= bound);
});

test('the last shard sends none of the 5-tuples it remembers at its end (no later flow can repeat them)', () => {
  const agg = new FlowAggregator(new FlowMatcher(state), emptyStats());
  agg.startShard(true);
  // Past the pending flows of the shard's start: remembered at its end.
  const late = DEFAULT_DEDUPE_WINDOW_MS + SHARD_ORDER_SLACK_MS + 1000;
  agg.add(flow('TCP 192.0.2.1 40000 192.0.2.2 443', 0), 'capture', 1);
  agg.add(flow('TCP 192.0.2.1 40001 192.0.2.2 443', late), 'capture', 2);
  agg.add(flow('TCP 192.0.2.1 40002 192.0.2.2 443', late + 10), 'capture', 3);
  const { connections } = agg.unsortedResult();
  const middle = agg.shardTuples(connections);
  assert.deepEqual(middle.recent.tuples, [
    'TCP 192.0.2.1 40001 192.0.2.2 443',
    'TCP 192.0.2.1 40002 192.0.2.2 443',
  ]);
  assert.equal(middle.recent.columns.length, 6);
  const last = agg.shardTuples(connections, false);
  assert.deepEqual(last.recent.tuples, []);
  assert.equal(last.recent.columns.length, 0);
  // What the stitch needs of the last shard is all there still: its pending flow, its times.
  assert.equal(last.tuples.pending.length, 1);
  assert.equal(last.tuples.max, late + 10);
});

test('pending flows across their chunks: each read back as kept, after being sent as data', () => {
  // A shard after the first: every flow of its first window and disorder is pending, more than a chunk holds.
  const agg = new FlowAggregator(new FlowMatcher(state), emptyStats());
  agg.startShard(true);
  const n = PENDING_CHUNK + 5;
  for (let i = 0; i < n; i++) agg.add(flow(`TCP 192.0.2.1 ${i % 50_000} 192.0.2.2 443`, i), 'capture', i + 1);
  const { tuples } = agg.shardTuples(agg.unsortedResult().connections);
  const pending = PendingFlows.fromData(structuredClone(tuples.pending.toData()));
  assert.equal(pending.length, n);
  assert.equal(pending.chunks.length, 2);
  for (const i of [0, 1, PENDING_CHUNK - 1, PENDING_CHUNK, n - 1]) {
    const { record, line, max } = pending.flow(i);
    assert.equal(record.tuple, `TCP 192.0.2.1 ${i % 50_000} 192.0.2.2 443`, `flow ${i}`);
    assert.equal(record.firstSeen, i);
    assert.equal(line, i + 1);
    assert.equal(max, i === 0 ? Number.NEGATIVE_INFINITY : i - 1);
  }
});
