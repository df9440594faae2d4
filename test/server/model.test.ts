/**
 * What the UI's API answers about the bundled example: the model (workloads, isolation, policies with their
 * YAML, connections, namespace aggregates), explanations, exposure, attack paths and the traffic overlay.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { ApiError, type Analysis } from '../../src/server/analysis.ts';
import type {
  ConnectionJson,
  ModelJson,
  ModelWorkloadJson,
  TrafficEdgeJson,
} from '../../src/contract/api.ts';
import type { CheckFlowsJson } from '../../src/contract/flows.ts';
import { runCli } from '../support/cli.ts';
import { HUBBLE, webshopAnalysis } from './support.ts';

let analysis: Analysis;
let model: ModelJson;

before(async () => {
  analysis = await webshopAnalysis({ flows: true });
  model = analysis.model();
});

const workload = (id: string): ModelWorkloadJson => {
  const w = model.workloads.find((x) => x.id === id);
  assert.ok(w, `no workload ${id}`);
  return w;
};
const connection = (src: string, dst: string): ConnectionJson | undefined =>
  model.connections?.find((c) => c.src === src && c.dst === dst);

describe('/api/model', () => {
  test('summary and the features the page needs to know', () => {
    assert.deepEqual(model.summary, {
      namespaces: 6,
      workloads: 16,
      pods: 0,
      policies: 21,
      connections: 221,
      domains: 0,
    });
    assert.deepEqual(model.domains, []);
    assert.deepEqual(model.features, { flows: true, watch: false, static: false });
    assert.deepEqual(model.source, { kind: 'files', description: 'examples/webshop' });
    assert.equal(model.external.length, 6);
  });

  test('workloads say whether they are isolated, whether anyone may reach them, and which policies select them', () => {
    const postgres = workload('data/StatefulSet/postgres');
    assert.deepEqual(postgres.isolated, { ingress: 'isolated', egress: 'not-isolated' });
    assert.deepEqual(postgres.open, { ingress: false, egress: true });
    assert.deepEqual(postgres.policies, [
      'data/allow-postgres',
      'data/allow-prometheus-scrape',
      'data/default-deny-ingress',
    ]);
    // Weakness 3: web is isolated, but its allow-all rule lets anyone in on every port.
    const web = workload('shop/Deployment/web');
    assert.equal(web.isolated.ingress, 'isolated');
    assert.equal(web.open.ingress, true);
    assert.equal(workload('monitoring/DaemonSet/node-exporter').isolated.ingress, 'host-network');
    assert.equal(workload('monitoring/StatefulSet/alertmanager').isolated.ingress, 'not-isolated');
    assert.equal(workload('payments/Deployment/payment-gateway').open.egress, false);
  });

  test('connections by entity id, with ports, and whether neither end restricts them', () => {
    const c = connection('shop/Deployment/catalog', 'data/StatefulSet/postgres');
    assert.equal(c?.summary, 'TCP 5432');
    assert.equal(c?.open, false);
    assert.deepEqual(c?.ports, { TCP: [[5432, 5432]], UDP: [], SCTP: [] });
    assert.equal(connection('shop/Deployment/web', 'data/StatefulSet/postgres'), undefined);
    assert.equal(connection('data/StatefulSet/postgres', 'kube-system/Deployment/coredns')?.open, true);
    assert.equal(model.connections?.length, 221);
  });

  test('namespace aggregates add up to the connections', () => {
    const total = model.namespaceConnections.reduce((n, g) => n + g.count, 0);
    assert.equal(total, 221);
    const shopToData = model.namespaceConnections.find((g) => g.src === 'ns:shop' && g.dst === 'ns:data');
    assert.deepEqual(
      { count: shopToData?.count, open: shopToData?.open, summary: shopToData?.summary },
      { count: 7, open: 0, summary: 'TCP 5432,6379' },
    );
  });

  test('policies carry their origin, what they select, and their YAML as written', () => {
    const allowWeb = model.policies.find((p) => p.id === 'shop/allow-web');
    assert.equal(allowWeb?.file, 'examples/webshop/policies/shop.yaml');
    assert.equal(allowWeb?.line, 12);
    assert.deepEqual(allowWeb?.selects, ['shop/Deployment/web']);
    assert.match(allowWeb?.yaml ?? '', /^apiVersion: networking\.k8s\.io\/v1\nkind: NetworkPolicy\n/);
    assert.match(allowWeb?.yaml ?? '', /# weakness: allow-all ingress rule/);
    assert.doesNotMatch(allowWeb?.yaml ?? '', /^---/m);
    // Weakness 9: a label typo, the policy selects nothing.
    assert.deepEqual(model.policies.find((p) => p.id === 'monitoring/allow-grafana')?.selects, []);
  });
});

describe('/api/explain, /api/workload', () => {
  test('an edge explains itself: the rule on each side', () => {
    const r = analysis.explain('shop/Deployment/catalog', 'data/StatefulSet/postgres', null);
    assert.equal(r.explanations.length, 1);
    const x = r.explanations[0]!;
    assert.equal(x.verdict, 'partly-allowed');
    assert.equal(x.summary, 'TCP 5432');
    assert.equal(x.egress.status, 'not-isolated');
    assert.deepEqual(
      x.ingress.rules.map((rule) => `${rule.policy} ${rule.path}:${rule.line}`),
      ['data/allow-postgres spec.ingress[0]:23'],
    );
    assert.match(r.text, /^shop\/catalog → data\/postgres: ALLOWED on 5432\/TCP only/);
  });

  test('references as the CLI takes them, and one-line errors', () => {
    const r = analysis.explain('shop/web', 'data/postgres', '5432/TCP');
    assert.equal(r.explanations[0]?.verdict, 'denied');
    assert.throws(
      () => analysis.explain('shop/wbe', 'data/postgres', null),
      (e: unknown) => {
        assert.ok(e instanceof ApiError);
        assert.equal(e.status, 400);
        assert.equal(e.message, 'from: no workload "shop/wbe"; did you mean "shop/web"?');
        return true;
      },
    );
    assert.throws(() => analysis.explain('shop/web', null, null), /give \?to=namespace\/workload/);
    assert.throws(() => analysis.explain('shop/web', 'data/postgres', '99999'), /port: invalid port "99999"/);
  });

  test('a workload in plain words: who can reach it, whom it can reach', () => {
    const r = analysis.workload('data/StatefulSet/postgres');
    assert.ok(r.exposure !== null);
    assert.deepEqual(
      r.exposure.ingress.statements.map((s) => `${s.description}, ${s.portsDescription} (${s.policy})`),
      [
        'pods labelled app.kubernetes.io/name in (catalog, checkout) in namespace shop, on postgres (5432/TCP) (data/allow-postgres)',
        'pods labelled app.kubernetes.io/name=report-exporter in namespace data, on postgres (5432/TCP) (data/allow-postgres)',
        'pods labelled app.kubernetes.io/name=prometheus in namespace monitoring, on 9100-9199/TCP (data/allow-prometheus-scrape)',
      ],
    );
    assert.equal(r.exposure.egress.status, 'not-isolated');
    assert.throws(() => analysis.workload('data/nope'), /no workload "data\/nope"/);
  });
});

describe('/api/paths', () => {
  test('without a compromised workload: the ranking by blast radius', () => {
    const r = analysis.paths([], [], null);
    assert.equal(r.mode, 'rank');
    assert.equal(r.ranking?.length, 16);
    assert.deepEqual(r.ranking?.[0], {
      id: 'monitoring/StatefulSet/prometheus',
      reach: 15,
      direct: 13,
      entryPoint: false,
    });
  });

  test('hop by hop from a compromised workload, and the shortest path to a target', () => {
    const r = analysis.paths(['shop/Deployment/web'], ['data/StatefulSet/postgres'], null);
    assert.equal(r.mode, 'targets');
    assert.deepEqual(r.from, ['shop/Deployment/web']);
    const hops = new Map(r.reached?.map((x) => [x.id, x.hops]));
    assert.equal(hops.get('shop/Deployment/web'), 0);
    assert.equal(hops.get('shop/Deployment/api'), 1);
    assert.equal(hops.get('data/StatefulSet/postgres'), 3);
    const path = r.targets?.[0]?.path?.map((s) => `${s.src} -> ${s.dst} (${s.summary})`);
    assert.equal(path?.length, 3);
    assert.equal(
      path?.at(-1),
      'monitoring/StatefulSet/prometheus -> data/StatefulSet/postgres (TCP 9100-9199)',
    );
    const limited = analysis.paths(['shop/Deployment/web'], [], '1');
    assert.ok(limited.reached?.every((x) => x.hops <= 1));
    assert.throws(
      () => analysis.paths(['shop/web'], [], 'two'),
      /maxHops: expected a whole number, got "two"/,
    );
  });
});

describe('/api/paths on Cilium policies', () => {
  test('a hop Cilium filters at L7 says so, on which ports, by which policy', async () => {
    const cilium = await webshopAnalysis({ path: 'examples/cilium' });
    const r = cilium.paths(['news/Deployment/web'], ['data/StatefulSet/postgres'], null);
    const path = r.targets?.[0]?.path ?? [];
    assert.deepEqual(
      path.map((s) => [s.src, s.dst]),
      [
        ['news/Deployment/web', 'news/Deployment/api'],
        ['news/Deployment/api', 'data/StatefulSet/postgres'],
      ],
    );
    assert.deepEqual(path[0]?.l7, {
      summary: 'TCP 8080',
      policies: ['CiliumNetworkPolicy/news/api-from-web'],
    });
    assert.equal(path[1]?.l7, undefined);
  });
});

describe('/api/flows', () => {
  test('each pair is observed, partly observed, never observed, or observed but denied', () => {
    const t = analysis.flows();
    const edge = (src: string, dst: string): TrafficEdgeJson | undefined =>
      t.edges.find((e) => e.src === src && e.dst === dst);
    // Weakness 8: Prometheus cannot scrape payments (a named port nobody defines).
    const scrape = edge('monitoring/StatefulSet/prometheus', 'payments/Deployment/payment-gateway');
    assert.equal(scrape?.status, 'denied');
    assert.deepEqual(
      scrape?.denied.map((d) => `${d.protocol} ${d.port} at ${d.blockedAt.join('+')}`),
      ['TCP 9102 at ingress'],
    );
    // Weakness 7: the report job's DNS lookups are dropped at its egress.
    const dns = edge('data/CronJob/report-exporter', 'kube-system/Deployment/coredns');
    assert.equal(dns?.status, 'denied');
    assert.deepEqual(dns?.denied.map((d) => `${d.protocol} ${d.port}`).sort(), ['TCP 53', 'UDP 53']);
    assert.equal(edge('shop/Deployment/catalog', 'data/StatefulSet/postgres')?.status, 'observed');
    const redis = edge('monitoring/StatefulSet/prometheus', 'data/StatefulSet/redis');
    assert.equal(redis?.status, 'partly-observed');
    assert.equal(redis?.unobserved, 'TCP 6379,9100-9120,9122-9199');
    assert.equal(edge('data/StatefulSet/postgres', 'data/StatefulSet/redis')?.status, 'unobserved');
    assert.deepEqual(t.summary, {
      observed: 27,
      partlyObserved: 21,
      unobserved: 173,
      denied: 3,
      connections: 67,
      ports: { observed: 67, allowed: 63, unpoliced: 0, wouldBeDenied: 0, stillDenied: 4 },
    });
  });

  test("counts observed ports as check-flows' JSON does on the same input (one number, one meaning)", async () => {
    const cli = await runCli(['check-flows', 'examples/webshop', '--flows', HUBBLE, '-o', 'json']);
    const s = (JSON.parse(cli.stdout) as CheckFlowsJson).summary;
    assert.deepEqual(analysis.flows().summary.ports, {
      observed: s.observed,
      allowed: s.allowed,
      unpoliced: s.unpoliced,
      wouldBeDenied: s.breaking,
      stillDenied: s.denied - s.breaking,
    });
  });
});
