/**
 * What `explain` says of Cilium policies (src/engine/explain-cilium.ts), for what mutation testing (issue #20,
 * round 8) found unpinned after round 7. Clusters are built in code; each test asserts the lines that tell the
 * cases apart (present or absent), not whole texts.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileCluster, type EngineOptions } from '../../src/engine/compile.ts';
import { domainMatches, explainDomain, explainEntities, parsePortQuery } from '../../src/engine/explain.ts';
import { explainDomainMisses } from '../../src/engine/explain-cilium.ts';
import { ALL_CONNECTIONS, type PortSet } from '../../src/engine/ports.ts';
import { formatPorts } from '../../src/describe/ports.ts';
import { cniEngineOptions } from '../../src/engine/profiles.ts';
import { buildRefIndex, resolveRefText } from '../../src/engine/refs.ts';
import { explanationToJson, explanationToText } from '../../src/format/explain.ts';
import type { ExplanationJson } from '../../src/contract/explain.ts';
import type { CiliumPolicyInfo } from '../../src/model/cilium.ts';
import type { ClusterState } from '../../src/model/cluster.ts';
import { ccnp, cluster, cnpCilium, namedPort, node, ns, pod, policy } from '../support/builders.ts';
import { cniProfile } from '../support/verdicts.ts';

/**
 * Namespace a (team=x): web (app=web), db (app=db, tier=data; named ports pg 5432/TCP, dns 53/UDP), the
 * host-network agent on n1; namespace b (team=y): client (app=client). Node n1 (role=worker, 192.168.0.1).
 */
function state(...ciliumPolicies: CiliumPolicyInfo[]): ClusterState {
  return cluster({
    namespaces: [ns('a', { team: 'x' }), ns('b', { team: 'y' })],
    pods: [
      pod('a', 'web', { app: 'web' }, { ips: ['10.0.0.1'] }),
      pod(
        'a',
        'db',
        { app: 'db', tier: 'data' },
        { ips: ['10.0.0.2'], namedPorts: [namedPort('pg', 5432), namedPort('dns', 53, 'UDP')] },
      ),
      pod('a', 'agent', { app: 'agent' }, { ips: ['192.168.0.1'], hostNetwork: true }),
      pod('b', 'client', { app: 'client' }, { ips: ['10.0.1.1'] }),
    ],
    nodes: [node('n1', { role: 'worker' }, ['192.168.0.1'])],
    ciliumPolicies,
  });
}

/** The text of `netfence explain <from> <to> [--port <port>]`. */
function explain(
  s: ClusterState,
  from: string,
  to: string,
  port?: string,
  options: Partial<EngineOptions> = {},
): string {
  const index = buildRefIndex(compileCluster(s, options), 'pod');
  const src = resolveRefText(index, from);
  const dst = resolveRefText(index, to);
  assert.ok(src.ok && dst.ok, `${from} and ${to} resolve`);
  const query = port === undefined ? undefined : parsePortQuery(port);
  assert.ok(typeof query !== 'string');
  return explainEntities(index, src.value.entities[0]!.id, dst.value.entities[0]!.id, query)
    .map(explanationToText)
    .join('\n');
}

/** The text's lines, trimmed. */
const lines = (text: string): string[] => text.split('\n').map((l) => l.trim());

/** Asserts that each of `wanted` is a line of `text`. */
function has(text: string, ...wanted: string[]): void {
  for (const w of wanted) assert.ok(lines(text).includes(w), `missing line: ${w}\n--- in:\n${text}`);
}

/** Asserts that no line of `text` contains any of `unwanted`. */
function lacks(text: string, ...unwanted: string[]): void {
  for (const u of unwanted)
    assert.ok(!lines(text).some((l) => l.includes(u)), `unexpected: ${u}\n--- in:\n${text}`);
}

const tcp = (port: string) => ({ ports: [{ port, protocol: 'TCP' }] });

