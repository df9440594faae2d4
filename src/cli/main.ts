/** The netfence command line: parses arguments, runs one command, turns user errors into one-line messages. */
import { Command, CommanderError } from 'commander';
import { analyzeCommand } from './analyze.ts';
import { diffCommand } from './diff.ts';
import { pathsCommand } from './paths.ts';
import { explainCommand } from './explain.ts';
import { exposureCommand } from './exposure.ts';
import { testCommand } from './test.ts';
import { mapCommand } from './map.ts';
import { generateCommand } from './generate.ts';
import { checkFlowsCommand } from './check-flows.ts';
import { lintCommand } from './lint.ts';
import { snapshotCommand } from './snapshot.ts';
import { applyCommand } from './apply.ts';
import { rollbackCommand } from './rollback.ts';
import { serveCommand } from './serve.ts';
import { reportCommand } from './report.ts';
import { ExitCode, UserError, type Io } from './io.ts';
import { VERSION } from './version.ts';

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
  const commands = [
    analyzeCommand(io, setExit),
    diffCommand(io, setExit),
    pathsCommand(io, setExit),
    explainCommand(io, setExit),
    exposureCommand(io, setExit),
    testCommand(io, setExit),
    mapCommand(io, setExit),
    generateCommand(io, setExit),
    checkFlowsCommand(io, setExit),
    lintCommand(io, setExit),
    snapshotCommand(io, setExit),
    applyCommand(io, setExit),
    rollbackCommand(io, setExit),
    serveCommand(io, setExit),
    reportCommand(io, setExit),
  ];
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
