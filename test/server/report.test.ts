/**
 * `netfence report --html`: one self-contained file (no reference to anything outside it), with the analysis
 * inlined, written atomically; and the escaping that keeps inlined data from closing its script tag.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  jsonScript,
  renderHtmlReport,
  scriptSafe,
  type ReportSummary,
} from '../../src/format/html-report.ts';
import { runCli } from '../support/cli.ts';

const SUMMARY: ReportSummary = {
  source: 'x',
  generated: '2026-01-01T00:00:00Z',
  counts: { namespaces: 1, workloads: 2, policies: 0, ciliumPolicies: 0, connections: 3, domains: 1 },
  unprotected: [{ name: 'ns/<b>', ingress: true, egress: true, onlyDenies: [] }],
  findings: { errors: 1, warnings: 0, info: 0 },
  blastRadius: [{ name: 'ns/a', reach: 1, direct: 1 }],
  connections: [{ src: 'ns/a', dst: 'ns/<b>', ports: 'TCP 80', explanation: 'why <here>' }],
  connectionsLeftOut: 2,
  domains: [{ src: 'ns/a', domain: '*.example.com', ports: 'TCP 443' }],
};

const dir = mkdtempSync(join(tmpdir(), 'netfence-report-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function embedded(html: string): {
  model: { summary: { workloads: number }; features: { static: boolean; flows: boolean } };
  lint: { summary: { errors: number } };
  exposure: Record<string, unknown>;
  explanations: Record<string, { text: string }>;
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
    // The size is the file's, in kB of 1,000 bytes (the page is UTF-8: characters are not bytes).
    const kB = /\((\d+) kB\)/.exec(r.stderr)?.[1];
    assert.equal(kB, String(Math.round(statSync(out).size / 1000)));
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

  test('a summary first, and every allowed connection explained, offline', async () => {
    const r = await runCli(['report', 'examples/webshop', '--html', '-']);
    assert.equal(r.code, 0, r.stderr);
    const html = r.stdout;
    const summary = html.slice(
      html.indexOf('<section class="report-summary"'),
      html.indexOf('<div id="app"'),
    );
    assert.match(summary, /<strong>221<\/strong> allowed connections/);
    assert.match(summary, /<strong>16<\/strong> workloads/);
    assert.match(
      summary,
      /<span class="sev-error">6 errors<\/span> · <span class="sev-warning">14 warnings<\/span> · 0 info/,
    );
    // The example's weaknesses: shop has no egress policy, monitoring/grafana no policy at all.
    assert.match(summary, /<tr><td>shop\/web<\/td><td>egress<\/td><\/tr>/);
    assert.match(summary, /<tr><td>monitoring\/grafana<\/td><td>ingress, egress<\/td><\/tr>/);
    assert.match(
      summary,
      /Largest blast radius<\/h2>\n<table>.*<tbody><tr><td>monitoring\/prometheus<\/td><td>15<\/td><td>13<\/td>/s,
    );
    // Every allowed connection is explained, in the page and for the app's edge panel.
    const data = embedded(html);
    assert.equal(Object.keys(data.explanations).length, 221);
    assert.match(
      data.explanations['shop/Deployment/web payments/Deployment/payment-gateway']!.text,
      /ALLOWED on 50051\/TCP/,
    );
    assert.equal(html.match(/<details><summary>/g)?.length, 221);
    assert.match(
      html,
      /<summary>shop\/web → payments\/payment-gateway: TCP 50051<\/summary><pre>shop\/web → payments\/payment-gateway: ALLOWED/,
    );
  });

  test('DNS names are counted apart, as analyze counts them, in the summary and the embedded model', async () => {
    const analyze = await runCli(['analyze', 'test/fixtures/tiers', '-o', 'json']);
    assert.equal(analyze.code, 0, analyze.stderr);
    const counts = (JSON.parse(analyze.stdout) as { summary: { connections: number; domains: number } })
      .summary;
    assert.deepEqual(counts, { ...counts, connections: 33, domains: 6 });
    const r = await runCli(['report', 'test/fixtures/tiers', '--html', '-']);
    assert.equal(r.code, 0, r.stderr);
    const summary = r.stdout.slice(0, r.stdout.indexOf('<div id="app"'));
    assert.match(
      summary,
      /<li><strong>33<\/strong> allowed connections<\/li>\n<li><strong>6<\/strong> by DNS name<\/li>/,
    );
    assert.match(summary, /<h2>Reach by DNS name \(6\)<\/h2>/);
    assert.match(
      summary,
      /<tr><td>tenant-a\/web<\/td><td>api\.example\.com \(by DNS name\)<\/td><td>TCP 443<\/td><\/tr>/,
    );
    const model = (
      JSON.parse(/id="netfence-data">(.*?)<\/script>/s.exec(r.stdout)![1]!) as {
        model: { summary: { connections: number; domains: number }; domains: unknown[] };
      }
    ).model;
    assert.equal(model.summary.connections, counts.connections);
    assert.equal(model.summary.domains, counts.domains);
    assert.equal(model.domains.length, counts.domains);
  });

  test('a workload a cluster policy denies something in is protected in that direction', async () => {
    const r = await runCli(['report', 'test/fixtures/serve-tiers', '--html', '-']);
    assert.equal(r.code, 0, r.stderr);
    const summary = r.stdout.slice(0, r.stdout.indexOf('<div id="app"'));
    // dev/app: no NetworkPolicy, but the BaselineAdminNetworkPolicy denies its ingress; shop/web: the Admin
    // tier denies sandbox. Neither egress is restricted by anything; monitoring/prom by nothing at all.
    assert.match(summary, /<tr><td>dev\/app<\/td><td>egress<\/td><\/tr>/);
    assert.match(summary, /<tr><td>shop\/web<\/td><td>egress<\/td><\/tr>/);
    assert.match(summary, /<tr><td>monitoring\/prom<\/td><td>ingress, egress<\/td><\/tr>/);
    assert.match(
      summary,
      /a NetworkPolicy or a Cilium rule set in default deny isolates it, or a cluster policy denies some of its traffic/,
    );
  });

  test('a Cilium deny rule alone protects nothing; the cards count the Cilium policies', async () => {
    const r = await runCli(['report', 'examples/cilium', '--html', '-']);
    assert.equal(r.code, 0, r.stderr);
    const summary = r.stdout.slice(0, r.stdout.indexOf('<div id="app"'));
    // The CiliumClusterwideNetworkPolicy deny-cloud-metadata denies one /32 of every pod's egress: those
    // directions stay unprotected, marked as restricted by deny rules only.
    assert.match(summary, /<li><strong>4<\/strong> Cilium policies<\/li>/);
    assert.match(summary, /<li><strong>4<\/strong> unprotected workloads<\/li>/);
    assert.match(summary, /<tr><td>news\/web<\/td><td>egress \(only Cilium deny rules\)<\/td><\/tr>/);
    assert.match(
      summary,
      /<tr><td>kube-system\/coredns<\/td><td>ingress, egress \(only Cilium deny rules\)<\/td><\/tr>/,
    );
    assert.match(
      summary,
      /cluster policies' <code>domainNames<\/code> or Cilium <code>toFQDNs<\/code> rules/,
    );
  });

  test('does not replace an existing file without --force', async () => {
    const out = join(dir, 'exists.html');
    writeFileSync(out, 'mine');
    const refused = await runCli(['report', 'examples/webshop', '--html', out]);
    assert.equal(refused.code, 2);
    assert.equal(refused.stderr, `netfence: "${out}" exists; add --force to replace it\n`);
    assert.equal(readFileSync(out, 'utf8'), 'mine');
    const forced = await runCli(['report', 'examples/webshop', '--html', out, '--force']);
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(readFileSync(out, 'utf8'), /^<!doctype html>/);
    rmSync(out);
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

  test('every reference of the template is replaced; the summary comes first, the explanations after', () => {
    const html = renderHtmlReport({
      indexHtml:
        '<title>netfence</title><link rel="stylesheet" href="app.css" /><script src="app.js"></script><body><div id="app"></div><!--netfence:data--></body>',
      css: 'body{}',
      js: 'run()',
      data: { x: 1 },
      title: 'netfence report · <a & b>',
      summary: SUMMARY,
    });
    assert.ok(
      html.startsWith(
        '<title>netfence report · &lt;a &amp; b&gt;</title><style>\nbody{}\n</style><script>\nrun()\n</script><body class="report">\n<section class="report-summary" id="summary">',
      ),
      html,
    );
    assert.ok(
      html.endsWith('<script type="application/json" id="netfence-data">{"x":1}</script></body>'),
      html,
    );
    const order = ['id="summary"', '<div id="app">', 'id="why"', 'id="netfence-data"'].map((m) =>
      html.indexOf(m),
    );
    assert.deepEqual(
      order,
      [...order].sort((a, b) => a - b),
    );
    assert.ok(!order.includes(-1));
    // Names are text, never markup.
    assert.match(html, /<td>ns\/&lt;b&gt;<\/td><td>ingress, egress<\/td>/);
    assert.match(html, /<li><strong>1<\/strong> unprotected workload<\/li>/);
    assert.doesNotMatch(html, /Cilium policies<\/li>/);
    assert.match(html, /<summary>ns\/a → ns\/&lt;b&gt;: TCP 80<\/summary><pre>why &lt;here&gt;<\/pre>/);
    assert.match(html, /2 more connections not explained here/);
    assert.throws(
      () => renderHtmlReport({ indexHtml: '<html>', css: '', js: '', data: {}, title: '', summary: SUMMARY }),
      /the UI template has no/,
    );
  });
});
