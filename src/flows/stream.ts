/** Bytes to lines for the flow readers (read.ts, read-parallel.ts): files, gzip, and the reasons they fail. */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { errorCode } from '../base/error-code.ts';
import type { FlowInput } from './parser.ts';

export const PROGRESS_EVERY = 16_384;
/**
 * The bytes read (and inflated) at a time. Small on purpose: a chunk of a MiB or more becomes an external
 * string and a flat copy outside the young generation (V8 makes a string of ~1 MiB decoded by Node external),
 * which lives until a full collection; at 64 KiB every chunk dies young. Measured on 1 million CSV rows (two
 * threads): 244 MiB peak with 1 MiB chunks, 218 with 256 KiB, 205 with 128 KiB, 173 with 64 KiB, 171 with
 * 16 KiB; the CPU time the same (docs/benchmarks.md, "Round 4").
 */
export const CHUNK_BYTES = 64 << 10;

export function errnoReason(error: unknown): string {
  const code = errorCode(error);
  // ENOTDIR: a part of the path is a file (`notes.txt/x.csv`); the CLI says which (`whyMissing`).
  if (code === 'ENOENT' || code === 'ENOTDIR') return 'it does not exist';
  if (code === 'EISDIR') return 'it is a folder (give the flow files themselves)';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ELOOP') return 'it is a loop of symbolic links';
  if (code === 'EBADF') return 'it is not open for reading: give the input with `< file`, or through a pipe';
  if (code === 'ENXIO') return 'it is a socket or a device, not a file';
  return error instanceof Error ? error.message : String(error);
}

export async function isGzip(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(2);
    const { bytesRead } = await fh.read(buf, 0, 2, 0);
    return bytesRead === 2 && buf[0] === 0x1f && buf[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

/** What a stream of flows is read from: bytes, or text already decoded. */
export type Chunks = AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>;

/** Standard input handed over as text although compressed (bytes lost to decoding: nothing can inflate it). */
export const GZIP_AS_TEXT =
  'it is gzip-compressed but was read as text: give the compressed file itself with --flows, or pipe it through gunzip';

/** Whether decoded text begins as gzip does: 1f 8b, the second byte not UTF-8, so read as U+FFFD. */
export function isGzipText(text: string): boolean {
  return text.startsWith('\u001f\ufffd');
}

/**
 * A stream as it is, or inflated when its first bytes are gzip's (1f 8b): standard input and pipes cannot be
 * peeked at before they are read, so they are checked here, on their first chunk. A damaged one fails as it
 * is read (zlib's error: "incorrect header check", "unexpected end of file").
 */
export async function* inflatedIfGzip(chunks: Chunks): AsyncIterable<Uint8Array | string> {
  const iterator =
    Symbol.asyncIterator in chunks ? chunks[Symbol.asyncIterator]() : chunks[Symbol.iterator]();
  let source: Readable | undefined;
  try {
    let first = await iterator.next();
    while (first.done !== true && first.value.length === 0) first = await iterator.next();
    if (first.done === true) return;
    let head = first.value;
    // Two bytes tell: a first chunk of one byte is joined with the next.
    while (typeof head !== 'string' && head.length < 2) {
      const next = await iterator.next();
      if (next.done === true) break;
      if (typeof next.value === 'string') {
        head = new TextDecoder().decode(head) + next.value;
        break;
      }
      head = Buffer.concat([head, next.value]);
    }
    const start = head;
    const rest = async function* (): AsyncIterable<Uint8Array | string> {
      yield start;
      for (let next = await iterator.next(); next.done !== true; next = await iterator.next())
        yield next.value;
    };
    if (typeof head === 'string' || head.length < 2 || head[0] !== 0x1f || head[1] !== 0x8b) {
      yield* rest();
      return;
    }
    source = Readable.from(rest(), { objectMode: false });
    const gunzip = createGunzip({ chunkSize: CHUNK_BYTES });
    source.on('error', (e) => gunzip.destroy(e));
    yield* source.pipe(gunzip) as AsyncIterable<Buffer>;
  } finally {
    // Read to the end, stopped early or failed: the input is let go (standard input closed, so a writer
    // still writing, `hubble observe --follow`, is not waited for).
    source?.destroy();
    await iterator.return?.();
  }
}

/**
 * The bytes of a file from `offset`, inflated when gzip (then from its start: `offset` is of the inflated
 * bytes, skipped by the caller). `onRead` is told how many bytes of the file itself have been read (compressed,
 * for gzip), for progress against its size. Stopping early closes the file too.
 */
export function fileBytes(
  path: string,
  gzip: boolean,
  offset = 0,
  onRead?: (fileBytes: number) => void,
): AsyncIterable<Buffer> {
  // No start position unless one is needed: a pipe cannot be read at a position.
  if (!gzip)
    return createReadStream(
      path,
      offset > 0 ? { start: offset, highWaterMark: CHUNK_BYTES } : { highWaterMark: CHUNK_BYTES },
    );
  const file = createReadStream(path, { highWaterMark: CHUNK_BYTES });
  const gunzip = createGunzip({ chunkSize: CHUNK_BYTES });
  if (onRead !== undefined) {
    let read = 0;
    file.on('data', (c: string | Buffer) => onRead((read += c.length)));
  }
  file.on('error', (e) => gunzip.destroy(e));
  gunzip.once('close', () => file.destroy());
  return file.pipe(gunzip);
}

/**
 * Feeds every line of a byte or text stream to `input`. `ignoreBOM` keeps a byte order mark at the start
 * (for a stream that starts inside a file).
 */
export async function feed(
  chunks: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  input: Pick<FlowInput, 'line' | 'stopped'>,
  tick: (bytes: number) => void,
  ignoreBOM = false,
): Promise<void> {
  const decoder = new TextDecoder('utf-8', { ignoreBOM });
  let rest = '';
  let sinceTick = 0;
  let bytes = 0;
  for await (const chunk of chunks) {
    bytes += typeof chunk === 'string' ? chunk.length : chunk.byteLength;
    const text = rest + (typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      input.line(text.slice(start, nl));
      start = nl + 1;
      if (++sinceTick >= PROGRESS_EVERY) {
        sinceTick = 0;
        tick(bytes);
      }
    }
    rest = text.slice(start);
    if (input.stopped) break;
  }
  rest += decoder.decode();
  if (rest !== '' && !input.stopped) input.line(rest);
  tick(bytes);
}

/** Every line of a file, plain or gzip (by its content), handed to `line`; a file that fails throws. */
export async function fileLines(path: string, line: (text: string) => void): Promise<void> {
  await feed(fileBytes(path, await isGzip(path)), { line, stopped: false }, () => {});
}
