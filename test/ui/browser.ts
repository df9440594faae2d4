/**
 * Headless Chromium for the UI tests: Debian's `chromium` (installed by scripts/ci-system-deps.sh), driven by
 * playwright-core, which never downloads a browser of its own. Without Chromium the tests skip with the
 * reason, unless NETFENCE_REQUIRE_BROWSER=1 (CI), where its absence is a failure.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { serve, type Served } from '../server/serve.ts';

export const CHROMIUM = process.env.NETFENCE_CHROMIUM ?? '/usr/bin/chromium';

/** Why the browser tests cannot run here, or undefined when they can. */
export function browserMissing(): string | undefined {
  if (existsSync(CHROMIUM)) return undefined;
  const reason = `${CHROMIUM} not found: install Debian's chromium (bash scripts/ci-system-deps.sh) to run the browser tests`;
  if (process.env.NETFENCE_REQUIRE_BROWSER === '1') throw new Error(reason);
  return reason;
}

export interface Launched {
  context: BrowserContext;
  close(): Promise<void>;
}

/** What the page shows in place of the app when it could not start (ui/main.ts). */
const FATAL = '.fatal[role="alert"]';

/**
 * Fails a test at once when the page is in an error state of its own, instead of waiting for a state that will
 * never come: an uncaught error of the page's code, or the app's fatal screen (`fatal: 'expected'` leaves that
 * one to the test). The page is closed with the reason, which Playwright gives to every wait it interrupts
 * (`page.waitForFunction: the page's code failed: …`). No clock: a loaded machine cannot make it fail.
 */
async function failOnPageErrors(context: BrowserContext, fatal: 'fails' | 'expected'): Promise<void> {
  const fail = (page: Page, reason: string): void => {
    if (!page.isClosed()) void page.close({ reason });
  };
  context.on('page', (page) =>
    page.on('pageerror', (e) => fail(page, `the page's code failed: ${e.message}`)),
  );
  if (fatal === 'expected') return;
  await context.exposeBinding('__netfenceFatal', ({ page }, text: string) =>
    fail(page, `the page shows its fatal error: ${text}`),
  );
  await context.addInitScript((selector) => {
    interface El {
      textContent: string | null;
      querySelector(s: string): El | null;
    }
    const w = globalThis as unknown as {
      __netfenceFatal(text: string): void;
      document: El;
      MutationObserver: new (callback: () => void) => {
        observe(target: El, options: { childList: boolean; subtree: boolean }): void;
      };
    };
    new w.MutationObserver(() => {
      const el = w.document.querySelector(selector);
      if (el !== null) w.__netfenceFatal(el.querySelector('p')?.textContent ?? el.textContent ?? '');
    }).observe(w.document, { childList: true, subtree: true });
  }, FATAL);
}

/**
 * A fresh headless Chromium with its own temporary profile. Its pages fail every wait at once on an error of
 * their own (failOnPageErrors).
 */
export async function launch(
  options: { width?: number; height?: number; dark?: boolean; fatal?: 'fails' | 'expected' } = {},
): Promise<Launched> {
  const profile = mkdtempSync(join(tmpdir(), 'netfence-chromium-'));
  // A persistent context on a fresh temporary profile: playwright passes it as --user-data-dir.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
    viewport: { width: options.width ?? 1440, height: options.height ?? 900 },
    deviceScaleFactor: 1,
    colorScheme: options.dark === true ? 'dark' : 'light',
  });
  // No limit by the clock on a wait: a loaded machine stretches every one (the test runner's own limit stays).
  // A page in an error state of its own fails the wait at once instead.
  context.setDefaultTimeout(0);
  await failOnPageErrors(context, options.fatal ?? 'fails');
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** What the tests read of the drawn graph (`window.__netfence.graph()`). */
export interface GraphSnapshot {
  nodes: {
    id: string;
    label: string;
    /** Its group (`ns:shop`, `nodes`, `outside`), or null. */
    parent: string | null;
    classes: string[];
    /** Its box on screen, relative to the canvas. */
    box: { x1: number; y1: number; x2: number; y2: number };
  }[];
  edges: { id: string; label: string; classes: string[]; midpoint: { x: number; y: number } }[];
}

interface GraphWin {
  __netfence?: { graph: () => GraphSnapshot };
  /** The graph as settled() last saw it, one animation frame ago. */
  __netfenceFrame?: string;
  document: { querySelector(selector: string): { textContent: string | null } | null };
}

/** Collects the page's errors and console errors into `problems` (a test asserts there are none). */
export function recordProblems(page: Page, problems: string[]): void {
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
}

/** The graph as drawn now. */
export function graphOf(page: Page): Promise<GraphSnapshot> {
  return page.evaluate(() => (globalThis as unknown as GraphWin).__netfence!.graph());
}

