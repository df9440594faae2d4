/**
 * The What-if view on a cluster with Cilium policies (examples/cilium, issue #17), in headless Chromium: the
 * Cilium policies are listed beside the others, one opens in the editor with its YAML as written, and an edit
 * that removes its allow lists the lost connection (with the L7 filtering it had) and removes the edge.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import {
  browserMissing,
  edgeOf,
  graphOf,
  saveShot,
  startUi,
  type GraphSnapshot,
  type UiSession,
} from './browser.ts';

const CNP = 'CiliumNetworkPolicy/news/api-from-web';
const WEB = 'news/Deployment/web';
const API = 'news/Deployment/api';

const skip = browserMissing();
let ui: UiSession;
let page: Page;

const graph = (): Promise<GraphSnapshot> => graphOf(page);

describe('the What-if view with Cilium policies, in Chromium', { skip }, () => {
  before(async () => {
    ui = await startUi(['examples/cilium']);
    page = ui.page;
  });

  after(() => ui?.close());

  test('a CNP edited to drop its allow: the lost connection is listed, and its edge removed', async () => {
    await ui.open(`#/whatif?policy=${encodeURIComponent(CNP)}`);
    await page.locator('#whatif-summary', { hasText: 'No changes yet' }).waitFor();
    // Listed with the others: the namespace's Cilium policies, and the cluster-wide one.
    const list = await page.locator('.policy-list').innerText();
    for (const name of ['Cilium api-from-web', 'Cilium web-from-world', 'CCNP deny-cloud-metadata'])
      assert.ok(list.includes(name), `${name} in\n${list}`);
    assert.deepEqual(
      edgeOf(await graph(), `${WEB}>${API}`).classes.filter((c) => c.startsWith('ch-')),
      [],
    );
    await page.locator('.cm-content').waitFor();
    const original = await page.locator('.cm-content').innerText();
    assert.match(original, /^# The API accepts web/);
    assert.match(original, /kind: CiliumNetworkPolicy/);
    await page.locator('.cm-content').click();
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText(original.replace('app: web', 'app: nobody'));
    await page.locator('#whatif-summary', { hasText: '−1 removed' }).waitFor();
    assert.match(await page.locator('#whatif-summary').innerText(), /Cilium policies: 1 modified/);
    assert.ok(edgeOf(await graph(), `${WEB}>${API}`).classes.includes('ch-removed'));
    assert.match(
      await page.locator('.diff-rows').innerText(),
      new RegExp(`− news/web → news/api: TCP 8080 \\(no longer filtered at L7 on TCP 8080 by ${CNP}\\)`),
    );
    assert.match(await page.locator('.policy-changes').innerText(), new RegExp(`~ ${CNP}`));
    await page.locator('.policy-list .pill.edited').waitFor();
    await saveShot(page, 'whatif-cilium');
    // A protocol Cilium does not know: the problem is listed with its line and field.
    await page.locator('.cm-content').click();
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText(original.replace('protocol: TCP }', 'protocol: TPC }'));
    await page.locator('#whatif-summary', { hasText: 'some changes have errors' }).waitFor();
    const line = original.split('\n').findIndex((l) => l.includes('protocol: TCP }')) + 1;
    await page.locator('.problems li', { hasText: `line ${line}` }).waitFor();
    assert.match(
      await page.locator('.problems').innerText(),
      /spec\.ingress\[0\]\.toPorts\[0\]\.ports\[0\]\.protocol/,
    );
    await page.locator('.cm-lintRange-error').first().waitFor();
    assert.deepEqual(ui.problems, []);
  });
});
