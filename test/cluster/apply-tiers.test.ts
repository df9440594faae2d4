/**
 * Deploying cluster policies (ClusterNetworkPolicy; AdminNetworkPolicy for a kind the cluster does not
 * serve) to a real kube-apiserver: first without the network-policy-api CRDs (one line, nothing changed,
 * not even the NetworkPolicies beside them), then with the upstream CRDs installed as envtest does: dry run,
 * server-side apply, update with --diff, prune (scoped to the kinds of the files), JSON, and rollback.
 *
 * The tests of this file build on each other, in order.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { assertGolden } from '../support/cli.ts';
import { crdFiles, installCrds, networkPolicyApiDir } from '../support/crds.ts';
import type { ApiServer } from '../support/kube-apiserver.ts';
import {
  applyObjects,
  cli as runOn,
  getObject,
  skip as noBinaries,
  stableOutput,
  startServer,
  waitForAccess,
  writeFolder,
} from './setup.ts';

const required = process.env.NETFENCE_REQUIRE_KUBE === '1';
const npapi = networkPolicyApiDir('v0.3.0');
const skip: string | false =
  noBinaries !== false ? noBinaries : typeof npapi !== 'string' && !required ? npapi.skip : false;

const CNP = '/apis/policy.networking.k8s.io/v1beta1/clusternetworkpolicies';
const NP = '/apis/networking.k8s.io/v1/namespaces/shop/networkpolicies';

let api: ApiServer | undefined;
let tmp = '';

function server(): ApiServer {
  assert.ok(api !== undefined, 'API server not started');
  return api;
}

function cli(args: readonly string[]): ReturnType<typeof runOn> {
  return runOn(server(), args);
}

function stable(text: string): string {
  return stableOutput(server(), tmp, text);
}

function folder(name: string, files: Record<string, string>): string {
  return writeFolder(tmp, name, files);
}

function cnpYaml(name: string, priority: number, action = 'Deny'): string {
  return `apiVersion: policy.networking.k8s.io/v1beta1
kind: ClusterNetworkPolicy
metadata:
  name: ${name}
spec:
  tier: Admin
  priority: ${priority}
  subject:
    namespaces: {}
  egress:
    - name: deny-db
      action: ${action}
      to:
        - pods:
            namespaceSelector: {}
            podSelector:
              matchLabels:
                app: db
`;
}

const ALLOW_WEB = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-web
  namespace: shop
spec:
  podSelector:
    matchLabels:
      app: web
  ingress:
    - ports:
        - port: 8080
`;

const ANP = `apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata:
  name: legacy
spec:
  priority: 5
  subject:
    namespaces: {}
  ingress:
    - name: from-monitoring
      action: Allow
      from:
        - namespaces:
            matchLabels:
              kubernetes.io/metadata.name: monitoring
`;

async function cnp(name: string): Promise<Record<string, unknown> | undefined> {
  return getObject(server(), `${CNP}/${name}`);
}

async function cnpNames(): Promise<string[]> {
  const res = await server().request('GET', CNP);
  assert.equal(res.status, 200, res.text);
  return (res.json as { items: { metadata: { name: string } }[] }).items.map((i) => i.metadata.name).sort();
}

function priorityOf(o: Record<string, unknown> | undefined): unknown {
  return (o?.spec as { priority?: unknown } | undefined)?.priority;
}

before(async () => {
  if (skip !== false) return;
  if (typeof npapi !== 'string') throw new Error(`NETFENCE_REQUIRE_KUBE=1 but ${npapi.skip}`);
  api = await startServer({
    extraRbacManifests: ['deploy/rbac/netfence-deployer.yaml'],
    users: [{ name: 'netfence-deployer' }],
  });
  if (api === undefined) return;
  tmp = mkdtempSync(join(tmpdir(), 'netfence-apply-tiers-'));
  await applyObjects(api, [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'monitoring' } },
  ]);
});

after(async () => {
  await api?.stop();
  if (tmp !== '') rmSync(tmp, { recursive: true, force: true });
});

describe('a cluster without the network-policy-api CRDs', { skip }, () => {
  test('one line naming the kind and version; nothing is changed, NetworkPolicies beside it included', async () => {
    const dir = folder('no-crd', { 'cnp.yaml': cnpYaml('guard', 100), 'np.yaml': ALLOW_WEB });
    const state = join(tmp, 'state-no-crd');
    for (const mode of [[], ['--dry-run']]) {
      const r = await cli(['apply', dir, '--cluster', '--state-dir', state, ...mode]);
      assert.equal(r.code, 2, r.stderr);
      assert.equal(r.stdout, '');
      assert.equal(
        r.stderr,
        'netfence: this cluster does not serve ClusterNetworkPolicy (policy.networking.k8s.io/v1beta1): install the network-policy-api CRDs or leave these out; nothing was changed\n',
      );
    }
    assert.equal(await getObject(server(), `${NP}/allow-web`), undefined);
    assert.throws(() => readdirSync(join(state, 'rollback')), /ENOENT/, 'no rollback record either');
  });

  test('NetworkPolicies alone still deploy (the CRDs are needed only for cluster policies)', async () => {
    const dir = folder('np-only', { 'np.yaml': ALLOW_WEB });
    const r = await cli(['apply', dir, '--cluster', '--dry-run', '--state-dir', join(tmp, 'state-np')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Plan for context "[^"]+" \([^)]+\) \(dry run\): 1 NetworkPolicy, 1 to create\n/);
  });
});

describe('with the ClusterNetworkPolicy CRD (standard channel)', { skip }, () => {
  const state = (): string => join(tmp, 'state');
  let v1 = '';

  before(async () => {
    if (api === undefined) return;
    await installCrds(server(), crdFiles(join(npapi as string, 'config', 'crd', 'standard')));
    v1 = folder('v1', { 'cnp.yaml': cnpYaml('guard', 100), 'np.yaml': ALLOW_WEB });
  });

  test('--dry-run: the plan names the cluster policy by Kind/name; nothing is stored', async () => {
    const r = await cli(['apply', v1, '--cluster', '--dry-run', '--state-dir', state()]);
    assert.equal(r.code, 0, r.stderr);
    assertGolden('cluster/apply-tiers-dry-run.txt', stable(r.stdout));
    assert.match(r.stdout, /2 policies \(1 NetworkPolicy, 1 ClusterNetworkPolicy\), 2 to create/);
    assert.match(r.stdout, /create {2}ClusterNetworkPolicy\/guard {2}deny\n/);
    assert.deepEqual(await cnpNames(), []);
  });

  test("the deployer of deploy/rbac is refused cluster policies, with the fix that file can't give", async () => {
    await waitForAccess(server(), 'netfence-deployer', NP);
    const r = await runOn(
      server(),
      ['apply', v1, '--cluster', '--dry-run', '--state-dir', join(tmp, 'state-deployer')],
      server().users['netfence-deployer']!.kubeconfig,
    );
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(
      r.stderr,
      /^netfence: cannot apply ClusterNetworkPolicy guard: forbidden: user "netfence-deployer" cannot patch clusternetworkpolicies at the cluster scope \(cluster policies need write access of their own, which deploy\/rbac\/netfence-deployer\.yaml deliberately does not grant: use a context of the platform team, docs\/commands\/apply\.md\)/,
    );
    assert.deepEqual(await cnpNames(), []);
  });

  test('apply: server-side applied by the field manager netfence, with the managed-by label', async () => {
    const r = await cli(['apply', v1, '--cluster', '--state-dir', state()]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, / created +ClusterNetworkPolicy\/guard\n/);
    assert.match(r.stdout, /Applied: 2 created\./);
    const live = await cnp('guard');
    const meta = live?.metadata as { labels?: Record<string, string>; managedFields?: { manager: string }[] };
    assert.equal(meta.labels?.['app.kubernetes.io/managed-by'], 'netfence');
    assert.deepEqual(
      meta.managedFields?.map((f) => f.manager),
      ['netfence'],
    );
    assert.equal(priorityOf(live), 100);
    assert.ok(await getObject(server(), `${NP}/allow-web`));
    // Applied again: nothing to do.
    const again = await cli(['apply', v1, '--cluster', '--state-dir', state()]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(
      again.stdout,
      /Nothing to apply: 2 policies \(1 NetworkPolicy, 1 ClusterNetworkPolicy\) already as in the files\./,
    );
  });

  test('update with --diff: the YAML diff of the spec, and the priority change in words', async () => {
    const v2 = folder('v2', { 'cnp.yaml': cnpYaml('guard', 50, 'Pass'), 'np.yaml': ALLOW_WEB });
    const r = await cli(['apply', v2, '--cluster', '--diff', '--state-dir', state()]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /update {2}ClusterNetworkPolicy\/guard {2}deny\n/);
    assert.match(r.stdout, /\n- {2}priority: 100\n\+ {2}priority: 50\n/);
    assert.match(
      r.stdout,
      /ClusterNetworkPolicy\/guard: priority 100 → 50; egress rule 0 "deny-db" action Deny → Pass/,
    );
    assert.match(r.stdout, / updated +ClusterNetworkPolicy\/guard\n/);
    assert.equal(priorityOf(await cnp('guard')), 50);
  });

  test('rollback restores the previous version, then the next rollback deletes what the first apply created', async () => {
    const dry = await cli(['rollback', '--cluster', '--dry-run', '--state-dir', state()]);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, / would restore +ClusterNetworkPolicy\/guard\n/);
    assert.equal(priorityOf(await cnp('guard')), 50, 'a dry run changes nothing');

    const r = await cli(['rollback', '--cluster', '--state-dir', state(), '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout) as {
      steps: { id: string; kind: string; step: string; outcome: string }[];
    };
    assert.deepEqual(
      json.steps.map((s) => [s.id, s.kind, s.step, s.outcome]),
      [['ClusterNetworkPolicy/guard', 'ClusterNetworkPolicy', 'replace', 'restored']],
    );
    assert.equal(priorityOf(await cnp('guard')), 100);

    // A dry run of deletes (a precondition in the body, where dryRun must be too) deletes nothing.
    const dryDelete = await cli(['rollback', '--cluster', '--dry-run', '--state-dir', state()]);
    assert.equal(dryDelete.code, 0, dryDelete.stderr);
    assert.match(dryDelete.stdout, / would delete +ClusterNetworkPolicy\/guard\n/);
    assert.deepEqual(await cnpNames(), ['guard'], 'a dry run deletes nothing');
    assert.ok(await getObject(server(), `${NP}/allow-web`));

    const first = await cli(['rollback', '--cluster', '--state-dir', state()]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, / deleted +ClusterNetworkPolicy\/guard\n/);
    assert.deepEqual(await cnpNames(), []);
    assert.equal(await getObject(server(), `${NP}/allow-web`), undefined);
  });

  test('--prune deletes managed cluster policies of the kinds the files deploy, and no other', async () => {
    const both = folder('both', { 'a.yaml': cnpYaml('guard', 100), 'b.yaml': cnpYaml('extra', 200) });
    assert.equal((await cli(['apply', both, '--cluster', '--state-dir', state()])).code, 0);
    // One not managed by netfence: never pruned.
    const res = await server().request('PATCH', `${CNP}/someone-elses?fieldManager=other&force=true`, {
      body: JSON.stringify({
        apiVersion: 'policy.networking.k8s.io/v1beta1',
        kind: 'ClusterNetworkPolicy',
        metadata: { name: 'someone-elses' },
        spec: { tier: 'Baseline', priority: 1, subject: { namespaces: {} }, ingress: [] },
      }),
      contentType: 'application/apply-patch+yaml',
    });
    assert.ok(res.status === 200 || res.status === 201, res.text);

    // NetworkPolicies only, with --prune -A: the cluster policies are not theirs to prune.
    const npOnly = folder('np-prune', { 'np.yaml': ALLOW_WEB });
    const r1 = await cli(['apply', npOnly, '--cluster', '--prune', '-A', '--state-dir', state()]);
    assert.equal(r1.code, 0, r1.stderr);
    assert.deepEqual(await cnpNames(), ['extra', 'guard', 'someone-elses']);

    const one = folder('one', { 'a.yaml': cnpYaml('guard', 100) });
    // ClusterNetworkPolicies only, with --prune -A: the NetworkPolicies are not theirs to prune either.
    const r2 = await cli(['apply', one, '--cluster', '--prune', '-A', '--state-dir', state(), '-o', 'json']);
    assert.equal(r2.code, 0, r2.stderr);
    const json = JSON.parse(r2.stdout) as {
      changes: { id: string; kind: string; namespace: string; action: string; outcome: string }[];
    };
    assert.deepEqual(
      json.changes.map((c) => [c.id, c.kind, c.namespace, c.action, c.outcome]),
      [
        ['ClusterNetworkPolicy/extra', 'ClusterNetworkPolicy', '', 'delete', 'applied'],
        ['ClusterNetworkPolicy/guard', 'ClusterNetworkPolicy', '', 'unchanged', 'unchanged'],
      ],
    );
    assert.deepEqual(await cnpNames(), ['guard', 'someone-elses']);
    assert.ok(await getObject(server(), `${NP}/allow-web`), 'the managed NetworkPolicy stays');

    // Rolled back: the pruned one is re-created as it was.
    const back = await cli(['rollback', '--cluster', '--state-dir', state()]);
    assert.equal(back.code, 0, back.stderr);
    assert.match(back.stdout, / re-created +ClusterNetworkPolicy\/extra\n/);
    assert.equal(priorityOf(await cnp('extra')), 200);
  });

  test('a kind this cluster does not serve (AdminNetworkPolicy: no CRD installed): one line, nothing changed', async () => {
    const dir = folder('anp', { 'anp.yaml': ANP, 'cnp.yaml': cnpYaml('third', 300) });
    const r = await cli(['apply', dir, '--cluster', '--state-dir', state()]);
    assert.equal(r.code, 2);
    assert.equal(
      r.stderr,
      'netfence: this cluster does not serve AdminNetworkPolicy (policy.networking.k8s.io/v1alpha1): install the network-policy-api CRDs or leave these out; nothing was changed\n',
    );
    assert.equal(await cnp('third'), undefined);
  });
});
