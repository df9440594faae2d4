/**
 * Every view has a URL: a state reached by using the page (a filter, a selection, a level, a compromised
 * workload) is in the hash, and a reload of that URL shows the same state, on the bundled example.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { browserMissing, graphOf, startUi, type UiSession } from './browser.ts';

const skip = browserMissing();

/** What the page shows: the hash, every control's value, the stage's and the inspector's text, the graph. */
async function stateOf(ui: UiSession): Promise<unknown> {
  const page = ui.page;
  // In the page (a string: the tests are compiled without the DOM's types).
  const controls =
    await page.evaluate(`[...document.querySelectorAll('.sidebar input, .sidebar select')].map((el) =>
    el.tagName === 'SELECT'
      ? el.id + '=' + [...el.selectedOptions].map((o) => o.value).join(',')
      : (el.id || el.name) + '=' + (el.type === 'checkbox' || el.type === 'radio' ? String(el.checked) : el.value))`);
  const hasGraph = await page.evaluate(
    "globalThis.__netfence !== undefined && document.querySelector('.stage canvas') !== null",
  );
  const graph =
    hasGraph === true
      ? (await graphOf(page)).nodes.map((n) => `${n.id} ${n.classes.join(' ')}`).sort()
      : null;
  return {
    hash: await page.evaluate('location.hash'),
    controls,
    stage: await page.locator('.layout .stage').innerText(),
    inspector: await page.locator('.layout .inspector').innerText(),
    graph,
  };
}

describe('a URL reached by using a view shows the same state after a reload', { skip }, () => {
  let ui: UiSession;
  before(async () => {
    ui = await startUi(['examples/webshop', '--flows', 'examples/flows/webshop-hubble.jsonl']);
  });
  after(async () => {
    await ui.close();
  });

  /** Uses the view at `hash` with `act`, waits for the URL to say `expect`, then reloads it and compares. */
  async function survives(
    hash: string,
    act: () => Promise<void>,
    expect: RegExp,
    graph = true,
  ): Promise<void> {
    await ui.open(hash, graph);
    const page = ui.page;
    await act();
    await page.waitForFunction(
      (re) => new RegExp(re).test((globalThis as unknown as { location: { hash: string } }).location.hash),
      expect.source,
    );
    const url = await page.evaluate<string>('location.hash');
    await ui.open(url, graph);
    const first = await stateOf(ui);
    await page.reload();
    await ui.open(url, graph);
    assert.deepEqual(await stateOf(ui), first);
    assert.deepEqual(ui.problems, []);
  }

  test('Findings: severity, rule and search', async () => {
    await survives(
      '#/findings',
      async () => {
        await ui.page.locator('#f-severity').selectOption('error');
        await ui.page.locator('#f-rule').selectOption('require-default-deny-ingress');
      },
      /severity=error.*rule=require-default-deny-ingress|rule=require-default-deny-ingress.*severity=error/,
      false,
    );
  });

  test('Attack paths: a compromised workload and a target', async () => {
    await survives(
      '#/paths',
      async () => {
        await ui.page.locator('#p-from').selectOption('shop/Deployment/web');
        await ui.page.locator('#p-to').selectOption('data/StatefulSet/postgres');
      },
      /from=shop\/Deployment\/web.*to=data\/StatefulSet\/postgres/,
    );
  });

  test('Matrix: the workload level', async () => {
    await survives(
      '#/matrix',
      async () => {
        await ui.page.locator('#level-workload').check();
      },
      /level=workload/,
      false,
    );
  });

  test('Graph: a filter by port and a selected connection', async () => {
    await survives(
      '#/graph?sel=edge:shop/Deployment/catalog>data/StatefulSet/postgres',
      async () => {
        await ui.page.locator('#port').fill('5432');
        await ui.page.locator('#port').press('Enter');
      },
      /port=5432/,
    );
  });

  test('Traffic: a selected connection', async () => {
    await survives(
      '#/traffic',
      async () => {
        await ui.page.evaluate(
          "location.hash = '#/traffic?sel=edge:shop/Deployment/catalog>data/StatefulSet/postgres'",
        );
      },
      /sel=edge/,
    );
  });

  test('What-if: the policy open in the editor', async () => {
    await survives(
      '#/whatif',
      async () => {
        await ui.page.locator('.policy-list button', { hasText: 'allow-postgres' }).first().click();
      },
      /policy=data\/allow-postgres/,
    );
  });
});
