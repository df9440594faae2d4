import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import fc from 'fast-check';
import { FlowMatcher, type RawEnd, type Resolution } from '../../src/flows/index.ts';
import type { ClusterState } from '../../src/model/cluster.ts';
import { FIXTURES, loadState } from './support.ts';

let state: ClusterState;
before(async () => {
  state = await loadState(join(FIXTURES, 'cluster.yaml'));
});

/** A resolution without the matcher's own numbering of ends. */
function plain(r: Resolution): unknown {
  return r.kind === 'end' ? { kind: r.kind, end: r.end } : r;
}

const FIELD = {
  namespace: fc.constantFrom(undefined, 'app', 'db', 'kube-system'),
  pod: fc.constantFrom(undefined, 'web-6d4cf56db6-x7k2p', 'pg-0', 'ghost'),
  workloadKind: fc.constantFrom(undefined, 'Deployment', 'StatefulSet'),
  workload: fc.constantFrom(undefined, 'web', 'api', 'pg'),
  ip: fc.constantFrom(undefined, '10.244.2.50', '10.96.0.20', '203.0.113.7', 'x'),
};
type Field = keyof typeof FIELD;

function rawEnd(fields: Partial<Record<Field, string | undefined>>): RawEnd {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}

/** An end and others that differ from it in one field each (a pod named with another address...). */
const ENDS = fc.record(FIELD).chain((base) =>
  fc
    .array(
      fc
        .constantFrom(...(Object.keys(FIELD) as Field[]))
        .chain((field) => FIELD[field].map((value) => rawEnd({ ...base, [field]: value }))),
      { maxLength: 3 },
    )
    .map((variants) => [rawEnd(base), ...variants]),
);

test('a memoized resolution is what a fresh matcher resolves, whatever ends came before', () => {
  // A few ends, each named again and again in any order.
  const sequence = ENDS.chain((pool) => fc.array(fc.constantFrom(...pool), { minLength: 1, maxLength: 12 }));
  fc.assert(
    fc.property(sequence, (ends) => {
      const memo = new FlowMatcher(state);
      for (const e of ends)
        assert.deepEqual(plain(memo.resolve(e)), plain(new FlowMatcher(state).resolve(e)));
    }),
    { numRuns: 300 },
  );
});

test('equal ends are one object with one number, however they were named', () => {
  const m = new FlowMatcher(state);
  const byPod = m.resolve({ namespace: 'db', pod: 'pg-0' });
  const byIp = m.resolve({ ip: '10.244.2.50' });
  assert.ok(byPod.kind === 'end' && byIp.kind === 'end');
  assert.equal(byPod.end, byIp.end);
  assert.equal(byPod.id, byIp.id);
  const other = m.resolve({ ip: '203.0.113.7' });
  assert.ok(other.kind === 'end' && other.id !== byPod.id);
});
