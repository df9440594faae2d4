/**
 * The Findings view's numbers on the bundled example (examples/webshop) are `netfence lint`'s, one number one
 * meaning: the severities' counts are lint's summary, and each entry of the Rule list counts findings, "every
 * rule" the findings of every rule (lint's total), never the number of rules.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { LintJson } from '../../src/contract/lint.ts';
import { runCli } from '../support/cli.ts';
import { browserMissing, startUi, type UiSession } from './browser.ts';

const skip = browserMissing();

describe('the Findings view counts as netfence lint does', { skip }, () => {
  let ui: UiSession;
  let lint: LintJson;
  before(async () => {
    const r = await runCli(['lint', 'examples/webshop', '-o', 'json']);
    lint = JSON.parse(r.stdout) as LintJson;
    assert.equal(lint.summary.findings, 20);
    ui = await startUi(['examples/webshop']);
  });
  after(async () => {
    await ui.close();
  });

  test("the severities are lint's summary, and every entry of the Rule list counts findings", async () => {
    await ui.open('#/findings', false);
    const page = ui.page;
    assert.equal(
      await page.locator('.sidebar .counts').textContent(),
      `${lint.summary.errors} errors ${lint.summary.warnings} warnings ${lint.summary.info} info`,
    );
    assert.equal(await page.locator('.findings .finding').count(), lint.summary.findings);
    const perRule = new Map<string, number>();
    for (const f of lint.findings) perRule.set(f.ruleId, (perRule.get(f.ruleId) ?? 0) + 1);
    const options = await page.locator('#f-rule option').allInnerTexts();
    assert.equal(options[0], `every rule (${lint.summary.findings})`);
    assert.deepEqual(
      new Map(
        options.slice(1).map((o) => {
          const m = /^(\S+) \((\d+)\)$/.exec(o);
          assert.ok(m, o);
          return [m[1]!, Number(m[2])];
        }),
      ),
      perRule,
    );
    assert.deepEqual(ui.problems, []);
  });
});
