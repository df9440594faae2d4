/**
 * The webhook's HTTPS server on loopback, with a CA and certificate made by openssl: reviews are answered,
 * bad input gets a clear 4xx and a log line (never a crash: the server answers the next request), the
 * certificate is replaced when its files change.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { TLSSocket } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { copyFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startWebhook, type LogEntry, type RunningWebhook } from '../../src/admission/server.ts';
import {
  makeSelfSigned,
  readClientCa,
  watchFiles,
  watchKeyPair,
  type KeyPair,
  type SelfSigned,
} from '../../src/admission/tls.ts';
import { makeClientCert } from './client-cert.ts';
import type { KubeObject } from '../../src/k8s/types.ts';
import { NO_LINT, baseObjects, np, review, spec } from './fixtures.ts';

interface Answer {
  status: number;
  text: string;
  /** The serving certificate's fingerprint. */
  fingerprint: string;
}

function post(
  webhook: RunningWebhook,
  ca: string,
  path: string,
  body: string,
  method = 'POST',
  client?: KeyPair,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${webhook.url}${path}`,
      {
        method,
        ca,
        agent: false,
        headers: { 'content-type': 'application/json' },
        ...(client === undefined ? {} : { cert: client.cert, key: client.key }),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            text: Buffer.concat(chunks).toString('utf8'),
            fingerprint:
              res.socket instanceof TLSSocket
                ? (res.socket.getPeerX509Certificate()?.fingerprint256 ?? '')
                : '',
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('the webhook server', () => {
  let certs: SelfSigned;
  let webhook: RunningWebhook;
  let ready = true;
  const logs: LogEntry[] = [];
  const objects: KubeObject[] = baseObjects();

  before(async () => {
    certs = await makeSelfSigned(['127.0.0.1', 'localhost']);
    webhook = await startWebhook({
      host: '127.0.0.1',
      port: 0,
      tls: certs,
      rules: { mode: 'deny', lint: NO_LINT, specs: [spec()] },
      source: { isReady: () => ready, generation: () => 1, objects: () => objects },
      log: (e) => logs.push(e),
      maxBodyBytes: 64 * 1024,
    });
  });
  after(async () => {
    await webhook.close();
    rmSync(certs.dir, { recursive: true, force: true });
  });

  test('the certificate names 127.0.0.1 and is signed by the CA', () => {
    const cert = new X509Certificate(certs.cert);
    assert.match(cert.subjectAltName ?? '', /IP Address:127\.0\.0\.1/);
    assert.ok(cert.verify(new X509Certificate(certs.ca).publicKey));
  });

  test('a review that breaks a spec assertion is denied, with the uid echoed', async () => {
    const body = review('CREATE', np('data', 'allow-all', { podSelector: {}, ingress: [{}] }));
    const a = await post(webhook, certs.ca, '/validate', JSON.stringify(body));
    assert.equal(a.status, 200);
    const answer = JSON.parse(a.text) as { kind: string; response: Record<string, unknown> };
    assert.equal(answer.kind, 'AdmissionReview');
    assert.equal(answer.response.uid, (body.request as { uid: string }).uid);
    assert.equal(answer.response.allowed, false);
    assert.match(
      (answer.response.status as { message: string }).message,
      /tenant-a never reaches the database/,
    );
    const logged = logs.find((l) => l.msg === 'decision' && l.uid === answer.response.uid);
    assert.equal(logged?.allowed, false);
    // Decided on the held cluster's engine, built once (logged) and kept for the requests that follow.
    assert.equal(logged.computed, 'engine');
    assert.equal(logs.filter((l) => l.msg === 'cluster built').length, 1);
  });

  test('malformed JSON: 400 with the reason, logged', async () => {
    const a = await post(webhook, certs.ca, '/validate', '{"apiVersion": ');
    assert.equal(a.status, 400);
    assert.match(a.text, /the body is not JSON/);
    assert.ok(logs.some((l) => l.msg === 'rejected' && l.status === 400));
  });

  test('an AdmissionReview of another version: 400 naming the fix', async () => {
    const body = { ...review('CREATE', objects[0]), apiVersion: 'admission.k8s.io/v1beta1' };
    const a = await post(webhook, certs.ca, '/validate', JSON.stringify(body));
    assert.equal(a.status, 400);
    assert.match(a.text, /admissionReviewVersions: \["v1"\]/);
  });

  test('a review without a uid: 400', async () => {
    const body = review('CREATE', objects[0]);
    delete (body.request as Record<string, unknown>).uid;
    const a = await post(webhook, certs.ca, '/validate', JSON.stringify(body));
    assert.equal(a.status, 400);
    assert.match(a.text, /request\.uid/);
  });

  test('an unknown kind: 422 saying what netfence judges', async () => {
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'data' } };
    const a = await post(
      webhook,
      certs.ca,
      '/validate',
      JSON.stringify(review('CREATE', secret as unknown as KubeObject)),
    );
    assert.equal(a.status, 422);
    assert.match(a.text, /netfence does not judge Secret \(it judges NetworkPolicy, Namespace/);
  });

  test('an oversized body: 413, and the server answers the next request', async () => {
    const a = await post(webhook, certs.ca, '/validate', 'x'.repeat(65 * 1024));
    assert.equal(a.status, 413);
    const ok = await post(webhook, certs.ca, '/healthz', '', 'GET');
    assert.equal(ok.status, 200);
  });

  test('other paths and methods: 404 and 405', async () => {
    assert.equal((await post(webhook, certs.ca, '/mutate', '{}')).status, 404);
    assert.equal((await post(webhook, certs.ca, '/validate', '', 'GET')).status, 405);
  });

  test('before the cluster is read: /readyz and /validate answer 503', async () => {
    ready = false;
    try {
      assert.equal((await post(webhook, certs.ca, '/readyz', '', 'GET')).status, 503);
      const body = review('CREATE', np('data', 'x', { podSelector: {} }));
      assert.equal((await post(webhook, certs.ca, '/validate', JSON.stringify(body))).status, 503);
    } finally {
      ready = true;
    }
    assert.equal((await post(webhook, certs.ca, '/readyz', '', 'GET')).status, 200);
  });

  test('a new certificate written over the files is served to new connections', async () => {
    const first = await post(webhook, certs.ca, '/healthz', '', 'GET');
    const next = await makeSelfSigned(['127.0.0.1']);
    const refused: string[] = [];
    let reloaded: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (reloaded = resolve));
    const stop = watchKeyPair(
      certs.certFile,
      certs.keyFile,
      // A look between the two writes below can read the new key with the old certificate: the webhook
      // refuses that pair and keeps its own (as `netfence webhook` logs "certificate not reloaded"), and the
      // certificate's own write is seen next. Kept, not thrown: a machine that stalls 200 ms between the
      // writes meets it, and the test waits for the pair that lands.
      (pair) => {
        try {
          webhook.setKeyPair(pair);
          reloaded();
        } catch (error) {
          refused.push(error instanceof Error ? error.message : String(error));
        }
      },
      (message) => assert.fail(message),
      50,
    );
    try {
      writeFileSync(certs.keyFile, next.key);
      writeFileSync(certs.certFile, `${next.cert}\n`);
      // The watcher takes its first look at the files asynchronously: on a busy machine that can be after
      // the writes above, which it then never sees change. Writing the certificate again (a new mtime)
      // until it reloads makes the test wait for the reload, not for that race.
      let landed = false;
      void done.then(() => (landed = true));
      while (!landed) {
        await Promise.race([done, new Promise((resolve) => setTimeout(resolve, 500))]);
        if (!landed) writeFileSync(certs.certFile, `${next.cert}\n`);
      }
      const second = await post(webhook, next.ca, '/healthz', '', 'GET');
      assert.equal(second.status, 200);
      assert.notEqual(second.fingerprint, first.fingerprint);
      assert.equal(second.fingerprint, new X509Certificate(next.cert).fingerprint256);
      for (const r of refused) assert.match(r, /key values mismatch/, 'only a half-written pair is refused');
    } finally {
      stop();
      rmSync(next.dir, { recursive: true, force: true });
    }
  });
});

describe('the webhook server with --client-ca: only callers with a certificate of that CA', () => {
  let certs: SelfSigned;
  let callers: SelfSigned;
  let strangers: SelfSigned;
  let apiServer: KeyPair;
  let stranger: KeyPair;
  let webhook: RunningWebhook;
  const logs: LogEntry[] = [];
  const body = JSON.stringify(review('CREATE', np('data', 'x', { podSelector: {} })));

  before(async () => {
    certs = await makeSelfSigned(['127.0.0.1']);
    callers = await makeSelfSigned(['callers']);
    strangers = await makeSelfSigned(['strangers']);
    apiServer = await makeClientCert(callers, 'kube-apiserver');
    stranger = await makeClientCert(strangers, 'someone');
    webhook = await startWebhook({
      host: '127.0.0.1',
      port: 0,
      tls: certs,
      clientCa: callers.ca,
      rules: { mode: 'deny', lint: NO_LINT, specs: [spec()] },
      source: { isReady: () => true, generation: () => 1, objects: () => baseObjects() },
      log: (e) => logs.push(e),
    });
  });
  after(async () => {
    await webhook.close();
    for (const d of [certs, callers, strangers]) rmSync(d.dir, { recursive: true, force: true });
  });

  test("the API server's certificate is answered", async () => {
    const a = await post(webhook, certs.ca, '/validate', body, 'POST', apiServer);
    assert.equal(a.status, 200, a.text);
    assert.match(a.text, /"kind":"AdmissionReview"/);
  });

  test('no certificate: 401, logged; another CA: 403 naming the certificate', async () => {
    const none = await post(webhook, certs.ca, '/validate', body);
    assert.equal(none.status, 401);
    assert.match(none.text, /a client certificate is required/);
    assert.ok(logs.some((e) => e.msg === 'caller rejected' && e.reason === 'no client certificate'));
    const other = await post(webhook, certs.ca, '/validate', body, 'POST', stranger);
    assert.equal(other.status, 403);
    assert.match(other.text, /client certificate "someone" not signed by --client-ca/);
  });

  test('the probes need no certificate (the kubelet has none)', async () => {
    assert.equal((await post(webhook, certs.ca, '/healthz', '', 'GET')).status, 200);
    assert.equal((await post(webhook, certs.ca, '/readyz', '', 'GET')).status, 200);
  });

  test('a new CA written over the file is used for new connections', async () => {
    const file = join(callers.dir, 'client-ca.crt');
    copyFileSync(callers.caFile, file);
    let reloaded: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (reloaded = resolve));
    const stop = watchFiles(
      [file],
      () => readClientCa(file),
      (ca) => {
        webhook.setClientCa(ca);
        reloaded();
      },
      (message) => assert.fail(message),
      50,
    );
    try {
      writeFileSync(file, `${strangers.ca}\n`);
      await done;
      assert.equal((await post(webhook, certs.ca, '/validate', body, 'POST', stranger)).status, 200);
      assert.equal((await post(webhook, certs.ca, '/validate', body, 'POST', apiServer)).status, 403);
    } finally {
      stop();
      webhook.setClientCa(callers.ca);
    }
  });

  test('a --client-ca file that is not a certificate: one line naming the file and what is expected', async () => {
    const file = join(callers.dir, 'not-a-ca.pem');
    writeFileSync(file, 'hello\n');
    await assert.rejects(readClientCa(file), /--client-ca: ".*not-a-ca\.pem" holds no PEM certificate/);
    await assert.rejects(readClientCa(join(callers.dir, 'missing.pem')), /--client-ca: cannot read .*ENOENT/);
  });
});