describe('explain: Cilium rule sets that miss the pod by one label', () => {
  const s = state(
    cnpCilium('a', 'db-in', {
      endpointSelector: { matchLabels: { app: 'db' } },
      ingress: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }], toPorts: [tcp('5432')] }],
    }),
    // Misses a/db by two labels: not a near miss.
    cnpCilium('a', 'two', {
      endpointSelector: { matchLabels: { app: 'dbx', tier: 'cache' } },
      ingress: [{ fromEntities: ['cluster'] }],
    }),
    // Clusterwide, misses a/db by one label: its rule whose peer and ports match is a near miss, the other not.
    ccnp('one', {
      endpointSelector: { matchLabels: { app: 'db', tier: 'cache' } },
      ingress: [
        { fromEndpoints: [{ matchLabels: { app: 'nobody' } }] },
        { fromEntities: ['cluster'], toPorts: [tcp('5432')] },
      ],
    }),
    // A host policy's nodeSelector is not an endpoint selector, even when the pod's labels miss it by one.
    ccnp('host', {
      nodeSelector: { matchLabels: { app: 'db', tier: 'x' } },
      ingress: [{ fromEntities: ['cluster'] }],
    }),
    // Two peers: the nearest (one label off) is the one explained.
    ccnp('peers', {
      endpointSelector: { matchLabels: { app: 'db' } },
      ingress: [
        { fromEndpoints: [{ matchLabels: { app: 'x', team: 'z' } }, { matchLabels: { app: 'nope' } }] },
      ],
    }),
  );
  const text = explain(s, 'b/client', 'a/db', '5432');

  test('a clusterwide rule set one label off is a near miss, its rule whose peer and ports match only', () => {
    has(
      text,
      '- CiliumClusterwideNetworkPolicy/one spec.ingress[1]: the peer and the ports match, the rule set does not select the pod',
      'the rule set does not select a/db: a/db has tier=data, not tier=cache',
    );
    lacks(text, 'CiliumClusterwideNetworkPolicy/one spec.ingress[0]');
  });

  test('a rule set two labels off, and a host policy, are not near misses', () => {
    lacks(text, 'CiliumNetworkPolicy/a/two', 'CiliumClusterwideNetworkPolicy/host', 'tier=x');
  });

  test('of two peers, the one closest to matching is explained', () => {
    has(
      text,
      '- CiliumClusterwideNetworkPolicy/peers spec.ingress[0]: the ports fit, the peer does not match',
      'b/client has app=client, not app=nope',
    );
    lacks(text, 'not app=x', 'team=z');
  });

  test('a host-network pod selected by a host policy: endpoint rule sets one label off are no near misses', () => {
    const host = state(
      ccnp('host', {
        nodeSelector: { matchLabels: { role: 'worker' } },
        egress: [{ toEntities: ['world'] }],
      }),
      cnpCilium('a', 'agent', {
        endpointSelector: { matchLabels: { app: 'agent', tier: 'x' } },
        egress: [{ toEntities: ['all'] }],
      }),
    );
    const t = explain(
      host,
      'a/agent',
      'a/db',
      '5432',
      cniEngineOptions(cniProfile('cilium', 'enable-host-firewall=true')),
    );
    has(t, '- CiliumClusterwideNetworkPolicy/host spec.egress[0]: the ports fit, the peer does not match');
    lacks(t, 'CiliumNetworkPolicy/a/agent');
  });
});

/** `policy` with a source origin: every path located at line 7 (`locate`), or without `locate` at line 3. */
function located(policy: CiliumPolicyInfo, withLocate = true): CiliumPolicyInfo {
  const at = { file: 't.yaml', line: withLocate ? 7 : 3, column: 1 };
  return { ...policy, origin: withLocate ? { ...at, locate: () => at } : at };
}

