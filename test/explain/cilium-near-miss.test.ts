/**
 * Near misses of Cilium policies in `explain` (issue #17): a Cilium allow rule whose peer matches but not its
 * port, a CiliumNetworkPolicy's fromEndpoints without the namespace label (it means its own namespace), a rule
 * set whose endpointSelector misses the pod by one label, a toFQDNs name no DNS rule lets the proxy see, an L7
 * filter an L4-only allow cancels; each cited with file:line, in text (goldens) and JSON. And `explain --to <DNS
 * name> -o json`.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertGolden, runCli } from '../support/cli.ts';
import type { ExplainJson, ExplainSideJson } from '../../src/contract/explain.ts';

const FIXTURE = 'test/fixtures/cilium-explain/cluster.yaml';

async function explain(from: string, to: string, port: string, ...more: string[]) {
  return runCli(['explain', FIXTURE, '--from', from, '--to', to, '--port', port, ...more]);
}

async function json(from: string, to: string, port: string): Promise<ExplainJson> {
  const r = await explain(from, to, port, '-o', 'json');
  assert.equal(r.stderr, '');
  return JSON.parse(r.stdout) as ExplainJson;
}

type CiliumMiss = NonNullable<NonNullable<ExplainSideJson['cilium']>['nearMisses']>[number];

/** The first Cilium near miss of one side, and its reasons as `[code, path]`. */
async function firstMiss(
  from: string,
  to: string,
  port: string,
  side: 'egress' | 'ingress',
): Promise<{ miss: CiliumMiss | undefined; reasons: string[][] }> {
  const x = await json(from, to, port);
  const miss = x.explanations[0]![side].cilium?.nearMisses?.[0];
  return { miss, reasons: (miss?.reasons ?? []).map((c) => [c.code, c.path]) };
}

