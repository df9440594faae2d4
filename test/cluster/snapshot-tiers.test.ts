/**
 * `netfence snapshot` of a cluster with cluster policy tiers (a real kube-apiserver, the upstream CRDs
 * installed as envtest does) and Nodes: the snapshot holds the ClusterNetworkPolicies, the
 * AdminNetworkPolicies, the BaselineAdminNetworkPolicy and the Nodes (name, labels, IP addresses only), and
 * analyzing it sees them; a cluster without the CRDs still snapshots, without them.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse } from 'yaml';
import { runCli } from '../support/cli.ts';
import { crdFiles, installCrds, networkPolicyApiDir } from '../support/crds.ts';
import type { ApiServer } from '../support/kube-apiserver.ts';
import { cli as runOn, skip as noBinaries, startServer } from './setup.ts';

const required = process.env.NETFENCE_REQUIRE_KUBE === '1';
const npapi = networkPolicyApiDir('v0.3.0');
const npapiV1alpha1 = networkPolicyApiDir('v0.1.1');
const missingModule = [npapi, npapiV1alpha1].find((d) => typeof d !== 'string');
const skip: string | false =
  noBinaries !== false ? noBinaries : missingModule !== undefined && !required ? missingModule.skip : false;

const GROUP = '/apis/policy.networking.k8s.io';

let api: ApiServer | undefined;
let tmp = '';

function server(): ApiServer {
  assert.ok(api !== undefined, 'API server not started');
  return api;
}

function moduleDir(found: string | { skip: string }): string {
  if (typeof found !== 'string') throw new Error(`NETFENCE_REQUIRE_KUBE=1 but ${found.skip}`);
  return found;
}

/** Server-side applies one object at `path` (cluster-scoped), as another tool would. */
async function put(path: string, object: Record<string, unknown>): Promise<void> {
  const res = await server().request('PATCH', `${path}?fieldManager=test-setup&force=true`, {
    body: JSON.stringify(object),
    contentType: 'application/apply-patch+yaml',
  });
  assert.ok(res.status === 200 || res.status === 201, `${path}: HTTP ${res.status} ${res.text}`);
}

interface Item {
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

async function snapshot(name: string): Promise<{ items: Item[]; stderr: string }> {
  const file = join(tmp, name);
  const r = await runOn(server(), ['snapshot', '--cluster', '-A', '-o', file]);
  assert.equal(r.code, 0, r.stderr);
  return { items: (parse(readFileSync(file, 'utf8')) as { items: Item[] }).items, stderr: r.stderr };
}

before(async () => {
  if (skip !== false) return;
  moduleDir(npapi);
  moduleDir(npapiV1alpha1);
  api = await startServer();
  if (api === undefined) return;
  tmp = mkdtempSync(join(tmpdir(), 'netfence-snapshot-tiers-'));
  // A Node as a kubelet registers it: labels, and addresses in its status (written through the subresource).
  await put('/api/v1/nodes/node-a', {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'node-a', labels: { 'node-role.kubernetes.io/control-plane': '', zone: 'a' } },
    spec: { podCIDR: '10.244.0.0/24' },
  });
  const status = await server().request('PATCH', '/api/v1/nodes/node-a/status', {
    body: {
      status: {
        addresses: [
          { type: 'InternalIP', address: '192.0.2.10' },
          { type: 'Hostname', address: 'node-a' },
        ],
        capacity: { cpu: '4' },
      },
    },
    contentType: 'application/merge-patch+json',
  });
  assert.equal(status.status, 200, status.text);
});

after(async () => {
  await api?.stop();
  if (tmp !== '') rmSync(tmp, { recursive: true, force: true });
});

