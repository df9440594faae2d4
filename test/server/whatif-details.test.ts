/**
 * What-if, computed in this thread (`whatIf` itself, not through the server's worker thread, so that mutation
 * testing sees it): the edges the graph draws (their change, ports, open flag and order), the readable rows,
 * the problems of each change in order, which changes apply, where a policy without a namespace goes, and
 * the L7 and DNS-name notes of Cilium edits. Found by mutation testing (issue #20).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Analysis } from '../../src/server/analysis.ts';
import {
  parseWhatIfRequest,
  whatIf,
  WhatIfRequestError,
  type WhatIfChange,
} from '../../src/server/whatif.ts';
import type { WhatIfJson } from '../../src/contract/api.ts';
import { webshopAnalysis } from './support.ts';

const OPTIONS = { engine: { ipBlockMatchesPods: true }, defaultNamespace: 'default' };

let webshop: Analysis;
let cilium: Analysis;

before(async () => {
  webshop = await webshopAnalysis();
  cilium = await webshopAnalysis({ path: 'examples/cilium' });
});
after(() => {
  webshop.close();
  cilium.close();
});

const run = (changes: WhatIfChange[]): WhatIfJson => whatIf(webshop.input.state, changes, OPTIONS);
const changed = (r: WhatIfJson): WhatIfJson['edges'] => r.edges.filter((e) => e.change !== 'unchanged');
const policiesOf = (r: WhatIfJson): string[] => r.policies.map((p) => `${p.change} ${p.id}`);

/** A NetworkPolicy allowing `port` into every pod of its namespace (the default one when none is given). */
function np(name: string, namespace?: string, port = 80): string {
  return [
    'apiVersion: networking.k8s.io/v1',
    'kind: NetworkPolicy',
    'metadata:',
    `  name: ${name}`,
    ...(namespace === undefined ? [] : [`  namespace: ${namespace}`]),
    'spec:',
    '  podSelector: {}',
    '  ingress:',
    `    - ports: [{port: ${port}}]`,
    '',
  ].join('\n');
}

