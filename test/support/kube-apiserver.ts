// Test harness: a real etcd + kube-apiserver on loopback, for integration tests.
//
// The binaries come from scripts/kube-binaries.sh (built from Go modules into
// ${NETFENCE_KUBE_CACHE:-~/.cache/netfence/kube}/<k8s-version>/bin) or from the
// directory in NETFENCE_KUBE_BIN. When they are absent, apiServerBinaries()
// returns a reason that tests pass to `{ skip }`.
//
// startApiServer() runs etcd and kube-apiserver in a fresh temp dir with:
//   - token auth: an admin token (group system:masters) and a read-only token
//     for the user `netfence-reader`;
//   - RBAC authorization, with deploy/rbac/netfence-readonly.yaml applied;
//   - kubeconfig files for both users;
// and stop() kills both processes and removes the temp dir. The processes are
// also killed when the test process exits.
//
// Its waits (etcd healthy, /readyz, the RBAC in force, a restart) give up on what
// the server does, not on the time by the clock, which a loaded machine stretches:
// at once when a process exits, when the one waited for used a lot of CPU time
// without getting there (a loop) or none for a minute (a hang), and only as a last
// resort after minutes by the clock (`Patience`). Each failure quotes its log.
//
// Plain Node (no dependencies): TLS goes through node:https with the
// self-signed serving cert that kube-apiserver writes into --cert-dir as CA.

import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { errorCode } from '../../src/base/error-code.ts';
import { freePorts } from './ports.ts';
import { cpuTimeOfTree } from './progress.ts';

export interface ApiServerBinaries {
  apiserver: string;
  etcd: string;
}

export interface ApiServerOptions {
  /** Binaries to run; default: apiServerBinaries(), throwing if they are absent. */
  binaries?: ApiServerBinaries;
  /** When a wait of the start-up (or of restartApiServer()) gives up on a server still running: DEFAULT_PATIENCE. */
  patience?: Partial<Patience>;
  /** RBAC manifest applied after start-up. Default deploy/rbac/netfence-readonly.yaml; null: none. */
  rbacManifest?: string | null;
  /** More RBAC manifests to apply after `rbacManifest` (e.g. deploy/rbac/netfence-deployer.yaml). */
  extraRbacManifests?: string[];
  /** More token users (with a kubeconfig each), e.g. `{ name: 'netfence-deployer' }` or a user with no rights. */
  users?: { name: string; groups?: string[] }[];
  /** Extra kube-apiserver flags (appended, so they override the defaults). */
  extraApiServerArgs?: string[];
  /** Keep the temp dir (logs, certs, kubeconfigs) after stop(). Also NETFENCE_KEEP_KUBE_DIR=1. */
  keepDir?: boolean;
  /**
   * Where the ports come from: `n` distinct ports, free when picked (default freePorts of test/support/ports.ts,
   * below the kernel's ephemeral range, so that a restart finds its port free again). A test gives ports already
   * taken to see the start-up pick others.
   */
  pickPorts?: (n: number) => Promise<number[]>;
}

/**
 * When a wait on etcd or kube-apiserver gives up while the process waited for still runs (one that exits fails it
 * at once). Its start-up took 0.2 s (etcd) and 1.5 s (kube-apiserver) of CPU time at a load of 11 on 2 cores.
 */
export interface Patience {
  /** CPU time the process may use in one wait without getting there: a loop (Linux; elsewhere only `capMs`). */
  cpuMs: number;
  /** How long it may use no CPU time at all in one wait: a hang. */
  idleMs: number;
  /** The last resort by the clock, for the start-up's waits together (and for a restart's). */
  capMs: number;
}

/**
 * The clock's last resort is 9 minutes, under the test runner's 10 for a file: at a load of ~40 on 2 cores a
 * start-up still making progress took more than 5 (round 17), and failing it cancels every test of its file.
 */
export const DEFAULT_PATIENCE: Patience = { cpuMs: 120_000, idleMs: 60_000, capMs: 540_000 };

export interface ApiResponse {
  status: number;
  /** Raw response body. */
  text: string;
  /** Parsed JSON body, or undefined if the body is not JSON. */
  json: unknown;
}

