/**
 * Runs the CLI: the entry point of `bin/netfence`.
 *
 * A command with a large input (8 MB of files or more among its arguments, `WORKER_INPUT_BYTES`) runs on a
 * worker thread whose young generation is limited to 48 MiB (16 MiB semi-spaces): on a machine with much
 * memory Node lets it grow to hundreds of MiB, and netfence, which keeps most of what it reads, then spends a
 * large part of its time copying the same objects between large semi-spaces (docs/benchmarks.md). V8 reads
 * that limit only when a heap is made, hence the worker; starting one costs 0.04–0.05 s of CPU before it
 * runs a line of netfence, and loading netfence again, which an input of a few MB (T1) does not win back, so
 * smaller inputs run on the main thread. The main thread
 * relays standard input (when the command asks for it), Ctrl+C and SIGTERM, and the exit code; standard
 * output and error are the worker's, with back-pressure. NETFENCE_WORKER=always or never overrides the choice.
 * A large input read from the manifest cache makes little garbage: it runs on the main thread when its files
 * were all in the cache after its last run (src/cli/warm-inputs.ts). On the main thread, `analyze` and `lint`
 * over a small input run without TurboFan (src/cli/young-generation.ts). Before all that, `analyze` over files
 * looks for its kept answer (src/cli/answer-cache.ts), printed without loading the rest of netfence.
 */
import module from 'node:module';
import { dirname } from 'node:path';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { isMainThread, parentPort, SHARE_ENV, Worker, workerData } from 'node:worker_threads';
import { errorCode } from '../base/error-code.ts';
import { firstOf, type Io } from './io.ts';
import type { AnswerKey } from './answer-cache.ts';
import { fingerprintFiles, inputFingerprint, namesLargeInput, WORKER_INPUT_BYTES } from './input-size.ts';
import { decodeText } from '../parse/decode.ts';
import { isManifestName } from '../parse/folders.ts';
import { holdsYoungGeneration, shortRunFlags, youngGenerationCap } from './young-generation.ts';

/** What the worker needs to know of the main thread's terminal. */
interface WorkerData {
  stderrIsTTY: boolean;
  /** Where bin/netfence keeps the compiled code of modules, when it does. */
  compileCacheDir: string | undefined;
  /** See `Io.inputFingerprint`. */
  inputFingerprint: string | undefined;
  /** Where to keep this run's answer (src/cli/answer-cache.ts), when it can be kept. */
  answerKey: AnswerKey | undefined;
  /** The manifests the answer cache read for its key, by path (src/parse/preread.ts). */
  read: Map<string, Uint8Array> | undefined;
}

/** Messages from the worker to the main thread, and back. */
type ToMain = { kind: 'stdin' };
type ToWorker = { kind: 'signal'; signal: 'SIGINT' | 'SIGTERM' };

const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143 } as const;
const YOUNG_GENERATION_MB = 48;

/** Standard input as a stream; on the worker, asks the main thread to start sending it first. */
function stdin(): NodeJS.ReadableStream {
  if (!isMainThread) parentPort?.postMessage({ kind: 'stdin' } satisfies ToMain);
  return process.stdin;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin()) chunks.push(chunk as Buffer);
  return decodeText(Buffer.concat(chunks));
}

async function writeStdout(chunks: Iterable<string>): Promise<void> {
  for (const chunk of chunks) {
    // Wait for the reader; when it has closed the pipe, the next write reports EPIPE (handled below).
    if (!process.stdout.write(chunk)) await firstOf(process.stdout, ['drain', 'close']);
  }
}

/** `netfence analyze … | head` closes the pipe early: not an error. */
function exitQuietlyOnEpipe(): void {
  process.stdout.on('error', (err: Error) => {
    if (errorCode(err) === 'EPIPE') process.exit(0);
    throw err;
  });
}

