/**
 * In Chromium: the static report reads as a report (a summary first, every allowed connection explained
 * offline, printable), and the what-if editor fits its panel (it grows with the window, long lines wrap, it
 * never scrolls sideways; the namespace of a new policy has a visible label).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { runCli } from '../support/cli.ts';
import { serve, type Served } from '../server/serve.ts';
import { browserMissing, launch, type Launched } from './browser.ts';

/** What the tests read of the page (the test files are type-checked without the DOM library). */
interface El {
  open: boolean;
  scrollWidth: number;
  clientWidth: number;
  scrollLeft: number;
  getBoundingClientRect(): { top: number; height: number };
}
interface Win {
  document: { querySelector(s: string): El | null; querySelectorAll(s: string): El[] };
  getComputedStyle(el: El): { display: string };
  dispatchEvent(e: unknown): void;
  Event: new (type: string) => unknown;
}

const skip = browserMissing();
let browser: Launched;
let page: Page;
const problems: string[] = [];

describe('outputs in Chromium', { skip }, () => {
  before(async () => {
    browser = await launch({ width: 1440, height: 900 });
    page = await browser.context.newPage();
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  });
  after(async () => {
    await browser?.close();
  });

  test('report --html: the summary first, explanations offline, and it prints', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netfence-report-print-'));
    try {
      const out = join(dir, 'report.html');
      const r = await runCli(['report', 'examples/webshop', '--html', out]);
      assert.equal(r.code, 0, r.stderr);
      // An edge's explanation in the app, from the file alone.
      await page.goto(
        `${pathToFileURL(out).href}#/graph?sel=edge:shop/Deployment/catalog>data/StatefulSet/postgres`,
      );
      await page.locator('.inspector').getByText('Ingress of data/postgres').waitFor();
      assert.doesNotMatch(await page.locator('.inspector').innerText(), /static report/);
      // The summary comes first, above the app.
      const tops = await page.evaluate(() => {
        const top = (s: string): number =>
          (globalThis as unknown as Win).document.querySelector(s)!.getBoundingClientRect().top;
        return { summary: top('#summary'), app: top('#app'), why: top('#why') };
      });
      assert.ok(tops.summary < tops.app && tops.app < tops.why, JSON.stringify(tops));
      assert.match(await page.locator('#summary').innerText(), /221\s+allowed connections/);
      // Printed: no app, the summary, and every explanation opened.
      await page.emulateMedia({ media: 'print' });
      const printed = await page.evaluate(() => {
        const w = globalThis as unknown as Win;
        w.dispatchEvent(new w.Event('beforeprint'));
        const details = w.document.querySelectorAll('.report-why details');
        return {
          app: w.getComputedStyle(w.document.querySelector('#app')!).display,
          summary: w.getComputedStyle(w.document.querySelector('#summary')!).display,
          details: details.length,
          open: [...details].filter((d) => d.open).length,
        };
      });
      assert.deepEqual(printed, { app: 'none', summary: 'block', details: 221, open: 221 });
      const pdf = await page.pdf();
      assert.ok(pdf.length > 10_000);
      await page.emulateMedia({ media: 'screen' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('the what-if editor', () => {
    let served: Served;
    before(async () => {
      served = await serve(['examples/webshop', '--port', '0']);
    });
    after(async () => {
      await served?.stop();
    });

    test('grows with the window, wraps long lines, never scrolls sideways; the namespace has a label', async () => {
      await page.setViewportSize({ width: 1440, height: 900 });
      await page.goto(`${served.url}#/whatif?policy=data/allow-postgres`);
      await page.locator('.cm-content').waitFor();
      const height = (): Promise<number> =>
        page.evaluate(
          () =>
            (globalThis as unknown as Win).document.querySelector('.editor-host')!.getBoundingClientRect()
              .height,
        );
      const small = await height();
      await page.setViewportSize({ width: 1440, height: 1300 });
      assert.ok((await height()) >= small + 300, `the editor stays ${small}px high in a taller window`);
      await page.locator('.cm-content').click();
      await page.keyboard.press('Control+End');
      await page.keyboard.insertText(`\n# ${'a-very-long-comment '.repeat(40)}`);
      const scroller = await page.evaluate(() => {
        const s = (globalThis as unknown as Win).document.querySelector('.cm-scroller')!;
        return { overflow: s.scrollWidth - s.clientWidth, left: s.scrollLeft };
      });
      assert.deepEqual(scroller, { overflow: 0, left: 0 });
      assert.equal(await page.getByLabel('Namespace', { exact: true }).getAttribute('id'), 'w-ns');
    });
  });

  test('no errors in the page', () => {
    assert.deepEqual(problems, []);
  });
});
