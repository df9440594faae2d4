/**
 * src/parse/names.ts (issue #20, round 10): the predicates that take valid names without a list of problems
 * (`isDns1123Label`, …, `isPortName`) say yes exactly where the problem lists are empty, at every bound.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as names from '../../src/parse/names.ts';

const r = (c: string, n: number): string => c.repeat(n);

/** Samples around each rule: lengths at and past the bounds, first and last characters, `/` and `.`. */
const SAMPLES = [
  ...['', 'a', 'a-b', r('a', 15), r('a', 16), r('a', 63), r('a', 64), '1a', 'a1', '123', 'A', '-a', 'a-'],
  ...['a--b', 'a_b', 'a.b', 'a/b', 'ex.com/a'],
  `${r('a', 63)}.${r('b', 63)}.${r('c', 63)}.${r('d', 61)}`, // 253 characters
  `${r('a', 63)}.${r('b', 63)}.${r('c', 63)}.${r('d', 62)}`, // 254
  ...[
    `${r('p', 253)}/a`,
    `${r('p', 254)}/a`,
    `p/${r('b', 63)}`,
    `p/${r('b', 64)}`,
    '/a',
    'a/',
    'a/b/c',
    'x_y.z',
  ],
];

const CASES: [string, (v: string) => boolean, (v: string) => string[], number[]][] = [
  ['isDns1123Label', names.isDns1123Label, names.dns1123LabelProblems, [1, 2, 3, 4, 5, 7, 8, 9, 13]],
  [
    'isDns1123Subdomain',
    names.isDns1123Subdomain,
    names.dns1123SubdomainProblems,
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 13, 15, 18],
  ],
  ['isDns1035Label', names.isDns1035Label, names.dns1035LabelProblems, [1, 2, 3, 4, 5, 8, 13]],
  [
    'isQualifiedName',
    names.isQualifiedName,
    names.qualifiedNameProblems,
    [1, 2, 3, 4, 5, 7, 8, 9, 10, 13, 14, 15, 16, 17, 20, 22, 27],
  ],
  [
    'isLabelValue',
    names.isLabelValue,
    names.labelValueProblems,
    [0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 13, 14, 15, 27],
  ],
  ['isPortName', names.isPortName, names.portNameProblems, [1, 2, 3, 7, 8]],
];

for (const [name, is, problems, valid] of CASES)
  test(`${name}: yes exactly for the valid samples, where the problems are none`, () => {
    assert.deepEqual(
      SAMPLES.flatMap((v, i) => (is(v) ? [i] : [])),
      valid,
    );
    for (const v of SAMPLES) assert.equal(problems(v).length === 0, is(v), JSON.stringify(v));
  });
