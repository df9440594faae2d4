/**
 * Compressed captures on standard input and through pipes (`--flows - < capture.jsonl.gz`,
 * `--flows <(cat capture.jsonl.gz)`): inflated as a gzip file is, by their first bytes.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { inflatedIfGzip, readFlows } from '../../src/flows/index.ts';
import { GZIP_AS_TEXT } from '../../src/flows/stream.ts';
import type { ClusterState } from '../../src/model/cluster.ts';
import { FIXTURES, loadState } from './support.ts';

let state: ClusterState;
before(async () => {
  state = await loadState(join(FIXTURES, 'cluster.yaml'));
});

const TEXT = readFileSync(join(FIXTURES, 'hubble.jsonl'), 'utf8');

/** `bytes` in chunks of `size`: gzip headers and lines cut anywhere. */
function* pieces(bytes: Uint8Array, size: number): Generator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function all(chunks: AsyncIterable<Uint8Array | string>): Promise<string> {
  let out = '';
  const decoder = new TextDecoder();
  for await (const c of chunks) out += typeof c === 'string' ? c : decoder.decode(c, { stream: true });
  return out + decoder.decode();
}

test('gzip on standard input: the same map as the plain text, however the bytes are cut', async () => {
  const plain = await readFlows(['-'], state, { readStdin: () => Promise.resolve(TEXT) });
  assert.ok(plain.connections.length > 0);
  for (const size of [1, 7, 4096]) {
    const got = await readFlows(['-'], state, { readStdin: () => pieces(gzipSync(TEXT), size) });
    assert.deepEqual(got.errors, [], `chunks of ${size}`);
    assert.deepEqual(got.connections, plain.connections, `chunks of ${size}`);
    assert.deepEqual(got.stats.records, plain.stats.records);
  }
});

test('gzip through a pipe given as a file: inflated', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'netfence-gzip-pipe-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const gz = join(dir, 'capture.jsonl.gz');
  execFileSync('sh', ['-c', `gzip -c "${join(FIXTURES, 'hubble.jsonl')}" > "${gz}"`]);
  const fifo = join(dir, 'pipe');
  execFileSync('mkfifo', [fifo]);
  const writer = spawn('sh', ['-c', `cat "${gz}" > "${fifo}"`]);
  const written = once(writer, 'exit');
  const piped = await readFlows([fifo], state);
  await written;
  const file = await readFlows([gz], state);
  assert.deepEqual(piped.errors, []);
  assert.ok(piped.connections.length > 0);
  assert.deepEqual(piped.connections, file.connections);
});

test('damaged gzip on standard input: an error of the input, never a crash', async () => {
  const damaged = gzipSync(TEXT);
  damaged.fill(0, 10, 40);
  const got = await readFlows(['-'], state, { readStdin: () => pieces(damaged, 512) });
  assert.equal(got.errors.length, 1);
  assert.equal(got.errors[0]?.file, '<stdin>');
  assert.match(got.errors[0]?.message ?? '', /^cannot read it: /);
});

test('gzip handed over as decoded text: said so, with what to do, not read as garbage lines', async () => {
  const text = new TextDecoder().decode(gzipSync(TEXT));
  const got = await readFlows(['-'], state, { readStdin: () => Promise.resolve(text) });
  assert.deepEqual(
    got.errors.map((e) => e.message),
    [GZIP_AS_TEXT],
  );
  assert.equal(got.stats.invalid, 0);
});

test('inflatedIfGzip: anything else passes as it is, empty chunks skipped at the start', async () => {
  const bytes = new TextEncoder().encode(TEXT);
  assert.equal(await all(inflatedIfGzip([new Uint8Array(0), ...pieces(bytes, 5)])), TEXT);
  assert.equal(await all(inflatedIfGzip(['\u001f', 'text'])), '\u001ftext');
  // The two bytes of gzip's start, in two chunks: gzip, cut short.
  await assert.rejects(
    all(inflatedIfGzip([new Uint8Array([0x1f]), new Uint8Array([0x8b])])),
    /unexpected end/,
  );
  assert.equal(await all(inflatedIfGzip([new Uint8Array([0x1f]), 'x'])), '\u001fx');
  assert.equal(await all(inflatedIfGzip([])), '');
  assert.equal(await all(inflatedIfGzip([new Uint8Array(0), gzipSync(TEXT)])), TEXT);
});

test('netfence map --flows - < capture.jsonl.gz: the map of the plain capture', () => {
  const capture = readFileSync('examples/flows/webshop-hubble.jsonl');
  const map = (input: Buffer): string =>
    execFileSync(process.execPath, ['bin/netfence', 'map', 'examples/webshop', '--flows', '-', '-o', 'csv'], {
      input,
      encoding: 'utf8',
      env: { ...process.env, NETFENCE_NO_CACHE: '1' },
    });
  const plain = map(capture);
  assert.ok(plain.split('\n').length > 10, plain);
  assert.equal(map(gzipSync(capture)), plain);
});

/** Chunks that record whether the reader let them go (`return`), as standard input is closed. */
function recorded(chunks: readonly Uint8Array[]): {
  source: AsyncIterable<Uint8Array>;
  released: () => boolean;
} {
  let released = false;
  let i = 0;
  const iterator: AsyncIterator<Uint8Array> = {
    next: () =>
      Promise.resolve(
        i < chunks.length ? { done: false, value: chunks[i++]! } : { done: true, value: undefined },
      ),
    return: () => {
      released = true;
      return Promise.resolve({ done: true, value: undefined });
    },
  };
  return { source: { [Symbol.asyncIterator]: () => iterator }, released: () => released };
}

test('inflatedIfGzip: a reader that stops early lets the input go, plain or gzip', async () => {
  const bytes = new TextEncoder().encode(TEXT);
  for (const input of [[...pieces(bytes, 64)], [...pieces(gzipSync(bytes), 64)]]) {
    const { source, released } = recorded(input);
    for await (const chunk of inflatedIfGzip(source)) {
      assert.ok(chunk.length > 0);
      break;
    }
    assert.ok(released(), 'the input is let go');
  }
});

test('inflatedIfGzip: a damaged gzip fails and lets the input go', async () => {
  const damaged = gzipSync(TEXT);
  damaged.fill(0, 10, 40);
  const { source, released } = recorded([...pieces(damaged, 64)]);
  await assert.rejects(all(inflatedIfGzip(source)));
  assert.ok(released());
});
