/**
 * A label selector whose `In` requirement repeats a value (`values: [web, web]`, which the API server accepts)
 * selects what the same selector without the repeat selects, and says so once: found while analysing the
 * round-12 mutation run of src/engine/compile.ts (issue #20, docs/mutation/engine.md "Round 12: `compile.ts`").
 * The narrowing by the rarest exact label read each value's posting list once per value, so a class (or a
 * namespace) came out twice, and `explain` cited the one policy selecting a pod as "2 policies".
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compileCluster, type CompiledCluster } from '../../src/engine/compile.ts';
import { explainConnection, type ExplainEnd, type Explanation } from '../../src/engine/explain.ts';
import { missMessage } from '../../src/describe/explain.ts';
import { describeSelector } from '../../src/describe/selectors.ts';
import { compileSelector } from '../../src/engine/selectors.ts';
import { cluster, ns, pod, policy } from '../support/builders.ts';
import type { LabelSelector } from '../../src/model/k8s.ts';

/** `app In values`, the values as written. */
const appIn = (...values: string[]): LabelSelector => ({
  matchExpressions: [{ key: 'app', operator: 'In', values }],
});

/**
 * Namespaces a and b; in a: web, client and other (three classes, so that one value's posting list is the
 * rarest); in b: client. One policy lets a's clients into web on TCP 80, its selectors written with `values`
 * as given.
 */
function compiled(web: string[], namespaces: string[], client: string[]): CompiledCluster {
  return compileCluster(
    cluster({
      namespaces: [ns('a'), ns('b')],
      pods: [
        pod('a', 'web', { app: 'web' }),
        pod('a', 'client', { app: 'client' }),
        pod('a', 'other', { app: 'other' }),
        pod('b', 'client', { app: 'client' }),
      ],
      policies: [
        policy('a', 'web-in', {
          podSelector: appIn(...web),
          ingress: [
            {
              from: [
                {
                  namespaceSelector: {
                    matchExpressions: [
                      { key: 'kubernetes.io/metadata.name', operator: 'In', values: namespaces },
                    ],
                  },
                  podSelector: appIn(...client),
                },
              ],
              ports: [{ port: 80 }],
            },
          ],
        }),
      ],
    }),
  );
}

const end = (c: CompiledCluster, namespace: string, name: string): ExplainEnd => ({
  kind: 'pod',
  classId: c.classOfPod(namespace, name)!,
  name: `${namespace}/${name}`,
});

const explain = (c: CompiledCluster, src: string, dst: string): Explanation => {
  const [sn, sp] = src.split('/') as [string, string];
  const [dn, dp] = dst.split('/') as [string, string];
  return explainConnection(c, end(c, sn, sp), end(c, dn, dp));
};

/** What a user reads of one side: the policies isolating it, the allowing rules, the near misses. */
function side(x: Explanation, direction: 'egress' | 'ingress'): string[] {
  const s = x[direction];
  return [
    `${s.status}: ${s.isolatedBy.map((p) => p.policy).join(', ')}`,
    ...s.rules.map((r) => `allowed by ${r.policy} ${r.path}`),
    ...s.nearMisses.map(
      (m) => `${m.policy} ${m.path}: ${m.failed}: ${m.reasons.map(missMessage).join(' | ')}`,
    ),
  ];
}

describe('a selector repeating a value of an `In` requirement', () => {
  const repeated = compiled(['web', 'web'], ['a', 'a'], ['client', 'client']);
  const single = compiled(['web'], ['a'], ['client']);

  test('a pod the policy selects is isolated by that one policy, cited once', () => {
    const x = explain(repeated, 'a/client', 'a/web');
    assert.equal(x.verdict, 'partly-allowed'); // TCP 80 of every port asked about
    assert.deepEqual(side(x, 'ingress'), ['isolated: a/web-in', 'allowed by a/web-in spec.ingress[0]']);
    assert.deepEqual(side(x, 'ingress'), side(explain(single, 'a/client', 'a/web'), 'ingress'));
  });

  test('a denied connection names the one rule that came closest once, in the same words', () => {
    const x = explain(repeated, 'b/client', 'a/web');
    assert.equal(x.verdict, 'denied');
    assert.deepEqual(side(x, 'ingress'), side(explain(single, 'b/client', 'a/web'), 'ingress'));
    assert.equal(x.ingress.isolatedBy.length, 1);
    assert.equal(x.ingress.nearMisses.length, 1);
  });

  test('the selector reads as the one without the repeat, and is the same selector', () => {
    assert.equal(describeSelector(compileSelector(appIn('web', 'db', 'web'))), 'app in (db, web)');
    assert.equal(describeSelector(compileSelector(appIn('web', 'web'))), 'app=web');
    assert.equal(compileSelector(appIn('web', 'web')).key, compileSelector(appIn('web')).key);
  });

  test('every pair gets the same ports either way', () => {
    for (const src of ['a/web', 'a/client', 'a/other', 'b/client']) {
      for (const dst of ['a/web', 'a/client', 'a/other', 'b/client']) {
        const [sn, sp] = src.split('/') as [string, string];
        const [dn, dp] = dst.split('/') as [string, string];
        const pods = [
          { kind: 'pod', namespace: sn, name: sp },
          { kind: 'pod', namespace: dn, name: dp },
        ] as const;
        assert.deepEqual(repeated.allowedBetween(...pods), single.allowedBetween(...pods), `${src} → ${dst}`);
      }
    }
  });
});
