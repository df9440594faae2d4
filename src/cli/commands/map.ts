/** `netfence map`: the observed connection map, from flow captures (or, with `--merge`, from maps), at workload granularity. */
import { readFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { formatObservedMap, type MapFormat } from '../../format/flows.ts';
import { mergeMaps, readMapJson, type MapShard, type ObservedTraffic } from '../../flows/index.ts';
import type { ClusterState } from '../../model/cluster.ts';
import { readReason } from '../../parse/index.ts';
import { addInputOptions, loadInput, type InputOptions } from '../options/input.ts';
import { ExitCode, UserError, type Io } from '../io.ts';
import {
  addFlowOptions,
  checkFlowOptions,
  loadFlows,
  reportUnmatched,
  type FlowOptions,
} from '../options/flows.ts';

interface MapOptions extends InputOptions, FlowOptions {
  output: MapFormat;
  merge?: true;
}

/** Reads one `map -o json` document (`-` for standard input), or throws a one-line UserError naming it. */
async function readShard(path: string, io: Io): Promise<MapShard> {
  const name = path === '-' ? 'standard input' : path;
  let text: string;
  try {
    text = path === '-' ? await io.readStdin() : await readFile(path, 'utf8');
  } catch (error) {
    throw new UserError(
      `--merge: cannot read "${path}": ${readReason(error, path === '-' ? undefined : path)}`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UserError(`--merge: ${name}: not JSON; give files written by \`netfence map -o json\``);
  }
  const read = readMapJson(value);
  if (!read.ok) throw new UserError(`--merge: ${name}: ${read.message}`);
  return read.shard;
}

/** The maps `--merge` combines: every path read, or a UserError for the first that cannot be. */
async function readShards(paths: readonly string[], options: MapOptions, io: Io): Promise<MapShard[]> {
  if (options.flows.length > 0) {
    throw new UserError('--merge combines map JSON files and reads no flows: drop --flows, or --merge');
  }
  if (options.cluster === true) {
    throw new UserError('--merge reads map JSON files, not a cluster: drop --cluster, or --merge');
  }
  if (paths.length === 0) throw new UserError('--merge: give the files written by `netfence map -o json`');
  if (paths.filter((p) => p === '-').length > 1) {
    throw new UserError('--merge: standard input (-) can be given once');
  }
  const shards: MapShard[] = [];
  for (const path of paths) shards.push(await readShard(path, io));
  return shards;
}

export function mapCommand(io: Io, setExit: (code: number) => void): Command {
  const cmd = new Command('map')
    .description(
      'Show the traffic observed in flow captures, between workloads (and outside addresses): observed ports and their attempts',
    )
    .argument(
      '[paths...]',
      'manifest files or folders (YAML or JSON) the flows are matched against, or - for standard input; with --merge, the map JSON files',
    )
    .addOption(
      new Option('-o, --output <format>', 'output format')
        .choices(['txt', 'json', 'csv', 'md', 'dot'])
        .default('txt'),
    )
    .addOption(
      new Option(
        '--merge',
        'combine maps written by `map -o json` (the paths) into one, instead of reading flows; no manifests needed',
      ),
    );
  addFlowOptions(cmd);
  addInputOptions(cmd);
  cmd.action(async (paths: string[], options: MapOptions) => {
    let traffic: ObservedTraffic;
    let state: ClusterState;
    if (options.merge === true) {
      ({ traffic, state } = mergeMaps(await readShards(paths, options, io)));
    } else {
      checkFlowOptions(options, paths);
      state = await loadInput(paths, options, io);
      traffic = await loadFlows(options, paths, state, io);
    }
    if (options.output !== 'txt') reportUnmatched(traffic, io);
    io.stdout(formatObservedMap(traffic, state, options.output));
    setExit(ExitCode.Ok);
  });
  return cmd;
}
