/** `netfence diff`: what changes in connectivity and policies between two sets of manifests or two revisions. */
import { Command, Option } from 'commander';
import type { Granularity } from '../../engine/connectivity.ts';
import {
  sideConnectionOf,
  type ClusterDiff,
  type ConnectionChange,
  type Side as DiffSide,
} from '../../engine/diff.ts';
import { pairKey } from '../../base/text.ts';
import { openSession } from '../../engine/session.ts';
import type { EngineOptions } from '../../engine/compile.ts';
import { profileName } from '../../engine/profiles.ts';
import { isEmptyPorts, subtractPorts } from '../../engine/ports.ts';
import { changeCounts, formatDiff, type DiffFormat, type DiffLabels } from '../../format/diff.ts';
import { plural } from '../../format/plural.ts';
import {
  GitError,
  locateInRepository,
  mergeBase,
  parseRevisionRange,
  readSourcesAtRevision,
  resolveRevision,
  shortCommit,
} from '../../git/revisions.ts';
import type { ClusterState } from '../../model/cluster.ts';
import {
  addInputOptions,
  engineOptions,
  fileOptions,
  loadInput,
  loadSourcesInput,
  type InputOptions,
  warnIgnoredFields,
  warnUnenforcedClusterPolicies,
} from '../options/input.ts';
import { ExitCode, UserError, note, type Io } from '../io.ts';

export const FailOn = { added: 'added', removed: 'removed', any: 'any' } as const;
export type FailOn = (typeof FailOn)[keyof typeof FailOn];

interface DiffOptions extends InputOptions {
  output: DiffFormat;
  granularity: Granularity;
  failOn?: FailOn;
  exitCode: boolean;
  git?: string;
  /** `--vs-cni`: compare the `--cni` profile (before) with this one (after), on the same manifests. */
  vsCni?: string;
  vsCniOption: string[];
}

/**
 * The changes `--fail-on` forbids, as one line for stderr, or undefined when there are none. Counted in
 * connections as the summary line and `-o json` count them (each side's, in its own address classes, as
 * `analyze` counts them): `added` counts the after side's connections that gained ports or addresses (added
 * or changed), `removed` the before side's that lost some (removed or changed).
 */
export function failure(diff: ClusterDiff, failOn: FailOn): string | undefined {
  // Losing L7 filtering widens a connection (every request gets through); gaining it narrows one.
  const l7Lost = (c: ConnectionChange): boolean =>
    c.l7 !== undefined && !isEmptyPorts(subtractPorts(c.l7.before, c.l7.after));
  const l7Gained = (c: ConnectionChange): boolean =>
    c.l7 !== undefined && !isEmptyPorts(subtractPorts(c.l7.after, c.l7.before));
  /** The connections of `side` the pairs `list` are part of, by what happened to them. */
  const counted = (list: readonly ConnectionChange[], side: DiffSide, what: string): string | undefined => {
    const kinds = new Map<number | string, ConnectionChange['connection']>();
    for (const c of list) kinds.set(sideConnectionOf(side, pairKey(c.src, c.dst)), c.connection);
    if (kinds.size === 0) return undefined;
    const parts = (['added', 'removed', 'changed'] as const).flatMap((kind) => {
      const n = [...kinds.values()].filter((k) => k === kind).length;
      return n === 0 ? [] : [`${n} ${kind}`];
    });
    return `${plural(kinds.size, 'connection')} ${what} (${parts.join(', ')}) (--fail-on ${failOn})`;
  };
  const { before, after } = diff.sides;
  switch (failOn) {
    case 'added':
      return counted(
        diff.connections.filter((c) => !isEmptyPorts(c.added) || l7Lost(c)),
        after,
        'newly allowed or widened',
      );
    case 'removed':
      return counted(
        diff.connections.filter((c) => !isEmptyPorts(c.removed) || l7Gained(c)),
        before,
        'no longer allowed or narrowed',
      );
    case 'any':
      return diff.connections.length === 0
        ? undefined
        : `connectivity changed: ${changeCounts(diff)} (--fail-on any)`;
  }
}

/** Reports problems of a load as `loadInput` does, and returns the state or throws a UserError. */

interface Side {
  state: ClusterState;
  label: string;
}