export interface ApiRequestOptions {
  /** Bearer token; default the admin token. */
  token?: string;
  /** Request body: a string is sent as is, anything else as JSON. */
  body?: unknown;
  /** Content-Type; default application/json when there is a body. */
  contentType?: string;
}

export interface ApiServer {
  /** https://127.0.0.1:<port> */
  url: string;
  /** Path of a kubeconfig file for the admin user (system:masters). */
  adminKubeconfig: string;
  /** Path of a kubeconfig file for the user netfence-reader (read-only RBAC). */
  readonlyKubeconfig: string;
  adminToken: string;
  readonlyToken: string;
  /** The users of `options.users`, by name: their token and kubeconfig file. */
  users: Record<string, { token: string; kubeconfig: string }>;
  /** The temp dir holding etcd data, certs, logs and kubeconfigs. */
  dir: string;
  /** PEM of the serving certificate chain (trust anchor for `url`). */
  ca: string;
  /** False when the CA could not be used and TLS verification is switched off. */
  tlsVerified: boolean;
  /** Minimal HTTPS client for the API: request('GET', '/api/v1/pods', { token }). */
  request(method: string, apiPath: string, opts?: ApiRequestOptions): Promise<ApiResponse>;
  /**
   * Makes `attempt` again (every 100 ms) until `done` holds of its result, and returns that result: a wait for
   * what follows a request a moment later (an informer, a watch, an authorizer). No count of tries: it fails,
   * with `what` of the last result, once kube-apiserver exits or is stuck (`patience`), or at the last resort of
   * `patience.capMs` by the clock.
   */
  until<T>(attempt: () => Promise<T>, done: (result: T) => boolean, what: (last: T) => string): Promise<T>;
  /**
   * Stop kube-apiserver (SIGTERM; etcd keeps the data) and start it again on the same port (free still: picked below
   * the ephemeral range, test/support/ports.ts); resolves when ready.
   */
  restartApiServer(): Promise<void>;
  /** Kill kube-apiserver and etcd and remove `dir` (idempotent). */
  stop(): Promise<void>;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');
export const defaultRbacManifest: string = path.join(repoRoot, 'deploy', 'rbac', 'netfence-readonly.yaml');

const READONLY_USER = 'netfence-reader';

// ---------------------------------------------------------------------------
// Finding the binaries

export function kubeCacheDir(): string {
  return (
    process.env.NETFENCE_KUBE_CACHE ||
    path.join(process.env.NETFENCE_CACHE || path.join(os.homedir(), '.cache', 'netfence'), 'kube')
  );
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function parseVersion(name: string): number[] | null {
  const m = /^v?(\d+)\.(\d+)\.(\d+)$/.exec(name);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : null;
}

function compareVersions(a: number[], b: number[]): number {
  for (let i = 0; i < 3; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function binariesIn(dir: string): ApiServerBinaries | null {
  const apiserver = path.join(dir, 'kube-apiserver');
  const etcd = path.join(dir, 'etcd');
  return isExecutable(apiserver) && isExecutable(etcd) ? { apiserver, etcd } : null;
}

/**
 * Find kube-apiserver and etcd: the directory in NETFENCE_KUBE_BIN, else the
 * newest <version>/bin in the cache dir. Returns `{ skip: reason }` if absent.
 */
export function apiServerBinaries(): ApiServerBinaries | { skip: string } {
  const fromEnv = process.env.NETFENCE_KUBE_BIN;
  if (fromEnv) {
    return (
      binariesIn(fromEnv) ?? {
        skip: `NETFENCE_KUBE_BIN=${fromEnv} does not contain executable kube-apiserver and etcd`,
      }
    );
  }
  const cache = kubeCacheDir();
  let entries: string[] = [];
  try {
    entries = fs.readdirSync(cache);
  } catch {
    // no cache yet
  }
  const versions = entries
    .map((name) => ({ name, v: parseVersion(name) }))
    .filter((e): e is { name: string; v: number[] } => e.v !== null)
    .sort((a, b) => compareVersions(b.v, a.v));
  for (const { name } of versions) {
    const found = binariesIn(path.join(cache, name, 'bin'));
    if (found) return found;
  }
  return {
    skip:
      `kube-apiserver and etcd not found (looked in NETFENCE_KUBE_BIN and ${cache}/<version>/bin); ` +
      'build them with scripts/kube-binaries.sh',
  };
}

// ---------------------------------------------------------------------------
// Processes

const running = new Set<ChildProcess>();
/** Temp dirs to remove if the process exits before stop(). */
const tempDirs = new Set<string>();
let exitHooksInstalled = false;

function killAllNow(): void {
  for (const child of running) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  running.clear();
  for (const dir of tempDirs) {
    try {
      fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    } catch {
      // best effort
    }
  }
  tempDirs.clear();
}

function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  process.on('exit', killAllNow);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      killAllNow();
      // Re-raise with the default behaviour, unless someone else handles it.
      if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
    });
  }
}

