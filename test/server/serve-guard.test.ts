/**
 * The guard of test/server/serve.ts (test/support/progress.ts): a child process the tests wait on is given up
 * on the CPU time it used, not on the time by the clock, which a loaded machine stretches (`netfence serve`
 * on 1,000 workloads took up to 86 s of the 120 s it was given, for 2.4 s of CPU time, at a load of about 30
 * on 2 cores). Linux only (/proc).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { describe, test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { cpuTimeOfTree, guardProgress, unlessStuck } from '../support/progress.ts';

/** A Node process that spins for `ms` of its own CPU time (forever when undefined), then ends. */
function spinner(ms?: number): ChildProcess {
  const until = ms === undefined ? 'Infinity' : String(ms * 1000);
  return spawn(process.execPath, ['-e', spin(until)], { stdio: 'ignore' });
}

/** Code that spins until the process used `until` µs of CPU time (user and system: reading it is a system call). */
function spin(until: string): string {
  return `const s = process.cpuUsage(); for (let u = process.cpuUsage(s); u.user + u.system < ${until}; u = process.cpuUsage(s));`;
}

/** Resolves with the reason the guard gives, or with 'exited' when the child ends first. */
function outcome(child: ChildProcess, limits: { cpuMs: number; idleMs?: number }): Promise<string> {
  return new Promise((resolve) => {
    const stop = guardProgress(child.pid!, { ...limits, fallbackMs: limits.cpuMs }, (reason) => {
      child.kill('SIGKILL');
      resolve(reason);
    });
    child.once('exit', () => {
      stop();
      resolve('exited');
    });
  });
}

describe('the progress guard of the tests’ child processes', { skip: process.platform !== 'linux' }, () => {
  test('a child stopped longer than its limit (as a loaded machine would hold it) is not given up', async () => {
    // It spins for 300 ms of CPU time once it reads "go", which it can only do once it is let run again.
    const script = `process.stdin.once('data', () => { ${spin('300000')}; process.exit(0); });`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'ignore', 'ignore'] });
    child.kill('SIGSTOP');
    child.stdin.end('go');
    const start = performance.now();
    const result = outcome(child, { cpuMs: 2000, idleMs: 60_000 });
    await new Promise((r) => setTimeout(r, 2500));
    child.kill('SIGCONT');
    assert.equal(await result, 'exited');
    assert.equal(child.exitCode, 0);
    // Held past 2 s by the clock, at which a limit by the clock would have given it up.
    assert.ok(performance.now() - start >= 2500);
  });

  test('a child that spins is given up once it used its CPU time', async () => {
    assert.match(await outcome(spinner(), { cpuMs: 300 }), /^not done after \d+ ms of CPU time$/);
  });

  test('a child that waits and never works is given up after idleMs', async () => {
    const child = spawn('sleep', ['60'], { stdio: 'ignore' });
    assert.match(await outcome(child, { cpuMs: 60_000, idleMs: 1000 }), /^no CPU time used for \d+ ms$/);
  });

  test('the CPU time counts the processes a child started, and is undefined once it is gone', async () => {
    // A shell that does nothing itself, running a Node process that spins.
    const shell = spawn('sh', ['-c', `"${process.execPath}" -e '${spin('400000')}'; sleep 60`], {
      stdio: 'ignore',
    });
    try {
      let used = 0;
      while (used < 300) {
        await new Promise((r) => setTimeout(r, 100));
        used = cpuTimeOfTree(shell.pid!) ?? 0;
      }
      // The shell itself used next to nothing: the time is its child's (while it runs, then as the shell's own).
      assert.ok(used >= 300, `${used} ms`);
    } finally {
      shell.kill('SIGKILL');
    }
    await once(shell, 'exit');
    assert.equal(cpuTimeOfTree(shell.pid!), undefined);
  });

  test('in this process: what a worker thread that spins never gives is given up; what comes is passed on', async () => {
    const worker = new Worker(spin('Infinity'), { eval: true });
    try {
      await assert.rejects(
        unlessStuck(once(worker, 'message'), { cpuMs: 500, fallbackMs: 500 }),
        /^Error: stuck: not done after \d+ ms of CPU time$/,
      );
    } finally {
      await worker.terminate();
    }
    assert.equal(await unlessStuck(Promise.resolve('given'), { cpuMs: 500, fallbackMs: 500 }), 'given');
  });
});
