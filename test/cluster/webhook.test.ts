/**
 * `netfence webhook` behind a real kube-apiserver: the command runs as a process (`--self-signed`: its own
 * CA, made by openssl), with the read-only RBAC of deploy/rbac; a ValidatingWebhookConfiguration points the
 * API server at it (`url` on loopback, the CA as caBundle), and NetworkPolicies and Namespace labels are
 * written through the API as kubectl would: the API server calls the webhook over TLS and enforces its answer.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crdFiles, installCrds, networkPolicyApiDir } from '../support/crds.ts';
import type { ApiServer } from '../support/kube-apiserver.ts';
import { applyObjects, readObjects, skip, startServer } from './setup.ts';
import { SPEC_TEXT, baseObjects, np } from '../admission/fixtures.ts';
import {
  ALLOW_API,
  CONFIGS,
  NP,
  apiCall,
  registerWebhook,
  startWebhookProcess,
  type Reply,
  type RunningHook,
} from './webhook-support.ts';

let api: ApiServer | undefined;
let tmp = '';
const webhooks: RunningHook[] = [];

const call = (method: string, path: string, body?: unknown, contentType?: string): Promise<Reply> =>
  apiCall(api!, method, path, body, contentType);

async function startWebhook(args: readonly string[]): Promise<RunningHook> {
  const hook = await startWebhookProcess(api!, args);
  webhooks.push(hook);
  return hook;
}

const register = (
  name: string,
  hook: RunningHook,
  selector: Record<string, unknown>,
  namespaces: boolean,
): Promise<void> => registerWebhook(api!, name, hook, selector, namespaces);

/** The ClusterNetworkPolicy CRD (network-policy-api v0.3.0); without it the tier test is skipped, unless required. */
const npapi = networkPolicyApiDir('v0.3.0');
const tierSkip: string | false =
  skip !== false
    ? skip
    : typeof npapi === 'string' || process.env.NETFENCE_REQUIRE_KUBE === '1'
      ? false
      : npapi.skip;

const ALLOW_ALL = np('data', 'allow-all', { podSelector: {}, ingress: [{}] });

before(async () => {
  api = await startServer();
  if (api === undefined) return;
  tmp = mkdtempSync(join(tmpdir(), 'netfence-webhook-'));
  writeFileSync(join(tmp, 'reachability.yaml'), SPEC_TEXT);
  await applyObjects(api, baseObjects() as unknown as Record<string, unknown>[]);
  // The CRD first: the webhook lists the tier kinds at start (and a missing one again only after 2, 4, 8, 16 s, then every 30 s).
  if (tierSkip === false) {
    if (typeof npapi !== 'string') throw new Error(`NETFENCE_REQUIRE_KUBE=1 but ${npapi.skip}`);
    await installCrds(api, crdFiles(join(npapi, 'config', 'crd', 'standard')));
  }
  const specArgs = ['--spec', join(tmp, 'reachability.yaml'), '--no-config'];
  const deny = await startWebhook(specArgs);
  const warn = await startWebhook([...specArgs, '--mode', 'warn']);
  await register(
    'netfence-deny',
    deny,
    { matchExpressions: [{ key: 'netfence-test', operator: 'NotIn', values: ['warn'] }] },
    true,
  );
  await register('netfence-warn', warn, { matchLabels: { 'netfence-test': 'warn' } }, false);
  // The configurations reach the admission chain through an informer: wait until the webhook answers.
  await api.until(
    () => call('POST', `${NP}?dryRun=All`, ALLOW_ALL),
    (r) => r.status === 403,
    (r) => `the webhook is not called: ${JSON.stringify(r.body)}`,
  );
});

after(async () => {
  for (const w of webhooks) w.process.kill('SIGTERM');
  await api?.stop();
  if (tmp !== '') rmSync(tmp, { recursive: true, force: true });
});

