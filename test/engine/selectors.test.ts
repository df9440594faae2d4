/**
 * Compiled label selectors: the canonical key (equal selectors share it, different ones never do), the
 * requirements in canonical order, matching, and the readable descriptions used by explanations.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  compileSelector,
  failedRequirements,
  requirementMatches,
  selectorMatches,
  type Requirement,
} from '../../src/engine/selectors.ts';
import { describeSelector } from '../../src/describe/selectors.ts';
import type { LabelSelector } from '../../src/model/k8s.ts';

describe('compileSelector', () => {
  test('requirements come sorted by key, then operator, with In/NotIn values sorted', () => {
    const s = compileSelector({
      matchLabels: { tier: 'web', app: 'shop' },
      matchExpressions: [
        { key: 'zone', operator: 'NotIn', values: ['b', 'a'] },
        { key: 'app', operator: 'Exists' },
        { key: 'zone', operator: 'Exists' },
        { key: 'app', operator: 'DoesNotExist' },
      ],
    });
    assert.deepEqual(
      s.requirements.map((r) => [r.key, r.operator, r.values]),
      [
        ['app', 'DoesNotExist', []],
        ['app', 'Exists', []],
        ['app', 'In', ['shop']],
        ['tier', 'In', ['web']],
        ['zone', 'Exists', []],
        ['zone', 'NotIn', ['a', 'b']],
      ],
    );
    assert.equal(s.matchesAll, false);
  });

  test('requirements on one key come in the same order whatever order they were written in', () => {
    const requirements: LabelSelector['matchExpressions'] = [
      { key: 'app', operator: 'NotIn', values: ['x'] },
      { key: 'app', operator: 'In', values: ['y'] },
      { key: 'app', operator: 'Exists' },
      { key: 'app', operator: 'DoesNotExist' },
    ];
    const permutations = <T>(items: readonly T[]): T[][] =>
      items.length <= 1
        ? [[...items]]
        : items.flatMap((item, i) =>
            permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
          );
    for (const order of permutations(requirements)) {
      assert.deepEqual(
        compileSelector({ matchExpressions: order }).requirements.map((r) => r.operator),
        ['DoesNotExist', 'Exists', 'In', 'NotIn'],
        order.map((r) => r.operator).join(', '),
      );
    }
  });

  test('the same selector written in another order has the same key', () => {
    const a = compileSelector({
      matchLabels: { app: 'shop', tier: 'web' },
      matchExpressions: [
        { key: 'zone', operator: 'In', values: ['a', 'b'] },
        { key: 'app', operator: 'NotIn', values: ['x'] },
      ],
    });
    const b = compileSelector({
      matchLabels: { tier: 'web', app: 'shop' },
      matchExpressions: [
        { key: 'app', operator: 'NotIn', values: ['x'] },
        { key: 'zone', operator: 'In', values: ['b', 'a'] },
      ],
    });
    assert.equal(a.key, b.key);
    // matchLabels are In with one value: both spellings are one selector.
    assert.equal(
      compileSelector({ matchLabels: { app: 'shop' } }).key,
      compileSelector({ matchExpressions: [{ key: 'app', operator: 'In', values: ['shop'] }] }).key,
    );
  });

  test('different selectors never share a key, however their parts could run together', () => {
    const selectors: LabelSelector[] = [
      {},
      { matchLabels: { app: 'ab' } },
      { matchExpressions: [{ key: 'app', operator: 'In', values: ['a', 'b'] }] },
      { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['a', 'b'] }] },
      { matchExpressions: [{ key: 'app', operator: 'Exists' }] },
      { matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] },
      { matchLabels: { app: 'a', b: 'c' } },
      { matchLabels: { app: '' } },
      { matchLabels: { a: 'pp' } },
      // Requirements must not run together: `app=x` + `tier=y` against `app=xt` + `ier=y`.
      { matchLabels: { app: 'x', tier: 'y' } },
      { matchLabels: { app: 'xt', ier: 'y' } },
    ];
    const keys = selectors.map((s) => compileSelector(s).key);
    assert.equal(new Set(keys).size, keys.length, keys.join(' | '));
    assert.deepEqual(
      selectors.map((s) => compileSelector(s).matchesAll),
      [true, false, false, false, false, false, false, false, false, false, false],
    );
  });
});

describe('matching', () => {
  const req = (operator: Requirement['operator'], values: string[] = []): Requirement => ({
    key: 'tier',
    operator,
    values,
  });
  const cases: [string, Record<string, string>][] = [
    ['no tier', { app: 'x' }],
    ['tier=""', { tier: '' }],
    ['tier=web', { tier: 'web' }],
    ['tier=db', { tier: 'db' }],
  ];

  test('each operator against a missing key, an empty value and other values', () => {
    const table: [Requirement, boolean[]][] = [
      [req('In', ['web']), [false, false, true, false]],
      [req('In', ['']), [false, true, false, false]],
      [req('NotIn', ['web']), [true, true, false, true]],
      [req('NotIn', ['']), [true, false, true, true]],
      [req('Exists'), [false, true, true, true]],
      [req('DoesNotExist'), [true, false, false, false]],
    ];
    for (const [r, expected] of table) {
      assert.deepEqual(
        cases.map(([, labels]) => requirementMatches(r, labels)),
        expected,
        `${r.operator} ${JSON.stringify(r.values)} on ${cases.map(([name]) => name).join(', ')}`,
      );
    }
  });

  test('a selector matches when every requirement does; failedRequirements lists the others', () => {
    const s = compileSelector({
      matchLabels: { app: 'shop' },
      matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['db'] }],
    });
    assert.equal(selectorMatches(s, { app: 'shop', tier: 'web' }), true);
    assert.equal(selectorMatches(s, { app: 'shop', tier: 'db' }), false);
    assert.equal(selectorMatches(compileSelector({}), {}), true);
    assert.deepEqual(
      failedRequirements(s, { tier: 'db' }).map((r) => r.key),
      ['app', 'tier'],
    );
    assert.deepEqual(failedRequirements(s, { app: 'shop' }), []);
  });
});

describe('describeSelector', () => {
  test('every operator, in canonical order; {} selects everything', () => {
    assert.equal(describeSelector(compileSelector({})), '{}');
    assert.equal(
      describeSelector(
        compileSelector({
          matchLabels: { app: 'shop' },
          matchExpressions: [
            { key: 'zone', operator: 'In', values: ['b', 'a'] },
            { key: 'tier', operator: 'NotIn', values: ['db', 'cache'] },
            { key: 'canary', operator: 'Exists' },
            { key: 'legacy', operator: 'DoesNotExist' },
          ],
        }),
      ),
      'app=shop, canary, !legacy, tier notin (cache, db), zone in (a, b)',
    );
  });
});
