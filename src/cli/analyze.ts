/** `netfence analyze`: who may talk to whom, on which protocols and ports. */
import { Command, Option } from 'commander';
import type { Granularity } from '../engine/connectivity.ts';
import { openSession } from '../engine/session.ts';
import { computeGroupedConnectivity } from '../engine/grouped.ts';
import {
  analysisSummary,
  formatConnectivityChunks,
  groupedJsonChunks,
  type ConnectivityFormat,
} from '../format/connectivity.ts';
import { addInputOptions, loadInput, type InputOptions } from './input.ts';
import { ExitCode, writeChunks, type Io } from './io.ts';
import { engineProgress } from './progress.ts';

interface AnalyzeOptions extends InputOptions {
  output: ConnectivityFormat;
  granularity: Granularity;
}

export function analyzeCommand(io: Io, setExit: (code: number) => void): Command {
  const cmd = new Command('analyze')
    .description('List every allowed connection between workloads (and addresses outside the cluster)')
    .argument('[paths...]', 'manifest files or folders (YAML or JSON), or - for standard input')
    .addOption(
      new Option('-o, --output <format>', 'output format')
        .choices(['txt', 'json', 'csv', 'md', 'dot'])
        .default('txt'),
    )
    .addOption(
      new Option('--granularity <level>', 'one entry per workload or per pod')
        .choices(['workload', 'pod'])
        .default('workload'),
    );
  addInputOptions(cmd);
  cmd.action(async (paths: string[], options: AnalyzeOptions) => {
    const state = await loadInput(paths, options, io);
    const progress = engineProgress(io);
    const session = openSession(state, {
      ipBlockMatchesPods: options.ipblockMatchesPods,
      onProgress: progress.update,
    });
    const compiled = session.compiled;
    const summary = analysisSummary(state);
    const format = options.output;
    // JSON lists connections in groups (no policies: a handful of entries, not every pair); the table
    // formats list pairs. In pieces: a large cluster's answer can be longer than the longest string V8 allows.
    let chunks: Generator<string>;
    if (format === 'json') {
      const grouped = computeGroupedConnectivity(compiled, options.granularity);
      chunks = groupedJsonChunks(grouped, compiled.addressSpace, summary);
    } else {
      const conn = session.connectivity(options.granularity);
      chunks = formatConnectivityChunks(conn, compiled.addressSpace, summary, format);
    }
    progress.done();
    await writeChunks(io, chunks);
    setExit(ExitCode.Ok);
  });
  return cmd;
}
