/** `netfence analyze`: who may talk to whom, on which protocols and ports. */
import { Command, Option } from 'commander';
import { HostNetworkPods, policiesSelectingHostNetwork } from '../../engine/compile.ts';
import type { Granularity } from '../../engine/connectivity.ts';
import { openSession } from '../../engine/session.ts';
import { computeGroupedConnectivity } from '../../engine/grouped.ts';
import { nodesAtAddressClass } from '../../engine/own-node.ts';
import {
  analysisSummary,
  formatConnectivityChunks,
  groupedJsonChunks,
  type ConnectivityFormat,
} from '../../format/connectivity.ts';
import type { ClusterState } from '../../model/cluster.ts';
import { formatProblem, type Problem } from '../../model/problem.ts';
import { addInputOptions, engineOptions, loadInput, type InputOptions } from '../options/input.ts';
import { ExitCode, writeChunks, type Io } from '../io.ts';
import { engineProgress } from '../progress.ts';
import { noteUndefinedOrder } from '../undefined-order.ts';

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
    const engine = engineOptions(options);
    for (const w of hostNetworkWarnings(state, engine.hostNetworkPods ?? HostNetworkPods.Exempt))
      io.stderr(`${formatProblem(w)}\n`);
    const progress = engineProgress(io);
    const session = openSession(state, { ...engine, onProgress: progress.update });
    const compiled = session.compiled;
    const format = options.output;
    // Ties the API leaves undefined: a note beside the text formats, a field of the JSON summary.
    const undefinedOrder = noteUndefinedOrder(io, compiled, format !== 'json');
    const summary = { ...analysisSummary(state), undefinedOrder };
    // A Node's address is in the cluster: the outputs name its Nodes (connections are counted as before).
    const nodesAt = (classId: number) => nodesAtAddressClass(compiled, classId);
    // JSON lists connections in groups (no policies: a handful of entries, not every pair); the table
    // formats list pairs. In pieces: a large cluster's answer can be longer than the longest string V8 allows.
    let chunks: Generator<string>;
    if (format === 'json') {
      const grouped = computeGroupedConnectivity(compiled, options.granularity);
      chunks = groupedJsonChunks(grouped, compiled.addressSpace, summary, nodesAt);
    } else {
      const conn = session.connectivity(options.granularity);
      chunks = formatConnectivityChunks(conn, compiled.addressSpace, summary, format, nodesAt);
    }
    progress.done();
    await writeChunks(io, chunks);
    setExit(ExitCode.Ok);
  });
  return cmd;
}

/** A warning per policy whose podSelector matches host-network pods, which most CNIs do not police. */
export function hostNetworkWarnings(state: ClusterState, mode: HostNetworkPods): Problem[] {
  return policiesSelectingHostNetwork(state).map(({ policy, workloads }) => {
    const shown =
      workloads.length > 3
        ? `${workloads.slice(0, 3).join(', ')} and ${workloads.length - 3} more`
        : workloads.join(', ');
    const effect =
      mode === HostNetworkPods.Policed
        ? 'netfence applies it to them (--host-network-pods policed), but most CNIs do not police host-network pods'
        : 'most CNIs do not police host-network pods, so the policy has no effect on them (--host-network-pods policed reads it literally)';
    const at = policy.origin?.locate?.(['spec', 'podSelector']) ?? policy.origin;
    return {
      code: 'policy-selects-host-network',
      severity: 'warning',
      message: `policy ${policy.id} selects host-network pods of ${shown}: ${effect}`,
      ...(at === undefined ? {} : { file: at.file, line: at.line, column: at.column }),
      path: ['spec', 'podSelector'],
      object: `${policy.namespace}/NetworkPolicy/${policy.name}`,
    };
  });
}
