/**
 * The what-if worker runs with a young generation of 8 MiB (src/server/whatif-thread.ts): with V8's default
 * (tens of MiB) one collection near the worker's heap limit could promote more than the 16 MiB the worker is
 * given to stop, and a what-if out of memory then took `serve` down with it. Read from the thread itself
 * (`Worker#resourceLimits`, what V8 was given), as the crash it prevents cannot be made to happen every time.
 * And while a what-if is awaited the worker keeps the process running, until the last answer: read from its
 * `ref()`/`unref()` calls, where the child process of whatif-thread-lifetime only shows it when the timing allows.
 * Found missing by the mutation run of round 15 (docs/mutation/server.md).
 */
import assert from 'node:assert/strict';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { test } from 'node:test';
import type { Worker } from 'node:worker_threads';
import { loadManifests } from '../../src/parse/index.ts';
import type { ClusterState } from '../../src/model/cluster.ts';
import { WhatIfThread } from '../../src/server/whatif-thread.ts';

const workerThreads = createRequire(import.meta.url)('node:worker_threads') as { Worker: typeof Worker };

/**
 * The WhatIfThread `make` returns, the workers started while it was made, and each `ref()` and `unref()` of them
 * (whether the worker keeps the process running), in order.
 */
function watchingWorkers<T>(make: () => T): { made: T; started: Worker[]; refs: string[] } {
  const started: Worker[] = [];
  const refs: string[] = [];
  const Real = workerThreads.Worker;
  workerThreads.Worker = class extends Real {
    constructor(...args: ConstructorParameters<typeof Worker>) {
      super(...args);
      started.push(this);
    }
    override ref(): void {
      refs.push('ref');
      super.ref();
    }
    override unref(): void {
      refs.push('unref');
      super.unref();
    }
  };
  syncBuiltinESMExports();
  try {
    return { made: make(), started, refs };
  } finally {
    workerThreads.Worker = Real;
    syncBuiltinESMExports();
  }
}

async function divergences(): Promise<ClusterState> {
  const loaded = await loadManifests(['test/fixtures/cni/divergences.yaml'], {
    defaultNamespace: 'default',
    skipInvalid: false,
  });
  return loaded.state;
}

test('the what-if worker answers with a young generation of 8 MiB', async () => {
  const state = await divergences();
  const { made: thread, started } = watchingWorkers(
    () => new WhatIfThread(state, { ipBlockMatchesPods: true }, 'default'),
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

test('the worker keeps the process running while a what-if is awaited: until the last answer, not the first', async () => {
  const state = await divergences();
  const { made: thread, refs } = watchingWorkers(
    () => new WhatIfThread(state, { ipBlockMatchesPods: true }, 'default'),
  );
  try {
    assert.deepEqual(refs, ['unref'], 'idle, it keeps nothing running');
    await thread.run([]);
    assert.deepEqual(refs, ['unref', 'ref', 'unref'], 'one what-if: held until its answer');
    const answers = await Promise.all([thread.run([]), thread.run([])]);
    assert.equal(answers.length, 2);
    // Two asked at once: let go once, at the second answer (a process awaiting it is not ended after the first).
    assert.deepEqual(refs, ['unref', 'ref', 'unref', 'ref', 'ref', 'unref']);
  } finally {
    thread.close();
  }
});
