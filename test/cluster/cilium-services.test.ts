/**
 * `--cluster` reads EndpointSlices (a real kube-apiserver with Cilium's CRDs): the backends of a Service
 * without a selector, which a CiliumNetworkPolicy's `toServices` allows egress to (issue #17). The read-only
 * RBAC of deploy/rbac grants the listing; a reader without it gets one warning line and the analysis goes on.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse } from 'yaml';
import { connect, readCluster, stateFromObjects } from '../../src/k8s/index.ts';
import { compileCluster } from '../../src/engine/compile.ts';
import { portsContain } from '../../src/engine/ports.ts';
import type { ApiServer } from '../support/kube-apiserver.ts';
import { installCrds } from '../support/crds.ts';
import { runCli } from '../support/cli.ts';
import { bindReadonlyWithout, ciliumCrdsFor, cli, createObject, startServer } from './setup.ts';

const cilium = ciliumCrdsFor();
const skip = cilium.skip;

/** A user bound to the read-only rules without the discovery.k8s.io one (an older netfence's). */
const OLD_READER = 'old-reader';

let api: ApiServer | undefined;
let tmp = '';

function server(): ApiServer {
  assert.ok(api !== undefined, 'API server not started');
  return api;
}

const post = (path: string, body: unknown): Promise<void> => createObject(server(), path, body);

async function read(kubeconfig: string) {
  const conn = connect({ kubeconfig, env: {} });
  const r = await readCluster(conn, { scope: { kind: 'all' } });
  return { ...stateFromObjects(r.objects), readWarnings: r.warnings };
}

before(async () => {
  if (skip !== false) return;
  const crds = cilium.files();
  api = await startServer({ users: [{ name: OLD_READER }] });
  if (api === undefined) return;
  tmp = mkdtempSync(join(tmpdir(), 'netfence-cilium-services-'));
  await installCrds(server(), crds);
  await post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
  await post('/api/v1/namespaces/shop/pods', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'client', namespace: 'shop', labels: { app: 'client' } },
    spec: { containers: [{ name: 'c', image: 'busybox' }] },
  });
  // A Service without a selector, its backends given by hand (no controller-manager runs here).
  await post('/api/v1/namespaces/shop/services', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'payments', namespace: 'shop' },
    spec: { ports: [{ port: 443 }] },
  });
  await post('/apis/discovery.k8s.io/v1/namespaces/shop/endpointslices', {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: 'payments-1',
      namespace: 'shop',
      labels: { 'kubernetes.io/service-name': 'payments' },
    },
    addressType: 'IPv4',
    ports: [{ port: 443, protocol: 'TCP' }],
    endpoints: [{ addresses: ['203.0.113.10'], conditions: { ready: true } }],
  });
  await post('/apis/cilium.io/v2/namespaces/shop/ciliumnetworkpolicies', {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: { name: 'to-payments', namespace: 'shop' },
    spec: {
      endpointSelector: { matchLabels: { app: 'client' } },
      egress: [
        {
          toServices: [{ k8sService: { serviceName: 'payments', namespace: 'shop' } }],
          toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }],
        },
      ],
    },
  });
  await bindReadonlyWithout(server(), OLD_READER, 'discovery.k8s.io');
});

after(async () => {
  await api?.stop();
  if (tmp !== '') rmSync(tmp, { recursive: true, force: true });
});

/** Whether shop/client may reach an address on TCP `port` in a state. */
function reaches(state: ReturnType<typeof stateFromObjects>['state'], ip: string, port: number): boolean {
  const compiled = compileCluster(state);
  return portsContain(
    compiled.allowedBetween({ kind: 'pod', namespace: 'shop', name: 'client' }, { kind: 'ip', ip }),
    'TCP',
    port,
  );
}

describe('--cluster and toServices to a Service without a selector', { skip }, () => {
  test('the EndpointSlice is read: the Service backend is reachable, nothing else', async () => {
    const r = await read(server().readonlyKubeconfig);
    assert.deepEqual(r.readWarnings, []);
    assert.deepEqual(
      r.state.serviceEndpoints?.map((e) => [e.id, e.service, e.addresses]),
      [['shop/EndpointSlice/payments-1', 'payments', ['203.0.113.10']]],
    );
    assert.equal(reaches(r.state, '203.0.113.10', 443), true);
    assert.equal(reaches(r.state, '203.0.113.11', 443), false);
  });

  test('a reader not allowed to list EndpointSlices gets one warning line; the Service has no known backend', async () => {
    const r = await read(server().users[OLD_READER]!.kubeconfig);
    assert.deepEqual(r.readWarnings, [
      "warning: left out endpointslices in all namespaces (forbidden): Services without a selector have no known backend: Cilium's toServices to them is read as if they had none",
    ]);
    assert.equal(r.state.serviceEndpoints, undefined);
    // As Cilium reads a toServices that resolves to nothing: with toPorts, every destination on them.
    assert.equal(reaches(r.state, '203.0.113.11', 443), true);
    assert.equal(reaches(r.state, '203.0.113.11', 80), false);
  });

  test('the snapshot holds the EndpointSlice, and analyzing it gives the same connectivity', async () => {
    const file = join(tmp, 'snap.yaml');
    const s = await cli(server(), ['snapshot', '--cluster', '-A', '-o', file]);
    assert.equal(s.code, 0, s.stderr);
    const items = (
      parse(readFileSync(file, 'utf8')) as { items: { kind: string; metadata: { name: string } }[] }
    ).items;
    assert.deepEqual(
      items.filter((i) => i.kind === 'EndpointSlice').map((i) => i.metadata.name),
      ['payments-1'],
    );
    const a = await runCli(['analyze', file, '-o', 'json']);
    assert.equal(a.code, 0, a.stderr);
    assert.doesNotMatch(a.stderr, /Ignored/);
    assert.match(a.stdout, /203\.0\.113\.10/);
  });
});
