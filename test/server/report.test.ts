/**
 * `netfence report --html`: one self-contained file (no reference to anything outside it), with the analysis
 * inlined, written atomically; and the escaping that keeps inlined data from closing its script tag.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { jsonScript, renderHtmlReport, scriptSafe } from '../../src/format/html-report.ts';
import { runCli } from '../support/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'netfence-report-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function embedded(html: string): {
  model: { summary: { workloads: number }; features: { static: boolean; flows: boolean } };
  lint: { summary: { errors: number } };
  exposure: Record<string, unknown>;
  flows: unknown;
} {
  const m = /<script type="application\/json" id="netfence-data">(.*?)<\/script>/s.exec(html);
  assert.ok(m, 'no embedded data');
  return JSON.parse(m[1]!) as ReturnType<typeof embedded>;
}

describe('netfence report --html', () => {
  test('writes one page with the app, its styles and the analysis inside', async () => {
    const out = join(dir, 'webshop.html');
    const r = await runCli([
      'report',
      'examples/webshop',
      '--html',
      out,
      '--flows',
      'examples/flows/webshop-hubble.jsonl',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(
      r.stderr,
      new RegExp(`^Wrote ${out.replaceAll('/', '\\/')} \\(\\d+ kB\\): 16 workloads, 21 policies$`, 'm'),
    );
    const html = readFileSync(out, 'utf8');
    // Self-contained: nothing loaded from elsewhere.
    assert.doesNotMatch(html, /<script[^>]+src=/);
    assert.doesNotMatch(html, /<link[^>]+href=/);
    assert.match(html, /<title>netfence report · examples\/webshop<\/title>/);
    const data = embedded(html);
    assert.equal(data.model.summary.workloads, 16);
    assert.equal(data.model.features.static, true);
    assert.equal(data.model.features.flows, true);
    assert.equal(data.lint.summary.errors, 9);
    assert.equal(Object.keys(data.exposure).length, 16);
    assert.notEqual(data.flows, null);
    // Written by a rename: no temporary file is left beside it.
    assert.deepEqual(readdirSync(dir), ['webshop.html']);
  });

  test('to standard output, and the mistakes a user makes', async () => {
    const r = await runCli(['report', 'examples/webshop', '--html', '-']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^<!doctype html>/);
    const missing = await runCli(['report', 'examples/webshop']);
    assert.equal(missing.code, 2);
    assert.equal(
      missing.stderr,
      'netfence: give the file to write: --html report.html (or --html - for standard output)\n',
    );
    const nowhere = await runCli([
      'report',
      'examples/webshop',
      '--html',
      join(dir, 'no', 'such', 'dir.html'),
    ]);
    assert.equal(nowhere.code, 2);
    assert.equal(
      nowhere.stderr,
      `netfence: cannot write "${join(dir, 'no', 'such', 'dir.html')}": folder "${join(dir, 'no', 'such')}" does not exist\n`,
    );
    assert.equal(existsSync(join(dir, 'no')), false);
  });
});

describe('inlining', () => {
  test('data and scripts cannot close their tag early', () => {
    assert.equal(
      jsonScript({ a: '</script><script>alert(1)</script>' }),
      '{"a":"\\u003c/script>\\u003cscript>alert(1)\\u003c/script>"}',
    );
    assert.equal((JSON.parse(jsonScript({ a: '</script>\u2028' })) as { a: string }).a, '</script>\u2028');
    assert.equal(scriptSafe('x = "</script>"; y = "</SCRIPT"'), 'x = "<\\/script>"; y = "<\\/SCRIPT"');
  });

  test('every reference of the template is replaced', () => {
    const html = renderHtmlReport({
      indexHtml:
        '<title>netfence</title><link rel="stylesheet" href="app.css" /><script src="app.js"></script><body><!--netfence:data--></body>',
      css: 'body{}',
      js: 'run()',
      data: { x: 1 },
      title: 'netfence report · <a & b>',
    });
    assert.equal(
      html,
      '<title>netfence report · &lt;a &amp; b&gt;</title><style>\nbody{}\n</style><script>\nrun()\n</script><body><script type="application/json" id="netfence-data">{"x":1}</script></body>',
    );
    assert.throws(
      () => renderHtmlReport({ indexHtml: '<html>', css: '', js: '', data: {}, title: '' }),
      /the UI template has no/,
    );
  });
});
