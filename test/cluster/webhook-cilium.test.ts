/**
 * `netfence webhook` judging Cilium's policies behind a real kube-apiserver with Cilium's CRDs installed (as
 * envtest does): the API server calls it for CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy creates,
 * updates and deletes, and enforces its answer. A webhook started before the CRDs exist logs their absence
 * once and watches them once they are installed. `--cni cilium` and the default (upstream) disagree where
 * the CNI reads the API differently: an ipBlock over pod addresses.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installCrds } from '../support/crds.ts';
import { guardProgress } from '../support/progress.ts';
import type { ApiServer } from '../support/kube-apiserver.ts';
import type { KubeObject } from '../../src/k8s/types.ts';
import { applyObjects, ciliumCrdsFor, startServer } from './setup.ts';
import { SPEC_TEXT, baseObjects, cnp, np } from '../admission/fixtures.ts';
import {
  CILIUM_RULES,
  NP,
  apiCall,
  registerWebhook,
  startWebhookProcess,
  type Reply,
  type RunningHook,
} from './webhook-support.ts';

const ciliumCrds = ciliumCrdsFor();
const skip = ciliumCrds.skip;

const CNP = '/apis/cilium.io/v2/namespaces/data/ciliumnetworkpolicies';
const CCNP = '/apis/cilium.io/v2/ciliumclusterwidenetworkpolicies';
const POSTGRES = { matchLabels: { app: 'postgres' } };
/** Cilium's selector of the pods of one namespace. */
const inNamespace = (name: string, labels: Record<string, string> = {}): Record<string, unknown> => ({
  matchLabels: { 'k8s:io.kubernetes.pod.namespace': name, ...labels },
});

let api: ApiServer | undefined;
let tmp = '';
const hooks: RunningHook[] = [];
/** Started before Cilium's CRDs were installed. */
let early: { hook: RunningHook } | undefined;

const call = (method: string, path: string, body?: unknown): Promise<Reply> =>
  apiCall(api!, method, path, body);

function labelled(o: KubeObject, value: string): KubeObject {
  return { ...o, metadata: { ...o.metadata, labels: { 'netfence-test': value } } };
}

/** Retries a request until its status is `status` (the webhook follows the cluster through its watch). */
function until(status: number, send: () => Promise<Reply>): Promise<Reply> {
  return api!.until(
    send,
    (r) => r.status === status,
    (r) => `expected HTTP ${status}, still ${r.status}: ${JSON.stringify(r.body)}`,
  );
}

before(async () => {
  if (skip !== false) return;
  const crds = ciliumCrds.files();
  api = await startServer();
  if (api === undefined) return;
  tmp = mkdtempSync(join(tmpdir(), 'netfence-webhook-cilium-'));
  writeFileSync(join(tmp, 'reachability.yaml'), SPEC_TEXT);
  // The spec decides; the lint rules on wide ipBlocks would deny the ipBlock case under every profile.
  writeFileSync(
    join(tmp, 'netfence.yaml'),
    'rules:\n  no-ipblock-covering-cluster: off\n  no-wide-ipblock: off\n',
  );
  await applyObjects(api, baseObjects() as unknown as Record<string, unknown>[]);
  const args = ['--spec', join(tmp, 'reachability.yaml'), '--config', join(tmp, 'netfence.yaml')];
  early = { hook: await startWebhookProcess(api, args) };
  hooks.push(early.hook);
  await installCrds(api, crds);
  const deny = await startWebhookProcess(api, args);
  const upstream = await startWebhookProcess(api, [...args, '--cni', 'upstream']);
  const cilium = await startWebhookProcess(api, [...args, '--cni', 'cilium']);
  hooks.push(deny, upstream, cilium);
  const others = {
    matchExpressions: [{ key: 'netfence-test', operator: 'NotIn', values: ['upstream', 'cilium'] }],
  };
  await registerWebhook(api, 'netfence-deny', deny, others, false, 'Fail', CILIUM_RULES);
  await registerWebhook(
    api,
    'netfence-upstream',
    upstream,
    { matchLabels: { 'netfence-test': 'upstream' } },
    false,
  );
  await registerWebhook(
    api,
    'netfence-cilium',
    cilium,
    { matchLabels: { 'netfence-test': 'cilium' } },
    false,
  );
  // The configurations reach the admission chain through an informer: wait until the webhook answers.
  const allowAll = cnp('data', 'allow-all', { endpointSelector: {}, ingress: [{ fromEntities: ['all'] }] });
  await until(403, () => call('POST', `${CNP}?dryRun=All`, allowAll));
});

