/**
 * `netfence webhook --client-ca` behind a real kube-apiserver started with an admission configuration
 * (`--admission-control-config-file`) whose kubeconfig gives the API server a client certificate for
 * webhooks: the API server's calls are answered (a policy breaking an assertion is denied with the
 * webhook's message), a direct request without a certificate is refused (401), and a webhook that trusts
 * another CA refuses the API server's calls (the API server then fails the request: failurePolicy Fail).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeSelfSigned, type SelfSigned } from '../../src/admission/tls.ts';
import type { ApiServer } from '../support/kube-apiserver.ts';
import { makeClientCert } from '../admission/client-cert.ts';
import { SPEC_TEXT, baseObjects, np, review } from '../admission/fixtures.ts';
import { applyObjects, skip, startServer } from './setup.ts';
import { guardProgress } from '../support/progress.ts';
import {
  NP,
  apiCall,
  postToHook,
  registerWebhook,
  startWebhookProcess,
  type RunningHook,
} from './webhook-support.ts';

let api: ApiServer | undefined;
let tmp = '';
let callers: SelfSigned | undefined;
let strangers: SelfSigned | undefined;
const hooks: RunningHook[] = [];

const ALLOW_ALL = np('data', 'allow-all', { podSelector: {}, ingress: [{}] });

before(async () => {
  if (skip !== false) return;
  tmp = mkdtempSync(join(tmpdir(), 'netfence-webhook-auth-'));
  callers = await makeSelfSigned(['webhook-callers']);
  strangers = await makeSelfSigned(['someone-else']);
  const client = await makeClientCert(callers, 'kube-apiserver');
  // The API server's credentials for webhooks: "*" matches every webhook host (docs/enforce.md).
  const kubeconfig = join(tmp, 'webhook-client.kubeconfig');
  writeFileSync(
    kubeconfig,
    `apiVersion: v1
kind: Config
users:
  - name: '*'
    user:
      client-certificate: ${client.certFile}
      client-key: ${client.keyFile}
`,
  );
  const admission = join(tmp, 'admission.yaml');
  writeFileSync(
    admission,
    `apiVersion: apiserver.config.k8s.io/v1
kind: AdmissionConfiguration
plugins:
  - name: ValidatingAdmissionWebhook
    configuration:
      apiVersion: apiserver.config.k8s.io/v1
      kind: WebhookAdmissionConfiguration
      kubeConfigFile: ${kubeconfig}
`,
  );
  api = await startServer({ extraApiServerArgs: [`--admission-control-config-file=${admission}`] });
  if (api === undefined) return;
  writeFileSync(join(tmp, 'reachability.yaml'), SPEC_TEXT);
  await applyObjects(api, baseObjects() as unknown as Record<string, unknown>[]);
  const args = ['--spec', join(tmp, 'reachability.yaml'), '--no-config', '--client-ca'];
  hooks.push(await startWebhookProcess(api, [...args, callers.caFile]));
  hooks.push(await startWebhookProcess(api, [...args, strangers.caFile]));
  const exceptOther = {
    matchExpressions: [{ key: 'netfence-test', operator: 'NotIn', values: ['other'] }],
  };
  await registerWebhook(api, 'netfence-trusted', hooks[0]!, exceptOther, false);
  await registerWebhook(
    api,
    'netfence-other-ca',
    hooks[1]!,
    { matchLabels: { 'netfence-test': 'other' } },
    false,
  );
  // The configurations reach the admission chain through an informer: wait until the webhook answers.
  const server = api;
  await server.until(
    () => apiCall(server, 'POST', `${NP}?dryRun=All`, ALLOW_ALL),
    (r) => r.status === 403,
    (r) => `the webhook is not called: ${JSON.stringify(r.body)}\n${hooks[0]!.stderr()}`,
  );
});

after(async () => {
  for (const h of hooks) h.process.kill('SIGTERM');
  await api?.stop();
  for (const d of [callers, strangers]) if (d !== undefined) rmSync(d.dir, { recursive: true, force: true });
  if (tmp !== '') rmSync(tmp, { recursive: true, force: true });
});

/** Waits for a log line of the webhook: it crosses a pipe and may land a moment after the answer. */
async function logged(hook: RunningHook, line: RegExp): Promise<void> {
  // Given up when the webhook exits or is stuck (no CPU time used for a minute), not by a count of tries.
  let stuck: string | undefined;
  const unguard = guardProgress(hook.process.pid!, { cpuMs: 60_000, fallbackMs: 300_000 }, (reason) => {
    stuck = reason;
  });
  try {
    while (!line.test(hook.stderr())) {
      const exited = hook.process.exitCode ?? hook.process.signalCode;
      assert.ok(
        exited === null && stuck === undefined,
        `not logged (${stuck ?? `exited: ${String(exited)}`}): ${String(line)}\n${hook.stderr()}`,
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    unguard();
  }
}

describe('netfence webhook --client-ca with a real API server', { skip }, () => {
  test("the API server's client certificate is accepted: its calls are judged", async () => {
    const r = await apiCall(api!, 'POST', NP, ALLOW_ALL);
    assert.equal(r.status, 403, JSON.stringify(r.body));
    assert.match(
      String(r.body.message),
      /admission webhook "netfence-trusted\.netfence\.io" denied the request/,
    );
    assert.match(String(r.body.message), /breaking test "tenant-a never reaches the database"/);
    assert.doesNotMatch(hooks[0]!.stderr(), /caller rejected/);
  });

  test('a request without a client certificate is refused (401) and logged', async () => {
    const r = await postToHook(hooks[0]!, '/validate', JSON.stringify(review('CREATE', ALLOW_ALL)));
    assert.equal(r.status, 401);
    assert.match(r.text, /a client certificate is required/);
    await logged(hooks[0]!, /"msg":"caller rejected","reason":"no client certificate"/);
    assert.equal((await postToHook(hooks[0]!, '/healthz', '')).status, 200);
  });

  test("a webhook trusting another CA refuses the API server's certificate (403): the call fails", async () => {
    const labelled = np('data', 'labelled', { podSelector: {} });
    (labelled.metadata as { labels?: Record<string, string> }).labels = { 'netfence-test': 'other' };
    const r = await apiCall(api!, 'POST', NP, labelled);
    assert.equal(r.status, 500, JSON.stringify(r.body));
    assert.match(String(r.body.message), /failed calling webhook "netfence-other-ca\.netfence\.io"/);
    await logged(hooks[1]!, /client certificate \\"kube-apiserver\\" not signed by --client-ca/);
  });
});
