/**
 * The main thread's young generation held at 8 MiB semi-spaces (src/cli/young-generation.ts): the check stops
 * V8's growth once, when the new space has reached that size, never before, and only where it should.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadManifests } from '../../src/parse/index.ts';
import {
  holdsYoungGeneration,
  NEW_SPACE_CAP_BYTES,
  shortRunFlags,
  youngGenerationCap,
} from '../../src/cli/young-generation.ts';

const PROCESS = new URL('../../src/cli/process.ts', import.meta.url).pathname;
const PODS = new URL('../fixtures/cli/pods.yaml', import.meta.url).pathname;

describe('youngGenerationCap', () => {
  test('sets the growth factor to 1 the first time the new space is at the cap, then does nothing', () => {
    let size = NEW_SPACE_CAP_BYTES / 2;
    let asked = 0;
    const set: string[] = [];
    const check = youngGenerationCap(
      () => {
        asked++;
        return size;
      },
      (flags) => set.push(flags),
    );
    check();
    check();
    assert.deepEqual(set, [], 'below the cap: V8 grows it as it would');
    size = NEW_SPACE_CAP_BYTES - 1;
    check();
    assert.deepEqual(set, []);
    size = NEW_SPACE_CAP_BYTES;
    check();
    assert.deepEqual(set, ['--semi-space-growth-factor=1']);
    const askedThen = asked;
    size = 4 * NEW_SPACE_CAP_BYTES;
    check();
    check();
    assert.deepEqual(set, ['--semi-space-growth-factor=1'], 'once');
    assert.equal(asked, askedThen, 'held: the size is not asked again');
  });

  test('the cap is two semi-spaces of 8 MiB', () => {
    assert.equal(NEW_SPACE_CAP_BYTES, 16 * 1024 * 1024);
  });
});

describe('holdsYoungGeneration', () => {
  test('on Node 24 and later, unless a semi-space size is on the command line or in NODE_OPTIONS', () => {
    assert.equal(holdsYoungGeneration('24.0.0', [], undefined), true);
    assert.equal(holdsYoungGeneration('25.2.1', [], undefined), true);
    assert.equal(
      holdsYoungGeneration('24.22.3', ['--max-old-space-size=4096'], '--enable-source-maps'),
      true,
    );
    assert.equal(holdsYoungGeneration('22.23.5', [], undefined), false, 'Node 22: no gain measured');
    assert.equal(holdsYoungGeneration('23.11.0', [], undefined), false);
    assert.equal(holdsYoungGeneration('24.22.3', ['--max-semi-space-size=32'], undefined), false);
    assert.equal(
      holdsYoungGeneration('24.22.3', [], '--max-old-space-size=4096 --max-semi-space-size=4'),
      false,
    );
    assert.equal(holdsYoungGeneration('24.22.3', [], '--min-semi-space-size=16'), false);
    assert.equal(
      holdsYoungGeneration('24.22.3', ['--title=semi', '-space'], undefined),
      true,
      'each argument read on its own: two that spell "semi-space" together give no size',
    );
  });
});

describe('shortRunFlags', () => {
  test('analyze and lint over a small input run without TurboFan on Node 24 and later', () => {
    assert.equal(shortRunFlags('analyze', true, '24.22.3', [], undefined), '--no-turbofan');
    assert.equal(shortRunFlags('lint', true, '25.0.0', ['--max-old-space-size=4096'], ''), '--no-turbofan');
    assert.equal(
      shortRunFlags(
        'analyze',
        true,
        '24.22.3',
        ['--trace-opt'],
        '--max-semi-space-size=8 --trace-turbo-inlining',
      ),
      '--no-turbofan',
      'flags that only name the compilers choose none',
    );
  });

  test('anything else keeps V8 as it is', () => {
    assert.equal(shortRunFlags('analyze', false, '24.22.3', [], undefined), undefined, 'a large input');
    assert.equal(shortRunFlags('analyze', undefined, '24.22.3', [], undefined), undefined, 'not measured');
    for (const command of ['map', 'serve', 'webhook', 'controller', 'explain', 'test', undefined])
      assert.equal(shortRunFlags(command, true, '24.22.3', [], undefined), undefined, String(command));
    assert.equal(
      shortRunFlags('analyze', true, '22.23.5', [], undefined),
      undefined,
      'Node 22: not measured',
    );
    assert.equal(shortRunFlags('analyze', true, '23.11.0', [], undefined), undefined);
    for (const chosen of ['--no-opt', '--max-opt=2', '--turbofan', '--no-turbofan', '--jitless', '--no_opt'])
      assert.equal(shortRunFlags('analyze', true, '24.22.3', [chosen], undefined), undefined, chosen);
    assert.equal(
      shortRunFlags('lint', true, '24.22.3', [], '--max-old-space-size=4096  --jitless'),
      undefined,
      'chosen in NODE_OPTIONS',
    );
  });
});

describe('loadManifests afterFile', () => {
  test('is called once after each file read, however small the input', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netfence-young-'));
    try {
      const ns = (name: string): string => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n`;
      writeFileSync(join(dir, 'a.yaml'), ns('a'));
      writeFileSync(join(dir, 'b.yaml'), ns('b'));
      writeFileSync(join(dir, 'c.yaml'), ns('c'));
      let calls = 0;
      const result = await loadManifests([dir], {
        defaultNamespace: 'default',
        skipInvalid: false,
        afterFile: () => calls++,
      });
      assert.equal(result.state.namespaces.length, 3);
      assert.equal(calls, 3);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * The CLI in a process of its own, V8's two calls replaced by a preload: the new space reported at `newSpace`
 * bytes (the cap unless told), and each flag set written to standard error.
 */
