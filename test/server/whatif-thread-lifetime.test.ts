/**
 * The what-if worker thread, beyond whatif-thread-details.test.ts: the state handed over keeps its items
 * without an origin as they are (an origin is only stripped of `locate`), and a process that asked a what-if
 * and never closed the thread still ends by itself (the worker never keeps it running). Found missing by the
 * whole-folder mutation run of src/server, round 8 (docs/mutation/server.md). Round 13: nor does the process
 * end while a what-if it awaits computes (`node bench/whatif.ts` exited with 13, an unsettled await). Round 14:
 * nor does a thread that was never asked a what-if keep its process running.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { transferableState } from '../../src/server/whatif-thread.ts';
import { cluster, ns, pod, policy } from '../support/builders.ts';
import { execUnlessStuck } from '../support/progress.ts';

describe('the what-if worker', () => {
  test('items without an origin are handed over as they are; with one, without its locate', () => {
    const state = cluster({
      namespaces: [ns('app')],
      pods: [pod('app', 'a', { app: 'a' })],
      policies: [policy('app', 'p', { podSelector: {}, policyTypes: ['Ingress'] })],
    });
    const located = {
      ...state.policies[0]!,
      origin: { file: 'p.yaml', line: 3, column: 1, locate: () => undefined },
    };
    const plain = transferableState({ ...state, policies: [...state.policies, located] });
    assert.deepEqual(plain.pods, state.pods);
    assert.ok(!('origin' in plain.pods[0]!), 'a pod without an origin gets none');
    assert.ok(!('origin' in plain.policies[0]!), 'a policy without an origin gets none');
    assert.deepEqual(plain.policies[1]!.origin, { file: 'p.yaml', line: 3, column: 1 });
    assert.equal(typeof located.origin.locate, 'function', 'the state given is left as it was');
  });

  test('a process waits for the what-ifs it asked, then ends by itself without closing the thread', async () => {
    // Nothing else keeps this process running: only the what-ifs it awaits, one after the other, then two at once.
    const stdout = await runWithThread(`const first = await thread.run([]);
const second = await thread.run([]);
const both = await Promise.all([thread.run([]), thread.run([])]);
console.log(first.applied.length, second.applied.length, both.length);`);
    assert.equal(stdout, '0 0 2\n');
  });

  test('a process whose thread was never asked a what-if ends by itself without closing it', async () => {
    // The thread's worker starts at once; until a what-if is asked, nothing keeps the process running.
    assert.equal(await runWithThread("console.log(typeof thread.run, 'idle');"), 'function idle\n');
  });
});

/** The output of a Node process that opens a what-if thread on a small cluster, then runs `body` (a module's code). */
async function runWithThread(body: string): Promise<string> {
  const url = (path: string): string => JSON.stringify(new URL(path, import.meta.url).href);
  const script = `import { WhatIfThread } from ${url('../../src/server/whatif-thread.ts')};
import { cluster, ns, pod } from ${url('../support/builders.ts')};
const state = cluster({ namespaces: [ns('app')], pods: [pod('app', 'a', { app: 'a' })] });
const thread = new WhatIfThread(state, { ipBlockMatchesPods: true }, 'default');
${body}`;
  // A file, not --eval: the worker would inherit --input-type, which a worker of a file refuses.
  const dir = mkdtempSync(join(tmpdir(), 'netfence-whatif-'));
  try {
    writeFileSync(join(dir, 'ask.mjs'), script);
    // A process kept running by its worker uses no CPU time: given up after a minute of that, not by the clock.
    return await execUnlessStuck(process.execPath, [join(dir, 'ask.mjs')], {
      cpuMs: 60_000,
      fallbackMs: 300_000,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
