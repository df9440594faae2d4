/**
 * What the page says of its connection to a real `netfence serve` process: the header's pill shows whether the
 * server answers ("live", or "reconnecting" while it is stopped, and "live" again once it answers on the same
 * port), and `serve --watch` started on an input that does not load shows the problem until the file is fixed,
 * then the analysis. Real processes, stopped and started for real, in headless Chromium.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { runCli } from '../support/cli.ts';
import { serve, type Served } from '../server/serve.ts';
import { freePorts } from '../support/ports.ts';
import { browserMissing, launch } from './browser.ts';

const skip = browserMissing();
const NOT_ANSWERING = 'netfence serve is not answering: is it still running? Showing the last state.';

describe('the page follows a real netfence serve', { skip }, () => {
  test('the pill says "reconnecting" while the server is stopped, and "live" once it answers again', async () => {
    // On a port below the ephemeral range, which stays free for the second start (test/support/ports.ts); one
    // taken meanwhile by a program that names it is given up for another.
    let port = '';
    let served: Served | undefined;
    while (served === undefined) {
      port = String((await freePorts(1))[0]);
      served = await serve(['examples/webshop', '--watch', '--port', port]).catch((error: unknown) => {
        if (/ is in use/.test((error as { stderr?: string }).stderr ?? '')) return undefined;
        throw error;
      });
    }
    const browser = await launch();
    try {
      const page = await browser.context.newPage();
      await page.goto(served.url);
      const pill = page.locator('header .pill.live, header .pill.offline');
      const banner = page.locator('.banner');
      await page.locator('header .pill.live').waitFor();
      assert.equal(await pill.innerText(), 'live');
      assert.equal(await banner.isVisible(), false);

      await served.stop();
      // The page shows the loss in one step (banner and pill): once the banner says it, the pill has too.
      await page.locator('.banner', { hasText: NOT_ANSWERING }).waitFor();
      assert.deepEqual(await pill.allInnerTexts(), ['reconnecting']);

      // The same port again (the page's address): the page reconnects by itself.
      served = await serve(['examples/webshop', '--watch', '--port', port]);
      // Back: the answer to the page's reload hides the banner and redraws the pill in one step.
      await page.locator('.banner').waitFor({ state: 'hidden' });
      assert.deepEqual(await pill.allInnerTexts(), ['live']);
    } finally {
      await browser.close();
      await served.stop();
    }
  });

  test('serve --watch starts on an input that does not load, shows the problem, and the analysis once fixed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netfence-watch-invalid-'));
    cpSync('examples/webshop', dir, { recursive: true });
    const file = join(dir, 'policies', 'data.yaml');
    const original = readFileSync(file, 'utf8');
    writeFileSync(file, original.replace('port: postgres', 'port: 70000'));
    // Without --watch it refuses, as before.
    const refused = await runCli(['serve', dir, '--port', '0']);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /1 error in the input/);

    const served = await serve([dir, '--watch', '--port', '0']);
    const browser = await launch({ fatal: 'expected' });
    try {
      assert.match(served.stderr(), /waiting for the input to load/);
      const api = await fetch(`${served.origin}/api/model`);
      assert.equal(api.status, 503);
      assert.match(
        ((await api.json()) as { error: string }).error,
        /could not be loaded: 1 error in the input/,
      );

      const page = await browser.context.newPage();
      await page.goto(served.url);
      const fatal = page.locator('.fatal[role="alert"] p', {
        hasText: 'could not be loaded: 1 error in the input',
      });
      await fatal.waitFor();
      assert.match(await fatal.innerText(), /fix it, and this page follows/);
      // With what the terminal printed: the file and line (sent by the server's events after it answered).
      await page.locator('.fatal .details li', { hasText: 'data.yaml:37:' }).waitFor();
      assert.match(
        (await page.locator('.fatal .details').innerText()).replace(/\s+/g, ' '),
        /policies\/data\.yaml:37:\d+ spec\.ingress\[0\]\.ports\[0\]\.port: must be between 1 and 65535, got 70000/,
      );

      writeFileSync(file, original);
      await page.locator('header .summary', { hasText: '21 policies' }).waitFor();
      assert.equal(await page.locator('.fatal').count(), 0);
      assert.deepEqual(await page.locator('header .pill.live').allInnerTexts(), ['live']);
    } finally {
      await browser.close();
      await served.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a reload that fails later lists each problem at its file, line, column and field, as the CLI prints it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netfence-watch-reload-'));
    cpSync('examples/webshop', dir, { recursive: true });
    const file = join(dir, 'policies', 'data.yaml');
    const original = readFileSync(file, 'utf8');
    const served = await serve([dir, '--watch', '--port', '0']);
    const browser = await launch();
    try {
      const page = await browser.context.newPage();
      await page.goto(served.url);
      await page.locator('header .summary', { hasText: '21 policies' }).waitFor();
      const banner = page.locator('.banner');
      assert.equal(await banner.isVisible(), false);

      // Two errors in one file: what `analyze` prints on stderr for them, before its last line (the message);
      // -q leaves out its notes ("Ignored 15 objects of other kinds"), which are not problems.
      writeFileSync(file, original.replace('port: postgres', 'port: 70000').replace('port: 6379', 'port: 0'));
      const cli = await runCli(['analyze', '-q', dir]);
      assert.equal(cli.code, 2, cli.stderr);
      const lines = cli.stderr.split('\n').filter((l) => l !== '');
      const message = lines.pop()!.replace(/^netfence: /, '');
      assert.equal(
        message,
        '2 errors in the input; fix them, or run with --skip-invalid to analyze the rest',
      );
      assert.equal(lines.length, 2, cli.stderr);
      for (const l of lines) assert.ok(l.startsWith(`${file}:`), l);
      for (const l of lines) assert.match(l, /^\S+:\d+:\d+ spec\.ingress\[\d+\]\.ports\[0\]\.port: /);

      /** The banner's sentence and its list, once it says the problem (both are drawn at once). */
      const shown = async (): Promise<{ text: string; details: string[] }> => {
        await page.locator('.banner', { hasText: message }).waitFor();
        return {
          text: (await banner.innerText()).split('\n')[0]!,
          details: await banner.locator('.details li').allInnerTexts(),
        };
      };
      const expected = {
        text: `The input changed but could not be loaded: ${message}. Showing the last good state.`,
        details: lines,
      };
      // Told by the server's event…
      assert.deepEqual(await shown(), expected);
      // …and by the model, to a page loaded after the reload failed.
      await page.goto('about:blank');
      await page.goto(served.url);
      await page.locator('header .summary', { hasText: '21 policies' }).waitFor();
      assert.deepEqual(await shown(), expected);

      writeFileSync(file, original);
      await banner.waitFor({ state: 'hidden' });
    } finally {
      await browser.close();
      await served.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('an analysis made before the page hears the events opens too (the page knows it shows none)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netfence-watch-invalid-'));
    cpSync('examples/webshop', dir, { recursive: true });
    const file = join(dir, 'policies', 'data.yaml');
    const original = readFileSync(file, 'utf8');
    writeFileSync(file, original.replace('port: postgres', 'port: 70000'));
    const served = await serve([dir, '--watch', '--port', '0']);
    const browser = await launch({ fatal: 'expected' });
    const controller = new AbortController();
    try {
      const page = await browser.context.newPage();
      // The page's events stream is held until the input was fixed and analysed.
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      await page.route('**/api/events', async (route) => {
        await held;
        await route.continue();
      });
      await page.goto(served.url);
      await page
        .locator('.fatal[role="alert"] p', { hasText: 'could not be loaded: 1 error in the input' })
        .waitFor();

      // The test's own stream says when the server has the analysis.
      const res = await fetch(`${served.origin}/api/events`, { signal: controller.signal });
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      let text = '';
      writeFileSync(file, original);
      while (!/event: model\ndata: \{"version":1\}/.test(text)) {
        const { value, done } = (await reader.read()) as { value: Uint8Array | undefined; done: boolean };
        if (done) throw new Error(`the events ended before the model: ${text}`);
        text += decoder.decode(value);
      }
      // Its first event is now `hello` with version 1, no `model`: the page opens the analysis all the same.
      release();
      await page.locator('header .summary', { hasText: '21 policies' }).waitFor();
      assert.equal(await page.locator('.fatal').count(), 0);
      await reader.cancel().catch(() => undefined);
    } finally {
      controller.abort();
      await browser.close();
      await served.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
