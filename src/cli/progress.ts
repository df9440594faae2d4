/**
 * The progress line of long phases: reading large inputs (`LoadOptions.onProgress`) and the engine's
 * compile phases (`EngineOptions.onProgress`).
 */
import type { Progress } from '../engine/compile.ts';
import type { ReadingProgress } from '../parse/types.ts';
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

/** The text of one reading update, e.g. `Reading 54 MB of manifests: 42%…`. */
export function readingProgressText(p: ReadingProgress): string {
  const pct = p.total === 0 ? 100 : Math.floor((100 * p.done) / p.total);
  return `Reading ${Math.round(p.total / 1e6).toLocaleString('en-US')} MB of manifests: ${pct}%…`;
}

/**
 * One line on stderr that each update rewrites (`\r`), on a terminal only, so that pipes, CI logs and tests see
 * nothing. The engine reports only on large inputs, about every 1% of a phase. `done` erases the line; call it
 * before writing the result.
 */
export function engineProgress(io: Io): { update: (p: Progress) => void; done: () => void } {
  const line = progressLine(io);
  return { update: (p) => line.update(engineProgressText(p)), done: line.done };
}

/** The same line for reading manifests (`LoadOptions.onProgress`). */
export function readingProgress(io: Io): { update: (p: ReadingProgress) => void; done: () => void } {
  const line = progressLine(io);
  let last = '';
  return {
    // Reported file by file: written only when the text changes (thousands of files, a hundred updates).
    update(p) {
      const text = readingProgressText(p);
      if (text !== last) line.update(text);
      last = text;
    },
    done: line.done,
  };
}

/** One line on stderr that each update rewrites, on a terminal only; `done` erases it. */
export function progressLine(io: Io): { update: (text: string) => void; done: () => void } {
  let shown = false;
  return {
    update(text) {
      if (!io.isTTY) return;
      io.stderr(`\r\x1b[K${text}`);
      shown = true;
    },
    done() {
      if (shown) io.stderr('\r\x1b[K');
      shown = false;
    },
  };
}
