/**
 * Connecting to a cluster: the kubeconfig (`--kubeconfig`, else `$KUBECONFIG`, else `~/.kube/config`, else
 * the in-cluster service account), the context, and the typed API clients with a request timeout.
 */
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { parse as parseYaml } from 'yaml';
import {
  AppsV1Api,
  BatchV1Api,
  CoreV1Api,
  CustomObjectsApi,
  DiscoveryV1Api,
  KubeConfig,
  NetworkingV1Api,
  Observable,
  type ConfigurationOptions,
  type ObservableMiddleware,
} from '@kubernetes/client-node';
import { errorCode } from '../base/error-code.ts';
import { readReason } from '../parse/index.ts';
import { ClusterError, describeError, type Attempt, type Target } from './errors.ts';

export interface ConnectOptions {
  /** `--kubeconfig`: a file. @default `$KUBECONFIG`, then `~/.kube/config`, then in-cluster */
  kubeconfig?: string | undefined;
  /** `--context`. @default the kubeconfig's current context */
  context?: string | undefined;
  /** Per-request timeout in milliseconds. @default 30000 */
  timeoutMs?: number | undefined;
  /** The environment (`KUBECONFIG`, `HOME`, `KUBERNETES_SERVICE_HOST`). */
  env: Readonly<Record<string, string | undefined>>;
}

export interface Connection extends Target {
  /** Where the configuration came from: a file, several, or `in-cluster`. */
  source: string;
  /** The context's namespace, when it sets one. */
  namespace: string | undefined;
  /** The user (kubeconfig entry name) of the context. */
  user: string;
  core: CoreV1Api;
  apps: AppsV1Api;
  batch: BatchV1Api;
  networking: NetworkingV1Api;
  /** EndpointSlices (the backends of Services without a selector, for Cilium's `toServices`). */
  discovery: DiscoveryV1Api;
  /** Custom resources: the cluster policy tiers of policy.networking.k8s.io. */
  custom: CustomObjectsApi;
  /** The kubeconfig, as loaded and with the context chosen (watches are made from it). */
  kubeConfig: KubeConfig;
  /** Options for one request: the timeout, and an extra header when given (the patch content type). */
  options(header?: { name: string; value: string }): ConfigurationOptions;
  /** Runs a request, turning any failure into a one-line `ClusterError`. */
  call<T>(attempt: Attempt, request: () => Promise<T>): Promise<T>;
}

export const DEFAULT_TIMEOUT_MS = 30_000;

function readKubeConfig(file: string, what: string): KubeConfig {
  const kc = new KubeConfig();
  try {
    kc.loadFromFile(file);
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0]! : String(error);
    throw new ClusterError(`cannot read ${what} "${file}": ${reason}`);
  }
  readTokenFiles(kc, file);
  resolveExecCommands(kc, file);
  return kc;
}

/**
 * A credential plugin named by a relative path (`users[].user.exec.command: ./bin/get-token`, with a path
 * separator) runs from the kubeconfig's folder, as kubectl runs it (client-go's `ResolveLocalPaths`); the client
 * library would run it from the working folder, which may be a checkout of someone else's manifests holding a
 * program of that name. A bare name (`aws`) is looked up on PATH, an absolute path is run as it is.
 */
function resolveExecCommands(kc: KubeConfig, file: string): void {
  const folder = dirname(resolve(file));
  kc.users = kc.users.map((u) => {
    const exec = u.exec as { command?: unknown } | undefined;
    const command = exec?.command;
    if (typeof command !== 'string' || !command.includes(sep) || isAbsolute(command)) return u;
    return { ...u, exec: { ...exec, command: join(folder, command) } };
  });
}

/**
 * `users[].user.tokenFile`, kubectl's field, which the client library does not know (it reads `token-file`):
 * the token is read from that file (relative to the kubeconfig, trimmed) for a user without a `token`.
 */
