/**
 * The what-if worker runs with a young generation of 8 MiB (src/server/whatif-thread.ts): with V8's default
 * (tens of MiB) one collection near the worker's heap limit could promote more than the 16 MiB the worker is
 * given to stop, and a what-if out of memory then took `serve` down with it. Read from the thread itself
 * (`Worker#resourceLimits`, what V8 was given), as the crash it prevents cannot be made to happen every time.
 * Found missing by the mutation run of round 15 (docs/mutation/server.md).
 */
import assert from 'node:assert/strict';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { test } from 'node:test';
import type { Worker } from 'node:worker_threads';
import { loadManifests } from '../../src/parse/index.ts';
import { WhatIfThread } from '../../src/server/whatif-thread.ts';

const workerThreads = createRequire(import.meta.url)('node:worker_threads') as { Worker: typeof Worker };

/** The WhatIfThread `make` returns, and the workers started while it was made. */
function watchingWorkers<T>(make: () => T): { made: T; started: Worker[] } {
  const started: Worker[] = [];
  const Real = workerThreads.Worker;
  workerThreads.Worker = class extends Real {
    constructor(...args: ConstructorParameters<typeof Worker>) {
      super(...args);
      started.push(this);
    }
  };
  syncBuiltinESMExports();
  try {
    return { made: make(), started };
  } finally {
    workerThreads.Worker = Real;
    syncBuiltinESMExports();
  }
}

test('the what-if worker answers with a young generation of 8 MiB', async () => {
  const loaded = await loadManifests(['test/fixtures/cni/divergences.yaml'], {
    defaultNamespace: 'default',
    skipInvalid: false,
  });
  const { made: thread, started } = watchingWorkers(
    () => new WhatIfThread(loaded.state, { ipBlockMatchesPods: true }, 'default'),
  );
  try {
    assert.equal(started.length, 1);
    const answer = await thread.run([{ target: 'shop/media-from-web' }]);
    assert.ok(answer.summary !== undefined, 'it answers');
    assert.equal(started[0]!.resourceLimits?.maxYoungGenerationSizeMb, 8);
  } finally {
    thread.close();
  }
});
