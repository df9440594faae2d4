/**
 * Details of src/server/http.ts that the fifth-round mutation run of the file left alive (issue #20, see
 * docs/mutation/server.md): when a response is compressed, the JSON and events headers, the body size limit, the
 * error messages, the events stream's keep-alive and clean-up, an error after the headers went out, and how
 * the server starts and closes.
 */
import assert from 'node:assert/strict';
import { request, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { after, before, describe, mock, test } from 'node:test';
import type { Analysis } from '../../src/server/analysis.ts';
import { UI_FILES, type UiAssets, type UiFile } from '../../src/server/assets.ts';
import { Session, startServer, type RunningServer } from '../../src/server/http.ts';
import { webshopAnalysis } from './support.ts';
import { unlessStuck, type ProgressLimits } from '../support/progress.ts';

/**
 * When a connection that should end (or a close that should resolve) is given up: this process, the server's,
 * used a minute of CPU time, or none for a minute. Never by the clock: a loaded machine may pause it for seconds.
 */
const STILL_OPEN: ProgressLimits = { cpuMs: 60_000, fallbackMs: 300_000 };

const assets: UiAssets = new Map(UI_FILES.map((f: UiFile) => [f, Buffer.from(`/* ${f} */`)]));

let analysis: Analysis;
before(async () => {
  analysis = await webshopAnalysis();
});
after(() => analysis.close());

async function withServer(
  session: Session,
  body: (s: RunningServer) => Promise<void>,
  more: Partial<Parameters<typeof startServer>[0]> = {},
): Promise<void> {
  const server = await startServer({ port: 0, assets, session, ...more });
  try {
    await body(server);
  } finally {
    await server.close();
  }
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** One request with node:http (no automatic Accept-Encoding, no decompression). */
function call(
  port: number,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: options.headers ?? {} },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

const asJson = (a: Answer): unknown => JSON.parse(a.body.toString('utf8'));
const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

describe('compression', () => {
  test('only above 16 KiB, and only for a client that accepts gzip', async () => {
    const sized = (n: number): UiAssets =>
      new Map(UI_FILES.map((f: UiFile) => [f, Buffer.from('x'.repeat(n))]));
    const session = new Session(analysis);
    await withServer(
      session,
      async (s) => {
        const small = await call(s.port, '/api/connections?namespace=nope', {
          headers: { 'accept-encoding': 'gzip' },
        });
        assert.equal(small.headers['content-encoding'], undefined);
        const edge = await call(s.port, '/', { headers: { 'accept-encoding': 'gzip' } });
        assert.equal(edge.headers['content-encoding'], undefined);
        assert.equal(edge.body.length, 16_384);
      },
      { assets: sized(16_384) },
    );
    await withServer(
      session,
      async (s) => {
        const none = await call(s.port, '/');
        assert.equal(none.headers['content-encoding'], undefined);
        assert.equal(none.body.length, 16_385);
        const big = await call(s.port, '/', { headers: { 'accept-encoding': 'br, gzip' } });
        assert.equal(big.headers['content-encoding'], 'gzip');
        assert.equal(big.headers.vary, 'Accept-Encoding');
        assert.equal(gunzipSync(big.body).toString(), 'x'.repeat(16_385));
      },
      { assets: sized(16_385) },
    );
  });
});

describe('JSON answers', () => {
  test('are typed as JSON and never cached', async () => {
    await withServer(new Session(analysis), async (s) => {
      const a = await call(s.port, '/api/model');
      assert.equal(a.headers['content-type'], 'application/json; charset=utf-8');
      assert.equal(a.headers['cache-control'], 'no-store');
    });
  });

  test('/api/explain, /api/lint and /api/flows answer what the analysis answers', async () => {
    await withServer(new Session(analysis), async (s) => {
      const explain = await call(
        s.port,
        '/api/explain?from=shop/Deployment/web&to=data/StatefulSet/postgres&port=5432',
      );
      const expected = plain(analysis.explain('shop/Deployment/web', 'data/StatefulSet/postgres', '5432'));
      assert.deepEqual([explain.status, asJson(explain)], [200, expected]);
      const lint = await call(s.port, '/api/lint');
      assert.deepEqual([lint.status, asJson(lint)], [200, plain(analysis.lint())]);
      const flows = await call(s.port, '/api/flows');
      // Started without flows: the analysis refuses, and so does the endpoint.
      assert.throws(() => analysis.flows(), { status: 404 });
      const message = (() => {
        try {
          analysis.flows();
          return '';
        } catch (error) {
          return (error as Error).message;
        }
      })();
      assert.deepEqual([flows.status, asJson(flows)], [404, { error: message }]);
    });
  });
});

describe('errors', () => {
  const post = (port: number, body: string): Promise<Answer> =>
    call(port, '/api/whatif', { method: 'POST', headers: { 'content-type': 'application/json' }, body });

  test('a body of 2 MiB is read, one byte more is a 413', async () => {
    await withServer(new Session(analysis), async (s) => {
      const json = (n: number): string => {
        const head = '{"pad":"';
        return `${head}${'a'.repeat(n - head.length - 2)}"}`;
      };
      const limit = 2 * 1024 * 1024;
      assert.equal(json(limit).length, limit);
      const at = await post(s.port, json(limit));
      assert.notEqual(at.status, 413);
      const above = await post(s.port, json(limit + 1));
      assert.deepEqual(
        [above.status, asJson(above)],
        [413, { error: 'request body too large (2 MB at most)' }],
      );
    });
  });

  test('a body that is not JSON is a 400 that says so', async () => {
    await withServer(new Session(analysis), async (s) => {
      const a = await post(s.port, '{not json');
      assert.deepEqual([a.status, asJson(a)], [400, { error: 'the request body is not JSON' }]);
    });
  });

  test('a malformed request target is quoted in the 400, cut to 200 characters', async () => {
    await withServer(new Session(analysis), async (s) => {
      const target = `//[${'a'.repeat(300)}`;
      const text = await new Promise<string>((resolve, reject) => {
        const socket = connect(s.port, '127.0.0.1', () => {
          socket.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
        });
        let got = '';
        socket.on('data', (c: Buffer) => (got += c.toString('utf8')));
        socket.on('end', () => resolve(got));
        socket.on('error', reject);
      });
      const body = text.slice(text.indexOf('\r\n\r\n') + 4);
      assert.deepEqual(JSON.parse(body), {
        error: `malformed request target: ${JSON.stringify(target.slice(0, 200))}`,
      });
    });
  });

  test('an error after the headers went out ends the connection, and writes nothing to the terminal', async () => {
    const broken = {
      get version(): number {
        throw new Error('no version');
      },
    } as unknown as Analysis;
    const written: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = (chunk: string) => {
      written.push(chunk);
      return true;
    };
    try {
      await withServer(new Session(broken), async (s) => {
        // Still open, the connection fails the test once this process (the server's) is stuck, not by the clock.
        const outcome = await unlessStuck(
          new Promise<string>((resolve) => {
            const req = request({ host: '127.0.0.1', port: s.port, path: '/api/events' }, (res) => {
              res.on('data', () => undefined);
              res.on('error', () => resolve('ended'));
              res.on('close', () => resolve('ended'));
            });
            req.on('error', () => resolve('ended'));
            req.end();
          }),
          STILL_OPEN,
        );
        assert.equal(outcome, 'ended');
      });
    } finally {
      process.stderr.write = write;
    }
    assert.deepEqual(written, []);
  });

  test('should answering an error fail too, the connection ends', async () => {
    const failing = new Error('boom');
    Object.defineProperty(failing, 'stack', {
      get() {
        throw new Error('no stack');
      },
    });
    const broken = {
      version: 1,
      model: () => {
        throw failing;
      },
    } as unknown as Analysis;
    await withServer(new Session(broken), async (s) => {
      const outcome = await unlessStuck(
        new Promise<string>((resolve) => {
          const req = request({ host: '127.0.0.1', port: s.port, path: '/api/model' }, (res) => {
            res.on('data', () => undefined);
            res.on('end', () => resolve(`answered ${res.statusCode}`));
          });
          req.on('error', () => resolve('ended'));
          req.end();
        }),
        STILL_OPEN,
      );
      assert.equal(outcome, 'ended');
    });
  });
});

describe('the events stream', () => {
  test('is typed, never cached, keeps alive every 25 s, and cleans up when the page leaves', async (t) => {
    const realSetInterval = globalThis.setInterval;
    const ticks: (() => void)[] = [];
    const timer = { unref: mock.fn() };
    t.mock.method(globalThis, 'setInterval', ((fn: () => void, ms: number) => {
      if (ms !== 25_000) return realSetInterval(fn, ms);
      ticks.push(fn);
      return timer;
    }) as typeof setInterval);
    const cleared = t.mock.method(globalThis, 'clearInterval');
    const unsubscribed: unknown[] = [];
    let left: () => void = () => undefined;
    const gone = new Promise<void>((resolve) => (left = resolve));
    class Watched extends Session {
      override subscribe(listener: (event: string, data: unknown) => void): () => void {
        const off = super.subscribe(listener);
        return () => {
          unsubscribed.push(listener);
          left();
          return off();
        };
      }
    }
    await withServer(new Watched(analysis), async (s) => {
      let text = '';
      let headers: IncomingHttpHeaders = {};
      let seen: () => void = () => undefined;
      const closed = new Promise<void>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: s.port, path: '/api/events' }, (res) => {
          headers = res.headers;
          res.on('data', (c: Buffer) => {
            text += c.toString('utf8');
            seen();
          });
          res.on('error', () => undefined);
          res.on('close', () => resolve());
        });
        req.on('error', reject);
        req.end();
        const until = (part: string): Promise<void> =>
          new Promise<void>((done) => {
            seen = () => {
              if (text.includes(part)) done();
            };
            seen();
          });
        void (async () => {
          await until('event: hello');
          assert.equal(ticks.length, 1);
          assert.equal(timer.unref.mock.callCount(), 1);
          ticks[0]!();
          await until(': keep-alive\n\n');
          req.destroy();
        })().catch(reject);
      });
      await closed;
      assert.equal(headers['content-type'], 'text/event-stream; charset=utf-8');
      assert.equal(headers['cache-control'], 'no-store');
      assert.equal(headers.connection, 'keep-alive');
      // The server hears of the closed connection a moment later: waited for, not for a count of sleeps.
      await unlessStuck(gone, STILL_OPEN);
      assert.equal(unsubscribed.length, 1);
      assert.ok(cleared.mock.calls.some((c) => (c.arguments[0] as unknown) === timer));
    });
  });
});