after(async () => {
  for (const h of hooks) h.process.kill('SIGTERM');
  await api?.stop();
  if (tmp !== '') rmSync(tmp, { recursive: true, force: true });
});

describe('Cilium policies judged by netfence webhook, called by the API server', { skip }, () => {
  test('a CiliumNetworkPolicy that breaks an assertion is refused with the message', async () => {
    const allowTenant = cnp('data', 'allow-tenant', {
      endpointSelector: POSTGRES,
      ingress: [{ fromEndpoints: [inNamespace('tenant-a')] }],
    });
    const r = await call('POST', CNP, allowTenant);
    assert.equal(r.status, 403, JSON.stringify(r.body));
    const message = String(r.body.message);
    assert.match(message, /admission webhook "netfence-deny\.netfence\.io" denied the request/);
    assert.match(
      message,
      /CiliumNetworkPolicy\/data\/allow-tenant: spec\.ingress\[0\] would open tenant-a\/\w+ → data\/postgres on all ports, .* and 2 more pairs, breaking test "tenant-a never reaches the database"/,
    );
    assert.equal((await call('GET', `${CNP}/allow-tenant`)).status, 404);
  });

  test('one that breaks none is admitted', async () => {
    const metrics = cnp('data', 'allow-shop-metrics', {
      endpointSelector: POSTGRES,
      ingress: [{ fromEndpoints: [inNamespace('shop')], toPorts: [{ ports: [{ port: '9187' }] }] }],
    });
    const r = await call('POST', CNP, metrics);
    assert.equal(r.status, 201, JSON.stringify(r.body));
  });

  test('a CiliumClusterwideNetworkPolicy deny that cuts an expected path is refused', async () => {
    const deny = cnp(undefined, 'deny-shop', {
      endpointSelector: inNamespace('data'),
      ingressDeny: [{ fromEndpoints: [inNamespace('shop')] }],
    });
    const r = await call('POST', CCNP, deny);
    assert.equal(r.status, 403, JSON.stringify(r.body));
    assert.match(
      String(r.body.message),
      /CiliumClusterwideNetworkPolicy\/deny-shop: spec\.ingressDeny\[0\] would cut shop\/api → data\/postgres, breaking test "the API reaches the database"/,
    );
    // A deny of what no assertion needs is admitted.
    const harmless = cnp(undefined, 'deny-tenant', {
      endpointSelector: inNamespace('data'),
      ingressDeny: [{ fromEndpoints: [inNamespace('tenant-a')] }],
    });
    assert.equal((await call('POST', `${CCNP}?dryRun=All`, harmless)).status, 201);
  });

  test('a policy the Cilium agent would reject is refused with its reason (the CRD schema lets it in)', async () => {
    const mixed = cnp('data', 'mixed', {
      endpointSelector: POSTGRES,
      ingressDeny: [{ fromEndpoints: [inNamespace('tenant-a')], fromCIDR: ['10.0.0.0/24'] }],
    });
    const r = await call('POST', `${CNP}?dryRun=All`, mixed);
    assert.equal(r.status, 403, JSON.stringify(r.body));
    assert.match(
      String(r.body.message),
      /CiliumNetworkPolicy\/data\/mixed: the Cilium agent would not enforce it: spec\.ingressDeny\[0\]\.fromCIDR: combining FromEndpoints and FromCIDR/,
    );
  });

  test('--cni cilium and upstream disagree on an ipBlock over pod addresses', async () => {
    const byAddress = np('data', 'by-address', {
      podSelector: { matchLabels: { app: 'postgres' } },
      ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/16' } }] }],
    });
    // Upstream (the Kubernetes API): ipBlock peers match pods by their IPs, tenant-a's among them.
    const upstream = await call('POST', `${NP}?dryRun=All`, labelled(byAddress, 'upstream'));
    assert.equal(upstream.status, 403, JSON.stringify(upstream.body));
    assert.match(
      String(upstream.body.message),
      /NetworkPolicy data\/by-address: spec\.ingress\[0\] would open tenant-a\/\w+ → data\/postgres/,
    );
    // Cilium: CIDR rules do not match pod addresses (policy-cidr-match-mode unset): nothing opens.
    const cilium = await call('POST', `${NP}?dryRun=All`, labelled(byAddress, 'cilium'));
    assert.equal(cilium.status, 201, JSON.stringify(cilium.body));
  });

  test('deleting a CiliumNetworkPolicy allow an assertion needs is refused', async () => {
    const allowApi = cnp('data', 'allow-api', {
      endpointSelector: POSTGRES,
      ingress: [
        { fromEndpoints: [inNamespace('shop', { app: 'api' })], toPorts: [{ ports: [{ port: '5432' }] }] },
      ],
    });
    assert.equal((await call('POST', CNP, allowApi)).status, 201);
    // Once the webhook has seen it, the NetworkPolicy that kept the path open may go: the CNP keeps it.
    await until(200, () => call('DELETE', `${NP}/allow-db-clients`));
    // The webhook learns of that deletion from its watch, a moment later: until then it still counts the
    // NetworkPolicy and would let the CNP go. A dry run asks it without deleting anything.
    await until(403, () => call('DELETE', `${CNP}/allow-api?dryRun=All`));
    const r = await call('DELETE', `${CNP}/allow-api`);
    assert.equal(r.status, 403, JSON.stringify(r.body));
    assert.match(
      String(r.body.message),
      /CiliumNetworkPolicy\/data\/allow-api: its deletion would cut shop\/api → data\/postgres, breaking test "the API reaches the database"/,
    );
    assert.equal((await call('GET', `${CNP}/allow-api`)).status, 200);
  });

  test('a webhook started before the CRDs logged their absence once, and watches them once installed', async () => {
    const { hook } = early!;
    const lines = (): string[] => hook.stderr().split('\n');
    // The kinds are listed again (after 2, 4, 8, 16 s, then every 30 s): by then the CRDs are there. Given up
    // when the webhook exits, or is stuck: no CPU time used for 90 s (3 of its waits of 30 s by its clock), or
    // a minute of it used (a loop).
    let stuck: string | undefined;
    const stopGuard = guardProgress(
      hook.process.pid!,
      { cpuMs: 60_000, idleMs: 90_000, fallbackMs: 300_000 },
      (reason) => (stuck = reason),
    );
    try {
      for (;;) {
        const watching = lines().filter((l) => l.includes('"msg":"watching"'));
        if (watching.length === 2) break;
        const gone = hook.process.exitCode ?? hook.process.signalCode;
        assert.ok(
          gone === null && stuck === undefined,
          `not watching Cilium's kinds (${stuck ?? `exited: ${String(gone)}`}):\n${hook.stderr()}`,
        );
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    } finally {
      stopGuard();
    }
    // The tier kinds, never installed here, were listed again at the same time, and not logged again.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    for (const resource of [
      'ciliumnetworkpolicies',
      'ciliumclusterwidenetworkpolicies',
      'clusternetworkpolicies',
    ]) {
      const leftOut = lines().filter(
        (l) => l.includes('"msg":"left out"') && l.includes(`"resource":"${resource}"`),
      );
      assert.equal(leftOut.length, 1, leftOut.join('\n'));
      assert.match(leftOut[0]!, /not served/);
    }
  });
});
