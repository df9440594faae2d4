/**
 * The details of `/api/model` and `/api/connections` that the UI draws and that nothing else pins (found by
 * mutation testing, issue #20): the namespaces with their counts, the namespace aggregates' order and open
 * counts, the open flag of a connection with the outside, policies without a file, workloads whose pods
 * differ and one namespace's connections (the limit above which the
 * workload-level list is left out: model-limit.test.ts), and a workload's Admin-tier policies sorted by priority
 * even when the pod selected by the later one comes first (its class, and so its policies, first).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ApiError, type Analysis } from '../../src/server/analysis.ts';
import { connectionsOfNamespace } from '../../src/server/model.ts';
import { renderPolicy } from '../../src/server/sources.ts';
import type { ConnectionJson, ModelJson } from '../../src/contract/api.ts';
import type { PodInfo, WorkloadInfo } from '../../src/model/cluster.ts';
import { ciliumPolicyInfo } from '../../src/model/cilium.ts';
import { anp, banp, ccnp, cluster, cnpCilium, ns, pod, policy } from '../support/builders.ts';
import { analysisOf, webshopAnalysis } from './support.ts';

let webshop: Analysis;
let model: ModelJson;

before(async () => {
  webshop = await webshopAnalysis();
  model = webshop.model();
});
after(() => webshop.close());

/** A Deployment `namespace/Deployment/name` made of the given pods (each keeps its own labels). */
function deployment(
  namespace: string,
  name: string,
  pods: readonly PodInfo[],
): { pods: PodInfo[]; workload: WorkloadInfo } {
  const id = `${namespace}/Deployment/${name}`;
  return {
    pods: pods.map((p) => ({ ...p, workload: id })),
    workload: {
      id,
      namespace,
      kind: 'Deployment',
      name,
      labels: pods[0]!.labels,
      pods: pods.map((p) => p.name),
      replicas: pods.length,
    },
  };
}

/** The namespace group of an entity id of the webshop model, as the aggregates name it. */
const groupOf = (id: string): string => {
  const w = model.workloads.find((x) => x.id === id);
  return w === undefined ? 'outside' : `ns:${w.namespace}`;
};