function readTokenFiles(kc: KubeConfig, file: string): void {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, 'utf8'));
  } catch {
    return; // the client read it: a file it reads is one this reads; nothing more to find otherwise
  }
  const users = (raw as { users?: unknown } | null)?.users;
  if (!Array.isArray(users)) return;
  for (const entry of users as { name?: unknown; user?: { tokenFile?: unknown; token?: unknown } }[]) {
    const tokenFile = entry?.user?.tokenFile;
    if (typeof tokenFile !== 'string' || tokenFile === '' || entry.user?.token !== undefined) continue;
    const path = resolve(dirname(file), tokenFile);
    let token: string;
    try {
      token = readFileSync(path, 'utf8').trim();
    } catch (error) {
      throw new ClusterError(
        `cannot read the tokenFile "${path}" of users[${String(entry.name)}] in ${file}: ${readReason(error, path)}`,
      );
    }
    kc.users = kc.users.map((u) => (u.name === entry.name ? { ...u, token } : u));
  }
}

function loadConfig(options: ConnectOptions): { kc: KubeConfig; source: string } {
  if (options.kubeconfig !== undefined) {
    if (!existsSync(options.kubeconfig))
      throw new ClusterError(`kubeconfig "${options.kubeconfig}" does not exist; check --kubeconfig`);
    return { kc: readKubeConfig(options.kubeconfig, 'kubeconfig'), source: options.kubeconfig };
  }
  const fromEnv = (options.env.KUBECONFIG ?? '').split(delimiter).filter((f) => f !== '');
  if (fromEnv.length > 0) {
    const present = fromEnv.filter((f) => existsSync(f));
    if (present.length === 0)
      throw new ClusterError(
        `no kubeconfig: KUBECONFIG names ${fromEnv.map((f) => `"${f}"`).join(', ')}, which ${fromEnv.length === 1 ? 'does' : 'do'} not exist; give --kubeconfig <file>`,
      );
    const kc = readKubeConfig(present[0]!, 'kubeconfig (from KUBECONFIG)');
    // As kubectl merges them: the first file that sets a value wins.
    for (const file of present.slice(1))
      kc.mergeConfig(readKubeConfig(file, 'kubeconfig (from KUBECONFIG)'), true);
    return { kc, source: present.join(delimiter) };
  }
  const home = options.env.HOME ?? options.env.USERPROFILE;
  const file = home === undefined ? undefined : join(home, '.kube', 'config');
  if (file !== undefined && existsSync(file)) return { kc: readKubeConfig(file, 'kubeconfig'), source: file };
  if (options.env.KUBERNETES_SERVICE_HOST !== undefined) {
    const kc = new KubeConfig();
    try {
      kc.loadFromCluster();
    } catch (error) {
      throw new ClusterError(
        `cannot use the in-cluster service account: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    return { kc, source: 'in-cluster' };
  }
  throw new ClusterError(
    `no kubeconfig: ${file === undefined ? '~/.kube/config' : `"${file}"`} does not exist and KUBECONFIG is not set; give --kubeconfig <file>`,
  );
}

/**
 * Why the credentials of the context cannot be had, in one line (the client gives a bare `spawn … ENOENT`, the
 * plugin's stderr, a JSON parse error, or an `ENOENT … open` of a certificate): `kc.applyOptions` reads the
 * files the kubeconfig names and runs its credential plugin before each request.
 */
export function credentialError(error: unknown, kc: KubeConfig, contextName: string): ClusterError {
  if (error instanceof ClusterError) return error;
  const user = kc.getCurrentUser();
  const name = user?.name ?? '';
  const e = (typeof error === 'object' && error !== null ? error : {}) as {
    syscall?: unknown;
    path?: unknown;
    message?: unknown;
  };
  const code = errorCode(error);
  const text = typeof e.message === 'string' ? e.message.replace(/\s*\n\s*/g, ' ').trim() : String(error);
  const head = `cannot get the credentials of context "${contextName}"`;
  // The plugin of `user.exec`, or of the older `auth-provider: { config: { exec } }` the client also runs.
  const exec = (user?.exec ??
    (user?.authProvider as { config?: { exec?: unknown } } | undefined)?.config?.exec) as
    { command?: unknown } | undefined;
  const command = exec?.command;
  if (typeof e.syscall === 'string' && e.syscall.startsWith('spawn')) {
    const plugin = typeof e.path === 'string' ? e.path : String(command);
    return code === 'ENOENT'
      ? new ClusterError(
          `${head}: its credential plugin "${plugin}" (users[${name}].user.exec.command) is not installed or not on PATH; install it, or choose another context with --context`,
        )
      : new ClusterError(
          `${head}: its credential plugin "${plugin}" cannot be run (${readReason(error, plugin)}); check users[${name}].user.exec.command of the kubeconfig`,
        );
  }
  if (typeof e.path === 'string' && code !== undefined)
    return new ClusterError(
      `${head}: cannot read "${e.path}" (${readReason(error, e.path)}); check the file paths of users[${name}] in the kubeconfig`,
    );
  if (typeof command === 'string') {
    if (error instanceof SyntaxError)
      return new ClusterError(
        `${head}: its credential plugin "${command}" printed no ExecCredential JSON (check users[${name}].user.exec of the kubeconfig)`,
      );
    const said = text === '' ? 'failed and printed nothing' : `failed: ${text}`;
    return new ClusterError(
      `${head}: its credential plugin "${command}" ${said} (log in again, or run the plugin yourself to see why)`,
    );
  }
  return new ClusterError(`${head}: ${text} (check users[${name}] in the kubeconfig)`);
}

/**
 * Makes every credential failure of `kc` (before any request, a watch's included) a one-line `ClusterError`:
 * its private `applyOptions` reads the user's files and runs its plugin for every kind of request.
 */
function explainCredentialFailures(kc: KubeConfig, contextName: string): void {
  const holder = kc as unknown as { applyOptions(opts: unknown): Promise<void> };
  const apply = holder.applyOptions.bind(kc);
  holder.applyOptions = async (opts) => {
    try {
      await apply(opts);
    } catch (error) {
      throw credentialError(error, kc, contextName);
    }
  };
}

function contextList(kc: KubeConfig): string {
  const names = kc.getContexts().map((c) => `"${c.name}"`);
  return names.length === 0 ? 'it has none' : `it has ${names.join(', ')}`;
}

/** Reads the kubeconfig and prepares the clients. No request is made yet. */
export function connect(options: ConnectOptions): Connection {
  const { kc, source } = loadConfig(options);
  if (options.context !== undefined) {
    if (kc.getContextObject(options.context) === null)
      throw new ClusterError(`context "${options.context}" is not in ${source}: ${contextList(kc)}`);
    kc.setCurrentContext(options.context);
  }
  const contextName = kc.getCurrentContext();
  const context = contextName === '' ? null : kc.getContextObject(contextName);
  if (context === null) {
    // A current-context naming no context (deleted, or the file merged from others) is not "no current context".
    const what =
      contextName === ''
        ? `${source} has no current context`
        : `the current context of ${source}, "${contextName}", is not among its contexts`;
    const how =
      kc.getContexts().length === 0
        ? 'add one with kubectl config set-context, or give another --kubeconfig'
        : 'choose one with --context <name>, or make one current with kubectl config use-context <name>';
    throw new ClusterError(`${what} (${contextList(kc)}): ${how}`);
  }
  const cluster = kc.getCurrentCluster();
  if (cluster === null)
    throw new ClusterError(
      `context "${contextName}" names cluster "${context.cluster}", which ${source} does not define`,
    );
  explainCredentialFailures(kc, contextName);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const target: Target = { server: cluster.server, context: contextName, timeoutMs };

  const middleware = (header?: { name: string; value: string }): ObservableMiddleware => ({
    pre: (request) => {
      request.setSignal(AbortSignal.timeout(timeoutMs));
      if (header !== undefined) request.setHeaderParam(header.name, header.value);
      return new Observable(Promise.resolve(request));
    },
    post: (response) => new Observable(Promise.resolve(response)),
  });

  return {
    ...target,
    source,
    namespace: context.namespace === undefined || context.namespace === '' ? undefined : context.namespace,
    user: context.user,
    core: kc.makeApiClient(CoreV1Api),
    apps: kc.makeApiClient(AppsV1Api),
    batch: kc.makeApiClient(BatchV1Api),
    networking: kc.makeApiClient(NetworkingV1Api),
    discovery: kc.makeApiClient(DiscoveryV1Api),
    custom: kc.makeApiClient(CustomObjectsApi),
    kubeConfig: kc,
    options: (header) => ({ middleware: [middleware(header)], middlewareMergeStrategy: 'append' }),
    async call<T>(attempt: Attempt, request: () => Promise<T>): Promise<T> {
      try {
        return await request();
      } catch (error) {
        throw describeError(error, attempt, target);
      }
    },
  };
}
