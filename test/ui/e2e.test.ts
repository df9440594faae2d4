/**
 * The web UI in a real browser (headless Chromium) against `netfence serve` on the bundled example: the graph
 * shows the expected workloads and edges, clicking an edge explains it, the attack path view highlights the
 * right nodes, a what-if edit that removes a rule removes the edge; every view is screenshotted into
 * test-artifacts/ui/ (and, with UPDATE_SCREENSHOTS=1, the README's pictures into docs/images/).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { CheckFlowsJson } from '../../src/contract/flows.ts';
import { runCli } from '../support/cli.ts';
import {
  browserMissing,
  edgeOf,
  graphOf,
  openRoute,
  saveShot,
  settleGraph,
  startUi,
  type GraphSnapshot,
  type UiSession,
} from './browser.ts';

const HUBBLE = 'examples/flows/webshop-hubble.jsonl';

/** What the tests read of the page's globals (the test files are type-checked without the DOM library). */
interface Win {
  location: { hash: string };
  document: {
    activeElement: { id: string } | null;
    documentElement: { dataset: Record<string, string | undefined>; scrollWidth: number };
    body: unknown;
  };
  getComputedStyle(el: unknown): { backgroundColor: string; color: string };
  __netfence?: { graph: () => Snapshot };
}

type Snapshot = GraphSnapshot;

const skip = browserMissing();
let ui: UiSession;
let page: Page;

const shot = (name: string, readme = false): Promise<void> => saveShot(page, name, { readme });

function graph(): Promise<Snapshot> {
  return graphOf(page);
}

/** Opens a route on a fresh page load and waits until the graph (when the view has one) is drawn. */
function open(hash: string, waitForGraph = true): Promise<void> {
  return ui.open(hash, waitForGraph);
}

const edge = edgeOf;

function node(g: Snapshot, id: string): Snapshot['nodes'][number] {
  const n = g.nodes.find((x) => x.id === id);
  assert.ok(n, `no node ${id}`);
  return n;
}

/** Clicks a point of the graph canvas, given in the graph's rendered coordinates. */
async function clickCanvas(at: { x: number; y: number }): Promise<void> {
  const box = await page.locator('.canvas').first().boundingBox();
  assert.ok(box);
  await page.mouse.click(box.x + at.x, box.y + at.y);
}

const CATALOG = 'shop/Deployment/catalog';
const POSTGRES = 'data/StatefulSet/postgres';

