/**
 * What-if and Traffic on pods placed on Nodes (test/fixtures/own-node/cluster.yaml, flows
 * test/fixtures/own-node/flows.csv), in headless Chromium: a Node's address is in the cluster, so a what-if that
 * opens shop/web to node n2's address draws it in the group "nodes" as `node n2` (never inside "outside the
 * cluster"), lists it as `diff` does (`192.168.0.2/32 (an address of node n2)`) and names it so when its edge is
 * clicked; in the Traffic view, the flow from n2's address is drawn from `node n2`, in "nodes", and its
 * inspector says that end is n2's address.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { browserMissing, edgeOf, graphOf, startUi, type GraphSnapshot, type UiSession } from './browser.ts';

const WEB = 'shop/Pod/web';
/** shop/web opened to node n2's address (all ports) and to 10.0.0.0/8 (TCP 443), beside its default deny. */
const FROM_N2 = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: from-n2, namespace: shop }
spec:
  podSelector: {}
  ingress:
    - from: [{ ipBlock: { cidr: 192.168.0.2/32 } }]
    - from: [{ ipBlock: { cidr: 10.0.0.0/8 } }]
      ports: [{ port: 443 }]
`;

const skip = browserMissing();
let ui: UiSession;
let page: Page;

/** The drawn node labelled `label`; fails the test when none is drawn. */
function nodeLabelled(g: GraphSnapshot, label: string): GraphSnapshot['nodes'][number] {
  const n = g.nodes.find((x) => x.label === label);
  assert.ok(n, `no node "${label}" among ${g.nodes.map((x) => x.label).join(', ')}`);
  return n;
}

/** Clicks a drawn line at its midpoint. */
async function clickEdge(g: GraphSnapshot, id: string): Promise<void> {
  const box = await page.locator('.canvas').first().boundingBox();
  assert.ok(box);
  const at = edgeOf(g, id).midpoint;
  await page.mouse.click(box.x + at.x, box.y + at.y);
}

describe("What-if and Traffic draw a Node's address in the group nodes", { skip }, () => {
  before(async () => {
    ui = await startUi([
      'test/fixtures/own-node/cluster.yaml',
      '--flows',
      'test/fixtures/own-node/flows.csv',
    ]);
    page = ui.page;
  });
  after(async () => {
    await ui.close();
  });

  test('a what-if opening web to node n2: its address is `node n2` in "nodes", listed and named as the node\'s', async () => {
    await ui.open('#/whatif');
    await page.locator('#whatif-summary', { hasText: 'No changes yet' }).waitFor();
    await page.locator('#w-ns').selectOption('shop');
    await page.getByRole('button', { name: 'New policy' }).click();
    await page.locator('.cm-content').waitFor();
    await page.locator('.cm-content').click();
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText(FROM_N2);
    // agent2 (host network on n2, so at n2's address), n2's address itself, and 10.0.0.0/8 on TCP 443.
    await page.locator('#whatif-summary', { hasText: '+3 added' }).waitFor();
    await page.waitForFunction(
      (web) =>
        (globalThis as unknown as { __netfence: { graph: () => GraphSnapshot } }).__netfence
          .graph()
          .edges.filter((e) => e.id.endsWith(`>${web}`) && e.classes.includes('ch-added')).length === 3,
      WEB,
    );
    const g = await graphOf(page);
    const n2 = nodeLabelled(g, 'node n2');
    assert.equal(n2.parent, 'nodes');
    assert.equal(nodeLabelled(g, 'nodes').parent, null);
    assert.ok(edgeOf(g, `${n2.id}>${WEB}`).classes.includes('ch-added'));
    // 10.0.0.0/8 is outside the cluster: its line comes from "outside the cluster", collapsed.
    assert.ok(edgeOf(g, `outside>${WEB}`).classes.includes('ch-added'));
    assert.ok(edgeOf(g, `kube-system/Pod/agent2>${WEB}`).classes.includes('ch-added'));
    assert.equal(
      g.edges.some((e) => e.id.startsWith('outside>') && e.id !== `outside>${WEB}`),
      false,
    );
    // Listed as diff lists it.
    const rows = (await page.locator('.diff-rows').innerText()).split('\n').map((r) => r.trim());
    assert.ok(
      rows.includes('+ 192.168.0.2/32 (an address of node n2) → shop/web: All connections'),
      rows.join('\n'),
    );
    assert.ok(rows.includes('+ 10.0.0.0/8 → shop/web: TCP 443'), rows.join('\n'));
    // Hovering node n2 says it is in the cluster.
    const box = await page.locator('.canvas').first().boundingBox();
    assert.ok(box);
    await page.mouse.move(box.x + (n2.box.x1 + n2.box.x2) / 2, box.y + (n2.box.y1 + n2.box.y2) / 2);
    await page.locator('.tooltip:not([hidden])').waitFor();
    assert.equal(
      await page.locator('.tooltip').innerText(),
      '192.168.0.2/32: an address of node n2, in the cluster (not a pod)',
    );
    // Its line clicked: named as the list names it (the what-if's own address classes, not the model's).
    await clickEdge(g, `${n2.id}>${WEB}`);
    await page.locator('#whatif-summary', { hasText: 'newly allowed' }).waitFor();
    assert.equal(
      await page.locator('#whatif-summary').innerText(),
      '192.168.0.2/32 (an address of node n2) → shop/web: newly allowed: All connections',
    );
    assert.deepEqual(ui.problems, []);
  });

  test('the Traffic view: the flow from n2\'s address comes from `node n2`, in "nodes"; the outside one from outside', async () => {
    await ui.open('#/traffic');
    await page.waitForFunction(() =>
      (globalThis as unknown as { __netfence: { graph: () => GraphSnapshot } }).__netfence
        .graph()
        .edges.some((e) => e.classes.includes('st-denied')),
    );
    const g = await graphOf(page);
    const n2 = nodeLabelled(g, 'node n2');
    assert.equal(n2.parent, 'nodes');
    // 3 flows from 192.168.0.2 to web on TCP 80, denied by shop/deny: from n2's address, not from outside.
    const fromN2 = edgeOf(g, `${n2.id}>${WEB}`);
    assert.equal(fromN2.label, 'TCP 80 denied');
    assert.ok(fromN2.classes.includes('st-denied'));
    // The one from 203.0.113.9 is outside the cluster.
    assert.equal(edgeOf(g, `outside>${WEB}`).label, 'TCP 80 denied');
    assert.equal(
      await page.locator('.graph-status').innerText(),
      '3 workloads in 2 namespaces, 4 endpoint pairs drawn, 19 unrestricted hidden',
    );
    // Its inspector: that end is n2's address, not a pod.
    await ui.open(`#/traffic?sel=${encodeURIComponent(`edge:${n2.id}>${WEB}`)}`);
    const inspector = page.locator('.inspector');
    // Opened whole: the flows and the explanation of each side, which loads after them, have come (the test
    // read "Loading…" here when it waited for the observed line only).
    await inspector.getByText('TCP 80 ×3').waitFor();
    const text = await inspector.innerText();
    assert.match(text, /stopped at ingress by shop\/deny/);
    assert.match(text, /An address of node n2, not a pod: no pod's NetworkPolicy applies on this side\./);
    assert.doesNotMatch(text, /outside the cluster/i);
    // Collapsed, the group "nodes" holds the flow: not "outside the cluster".
    await ui.open('#/traffic?collapsed=nodes,outside');
    const c = await graphOf(page);
    // n1's address (allowed, never observed) and n2's (observed but denied): two pairs, not two connections.
    const nodes = edgeOf(c, `nodes>${WEB}`);
    assert.ok(nodes.classes.includes('st-denied'));
    assert.equal(nodes.label, '2 endpoint pairs');
    const box = await page.locator('.canvas').first().boundingBox();
    assert.ok(box);
    await page.mouse.move(box.x + nodes.midpoint.x, box.y + nodes.midpoint.y);
    await page.locator('.tooltip:not([hidden])').waitFor();
    assert.match(await page.locator('.tooltip').innerText(), /^2 endpoint pairs: /);
    assert.equal(edgeOf(c, `outside>${WEB}`).label, 'TCP 80 denied');
    assert.deepEqual(ui.problems, []);
  });
});

