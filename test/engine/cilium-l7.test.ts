/**
 * Cilium L7 rules (`toPorts[].rules`): a connection an L7 rule matches is allowed at L4 and "filtered at L7
 * by <policy>", in the engine's answer (`Connectivity.l7`, `GroupedConnectivity.l7`, `l7Filters`) and in
 * `analyze`'s text and JSON, never shown as plainly allowed.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compileCluster } from '../../src/engine/compile.ts';
import { computeConnectivity } from '../../src/engine/connectivity.ts';
import { computeGroupedConnectivity } from '../../src/engine/grouped.ts';
import { l7Filters } from '../../src/engine/cilium-l7.ts';
import { formatPorts } from '../../src/describe/ports.ts';
import {
  analysisSummary,
  formatConnectivity,
  groupedConnectivityToJson,
  groupedJsonChunks,
} from '../../src/format/connectivity.ts';
import { ccnp, cnpCilium, policy } from '../support/builders.ts';
import { conformanceCluster } from '../support/verdicts.ts';
import { noNodes } from '../../src/format/node-addresses.ts';

const app = (value: string) => ({ matchLabels: { app: value } });

/** prod/db accepts prod/web on TCP 5432 through HTTP rules, and dev/client reaches the world on 443 through DNS-aware rules. */
function l7State() {
  return conformanceCluster({
    ciliumPolicies: [
      cnpCilium('prod', 'db-http', {
        endpointSelector: app('db'),
        ingress: [
          {
            fromEndpoints: [app('web')],
            toPorts: [
              { ports: [{ port: '5432', protocol: 'TCP' }], rules: { http: [{ method: 'GET' }] } },
              { ports: [{ port: '9000', protocol: 'TCP' }] },
            ],
          },
        ],
      }),
      ccnp('client-egress', {
        endpointSelector: app('client'),
        egress: [
          { toEntities: ['world'], toPorts: [{ ports: [{ port: '443' }], rules: { http: [{}] } }] },
          { toEntities: ['cluster'] },
        ],
      }),
    ],
  });
}

