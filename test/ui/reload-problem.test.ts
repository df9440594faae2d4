/**
 * `serve --watch` tells the page of each change of the input: `model` (a new analysis) or `problem` (the input
 * became invalid; the server keeps the last good analysis). The banner and the state shown follow the newest
 * event, by the order of the events and of the requests, never by the order the answers arrive in: a reload
 * asked before a problem and answered after it (its answer, computed before the problem, says none) must not
 * clear the problem's banner. The events are the test's own (a stand-in for EventSource that it drives), and so
 * is the order of the server's answers (held by page.route), in headless Chromium.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { Route } from 'playwright-core';
import type { ModelJson } from '../../src/contract/api.ts';
import { browserMissing, startUi, type UiSession } from './browser.ts';
import { driveEvents, emitEvent, modelAnswersRead, numberModelRequests } from './model-answers.ts';

const skip = browserMissing();
let ui: UiSession;
let real: ModelJson;

/** The model as the server answers it at `version` (told apart by its count of policies), and its problem. */
function answer(version: number, policies: number, problem: string | null = null): string {
  return JSON.stringify({
    ...real,
    version,
    summary: { ...real.summary, policies },
    problem: problem === null ? null : { message: problem, details: [] },
  } satisfies ModelJson);
}

const BAD = 'policies.yaml:3:1 spec: required';
const WORSE = 'policies.yaml:9:1 spec.podSelector: required';
const LOST = 'netfence serve is not answering: is it still running? Showing the last state.';
const bannerOf = (message: string): string =>
  `The input changed but could not be loaded: ${message}. Showing the last good state.`;

/** Requests for the model after the page's own (2, 3, …), held until the test answers them. */
let held: Map<number, Route>;
let waiting: Map<number, () => void>;

/** Waits until the page has asked for the model the `call`-th time (the route holds it). */
function asked(call: number): Promise<Route> {
  const route = held.get(call);
  if (route !== undefined) return Promise.resolve(route);
  return new Promise((resolve) => waiting.set(call, () => resolve(held.get(call)!)));
}

async function emit(type: string, data: unknown = null): Promise<void> {
  await emitEvent(ui.page, type, data);
}

async function reply(call: number, body: string): Promise<void> {
  await (await asked(call)).fulfill({ status: 200, contentType: 'application/json', body });
}

/** The banner's text, or null when it is hidden, and the header's count of policies. */
async function shown(): Promise<{ banner: string | null; policies: number }> {
  const banner = ui.page.locator('.banner');
  const summary = await ui.page.locator('header .summary').innerText();
  return {
    banner: (await banner.isVisible()) ? await banner.innerText() : null,
    policies: Number(/ (\d+) policies/.exec(summary)?.[1]),
  };
}