interface Proc {
  child: ChildProcess;
  logFile: string;
  exited: Promise<void>;
  exitInfo: () => string | null;
}

function startProcess(name: string, bin: string, args: string[], dir: string): Proc {
  installExitHooks();
  const logFile = path.join(dir, `${name}.log`);
  const fd = fs.openSync(logFile, 'a');
  let info: string | null = null;
  const child = spawn(bin, args, { cwd: dir, stdio: ['ignore', fd, fd], env: { ...process.env } });
  fs.closeSync(fd);
  running.add(child);
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      info = signal ? `killed by ${signal}` : `exited with code ${String(code)}`;
      running.delete(child);
      resolve();
    });
    child.once('error', (err) => {
      info = `failed to start: ${err.message}`;
      running.delete(child);
      resolve();
    });
  });
  // Do not keep the test process alive because of the children: if a test
  // forgets stop(), the 'exit' hook still kills them.
  child.unref();
  return { child, logFile, exited, exitInfo: () => info };
}

async function stopProcess(p: Proc, graceMs: number): Promise<void> {
  if (p.exitInfo() !== null) return;
  p.child.kill('SIGTERM');
  const timer = setTimeout(() => p.child.kill('SIGKILL'), graceMs);
  await p.exited;
  clearTimeout(timer);
}