describe('what-if edges and rows', () => {
  test('closing an open workload: removed edges were open, the edges left are not, in entity order', () => {
    // shop/web's allow-all rule replaced by ingress-nginx on 8080: every other client loses it.
    const yaml = [
      'apiVersion: networking.k8s.io/v1',
      'kind: NetworkPolicy',
      'metadata: {name: allow-web, namespace: shop}',
      'spec:',
      '  podSelector: {matchLabels: {app.kubernetes.io/name: web}}',
      '  ingress:',
      '    - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ingress-nginx}}}]',
      '      ports: [{port: 8080}]',
    ].join('\n');
    const r = run([{ target: 'shop/allow-web', yaml }]);
    assert.deepEqual(r.problems, []);
    assert.deepEqual(r.applied, [0]);
    assert.deepEqual([r.summary.added, r.summary.removed, r.summary.changed], [0, 17, 2]);
    const edges = changed(r);
    assert.ok(edges.every((e) => e.dst === 'shop/Deployment/web'));
    // In the order of the entities: workloads (namespace, kind, name), then the outside's address classes.
    assert.deepEqual(
      edges.map((e) => `${e.change} ${e.src}`),
      [
        'removed data/StatefulSet/postgres',
        'removed data/StatefulSet/redis',
        'changed ingress-nginx/Deployment/ingress-nginx-controller',
        'removed kube-system/Deployment/coredns',
        'removed monitoring/StatefulSet/alertmanager',
        'removed monitoring/Deployment/grafana',
        'removed monitoring/DaemonSet/node-exporter',
        'changed monitoring/StatefulSet/prometheus',
        'removed shop/Deployment/api',
        'removed shop/Deployment/cart',
        'removed shop/Deployment/catalog',
        'removed shop/Deployment/checkout',
        'removed shop/Deployment/web',
        'removed external:0',
        'removed external:1',
        'removed external:2',
        'removed external:3',
        'removed external:4',
        'removed external:5',
      ],
    );
    // A removed edge is drawn as it was: open (web let everyone in). The edges left are not open any more.
    assert.deepEqual(edges[0], {
      src: 'data/StatefulSet/postgres',
      dst: 'shop/Deployment/web',
      change: 'removed',
      summary: 'All connections',
      before: 'All connections',
      after: null,
      open: true,
      l7: null,
    });
    assert.deepEqual(edges[2], {
      src: 'ingress-nginx/Deployment/ingress-nginx-controller',
      dst: 'shop/Deployment/web',
      change: 'changed',
      summary: 'TCP 8080',
      before: 'All connections',
      after: 'TCP 8080',
      open: false,
      l7: null,
    });
    assert.ok(edges.every((e) => e.open === (e.change === 'removed')));
    // An unchanged edge keeps its open flag: coredns lets everyone in.
    const dns = r.edges.find(
      (e) => e.src === 'shop/Deployment/web' && e.dst === 'kube-system/Deployment/coredns',
    );
    assert.deepEqual(
      [dns?.change, dns?.summary, dns?.before, dns?.after, dns?.open],
      ['unchanged', 'All connections', 'All connections', 'All connections', true],
    );
    assert.deepEqual(r.rows[2], {
      change: 'changed',
      src: 'ingress-nginx/ingress-nginx-controller',
      dst: 'shop/web',
      before: 'All connections',
      after: 'TCP 8080',
      added: null,
      removed: 'TCP 1-8079,8081-65535; UDP all ports; SCTP all ports',
      l7: null,
    });
    assert.deepEqual(r.rows.at(-1), {
      change: 'removed',
      src: 'any address',
      dst: 'shop/web',
      before: 'All connections',
      after: null,
      added: null,
      removed: 'All connections',
      l7: null,
    });
    // The diff as `netfence diff -o json` writes it, with the two sides named.
    assert.deepEqual([r.diff.before, r.diff.after], ['current policies', 'what-if']);
    assert.deepEqual(
      r.external,
      webshop.model().external.map((x) => ({ id: x.id, description: x.description })),
    );
  });

  test('a client swapped for another: one edge added, one removed, as edges and rows', () => {
    const yaml = webshop
      .model()
      .policies.find((p) => p.id === 'data/allow-postgres')!
      .yaml.replace('values: [catalog, checkout]', 'values: [checkout, cart]');
    const r = run([{ target: 'data/allow-postgres', yaml }]);
    assert.deepEqual(changed(r), [
      {
        src: 'shop/Deployment/cart',
        dst: 'data/StatefulSet/postgres',
        change: 'added',
        summary: 'TCP 5432',
        before: null,
        after: 'TCP 5432',
        open: false,
        l7: null,
      },
      {
        src: 'shop/Deployment/catalog',
        dst: 'data/StatefulSet/postgres',
        change: 'removed',
        summary: 'TCP 5432',
        before: 'TCP 5432',
        after: null,
        open: false,
        l7: null,
      },
    ]);
    // The new edge takes its place among cart's edges: in the order of the destinations, as checkout's.
    const dsts = (src: string, among: readonly string[]): string[] =>
      r.edges.filter((e) => e.src === src && among.includes(e.dst)).map((e) => e.dst);
    const ofCart = r.edges.filter((e) => e.src === 'shop/Deployment/cart').map((e) => e.dst);
    const ofCheckout = r.edges.filter((e) => e.src === 'shop/Deployment/checkout').map((e) => e.dst);
    assert.ok(ofCart.includes('data/StatefulSet/postgres') && ofCart.at(-1) !== 'data/StatefulSet/postgres');
    assert.deepEqual(dsts('shop/Deployment/cart', ofCheckout), dsts('shop/Deployment/checkout', ofCart));
    assert.deepEqual(r.rows[0], {
      change: 'added',
      src: 'shop/cart',
      dst: 'data/postgres',
      before: null,
      after: 'TCP 5432',
      added: 'TCP 5432',
      removed: null,
      l7: null,
    });
  });
});