async function runHere(
  stderrIsTTY: boolean,
  inputFingerprint: string | undefined,
  answerKey: AnswerKey | undefined,
): Promise<void> {
  const { run } = await import('./main.ts');
  const cache = answerKey === undefined ? undefined : await import('./answer-cache.ts');
  const recorder = cache?.answerRecorder();
  const out = (text: string): void => {
    recorder?.stdout(text);
    process.stdout.write(text);
  };
  const io: Io = {
    stdout: out,
    writeStdout: (chunks) => writeStdout(recorder === undefined ? chunks : tap(chunks, recorder.stdout)),
    stderr: (text) => {
      recorder?.stderr(text);
      process.stderr.write(text);
    },
    readStdin,
    stdinStream: () => stdin() as AsyncIterable<Uint8Array>,
    isTTY: stderrIsTTY,
    env: process.env,
    inputFingerprint,
  };
  // The worker's young generation has its own limit (YOUNG_GENERATION_MB); the main thread's is held here.
  if (isMainThread && holdsYoungGeneration(process.versions.node, process.execArgv, process.env.NODE_OPTIONS))
    io.afterFileRead = youngGenerationCap();
  process.exitCode = await run(process.argv.slice(2), io);
  const answer = process.exitCode === 0 ? recorder?.answer() : undefined;
  if (cache !== undefined && answerKey !== undefined && answer !== undefined)
    cache.keepAnswer(answerKey, answer);
}

/** The chunks, each seen by `see` as it is taken. */
function* tap(chunks: Iterable<string>, see: (chunk: string) => void): Generator<string> {
  for (const chunk of chunks) {
    see(chunk);
    yield chunk;
  }
}

/**
 * On the main thread, for `analyze` over files with the cache on: the key of its answer, and the answer when
 * one is kept (src/cli/answer-cache.ts).
 */
async function keptAnswer(): Promise<{
  key: AnswerKey | undefined;
  printed: boolean;
  read?: Map<string, Uint8Array>;
}> {
  const args = process.argv.slice(2);
  if (args[0] !== 'analyze') return { key: undefined, printed: false };
  const { answerKey, findAnswer } = await import('./answer-cache.ts');
  // The manifests read for the key are not read again by the run (src/parse/preread.ts).
  const read = new Map<string, Uint8Array>();
  const key = await answerKey(args, process.cwd(), process.env, (path, bytes) => {
    if (isManifestName(path)) read.set(path, bytes);
  });
  const found = key === undefined ? undefined : await findAnswer(key);
  if (found === undefined) return { key, printed: false, read };
  process.stderr.write(found.stderr);
  process.stdout.write(found.stdout);
  process.exitCode = 0;
  return { key, printed: true };
}

/** The heap this thread may use, in MiB: Node's default for the machine, or --max-old-space-size. */
function heapLimitMb(): number {
  return Math.ceil(getHeapStatistics().heap_size_limit / 2 ** 20);
}

function compileCacheBase(): string | undefined {
  const dir = module.getCompileCacheDir?.();
  return dir === undefined ? undefined : dirname(dir);
}

function runOnWorker(
  inputFingerprint: string | undefined,
  answerKey: AnswerKey | undefined,
  read: Map<string, Uint8Array> | undefined,
): void {
  const worker = new Worker(new URL(import.meta.url), {
    argv: process.argv.slice(2),
    env: SHARE_ENV,
    workerData: {
      stderrIsTTY: process.stderr.isTTY,
      // Node names the folder it was given plus a subfolder of its version: the folder given is its parent.
      compileCacheDir: compileCacheBase(),
      inputFingerprint,
      answerKey,
      read,
    } satisfies WorkerData,
    stdin: true,
    resourceLimits: {
      maxYoungGenerationSizeMb: YOUNG_GENERATION_MB,
      // As large as this thread's (which --max-old-space-size in NODE_OPTIONS sets).
      maxOldGenerationSizeMb: heapLimitMb(),
    },
  });
  let stdinSent = false;
  worker.on('message', (message: ToMain) => {
    if (message.kind !== 'stdin' || stdinSent) return;
    stdinSent = true;
    // Standard input that cannot be read (closed, or open for writing only) stops the run with one line, as on
    // the main thread, not an unhandled 'error' event.
    process.stdin.once('error', (error) => {
      void import('../parse/files.ts').then(({ readReason }) => {
        process.stderr.write(`netfence: cannot read standard input: ${readReason(error, undefined)}\n`);
        process.exitCode = 2;
        void worker.terminate();
      });
    });
    process.stdin.pipe(worker.stdin!);
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => worker.postMessage({ kind: 'signal', signal } satisfies ToWorker));
  }
  worker.on('error', (error: Error) => {
    process.stderr.write(
      errorCode(error) === 'ERR_WORKER_OUT_OF_MEMORY'
        ? `netfence: out of memory: this input (or its answer) needs more memory than Node gives it (a heap of ${heapLimitMb()} MiB); ` +
            'give it more with NODE_OPTIONS=--max-old-space-size=16384 (MiB), or read less at once\n'
        : `netfence: internal error: ${error.stack ?? String(error)}\n`,
    );
    process.exitCode = 70;
  });
  worker.on('exit', (code) => {
    process.exitCode ??= code;
    // Standard input may still be open (a terminal): nothing more will read it, and then nothing keeps this
    // thread running (what the worker wrote is written out first).
    if (stdinSent) process.stdin.destroy();
  });
}