function tailLog(file: string, lines = 40): string {
  try {
    const all = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
    return all.slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The CPU time etcd or kube-apiserver may use while one try of a start-up wait (a health or readiness request)
 * has no answer, before that try is given up and made again: their whole start-up took 0.2 s and 1.5 s.
 */
const ONE_TRY_CPU_MS = 5_000;

/** How many sets of ports a start tries before it gives up (each lost to another process's bind). */
const PORT_TRIES = 5;

/** Whether a process exited because an address it was to listen on was taken (Go's `bind: address already in use`). */
function lostItsPort(p: Proc): boolean {
  return p.exitInfo() !== null && /address already in use/.test(tailLog(p.logFile, 200));
}

/**
 * One wait on the process `p`: call it at each try; it says why to give up (undefined: keep waiting). Once `p`
 * used `patience.cpuMs` of CPU time since the wait began, none for `patience.idleMs`, or, as the last resort, the
 * clock passed `deadline` (ms since the epoch).
 */
function progressOf(p: Proc, patience: Patience, deadline: number): () => string | undefined {
  const pid = p.child.pid;
  const cpu = (): number | undefined => (pid === undefined ? undefined : cpuTimeOfTree(pid));
  const base = cpu();
  let last = base;
  let lastChange = performance.now();
  return () => {
    const total = cpu();
    if (base !== undefined && total !== undefined) {
      const now = performance.now();
      if (total !== last) {
        last = total;
        lastChange = now;
      }
      const used = total - base;
      if (used >= patience.cpuMs) return `it used ${Math.round(used)} ms of CPU time in this wait`;
      if (now - lastChange >= patience.idleMs)
        return `it used no CPU time for ${Math.round(now - lastChange)} ms`;
    }
    if (Date.now() > deadline) return `still waiting at the last resort of ${patience.capMs} ms by the clock`;
    return undefined;
  };
}

/**
 * One try of a start-up wait (a health or readiness request): given up once `p` exits (the port asked may be
 * another process's that never answers), or used `ONE_TRY_CPU_MS` of CPU time, or none for `patience.idleMs`.
 */
function oneTryOf(p: Proc, patience: Patience, deadline: number): () => string | undefined {
  const progress = progressOf(p, { ...patience, cpuMs: ONE_TRY_CPU_MS }, deadline);
  return () => {
    const exit = p.exitInfo();
    return exit === null ? progress() : `it ${exit}`;
  };
}

// ---------------------------------------------------------------------------
// HTTPS client

interface TlsConfig {
  ca?: string;
  rejectUnauthorized: boolean;
}

/**
 * Calls `giveUp` (once) with the reason when `stuck` says one (polled every 250 ms). Returns the function that
 * stops polling. A request's own limit: never a time, always the server's progress (`progressOf`).
 */
function whenStuck(stuck: () => string | undefined, giveUp: (reason: string) => void): () => void {
  const timer = setInterval(() => {
    const reason = stuck();
    if (reason === undefined) return;
    clearInterval(timer);
    giveUp(reason);
  }, 250);
  return () => clearInterval(timer);
}

/**
 * One HTTPS request, with no limit by the clock: it fails when the connection does, or when `stuck` (a
 * `progressOf` of the server asked) says the server will not answer, with that reason.
 */
function httpsRequest(
  url: string,
  tls: TlsConfig,
  method: string,
  headers: Record<string, string>,
  body: string | undefined,
  stuck: () => string | undefined,
): Promise<ApiResponse> {
  let stop = (): void => undefined;
  return new Promise<ApiResponse>((resolve, reject) => {
    const req = https.request(
      url,
      {
        method,
        headers:
          body === undefined ? headers : { ...headers, 'Content-Length': String(Buffer.byteLength(body)) },
        ca: tls.ca,
        rejectUnauthorized: tls.rejectUnauthorized,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, text, json });
        });
      },
    );
    stop = whenStuck(stuck, (reason) => req.destroy(new Error(`${method} ${url}: no answer (${reason})`)));
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  }).finally(() => stop());
}

function isTlsVerifyError(err: unknown): boolean {
  const code = errorCode(err);
  return (
    code !== undefined &&
    /^(ERR_TLS_CERT_ALTNAME_INVALID|UNABLE_TO_|SELF_SIGNED_CERT|DEPTH_ZERO_SELF_SIGNED_CERT|CERT_)/.test(code)
  );
}

// ---------------------------------------------------------------------------
// Applying the RBAC manifest (server-side apply of each YAML document)

interface ManifestDoc {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  yaml: string;
}

const CLUSTER_SCOPED: Record<string, string> = {
  ClusterRole: 'clusterroles',
  ClusterRoleBinding: 'clusterrolebindings',
  Namespace: 'namespaces',
};

const NAMESPACED: Record<string, string> = {
  Role: 'roles',
  RoleBinding: 'rolebindings',
  ServiceAccount: 'serviceaccounts',
};

/** Just enough YAML reading to route each document: top-level apiVersion, kind, metadata.name/namespace. */
function splitManifest(text: string): ManifestDoc[] {
  const docs: ManifestDoc[] = [];
  for (const raw of text.split(/^---[ \t]*$/m)) {
    const meaningful = raw.split('\n').filter((l) => l.trim() !== '' && !l.trimStart().startsWith('#'));
    if (meaningful.length === 0) continue;
    const top = (key: string): string | undefined => {
      const m = new RegExp(`^${key}:[ \\t]*["']?([^"'#\\s]+)`, 'm').exec(raw);
      return m?.[1];
    };
    const meta = /^metadata:[ \t]*\n((?:[ \t]+.*\n?|[ \t]*\n)*)/m.exec(raw)?.[1] ?? '';
    const metaField = (key: string): string | undefined => {
      const m = new RegExp(`^[ \\t]{1,4}${key}:[ \\t]*["']?([^"'#\\s]+)`, 'm').exec(meta);
      return m?.[1];
    };
    const apiVersion = top('apiVersion');
    const kind = top('kind');
    const name = metaField('name');
    if (!apiVersion || !kind || !name) {
      throw new Error(`manifest document without apiVersion/kind/metadata.name:\n${raw}`);
    }
    const namespace = metaField('namespace');
    docs.push({ apiVersion, kind, name, ...(namespace !== undefined ? { namespace } : {}), yaml: raw });
  }
  return docs;
}

