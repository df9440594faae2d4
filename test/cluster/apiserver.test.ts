// Smoke test for the real-cluster harness: etcd + kube-apiserver, token auth,
// RBAC from deploy/rbac/netfence-readonly.yaml.
//
//   scripts/kube-binaries.sh            # once: builds the binaries (~10 min)
//   node --test test/cluster/apiserver.test.ts
//
// Skips (with the reason) when the binaries are not there, unless
// NETFENCE_REQUIRE_KUBE=1 (CI), where missing binaries fail the tests.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { apiServerBinaries, startApiServer } from '../support/kube-apiserver.ts';
import type { ApiServer } from '../support/kube-apiserver.ts';

const binaries = apiServerBinaries();
const required = process.env.NETFENCE_REQUIRE_KUBE === '1';
const skip: string | false = 'skip' in binaries && !required ? binaries.skip : false;

let api: ApiServer | undefined;

function server(): ApiServer {
  assert.ok(api, 'API server not started');
  return api;
}

const NS = 'netfence-smoke';

const networkPolicy = (name: string): Record<string, unknown> => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name, namespace: NS },
  spec: {
    podSelector: { matchLabels: { app: 'web' } },
    policyTypes: ['Ingress'],
    ingress: [
      {
        from: [{ podSelector: { matchLabels: { role: 'frontend' } } }],
        ports: [{ protocol: 'TCP', port: 80 }],
      },
    ],
  },
});

// No limit by the clock: startApiServer() gives up on a server that exits, loops or hangs (and by the clock
// only as its last resort, 5 minutes), with its log; a slow start on a loaded machine is waited for.
before(async () => {
  if ('skip' in binaries) {
    if (required) throw new Error(`NETFENCE_REQUIRE_KUBE=1 but ${binaries.skip}`);
    return;
  }
  api = await startApiServer({ binaries });
});

after(async () => {
  await api?.stop();
});

test('writes kubeconfigs for the admin and the read-only user', { skip }, () => {
  const s = server();
  assert.match(s.url, /^https:\/\/127\.0\.0\.1:\d+$/);
  for (const [file, token] of [
    [s.adminKubeconfig, s.adminToken],
    [s.readonlyKubeconfig, s.readonlyToken],
  ] as const) {
    const text = fs.readFileSync(file, 'utf8');
    assert.ok(text.includes(`server: ${s.url}`), `${file} names the server`);
    assert.ok(text.includes(`token: ${token}`), `${file} holds its token`);
    if (s.tlsVerified) assert.ok(text.includes('certificate-authority-data: '), `${file} has the CA`);
  }
});

test('admin can create a namespace and a NetworkPolicy', { skip }, async () => {
  const s = server();
  const ns = await s.request('POST', '/api/v1/namespaces', {
    body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } },
  });
  assert.equal(ns.status, 201, ns.text);

  const np = await s.request('POST', `/apis/networking.k8s.io/v1/namespaces/${NS}/networkpolicies`, {
    body: networkPolicy('allow-frontend'),
  });
  assert.equal(np.status, 201, np.text);

  const got = await s.request(
    'GET',
    `/apis/networking.k8s.io/v1/namespaces/${NS}/networkpolicies/allow-frontend`,
  );
  assert.equal(got.status, 200, got.text);
  const spec = (got.json as { spec: { podSelector: unknown } }).spec;
  assert.deepEqual(spec.podSelector, { matchLabels: { app: 'web' } });
});

test('read-only user can list pods and networkpolicies', { skip }, async () => {
  const s = server();
  const token = s.readonlyToken;

  const pods = await s.request('GET', '/api/v1/pods', { token });
  assert.equal(pods.status, 200, pods.text);
  assert.equal((pods.json as { kind: string }).kind, 'PodList');

  const nps = await s.request('GET', '/apis/networking.k8s.io/v1/networkpolicies', { token });
  assert.equal(nps.status, 200, nps.text);
  const items = (nps.json as { items: Array<{ metadata: { namespace: string; name: string } }> }).items;
  assert.ok(
    items.some((i) => i.metadata.namespace === NS && i.metadata.name === 'allow-frontend'),
    'the admin-created policy is visible to the reader',
  );
});

test('read-only user is refused writes, secrets and configmaps', { skip }, async () => {
  const s = server();
  const token = s.readonlyToken;

  const create = await s.request('POST', `/apis/networking.k8s.io/v1/namespaces/${NS}/networkpolicies`, {
    token,
    body: networkPolicy('reader-should-not-create'),
  });
  assert.equal(create.status, 403, create.text);

  const secrets = await s.request('GET', `/api/v1/namespaces/${NS}/secrets`, { token });
  assert.equal(secrets.status, 403, secrets.text);

  const allSecrets = await s.request('GET', '/api/v1/secrets', { token });
  assert.equal(allSecrets.status, 403, allSecrets.text);

  const configmaps = await s.request('GET', '/api/v1/configmaps', { token });
  assert.equal(configmaps.status, 403, configmaps.text);
});
