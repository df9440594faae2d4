/**
 * The answers of `Analysis` in detail, on the bundled example: the errors of each query (message and
 * status, as the API sends them), the whole blast-radius ranking with its ties, attack paths with several
 * sources, address targets and a hop limit, what-if requests refused before any computation, and the limit of
 * pod-class pairs `explain` answers (20 answered, more refused). (Found
 * missing by the whole-folder mutation run of src/server: see docs/mutation/server.md.)
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { Analysis, ApiError } from '../../src/server/analysis.ts';
import { ns, pod, policy, withWorkloads } from '../support/builders.ts';
import { analysisOf, webshopAnalysis } from './support.ts';

let analysis: Analysis;

before(async () => {
  analysis = await webshopAnalysis();
});

/** The status and message of the ApiError `f` throws. */
async function refusal(f: () => unknown): Promise<[number, string]> {
  try {
    await f();
  } catch (error) {
    assert.ok(error instanceof ApiError, `not an ApiError: ${String(error)}`);
    assert.equal(error.name, 'ApiError');
    return [error.status, error.message];
  }
  assert.fail('no error');
}

describe('errors, as the API answers them', () => {
  test('/api/connections', async () => {
    assert.deepEqual(await refusal(() => analysis.connections(null)), [400, 'give ?namespace=NAME']);
    assert.deepEqual(await refusal(() => analysis.connections('')), [400, 'give ?namespace=NAME']);
    assert.deepEqual(await refusal(() => analysis.connections('nope')), [404, 'no namespace "nope"']);
  });

  test('/api/workload', async () => {
    assert.deepEqual(await refusal(() => analysis.workload(null)), [
      404,
      'no workload "": give ?id=namespace/Kind/name',
    ]);
    assert.deepEqual(await refusal(() => analysis.workload('external:0')), [
      404,
      'no workload "external:0": give ?id=namespace/Kind/name',
    ]);
    const web = analysis.workload('shop/Deployment/web');
    assert.deepEqual([web.id, web.name], ['shop/Deployment/web', 'shop/web']);
  });

  test('/api/flows without flows', async () => {
    assert.deepEqual(await refusal(() => analysis.flows()), [
      404,
      'no flows: start netfence serve with --flows FILE to see the traffic overlay',
    ]);
  });

  test('/api/explain: a missing or blank end, a reference to several workloads, a bad port', async () => {
    assert.deepEqual(await refusal(() => analysis.explain(null, 'data/postgres', null)), [
      400,
      'give ?from=namespace/workload',
    ]);
    assert.deepEqual(await refusal(() => analysis.explain('  ', 'data/postgres', null)), [
      400,
      'give ?from=namespace/workload',
    ]);
    assert.deepEqual(await refusal(() => analysis.explain('data/*', 'shop/web', null)), [
      400,
      'from "data/*" matches 3 workloads; explain takes one: name it',
    ]);
    assert.deepEqual(await refusal(() => analysis.explain('shop/web', 'nope/x', null)), [
      400,
      'to: no namespace "nope" in the input (its namespaces: data, ingress-nginx, kube-system, monitoring, payments and 1 more)',
    ]);
    assert.deepEqual(await refusal(() => analysis.explain('shop/web', 'data/postgres', 'x')), [
      400,
      'port: invalid port "x": use 8080/TCP, 53/UDP, 8080 (TCP) or 1000-2000/TCP',
    ]);
  });

  test('/api/explain: an address range is one end even when it spans several address classes', () => {
    const r = analysis.explain('shop/web', '0.0.0.0/0', '');
    assert.deepEqual(r.to, {
      id: 'external:0',
      name: '0.0.0.0/0 except 10.0.0.0/24, 203.0.113.0/24, 198.51.100.25/32',
    });
    assert.deepEqual(r.from, { id: 'shop/Deployment/web', name: 'shop/web' });
    assert.equal(r.explanations.length, 1);
    assert.equal(r.explanations[0]?.verdict, 'allowed');
    assert.match(r.text, /^shop\/web → 0\.0\.0\.0\/0 except .*: ALLOWED on all ports\n/);
  });

  test('/api/explain: the query as understood, port included', () => {
    const r = analysis.explain('shop/web', 'data/postgres', '5432/TCP');
    assert.deepEqual(r.query, {
      from: 'shop/Deployment/web',
      to: 'data/StatefulSet/postgres',
      port: '5432/TCP',
    });
  });

  test('/api/paths: unknown references and a bad hop limit', async () => {
    assert.deepEqual(await refusal(() => analysis.paths(['nope/x'], [], null)), [
      400,
      'from: no namespace "nope" in the input (its namespaces: data, ingress-nginx, kube-system, monitoring, payments and 1 more)',
    ]);
    assert.deepEqual(await refusal(() => analysis.paths(['shop/web'], ['nope/x'], null)), [
      400,
      'to: no namespace "nope" in the input (its namespaces: data, ingress-nginx, kube-system, monitoring, payments and 1 more)',
    ]);
    assert.deepEqual(await refusal(() => analysis.paths(['shop/web'], [], '1.5')), [
      400,
      'maxHops: expected a whole number, got "1.5"',
    ]);
    assert.deepEqual(await refusal(() => analysis.paths(['shop/web'], [], '2x')), [
      400,
      'maxHops: expected a whole number, got "2x"',
    ]);
  });

  test('/api/whatif: a body that is no request, and an analysis replaced meanwhile', async () => {
    const own = await webshopAnalysis();
    assert.deepEqual(await refusal(() => own.whatIf({})), [
      400,
      'expected {"changes": [{"target": "namespace/name", "yaml": "..."}]}',
    ]);
    own.close();
    assert.deepEqual(await refusal(() => own.whatIf({ changes: [] })), [
      503,
      'the analysis was reloaded: try again',
    ]);
  });
});

