/**
 * `serve --watch` waits 300 ms after the last change event of the files before it reads them again. A file
 * written in two steps further apart (emptied, then written; half written, then the rest) is read in between:
 * the page sees the half-way state for a moment (the analysis without the emptied file, or the last good state
 * with the parse error), and the write's own change event reads it again, so the page is left with the file as
 * written, never with the half-way state. Each step waits for the reload of the one before: no timing.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { eventStream, type EventStream } from '../support/event-stream.ts';
import { serve } from './serve.ts';

interface Model {
  version: number;
  summary: { connections: number; policies: number };
  problem: { message: string } | null;
}

test('--watch: a file emptied, or half written, then written whole is read whole in the end', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'netfence-watch-partial-'));
  cpSync('examples/webshop', dir, { recursive: true });
  const s = await serve([dir, '--port', '0', '--watch']);
  let events: EventStream | undefined;
  try {
    events = await eventStream(s.origin);
    const next = events.next;
    const model = async (): Promise<Model> => (await (await fetch(`${s.origin}/api/model`)).json()) as Model;
    /**
     * The model once a reload gives one that `shows` (a stalled machine may split one write's change events
     * past the 300 ms, and read the same text twice: each reload is a version).
     */
    const reloaded = async (shows: (m: Model) => boolean): Promise<Model> => {
      for (;;) {
        await next(/event: model\n/);
        const m = await model();
        if (shows(m)) return m;
      }
    };
    await next(/event: hello\n/);
    const whole = await model();
    assert.deepEqual([whole.summary.connections, whole.summary.policies, whole.problem], [221, 21, null]);
    const isWhole = (m: Model): boolean =>
      m.summary.connections === 221 && m.summary.policies === 21 && m.problem === null;
    const file = join(dir, 'policies', 'data.yaml');
    const original = readFileSync(file, 'utf8');

    // Emptied (an editor's truncate before its write): read as a file with no policies for a moment.
    writeFileSync(file, '');
    const empty = await reloaded((m) => m.summary.policies < 21);
    // Its write: read again, as written.
    writeFileSync(file, original);
    const again = await reloaded(isWhole);
    assert.ok(again.version > empty.version);

    // Half written (cut inside a policy): the last good state stays, with the error, until the rest comes.
    const cut = original.indexOf('ports:');
    assert.ok(cut > 0);
    writeFileSync(file, `${original.slice(0, cut)}ports: [`);
    await next(/event: problem\n/);
    const half = await model();
    assert.ok(half.version >= again.version && half.summary.policies === 21 && half.problem !== null);
    writeFileSync(file, original);
    const written = await reloaded(isWhole);
    assert.ok(written.version > half.version);
  } finally {
    await events?.close();
    await s.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
