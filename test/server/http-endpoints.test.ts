/**
 * The API endpoints that take parameters, over HTTP (`/api/connections`, `/api/workload`, `/api/paths`), an
 * internal error (a 500 that sends no stack trace, which goes to the terminal), and the events stream of a
 * page that connects after a failed reload. (Found without coverage by the whole-folder mutation run of
 * src/server: see docs/mutation/server.md.)
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { Analysis } from '../../src/server/analysis.ts';
import { UI_FILES, type UiAssets, type UiFile } from '../../src/server/assets.ts';
import { Session, startServer, type RunningServer } from '../../src/server/http.ts';
import { webshopAnalysis } from './support.ts';
import { unlessStuck } from '../support/progress.ts';

const assets: UiAssets = new Map(UI_FILES.map((f: UiFile) => [f, Buffer.from(`/* ${f} */`)]));

let analysis: Analysis;
before(async () => {
  analysis = await webshopAnalysis();
});

async function withServer(session: Session, body: (base: string) => Promise<void>): Promise<void> {
  const server: RunningServer = await startServer({ port: 0, assets, session });
  try {
    await body(`http://127.0.0.1:${server.port}`);
  } finally {
    await server.close();
  }
}

async function json(url: string): Promise<[number, unknown]> {
  const r = await fetch(url);
  return [r.status, await r.json()];
}

describe('endpoints with parameters', () => {
  test('each answers what the analysis answers for its parameters', async () => {
    await withServer(new Session(analysis), async (base) => {
      assert.deepEqual(await json(`${base}/api/connections?namespace=data`), [
        200,
        JSON.parse(JSON.stringify(analysis.connections('data'))),
      ]);
      assert.deepEqual(await json(`${base}/api/workload?id=data/StatefulSet/postgres`), [
        200,
        JSON.parse(JSON.stringify(analysis.workload('data/StatefulSet/postgres'))),
      ]);
      const paths = analysis.paths(['shop/Deployment/web', 'shop/api'], ['8.8.8.8'], '2');
      assert.deepEqual(
        await json(`${base}/api/paths?from=shop/Deployment/web&from=shop/api&to=8.8.8.8&maxHops=2`),
        [200, JSON.parse(JSON.stringify(paths))],
      );
      assert.deepEqual(await json(`${base}/api/connections?namespace=nope`), [
        404,
        { error: 'no namespace "nope"' },
      ]);
    });
  });
});

describe('an internal error', () => {
  test('is a 500 without details; the terminal gets the request and the stack', async () => {
    const broken = {
      version: 1,
      model: () => {
        throw new Error('boom');
      },
    } as unknown as Analysis;
    const written: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = (chunk: string) => {
      written.push(chunk);
      return true;
    };
    try {
      await withServer(new Session(broken), async (base) => {
        assert.deepEqual(await json(`${base}/api/model`), [
          500,
          { error: 'internal error in netfence (see the terminal running netfence serve)' },
        ]);
      });
    } finally {
      process.stderr.write = write;
    }
    assert.equal(written.length, 1);
    assert.match(written[0]!, /^netfence serve: internal error on GET \/api\/model:\nError: boom\n {4}at /);
  });
});

describe('events', () => {
  test('a page connecting after a failed reload hears the problem at once', async () => {
    const session = new Session(analysis);
    session.fail({ message: 'policies/a.yaml:3:1: bad indentation', details: [] });
    await withServer(session, async (base) => {
      const stop = new AbortController();
      let text = '';
      // Without the problem the stream would wait for the next event: given up once this process (the server's)
      // seems stuck, never by the clock, which a loaded machine stretches.
      const read = async (): Promise<void> => {
        const r = await fetch(`${base}/api/events`, { signal: stop.signal });
        for await (const chunk of r.body as AsyncIterable<Uint8Array>) {
          text += Buffer.from(chunk).toString('utf8');
          if (text.includes('event: problem')) break;
        }
      };
      try {
        await unlessStuck(read(), { cpuMs: 60_000, fallbackMs: 300_000 });
      } finally {
        stop.abort();
      }
      assert.match(
        text,
        /^retry: 2000\n\nevent: hello\ndata: \{"version":1\}\n\nevent: problem\ndata: \{"message":"policies\/a\.yaml:3:1: bad indentation","details":\[\]\}\n\n/,
      );
    });
  });
});
