/**
 * `netfence drift`: how a live cluster's NetworkPolicies differ from the desired ones (a folder, a git
 * revision), or one environment from another (two contexts, two snapshots) — missing, extra and changed
 * policies, and the connectivity that differs. Read-only.
 */
import { Command, Option } from 'commander';
import { suggestName, withDidYouMean } from '../../base/suggest.ts';
import type { Granularity } from '../../engine/connectivity.ts';
import { computeDrift, coveredNamespaces, type Drift, type DriftScope } from '../../engine/drift.ts';
import type { DiffFormat } from '../../format/diff.ts';
import { connectionDriftCounts, countDrift, formatDrift } from '../../format/drift.ts';
import { plural } from '../../format/plural.ts';
import { GitError, locateInRepository, readSourcesAtRevision, resolveRevision } from '../../git/revisions.ts';
import type { ClusterState } from '../../model/cluster.ts';
import { loadClusterState } from '../options/cluster.ts';
import {
  addInputOptions,
  detectCniProfile,
  engineOptions,
  fileOptions,
  loadInput,
  loadSourcesInput,
  type InputOptions,
} from '../options/input.ts';
import { ExitCode, UserError, type Io } from '../io.ts';

export const DriftFailOn = ['missing', 'extra', 'changed', 'connectivity', 'any'] as const;
export type DriftFailOn = (typeof DriftFailOn)[number];

interface DriftOptions extends InputOptions {
  output: DiffFormat;
  granularity: Granularity;
  failOn?: DriftFailOn[];
  git?: string;
  vsContext?: string;
}

interface Side {
  state: ClusterState;
  label: string;
}

/** `missing,changed` → the kinds, or a one-line error naming the bad one. */
export function parseFailOn(text: string): DriftFailOn[] {
  const kinds = text.split(',').map((k) => k.trim());
  for (const k of kinds) {
    if (!(DriftFailOn as readonly string[]).includes(k))
      throw new UserError(
        withDidYouMean(
          `--fail-on: unknown kind "${k}"; use one of ${DriftFailOn.join(', ')} (comma-separated)`,
          suggestName(k, DriftFailOn),
        ),
      );
  }
  return kinds as DriftFailOn[];
}

/** The drift `--fail-on` forbids, as one line for stderr, or undefined when there is none. */
export function failure(drift: Drift, failOn: readonly DriftFailOn[]): string | undefined {
  const any = failOn.includes('any');
  const found: string[] = [];
  for (const kind of ['missing', 'extra', 'changed'] as const) {
    const n = countDrift(drift, kind);
    if (n > 0 && (any || failOn.includes(kind))) found.push(`${plural(n, 'policy', 'policies')} ${kind}`);
  }
  if (drift.connectivity.connections.length > 0 && (any || failOn.includes('connectivity')))
    found.push(`connectivity differs: ${connectionDriftCounts(drift.connectivity)}`);
  return found.length === 0 ? undefined : `drift: ${found.join(', ')} (--fail-on ${failOn.join(',')})`;
}

/** Every namespace of a context (drift compares whole environments; `-A` only widens "extra"). */
async function readContext(context: string | undefined, options: DriftOptions, io: Io): Promise<Side> {
  const read: DriftOptions = { ...options, allNamespaces: true };
  if (context === undefined) delete read.context;
  else read.context = context;
  const state = await loadClusterState([], read, io);
  // --cni auto: the CNI of the first cluster read decides for both sides.
  await detectCniProfile(read, io);
  if (read.detectedCni !== undefined) options.detectedCni ??= read.detectedCni;
  return { state, label: context === undefined ? 'live cluster' : `live cluster (context ${context})` };
}

/** `--git REV [path]`: the manifests under path at one revision. */
async function readRevision(
  rev: string,
  paths: readonly string[],
  options: DriftOptions,
  io: Io,
): Promise<Side> {
  if (paths.length > 1)
    throw new UserError(`--git takes one path inside the repository, got ${paths.length}`);
  const path = paths[0] ?? '.';
  try {
    const repo = await locateInRepository(path);
    const shown = repo.path === '' ? '.' : repo.path;
    const commit = await resolveRevision(repo.root, rev);
    const sources = await readSourcesAtRevision(repo, commit, rev);
    if (sources === undefined)
      throw new UserError(`"${shown}" does not exist at ${rev}; check the path (git ls-tree -r ${rev})`);
    return { state: loadSourcesInput(sources, options, io), label: `${rev}:${shown}` };
  } catch (error) {
    if (error instanceof GitError) throw new UserError(error.message);
    throw error;
  }
}

const shown = (p: string): string => (p === '-' ? '<stdin>' : p);