describe('snapshot and cluster policy tiers', { skip }, () => {
  test('without the CRDs: the snapshot has the Node and no cluster policies', async () => {
    const { items } = await snapshot('no-crds.yaml');
    assert.deepEqual(
      items.filter((i) => i.kind === 'Node').map((i) => i.metadata.name),
      ['node-a'],
    );
    assert.deepEqual(
      items.filter((i) => /NetworkPolicy$/.test(i.kind) && i.kind !== 'NetworkPolicy'),
      [],
    );
  });

  test('with the CRDs: every cluster policy kind, and Nodes with name, labels and IP addresses only', async () => {
    await installCrds(server(), crdFiles(join(moduleDir(npapi), 'config', 'crd', 'standard')));
    await installCrds(server(), crdFiles(join(moduleDir(npapiV1alpha1), 'config', 'crd')));
    const spec = {
      tier: 'Baseline',
      priority: 10,
      subject: { namespaces: {} },
      egress: [{ name: 'no-metadata', action: 'Deny', to: [{ networks: ['169.254.169.254/32'] }] }],
    };
    await put(`${GROUP}/v1beta1/clusternetworkpolicies/baseline`, {
      apiVersion: 'policy.networking.k8s.io/v1beta1',
      kind: 'ClusterNetworkPolicy',
      metadata: { name: 'baseline', labels: { team: 'platform' } },
      spec,
    });
    await put(`${GROUP}/v1alpha1/adminnetworkpolicies/guard`, {
      apiVersion: 'policy.networking.k8s.io/v1alpha1',
      kind: 'AdminNetworkPolicy',
      metadata: { name: 'guard' },
      spec: { priority: 5, subject: { namespaces: {} }, ingress: [] },
    });
    await put(`${GROUP}/v1alpha1/baselineadminnetworkpolicies/default`, {
      apiVersion: 'policy.networking.k8s.io/v1alpha1',
      kind: 'BaselineAdminNetworkPolicy',
      metadata: { name: 'default' },
      spec: { subject: { namespaces: {} }, ingress: [] },
    });

    const { items, stderr } = await snapshot('tiers.yaml');
    assert.match(
      stderr,
      /1 Node, 1 ClusterNetworkPolicy, 1 AdminNetworkPolicy, 1 BaselineAdminNetworkPolicy\)/,
    );
    assert.match(
      readFileSync(join(tmp, 'tiers.yaml'), 'utf8'),
      /^# .*no status but pod phases and IPs and node addresses/m,
    );
    const byKind = (kind: string): Item[] => items.filter((i) => i.kind === kind);
    const cnp = byKind('ClusterNetworkPolicy');
    assert.deepEqual(
      cnp.map((i) => [i.metadata.name, i.metadata.labels, i.spec]),
      [['baseline', { team: 'platform' }, spec]],
    );
    assert.deepEqual(
      byKind('AdminNetworkPolicy').map((i) => i.metadata.name),
      ['guard'],
    );
    assert.deepEqual(
      byKind('BaselineAdminNetworkPolicy').map((i) => i.metadata.name),
      ['default'],
    );
    const [nodeItem] = byKind('Node');
    assert.deepEqual(nodeItem?.metadata.labels, { 'node-role.kubernetes.io/control-plane': '', zone: 'a' });
    assert.deepEqual(nodeItem?.status, { addresses: [{ type: 'InternalIP', address: '192.0.2.10' }] });
    assert.equal(nodeItem?.spec, undefined, 'no podCIDR, no capacity: only what nodes peers match');

    // Analyzed offline, the snapshot's cluster policies are read: a priority edited in it shows in diff.
    const snap = join(tmp, 'tiers.yaml');
    const changed = join(tmp, 'changed.yaml');
    const text = readFileSync(snap, 'utf8');
    assert.match(text, /priority: 10\n/);
    writeFileSync(changed, text.replace('priority: 10\n', 'priority: 20\n'));
    const d = await runCli(['diff', snap, changed, '-o', 'json']);
    assert.equal(d.code, 0, d.stderr);
    const json = JSON.parse(d.stdout) as { clusterPolicies: { id: string; notes: string[] }[] };
    assert.deepEqual(
      json.clusterPolicies.map((c) => [c.id, c.notes]),
      [['ClusterNetworkPolicy/baseline', ['priority 10 → 20']]],
    );
  });
});
