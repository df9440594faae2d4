/**
 * What `explain` says (src/engine/explain.ts), for the survivors mutation testing (issue #20, round 7) left
 * unkilled: origins without a locator, host-network peers and peers of the policy's own namespace, the nearer of
 * two peers, ipBlocks that do not match host-network pods under the cilium profile, the spec path of a named
 * port, the sides' lists when NetworkPolicies do not decide, the segments (who decides each part, adjacent parts
 * merged, Cilium rules apart), L7 filters towards an address, and `explainDomain`'s merge and citations.
 * Clusters are built in code; each test asserts the lines or fields that tell the cases apart.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileCluster, type EngineOptions } from '../../src/engine/compile.ts';
import {
  explainDomain,
  explainEntities,
  parsePortQuery,
  type Explanation,
} from '../../src/engine/explain.ts';
import { ALL_CONNECTIONS, portsToJson } from '../../src/engine/ports.ts';
import { resolveCniProfile } from '../../src/engine/profiles.ts';
import { buildRefIndex, resolveRefText } from '../../src/engine/refs.ts';
import { explanationToText } from '../../src/format/explain.ts';
import type { ClusterState, PolicyInfo } from '../../src/model/cluster.ts';
import { anp, cluster, cnpCilium, namedPort, ns, pod, policy } from '../support/builders.ts';

const PODS = [
  pod('a', 'db', { app: 'db' }, { ips: ['10.0.0.2'] }),
  pod('a', 'web', { app: 'web' }, { ips: ['10.0.0.3'] }),
  pod('a', 'host', { app: 'web' }, { ips: ['192.168.0.1'], hostNetwork: true }),
  pod('a', 'host2', { app: 'h2' }, { ips: ['172.16.0.1'], hostNetwork: true }),
  pod('a', 'hostdual', { app: 'hd' }, { ips: ['192.168.0.2', 'fd00::2'], hostNetwork: true }),
];

function state(input: Omit<Parameters<typeof cluster>[0], 'namespaces' | 'pods'>): ClusterState {
  return cluster({ namespaces: [ns('a')], pods: PODS, ...input });
}

function explanations(
  s: ClusterState,
  from: string,
  to: string,
  query: string,
  options: Partial<EngineOptions> = {},
): Explanation[] {
  const index = buildRefIndex(compileCluster(s, options), 'pod');
  const src = resolveRefText(index, from);
  const dst = resolveRefText(index, to);
  assert.ok(src.ok && dst.ok, `${from} and ${to} resolve`);
  const q = parsePortQuery(query);
  assert.ok(typeof q !== 'string');
  return explainEntities(index, src.value.entities[0]!.id, dst.value.entities[0]!.id, q);
}

function explanation(
  s: ClusterState,
  from: string,
  to: string,
  query: string,
  options: Partial<EngineOptions> = {},
): Explanation {
  const [e] = explanations(s, from, to, query, options);
  assert.ok(e !== undefined);
  return e;
}

function explain(
  s: ClusterState,
  from: string,
  to: string,
  query: string,
  options: Partial<EngineOptions> = {},
): string {
  return explanations(s, from, to, query, options).map(explanationToText).join('\n');
}

const lines = (text: string): string[] => text.split('\n').map((l) => l.trim());

function has(text: string, ...wanted: string[]): void {
  for (const w of wanted) assert.ok(lines(text).includes(w), `missing line: ${w}\n--- in:\n${text}`);
}

function lacks(text: string, ...unwanted: string[]): void {
  for (const u of unwanted)
    assert.ok(!lines(text).some((l) => l.includes(u)), `unexpected: ${u}\n--- in:\n${text}`);
}

const AT = { file: 't.yaml', line: 3, column: 1 };
const dbSelector = { matchLabels: { app: 'db' } };
const toDb = { pods: { namespaceSelector: {}, podSelector: dbSelector } };

/** a/db-in: ingress of a/db from pods app=web on 80, cited at t.yaml:3 (an origin without a locator). */
const dbIn: PolicyInfo = {
  ...policy('a', 'db-in', {
    podSelector: dbSelector,
    ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 80 }] }],
  }),
  origin: AT,
};

