/**
 * What the page says when it has nothing to show, in headless Chromium: an input with a namespace and a policy
 * but no workload (the header in the singular, the Graph, the Matrix and the Attack paths' ranking each say
 * there are no workloads, instead of an empty canvas, a matrix of the outside world alone, an empty ranking),
 * and on the bundled example, filters that leave no workload (the Graph and the Matrix say so).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { browserMissing, startUi, type UiSession } from './browser.ts';

const skip = browserMissing();

const NO_WORKLOADS = `apiVersion: v1
kind: Namespace
metadata:
  name: lonely
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: deny
  namespace: lonely
spec:
  podSelector: {}
  policyTypes: [Ingress]
`;

describe('an input without workloads', { skip }, () => {
  let ui: UiSession;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'netfence-ui-empty-'));
    writeFileSync(join(dir, 'lonely.yaml'), NO_WORKLOADS);
    ui = await startUi([dir]);
  });
  after(async () => {
    await ui.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the header counts in the singular, and each view says there is nothing to show', async () => {
    const page = ui.page;
    await ui.open('#/graph', false);
    assert.equal(
      await page.locator('header .summary').innerText(),
      '0 allowed connections · 0 workloads · 1 namespace · 1 policy',
    );
    const empty = page.locator('.stage-empty');
    await empty.waitFor();
    assert.equal(
      await empty.innerText(),
      'The input has no workloads (1 namespace, 1 policy): there is nothing to draw.',
    );
    await ui.open('#/matrix', false);
    assert.equal(
      await page.locator('.matrix-holder .notice').innerText(),
      'The input has no workloads: there is no matrix to draw.',
    );
    assert.equal(await page.locator('.matrix-holder table').count(), 0);
    await ui.open('#/paths', false);
    const ranked = page.locator('.inspector .notice');
    await ranked.waitFor();
    assert.equal(await ranked.innerText(), 'The input has no workloads: there is nothing to rank.');
    assert.deepEqual(ui.problems, []);
  });
});

describe('filters that leave no workload', { skip }, () => {
  let ui: UiSession;
  before(async () => {
    ui = await startUi(['examples/webshop']);
  });
  after(async () => {
    await ui.close();
  });

  test('the Graph and the Matrix say that nothing matches, and the Graph hides the message again', async () => {
    const page = ui.page;
    await ui.open('#/graph?ns=-', false);
    const empty = page.locator('.stage-empty');
    await empty.waitFor();
    assert.equal(
      await empty.innerText(),
      'No workload matches the filters: clear the namespaces, labels or focus to see the graph.',
    );
    await ui.open('#/graph');
    assert.equal(await empty.isVisible(), false);
    await ui.open('#/matrix?ns=-', false);
    assert.equal(
      await page.locator('.matrix-holder .notice').innerText(),
      'No namespace is shown: pick some in the list.',
    );
    assert.deepEqual(ui.problems, []);
  });
});
