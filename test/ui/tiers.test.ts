/**
 * The web UI on a cluster with cluster policy tiers (test/fixtures/serve-tiers), in headless Chromium, as a
 * user would: edges an Admin tier rule accepted are drawn apart, the inspector says which layer decided each
 * side of an allowed and of a denied pair, lists the cluster policies selecting a workload, and a what-if that
 * adds a ClusterNetworkPolicy deny removes the edges it denies.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { serve, type Served } from '../server/serve.ts';
import {
  browserMissing,
  edgeOf,
  graphOf,
  launch,
  openRoute,
  recordProblems,
  type GraphSnapshot,
  type Launched,
} from './browser.ts';

const ARTIFACTS = 'test-artifacts/ui';

const skip = browserMissing();
let served: Served;
let browser: Launched;
let page: Page;
const problems: string[] = [];

const PROM = 'monitoring/Deployment/prom';
const DB = 'shop/Deployment/db';
const API = 'shop/Deployment/api';
const WEB = 'shop/Deployment/web';
const TOOL = 'sandbox/Deployment/tool';

const graph = (): Promise<GraphSnapshot> => graphOf(page);
const open = (hash: string): Promise<void> => openRoute(page, served.url, hash);
const edge = edgeOf;

async function shot(name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.mouse.move(1, 899);
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
}

describe('the web UI with cluster policy tiers', { skip }, () => {
  before(async () => {
    served = await serve(['test/fixtures/serve-tiers', '--port', '0']);
    browser = await launch({ width: 1440, height: 900 });
    page = await browser.context.newPage();
    recordProblems(page, problems);
  });

  after(async () => {
    await browser?.close();
    await served?.stop();
  });

  test('an edge an Admin tier rule accepted is drawn apart, and the legend says so', async () => {
    await open('#/graph');
    const g = await graph();
    assert.ok(edge(g, `${PROM}>${DB}`).classes.includes('tier-admin'));
    // Allowed by the NetworkPolicy (after a Pass): drawn as any restricted connection.
    assert.ok(!edge(g, `${API}>${DB}`).classes.includes('tier-admin'));
    assert.equal(
      g.edges.some((e) => e.id === `${TOOL}>${WEB}`),
      false,
    );
    assert.match(await page.locator('.legend').innerText(), /accepted by an Admin-tier cluster policy/);
    // Hovering a connection says what allowed each direction.
    const box = await page.locator('.canvas').first().boundingBox();
    assert.ok(box);
    const at = edge(g, `${PROM}>${DB}`).midpoint;
    await page.mouse.move(box.x + at.x, box.y + at.y);
    await page.locator('.tooltip:not([hidden])').waitFor();
    assert.equal(
      await page.locator('.tooltip').innerText(),
      '1 connection: TCP 9090 (egress allowed by default (no policy); ingress allowed by Admin: ClusterNetworkPolicy/guardrails rule 1 (Accept))',
    );
    await shot('tiers-graph');
  });

  test('the inspector walks each side of an allowed pair through the tiers, down to the rule', async () => {
    await open(`#/graph?sel=${encodeURIComponent(`edge:${PROM}>${DB}`)}`);
    const inspector = page.locator('.inspector');
    await inspector.getByText('Through the tiers').first().waitFor();
    const text = await inspector.innerText();
    assert.match(text, /Allowed on TCP 9090 only/);
    assert.match(
      text,
      /✓ 9090\/TCP: \[Admin\] cnp\/guardrails ingress rule 1 "scrape" Accept \(test\/fixtures\/serve-tiers\/cluster-policies\.yaml:20\) → allowed\s+ClusterNetworkPolicy\/guardrails/,
    );
    assert.match(
      text,
      /✗ 1-9089\/TCP, 9091-65535\/TCP, all UDP ports, all SCTP ports: \[Admin\] no rule matches/,
    );
    // The deciding cluster policy is a click away.
    await inspector.getByRole('button', { name: 'ClusterNetworkPolicy/guardrails' }).first().click();
    await page.locator('.inspector h2', { hasText: 'ClusterNetworkPolicy/guardrails' }).waitFor();
  });

  test('and of a denied pair', async () => {
    await open(`#/graph?sel=${encodeURIComponent(`edge:${TOOL}>${WEB}`)}`);
    const inspector = page.locator('.inspector');
    await inspector.getByText('Through the tiers').first().waitFor();
    const text = await inspector.innerText();
    assert.match(text, /Denied on every port/);
    assert.match(
      text,
      /✗ all ports: \[Admin\] cnp\/guardrails ingress rule 0 "no-sandbox" Deny \(test\/fixtures\/serve-tiers\/cluster-policies\.yaml:14\) → denied/,
    );
    await shot('tiers-explain');
  });

  test('a workload lists the cluster policies selecting it, with tier, priority and rules', async () => {
    await open(`#/graph?sel=${encodeURIComponent(`node:${DB}`)}`);
    const section = page.locator('.inspector .insp-section', { hasText: 'Cluster policies' });
    await section.waitFor();
    const text = await section.innerText();
    assert.match(
      text,
      /ClusterNetworkPolicy\/guardrails\s+Admin tier \(before NetworkPolicies\), priority 10/,
    );
    assert.match(text, /rule 0 · Deny "no-sandbox" namespaces kubernetes\.io\/metadata\.name=sandbox/);
    assert.match(
      text,
      /ClusterNetworkPolicy\/no-dev-into-prod\s+Baseline tier \(after NetworkPolicies\), priority 10/,
    );
    await shot('tiers-inspect');
    // A click shows the policy itself.
    await section.getByRole('button', { name: 'ClusterNetworkPolicy/shop-internal' }).click();
    await page.locator('.inspector h2', { hasText: 'ClusterNetworkPolicy/shop-internal' }).waitFor();
    assert.match(await page.locator('.inspector').innerText(), /Subject: namespaces env=prod/);
  });

  test('a what-if that adds a ClusterNetworkPolicy deny removes the edges it denies', async () => {
    await open('#/whatif');
    await page.locator('#whatif-summary', { hasText: 'No changes yet' }).waitFor();
    assert.match(
      await page.locator('.policy-list').innerText(),
      /\(cluster-wide\)\s+CNP guardrails\s+CNP shop-internal\s+CNP no-dev-into-prod\s+BANP default/i,
    );
    await page.getByRole('button', { name: 'New cluster policy' }).click();
    await page.locator('.cm-content').waitFor();
    await page.locator('.cm-content').click();
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText(readFileSync('test/fixtures/serve-tiers-no-monitoring.yaml', 'utf8'));
    await page.locator('#whatif-summary', { hasText: '−3 removed' }).waitFor();
    const g = await graph();
    assert.ok(edge(g, `${PROM}>${DB}`).classes.includes('ch-removed'));
    assert.deepEqual(
      edge(g, `${API}>${DB}`).classes.filter((c) => c.startsWith('ch-')),
      [],
    );
    await shot('tiers-whatif');
    // An invalid priority: the problem at its line, and nothing applied.
    await page.locator('.cm-content').click();
    await page.keyboard.press('Control+End');
    await page.keyboard.press('Control+Home');
    const yaml = await page.locator('.cm-content').innerText();
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText(yaml.replace('priority: 1', 'priority: 5000'));
    await page.locator('.problems li', { hasText: 'line 8' }).waitFor();
    assert.match(await page.locator('.problems').innerText(), /spec\.priority/);
  });

  test('a cluster policy opens in what-if from its inspector, and turning it off adds what it denied', async () => {
    await open(`#/graph?sel=${encodeURIComponent('policy:ClusterNetworkPolicy/guardrails')}`);
    await page.locator('.inspector a', { hasText: 'Edit in what-if' }).click();
    await page.locator('.cm-content', { hasText: 'name: no-sandbox' }).waitFor();
    assert.match(await page.locator('.cm-content').innerText(), /priority: 10 # first of the Admin tier/);
    await page.getByRole('checkbox', { name: 'Turn off ClusterNetworkPolicy/guardrails' }).click();
    await page.locator('#whatif-summary', { hasText: '+2 added' }).waitFor();
    const g = await graph();
    assert.ok(edge(g, `${TOOL}>${WEB}`).classes.includes('ch-added'));
    // Without the Accept, db's NetworkPolicy decides: monitoring no longer reaches it.
    assert.ok(edge(g, `${PROM}>${DB}`).classes.includes('ch-removed'));
    await page.locator('.policy-list .pill.off').waitFor();
  });

  test('no page errors', () => {
    assert.deepEqual(problems, []);
  });
});
