/**
 * `--cluster` reads Cilium's policies (a real kube-apiserver, Cilium's CRDs installed as envtest does):
 * CiliumNetworkPolicies in the namespaces read and CiliumClusterwideNetworkPolicies always, into the state,
 * the snapshot and `--cluster` analysis; a cluster without the CRDs reads on and says nothing; a reader not
 * allowed to list them gets one warning line. The read-only RBAC of deploy/rbac grants the listing.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse } from 'yaml';
import { connect, readCluster, stateFromObjects } from '../../src/k8s/index.ts';
import type { ApiServer } from '../support/kube-apiserver.ts';
import { installCrds } from '../support/crds.ts';
import { runCli } from '../support/cli.ts';
import { bindReadonlyWithout, ciliumCrdsFor, cli, createObject, startServer } from './setup.ts';

const cilium = ciliumCrdsFor();
const skip = cilium.skip;

/** A user bound to the read-only rules of an older netfence: everything but Cilium's kinds. */
const OLD_READER = 'old-reader';

let api: ApiServer | undefined;
let tmp = '';

function server(): ApiServer {
  assert.ok(api !== undefined, 'API server not started');
  return api;
}

const post = (path: string, body: unknown): Promise<void> => createObject(server(), path, body);

async function read(
  kubeconfig: string,
): Promise<ReturnType<typeof stateFromObjects> & { readWarnings: string[] }> {
  const conn = connect({ kubeconfig, env: {} });
  const r = await readCluster(conn, { scope: { kind: 'namespace', namespace: 'shop' } });
  return { ...stateFromObjects(r.objects), readWarnings: r.warnings };
}

before(async () => {
  if (skip !== false) return;
  cilium.files();
  api = await startServer({ users: [{ name: OLD_READER }] });
  if (api === undefined) return;
  tmp = mkdtempSync(join(tmpdir(), 'netfence-cilium-read-'));
  await post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
  await post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'other' } });
  await bindReadonlyWithout(server(), OLD_READER, 'cilium.io');
});

after(async () => {
  await api?.stop();
  if (tmp !== '') rmSync(tmp, { recursive: true, force: true });
});

const spec = {
  endpointSelector: { matchLabels: { app: 'web' } },
  ingressDeny: [{ fromEntities: ['world'] }],
};

describe('--cluster and Cilium policies', { skip }, () => {
  test('without the CRDs: nothing is read and nothing is said, even to a reader not allowed to list them', async () => {
    const r = await read(server().readonlyKubeconfig);
    assert.deepEqual(r.readWarnings, []);
    assert.deepEqual(r.state.ciliumPolicies, []);
    // RBAC answers 403 before it looks for the resource: discovery tells that Cilium is not installed.
    const old = await read(server().users[OLD_READER]!.kubeconfig);
    assert.deepEqual(old.readWarnings, []);
  });

  test("with the CRDs: the namespace's CiliumNetworkPolicies and every CiliumClusterwideNetworkPolicy", async () => {
    await installCrds(server(), cilium.files());
    for (const ns of ['shop', 'other'])
      await post(`/apis/cilium.io/v2/namespaces/${ns}/ciliumnetworkpolicies`, {
        apiVersion: 'cilium.io/v2',
        kind: 'CiliumNetworkPolicy',
        metadata: { name: 'no-world', namespace: ns },
        spec,
      });
    await post('/apis/cilium.io/v2/ciliumclusterwidenetworkpolicies', {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumClusterwideNetworkPolicy',
      metadata: { name: 'dns' },
      specs: [
        { endpointSelector: {}, egress: [{ toEntities: ['cluster'] }], enableDefaultDeny: { egress: false } },
      ],
    });

    // As the read-only user of deploy/rbac: allowed.
    const r = await read(server().readonlyKubeconfig);
    assert.deepEqual(r.readWarnings, []);
    assert.deepEqual(r.skipped, []);
    assert.deepEqual(
      r.state.ciliumPolicies.map((p) => p.id),
      ['CiliumNetworkPolicy/shop/no-world', 'CiliumClusterwideNetworkPolicy/dns'],
    );
    assert.deepEqual(r.state.ciliumPolicies[0]?.object.spec, spec);
    assert.deepEqual(r.state.ciliumPolicies[1]?.specs[0]?.defaultDeny, { ingress: false, egress: false });
  });

  test('a reader not allowed to list them gets one warning line', async () => {
    const r = await read(server().users[OLD_READER]!.kubeconfig);
    assert.deepEqual(r.readWarnings, [
      'warning: left out ciliumnetworkpolicies and ciliumclusterwidenetworkpolicies (forbidden): Cilium policies (CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy), if the cluster has any, are not analyzed (grant list on them: deploy/rbac/netfence-readonly.yaml)',
    ]);
    assert.deepEqual(r.state.ciliumPolicies, []);
  });

  test('apply plans the Cilium policies of its input with the others (test/cluster/apply-cilium.test.ts deploys them)', async () => {
    const file = join(tmp, 'apply.yaml');
    writeFileSync(
      file,
      'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: shop}\nspec: {podSelector: {}}\n---\n' +
        'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: c, namespace: shop}\nspec: {endpointSelector: {}, ingress: [{}]}\n',
    );
    const r = await cli(server(), [
      'apply',
      file,
      '--cluster',
      '--dry-run',
      '--state-dir',
      join(tmp, 'state'),
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /left out/);
    assert.match(r.stdout, /2 policies \(1 NetworkPolicy, 1 CiliumNetworkPolicy\)/);
  });

  test('the snapshot holds them, and reading the snapshot gives the same policies', async () => {
    const file = join(tmp, 'snap.yaml');
    const s = await cli(server(), ['snapshot', '--cluster', '-A', '-o', file]);
    assert.equal(s.code, 0, s.stderr);
    assert.match(s.stderr, /2 CiliumNetworkPolicy, 1 CiliumClusterwideNetworkPolicy/);
    const items = (
      parse(readFileSync(file, 'utf8')) as {
        items: { kind: string; metadata: { name: string; namespace?: string } }[];
      }
    ).items;
    assert.deepEqual(
      items
        .filter((i) => i.kind.startsWith('Cilium'))
        .map((i) => `${i.kind} ${i.metadata.namespace ?? ''}/${i.metadata.name}`),
      [
        'CiliumNetworkPolicy other/no-world',
        'CiliumNetworkPolicy shop/no-world',
        'CiliumClusterwideNetworkPolicy /dns',
      ],
    );
    const a = await runCli(['analyze', file, '-o', 'json']);
    assert.equal(a.code, 0, a.stderr);
    assert.doesNotMatch(a.stderr, /Ignored/);
  });
});