function resourcePath(doc: ManifestDoc): string {
  const base = doc.apiVersion.includes('/') ? `/apis/${doc.apiVersion}` : `/api/${doc.apiVersion}`;
  const cluster = CLUSTER_SCOPED[doc.kind];
  if (cluster) return `${base}/${cluster}/${encodeURIComponent(doc.name)}`;
  const plural = NAMESPACED[doc.kind] ?? `${doc.kind.toLowerCase()}s`;
  const ns = encodeURIComponent(doc.namespace ?? 'default');
  return `${base}/namespaces/${ns}/${plural}/${encodeURIComponent(doc.name)}`;
}

// ---------------------------------------------------------------------------
// Kubeconfig

function kubeconfig(url: string, user: string, token: string, ca: string, verified: boolean): string {
  const cluster = verified
    ? `    certificate-authority-data: ${Buffer.from(ca).toString('base64')}\n    insecure-skip-tls-verify: false\n`
    : '    insecure-skip-tls-verify: true\n';
  return (
    'apiVersion: v1\n' +
    'kind: Config\n' +
    'preferences: {}\n' +
    'clusters:\n' +
    '- name: netfence-test\n' +
    '  cluster:\n' +
    `    server: ${url}\n` +
    cluster +
    'users:\n' +
    `- name: ${user}\n` +
    '  user:\n' +
    `    token: ${token}\n` +
    'contexts:\n' +
    `- name: ${user}@netfence-test\n` +
    '  context:\n' +
    '    cluster: netfence-test\n' +
    `    user: ${user}\n` +
    `current-context: ${user}@netfence-test\n`
  );
}

// ---------------------------------------------------------------------------
// Start-up