describe('startServer and close', () => {
  test('close ends an open events stream and resolves', async () => {
    const server = await startServer({ port: 0, assets, session: new Session(analysis) });
    // Open once its first event arrived (the server writes it and subscribes the stream in one step), not a moment
    // after the request.
    let opened: () => void = () => undefined;
    const open = new Promise<void>((resolve) => (opened = resolve));
    const ended = new Promise<void>((resolve) => {
      const req = request({ host: '127.0.0.1', port: server.port, path: '/api/events' }, (res) => {
        res.on('data', () => opened());
        res.on('error', () => undefined);
        res.on('close', () => resolve());
      });
      req.on('error', () => resolve());
      req.end();
    });
    // Wait until the stream is open, then close while it is.
    await unlessStuck(open, STILL_OPEN);
    const result = await unlessStuck(
      server.close().then(() => 'closed'),
      STILL_OPEN,
    );
    assert.equal(result, 'closed');
    await ended;
  });

  test('listens on the port asked for, rejects when it is taken, and leaves no error listener', async () => {
    await withServer(new Session(analysis), async (s) => {
      assert.equal(s.server.listenerCount('error'), 0);
      await assert.rejects(startServer({ port: s.port, assets, session: new Session(analysis) }), {
        code: 'EADDRINUSE',
      });
    });
  });

  test('puts an IPv6 host in brackets in its URL', async () => {
    await withServer(
      new Session(analysis),
      (s) => {
        assert.equal(s.url, `http://[::1]:${s.port}/`);
        return Promise.resolve();
      },
      { host: '::1' },
    );
  });
});
