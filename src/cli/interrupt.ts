/** Ctrl+C during the writes of `apply` and `rollback`. */
import type { Io } from './io.ts';

/**
 * The first Ctrl+C stops the command after the `what` in flight (a write, a restore: it then ends as it
 * ends, done, failed or unknown), so that the report says what was written and the record stays true; the
 * listener is then gone, and a second Ctrl+C stops netfence at once (exit 130).
 */
export function onInterrupt(io: Io, what: string): { interrupted(): boolean; dispose(): void } {
  let interrupted = false;
  const listener = (): void => {
    interrupted = true;
    io.stderr(
      `netfence: interrupted (Ctrl+C): stopping after the ${what} in flight; Ctrl+C again to stop at once\n`,
    );
  };
  process.once('SIGINT', listener);
  return {
    interrupted: () => interrupted,
    dispose: () => process.off('SIGINT', listener),
  };
}