describe('explain: NetworkPolicy rules and their peers', () => {
  const s = state({ policies: [dbIn] });

  test('a policy whose origin cannot locate paths: its rules and reasons are cited at its own line', () => {
    has(
      explain(s, 'a/web', 'a/db', '80'),
      'ingress: allowed by a/db-in spec.ingress[0].from[0] (t.yaml:3): pods labelled app=web in namespace a',
    );
    has(
      explain(s, 'a/web', 'a/db', '443'),
      '- a/db-in spec.ingress[0] (t.yaml:3): the peer matches, the ports do not',
      "443/TCP not in the rule's ports 80/TCP (spec.ingress[0].ports, line 3)",
    );
  });

  test('a host-network pod whose labels fit misses for running on the host network', () => {
    has(
      explain(s, 'a/host', 'a/db', '80'),
      '- a/db-in spec.ingress[0] (t.yaml:3): the ports fit, the peer does not match',
      'a/host runs on the host network, where pod and namespace selectors never match (spec.ingress[0].from[0], line 3)',
    );
  });

  test('a peer by pod labels alone: a pod of the policy namespace misses by its labels only', () => {
    const t = explain(
      state({
        policies: [
          policy('a', 'x', {
            podSelector: dbSelector,
            ingress: [{ from: [{ podSelector: { matchLabels: { app: 'nobody' } } }] }],
          }),
        ],
      }),
      'a/web',
      'a/db',
      '80',
    );
    has(
      t,
      '- a/x spec.ingress[0]: the ports fit, the peer does not match',
      'a/web has app=web, not app=nobody',
    );
    lacks(t, 'namespace');
  });

  test('of two peers, the one with fewer reasons is explained; of two alike, the first', () => {
    const nearer = policy('a', 'two', {
      podSelector: dbSelector,
      ingress: [
        {
          from: [
            { podSelector: { matchLabels: { app: 'x', tier: 'y' } } },
            { podSelector: { matchLabels: { app: 'z' } } },
          ],
        },
      ],
    });
    const t = explain(state({ policies: [nearer] }), 'a/web', 'a/db', '80');
    has(t, 'a/web has app=web, not app=z');
    lacks(t, 'not app=x', 'tier=y');
    const alike = policy('a', 'alike', {
      podSelector: dbSelector,
      ingress: [
        {
          from: [
            { podSelector: { matchLabels: { app: 'x' } } },
            { podSelector: { matchLabels: { app: 'z' } } },
          ],
        },
      ],
    });
    const u = explain(state({ policies: [alike] }), 'a/web', 'a/db', '80');
    has(u, 'a/web has app=web, not app=x');
    lacks(u, 'not app=z');
  });

  test('a named port not defined: the reason cites its own entry of the rule', () => {
    const named = policy('a', 'named', {
      podSelector: dbSelector,
      ingress: [{ ports: [{ port: 80 }, { port: 'http' }] }],
    });
    const e = explanation(state({ policies: [named] }), 'a/web', 'a/db', '9999');
    const [miss] = e.ingress.nearMisses;
    assert.deepEqual(
      miss?.reasons.map((r) => `${r.code} ${r.path}`),
      ['named-port-undefined spec.ingress[0].ports[1]', 'port-not-in-rule spec.ingress[0].ports'],
    );
  });
});

describe('explain: named ports towards an address', () => {
  test('a named port never matches an address, though pods name it', () => {
    // Every pod class defines http as 80, whichever class id the address class shares.
    const named = { ips: [] as string[], namedPorts: [namedPort('http', 80)] };
    const s = cluster({
      namespaces: [ns('a')],
      pods: [
        pod('a', 'web', { app: 'web' }, { ...named, ips: ['10.0.0.3'] }),
        pod('a', 'p1', { app: 'p1' }, named),
        pod('a', 'p2', { app: 'p2' }, named),
        pod('a', 'p3', { app: 'p3' }, named),
      ],
      policies: [
        policy('a', 'web-out', {
          podSelector: { matchLabels: { app: 'web' } },
          policyTypes: ['Egress'],
          egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 'http' }] }],
        }),
      ],
    });
    const e = explanation(s, 'a/web', '8.8.8.8', '80');
    assert.equal(e.verdict, 'denied');
    has(
      explanationToText(e),
      'named port "http" (TCP) resolves only on pods, and 0.0.0.0/0 is outside the cluster',
    );
  });
});

