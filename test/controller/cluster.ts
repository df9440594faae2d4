/**
 * Helpers of the controller's cluster tests: the PolicyReport CRDs (scripts/policy-report-crd.sh), a
 * kubeconfig for the controller's ServiceAccount (deploy/controller/rbac.yaml, through a TokenRequest), and
 * `netfence controller` run as a process, with its log and its metrics.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import type { ApiServer } from '../support/kube-apiserver.ts';
import { guardProgress } from '../support/progress.ts';

export const REPORT_VERSION = 'v0.0.0-20210911211205-fb8f67bb6d38';

/** The folder of the PolicyReport CRDs, or the reason it is missing. */
export function policyReportDir(): string | { skip: string } {
  const dir =
    process.env.NETFENCE_POLICY_REPORT_DIR ??
    join(
      process.env.NETFENCE_CACHE ?? join(homedir(), '.cache', 'netfence'),
      'policy-report',
      REPORT_VERSION,
    );
  return existsSync(join(dir, 'wgpolicyk8s.io_policyreports.yaml'))
    ? dir
    : { skip: `the PolicyReport CRDs are not in ${dir}: fetch them with scripts/policy-report-crd.sh` };
}

/** A kubeconfig that authenticates as the ServiceAccount netfence/netfence-controller. */
export async function serviceAccountKubeconfig(api: ApiServer): Promise<string> {
  const res = await api.request(
    'POST',
    '/api/v1/namespaces/netfence/serviceaccounts/netfence-controller/token',
    {
      body: {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: { expirationSeconds: 7200 },
      },
    },
  );
  assert.equal(res.status, 201, res.text);
  const token = (res.json as { status: { token: string } }).status.token;
  const file = join(api.dir, 'controller.kubeconfig');
  writeFileSync(file, readFileSync(api.adminKubeconfig, 'utf8').replaceAll(api.adminToken, token), {
    mode: 0o600,
  });
  return file;
}

export interface Controller {
  process: ChildProcess;
  url: string;
  identity: string;
  stderr(): string;
  /** Sends the signal and waits for the exit; the exit code (null when killed). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of running) c.kill('SIGKILL');
});
/** The running controllers by the URL of their server. */
const serving = new Map<string, ChildProcess>();

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The last resort by the clock of `eventually`: what a controller does within moments on an idle machine can
 * take 30 times as long on a loaded one (10 s was met), so only a state that never comes is given up.
 */
export const EVENTUALLY_LAST_RESORT_MS = 300_000;

/**
 * Waits until `check` returns something other than undefined (polling every 50 ms), or fails at the last
 * resort by the clock. No test asserts a time: where the property is about time (a write on a watch event, not
 * at a resync), the tests make the other way impossible (a resync of a day) rather than racing it.
 */
export async function eventually<T>(
  what: string,
  check: () => T | undefined | Promise<T | undefined>,
): Promise<T> {
  const until = Date.now() + EVENTUALLY_LAST_RESORT_MS;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    assert.ok(Date.now() < until, `${what}: not within ${EVENTUALLY_LAST_RESORT_MS} ms by the clock`);
    await sleep(50);
  }
}

/** Starts `netfence controller` and waits until it has read the cluster (its `ready` log line). */
export async function startController(
  kubeconfig: string,
  identity: string,
  args: readonly string[],
): Promise<Controller> {
  const child = spawn(
    process.execPath,
    [
      'bin/netfence',
      'controller',
      '--cluster',
      '--kubeconfig',
      kubeconfig,
      '--listen',
      '127.0.0.1:0',
      '--namespace',
      'netfence',
      '--identity',
      identity,
      '--no-config',
      ...args,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NETFENCE_WORKER: 'never' } },
  );
  running.add(child);
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      running.delete(child);
      for (const [url, c] of serving) if (c === child) serving.delete(url);
      resolve(code);
    }),
  );
  // Given up when it exits, or is stuck (a minute of CPU time used, or none for a minute), never because a
  // loaded machine starts it slowly.
  let stuck: string | undefined;
  const unguard = guardProgress(
    child.pid!,
    { cpuMs: 60_000, fallbackMs: 300_000 },
    (reason) => (stuck = reason),
  );
  for (;;) {
    const url = /serving (http:\/\/127\.0\.0\.1:\d+)\/metrics/.exec(out)?.[1];
    if (url !== undefined && err.includes('"msg":"ready"')) {
      unguard();
      if (child.exitCode === null && child.signalCode === null) serving.set(url, child);
      return {
        process: child,
        url,
        identity,
        stderr: () => err,
        async stop(signal = 'SIGTERM') {
          if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
          child.kill(signal);
          return exited;
        },
      };
    }
    if (child.exitCode !== null || stuck !== undefined) unguard();
    assert.ok(
      child.exitCode === null && stuck === undefined,
      `the controller did not start (${stuck ?? `exited with ${String(child.exitCode)}`}):\n${out}\n${err}`,
    );
    await sleep(50);
  }
}

/**
 * GET on a controller's server: status and body. No limit by the clock (an audit holds the controller's thread,
 * which a loaded machine stretches to seconds): given up once the controller seems stuck (a minute of CPU time
 * used, or none for a minute; it answers an exit with a closed connection), or at the last resort.
 */
export async function get(url: string): Promise<{ status: number; text: string }> {
  const child = [...serving].find(([base]) => url === base || url.startsWith(`${base}/`))?.[1];
  const stuck = new AbortController();
  const unguard =
    child === undefined
      ? () => undefined
      : guardProgress(child.pid!, { cpuMs: 60_000, fallbackMs: EVENTUALLY_LAST_RESORT_MS }, (reason) =>
          stuck.abort(new Error(`GET ${url}: the controller seems stuck (${reason})`)),
        );
  try {
    const res = await fetch(url, {
      signal: AbortSignal.any([stuck.signal, AbortSignal.timeout(EVENTUALLY_LAST_RESORT_MS)]),
    });
    return { status: res.status, text: await res.text() };
  } finally {
    unguard();
  }
}

export interface Sample {
  labels: Record<string, string>;
  value: number;
}

/** The series of the controller's metrics, parsed by a Prometheus text-format parser, by family name. */
export async function scrape(url: string): Promise<{
  families: Map<string, { type: string; samples: Sample[] }>;
  raw: ReturnType<typeof parsePrometheusTextFormat>;
}> {
  const res = await get(`${url}/metrics`);
  assert.equal(res.status, 200);
  const raw = parsePrometheusTextFormat(res.text);
  const families = new Map<string, { type: string; samples: Sample[] }>();
  for (const f of raw)
    families.set(f.name, {
      type: f.type,
      samples: f.metrics
        .filter((m) => m.value !== undefined)
        .map((m) => ({ labels: m.labels ?? {}, value: Number(m.value) })),
    });
  return { families, raw };
}

/** The value of one series (labels matched exactly on the ones given), or undefined. */
export function valueOf(
  families: Map<string, { samples: Sample[] }>,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  return families.get(name)?.samples.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    ?.value;
}

/** The default deny with the default settings, as the API server stores it. */
export const DESIRED_SPEC = {
  podSelector: {},
  egress: [
    {
      to: [
        {
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
          podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
        },
      ],
      ports: [
        { protocol: 'UDP', port: 53 },
        { protocol: 'TCP', port: 53 },
      ],
    },
  ],
  policyTypes: ['Ingress', 'Egress'],
};