/** The explanation of `from` → `to` as JSON, with the index it was explained on. */
function explainJson(s: ClusterState, from: string, to: string): ExplanationJson {
  const index = buildRefIndex(compileCluster(s), 'pod');
  const src = resolveRefText(index, from);
  const dst = resolveRefText(index, to);
  assert.ok(src.ok && dst.ok);
  const [srcId, dstId] = [src.value.entities[0]!.id, dst.value.entities[0]!.id];
  return explanationToJson(index, explainEntities(index, srcId, dstId, undefined)[0]!, srcId, dstId);
}

describe('explain: which endpoints a Cilium peer stands for', () => {
  const s = state(
    ccnp('cw1', {
      endpointSelector: { matchLabels: { app: 'db' } },
      ingress: [{ fromEndpoints: [{ matchLabels: { app: 'client' } }], toPorts: [tcp('5432')] }],
    }),
    ccnp('cw2', {
      endpointSelector: { matchLabels: { app: 'db' } },
      ingress: [
        {
          fromEndpoints: [
            {
              matchExpressions: [
                { key: 'k8s:io.kubernetes.pod.namespace', operator: 'In', values: ['b'] },
                { key: 'app', operator: 'In', values: ['client'] },
              ],
            },
          ],
          toPorts: [tcp('5432')],
        },
      ],
    }),
  );

  test('a clusterwide peer without the namespace label is every namespace; one with it is its namespace', () => {
    has(
      explain(s, 'b/client', 'a/db', '5432'),
      '- allows 5432/TCP: CiliumClusterwideNetworkPolicy/cw1 spec.ingress[0], endpoints labelled app=client, in every namespace (it has no k8s:io.kubernetes.pod.namespace)',
      '- allows 5432/TCP: CiliumClusterwideNetworkPolicy/cw2 spec.ingress[0], endpoints labelled app=client in namespace b',
    );
  });

  test('a namespaced peer naming a namespace (k8s: prefix) misses by that label, not by being scoped', () => {
    for (const matchLabels of [
      { 'k8s:io.kubernetes.pod.namespace': 'c' },
      { 'k8s:io.kubernetes.pod.namespace': 'c', app: 'client' },
    ]) {
      const t = explain(
        state(
          cnpCilium('a', 'ns', {
            endpointSelector: { matchLabels: { app: 'db' } },
            ingress: [{ fromEndpoints: [{ matchLabels }], toPorts: [tcp('5432')] }],
          }),
        ),
        'b/client',
        'a/db',
        '5432',
      );
      has(t, 'b/client has io.kubernetes.pod.namespace=b, not io.kubernetes.pod.namespace=c');
      lacks(t, 'means pods of its own namespace');
    }
  });
});

describe('explain: where a Cilium peer is in the object', () => {
  test('the peer path past fields read as one peer (toGroups, toRequires, fromRequires) and empty peer lists', () => {
    const s = state(
      located(
        cnpCilium('a', 'paths', {
          endpointSelector: { matchLabels: { app: 'web' } },
          egress: [
            {
              toEndpoints: [{ matchLabels: { app: 'nobody' } }],
              toGroups: [{ aws: { securityGroupsIds: ['sg-1'] } }, { aws: { securityGroupsIds: ['sg-2'] } }],
            },
            { toGroups: [], toEndpoints: [{ matchLabels: { app: 'nobody2' } }] },
            {
              toEndpoints: [{ matchLabels: { app: 'nobody3' } }],
              toRequires: [{ matchLabels: { a: '1' } }, { matchLabels: { b: '2' } }],
            },
          ],
        }),
      ),
    );
    s.ciliumPolicies.push(
      located(
        cnpCilium('a', 'requires', {
          endpointSelector: { matchLabels: { app: 'db' } },
          ingress: [
            {
              fromEndpoints: [{ matchLabels: { app: 'nobody4' } }],
              fromRequires: [{ matchLabels: { a: '1' } }, { matchLabels: { b: '2' } }],
            },
          ],
        }),
      ),
    );
    has(
      explain(s, 'a/web', 'a/db', '5432'),
      'a/web has app=web, not app=nobody4 (spec.ingress[0].fromEndpoints[0], line 7)',
      'a/db has app=db, not app=nobody (spec.egress[0].toEndpoints[0], line 7)',
      'a/db has app=db, not app=nobody2 (spec.egress[1].toEndpoints[0], line 7)',
      'a/db has app=db, not app=nobody3 (spec.egress[2].toEndpoints[0], line 7)',
    );
  });

  test('a policy whose origin cannot locate paths is cited at its own line', () => {
    const s = state(
      located(
        cnpCilium('a', 'db-in', {
          endpointSelector: { matchLabels: { app: 'db' } },
          ingress: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }] }],
        }),
        false,
      ),
    );
    has(
      explain(s, 'a/web', 'a/db', '5432'),
      '- allows 5432/TCP: CiliumNetworkPolicy/a/db-in spec.ingress[0] (t.yaml:3), endpoints labelled app=web in namespace a',
    );
  });
});

