/**
 * The graph's status line on the bundled example (examples/webshop), in headless Chromium: "connections" counts
 * connections, as `analyze`'s header and the page's header do, never lines. A line into the collapsed outside
 * world stands for one connection per address range, a line with an arrow at each end for two: the status line
 * then names lines and connections apart, and what is drawn, within a workload and hidden adds up to `analyze`'s
 * number.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { AnalyzeJson } from '../../src/contract/analyze.ts';
import { runCli } from '../support/cli.ts';
import { browserMissing, startUi, type UiSession } from './browser.ts';

const skip = browserMissing();
let ui: UiSession;
/** `analyze examples/webshop`'s header count: 221. */
let analyzed: number;

/**
 * Asserts that the status line's numbers add up to `analyze`'s: connections drawn, within a workload (not
 * drawn), unrestricted hidden.
 */
function assertAddsUp(status: string): void {
  const num = (re: RegExp): number => Number(re.exec(status)?.[1]?.replace(/,/g, '') ?? 0);
  const drawn =
    num(/\(([\d,]+) connections\)/) ||
    num(/([\d,]+) connections drawn/) ||
    num(/\(([\d,]+) connections between namespaces/) +
      num(/([\d,]+) to or from outside the cluster/) +
      num(/([\d,]+) to or from Nodes' addresses/);
  const within = num(/([\d,]+) within a (?:workload|collapsed namespace)/);
  assert.equal(drawn + within + num(/([\d,]+) unrestricted hidden/), analyzed, status);
}

describe('the status line counts connections as analyze does', { skip }, () => {
  before(async () => {
    const r = await runCli(['analyze', 'examples/webshop']);
    analyzed = Number(/: ([\d,]+) allowed connections/.exec(r.stdout)?.[1]);
    assert.equal(analyzed, 221);
    ui = await startUi(['examples/webshop']);
  });
  after(async () => {
    await ui.close();
  });

  /** Opens the graph at `hash`: its status line is `expected`, and adds up to analyze's number. */
  async function statusIs(hash: string, expected: string): Promise<void> {
    await ui.open(hash);
    const text = await ui.page.locator('.graph-status').innerText();
    assert.equal(text, expected);
    assertAddsUp(text);
    assert.deepEqual(ui.problems, []);
  }

  test('a line into the collapsed outside world is several connections: lines and connections named apart', async () => {
    // 42 lines: 40 of one connection each, and fraud-check → outside and outside → ingress-nginx-controller,
    // which stand for 5 address ranges each.
    await statusIs(
      '#/graph',
      '16 workloads in 6 namespaces, 42 lines drawn (50 connections), 171 unrestricted hidden',
    );
    assert.match(
      await ui.page.locator('header .summary-connections').innerText(),
      /^221 allowed connections$/,
    );
  });

  test("the overview: connections between namespaces are those, the outside world's are counted apart, as in analyze", async () => {
    const groups = ['data', 'ingress-nginx', 'kube-system', 'monitoring', 'payments', 'shop'].map(
      (n) => `ns:${n}`,
    );
    const all = `collapsed=${[...groups, 'outside'].join(',')}`;
    await statusIs(
      `#/graph?${all}`,
      '6 namespaces (16 workloads), 13 links drawn (28 connections between namespaces, 12 to or from outside the cluster), 10 within a collapsed namespace not drawn, 171 unrestricted hidden',
    );
    // Every connection shown: analyze's connections between workloads of two namespaces, and those with an
    // address range at one end.
    const r = await runCli(['analyze', 'examples/webshop', '-o', 'json']);
    const json = JSON.parse(r.stdout) as AnalyzeJson;
    let between = 0;
    let outside = 0;
    const namespace = (p: AnalyzeJson['connections'][number]['src'][number]): string | undefined =>
      'workload' in p ? p.workload.split('/')[0] : undefined;
    for (const c of json.connections)
      for (const s of c.src)
        for (const d of c.dst) {
          if ('external' in s || 'external' in d) outside++;
          else if (namespace(s) !== namespace(d)) between++;
        }
    assert.deepEqual([between, outside], [75, 120]);
    await statusIs(
      `#/graph?open=show&${all}`,
      `6 namespaces (16 workloads), 25 links drawn (${between} connections between namespaces, ${outside} to or from outside the cluster), 26 within a collapsed namespace not drawn`,
    );
  });

  test('expanded, each line is one connection: the status line says connections only', async () => {
    await statusIs(
      '#/graph?collapsed=none',
      '16 workloads in 6 namespaces, 50 connections drawn, 171 unrestricted hidden',
    );
  });

  test("every connection shown: both directions on one line are two connections, a workload's own are counted", async () => {
    await statusIs(
      '#/graph?open=show&collapsed=none',
      '16 workloads in 6 namespaces, 178 lines drawn (218 connections), 3 within a workload not drawn',
    );
  });
});
