/**
 * The options every command shares for reading a live cluster (`--cluster`, `--context`, `--kubeconfig`,
 * `-A`, `--request-timeout`; `-n` picks the namespace), and the loading of the cluster state. The client
 * (`src/k8s`) is imported lazily: commands run on files never load it.
 */
import { Option, type Command } from 'commander';
import type * as K8sModule from '../../k8s/index.ts';
import type { Connection, ReadProgress, ReadScope } from '../../k8s/index.ts';
import type { ClusterState } from '../../model/cluster.ts';
import { formatWarnings } from '../../format/problems.ts';
import type { Problem } from '../../model/problem.ts';
import { UserError, note, type Io } from '../io.ts';
import { progressLine } from '../progress.ts';
import { parseDuration, wholeNumber } from './values.ts';

export interface ClusterOptions {
  /** Read the cluster of the kubeconfig instead of files. */
  cluster?: boolean;
  context?: string;
  kubeconfig?: string;
  allNamespaces?: boolean;
  /** Per-request timeout, in milliseconds. */
  requestTimeout?: number;
  /** Objects per list request (hidden: for tests and tuning). */
  pageSize?: number;
  /** Whether `-n` was given on the command line (set before the action runs). */
  namespaceGiven?: boolean;
  /** `--all-warnings`: print every warning of the input, not three of each kind and a count. */
  allWarnings?: boolean;
}

/** What loading a cluster state needs of a command's options. */
export interface ClusterStateOptions extends ClusterOptions {
  namespace: string;
}

export { parseDuration } from './values.ts';

/** Prints an input's warnings on stderr: three of each kind and a count of the rest, or all with `--all-warnings`. */
export function printWarnings(
  warnings: readonly Problem[],
  options: Pick<ClusterOptions, 'allWarnings'>,
  io: Io,
): void {
  for (const line of formatWarnings(warnings, options.allWarnings === true)) io.stderr(`${line}\n`);
}

/** Help texts of the cluster options that differ by command (`apply` deploys; `-A` means "prune everywhere"). */
export interface ClusterHelp {
  cluster?: string;
  /** `null`: the command has no `-A`. */
  allNamespaces?: string | null;
}

/** Adds the cluster options, and records before the action whether `-n` was given. */
export function addClusterOptions(cmd: Command, help: ClusterHelp = {}): Command {
  cmd
    .option('--cluster', help.cluster ?? 'read the live cluster of the kubeconfig instead of files')
    .option('--context <name>', 'with --cluster: the kubeconfig context (default: its current context)')
    .option(
      '--kubeconfig <file>',
      'with --cluster: the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)',
    );
  if (help.allNamespaces !== null)
    cmd.option(
      '-A, --all-namespaces',
      help.allNamespaces ??
        "with --cluster: read every namespace (default: -n, else the context's namespace)",
    );
  cmd
    .addOption(
      new Option('--request-timeout <duration>', 'with --cluster: how long to wait for each API request')
        .default(30_000, '30s')
        .argParser(parseDuration),
    )
    .addOption(
      new Option('--page-size <n>', 'objects per list request').hideHelp().argParser(wholeNumber(1)),
    );
  cmd.hook('preAction', (_command, action) => {
    action.setOptionValue('namespaceGiven', action.getOptionValueSource('namespace') === 'cli');
  });
  return cmd;
}

/** The cluster options given without `--cluster`: a mistake worth saying. */
export function checkClusterOptions(options: ClusterOptions): void {
  if (options.cluster === true) return;
  const given = [
    options.context === undefined ? undefined : '--context',
    options.kubeconfig === undefined ? undefined : '--kubeconfig',
    options.allNamespaces === true ? '--all-namespaces' : undefined,
  ].filter((o) => o !== undefined);
  if (given.length > 0)
    throw new UserError(
      `${given.join(' and ')} ${given.length === 1 ? 'applies' : 'apply'} to a live cluster: add --cluster`,
    );
}

type K8s = typeof K8sModule;

/** Loads the client lazily and turns its errors into one-line user errors. */
export async function withCluster<T>(run: (k8s: K8s) => Promise<T>): Promise<T> {
  const k8s = await import('../../k8s/index.ts');
  try {
    return await run(k8s);
  } catch (error) {
    if (error instanceof k8s.ClusterError) throw new UserError(error.message);
    throw error;
  }
}

/** Connects with the command's options (the kubeconfig is read; no request is made yet). */
export function connectWith(k8s: K8s, options: ClusterOptions, io: Io): Connection {
  return k8s.connect({
    kubeconfig: options.kubeconfig,
    context: options.context,
    timeoutMs: options.requestTimeout,
    env: io.env,
  });
}

