/** Runs the real `netfence serve` in a child process, as a user would, and stops it. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { guardProgress } from '../support/progress.ts';

const BIN = fileURLToPath(new URL('../../bin/netfence', import.meta.url));

export interface Served {
  url: string;
  /** `http://127.0.0.1:PORT` */
  origin: string;
  child: ChildProcess;
  stderr(): string;
  /** Sends SIGINT and resolves with the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Starts `netfence serve ARGS` and resolves once it prints its URL (it may build the UI first). Fails when it
 * exits first, or seems stuck: `cpuMs` of CPU time used (60 s by default), or none for a minute; never on the
 * time it takes by the clock alone, which a loaded machine stretches (test/support/progress.ts).
 */
export function serve(
  args: readonly string[],
  options: { cwd?: string; cpuMs?: number; env?: Record<string, string> } = {},
): Promise<Served> {
  const child = spawn(process.execPath, [BIN, 'serve', ...args], {
    cwd: options.cwd ?? fileURLToPath(new URL('../../', import.meta.url)),
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', ...options.env },
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const limit = options.cpuMs ?? 60_000;
    const unguard = guardProgress(child.pid!, { cpuMs: limit, fallbackMs: limit }, (reason) => {
      child.kill('SIGKILL');
      reject(new Error(`netfence serve printed no URL (${reason}); stderr:\n${err}`));
    });
    void exited.then((code) => {
      unguard();
      reject(Object.assign(new Error(`netfence serve exited with ${code}: ${err}`), { code, stderr: err }));
    });
    child.stdout.on('data', (d: string) => {
      out += d;
      const m = /netfence serve: open (http:\/\/\S+)/.exec(out);
      if (m === null) return;
      unguard();
      const url = m[1]!;
      const port = /:(\d+)\//.exec(url)![1]!;
      resolve({
        url,
        origin: `http://127.0.0.1:${port}`,
        child,
        stderr: () => err,
        stop: () => {
          child.kill('SIGINT');
          return exited;
        },
      });
    });
  });
}
