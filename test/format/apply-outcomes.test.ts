/**
 * The last line of `apply`'s report once writes were sent: every object applied; stopped at a failure; a
 * write with no answer (unknown: may or may not have been applied); Ctrl+C. Counts are of the objects the
 * plan writes, each in one outcome.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connectivityChange, phaseSessions, planApply } from '../../src/apply/index.ts';
import { openSession } from '../../src/engine/session.ts';
import { ApplyReport, type Outcome } from '../../src/format/apply.ts';
import type { NetworkPolicy } from '../../src/model/k8s.ts';
import { cluster, ns } from '../support/builders.ts';

function np(name: string): NetworkPolicy {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace: 'shop' },
    spec: { podSelector: {}, ingress: [{}] },
  };
}

const plan = planApply({
  desired: ['a', 'b', 'c', 'd'].map((n) => ({ desired: np(n), result: np(n) })),
  live: [],
  prune: [],
  staged: false,
});

/** The last line of the text report after these outcomes (by name; the others not attempted). */
function last(
  outcomes: Record<string, Outcome['outcome']>,
  end: { failed?: string; interrupted?: boolean },
): string {
  let text = '';
  const report = new ApplyReport(
    (t) => (text += t),
    { output: 'txt' },
    { context: 'dev', server: 'https://k' },
    plan,
    connectivityChange(phaseSessions(openSession(cluster({ namespaces: [ns('shop')] })), plan)),
    'all',
  );
  const map = new Map(Object.entries(outcomes).map(([n, o]) => [`shop/${n}`, { outcome: o }]));
  report.finish({ outcomes: map, recordPath: 'r.json', ...end });
  return text.trimEnd().split('\n').at(-1)!;
}

test('every object applied: the counts by action and how to undo', () => {
  assert.equal(
    last({ a: 'applied', b: 'applied', c: 'applied', d: 'applied' }, {}),
    'Applied: 4 created. To undo: netfence rollback --cluster (record r.json)',
  );
});

test('a failure: applied, failed, not attempted', () => {
  assert.equal(
    last({ a: 'applied', b: 'failed' }, { failed: 'x' }),
    'Stopped at the first failure: 1 applied, 1 failed, 2 not attempted. To undo the applied ones: netfence rollback --cluster (record r.json)',
  );
});

test('a write with no answer: unknown, in place of failed, and undone if it was applied', () => {
  assert.equal(
    last({ a: 'applied', b: 'applied', c: 'unknown' }, { failed: 'x' }),
    'Stopped at the first failure: 2 applied, 1 unknown (may or may not have been applied), 1 not attempted. To undo the applied ones, and the unknown if it was: netfence rollback --cluster (record r.json)',
  );
});

test('Ctrl+C: interrupted, with what was applied and not attempted (a failure or unknown write too, when one was)', () => {
  assert.equal(
    last({ a: 'applied' }, { interrupted: true }),
    'Interrupted (Ctrl+C): 1 applied, 3 not attempted. To undo the applied ones: netfence rollback --cluster (record r.json)',
  );
  assert.equal(
    last({ a: 'applied', b: 'applied', c: 'applied', d: 'applied' }, { interrupted: true }),
    'Interrupted (Ctrl+C): 4 applied, 0 not attempted. To undo the applied ones: netfence rollback --cluster (record r.json)',
  );
  assert.equal(
    last({ a: 'applied', b: 'failed' }, { interrupted: true, failed: 'x' }),
    'Interrupted (Ctrl+C): 1 applied, 1 failed, 2 not attempted. To undo the applied ones: netfence rollback --cluster (record r.json)',
  );
  assert.equal(
    last({ a: 'unknown' }, { interrupted: true, failed: 'x' }),
    'Interrupted (Ctrl+C): 0 applied, 1 unknown (may or may not have been applied), 3 not attempted. To undo the applied ones, and the unknown if it was: netfence rollback --cluster (record r.json)',
  );
});
