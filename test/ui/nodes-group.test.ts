/**
 * The web UI on pods placed on Nodes (test/fixtures/own-node/cluster.yaml), in headless Chromium: a Node's
 * address is in the cluster (explain's `node-address`), so the graph and the matrix draw it in a group of its
 * own, "nodes", named after its Node, never inside "outside the cluster"; "Show outside the cluster" hides
 * the outside only; every connection is counted once, as `analyze` counts it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { browserMissing, edgeOf, graphOf, startUi, type UiSession } from './browser.ts';

const skip = browserMissing();
let ui: UiSession;

describe("the Nodes' addresses are a group of their own, not outside the cluster", { skip }, () => {
  before(async () => {
    ui = await startUi(['test/fixtures/own-node/cluster.yaml']);
  });
  after(async () => {
    await ui.close();
  });

  test('the graph: node n1 in the box "nodes", its connection to web its own edge', async () => {
    await ui.open('#/graph');
    const g = await graphOf(ui.page);
    const labels = new Map(g.nodes.map((n) => [n.id, n.label]));
    assert.equal(labels.get('nodes'), 'nodes');
    assert.equal(labels.get('external:1'), 'node n1');
    assert.equal(labels.has('outside'), false, 'nothing outside the cluster has a restricted connection');
    assert.equal(edgeOf(g, 'external:1>shop/Pod/web').label, 'all');
    assert.equal(
      g.edges.some((e) => e.id.includes('outside')),
      false,
    );
    assert.deepEqual(ui.problems, []);
  });

  test('collapsed, the edge "nodes → shop/Pod/web" lists the connection from n1\'s address', async () => {
    await ui.open(`#/graph?collapsed=nodes,outside&sel=${encodeURIComponent('edge:nodes>shop/Pod/web')}`);
    const g = await graphOf(ui.page);
    assert.equal(edgeOf(g, 'nodes>shop/Pod/web').label, 'all');
    assert.equal(
      g.edges.some((e) => e.id === 'outside>shop/Pod/web'),
      false,
    );
    const inspector = ui.page.locator('.inspector');
    await inspector.getByRole('heading', { name: 'nodes → shop/Pod/web' }).waitFor();
    // Listed as the node's address, as diff and the what-if name it.
    await inspector
      .getByRole('button', { name: '192.168.0.1/32 (an address of node n1) → shop/web' })
      .waitFor();
    assert.doesNotMatch(await inspector.innerText(), /outside the cluster/);
    assert.deepEqual(ui.problems, []);
  });

  test('the inspector of a node address and of the group say they are in the cluster', async () => {
    await ui.open(`#/graph?sel=${encodeURIComponent('node:external:1')}`);
    const inspector = ui.page.locator('.inspector');
    await inspector.getByRole('heading', { name: 'node n1' }).waitFor();
    const text = await inspector.innerText();
    assert.match(text, /An address of node n1, in the cluster \(not a pod\): 192\.168\.0\.1\/32/);
    assert.doesNotMatch(text, /outside the cluster/i);
    await ui.open(`#/graph?open=show&sel=node:nodes`);
    await inspector.getByText('2 addresses of 2 nodes: in the cluster, not pods').waitFor();
    await ui.open(`#/graph?open=show&collapsed=nodes,outside&sel=node:outside`);
    await inspector.getByText('1 address range outside the cluster.').waitFor();
    assert.deepEqual(ui.problems, []);
  });

  test('"Show outside the cluster" off hides the outside, not the nodes', async () => {
    await ui.open('#/graph?open=show&collapsed=nodes,outside');
    let g = await graphOf(ui.page);
    assert.equal(edgeOf(g, 'outside>kube-system/Pod/agent').label, 'all');
    assert.equal(edgeOf(g, 'nodes>kube-system/Pod/agent').label, 'all (2)');
    const toggle = ui.page.getByLabel('Show outside the cluster');
    assert.match((await ui.page.locator('label', { has: toggle }).getAttribute('title')) ?? '', /stay shown/);
    await toggle.uncheck();
    await ui.page.waitForFunction(() =>
      (globalThis as unknown as { location: { hash: string } }).location.hash.includes('ext=0'),
    );
    g = await graphOf(ui.page);
    assert.equal(
      g.nodes.some((n) => n.id === 'outside'),
      false,
    );
    assert.equal(edgeOf(g, 'nodes>shop/Pod/web').label, 'all');
    assert.deepEqual(ui.problems, []);
  });

  test('the matrix: a row "nodes" apart from "outside the cluster", the same connections in all', async () => {
    await ui.open('#/matrix', false);
    const table = ui.page.locator('.matrix-holder table');
    await table.waitFor();
    const rows = await table.locator('tr').allInnerTexts();
    assert.deepEqual(
      rows.map((r) => r.split('\t').map((c) => c.trim())),
      [
        ['from ↓ to →', 'kube-system', 'shop', 'nodes', 'outside the cluster'],
        ['kube-system 2', '2', '1', '4', '2'],
        ['shop 1', '2', '', '2', '1'],
        ['nodes 2', '4', '1', '', ''],
        ['outside the cluster 1', '2', '', '', ''],
      ],
    );
    // The cells of the nodes and outside rows and columns count workload–address pairs, not workload pairs.
    const title = (from: string, to: string): Promise<string | null> =>
      table.locator(`td button[title^="${from} → ${to}:"]`).getAttribute('title');
    assert.match((await title('kube-system', 'shop')) ?? '', /: 1 of 2 workload pairs( \(|$)/);
    assert.match((await title('kube-system', 'nodes')) ?? '', /: 4 of 4 workload–node-address pairs( \(|$)/);
    assert.match(
      (await title('outside the cluster', 'kube-system')) ?? '',
      /: 2 of 2 workload–address-range pairs( \(|$)/,
    );
    assert.match(
      await ui.page.locator('.legend').innerText(),
      /At namespace level a cell counts the pairs that may connect: of two workloads, or in the rows and columns nodes and outside the cluster, of a workload and a node's address or an address range; the darker, the larger their share of all such pairs\./,
    );
    assert.deepEqual(ui.problems, []);
  });
});
