/**
 * The HTTP server in-process, on a free port: what it serves, how it refuses (loopback names only, the token
 * when bound beyond loopback, JSON from the same origin for what-if), and the live-update events.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { before, describe, test } from 'node:test';
import type { ModelJson } from '../../src/contract/api.ts';
import type { Analysis } from '../../src/server/analysis.ts';
import { UI_FILES, type UiAssets, type UiFile } from '../../src/server/assets.ts';
import { Session, startServer, type RunningServer } from '../../src/server/http.ts';
import { manyNewPolicies, webshopAnalysis } from './support.ts';
import { ANY_EVENT, eventStream } from '../support/event-stream.ts';
import { unlessStuck } from '../support/progress.ts';

/** The app's files are not what these tests are about: stand-ins. */
const assets: UiAssets = new Map(
  UI_FILES.map((f: UiFile) => [
    f,
    Buffer.from(f === 'index.html' ? '<!doctype html><title>netfence</title>' : `/* ${f} */`),
  ]),
);

let analysis: Analysis;
before(async () => {
  analysis = await webshopAnalysis();
});

async function withServer(
  options: { host?: string; token?: string },
  body: (s: RunningServer, session: Session) => Promise<void>,
): Promise<void> {
  const session = new Session(analysis);
  const server = await startServer({ ...options, port: 0, assets, session });
  try {
    await body(server, session);
  } finally {
    await server.close();
  }
}

const base = (s: RunningServer): string => `http://127.0.0.1:${s.port}`;

describe('serving', () => {
  test('binds to 127.0.0.1 on a free port, and serves the app and the API', async () => {
    await withServer({}, async (s) => {
      assert.equal((s.server.address() as AddressInfo).address, '127.0.0.1');
      assert.equal(s.url, `http://127.0.0.1:${s.port}/`);
      const page = await fetch(`${base(s)}/`);
      assert.equal(page.status, 200);
      assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
      assert.match(
        page.headers.get('content-security-policy') ?? '',
        /default-src 'none'; script-src 'self'/,
      );
      assert.equal(await page.text(), '<!doctype html><title>netfence</title>');
      assert.equal(
        (await fetch(`${base(s)}/app.js`)).headers.get('content-type'),
        'text/javascript; charset=utf-8',
      );
      const model = await fetch(`${base(s)}/api/model`);
      assert.equal(model.status, 200);
      assert.equal(model.headers.get('content-encoding'), 'gzip');
      const json = (await model.json()) as { summary: { workloads: number }; problem: unknown };
      assert.equal(json.summary.workloads, 16);
      assert.equal(json.problem, null);
    });
  });

  test('bad queries are one-line JSON errors with the right status', async () => {
    await withServer({}, async (s) => {
      const bad = await fetch(`${base(s)}/api/explain?from=shop/wbe&to=data/postgres`);
      assert.equal(bad.status, 400);
      assert.deepEqual(await bad.json(), { error: 'from: no workload "shop/wbe"; did you mean "shop/web"?' });
      const missing = await fetch(`${base(s)}/api/nothing`);
      assert.equal(missing.status, 404);
      assert.deepEqual(await missing.json(), { error: 'no such endpoint: /api/nothing' });
      assert.equal((await fetch(`${base(s)}/etc/passwd`)).status, 404);
      assert.equal((await fetch(`${base(s)}/../src/server/http.ts`)).status, 404);
      assert.equal((await fetch(`${base(s)}/api/flows`)).status, 404);
      assert.equal((await fetch(`${base(s)}/api/model`, { method: 'DELETE' })).status, 405);
    });
  });

  test('on loopback, a request naming another host is refused (DNS rebinding)', async () => {
    await withServer({}, async (s) => {
      // fetch() will not forge a Host header: speak HTTP over a socket.
      const { request } = await import('node:http');
      const status = await new Promise<number>((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port: s.port,
            path: '/api/model',
            headers: { Host: `evil.example:${s.port}` },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.end();
      });
      assert.equal(status, 403);
      assert.equal((await fetch(`http://localhost:${s.port}/api/model`)).status, 200);
    });
  });
});