describe('the web UI in Chromium', { skip }, () => {
  before(async () => {
    ui = await startUi(['examples/webshop', '--flows', HUBBLE]);
    page = ui.page;
  });

  after(() => ui?.close());

  test('the graph shows the workloads, the connections policies allow, and their ports', async () => {
    await open('#/graph');
    const g = await graph();
    const workloads = g.nodes.filter((n) => n.id.split('/').length === 3).map((n) => n.id);
    assert.equal(workloads.length, 16);
    assert.ok(workloads.includes(POSTGRES) && workloads.includes('monitoring/DaemonSet/node-exporter'));
    assert.deepEqual(
      g.nodes
        .filter((n) => n.id.startsWith('ns:'))
        .map((n) => n.label)
        .sort(),
      ['data', 'ingress-nginx', 'kube-system', 'monitoring', 'payments', 'shop'],
    );
    assert.equal(edge(g, `${CATALOG}>${POSTGRES}`).label, 'TCP 5432');
    assert.equal(edge(g, 'shop/Deployment/web>shop/Deployment/api').label, 'TCP 8080');
    // The edge: 80 and 443 from the internet, 8443 (the admission webhook) from the API server's range.
    assert.equal(
      edge(g, 'outside>ingress-nginx/Deployment/ingress-nginx-controller').label,
      'TCP 80,443,8443 (5)',
    );
    assert.equal(
      g.edges.some((e) => e.id === `shop/Deployment/web>${POSTGRES}`),
      false,
    );
    assert.match(
      await page.locator('.graph-status').innerText(),
      /^16 workloads in 6 namespaces, \d+ lines drawn \(\d+ connections\), \d+ unrestricted hidden$/,
    );
    await shot('graph', true);
  });

  test('clicking an edge shows its explanation: the rules on each side', async () => {
    await open(`#/graph?focus=${POSTGRES}`);
    const g = await graph();
    assert.deepEqual(
      g.nodes
        .filter((n) => n.id.split('/').length === 3)
        .map((n) => n.id)
        .sort(),
      [
        'data/CronJob/report-exporter',
        POSTGRES,
        'data/StatefulSet/redis',
        'monitoring/StatefulSet/prometheus',
        CATALOG,
        'shop/Deployment/checkout',
      ].sort(),
    );
    await clickCanvas(edge(g, `${CATALOG}>${POSTGRES}`).midpoint);
    await page.waitForFunction(() =>
      decodeURIComponent((globalThis as unknown as Win).location.hash).includes(
        'sel=edge:shop/Deployment/catalog>data/StatefulSet/postgres',
      ),
    );
    const inspector = page.locator('.inspector');
    await inspector.getByText('Ingress of data/postgres').waitFor();
    const text = await inspector.innerText();
    assert.match(text, /shop\/catalog → data\/postgres/);
    assert.match(text, /Allowed on TCP 5432 only/);
    assert.match(text, /Egress of shop\/catalog\s+Not isolated/i);
    assert.match(text, /data\/allow-postgres spec\.ingress\[0\]\.from\[0\]/);
    assert.match(text, /examples\/webshop\/policies\/data\.yaml:23/);
    assert.deepEqual(
      (await graph()).edges.find((e) => e.classes.includes('selected'))?.id,
      `${CATALOG}>${POSTGRES}`,
    );
    await shot('explain', true);
  });

  test('clicking a workload shows its labels, policies, and who can reach it in plain words', async () => {
    await open('#/graph');
    // The keyboard way: search, then Enter.
    await page.keyboard.press('/');
    await page.keyboard.type('postgres');
    await page.keyboard.press('Enter');
    await page.locator('.inspector h2', { hasText: 'data/postgres' }).waitFor();
    await page.locator('.inspector').getByText('Reachable from').waitFor();
    const text = await page.locator('.inspector').innerText();
    assert.match(text, /app\.kubernetes\.io\/name=postgres/);
    assert.match(text, /data\/allow-postgres/);
    assert.match(
      text,
      /pods labelled app\.kubernetes\.io\/name in \(catalog, checkout\) in namespace shop, on postgres \(5432\/TCP\)/,
    );
    assert.match(text, /Anywhere \(no policy restricts its egress\)\./);
    assert.ok(node(await graph(), POSTGRES).classes.includes('selected'));
    await shot('inspect', true);
  });

  test('the attack path view highlights the blast radius hop by hop and the path to the target', async () => {
    await open(`#/paths?from=shop/Deployment/web&to=${POSTGRES}`);
    await page.waitForFunction(() =>
      (globalThis as unknown as Win).__netfence!.graph().nodes.some((n) => n.classes.includes('hop-0')),
    );
    const g = await graph();
    const hop = (id: string): string | undefined =>
      node(g, id).classes.find((c) => c.startsWith('hop-') || c === 'unreached');
    assert.equal(hop('shop/Deployment/web'), 'hop-0');
    assert.equal(hop('shop/Deployment/api'), 'hop-1');
    assert.equal(hop('data/StatefulSet/redis'), 'hop-1');
    assert.equal(hop('monitoring/StatefulSet/prometheus'), 'hop-2');
    assert.equal(hop(POSTGRES), 'hop-3');
    assert.ok(node(g, POSTGRES).classes.includes('target'));
    assert.ok(edge(g, `monitoring/StatefulSet/prometheus>${POSTGRES}`).classes.includes('path'));
    const paths = g.edges.filter((e) => e.classes.includes('path'));
    assert.equal(paths.length, 3);
    assert.match(await page.locator('.graph-status').innerText(), /^15 of 15 other workloads reachable$/);
    await shot('paths', true);
    // Hop by hop: after one hop, Postgres is out of reach.
    await page.locator('.hops button', { hasText: /^1$/ }).click();
    await page.waitForFunction(() => (globalThis as unknown as Win).location.hash.includes('hops=1'));
    const one = await graph();
    assert.ok(node(one, POSTGRES).classes.includes('unreached'));
    assert.ok(node(one, 'shop/Deployment/api').classes.includes('hop-1'));
  });

  test('from outside the cluster, the attack path view counts every workload, as `paths --from 0.0.0.0/0`', async () => {
    const cli = await runCli(['paths', 'examples/webshop', '--from', '0.0.0.0/0']);
    const m = /reaches (\d+) of (\d+) workloads/.exec(cli.stdout);
    assert.ok(m, cli.stdout);
    await open('#/paths?from=0.0.0.0/0');
    await page.locator('.graph-status', { hasText: 'reachable' }).waitFor();
    assert.equal(await page.locator('.graph-status').innerText(), `${m[1]} of ${m[2]} workloads reachable`);
    await page.locator('.hops button', { hasText: /^1$/ }).click();
    await page.locator('.graph-status', { hasText: 'within 1 hop' }).waitFor();
    assert.equal(
      await page.locator('.graph-status').innerText(),
      `6 of ${m[2]} workloads reachable within 1 hop`,
    );
  });

  test('at 800×700 the header keeps its connection count whole, and the what-if keeps room for its graph', async () => {
    // A page of its own: the other tests' page keeps its size (and its pictures their layout).
    const narrow = await page.context().newPage();
    try {
      await narrow.setViewportSize({ width: 800, height: 700 });
      await openRoute(narrow, ui.served.url, '#/whatif?policy=data/allow-postgres');
      await narrow.locator('.cm-content').waitFor();
      const count = (await narrow.locator('header .summary-connections').boundingBox())!;
      const summary = (await narrow.locator('header .summary').boundingBox())!;
      assert.ok(count.x + count.width <= summary.x + summary.width + 0.5, JSON.stringify([count, summary]));
      const canvas = (await narrow.locator('.canvas').first().boundingBox())!;
      const editor = (await narrow.locator('.cm-content').boundingBox())!;
      assert.ok(canvas.width >= 200, `the graph is ${canvas.width} px wide`);
      assert.ok(editor.width >= 250, `the editor is ${editor.width} px wide`);
      const wide = await narrow.evaluate(
        () => (globalThis as unknown as Win).document.documentElement.scrollWidth,
      );
      assert.ok(wide <= 800, `page ${wide} px wide`);
    } finally {
      await narrow.close();
    }
  });

  test('a what-if edit that removes a rule removes the edge, and invalid YAML is marked inline', async () => {
    await open(`#/whatif?policy=data/allow-postgres`);
    await page.locator('.cm-content').waitFor();
    await page.locator('#whatif-summary', { hasText: 'No changes yet' }).waitFor();
    assert.deepEqual(
      edge(await graph(), `${CATALOG}>${POSTGRES}`).classes.filter((c) => c.startsWith('ch-')),
      [],
    );
    const original = await page.locator('.cm-content').innerText();
    assert.match(original, /values: \[catalog, checkout\]/);
    await page.locator('.cm-content').click();
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText(original.replace('values: [catalog, checkout]', 'values: [checkout]'));
    await page.locator('#whatif-summary', { hasText: '−1 removed' }).waitFor();
    // The what-if counts each side's connections as analyze does (webshop: 221), as netfence diff does.
    assert.match(
      await page.locator('#whatif-summary').innerText(),
      /^Connections \(221 → 220\): \+0 added · −1 removed · 0 changed/,
    );
    await page.locator('h3', { hasText: 'Connection changes (+0, −1, 0 changed in 1 row)' }).waitFor();
    const g = await graph();
    assert.ok(edge(g, `${CATALOG}>${POSTGRES}`).classes.includes('ch-removed'));
    assert.deepEqual(
      edge(g, `shop/Deployment/checkout>${POSTGRES}`).classes.filter((c) => c.startsWith('ch-')),
      [],
    );
    assert.match(await page.locator('.diff-rows').innerText(), /− shop\/catalog → data\/postgres: TCP 5432/);
    await page.locator('.policy-list .pill.edited').waitFor();
    await shot('whatif', true);
    // Export: the edited policy as YAML, ready to review and apply by hand.
    const download = page.waitForEvent('download');
    await page.locator('#w-export').click();
    const file = await (await download).path();
    const exported = readFileSync(file, 'utf8');
    assert.match(exported, /^# Policies edited in netfence serve \(what-if\)/);
    assert.match(exported, /values: \[checkout\]/);
    // A port out of range: the problem is listed with its line, and marked in the editor.
    await page.locator('.cm-content').click();
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText(original.replace('port: postgres', 'port: 70000'));
    await page.locator('.problems li', { hasText: 'line 26' }).waitFor();
    assert.match(await page.locator('.problems').innerText(), /spec\.ingress\[0\]\.ports\[0\]\.port/);
    await page.locator('.cm-lintRange-error').first().waitFor();
    await page.locator('#whatif-summary', { hasText: 'some changes have errors' }).waitFor();
  });

  test("a workload whose policies allow everyone in is not called restricted: shop/web's badge says open", async () => {
    await open(`#/graph?sel=${encodeURIComponent('node:shop/Deployment/web')}`);
    const badges = page.locator('.inspector .badges .badge');
    await badges.first().waitFor();
    assert.deepEqual(await badges.allInnerTexts(), [
      'ingress: open (an allow-all rule)',
      'egress: unrestricted',
    ]);
    await open(`#/graph?sel=${encodeURIComponent(`node:${POSTGRES}`)}`);
    await badges.first().waitFor();
    assert.deepEqual(await badges.allInnerTexts(), ['ingress: restricted', 'egress: unrestricted']);
  });

  test('the traffic overlay colours what the flows saw', async () => {
    await open('#/traffic');
    await page.waitForFunction(() =>
      (globalThis as unknown as Win).__netfence!.graph().edges.some((e) => e.classes.includes('st-denied')),
    );
    const g = await graph();
    assert.ok(
      edge(g, 'monitoring/StatefulSet/prometheus>payments/Deployment/payment-gateway').classes.includes(
        'st-denied',
      ),
    );
    assert.ok(
      edge(g, 'data/CronJob/report-exporter>kube-system/Deployment/coredns').classes.includes('st-denied'),
    );
    assert.ok(edge(g, `${CATALOG}>${POSTGRES}`).classes.includes('st-observed'));
    // The counts beside the statuses are pairs of endpoints, and say so: check-flows' 4 still denied observed
    // ports are 3 pairs here, and the list ends with check-flows' own sentence, counting observed ports.
    const statuses = page.locator('.sidebar fieldset', { has: page.locator('.status-list') });
    assert.equal(await statuses.locator('legend').innerText(), 'TRAFFIC (ENDPOINT PAIRS)');
    const denied = statuses.locator('.status-list li', { hasText: 'observed but denied' });
    await denied.waitFor();
    assert.equal((await denied.innerText()).replace(/\s+/g, ' ').trim(), 'observed but denied 3 pairs');
    // check-flows' own counts, in its words and unit (observed ports), read from its JSON on the same input.
    const cli = await runCli(['check-flows', 'examples/webshop', '--flows', HUBBLE, '-o', 'json']);
    const s = (JSON.parse(cli.stdout) as CheckFlowsJson).summary;
    assert.deepEqual([s.denied - s.breaking, s.unpoliced], [4, 0]);
    assert.equal(
      await statuses.locator('.observed-ports').innerText(),
      `${s.observed} observed ports: ${s.allowed} allowed, ${s.breaking} would be denied, ` +
        `${s.denied - s.breaking} still denied (dropped during the capture too)`,
    );
    assert.ok(
      edge(g, 'monitoring/StatefulSet/prometheus>data/StatefulSet/redis').classes.includes(
        'st-partly-observed',
      ),
    );
    await shot('traffic', true);
  });

  test("the traffic inspector lists each port once, its flows added up as check-flows' connections", async () => {
    const CONTROLLER = 'ingress-nginx/Deployment/ingress-nginx-controller';
    // check-flows lists the customers' connections to the controller one per address and port.
    const cli = await runCli(['check-flows', 'examples/webshop', '--flows', HUBBLE, '-o', 'json']);
    const flows = new Map<number, number>();
    const allowed = (JSON.parse(cli.stdout) as CheckFlowsJson).allowed;
    for (const a of allowed)
      if ('ip' in a.src && 'workload' in a.dst && a.dst.workload === CONTROLLER)
        flows.set(a.port, (flows.get(a.port) ?? 0) + a.count);
    assert.deepEqual([...flows.keys()].sort(), [443, 80]);
    await open(`#/traffic?sel=${encodeURIComponent(`edge:external:0>${CONTROLLER}`)}`);
    const rows = page.locator('.inspector .traffic-detail li');
    await rows.first().waitFor();
    assert.deepEqual(await rows.allInnerTexts(), [`TCP 80 ×${flows.get(80)}`, `TCP 443 ×${flows.get(443)}`]);
  });

  test('the matrix lists the connections of a cell', async () => {
    await open('#/matrix', false);
    await page.locator('table.matrix').waitFor();
    const rows = await page.locator('table.matrix tbody th').allInnerTexts();
    assert.deepEqual(
      rows.map((r) => r.replace(/\s+\d+$/, '')),
      ['data', 'ingress-nginx', 'kube-system', 'monitoring', 'payments', 'shop', 'outside the cluster'],
    );
    await page
      .locator('table.matrix tbody tr', { hasText: 'shop' })
      .locator('td')
      .nth(0)
      .locator('button')
      .click();
    await page.locator('.inspector h2', { hasText: 'shop → data' }).waitFor();
    assert.match(await page.locator('.inspector').innerText(), /shop\/catalog → data\/postgres\s+TCP 5432/);
    await shot('matrix', true);
    await open('#/matrix?level=workload', false);
    await page.locator('table.matrix.level-workload').waitFor();
    await shot('matrix-workloads');
  });

  test('findings, with severity, linked to their policy and workloads', async () => {
    await open('#/findings?severity=error', false);
    await page.locator('.finding').first().waitFor();
    assert.equal(await page.locator('.finding').count(), 9);
    const allowWeb = page.locator('.finding', { hasText: 'no-allow-all-rule' });
    assert.match(await allowWeb.innerText(), /policy shop\/allow-web/);
    await shot('findings', true);
    await allowWeb.getByRole('button', { name: 'policy shop/allow-web' }).click();
    await page.locator('.inspector pre.yaml').waitFor();
    assert.match(await page.locator('.inspector pre.yaml').innerText(), /# weakness: allow-all ingress rule/);
  });

  test('keyboard navigation, and a legible dark theme', async () => {
    await open('#/graph');
    await page.locator('#tab-graph').focus();
    await page.keyboard.press('ArrowRight');
    await page.waitForFunction(() => (globalThis as unknown as Win).location.hash.startsWith('#/traffic'));
    assert.equal(
      await page.evaluate(() => (globalThis as unknown as Win).document.activeElement?.id),
      'tab-traffic',
    );
    await page.keyboard.press('ArrowLeft');
    await page.waitForFunction(() => (globalThis as unknown as Win).location.hash.startsWith('#/graph'));
    await page.locator('.theme-toggle').click();
    assert.equal(
      await page.evaluate(() => (globalThis as unknown as Win).document.documentElement.dataset.theme),
      'dark',
    );
    const colours = await page.evaluate(() => {
      const w = globalThis as unknown as Win;
      const s = w.getComputedStyle(w.document.body);
      return { bg: s.backgroundColor, fg: s.color };
    });
    assert.deepEqual(colours, { bg: 'rgb(22, 26, 33)', fg: 'rgb(227, 232, 239)' });
    await settleGraph(page);
    await shot('graph-dark');
    // The choice survives a reload.
    await open('#/graph');
    assert.equal(
      await page.evaluate(() => (globalThis as unknown as Win).document.documentElement.dataset.theme),
      'dark',
    );
    await page.locator('.theme-toggle').click();
  });

  test('the static report opens from a file and shows the graph, matrix and findings', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netfence-report-ui-'));
    try {
      const out = join(dir, 'report.html');
      const r = await runCli(['report', 'examples/webshop', '--html', out]);
      assert.equal(r.code, 0, r.stderr);
      await page.goto(`${pathToFileURL(out).href}#/graph`);
      await page.waitForFunction(() => (globalThis as unknown as Win).__netfence?.graph().nodes.length);
      assert.equal((await graph()).nodes.filter((n) => n.id.split('/').length === 3).length, 16);
      assert.equal(await page.locator('#tab-whatif').getAttribute('aria-disabled'), 'true');
      await shot('report');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('no errors in the page', () => {
    assert.deepEqual(ui.problems, []);
  });
});
