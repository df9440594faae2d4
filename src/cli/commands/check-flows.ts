/** `netfence check-flows`: replay observed traffic against a policy set before deploying it. */
import { Command, Option } from 'commander';
import { openSession } from '../../engine/session.ts';
import { checkObserved } from '../../flows/check.ts';
import { HubbleNames } from '../../generate/dns-names.ts';
import { decideObserved } from '../../flows/decide.ts';
import { compareVerdicts, isDisagreement } from '../../flows/verdict-check.ts';
import type { ObservedTraffic } from '../../flows/types.ts';
import type { VerdictCapture } from '../../flows/verdicts.ts';
import { breaksTraffic, formatFlowCheck, type CheckFormat } from '../../format/flows.ts';
import { formatVerdictCheck } from '../../format/verdicts.ts';
import { addInputOptions, engineOptions, loadInput, type InputOptions } from '../options/input.ts';
import { ExitCode, UserError, note, type Io } from '../io.ts';
import {
  addFlowOptions,
  checkFlowOptions,
  readHubbleNames,
  loadFlows,
  reportUnmatched,
  requireObserved,
  type FlowOptions,
} from '../options/flows.ts';

interface CheckFlowsOptions extends InputOptions, FlowOptions {
  output: CheckFormat;
  verdicts?: boolean;
}

/** `--verdicts` compares verdicts: a capture with none to compare is an input error, never a pass. */
function requireVerdicts(traffic: ObservedTraffic): VerdictCapture {
  const v = traffic.verdicts;
  if (v === undefined || traffic.stats.files.every((f) => f.format !== 'hubble')) {
    throw new UserError(
      '--verdicts compares the verdicts Hubble records: give Hubble flows (hubble observe -o json / jsonpb), not CSV or JSON Lines',
    );
  }
  if (v.stats.policy === 0) {
    throw new UserError(
      `--verdicts: no flow of the capture carries a Cilium policy verdict (${traffic.stats.records} records read): capture policy-verdict events too (hubble observe --type policy-verdict --type drop, or all types)`,
    );
  }
  return v;
}

export function checkFlowsCommand(io: Io, setExit: (code: number) => void): Command {
  const cmd = new Command('check-flows')
    .description(
      'Replay observed traffic against a set of policies: which observed ports (source, destination, port) they would deny (exit 1), and what they allow that was never observed',
    )
    .argument(
      '[paths...]',
      'manifest files or folders (YAML or JSON) with the policies to check, or - for standard input',
    )
    .addOption(
      new Option('-o, --output <format>', 'output format').choices(['txt', 'json', 'md']).default('txt'),
    )
    .option(
      '--verdicts',
      "compare netfence's decision for each observed flow with the verdict Hubble recorded and list every disagreement (exit 1)",
    );
  addFlowOptions(cmd);
  addInputOptions(cmd);
  cmd.action(async (paths: string[], options: CheckFlowsOptions) => {
    checkFlowOptions(options, paths);
    const state = await loadInput(paths, options, io);
    const verdicts = options.verdicts === true;
    // A toFQDNs (or domainNames) rule allows by name: the names Hubble saw each address under credit it.
    const hubble = new HubbleNames();
    const traffic = await loadFlows(options, paths, state, io, { verdicts, names: hubble });
    reportUnmatched(traffic, io);
    const session = openSession(state, engineOptions(options));
    for (const pipe of await readHubbleNames(options, hubble)) {
      note(
        io,
        `${pipe}: a pipe, read once for the flows: the DNS names in it are not read (save the capture to a file, or give it on standard input)\n`,
      );
    }
    const check = checkObserved(session, traffic.connections, {
      names: hubble.names(),
      entities: hubble.entities(),
    });
    const decisions = decideObserved(session.compiled, [
      ...check.denied.map((d) => d.connection),
      ...check.allowed,
    ]);
    if (verdicts) {
      const capture = requireVerdicts(traffic);
      const comparison = compareVerdicts(traffic.connections, check, decisions, capture);
      if (comparison.connections.compared === 0) {
        throw new UserError(
          `--verdicts: ${capture.stats.policy} policy verdicts were read, but none is on an observed port of the map (their endpoints are unmatched or outside the cluster): check that the manifests hold the workloads of the capture`,
        );
      }
      io.stdout(formatVerdictCheck(comparison, traffic, state, decisions, options.output));
      setExit(comparison.rows.some(isDisagreement) ? ExitCode.CheckFailed : ExitCode.Ok);
      return;
    }
    requireObserved(
      traffic,
      'to check',
      'nothing was compared with the policies, so the check does not pass',
    );
    const decided = { decisions, clusterPolicies: state.clusterPolicies.length };
    io.stdout(formatFlowCheck(check, traffic, state, session.compiled.addressSpace, options.output, decided));
    setExit(check.denied.some(breaksTraffic) ? ExitCode.CheckFailed : ExitCode.Ok);
  });
  return cmd;
}
