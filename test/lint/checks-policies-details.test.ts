/** checks/policies.ts: the label that names a workload's pods, and the text for no workload. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { identifyingLabel, targetsText } from '../../src/lint/checks/policies.ts';
import type { RuleContext } from '../../src/lint/types.ts';

test('identifyingLabel: the well-known keys in their order, else the first key, else none', () => {
  const cases: [Record<string, string>, string | undefined][] = [
    [{ aaa: 'x', component: 'c' }, 'component=c'],
    [{ aaa: 'x', name: 'n', component: 'c' }, 'name=n'],
    [{ aaa: 'x', 'k8s-app': 'k', name: 'n' }, 'k8s-app=k'],
    [{ aaa: 'x', app: 'a', 'k8s-app': 'k' }, 'app=a'],
    [{ aaa: 'x', 'app.kubernetes.io/name': 'w', app: 'a' }, 'app.kubernetes.io/name=w'],
    [{ zeta: 'z', alpha: 'a' }, 'alpha=a'],
    [{}, undefined],
  ];
  for (const [labels, expected] of cases)
    assert.equal(identifyingLabel(labels), expected, JSON.stringify(labels));
});

test('targetsText without workloads', () => {
  const ctx = {} as RuleContext;
  assert.equal(targetsText(ctx, []), 'the pods it selects');
  assert.equal(targetsText(ctx, [], 'nothing'), 'nothing');
});
