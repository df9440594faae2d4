/**
 * What-ifs off the server's thread. A what-if with many policies computes for seconds; on the thread that
 * serves HTTP it would hold every other request, and Ctrl+C or SIGTERM, until it is done. So each analysis
 * answers its what-ifs on a worker thread of its own (started on the first what-if, this very module),
 * which keeps a copy of the state and the incremental engine between requests and answers them in turn.
 * Closing the analysis (a reload, the server stopping) ends the worker; a what-if it was computing fails.
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { WhatIfJson } from '../contract/api.ts';
import type { EngineOptions } from '../engine/compile.ts';
import { openSession } from '../engine/session.ts';
import type { ClusterState, Origin } from '../model/cluster.ts';
import { incrementalCompiler, whatIf, type WhatIfChange, type WhatIfCompiler } from './whatif.ts';

/** The worker's young generation, in MiB (why: at `new Worker`). */
const WORKER_YOUNG_MB = 8;

/** What the worker is started with: marks it as a what-if worker (the CLI may run on a worker thread too). */
interface WhatIfWorkerData {
  kind: 'netfence-whatif';
  state: ClusterState;
  engine: EngineOptions;
  defaultNamespace: string;
}

interface Request {
  id: number;
  changes: WhatIfChange[];
}

type Reply = { id: number; ok: true; value: WhatIfJson } | { id: number; ok: false; message: string };

/** The analysis was reloaded or the server stopped while a what-if was computing. */
export class WhatIfStopped extends Error {}

/** An origin without its `locate` function (functions do not cross threads; a what-if never reads it). */
function plainOrigin<T extends { origin?: Origin }>(item: T): T {
  if (item.origin?.locate === undefined) return item;
  const origin: Origin = { ...item.origin };
  delete origin.locate;
  return { ...item, origin };
}

/**
 * The state as data a worker can be given: every list of the state without the `locate` functions of its
 * items' origins. Generic over the state's lists, so that a list added to `ClusterState` cannot be forgotten.
 */
export function transferableState(state: ClusterState): ClusterState {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(state))
    out[key] = Array.isArray(value) ? value.map((item: { origin?: Origin }) => plainOrigin(item)) : value;
  return out as unknown as ClusterState;
}

/** The main thread's end: one worker, what-ifs answered in the order asked. */
export class WhatIfThread {
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve: (v: WhatIfJson) => void; reject: (e: Error) => void }>();
  #next = 0;
  #closed = false;

  constructor(state: ClusterState, engine: EngineOptions, defaultNamespace: string) {
    const data: WhatIfWorkerData = {
      kind: 'netfence-whatif',
      state: transferableState(state),
      // The options a worker can receive (no progress callback): the CNI profile is plain data.
      engine: {
        ipBlockMatchesPods: engine.ipBlockMatchesPods,
        ...(engine.hostNetworkPods === undefined ? {} : { hostNetworkPods: engine.hostNetworkPods }),
        ...(engine.cni === undefined ? {} : { cni: engine.cni }),
      },
      defaultNamespace,
    };
    // A young generation of 8 MiB: near its heap limit a worker is given 16 MiB more and asked to stop, and V8's
    // default young generation (tens of MiB) could promote more than that in one collection, before it stops:
    // the whole process then ended with "FATAL ERROR: Reached heap limit" (a what-if out of memory took `serve`
    // down with it in 4 of 37 runs of test/server/whatif-thread-out-of-memory.test.ts). With 8 MiB it stops in time.
    this.#worker = new Worker(new URL(import.meta.url), {
      workerData: data,
      resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_MB },
    });
    this.#worker.on('message', (reply: Reply) => {
      const waiting = this.#pending.get(reply.id);
      this.#pending.delete(reply.id);
      if (this.#pending.size === 0) this.#worker.unref();
      if (reply.ok) waiting?.resolve(reply.value);
      else waiting?.reject(new Error(reply.message));
    });
    // What keeps the process running only while a what-if is awaited (`run` refs it, the last answer unrefs
    // it): an idle thread never does, and a program that awaits an answer is not ended before it (an unsettled
    // await, exit 13). Ctrl+C ends `serve` even while a what-if computes: it closes the analysis, which
    // terminates the worker. After the 'message' listener, which refs the worker again.
    this.#worker.unref();
    const fail = (error: Error): void => {
      for (const w of this.#pending.values()) w.reject(error);
      this.#pending.clear();
    };
    this.#worker.on('error', fail);
    this.#worker.on('exit', () => {
      this.#closed = true;
      fail(new WhatIfStopped('the what-if was stopped: the analysis was reloaded or the server stopped'));
    });
  }

  /** The answer of `whatIf` for these changes (checked with `parseWhatIfRequest` first). */
  run(changes: readonly WhatIfChange[]): Promise<WhatIfJson> {
    if (this.#closed) return Promise.reject(new WhatIfStopped('the what-if thread has stopped'));
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.ref();
      this.#worker.postMessage({ id, changes: [...changes] } satisfies Request);
    });
  }

  /** Whether the worker has ended (closed, or failed: a new thread can take over). */
  get stopped(): boolean {
    return this.#closed;
  }

  close(): void {
    this.#closed = true;
    void this.#worker.terminate();
  }
}

/** The worker's end: answers each request with `whatIf` over a kept incremental engine. */
function serveWhatIfs(data: WhatIfWorkerData): void {
  const port = parentPort!;
  let compiler: WhatIfCompiler | undefined;
  port.on('message', (request: Request) => {
    let reply: Reply;
    try {
      compiler ??= incrementalCompiler(openSession(data.state, data.engine));
      const value = whatIf(data.state, request.changes, {
        engine: data.engine,
        defaultNamespace: data.defaultNamespace,
        compiler,
      });
      reply = { id: request.id, ok: true, value };
    } catch (error) {
      reply = {
        id: request.id,
        ok: false,
        message: error instanceof Error ? (error.stack ?? error.message) : String(error),
      };
    }
    port.postMessage(reply);
  });
}

if (!isMainThread && (workerData as Partial<WhatIfWorkerData> | null)?.kind === 'netfence-whatif') {
  serveWhatIfs(workerData as WhatIfWorkerData);
}
