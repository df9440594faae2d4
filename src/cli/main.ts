/** The netfence command line: parses arguments, runs one command, turns user errors into one-line messages. */
import { Command, CommanderError, Option } from 'commander';
import { suggestName, withDidYouMean } from '../base/suggest.ts';
import { ExitCode, UserError, parseBoolean, type Io } from './io.ts';
import { VERSION } from './version.ts';

type CommandFactory = (io: Io, setExit: (code: number) => void) => Command;

/**
 * Every command, in the order `--help` lists them, loaded on demand: a run loads only the command it runs
 * (loading all of them takes 0.15 s), `--version` none, `--help` and unknown commands all.
 */
const COMMANDS: Readonly<Record<string, () => Promise<CommandFactory>>> = {
  analyze: async () => (await import('./commands/analyze.ts')).analyzeCommand,
  diff: async () => (await import('./commands/diff.ts')).diffCommand,
  drift: async () => (await import('./commands/drift.ts')).driftCommand,
  paths: async () => (await import('./commands/paths.ts')).pathsCommand,
  explain: async () => (await import('./commands/explain.ts')).explainCommand,
  exposure: async () => (await import('./commands/exposure.ts')).exposureCommand,
  test: async () => (await import('./commands/test.ts')).testCommand,
  map: async () => (await import('./commands/map.ts')).mapCommand,
  generate: async () => (await import('./commands/generate.ts')).generateCommand,
  'check-flows': async () => (await import('./commands/check-flows.ts')).checkFlowsCommand,
  lint: async () => (await import('./commands/lint.ts')).lintCommand,
  snapshot: async () => (await import('./commands/snapshot.ts')).snapshotCommand,
  apply: async () => (await import('./commands/apply.ts')).applyCommand,
  rollback: async () => (await import('./commands/rollback.ts')).rollbackCommand,
  serve: async () => (await import('./commands/serve.ts')).serveCommand,
  report: async () => (await import('./commands/report.ts')).reportCommand,
  webhook: async () => (await import('./commands/webhook.ts')).webhookCommand,
  controller: async () => (await import('./commands/controller.ts')).controllerCommand,
};

/** The on/off options of `cmd` (`--skip-invalid`), which `addCommonOptions` gives a `--no-X`. */
function onOffOptions(cmd: Command): Option[] {
  return cmd.options.filter(
    (o) => !o.negate && o.long !== undefined && (o.isBoolean() || o.parseArg === parseBoolean),
  );
}

/**
 * What every command takes, as git and kubectl users expect: `-q, --quiet` (no notes on stderr), and `--no-X`
 * for each on/off option `--X` (`--no-skip-invalid`, `--no-ipblock-matches-pods`), hidden from the help but
 * named in a footer with one of the command's own; the last one given wins.
 */
function addCommonOptions(cmd: Command): void {
  cmd.option('-q, --quiet', 'print no notes on stderr (warnings and errors still)');
  const onOff = onOffOptions(cmd);
  for (const option of onOff) {
    const negated = `--no-${option.long!.slice(2)}`;
    if (cmd.options.some((o) => o.long === negated)) continue;
    cmd.addOption(new Option(negated, `turn ${option.long} off`).hideHelp());
  }
  const example =
    onOff.find((o) => o.long === '--skip-invalid') ?? onOff.find((o) => o.long !== '--quiet') ?? onOff[0];
  if (example !== undefined)
    cmd.addHelpText('after', `\nEvery on/off option --X also takes --no-X (--no-${example.long!.slice(2)}).`);
}

/**
 * Makes a rejected option value a one-line UserError naming the option: a value outside `.choices(...)`
 * lists them with a "did you mean" (`--output: unknown value "jsn"; use one of txt, json; did you mean "json"?`),
 * and a shared parser's message (src/cli/options/values.ts) that does not name the flag gets it in front.
 */