describe("the Traffic view on Hubble flows to a Node's address (test/fixtures/tiers)", { skip }, () => {
  const PROMETHEUS = 'monitoring/Deployment/prometheus';
  before(async () => {
    ui = await startUi(['test/fixtures/tiers', '--flows', 'test/fixtures/flows/tiers/hubble.jsonl']);
    page = ui.page;
  });
  after(async () => {
    await ui.close();
  });

  test('prometheus scraping the kubelet at 10.0.0.12: drawn to `node node-2`, in "nodes"', async () => {
    await ui.open('#/traffic');
    await page.waitForFunction(() =>
      (globalThis as unknown as { __netfence: { graph: () => GraphSnapshot } }).__netfence
        .graph()
        .edges.some((e) => e.classes.includes('st-partly-observed')),
    );
    const g = await graphOf(page);
    const node2 = nodeLabelled(g, 'node node-2');
    assert.equal(node2.parent, 'nodes');
    // Seen on TCP 10250 only, of every port allowed: its label says both, the ports seen first.
    const scrape = edgeOf(g, `${PROMETHEUS}>${node2.id}`);
    assert.ok(scrape.classes.includes('st-partly-observed'));
    assert.equal(scrape.label, 'TCP 10250 of all allowed');
    assert.equal(
      g.edges.some((e) => e.id === `${PROMETHEUS}>outside`),
      false,
    );
    await ui.open(`#/traffic?sel=${encodeURIComponent(`edge:${PROMETHEUS}>${node2.id}`)}`);
    const inspector = page.locator('.inspector');
    await inspector.getByText('TCP 10250 ×1').waitFor();
    // Named as the node's address, as elsewhere.
    assert.equal(
      await inspector.locator('h2').first().innerText(),
      'monitoring/prometheus → 10.0.0.12/32 (an address of node node-2)',
    );
    assert.match(
      await inspector.innerText(),
      /An address of node node-2, not a pod: no pod's NetworkPolicy applies on this side\./,
    );
    assert.deepEqual(ui.problems, []);
  });
});
