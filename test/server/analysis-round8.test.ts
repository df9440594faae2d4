/**
 * `Analysis` beyond analysis-details.test.ts: the limit of pod-class pairs `explain` answers (20 answered, more
 * refused), one what-if worker per analysis whatever the number of what-ifs, and a what-if that the analysis's
 * closing stops (a 503 to try again). Found missing by the whole-folder mutation run of src/server, round 8
 * (docs/mutation/server.md).
 */
import assert from 'node:assert/strict';
import diagnostics from 'node:diagnostics_channel';
import { describe, test } from 'node:test';
import { ApiError, type Analysis } from '../../src/server/analysis.ts';
import { ns, pod, policy, withWorkloads } from '../support/builders.ts';
import { analysisOf, webshopAnalysis } from './support.ts';

/** The status and message of the ApiError the promise rejects with. */
async function refusal(p: Promise<unknown>): Promise<[number, string]> {
  try {
    await p;
  } catch (error) {
    assert.ok(error instanceof ApiError, `not an ApiError: ${String(error)}`);
    return [error.status, error.message];
  }
  assert.fail('no error');
}

describe('explain: at most 20 pairs of pod classes', () => {
  // Three Deployments whose pods are each in a class of their own (each pod is selected by a policy of its
  // own): w1 of 4 pods, w2 of 5, w3 of 6. From w1, w2 is 4 x 5 = 20 pairs, w3 is 4 x 6 = 24.
  const sizes = [4, 5, 6];
  const pods = sizes.flatMap((n, w) =>
    Array.from({ length: n }, (_, i) =>
      pod('data', `w${w + 1}-${i}`, { app: `w${w + 1}`, slot: `w${w + 1}-${i}` }),
    ),
  );
  const policies = pods.map((p) =>
    policy('data', `only-${p.name}`, {
      podSelector: { matchLabels: { slot: p.labels['slot']! } },
      policyTypes: ['Ingress'],
    }),
  );
  const grouping = sizes.flatMap((n, w) => Array.from({ length: n }, () => w + 1));
  const state = withWorkloads({ namespaces: [ns('data')], pods, policies }, grouping, false);

  test('20 pairs are explained, pair by pair', () => {
    const r = analysisOf(state).explain('data/Deployment/w1', 'data/Deployment/w2', null);
    assert.equal(r.explanations.length, 20);
    assert.ok(r.explanations.every((x) => x.verdict === 'denied'));
  });

  test('more than 20 are refused', async () => {
    const analysis = analysisOf(state);
    assert.deepEqual(
      await refusal(
        Promise.resolve().then(() => analysis.explain('data/Deployment/w1', 'data/Deployment/w3', null)),
      ),
      [400, 'too many pod classes to explain at once'],
    );
  });
});

describe('what-ifs on the worker thread', () => {
  test('one worker per analysis, however many what-ifs it answers', async () => {
    const analysis = await webshopAnalysis();
    let started = 0;
    const count = (): void => {
      started++;
    };
    diagnostics.subscribe('worker_threads', count);
    try {
      const first = await analysis.whatIf({ changes: [{ target: 'shop/allow-web' }] });
      const second = await analysis.whatIf({ changes: [] });
      const third = await analysis.whatIf({ changes: [{ target: 'shop/allow-web' }] });
      assert.deepEqual(third, first);
      assert.ok(
        first.edges.some((e) => e.change === 'removed'),
        'turning allow-web off removes edges',
      );
      assert.notDeepEqual(second, first);
      assert.equal(started, 1);
    } finally {
      diagnostics.unsubscribe('worker_threads', count);
      analysis.close();
    }
  });

  test('a what-if computing when the analysis closes is refused with a 503 to try again', async () => {
    const analysis: Analysis = await webshopAnalysis();
    const pending = analysis.whatIf({ changes: [{ target: 'shop/allow-web' }] });
    analysis.close();
    assert.deepEqual(await refusal(pending), [
      503,
      'the what-if was stopped: the analysis was reloaded or the server stopped: try again',
    ]);
  });
});