describe('/api/paths in detail', () => {
  test('the ranking: by reach, then by direct reach, then by id', () => {
    const r = analysis.paths([], [], null);
    assert.equal(r.workloads, 16);
    assert.deepEqual(
      r.ranking?.map((x) => [x.id, x.reach, x.direct, x.entryPoint]),
      [
        ['monitoring/StatefulSet/prometheus', 15, 13, false],
        ['shop/Deployment/api', 15, 10, false],
        ['shop/Deployment/checkout', 15, 10, false],
        ['shop/Deployment/catalog', 15, 8, false],
        ['ingress-nginx/Deployment/ingress-nginx-controller', 15, 7, true],
        ['shop/Deployment/cart', 15, 7, false],
        ['shop/Deployment/web', 15, 7, true],
        ['data/StatefulSet/postgres', 15, 6, false],
        ['monitoring/Deployment/grafana', 15, 6, true],
        ['data/StatefulSet/redis', 15, 5, false],
        ['kube-system/Deployment/coredns', 15, 5, true],
        ['monitoring/StatefulSet/alertmanager', 15, 5, true],
        ['monitoring/DaemonSet/node-exporter', 15, 4, true],
        ['payments/Deployment/fraud-check', 15, 2, false],
        ['payments/Deployment/payment-gateway', 15, 2, false],
        ['data/CronJob/report-exporter', 15, 1, false],
      ],
    );
  });

  test('every workload reached, in order of hops then id, with the hop that reached it', () => {
    const r = analysis.paths(['shop/Deployment/web'], [], '');
    assert.equal(r.mode, 'reach');
    assert.equal(r.maxHops, null);
    assert.deepEqual(r.targets, []);
    assert.deepEqual(r.unreached, []);
    assert.deepEqual(
      r.reached?.map((x) => [x.hops, x.id, x.via === null ? null : `${x.via.from} (${x.via.summary})`]),
      [
        [0, 'shop/Deployment/web', null],
        [1, 'data/StatefulSet/redis', 'shop/Deployment/web (TCP 6379)'],
        [1, 'kube-system/Deployment/coredns', 'shop/Deployment/web (All connections)'],
        [1, 'monitoring/DaemonSet/node-exporter', 'shop/Deployment/web (All connections)'],
        [1, 'monitoring/Deployment/grafana', 'shop/Deployment/web (All connections)'],
        [1, 'monitoring/StatefulSet/alertmanager', 'shop/Deployment/web (All connections)'],
        [1, 'payments/Deployment/payment-gateway', 'shop/Deployment/web (TCP 50051)'],
        [1, 'shop/Deployment/api', 'shop/Deployment/web (TCP 8080)'],
        [2, 'monitoring/StatefulSet/prometheus', 'monitoring/Deployment/grafana (TCP 9090)'],
        [2, 'payments/Deployment/fraud-check', 'payments/Deployment/payment-gateway (TCP 8000)'],
        [2, 'shop/Deployment/cart', 'shop/Deployment/api (TCP 50051)'],
        [2, 'shop/Deployment/catalog', 'shop/Deployment/api (TCP 8080)'],
        [2, 'shop/Deployment/checkout', 'shop/Deployment/api (TCP 50051)'],
        [3, 'data/CronJob/report-exporter', 'monitoring/StatefulSet/prometheus (TCP 9100-9199)'],
        [3, 'data/StatefulSet/postgres', 'monitoring/StatefulSet/prometheus (TCP 9100-9199)'],
        [
          3,
          'ingress-nginx/Deployment/ingress-nginx-controller',
          'monitoring/StatefulSet/prometheus (TCP 10254)',
        ],
      ],
    );
  });

  test('two sources, targets among them left out, address targets, and no hop at all', () => {
    const r = analysis.paths(
      ['shop/Deployment/web', 'shop/api'],
      ['shop/Deployment/api', 'data/StatefulSet/postgres', '8.8.8.8', '10.0.0.0/8'],
      '0',
    );
    assert.equal(r.mode, 'targets');
    assert.deepEqual(r.from, ['shop/Deployment/api', 'shop/Deployment/web']);
    assert.equal(r.maxHops, 0);
    assert.deepEqual(
      r.reached?.map((x) => [x.hops, x.id, x.via]),
      [
        [0, 'shop/Deployment/api', null],
        [0, 'shop/Deployment/web', null],
      ],
    );
    assert.deepEqual(r.unreached, [
      'data/StatefulSet/postgres',
      'data/StatefulSet/redis',
      'data/CronJob/report-exporter',
      'ingress-nginx/Deployment/ingress-nginx-controller',
      'kube-system/Deployment/coredns',
      'monitoring/StatefulSet/alertmanager',
      'monitoring/Deployment/grafana',
      'monitoring/DaemonSet/node-exporter',
      'monitoring/StatefulSet/prometheus',
      'payments/Deployment/fraud-check',
      'payments/Deployment/payment-gateway',
      'shop/Deployment/cart',
      'shop/Deployment/catalog',
      'shop/Deployment/checkout',
    ]);
    assert.deepEqual(r.targets, [
      { id: 'data/StatefulSet/postgres', path: null },
      { id: 'external:0', path: null },
      { id: 'external:1', path: null },
    ]);
  });

  test('the path to an address outside the cluster', () => {
    const r = analysis.paths(['shop/web'], ['8.8.8.8'], null);
    assert.deepEqual(r.targets, [
      {
        id: 'external:0',
        path: [{ src: 'shop/Deployment/web', dst: 'external:0', summary: 'All connections' }],
      },
    ]);
  });

  test('addresses as sources, by reference or by id', () => {
    assert.deepEqual(analysis.paths(['10.0.0.0/8'], [], null).from, ['external:0', 'external:1']);
    assert.deepEqual(analysis.paths(['external:1'], [], null).from, ['external:1']);
  });

  test('address targets in the order of their classes, whatever the order asked', () => {
    // 203.0.113.9 is in external:2, 8.8.8.8 in external:0.
    const r = analysis.paths(['shop/web'], ['203.0.113.9', '8.8.8.8'], null);
    assert.deepEqual(
      r.targets?.map((t) => t.id),
      ['external:0', 'external:2'],
    );
  });

  test('a hop limit of several digits', () => {
    const r = analysis.paths(['shop/web'], [], '10');
    assert.equal(r.maxHops, 10);
    assert.deepEqual(r.unreached, []);
  });
});