async function loadRevisions(
  range: string,
  paths: readonly string[],
  options: DiffOptions,
  io: Io,
): Promise<[Side, Side]> {
  if (paths.length > 1) {
    throw new UserError(
      `--git takes one path inside the repository, got ${paths.length} (${paths.map((p) => `"${p}"`).join(', ')})`,
    );
  }
  const path = paths[0] ?? '.';
  if (path === '-')
    throw new UserError('--git reads the manifests from the repository: give a folder or file, not -');
  const parsed = parseRevisionRange(range);
  if (parsed.before === '' || parsed.after === '') {
    throw new UserError(`invalid revision range "${range}"; use A..B, A...B or a single revision`);
  }
  try {
    const repo = await locateInRepository(path);
    const shown = repo.path === '' ? '.' : repo.path;
    const afterCommit =
      parsed.after === undefined ? undefined : await resolveRevision(repo.root, parsed.after);
    let beforeCommit = await resolveRevision(repo.root, parsed.before);
    let beforeName = parsed.before;
    if (parsed.mergeBase && afterCommit !== undefined) {
      beforeCommit = await mergeBase(repo.root, beforeCommit, afterCommit);
      beforeName = await shortCommit(repo.root, beforeCommit);
    }
    type Read = Side & { revision: string; missing: boolean };
    const read = async (commit: string, revision: string): Promise<Read> => {
      const sources = await readSourcesAtRevision(repo, commit, revision);
      const state = loadSourcesInput(sources ?? [], options, io);
      return { state, label: `${revision}:${shown}`, revision, missing: sources === undefined };
    };
    const before = await read(beforeCommit, beforeName);
    let after: Read;
    if (afterCommit === undefined) {
      const state = await loadInput([path], options, io);
      after = { state, label: `${path} (working tree)`, revision: 'the working tree', missing: false };
    } else {
      after = await read(afterCommit, parsed.after!);
    }
    if (before.missing && after.missing) {
      throw new UserError(
        `"${shown}" exists at neither revision of ${range}; check the path (git ls-tree -r ${parsed.before})`,
      );
    }
    for (const side of [before, after]) {
      if (side.missing)
        io.stderr(`warning: "${shown}" does not exist at ${side.revision}: compared as empty\n`);
    }
    return [before, after];
  } catch (error) {
    if (error instanceof GitError) throw new UserError(error.message);
    throw error;
  }
}

/** `--cluster <path>`: the live cluster before, the manifests after (what applying them would change). */
async function loadClusterAndFolder(
  paths: readonly string[],
  options: DiffOptions,
  io: Io,
): Promise<[Side, Side]> {
  if (paths.length !== 1) {
    throw new UserError(
      `with --cluster, diff compares the live cluster with one set of manifests: give one path (got ${paths.length})`,
    );
  }
  const before = await loadInput([], options, io);
  const after = await loadInput(paths, fileOptions(options), io);
  const context =
    options.context === undefined ? 'live cluster' : `live cluster (context ${options.context})`;
  return [
    { state: before, label: context },
    { state: after, label: paths[0] === '-' ? '<stdin>' : paths[0]! },
  ];
}

async function loadFolders(paths: readonly string[], options: DiffOptions, io: Io): Promise<[Side, Side]> {
  if (paths.length !== 2) {
    throw new UserError(
      `diff compares two sets of manifests: give <before> <after> (got ${paths.length} path${paths.length === 1 ? '' : 's'}), or --git A..B [path]`,
    );
  }
  const [before, after] = paths as [string, string];
  if (before === '-' && after === '-')
    throw new UserError('only one side can be read from standard input (-)');
  const label = (p: string): string => (p === '-' ? '<stdin>' : p);
  return [
    { state: await loadInput([before], options, io), label: label(before) },
    { state: await loadInput([after], options, io), label: label(after) },
  ];
}