describe('what-if problems and what applies', () => {
  test('a policy changed twice: the second change is refused, the first applies', () => {
    const r = run([{ target: 'data/allow-redis' }, { target: 'data/allow-redis', yaml: np('allow-redis') }]);
    assert.deepEqual(r.problems, [
      {
        change: 1,
        severity: 'error',
        message: 'policy "data/allow-redis" is changed twice',
        line: null,
        column: null,
        path: '',
      },
    ]);
    assert.deepEqual(r.applied, [0]);
    assert.deepEqual(policiesOf(r), ['removed data/allow-redis']);
  });

  test('two new policies of one name: the second is refused at its name', () => {
    const r = run([{ yaml: np('twin', 'shop') }, { yaml: np('twin', 'shop') }]);
    assert.deepEqual(r.problems, [
      {
        change: 1,
        severity: 'error',
        message:
          'policy "shop/twin" already exists in another change: give it another name, or edit "shop/twin" itself',
        line: 4,
        column: 3,
        path: 'metadata.name',
      },
    ]);
    assert.deepEqual(r.applied, [0]);
    assert.deepEqual(policiesOf(r), ['added shop/twin']);
  });

  test("a policy turned off frees its name; an edit without a namespace keeps the target's, a new one gets the default", () => {
    const freed = run([{ target: 'data/allow-redis' }, { yaml: np('allow-redis', 'data') }]);
    assert.deepEqual(freed.problems, []);
    assert.deepEqual(freed.applied, [0, 1]);
    assert.deepEqual(policiesOf(freed), ['modified data/allow-redis']);
    const r = run([{ yaml: np('fresh') }, { target: 'data/allow-postgres', yaml: np('allow-postgres') }]);
    assert.deepEqual(r.problems, []);
    assert.deepEqual(r.applied, [0, 1]);
    assert.deepEqual(policiesOf(r), ['modified data/allow-postgres', 'added default/fresh']);
  });

  test('a warning does not stop a change', () => {
    const r = run([{ yaml: `${np('warned', 'shop')}---\nfoo: bar\n` }]);
    assert.deepEqual(r.problems, [
      {
        change: 0,
        severity: 'warning',
        message: 'this document is not a Kubernetes object (it has no apiVersion and kind): ignored',
        line: 11,
        column: 1,
        path: '',
      },
    ]);
    assert.deepEqual(r.applied, [0]);
    assert.deepEqual(policiesOf(r), ['added shop/warned']);
  });

  test('problems are in order of change, then line', () => {
    // Found in another order: the second change's missing target first, the Namespace before the port.
    const r = run([
      { yaml: `${np('bad', 'shop', 70000)}---\napiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n` },
      { target: 'nope/x' },
    ]);
    assert.deepEqual(
      r.problems.map((p) => [p.change, p.line, p.column, p.path]),
      [
        [0, 9, 16, 'spec.ingress[0].ports[0].port'],
        [0, 11, 1, 'kind'],
        [1, null, null, ''],
      ],
    );
    assert.match(r.problems[1]!.message, /can be tried here, not Namespace$/);
    assert.deepEqual(r.applied, []);
  });

  test('a target whose YAML holds no policy: turn it off instead', () => {
    const r = run([{ target: 'data/allow-postgres', yaml: '# nothing\n' }]);
    assert.deepEqual(
      r.problems.map((p) => p.message),
      ['no policy in this YAML: write one, or turn "data/allow-postgres" off instead'],
    );
    assert.deepEqual(r.applied, []);
    assert.equal(r.summary.changed + r.summary.added + r.summary.removed, 0);
  });

  test('request bodies: each malformed part named', () => {
    for (const [body, message] of [
      [[], /^expected \{"changes"/],
      [{ changes: 'x' }, /^expected \{"changes"/],
      [{ changes: [null] }, /^changes\[0\] is not an object$/],
      [{ changes: [{ target: 'a/b' }, 3] }, /^changes\[1\] is not an object$/],
      [{ changes: [{ yaml: 3 }] }, /^changes\[0\]\.yaml must be a string of YAML$/],
      [{ changes: [{ target: null, yaml: null }] }, /^changes\[0\] has neither a target nor YAML$/],
    ] as const) {
      assert.throws(
        () => parseWhatIfRequest(body),
        (e: unknown) => e instanceof WhatIfRequestError && message.test(e.message),
      );
    }
    assert.deepEqual(parseWhatIfRequest({ changes: [{ target: null, yaml: 'x: 1' }, { target: 'a/b' }] }), [
      { yaml: 'x: 1' },
      { target: 'a/b' },
    ]);
  });
});

describe('what-if with Cilium: L7 and DNS names', () => {
  const API = 'CiliumNetworkPolicy/news/api-from-web';
  const FEEDS = 'CiliumNetworkPolicy/news/feed-fetcher-egress';
  const yamlOf = (id: string): string => cilium.model().ciliumPolicies.find((p) => p.id === id)!.yaml;
  const runCilium = (changes: WhatIfChange[]): WhatIfJson => whatIf(cilium.input.state, changes, OPTIONS);
  const PORT = "- ports: [{ port: '8080', protocol: TCP }]";

  test('a port added to an L7 rule: still filtered on the old one, filtered on the new one', () => {
    const yaml = yamlOf(API).replace(
      PORT,
      "- ports: [{ port: '8080', protocol: TCP }, { port: '8081', protocol: TCP }]",
    );
    const r = runCilium([{ target: API, yaml }]);
    assert.deepEqual(r.problems, []);
    assert.deepEqual(changed(r), [
      {
        src: 'news/Deployment/web',
        dst: 'news/Deployment/api',
        change: 'changed',
        summary: 'TCP 8080-8081',
        before: 'TCP 8080',
        after: 'TCP 8080-8081',
        open: false,
        l7: `filtered at L7 on TCP 8080-8081 by ${API}`,
      },
    ]);
    assert.deepEqual(
      r.rows.map((x) => [x.added, x.removed, x.l7]),
      [
        [
          'TCP 8081',
          null,
          `still filtered at L7 on TCP 8080 by ${API}; filtered at L7 on TCP 8081 by ${API}`,
        ],
      ],
    );
  });

  test('an L7 rule moved to another port: filtered on the new one, no longer on the old one', () => {
    const yaml = yamlOf(API).replace(PORT, "- ports: [{ port: '8081', protocol: TCP }]");
    const r = runCilium([{ target: API, yaml }]);
    assert.deepEqual(
      r.rows.map((x) => [x.change, x.before, x.after, x.added, x.removed, x.l7]),
      [
        [
          'changed',
          'TCP 8080',
          'TCP 8081',
          'TCP 8081',
          'TCP 8080',
          `filtered at L7 on TCP 8081 by ${API}; no longer filtered at L7 on TCP 8080 by ${API}`,
        ],
      ],
    );
  });

  test('a port added beside an L7 rule: the L7 filtering is as it was', () => {
    const yaml = yamlOf(API).replace(
      '  ingress:\n',
      "  ingress:\n    - fromEndpoints: [{ matchLabels: { app: web } }]\n      toPorts: [{ ports: [{ port: '8081', protocol: TCP }] }]\n",
    );
    const r = runCilium([{ target: API, yaml }]);
    assert.deepEqual(r.problems, []);
    assert.deepEqual(
      r.rows.map((x) => [x.change, x.before, x.after, x.l7]),
      [['changed', 'TCP 8080', 'TCP 8080-8081', `filtered at L7 on TCP 8080 by ${API}`]],
    );
  });

  test('the port of a toFQDNs rule changed: each name reached on other ports', () => {
    const r = runCilium([{ target: FEEDS, yaml: yamlOf(FEEDS).replace("port: '443'", "port: '8443'") }]);
    assert.deepEqual(r.rows, []);
    assert.deepEqual(r.domains, [
      {
        change: 'changed',
        src: 'news/feed-fetcher',
        dst: '*.wire.example (by DNS name)',
        before: 'TCP 443',
        after: 'TCP 8443',
      },
      {
        change: 'changed',
        src: 'news/feed-fetcher',
        dst: 'feeds.agency.example (by DNS name)',
        before: 'TCP 443',
        after: 'TCP 8443',
      },
    ]);
  });

  test('a NetworkPolicy in the YAML of a Cilium target is added beside it', () => {
    const r = runCilium([{ target: API, yaml: `${yamlOf(API)}---\n${np('extra', 'news')}` }]);
    assert.deepEqual(r.problems, []);
    assert.deepEqual(r.applied, [0]);
    assert.deepEqual(policiesOf(r), ['added news/extra']);
    assert.deepEqual(
      r.ciliumPolicies.map((p) => `${p.change} ${p.id}`),
      [],
    );
  });
});

describe('what-if with Cilium: policies named in order, DNS names in order', () => {
  const API = 'CiliumNetworkPolicy/news/api-from-web';
  const SECOND = 'CiliumNetworkPolicy/news/aaa-also-api';
  const FEEDS = 'CiliumNetworkPolicy/news/feed-fetcher-egress';

  /** A second L7 policy from web to api, on 8080 and 8081; its name sorts before api-from-web. */
  const ALSO = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: aaa-also-api
  namespace: news
spec:
  endpointSelector:
    matchLabels:
      app: api
  ingress:
    - fromEndpoints:
        - matchLabels:
            app: web
      toPorts:
        - ports: [{ port: '8080', protocol: TCP }, { port: '8081', protocol: TCP }]
          rules:
            http:
              - { method: GET, path: '/health' }
`;

  describe('what-if: an edge two Cilium policies filter at L7', () => {
    test('both named, in order, apart: in the edge and in the row', () => {
      const r = whatIf(cilium.input.state, [{ yaml: ALSO }], OPTIONS);
      assert.deepEqual(r.problems, []);
      // The diff as `netfence diff -o json` gives it, of workloads.
      assert.equal(r.diff.granularity, 'workload');
      const edge = r.edges.find((e) => e.src === 'news/Deployment/web' && e.dst === 'news/Deployment/api');
      assert.equal(edge?.l7, `filtered at L7 on TCP 8080-8081 by ${SECOND}, ${API}`);
      assert.deepEqual(
        r.rows.map((x) => [x.src, x.dst, x.added, x.l7]),
        [
          [
            'news/web',
            'news/api',
            'TCP 8081',
            `still filtered at L7 on TCP 8080 by ${SECOND}, ${API}; filtered at L7 on TCP 8081 by ${SECOND}, ${API}`,
          ],
        ],
      );
    });
  });

  describe('what-if: DNS names', () => {
    test('changes in name order, a name added among changed ones', () => {
      const yaml = cilium
        .model()
        .ciliumPolicies.find((p) => p.id === FEEDS)!
        .yaml.replace("port: '443'", "port: '8443'")
        .replace(
          '- matchName: feeds.agency.example',
          '- matchName: feeds.agency.example\n        - matchName: b.example',
        );
      const r = whatIf(cilium.input.state, [{ target: FEEDS, yaml }], OPTIONS);
      assert.deepEqual(r.problems, []);
      assert.deepEqual(
        r.domains.map((d) => [d.change, d.dst, d.before, d.after]),
        [
          ['changed', '*.wire.example (by DNS name)', 'TCP 443', 'TCP 8443'],
          ['added', 'b.example (by DNS name)', null, 'TCP 8443'],
          ['changed', 'feeds.agency.example (by DNS name)', 'TCP 443', 'TCP 8443'],
        ],
      );
    });
  });
});
