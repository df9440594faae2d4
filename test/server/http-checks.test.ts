/**
 * The server's checks one by one, each with the request just inside and just outside it: which Host names
 * count as loopback, where the token may come from (and which of several cookies of its name is it), which
 * methods and files are served, the headers every answer carries, and what the what-if endpoint accepts.
 * (Found missing by mutation testing: see docs/mutation/server.md.)
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import type { Analysis } from '../../src/server/analysis.ts';
import { UI_FILES, type UiAssets, type UiFile } from '../../src/server/assets.ts';
import { isLoopback, Session, startServer, type RunningServer } from '../../src/server/http.ts';
import { webshopAnalysis } from './support.ts';

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
// The what-if thread (started by the first what-if) ends with the analysis.
after(() => analysis.close());

async function withServer(
  options: { host?: string; token?: string },
  body: (s: RunningServer, session: Session) => Promise<void> | void,
): Promise<void> {
  const session = new Session(analysis);
  const server = await startServer({ ...options, port: 0, assets, session });
  try {
    await body(server, session);
  } finally {
    await server.close();
  }
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The body's length in bytes, as sent. */
  bytes: number;
}

/** One request with exactly these headers (fetch() would add or refuse some), to 127.0.0.1. */
function call(
  port: number,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: options.method ?? 'GET',
        headers: options.headers ?? {},
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: body.toString(),
            bytes: body.length,
          });
        });
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('isLoopback', () => {
  test('the loopback names and the whole 127.0.0.0/8, nothing that merely contains them', () => {
    for (const host of ['127.0.0.1', '::1', 'localhost', '127.10.200.3', '127.0.0.99']) {
      assert.equal(isLoopback(host), true, host);
    }
    for (const host of [
      '',
      '0.0.0.0',
      '::',
      '10.0.0.1',
      '127.0.0.1.evil.example',
      'evil.example.127.0.0.1',
      'x127.0.0.1',
      '127.a.0.1',
      '127.0.b.1',
      '127.0.0.c',
      '127.0.0',
      'localhost.evil.example',
    ]) {
      assert.equal(isLoopback(host), false, host);
    }
  });
});

describe('the Host check on loopback', () => {
  test('accepts every loopback spelling, with or without the port, and refuses look-alikes', async () => {
    await withServer({}, async (s) => {
      for (const host of [
        `127.0.0.1:${s.port}`,
        `localhost:${s.port}`,
        'localhost',
        `[::1]:${s.port}`,
        '[::1]',
        `127.1.2.3:${s.port}`,
      ]) {
        assert.equal((await call(s.port, '/', { headers: { Host: host } })).status, 200, host);
      }
      for (const host of [
        `127.0.0.1.evil.example:${s.port}`,
        `evil.example:${s.port}`,
        `[::1]x:${s.port}`,
        `localhost:${s.port}x`,
        `127.0.0.1:${s.port}:x`,
        // Brackets only around a whole address: not a way to assemble a loopback name.
        `local[host]:${s.port}`,
        `[127.0.0.]1:${s.port}`,
      ]) {
        const answer = await call(s.port, '/api/model', { headers: { Host: host } });
        assert.equal(answer.status, 403, host);
        assert.equal(answer.headers['content-type'], 'text/plain; charset=utf-8');
        assert.equal(answer.body, 'netfence serve answers on 127.0.0.1 only\n');
      }
    });
  });

  test('a request without a Host header (HTTP/1.0) is refused', async () => {
    await withServer({}, async (s) => {
      const { connect } = await import('node:net');
      const status = await new Promise<string>((resolve, reject) => {
        const socket = connect(s.port, '127.0.0.1', () => socket.write('GET /api/model HTTP/1.0\r\n\r\n'));
        let text = '';
        socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
        socket.on('end', () => resolve(text.split('\r\n')[0] ?? ''));
        socket.on('error', reject);
      });
      assert.equal(status, 'HTTP/1.1 403 Forbidden');
    });
  });

  test('with a token there is no Host check: the token is the check', async () => {
    await withServer({ token: 'secret' }, async (s) => {
      const headers = { Host: 'nas.home.example', Authorization: 'Bearer secret' };
      assert.equal((await call(s.port, '/api/lint', { headers })).status, 200);
    });
  });
});

