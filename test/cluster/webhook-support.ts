/**
 * What the webhook cluster tests share: requests to the API server as the admin (with the admission warnings
 * of the response), `netfence webhook` started as a process, and its registration with the API server.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import type { ApiServer } from '../support/kube-apiserver.ts';
import { np } from '../admission/fixtures.ts';
import { guardProgress } from '../support/progress.ts';

export const NP = '/apis/networking.k8s.io/v1/namespaces/data/networkpolicies';
/** Keeps shop/api → data/postgres open without data/allow-db-clients. */
export const ALLOW_API = np('data', 'allow-api', {
  podSelector: { matchLabels: { app: 'postgres' } },
  ingress: [
    {
      from: [
        {
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } },
          podSelector: { matchLabels: { app: 'api' } },
        },
      ],
      ports: [{ port: 5432, protocol: 'TCP' }],
    },
  ],
});
export const CONFIGS = '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations';

/** A `netfence webhook` process: its URL, the CA of its self-signed certificate, what it logged. */
export interface RunningHook {
  process: ChildProcess;
  url: string;
  ca: string;
  stderr: () => string;
}

export interface Reply {
  status: number;
  body: Record<string, unknown>;
  /** The `Warning` headers' texts (admission warnings). */
  warnings: string[];
}

/** A request to the API server as the admin, with the response's warnings (kubectl prints them). */
export function apiCall(
  api: ApiServer,
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/json',
): Promise<Reply> {
  const server = api;
  return new Promise((resolve, reject) => {
    const req = request(
      `${server.url}${path}`,
      {
        method,
        ca: server.ca,
        headers: {
          authorization: `Bearer ${server.adminToken}`,
          ...(body === undefined ? {} : { 'content-type': contentType }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const header: string | string[] | undefined = res.headers.warning;
          const list: string[] = header === undefined ? [] : Array.isArray(header) ? header : [header];
          // `299 - "text"`, several joined by ", " in one header.
          // Header values arrive as latin1: the API server sends the warnings' UTF-8 bytes as they are.
          const warnings = list.flatMap((h) =>
            [
              ...Buffer.from(h, 'latin1')
                .toString('utf8')
                .matchAll(/299 - "((?:[^"\\]|\\.)*)"/g),
            ].map((m) => m[1]!),
          );
          resolve({
            status: res.statusCode ?? 0,
            body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
            warnings,
          });
        });
      },
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** Starts `netfence webhook` and waits for its URL and CA file. */
export async function startWebhookProcess(api: ApiServer, args: readonly string[]): Promise<RunningHook> {
  const child = spawn(
    process.execPath,
    [
      'bin/netfence',
      'webhook',
      '--cluster',
      '--kubeconfig',
      api.readonlyKubeconfig,
      '--self-signed',
      '--listen',
      '127.0.0.1:0',
      ...args,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NETFENCE_WORKER: 'never' } },
  );
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  // Given up when it exits, or is stuck (a minute of CPU time used, or none for a minute), never because a
  // loaded machine starts it slowly.
  let stuck: string | undefined;
  const stopGuard = guardProgress(
    child.pid!,
    { cpuMs: 60_000, fallbackMs: 300_000 },
    (reason) => (stuck = reason),
  );
  try {
    for (;;) {
      const url = /listening on (https:\/\/127\.0\.0\.1:\d+)\/validate/.exec(out)?.[1];
      const caFile = /CA certificate: (\S+)/.exec(err)?.[1];
      if (url !== undefined && caFile !== undefined && err.includes('"msg":"ready"')) {
        return { process: child, url, ca: readFileSync(caFile, 'utf8'), stderr: () => err };
      }
      const exited = child.exitCode ?? child.signalCode;
      assert.ok(
        exited === null && stuck === undefined,
        `the webhook did not start (${stuck ?? `exited: ${String(exited)}`}):\n${out}\n${err}`,
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    stopGuard();
  }
}

/** The rules of Cilium's policy kinds, as deploy/webhook/validating-webhook.yaml has them. */
export const CILIUM_RULES: Record<string, unknown>[] = [
  {
    apiGroups: ['cilium.io'],
    apiVersions: ['v2'],
    operations: ['CREATE', 'UPDATE', 'DELETE'],
    resources: ['ciliumnetworkpolicies', 'ciliumclusterwidenetworkpolicies'],
  },
];

/**
 * Registers a webhook for the NetworkPolicies `selector` selects (and Namespaces and ClusterNetworkPolicies
 * with `namespaces`, and `extraRules`). `failurePolicy` Fail by default: a webhook the API server cannot
 * call must show in the tests, not be skipped.
 */
export async function registerWebhook(
  api: ApiServer,
  name: string,
  hook: { url: string; ca: string },
  selector: Record<string, unknown>,
  namespaces: boolean,
  failurePolicy: 'Fail' | 'Ignore' = 'Fail',
  extraRules: readonly Record<string, unknown>[] = [],
): Promise<void> {
  const rules: Record<string, unknown>[] = [
    {
      apiGroups: ['networking.k8s.io'],
      apiVersions: ['v1'],
      operations: ['CREATE', 'UPDATE', 'DELETE'],
      resources: ['networkpolicies'],
    },
  ];
  if (namespaces) {
    rules.push({ apiGroups: [''], apiVersions: ['v1'], operations: ['UPDATE'], resources: ['namespaces'] });
    rules.push({
      apiGroups: ['policy.networking.k8s.io'],
      apiVersions: ['*'],
      operations: ['CREATE', 'UPDATE', 'DELETE'],
      resources: ['clusternetworkpolicies'],
    });
  }
  rules.push(...extraRules);
  const r = await apiCall(api, 'POST', CONFIGS, {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingWebhookConfiguration',
    metadata: { name },
    webhooks: [
      {
        name: `${name}.netfence.io`,
        clientConfig: { url: `${hook.url}/validate`, caBundle: Buffer.from(hook.ca).toString('base64') },
        rules,
        objectSelector: selector,
        failurePolicy,
        sideEffects: 'None',
        admissionReviewVersions: ['v1'],
        timeoutSeconds: 10,
      },
    ],
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
}

/** A POST to the webhook itself (trusting its CA, no client certificate), as anyone on the network could. */
export function postToHook(
  hook: { url: string; ca: string },
  path: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${hook.url}${path}`,
      {
        method: 'POST',
        ca: hook.ca,
        headers: { 'content-type': 'application/json', ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    // The webhook may answer 413 before it has read the whole body and close: that is its answer.
    req.on('error', reject);
    req.end(body);
  });
}