/** Sends one raw HTTP/1.1 request (any target, even one fetch() would refuse) and returns the status line. */
async function rawStatus(port: number, target: string, host = `127.0.0.1:${port}`): Promise<string> {
  const { connect } = await import('node:net');
  const answer = new Promise<string>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(`GET ${target} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
    });
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
    socket.on('end', () => resolve(text.split('\r\n')[0] ?? ''));
    socket.on('error', reject);
  });
  // A server that hangs never answers: fail once this process (the server's) is stuck, not on a slow answer.
  return unlessStuck(answer, { cpuMs: 60_000, fallbackMs: 300_000 }).catch((err: unknown) => {
    throw new Error(`no answer to GET ${target}: ${(err as Error).message}`);
  });
}

describe('malformed request targets', () => {
  test('are a 400, before the Host and token checks, and the server keeps serving', async () => {
    for (const options of [{}, { host: '127.0.0.1', token: 'secret' }]) {
      await withServer(options, async (s) => {
        for (const target of ['//[/', 'http://[/', '//[::1', 'http://a:b@[x]/api/model']) {
          assert.equal(await rawStatus(s.port, target), 'HTTP/1.1 400 Bad Request', target);
          assert.equal(await rawStatus(s.port, target, 'evil.example'), 'HTTP/1.1 400 Bad Request');
        }
        const after = await fetch(`${base(s)}/api/model`, {
          headers: 'token' in options ? { authorization: 'Bearer secret' } : {},
        });
        assert.equal(after.status, 200);
      });
    }
  });
});

describe('what-if over HTTP', () => {
  test('accepts JSON from the same origin only', async () => {
    await withServer({}, async (s) => {
      const post = (headers: Record<string, string>, body: string): Promise<Response> =>
        fetch(`${base(s)}/api/whatif`, { method: 'POST', headers, body });
      const ok = await post(
        { 'Content-Type': 'application/json' },
        JSON.stringify({ changes: [{ target: 'data/allow-redis' }] }),
      );
      assert.equal(ok.status, 200);
      const r = (await ok.json()) as { summary: { removed: number } };
      assert.ok(r.summary.removed > 0);
      // A form post from another site cannot send JSON without a preflight the server never grants.
      assert.equal((await post({ 'Content-Type': 'text/plain' }, '{"changes":[]}')).status, 415);
      const foreign = await post(
        { 'Content-Type': 'application/json', Origin: 'http://evil.example' },
        '{"changes":[]}',
      );
      assert.equal(foreign.status, 403);
      assert.equal((await post({ 'Content-Type': 'application/json' }, 'not json')).status, 400);
      assert.equal(
        (await post({ 'Content-Type': 'application/json' }, JSON.stringify({ nope: 1 }))).status,
        400,
      );
      const huge = await post(
        { 'Content-Type': 'application/json' },
        JSON.stringify({ changes: [{ yaml: 'x'.repeat(3 * 1024 * 1024) }] }),
      ).catch(() => undefined);
      assert.ok(huge === undefined || huge.status === 413);
      assert.equal((await fetch(`${base(s)}/api/whatif`)).status, 405);
    });
  });

  test('other requests are answered while a large what-if computes', async () => {
    await withServer({}, async (s) => {
      const done: string[] = [];
      const whatIf = fetch(`${base(s)}/api/whatif`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: manyNewPolicies(4000),
      }).then(async (r) => {
        done.push('what-if');
        return (await r.json()) as { applied: number[] };
      });
      for (const path of ['/api/model', '/api/lint', '/']) {
        assert.equal((await fetch(`${base(s)}${path}`)).status, 200);
        done.push(path);
      }
      assert.equal((await whatIf).applied.length, 4000);
      assert.deepEqual(done, ['/api/model', '/api/lint', '/', 'what-if']);
    });
  });
});

describe('beyond loopback', () => {
  test('every request needs the token; the page sets it as a cookie', async () => {
    await withServer({ host: '0.0.0.0', token: 'secret-token' }, async (s) => {
      assert.equal((s.server.address() as AddressInfo).address, '0.0.0.0');
      assert.equal(s.url, `http://0.0.0.0:${s.port}/?token=secret-token`);
      const denied = await fetch(`${base(s)}/api/model`);
      assert.equal(denied.status, 401);
      assert.match(((await denied.json()) as { error: string }).error, /needs its access token/);
      assert.equal((await fetch(`${base(s)}/`)).status, 401);
      assert.equal((await fetch(`${base(s)}/api/model?token=wrong-token!`)).status, 401);
      const page = await fetch(`${base(s)}/?token=secret-token`);
      assert.equal(page.status, 200);
      const cookie = page.headers.get('set-cookie') ?? '';
      assert.match(cookie, /^netfence_token=secret-token; HttpOnly; SameSite=Strict; Path=\/$/);
      assert.equal(
        (await fetch(`${base(s)}/api/model`, { headers: { Cookie: 'netfence_token=secret-token' } })).status,
        200,
      );
      assert.equal(
        (await fetch(`${base(s)}/api/lint`, { headers: { Authorization: 'Bearer secret-token' } })).status,
        200,
      );
    });
  });
});

