import { before, describe as suite, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { readFlows, type ObservedTraffic } from '../../src/flows/index.ts';
import {
  flowThreads,
  flowThreadsSetting,
  readFlowsParallel,
  type ParallelOptions,
} from '../../src/flows/read-parallel.ts';
import { observedMapToJson } from '../../src/format/flows.ts';
import type { ClusterState } from '../../src/model/cluster.ts';
import { FIXTURES, loadState } from './support.ts';

let state: ClusterState;
let dir: string;
before(async () => {
  state = await loadState(join(FIXTURES, 'cluster.yaml'));
  dir = mkdtempSync(join(tmpdir(), 'netfence-test-'));
  return () => rmSync(dir, { recursive: true, force: true });
});

/** Everything `map -o json` writes, and what it does not (errors, notices). */
function answer(t: ObservedTraffic): string {
  return JSON.stringify({ map: observedMapToJson(t, state), errors: t.errors, notices: t.notices }, null, 1);
}

const PROBE = 512;
let written = 0;
function write(text: string | Buffer): string {
  const path = join(dir, `capture-${written++}`);
  writeFileSync(path, text);
  return path;
}

/** Reads in parallel (every shard on this thread unless `workers`): the map, or why it was sequential. */
async function parallel(
  paths: string[],
  options: Partial<ParallelOptions> & { threads: number },
): Promise<ObservedTraffic | string> {
  const r = await readFlowsParallel(paths, state, {
    minBytes: 0,
    minShardBytes: PROBE,
    workers: 0,
    ...options,
  });
  return 'traffic' in r ? r.traffic : r.sequential;
}

async function sequential(
  paths: string[],
  options: { dedupeWindowMs?: number } = {},
): Promise<ObservedTraffic> {
  return readFlows(paths, state, { threads: 1, ...options });
}

const HUBBLE = readFileSync(join(FIXTURES, 'hubble.jsonl'), 'utf8').trimEnd().split('\n');
const CSV = readFileSync(join(FIXTURES, 'flows.csv'), 'utf8').trimEnd().split('\n');

const iso = (ms: number): string => new Date(ms).toISOString().replace('Z', '000000Z');

/**
 * A Hubble capture from the fixture's lines (flows at both ends, replies, drops, unmatched pods, events,
 * a damaged line), with times rewritten: steps of up to `step` ms, some lines `disorder` ms back; source
 * ports drawn from a few, so that 5-tuples repeat within the dedupe window and across shards.
 */
const hubbleCapture = (disorder: number) =>
  fc
    .array(
      fc.record({
        line: fc.nat(HUBBLE.length - 1),
        step: fc.nat(4000),
        back: fc.oneof(fc.constant(0), fc.nat(disorder)),
        port: fc.constantFrom(40001, 40002, 40003, 53001, 0),
        denied: fc.boolean(),
      }),
      { minLength: 1, maxLength: 220 },
    )
    .map((rows) => {
      let t = Date.parse('2026-12-01T10:00:00Z');
      return [{ line: 0, step: 0, back: 0, port: 0, denied: false }, ...rows]
        .map((r) => {
          t += r.step;
          let text = HUBBLE[r.line]!.replaceAll(/"time":"[^"]*"/g, `"time":"${iso(t - r.back)}"`);
          if (r.port !== 0) text = text.replace(/"source_port":[0-9]+/, `"source_port":${r.port}`);
          if (r.denied) text = text.replace('"verdict":"FORWARDED"', '"verdict":"DROPPED"');
          return `${text}\n`;
        })
        .join('');
    });

/** A CSV capture from the fixture's rows, comments, blank lines, damaged rows, CRLF endings. */
const csvCapture = fc
  .record({
    rows: fc.array(
      fc.oneof(
        fc.nat(CSV.length - 3).map((i) => CSV[i + 2]!),
        fc.constantFrom(
          '',
          '# a comment',
          'app,web,,,app,api,,TCP,99999,1',
          'app,ghost,,,app,api,,TCP,8080,2',
          '"app","web",,,"app","api",,"TCP","8080","3"',
        ),
      ),
      { minLength: 30, maxLength: 300 },
    ),
    crlf: fc.boolean(),
    bom: fc.boolean(),
  })
  .map(
    ({ rows, crlf, bom }) =>
      `${bom ? '\uFEFF' : ''}${[CSV[0]!, CSV[1]!, ...rows].join(crlf ? '\r\n' : '\n')}\n`,
  );

suite('reading captures in parallel', () => {
  test('CSV: the map of the shards is the map of one reading, wherever the cuts fall', async () => {
    await fc.assert(
      fc.asyncProperty(
        csvCapture,
        fc.integer({ min: 2, max: 7 }),
        fc.boolean(),
        async (text, threads, gzip) => {
          const path = write(gzip ? gzipSync(text) : text);
          const got = await parallel([path], { threads });
          const want = await sequential([path]);
          if (Buffer.byteLength(text) < 2 * PROBE) return assert.equal(got, 'one shard');
          assert.notEqual(typeof got, 'string', `read in parallel: ${typeof got === 'string' ? got : ''}`);
          assert.equal(answer(got as ObservedTraffic), answer(want));
        },
      ),
      { numRuns: 60 },
    );
  });

  test('Hubble: attempts seen in two shards count once, as in one reading', async () => {
    let spanning = 0;
    await fc.assert(
      fc.asyncProperty(
        hubbleCapture(0),
        fc.integer({ min: 2, max: 7 }),
        fc.boolean(),
        async (text, threads, gzip) => {
          const path = write(gzip ? gzipSync(text) : text);
          const got = await parallel([path], { threads });
          const want = await sequential([path]);
          if (text.length < 2 * PROBE) return assert.equal(got, 'one shard');
          // In time order: always stitched, never read again sequentially.
          assert.notEqual(typeof got, 'string', `read in parallel: ${typeof got === 'string' ? got : ''}`);
          assert.equal(answer(got as ObservedTraffic), answer(want));
          if (want.stats.duplicates > 0) spanning++;
        },
      ),
      { numRuns: 80 },
    );
    assert.ok(spanning > 20, `repeated 5-tuples in most captures (${spanning})`);
  });

  test('Hubble: an attempt cut in two, its second observation dropped, counts once and denied', async () => {
    // Both halves alike but for the attempt's two observations: the cut falls between them.
    const at = (port: number, second: number, verdict = 'FORWARDED'): string =>
      HUBBLE[0]!
        .replaceAll(
          /"time":"[^"]*"/g,
          `"time":"2026-12-01T10:00:${String(second).padStart(2, '0')}.000000000Z"`,
        )
        .replace(/"source_port":[0-9]+/, `"source_port":${port}`)
        .replace('"verdict":"FORWARDED"', `"verdict":"${verdict}"`);
    const filler = (from: number): string[] => Array.from({ length: 8 }, (_, i) => at(from + i, 10));
    const first = [...filler(41000), at(40001, 20)].join('\n') + '\n';
    const second = [at(40001, 21, 'DROPPED'), ...filler(42000)].join('\n') + '\n';
    const path = write(first + second);
    const got = await parallel([path], { threads: 2, minShardBytes: 1024 });
    assert.notEqual(typeof got, 'string');
    const want = await sequential([path]);
    assert.equal(answer(got as ObservedTraffic), answer(want));
    assert.deepEqual(
      want.connections.map((c) => [c.count, c.denied]),
      [[17, 1]],
    );
    assert.equal(want.stats.duplicates, 1);
  });

  test('Hubble out of time order: the same answer, stitched or read again sequentially', async () => {
    await fc.assert(
      fc.asyncProperty(
        hubbleCapture(90_000),
        fc.integer({ min: 2, max: 5 }),
        fc.constantFrom(60_000, 5_000),
        async (text, threads, dedupeWindowMs) => {
          const path = write(text);
          const want = await sequential([path], { dedupeWindowMs });
          const r = await readFlows([path], state, {
            threads,
            parallelMinBytes: 0,
            dedupeWindowMs,
          });
          assert.equal(answer(r), answer(want));
          const got = await parallel([path], { threads, dedupeWindowMs });
          if (typeof got !== 'string') assert.equal(answer(got), answer(want));
        },
      ),
      { numRuns: 60 },
    );
  });

  test('several files, one missing, one not flows: the same map, problems and errors', async () => {
    const a = write(HUBBLE.join('\n'));
    const b = write(CSV.join('\r\n'));
    const c = write('this is not,a flow file\n1,2\n');
    const missing = join(dir, 'missing.csv');
    // The CSV twice (its rows stand alone); the Hubble capture once (again, its times would go back).
    const paths = [a, missing, b, c, b];
    const got = await parallel(paths, { threads: 3 });
    assert.notEqual(typeof got, 'string', typeof got === 'string' ? got : '');
    const want = await sequential(paths);
    assert.equal(answer(got as ObservedTraffic), answer(want));
    assert.equal(want.errors.length, 2);
  });

  test('the test fixtures: the same map on worker threads as on one', async () => {
    for (const name of ['hubble.jsonl', 'flows.csv', 'flows.jsonl']) {
      const path = join(FIXTURES, name);
      let how: unknown;
      const got = await readFlows([path], state, {
        threads: 2,
        parallelMinBytes: 0,
        onReading: (h) => {
          how = h;
        },
      });
      assert.equal(answer(got), answer(await sequential([path])), name);
      // Too small to cut at the default size: read sequentially, as any small input.
      assert.deepEqual(how, { sequential: 'one shard' }, name);
      const shards = await parallel([path], { threads: 2, workers: 1, minShardBytes: 64 });
      assert.notEqual(typeof shards, 'string', name);
      assert.equal(answer(shards as ObservedTraffic), answer(await sequential([path])), name);
    }
  });

  test('a Hubble capture cut in shards is read on the calling thread and one worker fewer than threads', async () => {
    // Worker threads are numbered in the order they start, across the process: a probe started before and
    // after the reading tells how many it started.
    const nextThread = async (): Promise<number> => {
      const probe = new Worker('', { eval: true });
      const id = probe.threadId;
      await probe.terminate();
      return id;
    };
    // The fixture's lines over and over, in time order (a flow every 50 ms): stitched, never read again.
    const start = Date.parse('2026-12-01T10:00:00Z');
    const lines = Array.from({ length: 12 * HUBBLE.length }, (_, i) =>
      HUBBLE[i % HUBBLE.length]!.replaceAll(/"time":"[^"]*"/g, `"time":"${iso(start + 50 * i)}"`),
    );
    const path = write(`${lines.join('\n')}\n`);
    for (const threads of [2, 3]) {
      const before = await nextThread();
      const got = await readFlowsParallel([path], state, { threads, minBytes: 0, minShardBytes: 1024 });
      const started = (await nextThread()) - before - 1;
      assert.ok('traffic' in got, 'read in parallel');
      assert.equal(got.shards, threads);
      assert.equal(started, threads - 1, `${threads} threads: ${started} workers`);
      assert.equal(answer(got.traffic), answer(await sequential([path])));
    }
  });

  test('small inputs, verdicts and standard input are read sequentially', async () => {
    const path = join(FIXTURES, 'hubble.jsonl');
    const how = async (options: Parameters<typeof readFlows>[2]): Promise<unknown> => {
      let h: unknown;
      await readFlows([path], state, {
        ...options,
        onReading: (x) => {
          h = x;
        },
      });
      return h;
    };
    assert.deepEqual(await how({ threads: 4 }), { sequential: 'small input' });
    assert.deepEqual(await how({ threads: 1, parallelMinBytes: 0 }), { sequential: 'one thread' });
    assert.deepEqual(await how({ threads: 4, parallelMinBytes: 0, verdicts: true }), {
      sequential: 'verdicts are read',
    });
    assert.equal(flowThreads({ NETFENCE_FLOW_THREADS: '1' }), 1);
    assert.equal(flowThreads({ NETFENCE_FLOW_THREADS: '3' }), 3);
    // Never more than four threads (each costs 25–30 MiB), whatever is asked or the machine has.
    assert.equal(flowThreads({ NETFENCE_FLOW_THREADS: '64' }), 4);
    assert.ok(flowThreads({}) >= 1 && flowThreads({}) <= 4);
  });

  test('a gzip capture damaged at its start is reported as on one thread, never a crash', async () => {
    const csv = Buffer.from(`${CSV.join('\n')}\n`.repeat(40));
    const damaged = gzipSync(csv);
    damaged.fill(0, 10, 40); // the first deflate bytes
    const path = write(damaged);
    const one = await sequential([path]);
    assert.ok(one.errors.length > 0, 'one thread reports the damage');
    let how: unknown;
    const got = await readFlows([path], state, {
      threads: 2,
      parallelMinBytes: 0,
      onReading: (h) => {
        how = h;
      },
    });
    assert.equal(answer(got), answer(one));
    assert.ok(how !== undefined);
    // Counted before it is cut, the damage is found: the file is one range, so read on one thread.
    assert.equal(await parallel([path], { threads: 2 }), 'one shard');
  });

  /** A CSV capture of `times` copies of the fixture's rows: large enough to be cut at `PROBE` bytes. */
  const bigCsv = (times: number): Buffer =>
    Buffer.from(`${CSV[0]}\n${CSV.slice(1).join('\n')}\n`.repeat(times));

  test('a gzip capture damaged in the middle keeps its error; the other inputs are still read in parallel', async () => {
    const damaged = gzipSync(bigCsv(60));
    damaged.fill(0, damaged.length >> 1, (damaged.length >> 1) + 100);
    const paths = [write(damaged), write(bigCsv(30))];
    const want = await sequential(paths);
    assert.equal(want.errors.length, 1, 'one thread reports the damage');
    let progress = 0;
    const got = await parallel(paths, { threads: 2, onProgress: (p) => (progress = p.bytes) });
    // Read once: not given up for a second reading on one thread after the error.
    assert.notEqual(typeof got, 'string', typeof got === 'string' ? got : '');
    assert.equal(answer(got as ObservedTraffic), answer(want));
    assert.ok(progress > 0);
  });

  test('a gzip capture of several members, or cut short, counts by what it inflates to', async () => {
    const text = bigCsv(90);
    const third = text.indexOf(10, text.length >> 1) + 1;
    // The last member small: its trailer alone says a third of the inflated bytes.
    const members = write(Buffer.concat([gzipSync(text.subarray(0, third)), gzipSync(text.subarray(third))]));
    let total: number | undefined;
    let most = 0;
    const got = await readFlowsParallel([members], state, {
      threads: 2,
      minBytes: text.length - 1,
      minShardBytes: PROBE,
      workers: 0,
      onProgress: (p) => {
        total = p.totalBytes;
        most = Math.max(most, p.bytes);
      },
    });
    assert.ok('traffic' in got, 'sequential' in got ? got.sequential : '');
    assert.equal(got.shards, 2);
    assert.equal(total, text.length);
    assert.equal(most, text.length, 'progress ends at 100%');
    assert.equal(answer(got.traffic), answer(await sequential([members])));
    // A download cut short: garbage for a trailer. Read on one thread, its lines up to the cut then its error,
    // the other input in parallel.
    const gz = gzipSync(text);
    const paths = [write(gz.subarray(0, gz.length >> 1)), write(bigCsv(30))];
    const truncated = await parallel(paths, { threads: 2 });
    assert.notEqual(typeof truncated, 'string', typeof truncated === 'string' ? truncated : '');
    const want = await sequential(paths);
    assert.match(want.errors[0]?.message ?? '', /unexpected end of file/);
    assert.equal(answer(truncated as ObservedTraffic), answer(want));
  });

  test('Hubble that cannot be stitched is given up before any range is read, or as soon as one meets it', async () => {
    const capture = (from: number, n: number, time = true): string =>
      Array.from({ length: n }, (_, i) => {
        const line = HUBBLE[0]!.replace(/"source_port":[0-9]+/, `"source_port":${40000 + (i % 500)}`);
        const timed = time
          ? line.replaceAll(/"time":"[^"]*"/g, `"time":"${iso(from + i * 1000)}"`)
          : line.replaceAll(/"time":"[^"]*",/g, '').replaceAll(/,"time":"[^"]*"/g, '');
        return `${timed}\n`;
      }).join('');
    const start = Date.parse('2026-12-01T10:00:00Z');
    let read = 0;
    const onProgress = (p: { bytes: number }): void => {
      read = p.bytes;
    };
    const check = async (path: string, why: string, gzip = false): Promise<void> => {
      read = 0;
      const got = await parallel([path], { threads: 2, minShardBytes: 4096, onProgress });
      assert.equal(got, why);
      if (!gzip) assert.equal(read, 0, 'no range read');
      assert.equal(
        answer(await readFlows([path], state, { threads: 2, parallelMinBytes: 0 })),
        answer(await sequential([path])),
      );
    };
    // Flows without times: the first line says it.
    await check(write(capture(start, 400, false)), 'a Hubble flow without a time');
    // Two nodes' exports one after another: the times go back where the file is cut.
    const node = capture(start, 400);
    await check(write(node + node), 'flows out of time order');
    // Three, gzip (no cut can be looked at before reading): the first range meets the second export and stops;
    // every range stops with it, long before the end.
    // (Each export larger than the first MiB a plan looks at.)
    const long = capture(start, 2000);
    const three = gzipSync(long + long + long);
    read = 0;
    const got = await parallel([write(three)], { threads: 2, minShardBytes: 4096, onProgress });
    assert.ok(typeof got === 'string' && got.startsWith('flows out of time order'), 'given up');
    assert.ok(read < (3 * Buffer.byteLength(long)) / 2, `stopped early (${read} bytes read)`);
    // On worker threads, the calling thread reads the last range while the workers start: a flow without a time
    // at its start stops every range, the first one before it read a line. The reason is still the flow's.
    const lines = capture(start, 4000).split('\n');
    const late = Math.floor(lines.length * 0.8);
    lines[late] = lines[late]!.replaceAll(/"time":"[^"]*",/g, '').replaceAll(/,"time":"[^"]*"/g, '');
    const path = write(lines.join('\n'));
    assert.equal(
      await parallel([path], { threads: 4, minShardBytes: 4096, workers: 1 }),
      `a Hubble flow without a time in ${path}`,
    );
  });

  test('NETFENCE_FLOW_THREADS that is not a number of threads is named in a notice, not ignored', async () => {
    for (const bad of ['four', '-1', '2x', '0']) {
      const setting = flowThreadsSetting({ NETFENCE_FLOW_THREADS: bad });
      assert.equal(setting.threads, flowThreads({}));
      assert.match(
        setting.notice ?? '',
        new RegExp(`^NETFENCE_FLOW_THREADS="${bad}" is not a number of threads`),
      );
    }
    assert.deepEqual(flowThreadsSetting({ NETFENCE_FLOW_THREADS: ' 2 ' }), { threads: 2 });
    assert.deepEqual(flowThreadsSetting({ NETFENCE_FLOW_THREADS: '' }), { threads: flowThreads({}) });
    const saved = process.env.NETFENCE_FLOW_THREADS;
    process.env.NETFENCE_FLOW_THREADS = 'four';
    try {
      const got = await readFlows([join(FIXTURES, 'flows.csv')], state);
      assert.match(got.notices[0] ?? '', /^NETFENCE_FLOW_THREADS="four" is not a number of threads/);
    } finally {
      if (saved === undefined) delete process.env.NETFENCE_FLOW_THREADS;
      else process.env.NETFENCE_FLOW_THREADS = saved;
    }
  });
});