describe('/api/lint', () => {
  test('fails on errors by default; with flows, the flow rules report too', async () => {
    const rules = (a: Analysis): string[] => [...new Set(a.lint().findings.map((f) => f.ruleId))];
    assert.deepEqual(analysis.lint().summary, {
      findings: 20,
      errors: 6,
      warnings: 14,
      info: 0,
      suppressed: 0,
      excluded: 0,
      failOn: 'error',
      failed: true,
    });
    assert.deepEqual(
      rules(analysis).filter((r) => r.startsWith('flows-')),
      [],
    );
    const configured = new Analysis({
      ...analysis.input,
      lintConfig: {
        rules: { 'no-allow-all-rule': 'off' },
        excludeNamespaces: ['monitoring'],
        failOn: 'warning',
      },
    });
    const summary = configured.lint().summary;
    assert.equal(summary.failOn, 'warning');
    assert.ok(!rules(configured).includes('no-allow-all-rule'), 'the rule turned off');
    assert.ok(rules(analysis).includes('no-allow-all-rule'));
    assert.ok(
      configured.lint().findings.every((f) => !JSON.stringify(f).includes('monitoring/')),
      'the namespace left out',
    );
    const withFlows = await webshopAnalysis({ flows: true });
    assert.deepEqual(
      rules(withFlows)
        .filter((r) => r.startsWith('flows-'))
        .sort(),
      ['flows-never-observed', 'flows-would-deny'],
    );
  });
});