describe('the token', () => {
  test('is taken from the query, a bearer header or its cookie, and must match exactly', async () => {
    await withServer({ host: '127.0.0.1', token: 'se=cret' }, async (s) => {
      const ok = async (path: string, headers: Record<string, string> = {}): Promise<number> =>
        (await call(s.port, path, { headers })).status;
      assert.equal(await ok('/api/lint?token=se%3Dcret'), 200);
      assert.equal(await ok('/api/lint', { Authorization: 'Bearer se=cret' }), 200);
      assert.equal(await ok('/api/lint', { Cookie: 'netfence_token=se%3Dcret' }), 200);
      assert.equal(await ok('/api/lint', { Cookie: 'a=1; netfence_token=se=cret; b=2' }), 200);
      // Same length, other bytes; a prefix; a longer one; the wrong cookie; the wrong scheme.
      assert.equal(await ok('/api/lint?token=se%3Dcrex'), 401);
      assert.equal(await ok('/api/lint?token=se'), 401);
      assert.equal(await ok('/api/lint?token=se%3Dcret2'), 401);
      assert.equal(await ok('/api/lint', { Cookie: 'xnetfence_token=se%3Dcret' }), 401);
      assert.equal(await ok('/api/lint', { Cookie: 'netfence_token=se%3Dcre' }), 401);
      assert.equal(await ok('/api/lint', { Authorization: 'Basic se=cret' }), 401);
      assert.equal(await ok('/api/lint', { Authorization: 'xBearer se=cret' }), 401);
      assert.equal(await ok('/api/lint', { Authorization: 'Bearer se=cret x' }), 401);
      assert.equal(await ok('/api/lint', { Cookie: '' }), 401);
    });
  });

  // Cookies do not tell ports apart: another server on the same host may set a `netfence_token` cookie too. One that
  // did not decode made every request a 500 with a stack on the terminal; one sent before netfence's own, a 401.
  /** Runs `body` against a server whose token is `se=cret`, with the status of a GET (of /api/lint) with headers. */
  const withStatus = (
    body: (status: (headers: Record<string, string>, path?: string) => Promise<number>) => Promise<void>,
  ): Promise<void> =>
    withServer({ token: 'se=cret' }, (s) =>
      body(async (headers, path = '/api/lint') => (await call(s.port, path, { headers })).status),
    );

  test('a cookie of its name that does not decode is not netfence’s: a 401 without it, a 200 beside the right one', () =>
    withStatus(async (status) => {
      assert.equal(await status({ Cookie: 'netfence_token=%E0%A4%A' }), 401);
      assert.equal(await status({ Cookie: 'netfence_token=%E0%A4%A; netfence_token=se%3Dcret' }), 200);
      assert.equal(await status({ Cookie: 'netfence_token=se%3Dcret; netfence_token=%' }), 200);
    }));

  test('any cookie of its name may be the token, in any place; none of them, a 401', () =>
    withStatus(async (status) => {
      assert.equal(await status({ Cookie: 'netfence_token=other; netfence_token=se%3Dcret' }), 200);
      assert.equal(await status({ Cookie: 'netfence_token=se%3Dcret; netfence_token=other' }), 200);
      assert.equal(await status({ Cookie: 'netfence_token=other; netfence_token=se%3Dcre' }), 401);
    }));

  test('a token in the query or the header is the one checked: a right cookie does not save a wrong one', () =>
    withStatus(async (status) => {
      assert.equal(await status({ Cookie: 'netfence_token=se%3Dcret' }, '/api/lint?token=wrong'), 401);
      assert.equal(await status({ Cookie: 'netfence_token=se%3Dcret', Authorization: 'Bearer wrong' }), 401);
      assert.equal(await status({ Authorization: 'Bearer se=cret' }, '/api/lint?token=se%3Dcret'), 200);
    }));

  test('refusals: JSON under /api/, one line of text elsewhere; the cookie only with the page', async () => {
    await withServer({ token: 'secret' }, async (s) => {
      const api = await call(s.port, '/api/model');
      assert.equal(api.status, 401);
      assert.equal(api.headers['content-type'], 'application/json; charset=utf-8');
      assert.deepEqual(JSON.parse(api.body), {
        error: 'netfence serve needs its access token: open the URL it printed (ending in ?token=…)',
      });
      const page = await call(s.port, '/');
      assert.equal(page.status, 401);
      assert.equal(page.headers['content-type'], 'text/plain; charset=utf-8');
      assert.equal(
        page.body,
        'netfence serve needs its access token: open the URL it printed (ending in ?token=…)\n',
      );
      const index = await call(s.port, '/index.html?token=secret');
      assert.equal(index.status, 200);
      assert.deepEqual(index.headers['set-cookie'], [
        'netfence_token=secret; HttpOnly; SameSite=Strict; Path=/',
      ]);
      const script = await call(s.port, '/app.js?token=secret');
      assert.equal(script.status, 200);
      assert.equal(script.headers['set-cookie'], undefined);
    });
    await withServer({}, async (s) => {
      assert.equal((await call(s.port, '/')).headers['set-cookie'], undefined);
    });
  });
});

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

