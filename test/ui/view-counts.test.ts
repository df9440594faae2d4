/**
 * The counts of the Matrix and the Attack paths views on the bundled example (examples/webshop) are the CLI's,
 * one number one meaning: a namespace-level cell of the matrix counts `analyze -o json`'s connections between
 * the two groups (a workload's own connections on the diagonal, as `within` counts them); the hop groups of an
 * attack path count what `paths --from` counts by hop, and the blast-radius ranking is `paths -o json`'s, in
 * its order, with its reach and direct reach.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { AnalyzeJson } from '../../src/contract/analyze.ts';
import type { EntityRefJson } from '../../src/contract/common.ts';
import type { PathsRankJson, PathsReachJson } from '../../src/contract/paths.ts';
import { runCli } from '../support/cli.ts';
import { browserMissing, startUi, type UiSession } from './browser.ts';

const skip = browserMissing();

async function cliJson<T>(args: string[]): Promise<T> {
  const r = await runCli([...args, '-o', 'json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as T;
}

describe('the Matrix and Attack paths views count as analyze and paths do', { skip }, () => {
  let ui: UiSession;
  before(async () => {
    ui = await startUi(['examples/webshop']);
  });
  after(async () => {
    await ui.close();
  });

  test("each namespace-level cell of the matrix counts analyze's connections between the two groups", async () => {
    const json = await cliJson<AnalyzeJson>(['analyze', 'examples/webshop']);
    const group = (p: EntityRefJson): string =>
      'workload' in p ? p.workload.split('/')[0]! : 'outside the cluster';
    const expected = new Map<string, number>();
    const add = (key: string): void => void expected.set(key, (expected.get(key) ?? 0) + 1);
    for (const c of json.connections)
      for (const s of c.src)
        for (const d of c.dst) if (JSON.stringify(s) !== JSON.stringify(d)) add(`${group(s)} → ${group(d)}`);
    for (const w of json.within) for (const m of w.members) add(`${group(m)} → ${group(m)}`);
    assert.equal(
      [...expected.values()].reduce((a, b) => a + b, 0),
      json.summary.connections,
    );

    await ui.open('#/matrix', false);
    const table = ui.page.locator('table.matrix');
    await table.waitFor();
    // Every cell with connections, by its hover text (`shop → data: 7 of 15 workload pairs`).
    const titles: (string | null)[] = [];
    for (const b of await table.locator('td button').all()) titles.push(await b.getAttribute('title'));
    const shown = new Map<string, number>();
    for (const t of titles) {
      const m = /^(.+): (\d+) of \d+ workload(?:–address-range)? pairs/.exec(t ?? '');
      assert.ok(m, t ?? '');
      shown.set(m[1]!, Number(m[2]));
    }
    assert.deepEqual(shown, expected);
    // And the cell's text is its count.
    assert.deepEqual(
      (await table.locator('td button').allInnerTexts()).map(Number),
      titles.map((t) => Number(/: (\d+) of /.exec(t ?? '')?.[1])),
    );
    assert.deepEqual(ui.problems, []);
  });

  test('the hop groups of an attack path count what paths --from counts by hop', async () => {
    const json = await cliJson<PathsReachJson>(['paths', 'examples/webshop', '--from', 'shop/web']);
    await ui.open('#/paths?from=shop/Deployment/web');
    await ui.page.locator('.graph-status', { hasText: 'reachable' }).waitFor();
    // Their text (the style writes it in capitals).
    const heads = await ui.page.locator('.reached .hop-group h3').allTextContents();
    assert.deepEqual(
      Object.fromEntries(
        heads.map((t) => {
          const m = /^hop (\d+) \((\d+)\)$/.exec(t.trim());
          assert.ok(m, t);
          return [m[1]!, Number(m[2])];
        }),
      ),
      json.summary.byHops,
    );
    assert.deepEqual(ui.problems, []);
  });

  test("the ranking by blast radius is paths' own: its order, reach and direct reach", async () => {
    const json = await cliJson<PathsRankJson>(['paths', 'examples/webshop']);
    const model = (await (await fetch(`${ui.served.origin}/api/model`)).json()) as {
      workloads: { id: string; displayName: string }[];
    };
    const name = new Map(model.workloads.map((w) => [w.id, w.displayName]));
    await ui.open('#/paths');
    const items = ui.page.locator('.inspector ol.ranking li');
    await items.first().waitFor();
    assert.deepEqual(
      await items.allInnerTexts(),
      json.workloads
        .slice(0, 25)
        .map(
          (w) =>
            `${name.get(w.workload) ?? w.workload} reaches ${w.reach} (${w.direct} directly)${w.entryPoint === null ? '' : ' · entry point from outside'}`,
        ),
    );
    assert.deepEqual(ui.problems, []);
  });
});
