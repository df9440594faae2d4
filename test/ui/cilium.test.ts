/**
 * The web UI on examples/cilium (NetworkPolicies and Cilium policies together), in headless Chromium, as a user
 * would: the inspector of a workload says who can reach it and whom it can reach with the Cilium rules as
 * `netfence exposure` says them, lists the Cilium policies selecting it, and a connection Cilium's proxy filters
 * is "allowed at L4, filtered at L7 by <policy>" on the graph's edge, in the connection lists, in the edge's
 * inspector and in the Matrix: never plainly allowed (issue #17).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { browserMissing, edgeOf, graphOf, saveShot, startUi, type UiSession } from './browser.ts';

const skip = browserMissing();
let ui: UiSession;
let page: Page;

const API = 'news/Deployment/api';
const WEB = 'news/Deployment/web';
const FETCHER = 'news/Deployment/feed-fetcher';
const COREDNS = 'kube-system/Deployment/coredns';
const CNP = 'CiliumNetworkPolicy/news/api-from-web';
const CCNP = 'CiliumClusterwideNetworkPolicy/deny-cloud-metadata';
const L7 = `allowed at L4, filtered at L7 on TCP 8080 by ${CNP}`;

const open = (hash: string): Promise<void> => ui.open(hash);
const sel = (what: string): string => `#/graph?sel=${encodeURIComponent(what)}`;

const shot = (name: string): Promise<void> => saveShot(page, name);

/** The text of one section of the inspector, by its title. */
async function sectionText(title: string): Promise<string> {
  const s = page.locator('.inspector .insp-section', { has: page.locator('h3', { hasText: title }) });
  await s.first().waitFor();
  return s.first().innerText();
}

