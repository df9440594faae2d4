/** `netfence paths`: attack paths and blast radius — how far a compromise in one workload can spread. */
import { Command, Option } from 'commander';
import {
  attackReach,
  blastRadius,
  buildLateralGraph,
  type AttackSources,
  type LateralGraph,
} from '../../engine/paths.ts';
import { resolveRefText, type RefIndex } from '../../engine/refs.ts';
import { externalId } from '../../engine/connectivity.ts';
import type { CompiledCluster } from '../../engine/compile.ts';
import { openSession } from '../../engine/session.ts';
import {
  formatPaths,
  rankRows,
  targetResults,
  type Node,
  type PathsFormat,
  type PathsReport,
  type SourceLabel,
  type Target,
} from '../../format/paths.ts';
import {
  addInputOptions,
  engineOptions,
  loadInput,
  noWorkloadToCheck,
  type InputOptions,
} from '../options/input.ts';
import { ExitCode, UserError, type Io } from '../io.ts';
import { collect } from '../options/values.ts';

interface PathsOptions extends InputOptions {
  output: PathsFormat;
  from: string[];
  to: string[];
  maxHops?: number;
  maxReach?: ReachLimit;
  top?: number;
}

/** `--max-reach`: a number of workloads, or a percentage of the other workloads. */
export type ReachLimit = { count: number } | { percent: number };

export function parseReachLimit(text: string): ReachLimit {
  const m = /^(\d+(?:\.\d+)?)(%?)$/.exec(text.trim());
  if (m?.[2] === '%' && Number(m[1]) > 100)
    throw new UserError(
      `invalid --max-reach "${text}": a percentage of the other workloads is at most 100% (100% allows every one)`,
    );
  if (m === null || (m[2] === '' && !/^\d+$/.test(m[1]!))) {
    throw new UserError(
      `invalid --max-reach "${text}": give a number of workloads (5) or a percentage (25%)`,
    );
  }
  return m[2] === '%' ? { percent: Number(m[1]) } : { count: Number(m[1]) };
}

function parseCount(flag: string): (text: string) => number {
  return (text) => {
    // 0 would show nothing, and make a --to gate that can never fail.
    if (!/^\d+$/.test(text.trim()) || Number(text) < 1)
      throw new UserError(`invalid ${flag} "${text}": give a whole number of at least 1, e.g. ${flag} 3`);
    return Number(text);
  };
}

/** Whether `reach` other workloads (out of `others`) is more than the limit allows. */
export function exceeds(limit: ReachLimit, reach: number, others: number): boolean {
  return 'count' in limit ? reach > limit.count : others > 0 && (100 * reach) / others > limit.percent;
}

function describeLimit(limit: ReachLimit): string {
  return 'count' in limit ? String(limit.count) : `${limit.percent}%`;
}

interface Resolved {
  sources: AttackSources;
  labels: SourceLabel[];
  /** Per reference, in order: the workloads and address classes it names. */
  groups: { text: string; workloads: number[]; addresses: number[] }[];
}

function resolveAll(index: RefIndex, graph: LateralGraph, refs: readonly string[], flag: string): Resolved {
  const workloads: number[] = [];
  const addresses: number[] = [];
  const labels: SourceLabel[] = [];
  const groups: Resolved['groups'] = [];
  for (const text of refs) {
    const result = resolveRefText(index, text);
    if (!result.ok) throw new UserError(`${flag} ${result.error.message}`);
    const group = { text: text.trim(), workloads: [] as number[], addresses: [] as number[] };
    for (const e of result.value.entities) {
      if (e.kind === 'external') group.addresses.push(e.address.id);
      else if (e.kind === 'workload') group.workloads.push(graph.workloadIndex.get(e.id)!);
    }
    group.workloads.sort((a, b) => a - b);
    group.addresses.sort((a, b) => a - b);
    workloads.push(...group.workloads);
    addresses.push(...group.addresses);
    groups.push(group);
    const kind = group.addresses.length > 0 ? 'addresses' : 'workloads';
    labels.push({ text: group.text, count: group.workloads.length + group.addresses.length, kind });
  }
  return {
    sources: { workloads: [...new Set(workloads)], addresses: [...new Set(addresses)].sort((a, b) => a - b) },
    labels,
    groups,
  };
}

