/**
 * `Analysis.whatIf` when the worker fails for another reason than being stopped: the error as it is (an
 * internal error, a 500 over HTTP), not a 503 to try again, which would send the page asking again for the
 * same failure. Found missing by the src/server mutation runs (issue #20, round 9).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ClusterState } from '../../src/model/cluster.ts';
import { loadManifests } from '../../src/parse/index.ts';
import { ApiError, type Analysis } from '../../src/server/analysis.ts';
import { analysisOf } from './support.ts';

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

describe('Analysis.whatIf: a worker that fails', () => {
  test('the failure as it is, no 503 to try again', async () => {
    await assert.rejects(analysis.whatIf({ changes: [] }), (error: Error) => {
      assert.equal(error instanceof ApiError, false);
      assert.match(error.message, /TypeError: Cannot read properties of undefined/);
      return true;
    });
  });
});
