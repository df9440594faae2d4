/**
 * The worker's end of src/server/whatif-thread.ts (`serveWhatIfs` and the test that starts it), which the
 * mutation run of src/server (fifth round, docs/mutation/server.md) could not see: it runs on another thread. The
 * worker answers with `whatIf` over the engine options it was given, an answer that throws as a failure with
 * its stack, then answers again; a worker thread started on the module without the what-if mark (the CLI on a
 * worker thread of its own), or without any data, does not serve what-ifs: it ends at once.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { after, before, describe, test } from 'node:test';
import type { EngineOptions } from '../../src/engine/compile.ts';
import type { ClusterState } from '../../src/model/cluster.ts';
import { loadManifests } from '../../src/parse/index.ts';
import { whatIf, type WhatIfChange } from '../../src/server/whatif.ts';
import { transferableState, WhatIfStopped, WhatIfThread } from '../../src/server/whatif-thread.ts';
import { unlessStuck } from '../support/progress.ts';

const FIXTURE = 'test/fixtures/cni/divergences.yaml';
const MODULE = new URL('../../src/server/whatif-thread.ts', import.meta.url);
const CHANGES: WhatIfChange[] = [{ target: 'shop/media-from-web' }];
const OTHER: WhatIfChange[] = [{ target: 'shop/exporter-deny-all' }];
/** An option that changes the answer (`whatif-thread-details.test.ts`): a worker that dropped it is seen. */
const ENGINE: EngineOptions = { ipBlockMatchesPods: false };

/**
 * A worker that never answers fails the test rather than holding it: not a speed check, and not a limit by the
 * clock (the second test took from 3.4 s to 29.9 s of the 30 s it was given, at a load of 30 on 2 cores), but
 * by the CPU time this process uses meanwhile, or none for a minute (test/support/progress.ts).
 */
const LIMITS = { cpuMs: 120_000, fallbackMs: 120_000 };
const guarded =
  (body: () => Promise<void>): (() => Promise<void>) =>
  () =>
    unlessStuck(body(), LIMITS);

let state: ClusterState;
let t: WhatIfThread;
before(async () => {
  const loaded = await loadManifests([FIXTURE], { defaultNamespace: 'default', skipInvalid: false });
  assert.deepEqual(loaded.errors, []);
  state = loaded.state;
  t = new WhatIfThread(state, ENGINE, 'default');
});
after(() => t.close());

const expected = (changes: WhatIfChange[]): unknown =>
  whatIf(state, changes, { engine: ENGINE, defaultNamespace: 'default' });

describe('the what-if worker', () => {
  test(
    'answers, fails with the stack of what threw, answers again with the same engine',
    guarded(async () => {
      assert.notDeepEqual(
        expected(CHANGES),
        whatIf(state, CHANGES, { engine: { ipBlockMatchesPods: true }, defaultNamespace: 'default' }),
      );
      assert.deepEqual(await t.run(CHANGES), expected(CHANGES));
      const bad = [{ yaml: 42 }] as unknown as WhatIfChange[];
      const failure = await t.run(bad).then(
        (value) => ({ value }),
        (error: unknown) => ({ error }),
      );
      assert.ok('error' in failure, 'a what-if that throws is a failure, not an answer');
      assert.ok(failure.error instanceof Error && !(failure.error instanceof WhatIfStopped));
      // The stack: its first line is the message, the next ones where it was thrown.
      assert.match(failure.error.message, /^\w*Error: [^\n]+\n\s+at /);
      assert.deepEqual(await t.run(OTHER), expected(OTHER));
      assert.deepEqual(await t.run(CHANGES), expected(CHANGES));
      assert.equal(t.stopped, false);
    }),
  );

  /** What a worker started on the module does with one request: it answers it, or it ends first. */
  const firstEvent = async (workerData: unknown): Promise<string> => {
    const worker = new Worker(MODULE, workerData === undefined ? {} : { workerData });
    const errors: unknown[] = [];
    worker.on('error', (e) => errors.push(e));
    worker.postMessage({ id: 0, changes: [] });
    let event: string;
    try {
      event = await unlessStuck(
        Promise.race([
          once(worker, 'message').then(() => 'message'),
          once(worker, 'exit').then(([code]) => `exit ${code}`),
        ]),
        LIMITS,
      );
    } finally {
      // Also when the test gives up on it (test/support/progress.ts): it would hold this process.
      await worker.terminate();
    }
    assert.deepEqual(errors, []);
    return event;
  };

  test('a worker thread without the what-if mark, or without data, ends without serving', async () => {
    const data = {
      kind: 'netfence-cli',
      state: transferableState(state),
      engine: ENGINE,
      defaultNamespace: 'default',
    };
    assert.equal(await firstEvent(data), 'exit 0');
    assert.equal(await firstEvent(undefined), 'exit 0');
    assert.equal(await firstEvent({ ...data, kind: 'netfence-whatif' }), 'message');
  });
});
