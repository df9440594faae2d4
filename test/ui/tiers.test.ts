/**
 * The web UI on a cluster with cluster policy tiers (test/fixtures/serve-tiers), in headless Chromium, as a
 * user would: edges an Admin tier rule accepted are drawn apart, the inspector says which layer decided each
 * side of an allowed and of a denied pair, lists the cluster policies selecting a workload, and a what-if that
 * adds a ClusterNetworkPolicy deny removes the edges it denies.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import {
  browserMissing,
  edgeOf,
  graphOf,
  saveShot,
  startUi,
  type GraphSnapshot,
  type UiSession,
} from './browser.ts';

const skip = browserMissing();
let ui: UiSession;
let page: Page;

const PROM = 'monitoring/Deployment/prom';
const DB = 'shop/Deployment/db';
const API = 'shop/Deployment/api';
const WEB = 'shop/Deployment/web';
const TOOL = 'sandbox/Deployment/tool';

const graph = (): Promise<GraphSnapshot> => graphOf(page);
const open = (hash: string): Promise<void> => ui.open(hash);
const edge = edgeOf;

const shot = (name: string): Promise<void> => saveShot(page, name);

/** Serves a fixture and opens a fresh browser page on it. */
async function start(fixture: string): Promise<void> {
  ui = await startUi([fixture]);
  page = ui.page;
}

const stop = (): Promise<void> | undefined => ui?.close();

describe('the web UI with cluster policy tiers', { skip }, () => {
  before(() => start('test/fixtures/serve-tiers'));
  after(stop);

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

  test('who can reach a workload: the Admin tier rules first, then its NetworkPolicies, then the Baseline tier', async () => {
    await open(`#/graph?sel=${encodeURIComponent(`node:${DB}`)}`);
    const reach = page.locator('.inspector .insp-section', { hasText: 'Reachable from' });
    await reach.locator('.tier-exposure').waitFor();
    const text = await reach.innerText();
    assert.match(
      text,
      /Admin tier \(before NetworkPolicies\)\s+denied from any pod in namespace sandbox, on all ports\s+by ClusterNetworkPolicy\/guardrails rule "no-sandbox" spec\.ingress\[0\]\.from\[0\] · test\/fixtures\/serve-tiers\/cluster-policies\.yaml:17 · today: sandbox\/tool\s+allowed from any pod in namespace monitoring, on 9090\/TCP/,
    );
    assert.match(text, /passed on to NetworkPolicies from any pod in namespaces labelled env=prod/);
    assert.match(
      text,
      /NetworkPolicies\s+Isolated by shop\/db-from-api: they decide what the Admin tier passes or leaves\.\s+pods labelled app=api in namespace shop, on 5432\/TCP/,
    );
    // dev/app: no NetworkPolicy, the BaselineAdminNetworkPolicy denies; restricted all the same.
    await open(`#/graph?sel=${encodeURIComponent('node:dev/Deployment/app')}`);
    const dev = page.locator('.inspector .insp-section', { hasText: 'Reachable from' });
    await dev.locator('.tier-exposure').waitFor();
    assert.match(
      await dev.innerText(),
      /NetworkPolicies\s+Not isolated for ingress: on to the Baseline tier\.\s+Baseline tier \(after NetworkPolicies\)\s+denied from any pod in the cluster, on all ports\s+by BaselineAdminNetworkPolicy\/default/,
    );
    const badge = page.locator('.inspector .badge', { hasText: 'ingress:' });
    assert.equal(await badge.innerText(), 'ingress: restricted');
    assert.match(
      (await badge.getAttribute('title')) ?? '',
      /A NetworkPolicy isolates it, or a cluster policy denies some of it/,
    );
    // Nothing tiered about its egress: the plain words.
    assert.match(
      await page.locator('.inspector .insp-section', { hasText: 'Can reach' }).innerText(),
      /Anywhere \(no policy restricts its egress\)\./,
    );
  });

  test('grouped by a label, the legend and the hints speak of groups, not namespaces', async () => {
    await open('#/graph');
    assert.match(
      await page.locator('.legend').innerText(),
      /Double-click a namespace to collapse or expand it/,
    );
    assert.match(await page.locator('.legend').innerText(), /between collapsed namespaces/);
    await open('#/graph?group=label:app');
    const legend = await page.locator('.legend').innerText();
    assert.match(legend, /Double-click a group \(workloads with the same app\) to collapse or expand it/);
    assert.match(legend, /between collapsed groups/);
    assert.doesNotMatch(legend, /namespace/);
    assert.match(
      await page.locator('.inspector').innerText(),
      /Double-click a group \(workloads with the same app\)/,
    );
    // No DNS name here: no entry for them.
    assert.doesNotMatch(legend, /DNS name/);
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
    // The policy counts and the list of changes have the cluster policy, as diff does.
    assert.match(await page.locator('#whatif-summary').innerText(), / · cluster policies: 1 added$/);
    assert.equal(
      await page.locator('.policy-changes').innerText(),
      '+ ClusterNetworkPolicy/no-monitoring (Admin, priority 1)',
    );
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
    assert.match(await page.locator('#whatif-summary').innerText(), /cluster policies: 1 removed/);
    assert.equal(
      await page.locator('.policy-changes').innerText(),
      '− ClusterNetworkPolicy/guardrails (Admin, priority 10)',
    );
    const g = await graph();
    assert.ok(edge(g, `${TOOL}>${WEB}`).classes.includes('ch-added'));
    // Without the Accept, db's NetworkPolicy decides: monitoring no longer reaches it.
    assert.ok(edge(g, `${PROM}>${DB}`).classes.includes('ch-removed'));
    await page.locator('.policy-list .pill.off').waitFor();
  });

  test('no page errors', () => {
    assert.deepEqual(ui.problems, []);
  });
});

