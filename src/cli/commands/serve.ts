/**
 * `netfence serve`: the web UI on a local HTTP server. Loads the input once (files, or the live cluster),
 * serves the app and its API, and with `--watch` reloads when the input changes and pushes the change to
 * the page. Runs until interrupted.
 */
import { loadLintConfig } from '../options/lint-config.ts';
import { plural } from '../../format/plural.ts';
import { policyCounts } from '../../format/connectivity.ts';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { hostname } from 'node:os';
import { Command, Option } from 'commander';
import { CONFIG_FILE, type LintConfig } from '../../lint/config.ts';
import type { ClusterState } from '../../model/cluster.ts';
import type { Analysis } from '../../server/analysis.ts';
import {
  isLoopback,
  Session,
  startServer,
  type ReloadProblem,
  type RunningServer,
} from '../../server/http.ts';
import { errorCode } from '../../base/error-code.ts';
import { parseDuration } from '../options/cluster.ts';
import { addInputOptions } from '../options/input.ts';
import { ExitCode, UserError, firstOf, type Io } from '../io.ts';
import { loadAnalysis, uiAssets, type AnalysisOptions } from '../web.ts';
import { addFlowOptions } from '../options/flows.ts';

export interface ServeOptions extends AnalysisOptions {
  host: string;
  port: number;
  open: boolean;
  watchInterval: number;
}

function parsePort(text: string): number {
  const t = text.trim();
  if (!/^\d+$/.test(t) || Number(t) > 65535)
    throw new UserError(`invalid --port "${text}": give a port from 1 to 65535, or 0 for a free one`);
  return Number(t);
}

/** Opens a URL in the desktop's browser; says so when it cannot. */
function openBrowser(url: string, io: Io): void {
  const yourself = `open ${url} yourself`;
  const env = io.env;
  if (process.platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY && !env.BROWSER) {
    io.stderr(
      `netfence: no browser to open here (no display: DISPLAY and WAYLAND_DISPLAY are unset): ${yourself}\n`,
    );
    return;
  }
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', url]]
        : ['xdg-open', [url]];
  try {
    const child = spawn(command, args, { stdio: 'ignore', detached: true });
    child.on('error', () =>
      io.stderr(`netfence: could not open a browser (${command} not found): ${yourself}\n`),
    );
    // xdg-open runs, but finds no browser: it says so only by its exit code.
    child.on('exit', (code) => {
      if (code !== null && code !== 0)
        io.stderr(`netfence: could not open a browser (${command} exited with ${code}): ${yourself}\n`);
    });
    child.unref();
  } catch {
    io.stderr(`netfence: could not open a browser: ${yourself}\n`);
  }
}

/** An Io whose stderr is collected (for reload problems) and also printed. */
function collecting(io: Io): { io: Io; lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    io: {
      ...io,
      stderr: (text) => {
        lines.push(...text.split('\n').filter((l) => l.trim() !== ''));
        io.stderr(text);
      },
    },
  };
}

/** Reloads on change: file events for files, polling for a cluster. Returns a function that stops it. */
function startWatching(
  paths: readonly string[],
  options: ServeOptions,
  io: Io,
  session: Session,
  lintConfig: LintConfig,
): () => void {
  let version = session.version;
  let running = false;
  let again = false;
  const first = session.analysis;
  let fingerprint =
    options.cluster === true && first !== undefined ? stateFingerprint(first.input.state) : '';
  const reload = async (): Promise<void> => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      const c = collecting(io);
      try {
        const analysis = await loadAnalysis(paths, options, c.io, lintConfig, version + 1);
        if (options.cluster === true) {
          const next = stateFingerprint(analysis.input.state);
          // Unchanged: nothing to push, unless the last poll failed and the page still shows that problem.
          if (next === fingerprint && session.problem === undefined && session.analysis !== undefined) return;
          fingerprint = next;
        }
        version++;
        session.update(analysis);
        io.stderr(
          `netfence: reloaded (${plural(analysis.input.state.workloads.length, 'workload')}, ${policyCounts(analysis.input.state)})\n`,
        );
      } catch (error) {
        if (!(error instanceof UserError)) throw error;
        io.stderr(`netfence: ${error.message}\n`);
        session.fail({ message: error.message, details: c.lines });
      }
    } finally {
      running = false;
      if (again) {
        again = false;
        void reload();
      }
    }
  };
  if (options.cluster === true) {
    const timer = setInterval(() => void reload(), options.watchInterval);
    return () => clearInterval(timer);
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const schedule = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => void reload(), 300);
  };
  const watchers: FSWatcher[] = [];
  for (const p of paths) {
    try {
      watchers.push(watch(p, { recursive: true }, schedule));
    } catch {
      for (const w of watchers) w.close();
      throw new UserError(`--watch: cannot watch "${p}": check that it exists`);
    }
  }
  return () => {
    if (timer !== undefined) clearTimeout(timer);
    for (const w of watchers) w.close();
  };
}

/** Compares two states read from a cluster, ignoring nothing that the analysis reads. */
function stateFingerprint(state: ClusterState): string {
  return JSON.stringify(state, (key, value: unknown) => (key === 'origin' ? undefined : value));
}

/**
 * Runs the server until `until` resolves (Ctrl+C for the command). Prints the URL on stdout once it listens.
 * Exported for tests, which pass their own `until`.
 */
