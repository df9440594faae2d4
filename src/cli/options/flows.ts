/** The flow option group (`--flows`, `--flows-format`) of map, generate, check-flows, lint, serve and report. */
import { stat } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import type { FlowFormat, FlowProgress, ObservedTraffic } from '../../flows/index.ts';
import { formatCount } from '../../base/text.ts';
import { withDidYouMean } from '../../base/suggest.ts';
import { pathMeant, whyMissing } from '../../parse/index.ts';
import type { HubbleNames } from '../../generate/dns-names.ts';
import type { ClusterState } from '../../model/cluster.ts';
import { UserError, note, type Io } from '../io.ts';
import { collect } from './values.ts';

export interface FlowOptions {
  flows: string[];
  flowsFormat: FlowFormat | 'auto';
}

/** `--flows FILE` (repeatable) and `--flows-format`, shared by map, generate and check-flows. */
export function addFlowOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option(
        '--flows <file>',
        'flow capture: Hubble JSON (hubble observe -o json / jsonpb), CSV or JSON Lines; repeatable; - for standard input',
      )
        .argParser(collect)
        .default([]),
    )
    .addOption(
      new Option('--flows-format <format>', 'format of the flow captures')
        .choices(['auto', 'hubble', 'csv', 'jsonl'])
        .default('auto'),
    );
}

/** A stream of standard input, when the Io offers one (so that millions of flows are never held in memory). */
type StreamingIo = Io & { stdinStream?: () => AsyncIterable<Uint8Array | string> };

function progressLine(p: FlowProgress): string {
  const pct =
    p.totalBytes !== undefined && p.totalBytes > 0 ? ` ${Math.floor((100 * p.bytes) / p.totalBytes)}%` : '';
  return `reading ${p.file}${pct} · ${formatCount(p.records)} records · ${formatCount(p.connections)} observed ports`;
}

/**
 * Reads the flow captures of `options.flows` against `state`; prints progress on a terminal and problems on
 * stderr; throws a UserError when an input cannot be read at all.
 */
/** Throws when no flows are given, or standard input is named for both; call it before reading anything. */
export function checkFlowOptions(options: FlowOptions, paths: readonly string[]): void {
  if (options.flows.length === 0) {
    throw new UserError(
      'no flows: give --flows FILE (Hubble JSON, CSV or JSON Lines), or --flows - for standard input',
    );
  }
  if (options.flows.filter((f) => f === '-').length > 1) {
    throw new UserError('standard input is named twice in --flows: it can be read once; give it once');
  }
  if (options.flows.includes('-') && paths.includes('-')) {
    throw new UserError(
      'standard input can carry the manifests or the flows, not both: give one of them as a file',
    );
  }
}

export async function loadFlows(
  options: FlowOptions,
  paths: readonly string[],
  state: ClusterState,
  io: Io,
  read: { verdicts?: boolean; names?: HubbleNames } = {},
): Promise<ObservedTraffic> {
  checkFlowOptions(options, paths);
  // The flow readers are loaded when there are flows to read: lint and serve take these options too.
  const { readFlows, STDIN_FLOWS, inflatedIfGzip } = await import('../../flows/index.ts');
  let lastDraw = 0;
  let drawn = false;
  const onProgress = io.isTTY
    ? (p: FlowProgress): void => {
        const now = Date.now();
        if (now - lastDraw < 200) return;
        lastDraw = now;
        drawn = true;
        io.stderr(`\r\u001b[K${progressLine(p)}`);
      }
    : undefined;
  const streaming = (io as StreamingIo).stdinStream;
  const stdin = streaming ?? (() => io.readStdin());
  const names = read.names;
  const traffic = await readFlows(options.flows, state, {
    // Standard input is read once: what Hubble says beside the connections is taken from it as it streams by.
    readStdin:
      names === undefined
        ? stdin
        : () => {
            // Compressed standard input: the names are read from what it inflates to.
            const source = stdin();
            return tapped(source instanceof Promise ? source : inflatedIfGzip(source), names);
          },
    ...(options.flowsFormat === 'auto' ? {} : { format: options.flowsFormat }),
    ...(onProgress === undefined ? {} : { onProgress }),
    ...(read.verdicts === true ? { verdicts: true } : {}),
  });
  if (drawn) io.stderr('\r\u001b[K');
  for (const n of traffic.notices) note(io, `${n}\n`);
  for (const p of traffic.problems) io.stderr(`${p.file}:${p.line}: warning: ${p.message} (line skipped)\n`);
  const more = traffic.stats.invalid - traffic.problems.length;
  if (more > 0) io.stderr(`… and ${formatCount(more)} more unreadable lines\n`);
  if (traffic.errors.length > 0) {
    const [first] = traffic.errors;
    if (traffic.errors.length === 1 && first !== undefined) {
      const where = first.file === STDIN_FLOWS ? 'standard input' : first.file;
      throw new UserError(`flows: ${flowErrorLine(first, where, STDIN_FLOWS)}`);
    }
    for (const e of traffic.errors) io.stderr(`${flowErrorLine(e, e.file, STDIN_FLOWS)}\n`);
    throw new UserError(`${traffic.errors.length} flow inputs could not be read (listed above)`);
  }
  return traffic;
}