describe('explain: near misses of Cilium policies', () => {
  test('the peer matches, the port does not: the rule and its toPorts line', async () => {
    const r = await explain('shop/api', 'shop/db', '5433');
    assert.equal(r.code, 1);
    assertGolden('explain/cilium-port-miss.txt', r.stdout);
    const x = await json('shop/api', 'shop/db', '5433');
    const misses = x.explanations[0]!.ingress.cilium?.nearMisses ?? [];
    assert.deepEqual(
      misses.map((m) => [m.policy, m.path, m.failed, m.reasons.map((c) => `${c.code} ${c.path}:${c.line}`)]),
      [
        [
          'CiliumNetworkPolicy/shop/db-ingress',
          'spec.ingress[0]',
          'ports',
          ['port-not-in-rule spec.ingress[0].toPorts:91'],
        ],
      ],
    );
  });

  test("a CiliumNetworkPolicy's fromEndpoints without the namespace label means its own namespace", async () => {
    const r = await explain('other/web', 'shop/db', '5432');
    assert.equal(r.code, 1);
    assertGolden('explain/cilium-namespace-miss.txt', r.stdout);
    // Markdown (a pull-request comment): each reason nests under its rule.
    assertGolden(
      'explain/cilium-namespace-miss.md',
      (await explain('other/web', 'shop/db', '5432', '-o', 'md')).stdout,
    );
    const { miss, reasons } = await firstMiss('other/web', 'shop/db', '5432', 'ingress');
    // The rule for app=web comes first: only its namespace is off.
    assert.equal(miss?.path, 'spec.ingress[1]');
    assert.deepEqual(reasons, [['cilium-namespace', 'spec.ingress[1].fromEndpoints[0]']]);
  });

  test('an endpointSelector off by one label, beside a NetworkPolicy that isolates the pod', async () => {
    const r = await explain('shop/api', 'shop/cache', '6379');
    assert.equal(r.code, 1);
    assertGolden('explain/cilium-subject-miss.txt', r.stdout);
    const { miss, reasons } = await firstMiss('shop/api', 'shop/cache', '6379', 'ingress');
    assert.equal(miss?.policy, 'CiliumNetworkPolicy/shop/redis-from-api');
    assert.equal(miss?.failed, 'subject');
    assert.deepEqual(reasons, [['subject-labels', 'spec.endpointSelector']]);
    assert.equal(
      miss?.reasons[0]?.message,
      'the rule set does not select shop/cache: shop/cache has app=cache, not app=redis',
    );
  });

  test('a toFQDNs name no DNS rule covers is the near miss of egress to an address', async () => {
    const { miss, reasons } = await firstMiss('batch/job', '203.0.113.7', '443', 'egress');
    assert.equal(miss?.path, 'spec.egress[0]');
    assert.deepEqual(reasons, [['fqdn-unseen', 'spec.egress[0].toFQDNs[0]']]);
  });

  test('an L7 filter an L4-only allow of the same side cancels is named, with the allow', async () => {
    const r = await explain('shop/web', 'shop/api', '8080');
    assert.equal(r.code, 0);
    assertGolden('explain/cilium-l7-shadowed.txt', r.stdout);
    const x = await json('shop/web', 'shop/api', '8080');
    // No "filtered at L7": the CCNP lets every pod through at L4 alone on 8080.
    assert.equal(x.explanations[0]!.l7, undefined);
    const shadowed = x.explanations[0]!.ingress.cilium?.shadowedL7 ?? [];
    assert.deepEqual(
      shadowed.map((s) => [s.policy, s.entry, s.l7, s.summary, s.by.map((b) => `${b.policy} ${b.path}`)]),
      [
        [
          'CiliumNetworkPolicy/shop/api-from-web',
          'spec.ingress[0].toPorts[0]',
          'http',
          'TCP 8080',
          ['CiliumClusterwideNetworkPolicy/api-from-cluster spec.ingress[0]'],
        ],
      ],
    );
  });

  test('a clusterwide fromEndpoints without the namespace label says it matches every namespace', async () => {
    const x = await json('other/web', 'shop/api', '8080');
    const allow = x.explanations[0]!.ingress.cilium?.allows.find((a) =>
      a.policy.startsWith('CiliumClusterwide'),
    );
    assert.equal(
      allow?.peer,
      'every endpoint, in every namespace (it has no k8s:io.kubernetes.pod.namespace)',
    );
  });

  test('no near misses when a rule allows', async () => {
    const x = await json('shop/api', 'shop/db', '5432');
    assert.equal(x.explanations[0]!.verdict, 'allowed');
    assert.equal(x.explanations[0]!.ingress.cilium?.nearMisses, undefined);
  });
});