/** `-A`: every namespace; `-n`: that one; else the context's namespace, else `default`. */
export function scopeOf(
  options: ClusterStateOptions,
  conn: Connection,
): ReadScope & { fromContext: boolean } {
  if (options.allNamespaces === true) return { kind: 'all', fromContext: false };
  if (options.namespaceGiven === true)
    return { kind: 'namespace', namespace: options.namespace, fromContext: false };
  return { kind: 'namespace', namespace: conn.namespace ?? 'default', fromContext: true };
}

/** The `pageSize` read option, when `--page-size` was given. */
export function pageSizeOf(options: ClusterOptions): { pageSize?: number } {
  return options.pageSize === undefined ? {} : { pageSize: options.pageSize };
}

/** A progress line on stderr, on a terminal only, for reads that take more than one page. */
export function progressPrinter(io: Io): { update: (p: ReadProgress) => void; done: () => void } {
  const line = progressLine(io);
  return {
    update(p) {
      if (!p.large) return;
      const of =
        p.remaining === undefined || p.remaining === 0
          ? ''
          : ` of ~${(p.objects + p.remaining).toLocaleString('en-US')}`;
      line.update(`Reading the cluster: ${p.objects.toLocaleString('en-US')}${of} objects…`);
    },
    done: line.done,
  };
}

/** Reads the objects in `scope` with a progress line on a terminal, and prints the read's warnings. */
export async function readWithProgress(
  k8s: K8s,
  conn: Connection,
  scope: ReadScope,
  options: ClusterOptions,
  io: Io,
): Promise<Awaited<ReturnType<K8s['readCluster']>>> {
  const progress = progressPrinter(io);
  let read;
  try {
    read = await k8s.readCluster(conn, { scope, onProgress: progress.update, ...pageSizeOf(options) });
  } finally {
    progress.done();
  }
  for (const w of read.warnings) io.stderr(`${w}\n`);
  return read;
}

/**
 * Reads the cluster state the way every read command does: prints the warnings and the scope on stderr,
 * and returns the state, or throws a one-line UserError.
 */
export async function loadClusterState(
  paths: readonly string[],
  options: ClusterStateOptions,
  io: Io,
): Promise<ClusterState> {
  if (paths.length > 0) {
    throw new UserError(
      `--cluster reads the live cluster, not files: drop ${paths.map((p) => `"${p}"`).join(' ')}, or drop --cluster`,
    );
  }
  return withCluster(async (k8s) => {
    const conn = connectWith(k8s, options, io);
    const scope = scopeOf(options, conn);
    const read = await readWithProgress(k8s, conn, scope, options, io);
    const built = k8s.stateFromObjects(read.objects);
    printWarnings(built.warnings, options, io);
    for (const s of built.skipped) io.stderr(`warning: left out ${k8s.leftOutText(s)}\n`);
    if (scope.kind === 'namespace' && scope.fromContext) {
      note(
        io,
        `Read namespace "${scope.namespace}" of context "${conn.context}" only; -A reads every namespace, -n another one.\n`,
      );
    }
    return built.state;
  });
}

/**
 * `--cni auto`: the CNI of the cluster (its agent DaemonSet, and Cilium's policy settings), as a profile
 * spec and `--cni-option` overrides; noted on stderr. Without a known CNI: `upstream`, with a warning.
 */
export async function detectClusterCni(
  options: ClusterOptions,
  io: Io,
): Promise<{ spec: string; overrides: string[] }> {
  return withCluster(async (k8s) => {
    const found = await k8s.detectCni(connectWith(k8s, options, io));
    if (found === undefined) {
      io.stderr(
        `warning: --cni auto found none of the CNI DaemonSets netfence knows (${k8s.CNI_DAEMONSETS.map(([, ns, name]) => `${ns}/${name}`).join(', ')}): upstream assumed; name the CNI with --cni\n`,
      );
      return { spec: 'upstream', overrides: [] };
    }
    for (const w of found.warnings) io.stderr(`warning: ${w}\n`);
    if (found.version === undefined) {
      io.stderr(
        `warning: the image of DaemonSet ${found.daemonSet} (${found.image}) has no version tag: the newest ${found.cni} profile assumed; name it with --cni ${found.cni}@<version>\n`,
      );
    }
    const spec = found.version === undefined ? found.cni : `${found.cni}@${found.version}`;
    const settings = found.options.length === 0 ? '' : `; ${found.options.join(', ')}`;
    note(io, `CNI: ${spec} (DaemonSet ${found.daemonSet}${settings}).\n`);
    return { spec, overrides: found.options };
  });
}
