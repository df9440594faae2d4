/**
 * Rollback records in detail: what a failed or partial apply's record says, why rollback skips or blocks
 * an entry (the reason a user reads), and every way `parseRecord` refuses a file that is not a record it
 * can trust. (Found missing by mutation testing: see docs/mutation/apply.md.)
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  entryRef,
  finish,
  newRecord,
  parseRecord,
  planApply,
  rollbackSteps,
  type Outcome,
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

function entry(over: Partial<RecordEntry> & Pick<RecordEntry, 'id' | 'action'>): RecordEntry {
  const [namespace, name] = over.id.split('/') as [string, string];
  return { namespace, name, before: null, outcome: 'applied', after: null, resourceVersion: null, ...over };
}

function record(entries: RecordEntry[]): RollbackRecord {
  return {
    schemaVersion: 1,
    kind: 'NetfenceRollbackRecord',
    id: 'r',
    createdAt: '2026-12-05T00:00:00.000Z',
    context: 'prod',
    server: 'https://10.0.0.1:6443',
    status: 'in-progress',
    entries,
  };
}

describe('finish', () => {
  const outcomes: [Outcome[], string][] = [
    [['applied', 'applied'], 'complete'],
    [['applied', 'failed'], 'partial'],
    [['failed', 'applied'], 'partial'],
    [['applied', 'not-attempted'], 'partial'],
    [['applied', 'pending'], 'partial'],
    [[], 'complete'],
  ];
  for (const [list, status] of outcomes) {
    test(`[${list.join(', ')}]: ${status}`, () => {
      const r = record(list.map((outcome, i) => entry({ id: `a/p${i}`, action: 'create', outcome })));
      const done = finish(r);
      assert.equal(done.status, status);
      assert.deepEqual(done.entries, r.entries);
      assert.equal(r.status, 'in-progress', 'the record given is left as it was');
    });
  }
});

describe('newRecord', () => {
  test('the record of a plan: its meta data, and nothing for an unchanged policy', () => {
    const plan = planApply({
      desired: [{ desired: np('a/same', V1), result: np('a/same', V1) }],
      live: [np('a/same', V1, '5')],
      prune: [],
      staged: false,
    });
    const time = new Date('2026-12-05T10:20:30.456Z');
    assert.deepEqual(newRecord(plan, { time, context: 'kind-dev', server: 'https://127.0.0.1:6443' }), {
      schemaVersion: 1,
      kind: 'NetfenceRollbackRecord',
      id: '2026-12-05T10-20-30.456Z',
      createdAt: '2026-12-05T10:20:30.456Z',
      context: 'kind-dev',
      server: 'https://127.0.0.1:6443',
      status: 'in-progress',
      entries: [],
    });
  });

  test("an entry of a NetworkPolicy has no kind or apiVersion (the records' first form), its before and after", () => {
    const plan = planApply({
      desired: [
        { desired: np('a/new', V1), result: np('a/new', V1) },
        { desired: np('a/changed', V2), result: np('a/changed', V2) },
      ],
      live: [np('a/changed', V1, '6')],
      prune: [],
      staged: false,
    });
    const r = newRecord(plan, { time: new Date(0), context: 'c', server: 's' });
    assert.deepEqual(r.entries, [
      {
        id: 'a/changed',
        namespace: 'a',
        name: 'changed',
        action: 'update',
        before: np('a/changed', V1, '6'),
        outcome: 'pending',
        after: null,
        resourceVersion: null,
      },
      {
        id: 'a/new',
        namespace: 'a',
        name: 'new',
        action: 'create',
        before: null,
        outcome: 'pending',
        after: null,
        resourceVersion: null,
      },
    ]);
  });
});

describe('entryRef', () => {
  test('an entry without kind names a NetworkPolicy of networking.k8s.io/v1', () => {
    assert.deepEqual(entryRef(entry({ id: 'a/x', action: 'create' })), {
      kind: 'NetworkPolicy',
      apiVersion: 'networking.k8s.io/v1',
      namespace: 'a',
      name: 'x',
    });
  });
});

describe('rollbackSteps: the reasons shown', () => {
  const cases: [string, RecordEntry, NetworkPolicy | undefined, string, string | undefined][] = [
    [
      'a failed write',
      entry({ id: 'a/x', action: 'update', before: np('a/x', V1), outcome: 'failed' }),
      np('a/x', V2, '9'),
      'skip',
      'the apply did not change it (failed)',
    ],
    [
      'a write never attempted (an earlier one failed)',
      entry({ id: 'a/x', action: 'update', before: np('a/x', V1), outcome: 'not-attempted' }),
      np('a/x', V2, '9'),
      'skip',
      'the apply did not change it (not-attempted)',
    ],
    [
      'already as before',
      entry({ id: 'a/x', action: 'update', before: np('a/x', V1), after: np('a/x', V2) }),
      np('a/x', V1, '12'),
      'skip',
      'already as before',
    ],
    [
      'changed by someone since',
      entry({ id: 'a/x', action: 'update', before: np('a/x', V1), after: np('a/x', V2) }),
      np('a/x', { podSelector: {} }, '10'),
      'blocked',
      'changed since netfence applied it; --force restores it anyway',
    ],
    [
      'deleted by someone since an update',
      entry({ id: 'a/x', action: 'update', before: np('a/x', V1), after: np('a/x', V2) }),
      undefined,
      'blocked',
      'deleted since netfence applied it; --force restores it anyway',
    ],
    [
      're-created by someone after a prune',
      entry({ id: 'a/x', action: 'delete', before: np('a/x', V1) }),
      np('a/x', V2, '11'),
      'blocked',
      're-created since netfence applied it; --force restores it anyway',
    ],
    [
      'a create, as netfence left it',
      entry({ id: 'a/x', action: 'create', after: np('a/x', V1) }),
      np('a/x', V1, '3'),
      'delete',
      undefined,
    ],
  ];
  for (const [name, e, current, kind, reason] of cases) {
    test(name, () => {
      const [step] = rollbackSteps(record([e]), new Map([[e.id, current]]), false);
      assert.equal(step!.kind, kind);
      assert.equal(step!.reason, reason);
      assert.equal('reason' in step!, reason !== undefined, 'no reason key without a reason');
      assert.equal(step!.entry, e);
      assert.deepEqual(step!.target, e.before ?? undefined);
    });
  }

  test('pending entries (netfence stopped mid-way) are never blocked: nothing says what netfence left', () => {
    const e = entry({ id: 'a/x', action: 'create', outcome: 'pending' });
    const [step] = rollbackSteps(record([e]), new Map([['a/x', np('a/x', V2, '4')]]), false);
    assert.equal(step!.kind, 'delete');
    assert.equal(step!.resourceVersion, '4');
  });
});

describe('parseRecord refuses', () => {
  const good = {
    kind: 'NetfenceRollbackRecord',
    schemaVersion: 1,
    id: 'x',
    context: 'c',
    entries: [] as unknown[],
  };
  const goodEntry = { namespace: 'a', name: 'p', action: 'create', before: null };
  const notRecord = 'r.json is not a netfence rollback record (kind NetfenceRollbackRecord)';
  const incomplete = 'r.json is incomplete: it needs id, context and entries';
  const badEntry = 'r.json: entry 1 is not an object record (namespace, name, action, before)';
  const cases: [string, unknown, string][] = [
    ['null', null, notRecord],
    ['an array', [good], notRecord],
    ['a string', 'NetfenceRollbackRecord', notRecord],
    ['no schemaVersion', { ...good, schemaVersion: undefined }, 'r.json has schemaVersion undefined'],
    ['schemaVersion as a string', { ...good, schemaVersion: '1' }, 'r.json has schemaVersion "1"'],
    ['entries not a list', { ...good, entries: {} }, incomplete],
    ['no id', { ...good, id: 7 }, incomplete],
    ['no context', { ...good, context: null }, incomplete],
    ['an entry that is null', { ...good, entries: [goodEntry, null] }, badEntry],
    ['an entry that is a list', { ...good, entries: [goodEntry, []] }, badEntry],
    [
      'an entry without namespace',
      { ...good, entries: [goodEntry, { ...goodEntry, namespace: 1 }] },
      badEntry,
    ],
    ['an entry without name', { ...good, entries: [goodEntry, { ...goodEntry, name: null }] }, badEntry],
    ['an unknown action', { ...good, entries: [goodEntry, { ...goodEntry, action: 'patch' }] }, badEntry],
    ['before a string', { ...good, entries: [goodEntry, { ...goodEntry, before: 'x' }] }, badEntry],
    ['before missing', { ...good, entries: [goodEntry, { ...goodEntry, before: undefined }] }, badEntry],
    [
      'an unknown kind',
      { ...good, entries: [goodEntry, { ...goodEntry, kind: 'Pod', apiVersion: 'v1' }] },
      'r.json: entry 1 has kind "Pod" and apiVersion "v1": a record entry is of NetworkPolicy, ClusterNetworkPolicy, AdminNetworkPolicy, BaselineAdminNetworkPolicy, CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy, with its apiVersion',
    ],
    [
      'a kind that is not a string',
      { ...good, entries: [goodEntry, { ...goodEntry, kind: ['NetworkPolicy'], apiVersion: 'v1' }] },
      'r.json: entry 1 has kind ["NetworkPolicy"] and apiVersion "v1"',
    ],
    [
      'a kind without apiVersion',
      { ...good, entries: [goodEntry, { ...goodEntry, kind: 'ClusterNetworkPolicy' }] },
      'r.json: entry 1 has kind "ClusterNetworkPolicy" and apiVersion undefined',
    ],
  ];
  for (const [name, value, message] of cases) {
    test(name, () => {
      const r = parseRecord(JSON.stringify(value), 'r.json');
      assert.equal(r.ok, false);
      assert.ok(!r.ok && r.error.startsWith(message), !r.ok ? r.error : '');
    });
  }

  test('and reads entries of every kind, each with its apiVersion, and before as an object or null', () => {
    const entries = [
      goodEntry,
      { ...goodEntry, action: 'update', before: { metadata: { name: 'p' } } },
      { ...goodEntry, action: 'delete', kind: 'CiliumNetworkPolicy', apiVersion: 'cilium.io/v2' },
    ];
    const r = parseRecord(JSON.stringify({ ...good, entries }), 'r.json');
    assert.ok(r.ok);
    assert.deepEqual(r.record.entries, entries);
  });

  test('a JSON syntax error quotes the parser', () => {
    const r = parseRecord('{"kind":', 'r.json');
    assert.ok(!r.ok);
    assert.match(r.error, /^r\.json is not JSON: .+/);
    assert.ok(r.error.length > 'r.json is not JSON: '.length);
  });

  test("the parser's message itself, not the error's name", () => {
    let message = '';
    try {
      JSON.parse('{"kind":');
    } catch (error) {
      message = (error as Error).message;
    }
    assert.deepEqual(parseRecord('{"kind":', 'r.json'), {
      ok: false,
      error: `r.json is not JSON: ${message}`,
    });
  });
});
