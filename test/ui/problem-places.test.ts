/**
 * Every problem the page lists says where it is as the CLI prints it: a what-if edit's problem at its line and
 * column, with its field path and message as `analyze` words them for the same YAML; a finding at the file, line
 * and column `lint` gives. Headless Chromium on the bundled example.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { LintJson } from '../../src/contract/lint.ts';
import { runCli } from '../support/cli.ts';
import { browserMissing, startUi, type UiSession } from './browser.ts';

const skip = browserMissing();

describe('the problems and findings the page lists say where they are, as the CLI does', { skip }, () => {
  let ui: UiSession;
  before(async () => {
    ui = await startUi(['examples/webshop']);
  });
  after(async () => {
    await ui.close();
  });

  test("a what-if edit's problem: its line, column, field and message, as analyze prints them for that YAML", async () => {
    const page = ui.page;
    await ui.open('#/whatif?policy=data/allow-postgres');
    await page.locator('.cm-content').waitFor();
    const original = await page.locator('.cm-content').innerText();
    const edited = original.replace('port: postgres', 'port: 70000');
    assert.notEqual(edited, original);
    // The CLI on the same YAML as a file of its own: `FILE:LINE:COLUMN PATH: MESSAGE`.
    const dir = mkdtempSync(join(tmpdir(), 'netfence-whatif-problem-'));
    let expected: string;
    try {
      const file = join(dir, 'policy.yaml');
      writeFileSync(file, edited);
      const cli = await runCli(['analyze', '-q', file]);
      assert.equal(cli.code, 2, cli.stderr);
      const line = cli.stderr.split('\n')[0]!;
      const m = /^(.+):(\d+):(\d+) (.+)$/.exec(line);
      assert.ok(m && m[1] === file, line);
      expected = `line ${m[2]}, column ${m[3]}: ${m[4]}`;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    await page.locator('.cm-content').click();
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText(edited);
    await page.locator('#whatif-summary', { hasText: 'some changes have errors' }).waitFor();
    assert.deepEqual(await page.locator('.problems li').allInnerTexts(), [expected]);
    assert.deepEqual(ui.problems, []);
  });

  test('each finding at the file, line and column lint gives', async () => {
    const r = await runCli(['lint', 'examples/webshop', '-o', 'json', '--fail-on', 'none']);
    assert.equal(r.code, 0, r.stderr);
    const lint = JSON.parse(r.stdout) as LintJson;
    await ui.open('#/findings', false);
    const where = await ui.page.locator('.findings .finding .where').allInnerTexts();
    const expected = lint.findings.map((f) => `${f.file}:${f.line}:${f.column}`);
    assert.ok(expected.every((w) => /:\d+:\d+$/.test(w)));
    assert.deepEqual(where.sort(), expected.sort());
    assert.deepEqual(ui.problems, []);
  });
});