describe('explain: ipBlocks and host-network pods under the cilium profile', () => {
  const profile = resolveCniProfile('cilium');
  assert.ok(profile.ok);
  const cni = { cni: profile.value };
  const s = state({
    policies: [
      policy('a', 'db-in', {
        podSelector: dbSelector,
        ingress: [{ from: [{ ipBlock: { cidr: '192.168.0.0/24' } }] }],
      }),
    ],
  });
  const ignored = 'cilium: CIDR rules do not match node IPs unless policy-cidr-match-mode includes nodes';

  test('a host-network pod whose IP is in the block: the CIDR does not match node IPs', () => {
    has(explain(s, 'a/host', 'a/db', '80', cni), ignored);
    // Of its two IPs, one is in the block.
    has(explain(s, 'a/hostdual', 'a/db', '80', cni), ignored);
  });

  test('a host-network pod whose IP is outside the block misses for that', () => {
    const t = explain(s, 'a/host2', 'a/db', '80', cni);
    has(t, 'the IP of a/host2 is not in ipBlock 192.168.0.0/24');
    lacks(t, 'policy-cidr-match-mode');
  });
});

describe('explain: an ipBlock except and a pod of two IPs', () => {
  test('one of its IPs in the except: the pod is said to be in it', () => {
    const s = cluster({
      namespaces: [ns('a')],
      pods: [
        pod('a', 'db', { app: 'db' }, { ips: ['10.0.0.2'] }),
        pod('a', 'dual', { app: 'dual' }, { ips: ['10.1.0.4', 'fd00::4'] }),
      ],
      policies: [
        policy('a', 'db-in', {
          podSelector: dbSelector,
          ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }] }],
        }),
      ],
    });
    const t = explain(s, 'a/dual', 'a/db', '80');
    has(t, 'the IP of a/dual is in except 10.1.0.0/16 of ipBlock 10.0.0.0/8');
    lacks(t, 'is not in ipBlock');
  });
});

describe('explain: what a side lists when NetworkPolicies do not decide', () => {
  test('no policy: no isolating policy, no rule, no near miss, on either side or segment', () => {
    const e = explanation(state({}), '8.8.8.8', 'a/db', '80');
    for (const side of [e.egress, e.ingress]) {
      assert.deepEqual(side.isolatedBy, []);
      assert.deepEqual(side.rules, []);
      assert.deepEqual(side.nearMisses, []);
    }
    assert.equal(e.segments.length, 1);
    assert.deepEqual(e.segments[0]!.egress.rules, []);
    assert.deepEqual(e.segments[0]!.ingress.rules, []);
  });

  test('NetworkPolicies that allow some of the query give no near misses for the rest the Admin tier left them', () => {
    const denyHttp = anp('deny-80', {
      priority: 1,
      subject: toDb,
      ingress: [
        {
          name: 'd',
          action: 'Deny',
          from: [{ namespaces: {} }],
          ports: [{ portNumber: { port: 80, protocol: 'TCP' } }],
        },
      ],
    });
    const e = explanation(state({ policies: [dbIn], clusterPolicies: [denyHttp] }), 'a/web', 'a/db', '80-81');
    assert.equal(e.verdict, 'denied');
    assert.deepEqual(e.ingress.nearMisses, []);
  });
});

