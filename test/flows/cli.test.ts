import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../src/cli/main.ts';
import { assertGolden, runCli } from '../support/cli.ts';
import type { CheckFlowsJson } from '../../src/contract/flows.ts';

const HUBBLE = 'examples/flows/webshop-hubble.jsonl';
const CSV = 'examples/flows/webshop.csv';

describe('netfence map', () => {
  test('the observed map of the bundled Hubble capture (golden, reviewed)', async () => {
    const r = await runCli(['map', 'examples/webshop', '--flows', HUBBLE]);
    assert.equal(r.code, 0, r.stderr);
    assertGolden('flows/map-webshop-hubble.txt', r.stdout);
  });

  test("a record whose two ends match no workload counts once among the flows left out, as 'not counted' says", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netfence-map-unmatched-'));
    try {
      const csv = join(dir, 'elsewhere.csv');
      writeFileSync(
        csv,
        'src_namespace,src_workload,dst_namespace,dst_workload,protocol,port\nfoo,bar,baz,qux,TCP,80\n',
      );
      const r = await runCli(['map', 'examples/webshop', '--flows', csv, '-q']);
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.split('\n');
      assert.ok(
        lines.some((l) => l.startsWith('not counted: 1 flow')),
        r.stdout,
      );
      assert.ok(lines.includes('Not in the cluster state: 2 endpoints, 1 flow left out'), r.stdout);
      assert.ok(lines.includes('  baz/qux (workload): 1 flow, 1 attempt, first at ' + csv + ':2'), r.stdout);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('md and dot (golden, reviewed)', async () => {
    const md = await runCli(['map', 'examples/webshop', '--flows', CSV, '-o', 'md']);
    assert.equal(md.code, 0, md.stderr);
    assertGolden('flows/map-webshop-csv.md', md.stdout);
    const dot = await runCli([
      'map',
      'test/fixtures/flows/cluster.yaml',
      '--flows',
      'test/fixtures/flows/hubble.jsonl',
      '-o',
      'dot',
    ]);
    assert.equal(dot.code, 0, dot.stderr);
    assertGolden('flows/map-fixture.dot', dot.stdout);
  });

  test('csv output is the CSV flow format: reading it back gives the same map', async () => {
    const first = await runCli(['map', 'examples/webshop', '--flows', HUBBLE, '-o', 'csv']);
    assert.equal(first.code, 0, first.stderr);
    assert.match(
      first.stdout,
      /^src_namespace,src_workload,src_pod,src_ip,dst_namespace,dst_workload,dst_pod,dst_ip,protocol,port,count,denied,first_seen,last_seen\n/,
    );
    const again = await runCli(['map', 'examples/webshop', '--flows', '-', '-o', 'csv'], {
      stdin: first.stdout,
    });
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stdout, first.stdout);
  });

  test('json: the documented schema', async () => {
    const r = await runCli([
      'map',
      'test/fixtures/flows/cluster.yaml',
      '--flows',
      'test/fixtures/flows/hubble.jsonl',
      '-o',
      'json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.deepEqual(Object.keys(json), [
      'schemaVersion',
      'summary',
      'inputs',
      'stats',
      'workloads',
      'connections',
      'unmatched',
      'problems',
    ]);
    assert.deepEqual(json.summary, {
      connections: 7,
      workloads: 6,
      addresses: 2,
      attempts: 10,
      denied: 1,
      firstSeen: '2026-12-01T10:00:01.000Z',
      lastSeen: '2026-12-01T10:03:20.000Z',
    });
    assert.deepEqual((json.connections as unknown[])[2], {
      src: { workload: 'app/CronJob/backup' },
      dst: { workload: 'db/StatefulSet/pg' },
      protocol: 'TCP',
      port: 5432,
      count: 1,
      denied: 1,
      firstSeen: '2026-12-01T10:00:05.000Z',
      lastSeen: '2026-12-01T10:00:05.000Z',
    });
    assert.deepEqual((json.workloads as unknown[])[0], {
      id: 'app/Deployment/api',
      namespace: 'app',
      kind: 'Deployment',
      name: 'api',
    });
    // Unmatched endpoints are in the JSON, and one warning line says so on stderr.
    assert.equal((json.unmatched as unknown[]).length, 1);
    assert.match(
      r.stderr,
      /warning: 1 in-cluster endpoint matches no workload of the input, 1 flow left out: app\/ghost-6c8f7d9b4-zz9qq \(pod\)\n/,
    );
    assert.match(r.stderr, /hubble\.jsonl:21: warning: not JSON: .* \(line skipped\)\n/);
  });

  test('on a terminal, a progress line is drawn on stderr and erased before the output', async () => {
    let stderr = '';
    let stdout = '';
    const code = await run(['map', 'examples/webshop', '--flows', HUBBLE, '-o', 'csv'], {
      stdout: (s) => (stdout += s),
      stderr: (s) => (stderr += s),
      readStdin: () => Promise.resolve(''),
      isTTY: true,
      env: {},
    });
    assert.equal(code, 0);
    const erase = '\r\u001b[K';
    assert.ok(
      stderr.includes(
        `${erase}reading examples/flows/webshop-hubble.jsonl 100% · 283 records · 67 observed ports${erase}`,
      ),
      stderr,
    );
    assert.ok(stdout.startsWith('src_namespace,'));
  });

  test('an unreadable flow file is one line naming it once, exit 2', async () => {
    const r = await runCli(['map', 'examples/webshop', '--flows', 'no/such/capture.jsonl']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /\nnetfence: flows: cannot read "no\/such\/capture\.jsonl": it does not exist\n$/);
    const both = await runCli(['map', '-', '--flows', '-']);
    assert.deepEqual(
      [both.code, both.stderr],
      [
        2,
        'netfence: standard input can carry the manifests or the flows, not both: give one of them as a file\n',
      ],
    );
    const twice = await runCli(['map', 'examples/webshop', '--flows', '-', '--flows', '-'], { stdin: 'x' });
    assert.deepEqual(
      [twice.code, twice.stderr],
      [2, 'netfence: standard input is named twice in --flows: it can be read once; give it once\n'],
    );
  });

  test('NETFENCE_FLOW_THREADS that is not a number of threads: one line on stderr naming it, the same map', async () => {
    const want = await runCli(['map', 'examples/webshop', '--flows', CSV, '-o', 'json']);
    const saved = process.env.NETFENCE_FLOW_THREADS;
    process.env.NETFENCE_FLOW_THREADS = 'four';
    try {
      const r = await runCli(['map', 'examples/webshop', '--flows', CSV, '-o', 'json']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, want.stdout);
      const line = r.stderr.split('\n').find((l) => l.includes('NETFENCE_FLOW_THREADS'));
      assert.match(
        line ?? '',
        /^NETFENCE_FLOW_THREADS="four" is not a number of threads \(a whole number from 1; 1 reads on one thread\): reading on [1-4]$/,
      );
    } finally {
      if (saved === undefined) delete process.env.NETFENCE_FLOW_THREADS;
      else process.env.NETFENCE_FLOW_THREADS = saved;
    }
  });
});

describe('netfence check-flows', () => {
  test('the policies the capture ran under: nothing newly denied, exit 0, and what was never used', async () => {
    const r = await runCli(['check-flows', 'examples/webshop', '--flows', HUBBLE]);
    assert.equal(r.code, 0, r.stderr);
    assertGolden('flows/check-webshop.txt', r.stdout);
  });

  test("a pod's traffic to itself is counted apart, in the text as in the JSON (one number, one meaning)", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netfence-check-self-'));
    try {
      const csv = join(dir, 'flows.csv');
      writeFileSync(
        csv,
        'src_namespace,src_workload,src_pod,src_ip,dst_namespace,dst_workload,dst_pod,dst_ip,protocol,port,count,first_seen,last_seen\n' +
          // postgres runs one replica: its traffic to itself is not subject to policies.
          'data,postgres,,,data,postgres,,,TCP,5432,3,2026-11-24T03:00:00Z,2026-11-25T02:00:00Z\n' +
          'shop,web,,,shop,api,,,TCP,8080,5,2026-11-24T03:00:00Z,2026-11-25T02:00:00Z\n',
      );
      const text = await runCli(['check-flows', 'examples/webshop', '--flows', csv]);
      assert.equal(text.code, 0, text.stderr);
      assert.match(
        text.stdout,
        /^2 observed ports against 21 policies: 1 allowed, 1 not subject to policies \(a pod to itself\), 0 would be denied\n/,
      );
      const json = await runCli(['check-flows', 'examples/webshop', '--flows', csv, '-o', 'json']);
      const s = (JSON.parse(json.stdout) as CheckFlowsJson).summary;
      assert.deepEqual([s.observed, s.allowed, s.unpoliced, s.denied], [2, 1, 1, 0]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the next revision breaks catalog → redis: exit 1 (golden, reviewed)', async () => {
    const r = await runCli(['check-flows', 'examples/webshop-v2', '--flows', HUBBLE]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stdout,
      /^67 observed ports against 21 policies: 64 allowed, 1 would be denied, 2 still denied/,
    );
    const md = await runCli(['check-flows', 'examples/webshop-v2', '--flows', HUBBLE, '-o', 'md']);
    assert.equal(md.code, 1);
    assertGolden('flows/check-webshop-v2.md', md.stdout);
  });

  test('json: the denied connections, where they are blocked and by which policies', async () => {
    const r = await runCli(['check-flows', 'examples/webshop-v2', '--flows', HUBBLE, '-o', 'json']);
    assert.equal(r.code, 1);
    const json = JSON.parse(r.stdout) as { summary: unknown; denied: Record<string, unknown>[] };
    assert.deepEqual(json.summary, {
      observed: 67,
      policies: 21,
      clusterPolicies: 0,
      ciliumPolicies: 0,
      allowed: 64,
      denied: 3,
      breaking: 1,
      unpoliced: 0,
      unobserved: 114,
    });
    assert.deepEqual(json.denied[2], {
      src: { workload: 'shop/Deployment/catalog' },
      dst: { workload: 'data/StatefulSet/redis' },
      protocol: 'TCP',
      port: 6379,
      count: 1,
      denied: 0,
      firstSeen: '2026-11-25T02:00:52.458Z',
      lastSeen: '2026-11-25T02:00:52.458Z',
      breaking: true,
      blockedAt: ['ingress'],
      // Every policy that isolates redis for ingress, none of which allows catalog.
      policies: ['data/allow-prometheus-scrape', 'data/allow-redis', 'data/default-deny-ingress'],
      // Per direction, what decided: no egress policy selects catalog; redis's NetworkPolicies deny.
      decision: {
        egress: [
          {
            allowed: true,
            decidedBy: 'default',
            summary: 'default (no policy)',
            tierRule: null,
            undefinedWith: [],
            rules: [],
            cilium: [],
            isolatedBy: [],
            byDnsName: [],
          },
        ],
        ingress: [
          {
            allowed: false,
            decidedBy: 'network-policy',
            summary:
              '[NetworkPolicy] no rule allows it (data/allow-prometheus-scrape, data/allow-redis, data/default-deny-ingress)',
            tierRule: null,
            undefinedWith: [],
            rules: [],
            cilium: [],
            isolatedBy: ['data/allow-prometheus-scrape', 'data/allow-redis', 'data/default-deny-ingress'],
            byDnsName: [],
          },
        ],
      },
    });
  });

  test("a capture with no observed port of the manifests' workloads is exit 2, never a pass", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netfence-check-empty-'));
    try {
      const header = 'src_namespace,src_workload,dst_namespace,dst_workload,protocol,port\n';
      const headerOnly = join(dir, 'header.csv');
      writeFileSync(headerOnly, header);
      const r = await runCli(['check-flows', 'examples/webshop', '--flows', headerOnly, '-q']);
      assert.deepEqual(
        [r.code, r.stdout, r.stderr],
        [
          2,
          '',
          `netfence: no observed port of these manifests' workloads to check: ${headerOnly} holds 0 records; nothing was compared with the policies, so the check does not pass: give a capture of the workloads of these manifests\n`,
        ],
      );
      const elsewhere = join(dir, 'elsewhere.csv');
      writeFileSync(elsewhere, `${header}foo,bar,baz,qux,TCP,80\n`);
      const other = await runCli([
        'check-flows',
        'examples/webshop',
        '--flows',
        elsewhere,
        '-q',
        '-o',
        'json',
      ]);
      assert.equal(other.code, 2);
      assert.equal(other.stdout, '');
      assert.equal(
        other.stderr,
        'warning: 2 in-cluster endpoints match no workload of the input, 1 flow left out: baz/qux (workload), foo/bar (workload)\n' +
          `netfence: no observed port of these manifests' workloads to check: ${elsewhere} holds 1 record, none counted (1 with an in-cluster end that matches no workload); nothing was compared with the policies, so the check does not pass: give a capture of the workloads of these manifests\n`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('generate, then check-flows with the generated policies: every observed connection allowed', async () => {
    const gen = await runCli(['generate', 'examples/webshop', '--flows', CSV]);
    assert.equal(gen.code, 0, gen.stderr);
    // The generated YAML alone replaces the policies: give the workloads, without the old policies.
    const manifests = [
      '00-namespaces.yaml',
      'data.yaml',
      'ingress-nginx.yaml',
      'kube-system.yaml',
      'monitoring.yaml',
      'payments.yaml',
      'shop.yaml',
    ]
      .map((f) => readFileSync(`examples/webshop/${f}`, 'utf8'))
      .join('\n---\n');
    const check = await runCli(['check-flows', '-', '--flows', CSV, '-o', 'json'], {
      stdin: `${manifests}\n---\n${gen.stdout}`,
    });
    assert.equal(check.code, 0, check.stderr);
    const json = JSON.parse(check.stdout) as {
      summary: { observed: number; allowed: number; denied: number };
    };
    assert.deepEqual(json.summary.denied, 0);
    assert.equal(json.summary.allowed, json.summary.observed);
  });

  describe('on a cluster with policy tiers', () => {
    const TIERS = 'test/fixtures/tiers';
    const TIER_FLOWS = 'test/fixtures/flows/tiers';

    test('every row says which layer decided each side (golden, reviewed)', async () => {
      const r = await runCli(['check-flows', TIERS, '--flows', `${TIER_FLOWS}/hubble.jsonl`]);
      assert.equal(r.code, 1, r.stderr);
      assertGolden('flows/check-tiers-hubble.txt', r.stdout);
      const md = await runCli(['check-flows', TIERS, '--flows', `${TIER_FLOWS}/flows.csv`, '-o', 'md']);
      assert.equal(md.code, 1, md.stderr);
      assertGolden('flows/check-tiers-csv.md', md.stdout);
    });

    test('json: the deciding tier, policy and rule per direction, for denied and allowed connections', async () => {
      const r = await runCli(['check-flows', TIERS, '--flows', `${TIER_FLOWS}/flows.csv`, '-o', 'json']);
      assert.equal(r.code, 1, r.stderr);
      const json = JSON.parse(r.stdout) as CheckFlowsJson;
      assert.deepEqual(json.summary, {
        observed: 8,
        policies: 3,
        clusterPolicies: 6,
        ciliumPolicies: 0,
        allowed: 4,
        denied: 4,
        breaking: 3,
        unpoliced: 0,
        unobserved: 17,
      });
      const row = (list: CheckFlowsJson['allowed'], src: string, dst: string) =>
        list.find(
          (c) => JSON.stringify([c.src, c.dst]) === JSON.stringify([{ workload: src }, { workload: dst }]),
        )!;
      const isolation = row(json.denied, 'tenant-b/Deployment/web', 'tenant-a/Deployment/web');
      assert.deepEqual(isolation.decision.ingress, [
        {
          allowed: false,
          decidedBy: 'admin',
          summary: '[Admin] cnp/tenant-isolation ingress rule 0 "from-tenant-b" Deny',
          tierRule: {
            policy: 'ClusterNetworkPolicy/tenant-isolation',
            kind: 'ClusterNetworkPolicy',
            tier: 'admin',
            priority: 10,
            direction: 'ingress',
            rule: 0,
            ruleName: 'from-tenant-b',
            action: 'deny',
            path: 'spec.ingress[0]',
            file: 'test/fixtures/tiers/admin.yaml',
            line: 41,
          },
          undefinedWith: [],
          rules: [],
          cilium: [],
          isolatedBy: [],
          byDnsName: [],
        },
      ]);
      assert.deepEqual(
        isolation.decision.egress.map((d) => [d.decidedBy, d.tierRule?.policy, d.tierRule?.rule]),
        [['baseline', 'ClusterNetworkPolicy/tenant-egress', 1]],
      );
      const banp = row(json.denied, 'kube-system/Deployment/coredns', 'tenant-b/Deployment/web');
      assert.deepEqual(
        banp.decision.ingress.map((d) => [d.decidedBy, d.tierRule?.policy, d.tierRule?.action]),
        [['baseline', 'BaselineAdminNetworkPolicy/default', 'deny']],
      );
      const scrape = row(json.allowed, 'monitoring/Deployment/prometheus', 'tenant-a/Deployment/api');
      assert.deepEqual(scrape.decision, {
        egress: [
          {
            allowed: true,
            decidedBy: 'default',
            summary: 'default (no policy)',
            tierRule: null,
            undefinedWith: [],
            rules: [],
            cilium: [],
            isolatedBy: [],
            byDnsName: [],
          },
        ],
        ingress: [
          {
            allowed: true,
            decidedBy: 'network-policy',
            summary: '[NetworkPolicy] tenant-a/allow-api ingress rule 0',
            tierRule: null,
            undefinedWith: [],
            rules: [{ policy: 'tenant-a/allow-api', path: 'spec.ingress[0]' }],
            cilium: [],
            isolatedBy: ['tenant-a/allow-api', 'tenant-a/default-deny-ingress'],
            byDnsName: [],
          },
        ],
      });
      const dns = row(json.allowed, 'tenant-a/Deployment/web', 'kube-system/Deployment/coredns');
      assert.deepEqual(
        dns.decision.egress.map((d) => [d.decidedBy, d.tierRule?.policy, d.tierRule?.action]),
        [['admin', 'ClusterNetworkPolicy/allow-dns', 'allow']],
      );
      const github = json.denied.find((c) => 'ip' in c.dst && c.dst.ip === '140.82.112.3')!;
      assert.deepEqual(
        github.decision.egress.flatMap((d) => d.byDnsName.map((r) => [r.policy, r.rule, r.domains])),
        [['ClusterNetworkPolicy/tenant-egress', 0, ['api.example.com', '*.github.com']]],
      );
    });
  });
});