export function pathsCommand(io: Io, setExit: (code: number) => void): Command {
  const cmd = new Command('paths')
    .description(
      'Attack paths and blast radius: what a compromised workload can reach over allowed connections, in how many hops; without --from, rank every workload by blast radius',
    )
    .argument('[paths...]', 'manifest files or folders (YAML or JSON), or - for standard input')
    .option(
      '--from <ref>',
      'compromised workload(s): ns/name, ns/*, a label selector (app=web), or a CIDR for an attacker outside the cluster; repeatable',
      collect,
      [],
    )
    .option(
      '--to <ref>',
      'targets (e.g. the databases: app.kubernetes.io/name=postgres): print the shortest attack path to each, and exit 1 when one is reachable; repeatable',
      collect,
      [],
    )
    .addOption(new Option('--max-hops <n>', 'follow at most n hops').argParser(parseCount('--max-hops')))
    .addOption(
      new Option(
        '--max-reach <n|n%>',
        'exit 1 when a workload (with --from: the compromised ones) reaches more than n workloads, or n% of the others',
      ).argParser(parseReachLimit),
    )
    .addOption(
      new Option('--top <n>', 'show only the n workloads of largest blast radius').argParser(
        parseCount('--top'),
      ),
    )
    .addOption(
      new Option('-o, --output <format>', 'output format').choices(['txt', 'json', 'md']).default('txt'),
    );
  addInputOptions(cmd);
  cmd.action(async (paths: string[], options: PathsOptions) => {
    const state = await loadInput(paths, options, io);
    const session = openSession(state, engineOptions(options));
    const compiled = session.compiled;
    const graph = buildLateralGraph(compiled);
    if (options.maxReach !== undefined && graph.workloads.length === 0)
      throw noWorkloadToCheck('--max-reach', state);
    const index = session.refs('workload');
    const name = (n: Node): string =>
      index.displayName('workload' in n ? graph.workloads[n.workload]!.id : externalId(n.address));
    if (options.top !== undefined && (options.from.length > 0 || options.to.length > 0)) {
      throw new UserError('--top limits the blast-radius ranking: use it without --from and --to');
    }
    const ctx: PathsContext = { compiled, graph, index, name, options };
    const { report, failed } =
      options.to.length > 0
        ? targetsReport(ctx)
        : options.from.length > 0
          ? reachReport(ctx)
          : rankReport(ctx);
    io.stdout(formatPaths(report, options.output));
    if (failed !== undefined) io.stderr(`netfence: ${failed}\n`);
    setExit(failed === undefined ? ExitCode.Ok : ExitCode.CheckFailed);
  });
  return cmd;
}

interface PathsContext {
  compiled: CompiledCluster;
  graph: LateralGraph;
  index: RefIndex;
  name: (n: Node) => string;
  options: PathsOptions;
}

/** The report, and why the command fails (a limit exceeded, a target reachable), if it does. */
interface Verdict {
  report: PathsReport;
  failed: string | undefined;
}

/** `--to` (with or without `--from`): the shortest attack path to each target. */
function targetsReport(ctx: PathsContext): Verdict {
  const { graph, index, name, options } = ctx;
  const maxHops = options.maxHops;
  let failed: string | undefined;
  const from = options.from.length > 0 ? resolveAll(index, graph, options.from, '--from:') : undefined;
  const sources: AttackSources = from?.sources ?? {
    workloads: [],
    addresses: graph.outside,
  };
  const to = resolveAll(index, graph, options.to, '--to:');
  // Each workload is a target of its own; the addresses of one reference are one target.
  const isSource = new Set(sources.workloads);
  const seen = new Set<number>();
  const targets: Target[] = [];
  for (const g of to.groups) {
    for (const workload of g.workloads) {
      if (isSource.has(workload) || seen.has(workload)) continue;
      seen.add(workload);
      targets.push({ workload });
    }
    if (g.addresses.length > 0) targets.push({ ref: g.text, addresses: g.addresses });
  }
  if (targets.length === 0) {
    throw new UserError(
      'every --to workload is also a --from workload: give targets other than the compromised workloads',
    );
  }
  const reach = attackReach(graph, sources, {
    exits: to.sources.addresses.length > 0,
    ...(maxHops === undefined ? {} : { maxHops }),
  });
  const report: PathsReport = { kind: 'targets', graph, name, from: from?.labels, reach, maxHops, targets };
  const reachable = targetResults(report).filter((r) => r.path !== undefined).length;
  if (reachable > 0)
    failed = `${reachable} of ${targets.length} target${targets.length === 1 ? '' : 's'} reachable`;
  return { report, failed };
}

/** `--from` alone: everything the compromised workloads reach, hop by hop. */
function reachReport(ctx: PathsContext): Verdict {
  const { graph, index, name, options } = ctx;
  const maxHops = options.maxHops;
  const total = graph.workloads.length;
  let failed: string | undefined;
  const from = resolveAll(index, graph, options.from, '--from:');
  const reach = attackReach(graph, from.sources, maxHops === undefined ? {} : { maxHops });
  const report: PathsReport = { kind: 'reach', graph, name, from: from.labels, reach, maxHops };
  if (options.maxReach !== undefined) {
    const reached = reach.distance.filter((d) => d > 0).length;
    const others = total - from.sources.workloads.length;
    if (exceeds(options.maxReach, reached, others)) {
      failed = `the compromised workloads reach ${reached} of ${others} others, more than --max-reach ${describeLimit(options.maxReach)}`;
    }
  }
  return { report, failed };
}

/** Neither: every workload ranked by blast radius, and what the outside world reaches. */
function rankReport(ctx: PathsContext): Verdict {
  const { graph, name, options } = ctx;
  const maxHops = options.maxHops;
  const total = graph.workloads.length;
  let failed: string | undefined;
  if (maxHops !== undefined)
    throw new UserError('--max-hops needs --from or --to: the ranking counts every hop');
  const fromOutside = attackReach(graph, {
    workloads: [],
    addresses: graph.outside,
  });
  const report: PathsReport = {
    kind: 'rank',
    graph,
    name,
    radius: blastRadius(graph),
    fromOutside,
    top: options.top,
  };
  if (options.maxReach !== undefined) {
    const limit = options.maxReach;
    const over = rankRows(report).filter((r) => exceeds(limit, r.radius.reach, total - 1));
    if (over.length > 0) {
      const worst = over[0]!.radius;
      failed = `${over.length} workload${over.length === 1 ? '' : 's'} reach more than --max-reach ${describeLimit(limit)} (the most: ${name({ workload: worst.workload })}, ${worst.reach})`;
    }
  }
  return { report, failed };
}
