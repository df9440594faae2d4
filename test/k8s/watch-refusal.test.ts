/**
 * The cluster watch after a refusal (403 Forbidden, 404 Not Found): a resource that was being watched keeps
 * what it holds at its first refusal and is listed again soon (an API server that has just restarted refuses
 * until its authorizer is ready: a 30 s pause there left the controller and the webhook blind, and empty, for
 * that long); refused again, or never listed, it is left out with waits doubling up to 30 s. The whole watch
 * against a real API server: test/cluster/controller.test.ts ("relists after the API server restarts").
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { afterRefusal, REFUSED_RETRY_MAX_MS } from '../../src/k8s/watch.ts';

describe('afterRefusal', () => {
  test('a resource refused once after it was listed keeps what it holds and is listed again after retryMs', () => {
    assert.deepEqual(afterRefusal(1, true, 2000), { drop: false, waitMs: 2000 });
  });

  test('refused twice in a row, it is left out, and the waits double up to 30 s', () => {
    const waits = [2, 3, 4, 5, 6, 7, 8].map((n) => afterRefusal(n, true, 2000));
    assert.ok(waits.every((w) => w.drop));
    assert.deepEqual(
      waits.map((w) => w.waitMs),
      [4000, 8000, 16_000, 30_000, 30_000, 30_000, 30_000],
    );
  });

  test('a resource never listed (a CRD not installed, a role without it) is left out at once, and retried from retryMs', () => {
    assert.deepEqual(
      [1, 2, 3].map((n) => afterRefusal(n, false, 2000)),
      [
        { drop: true, waitMs: 2000 },
        { drop: true, waitMs: 4000 },
        { drop: true, waitMs: 8000 },
      ],
    );
  });

  test('the wait never exceeds 30 s, however many refusals', () => {
    assert.equal(REFUSED_RETRY_MAX_MS, 30_000);
    assert.equal(afterRefusal(10_000, false, 2000).waitMs, 30_000);
    assert.equal(afterRefusal(3, false, 60_000).waitMs, 30_000);
  });
});
