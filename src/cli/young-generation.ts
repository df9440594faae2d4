/**
 * The main thread's young generation, held at 8 MiB semi-spaces once it has grown to them.
 *
 * Node lets V8 grow the young generation's two semi-spaces up to 64 MiB each on a machine with much memory;
 * netfence keeps most of what it reads, so each scavenge copies the same objects across larger and larger
 * semi-spaces (T1 cilium ends at 32 MiB). `--max-semi-space-size=8` on Node's command line saves CPU time and
 * 40–50 MiB of peak memory at T1 (docs/benchmarks.md, rounds 11 and 12), but only Node's command line can
 * give it: V8 reads the limit when the heap is made. What V8 reads at each growth is the growth factor, so a
 * run on the main thread checks the young generation's size after each file it reads and, once the semi-spaces
 * are 8 MiB, sets the factor to 1: they stay as they are from then on (docs/benchmarks.md, round 14). Node 24
 * and later only.
 *
 * The same thread's other setting for a short run: `analyze` and `lint` over files below the worker's line
 * (a few MB) run without V8's optimizing compiler, TurboFan (`shortRunFlags`): compiling the reader, the
 * checks and the engine a second time costs more CPU than the optimized code wins back in a run of a second
 * (docs/benchmarks.md, round 16).
 */
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

/** V8's `new_space`, both semi-spaces: two of 8 MiB. */
export const NEW_SPACE_CAP_BYTES = 16 * 2 ** 20;

/**
 * Whether to hold the young generation: on Node 24 and later (on Node 22, 8 MiB semi-spaces saved no CPU,
 * and holding them cost T1 cilium a tenth more: docs/benchmarks.md, rounds 12 and 14), unless the user gave V8
 * a semi-space size (on Node's command line or in NODE_OPTIONS): then theirs holds.
 */
export function holdsYoungGeneration(
  nodeVersion: string,
  execArgv: readonly string[],
  nodeOptions: string | undefined,
): boolean {
  return (
    Number(nodeVersion.split('.')[0]) >= 24 && !/semi-space/.test([...execArgv, nodeOptions ?? ''].join(' '))
  );
}

/** Commands that end once they have read their input and answered (no server, no watch, no stream). */
const SHORT_COMMANDS: ReadonlySet<string> = new Set(['analyze', 'lint']);

/**
 * The V8 flags for a command run on the main thread over `small` input (files named by its arguments, all
 * together below the worker's line; `undefined` when not measured): `--no-turbofan` for `analyze` and `lint`
 * on Node 24 and later (Maglev, V8's faster compiler, still compiles hot code), unless the user gave V8 a
 * choice of compilers (`--no-opt`, `--max-opt`, `--turbofan`, `--jitless` on Node's command line; of these,
 * NODE_OPTIONS takes only `--jitless`). Anything else (a large input, on the worker; a server; `map` over a stream of flows) keeps
 * V8's default, which pays off over longer runs.
 */
export function shortRunFlags(
  command: string | undefined,
  small: boolean | undefined,
  nodeVersion: string,
  execArgv: readonly string[],
  nodeOptions: string | undefined,
): string | undefined {
  const chosen = [...execArgv, ...(nodeOptions ?? '').split(/\s+/)].some((arg) =>
    /^--(?:no[-_])?(?:turbofan|opt|jitless|max[-_]opt)(?:=|$)/.test(arg),
  );
  return small === true &&
    command !== undefined &&
    SHORT_COMMANDS.has(command) &&
    Number(nodeVersion.split('.')[0]) >= 24 &&
    !chosen
    ? '--no-turbofan'
    : undefined;
}

/** The size of V8's new space (both semi-spaces) of this thread, in bytes. */
function newSpaceBytes(): number {
  for (const space of getHeapSpaceStatistics()) if (space.space_name === 'new_space') return space.space_size;
  return 0;
}

/**
 * A check to call often while a command runs (after each file read): the first time it finds the new space
 * at `NEW_SPACE_CAP_BYTES` or more, it stops its growth; from then on it does nothing. The two V8 calls are
 * parameters for the tests.
 */
export function youngGenerationCap(
  size: () => number = newSpaceBytes,
  setFlags: (flags: string) => void = setFlagsFromString,
): () => void {
  let held = false;
  return () => {
    if (held || size() < NEW_SPACE_CAP_BYTES) return;
    setFlags('--semi-space-growth-factor=1');
    held = true;
  };
}