function nameOptionErrors(cmd: Command): void {
  for (const option of cmd.options) {
    const parse = option.parseArg;
    if (parse === undefined) continue;
    const flag = option.long ?? option.short ?? option.flags;
    const wrapped = (value: string, previous: unknown): unknown => {
      try {
        return parse(value, previous);
      } catch (error) {
        const choices = option.argChoices;
        if (choices !== undefined && error instanceof CommanderError) {
          const message = `${flag}: unknown value "${value}"; use one of ${choices.join(', ')}`;
          throw new UserError(withDidYouMean(message, suggestName(value, choices)));
        }
        if (error instanceof UserError && !error.message.includes(flag))
          throw new UserError(`${flag}: ${error.message}`, error.exitCode);
        throw error;
      }
    };
    option.parseArg = wrapped as NonNullable<typeof option.parseArg>;
  }
}

/**
 * Commander's own usage errors (an unknown option or command, a missing option or argument) as one line in
 * netfence's format, its suggestion kept: `netfence: unknown option "--bogus"; did you mean "--top"? (see
 * netfence analyze --help)`.
 */
export function usageLine(commanderMessage: string, commandPath: string): string {
  const [first = '', ...rest] = commanderMessage.trim().split('\n');
  const quoted = (text: string): string => text.replace(/'([^']*)'/g, '"$1"');
  let line = quoted(first.replace(/^error: /, ''));
  for (const more of rest) {
    const suggestion = /^\(Did you mean (?:one of )?(.*)\?\)$/.exec(more.trim());
    line += suggestion === null ? ` ${more.trim()}` : `; did you mean ${suggestion[1]}?`;
  }
  return `netfence: ${line} (see ${commandPath} --help)`;
}

/** Where a command writes: the io's streams, with Commander's errors as one `usageLine`. */
function configureIo(cmd: Command, io: Io, commandPath: string): void {
  cmd.configureOutput({
    writeOut: (s) => io.stdout(s),
    writeErr: (s) => io.stderr(s),
    outputError: (s, write) => write(`${usageLine(s, commandPath)}\n`),
  });
}

export async function run(argv: readonly string[], givenIo: Io): Promise<number> {
  let exitCode: number = ExitCode.Ok;
  const setExit = (code: number): void => {
    exitCode = code;
  };
  // Notes and progress lines go, with -q, nowhere; the flag is known once the command line is parsed.
  let quiet = false;
  const afterAnswer: (() => void)[] = [];
  const io: Io = {
    ...givenIo,
    afterAnswer: (f) => afterAnswer.push(f),
    note: (text) => {
      if (!quiet) givenIo.stderr(text);
    },
    get isTTY() {
      return givenIo.isTTY && !quiet;
    },
  };
  const program = new Command('netfence')
    .description('Exact Kubernetes NetworkPolicy analysis: map, generate, audit, test and visualize')
    .addHelpText(
      'after',
      '\nEvery on/off option --X of a command also takes --no-X (analyze --no-skip-invalid).',
    )
    .hook('preAction', (_program, command) => {
      quiet = command.opts<{ quiet?: boolean }>().quiet === true;
    })
    .version(VERSION, '-V, --version')
    .exitOverride();
  configureIo(program, io, 'netfence');
  const first = argv[0];
  const names =
    first === '-V' || first === '--version'
      ? []
      : first !== undefined && Object.hasOwn(COMMANDS, first)
        ? [first]
        : Object.keys(COMMANDS);
  const factories = await Promise.all(names.map((name) => COMMANDS[name]!()));
  const commands = factories.map((make) => make(io, setExit));
  for (const cmd of commands) {
    cmd.exitOverride();
    configureIo(cmd, io, `netfence ${cmd.name()}`);
    addCommonOptions(cmd);
    nameOptionErrors(cmd);
    program.addCommand(cmd);
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has already printed its message (one usageLine) or the help text.
      return error.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
    }
    if (error instanceof UserError) {
      io.stderr(`netfence: ${error.message}\n`);
      return error.exitCode;
    }
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    io.stderr(`netfence: internal error (please report it with the command you ran):\n${detail}\n`);
    return ExitCode.Internal;
  } finally {
    // The answer is out: now what it did not wait for (writing the cache, which never throws).
    for (const f of afterAnswer) f();
  }
}