export async function serve(
  paths: readonly string[],
  options: ServeOptions,
  io: Io,
  until: (server: RunningServer) => Promise<void>,
): Promise<void> {
  if (options.watch && paths.includes('-'))
    throw new UserError('--watch cannot watch standard input: give files, or --cluster');
  if (options.cluster === true && options.watch && options.watchInterval < 1000)
    throw new UserError('--watch-interval: poll the cluster at most once a second (1s)');
  const lintConfig = await loadLintConfig(options.config, io);
  const first = await firstAnalysis(paths, options, io, lintConfig);
  const exposed = !isLoopback(options.host);
  const token = exposed ? randomBytes(24).toString('base64url') : undefined;
  const session = new Session(first.analysis, first.problem);
  // Watching starts before the server, so that a path it cannot watch refuses to start (nothing to close).
  let stopWatching = (): void => undefined;
  try {
    if (options.watch) stopWatching = startWatching(paths, options, io, session, lintConfig);
  } catch (error) {
    session.analysis?.close();
    throw error;
  }
  let server: RunningServer;
  try {
    const assets = await uiAssets(io);
    server = await startServer({ host: options.host, port: options.port, token, assets, session });
  } catch (error) {
    stopWatching();
    session.analysis?.close();
    const code = errorCode(error);
    if (code === 'EADDRINUSE')
      throw new UserError(
        `port ${options.port} is in use: pick another with --port, or --port 0 for a free one`,
      );
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND')
      throw new UserError(`--host "${options.host}" is not an address of this machine`);
    if (code === 'EACCES') throw new UserError(`port ${options.port} needs privileges: pick one above 1023`);
    throw error;
  }
  if (first.analysis !== undefined) {
    const state = first.analysis.input.state;
    io.stderr(
      `${first.analysis.input.source.description}: ${plural(state.workloads.length, 'workload')} in ${plural(state.namespaces.length, 'namespace')}, ${policyCounts(state)}\n`,
    );
  } else
    io.stderr('netfence: waiting for the input to load (--watch): the page shows the problem until then\n');
  let url = server.url;
  if (exposed && (options.host === '0.0.0.0' || options.host === '::')) {
    url = `http://${hostname()}:${server.port}/?token=${token!}`;
    io.stderr(`Listening on every interface (port ${server.port}); the access token is required.\n`);
  } else if (exposed) io.stderr('Listening beyond this machine: the access token in the URL is required.\n');
  io.stdout(`netfence serve: open ${url}\n`);
  io.stderr('Press Ctrl+C to stop.\n');
  if (options.open) openBrowser(url, io);
  try {
    await until(server);
  } finally {
    stopWatching();
    await server.close();
    session.analysis?.close();
  }
}

/**
 * The analysis to start with. Without --watch an input that does not load refuses to start; with --watch the
 * server starts anyway, shows the problem, and analyses the input as soon as it loads (as after a later change).
 */
async function firstAnalysis(
  paths: readonly string[],
  options: ServeOptions,
  io: Io,
  lintConfig: LintConfig,
): Promise<{ analysis: Analysis | undefined; problem?: ReloadProblem }> {
  if (!options.watch) return { analysis: await loadAnalysis(paths, options, io, lintConfig, 1) };
  const c = collecting(io);
  try {
    return { analysis: await loadAnalysis(paths, options, c.io, lintConfig, 1) };
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    io.stderr(`netfence: ${error.message}\n`);
    return { analysis: undefined, problem: { message: error.message, details: c.lines } };
  }
}

/** Resolves on Ctrl+C or SIGTERM. */
function interrupted(): Promise<void> {
  return firstOf(process, ['SIGINT', 'SIGTERM']);
}

export function serveCommand(io: Io, setExit: (code: number) => void): Command {
  const cmd = new Command('serve')
    .description(
      'Open the web UI: connectivity graph, traffic, matrix, findings, attack paths and what-if editing',
    )
    .argument('[paths...]', 'manifest files or folders (YAML or JSON), or - for standard input')
    .addOption(
      new Option(
        '--host <address>',
        'address to listen on; anything but loopback requires an access token',
      ).default('127.0.0.1'),
    )
    .addOption(
      new Option('--port <n>', 'port to listen on (0: a free one)')
        .default(0, 'a free port')
        .argParser(parsePort),
    )
    .option('--open', 'open the page in a browser', false)
    .option(
      '--watch',
      'reload when the files change (with --cluster: poll the cluster) and update the page',
      false,
    )
    .addOption(
      new Option('--watch-interval <duration>', 'with --cluster --watch: how often to read the cluster')
        .default(10_000, '10s')
        .argParser(parseDuration),
    )
    .option(
      '-c, --config <file>',
      `lint configuration for the Findings view (default: ${CONFIG_FILE} here, if any)`,
    )
    .option('--no-config', `ignore ${CONFIG_FILE}`);
  addFlowOptions(cmd);
  addInputOptions(cmd);
  cmd.addHelpText(
    'after',
    `
The server answers on 127.0.0.1 only unless --host is given; then every request needs the random access token
printed in the URL. The what-if editor never writes to files or to the cluster.

Examples:
  netfence serve examples/webshop --open
  netfence serve examples/webshop --flows examples/flows/webshop-hubble.jsonl
  netfence serve --cluster -A --watch`,
  );
  cmd.action(async (paths: string[], options: ServeOptions) => {
    await serve(paths, options, io, () => interrupted());
    setExit(ExitCode.Ok);
  });
  return cmd;
}