describe('explain as JSON: Cilium allow and deny rules', () => {
  test('deny is true for ingressDeny and egressDeny rules only', () => {
    const s = state(
      cnpCilium('a', 'web', {
        endpointSelector: { matchLabels: { app: 'web' } },
        egress: [{ toEndpoints: [{}] }],
        egressDeny: [{ toEndpoints: [{ matchLabels: { app: 'db' } }], toPorts: [tcp('5432')] }],
      }),
      cnpCilium('a', 'db', {
        endpointSelector: { matchLabels: { app: 'db' } },
        ingress: [{ fromEndpoints: [{}] }],
        ingressDeny: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }], toPorts: [tcp('5433')] }],
      }),
    );
    const x = explainJson(s, 'a/web', 'a/db');
    const flags = (side: ExplanationJson['egress']) => [
      ...side.cilium!.allows.map((r) => `allow ${r.path} ${r.deny}`),
      ...side.cilium!.denies.map((r) => `deny ${r.path} ${r.deny}`),
    ];
    assert.deepEqual(flags(x.egress), ['allow spec.egress[0] false', 'deny spec.egressDeny[0] true']);
    assert.deepEqual(flags(x.ingress), ['allow spec.ingress[0] false', 'deny spec.ingressDeny[0] true']);
  });
});

describe('explain: why a Cilium rule misses, by kind of peer and ports', () => {
  const db = (name: string, spec: object) =>
    cnpCilium('a', name, { endpointSelector: { matchLabels: { app: 'db' } }, ...spec });
  const web = (name: string, spec: object) =>
    cnpCilium('a', name, { endpointSelector: { matchLabels: { app: 'web' } }, ...spec });

  test('a node peer: a pod with a known IP is not at a node it selects', () => {
    const t = explain(
      state(db('n', { ingress: [{ fromNodes: [{ matchLabels: { role: 'x' } }] }] })),
      'b/client',
      'a/db',
      '5432',
    );
    has(t, 'the IP of b/client is not an address of a node labelled role=x');
  });

  test('a CIDR peer and an outside address: in an except, or outside the CIDR', () => {
    const s = state(
      db('c', { ingress: [{ fromCIDRSet: [{ cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] }] }] }),
      // (Sets node addresses apart, so that outside addresses are `world`.)
      web('w', { egress: [{ toEntities: ['cluster'] }] }),
    );
    has(
      explain(s, '10.1.0.1', 'a/db', '5432'),
      '10.1.0.0/16 is in except 10.1.0.0/16 of fromCIDRSet 10.0.0.0/8',
    );
    const outside = explain(s, '11.0.0.1', 'a/db', '5432');
    has(outside, '0.0.0.0/0 except 10.0.0.0/8, 192.168.0.1/32; ::/0 is not in fromCIDRSet 10.0.0.0/8');
    lacks(outside, 'is in except');
  });

  test('toFQDNs patterns and names never resolved, each by its own text', () => {
    const t = explain(
      state(
        web('f', {
          egress: [{ toFQDNs: [{ matchPattern: '*.example.com' }, { matchName: 'api.other.com' }] }],
        }),
      ),
      'a/web',
      '8.8.8.8',
      '443',
    );
    has(
      t,
      '- CiliumNetworkPolicy/a/f spec.egress[0]: the ports fit, the name is never resolved for policy',
      "toFQDNs *.example.com: no DNS rule on port 53 covers it, so Cilium's DNS proxy never sees its lookups and the rule allows nothing",
    );
  });

  test('ports: ICMP only, or named ports of a protocol the query does not ask about', () => {
    has(
      explain(
        state(db('i', { ingress: [{ fromEndpoints: [{}], icmps: [{ fields: [{ type: 8 }] }] }] })),
        'a/web',
        'a/db',
        '5432',
      ),
      'the rule allows ICMP only: no TCP, UDP or SCTP port',
    );
    const udp = explain(
      state(
        db('u', {
          ingress: [{ fromEndpoints: [{}], toPorts: [{ ports: [{ port: 'nope', protocol: 'UDP' }] }] }],
        }),
      ),
      'a/web',
      'a/db',
      '5432',
    );
    has(udp, "the rule's toPorts allow no TCP, UDP or SCTP port");
    lacks(udp, 'named port');
  });
});