describe('the web UI with Cilium policies (examples/cilium)', { skip }, () => {
  before(async () => {
    ui = await startUi(['examples/cilium']);
    page = ui.page;
  });
  after(() => ui?.close());

  test('a workload Cilium rules let in: who can reach it and whom it can reach, as exposure says', async () => {
    await open(sel(`node:${API}`));
    const reachable = await sectionText('Reachable from');
    // Not "Nothing: isolated by …" above the very connection Cilium allows.
    assert.doesNotMatch(reachable, /Nothing/);
    assert.match(
      reachable,
      /Cilium rules\s+allowed from endpoints labelled app=web in namespace news on 8080\/TCP, filtered at L7 \(http\)\s+by CiliumNetworkPolicy\/news\/api-from-web spec\.ingress\[0\] · examples\/cilium\/policies\/cilium\.yaml:29 · today: news\/web/,
    );
    const reach = await sectionText('Can reach');
    assert.match(
      reach,
      /Anywhere \(not isolated for egress\) but for what Cilium rules deny:\s+Cilium rules\s+denied to CIDR 169\.254\.169\.254\//,
    );
    assert.match(
      reach,
      /by CiliumClusterwideNetworkPolicy\/deny-cloud-metadata spec\.egressDeny\[0\] .* · today: none/,
    );
    assert.doesNotMatch(reach, /no policy restricts its egress/);
    // The chips agree: egress is restricted by a deny rule, and the hover says so.
    const egress = page.locator('.inspector .badge', { hasText: 'egress: restricted' });
    assert.match((await egress.getAttribute('title')) ?? '', /a deny rule denies some of it/);
    // Selected by: the NetworkPolicy and both Cilium kinds.
    assert.match(
      await sectionText('Selected by'),
      /news\/default-deny-ingress\s+CiliumNetworkPolicy\/news\/api-from-web\s+CiliumClusterwideNetworkPolicy\/deny-cloud-metadata/,
    );
    // The incoming connection is filtered at L7, not plainly allowed.
    assert.match(
      await sectionText('Incoming connections'),
      new RegExp(`← news/web TCP 8080 \\(${esc(L7)}\\)`),
    );
    await shot('cilium-workload');
  });

  test('a workload isolated with no rule allowing any still says "Nothing", and its Cilium egress rules', async () => {
    await open(sel(`node:${FETCHER}`));
    assert.match(
      await sectionText('Reachable from'),
      /^Reachable from\s+Nothing: isolated by news\/default-deny-ingress, and no rule allows any\.$/i,
    );
    const reach = await sectionText('Can reach');
    assert.match(
      reach,
      /allowed to endpoints labelled k8s-app=kube-dns in namespace kube-system on 53\/TCP, 53\/UDP, 53\/SCTP, filtered at L7 \(dns\)/,
    );
    assert.match(
      reach,
      /allowed to DNS name feeds\.agency\.example or DNS names matching \*\.wire\.example on 443\/TCP/,
    );
    assert.match(
      await sectionText('Outgoing connections'),
      /→ kube-system\/coredns TCP 53; UDP 53; SCTP 53 \(allowed at L4, filtered at L7 on TCP 53; UDP 53; SCTP 53 by CiliumNetworkPolicy\/news\/feed-fetcher-egress\)/,
    );
    // The names it reaches come from a Cilium toFQDNs rule, not a cluster policy.
    assert.match(
      await sectionText('Reaches by DNS name'),
      /a Cilium toFQDNs rule.*the addresses depend on DNS resolution/s,
    );
    await open(sel('node:dns:feeds.agency.example'));
    await page.locator('.inspector h2', { hasText: 'feeds.agency.example (by DNS name)' }).waitFor();
    assert.match(await page.locator('.inspector').innerText(), /named by a policy \(a Cilium toFQDNs rule/);
  });

  test('the edge Cilium filters at L7 says so on its label and its hover', async () => {
    await open('#/graph');
    const g = await graphOf(page);
    const e = edgeOf(g, `${WEB}>${API}`);
    assert.equal(e.label, 'TCP 8080 · filtered at L7');
    assert.equal(edgeOf(g, `${FETCHER}>${COREDNS}`).label, 'TCP 53 · UDP 53 · SCTP 53 · filtered at L7');
    const box = await page.locator('.canvas').first().boundingBox();
    assert.ok(box);
    await page.mouse.move(box.x + e.midpoint.x, box.y + e.midpoint.y);
    await page.locator('.tooltip:not([hidden])').waitFor();
    assert.equal(await page.locator('.tooltip').innerText(), `1 connection: TCP 8080, ${L7}`);
    assert.match(
      await page.locator('.legend').innerText(),
      /destination by DNS name: a policy \(toFQDNs, domainNames\) allows the name; the addresses depend on DNS resolution/,
    );
    await shot('cilium-graph');
  });

  test("the edge's inspector: allowed at L4, filtered at L7, and the Cilium rules of each side", async () => {
    await open(sel(`edge:${WEB}>${API}`));
    const inspector = page.locator('.inspector');
    await inspector.locator('.l7-note').first().waitFor();
    const text = await inspector.innerText();
    assert.match(text, new RegExp(`Allowed at L4, filtered at L7 by ${esc(CNP)}`));
    assert.match(
      text,
      /http rules on TCP 8080: CiliumNetworkPolicy\/news\/api-from-web spec\.ingress\[0\]\.toPorts\[0\]/,
    );
    assert.match(
      text,
      /Ingress of news\/api[\s\S]*Cilium rules\s+default deny by CiliumNetworkPolicy\/news\/api-from-web spec · examples\/cilium\/policies\/cilium\.yaml:24\s+✓ CiliumNetworkPolicy\/news\/api-from-web spec\.ingress\[0\] · examples\/cilium\/policies\/cilium\.yaml:29\s+allows TCP 8080 \(endpoint selector\)/i,
    );
    assert.match(
      text,
      new RegExp(`Egress of news/web[\\s\\S]*selected, default deny off, by ${esc(CCNP)} spec`, 'i'),
    );
    await shot('cilium-edge');
    // A Cilium policy is a click away, with what it selects.
    await inspector.getByRole('button', { name: CNP }).first().click();
    await page.locator('.inspector h2', { hasText: CNP }).waitFor();
    const policy = await page.locator('.inspector').innerText();
    assert.match(policy, /examples\/cilium\/policies\/cilium\.yaml:19 · CiliumNetworkPolicy/);
    assert.match(policy, /Default deny for ingress/);
    assert.match(policy, /Selects \(1\)\s+news\/api/i);
    assert.match(
      policy,
      /YAML\s+#[^\n]*\s+apiVersion: cilium\.io\/v2\s+kind: CiliumNetworkPolicy\s+metadata:\s+name: api-from-web/i,
    );
    assert.equal(
      await page.locator('.inspector a', { hasText: 'Edit in what-if' }).getAttribute('href'),
      `#/whatif?policy=${encodeURIComponent(CNP)}`,
    );
  });

  test('the Matrix marks the cells Cilium filters at L7', async () => {
    await ui.open('#/matrix?level=workload', false);
    const cell = page.getByRole('button', { name: /TCP 8080\s*L7/ });
    await cell.first().waitFor();
    assert.equal(await cell.count(), 1);
    assert.equal(
      await cell.getAttribute('title'),
      'news/web → news/api: TCP 8080 (allowed at L4, filtered at L7)',
    );
    await ui.open('#/matrix', false);
    const ns = page.locator('table.matrix td button[title^="news → news:"]');
    assert.match(await ns.innerText(), /^1\s*L7$/);
    assert.match(
      (await ns.getAttribute('title')) ?? '',
      /: 1 of 9 workload pairs \(allowed at L4, filtered at L7\)$/,
    );
    assert.match(
      await page.locator('.legend').innerText(),
      /L7 allowed at L4, filtered at L7 by a Cilium policy/,
    );
    await shot('cilium-matrix');
  });

  test('no page errors', () => {
    assert.deepEqual(ui.problems, []);
  });
});

function esc(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