function runCli(
  env: Record<string, string>,
  args: string[],
  newSpace = NEW_SPACE_CAP_BYTES,
  nodeFlags: string[] = [],
): { stdout: string; stderr: string; status: number | null } {
  const preload = [
    "const v8 = require('node:v8');",
    "const { syncBuiltinESMExports } = require('node:module');",
    'const real = v8.getHeapSpaceStatistics;',
    `v8.getHeapSpaceStatistics = () => real().map((s) => s.space_name === 'new_space' ? { ...s, space_size: ${newSpace} } : s);`,
    "v8.setFlagsFromString = (flags) => process.stderr.write('set ' + flags + '\\n');",
    'syncBuiltinESMExports();',
  ].join('\n');
  const dir = mkdtempSync(join(tmpdir(), 'netfence-young-'));
  try {
    writeFileSync(join(dir, 'preload.cjs'), preload);
    const r = spawnSync(
      process.execPath,
      [...nodeFlags, '--require', join(dir, 'preload.cjs'), PROCESS, ...args],
      {
        encoding: 'utf8',
        env: { ...process.env, NETFENCE_NO_CACHE: '1', NODE_OPTIONS: '', ...env },
      },
    );
    return { stdout: r.stdout, stderr: r.stderr, status: r.status };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the CLI', () => {
  test('on the main thread, stops the growth once while reading (Node 24 and later); the answer is the same', () => {
    const held = runCli({ NETFENCE_WORKER: 'never' }, ['analyze', PODS, '-o', 'json']);
    assert.equal(held.status, 0, held.stderr);
    assert.deepEqual(
      held.stderr.split('\n').filter((l) => l.startsWith('set ')),
      holdsYoungGeneration(process.versions.node, [], undefined) ? ['set --semi-space-growth-factor=1'] : [],
    );
    const chosen = runCli({ NETFENCE_WORKER: 'never', NODE_OPTIONS: '--max-semi-space-size=16' }, [
      'analyze',
      PODS,
      '-o',
      'json',
    ]);
    assert.equal(chosen.status, 0, chosen.stderr);
    assert.equal(chosen.stderr.includes('set '), false, 'the user chose a size: left alone');
    assert.equal(chosen.stdout, held.stdout);
  });

  test('on the main thread, while the new space is below the cap, the growth is left alone', () => {
    const small = runCli(
      { NETFENCE_WORKER: 'never' },
      ['analyze', PODS, '-o', 'json'],
      NEW_SPACE_CAP_BYTES - 1,
    );
    assert.equal(small.status, 0, small.stderr);
    assert.equal(small.stderr.includes('set '), false);
  });

  test('lint, which reads the files itself, holds it too (Node 24 and later)', () => {
    const lint = runCli({ NETFENCE_WORKER: 'never' }, ['lint', PODS, '-o', 'json', '--fail-on', 'none']);
    assert.equal(lint.status, 0, lint.stderr);
    assert.deepEqual(
      lint.stderr.split('\n').filter((l) => l.startsWith('set ')),
      holdsYoungGeneration(process.versions.node, [], undefined) ? ['set --semi-space-growth-factor=1'] : [],
    );
  });

  test('analyze and lint over a small input turn TurboFan off once, before the command (Node 24 and later)', () => {
    const expected = shortRunFlags('analyze', true, process.versions.node, [], undefined);
    const setFirst = (stderr: string): string | undefined =>
      stderr.split('\n').find((l) => l.startsWith('set '));
    const analyze = runCli({}, ['analyze', PODS, '-o', 'json'], NEW_SPACE_CAP_BYTES - 1);
    assert.equal(analyze.status, 0, analyze.stderr);
    assert.equal(setFirst(analyze.stderr), expected === undefined ? undefined : `set ${expected}`);
    const lint = runCli({}, ['lint', PODS, '-o', 'json', '--fail-on', 'none'], NEW_SPACE_CAP_BYTES - 1);
    assert.equal(lint.status, 0, lint.stderr);
    assert.equal(setFirst(lint.stderr), expected === undefined ? undefined : `set ${expected}`);
    const never = runCli(
      { NETFENCE_WORKER: 'never' },
      ['analyze', PODS, '-o', 'json'],
      NEW_SPACE_CAP_BYTES - 1,
    );
    assert.equal(
      never.stderr.includes('set '),
      false,
      'the thread chosen by the user: the input is not measured',
    );
    assert.equal(never.stdout, analyze.stdout);
    const chosen = runCli({}, ['analyze', PODS, '-o', 'json'], NEW_SPACE_CAP_BYTES - 1, ['--max-opt=2']);
    assert.equal(chosen.status, 0, chosen.stderr);
    assert.equal(chosen.stderr.includes('set '), false, 'the user chose the compilers');
    assert.equal(chosen.stdout, analyze.stdout);
    const paths = runCli({}, ['paths', PODS, '--top', '5'], NEW_SPACE_CAP_BYTES - 1);
    assert.equal(paths.status, 0, paths.stderr);
    assert.equal(paths.stderr.includes('set '), false, 'another command');
  });

  test('on the worker, which has a young generation of its own, the growth is left alone', () => {
    const worker = runCli({ NETFENCE_WORKER: 'always' }, ['analyze', PODS, '-o', 'json']);
    assert.equal(worker.status, 0, worker.stderr);
    assert.equal(worker.stderr.includes('set '), false);
  });
});