export function diffCommand(io: Io, setExit: (code: number) => void): Command {
  const cmd = new Command('diff')
    .description(
      'Compare the connectivity of two sets of manifests (or two git revisions): connections added, removed and changed, and the policies that changed',
    )
    .argument(
      '[paths...]',
      '<before> <after>: files or folders (one may be - for standard input); with --git, one path in the repository; with --cluster, the manifests to compare the live cluster with',
    )
    .addOption(
      new Option('-o, --output <format>', 'output format').choices(['txt', 'json', 'md']).default('txt'),
    )
    .addOption(
      new Option('--granularity <level>', 'compare per workload or per pod')
        .choices(['workload', 'pod'])
        .default('workload'),
    )
    .addOption(
      new Option(
        '--fail-on <change>',
        'exit 1 when connectivity changes: added (newly allowed ports), removed (no longer allowed), any',
      ).choices(['added', 'removed', 'any']),
    )
    .option('--exit-code', 'exit 1 when connectivity changed, 0 when not (as git diff --exit-code)', false)
    .option(
      '--git <range>',
      'compare revisions of a repository path: A..B, A...B (merge base of A and B, to B), or A (to the working tree)',
    )
    .option(
      '--vs-cni <profile>',
      'compare two CNIs on the same manifests (or --cluster): what --cni allows (before) against what this profile allows (after), e.g. --cni calico --vs-cni cilium@1.15 (docs/cni.md)',
    )
    .addOption(
      new Option('--vs-cni-option <key=value>', 'override one setting of the --vs-cni profile (repeatable)')
        .argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value])
        .default([]),
    );
  addInputOptions(cmd);
  cmd.action(async (paths: string[], options: DiffOptions) => {
    // Both sides usually print the same notices ("Ignored 15 objects of other kinds"): once is enough.
    const printed = new Set<string>();
    const once =
      (write: (text: string) => void) =>
      (text: string): void => {
        if (printed.has(text)) return;
        printed.add(text);
        write(text);
      };
    const loadIo: Io = {
      ...io,
      stderr: once((text) => io.stderr(text)),
      note: once((text) => note(io, text)),
    };
    if (options.vsCni !== undefined) {
      await diffProfiles(paths, options, loadIo, io, setExit);
      return;
    }
    if (options.vsCniOption.length > 0) {
      throw new UserError(
        `--vs-cni-option "${options.vsCniOption[0]}" sets a setting of the --vs-cni profile: give --vs-cni <profile> too (or use --cni-option for --cni)`,
      );
    }
    if (options.git !== undefined && options.cluster === true) {
      throw new UserError('--git and --cluster are two different "before" sides: give one of them');
    }
    const [before, after] =
      options.git !== undefined
        ? await loadRevisions(options.git, paths, options, loadIo)
        : options.cluster === true
          ? await loadClusterAndFolder(paths, options, loadIo)
          : await loadFolders(paths, options, loadIo);
    checkSomethingToCompare([before.state, after.state], options);
    const engine = engineOptions(options);
    const diff = openSession(before.state, engine).diff(
      openSession(after.state, engine),
      options.granularity,
    );
    report(diff, { before: before.label, after: after.label }, options, io, setExit);
  });
  return cmd;
}

/**
 * A gate (`--fail-on`, `--exit-code`) where no side has a workload or a pod (the wrong folder of a repository,
 * or policies without their workloads) compares 0 connections with 0: it would always pass, so it is exit 2.
 * Without a gate the report is an answer.
 */
function checkSomethingToCompare(states: readonly ClusterState[], options: DiffOptions): void {
  if (options.failOn === undefined && !options.exitCode) return;
  if (states.some((s) => s.workloads.length + s.pods.length > 0)) return;
  throw new UserError(
    `nothing to compare: ${states.length === 1 ? 'the input has no' : 'neither side has a'} workload, so no connection can change; a gate with nothing to check does not pass (give the manifests of the workloads too)`,
  );
}

/** Prints the diff, and sets the exit status as `--fail-on` and `--exit-code` ask. */
function report(
  diff: ClusterDiff,
  labels: DiffLabels,
  options: DiffOptions,
  io: Io,
  setExit: (code: number) => void,
): void {
  io.stdout(formatDiff(diff, labels, options.output));
  const failed = options.failOn === undefined ? undefined : failure(diff, options.failOn);
  if (failed !== undefined) io.stderr(`netfence: ${failed}\n`);
  const changed = options.exitCode && diff.connections.length > 0;
  setExit(failed === undefined && !changed ? ExitCode.Ok : ExitCode.CheckFailed);
}

/**
 * `--vs-cni`: one state (every path given read together, as `analyze` reads them, or `--cluster`), read by two
 * CNI profiles: the connections on which they disagree, as a diff from the `--cni` profile (before) to the
 * `--vs-cni` one (after).
 */
async function diffProfiles(
  paths: readonly string[],
  options: DiffOptions,
  loadIo: Io,
  io: Io,
  setExit: (code: number) => void,
): Promise<void> {
  if (options.git !== undefined) throw new UserError('--vs-cni compares two CNIs on one state: drop --git');
  if (options.vsCni === 'auto' && options.cni !== 'auto') {
    throw new UserError(
      '--vs-cni auto is not read from the cluster: use --cni auto --vs-cni <profile> (the order of the sides swaps)',
    );
  }
  const state = await loadInput(paths, options, loadIo);
  checkSomethingToCompare([state], options);
  const vsOptions = { ...options, cni: options.vsCni ?? 'upstream', cniOption: options.vsCniOption };
  if (vsOptions.cni !== 'auto') {
    warnUnenforcedClusterPolicies(state, vsOptions, loadIo);
    warnIgnoredFields(state, vsOptions, loadIo);
  }
  const before = engineOptions(options);
  const after = engineOptions(vsOptions);
  const diff = openSession(state, before).diff(openSession(state, after), options.granularity);
  const name = (engine: EngineOptions, flag: string): string =>
    engine.cni === undefined ? `${flag} upstream` : `${flag} ${profileName(engine.cni)}`;
  report(diff, { before: name(before, '--cni'), after: name(after, '--vs-cni') }, options, io, setExit);
}
