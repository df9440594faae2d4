/**
 * `npm run bench:ui`: the web UI at scale, in a real headless Chromium (Debian's, through playwright-core).
 * For each tier it generates the synthetic cluster (bench/generate.ts, microsegmentation mix), starts
 * `netfence serve` on it, and measures:
 *
 * - the API answers the page needs (`/api/model`, then `/api/connections?namespace=` of one namespace, the
 *   one a user expands first), timed from Node after the server is warm;
 * - the first meaningful paint: from the moment the page has its data (the `/api/model` response is
 *   complete) to the graph drawn (`__netfence.graph()` has nodes), and the layout included;
 * - frame times while panning (mouse drag), zooming (wheel) and selecting (a click on a node, then the
 *   neighbourhood drawn): the longest and the 95th percentile of the intervals between animation frames;
 * - selection: clicks as a user makes them (the pointer comes to rest on a node, presses, releases 80 ms
 *   later), timed from the release: inside the page, from the `mouseup` event (when the browser received it)
 *   to the end of the frame that draws the selection (its rendering done), for each of five selections; from
 *   Node, to that frame (`marked`) and to the frame after the URL and the inspector followed;
 * - the tab's memory: the JavaScript heap (Chromium's `Performance.getMetrics`) after all of that.
 *
 *   node bench/ui.ts [--tiers T1,T3] [--json]
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import { browserMissing, launch } from '../test/ui/browser.ts';
import { serve } from '../test/server/serve.ts';
import { defaultOutDir, readStats, writeCluster, TIERS, type TierName } from './generate.ts';

interface Frames {
  /** The longest interval between two frames, ms. */
  max: number;
  /** The 95th percentile, ms. */
  p95: number;
  frames: number;
}

export interface UiResult {
  tier: TierName;
  workloads: number;
  namespaces: number;
  api: { model: number; modelBytes: number; connections: number };
  firstPaint: number;
  drawn: string;
  pan: Frames;
  zoom: Frames;
  /**
   * From the release of the button to the frame that shows the neighbourhood on the canvas (`marked`), and
   * the URL and inspector too (`ms`), timed from Node; `inPage`: the median of five selections timed inside
   * the page, `inPageRange` their fastest and slowest, `inPageAll` each; `frames`: the frames of the first
   * click (pointer at rest, press, release, URL and inspector).
   */
  select: {
    marked: number;
    ms: number;
    inPage: number;
    inPageRange: number[];
    inPageAll: number[];
    frames: Frames;
  };
  heapMB: number;
}

interface Win {
  __netfence?: {
    graph: () => { nodes: { id: string; box: { x1: number; y1: number; x2: number; y2: number } }[] };
    selection: () => string[];
    /** The selection as the last frame drew it (older builds: absent, and `selection` is read instead). */
    drawn?: () => string[];
  };
  __frames?: number[];
  __selectMs?: number | undefined;
  addEventListener(
    type: 'mouseup',
    f: (e: { timeStamp: number }) => void,
    o: { capture: boolean; once: boolean },
  ): void;
  location: { hash: string };
  requestAnimationFrame(cb: (t: number) => void): number;
}

/** Whether the page has drawn a selection (in the page). */
function selectionDrawn(): boolean {
  const n = (globalThis as unknown as Win).__netfence;
  return ((n?.drawn ?? n?.selection)?.() ?? []).length > 0;
}

/** Starts recording the intervals between animation frames in the page. */
async function recordFrames(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = globalThis as unknown as Win;
    const out: number[] = [];
    w.__frames = out;
    let last = -1;
    const tick = (t: number): void => {
      if (w.__frames !== out) return;
      if (last >= 0) out.push(t - last);
      last = t;
      w.requestAnimationFrame(tick);
    };
    w.requestAnimationFrame(tick);
  });
}

async function stopFrames(page: Page): Promise<Frames> {
  const list = await page.evaluate(() => {
    const w = globalThis as unknown as Win;
    const out = w.__frames ?? [];
    w.__frames = [];
    return out;
  });
  const sorted = [...list].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { max: Math.round(at(1)), p95: Math.round(at(0.95)), frames: list.length };
}

async function timed<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const v = await f();
  return [v, Math.round(performance.now() - t)];
}

