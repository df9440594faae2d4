/**
 * The I/O of flows: files (plain or gzip), standard input, streamed line by line into a `FlowObserver`,
 * so that memory grows with distinct connections, never with the size of the input.
 */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import type { ClusterState } from '../model/cluster.ts';
import { FlowObserver, type FlowInput, type ObserveOptions } from './parser.ts';
import type { ObservedTraffic } from './types.ts';

export const STDIN_FLOWS = '<stdin>';

export interface FlowProgress {
  /** The input being read. */
  file: string;
  /** Bytes of that input read so far (compressed bytes for a gzip file). */
  bytes: number;
  /** Its size, when known (not for standard input). */
  totalBytes: number | undefined;
  /** Records read so far, over all inputs. */
  records: number;
  /** Distinct connections so far. */
  connections: number;
}

export interface ReadFlowsOptions extends ObserveOptions {
  /** Standard input, for the path `-`: a stream, or all of it as text. @default streams `process.stdin` */
  readStdin?: () => Promise<string> | AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>;
  /** Called every few thousand lines and at the end of each input. */
  onProgress?: (progress: FlowProgress) => void;
}

const PROGRESS_EVERY = 16_384;

function errnoReason(error: unknown): string {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  if (code === 'ENOENT') return 'it does not exist';
  if (code === 'EISDIR') return 'it is a folder (give the flow files themselves)';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return error instanceof Error ? error.message : String(error);
}

async function isGzip(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(2);
    const { bytesRead } = await fh.read(buf, 0, 2, 0);
    return bytesRead === 2 && buf[0] === 0x1f && buf[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

/** Feeds every line of a byte or text stream to `input`. */
async function feed(
  chunks: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  input: FlowInput,
  tick: (bytes: number) => void,
): Promise<void> {
  const decoder = new TextDecoder('utf-8');
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

/**
 * Reads flow files (`-` for standard input), detecting each one's format, into the observed connection map
 * matched against `state`. Files that cannot be read are reported in `errors`, never thrown.
 */
export async function readFlows(
  paths: readonly string[],
  state: ClusterState,
  options: ReadFlowsOptions = {},
): Promise<ObservedTraffic> {
  const observer = new FlowObserver(state, options);
  for (const path of paths) {
    const name = path === '-' ? STDIN_FLOWS : path;
    const input = observer.input(name);
    let totalBytes: number | undefined;
    const tick = (bytes: number): void =>
      options.onProgress?.({
        file: name,
        bytes,
        totalBytes,
        records: observer.stats.records,
        connections: observer.aggregator.size,
      });
    if (path === '-') {
      const source = options.readStdin?.() ?? process.stdin;
      const chunks = source instanceof Promise ? [await source] : source;
      await feed(chunks, input, tick);
      input.end();
      continue;
    }
    try {
      const info = await stat(path);
      if (info.isDirectory()) throw Object.assign(new Error('folder'), { code: 'EISDIR' });
      totalBytes = info.size;
      const gzip = await isGzip(path);
      const file = createReadStream(path, { highWaterMark: 1 << 20 });
      let fileBytes = 0;
      if (gzip) {
        const gunzip = createGunzip();
        file.on('data', (c: string | Buffer) => {
          fileBytes += c.length;
        });
        file.on('error', (e) => gunzip.destroy(e));
        await feed(file.pipe(gunzip), input, () => tick(fileBytes));
      } else {
        await feed(file, input, tick);
      }
      file.destroy();
    } catch (error) {
      observer.errors.push({ file: name, line: 0, message: `cannot read "${path}": ${errnoReason(error)}` });
      continue;
    }
    input.end();
  }
  return observer.result();
}
