/** `netfence check-flows`: replay observed traffic against a policy set before deploying it. */
import { Command, Option } from 'commander';
import { openSession } from '../../engine/session.ts';
import { checkObserved } from '../../flows/check.ts';
import { decideObserved } from '../../flows/decide.ts';
import { breaksTraffic, formatFlowCheck, type CheckFormat } from '../../format/flows.ts';
import { addInputOptions, engineOptions, loadInput, type InputOptions } from '../options/input.ts';
import { ExitCode, type Io } from '../io.ts';
import {
  addFlowOptions,
  checkFlowOptions,
  loadFlows,
  reportUnmatched,
  type FlowOptions,
} from '../options/flows.ts';

interface CheckFlowsOptions extends InputOptions, FlowOptions {
  output: CheckFormat;
}

export function checkFlowsCommand(io: Io, setExit: (code: number) => void): Command {
  const cmd = new Command('check-flows')
    .description(
      'Replay observed traffic against a set of policies: which observed connections they would deny (exit 1), and what they allow that was never observed',
    )
    .argument(
      '[paths...]',
      'manifest files or folders (YAML or JSON) with the policies to check, or - for standard input',
    )
    .addOption(
      new Option('-o, --output <format>', 'output format').choices(['txt', 'json', 'md']).default('txt'),
    );
  addFlowOptions(cmd);
  addInputOptions(cmd);
  cmd.action(async (paths: string[], options: CheckFlowsOptions) => {
    checkFlowOptions(options, paths);
    const state = await loadInput(paths, options, io);
    const traffic = await loadFlows(options, paths, state, io);
    reportUnmatched(traffic, io);
    const session = openSession(state, engineOptions(options));
    const check = checkObserved(session, traffic.connections);
    const decisions = decideObserved(session.compiled, [
      ...check.denied.map((d) => d.connection),
      ...check.allowed,
    ]);
    const decided = { decisions, clusterPolicies: state.clusterPolicies.length };
    io.stdout(formatFlowCheck(check, traffic, state, session.compiled.addressSpace, options.output, decided));
    setExit(check.denied.some(breaksTraffic) ? ExitCode.CheckFailed : ExitCode.Ok);
  });
  return cmd;
}