describe('explain: segments', () => {
  const allow80 = anp('allow-80', {
    priority: 1,
    subject: toDb,
    ingress: [
      {
        name: 'a',
        action: 'Allow',
        from: [{ namespaces: {} }],
        ports: [{ portNumber: { port: 80, protocol: 'TCP' } }],
      },
    ],
  });
  const denyAll = anp('deny-all', {
    priority: 1,
    subject: toDb,
    ingress: [{ name: 'd', action: 'Deny', from: [{ namespaces: {} }] }],
  });
  const ciliumDeny = cnpCilium('a', 'cd', {
    endpointSelector: dbSelector,
    ingressDeny: [{ fromEndpoints: [{}], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }],
  });
  const ciliumAllow = cnpCilium('a', 'ca', {
    endpointSelector: dbSelector,
    ingress: [
      { fromEndpoints: [{}], toPorts: [{ ports: [{ port: '80', endPort: 85, protocol: 'TCP' }] }] },
      { fromEndpoints: [{}], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] },
    ],
  });
  /** Each segment: ports, verdict, and per side who decided, how many NetworkPolicy rules, which Cilium rules. */
  const segments = (e: Explanation): string[] =>
    e.segments.map(
      (s) =>
        `${JSON.stringify(portsToJson(s.ports).TCP)} ${s.allowed} egress ${s.egress.decidedBy} ${s.egress.rules.length} [${s.egress.cilium.map((c) => c.path).join()}] ingress ${s.ingress.decidedBy} ${s.ingress.rules.length} [${s.ingress.cilium.map((c) => c.path).join()}]`,
    );

  test('a part the Admin tier decides names no Cilium rule, deny or allow', () => {
    for (const cilium of [ciliumDeny, ciliumAllow]) {
      const e = explanation(
        state({ clusterPolicies: [allow80], ciliumPolicies: [cilium] }),
        'a/web',
        'a/db',
        '80',
      );
      assert.deepEqual(segments(e), ['[[80,80]] true egress default 0 [] ingress admin 0 []']);
    }
  });

  test('adjacent parts decided alike are one segment, though a Cilium rule ends between them', () => {
    const e = explanation(
      state({ clusterPolicies: [denyAll], ciliumPolicies: [ciliumAllow] }),
      'a/web',
      'a/db',
      '80-90',
    );
    assert.deepEqual(segments(e), ['[[80,90]] false egress default 0 [] ingress admin 0 []']);
  });

  test('parts the NetworkPolicy layer allows by different Cilium rules are different segments', () => {
    const e = explanation(state({ ciliumPolicies: [ciliumAllow] }), 'a/web', 'a/db', '80-443');
    assert.deepEqual(segments(e), [
      '[[80,85]] true egress default 0 [] ingress network-policy 0 [spec.ingress[0]]',
      '[[443,443]] true egress default 0 [] ingress network-policy 0 [spec.ingress[1]]',
      '[[86,442]] false egress default 0 [] ingress network-policy 0 []',
    ]);
  });

  test('an L7 filter towards an address outside the cluster', () => {
    const l7 = cnpCilium('a', 'l7', {
      endpointSelector: { matchLabels: { app: 'web' } },
      egress: [
        {
          toCIDR: ['8.8.8.0/24'],
          toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{ method: 'GET' }] } }],
        },
      ],
    });
    const e = explanation(state({ ciliumPolicies: [l7] }), 'a/web', '8.8.8.8', '80');
    assert.deepEqual(
      e.l7.map((m) => `${m.policy} ${m.entryPath} ${m.l7}`),
      ['CiliumNetworkPolicy/a/l7 spec.egress[0].toPorts[0] http'],
    );
  });
});

describe('explainDomain: merge and citations', () => {
  // A rule by name on 80 and 443 for every pod; a/db's egress to every address on 443 is denied first, so
  // a/db reaches the name on 80 only. A second policy without an origin.
  const s = state({
    clusterPolicies: [
      {
        ...anp('names', {
          priority: 5,
          subject: { namespaces: {} },
          egress: [
            {
              name: 'api',
              action: 'Allow',
              to: [{ domainNames: ['api.example.com'] }],
              ports: [
                { portNumber: { port: 80, protocol: 'TCP' } },
                { portNumber: { port: 443, protocol: 'TCP' } },
              ],
            },
          ],
        }),
        origin: { file: 'c.yaml', line: 7, column: 1 },
      },
      anp('deny-443', {
        priority: 1,
        subject: toDb,
        egress: [
          {
            name: 'd',
            action: 'Deny',
            to: [{ networks: ['0.0.0.0/0', '::/0'] }],
            ports: [{ portNumber: { port: 443, protocol: 'TCP' } }],
          },
        ],
      }),
      anp('unplaced', {
        priority: 9,
        subject: toDb,
        egress: [{ name: 'u', action: 'Allow', to: [{ domainNames: ['api.example.com'] }] }],
      }),
    ],
  });
  const compiled = compileCluster(s);
  const db = compiled.classOfPod('a', 'db')!;
  const web = compiled.classOfPod('a', 'web')!;
  const rules = (classes: number[]): string[] =>
    explainDomain(compiled, classes, 'api.example.com', ALL_CONNECTIONS).map(
      (m) =>
        `${m.policy} ${m.path} ${JSON.stringify(portsToJson(m.ports).TCP)} ${m.location === undefined ? '-' : `${m.location.file}:${m.location.line}`}`,
    );

  test("one rule's ports for several classes add up, in either order", () => {
    for (const classes of [
      [web, db],
      [db, web],
    ]) {
      assert.deepEqual(rules(classes), [
        'AdminNetworkPolicy/names spec.egress[0] [[80,80],[443,443]] c.yaml:7',
        'AdminNetworkPolicy/unplaced spec.egress[0] [[1,442],[444,65535]] -',
      ]);
    }
    assert.deepEqual(rules([db])[0], 'AdminNetworkPolicy/names spec.egress[0] [[80,80]] c.yaml:7');
  });
});
