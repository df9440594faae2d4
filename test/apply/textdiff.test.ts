import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { renderPolicy, unifiedDiff } from '../../src/apply/index.ts';

const names = { before: 'a (live)', after: 'a (after apply)' };

describe('unifiedDiff', () => {
  test('equal texts: no diff at all', () => {
    assert.equal(unifiedDiff('a\nb\n', 'a\nb\n', names), '');
  });

  test('removed lines before added ones, three lines of context, hunk headers', () => {
    const before = ['1', '2', '3', '4', 'old', '6', '7', '8', '9'].join('\n');
    const after = ['1', '2', '3', '4', 'new', '6', '7', '8', '9'].join('\n');
    assert.equal(
      unifiedDiff(before, after, names),
      [
        '--- a (live)',
        '+++ a (after apply)',
        '@@ -2,7 +2,7 @@',
        ' 2',
        ' 3',
        ' 4',
        '-old',
        '+new',
        ' 6',
        ' 7',
        ' 8',
        '',
      ].join('\n'),
    );
  });

  test('far-apart changes make separate hunks; close ones share one', () => {
    const lines = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`);
    const changed = lines.map((l, i) => (i === 1 || i === 17 ? `${l}!` : l));
    const out = unifiedDiff(lines.join('\n'), changed.join('\n'), names);
    assert.deepEqual(
      out.split('\n').filter((l) => l.startsWith('@@')),
      ['@@ -1,5 +1,5 @@', '@@ -15,6 +15,6 @@'],
    );
  });

  test('a created object: everything added, from an empty before', () => {
    assert.equal(
      unifiedDiff('', 'a\nb\n', names),
      '--- a (live)\n+++ a (after apply)\n@@ -0,0 +1,2 @@\n+a\n+b\n',
    );
  });
});

describe('renderPolicy', () => {
  test("the user's content only, in the API's order, YAML 1.1-safe", () => {
    const text = renderPolicy({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'x', namespace: 'shop', resourceVersion: '12', uid: 'u', labels: { on: 'yes' } },
      spec: { podSelector: {}, policyTypes: ['Ingress'] },
    });
    assert.equal(
      text,
      [
        'apiVersion: networking.k8s.io/v1',
        'kind: NetworkPolicy',
        'metadata:',
        '  name: x',
        '  namespace: shop',
        '  labels:',
        '    "on": "yes"',
        'spec:',
        '  podSelector: {}',
        '  policyTypes:',
        '    - Ingress',
        '',
      ].join('\n'),
    );
  });
});
