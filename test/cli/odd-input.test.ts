/**
 * What the fuzzing of round 17 found, through the real CLI: input files in UTF-16, paths that are sockets, too
 * long or not UTF-8, durations longer than a timer waits, and spec and configuration files of several documents.
 * Each is read as kubectl reads it, or refused in one line that says what is wrong and what to do (exit 2),
 * never a system error's text, a Node.js warning or a library's advice to programmers.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseSettings, defaultSettings } from '../../src/controller/config.ts';
import { parseDuration } from '../../src/cli/options/values.ts';
import { runCli } from '../support/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'netfence-odd-input-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const at = (...names: string[]): string => join(dir, ...names);

const MANIFESTS = 'examples/webshop/data.yaml';
/** Policies: a podSelector to break. */
const TEXT = readFileSync('examples/webshop/policies/data.yaml', 'utf8');

async function fails(args: readonly string[], line: string): Promise<void> {
  const r = await runCli([...args, '-q']);
  assert.equal(r.stderr, `netfence: ${line}\n`, args.join(' '));
  assert.equal(r.code, 2, args.join(' '));
}

describe('a manifest file in UTF-16 with its byte order mark (PowerShell 5 writes `>` so): read as kubectl reads it', () => {
  const utf8 = at('utf8.yaml');
  const le = at('utf16le.yaml');
  const be = at('utf16be.yaml');
  before(() => {
    writeFileSync(utf8, TEXT);
    writeFileSync(le, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(TEXT, 'utf16le')]));
    writeFileSync(be, Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(TEXT, 'utf16le').swap16()]));
  });

  test('little and big endian: the same answer as the UTF-8 file, positions included', async () => {
    const expected = await runCli(['analyze', utf8, '-o', 'json', '--no-cache']);
    assert.equal(expected.code, 0, expected.stderr);
    for (const file of [le, be]) {
      const r = await runCli(['analyze', file, '-o', 'json', '--no-cache']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.replaceAll(file, utf8), expected.stdout, file);
    }
    // A problem points at the same line and column as in the UTF-8 text.
    const broken = TEXT.replace('podSelector: {}', 'podSelector: 3');
    writeFileSync(le, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(broken, 'utf16le')]));
    writeFileSync(utf8, broken);
    const [fromLe, fromUtf8] = await Promise.all([
      runCli(['analyze', le, '-q']),
      runCli(['analyze', utf8, '-q']),
    ]);
    assert.equal(fromLe.code, 2);
    assert.equal(fromLe.stderr.replaceAll(le, utf8), fromUtf8.stderr);
    assert.match(fromLe.stderr, /utf16le\.yaml:\d+:\d+ spec\.podSelector: must be a mapping/);
  });

  test('on standard input too (bin/netfence decodes it)', async () => {
    const r = await new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
      const child = execFile(
        process.execPath,
        [resolve('bin/netfence'), 'analyze', '-', '-q', '--no-cache'],
        { env: { ...process.env, NETFENCE_WORKER: 'never' } },
        (error, stdout, stderr) => done({ code: error === null ? 0 : Number(error.code), stdout, stderr }),
      );
      child.stdin!.end(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(TEXT, 'utf16le')]));
    });
    assert.equal(r.stderr, '');
    assert.equal(r.code, 0);
    assert.match(r.stdout, /connections/);
  });
});

describe('paths that cannot be read as files: what they are, not the system error', () => {
  let server: Server | undefined;
  const socket = at('sock.yaml');
  before(async () => {
    server = createServer();
    await new Promise<void>((done) => server!.listen(socket, done));
  });
  after(() => server?.close());

  test('a socket', async () => {
    await fails(
      ['analyze', socket],
      `no manifests found in ${socket} (cannot read "${socket}": it is a socket or a device, not a file)`,
    );
  });

  test('a name longer than the file system allows', async () => {
    const long = at(`${'x'.repeat(300)}.yaml`);
    await fails(
      ['analyze', long],
      `no manifests found in ${long} (cannot read "${long}": the path is too long for the file system (at most 255 bytes a name, 4,096 the whole path))`,
    );
  });

  test('a file in a folder whose name is not UTF-8', async () => {
    const folder = at('names');
    mkdirSync(folder);
    writeFileSync(join(folder, 'ok.yaml'), TEXT);
    writeFileSync(
      Buffer.concat([Buffer.from(`${folder}/bad`), Buffer.from([0xff]), Buffer.from('name.yaml')]),
      TEXT,
    );
    const shown = join(folder, 'bad\uFFFDname.yaml');
    await fails(
      ['analyze', folder],
      `cannot read "${shown}": its name is not valid UTF-8, and Node.js cannot open it by that name: rename it`,
    );
  });
});