async function loadSides(paths: readonly string[], options: DriftOptions, io: Io): Promise<[Side, Side]> {
  if (options.vsContext !== undefined) {
    if (options.cluster !== true)
      throw new UserError('--vs-context compares two contexts of the kubeconfig: add --cluster');
    if (paths.length > 0 || options.git !== undefined)
      throw new UserError(
        '--vs-context compares two live clusters: drop the paths and --git (or drop --vs-context)',
      );
    return [
      await readContext(options.context, options, io),
      await readContext(options.vsContext, options, io),
    ];
  }
  if (options.cluster === true) {
    let desired: Side;
    if (options.git !== undefined) desired = await readRevision(options.git, paths, options, io);
    else if (paths.length !== 1)
      throw new UserError(
        `with --cluster, drift compares the live cluster with one set of desired manifests: give one path (got ${paths.length}), or --git REV [path]`,
      );
    else desired = { state: await loadInput(paths, fileOptions(options), io), label: shown(paths[0]!) };
    return [desired, await readContext(options.context, options, io)];
  }
  if (options.git !== undefined)
    throw new UserError('--git gives the desired side; add --cluster to compare it with the live cluster');
  const given = [
    options.context === undefined ? undefined : '--context',
    options.kubeconfig === undefined ? undefined : '--kubeconfig',
  ].filter((o) => o !== undefined);
  if (given.length > 0) throw new UserError(`${given.join(' and ')} read a live cluster: add --cluster`);
  if (paths.length !== 2)
    throw new UserError(
      `drift compares <desired> <live> (two folders or snapshot files; got ${paths.length}), or <desired> --cluster`,
    );
  const [desired, live] = paths as [string, string];
  if (desired === '-' && live === '-')
    throw new UserError('only one side can be read from standard input (-)');
  return [
    { state: await loadInput([desired], fileOptions(options), io), label: shown(desired) },
    { state: await loadInput([live], fileOptions(options), io), label: shown(live) },
  ];
}

/**
 * A gate (`--fail-on`) where the desired side has no policy and names no namespace (the wrong folder) compares
 * nothing: no policy is missing or changed, and no namespace is searched for extra ones. Exit 2, not a pass.
 */
function checkSomethingToCompare(desired: Side, scope: DriftScope): void {
  const { policies, clusterPolicies, ciliumPolicies } = desired.state;
  if (scope.kind === 'all' || scope.namespaces.length > 0) return;
  if (policies.length + clusterPolicies.length + ciliumPolicies.length > 0) return;
  throw new UserError(
    `nothing to compare: ${desired.label} has no policy and names no namespace, so no drift can be found; a gate with nothing to check does not pass (give the desired policies, or -A to look for extra policies in every namespace)`,
  );
}

function describeOption(cmd: Command, long: string, description: string): void {
  const option = cmd.options.find((o) => o.long === long);
  if (option === undefined) throw new Error(`drift: no option ${long}`);
  option.description = description;
}

export function driftCommand(io: Io, setExit: (code: number) => void): Command {
  const cmd = new Command('drift')
    .description(
      'Compare desired NetworkPolicies (files, a git revision, a context, a snapshot) with a live cluster or another environment: policies missing, extra or changed, and the connectivity that differs',
    )
    .argument(
      '[paths...]',
      '<desired> with --cluster (with --git: a path in the repository); <desired> <live> without (folders or snapshot files)',
    )
    .addOption(
      new Option('-o, --output <format>', 'output format').choices(['txt', 'json', 'md']).default('txt'),
    )
    .addOption(
      new Option('--granularity <level>', 'compare connectivity per workload or per pod')
        .choices(['workload', 'pod'])
        .default('workload'),
    )
    .addOption(
      new Option(
        '--fail-on <kinds>',
        `exit 1 on these kinds of drift, comma-separated: ${DriftFailOn.join(', ')}`,
      ).argParser(parseFailOn),
    )
    .option('--git <rev>', 'with --cluster: the desired manifests at this revision of a repository path')
    .option(
      '--vs-context <name>',
      'with --cluster: compare the --context cluster (desired) with this one (live)',
    );
  addInputOptions(cmd);
  // Drift reads every namespace of a cluster: -A and -n mean something else here than for the other readers.
  describeOption(
    cmd,
    '--all-namespaces',
    'report extra policies in every namespace, not only those the desired side covers',
  );
  describeOption(
    cmd,
    '--cluster',
    'the live side is the cluster of the kubeconfig (read in every namespace)',
  );
  describeOption(
    cmd,
    '--namespace',
    'namespace of desired objects that name none (the cluster is read in every namespace)',
  );
  cmd.addHelpText(
    'after',
    `
The live cluster is read in every namespace (read-only; no Secrets). Extra policies are those of the
namespaces the desired side covers (its policies' and Namespace objects'); -A looks in every namespace.

Examples:
  netfence drift deploy/ --cluster --context prod --fail-on any
  netfence drift --cluster --git main deploy/
  netfence drift --cluster --context staging --vs-context prod -o md
  netfence drift staging.yaml prod.yaml`,
  );
  cmd.action(async (paths: string[], options: DriftOptions) => {
    const [desired, live] = await loadSides(paths, options, io);
    const scope: DriftScope =
      options.allNamespaces === true
        ? { kind: 'all' }
        : { kind: 'namespaces', namespaces: coveredNamespaces(desired.state) };
    if (options.failOn !== undefined) checkSomethingToCompare(desired, scope);
    const drift = computeDrift(desired.state, live.state, scope, engineOptions(options), options.granularity);
    io.stdout(formatDrift(drift, { desired: desired.label, live: live.label }, options.output));
    const failed = options.failOn === undefined ? undefined : failure(drift, options.failOn);
    if (failed !== undefined) io.stderr(`netfence: ${failed}\n`);
    setExit(failed === undefined ? ExitCode.Ok : ExitCode.CheckFailed);
  });
  return cmd;
}
