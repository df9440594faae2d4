/**
 * `netfence analyze` on a large input shows the engine's progress on one line of stderr, on a terminal only:
 * pipes, CI logs and the other tests see exactly what they saw before.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { run } from '../../src/cli/main.ts';
import { engineProgress, engineProgressText, readingProgress } from '../../src/cli/progress.ts';
import { loadSources, type Source } from '../../src/parse/index.ts';
import { READ_PROGRESS_BYTES, type ReadingProgress } from '../../src/parse/types.ts';
import type { Io } from '../../src/cli/io.ts';
import type { Progress } from '../../src/engine/compile.ts';
import type { CliResult } from '../support/cli.ts';

const ERASE = '\r\u001b[K';

/**
 * Two workloads and 10,000 policies (the engine reports from 10,000 items on): one allows web's port 8080 to
 * api, the others deny all ingress. The smallest input that reports, written tersely because parsing dominates
 * the test's time.
 */
function largeInput(): string {
  const docs = [
    '{apiVersion: v1, kind: Namespace, metadata: {name: shop}}',
    '{apiVersion: v1, kind: Pod, metadata: {name: web, namespace: shop, labels: {app: web}}, spec: {containers: [{name: web, image: web}]}, status: {podIP: 10.0.0.1}}',
    '{apiVersion: v1, kind: Pod, metadata: {name: api, namespace: shop, labels: {app: api}}, spec: {containers: [{name: api, image: api}]}, status: {podIP: 10.0.0.2}}',
    '{apiVersion: networking.k8s.io/v1, kind: NetworkPolicy, metadata: {name: allow, namespace: shop}, spec: {podSelector: {matchLabels: {app: web}}, ingress: [{from: [{podSelector: {matchLabels: {app: api}}}], ports: [{port: 8080}]}]}}',
  ];
  for (let i = 1; i < 10_000; i++) {
    docs.push(
      `{apiVersion: networking.k8s.io/v1, kind: NetworkPolicy, metadata: {name: deny-${i}, namespace: shop}, spec: {podSelector: {}}}`,
    );
  }
  return docs.join('\n---\n');
}

async function analyze(input: string, isTTY: boolean): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await run(['analyze', '-'], {
    stdout: (s) => (stdout += s),
    stderr: (s) => (stderr += s),
    readStdin: () => Promise.resolve(input),
    isTTY,
    env: {},
  });
  return { code, stdout, stderr };
}

describe('netfence analyze progress', () => {
  test('on a terminal, one updating line on stderr, erased at the end; off a terminal, nothing; stdout the same', async () => {
    const input = largeInput();
    const tty = await analyze(input, true);
    const pipe = await analyze(input, false);
    assert.equal(pipe.code, 0, pipe.stderr);
    assert.equal(tty.code, 0, tty.stderr);

    assert.equal(pipe.stderr, '', 'nothing on stderr when it is not a terminal');
    assert.equal(tty.stdout, pipe.stdout, 'the output does not depend on the terminal');
    assert.equal(
      pipe.stdout,
      [
        '2 workloads (2 pods) in 1 namespace, 10000 policies: 3 allowed connections',
        '',
        'SOURCE    DESTINATION  CONNECTIONS',
        'shop/api  shop/web     TCP 8080',
        'shop/api  any address  All connections',
        'shop/web  any address  All connections',
        '',
      ].join('\n'),
    );

    assert.ok(
      tty.stderr.startsWith(`${ERASE}Compiling 10,000 policies: 1%…${ERASE}`),
      tty.stderr.slice(0, 200),
    );
    assert.ok(
      tty.stderr.endsWith(`${ERASE}Compiling 10,000 policies: 100%…${ERASE}`),
      tty.stderr.slice(-200),
    );
    assert.ok(!tty.stderr.includes('\n'), 'one line, rewritten in place');
  });
});

describe('the engine progress line', () => {
  const fakeIo = (isTTY: boolean): Io & { written: string[] } => {
    const written: string[] = [];
    return {
      written,
      stdout: () => assert.fail('progress goes to stderr'),
      stderr: (s) => written.push(s),
      readStdin: () => Promise.resolve(''),
      isTTY,
      env: {},
    };
  };

  test('names the phase, the total and the percentage done', () => {
    const texts = (
      [
        { phase: 'policies', done: 4_200, total: 10_000 },
        { phase: 'access', done: 12_345, total: 12_345 },
        { phase: 'connections', done: 1, total: 30_000 },
      ] satisfies Progress[]
    ).map(engineProgressText);
    assert.deepEqual(texts, [
      'Compiling 10,000 policies: 42%…',
      'Resolving what 12,345 pod classes may reach: 100%…',
      'Listing the connections of 30,000 pod classes: 0%…',
    ]);
  });

  test('erases the line only when it drew one', () => {
    const quiet = fakeIo(true);
    engineProgress(quiet).done();
    assert.deepEqual(quiet.written, []);

    const io = fakeIo(true);
    const progress = engineProgress(io);
    progress.update({ phase: 'policies', done: 100, total: 10_000 });
    progress.done();
    assert.deepEqual(io.written, [`${ERASE}Compiling 10,000 policies: 1%…`, ERASE]);
  });

  test('draws nothing when stderr is not a terminal', () => {
    const io = fakeIo(false);
    const progress = engineProgress(io);
    progress.update({ phase: 'policies', done: 100, total: 10_000 });
    progress.done();
    assert.deepEqual(io.written, []);
  });
});

describe('the reading progress line', () => {
  test('reports file by file from READ_PROGRESS_BYTES of text on, up to the total', () => {
    // Twelve files of about 400 kB: 4.8 MB in all.
    const file = (i: number): Source => ({
      file: `ns-${i}.yaml`,
      text: `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c${i}, namespace: a}\ndata: {x: "${'x'.repeat(400_000)}"}\n`,
    });
    const sources = Array.from({ length: 12 }, (_, i) => file(i));
    const total = sources.reduce((n, s) => n + s.text.length, 0);
    assert.ok(total >= READ_PROGRESS_BYTES);
    const seen: ReadingProgress[] = [];
    loadSources(sources, { defaultNamespace: 'default', skipInvalid: false }, {}, (p) => seen.push(p));
    assert.equal(seen.length, 12);
    assert.deepEqual(seen.at(-1), { done: total, total });
    assert.ok(seen.every((p, i) => i === 0 || p.done > seen[i - 1]!.done));

    const few: ReadingProgress[] = [];
    loadSources(sources.slice(0, 2), { defaultNamespace: 'default', skipInvalid: false }, {}, (p) =>
      few.push(p),
    );
    assert.deepEqual(few, [], 'less than READ_PROGRESS_BYTES: no report');
  });

  test('on a terminal, the size and the percentage, written only when the text changes', () => {
    const written: string[] = [];
    const progress = readingProgress({
      stdout: () => assert.fail('progress goes to stderr'),
      stderr: (s) => written.push(s),
      readStdin: () => Promise.resolve(''),
      isTTY: true,
      env: {},
    });
    for (const done of [1_000, 2_000, 270_000, 54_000_000]) progress.update({ done, total: 54_000_000 });
    progress.done();
    assert.deepEqual(written, [
      `${ERASE}Reading 54 MB of manifests: 0%…`,
      `${ERASE}Reading 54 MB of manifests: 100%…`,
      ERASE,
    ]);
  });
});
