/** The process around the CLI, passed in so that commands run the same in tests and in a terminal. */
export interface Io {
  stdout(text: string): void;
  /**
   * Writes pieces of a large output, waiting while the reader falls behind (a pipe buffers without limit
   * otherwise). Without it, `writeChunks` writes the pieces with `stdout`.
   */
  writeStdout?: (chunks: Iterable<string>) => Promise<void>;
  stderr(text: string): void;
  /**
   * A note on stderr that `-q, --quiet` silences ("Ignored 15 objects of other kinds", "Wrote …"); warnings
   * and errors go to `stderr`. Without it, notes go to `stderr` (see `note`).
   */
  note?: (text: string) => void;
  readStdin(): Promise<string>;
  /** Standard input as a stream, for inputs too large to buffer (flow captures piped in). */
  stdinStream?: () => AsyncIterable<Uint8Array>;
  /** Whether stderr is a terminal (progress lines only then). */
  isTTY: boolean;
  env: Readonly<Record<string, string | undefined>>;
  /**
   * The fingerprint of the input's files (`inputFingerprint`), when process.ts took one to choose a thread: the
   * reading commands then remember whether the input is warm in the cache (src/cli/warm-inputs.ts).
   */
  inputFingerprint?: string | undefined;
  /**
   * Queues work that the answer does not wait for (writing the manifest cache): `run` (main.ts) does it once
   * the command has written its answer. Without it, such work is done at once.
   */
  afterAnswer?: (f: () => void) => void;
  /**
   * Called after each manifest file is read: on the main thread of the CLI, keeps the young generation at its
   * size (src/cli/young-generation.ts). Without it, nothing is done.
   */
  afterFileRead?: () => void;
}

/** Writes an output given in pieces (see `Io.writeStdout`). */
export async function writeChunks(io: Io, chunks: Iterable<string>): Promise<void> {
  if (io.writeStdout !== undefined) await io.writeStdout(chunks);
  else for (const chunk of chunks) io.stdout(chunk);
}

/** Writes a note (see `Io.note`). */
export function note(io: Io, text: string): void {
  if (io.note !== undefined) io.note(text);
  else io.stderr(text);
}

/** Resolves at the first of `events` on `emitter`, and stops listening to all of them. */
export function firstOf(
  emitter: { once(event: string, f: () => void): unknown; off(event: string, f: () => void): unknown },
  events: readonly string[],
): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      for (const e of events) emitter.off(e, done);
      resolve();
    };
    for (const e of events) emitter.once(e, done);
  });
}

/** The argument of an on/off option that takes one (`--ipblock-matches-pods false`). */
export function parseBoolean(value: string): boolean {
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new UserError(`expected true or false, got "${value}"`);
}

/** A user-facing failure: printed as one line, never with a stack trace. */
export class UserError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode: number = ExitCode.Usage) {
    super(message);
    this.name = 'UserError';
    this.exitCode = exitCode;
  }
}

export const ExitCode = {
  Ok: 0,
  /** A check failed: denied connections, lint findings, failing tests, a forbidden diff. */
  CheckFailed: 1,
  /** Bad input or usage: invalid manifests, missing files, unknown options. */
  Usage: 2,
  /** A bug in netfence. */
  Internal: 70,
  /** Stopped by Ctrl+C (SIGINT) and ended cleanly: 128 + 2, as a shell reports a process the signal ended. */
  Interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