async function measure(tier: TierName): Promise<UiResult> {
  const options = { tier, mix: 'microseg' as const, seed: 1 };
  const dir = defaultOutDir(options);
  if (readStats(dir)?.tier !== tier) writeCluster(dir, options);
  process.stderr.write(`${tier}: netfence serve ${dir}\n`);
  const served = await serve([dir, '--port', '0'], { cpuMs: 600_000 });
  const browser = await launch({ width: 1440, height: 900 });
  try {
    // The API, warm (the analysis is computed once at start).
    const [model, modelMs] = await timed(async () => (await fetch(`${served.url}api/model`)).text());
    const [, modelAgain] = await timed(async () => (await fetch(`${served.url}api/model`)).text());
    const first = (JSON.parse(model) as { namespaces: { name: string }[] }).namespaces.find((n) =>
      n.name.startsWith('tenant-'),
    );
    const [, connections] = await timed(async () =>
      (await fetch(`${served.url}api/connections?namespace=${encodeURIComponent(first?.name ?? '')}`)).text(),
    );
    const page = await browser.context.newPage();
    let hasData = 0;
    page.on('requestfinished', (r) => {
      if (r.url().endsWith('/api/model')) hasData = performance.now();
    });
    await page.goto(`${served.url}#/graph`);
    await page.waitForFunction(
      () => ((globalThis as unknown as Win).__netfence?.graph().nodes.length ?? 0) > 0,
      undefined,
      {
        timeout: 300_000,
        polling: 'raf',
      },
    );
    const firstPaint = Math.round(performance.now() - hasData);
    const drawn = await page.locator('.graph-status').innerText();
    const canvas = (await page.locator('.canvas').boundingBox())!;
    const cx = canvas.x + canvas.width / 2;
    const cy = canvas.y + canvas.height / 2;
    await page.waitForTimeout(500);

    await recordFrames(page);
    await page.mouse.move(cx, cy);
    await page.mouse.down();
    for (let i = 1; i <= 30; i++) await page.mouse.move(cx + i * 8, cy + i * 4);
    await page.mouse.up();
    await page.waitForTimeout(200);
    const pan = await stopFrames(page);

    await recordFrames(page);
    for (let i = 0; i < 20; i++) await page.mouse.wheel(0, i < 10 ? -120 : 120);
    await page.waitForTimeout(300);
    const zoom = await stopFrames(page);

    // Select the node nearest the centre of the canvas (then, timed inside the page, the next four).
    const targets = await page.evaluate(
      ({ w, h }) => {
        const g = (globalThis as unknown as Win).__netfence!.graph();
        const all: { id: string; x: number; y: number; d: number }[] = [];
        for (const n of g.nodes) {
          const x = (n.box.x1 + n.box.x2) / 2;
          const y = (n.box.y1 + n.box.y2) / 2;
          if (n.box.x2 - n.box.x1 < 400) all.push({ id: n.id, x, y, d: Math.hypot(x - w / 2, y - h / 2) });
        }
        return all.sort((a, b) => a.d - b.d).slice(0, 5);
      },
      { w: canvas.width, h: canvas.height },
    );
    await recordFrames(page);
    const nextFrame = (): Promise<unknown> =>
      page.evaluate(
        () => new Promise((r) => (globalThis as unknown as Win).requestAnimationFrame(() => r(null))),
      );
    // Inside the page, without the round trips to the browser: from the `mouseup` (its time stamp, when the
    // browser received it) to the end of the frame that draws the selection. A frame's animation callbacks
    // run in the order they were asked for: cytoscape's (asked for a frame earlier) draw first, then this
    // one sees the selection drawn, and a message posted from it runs once that frame is rendered.
    const arm = (): Promise<void> =>
      page.evaluate(() => {
        const w = globalThis as unknown as Win;
        w.__selectMs = undefined;
        w.addEventListener(
          'mouseup',
          (e) => {
            const t0 = e.timeStamp;
            const drawn = (): boolean => {
              const n = (globalThis as unknown as Win).__netfence;
              return ((n?.drawn ?? n?.selection)?.() ?? []).length > 0;
            };
            const tick = (): void => {
              if (!drawn()) {
                w.requestAnimationFrame(tick);
                return;
              }
              // (The browser's MessagePort, not Node's that the types describe.)
              const { port1, port2 } = new MessageChannel() as unknown as Record<
                'port1' | 'port2',
                { onmessage: (() => void) | null; postMessage(m: null): void }
              >;
              port1.onmessage = () => {
                w.__selectMs = performance.now() - t0;
                port1.onmessage = null;
              };
              port2.postMessage(null);
            };
            w.requestAnimationFrame(tick);
          },
          { capture: true, once: true },
        );
      });
    /**
     * A click as a user makes it: the pointer at rest on the node, pressed, released 80 ms later (each step's
     * own frame drawn before the next, as it is at a human pace even on a slow machine).
     */
    const press = async (x: number, y: number): Promise<void> => {
      await page.mouse.move(x, y);
      await page.waitForTimeout(150);
      await nextFrame();
      await page.mouse.down();
      await page.waitForTimeout(80);
      await nextFrame();
    };
    await arm();
    const target = targets[0];
    if (target !== undefined) await press(canvas.x + target.x, canvas.y + target.y);
    const released = performance.now();
    await page.mouse.up();
    await page.waitForFunction(selectionDrawn, undefined, { polling: 'raf' });
    const markedMs = Math.round(performance.now() - released);
    await page.waitForFunction(
      () => decodeURIComponent((globalThis as unknown as Win).location.hash).includes('sel=node:'),
      undefined,
      { polling: 'raf' },
    );
    await nextFrame();
    const selectMs = Math.round(performance.now() - released);
    await page.waitForTimeout(200);
    const selectFrames = await stopFrames(page);
    await page.waitForFunction(() => (globalThis as unknown as Win).__selectMs !== undefined);
    const inPage = [await page.evaluate(() => (globalThis as unknown as Win).__selectMs ?? Number.NaN)];
    for (const t of targets.slice(1)) {
      // Escape clears the selection: each one starts from nothing selected, as the first did.
      await page.keyboard.press('Escape');
      await page.waitForFunction(
        () => ((globalThis as unknown as Win).__netfence?.selection().length ?? 1) === 0,
      );
      await page.waitForTimeout(300);
      await arm();
      await press(canvas.x + t.x, canvas.y + t.y);
      await page.mouse.up();
      await page.waitForFunction(() => (globalThis as unknown as Win).__selectMs !== undefined);
      inPage.push(await page.evaluate(() => (globalThis as unknown as Win).__selectMs ?? Number.NaN));
    }
    const inPageAll = inPage.map((x) => Math.round(x));
    inPage.sort((a, b) => a - b);

    const cdp = await browser.context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const metrics = (await cdp.send('Performance.getMetrics')).metrics;
    const heap = metrics.find((m) => m.name === 'JSHeapTotalSize')?.value ?? 0;
    const stats = readStats(dir)!;
    return {
      tier,
      workloads: stats.workloads,
      namespaces: stats.namespaces,
      api: { model: Math.min(modelMs, modelAgain), modelBytes: model.length, connections },
      firstPaint,
      drawn,
      pan,
      zoom,
      select: {
        marked: markedMs,
        ms: selectMs,
        inPage: Math.round(inPage[Math.floor(inPage.length / 2)] ?? Number.NaN),
        inPageRange: [Math.round(inPage[0] ?? Number.NaN), Math.round(inPage.at(-1) ?? Number.NaN)],
        inPageAll,
        frames: selectFrames,
      },
      heapMB: Math.round(heap / 1e6),
    };
  } finally {
    await browser.close();
    await served.stop();
  }
}

