/**
 * `netfence diff` on the bundled example: webshop → webshop-v2 is the "payments & data hardening" pull request
 * of examples/README.md, with one deliberate regression (shop/catalog loses data/redis) and one fix
 * (report-exporter gains DNS). The diff must show both, and --fail-on must turn each into an exit code.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { assertGolden, runCli } from '../support/cli.ts';

const V1 = 'examples/webshop';
const V2 = 'examples/webshop-v2';

interface Ref {
  workload?: string;
  external?: string[];
}
interface DiffJson {
  schemaVersion: number;
  summary: Record<string, unknown>;
  workloads: { added: string[]; removed: string[] };
  external: { id: string; description: string }[];
  connections: {
    change: string;
    src: Ref;
    dst: Ref;
    before: Record<string, [number, number][]> | null;
    after: Record<string, [number, number][]> | null;
    addedPorts: Record<string, [number, number][]> | null;
    removedPorts: Record<string, [number, number][]> | null;
    summary: { before: string | null; after: string | null };
  }[];
  policies: {
    change: string;
    id: string;
    file: string;
    line: number;
    fields: { path: string; line: number }[];
  }[];
}

const show = (r: Ref): string => r.workload ?? r.external!.join('+');

describe('netfence diff examples/webshop examples/webshop-v2', () => {
  for (const format of ['txt', 'md', 'json'] as const) {
    test(`-o ${format} matches its golden file`, async () => {
      const r = await runCli(['diff', V1, V2, '-o', format]);
      assert.equal(r.code, 0, r.stderr);
      assertGolden(`diff/webshop.${format}`, r.stdout);
    });
  }

  test('reports the regression, the fix and the AND/OR correction exactly (JSON)', async () => {
    const r = await runCli(['diff', V1, V2, '-o', 'json']);
    const out = JSON.parse(r.stdout) as DiffJson;
    assert.equal(out.schemaVersion, 1);
    const rows = out.connections.map((c) => `${c.change} ${show(c.src)} → ${show(c.dst)}`);
    // The deliberate regression: catalog no longer reaches redis.
    assert.ok(rows.includes('removed shop/Deployment/catalog → data/StatefulSet/redis'));
    // The fix of weakness 7: the report job may now resolve names.
    const dns = out.connections.find((c) => c.change === 'added');
    assert.equal(
      `${show(dns!.src)} → ${show(dns!.dst)}`,
      'data/CronJob/report-exporter → kube-system/Deployment/coredns',
    );
    assert.deepEqual(dns!.after, { TCP: [[53, 53]], UDP: [[53, 53]], SCTP: [] });
    assert.equal(dns!.before, null);
    // The AND/OR fix: only checkout still reaches payment-gateway.
    const toGateway = rows.filter((x) => x.endsWith('payments/Deployment/payment-gateway'));
    assert.deepEqual(toGateway, [
      'removed shop/Deployment/api → payments/Deployment/payment-gateway',
      'removed shop/Deployment/cart → payments/Deployment/payment-gateway',
      'removed shop/Deployment/catalog → payments/Deployment/payment-gateway',
      'removed shop/Deployment/web → payments/Deployment/payment-gateway',
    ]);
    // Prometheus keeps its metrics range on redis but loses 6379 (the open namespaceSelector is gone).
    const prom = out.connections.find((c) => c.change === 'changed')!;
    assert.equal(
      `${show(prom.src)} → ${show(prom.dst)}`,
      'monitoring/StatefulSet/prometheus → data/StatefulSet/redis',
    );
    assert.deepEqual(prom.removedPorts, { TCP: [[6379, 6379]], UDP: [], SCTP: [] });
    assert.equal(prom.addedPorts, null);
    assert.deepEqual(prom.summary, { before: 'TCP 6379,9100-9199', after: 'TCP 9100-9199' });
    // Counted as analyze counts each side (221 and 225 connections): fraud-check's connection to any address
    // on 443 keeps its vendor, so it is changed, not removed, although its other addresses are removed rows.
    assert.deepEqual(out.summary, {
      added: 1,
      removed: 16,
      changed: 2,
      unchanged: 203,
      before: { connections: 221, unchanged: 203, changed: 2, removed: 16 },
      after: { connections: 225, unchanged: 223, changed: 1, added: 1 },
      policiesAdded: 0,
      policiesRemoved: 0,
      policiesModified: 4,
      clusterPoliciesAdded: 0,
      clusterPoliciesRemoved: 0,
      clusterPoliciesModified: 0,
      ciliumPoliciesAdded: 0,
      ciliumPoliciesRemoved: 0,
      ciliumPoliciesModified: 0,
    });
    assert.deepEqual(out.workloads, { added: [], removed: [] });
  });

  test('lists the four changed policies with file:line in the after state and the line of each field', async () => {
    const out = JSON.parse((await runCli(['diff', V1, V2, '-o', 'json'])).stdout) as DiffJson;
    assert.deepEqual(
      out.policies.map(
        (p) =>
          `${p.change} ${p.id} ${p.file}:${p.line} ${p.fields.map((f) => `${f.path}@${f.line}`).join(' ')}`,
      ),
      [
        'modified data/allow-redis examples/webshop-v2/policies/data.yaml:39 spec.ingress[0].from@50',
        'modified data/report-exporter-egress examples/webshop-v2/policies/data.yaml:92 spec.egress@102',
        'modified payments/allow-fraud-check examples/webshop-v2/policies/payments.yaml:73 spec.egress[1].to[0].ipBlock.cidr@105',
        'modified payments/allow-payment-gateway examples/webshop-v2/policies/payments.yaml:34 spec.ingress[0].from@45',
      ],
    );
    // The lines point where the YAML changed.
    const lines = readFileSync('examples/webshop-v2/policies/payments.yaml', 'utf8').split('\n');
    assert.match(lines[105 - 1]!, /cidr: 198\.51\.100\.40\/32/);
  });

  test('the same manifests give no differences', async () => {
    const r = await runCli(['diff', V1, V1, '--fail-on', 'any']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /^\+0 connections, −0, 0 changed \(221 → 221 connections\); policies: unchanged$/m,
    );
    assert.match(r.stdout, /No differences\.\n$/);
  });

  test('prints the ignored-objects notice once, not once per side', async () => {
    const r = await runCli(['diff', V1, V2]);
    assert.equal(r.stderr.match(/^Ignored /gm)?.length, 1);
  });
});

describe('netfence diff --fail-on', () => {
  // v1 → v2 adds one connection and removes others; v2 → v1 is the reverse.
  const cases: [string, string, string, number, RegExp | undefined][] = [
    [
      'added',
      V1,
      V2,
      1,
      /^netfence: 1 connection newly allowed or widened \(1 added\) \(--fail-on added\)$/m,
    ],
    [
      'removed',
      V1,
      V2,
      1,
      /^netfence: 18 connections no longer allowed or narrowed \(16 removed, 2 changed\) \(--fail-on removed\)$/m,
    ],
    [
      'any',
      V1,
      V2,
      1,
      /^netfence: connectivity changed: \+1 connection, −16, 2 → 1 changed \(--fail-on any\)$/m,
    ],
    // Reversed, the only narrowing is the DNS rule of report-exporter.
    [
      'removed',
      V2,
      V1,
      1,
      /^netfence: 1 connection no longer allowed or narrowed \(1 removed\) \(--fail-on removed\)$/m,
    ],
    ['added', V1, V1, 0, undefined],
  ];
  for (const [failOn, before, after, code, message] of cases) {
    test(`--fail-on ${failOn}: ${before} → ${after} exits ${code}`, async () => {
      const r = await runCli(['diff', before, after, '--fail-on', failOn, '-o', 'md']);
      assert.equal(r.code, code, r.stderr);
      if (message === undefined) assert.doesNotMatch(r.stderr, /^netfence:/m);
      else assert.match(r.stderr, message);
      // The report is printed either way, so that CI shows what failed.
      assert.match(
        r.stdout,
        /^\*\*\+\d+ connections?, −\d+, \d+(?: → \d+)? changed \(\d+ → \d+ connections\)\*\*/,
      );
    });
  }

  test('rejects an unknown value with the accepted ones', async () => {
    const r = await runCli(['diff', V1, V2, '--fail-on', 'new']);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, 'netfence: --fail-on: unknown value "new"; use one of added, removed, any\n');
  });
});

