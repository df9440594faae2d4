/** checks/selectors.ts: which selector is `{}`, and which requirement gets a corrected `key=value`. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { selectsEverything, suggestLabel } from '../../src/lint/checks/selectors.ts';
import type { LabelSelector } from '../../src/model/k8s.ts';

test('selectsEverything: no label and no expression', () => {
  assert.equal(selectsEverything({}), true);
  assert.equal(selectsEverything({ matchLabels: {}, matchExpressions: [] }), true);
  assert.equal(selectsEverything({ matchLabels: { app: 'web' } }), false);
  assert.equal(selectsEverything({ matchExpressions: [{ key: 'app', operator: 'Exists' }] }), false);
});

test('suggestLabel: the first single-value requirement no label set meets, a close value, else a close key', () => {
  const cases: [string, LabelSelector, Record<string, string>[], string | undefined][] = [
    ['a close value', { matchLabels: { app: 'grafna' } }, [{ app: 'grafana' }], 'app=grafana'],
    ['a close key', { matchLabels: { ap: 'web' } }, [{ app: 'web' }], 'app=web'],
    [
      'a key every set has: its value is not close, no key offered',
      { matchLabels: { app: 'zzzz' } },
      [{ app: 'web', apps: 'x' }],
      undefined,
    ],
    [
      'a requirement some set meets is passed over',
      { matchLabels: { app: 'web', tier: 'gld' } },
      [
        { app: 'web', tier: 'silver' },
        { app: 'webb', tier: 'gold' },
      ],
      'tier=gold',
    ],
    [
      'In with two values is not corrected',
      { matchExpressions: [{ key: 'app', operator: 'In', values: ['grafna', 'lokki'] }] },
      [{ app: 'grafana' }],
      undefined,
    ],
    ['nothing close', { matchLabels: { zone: 'a' } }, [{ app: 'web' }], undefined],
  ];
  for (const [name, selector, labelSets, expected] of cases) {
    assert.equal(suggestLabel(selector, labelSets), expected, name);
  }
});