function row(r: UiResult): string {
  return `| ${r.tier} | ${r.workloads.toLocaleString('en-US')} | ${r.api.model} ms (${(r.api.modelBytes / 1e6).toFixed(1)} MB) | ${r.api.connections} ms | ${r.firstPaint} ms | ${r.pan.p95} / ${r.pan.max} ms | ${r.zoom.p95} / ${r.zoom.max} ms | ${r.select.inPage} / ${r.select.marked} / ${r.select.ms} ms | ${r.heapMB} MB |`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { tiers: { type: 'string', default: 'T1,T3' }, json: { type: 'boolean', default: false } },
  });
  const missing = browserMissing();
  if (missing !== undefined) {
    process.stderr.write(`bench/ui: ${missing}\n`);
    process.exit(2);
  }
  const tiers = values.tiers.split(',').filter((t): t is TierName => t in TIERS);
  const results: UiResult[] = [];
  for (const t of tiers) results.push(await measure(t));
  if (values.json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(
    [
      '| Tier | Workloads | /api/model | /api/connections (1 ns) | First paint | Pan p95 / max frame | Zoom p95 / max frame | Select: in page / marked / inspector | JS heap |',
      '| ---- | --------: | ---------: | ----------------------: | ----------: | ------------------: | -------------------: | -----: | ------: |',
      ...results.map(row),
      '',
      ...results.map((r) => `${r.tier}: ${r.drawn}`),
      '',
      ...results.map(
        (r) =>
          `${r.tier} select in page: median ${r.select.inPage} ms, max ${r.select.inPageRange[1]} ms (each: ${r.select.inPageAll.join(', ')} ms); frames of the first click: p95 ${r.select.frames.p95} ms, longest ${r.select.frames.max} ms`,
      ),
      '',
    ].join('\n'),
  );
}

await main();