describe('durations longer than a timer waits (2^31 − 1 ms): refused, not a timer that fires at once', () => {
  test('the bound, to the minute', () => {
    assert.equal(parseDuration('596h31m'), 2_147_460_000);
    for (const long of ['596h32m', '700h', '1200h', '99999999999999999999h'])
      assert.throws(() => parseDuration(long), {
        message: `a duration must be at most 596h31m (about 24.8 days, the longest a timer waits), got "${long}"`,
      });
  });

  test('--request-timeout and --watch-interval name themselves', async () => {
    await fails(
      ['analyze', '--cluster', '--request-timeout', '700h'],
      '--request-timeout: a duration must be at most 596h31m (about 24.8 days, the longest a timer waits), got "700h"',
    );
    await fails(
      ['serve', MANIFESTS, '--watch-interval', '1000h'],
      '--watch-interval: a duration must be at most 596h31m (about 24.8 days, the longest a timer waits), got "1000h"',
    );
  });

  test("the controller's configuration file", () => {
    const parsed = parseSettings('resync: 700h\nauditDebounce: 596h\n', defaultSettings('netfence'));
    assert.ok(!parsed.ok);
    assert.deepEqual(parsed.problems, [
      { path: 'resync', message: 'a duration must be at most 596h31m (about 24.8 days), got "700h"' },
    ]);
  });
});

describe('a spec or lint configuration of several YAML documents', () => {
  test('test --spec: the line of the second document and what to do, not the YAML library’s advice', async () => {
    const spec = at('two-specs.yaml');
    writeFileSync(spec, 'tests: []\n---\ntests: []\n');
    const r = await runCli(['test', MANIFESTS, '--spec', spec, '-q']);
    assert.equal(
      r.stderr,
      `${spec}:2:1 a spec is one YAML document, and a \`---\` line here starts another: keep one, or put each in a file of its own (--spec is repeatable)\nnetfence: 1 problem in the spec; fix it and run again\n`,
    );
    assert.equal(r.code, 2);
  });

  test('lint --config: the same', async () => {
    const config = at('two-configs.yaml');
    writeFileSync(config, 'rules: {}\n---\nrules: {}\n');
    await fails(
      ['lint', MANIFESTS, '--config', config],
      `${config}:2:1 invalid YAML: a configuration is one YAML document, and a \`---\` line here starts another: keep one`,
    );
  });
});

describe('standard input that cannot be read (closed, or open for writing only)', () => {
  /** bin/netfence on the thread `where` says, its standard input a file opened for writing. */
  function runWithWriteOnlyStdin(
    where: 'always' | 'never',
  ): Promise<{ code: number | null; stderr: string }> {
    const fd = openSync(at(`stdin-${where}`), 'w');
    const child = spawn(process.execPath, [resolve('bin/netfence'), 'analyze', '-', '-q', '--no-cache'], {
      env: { ...process.env, NETFENCE_WORKER: where },
      stdio: [fd, 'ignore', 'pipe'],
    });
    closeSync(fd);
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    return new Promise((done) => child.on('close', (code) => done({ code, stderr })));
  }

  const why = 'it is not open for reading: give the input with `< file`, or through a pipe';
  const cases = [
    [
      'never',
      'on the main thread: the reason in words, not EBADF',
      `no manifests found in standard input (cannot read "<stdin>": ${why})`,
    ],
    [
      'always',
      'on the worker: one line, not an unhandled error event with a stack trace',
      `cannot read standard input: ${why}`,
    ],
  ] as const;
  for (const [where, name, line] of cases) {
    test(name, async () => {
      const r = await runWithWriteOnlyStdin(where);
      assert.equal(r.stderr, `netfence: ${line}\n`);
      assert.equal(r.code, 2);
    });
  }
});
