/**
 * The graph's readability in a real browser (headless Chromium), on the webshop example and on a generated
 * 1,000-workload cluster: no two edge labels or namespace titles overlap at the default zoom and no title is
 * clipped, a selection dims what is not its neighbourhood, a workload keeps its place across views,
 * filters and collapse/expand (and collapsing never overlaps boxes), the layout works at 1024×768, in both
 * themes; a large cluster opens as an overview of namespaces, expanded one at a time in place. With
 * UPDATE_SCREENSHOTS=1 it writes the README's graph pictures into docs/images/.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { writeCluster } from '../../bench/generate.ts';
import { PALETTES } from '../../ui/lib/palette.ts';
import { serve, type Served } from '../server/serve.ts';
import {
  ARTIFACTS,
  browserMissing,
  launch,
  openRoute,
  recordProblems,
  saveShot,
  settleGraph,
  type Launched,
} from './browser.ts';

const POSTGRES = 'data/StatefulSet/postgres';

interface Rect {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

interface Snapshot {
  nodes: {
    id: string;
    label: string;
    parent: string | null;
    classes: string[];
    position: { x: number; y: number };
    box: Rect;
  }[];
  edges: { id: string; label: string; classes: string[]; labelBox: Rect | null }[];
  notDrawn: { id: string; source: string; target: string }[];
  titles: { id: string; text: string; box: Rect; clipped: boolean }[];
  zoom: number;
}

interface Win {
  location: { hash: string };
  innerWidth: number;
  document: { documentElement: { scrollWidth: number } };
  getComputedStyle(el: unknown): { getPropertyValue(name: string): string };
  __netfence?: { graph: () => Snapshot; drawn: () => string[] };
  /** Changes to the attributes of cytoscape's container (counted by the selection test). */
  __containerChanges?: number;
}

const skip = browserMissing();
const problems: string[] = [];

function overlaps(a: Rect, b: Rect): boolean {
  return a.x1 < b.x2 - 0.5 && b.x1 < a.x2 - 0.5 && a.y1 < b.y2 - 0.5 && b.y1 < a.y2 - 0.5;
}

/** Pairs of drawn edge labels and namespace titles that overlap each other. */
function collisions(g: Snapshot): string[] {
  const seen = new Set<string>();
  const boxes: { name: string; box: Rect }[] = [];
  for (const e of g.edges) {
    if (e.labelBox === null) continue;
    const key = JSON.stringify(e.labelBox);
    if (seen.has(key)) continue; // the two edges of one merged line share its label
    seen.add(key);
    boxes.push({ name: `label ${e.label}`, box: e.labelBox });
  }
  for (const t of g.titles) boxes.push({ name: `title ${t.text}`, box: t.box });
  const out: string[] = [];
  for (const [i, a] of boxes.entries())
    for (const b of boxes.slice(i + 1)) if (overlaps(a.box, b.box)) out.push(`${a.name} × ${b.name}`);
  return out;
}

/** Top-level boxes (namespaces, collapsed or not, and the outside world) that overlap. */
function boxOverlaps(g: Snapshot): string[] {
  const tops = g.nodes.filter((n) => n.parent === null);
  const out: string[] = [];
  for (const [i, a] of tops.entries())
    for (const b of tops.slice(i + 1)) if (overlaps(a.box, b.box)) out.push(`${a.id} × ${b.id}`);
  return out;
}

function positions(g: Snapshot, ids: readonly string[]): Record<string, { x: number; y: number }> {
  const out: Record<string, { x: number; y: number }> = {};
  for (const id of ids) {
    const n = g.nodes.find((x) => x.id === id);
    assert.ok(n, `no node ${id} among ${g.nodes.map((x) => x.id).join(' ')}`);
    out[id] = { x: Math.round(n.position.x), y: Math.round(n.position.y) };
  }
  return out;
}

async function session(
  width: number,
  height: number,
  dark = false,
): Promise<{ browser: Launched; page: Page }> {
  const browser = await launch({ width, height, dark });
  const page = await browser.context.newPage();
  recordProblems(page, problems);
  return { browser, page };
}

function graph(page: Page): Promise<Snapshot> {
  return page.evaluate(() => (globalThis as unknown as Win).__netfence!.graph());
}

/** The drawn graph once it has settled (see settleGraph). */
async function settled(page: Page): Promise<Snapshot> {
  await settleGraph(page);
  return graph(page);
}

/** The colour the page shows at a point of the canvas (a screenshot's pixel, so every layer counts). */
async function pixel(page: Page, x: number, y: number): Promise<number[]> {
  const box = (await page.locator('.canvas').boundingBox())!;
  const png = await page.screenshot({ clip: { x: box.x + x, y: box.y + y, width: 1, height: 1 } });
  return page.evaluate(async (b64) => {
    const d = globalThis as unknown as {
      Image: new () => { src: string; decode(): Promise<void> };
      document: { createElement(t: 'canvas'): unknown };
    };
    const img = new d.Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const c = d.document.createElement('canvas') as {
      width: number;
      height: number;
      getContext(t: '2d'): {
        drawImage(i: unknown, x: number, y: number): void;
        getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> };
      };
    };
    c.width = 1;
    c.height = 1;
    const ctx = c.getContext('2d');
    ctx.drawImage(img, 0, 0);
    return [...Array.from(ctx.getImageData(0, 0, 1, 1).data).slice(0, 3)];
  }, png.toString('base64'));
}

