/**
 * The browser tests' waits have no limit by the clock (a loaded machine stretches them all): a page in an error
 * state of its own fails them at once instead (test/ui/browser.ts, failOnPageErrors), with the reason, so that
 * a regression of the UI is a fast, clear failure rather than a hang until the test runner's limit. Each test
 * waits for what never comes; without the check, it would hang.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { browserMissing, launch, startUi, type Launched, type UiSession } from './browser.ts';

const skip = browserMissing();

describe('a page in an error state fails the waits at once', { skip }, () => {
  let ui: UiSession;
  before(async () => {
    ui = await startUi(['examples/webshop']);
  });
  after(async () => {
    await ui.close();
  });

  test("an uncaught error of the page's code fails a wait for what never comes, naming the error", async () => {
    await ui.open('#/graph');
    const page = ui.page;
    const never = page.waitForFunction(() => (globalThis as unknown as { never?: true }).never === true);
    await page.evaluate(() => {
      setTimeout(() => {
        throw new Error('a view broke');
      }, 0);
    });
    await assert.rejects(never, /the page's code failed: a view broke/);
    assert.equal(page.isClosed(), true);
  });
});

describe("the app's fatal screen fails the waits at once", { skip }, () => {
  let ui: UiSession;
  before(async () => {
    ui = await startUi(['examples/webshop']);
  });
  after(async () => {
    await ui.close();
  });

  test('a server that answers the model with an error: the wait for the app fails with its message', async () => {
    await ui.page.route('**/api/model', (route) =>
      route.fulfill({ status: 500, contentType: 'application/json', body: '{"error":"it broke"}' }),
    );
    await assert.rejects(ui.open('#/graph'), /the page shows its fatal error: it broke$/);
  });
});

describe("with fatal: 'expected', the fatal screen is the test's to read", { skip }, () => {
  let browser: Launched;
  let ui: UiSession;
  before(async () => {
    ui = await startUi(['examples/webshop']);
    browser = await launch({ fatal: 'expected' });
  });
  after(async () => {
    await browser.close();
    await ui.close();
  });

  test('the page stays open on its fatal screen', async () => {
    const page = await browser.context.newPage();
    await page.route('**/api/model', (route) =>
      route.fulfill({ status: 500, contentType: 'application/json', body: '{"error":"it broke"}' }),
    );
    await page.goto(ui.served.url);
    await page.locator('.fatal p').getByText('it broke').waitFor();
    assert.equal(page.isClosed(), false);
  });
});
