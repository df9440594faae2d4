/**
 * `netfence serve` as a user runs it: the printed URL, loopback by default, the token with --host, one-line
 * errors, and --watch pushing a change of the files to the page.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { runCli } from '../support/cli.ts';
import { eventStream, type EventStream } from '../support/event-stream.ts';
import { guardProgress } from '../support/progress.ts';
import { serve, type Served } from './serve.ts';
import { manyNewPolicies } from './support.ts';

/**
 * Resolves once the server's standard error (its own pipe, which may lag standard output) holds `line`, as each
 * piece of it arrives. Fails when the server exits first, or seems stuck (a minute of CPU time, or a minute with
 * none: test/support/progress.ts), never on the time it takes by the clock.
 */
function stderrShows(s: Served, line: RegExp): Promise<void> {
  return new Promise((resolve, reject) => {
    const stderr = s.child.stderr!;
    // Registered after serve()'s own listener, which has added each piece to s.stderr() when this one runs.
    const check = (): void => {
      if (!line.test(s.stderr())) return;
      stop();
      resolve();
    };
    const exited = (code: number | null): void => {
      stop();
      reject(
        new Error(`netfence serve exited with ${code} before saying ${String(line)}; stderr:\n${s.stderr()}`),
      );
    };
    const unguard = guardProgress(s.child.pid!, { cpuMs: 60_000, fallbackMs: 60_000 }, (reason) => {
      stop();
      reject(new Error(`netfence serve never said ${String(line)} (${reason}); stderr:\n${s.stderr()}`));
    });
    function stop(): void {
      stderr.off('data', check);
      s.child.off('exit', exited);
      unguard();
    }
    stderr.on('data', check);
    s.child.once('exit', exited);
    check();
  });
}