function colourDistance(a: readonly number[], b: readonly number[]): number {
  return Math.hypot(...a.map((x, i) => x - (b[i] ?? 0)));
}

/** A point inside a node's box, clear of its label: what its fill looks like on screen. */
function fillPoint(g: Snapshot, id: string): [number, number] {
  const n = g.nodes.find((x) => x.id === id)!;
  return [n.box.x1 + 5, (n.box.y1 + n.box.y2) / 2];
}

/** Clicks (or double-clicks) the middle of a drawn node. */
async function clickNode(page: Page, g: Snapshot, id: string, double = false): Promise<void> {
  const n = g.nodes.find((x) => x.id === id);
  assert.ok(n, `no node ${id}`);
  const box = (await page.locator('.canvas').boundingBox())!;
  const x = box.x + (n.box.x1 + n.box.x2) / 2;
  const y = box.y + (n.box.y1 + n.box.y2) / 2;
  await (double ? page.mouse.dblclick(x, y) : page.mouse.click(x, y));
}

/** A screenshot, also the README's picture with UPDATE_SCREENSHOTS=1 (the mouse in the top left corner). */
const shot = (page: Page, name: string): Promise<void> =>
  saveShot(page, name, { readme: true, mouse: { x: 1, y: 1 } });

describe('the graph reads at every size', { skip }, () => {
  let served: Served;
  let large: Served;
  let largeCilium: Served;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'netfence-graph-ui-'));
    // Served by a relative name, so that the header (and the README's screenshot) shows no temporary path.
    writeCluster(join(dir, 'cluster-1000'), { tier: 'T1', mix: 'microseg', seed: 1 });
    // One after the other: each may build the UI first.
    served = await serve([
      'examples/webshop',
      '--flows',
      'examples/flows/webshop-hubble.jsonl',
      '--port',
      '0',
    ]);
    large = await serve(['cluster-1000', '--port', '0'], { cwd: dir, cpuMs: 120_000 });
    writeCluster(join(dir, 'cilium-1000'), { tier: 'T1', mix: 'cilium', seed: 1 });
    largeCilium = await serve(['cilium-1000', '--port', '0'], { cwd: dir, cpuMs: 120_000 });
  });

  after(async () => {
    await served?.stop();
    await large?.stop();
    await largeCilium?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const dark of [false, true]) {
    test(`${dark ? 'dark' : 'light'} theme: no labels or titles overlap, no title clipped, legend colours from the palette`, async () => {
      const { browser, page } = await session(1440, 900, dark);
      try {
        await openRoute(page, served.url, '#/graph');
        const g = await settled(page);
        assert.equal(g.titles.length, 6);
        assert.deepEqual(
          g.titles.filter((t) => t.clipped).map((t) => t.text),
          [],
        );
        assert.deepEqual(collisions(g), []);
        assert.deepEqual(boxOverlaps(g), []);
        // Hovering nothing, selecting nothing: no edge label at this zoom (they would not fit).
        assert.match(
          await page.locator('.graph-status').innerText(),
          /^16 workloads in 6 namespaces, \d+ lines drawn \(\d+ connections\), \d+ unrestricted hidden$/,
        );
        const open = await page.evaluate(() => {
          const w = globalThis as unknown as Win;
          return w.getComputedStyle(w.document.documentElement).getPropertyValue('--node-open').trim();
        });
        assert.equal(open, (dark ? PALETTES.dark : PALETTES.light).nodeOpen);
        // Selected: its lines are labelled, and still nothing overlaps.
        await openRoute(page, served.url, `#/graph?sel=node:${POSTGRES}`);
        const s = await settled(page);
        assert.ok(s.edges.some((e) => e.labelBox !== null));
        assert.deepEqual(collisions(s), []);
        if (!dark) await shot(page, 'graph-select');
      } finally {
        await browser.close();
      }
    });
  }

  test('selecting a workload dims everything but its neighbourhood', async () => {
    const { browser, page } = await session(1440, 900);
    try {
      // What a neighbour and a workload out of the neighbourhood look like before the selection.
      await openRoute(page, served.url, '#/graph');
      const plain = await settled(page);
      const before = {
        web: await pixel(page, ...fillPoint(plain, 'shop/Deployment/web')),
        catalog: await pixel(page, ...fillPoint(plain, 'shop/Deployment/catalog')),
        api: await pixel(page, ...fillPoint(plain, 'shop/Deployment/api')),
        postgres: await pixel(page, ...fillPoint(plain, POSTGRES)),
      };
      await openRoute(page, served.url, `#/graph?sel=node:${POSTGRES}`);
      const g = await settled(page);
      // On screen (the dimming is drawn as a layer, not a style of each element): the neighbour looks the
      // same, the workload out of the neighbourhood faded towards the background.
      assert.ok(
        colourDistance(await pixel(page, ...fillPoint(g, 'shop/Deployment/catalog')), before.catalog) < 12,
        'a neighbour is drawn at full strength',
      );
      const faded = await pixel(page, ...fillPoint(g, 'shop/Deployment/web'));
      assert.ok(
        colourDistance(faded, before.web) > 40,
        `not a neighbour: drawn faint (${faded.join(',')} was ${before.web.join(',')})`,
      );
      const dimmed = (id: string): boolean => g.nodes.find((n) => n.id === id)!.classes.includes('dimmed');
      assert.equal(dimmed(POSTGRES), false);
      assert.equal(dimmed('shop/Deployment/catalog'), false, 'a neighbour stays');
      assert.equal(dimmed('monitoring/StatefulSet/prometheus'), false, 'a neighbour stays');
      assert.equal(dimmed('shop/Deployment/web'), true, 'not a neighbour');
      assert.equal(dimmed('ns:kube-system'), true, 'a namespace with no neighbour');
      assert.equal(dimmed('ns:shop'), false);
      const catalog = g.edges.find((e) => e.id === `shop/Deployment/catalog>${POSTGRES}`);
      assert.ok(catalog?.labelBox, 'the lines of the selection are labelled');
      assert.ok(
        g.edges.find((e) => e.id === 'shop/Deployment/web>shop/Deployment/api')?.classes.includes('dimmed'),
      );
      // A click on another workload moves the dimming (nothing stale stays), drawn on screen at once (before
      // the URL and the inspector follow), without touching cytoscape's container: it redraws every element
      // when the container's attributes change (the dimming used to be a class there).
      await page.evaluate(() => {
        const w = globalThis as unknown as Win & {
          document: { querySelector(s: string): unknown };
          MutationObserver: new (f: (m: unknown[]) => void) => { observe(t: unknown, o: object): void };
        };
        w.__containerChanges = 0;
        new w.MutationObserver((m) => (w.__containerChanges! += m.length)).observe(
          w.document.querySelector('.canvas'),
          { attributes: true },
        );
      });
      await clickNode(page, g, 'shop/Deployment/web');
      await page.waitForFunction(() =>
        (globalThis as unknown as Win).__netfence!.drawn().includes('shop/Deployment/web'),
      );
      const clicked = {
        api: await pixel(page, ...fillPoint(g, 'shop/Deployment/api')),
        postgres: await pixel(page, ...fillPoint(g, POSTGRES)),
      };
      assert.ok(colourDistance(clicked.api, before.api) < 12, 'the new neighbour is drawn at full strength');
      assert.ok(
        colourDistance(clicked.postgres, before.postgres) > 40,
        `the last selection is drawn faint (${clicked.postgres.join(',')} was ${before.postgres.join(',')})`,
      );
      await page.waitForFunction(() =>
        decodeURIComponent((globalThis as unknown as Win).location.hash).includes(
          'sel=node:shop/Deployment/web',
        ),
      );
      const moved = await settled(page);
      const classes = (id: string): string[] => moved.nodes.find((n) => n.id === id)!.classes;
      assert.ok(classes('shop/Deployment/web').includes('selected'));
      assert.ok(!classes('shop/Deployment/web').includes('dimmed'));
      assert.ok(!classes('shop/Deployment/api').includes('dimmed'), 'its neighbour stays');
      assert.ok(classes(POSTGRES).includes('dimmed'), 'the last selection is dimmed now');
      assert.ok(!classes(POSTGRES).includes('selected'));
      const old = moved.edges.find((e) => e.id === `shop/Deployment/catalog>${POSTGRES}`)!;
      assert.ok(
        old.classes.includes('dimmed') && !old.classes.includes('selected-near'),
        old.classes.join(' '),
      );
      assert.ok(
        !moved.edges
          .find((e) => e.id === 'shop/Deployment/web>shop/Deployment/api')
          ?.classes.includes('dimmed'),
      );
      // Escape clears the selection and the dimming.
      await page.keyboard.press('Escape');
      await page.waitForFunction(() => !(globalThis as unknown as Win).location.hash.includes('sel='));
      const after = await settled(page);
      assert.equal(after.nodes.filter((n) => n.classes.includes('dimmed')).length, 0);
      assert.ok(
        colourDistance(await pixel(page, ...fillPoint(after, POSTGRES)), before.postgres) < 12,
        'nothing is drawn faint any more',
      );
      assert.equal(
        await page.evaluate(() => (globalThis as unknown as Win).__containerChanges),
        0,
        "cytoscape's container kept its attributes",
      );
      // The canvas below, whose drawing waited for the frame that showed the selection, draws again:
      // hovering a workload labels its lines there.
      const canvasBox = (await page.locator('.canvas').boundingBox())!;
      const catalogBox = after.nodes.find((n) => n.id === 'shop/Deployment/catalog')!.box;
      await page.mouse.move(
        canvasBox.x + (catalogBox.x1 + catalogBox.x2) / 2,
        canvasBox.y + (catalogBox.y1 + catalogBox.y2) / 2,
      );
      await page.waitForFunction(
        (id) => (globalThis as unknown as Win).__netfence!.graph().edges.find((e) => e.id === id)?.labelBox,
        `shop/Deployment/catalog>${POSTGRES}`,
      );
    } finally {
      await browser.close();
    }
  });

  test('a model without the workload-level connections (a very large cluster) loads them per namespace', async () => {
    // Normally: every connection comes with the model.
    const normal = await session(1440, 900);
    let all: string[];
    try {
      await openRoute(normal.page, served.url, '#/graph');
      all = (await settled(normal.page)).edges.map((e) => e.id).sort();
    } finally {
      await normal.browser.close();
    }
    // The model as the server sends it above its limit: `connections: null`; the page asks
    // /api/connections?namespace= for the namespaces it draws, and draws the same lines.
    const { browser, page } = await session(1440, 900);
    const asked: string[] = [];
    try {
      await page.route('**/api/model', async (route) => {
        const response = await route.fetch();
        const model = (await response.json()) as { connections: unknown };
        assert.ok(Array.isArray(model.connections));
        await route.fulfill({ response, json: { ...model, connections: null } });
      });
      page.on('request', (r) => {
        const url = new URL(r.url());
        if (url.pathname === '/api/connections') asked.push(url.searchParams.get('namespace') ?? '');
      });
      await openRoute(page, served.url, '#/graph');
      await page.waitForFunction(
        (n) => (globalThis as unknown as Win).__netfence?.graph().edges.length === n,
        all.length,
      );
      const g = await settled(page);
      assert.deepEqual(g.edges.map((e) => e.id).sort(), all);
      assert.ok(all.length > 0 && asked.includes('data') && asked.includes('shop'), asked.join(' '));
    } finally {
      await browser.close();
    }
  });

  test('a workload keeps its place across views, filters, collapse and expand', async () => {
    const { browser, page } = await session(1440, 900);
    const ids = [
      POSTGRES,
      'shop/Deployment/catalog',
      'monitoring/StatefulSet/prometheus',
      'ingress-nginx/Deployment/ingress-nginx-controller',
    ];
    try {
      await openRoute(page, served.url, '#/graph');
      const first = positions(await settled(page), ids);
      await page.locator('#tab-traffic').click();
      await page.waitForFunction(() =>
        (globalThis as unknown as Win)
          .__netfence!.graph()
          .edges.some((e) => e.classes.includes('st-observed')),
      );
      assert.deepEqual(positions(await settled(page), ids), first, 'Traffic');
      await page.locator('#tab-paths').click();
      await page.locator('#tab-paths[aria-selected="true"]').waitFor();
      await page.locator('#tab-graph').click();
      assert.deepEqual(positions(await settled(page), ids), first, 'back to Graph');
      // A filter hides workloads; the others stay.
      await page.locator('#labels').fill('app.kubernetes.io/part-of=webshop');
      await page.waitForFunction(() => (globalThis as unknown as Win).location.hash.includes('labels='));
      assert.deepEqual(positions(await settled(page), [POSTGRES, 'shop/Deployment/catalog']), {
        [POSTGRES]: first[POSTGRES],
        'shop/Deployment/catalog': first['shop/Deployment/catalog'],
      });
      await page.locator('#labels').fill('');
      await page.waitForFunction(() => !(globalThis as unknown as Win).location.hash.includes('labels='));
      // Collapsing a namespace: its box becomes a node inside where it was, overlapping nothing.
      await page.getByRole('button', { name: 'Collapse namespace data' }).click();
      await page.waitForFunction(() => (globalThis as unknown as Win).location.hash.includes('collapsed='));
      const collapsed = await settled(page);
      assert.ok(collapsed.nodes.some((n) => n.id === 'ns:data' && n.parent === null));
      assert.deepEqual(boxOverlaps(collapsed), []);
      assert.deepEqual(positions(collapsed, ['shop/Deployment/catalog']), {
        'shop/Deployment/catalog': first['shop/Deployment/catalog'],
      });
      await page.getByRole('button', { name: 'Expand namespace data' }).click();
      await page.waitForFunction(() => !(globalThis as unknown as Win).location.hash.includes('collapsed='));
      assert.deepEqual(positions(await settled(page), ids), first, 'expanded again');
      await page.getByRole('button', { name: 'Collapse all' }).click();
      assert.deepEqual(boxOverlaps(await settled(page)), []);
      // Expanding everything, the outside world too: its addresses take room, and nothing overlaps.
      await page.getByRole('button', { name: 'Expand all' }).click();
      await page.waitForFunction(() =>
        (globalThis as unknown as Win).location.hash.includes('collapsed=none'),
      );
      assert.deepEqual(boxOverlaps(await settled(page)), []);
    } finally {
      await browser.close();
    }
  });

  test('at 1024×768 the canvas takes the room, and the inspector opens with a selection', async () => {
    const { browser, page } = await session(1024, 768);
    try {
      await openRoute(page, served.url, '#/graph');
      const g = await settled(page);
      assert.equal(await page.locator('.inspector').isVisible(), false);
      const canvas = await page.locator('.canvas').boundingBox();
      assert.ok(canvas !== null && canvas.width >= 760, `canvas ${canvas?.width} px wide`);
      const overflow = await page.evaluate(
        () => (globalThis as unknown as Win).document.documentElement.scrollWidth,
      );
      assert.ok(overflow <= 1024, `page ${overflow} px wide`);
      assert.deepEqual(collisions(g), []);
      assert.deepEqual(
        g.titles.filter((t) => t.clipped).map((t) => t.text),
        [],
      );
      // Drawn big enough to read: a workload node at least 10 px high.
      const pg = g.nodes.find((n) => n.id === POSTGRES)!;
      assert.ok(pg.box.y2 - pg.box.y1 >= 14, `postgres is ${pg.box.y2 - pg.box.y1} px high`);
      await shot(page, 'graph-1024');
      // The header: the connection count whole and in view, every tab on one line.
      const summary = (await page.locator('header .summary').boundingBox())!;
      const connections = (await page.locator('header .summary-connections').boundingBox())!;
      assert.ok(
        connections.width > 0 && connections.x + connections.width <= summary.x + summary.width + 0.5,
        `connections ${JSON.stringify(connections)} in ${JSON.stringify(summary)}`,
      );
      assert.ok(connections.y + connections.height <= summary.y + summary.height + 0.5);
      assert.match(await page.locator('header .summary-connections').innerText(), /^\d+ allowed connections/);
      const tabs: { text: string; height: number }[] = [];
      for (const tab of await page.locator('.tabs .tab').all())
        tabs.push({ text: await tab.innerText(), height: (await tab.boundingBox())!.height });
      const one = Math.min(...tabs.map((t) => t.height));
      assert.deepEqual(
        tabs.filter((t) => t.height > one + 1).map((t) => t.text),
        [],
      );
      await page.locator('#search').fill('postgres');
      await page.locator('#search').press('Enter');
      await page.locator('.inspector h2', { hasText: 'data/postgres' }).waitFor();
      assert.equal(await page.locator('.inspector').isVisible(), true);
      await page.getByRole('button', { name: 'Details' }).click();
      assert.equal(await page.locator('.inspector').isVisible(), false);
      // `f` focuses on the selection: the workload and its neighbours only.
      await page.keyboard.press('f');
      await page.waitForFunction(() => (globalThis as unknown as Win).location.hash.includes('focus='));
      const focus = await settled(page);
      assert.equal(focus.nodes.filter((n) => n.id.split('/').length === 3).length, 6);
    } finally {
      await browser.close();
    }
  });

  test('at 1024×768 the inspector opening beside a picked line keeps both its ends in view', async () => {
    const { browser, page } = await session(1024, 768);
    const line = 'monitoring/StatefulSet/prometheus>shop/Deployment/catalog';
    try {
      await openRoute(page, served.url, '#/graph');
      const g = await settled(page);
      const e = g.edges.find((x) => x.id === line) as { midpoint?: { x: number; y: number } } | undefined;
      assert.ok(e?.midpoint, `no line ${line}`);
      const box = (await page.locator('.canvas').boundingBox())!;
      await page.mouse.click(box.x + e.midpoint.x, box.y + e.midpoint.y);
      await page.waitForFunction(() =>
        decodeURIComponent((globalThis as unknown as Win).location.hash).includes('sel=edge:'),
      );
      assert.equal(await page.locator('.inspector').isVisible(), true);
      const after = await settled(page);
      const canvas = (await page.locator('.canvas').boundingBox())!;
      for (const id of line.split('>')) {
        const n = after.nodes.find((x) => x.id === id)!;
        assert.ok(
          n.box.x1 >= 0 && n.box.x2 <= canvas.width && n.box.y1 >= 0 && n.box.y2 <= canvas.height,
          `${id} at ${JSON.stringify(n.box)} in a canvas ${canvas.width}×${canvas.height}`,
        );
      }
    } finally {
      await browser.close();
    }
  });

  test('a 1,000-workload cluster opens as an overview of namespaces, expanded one at a time in place', async () => {
    const { browser, page } = await session(1440, 900);
    try {
      await openRoute(page, large.url, '#/graph');
      const g = await settled(page);
      assert.equal(g.nodes.filter((n) => n.id.startsWith('ns:')).length, 100);
      assert.equal(g.nodes.filter((n) => n.id.split('/').length === 3).length, 0);
      const status = await page.locator('.graph-status').innerText();
      // A line between namespaces is not a connection: both counted, each with its unit.
      assert.match(
        status,
        /^100 namespaces \(1,000 workloads\), [\d,]+ (?:namespace )?links drawn \([\d,]+ connections between namespaces[,)]/,
      );
      assert.doesNotMatch(status, /0 workloads,/);
      // One number, one meaning: drawn, within a namespace, weaker not drawn and hidden add up to the header's.
      const num = (text: string, re: RegExp): number => Number(re.exec(text)?.[1]?.replace(/,/g, '') ?? 0);
      const header = await page.locator('header .summary-connections').innerText();
      assert.equal(
        num(status, /\(([\d,]+) connections between/) +
          num(status, /([\d,]+) to or from outside the cluster/) +
          num(status, /([\d,]+) to or from Nodes' addresses/) +
          num(status, /([\d,]+) within a collapsed namespace/) +
          num(status, /weaker not drawn \(([\d,]+) connections/) +
          num(status, /([\d,]+) unrestricted hidden/),
        num(header, /^([\d,]+) allowed connections/),
        `${status} | ${header}`,
      );
      await shot(page, 'graph-overview');
      // Readable at the default zoom: the namespaces' 12-unit labels at 11 px or more on screen.
      assert.ok(g.zoom * 12 >= 11, `labels at ${(g.zoom * 12).toFixed(1)} px`);
      // In name order, row by row, filling the canvas's width.
      const tops = g.nodes.filter((n) => n.id.startsWith('ns:'));
      const order = [...tops]
        .sort((a, b) => a.position.y - b.position.y || a.position.x - b.position.x)
        .map((n) => n.id);
      assert.deepEqual(order, [...order].sort());
      const canvas = (await page.locator('.canvas').boundingBox())!;
      const left = Math.min(...tops.map((n) => n.box.x1));
      const right = Math.max(...tops.map((n) => n.box.x2));
      assert.ok(right - left >= canvas.width * 0.8, `${right - left} of ${canvas.width} px wide`);
      assert.ok(left >= 0 && right <= canvas.width, `from ${left} to ${right} of ${canvas.width} px`);
      // The same arrangement on every load, in a fresh browser.
      const again = await session(1440, 900);
      try {
        await openRoute(again.page, large.url, '#/graph');
        const h = await settled(again.page);
        const ids = tops.map((n) => n.id);
        assert.deepEqual(positions(h, ids), positions(g, ids));
      } finally {
        await again.browser.close();
      }
      // The weaker lines are not in the page until a selection of one of their ends asks for them.
      // (One whose source is in view: the overview starts at a readable zoom, its lower rows below the fold.)
      const inView = (id: string): boolean => {
        const b = g.nodes.find((n) => n.id === id)?.box;
        return b !== undefined && b.y1 > 40 && b.y2 < canvas.height && b.x1 > 0 && b.x2 < canvas.width;
      };
      const weak = g.notDrawn.find((l) => inView(l.source) || inView(l.target));
      assert.ok(
        weak !== undefined && g.notDrawn.length === Number(/([\d,]+) weaker not drawn/.exec(status)?.[1]),
      );
      const end = inView(weak.source) ? weak.source : weak.target;
      await clickNode(page, g, end);
      await page.waitForFunction(
        (id) => (globalThis as unknown as Win).__netfence!.graph().edges.some((e) => e.id === id),
        weak.id,
      );
      const picked = await settled(page);
      const line = picked.edges.find((e) => e.id === weak.id)!;
      assert.ok(
        line.classes.includes('selected-near') && !line.classes.includes('dimmed'),
        line.classes.join(' '),
      );
      assert.ok(!picked.notDrawn.some((l) => l.source === end || l.target === end));
      await page.keyboard.press('Escape');
      await page.waitForFunction(
        (id) => (globalThis as unknown as Win).__netfence!.graph().notDrawn.some((l) => l.id === id),
        weak.id,
      );
      assert.equal((await graph(page)).notDrawn.length, g.notDrawn.length);
      const before = positions(g, ['ns:tenant-0050', 'ns:kube-system']);
      await page.getByRole('button', { name: 'Expand namespace tenant-0001' }).click();
      await page.waitForFunction(() =>
        (globalThis as unknown as Win).__netfence!.graph().nodes.some((n) => n.parent === 'ns:tenant-0001'),
      );
      const one = await settled(page);
      assert.deepEqual(boxOverlaps(one), []);
      await page.getByRole('button', { name: 'Expand namespace tenant-0002' }).click();
      await page.waitForFunction(() =>
        (globalThis as unknown as Win).__netfence!.graph().nodes.some((n) => n.parent === 'ns:tenant-0002'),
      );
      const two = await settled(page);
      assert.equal(two.nodes.filter((n) => n.parent === 'ns:tenant-0001').length, 0, 'one at a time');
      assert.deepEqual(boxOverlaps(two), []);
      // Collapsed again: everything the expanded namespace pushed aside is back home.
      await page.getByRole('button', { name: 'Collapse namespace tenant-0002' }).click();
      await page.waitForFunction(() =>
        (globalThis as unknown as Win).__netfence!.graph().nodes.every((n) => n.parent === null),
      );
      assert.deepEqual(positions(await settled(page), Object.keys(before)), before);
    } finally {
      await browser.close();
    }
  });

  test('Attack paths opened first place the workloads as the Graph does; the path names its first hop', async () => {
    const ids = [POSTGRES, 'shop/Deployment/web', 'shop/Deployment/api', 'monitoring/StatefulSet/prometheus'];
    const first = await session(1440, 900);
    let inPaths: Record<string, { x: number; y: number }>;
    try {
      await openRoute(first.page, served.url, `#/paths?from=shop/Deployment/web&to=${POSTGRES}`);
      await first.page.waitForFunction(() =>
        (globalThis as unknown as Win).__netfence!.graph().nodes.some((n) => n.classes.includes('hop-0')),
      );
      inPaths = positions(await settled(first.page), ids);
      assert.match(
        await first.page.locator('.hop-group', { hasText: 'Targets' }).innerText(),
        /data\/postgres: shop\/web → [^\n]+ → data\/postgres/,
      );
    } finally {
      await first.browser.close();
    }
    const second = await session(1440, 900);
    try {
      await openRoute(second.page, served.url, '#/graph');
      assert.deepEqual(positions(await settled(second.page), ids), inPaths);
    } finally {
      await second.browser.close();
    }
  });

  test('search-first focus on the overview: the namespace expands with room around it, readable, labels apart', async () => {
    const { browser, page } = await session(1440, 900);
    try {
      await openRoute(page, large.url, '#/graph');
      await settled(page);
      await page.keyboard.press('/');
      await page.keyboard.type('tenant-0001/auth');
      await page.keyboard.press('Enter');
      await page.waitForFunction(() =>
        (globalThis as unknown as Win).__netfence!.graph().nodes.some((n) => n.parent === 'ns:tenant-0001'),
      );
      await page.waitForFunction(() =>
        decodeURIComponent((globalThis as unknown as Win).location.hash).includes('sel=node:tenant-0001/'),
      );
      const g = await settled(page);
      await page.screenshot({ path: join(ARTIFACTS, 'graph-overview-find.png') });
      assert.deepEqual(boxOverlaps(g), []);
      assert.deepEqual(collisions(g), []);
      // Zoomed to it: the workloads' labels read at 11 px or more, the namespace whole in view.
      assert.ok(g.zoom * 12 >= 11, `labels at ${(g.zoom * 12).toFixed(1)} px`);
      const canvas = (await page.locator('.canvas').boundingBox())!;
      const ns = g.nodes.find((n) => n.id === 'ns:tenant-0001')!;
      assert.ok(
        ns.box.x1 >= 0 && ns.box.y1 >= 0 && ns.box.x2 <= canvas.width && ns.box.y2 <= canvas.height,
        JSON.stringify(ns.box),
      );
      // The selection's lines are labelled.
      assert.ok(g.edges.some((e) => e.labelBox !== null));
    } finally {
      await browser.close();
    }
  });

  test('the overview groups by a chosen label instead, kept in the URL, one group expanded at a time', async () => {
    const { browser, page } = await session(1440, 900);
    const groups = (): Promise<string[]> =>
      page.evaluate(() =>
        (globalThis as unknown as Win)
          .__netfence!.graph()
          .nodes.filter((n) => n.parent === null && (n.id.startsWith('label:') || n.id === 'nolabel'))
          .map((n) => n.id),
      );
    try {
      await openRoute(page, large.url, '#/graph');
      await settled(page);
      await page.locator('#group-by').selectOption('label');
      await page.locator('#group-key').fill('tier');
      await page.locator('#group-key').press('Enter');
      await page.waitForFunction(() =>
        decodeURIComponent((globalThis as unknown as Win).location.hash).includes('group=label:tier'),
      );
      await page.waitForFunction(() =>
        (globalThis as unknown as Win).__netfence!.graph().nodes.every((n) => !n.id.startsWith('ns:')),
      );
      const drawn = await groups();
      assert.ok(drawn.length >= 3 && drawn.includes('label:data'), drawn.join(' '));
      // The system workloads have no tier: they form one group.
      assert.ok(drawn.includes('nolabel'), drawn.join(' '));
      const status = new RegExp(
        `^${drawn.length} groups by tier \\(1,000 workloads\\), [\\d,]+ (?:group )?links drawn \\([\\d,]+ connections between groups[,)]`,
      );
      assert.match(await page.locator('.graph-status').innerText(), status);
      // A reload keeps the grouping.
      await page.reload();
      await settled(page);
      assert.deepEqual((await groups()).sort(), [...drawn].sort());
      assert.match(await page.locator('.graph-status').innerText(), status);
      assert.equal(await page.locator('#group-key').inputValue(), 'tier');
      const expand = async (group: string): Promise<void> => {
        await clickNode(page, await graph(page), group, true);
        await page.waitForFunction(
          (id) => (globalThis as unknown as Win).__netfence!.graph().nodes.some((n) => n.parent === id),
          group,
        );
      };
      const other = drawn.find((id) => id !== 'label:data')!;
      await expand('label:data');
      const one = await settled(page);
      const members = one.nodes.filter((n) => n.parent === 'label:data');
      assert.ok(members.length > 0);
      assert.ok(
        members.every((n) => n.label.includes('/')),
        'members are named with their namespace',
      );
      assert.deepEqual(boxOverlaps(one), []);
      await expand(other);
      const two = await settled(page);
      assert.equal(two.nodes.filter((n) => n.parent === 'label:data').length, 0, 'one at a time');
      assert.match(await page.locator('.graph-status').innerText(), /in 1 group by tier, /);
    } finally {
      await browser.close();
    }
  });

  /** The workload–name pairs a status line counts: of the lines drawn, and of the weaker ones not drawn. */
  const pairsIn = (status: string): number =>
    [...status.matchAll(/([\d,]+) workload–name pairs?|plus ([\d,]+) by DNS name/g)].reduce(
      (n, m) => n + Number((m[1] ?? m[2])!.replace(/,/g, '')),
      0,
    );

  test('on the overview the DNS names are one node, counted as the header counts them, and expand alone', async () => {
    const { browser, page } = await session(1440, 900);
    try {
      await openRoute(page, largeCilium.url, '#/graph');
      const g = await settled(page);
      // One node for every name, not a box per name above the namespaces.
      assert.equal(g.nodes.filter((n) => n.id.startsWith('dns:')).length, 0);
      const names = g.nodes.find((n) => n.id === 'dns-names');
      assert.ok(names !== undefined && names.parent === null, g.nodes.map((n) => n.id).join(' '));
      assert.match(names.label, /by DNS name/);
      // One number, one meaning: the workload–name pairs the graph's lines stand for, drawn and weaker not
      // drawn, are the header's.
      const header = await page.locator('header .summary-connections').innerText();
      const pairs = /plus ([\d,]+) by DNS name/.exec(header)?.[1];
      assert.ok(pairs !== undefined, header);
      const status = await page.locator('.graph-status').innerText();
      assert.match(status, /plus [\d,]+ links to DNS names \([\d,]+ workload–name pairs\)/);
      assert.equal(pairsIn(status), Number(pairs.replace(/,/g, '')), status);
      // The namespaces come first, in reading order; the names' node after them.
      const tops = g.nodes.filter((n) => n.parent === null && n.id.startsWith('ns:'));
      assert.ok(Math.min(...tops.map((n) => n.position.y)) <= names.position.y);
      assert.deepEqual(boxOverlaps(g), []);
      // Expanded (from the inspector: on the overview the node is below the fold), the names are listed in
      // their box; the namespaces stay collapsed.
      await openRoute(page, largeCilium.url, '#/graph?sel=node:dns-names');
      await page.locator('.inspector h2', { hasText: 'by DNS name' }).waitFor();
      assert.match(
        await page.locator('.inspector').innerText(),
        new RegExp(`from ${pairs} workload–name pairs`),
      );
      await page.locator('.inspector').getByRole('button', { name: 'Expand' }).click();
      await page.waitForFunction(() =>
        (globalThis as unknown as Win).__netfence!.graph().nodes.some((n) => n.parent === 'dns-names'),
      );
      const open = await settled(page);
      const listed = open.nodes.filter((n) => n.parent === 'dns-names');
      assert.ok(
        listed.length > 1 &&
          listed.every((n) => n.id.startsWith('dns:') && n.label.endsWith('(by DNS name)')),
      );
      assert.equal(open.nodes.filter((n) => n.id.startsWith('ns:') && n.parent === null).length, 100);
      assert.equal(open.nodes.filter((n) => n.id.split('/').length === 3).length, 0);
      const expanded = await page.locator('.graph-status').innerText();
      assert.equal(pairsIn(expanded), Number(pairs.replace(/,/g, '')), expanded);
      assert.match(page.url(), /collapsed=/);
      // Filtered to two namespaces, the node's inspector counts the pairs the graph draws, as the status does.
      await openRoute(page, largeCilium.url, '#/graph?sel=node:dns-names&ns=tenant-0001,tenant-0023');
      await page.locator('.inspector h2', { hasText: 'by DNS name' }).waitFor();
      await settled(page);
      const filtered = await page.locator('.graph-status').innerText();
      const shownPairs = /plus ([\d,]+) by DNS name|\(([\d,]+) workload–name pairs?\)/.exec(filtered);
      const n = shownPairs?.[1] ?? shownPairs?.[2];
      assert.ok(n !== undefined && Number(n) > 0 && Number(n) < Number(pairs.replace(/,/g, '')), filtered);
      assert.match(
        await page.locator('.inspector').innerText(),
        new RegExp(`from ${n} workload–name pairs? `),
      );
    } finally {
      await browser.close();
    }
  });

  test('no errors in the page', () => {
    assert.deepEqual(problems, []);
  });
});