/** A request with the headers given, whatever they are (fetch() may not send Sec-Fetch-* as given): status and body. */
async function requestWith(
  port: number,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; body: string }> {
  const { request } = await import('node:http');
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: body === undefined ? 'GET' : 'POST', headers },
      (res) => {
        const chunks: Buffer[] = [];
        // An event stream never ends: its first event says enough.
        res.on('data', (c: Buffer) => {
          chunks.push(c);
          if (Buffer.concat(chunks).includes('event: hello')) req.destroy();
        });
        const done = (): void =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() });
        res.on('end', done);
        res.on('close', done);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('requests from other pages', () => {
  test('the API answers none that a browser says comes from another site or port, before computing anything', async () => {
    for (const options of [{}, { host: '127.0.0.1', token: 'secret' }]) {
      await withServer(options, async (s) => {
        const auth: Record<string, string> = 'token' in options ? { Authorization: 'Bearer secret' } : {};
        const json = { 'Content-Type': 'application/json', ...auth };
        const whatIf = JSON.stringify({ changes: [{ target: 'data/allow-redis' }] });
        // Another port of this host is the same site (cookies do not tell ports apart), but another origin.
        for (const site of ['cross-site', 'same-site']) {
          for (const path of ['/api/model', '/api/events', '/api/paths?from=shop/web', '/api/lint']) {
            const r = await requestWith(s.port, path, { 'Sec-Fetch-Site': site, ...auth });
            assert.deepEqual(
              r,
              {
                status: 403,
                body: JSON.stringify({
                  error: `request from another site refused (Sec-Fetch-Site: ${site})`,
                }),
              },
              path,
            );
          }
          const post = await requestWith(s.port, '/api/whatif', { 'Sec-Fetch-Site': site, ...json }, whatIf);
          assert.equal(post.status, 403);
        }
        // A value of no known kind is refused too, and quoted at most 40 characters long.
        const odd = await requestWith(s.port, '/api/model', {
          'Sec-Fetch-Site': `x${'y'.repeat(99)}`,
          ...auth,
        });
        assert.deepEqual(odd, {
          status: 403,
          body: JSON.stringify({
            error: `request from another site refused (Sec-Fetch-Site: x${'y'.repeat(39)})`,
          }),
        });
        // The app's own requests, one the user typed, and those of other clients (no such header) are answered.
        for (const site of [{ 'Sec-Fetch-Site': 'same-origin' }, { 'Sec-Fetch-Site': 'none' }, {}]) {
          assert.equal((await requestWith(s.port, '/api/model', { ...site, ...auth })).status, 200);
          const events = await requestWith(s.port, '/api/events', { ...site, ...auth });
          assert.equal(events.status, 200);
          assert.match(events.body, /event: hello/);
          assert.equal((await requestWith(s.port, '/api/whatif', { ...site, ...json }, whatIf)).status, 200);
        }
        // The page itself may be opened from a link on another site.
        const page = await requestWith(s.port, `/${'token' in options ? '?token=secret' : ''}`, {
          'Sec-Fetch-Site': 'cross-site',
        });
        assert.equal(page.status, 200);
      });
    }
  });
});