describe('/api/model on the webshop', () => {
  test('the version, schema and features', () => {
    assert.equal(model.schemaVersion, 1);
    assert.equal(model.version, 1);
    assert.equal(model.granularity, 'workload');
    assert.deepEqual(model.features, { flows: false, watch: false, static: false });
  });

  test('namespaces in name order, with their labels and how many workloads and policies each holds', () => {
    assert.deepEqual(
      model.namespaces.map((n) => [n.name, n.implicit, n.workloads, n.policies]),
      [
        ['data', false, 3, 5],
        ['ingress-nginx', false, 1, 2],
        ['kube-system', false, 1, 0],
        ['monitoring', false, 4, 2],
        ['payments', false, 2, 5],
        ['shop', false, 5, 7],
      ],
    );
    assert.deepEqual(model.namespaces.find((n) => n.name === 'kube-system')?.labels, {
      'kubernetes.io/metadata.name': 'kube-system',
    });
  });

  test('a connection with the outside is open when the workload end restricts nothing', () => {
    const c = (src: string, dst: string): ConnectionJson | undefined =>
      model.connections?.find((x) => x.src === src && x.dst === dst);
    // postgres is not isolated for egress; an address outside the cluster restricts nothing.
    assert.equal(c('data/StatefulSet/postgres', 'external:0')?.open, true);
    // payment-gateway is isolated for egress (it reaches the outside on 443 only).
    assert.equal(c('payments/Deployment/payment-gateway', 'external:2')?.open, false);
    // web's allow-all rule lets the outside in on every port.
    assert.equal(c('external:0', 'shop/Deployment/web')?.open, true);
    // The controller is isolated for ingress: only some ports are open to the outside.
    assert.equal(c('external:0', 'ingress-nginx/Deployment/ingress-nginx-controller')?.open, false);
  });

  test('namespace aggregates: in (source, destination) order, each counting its connections and the open ones', () => {
    const groups = model.namespaceConnections;
    const order = groups.map((g) => `${g.src} ${g.dst}`);
    const sorted = [...groups]
      .sort((a, b) => (a.src < b.src ? -1 : a.src > b.src ? 1 : a.dst < b.dst ? -1 : a.dst > b.dst ? 1 : 0))
      .map((g) => `${g.src} ${g.dst}`);
    assert.deepEqual(order, sorted);
    assert.equal(order[0], 'ns:data ns:data');
    assert.equal(order.at(-1), 'outside ns:shop');
    // Recounted from the connections, group by group.
    const expected = new Map<string, { count: number; open: number }>();
    for (const c of model.connections ?? []) {
      const key = `${groupOf(c.src)} ${groupOf(c.dst)}`;
      const g = expected.get(key) ?? { count: 0, open: 0 };
      g.count++;
      if (c.open) g.open++;
      expected.set(key, g);
    }
    assert.deepEqual(
      new Map(groups.map((g) => [`${g.src} ${g.dst}`, { count: g.count, open: g.open }])),
      expected,
    );
    const row = (src: string, dst: string) => {
      const g = groups.find((x) => x.src === src && x.dst === dst);
      return g === undefined ? undefined : [g.count, g.open, g.summary, g.ports];
    };
    assert.deepEqual(row('ns:data', 'outside'), [
      13,
      12,
      'All connections',
      {
        TCP: [[1, 65535]],
        UDP: [[1, 65535]],
        SCTP: [[1, 65535]],
      },
    ]);
    assert.deepEqual(row('ns:payments', 'outside'), [
      6,
      0,
      'TCP 443',
      { TCP: [[443, 443]], UDP: [], SCTP: [] },
    ]);
    assert.deepEqual(row('outside', 'ns:shop')?.slice(0, 2), [6, 6]);
    assert.deepEqual(row('ns:payments', 'ns:kube-system')?.slice(0, 3), [2, 0, 'TCP 53; UDP 53']);
  });

  test('policies say which directions they affect and where they were written', () => {
    const p = (id: string) => model.policies.find((x) => x.id === id);
    assert.deepEqual(
      ['data/report-exporter-egress', 'payments/default-deny-all', 'shop/allow-web'].map((id) => [
        id,
        p(id)?.ingress,
        p(id)?.egress,
        p(id)?.file,
        p(id)?.line,
      ]),
      [
        ['data/report-exporter-egress', false, true, 'examples/webshop/policies/data.yaml', 81],
        ['payments/default-deny-all', true, true, 'examples/webshop/policies/payments.yaml', 3],
        ['shop/allow-web', true, false, 'examples/webshop/policies/shop.yaml', 12],
      ],
    );
    // In the order of the workloads (namespace, then kind, then name).
    assert.deepEqual(p('data/default-deny-ingress')?.selects, [
      'data/CronJob/report-exporter',
      'data/StatefulSet/postgres',
      'data/StatefulSet/redis',
    ]);
  });
});

describe('/api/connections?namespace=', () => {
  test("a namespace's connections are the model's with an end in it, in the model's order", () => {
    const inPayments = (model.connections ?? []).filter(
      (c) => groupOf(c.src) === 'ns:payments' || groupOf(c.dst) === 'ns:payments',
    );
    assert.ok(inPayments.some((c) => groupOf(c.src) !== 'ns:payments'));
    assert.ok(inPayments.some((c) => groupOf(c.dst) !== 'ns:payments'));
    assert.deepEqual(webshop.connections('payments'), { connections: inPayments, truncated: false });
  });

  test('above the limit, the first ones and `truncated`', () => {
    const all = webshop.connections('payments').connections;
    const n = all.length;
    const cut = connectionsOfNamespace(webshop.index, webshop.connectivity, 'payments', 3);
    assert.deepEqual(cut, { connections: all.slice(0, 3), truncated: true });
    assert.deepEqual(connectionsOfNamespace(webshop.index, webshop.connectivity, 'payments', n), {
      connections: all,
      truncated: false,
    });
  });

  test('a missing or unknown namespace is a one-line error', () => {
    for (const [query, status, message] of [
      [null, 400, 'give ?namespace=NAME'],
      ['', 400, 'give ?namespace=NAME'],
      ['nope', 404, 'no namespace "nope"'],
    ] as const) {
      assert.throws(
        () => webshop.connections(query),
        (e: unknown) => e instanceof ApiError && e.status === status && e.message === message,
      );
    }
  });
});

