/**
 * What-if answers beyond whatif-details.test.ts: an edge that two Cilium policies filter at L7, named in
 * order and apart in the edge and in the row's note; DNS-name changes in name order, a name added among changed ones. Found missing by the whole-folder mutation run of
 * src/server, round 8 (docs/mutation/server.md).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Analysis } from '../../src/server/analysis.ts';
import { whatIf } from '../../src/server/whatif.ts';
import { webshopAnalysis } from './support.ts';

const OPTIONS = { engine: { ipBlockMatchesPods: true }, defaultNamespace: 'default' };
const API = 'CiliumNetworkPolicy/news/api-from-web';
const SECOND = 'CiliumNetworkPolicy/news/aaa-also-api';
const FEEDS = 'CiliumNetworkPolicy/news/feed-fetcher-egress';

let cilium: Analysis;
before(async () => {
  cilium = await webshopAnalysis({ path: 'examples/cilium' });
});
after(() => cilium.close());

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