describe('the web UI with destinations by DNS name', { skip }, () => {
  const A_WEB = 'tenant-a/Deployment/web';
  const B_WEB = 'tenant-b/Deployment/web';

  before(() => start('test/fixtures/tiers'));
  after(stop);

  test('the names are drawn as destinations of their own, counted apart as analyze counts them', async () => {
    await open('#/graph');
    // analyze: `33 allowed connections in 15 rows, plus 6 by DNS name`.
    assert.match(
      await page.locator('header .summary').innerText(),
      /^33 allowed connections, plus 6 by DNS name · /,
    );
    const g = await graph();
    assert.deepEqual(
      g.nodes.filter((n) => n.id.startsWith('dns:')).map((n) => [n.id, n.label]),
      [
        ['dns:*.github.com', '*.github.com (by DNS name)'],
        ['dns:api.example.com', 'api.example.com (by DNS name)'],
      ],
    );
    // Drawn apart from the address ranges, which stay collapsed.
    assert.ok(g.nodes.some((n) => n.id === 'outside'));
    assert.ok(edge(g, `${A_WEB}>dns:api.example.com`).classes.includes('by-name'));
    assert.ok(edge(g, `${B_WEB}>dns:*.github.com`).classes.includes('by-name'));
    assert.equal(g.edges.filter((e) => e.id.includes('>dns:')).length, 6);
    assert.match(
      await page.locator('.graph-status').innerText(),
      /^5 workloads in 4 namespaces, 12 lines drawn \(14 connections\), plus 6 by DNS name, 19 unrestricted hidden$/,
    );
    assert.match(
      await page.locator('.legend').innerText(),
      /destination by DNS name: a policy \(toFQDNs, domainNames\) allows the name; the addresses depend on DNS resolution/,
    );
    await shot('tiers-dns-graph');
    // Hiding what is outside the cluster hides them too.
    await open('#/graph?ext=0');
    assert.equal((await graph()).nodes.filter((n) => n.id.startsWith('dns:')).length, 0);
    assert.doesNotMatch(await page.locator('.legend').innerText(), /DNS name/);
  });

  test('a workload lists the names it reaches; a name lists who reaches it', async () => {
    await open(`#/graph?sel=${encodeURIComponent(`node:${A_WEB}`)}`);
    const section = page.locator('.inspector .insp-section', { hasText: 'Reaches by DNS name' });
    await section.waitFor();
    assert.match(
      await section.innerText(),
      /Reaches by DNS name \(2\)\s+→ \*\.github\.com \(by DNS name\) TCP 443\s+→ api\.example\.com \(by DNS name\) TCP 443/i,
    );
    await section.getByRole('button', { name: '→ api.example.com (by DNS name)' }).click();
    await page.locator('.inspector h2', { hasText: 'api.example.com (by DNS name)' }).waitFor();
    assert.match(await page.locator('.inspector').innerText(), /Allowed from \(1\)\s+tenant-a\/web TCP 443/i);
    await open(`#/graph?sel=${encodeURIComponent('node:dns:api.example.com')}`);
    await page.locator('.inspector h2', { hasText: 'api.example.com (by DNS name)' }).waitFor();
    assert.match(
      await page.locator('.inspector').innerText(),
      /Allowed from \(3\)\s+tenant-a\/api TCP 443\s+tenant-a\/web TCP 443\s+tenant-b\/web TCP 443/i,
    );
    await page.locator('.inspector').getByRole('button', { name: 'tenant-b/web' }).click();
    await page.locator('.inspector h2', { hasText: 'tenant-b/web' }).waitFor();
  });

  test('no page errors either', () => {
    assert.deepEqual(ui.problems, []);
  });
});
