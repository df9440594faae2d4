/**
 * Headless Chromium for the UI tests: Debian's `chromium` (installed by scripts/ci-system-deps.sh), driven by
 * playwright-core, which never downloads a browser of its own. Without Chromium the tests skip with the
 * reason, unless NETFENCE_REQUIRE_BROWSER=1 (CI), where its absence is a failure.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

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

/** A fresh headless Chromium with its own temporary profile. */
export async function launch(
  options: { width?: number; height?: number; dark?: boolean } = {},
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
  nodes: { id: string; label: string; classes: string[] }[];
  edges: { id: string; label: string; classes: string[]; midpoint: { x: number; y: number } }[];
}

interface GraphWin {
  __netfence?: { graph: () => GraphSnapshot };
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

/** Opens a route on a fresh page load and waits until the graph (when the view has one) is drawn. */
export async function openRoute(page: Page, url: string, hash: string, waitForGraph = true): Promise<void> {
  await page.goto(`${url}${hash}`);
  await page.waitForSelector('.layout .sidebar > *');
  if (waitForGraph) {
    await page.waitForFunction(() => {
      const n = (globalThis as unknown as GraphWin).__netfence;
      return n !== undefined && n.graph().nodes.length > 0;
    });
  }
}

/** One drawn edge by id (`src>dst`); fails the test when it is not drawn. */
export function edgeOf(g: GraphSnapshot, id: string): GraphSnapshot['edges'][number] {
  const e = g.edges.find((x) => x.id === id);
  assert.ok(e, `no edge ${id} among ${g.edges.length}`);
  return e;
}
