/**
 * The I/O of flows: files (plain or gzip), standard input, streamed line by line into a `FlowObserver`,
 * so that memory grows with distinct connections, never with the size of the input.
 */
import { stat } from 'node:fs/promises';
import type { ClusterState } from '../model/cluster.ts';
import { FlowObserver, type ObserveOptions } from './parser.ts';
import type { ObservedTraffic } from './types.ts';
import { flowThreadsSetting, readFlowsParallel } from './read-parallel.ts';
import {
  errnoReason,
  feed,
  fileBytes,
  GZIP_AS_TEXT,
  inflatedIfGzip,
  isGzip,
  isGzipText,
  type Chunks,
} from './stream.ts';

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
  /**
   * Threads to read large captures with (read-parallel.ts); 1 reads sequentially.
   * @default `NETFENCE_FLOW_THREADS` (a value that is not a number of threads: a notice), else the machine's
   * available parallelism (at most 4)
   */
  threads?: number;
  /** Inputs smaller than this in all are read sequentially. @default 16 MiB */
  parallelMinBytes?: number;
  /** Told how the inputs were read: on how many threads in how many shards, or why sequentially. */
  onReading?: (how: { threads: number; shards: number } | { sequential: string }) => void;
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
  const setting = options.threads === undefined ? flowThreadsSetting() : { threads: options.threads };
  const traffic = await readWith(paths, state, options, setting.threads);
  if (setting.notice !== undefined) traffic.notices.unshift(setting.notice);
  return traffic;
}

async function readWith(
  paths: readonly string[],
  state: ClusterState,
  options: ReadFlowsOptions,
  threads: number,
): Promise<ObservedTraffic> {
  // Whatever the parallel reading did not foresee leaves the reading to one thread, never a crash.
  const parallel = await readFlowsParallel(paths, state, {
    ...options,
    threads,
    ...(options.parallelMinBytes === undefined ? {} : { minBytes: options.parallelMinBytes }),
  }).catch((error: unknown) => ({ sequential: `the threads failed: ${errnoReason(error)}` }));
  if ('traffic' in parallel) {
    options.onReading?.({ threads: Math.min(threads, parallel.shards), shards: parallel.shards });
    return parallel.traffic;
  }
  options.onReading?.(parallel);
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
      const text = source instanceof Promise ? await source : undefined;
      const chunks = text === undefined ? (source as Chunks) : [text];
      if (text !== undefined && isGzipText(text)) {
        observer.errors.push({ file: name, line: 0, message: GZIP_AS_TEXT });
        continue;
      }
      try {
        // Compressed (`--flows - < capture.jsonl.gz`): inflated as a gzip file is.
        await feed(inflatedIfGzip(chunks), input, tick);
      } catch (error) {
        observer.errors.push({ file: name, line: 0, message: `cannot read it: ${errnoReason(error)}` });
        continue;
      }
      input.end();
      continue;
    }
    try {
      const info = await stat(path);
      if (info.isDirectory()) throw Object.assign(new Error('folder'), { code: 'EISDIR' });
      totalBytes = info.size;
      // A pipe (`--flows <(hubble observe …)`, /dev/stdin) cannot be peeked at without losing what is read:
      // its first bytes tell gzip as it is read, as standard input's do.
      const gzip = info.isFile() ? await isGzip(path) : false;
      // Progress against the file's size: its compressed bytes, for gzip.
      let read = 0;
      const bytes = fileBytes(path, gzip, 0, (n) => {
        read = n;
      });
      // A pipe is checked on its first bytes instead.
      await feed(info.isFile() ? bytes : inflatedIfGzip(bytes), input, gzip ? () => tick(read) : tick);
    } catch (error) {
      observer.errors.push({ file: name, line: 0, message: `cannot read "${path}": ${errnoReason(error)}` });
      continue;
    }
    input.end();
  }
  return observer.result();
}