describe('explain --to a DNS name: JSON and near misses', () => {
  test('-o json answers in `domains`, with the rules and the near misses', async () => {
    const r = await runCli([
      'explain',
      'test/fixtures/cilium-surfaces/cluster.yaml',
      '--from',
      'batch/job',
      '--to',
      'API.Stripe.com.',
      '-o',
      'json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const x = JSON.parse(r.stdout) as ExplainJson;
    assert.deepEqual(x.explanations, []);
    assert.deepEqual(
      x.domains?.map((d) => [
        d.src.id,
        d.domain,
        d.verdict,
        d.summary,
        d.rules.map((u) => `${u.policy} ${u.path} ${u.domain}`),
      ]),
      [
        [
          'batch/Deployment/job',
          'api.stripe.com',
          'allowed',
          'TCP 443',
          ['CiliumClusterwideNetworkPolicy/batch-egress spec.egress[0] api.stripe.com'],
        ],
      ],
    );
  });

  test('a toFQDNs rule without a DNS proxy rule: denied by name, the rule is the near miss (text and JSON)', async () => {
    const r = await runCli(['explain', FIXTURE, '--from', 'batch/job', '--to', 'api.stripe.com']);
    assert.equal(r.code, 1);
    assertGolden('explain/cilium-dns-unseen.txt', r.stdout);
    const j = await runCli([
      'explain',
      FIXTURE,
      '--from',
      'batch/job',
      '--to',
      'api.stripe.com',
      '-o',
      'json',
    ]);
    assert.equal(j.code, 1);
    const d = (JSON.parse(j.stdout) as ExplainJson).domains?.[0];
    assert.equal(d?.verdict, 'denied');
    assert.deepEqual(
      d?.nearMisses.map((m) => [m.path, m.failed, m.reasons.map((c) => c.code)]),
      [['spec.egress[0]', 'peer', ['fqdn-unseen']]],
    );
  });

  test('a port the toFQDNs rule does not allow: the port is the near miss', async () => {
    const r = await runCli([
      'explain',
      'test/fixtures/cilium-surfaces/cluster.yaml',
      '--from',
      'batch/job',
      '--to',
      'api.stripe.com',
      '--port',
      '80',
      '-o',
      'json',
    ]);
    assert.equal(r.code, 1);
    const d = (JSON.parse(r.stdout) as ExplainJson).domains?.[0];
    assert.deepEqual(
      d?.nearMisses.map((m) => [m.failed, m.reasons.map((c) => c.message)]),
      [['ports', ["80/TCP not in the rule's ports 443/TCP"]]],
    );
  });
});

describe('explain --to a DNS name: the DNS proxy sees names, not patterns', () => {
  test('toFQDNs *.example.com with a DNS rule for api.example.com only: api.example.com by name, www.example.com not', async () => {
    const yaml = `
apiVersion: v1
kind: Pod
metadata: {name: job, namespace: batch, labels: {app: job}}
spec: {containers: [{name: job, image: registry.example/job:1}]}
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: job-egress, namespace: batch}
spec:
  endpointSelector: {matchLabels: {app: job}}
  egress:
    - toFQDNs: [{matchPattern: "*.example.com"}]
      toPorts: [{ports: [{port: "443", protocol: TCP}]}]
    - toEntities: [cluster]
      toPorts:
        - ports: [{port: "53", protocol: UDP}]
          rules: {dns: [{matchName: api.example.com}]}
`;
    const ask = (name: string) =>
      runCli(['explain', '-', '--granularity', 'pod', '--from', 'batch/job', '--to', name, '-o', 'json'], {
        stdin: yaml,
      });
    const api = JSON.parse((await ask('api.example.com')).stdout) as ExplainJson;
    assert.deepEqual(
      api.domains?.map((d) => [d.verdict, d.summary, d.rules.map((r) => `${r.path} ${r.domain}`)]),
      [['allowed', 'TCP 443', ['spec.egress[0] *.example.com']]],
    );
    const www = JSON.parse((await ask('www.example.com')).stdout) as ExplainJson;
    assert.deepEqual(
      www.domains?.map((d) => [d.verdict, d.nearMisses.map((m) => m.reasons.map((c) => c.code).join())]),
      [['denied', ['fqdn-unseen']]],
    );
  });
});

describe('explain: the NetworkPolicy-only "no rule allows" line beside a Cilium allow', () => {
  test('news/web → news/api in examples/cilium, with and without --port: the NetworkPolicies are named', async () => {
    for (const port of [[], ['--port', '8080/TCP']]) {
      const r = await runCli([
        'explain',
        'examples/cilium',
        '--from',
        'news/web',
        '--to',
        'news/api',
        ...port,
      ]);
      const lines = r.stdout.split('\n');
      const allow = lines.findIndex((l) =>
        l.startsWith('  - allows 8080/TCP: CiliumNetworkPolicy/news/api-from-web'),
      );
      assert.ok(allow > 0, r.stdout);
      const what = port.length === 0 ? 'any connection' : '8080/TCP';
      assert.equal(lines[allow + 1], `  No NetworkPolicy rule allows ${what} from news/web.`);
      assert.doesNotMatch(r.stdout, /No rule allows/);
    }
  });
});
