/** The netfence command line: parses arguments, runs one command, turns user errors into one-line messages. */
import { Command, CommanderError } from 'commander';
import { ExitCode, UserError, type Io } from './io.ts';
import { VERSION } from './version.ts';

type CommandFactory = (io: Io, setExit: (code: number) => void) => Command;

/**
 * Every command, in the order `--help` lists them, loaded on demand: a run loads only the command it runs
 * (loading all of them takes 0.15 s), `--version` none, `--help` and unknown commands all.
 */
const COMMANDS: Readonly<Record<string, () => Promise<CommandFactory>>> = {
  analyze: async () => (await import('./commands/analyze.ts')).analyzeCommand,
  diff: async () => (await import('./commands/diff.ts')).diffCommand,
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
};

export async function run(argv: readonly string[], io: Io): Promise<number> {
  let exitCode: number = ExitCode.Ok;
  const setExit = (code: number): void => {
    exitCode = code;
  };
  const program = new Command('netfence')
    .description('Exact Kubernetes NetworkPolicy analysis: map, generate, audit, test and visualize')
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
