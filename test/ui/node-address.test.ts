/**
 * The web UI on pods placed on Nodes (test/fixtures/own-node/cluster.yaml), in headless Chromium: the
 * inspector of a connection from a node's address says that end is a node's address, not a pod, as `explain`
 * does (its status `node-address`), never "Isolated by ." with no policy.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { browserMissing, startUi, type UiSession } from './browser.ts';

const skip = browserMissing();
let ui: UiSession;

describe('the inspector names a node address as a node address', { skip }, () => {
  before(async () => {
    ui = await startUi(['test/fixtures/own-node/cluster.yaml']);
  });
  after(async () => {
    await ui.close();
  });

  test("a connection from node n1's address to the pod on n1: its egress side is n1's address", async () => {
    await ui.open(`#/graph?collapsed=nodes,outside&sel=${encodeURIComponent('edge:nodes>shop/Pod/web')}`);
    const inspector = ui.page.locator('.inspector');
    // Listed, and then headed, as the node's address.
    const name = '192.168.0.1/32 (an address of node n1) → shop/web';
    await inspector.getByRole('button', { name }).click();
    await ui.page.locator('.inspector h2', { hasText: name }).waitFor();
    await inspector.getByText('Ingress of').first().waitFor();
    const text = await inspector.innerText();
    assert.match(text, /An address of node n1, not a pod: no pod's NetworkPolicy applies on this side\./);
    assert.doesNotMatch(text, /Isolated by \./);
    assert.deepEqual(ui.problems, []);
  });
});