describe('netfence webhook called by the API server', { skip }, () => {
  test('a NetworkPolicy that breaks a spec assertion is denied with the message', async () => {
    const r = await call('POST', NP, ALLOW_ALL);
    assert.equal(r.status, 403);
    const message = String(r.body.message);
    assert.match(message, /admission webhook "netfence-deny\.netfence\.io" denied the request/);
    assert.match(
      message,
      /NetworkPolicy data\/allow-all: spec\.ingress\[0\] would open tenant-a\/\w+ → data\/postgres/,
    );
    assert.match(message, /and 2 more pairs, breaking test "tenant-a never reaches the database"/);
    assert.equal((await call('GET', `${NP}/allow-all`)).status, 404);
  });

  test('a dry-run request is answered the same way and nothing is stored', async () => {
    const r = await call('POST', `${NP}?dryRun=All`, ALLOW_ALL);
    assert.equal(r.status, 403);
    assert.match(String(r.body.message), /tenant-a never reaches the database/);
    const decided = webhooks[0]!
      .stderr()
      .split('\n')
      .filter((l) => l.includes('"dryRun":true'));
    assert.ok(decided.length > 0, 'the webhook logged the dry-run request');
  });

  test('an allowed change is admitted', async () => {
    const metrics = np('data', 'allow-db-metrics', {
      podSelector: { matchLabels: { app: 'postgres' } },
      ingress: [
        { from: [{ namespaceSelector: { matchLabels: { access: 'db' } } }], ports: [{ port: 9187 }] },
      ],
    });
    const r = await call('POST', NP, metrics);
    assert.equal(r.status, 201, JSON.stringify(r.body));
  });

  test('warn mode admits the change with admission warnings', async () => {
    const labelled = {
      ...ALLOW_ALL,
      metadata: { ...ALLOW_ALL.metadata, name: 'allow-all-warned', labels: { 'netfence-test': 'warn' } },
    };
    const r = await call('POST', NP, labelled);
    assert.equal(r.status, 201, JSON.stringify(r.body));
    // The spec assertion it breaks and the lint rule at error (the default configuration), each as a warning.
    assert.equal(r.warnings.length, 2, JSON.stringify(r.warnings));
    assert.match(
      r.warnings[0]!,
      /^would be denied: NetworkPolicy data\/allow-all-warned: spec\.ingress\[0\] would open tenant-a\/\w+ → data\/postgres on all ports, .*tenant-a never reaches the database/,
    );
    assert.match(
      r.warnings[1]!,
      /^would be denied: data\/NetworkPolicy\/allow-all-warned: rule no-allow-all-rule \(error\)/,
    );
    assert.equal((await call('DELETE', `${NP}/allow-all-warned`)).status, 200);
  });

  test('relabelling a namespace that would open the database is denied', async () => {
    // Until the webhook has seen allow-all-warned go (the test before), tenant-a reaches the database
    // already and the relabel opens nothing new: a dry run, repeated until the watch has caught up.
    const r = await api!.until(
      () =>
        call(
          'PATCH',
          '/api/v1/namespaces/tenant-a?dryRun=All',
          { metadata: { labels: { access: 'db' } } },
          'application/merge-patch+json',
        ),
      (reply) => reply.status !== 200,
      (reply) => `the relabel is still admitted: ${JSON.stringify(reply.body)}`,
    );
    assert.equal(r.status, 403);
    assert.match(String(r.body.message), /Namespace tenant-a: metadata\.labels\["access"\] would open/);
  });

  test("the namespace controller's delete is admitted: a deleted namespace is never held in Terminating", async () => {
    // The identity that empties a deleted namespace (no controller manager runs here: its service account is
    // made, given the rights it has, and a token).
    const sa = '/api/v1/namespaces/kube-system/serviceaccounts';
    assert.equal((await call('POST', sa, { metadata: { name: 'namespace-controller' } })).status, 201);
    const binding = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'test-namespace-controller' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [{ kind: 'ServiceAccount', name: 'namespace-controller', namespace: 'kube-system' }],
    };
    const bound = await call('POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', binding);
    assert.equal(bound.status, 201);
    const tokenRequest = { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: {} };
    const issued = await call('POST', `${sa}/namespace-controller/token`, tokenRequest);
    assert.equal(issued.status, 201);
    const token = (issued.body as { status: { token: string } }).status.token;
    // The same delete the admin is refused (next test): a dry run, so that nothing is deleted.
    // The new binding reaches the authorizer a moment after it is stored; the webhook's refusal is a 403 too.
    const r = await api!.until(
      () => api!.request('DELETE', `${NP}/allow-db-clients?dryRun=All`, { token }),
      (reply) => reply.status === 200 || /netfence/.test(reply.text),
      (reply) => `refused: ${reply.text}`,
    );
    assert.equal(r.status, 200, `refused: ${r.text}`);
    assert.equal((await call('GET', `${NP}/allow-db-clients`)).status, 200, 'a dry run deletes nothing');
  });

  test('the webhook follows the cluster: a policy admitted earlier counts in the next decision', async () => {
    // Deleting allow-db-clients cuts the API's path to the database, unless another policy keeps it open.
    const cut = await call('DELETE', `${NP}/allow-db-clients?dryRun=All`);
    assert.equal(cut.status, 403);
    assert.match(String(cut.body.message), /its deletion would cut shop\/api → data\/postgres/);
    assert.equal((await call('POST', NP, ALLOW_API)).status, 201);
    // The watch brings the new policy to the webhook within moments.
    await api!.until(
      () => call('DELETE', `${NP}/allow-db-clients`),
      (r) => r.status === 200,
      (r) => `still denied: ${JSON.stringify(r.body)}`,
    );
  });
});

