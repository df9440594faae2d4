/**
 * The container image, without a container engine: the Dockerfile's base is Node 24 slim pinned by tag, it
 * runs as a non-root user with `netfence` as its entrypoint and installs only production dependencies; what
 * it copies exists and passes .dockerignore; and the same install from a scratch copy of those files runs
 * `netfence webhook` from a read-only folder with no home directory.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const ROOT = new URL('../../', import.meta.url).pathname;
const run = promisify(execFile);

const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
/** Instructions, continuation lines joined, comments left out. */
const instructions = dockerfile
  .replace(/\\\n\s*/g, ' ')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l !== '' && !l.startsWith('#'));
const stages = instructions.reduce<string[][]>((out, l) => {
  if (l.startsWith('FROM ')) out.push([]);
  out.at(-1)?.push(l);
  return out;
}, []);
const final = stages.at(-1)!;

/** The files COPY takes from the build context (not from another stage). */
const copied = instructions
  .filter((l) => l.startsWith('COPY ') && !l.includes('--from='))
  .flatMap((l) => l.split(/\s+/).slice(1, -1));

describe('Dockerfile', () => {
  test('every stage starts from Node 24 slim, pinned to a release', () => {
    assert.ok(stages.length >= 1);
    for (const stage of stages) assert.match(stage[0]!, /^FROM node:24\.\d+\.\d+-[a-z]+-slim( AS \w+)?$/);
  });

  test('the image runs netfence as the non-root user node', () => {
    assert.ok(final.includes('USER node'), final.join('\n'));
    assert.ok(!final.some((l) => /^USER (root|0)\b/.test(l)));
    assert.ok(final.includes('ENTRYPOINT ["node", "/app/bin/netfence"]'), final.join('\n'));
  });

  test('only production dependencies, and no cache written at run time', () => {
    assert.ok(instructions.some((l) => /^RUN npm ci --omit=dev\b/.test(l)));
    assert.ok(final.some((l) => /^ENV .*NETFENCE_NO_CACHE=1/.test(l)));
  });

  test('what it copies exists, and .dockerignore lets it into the build context', () => {
    const allowed = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('!'))
      .map((l) => l.slice(1).replace(/\/$/, ''));
    assert.deepEqual([...new Set(copied)].sort(), ['bin', 'package-lock.json', 'package.json', 'src']);
    for (const path of copied) {
      assert.ok(existsSync(join(ROOT, path)), `${path} is missing`);
      assert.ok(allowed.includes(path), `.dockerignore leaves out ${path}`);
    }
    // The context holds nothing else (no node_modules, no bench output).
    assert.match(readFileSync(join(ROOT, '.dockerignore'), 'utf8'), /^\*$/m);
  });
});

describe('the image contents, installed from a scratch copy', () => {
  test('npm ci --omit=dev, then netfence webhook runs read-only with no home', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netfence-image-'));
    try {
      for (const path of copied) cpSync(join(ROOT, path), join(dir, path), { recursive: true });
      await run(
        'npm',
        ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'],
        {
          cwd: dir,
        },
      );
      const modules = readdirSync(join(dir, 'node_modules'));
      assert.ok(modules.includes('@kubernetes'), modules.join(' '));
      for (const dev of ['typescript', 'eslint', 'esbuild', 'playwright-core'])
        assert.ok(!modules.includes(dev), `${dev} is a devDependency`);
      // As readOnlyRootFilesystem mounts it: nothing may be written.
      const lock = (path: string): void => {
        const mode = statSync(path).mode;
        chmodSync(path, mode & 0o555);
        if (statSync(path).isDirectory()) for (const f of readdirSync(path)) lock(join(path, f));
      };
      lock(dir);
      const env = { PATH: process.env.PATH ?? '', HOME: '/nonexistent', NETFENCE_NO_CACHE: '1' };
      const version = await run(process.execPath, ['bin/netfence', '--version'], { cwd: dir, env });
      assert.match(version.stdout, /^\d+\.\d+\.\d+/);
      const help = await run(process.execPath, ['bin/netfence', 'webhook', '--help'], { cwd: dir, env });
      assert.match(help.stdout, /--tls-cert <file>/);
      // The webhook's modules load from production dependencies alone: the first error is the cluster's.
      const hook = await run(
        process.execPath,
        [
          'bin/netfence',
          'webhook',
          '--cluster',
          '--kubeconfig',
          '/nonexistent',
          '--tls-cert',
          'a',
          '--tls-key',
          'b',
        ],
        { cwd: dir, env },
      ).catch((error: unknown) => error as { code: number; stderr: string });
      assert.equal('code' in hook ? hook.code : 0, 2);
      assert.match(hook.stderr, /^netfence: .*\n$/);
    } finally {
      const unlock = (path: string): void => {
        chmodSync(path, statSync(path).mode | 0o700);
        if (statSync(path).isDirectory()) for (const f of readdirSync(path)) unlock(join(path, f));
      };
      if (existsSync(dir)) unlock(dir);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
