/** Runs the real CLI in-process, and compares outputs with golden files (UPDATE_GOLDEN=1 rewrites them). */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { run } from '../../src/cli/main.ts';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface TerminalResult extends CliResult {
  /** Both, in the order they were written: what a terminal shows. */
  terminal: string;
}

export async function runCli(
  args: readonly string[],
  options: { stdin?: string; env?: Record<string, string> } = {},
): Promise<TerminalResult> {
  let stdout = '';
  let stderr = '';
  let terminal = '';
  const code = await run(args, {
    stdout: (s) => {
      stdout += s;
      terminal += s;
    },
    stderr: (s) => {
      stderr += s;
      terminal += s;
    },
    readStdin: () => Promise.resolve(options.stdin ?? ''),
    isTTY: false,
    // The cache folder of the test run (scripts/test.ts), or none: never the user's cache.
    env:
      options.env ??
      (process.env.NETFENCE_CACHE_DIR === undefined
        ? {}
        : { NETFENCE_CACHE_DIR: process.env.NETFENCE_CACHE_DIR }),
  });
  return { code, stdout, stderr, terminal };
}

/**
 * Runs `bin/netfence` in a process of its own, as a user would (the answer cache, the worker thread and Node's
 * compiled code included), with only PATH and `env` in its environment.
 */
export function spawnCli(args: readonly string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/netfence', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

export const GOLDEN_DIR = new URL('../golden/', import.meta.url).pathname;

/** Asserts `actual` equals the golden file `test/golden/<name>`; with UPDATE_GOLDEN=1 writes it instead. */
export function assertGolden(name: string, actual: string): void {
  const file = join(GOLDEN_DIR, name);
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) {
    if (process.env.CI === 'true' && !existsSync(file)) assert.fail(`golden file ${name} is missing`);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  assert.equal(
    actual,
    readFileSync(file, 'utf8'),
    `output differs from test/golden/${name} (UPDATE_GOLDEN=1 to accept)`,
  );
}