describe('explain: when Cilium near misses and notes are left out', () => {
  test('a rule set one label off is no near miss when the NetworkPolicies allow, or when none isolates', () => {
    const oneOff = () =>
      state(
        cnpCilium('a', 'oneoff', {
          endpointSelector: { matchLabels: { app: 'db', tier: 'cache' } },
          ingress: [{ fromEndpoints: [{}] }],
        }),
      );
    lacks(explain(oneOff(), 'a/web', 'a/db', '5432'), 'oneoff', 'Cilium');
    const s = oneOff();
    s.policies.push(
      policy('a', 'np', {
        podSelector: { matchLabels: { app: 'db' } },
        ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 5432 }] }],
      }),
    );
    lacks(explain(s, 'a/web', 'a/db', '5432'), 'oneoff', 'Cilium');
  });

  test('a NetworkPolicy denies and no Cilium rule set comes near: no Cilium part', () => {
    const s = state(
      cnpCilium('a', 'far', {
        endpointSelector: { matchLabels: { app: 'nothing', tier: 'cache' } },
        ingress: [{ fromEndpoints: [{}] }],
      }),
    );
    s.policies.push(
      policy('a', 'np', { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'] }),
    );
    const t = explain(s, 'a/web', 'a/db', '5432');
    has(t, 'No rule allows 5432/TCP from a/web.');
    lacks(t, 'Cilium');
  });

  test('names never resolved are an egress note only; rule sets without default deny get no near misses', () => {
    const unseen = explain(
      state(
        cnpCilium('a', 'd', {
          endpointSelector: { matchLabels: { app: 'db' } },
          ingress: [{ fromEntities: ['world'] }],
          egress: [{ toFQDNs: [{ matchName: 'api.example.com' }] }],
        }),
      ),
      '8.8.8.8',
      'a/db',
      '5432',
    );
    lacks(unseen, 'api.example.com');
    const open = explain(
      state(
        cnpCilium('a', 'o', {
          endpointSelector: { matchLabels: { app: 'db' } },
          enableDefaultDeny: { ingress: false },
          ingress: [{ fromEndpoints: [{ matchLabels: { app: 'nobody' } }] }],
        }),
      ),
      'a/web',
      'a/db',
      '5432',
    );
    has(open, 'Cilium: rules without default deny in CiliumNetworkPolicy/a/o spec');
    lacks(open, 'No Cilium rule allows', 'nobody');
  });

  test('an egress L7 rule with an L4-only rule beside it is shadowed', () => {
    const t = explain(
      state(
        cnpCilium('a', 'l7', {
          endpointSelector: { matchLabels: { app: 'web' } },
          egress: [
            {
              toEndpoints: [{}],
              toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{ method: 'GET' }] } }],
            },
            { toEndpoints: [{ matchLabels: { app: 'db' } }], toPorts: [tcp('80')] },
          ],
        }),
      ),
      'a/web',
      'a/db',
      '80',
    );
    has(
      t,
      '- L7 rules of CiliumNetworkPolicy/a/l7 spec.egress[0].toPorts[0] (http) filter nothing on 80/TCP: CiliumNetworkPolicy/a/l7 spec.egress[1] lets the same peer through at L4 alone',
    );
  });
});