describe('a cluster of its own', () => {
  // data/a, a bare pod, and the Deployment data/w1 of two pods, b1 isolated for ingress by x-only and b2 not.
  const state = withWorkloads(
    {
      namespaces: [ns('data')],
      pods: [
        pod('data', 'a', { app: 'a' }, { ips: ['10.0.0.1'] }),
        pod('data', 'b1', { app: 'b', tier: 'x' }, { ips: ['10.0.0.2'] }),
        pod('data', 'b2', { app: 'b', tier: 'y' }, { ips: ['10.0.0.3'] }),
      ],
      policies: [
        policy('data', 'x-only', { podSelector: { matchLabels: { tier: 'x' } }, policyTypes: ['Ingress'] }),
      ],
    },
    [0, 1, 1],
    false,
  );

  test('workloads of equal reach are ranked by id, not by name', () => {
    // By name a comes before w1; by id data/Deployment/w1 comes before data/Pod/a.
    assert.deepEqual(
      analysisOf(state)
        .paths([], [], null)
        .ranking?.map((r) => [r.id, r.reach, r.direct]),
      [
        ['data/Deployment/w1', 1, 1],
        ['data/Pod/a', 1, 1],
      ],
    );
  });

  test('a workload whose pods differ is explained pod class by pod class, each explanation apart', () => {
    const r = analysisOf(state).explain('data/a', 'data/Deployment/w1', null);
    assert.deepEqual(
      r.explanations.map((x) => x.verdict),
      ['denied', 'allowed'],
    );
    assert.match(r.text, /^data\/a → data\/w1 \(pod b1\): DENIED on all ports\n/);
    assert.match(
      r.text,
      /ingress: denied: no rule allows it\n\ndata\/a → data\/w1 \(pod b2\): ALLOWED on all ports\n/,
    );
  });
});

describe('explain: at most 20 pairs of pod classes', () => {
  // Three Deployments whose pods are each in a class of their own (each pod is selected by a policy of its
  // own): w1 of 4 pods, w2 of 5, w3 of 6. From w1, w2 is 4 x 5 = 20 pairs, w3 is 4 x 6 = 24.
  const sizes = [4, 5, 6];
  const pods = sizes.flatMap((n, w) =>
    Array.from({ length: n }, (_, i) =>
      pod('data', `w${w + 1}-${i}`, { app: `w${w + 1}`, slot: `w${w + 1}-${i}` }),
    ),
  );
  const policies = pods.map((p) =>
    policy('data', `only-${p.name}`, {
      podSelector: { matchLabels: { slot: p.labels['slot']! } },
      policyTypes: ['Ingress'],
    }),
  );
  const grouping = sizes.flatMap((n, w) => Array.from({ length: n }, () => w + 1));
  const state = withWorkloads({ namespaces: [ns('data')], pods, policies }, grouping, false);

  test('20 pairs are explained, pair by pair', () => {
    const r = analysisOf(state).explain('data/Deployment/w1', 'data/Deployment/w2', null);
    assert.equal(r.explanations.length, 20);
    assert.ok(r.explanations.every((x) => x.verdict === 'denied'));
  });

  test('more than 20 are refused', async () => {
    const own = analysisOf(state);
    assert.deepEqual(await refusal(() => own.explain('data/Deployment/w1', 'data/Deployment/w3', null)), [
      400,
      'too many pod classes to explain at once',
    ]);
  });
});