describe('netfence serve', () => {
  // A large input runs on a worker thread, to which the main thread relays Ctrl+C (src/cli/process.ts).
  for (const worker of ['never', 'always'] as const) {
    test(`prints a ready-to-click URL on 127.0.0.1, answers, and stops on Ctrl+C (worker: ${worker})`, async () => {
      const s = await serve(['examples/webshop', '--port', '0'], { env: { NETFENCE_WORKER: worker } });
      try {
        assert.match(s.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
        // Standard error is its own pipe: what it says may arrive just after the URL on standard output.
        await stderrShows(s, /21 policies/);
        assert.match(s.stderr(), /examples\/webshop: 16 workloads in 6 namespaces, 21 policies/);
        const page = await fetch(s.url);
        assert.equal(page.status, 200);
        assert.match(await page.text(), /<script src="app\.js"><\/script>/);
        const model = (await (await fetch(`${s.origin}/api/model`)).json()) as {
          summary: { connections: number };
        };
        assert.equal(model.summary.connections, 221);
      } finally {
        assert.equal(await s.stop(), 0);
      }
      assert.doesNotMatch(s.stderr(), /Error|\bat /);
    });
  }

  describe(
    '--open without a browser says so, and serves anyway',
    { skip: process.platform !== 'linux' },
    () => {
      /** Serves with --open, and waits for a line of standard error that matches `line`. */
      async function opened(env: Record<string, string>, line: RegExp): Promise<string> {
        const s = await serve(['examples/webshop', '--port', '0', '--open'], { env });
        try {
          await stderrShows(s, line);
          assert.equal((await fetch(s.url)).status, 200);
        } finally {
          assert.equal(await s.stop(), 0);
        }
        return s.stderr();
      }

      test('no display', async () => {
        const stderr = await opened({ DISPLAY: '', WAYLAND_DISPLAY: '', BROWSER: '' }, /no browser/);
        assert.match(
          stderr,
          /^netfence: no browser to open here \(no display: DISPLAY and WAYLAND_DISPLAY are unset\): open http:\/\/127\.0\.0\.1:\d+\/ yourself$/m,
        );
      });

      test('xdg-open finds no browser', async () => {
        const bin = mkdtempSync(join(tmpdir(), 'netfence-no-browser-'));
        try {
          writeFileSync(join(bin, 'xdg-open'), '#!/bin/sh\nexit 3\n', { mode: 0o755 });
          const stderr = await opened(
            { DISPLAY: ':99', PATH: `${bin}:${process.env.PATH ?? ''}` },
            /could not open/,
          );
          assert.match(
            stderr,
            /^netfence: could not open a browser \(xdg-open exited with 3\): open http:\/\/127\.0\.0\.1:\d+\/ yourself$/m,
          );
        } finally {
          rmSync(bin, { recursive: true, force: true });
        }
      });
    },
  );

  // On the CLI's worker thread too (a large input), to which the main thread relays the signal.
  for (const worker of ['never', 'always'] as const) {
    test(`stops on SIGTERM while a large what-if computes, and answers meanwhile (worker: ${worker})`, async () => {
      const s = await serve(['examples/webshop', '--port', '0'], { env: { NETFENCE_WORKER: worker } });
      const exited = new Promise<number | null>((resolve) => s.child.once('exit', (code) => resolve(code)));
      const done: string[] = [];
      const whatIf = fetch(`${s.origin}/api/whatif`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: manyNewPolicies(4000),
      }).then(
        () => done.push('what-if answered'),
        () => done.push('what-if cut off'),
      );
      try {
        assert.equal((await fetch(`${s.origin}/api/model`)).status, 200);
        done.push('model');
      } finally {
        s.child.kill('SIGTERM');
      }
      assert.equal(await exited, 0);
      done.push('exited');
      await whatIf;
      // The what-if never answered: the server closed its connection as it stopped.
      assert.equal(done[0], 'model');
      assert.deepEqual(done.slice(1).sort(), ['exited', 'what-if cut off']);
    });
  }

  test('with --host, the URL carries a random token that every request needs', async () => {
    const s = await serve(['examples/webshop', '--port', '0', '--host', '0.0.0.0']);
    try {
      const token = /\?token=([A-Za-z0-9_-]{32})$/.exec(s.url)?.[1];
      assert.ok(token, s.url);
      // Standard error is its own pipe: the warning may arrive just after the URL on standard output.
      await stderrShows(s, /Listening on every interface/);
      assert.equal((await fetch(`${s.origin}/api/model`)).status, 401);
      assert.equal((await fetch(`${s.origin}/api/model?token=${token}`)).status, 200);
    } finally {
      await s.stop();
    }
  });

  // Failures return before the server runs: in-process, through the same entry point.
  test('usage errors are one line, with the fix', async () => {
    const port = await runCli(['serve', 'examples/webshop', '--port', 'eighty']);
    assert.equal(port.code, 2);
    assert.equal(
      port.stderr,
      'netfence: invalid --port "eighty": give a port from 1 to 65535, or 0 for a free one\n',
    );
    const none = await runCli(['serve']);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /^netfence: no input: give manifest files or folders/);
    const stdin = await runCli(['serve', '-', '--watch']);
    assert.equal(stdin.stderr, 'netfence: --watch cannot watch standard input: give files, or --cluster\n');
  });

  test('a port in use says so', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const r = await runCli(['serve', 'examples/webshop', '--port', String(port)]);
      assert.equal(r.code, 2);
      assert.match(
        r.stderr,
        new RegExp(
          `^netfence: port ${port} is in use: pick another with --port, or --port 0 for a free one\\n$`,
          'm',
        ),
      );
      assert.equal(r.stdout, '');
    } finally {
      blocker.close();
    }
  });

  test('--watch reloads when a file changes, pushes it to the page, and keeps the last good state on errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netfence-watch-'));
    cpSync('examples/webshop', dir, { recursive: true });
    const s = await serve([dir, '--port', '0', '--watch']);
    let events: EventStream | undefined;
    try {
      events = await eventStream(s.origin);
      const until = events.next;
      await until(/event: hello/);
      const file = join(dir, 'policies', 'data.yaml');
      const original = readFileSync(file, 'utf8');
      // Catalog loses its access to Postgres.
      writeFileSync(file, original.replace('values: [catalog, checkout]', 'values: [checkout]'));
      await until(/event: model\ndata: \{"version":2\}/);
      const model = (await (await fetch(`${s.origin}/api/model`)).json()) as {
        connections: { src: string; dst: string }[];
      };
      assert.equal(
        model.connections.some(
          (c) => c.src === 'shop/Deployment/catalog' && c.dst === 'data/StatefulSet/postgres',
        ),
        false,
      );
      writeFileSync(file, original.replace('port: postgres', 'port: 70000'));
      await until(/event: problem\ndata: \{"message":"1 error in the input/);
      const still = (await (await fetch(`${s.origin}/api/model`)).json()) as {
        version: number;
        problem: { details: string[] };
      };
      assert.equal(still.version, 2);
      assert.ok(
        still.problem.details.some((d) => /policies\/data\.yaml:37:\d+ .*70000/.test(d)),
        still.problem.details.join('\n'),
      );
    } finally {
      await events?.close();
      await s.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
