/**
 * `Analysis`'s what-ifs on their worker thread: one worker per analysis whatever the number of what-ifs, a
 * what-if that the analysis's closing stops (a 503 to try again), and a worker that fails for another reason
 * than being stopped: the error as it is (an internal error, a 500 over HTTP), not a 503 to try again, which
 * would send the page asking again for the same failure. Found missing by the mutation runs of src/server
 * (docs/mutation/server.md).
 */
import assert from 'node:assert/strict';
import diagnostics from 'node:diagnostics_channel';
import { after, before, describe, test } from 'node:test';
import type { ClusterState } from '../../src/model/cluster.ts';
import { loadManifests } from '../../src/parse/index.ts';
import { ApiError, type Analysis } from '../../src/server/analysis.ts';
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

describe('Analysis.whatIf: a worker that fails', () => {
  let analysis: Analysis;
  before(async () => {
    const loaded = await loadManifests(['examples/webshop'], {
      defaultNamespace: 'default',
      skipInvalid: false,
    });
    assert.deepEqual(loaded.errors, []);
    // The first policy's spec, not enumerable: this thread reads it, the copy the worker is given has none
    // (a structured clone copies enumerable properties only), so every what-if fails in the worker.
    const policies = loaded.state.policies.map((p, i) => {
      if (i !== 0) return p;
      const copy: Record<string, unknown> = { ...p };
      delete copy['spec'];
      Object.defineProperty(copy, 'spec', { value: p.spec, enumerable: false });
      return copy;
    });
    analysis = analysisOf({ ...loaded.state, policies } as unknown as ClusterState);
  });
  after(() => analysis.close());

  test('the failure as it is, no 503 to try again', async () => {
    await assert.rejects(analysis.whatIf({ changes: [] }), (error: Error) => {
      assert.equal(error instanceof ApiError, false);
      assert.match(error.message, /TypeError: Cannot read properties of undefined/);
      return true;
    });
  });
});