describe('Cilium L7 rules', () => {
  test('a connection an L7 rule matches is allowed at L4 and listed as filtered at L7, with its policy', () => {
    const compiled = compileCluster(l7State());
    const conn = computeConnectivity(compiled);
    const l7 = (conn.l7 ?? []).map(
      (c) => `${c.src} -> ${c.dst}: ${formatPorts(c.ports)} by ${c.policies.join(',')}`,
    );
    assert.ok(
      l7.includes('prod/Pod/web -> prod/Pod/db: TCP 5432 by CiliumNetworkPolicy/prod/db-http'),
      l7.join('\n'),
    );
    // The other port of the same rule is plainly allowed: not in the list.
    const web = conn.connections.find((c) => c.src === 'prod/Pod/web' && c.dst === 'prod/Pod/db');
    assert.equal(formatPorts(web!.ports), 'TCP 5432,9000');
    // Egress to the world through the L7 rule, on 443 only (the `cluster` rule is L4).
    const toWorld = l7.filter((line) => line.startsWith('dev/Pod/client -> external:'));
    assert.ok(toWorld.length > 0);
    for (const line of toWorld)
      assert.match(line, /: TCP 443; UDP 443; SCTP 443 by CiliumClusterwideNetworkPolicy\/client-egress$/);
    assert.ok(!l7.some((line) => line.startsWith('dev/Pod/client -> prod/')));
    // The grouped answer carries the same list.
    assert.deepEqual(computeGroupedConnectivity(compiled).l7, conn.l7);
  });

  test('l7Filters names the rule set, list, rule and toPorts entry', () => {
    const compiled = compileCluster(l7State());
    const web = compiled.classOfPod('prod', 'web')!;
    const db = compiled.classOfPod('prod', 'db')!;
    const filters = l7Filters(
      compiled,
      { pod: web },
      { pod: db },
      compiled.allowedBetween(
        { kind: 'pod', namespace: 'prod', name: 'web' },
        { kind: 'pod', namespace: 'prod', name: 'db' },
      ),
    );
    assert.deepEqual(
      filters.map((f) => ({ ...f, ports: formatPorts(f.ports) })),
      [
        {
          policy: 'CiliumNetworkPolicy/prod/db-http',
          spec: 0,
          list: 'ingress',
          rule: 0,
          entry: 0,
          kind: 'http',
          ports: 'TCP 5432',
        },
      ],
    );
  });

  test('without L7 rules there is no l7 list', () => {
    const state = conformanceCluster({
      ciliumPolicies: [
        cnpCilium('prod', 'db', { endpointSelector: app('db'), ingress: [{ fromEndpoints: [app('web')] }] }),
      ],
    });
    const compiled = compileCluster(state);
    assert.equal(computeConnectivity(compiled).l7, undefined);
    assert.equal(computeGroupedConnectivity(compiled).l7, undefined);
    assert.equal(
      'l7' in
        groupedConnectivityToJson(
          computeGroupedConnectivity(compiled),
          compiled.addressSpace,
          analysisSummary(state),
        ),
      false,
    );
  });

  test('analyze text marks the filtered connection; its JSON lists it, in pieces as in one string', () => {
    const state = l7State();
    const compiled = compileCluster(state);
    const summary = analysisSummary(state);
    const text = formatConnectivity(computeConnectivity(compiled), compiled.addressSpace, summary, 'txt');
    const row = text.split('\n').find((line) => /^prod\/web\s+prod\/db\s/.test(line));
    assert.match(
      row ?? '',
      /TCP 5432,9000 \(filtered at L7 on TCP 5432 by CiliumNetworkPolicy\/prod\/db-http\)$/,
    );
    const grouped = computeGroupedConnectivity(compiled);
    const doc = groupedConnectivityToJson(grouped, compiled.addressSpace, summary);
    assert.deepEqual(doc.l7?.[0], {
      src: { workload: 'dev/Pod/client' },
      dst: doc.l7?.[0]?.dst,
      ports: doc.l7?.[0]?.ports,
      summary: 'TCP 443; UDP 443; SCTP 443',
      policies: ['CiliumClusterwideNetworkPolicy/client-egress'],
    });
    assert.ok(doc.l7?.some((c) => 'workload' in c.src && c.src.workload === 'prod/Pod/web'));
    for (const size of [1, 300, 1 << 20]) {
      assert.equal(
        [...groupedJsonChunks(grouped, compiled.addressSpace, summary, noNodes, size)].join(''),
        `${JSON.stringify(doc, null, 2)}\n`,
      );
    }
  });

  /**
   * L7 shadowed by L4 (docs.cilium.io Layer 7: "If a layer 4 rule is specified in the policy, and a similar
   * layer 4 rule with layer 7 rules is also specified, then the layer 7 portions of the latter rule will have
   * no effect"; `wildcardL3L4Rule` in `pkg/policy/rule.go`): a port is filtered at L7 only where every allow
   * of that side that lets the peer through carries L7 rules; NetworkPolicy allows count as L4-only allows.
   */
  test('L7 shadowed by L4: an L4-only allow of the same peer and port (any policy kind) cancels the L7 marker', () => {
    const httpOn80 = cnpCilium('prod', 'db-http', {
      endpointSelector: app('db'),
      ingress: [
        {
          fromEndpoints: [app('web')],
          toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{ method: 'GET' }] } }],
        },
      ],
    });
    const marked = (extra: Parameters<typeof conformanceCluster>[0]): string[] => {
      const compiled = compileCluster(
        conformanceCluster({ ...extra, ciliumPolicies: [httpOn80, ...(extra.ciliumPolicies ?? [])] }),
      );
      return (computeConnectivity(compiled).l7 ?? []).map(
        (c) => `${c.src} -> ${c.dst}: ${formatPorts(c.ports)}`,
      );
    };
    // Alone, the L7 rule filters web -> db on 80.
    assert.deepEqual(marked({}), ['prod/Pod/web -> prod/Pod/db: TCP 80']);
    // An L4-only Cilium allow of the same peer on the same port, in another policy: no effect at L7.
    const l4 = (from: object, ports?: string[]) =>
      cnpCilium('prod', 'db-l4', {
        endpointSelector: app('db'),
        ingress: [
          {
            ...from,
            ...(ports === undefined
              ? {}
              : { toPorts: [{ ports: ports.map((port) => ({ port, protocol: 'TCP' })) }] }),
          },
        ],
      });
    assert.deepEqual(marked({ ciliumPolicies: [l4({ fromEndpoints: [app('web')] }, ['80'])] }), []);
    // An L3-only allow (no toPorts) of the same peer wildcards every port.
    assert.deepEqual(marked({ ciliumPolicies: [l4({ fromEndpoints: [app('web')] })] }), []);
    // Another port, or another peer: the L7 rule still decides web -> db on 80.
    assert.deepEqual(marked({ ciliumPolicies: [l4({ fromEndpoints: [app('web')] }, ['81'])] }), [
      'prod/Pod/web -> prod/Pod/db: TCP 80',
    ]);
    assert.deepEqual(marked({ ciliumPolicies: [l4({ fromEndpoints: [app('agent')] }, ['80'])] }), [
      'prod/Pod/web -> prod/Pod/db: TCP 80',
    ]);
    // A NetworkPolicy allowing web on 80 is an L4-only allow too.
    const np = policy('prod', 'db-np', {
      podSelector: app('db'),
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: app('web') }], ports: [{ port: 80, protocol: 'TCP' }] }],
    });
    assert.deepEqual(marked({ policies: [np] }), []);
    // An egress L4-only allow at the source does not cancel the ingress L7 rule at the destination.
    const egress = cnpCilium('prod', 'web-out', {
      endpointSelector: app('web'),
      egress: [{ toEndpoints: [app('db')], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }],
    });
    assert.deepEqual(marked({ ciliumPolicies: [egress] }), ['prod/Pod/web -> prod/Pod/db: TCP 80']);
  });
});
