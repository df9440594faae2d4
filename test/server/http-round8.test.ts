/**
 * The access token's cookie when other cookies of its name come with it. Cookies do not tell ports apart, so
 * another server on the same host may set a `netfence_token` cookie too: one that does not decode made every
 * request a 500 with a stack on the terminal, and one sent before netfence's own made the page's API
 * requests 401. Found while analysing the whole-folder mutation run of src/server, round 8 (docs/mutation/server.md).
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import type { Analysis } from '../../src/server/analysis.ts';
import { Session, startServer, type RunningServer } from '../../src/server/http.ts';
import { webshopAnalysis } from './support.ts';

let analysis: Analysis;
let server: RunningServer;
before(async () => {
  analysis = await webshopAnalysis();
  server = await startServer({
    token: 'se=cret',
    port: 0,
    assets: new Map(),
    session: new Session(analysis),
  });
});
after(async () => {
  await server.close();
  analysis.close();
});

/** The status of a GET of /api/lint with these headers. */
function status(headers: Record<string, string>, path = '/api/lint'): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, headers, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the token cookie among others of its name', () => {
  test('one that does not decode is not netfence’s: a 401 without it, a 200 beside the right one', async () => {
    assert.equal(await status({ Cookie: 'netfence_token=%E0%A4%A' }), 401);
    assert.equal(await status({ Cookie: 'netfence_token=%E0%A4%A; netfence_token=se%3Dcret' }), 200);
    assert.equal(await status({ Cookie: 'netfence_token=se%3Dcret; netfence_token=%' }), 200);
  });

  test('any of them may be the token, in any place; none of them, a 401', async () => {
    assert.equal(await status({ Cookie: 'netfence_token=other; netfence_token=se%3Dcret' }), 200);
    assert.equal(await status({ Cookie: 'netfence_token=se%3Dcret; netfence_token=other' }), 200);
    assert.equal(await status({ Cookie: 'netfence_token=other; netfence_token=se%3Dcre' }), 401);
  });

  test('a token in the query or the header is the one checked: a right cookie does not save a wrong one', async () => {
    assert.equal(await status({ Cookie: 'netfence_token=se%3Dcret' }, '/api/lint?token=wrong'), 401);
    assert.equal(await status({ Cookie: 'netfence_token=se%3Dcret', Authorization: 'Bearer wrong' }), 401);
    assert.equal(await status({ Authorization: 'Bearer se=cret' }, '/api/lint?token=se%3Dcret'), 200);
  });
});
