/**
 * Every README output is true: each ```sh block's netfence commands that run offline over the bundled examples
 * are run with the real CLI, and compared with the plain output blocks that follow the block, in order (the
 * first command with the first block, and so on). A line `…` in the README stands for lines left out.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { run } from '../../src/cli/main.ts';

const ROOT = new URL('../../', import.meta.url).pathname;

interface Example {
  /** The commands of one ```sh block, in order. */
  commands: string[];
  /** The plain output blocks before the next ```sh block. */
  outputs: { line: number; text: string }[];
}

/** The ```sh blocks of a markdown text, each with the plain (unlabelled) blocks that follow it. */
export function examples(markdown: string): Example[] {
  const out: Example[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const fence = /^```(\S*)$/.exec(lines[i]!);
    if (fence === null) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i] !== '```'; i++) body.push(lines[i]!);
    if (fence[1] === 'sh') {
      out.push({
        commands: body.map((l) => l.replace(/\s+#.*$/, '').trim()).filter((l) => l !== ''),
        outputs: [],
      });
    } else if (fence[1] === '' && out.length > 0) {
      out.at(-1)!.outputs.push({ line: start + 1, text: body.join('\n') });
    }
  }
  return out;
}

/** The arguments of a netfence command that runs offline over files of the checkout, or undefined. */
export function offlineArgs(command: string): string[] | undefined {
  const m = /^(?:bin\/)?netfence (.*)$/.exec(command);
  if (m === null || /[|<>$]/.test(command)) return undefined;
  const args = m[1]!.split(/\s+/);
  if (args[0] === 'serve' || args.some((a) => ['--cluster', '--git', '-'].includes(a) || a.startsWith('./')))
    return undefined;
  return args.flatMap(glob);
}

/** `examples/webshop/*.yaml` as the shell expands it (a `*` in the last segment only). */
function glob(arg: string): string[] {
  if (!arg.includes('*')) return [arg];
  const dir = dirname(arg);
  const pattern = new RegExp(
    `^${arg
      .slice(dir.length + 1)
      .replaceAll('.', '\\.')
      .replaceAll('*', '.*')}$`,
  );
  return readdirSync(join(ROOT, dir))
    .filter((f) => pattern.test(f))
    .sort()
    .map((f) => `${dir}/${f}`);
}

/** Whether `actual` is `expected`, where a line `…` of `expected` stands for one or more lines. */
export function matchesElided(expected: readonly string[], actual: readonly string[]): boolean {
  const memo = new Map<string, boolean>();
  const go = (i: number, j: number): boolean => {
    const key = `${i},${j}`;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let ok: boolean;
    if (i === expected.length) ok = j === actual.length;
    else if (expected[i]!.trim() === '…') {
      ok = false;
      for (let k = j + 1; k <= actual.length && !ok; k++) ok = go(i + 1, k);
    } else ok = j < actual.length && expected[i]!.trimEnd() === actual[j]!.trimEnd() && go(i + 1, j + 1);
    memo.set(key, ok);
    return ok;
  };
  return go(0, 0);
}

/** Runs the CLI in `cwd` (the checkout's examples linked in), stdout and stderr apart. */
async function runIn(cwd: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  const before = process.cwd();
  process.chdir(cwd);
  let stdout = '';
  let stderr = '';
  try {
    await run(args, {
      stdout: (s) => (stdout += s),
      stderr: (s) => (stderr += s),
      readStdin: () => Promise.resolve(''),
      isTTY: false,
      env: {},
    });
  } finally {
    process.chdir(before);
  }
  return { stdout, stderr };
}

/**
 * One test per ```sh block of `file` whose output it shows (commands that run offline only); the commands
 * checked are added to `checked` as the tests run.
 */
function checkOutputs(file: string, checked: string[]): void {
  const markdown = readFileSync(join(ROOT, file), 'utf8');
  for (const ex of examples(markdown)) {
    const pairs = ex.commands.slice(0, ex.outputs.length);
    if (pairs.length === 0 || offlineArgs(pairs[0]!) === undefined) continue;
    test(`${file}: ${pairs.join(' && ')}`, async () => {
      const cwd = mkdtempSync(join(tmpdir(), 'netfence-readme-'));
      symlinkSync(join(ROOT, 'examples'), join(cwd, 'examples'));
      try {
        for (const [i, command] of pairs.entries()) {
          const args = offlineArgs(command);
          if (args === undefined) continue;
          const r = await runIn(cwd, args);
          const expected = ex.outputs[i]!;
          const lines = (s: string): string[] => (s === '' ? [] : s.replace(/\n$/, '').split('\n'));
          const want = lines(expected.text);
          // What a terminal shows: stderr's notices first (the page shows them or not), the answer, a failure.
          const seen = [
            lines(r.stdout),
            [...lines(r.stderr), ...lines(r.stdout)],
            [...lines(r.stdout), ...lines(r.stderr)],
          ];
          assert.ok(
            seen.some((got) => matchesElided(want, got)),
            `${file}:${expected.line}: the output of \`${command}\` differs:\n--- ${file}\n${expected.text}\n--- actual\n${r.stderr}${r.stdout}`,
          );
          checked.push(command);
        }
      } finally {
        rmSync(cwd, { recursive: true, force: true });
      }
    });
  }
}

describe('README outputs', () => {
  test('the matcher: `…` stands for one or more lines, nothing else is skipped', () => {
    assert.ok(matchesElided(['a', '…', 'd'], ['a', 'b', 'c', 'd']));
    assert.ok(!matchesElided(['a', '…', 'd'], ['a', 'd']));
    assert.ok(!matchesElided(['a', 'd'], ['a', 'b', 'd']));
    assert.ok(!matchesElided(['a'], ['a', 'b']));
  });

  const checked: string[] = [];
  checkOutputs('README.md', checked);

  test('the commands whose outputs the README shows are all checked', () => {
    // Guards the finder: a README reshuffle that hides an example from this test fails here.
    for (const sub of [
      'analyze',
      'explain',
      'exposure',
      'test',
      'paths',
      'diff',
      'lint',
      'map',
      'generate',
      'check-flows',
    ])
      assert.ok(
        checked.some((c) => c.split(' ')[1] === sub),
        `no README output of netfence ${sub} was checked (checked: ${checked.join('; ')})`,
      );
  });
});

describe('examples/cilium/README.md outputs', () => {
  const checked: string[] = [];
  checkOutputs('examples/cilium/README.md', checked);

  test('the commands whose outputs the walkthrough shows are all checked', () => {
    for (const sub of ['analyze', 'explain'])
      assert.ok(
        checked.some((c) => c.startsWith(`netfence ${sub} `)),
        `no examples/cilium/README.md output of netfence ${sub} was checked (checked: ${checked.join('; ')})`,
      );
  });
});

describe('docs/tiers.md outputs', () => {
  const checked: string[] = [];
  checkOutputs('docs/tiers.md', checked);

  test('the commands whose outputs docs/tiers.md shows are all checked', () => {
    for (const sub of ['analyze', 'explain', 'exposure', 'test', 'lint'])
      assert.ok(
        checked.some((c) => c.split(' ')[1] === sub),
        `no docs/tiers.md output of netfence ${sub} was checked (checked: ${checked.join('; ')})`,
      );
  });
});
