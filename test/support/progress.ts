/**
 * A guard for a child process that a test waits on (a server that should print its URL): it gives up on the
 * work the process did, not on the time that passed. On a loaded machine a process gets a small share of the
 * CPU and takes many times longer by the clock for the same work; a limit by the clock then fails a test that
 * was only slow (`netfence serve` on 1,000 workloads took up to 86 s of the 120 s it was given, for 2.4 s of
 * CPU time, at a load of about 30 on 2 cores). Linux only (/proc); elsewhere, a limit by the clock.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** The CPU time used so far by a process, its threads and the processes it started, in ms (Linux). */
export function cpuTimeOfTree(pid: number): number | undefined {
  const own = ticksAndChildren(pid);
  if (own === undefined) return undefined;
  let ticks = own.ticks;
  const pending = [...own.children];
  while (pending.length > 0) {
    const next = ticksAndChildren(pending.pop()!);
    if (next === undefined) continue; // ended meanwhile: its time is its parent's now
    ticks += next.ticks;
    pending.push(...next.children);
  }
  return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** A process's CPU time (its own and that of its children it waited for), in ticks, and its children. */
function ticksAndChildren(pid: number): { ticks: number; children: number[] } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // After the command's name in parentheses (which may hold spaces): field 3 (the state) onwards; utime,
    // stime, cutime and cstime are fields 14 to 17.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = [11, 12, 13, 14].reduce((n, i) => n + Number(fields[i]), 0);
    const children: number[] = [];
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const listed = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      if (listed !== '') children.push(...listed.split(' ').map(Number));
    }
    return { ticks, children };
  } catch {
    return undefined; // no such process (any more), or no /proc here
  }
}

/** Linux's USER_HZ, the unit of /proc/PID/stat's times (100 on every architecture Node runs on). */
const CLOCK_TICKS_PER_SECOND = 100;

export interface ProgressLimits {
  /** The CPU time (of the process and the processes it starts) after which it is stuck in a loop. */
  cpuMs: number;
  /** How long the process may use no CPU at all before it is stuck waiting (default: 60 s). */
  idleMs?: number;
  /** Off Linux: the limit by the clock. */
  fallbackMs: number;
}

/**
 * Calls `stuck` (once) when the process `pid` has used `cpuMs` of CPU time from now on, or none for `idleMs`.
 * Returns the function that stops watching.
 */
export function guardProgress(
  pid: number,
  limits: ProgressLimits,
  stuck: (reason: string) => void,
  everyMs = 500,
): () => void {
  const base = cpuTimeOfTree(pid);
  if (base === undefined) {
    const timer = setTimeout(() => stuck(`not done within ${limits.fallbackMs} ms`), limits.fallbackMs);
    return () => clearTimeout(timer);
  }
  const idleMs = limits.idleMs ?? 60_000;
  let last = -1;
  let lastChange = performance.now();
  const timer = setInterval(() => {
    const total = cpuTimeOfTree(pid);
    if (total === undefined) return; // it ended: its exit says so
    const used = total - base;
    const now = performance.now();
    if (used !== last) {
      last = used;
      lastChange = now;
    }
    let reason: string | undefined;
    if (used >= limits.cpuMs) reason = `not done after ${Math.round(used)} ms of CPU time`;
    else if (now - lastChange >= idleMs) reason = `no CPU time used for ${Math.round(now - lastChange)} ms`;
    if (reason === undefined) return;
    clearInterval(timer);
    stuck(reason);
  }, everyMs);
  return () => clearInterval(timer);
}

/**
 * What `work` gives, or a failure once this process (its worker threads count) seems stuck before `work`
 * settles: `cpuMs` of CPU time used, or none for `idleMs` (`guardProgress`). For a test that waits on a worker
 * thread, in place of a timeout by the clock.
 */
export async function unlessStuck<T>(work: Promise<T>, limits: ProgressLimits): Promise<T> {
  let stop: () => void = () => undefined;
  const stuck = new Promise<never>((_, reject) => {
    stop = guardProgress(process.pid, limits, (reason) => reject(new Error(`stuck: ${reason}`)));
  });
  try {
    return await Promise.race([work, stuck]);
  } finally {
    stop();
  }
}

/**
 * Runs `file` with `args` (as `execFile`, with no limit by the clock) and gives its stdout; fails with its
 * stderr when it exits with an error, or when it seems stuck (`guardProgress`: `cpuMs` of CPU time used, or
 * none for `idleMs`), then killed.
 */
export async function execUnlessStuck(file: string, args: string[], limits: ProgressLimits): Promise<string> {
  let stuck: string | undefined;
  let unguard: () => void = () => undefined;
  try {
    return await new Promise<string>((resolve, reject) => {
      const child = execFile(file, args, { maxBuffer: 64 * 1024 * 1024 }, (error, out, err) =>
        error === null
          ? resolve(out)
          : reject(new Error(`${stuck === undefined ? error.message : `stuck: ${stuck}, killed`}\n${err}`)),
      );
      unguard = guardProgress(child.pid!, limits, (reason) => {
        stuck = reason;
        child.kill('SIGKILL');
      });
    });
  } finally {
    unguard();
  }
}
