/** The netfence command line: parses arguments, runs one command, turns user errors into one-line messages. */
import { Command, CommanderError, Option } from 'commander';
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

/**
 * What every command takes, as git and kubectl users expect: `-q, --quiet` (no notes on stderr), and `--no-X`
 * for each on/off option `--X` (`--no-skip-invalid`, `--no-ipblock-matches-pods`), hidden from the help; the
 * last one given wins.
 */
function addCommonOptions(cmd: Command): void {
  cmd.option('-q, --quiet', 'print no notes on stderr (warnings and errors still)');
  for (const option of [...cmd.options]) {
    if (option.negate || option.long === undefined) continue;
    if (!option.isBoolean() && option.parseArg !== parseBoolean) continue;
    const negated = `--no-${option.long.slice(2)}`;
    if (cmd.options.some((o) => o.long === negated)) continue;
    cmd.addOption(new Option(negated, `turn ${option.long} off`).hideHelp());
  }
}

export async function run(argv: readonly string[], givenIo: Io): Promise<number> {
  let exitCode: number = ExitCode.Ok;
  const setExit = (code: number): void => {
    exitCode = code;
  };
  // Notes and progress lines go, with -q, nowhere; the flag is known once the command line is parsed.
  let quiet = false;
  const io: Io = {
    ...givenIo,
    note: (text) => {
      if (!quiet) givenIo.stderr(text);
    },
    get isTTY() {
      return givenIo.isTTY && !quiet;
    },
  };
  const program = new Command('netfence')
    .description('Exact Kubernetes NetworkPolicy analysis: map, generate, audit, test and visualize')
    .addHelpText('afterAll', '\nEvery on/off option --X also takes --no-X (--no-skip-invalid).')
    .hook('preAction', (_program, command) => {
      quiet = command.opts<{ quiet?: boolean }>().quiet === true;
    })
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (s) => io.stdout(s),
      writeErr: (s) => io.stderr(s),
    })
    .exitOverride();
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
    cmd.configureOutput({
      writeOut: (s) => io.stdout(s),
      writeErr: (s) => io.stderr(s),
    });
    cmd.showHelpAfterError('(run with --help for usage)');
    addCommonOptions(cmd);
    program.addCommand(cmd);
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has already printed its message (or the help text).
      return error.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
    }
    if (error instanceof UserError) {
      io.stderr(`netfence: ${error.message}\n`);
      return error.exitCode;
    }
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    io.stderr(`netfence: internal error (please report it with the command you ran):\n${detail}\n`);
    return ExitCode.Internal;
  }
}
