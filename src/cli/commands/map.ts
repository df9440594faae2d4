/** `netfence map`: the observed connection map, from flow captures, at workload granularity. */
import { Command, Option } from 'commander';
import { formatObservedMap, type MapFormat } from '../../format/flows.ts';
import { addInputOptions, loadInput, type InputOptions } from '../options/input.ts';
import { ExitCode, type Io } from '../io.ts';
import {
  addFlowOptions,
  checkFlowOptions,
  loadFlows,
  reportUnmatched,
  type FlowOptions,
} from '../options/flows.ts';

interface MapOptions extends InputOptions, FlowOptions {
  output: MapFormat;
}

export function mapCommand(io: Io, setExit: (code: number) => void): Command {
  const cmd = new Command('map')
    .description('Show the connections observed in flow captures, between workloads (and outside addresses)')
    .argument(
      '[paths...]',
      'manifest files or folders (YAML or JSON) the flows are matched against, or - for standard input',
    )
    .addOption(
      new Option('-o, --output <format>', 'output format')
        .choices(['txt', 'json', 'csv', 'md', 'dot'])
        .default('txt'),
    );
  addFlowOptions(cmd);
  addInputOptions(cmd);
  cmd.action(async (paths: string[], options: MapOptions) => {
    checkFlowOptions(options, paths);
    const state = await loadInput(paths, options, io);
    const traffic = await loadFlows(options, paths, state, io);
    if (options.output !== 'txt') reportUnmatched(traffic, io);
    io.stdout(formatObservedMap(traffic, state, options.output));
    setExit(ExitCode.Ok);
  });
  return cmd;
}
