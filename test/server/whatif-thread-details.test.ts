/**
 * The what-if worker thread (src/server/whatif-thread.ts) on its own: it answers what `whatIf` answers in
 * this thread, with the engine options it was given (CIDR rules and pods, host-network pods, a CNI
 * profile); answers requests asked together each with its own answer; a what-if that throws in the worker
 * rejects with the worker's stack; closed, it stops (a request waiting fails, a new one too). Found missing by
 * the mutation run of src/server, fifth round (see docs/mutation/server.md).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { EngineOptions } from '../../src/engine/compile.ts';
import { resolveCniProfile } from '../../src/engine/profiles.ts';
import type { ClusterState } from '../../src/model/cluster.ts';
import { loadManifests } from '../../src/parse/index.ts';
import { whatIf, type WhatIfChange } from '../../src/server/whatif.ts';
import { WhatIfStopped, WhatIfThread } from '../../src/server/whatif-thread.ts';

const FIXTURE = 'test/fixtures/cni/divergences.yaml';
const CHANGES: WhatIfChange[] = [{ target: 'shop/media-from-web' }];

let state: ClusterState;
const threads: WhatIfThread[] = [];
before(async () => {
  const loaded = await loadManifests([FIXTURE], { defaultNamespace: 'default', skipInvalid: false });
  assert.deepEqual(loaded.errors, []);
  state = loaded.state;
});
after(() => {
  for (const t of threads) t.close();
});

function thread(engine: EngineOptions): WhatIfThread {
  const t = new WhatIfThread(state, engine, 'default');
  threads.push(t);
  return t;
}

const cilium = resolveCniProfile('cilium@1.16');
assert.ok(cilium.ok);

const ENGINES: Record<string, EngineOptions> = {
  plain: { ipBlockMatchesPods: true },
  'CIDR rules do not match pods': { ipBlockMatchesPods: false },
  'host-network pods policed': { ipBlockMatchesPods: true, hostNetworkPods: 'policed' },
  'Cilium 1.16': { ipBlockMatchesPods: true, cni: cilium.value },
};

describe('WhatIfThread', () => {
  test('answers as whatIf does in this thread, with the engine options it was given', async () => {
    const direct = new Map<string, unknown>();
    for (const [name, engine] of Object.entries(ENGINES)) {
      const expected = whatIf(state, CHANGES, { engine, defaultNamespace: 'default' });
      direct.set(name, expected);
      assert.deepEqual(await thread(engine).run(CHANGES), expected, name);
    }
    // Each option changes the answer, so that a worker that dropped one would be seen.
    for (const name of Object.keys(ENGINES).slice(1))
      assert.notDeepEqual(direct.get(name), direct.get('plain'), name);
  });

  test('requests asked together each get their own answer', async () => {
    const t = thread({ ipBlockMatchesPods: true });
    const other: WhatIfChange[] = [{ target: 'shop/exporter-deny-all' }];
    const [a, b, c] = await Promise.all([t.run(CHANGES), t.run(other), t.run([])]);
    const engine = { ipBlockMatchesPods: true };
    assert.deepEqual(a, whatIf(state, CHANGES, { engine, defaultNamespace: 'default' }));
    assert.deepEqual(b, whatIf(state, other, { engine, defaultNamespace: 'default' }));
    assert.deepEqual(c, whatIf(state, [], { engine, defaultNamespace: 'default' }));
    assert.notDeepEqual(a, b);
  });

  test('a what-if that throws in the worker rejects with its stack', async () => {
    const t = thread({ ipBlockMatchesPods: true });
    // Not checked by parseWhatIfRequest: YAML that is no string makes the parser throw.
    const bad = [{ yaml: 42 }] as unknown as WhatIfChange[];
    await assert.rejects(t.run(bad), (e: unknown) => {
      assert.ok(e instanceof Error);
      assert.ok(!(e instanceof WhatIfStopped));
      assert.match(e.message, /^\w*Error: .*\n\s+at /);
      return true;
    });
    // The worker keeps answering.
    assert.equal(t.stopped, false);
    assert.deepEqual(
      await t.run(CHANGES),
      whatIf(state, CHANGES, { engine: { ipBlockMatchesPods: true }, defaultNamespace: 'default' }),
    );
  });

  test('closed, it stops: a request waiting fails, a new one too', async () => {
    const t = thread({ ipBlockMatchesPods: true });
    assert.equal(t.stopped, false);
    const waiting = t.run(CHANGES);
    t.close();
    assert.equal(t.stopped, true);
    await assert.rejects(waiting, (e: unknown) => {
      assert.ok(e instanceof WhatIfStopped);
      assert.equal(e.message, 'the what-if was stopped: the analysis was reloaded or the server stopped');
      return true;
    });
    await assert.rejects(t.run(CHANGES), (e: unknown) => {
      assert.ok(e instanceof WhatIfStopped);
      assert.equal(e.message, 'the what-if thread has stopped');
      return true;
    });
  });
});
