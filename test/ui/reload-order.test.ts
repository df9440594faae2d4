/**
 * `--watch` pushes each change of the input to the page, which fetches the model again. Two changes in quick
 * succession make two reloads that overlap, and their answers may arrive in either order: the page must end on
 * the answer to the later request, never on an older one that arrived last. The order of the answers is the
 * test's own (it holds them, in headless Chromium), never a matter of timing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Route } from 'playwright-core';
import type { ModelJson } from '../../src/contract/api.ts';
import { browserMissing, startUi, type UiSession } from './browser.ts';
import { driveEvents, emitEvent, modelAnswersRead, numberModelRequests } from './model-answers.ts';

const skip = browserMissing();
let ui: UiSession;

describe('overlapping reloads end on the newest model', { skip }, () => {
  before(async () => {
    ui = await startUi(['examples/webshop']);
  });
  after(async () => {
    await ui.close();
  });

  test('the answer to the later request stays, though the earlier one arrives after it', async () => {
    const { page, served } = ui;
    const real = (await (await fetch(`${served.origin}/api/model`)).json()) as ModelJson;
    assert.equal(real.summary.policies, 21);
    // Two states after the first, told apart by the header's count of policies.
    const answer = (version: number, policies: number): string =>
      JSON.stringify({ ...real, version, summary: { ...real.summary, policies } });

    // Each request for the model is numbered by the page as it sends it (1: the page's load, 2 and 3: the two
    // reloads).
    await numberModelRequests(page);
    const held = new Map<number, Route>();
    let heard: () => void = () => undefined;
    const bothHeld = new Promise<void>((resolve) => (heard = resolve));
    await page.route('**/api/model?call=*', async (route) => {
      const call = Number(new URL(route.request().url()).searchParams.get('call'));
      if (call === 1) return route.continue();
      held.set(call, route);
      if (held.size === 2) heard();
    });
    // The server's events: version 1 at first, then two changes at once (and no reconnection for a day).
    await page.route('**/api/events', (route) =>
      route.fulfill({
        status: 200,
        contentType: 'text/event-stream',
        body: [
          'retry: 86400000\n\n',
          'event: hello\ndata: {"version":1}\n\n',
          'event: model\ndata: {"version":2}\n\n',
          'event: model\ndata: {"version":3}\n\n',
        ].join(''),
      }),
    );
    await ui.open('#/graph');
    await bothHeld;
    assert.deepEqual([...held.keys()].sort(), [2, 3]);
    const summary = page.locator('header .summary');
    const answered = (n: number): Promise<void> => modelAnswersRead(page, n);

    // The later request's answer first: the page shows it.
    await held.get(3)!.fulfill({ status: 200, contentType: 'application/json', body: answer(3, 23) });
    await answered(2);
    assert.match(await summary.innerText(), / 23 policies/);
    // Then the earlier request's, older answer: read by the page, and dropped.
    await held.get(2)!.fulfill({ status: 200, contentType: 'application/json', body: answer(2, 22) });
    await answered(3);
    assert.match(await summary.innerText(), / 23 policies/);
    assert.deepEqual(ui.problems, []);
  });
});

/** Tests' view of the page: the reloads whose request for the model failed, noted once the page's code saw it. */
interface FailWin {
  __modelFailures?: number;
}

describe('a reload the server does not answer', { skip }, () => {
  let session: UiSession;
  before(async () => {
    session = await startUi(['examples/webshop']);
  });
  after(async () => {
    await session.close();
  });

  test('keeps the page as it was and says the new analysis could not be fetched', async () => {
    const { page } = session;
    // The page's load gets the model; the reload's request fails as with a server that stopped. The failure is
    // noted in a later task than the failure's, so after the page's code has handled it (in microtasks).
    await page.addInitScript(() => {
      const w = globalThis as unknown as FailWin & { fetch: typeof fetch };
      const original = w.fetch.bind(globalThis);
      w.__modelFailures = 0;
      w.fetch = async (input, init) => {
        if (input !== '/api/model') return original(input, init);
        try {
          return await original(input, init);
        } catch (error) {
          setTimeout(() => (w.__modelFailures = (w.__modelFailures ?? 0) + 1), 0);
          throw error;
        }
      };
    });
    let calls = 0;
    await page.route('**/api/model', (route) => (++calls === 1 ? route.continue() : route.abort('failed')));
    // The server's events are the test's: version 1, then a change (and the connection is never lost).
    await driveEvents(page);
    await session.open('#/graph');
    await emitEvent(page, 'hello', { version: 1 });
    await emitEvent(page, 'model', { version: 2 });
    const banner = page.locator('.banner');
    await page.waitForFunction(() => ((globalThis as unknown as FailWin).__modelFailures ?? 0) === 1);
    assert.equal(await banner.isVisible(), true, 'the banner says why the page did not change');
    assert.equal(
      await banner.innerText(),
      'The input changed, but the page could not fetch the new analysis (netfence serve is not answering: is it still running?). Showing the last state.',
    );
    assert.match(await page.locator('header .summary').innerText(), / 21 policies/);
    assert.equal(calls, 2);
    // The browser's own line for the failed request, and no error of the page's code.
    assert.deepEqual(session.problems, ['console: Failed to load resource: net::ERR_FAILED']);
  });
});