describe('cluster policy tiers through the webhook', { skip: tierSkip }, () => {
  const CNP = '/apis/policy.networking.k8s.io/v1beta1/clusternetworkpolicies';
  const cnp = (name: string, action: string): Record<string, unknown> => ({
    apiVersion: 'policy.networking.k8s.io/v1beta1',
    kind: 'ClusterNetworkPolicy',
    metadata: { name },
    spec: {
      tier: 'Admin',
      priority: 10,
      subject: { namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'data' } } },
      ingress: [{ name: 'tenant-a', action, from: [{ namespaces: { matchLabels: { tenant: 'a' } } }] }],
    },
  });

  test('an Admin-tier ClusterNetworkPolicy that accepts tenant-a into data is denied', async () => {
    const r = await call('POST', CNP, cnp('tenant-a-to-db', 'Accept'));
    assert.equal(r.status, 403, JSON.stringify(r.body));
    assert.match(
      String(r.body.message),
      /ClusterNetworkPolicy tenant-a-to-db: .*would open tenant-a\/\w+ → data\/postgres.*tenant-a never reaches the database/,
    );
  });

  test('one that denies the same traffic is admitted', async () => {
    const r = await call('POST', CNP, cnp('tenant-a-kept-out', 'Deny'));
    assert.equal(r.status, 201, JSON.stringify(r.body));
  });
});

describe('stopping', { skip }, () => {
  test('SIGTERM stops the webhook cleanly: exit 0', async () => {
    const hook = webhooks[1]!;
    const exited = new Promise<number | null>((resolve) =>
      hook.process.once('exit', (code) => resolve(code)),
    );
    hook.process.kill('SIGTERM');
    assert.equal(await exited, 0, hook.stderr());
  });
});

describe('deploy/webhook', { skip }, () => {
  const PATHS: Record<string, string> = {
    Namespace: '/api/v1/namespaces',
    ServiceAccount: '/api/v1/namespaces/netfence/serviceaccounts',
    ClusterRoleBinding: '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings',
    // --cni auto: the binding to the read-only Role on kube-system/cilium-config.
    RoleBinding: '/apis/rbac.authorization.k8s.io/v1/namespaces/kube-system/rolebindings',
    ValidatingWebhookConfiguration: CONFIGS,
  };

  test('the manifests are accepted by the API server (server-side dry run)', async () => {
    const objects = readObjects(['deploy/webhook']);
    assert.deepEqual(objects.map((o) => o.kind).sort(), [
      'ClusterRoleBinding',
      'Namespace',
      'RoleBinding',
      'ServiceAccount',
      'ValidatingWebhookConfiguration',
    ]);
    // The namespace for real (the service account needs it), the rest as a dry run.
    await applyObjects(
      api!,
      objects.filter((o) => o.kind === 'Namespace'),
    );
    for (const o of objects.filter((o) => o.kind !== 'Namespace')) {
      const r = await call('POST', `${PATHS[String(o.kind)]!}?dryRun=All`, o);
      assert.equal(r.status, 201, `${String(o.kind)}: ${JSON.stringify(r.body)}`);
    }
  });

  test('the webhook configuration fails open, times out in 5 s and never judges kube-system', () => {
    const config = readObjects(['deploy/webhook/validating-webhook.yaml'])[0]!;
    const hook = (config.webhooks as Record<string, unknown>[])[0]!;
    assert.equal(hook.failurePolicy, 'Ignore');
    assert.equal(hook.timeoutSeconds, 5);
    assert.equal(hook.sideEffects, 'None');
    assert.match(JSON.stringify(hook.namespaceSelector), /"NotIn".*"kube-system"/);
  });

  test('the webhook reads with the read-only role: never Secrets', async () => {
    const r = await api!.request('GET', '/api/v1/secrets', { token: api!.readonlyToken });
    assert.equal(r.status, 403);
  });
});