/**
 * Opens a route on a fresh page load, and waits until the view shows it whole: its controls, the graph (when
 * the view has one), and whatever the view loads after it (Traffic's flows, the explanation or the exposure
 * of what the route selects, Findings' lint, a what-if's or an attack path's answer), i.e. until nothing in the
 * page says "Loading…", "Linting…" or "Computing…". A change of the hash alone would
 * be a navigation within the page, which the app follows on its `hashchange` event, some time after `goto`
 * returns: what a test read then could be the last route's.
 */
export async function openRoute(page: Page, url: string, hash: string, waitForGraph = true): Promise<void> {
  await page.goto('about:blank');
  await page.goto(`${url}${hash}`);
  await page.waitForFunction((graph) => {
    const w = globalThis as unknown as GraphWin;
    const layout = w.document.querySelector('.layout');
    if (layout === null || w.document.querySelector('.layout .sidebar > *') === null) return false;
    if (/(Loading|Linting|Computing)…|Loading flows…/.test(layout.textContent ?? '')) return false;
    if (!graph) return true;
    const n = w.__netfence;
    return n !== undefined && n.graph().nodes.length > 0;
  }, waitForGraph);
}

/**
 * Waits until the drawn graph has settled: the group titles drawn (on the animation frame after the graph) and
 * nothing moving (the same drawing in two animation frames in a row: an animated centring moves it in each).
 * Call it once what the test waits for has begun (a route opened, a URL changed): it cannot tell a change to
 * come from none.
 */
export async function settleGraph(page: Page): Promise<void> {
  await page.evaluate(() => {
    delete (globalThis as unknown as GraphWin).__netfenceFrame;
  });
  await page.waitForFunction(
    () => {
      const w = globalThis as unknown as GraphWin;
      const n = w.__netfence;
      if (n === undefined) return false;
      const g = n.graph() as GraphSnapshot & { titles?: unknown[] };
      const groups = new Set(g.nodes.flatMap((x) => (x.parent === null ? [] : [x.parent])));
      const now = JSON.stringify(g);
      const was = w.__netfenceFrame;
      w.__netfenceFrame = now;
      return g.nodes.length > 0 && (g.titles?.length ?? 0) === groups.size && now === was;
    },
    undefined,
    { polling: 'raf' },
  );
}

/** One drawn edge by id (`src>dst`); fails the test when it is not drawn. */
export function edgeOf(g: GraphSnapshot, id: string): GraphSnapshot['edges'][number] {
  const e = g.edges.find((x) => x.id === id);
  assert.ok(e, `no edge ${id} among ${g.edges.length}`);
  return e;
}

/** Where the UI tests keep their screenshots, and where the README's pictures are. */
export const ARTIFACTS = 'test-artifacts/ui';
const README_IMAGES = 'docs/images';

/**
 * Saves a screenshot of the page as test-artifacts/ui/<name>.png, after moving the mouse to `mouse` (a corner,
 * by default the bottom left of a 900 px high window) so that no tooltip shows; with `readme` and
 * UPDATE_SCREENSHOTS=1 also as the README's picture docs/images/<name>.png.
 */
export async function saveShot(
  page: Page,
  name: string,
  options: { readme?: boolean; mouse?: { x: number; y: number } } = {},
): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const mouse = options.mouse ?? { x: 1, y: 899 };
  await page.mouse.move(mouse.x, mouse.y);
  await page.locator('.tooltip:not([hidden])').waitFor({ state: 'detached' });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
  if (options.readme === true && process.env.UPDATE_SCREENSHOTS === '1') {
    mkdirSync(README_IMAGES, { recursive: true });
    await page.screenshot({ path: join(README_IMAGES, `${name}.png`) });
  }
}

/** `netfence serve` with a page open on it in a fresh browser, the page's errors collected in `problems`. */
export interface UiSession {
  served: Served;
  page: Page;
  problems: string[];
  /** Opens a route of the served UI on a fresh page load (see openRoute). */
  open(hash: string, waitForGraph?: boolean): Promise<void>;
  close(): Promise<void>;
}

/** Serves `args` (`netfence serve` arguments; `--port 0` is added) and opens a 1440×900 page on it. */
export async function startUi(args: string[]): Promise<UiSession> {
  const served = await serve([...args, '--port', '0']);
  const browser = await launch({ width: 1440, height: 900 });
  const page = await browser.context.newPage();
  const problems: string[] = [];
  recordProblems(page, problems);
  return {
    served,
    page,
    problems,
    open: (hash, waitForGraph = true) => openRoute(page, served.url, hash, waitForGraph),
    async close() {
      await browser.close();
      await served.stop();
    },
  };
}
