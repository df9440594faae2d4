/**
 * What the docs' output tests (test/docs/readme.test.ts, test/docs/commands.test.ts) share: finding the
 * examples of a markdown page, telling which commands run offline over the checkout's files, running them with
 * the real CLI in a temp dir, and comparing with what the page shows.
 *
 * The comparison is exact but for two documented rules:
 * - a line `…` of the page stands for one or more lines of the output;
 * - the size in `Wrote FILE (N kB)` (report) is any number: it changes with every change to the UI bundle.
 */
import { mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runCli, type TerminalResult } from './cli.ts';

export const ROOT = new URL('../../', import.meta.url).pathname;

export interface Example {
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

/** One `$ command` of a transcript and the lines it printed. */
export interface Step {
  /** The 1-based line of the command in the page. */
  line: number;
  command: string;
  output: string[];
}

/**
 * The transcripts of a markdown text: each plain or ```console block (indented too, as in a list item) whose
 * first line is `$ command`, split into its commands, each with the lines up to the next `$ `.
 */
export function transcripts(markdown: string): Step[][] {
  const out: Step[][] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const fence = /^( *)```(\S*)$/.exec(lines[i]!);
    if (fence === null) continue;
    const indent = fence[1]!;
    const body: { line: number; text: string }[] = [];
    for (i++; i < lines.length && lines[i] !== `${indent}\`\`\``; i++)
      body.push({ line: i + 1, text: lines[i]!.slice(indent.length) });
    if (!['', 'console'].includes(fence[2]!) || !body[0]?.text.startsWith('$ ')) continue;
    const steps: Step[] = [];
    for (const { line, text } of body) {
      if (text.startsWith('$ ')) steps.push({ line, command: text.slice(2).trim(), output: [] });
      else steps.at(-1)!.output.push(text);
    }
    for (const step of steps) while (step.output.at(-1) === '') step.output.pop();
    out.push(steps);
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
  // A quoted argument ('payments/*') is passed as it is, without its quotes; the shell expands the others.
  return args.flatMap((a) => (/^'.*'$/.test(a) ? [a.slice(1, -1)] : glob(a)));
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
    } else ok = j < actual.length && sameLine(expected[i]!, actual[j]!) && go(i + 1, j + 1);
    memo.set(key, ok);
    return ok;
  };
  return go(0, 0);
}

/** Two lines alike but for trailing spaces and the size of a written report (`Wrote FILE (N kB)`). */
function sameLine(expected: string, actual: string): boolean {
  const normal = (s: string): string => s.trimEnd().replace(/^(Wrote \S+ \()\d+( kB\))/, '$1N$2');
  return normal(expected) === normal(actual);
}

/** An output as lines: none for nothing, no trailing empty line. */
export function outputLines(s: string): string[] {
  const lines = s === '' ? [] : s.split('\n');
  while (lines.at(-1) === '') lines.pop();
  return lines;
}

/** Whether a page shows what a run printed: its stdout alone, or stdout and stderr as a terminal shows them. */
export function shows(expected: readonly string[], r: TerminalResult): boolean {
  return [r.stdout, r.terminal].some((got) => matchesElided(expected, outputLines(got)));
}

/** A temp dir with the checkout's `examples` and `test` linked in, removed after `body`. */
export async function inTempCheckout<T>(body: (cwd: string) => Promise<T>): Promise<T> {
  const cwd = mkdtempSync(join(tmpdir(), 'netfence-docs-'));
  symlinkSync(join(ROOT, 'examples'), join(cwd, 'examples'));
  symlinkSync(join(ROOT, 'test'), join(cwd, 'test'));
  try {
    return await body(cwd);
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}

/** Runs the CLI in `cwd`, stdout and stderr apart. */
export async function runIn(cwd: string, args: string[]): Promise<TerminalResult> {
  const before = process.cwd();
  process.chdir(cwd);
  try {
    return await runCli(args);
  } finally {
    process.chdir(before);
  }
}