describe('/api/model on a built state', () => {
  test('a workload whose pods a policy selects only in part is partly isolated, and not open', () => {
    const web = deployment('prod', 'web', [
      pod('prod', 'web-a', { app: 'web', canary: 'yes' }),
      pod('prod', 'web-b', { app: 'web' }),
    ]);
    const host = deployment('prod', 'agent', [
      pod('prod', 'agent-a', { app: 'agent', role: 'host' }, { hostNetwork: true }),
      pod('prod', 'agent-b', { app: 'agent' }),
    ]);
    const state = cluster({
      namespaces: [ns('prod')],
      policies: [
        policy('prod', 'canary', { podSelector: { matchLabels: { canary: 'yes' } }, ingress: [] }),
        policy('prod', 'agent', {
          podSelector: { matchLabels: { app: 'agent' } },
          policyTypes: ['Egress'],
          egress: [],
        }),
      ],
    });
    const a = analysisOf({
      ...state,
      pods: [...web.pods, ...host.pods],
      workloads: [
        web.workload,
        host.workload,
        {
          id: 'prod/Deployment/idle',
          namespace: 'prod',
          kind: 'Deployment',
          name: 'idle',
          labels: {},
          pods: [],
          replicas: 0,
        },
      ],
    });
    try {
      const m = a.model();
      const w = (id: string) => m.workloads.find((x) => x.id === id);
      assert.deepEqual(w('prod/Deployment/web')?.isolated, { ingress: 'partly', egress: 'not-isolated' });
      assert.deepEqual(w('prod/Deployment/web')?.open, { ingress: false, egress: true });
      assert.deepEqual(w('prod/Deployment/web')?.policies, ['prod/canary']);
      // One pod on the host network, one isolated: partly isolated (the host's pod counts as not isolated).
      assert.deepEqual(w('prod/Deployment/agent')?.isolated, { ingress: 'not-isolated', egress: 'partly' });
      assert.deepEqual(w('prod/Deployment/agent')?.open, { ingress: true, egress: false });
      // A workload without pods has nothing isolated, and nothing open either.
      assert.deepEqual(w('prod/Deployment/idle')?.isolated, {
        ingress: 'not-isolated',
        egress: 'not-isolated',
      });
      assert.deepEqual(w('prod/Deployment/idle')?.open, { ingress: false, egress: false });
    } finally {
      a.close();
    }
  });

  test('policies read from a cluster: no file nor line, their YAML rebuilt', () => {
    const deny = policy('prod', 'deny', { podSelector: {}, policyTypes: ['Ingress'] });
    const a = analysisOf(
      cluster({ namespaces: [ns('prod')], pods: [pod('prod', 'web', { app: 'web' })], policies: [deny] }),
      { version: 7, watch: true },
    );
    try {
      const m = a.model();
      assert.equal(m.version, 7);
      assert.deepEqual(m.source, { kind: 'cluster', description: 'context test' });
      assert.deepEqual(m.features, { flows: false, watch: true, static: false });
      const p = m.policies[0]!;
      assert.deepEqual([p.id, p.file, p.line, p.selects], ['prod/deny', null, null, ['prod/Pod/web']]);
      assert.equal(p.yaml, renderPolicy(deny));
      assert.match(p.yaml, /^apiVersion: networking\.k8s\.io\/v1\nkind: NetworkPolicy\n/);
      assert.match(p.yaml, /name: deny/);
    } finally {
      a.close();
    }
  });

  test('a namespace only named by a pod is implicit, and counted; namespaces are in name order', () => {
    // The state lists `prod` first, then the implicit `extra`.
    const a = analysisOf(
      cluster({ namespaces: [ns('prod')], pods: [pod('extra', 'one'), pod('extra', 'two')] }),
    );
    try {
      assert.deepEqual(a.model().namespaces, [
        {
          name: 'extra',
          labels: { 'kubernetes.io/metadata.name': 'extra' },
          implicit: true,
          workloads: 2,
          policies: 0,
        },
        {
          name: 'prod',
          labels: { 'kubernetes.io/metadata.name': 'prod' },
          implicit: false,
          workloads: 0,
          policies: 0,
        },
      ]);
    } finally {
      a.close();
    }
  });

  test('Cilium policies read from a cluster: no file nor line, the YAML of the object, default deny per direction', () => {
    const a = analysisOf(
      cluster({
        namespaces: [ns('prod')],
        pods: [pod('prod', 'web', { app: 'web' }), pod('prod', 'db', { app: 'db' })],
        ciliumPolicies: [
          cnpCilium('prod', 'web-in', { endpointSelector: { matchLabels: { app: 'web' } }, ingress: [{}] }),
          ccnp('all-out', { endpointSelector: {}, egress: [{}] }),
          cnpCilium('prod', 'nobody', {
            endpointSelector: { matchLabels: { app: 'nobody' } },
            ingress: [{}],
          }),
        ],
      }),
    );
    try {
      const m = a.model();
      assert.deepEqual(
        m.ciliumPolicies.map((p) => [p.id, p.namespace, p.file, p.line, p.ingress, p.egress, p.selects]),
        [
          ['CiliumNetworkPolicy/prod/web-in', 'prod', null, null, true, false, ['prod/Pod/web']],
          [
            'CiliumClusterwideNetworkPolicy/all-out',
            null,
            null,
            null,
            false,
            true,
            ['prod/Pod/db', 'prod/Pod/web'],
          ],
          ['CiliumNetworkPolicy/prod/nobody', 'prod', null, null, true, false, []],
        ],
      );
      assert.match(m.ciliumPolicies[0]!.yaml, /^apiVersion: cilium\.io\/v2\nkind: CiliumNetworkPolicy\n/);
      assert.match(m.ciliumPolicies[1]!.yaml, /name: all-out/);
      const web = m.workloads.find((w) => w.id === 'prod/Pod/web');
      assert.deepEqual(web?.ciliumPolicies, [
        'CiliumNetworkPolicy/prod/web-in',
        'CiliumClusterwideNetworkPolicy/all-out',
      ]);
    } finally {
      a.close();
    }
  });

  test("a workload's policies in input order, whichever of its pods each selects", () => {
    // The first policy (and Cilium policy) of the input selects the second pod, the second the first.
    const web = deployment('prod', 'web', [
      pod('prod', 'web-a', { app: 'web', track: 'canary' }),
      pod('prod', 'web-b', { app: 'web', track: 'stable' }),
    ]);
    const state = cluster({
      namespaces: [ns('prod')],
      policies: [
        policy('prod', 'stable', { podSelector: { matchLabels: { track: 'stable' } }, ingress: [] }),
        policy('prod', 'canary', { podSelector: { matchLabels: { track: 'canary' } }, ingress: [] }),
      ],
      clusterPolicies: [
        banp({
          subject: { pods: { namespaceSelector: {}, podSelector: { matchLabels: { track: 'canary' } } } },
        }),
        anp('stable', {
          priority: 5,
          subject: { pods: { namespaceSelector: {}, podSelector: { matchLabels: { track: 'stable' } } } },
        }),
        anp('canary', {
          priority: 1,
          subject: { pods: { namespaceSelector: {}, podSelector: { matchLabels: { track: 'canary' } } } },
        }),
      ],
      ciliumPolicies: [
        cnpCilium('prod', 'stable', {
          endpointSelector: { matchLabels: { track: 'stable' } },
          ingress: [{}],
        }),
        cnpCilium('prod', 'canary', {
          endpointSelector: { matchLabels: { track: 'canary' } },
          ingress: [{}],
        }),
      ],
    });
    const a = analysisOf({ ...state, pods: web.pods, workloads: [web.workload] });
    try {
      const w = a.model().workloads[0]!;
      assert.deepEqual(w.policies, ['prod/stable', 'prod/canary']);
      // Cluster policies in evaluation order: the Admin tier by priority, then the Baseline.
      assert.deepEqual(w.clusterPolicies, [
        'AdminNetworkPolicy/canary',
        'AdminNetworkPolicy/stable',
        'BaselineAdminNetworkPolicy/default',
      ]);
      assert.deepEqual(w.ciliumPolicies, [
        'CiliumNetworkPolicy/prod/stable',
        'CiliumNetworkPolicy/prod/canary',
      ]);
    } finally {
      a.close();
    }
  });

  test('a Cilium policy of several rule sets denies by default in each direction one of them does', () => {
    const both = ciliumPolicyInfo({
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: 'both', namespace: 'prod' },
      specs: [
        { endpointSelector: { matchLabels: { app: 'web' } }, ingress: [{}] },
        { endpointSelector: { matchLabels: { app: 'web' } }, egress: [{}] },
      ],
    });
    const a = analysisOf(
      cluster({
        namespaces: [ns('prod')],
        pods: [pod('prod', 'web', { app: 'web' })],
        ciliumPolicies: [both],
      }),
    );
    try {
      const p = a.model().ciliumPolicies[0]!;
      assert.deepEqual(
        [p.id, p.ingress, p.egress, p.selects],
        ['CiliumNetworkPolicy/prod/both', true, true, ['prod/Pod/web']],
      );
    } finally {
      a.close();
    }
  });

  test('a connection Cilium filters at L7 says so, in the model and in its namespace', async () => {
    const a = await webshopAnalysis({ path: 'examples/cilium' });
    try {
      const l7 = {
        ports: { TCP: [[8080, 8080]], UDP: [], SCTP: [] },
        summary: 'TCP 8080',
        policies: ['CiliumNetworkPolicy/news/api-from-web'],
      };
      const find = (list: readonly ConnectionJson[] | null, src: string, dst: string) =>
        list?.find((c) => c.src === src && c.dst === dst);
      const m = a.model();
      assert.deepEqual(find(m.connections, 'news/Deployment/web', 'news/Deployment/api')?.l7, l7);
      assert.equal(find(m.connections, 'news/Deployment/api', 'data/StatefulSet/postgres')?.l7, undefined);
      const news = a.connections('news').connections;
      assert.deepEqual(find(news, 'news/Deployment/web', 'news/Deployment/api')?.l7, l7);
    } finally {
      a.close();
    }
  });
});

