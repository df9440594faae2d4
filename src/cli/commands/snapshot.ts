/** `netfence snapshot`: save what a cluster read gives the analysis, to analyze, diff and share offline. */
import { join } from 'node:path';
import { Command, Option } from 'commander';
import {
  addClusterOptions,
  connectWith,
  readWithProgress,
  scopeOf,
  withCluster,
  type ClusterStateOptions,
} from '../options/cluster.ts';
import { checkForceGoesWith, checkOutputFile, isFolder, writeFileAtomic } from '../options/output.ts';
import { ExitCode, UserError, note, type Io } from '../io.ts';

interface SnapshotOptions extends ClusterStateOptions {
  output?: string;
  force?: boolean;
  format?: 'yaml' | 'json';
}

export function snapshotCommand(io: Io, setExit: (code: number) => void): Command {
  const cmd = new Command('snapshot')
    .description(
      'Save the objects of a live cluster that the analysis reads (no Secrets, no ConfigMaps) as one YAML or JSON List',
    )
    .option('-o, --output <file>', 'write the snapshot to this file (atomically); default: standard output')
    .option('--force', 'with -o: replace the file if it exists')
    .addOption(
      new Option('--format <format>', 'yaml or json (default: from the file extension, else yaml)').choices([
        'yaml',
        'json',
      ]),
    )
    .addOption(
      new Option('-n, --namespace <namespace>', 'the namespace to read (-A: every namespace)').default(
        'default',
        "the context's namespace",
      ),
    );
  addClusterOptions(cmd, {
    cluster: 'read the live cluster of the kubeconfig (the only source of a snapshot)',
  });
  cmd.allowExcessArguments(true);
  cmd.addHelpText(
    'after',
    `
The snapshot holds exactly what \`netfence analyze --cluster\` reads, stripped to what the analysis uses:
\`netfence analyze snapshot.yaml\` gives the same result as \`netfence analyze --cluster\` did.

Examples:
  netfence snapshot --cluster -A -o snapshot.yaml
  netfence snapshot --cluster -A -o snapshot.yaml --force     # replace yesterday's
  netfence snapshot --cluster --context prod -n shop -o shop.json`,
  );
  cmd.action(async (options: SnapshotOptions, command: Command) => {
    rejectPaths(command.args);
    const file = options.output === '-' ? undefined : options.output;
    checkForceGoesWith(options.force, file !== undefined, '-o <file>', 'the file if it exists');
    // A file that is there already is refused before the cluster is read, as report --html and test --init do.
    if (file !== undefined) await checkOutputFile(file, options.force === true, 'snapshot.yaml');
    const format =
      options.format ?? (options.output?.toLowerCase().endsWith('.json') === true ? 'json' : 'yaml');
    await withCluster(async (k8s) => {
      const conn = connectWith(k8s, options, io);
      const scope = scopeOf(options, conn);
      const takenAt = new Date().toISOString();
      const read = await readWithProgress(k8s, conn, scope, options, io);
      // The same check analyze makes: a snapshot that analyze would reject is worth knowing about now.
      const built = k8s.stateFromObjects(read.objects);
      for (const s of built.skipped) io.stderr(`warning: analysis will leave out ${k8s.leftOutText(s)}\n`);
      const text = k8s.snapshotText(
        read.objects,
        { context: conn.context, server: conn.server, scope, takenAt },
        format,
      );
      const where = scope.kind === 'all' ? 'all namespaces' : `namespace "${scope.namespace}"`;
      const summary = `${read.objects.length} objects (${k8s.describeCounts(read.objects)}) from context "${conn.context}", ${where}`;
      if (options.output === undefined || options.output === '-') {
        io.stdout(text);
        note(io, `Snapshot: ${summary}.\n`);
      } else {
        await writeFileAtomic(options.output, text);
        note(io, `Wrote ${options.output}: ${summary}.\n`);
      }
      if (scope.kind === 'namespace' && scope.fromContext)
        note(io, `Only namespace "${scope.namespace}" (the context's); -A reads every namespace.\n`);
    });
    setExit(ExitCode.Ok);
  });
  return cmd;
}

/** Snapshot takes no paths: a path given is most likely meant for -o. */
function rejectPaths(args: readonly string[]): void {
  const [first] = args;
  if (first === undefined) return;
  // A folder (the GitOps one, say) cannot be written over: offer a file in it.
  const file = isFolder(first) ? join(first, 'snapshot.yaml') : first;
  throw new UserError(`snapshot reads the live cluster and takes no paths; to write a file, use -o ${file}`);
}