describe('the banner and the state follow the newest event of serve --watch', { skip }, () => {
  before(async () => {
    ui = await startUi(['examples/webshop']);
    real = (await (await fetch(`${ui.served.origin}/api/model`)).json()) as ModelJson;
    assert.equal(real.summary.policies, 21);
    await numberModelRequests(ui.page);
    await driveEvents(ui.page);
    await ui.page.route('**/api/model?call=*', async (route) => {
      const call = Number(new URL(route.request().url()).searchParams.get('call'));
      if (call === 1) return route.continue();
      held.set(call, route);
      waiting.get(call)?.();
    });
  });
  beforeEach(async () => {
    held = new Map();
    waiting = new Map();
    await ui.open('#/graph');
    await emit('hello', { version: 1 });
    assert.deepEqual(await shown(), { banner: null, policies: 21 });
  });
  after(async () => {
    await ui.close();
  });

  test('a reload asked before a problem and answered after it keeps the problem in the banner', async () => {
    await emit('model', { version: 2 });
    await asked(2);
    await emit('problem', { message: BAD, details: [] });
    assert.deepEqual(await shown(), { banner: bannerOf(BAD), policies: 21 });
    // The answer was computed before the problem: it has the new analysis, and no problem.
    await reply(2, answer(2, 22));
    await modelAnswersRead(ui.page, 2);
    assert.deepEqual(await shown(), { banner: bannerOf(BAD), policies: 22 });
    assert.deepEqual(ui.problems, []);
  });

  test('a reload answered before the problem arrives: the problem then shows', async () => {
    await emit('model', { version: 2 });
    await reply(2, answer(2, 22));
    await modelAnswersRead(ui.page, 2);
    assert.deepEqual(await shown(), { banner: null, policies: 22 });
    await emit('problem', { message: BAD, details: [] });
    assert.deepEqual(await shown(), { banner: bannerOf(BAD), policies: 22 });
    assert.deepEqual(ui.problems, []);
  });

  test('a problem, then a good change: the change clears the banner once its analysis is shown', async () => {
    await emit('problem', { message: BAD, details: [] });
    assert.deepEqual(await shown(), { banner: bannerOf(BAD), policies: 21 });
    await emit('model', { version: 2 });
    await reply(2, answer(2, 22));
    await modelAnswersRead(ui.page, 2);
    assert.deepEqual(await shown(), { banner: null, policies: 22 });
    assert.deepEqual(ui.problems, []);
  });

  test('two problems: the banner says the newer, and a reload asked before both keeps it', async () => {
    await emit('model', { version: 2 });
    await asked(2);
    await emit('problem', { message: BAD, details: [] });
    await emit('problem', { message: WORSE, details: [] });
    assert.deepEqual(await shown(), { banner: bannerOf(WORSE), policies: 21 });
    await reply(2, answer(2, 22, BAD));
    await modelAnswersRead(ui.page, 2);
    assert.deepEqual(await shown(), { banner: bannerOf(WORSE), policies: 22 });
    assert.deepEqual(ui.problems, []);
  });

  test('change, problem, change: the answers in either order end on the last change, without a banner', async () => {
    await emit('model', { version: 2 });
    await asked(2);
    await emit('problem', { message: BAD, details: [] });
    await emit('model', { version: 3 });
    // The later request's answer first, then the earlier one's, which is dropped.
    await reply(3, answer(3, 23));
    await modelAnswersRead(ui.page, 2);
    assert.deepEqual(await shown(), { banner: null, policies: 23 });
    await reply(2, answer(2, 22));
    await modelAnswersRead(ui.page, 3);
    assert.deepEqual(await shown(), { banner: null, policies: 23 });
    assert.deepEqual(ui.problems, []);
  });

  test('change, problem, change: the earlier answer first keeps the banner until the later one', async () => {
    await emit('model', { version: 2 });
    await asked(2);
    await emit('problem', { message: BAD, details: [] });
    await emit('model', { version: 3 });
    await reply(2, answer(2, 22));
    await modelAnswersRead(ui.page, 2);
    assert.deepEqual(await shown(), { banner: bannerOf(BAD), policies: 22 });
    await reply(3, answer(3, 23));
    await modelAnswersRead(ui.page, 3);
    assert.deepEqual(await shown(), { banner: null, policies: 23 });
    assert.deepEqual(ui.problems, []);
  });

  test('a lost connection to the server shows in the banner until the server answers again', async () => {
    await emit('error');
    assert.deepEqual(await shown(), { banner: LOST, policies: 21 });
    // Back, restarted (its version starts again at 1): the page fetches the analysis, and the banner goes.
    await emit('hello', { version: 1 });
    await reply(2, answer(1, 22));
    await modelAnswersRead(ui.page, 2);
    assert.deepEqual(await shown(), { banner: null, policies: 22 });
    assert.deepEqual(ui.problems, []);
  });

  test('a reload asked before the connection was lost and answered after it leaves the banner', async () => {
    await emit('model', { version: 2 });
    await asked(2);
    await emit('error');
    await reply(2, answer(2, 22));
    await modelAnswersRead(ui.page, 2);
    assert.deepEqual(await shown(), { banner: LOST, policies: 22 });
    assert.deepEqual(ui.problems, []);
  });

  test('a reload asked before a problem that fails after it: the banner still says the problem', async () => {
    await emit('model', { version: 2 });
    await asked(2);
    await emit('problem', { message: BAD, details: [] });
    await (await asked(2)).abort('failed');
    await modelAnswersRead(ui.page, 2);
    assert.deepEqual(await shown(), { banner: bannerOf(BAD), policies: 21 });
    assert.deepEqual(ui.problems, ['console: Failed to load resource: net::ERR_FAILED']);
    ui.problems.length = 0;
  });
});

describe('a server that stops while the page is open', { skip }, () => {
  let session: UiSession;
  before(async () => {
    session = await startUi(['examples/webshop']);
  });
  after(async () => {
    await session.close();
  });

  test('the banner says it is not answering, and the page keeps its state', async () => {
    await session.open('#/graph');
    const banner = session.page.locator('.banner');
    assert.equal(await banner.isVisible(), false);
    await session.served.stop();
    await banner.getByText(LOST, { exact: true }).waitFor();
    assert.match(await session.page.locator('header .summary').innerText(), / 21 policies/);
    // The browser's lines for the cut stream and its attempts to reconnect, and no error of the page's code.
    for (const p of session.problems)
      assert.match(
        p,
        /^console: Failed to load resource: net::ERR_(CONNECTION_REFUSED|INCOMPLETE_CHUNKED_ENCODING)$/,
      );
  });
});
