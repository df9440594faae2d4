/**
 * `netfence drift <desired> --cluster` against a real kube-apiserver: the desired policies are created as
 * written (the server fills in policyTypes and protocols, which is no drift), then one is edited, one
 * deleted and one added by hand; drift must report exactly those three, the connection they change, and
 * `--fail-on` must exit 1. Skips when the API server binaries are not installed, unless NETFENCE_REQUIRE_KUBE=1.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parse, stringify } from 'yaml';
import type { DriftJson } from '../../src/contract/drift.ts';
import { apiServerBinaries, startApiServer, type ApiServer } from '../support/kube-apiserver.ts';
import { runCli } from '../support/cli.ts';

const binaries = apiServerBinaries();
const required = process.env.NETFENCE_REQUIRE_KUBE === '1';
const skip: string | false = 'skip' in binaries && !required ? binaries.skip : false;
const NS = 'drift-live';
const OTHER = 'drift-other';
const NP = (ns: string): string => `/apis/networking.k8s.io/v1/namespaces/${ns}/networkpolicies`;

let api: ApiServer | undefined;
let dir = '';

const deployment = (name: string): Record<string, unknown> => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: NS },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: { containers: [{ name, image: `registry.example/${name}:1`, ports: [{ containerPort: 8080 }] }] },
    },
  },
});

/** `name` admits `from` on the given ports; no policyTypes, no protocol (the server fills them in). */
const allow = (name: string, app: string, from: string, ports: number[]): Record<string, unknown> => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name, namespace: NS },
  spec: {
    podSelector: { matchLabels: { app } },
    ingress: [
      { from: [{ podSelector: { matchLabels: { app: from } } }], ports: ports.map((port) => ({ port })) },
    ],
  },
});
const denyAll = (namespace: string): Record<string, unknown> => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'default-deny', namespace },
  spec: { podSelector: {}, ingress: [] },
});

const desired = [
  denyAll(NS),
  allow('db', 'db', 'api', [5432]),
  allow('api', 'api', 'web', [8080]),
  allow('web', 'web', 'api', [8080]),
];

before(async () => {
  if ('skip' in binaries) {
    if (required) throw new Error(`NETFENCE_REQUIRE_KUBE=1 but ${binaries.skip}`);
    return;
  }
  api = await startApiServer({ binaries });
  const request = async (method: string, path: string, body: unknown, status: number): Promise<void> => {
    const r = await api!.request(method, path, { body });
    assert.equal(r.status, status, r.text);
  };
  for (const name of [NS, OTHER])
    await request(
      'POST',
      '/api/v1/namespaces',
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name } },
      201,
    );
  for (const name of ['web', 'api', 'db'])
    await request('POST', `/apis/apps/v1/namespaces/${NS}/deployments`, deployment(name), 201);
  for (const p of desired) await request('POST', NP(NS), p, 201);
  // A policy in a namespace the desired manifests do not cover: not extra unless -A.
  await request('POST', NP(OTHER), denyAll(OTHER), 201);

  // The drift: db also admits web (edited), web's policy deleted, a hand-made policy added.
  const stored = await api.request('GET', `${NP(NS)}/db`);
  const db = JSON.parse(stored.text) as { spec: { ingress: { from: unknown[] }[] } };
  db.spec.ingress[0]!.from.push({ podSelector: { matchLabels: { app: 'web' } } });
  await request('PUT', `${NP(NS)}/db`, db, 200);
  await request('DELETE', `${NP(NS)}/web`, undefined, 200);
  await request('POST', NP(NS), allow('debug', 'api', 'db', [9090]), 201);

  dir = mkdtempSync(join(tmpdir(), 'netfence-drift-live-'));
  writeFileSync(join(dir, 'policies.yaml'), desired.map((d) => JSON.stringify(d)).join('\n---\n'));
  // The same manifests committed in a repository, for --git; the working tree then loses db's policy.
  const repo = join(dir, 'repo');
  mkdirSync(join(repo, 'deploy'), { recursive: true });
  writeFileSync(join(repo, 'deploy', 'policies.yaml'), readFileSync(join(dir, 'policies.yaml')));
  const git = (...args: string[]): void => {
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: repo });
  };
  git('init', '-q');
  git('add', '-A');
  git('commit', '-qm', 'desired');
  writeFileSync(join(repo, 'deploy', 'policies.yaml'), '');
  // Two contexts of one kubeconfig, for --vs-context.
  const config = parse(readFileSync(api.readonlyKubeconfig, 'utf8')) as {
    contexts: { name: string; context: unknown }[];
    'current-context': string;
  };
  const context = config.contexts[0]!.context;
  config.contexts = [
    { name: 'staging', context },
    { name: 'prod', context },
  ];
  config['current-context'] = 'staging';
  writeFileSync(join(dir, 'two.kubeconfig'), stringify(config), { mode: 0o600 });
});