/** Start etcd + kube-apiserver; resolves once /readyz is ok and the read-only RBAC is in force. */
export async function startApiServer(opts: ApiServerOptions = {}): Promise<ApiServer> {
  let binaries = opts.binaries;
  if (!binaries) {
    const found = apiServerBinaries();
    if ('skip' in found) throw new Error(found.skip);
    binaries = found;
  }
  const patience: Patience = { ...DEFAULT_PATIENCE, ...opts.patience };
  const deadline = Date.now() + patience.capMs;
  const keepDir = opts.keepDir ?? process.env.NETFENCE_KEEP_KUBE_DIR === '1';

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netfence-kube-'));
  installExitHooks();
  if (!keepDir) tempDirs.add(dir);
  const certDir = path.join(dir, 'certs');
  fs.mkdirSync(certDir, { mode: 0o700 });

  const procs: Proc[] = [];
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    // kube-apiserver first (it needs etcd to shut down cleanly), then etcd.
    for (const p of [...procs].reverse()) await stopProcess(p, 5000);
    if (!keepDir) fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    tempDirs.delete(dir);
  };

  try {
    // Credentials.
    const adminToken = randomBytes(24).toString('hex');
    const readonlyToken = randomBytes(24).toString('hex');
    const extraUsers = (opts.users ?? []).map((u) => ({ ...u, token: randomBytes(24).toString('hex') }));
    fs.writeFileSync(
      path.join(dir, 'tokens.csv'),
      `${adminToken},netfence-admin,netfence-admin,"system:masters"\n${readonlyToken},${READONLY_USER},${READONLY_USER}\n` +
        extraUsers
          .map(
            (u) =>
              `${u.token},${u.name},${u.name}${u.groups === undefined ? '' : `,"${u.groups.join(',')}"`}\n`,
          )
          .join(''),
      { mode: 0o600 },
    );
    // Service-account signing keys (node:crypto is OpenSSL underneath; no openssl CLI needed).
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const saKey = path.join(certDir, 'sa.key');
    const saPub = path.join(certDir, 'sa.pub');
    fs.writeFileSync(saKey, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    fs.writeFileSync(saPub, publicKey.export({ type: 'spki', format: 'pem' }));

    const pickPorts = opts.pickPorts ?? freePorts;

    // etcd, on two ports; started again on others when one was taken before it bound it.
    let etcd: Proc;
    let etcdUrl = '';
    ports: for (let attempt = 1; ; attempt++) {
      const [clientPort, peerPort] = (await pickPorts(2)) as [number, number];
      etcdUrl = `http://127.0.0.1:${clientPort}`;
      const peerUrl = `http://127.0.0.1:${peerPort}`;
      const started = startProcess(
        attempt === 1 ? 'etcd' : `etcd-${attempt}`,
        binaries.etcd,
        [
          '--name=netfence',
          // A data dir of its own: the last attempt's may hold the member it began with.
          `--data-dir=${path.join(dir, attempt === 1 ? 'etcd' : `etcd-${attempt}`)}`,
          `--listen-client-urls=${etcdUrl}`,
          `--advertise-client-urls=${etcdUrl}`,
          `--listen-peer-urls=${peerUrl}`,
          `--initial-advertise-peer-urls=${peerUrl}`,
          `--initial-cluster=netfence=${peerUrl}`,
          '--initial-cluster-state=new',
          '--unsafe-no-fsync',
          '--log-level=warn',
        ],
        dir,
      );
      procs.push(started);
      const stuck = progressOf(started, patience, deadline);
      for (;;) {
        if (lostItsPort(started) && attempt < PORT_TRIES) {
          procs.splice(procs.indexOf(started), 1);
          break;
        }
        if (started.exitInfo() !== null) {
          throw new Error(`etcd ${started.exitInfo() ?? ''}; last log lines:\n${tailLog(started.logFile)}`);
        }
        const oneTry = new AbortController();
        const stopTry = whenStuck(oneTryOf(started, patience, deadline), (r) => oneTry.abort(new Error(r)));
        try {
          const res = await fetch(`${etcdUrl}/health`, { signal: oneTry.signal });
          const body = (await res.json()) as { health?: unknown };
          if (res.ok && body.health === 'true') {
            etcd = started;
            break ports;
          }
        } catch {
          // not up yet
        } finally {
          stopTry();
        }
        const reason = stuck();
        if (reason !== undefined) {
          throw new Error(
            `etcd not healthy at ${etcdUrl}/health (${reason}); last log lines:\n${tailLog(started.logFile)}`,
          );
        }
        await sleep(100);
      }
    }

    // kube-apiserver, on a port of its own; started again on another when that one was taken first.
    let [apiPort] = (await pickPorts(1)) as [number];
    let url = `https://127.0.0.1:${apiPort}`;
    const apiserverArgs = (port: number): string[] => [
      `--etcd-servers=${etcdUrl}`,
      `--cert-dir=${certDir}`,
      `--secure-port=${port}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      '--endpoint-reconciler-type=none',
      '--service-cluster-ip-range=10.96.0.0/16',
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${saPub}`,
      `--service-account-signing-key-file=${saKey}`,
      '--authorization-mode=RBAC',
      `--token-auth-file=${path.join(dir, 'tokens.csv')}`,
      '--anonymous-auth=false',
      '--disable-admission-plugins=ServiceAccount',
      '--profiling=false',
      '--v=1',
      ...(opts.extraApiServerArgs ?? []),
    ];
    let apiserver = startProcess('kube-apiserver', binaries.apiserver, apiserverArgs(apiPort), dir);
    procs.push(apiserver);
    let apiAttempts = 1;

    const failure = (what: string): Error =>
      new Error(
        `${what}\n--- kube-apiserver log (${apiserver.logFile}) ---\n${tailLog(apiserver.logFile)}` +
          `\n--- etcd log (${etcd.logFile}) ---\n${tailLog(etcd.logFile, 10)}`,
      );

    // Wait for /readyz. The serving cert appears in --cert-dir early in start-up
    // (or is the --tls-cert-file given in extraApiServerArgs).
    const tlsCertFlag = (opts.extraApiServerArgs ?? []).findLast((a) => a.startsWith('--tls-cert-file='));
    const certFile = tlsCertFlag
      ? tlsCertFlag.slice('--tls-cert-file='.length)
      : path.join(certDir, 'apiserver.crt');
    let tls: TlsConfig | null = null;
    let tlsFailures = 0;
    let lastProblem = 'no answer yet';
    let stuck = progressOf(apiserver, patience, deadline);
    for (;;) {
      if (lostItsPort(apiserver) && apiAttempts < PORT_TRIES) {
        apiAttempts++;
        [apiPort] = (await pickPorts(1)) as [number];
        url = `https://127.0.0.1:${apiPort}`;
        const next = startProcess(
          `kube-apiserver-${apiAttempts}`,
          binaries.apiserver,
          apiserverArgs(apiPort),
          dir,
        );
        procs[procs.indexOf(apiserver)] = next;
        apiserver = next;
        stuck = progressOf(apiserver, patience, deadline);
        continue;
      }
      if (apiserver.exitInfo() !== null) throw failure(`kube-apiserver ${apiserver.exitInfo() ?? ''}`);
      if (etcd.exitInfo() !== null) throw failure(`etcd ${etcd.exitInfo() ?? ''}`);
      const reason = stuck();
      if (reason !== undefined) {
        throw failure(`kube-apiserver not ready at ${url}/readyz (${reason}; ${lastProblem})`);
      }
      if (tls === null && fs.existsSync(certFile)) {
        const pem = fs.readFileSync(certFile, 'utf8');
        if (pem.includes('-----END CERTIFICATE-----')) tls = { ca: pem, rejectUnauthorized: true };
      }
      if (tls !== null) {
        try {
          const res = await httpsRequest(
            `${url}/readyz`,
            tls,
            'GET',
            { Authorization: `Bearer ${adminToken}` },
            undefined,
            oneTryOf(apiserver, patience, deadline),
          );
          if (res.status === 200) break;
          const failing = res.text.split('\n').filter((l) => l.startsWith('[-]'));
          lastProblem = `/readyz: HTTP ${res.status}${failing.length > 0 ? `; failing: ${failing.join(' ')}` : ` ${res.text.slice(0, 300)}`}`;
        } catch (err) {
          if (tls.rejectUnauthorized && isTlsVerifyError(err)) {
            tlsFailures++;
            if (tlsFailures >= 3) {
              // The self-signed chain does not verify for 127.0.0.1: fall back to no verification.
              tls = { ...tls, rejectUnauthorized: false };
              lastProblem = `TLS verification failed (${(err as Error).message}); verification switched off`;
              continue;
            }
            // Maybe the cert file was read while being written: read it again.
            tls = null;
            lastProblem = `TLS verification failed (${(err as Error).message})`;
            await sleep(250);
            continue;
          }
          lastProblem = (err as Error).message;
        }
      }
      await sleep(250);
    }
    const ca = tls.ca ?? '';
    const tlsConfig: TlsConfig = tls;

    const request = async (
      method: string,
      apiPath: string,
      ropts: ApiRequestOptions = {},
    ): Promise<ApiResponse> => {
      const headers: Record<string, string> = {
        Authorization: `Bearer ${ropts.token ?? adminToken}`,
        Accept: 'application/json',
      };
      let body: string | undefined;
      if (ropts.body !== undefined) {
        body = typeof ropts.body === 'string' ? ropts.body : JSON.stringify(ropts.body);
        headers['Content-Type'] = ropts.contentType ?? 'application/json';
      }
      // The server asked now (a restart starts another).
      const stuck = progressOf(apiserver, patience, Date.now() + patience.capMs);
      return httpsRequest(url + apiPath, tlsConfig, method, headers, body, stuck);
    };

    // Read-only RBAC.
    const manifest = opts.rbacManifest === undefined ? defaultRbacManifest : opts.rbacManifest;
    const manifests = [...(manifest === null ? [] : [manifest]), ...(opts.extraRbacManifests ?? [])];
    for (const file of manifests) {
      for (const doc of splitManifest(fs.readFileSync(file, 'utf8'))) {
        const p = `${resourcePath(doc)}?fieldManager=netfence-test&force=true`;
        const res = await request('PATCH', p, {
          body: doc.yaml,
          contentType: 'application/apply-patch+yaml',
        });
        if (res.status !== 200 && res.status !== 201) {
          throw failure(`applying ${doc.kind}/${doc.name} from ${file}: HTTP ${res.status} ${res.text}`);
        }
      }
    }
    if (manifest !== null) {
      // The RBAC authorizer reads through informers: wait until the binding is in force.
      const rbacStuck = progressOf(apiserver, patience, deadline);
      for (;;) {
        if (apiserver.exitInfo() !== null) throw failure(`kube-apiserver ${apiserver.exitInfo() ?? ''}`);
        let answer: string;
        try {
          const res = await request('GET', '/api/v1/pods?limit=1', { token: readonlyToken });
          if (res.status === 200) break;
          answer = `HTTP ${res.status} ${res.text}`;
        } catch (err) {
          answer = (err as Error).message;
        }
        const reason = rbacStuck();
        if (reason !== undefined) {
          throw failure(`read-only RBAC from ${manifest} not in force (${reason}): ${answer}`);
        }
        await sleep(100);
      }
    }

    const adminKubeconfig = path.join(dir, 'admin.kubeconfig');
    const readonlyKubeconfig = path.join(dir, 'readonly.kubeconfig');
    const verified = tlsConfig.rejectUnauthorized;
    fs.writeFileSync(adminKubeconfig, kubeconfig(url, 'netfence-admin', adminToken, ca, verified), {
      mode: 0o600,
    });
    fs.writeFileSync(readonlyKubeconfig, kubeconfig(url, READONLY_USER, readonlyToken, ca, verified), {
      mode: 0o600,
    });
    const users: ApiServer['users'] = {};
    for (const u of extraUsers) {
      const file = path.join(dir, `${u.name}.kubeconfig`);
      fs.writeFileSync(file, kubeconfig(url, u.name, u.token, ca, verified), { mode: 0o600 });
      users[u.name] = { token: u.token, kubeconfig: file };
    }

    const restartApiServer = async (): Promise<void> => {
      await stopProcess(apiserver, 5000);
      const next = startProcess('kube-apiserver', binaries.apiserver, apiserverArgs(apiPort), dir);
      procs[procs.indexOf(apiserver)] = next;
      apiserver = next;
      const stuck = progressOf(next, patience, Date.now() + patience.capMs);
      for (;;) {
        if (next.exitInfo() !== null)
          throw failure(`kube-apiserver ${next.exitInfo() ?? ''} after a restart`);
        let lastProblem: string;
        try {
          const res = await request('GET', '/readyz');
          if (res.status === 200) return;
          lastProblem = `/readyz: HTTP ${res.status}`;
        } catch (err) {
          lastProblem = (err as Error).message;
        }
        const reason = stuck();
        if (reason !== undefined)
          throw failure(`kube-apiserver not ready after a restart (${reason}; ${lastProblem})`);
        await sleep(250);
      }
    };

    const until = async <T>(
      attempt: () => Promise<T>,
      done: (result: T) => boolean,
      what: (last: T) => string,
    ): Promise<T> => {
      const stuck = progressOf(apiserver, patience, Date.now() + patience.capMs);
      for (;;) {
        const result = await attempt();
        if (done(result)) return result;
        const reason =
          apiserver.exitInfo() === null ? stuck() : `kube-apiserver ${apiserver.exitInfo() ?? ''}`;
        if (reason !== undefined) throw new Error(`${what(result)} (given up: ${reason})`);
        await sleep(100);
      }
    };

    return {
      url,
      adminKubeconfig,
      readonlyKubeconfig,
      adminToken,
      readonlyToken,
      users,
      dir,
      ca,
      tlsVerified: verified,
      request,
      until,
      restartApiServer,
      stop,
    };
  } catch (err) {
    const keep = keepDir;
    await stop().catch(() => undefined);
    if (err instanceof Error) {
      err.message += keep
        ? `\n(temp dir kept: ${dir})`
        : '\n(temp dir removed; set NETFENCE_KEEP_KUBE_DIR=1 to keep it)';
    }
    throw err;
  }
}
