/**
 * Work that the answer does not wait for (writing the manifest cache): queued while a command runs, done by
 * `run` (main.ts) once the command has written its answer. It never throws and never changes the exit code.
 */
const queue: (() => void)[] = [];

/** Queues `f` until the command's answer is out. */
export function afterAnswer(f: () => void): void {
  queue.push(f);
}

/** Runs what was queued, in order, and empties the queue. */
export function runAfterAnswer(): void {
  for (const f of queue.splice(0)) {
    try {
      f();
    } catch {
      // Only the cache is written here: a failure makes the next run slower, never this one wrong.
    }
  }
}