/**
 * One flow input's error, after where it is (`where:line: message`); a message that names the file already
 * (`cannot read "x.csv": it does not exist`) is not preceded by it.
 */
function flowErrorLine(
  e: { file: string; line: number; message: string },
  where: string,
  stdin: string,
): string {
  const message = withFileMeant(e, stdin);
  if (e.line === 0 && e.message.startsWith(`cannot read "${e.file}"`)) return message;
  return `${where}${e.line > 0 ? `:${e.line}` : ''}: ${message}`;
}

/**
 * A flow file that does not exist (`webshop.cvs`): its message, with why when that can be said (a broken symbolic
 * link, a file in its path), else naming the file beside it meant, if any.
 */
function withFileMeant(e: { file: string; line: number; message: string }, stdin: string): string {
  const missing = ': it does not exist';
  if (e.line > 0 || e.file === stdin || !e.message.endsWith(missing)) return e.message;
  const why = whyMissing(e.file);
  if (why !== undefined) return `${e.message.slice(0, -missing.length)}: ${why}`;
  return withDidYouMean(e.message, pathMeant(e.file));
}

/** One line on stderr about in-cluster endpoints that match nothing, for the formats that do not show them. */
export function reportUnmatched(traffic: ObservedTraffic, io: Io): void {
  if (traffic.unmatched.length === 0) return;
  // Records, not endpoints' records summed: a flow whose two ends match no workload is one flow left out.
  const flows = traffic.stats.unmatched;
  const shown = traffic.unmatched
    .slice(0, 3)
    .map((u) => u.description)
    .join(', ');
  const rest = traffic.unmatched.length > 3 ? ` and ${traffic.unmatched.length - 3} more` : '';
  const n = traffic.unmatched.length;
  io.stderr(
    `warning: ${formatCount(n)} in-cluster endpoint${n === 1 ? '' : 's'} match${n === 1 ? 'es' : ''} no workload of the input, ${formatCount(flows)} flow${flows === 1 ? '' : 's'} left out: ${shown}${rest}\n`,
  );
}

/** `source` as it is, after handing its text to `names` piece by piece. */
export function tapped(
  source: Promise<string> | AsyncIterable<Uint8Array | string>,
  names: HubbleNames,
): Promise<string> | AsyncIterable<Uint8Array | string> {
  if (source instanceof Promise) {
    return source.then((text) => {
      names.text(text);
      names.end();
      return text;
    });
  }
  return (async function* () {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of source) {
        names.text(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
        yield chunk;
      }
    } finally {
      // Also when the reader stops early: the line carried over from the last piece is read too.
      names.text(decoder.decode());
      names.end();
    }
  })();
}

/**
 * Streams the flow files (plain or gzip) line by line into `names`, for what Hubble's records say beside the
 * connections: DNS names, reserved identities. Standard input (`-`) is read once, by `loadFlows`, which hands
 * it to `names` when given them. A pipe given as a file (`--flows <(hubble observe …)`) was read once too, for
 * the flows: it is left out, and returned (the caller says so). A file that cannot be read was reported by
 * `loadFlows`: it is skipped here.
 */
export async function readHubbleNames(options: FlowOptions, names: HubbleNames): Promise<string[]> {
  const { fileLines } = await import('../../flows/index.ts');
  const pipes: string[] = [];
  for (const file of options.flows) {
    if (file === '-') continue;
    try {
      if (!(await stat(file)).isFile()) {
        pipes.push(file);
        continue;
      }
      await fileLines(file, (line) => names.line(line));
    } catch {
      // loadFlows said why.
    }
  }
  return pipes;
}

/**
 * A capture with no observed port of the manifests' workloads (a header-only CSV, a capture of another
 * cluster whose endpoints match no workload, replies alone) is an input error: nothing `purpose` needs was
 * read, and `consequence` says what going on would mean (a check that passes on nothing, policies that deny
 * everything). It names the records read and why none was counted: not "no flow", as replies and node-local
 * flows of the workloads are flows of them all the same.
 */
export function requireObserved(traffic: ObservedTraffic, purpose: string, consequence: string): void {
  if (traffic.connections.length > 0) return;
  const { stats } = traffic;
  const inputs = stats.files.map((f) => f.name).join(', ');
  const reasons = [
    [stats.unmatched, 'with an in-cluster end that matches no workload'],
    [stats.external, 'between two addresses outside the cluster'],
    [stats.nodeLocal, 'node-local (always allowed)'],
    [stats.otherProtocols, 'of a protocol policies cannot name'],
    [stats.replies, 'replies'],
    [stats.duplicates, 'repeat observations'],
    [stats.otherEvents, 'non-L3/L4 events'],
  ] as const;
  const why = reasons
    .filter(([n]) => n > 0)
    .map(([n, what]) => `${formatCount(n)} ${what}`)
    .join(', ');
  const read = stats.records === 0 ? '' : `, none counted${why === '' ? '' : ` (${why})`}`;
  throw new UserError(
    `no observed port of these manifests' workloads ${purpose}: ${inputs} ${stats.files.length === 1 ? 'holds' : 'hold'} ${formatCount(stats.records)} record${stats.records === 1 ? '' : 's'}${read}; ${consequence}: give a capture of the workloads of these manifests`,
  );
}
