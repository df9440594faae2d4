/**
 * Every command on a cluster with all three layers (test/fixtures/tiers: Admin ClusterNetworkPolicies, tenant
 * NetworkPolicies, a Baseline ClusterNetworkPolicy with domainNames, a v1alpha1 BaselineAdminNetworkPolicy,
 * Nodes), end to end from YAML files. The golden files were read line by line against the fixture's README.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { assertGolden, runCli } from '../support/cli.ts';
import type { AnalyzeJson } from '../../src/contract/analyze.ts';
import type { ExposureJson, ExposureItemJson } from '../../src/contract/exposure.ts';

const TIERS = 'test/fixtures/tiers';
const dir = mkdtempSync(join(tmpdir(), 'netfence-tiers-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('analyze on a tiered cluster', () => {
  for (const format of ['txt', 'json', 'csv', 'md', 'dot'] as const) {
    test(`-o ${format} matches its golden file`, async () => {
      const r = await runCli(['analyze', TIERS, '-o', format]);
      assert.equal(r.code, 0, r.stderr);
      assertGolden(`analyze/tiers.${format}`, r.stdout);
    });
  }

  test('DNS names are destinations apart: in JSON and every table, never counted as connections', async () => {
    const json = JSON.parse((await runCli(['analyze', TIERS, '-o', 'json'])).stdout) as AnalyzeJson;
    assert.equal(json.summary.clusterPolicies, 6);
    assert.equal(json.summary.nodes, 2);
    // Three tenant workloads may reach two names each (the Baseline CNP's Accept rule).
    assert.equal(json.summary.domains, 6);
    assert.equal(json.domains.length, 6);
    assert.deepEqual(json.domains[1], {
      src: { workload: 'tenant-a/Deployment/api' },
      domain: 'api.example.com',
      ports: { TCP: [[443, 443]], UDP: [], SCTP: [] },
      summary: 'TCP 443',
    });
    const txt = (await runCli(['analyze', TIERS])).stdout;
    assert.match(
      txt,
      new RegExp(`: ${json.summary.connections} allowed connections in \\d+ rows, plus 6 by DNS name\\n`),
    );
    assert.match(txt, /^tenant-a\/web +api\.example\.com \(by DNS name\) +TCP 443$/m);
    const csv = (await runCli(['analyze', TIERS, '-o', 'csv'])).stdout;
    assert.equal(csv.split('\n').filter((l) => l.includes('(by DNS name)')).length, 6);
    // The Admin deny: tenant-b reaches nothing in tenant-a, though tenant-a's NetworkPolicy allows 8080 from anyone.
    assert.doesNotMatch(txt, /^tenant-b\/web +tenant-a\//m);
  });

  test('the HTML report lists reach by DNS name apart from the connections', async () => {
    const r = await runCli(['report', TIERS, '--html', '-']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /<li><strong>6<\/strong> by DNS name<\/li>/);
    assert.match(r.stdout, /<h2>Reach by DNS name \(6\)<\/h2>/);
    assert.match(
      r.stdout,
      /<td>tenant-b\/web<\/td><td>api\.example\.com \(by DNS name\)<\/td><td>TCP 443<\/td>/,
    );
  });
});

describe('exposure on a tiered cluster', () => {
  test('txt states the Admin, NetworkPolicy and Baseline rules in evaluation order (golden)', async () => {
    const r = await runCli(['exposure', TIERS]);
    assert.equal(r.code, 0, r.stderr);
    assertGolden('exposure/tiers.txt', r.stdout);
  });

  test('md (golden)', async () => {
    const r = await runCli(['exposure', TIERS, '-o', 'md']);
    assertGolden('exposure/tiers.md', r.stdout);
  });

  test('JSON: tier statements, and flags from the tier-combined access', async () => {
    const json = JSON.parse((await runCli(['exposure', TIERS, '-o', 'json'])).stdout) as ExposureJson;
    const items = 'workloads' in json ? json.workloads : [];
    const byId = new Map<string, ExposureItemJson>(items.map((w) => [w.id, w]));
    const web = byId.get('tenant-a/Deployment/web')!;
    assert.deepEqual(
      web.ingress.admin.map((s) => [s.policy, s.action, s.priority, s.path]),
      [
        ['ClusterNetworkPolicy/tenant-isolation', 'deny', 10, 'spec.ingress[0].from[0]'],
        ['ClusterNetworkPolicy/monitoring-pass', 'pass', 20, 'spec.ingress[0].from[0]'],
      ],
    );
    assert.equal(
      web.ingress.admin[0]!.description,
      'denied from any pod in namespaces labelled tenant=b, on all ports',
    );
    assert.deepEqual(web.ingress.admin[0]!.today, ['tenant-b/Deployment/web']);
    // NetworkPolicies isolate tenant-a's ingress: no Baseline rule is reached.
    assert.equal(web.ingress.status, 'isolated');
    assert.deepEqual(web.ingress.baseline, []);
    // allow-web lets anyone in on 8080, but the Admin tier keeps tenant-b out: not every namespace.
    assert.deepEqual(
      web.flags.map((f) => f.flag),
      ['reachable-from-outside', 'egress-to-internet'],
    );
    // Egress to the internet only by DNS name: the Baseline deny takes every address.
    assert.equal(
      web.flags[1]!.reason,
      'api.example.com (by DNS name), *.github.com (by DNS name) on 443/TCP (ClusterNetworkPolicy/tenant-egress, Baseline tier)',
    );
    const b = byId.get('tenant-b/Deployment/web')!;
    assert.equal(b.ingress.status, 'not-isolated');
    assert.deepEqual(
      b.ingress.baseline.map((s) => [s.policy, s.action, s.priority, s.everyNamespace]),
      [
        ['BaselineAdminNetworkPolicy/default', 'allow', null, false],
        ['BaselineAdminNetworkPolicy/default', 'deny', null, true],
      ],
    );
    // Not isolated by NetworkPolicies, yet the BANP denies other namespaces: no reachable-from-all-namespaces.
    assert.deepEqual(
      b.flags.map((f) => f.flag),
      ['reachable-from-outside', 'egress-to-internet'],
    );
    assert.deepEqual(json.summary.flagged, {
      'reachable-from-outside': 4,
      'reachable-from-all-namespaces': 2,
      'egress-to-internet': 5,
    });
  });
});

describe('paths and test on a tiered cluster', () => {
  test('paths follow the tier-combined connectivity (golden)', async () => {
    const rank = await runCli(['paths', TIERS]);
    assert.equal(rank.code, 0, rank.stderr);
    assertGolden('paths/tiers-rank.txt', rank.stdout);
    const from = await runCli(['paths', TIERS, '--from', 'tenant-b/web']);
    // tenant-b reaches tenant-a only through others (the Admin tier denies the direct hop, the Baseline tier
    // every egress but DNS).
    assertGolden('paths/tiers-from-tenant-b.txt', from.stdout);
    assert.match(from.stdout, /^└── \[1\] kube-system\/coredns {2}TCP 53; UDP 53\n/m);
    assert.match(
      from.stdout,
      /\[2\] monitoring\/prometheus {2}All connections\n.*└── \[3\] tenant-a\/api {2}TCP 9090/,
    );
  });

  test('a spec whose expectations each depend on another layer passes', async () => {
    const r = await runCli(['test', TIERS, '--spec', 'test/fixtures/testspec/tiers.yaml']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /5 tests, 5 passed, 0 failed/);
  });

  test('test --init freezes the tier-combined connectivity, and the spec it writes passes', async () => {
    const spec = join(dir, 'tiers-spec.yaml');
    const init = await runCli(['test', TIERS, '--init', '-o', spec]);
    assert.equal(init.code, 0, init.stderr);
    const text = readFileSync(spec, 'utf8');
    // The Admin deny: no test says tenant-b reaches tenant-a.
    assert.doesNotMatch(text, /- tenant-b\/web\n(\s+- .*\n)*\s+to: tenant-a\//);
    // The Baseline deny of every network: tenants reach only DNS.
    assert.match(text, /tenant-b\/web reaches only kube-system\/coredns\n/);
    const run = await runCli(['test', TIERS, '--spec', spec]);
    assert.equal(run.code, 0, run.stdout);
  });
});
