/**
 * What a page of another site, or on another port of this host, can make a running `netfence serve` do, in a real
 * browser (headless Chromium): it never could read an answer (no CORS headers), and now it cannot make the server
 * compute one or open an event stream either (docs/security.md). The app's own page still can.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { UI_FILES, type UiAssets, type UiFile } from '../../src/server/assets.ts';
import { Session, startServer } from '../../src/server/http.ts';
import { webshopAnalysis } from '../server/support.ts';
import { browserMissing, launch } from './browser.ts';

const skip = browserMissing();

/**
 * A page's script that asks `base` the expensive questions, a what-if and the event stream, without reading the
 * answers (another origin cannot), and says `done` in its title once every answer came.
 */
function probe(base: string, mode: 'cors' | 'no-cors'): string {
  return `(async () => {
  const asks = ['/api/model', '/api/lint', '/api/paths?from=shop/web', '/api/explain?from=shop/web&to=data/postgres'];
  await Promise.all(asks.map((p) => fetch('${base}' + p, { mode: '${mode}', credentials: 'include' }).catch(() => undefined)));
  await fetch('${base}/api/whatif', { method: 'POST', mode: '${mode}', headers: { 'Content-Type': 'application/json' }, body: '{"changes":[]}' }).catch(() => undefined);
  await new Promise((done) => {
    const events = new EventSource('${base}/api/events');
    const stop = () => { events.close(); done(); };
    events.addEventListener('hello', stop);
    events.addEventListener('error', stop);
  });
  document.title = 'done';
})();`;
}

/** In the page: whether its script said `done` (a function, not a string: the server's page forbids eval). */
const done = (): boolean =>
  (globalThis as unknown as { document: { title: string } }).document.title === 'done';

/** What the server was asked, and what it computed: the analysis' methods called, the event streams opened. */
interface Seen {
  requests: string[];
  computed: string[];
  streams: number;
}

describe('pages elsewhere', { skip }, () => {
  test('can make the server compute nothing; the app’s own page is answered', async () => {
    const seen: Seen = { requests: [], computed: [], streams: 0 };
    const analysis = await webshopAnalysis();
    const counting = new Proxy(analysis, {
      get(target, key) {
        const value: unknown = Reflect.get(target, key, target);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          seen.computed.push(String(key));
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    class CountingSession extends Session {
      override subscribe(listener: Parameters<Session['subscribe']>[0]): () => void {
        seen.streams++;
        return super.subscribe(listener);
      }
    }
    const session = new CountingSession(counting);
    // The server's own page runs the same questions, from the same origin (its script is the app's file).
    const assets: UiAssets = new Map(
      UI_FILES.map((f: UiFile) => [
        f,
        Buffer.from(
          f === 'index.html'
            ? '<!doctype html><title>netfence</title><script src="app.js"></script>'
            : f === 'app.js'
              ? probe('', 'cors')
              : '',
        ),
      ]),
    );
    const netfence = await startServer({ port: 0, assets, session });
    netfence.server.prependListener('request', (req: IncomingMessage) => {
      if (req.url?.startsWith('/api/') === true)
        seen.requests.push(
          `${req.method ?? ''} ${req.url.split('?')[0]!} ${req.headers['sec-fetch-site'] ?? '-'}`,
        );
    });
    const target = `http://127.0.0.1:${netfence.port}`;
    const elsewhere = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><title>elsewhere</title><script>${probe(target, 'no-cors')}</script>`);
    });
    await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
    const other = (elsewhere.address() as AddressInfo).port;
    const browser = await launch({ fatal: 'expected' });
    try {
      const page = await browser.context.newPage();
      // Another port of this host (the same site), then another host name (another site).
      for (const [origin, site] of [
        [`http://127.0.0.1:${other}`, 'same-site'],
        [`http://localhost:${other}`, 'cross-site'],
      ] as const) {
        seen.requests.length = 0;
        await page.goto(`${origin}/`);
        await page.waitForFunction(done);
        // The browser sent them all (the server saw each), saying where they came from; none was computed.
        for (const path of ['/api/model', '/api/lint', '/api/paths', '/api/explain', '/api/events'])
          assert.ok(
            seen.requests.includes(`GET ${path} ${site}`),
            `${path} from ${origin}: ${seen.requests.join(', ')}`,
          );
        assert.deepEqual(seen.computed, [], origin);
        assert.equal(seen.streams, 0, origin);
      }
      await page.goto(`${target}/`);
      await page.waitForFunction(done);
      for (const method of ['model', 'lint', 'paths', 'explain', 'whatIf'])
        assert.ok(seen.computed.includes(method), `${method}: ${seen.computed.join(', ')}`);
      assert.equal(seen.streams, 1);
    } finally {
      await browser.close();
      await netfence.close();
      await new Promise<void>((resolve) => elsewhere.close(() => resolve()));
      analysis.close();
    }
  });
});