function assertSecurityHeaders(answer: Answer, what: string): void {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
    assert.equal(answer.headers[name], value, `${what}: ${name}`);
  }
}

describe('what is served, and how', () => {
  test('every answer carries the security headers, refusals and errors included', async () => {
    await withServer({}, async (s) => {
      assertSecurityHeaders(await call(s.port, '/'), 'page');
      assertSecurityHeaders(await call(s.port, '/api/model'), 'API');
      assertSecurityHeaders(await call(s.port, '/favicon.ico'), 'favicon');
      assertSecurityHeaders(await call(s.port, '/nothing'), '404');
      assertSecurityHeaders(await call(s.port, '/', { headers: { Host: 'evil.example' } }), '403');
    });
    await withServer({ token: 't' }, async (s) => {
      assertSecurityHeaders(await call(s.port, '/api/model'), '401');
    });
  });

  test('GET and HEAD only (POST to what-if alone); the favicon is empty; unknown files are 404', async () => {
    await withServer({}, async (s) => {
      for (const method of ['PUT', 'DELETE', 'PATCH']) {
        const answer = await call(s.port, '/api/model', { method });
        assert.equal(answer.status, 405, method);
        assert.equal(answer.headers.allow, 'GET, HEAD');
        assert.equal(answer.headers['content-type'], 'text/plain; charset=utf-8');
        assert.equal(answer.body, 'method not allowed\n');
      }
      // The what-if endpoint takes POST, and no other method either.
      const put = await call(s.port, '/api/whatif', { method: 'PUT' });
      assert.equal(put.status, 405);
      assert.equal(put.headers.allow, 'GET, HEAD');
      assert.equal(put.body, 'method not allowed\n');
      assert.equal((await call(s.port, '/api/model', { method: 'POST' })).status, 405);
      assert.equal((await call(s.port, '/', { method: 'POST' })).status, 405);
      const head = await call(s.port, '/', { method: 'HEAD' });
      assert.equal(head.status, 200);
      assert.equal(head.body, '');
      assert.equal(head.headers['content-length'], String('<!doctype html><title>netfence</title>'.length));
      const favicon = await call(s.port, '/favicon.ico');
      assert.equal(favicon.status, 204);
      assert.equal(favicon.body, '');
      const index = await call(s.port, '/index.html');
      assert.equal(index.body, '<!doctype html><title>netfence</title>');
      assert.equal(index.headers['cache-control'], 'no-cache');
      assert.equal(index.headers['content-type'], 'text/html; charset=utf-8');
      const missing = await call(s.port, '/secret.txt');
      assert.equal(missing.status, 404);
      assert.equal(missing.headers['content-type'], 'text/plain; charset=utf-8');
      assert.equal(missing.body, 'no such page: /secret.txt\n');
      assert.equal((await call(s.port, '/api')).status, 404);
    });
  });

  test("only the app's files are served, whatever else the assets hold", async () => {
    const more = new Map([...assets, ['.env', Buffer.from('SECRET=1')]]) as unknown as UiAssets;
    const server = await startServer({ port: 0, assets: more, session: new Session(analysis) });
    try {
      const answer = await call(server.port, '/.env');
      assert.equal(answer.status, 404);
      assert.equal(answer.body, 'no such page: /.env\n');
    } finally {
      await server.close();
    }
  });

  test('large answers are gzipped only for a client that accepts it', async () => {
    await withServer({}, async (s) => {
      const plain = await call(s.port, '/api/model');
      assert.equal(plain.headers['content-encoding'], undefined);
      assert.equal(plain.headers.vary, undefined);
      assert.equal(plain.headers['cache-control'], 'no-store');
      assert.equal(plain.headers['content-length'], String(plain.bytes));
      assert.ok(plain.bytes > 16_384);
      const zipped = await call(s.port, '/api/model', { headers: { 'Accept-Encoding': 'gzip' } });
      assert.equal(zipped.headers['content-encoding'], 'gzip');
      assert.equal(zipped.headers.vary, 'Accept-Encoding');
      assert.ok(zipped.bytes < plain.bytes);
      const deflate = await call(s.port, '/api/model', { headers: { 'Accept-Encoding': 'deflate, xgzip' } });
      assert.equal(deflate.headers['content-encoding'], undefined);
      // A small answer is sent as it is.
      const small = await call(s.port, '/', { headers: { 'Accept-Encoding': 'gzip' } });
      assert.equal(small.headers['content-encoding'], undefined);
    });
  });

  test('a malformed target is a 400 that quotes it', async () => {
    await withServer({}, async (s) => {
      const answer = await call(s.port, '//[/');
      assert.equal(answer.status, 400);
      assert.deepEqual(JSON.parse(answer.body), { error: 'malformed request target: "//[/"' });
    });
  });
});

