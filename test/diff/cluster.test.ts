/**
 * `netfence diff --cluster <manifests>` against a real kube-apiserver: the live cluster is the before side,
 * the manifests the after side ("what would applying this change?"). Skips when the API server binaries are
 * not installed (scripts/kube-binaries.sh), unless NETFENCE_REQUIRE_KUBE=1.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { apiServerBinaries, startApiServer, type ApiServer } from '../support/kube-apiserver.ts';
import { runCli } from '../support/cli.ts';

const binaries = apiServerBinaries();
const required = process.env.NETFENCE_REQUIRE_KUBE === '1';
const skip: string | false = 'skip' in binaries && !required ? binaries.skip : false;
const NS = 'diff-live';

let api: ApiServer | undefined;
let dir = '';

const deployment = (name: string): Record<string, unknown> => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: NS },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: { containers: [{ name, image: `registry.example/${name}:1`, ports: [{ containerPort: 5432 }] }] },
    },
  },
});

/** db admits web on the given ports. */
const dbPolicy = (ports: number[]): Record<string, unknown> => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'db', namespace: NS },
  spec: {
    podSelector: { matchLabels: { app: 'db' } },
    policyTypes: ['Ingress'],
    ingress: [
      { from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: ports.map((port) => ({ port })) },
    ],
  },
});

before(async () => {
  if ('skip' in binaries) {
    if (required) throw new Error(`NETFENCE_REQUIRE_KUBE=1 but ${binaries.skip}`);
    return;
  }
  api = await startApiServer({ binaries });
  const create = async (path: string, body: unknown): Promise<void> => {
    const r = await api!.request('POST', path, { body });
    assert.equal(r.status, 201, r.text);
  };
  await create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  for (const name of ['web', 'db'])
    await create(`/apis/apps/v1/namespaces/${NS}/deployments`, deployment(name));
  await create(`/apis/networking.k8s.io/v1/namespaces/${NS}/networkpolicies`, dbPolicy([5432]));
  // The manifests: the same objects, with db also admitting web on 9187 (metrics).
  dir = mkdtempSync(join(tmpdir(), 'netfence-diff-live-'));
  const docs = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } },
    deployment('web'),
    deployment('db'),
    dbPolicy([5432, 9187]),
  ];
  writeFileSync(join(dir, 'app.yaml'), docs.map((d) => JSON.stringify(d)).join('\n---\n'));
});

after(async () => {
  await api?.stop();
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

test('the live cluster is the before side, the manifests the after side', { skip }, async () => {
  const r = await runCli([
    'diff',
    '--cluster',
    '--kubeconfig',
    api!.readonlyKubeconfig,
    '-n',
    NS,
    join(dir, 'app.yaml'),
    '--fail-on',
    'added',
  ]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /^live cluster → .*app\.yaml$/m);
  assert.match(r.stdout, /^\+0 connections, −0, 1 changed/m);
  assert.match(r.stdout, /^ {2}diff-live\/web +diff-live\/db +TCP 5432 +TCP 5432,9187 +\+TCP 9187$/m);
  assert.match(r.stdout, /^ {2}modified +diff-live\/db +.*app\.yaml:\d+ +spec\.ingress\[0\]\.ports/m);
  assert.match(
    r.stderr,
    /^netfence: 1 connection newly allowed or widened \(1 changed\) \(--fail-on added\)$/m,
  );
});

test('--cluster takes one path, and not --git', { skip: false }, async () => {
  const two = await runCli(['diff', '--cluster', 'examples/webshop', 'examples/webshop-v2']);
  assert.equal(two.code, 2);
  assert.match(
    two.stderr,
    /^netfence: with --cluster, diff compares the live cluster with one set of manifests: give one path \(got 2\)$/m,
  );
  const git = await runCli(['diff', '--cluster', '--git', 'HEAD~1..HEAD', 'examples/webshop']);
  assert.equal(git.code, 2);
  assert.match(
    git.stderr,
    /^netfence: --git and --cluster are two different "before" sides: give one of them$/m,
  );
});