describe('explain --to a DNS name: the Cilium rules by name, and the nearest that miss', () => {
  /** a/web's toFQDNs rules (api.example.com on 443 and 80, other.example.com on 8443) beside `rules`. */
  const named = (rules: object[], extra: object = {}): ClusterState =>
    state(
      located(
        cnpCilium('a', 'names', {
          endpointSelector: { matchLabels: { app: 'web' } },
          egress: [
            ...rules,
            {
              toFQDNs: [{ matchName: 'api.example.com' }],
              toPorts: [
                {
                  ports: [
                    { port: '443', protocol: 'TCP' },
                    { port: '80', protocol: 'TCP' },
                  ],
                },
              ],
            },
            { toFQDNs: [{ matchName: 'other.example.com' }], toPorts: [tcp('8443')] },
          ],
          ...extra,
        }),
      ),
    );
  const dns = (port: string, protocol: string) => ({
    toEndpoints: [{}],
    toPorts: [{ ports: [{ port, protocol }], rules: { dns: [{ matchPattern: '*' }] } }],
  });
  const byName = (s: ClusterState, name: string, query = ALL_CONNECTIONS): string[] => {
    const compiled = compileCluster(s);
    return explainDomain(compiled, [compiled.classOfPod('a', 'web')!], name, query).map(
      (m) => `${m.path} ${m.domain} ${formatPorts(m.ports)}`,
    );
  };

  test('a DNS rule on port 53, UDP or TCP, lets the proxy see the name; on another port, or an HTTP rule, not', () => {
    assert.deepEqual(byName(named([dns('53', 'UDP')]), 'api.example.com'), [
      'spec.egress[1] api.example.com TCP 80,443',
    ]);
    assert.deepEqual(byName(named([dns('53', 'TCP')]), 'api.example.com'), [
      'spec.egress[1] api.example.com TCP 80,443',
    ]);
    assert.deepEqual(byName(named([dns('5353', 'UDP')]), 'api.example.com'), []);
  });

  test('an egress deny towards world takes its ports from the name', () => {
    const deny = (peer: object) => ({ egressDeny: [{ ...peer, toPorts: [tcp('443')] }] });
    // (A deny of one outside address is not pinned here: with a Node in the input and no Cilium peer setting
    // node addresses apart, the outside shares a class with the node address: see docs/mutation/engine.md, round 8.)
    assert.deepEqual(byName(named([dns('53', 'UDP')], deny({ toEntities: ['world'] })), 'api.example.com'), [
      'spec.egress[1] api.example.com TCP 80',
    ]);
  });

  test('the nearest rules that miss: each name and rule of its own, the peer and the ports located', () => {
    const s = named([]);
    const compiled = compileCluster(s);
    const misses = explainDomainMisses(
      compiled,
      [compiled.classOfPod('a', 'web')!],
      'api.example.com',
      parsePortQuery('22') as PortSet,
      domainMatches,
    ).map((m) => `${m.path} ${m.failed} ${m.reasons.map((r) => `${r.code} ${r.path}`).join(', ')}`);
    assert.deepEqual(misses, [
      'spec.egress[0] both fqdn-unseen spec.egress[0].toFQDNs[0], port-not-in-rule spec.egress[0].toPorts',
    ]);
  });
});
