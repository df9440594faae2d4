import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  finish,
  newRecord,
  parseRecord,
  planApply,
  recordIdOf,
  rollbackSteps,
  type RecordEntry,
  type RollbackRecord,
} from '../../src/apply/index.ts';
import type { NetworkPolicy, NetworkPolicySpec } from '../../src/model/k8s.ts';

function np(id: string, spec: NetworkPolicySpec, resourceVersion?: string): NetworkPolicy {
  const [namespace, name] = id.split('/') as [string, string];
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace, ...(resourceVersion === undefined ? {} : { resourceVersion }) },
    spec,
  };
}

const V1: NetworkPolicySpec = { podSelector: {}, ingress: [{ ports: [{ port: 80 }] }] };
const V2: NetworkPolicySpec = { podSelector: {}, ingress: [{ ports: [{ port: 8080 }] }] };
const TIME = new Date('2026-11-26T16:11:22.123Z');

function entry(over: Partial<RecordEntry> & Pick<RecordEntry, 'id' | 'action'>): RecordEntry {
  const [namespace, name] = over.id.split('/') as [string, string];
  return { namespace, name, before: null, outcome: 'applied', after: null, resourceVersion: null, ...over };
}

function record(entries: RecordEntry[]): RollbackRecord {
  return {
    schemaVersion: 1,
    kind: 'NetfenceRollbackRecord',
    id: recordIdOf(TIME),
    createdAt: TIME.toISOString(),
    context: 'prod',
    server: 'https://10.0.0.1:6443',
    status: 'complete',
    entries,
  };
}

describe('newRecord', () => {
  test('every change of the plan, in write order, with the live object before it, pending', () => {
    const plan = planApply({
      desired: [
        { desired: np('a/new', V1), result: np('a/new', V1) },
        { desired: np('a/same', V1), result: np('a/same', V1) },
        { desired: np('a/changed', V2), result: np('a/changed', V2) },
      ],
      live: [np('a/same', V1, '5'), np('a/changed', V1, '6'), np('a/gone', V1, '7')],
      prune: [np('a/gone', V1, '7')],
      staged: true,
    });
    const r = newRecord(plan, { time: TIME, context: 'prod', server: 'https://10.0.0.1:6443' });
    assert.equal(r.id, '2026-11-26T16-11-22.123Z', 'a file name without colons');
    assert.equal(r.status, 'in-progress');
    assert.deepEqual(
      r.entries.map((e) => [e.id, e.action, e.before?.metadata.resourceVersion ?? null, e.outcome]),
      [
        ['a/changed', 'update', '6', 'pending'],
        ['a/new', 'create', null, 'pending'],
        ['a/gone', 'delete', '7', 'pending'],
      ],
    );
    assert.equal(
      finish({ ...r, entries: r.entries.map((e) => ({ ...e, outcome: 'applied' as const })) }).status,
      'complete',
    );
    assert.equal(finish(r).status, 'partial');
  });
});

describe('rollbackSteps', () => {
  // Each case: the entry, the live object now, and the step expected (with --force and without).
  const cases: [string, RecordEntry, NetworkPolicy | undefined, string, string][] = [
    [
      'created: deleted',
      entry({ id: 'a/new', action: 'create', after: np('a/new', V1) }),
      np('a/new', V1, '9'),
      'delete',
      'delete',
    ],
    [
      'updated: replaced with the previous version',
      entry({ id: 'a/x', action: 'update', before: np('a/x', V1, '3'), after: np('a/x', V2) }),
      np('a/x', V2, '9'),
      'replace',
      'replace',
    ],
    [
      'pruned: re-created',
      entry({ id: 'a/gone', action: 'delete', before: np('a/gone', V1, '3') }),
      undefined,
      'create',
      'create',
    ],
    [
      'already as before (someone undid it by hand): nothing to do',
      entry({ id: 'a/x', action: 'update', before: np('a/x', V1, '3'), after: np('a/x', V2) }),
      np('a/x', V1, '12'),
      'skip',
      'skip',
    ],
    [
      'changed since the apply: blocked unless forced',
      entry({ id: 'a/x', action: 'update', before: np('a/x', V1, '3'), after: np('a/x', V2) }),
      np('a/x', { podSelector: {}, ingress: [] }, '10'),
      'blocked',
      'replace',
    ],
    [
      're-created by someone after a prune: blocked unless forced',
      entry({ id: 'a/gone', action: 'delete', before: np('a/gone', V1, '3') }),
      np('a/gone', V2, '11'),
      'blocked',
      'replace',
    ],
    [
      'deleted by someone after a create: nothing to do (already as before)',
      entry({ id: 'a/new', action: 'create', after: np('a/new', V1) }),
      undefined,
      'skip',
      'skip',
    ],
    [
      'the write failed: left alone',
      entry({ id: 'a/x', action: 'update', before: np('a/x', V1, '3'), outcome: 'failed' }),
      np('a/x', V2, '9'),
      'skip',
      'skip',
    ],
    [
      'pending (netfence stopped mid-way): restored, whatever happened',
      entry({ id: 'a/x', action: 'update', before: np('a/x', V1, '3'), outcome: 'pending' }),
      np('a/x', V2, '9'),
      'replace',
      'replace',
    ],
  ];
  for (const [name, e, current, step, forced] of cases) {
    test(name, () => {
      const live = new Map([[e.id, current]]);
      const [s] = rollbackSteps(record([e]), live, false);
      assert.equal(s!.kind, step);
      assert.equal(rollbackSteps(record([e]), live, true)[0]!.kind, forced);
      if (step === 'replace' || step === 'delete')
        assert.equal(s!.resourceVersion, current?.metadata.resourceVersion);
    });
  }

  test('undoes the last write first: a staged apply is undone deny first', () => {
    const steps = rollbackSteps(
      record([entry({ id: 'a/allow', action: 'create' }), entry({ id: 'a/deny', action: 'create' })]),
      new Map([
        ['a/allow', np('a/allow', V1, '1')],
        ['a/deny', np('a/deny', { podSelector: {} }, '2')],
      ]),
      true,
    );
    assert.deepEqual(
      steps.map((s) => s.entry.id),
      ['a/deny', 'a/allow'],
    );
  });
});

describe('parseRecord', () => {
  test('reads what it writes', () => {
    const r = record([entry({ id: 'a/x', action: 'create' })]);
    assert.deepEqual(parseRecord(JSON.stringify(r), 'r.json'), { ok: true, record: r });
  });

  const bad: [string, string, string][] = [
    ['not JSON', '{', 'r.json is not JSON: '],
    [
      'another file',
      '{"kind":"List"}',
      'r.json is not a netfence rollback record (kind NetfenceRollbackRecord)',
    ],
    [
      'a newer netfence',
      '{"kind":"NetfenceRollbackRecord","schemaVersion":2}',
      'r.json has schemaVersion 2; this netfence reads 1',
    ],
    [
      'a broken entry',
      '{"kind":"NetfenceRollbackRecord","schemaVersion":1,"id":"x","context":"c","entries":[{"name":"a"}]}',
      'r.json: entry 0 is not an object record (namespace, name, action, before)',
    ],
  ];
  for (const [name, text, message] of bad) {
    test(`says what is wrong: ${name}`, () => {
      const r = parseRecord(text, 'r.json');
      assert.equal(r.ok, false);
      assert.ok(!r.ok && r.error.startsWith(message), !r.ok ? r.error : '');
    });
  }
});