describe('live updates', () => {
  test('/api/events says hello with the version, then pushes a new model and reload problems', async () => {
    await withServer({}, async (s, session) => {
      const events = await eventStream(base(s));
      try {
        assert.equal(events.headers.get('content-type'), 'text/event-stream; charset=utf-8');
        // Each event, whole and in order: nothing else came between them.
        assert.equal(await events.next(ANY_EVENT), 'event: hello\ndata: {"version":1}\n\n');
        session.update(await webshopAnalysis({ version: 2 }));
        assert.equal(await events.next(ANY_EVENT), 'event: model\ndata: {"version":2}\n\n');
        session.fail({ message: '1 error in the input', details: ['x.yaml:3:1 bad'] });
        assert.equal(
          await events.next(ANY_EVENT),
          'event: problem\ndata: {"message":"1 error in the input","details":["x.yaml:3:1 bad"]}\n\n',
        );
        const model = (await (await fetch(`${base(s)}/api/model`)).json()) as {
          version: number;
          problem: { message: string };
        };
        assert.equal(model.version, 2);
        assert.equal(model.problem.message, '1 error in the input');
      } finally {
        await events.close();
      }
    });
  });

  test('no analysis and no problem known: 503 that says so', async () => {
    const s = await startServer({ port: 0, assets, session: new Session(undefined) });
    try {
      const res = await fetch(`${base(s)}/api/model`);
      assert.equal(res.status, 503);
      assert.match(
        ((await res.json()) as { error: string }).error,
        /^the input could not be loaded: unknown problem\. /,
      );
    } finally {
      await s.close();
    }
  });

  test('started on an input that does not load: 503 with the problem, events from version 0, then the analysis', async () => {
    const problem = { message: '1 error in the input', details: ['x.yaml:3:1 bad'] };
    const session = new Session(undefined, problem);
    assert.equal(session.version, 0);
    const s = await startServer({ port: 0, assets, session });
    const controller = new AbortController();
    try {
      // The page itself is served, to show the problem.
      assert.equal((await fetch(`${base(s)}/`)).status, 200);
      for (const path of ['/api/model', '/api/flows', '/api/lint', '/api/nope']) {
        const res = await fetch(`${base(s)}${path}`);
        assert.equal(res.status, 503, path);
        assert.deepEqual(await res.json(), {
          error:
            'the input could not be loaded: 1 error in the input. netfence serve --watch analyses it as soon as it loads: fix it, and this page follows',
        });
      }
      const res = await fetch(`${base(s)}/api/events`, { signal: controller.signal });
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      let text = '';
      const until = async (needle: string): Promise<void> => {
        while (!text.includes(needle)) {
          const { value, done } = (await reader.read()) as { value: Uint8Array | undefined; done: boolean };
          if (done) throw new Error(`stream ended before ${needle}`);
          text += decoder.decode(value);
        }
      };
      await until('event: problem');
      assert.match(
        text,
        /event: hello\ndata: \{"version":0\}\n\nevent: problem\ndata: \{"message":"1 error in the input","details":\["x.yaml:3:1 bad"\]\}/,
      );
      session.update(await webshopAnalysis({ version: 1 }));
      await until('event: model');
      assert.match(text, /event: model\ndata: \{"version":1\}\n\n/);
      const model = (await (await fetch(`${base(s)}/api/model`)).json()) as ModelJson;
      assert.deepEqual([model.version, model.problem, model.summary.policies], [1, null, 21]);
      controller.abort();
      await reader.cancel().catch(() => undefined);
    } finally {
      controller.abort();
      await s.close();
      session.analysis?.close();
    }
  });
});