describe('what-if', () => {
  test('same origin and JSON only, with one-line reasons', async () => {
    await withServer({}, async (s) => {
      const post = (headers: Record<string, string>, body = '{"changes":[]}'): Promise<Answer> =>
        call(s.port, '/api/whatif', { method: 'POST', headers, body });
      const json = { 'Content-Type': 'application/json; charset=utf-8' };
      assert.equal((await post({ ...json, Origin: `http://127.0.0.1:${s.port}` })).status, 200);
      assert.equal((await post(json)).status, 200);
      const foreign = await post({ ...json, Origin: `http://127.0.0.1:${s.port + 1}` });
      assert.equal(foreign.status, 403);
      assert.deepEqual(JSON.parse(foreign.body), {
        error: `cross-origin request from http://127.0.0.1:${s.port + 1} refused`,
      });
      assert.equal((await post({})).status, 415, 'no Content-Type');
      for (const type of ['text/json', 'application/jsonp', 'text/plain; x=application/json']) {
        const answer = await post({ 'Content-Type': type });
        assert.equal(answer.status, 415, type);
        assert.deepEqual(JSON.parse(answer.body), {
          error: 'send the changes as Content-Type: application/json',
        });
      }
      const notJson = await post(json, '{"changes":');
      assert.equal(notJson.status, 400);
      assert.deepEqual(JSON.parse(notJson.body), { error: 'the request body is not JSON' });
      const get = await call(s.port, '/api/whatif');
      assert.equal(get.status, 405);
      assert.deepEqual(JSON.parse(get.body), { error: 'POST the changes as JSON' });
    });
  });

  test('a body over 2 MB is refused with 413; one just under is read', async () => {
    await withServer({}, async (s) => {
      const post = (body: string): Promise<Answer> =>
        call(s.port, '/api/whatif', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body,
        });
      // Padding of spaces: JSON, and no work for the analysis.
      const changes = '{"changes":[]}';
      const under = await post(changes + ' '.repeat(2 * 1024 * 1024 - changes.length));
      assert.equal(under.status, 200);
      const over = await post(changes + ' '.repeat(2 * 1024 * 1024 - changes.length + 1)).catch(
        (error: unknown) => error,
      );
      // The server answers before reading the rest: the client may see the answer or a reset.
      if (!(over instanceof Error)) {
        assert.equal((over as Answer).status, 413);
        assert.deepEqual(JSON.parse((over as Answer).body), {
          error: 'request body too large (2 MB at most)',
        });
      } else assert.match(over.message, /EPIPE|ECONNRESET/);
    });
  });
});

describe('the session', () => {
  test('updating to the same analysis keeps it open; an unsubscribed listener hears nothing', async () => {
    const session = new Session(analysis);
    const heard: string[] = [];
    const unsubscribe = session.subscribe((event) => heard.push(event));
    session.update(analysis);
    assert.deepEqual(heard, ['model']);
    await withServer({}, async (s) => {
      const answer = await call(s.port, '/api/whatif', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{"changes":[]}',
      });
      assert.equal(answer.status, 200, answer.body);
    });
    unsubscribe();
    session.fail({ message: 'x', details: [] });
    assert.deepEqual(heard, ['model']);
    assert.equal(session.problem?.message, 'x');
  });
});

describe('startServer', () => {
  test('puts an IPv6 address in brackets in its URL, and the token after it', async () => {
    await withServer({ host: '::1', token: 'abc' }, (s) => {
      assert.equal(s.host, '::1');
      assert.equal(s.url, `http://[::1]:${s.port}/?token=abc`);
    });
  });

  test('rejects with the listen error when the port is taken', async () => {
    await withServer({}, async (s) => {
      const session = new Session(analysis);
      await assert.rejects(startServer({ port: s.port, assets, session }), { code: 'EADDRINUSE' });
    });
  });
});
