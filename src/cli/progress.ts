/** The progress line of the engine's long phases (`EngineOptions.onProgress`), for commands that compile. */
import type { Progress } from '../engine/compile.ts';
import type { Io } from './io.ts';

const PHASES: Readonly<Record<Progress['phase'], (total: string) => string>> = {
  policies: (total) => `Compiling ${total} policies`,
  access: (total) => `Resolving what ${total} pod classes may reach`,
  connections: (total) => `Listing the connections of ${total} pod classes`,
};

/** The text of one progress update, e.g. `Compiling 12,000 policies: 42%…`. */
export function engineProgressText(p: Progress): string {
  const pct = p.total === 0 ? 100 : Math.floor((100 * p.done) / p.total);
  return `${PHASES[p.phase](p.total.toLocaleString('en-US'))}: ${pct}%…`;
}

/**
 * One line on stderr that each update rewrites (`\r`), on a terminal only, so that pipes, CI logs and tests see
 * nothing. The engine reports only on large inputs, about every 1% of a phase. `done` erases the line; call it
 * before writing the result.
 */
export function engineProgress(io: Io): { update: (p: Progress) => void; done: () => void } {
  let shown = false;
  return {
    update(p) {
      if (!io.isTTY) return;
      io.stderr(`\r\x1b[K${engineProgressText(p)}`);
      shown = true;
    },
    done() {
      if (shown) io.stderr('\r\x1b[K');
      shown = false;
    },
  };
}