after(async () => {
  await api?.stop();
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

const drift = (...args: string[]): ReturnType<typeof runCli> =>
  runCli([
    'drift',
    join(dir, 'policies.yaml'),
    '--cluster',
    '--kubeconfig',
    api!.readonlyKubeconfig,
    ...args,
  ]);

test(
  'reports exactly the edited, the deleted and the added policy, and the connections',
  { skip },
  async () => {
    const r = await drift('-o', 'json');
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as DriftJson;
    assert.deepEqual(
      out.policies.map((p) => `${p.drift} ${p.id} ${p.fields.join(',')}`),
      [`changed ${NS}/db spec.ingress[0].from`, `extra ${NS}/debug `, `missing ${NS}/web `],
    );
    // default-deny and api: the server's policyTypes and protocol are no drift.
    assert.equal(out.summary.inSync, 2);
    assert.deepEqual(out.namespaces, [NS]);
    assert.equal(out.live, 'live cluster');
    const rows = out.connectivity.connections.map((c) => {
      const name = (e: (typeof c)['src']): string => ('workload' in e ? e.workload : JSON.stringify(e));
      return `${c.change} ${name(c.src)} → ${name(c.dst)} ${c.summary.before ?? '—'} => ${c.summary.after ?? '—'}`;
    });
    assert.deepEqual(rows, [
      `added ${NS}/Deployment/api → ${NS}/Deployment/web — => TCP 8080`,
      `removed ${NS}/Deployment/db → ${NS}/Deployment/api TCP 9090 => —`,
      `removed ${NS}/Deployment/web → ${NS}/Deployment/db TCP 5432 => —`,
    ]);
  },
);

test(
  '--fail-on exits 1 with one line; -A also finds the policy of the other namespace',
  { skip },
  async () => {
    const failed = await drift('--fail-on', 'extra');
    assert.equal(failed.code, 1, failed.stderr);
    assert.match(failed.stderr, /^netfence: drift: 1 policy extra \(--fail-on extra\)$/m);
    assert.match(failed.stdout, /1 live policy elsewhere not compared \(-A compares them\)/);
    const all = await drift('-A', '-o', 'json');
    const out = JSON.parse(all.stdout) as DriftJson;
    assert.deepEqual(
      out.policies.filter((p) => p.drift === 'extra').map((p) => p.id),
      [`${NS}/debug`, `${OTHER}/default-deny`],
    );
    assert.equal(out.namespaces, null);
  },
);

test('--vs-context compares two contexts (here the same cluster: in sync)', { skip }, async () => {
  const r = await runCli([
    'drift',
    '--cluster',
    '--kubeconfig',
    join(dir, 'two.kubeconfig'),
    '--context',
    'staging',
    '--vs-context',
    'prod',
    '--fail-on',
    'any',
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stdout,
    /^live cluster \(context staging\) \(desired\) → live cluster \(context prod\) \(live\)$/m,
  );
  assert.match(r.stdout, /^In sync: 5 policies; no connectivity difference$/m);
});

test('--git REV: the desired side read from a revision, not the working tree', { skip }, async () => {
  const r = await runCli([
    'drift',
    '--cluster',
    '--kubeconfig',
    api!.readonlyKubeconfig,
    '--git',
    'HEAD',
    join(dir, 'repo', 'deploy'),
    '--fail-on',
    'missing',
  ]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /^HEAD:deploy \(desired\) → live cluster \(live\)$/m);
  assert.match(
    r.stdout,
    new RegExp(`^  changed +${NS}/db +HEAD:deploy/policies\\.yaml:\\d+ +spec\\.ingress\\[0\\]\\.from$`, 'm'),
  );
  assert.match(r.stderr, /^netfence: drift: 1 policy missing \(--fail-on missing\)$/m);
});