describe('netfence diff: inputs and user errors', () => {
  test('reads one side from standard input', async () => {
    const text = ['00-namespaces.yaml', 'data.yaml', 'policies/data.yaml']
      .map((f) => readFileSync(`${V2}/${f}`, 'utf8'))
      .join('\n---\n');
    const r = await runCli(['diff', `${V1}/00-namespaces.yaml`, '-', '-o', 'json'], { stdin: text });
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as DiffJson & { after: string };
    assert.equal(out.after, '<stdin>');
    assert.deepEqual(out.workloads.added, [
      'data/StatefulSet/postgres',
      'data/StatefulSet/redis',
      'data/CronJob/report-exporter',
    ]);
    assert.deepEqual(
      out.policies.map((p) => `${p.change} ${p.id} ${p.file}`),
      out.policies.map((p) => `added ${p.id} <stdin>`),
    );
  });

  const errors: [string, string[], RegExp][] = [
    [
      'one path',
      ['diff', V1],
      /^netfence: diff compares two sets of manifests: give <before> <after> \(got 1 path\), or --git A\.\.B \[path\]$/m,
    ],
    ['three paths', ['diff', V1, V2, V1], /\(got 3 paths\)/],
    [
      'both sides on stdin',
      ['diff', '-', '-'],
      /^netfence: only one side can be read from standard input \(-\)$/m,
    ],
    ['a missing folder', ['diff', V1, 'examples/nope'], /path "examples\/nope" does not exist/],
  ];
  for (const [what, args, message] of errors) {
    test(`${what}: one line, exit 2`, async () => {
      const r = await runCli(args);
      assert.equal(r.code, 2);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /at .*\.ts:\d+/);
    });
  }
});
