/**
 * Explaining a pair the graph has no line for: a workload's inspector asks for any other workload or address,
 * either way, and opens `netfence explain`'s answer for the pair, denied or not (README's first question, "why
 * can shop/web not reach data/postgres?", had no click in the UI). The verdicts, the isolating policies, the
 * rules that came closest and where they are written (file and line, each reason's field and line) are
 * `explain -o json`'s for the same pair, in headless Chromium on the bundled example.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ExplainJson, ExplanationJson } from '../../src/contract/explain.ts';
import { runCli } from '../support/cli.ts';
import { browserMissing, startUi, type UiSession } from './browser.ts';

const skip = browserMissing();
const WEB = 'shop/Deployment/web';

async function explain(from: string, to: string): Promise<ExplainJson> {
  const r = await runCli(['explain', '--from', from, '--to', to, 'examples/webshop', '-o', 'json']);
  // 1: denied on some port (explain's exit code says the verdict).
  assert.ok(r.code === 0 || r.code === 1, r.stderr);
  return JSON.parse(r.stdout) as ExplainJson;
}

/** The inspector's verdict line of an explanation (ui/views/inspect.ts words it from the verdict). */
function verdictText(x: ExplanationJson): string {
  return x.verdict === 'allowed'
    ? `Allowed: ${x.summary}`
    : x.verdict === 'denied'
      ? 'Denied on every port'
      : `Allowed on ${x.summary} only`;
}

describe('a workload inspector explains a connection with any other workload or address', { skip }, () => {
  let ui: UiSession;
  before(async () => {
    ui = await startUi(['examples/webshop']);
  });
  after(async () => {
    await ui.close();
  });

  /** Selects shop/web, asks about `peer` with the button `button`, and waits for the explanation of `title`. */
  async function ask(peer: string, button: string, title: string): Promise<void> {
    const page = ui.page;
    await ui.open(`#/graph?sel=${encodeURIComponent(`node:${WEB}`)}`);
    await page.locator('#explain-peer').fill(peer);
    await page.locator('.explain-pair button', { hasText: button }).click();
    await page.locator('.inspector h2', { hasText: title }).waitFor();
    await page.locator('.inspector .explanation').first().waitFor();
  }

  test('a denied pair: the verdict, the policies that isolate it and the nearest rules, where explain finds them', async () => {
    const cli = await explain('shop/web', 'data/postgres');
    await ask('data/postgres', 'shop/web → it', 'shop/web → data/postgres');
    const page = ui.page;
    assert.match(
      decodeURIComponent(
        await page.evaluate(() => (globalThis as unknown as { location: { hash: string } }).location.hash),
      ),
      /sel=edge:shop\/Deployment\/web>data\/StatefulSet\/postgres/,
    );
    assert.deepEqual(
      await page.locator('.inspector .explanation > .verdict').allInnerTexts(),
      cli.explanations.map(verdictText),
    );
    const x = cli.explanations[0]!;
    assert.equal(x.verdict, 'denied');
    const ingress = page.locator('.inspector .explanation').first().locator('.insp-section', {
      hasText: 'Ingress of data/postgres',
    });
    assert.equal(
      await ingress.locator('p').first().innerText(),
      `Isolated by ${x.ingress.isolatedBy.map((p) => p.policy).join(', ')}.`,
    );
    // Each nearest rule with its file and line, and each reason with its field and line, as explain says them.
    const misses = await ingress.locator('.rules > li').allInnerTexts();
    assert.ok(x.ingress.nearMisses.length > 0);
    assert.equal(misses.length, x.ingress.nearMisses.length);
    x.ingress.nearMisses.forEach((m, i) => {
      const text = misses[i]!.replace(/\s+/g, ' ');
      assert.ok(text.includes(`${m.policy} ${m.path} · ${m.file}:${m.line}`), text);
      for (const r of m.reasons) assert.ok(text.includes(`${r.message} (${r.path}, line ${r.line})`), text);
    });
    assert.deepEqual(ui.problems, []);
  });

  test('the other way, and to an address outside the cluster', async () => {
    const back = await explain('data/postgres', 'shop/web');
    await ask('data/postgres', 'it → shop/web', 'data/postgres → shop/web');
    assert.deepEqual(
      await ui.page.locator('.inspector .explanation > .verdict').allInnerTexts(),
      back.explanations.map(verdictText),
    );
    const out = await explain('shop/web', '203.0.113.7');
    await ask('203.0.113.7', 'shop/web → it', 'shop/web → 203.0.113.7');
    assert.deepEqual(
      await ui.page.locator('.inspector .explanation > .verdict').allInnerTexts(),
      out.explanations.map(verdictText),
    );
    assert.deepEqual(ui.problems, []);
  });
});