describe('model: a workload’s cluster policies', () => {
  test('within the Admin tier by priority, whichever pod each selects and in whatever order', () => {
    for (const order of [
      ['late', 'early'],
      ['early', 'late'],
    ]) {
      const id = 'prod/Deployment/web';
      const pods: PodInfo[] = order.map((track) => ({
        ...pod('prod', `web-${track}`, { app: 'web', track }),
        workload: id,
      }));
      const state = cluster({
        namespaces: [ns('prod')],
        clusterPolicies: [
          anp('late', {
            priority: 20,
            subject: { pods: { namespaceSelector: {}, podSelector: { matchLabels: { track: 'late' } } } },
          }),
          anp('early', {
            priority: 10,
            subject: { pods: { namespaceSelector: {}, podSelector: { matchLabels: { track: 'early' } } } },
          }),
        ],
      });
      const workload: WorkloadInfo = {
        id,
        namespace: 'prod',
        kind: 'Deployment',
        name: 'web',
        labels: { app: 'web' },
        pods: pods.map((p) => p.name),
        replicas: 2,
      };
      const a = analysisOf({ ...state, pods, workloads: [workload] });
      try {
        assert.deepEqual(
          a.model().workloads.find((w) => w.id === id)?.clusterPolicies,
          ['AdminNetworkPolicy/early', 'AdminNetworkPolicy/late'],
          order.join(', '),
        );
      } finally {
        a.close();
      }
    }
  });
});
