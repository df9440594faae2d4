/**
 * `pointOutputFlagTo` (src/cli/options/output.ts): `report -o x.html` and its spellings point to `--html` with
 * the file name given, and only a file name (test/cli/usage-errors.test.ts has the common cases). Here: the
 * options it must leave to Commander, the values it must not take for a file name, and, on a command of its
 * own, the target option that is not the command's first, has no argument or is not declared, and the error's
 * code, which is Commander's own for an unknown option.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Command, CommanderError } from 'commander';
import { pointOutputFlagTo } from '../../src/cli/options/output.ts';
import { runCli } from '../support/cli.ts';

const EXAMPLE = 'examples/webshop';

/** `netfence report EXAMPLE ...args`: exit 2, nothing on stdout; the one line on stderr. */
async function reportUsageError(args: readonly string[]): Promise<string> {
  const r = await runCli(['report', EXAMPLE, ...args]);
  assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
  assert.equal(r.stdout, '');
  return r.stderr.trimEnd();
}

describe('report: which unknown options point to --html, with which value', () => {
  const cases: [string, string[], string][] = [
    ["another unknown option is Commander's own", ['--bogus'], 'unknown option "--bogus"'],
    ['an option that only ends in -o is not -o', ['--no-o'], 'unknown option "--no-o"'],
    ['an option that only holds -o is not -o', ['--no-output'], 'unknown option "--no-output"'],
    [
      'a file name with a slash and no dot is a file name',
      ['-o', 'out/report'],
      'unknown option "-o"; did you mean --html out/report?',
    ],
    [
      'an option after -o is not its value, even one holding a dot',
      ['-o', '--x.html'],
      'unknown option "-o"; did you mean --html <file>?',
    ],
    [
      'a value attached that starts with "-" is a file name only when it is "-"',
      ['-o-x'],
      'unknown option "-o-x"; did you mean --html <file>?',
    ],
    ['-o- is standard output', ['-o-'], 'unknown option "-o-"; did you mean --html -?'],
    [
      'a value that ends with "-" is no file name',
      ['-o', 'x-'],
      'unknown option "-o"; did you mean --html <file>?',
    ],
  ];
  for (const [what, args, message] of cases) {
    test(what, async () => {
      assert.equal(await reportUsageError(args), `netfence: ${message} (see netfence report --help)`);
    });
  }

  test('a value attached with a line break in it: no hint names only its first line', async () => {
    const line = await reportUsageError(['-ox.html\ny']);
    assert.doesNotMatch(line, /did you mean/);
  });
});

/**
 * A command with `options` (Commander's flags, in order) whose output option is `target`, parsing `args`: the
 * error it throws.
 */
function errorOf(options: readonly string[], target: string, args: readonly string[]): CommanderError {
  const cmd = new Command('write')
    .exitOverride()
    .configureOutput({ writeErr: () => undefined, outputError: () => undefined })
    .argument('[paths...]')
    .action(() => undefined);
  for (const flags of options) cmd.option(flags);
  pointOutputFlagTo(cmd, target);
  try {
    cmd.parse(args, { from: 'user' });
  } catch (error) {
    assert.ok(error instanceof CommanderError, String(error));
    return error;
  }
  assert.fail(`${args.join(' ')}: no error`);
}

describe('pointOutputFlagTo on a command of its own', () => {
  test('the target is found by its name, not as the first option', () => {
    const error = errorOf(['--force', '--out-file <path>'], '--out-file', ['a', '-o']);
    assert.equal(error.message, "error: unknown option '-o'\n(Did you mean --out-file <path>?)");
  });

  test('a target without an argument: the hint names the option alone', () => {
    const error = errorOf(['--stdout'], '--stdout', ['-o', 'json']);
    assert.equal(error.message, "error: unknown option '-o'\n(Did you mean --stdout?)");
  });

  test('a target the command does not declare: the hint names the option alone', () => {
    const error = errorOf(['--force'], '--html', ['-o']);
    assert.equal(error.message, "error: unknown option '-o'\n(Did you mean --html?)");
  });

  test("the error is Commander's unknown option, as for any other unknown option", () => {
    const own = errorOf(['--html <file>'], '--html', ['--bogus']);
    const pointed = errorOf(['--html <file>'], '--html', ['-o', 'x.html']);
    assert.equal(own.code, 'commander.unknownOption');
    assert.equal(pointed.code, own.code);
    assert.equal(pointed.exitCode, own.exitCode);
    assert.equal(pointed.message, "error: unknown option '-o'\n(Did you mean --html x.html?)");
  });
});