/** On the worker: the main thread relays signals; a command that does not listen for one ends as it would. */
function receiveSignals(): void {
  if (parentPort === null) return;
  parentPort.on('message', (message: ToWorker) => {
    if (message.kind !== 'signal') return;
    if (process.listenerCount(message.signal) > 0) process.emit(message.signal, message.signal);
    else process.exit(SIGNAL_EXIT[message.signal]);
  });
  parentPort.unref();
}

/**
 * Whether to run on the worker, and the input's fingerprint when one was taken: a large input whose files
 * were all in the manifest cache after its last run (src/cli/warm-inputs.ts) runs here, as a small one does.
 * `small`: whether the arguments name files, all together below the worker's line (not measured with
 * NETFENCE_WORKER). `listed`: the input's files, when the answer cache listed them already.
 */
async function onWorker(
  listed: AnswerKey['files'] | undefined,
): Promise<{ worker: boolean; fingerprint?: string; small?: boolean }> {
  const choice = process.env.NETFENCE_WORKER;
  if (choice === 'always') return { worker: true };
  if (choice === 'never') return { worker: false };
  const args = process.argv.slice(2);
  const bytes = listed?.reduce((n, f) => n + f.size, 0);
  const large =
    bytes === undefined ? await namesLargeInput(args, WORKER_INPUT_BYTES) : bytes >= WORKER_INPUT_BYTES;
  if (!large)
    return { worker: false, small: bytes === undefined ? await namesLargeInput(args, 1) : bytes > 0 };
  const { cacheFolder, isWarmInput } = await import('./warm-inputs.ts');
  const dir = cacheFolder(process.env, args.includes('--no-cache'));
  if (dir === undefined) return { worker: true };
  const fingerprint =
    listed === undefined
      ? await inputFingerprint(args, process.cwd())
      : fingerprintFiles(process.cwd(), listed);
  return { worker: !(await isWarmInput(dir, fingerprint)), fingerprint };
}

exitQuietlyOnEpipe();
const kept = isMainThread ? await keptAnswer() : undefined;
const where = isMainThread && kept?.printed !== true ? await onWorker(kept?.key?.files) : undefined;
if (kept?.printed === true) {
  // Answered from the answer cache.
} else if (where?.worker === true) {
  runOnWorker(where.fingerprint, kept?.key, kept?.read);
  kept?.read?.clear(); // the worker has its copy
} else if (isMainThread) {
  // Before the command's code is compiled (src/cli/young-generation.ts).
  const flags = shortRunFlags(
    process.argv[2],
    where?.small,
    process.versions.node,
    process.execArgv,
    process.env.NODE_OPTIONS,
  );
  if (flags !== undefined) setFlagsFromString(flags);
  if (kept?.read !== undefined) {
    (await import('../parse/preread.ts')).offerFiles(kept.read);
    kept.read.clear(); // taken from there, once each
  }
  await runHere(process.stderr.isTTY, where?.fingerprint, kept?.key);
} else {
  // As bin/netfence does for the main thread (in the same folder, and not when it does not): cache the
  // compiled code of the modules loaded from here on.
  const data = workerData as WorkerData;
  if (data.compileCacheDir !== undefined) module.enableCompileCache?.(data.compileCacheDir);
  if (data.read !== undefined) (await import('../parse/preread.ts')).offerFiles(data.read);
  receiveSignals();
  await runHere(data.stderrIsTTY, data.inputFingerprint, data.answerKey);
}
