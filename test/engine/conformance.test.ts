/**
 * One test per rule of NetworkPolicy semantics, each named after the rule. Every expectation is checked
 * against both the engine and the naive reference evaluator (test/support/naive.ts), so a case fails when
 * either one is wrong, and the message says which.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compileCluster } from '../../src/engine/compile.ts';
import { portsContain } from '../../src/engine/ports.ts';
import type { ClusterState } from '../../src/model/cluster.ts';
import type { NetworkPolicySpec, Protocol } from '../../src/model/k8s.ts';
import { naiveAllowed, type NaiveEndpoint } from '../support/naive.ts';
import {
  cluster,
  ipRef,
  namedPort,
  pod,
  podRef,
  policy,
  twoNamespaces,
  type ClusterInput,
} from '../support/builders.ts';

/** A probe is `PROTOCOL/port`, e.g. `TCP/80`. */
type Probe = `${Protocol}/${number}`;

interface Expected {
  allow?: readonly Probe[];
  deny?: readonly Probe[];
}

/**
 * Checks that `src` → `dst` is allowed exactly on the `allow` probes and denied on the `deny` probes, by
 * both evaluators. Without `options`, the engine runs on its defaults (ipBlockMatchesPods: true).
 */
function expectConnections(
  state: ClusterState,
  src: NaiveEndpoint,
  dst: NaiveEndpoint,
  expected: Expected,
  options?: { ipBlockMatchesPods: boolean; hostNetworkPods?: 'exempt' | 'policed' },
): void {
  const probes: [Probe, boolean][] = [
    ...(expected.allow ?? []).map((p): [Probe, boolean] => [p, true]),
    ...(expected.deny ?? []).map((p): [Probe, boolean] => [p, false]),
  ];
  const parse = (probe: Probe): [Protocol, number] => {
    const [protocol, port] = probe.split('/');
    return [protocol as Protocol, Number(port)];
  };
  const want = Object.fromEntries(probes);
  const naiveOptions = options ?? { ipBlockMatchesPods: true };
  const naive = Object.fromEntries(
    probes.map(([p]) => [p, naiveAllowed(state, src, dst, ...parse(p), naiveOptions)]),
  );
  const compiled = options === undefined ? compileCluster(state) : compileCluster(state, options);
  const allowed = compiled.allowedBetween(src, dst);
  const engine = Object.fromEntries(probes.map(([p]) => [p, portsContain(allowed, ...parse(p))]));
  const what = `${describeEndpoint(src)} -> ${describeEndpoint(dst)}`;
  assert.deepEqual(naive, want, `naive evaluator, ${what}`);
  assert.deepEqual(engine, want, `engine, ${what}`);
}

function describeEndpoint(e: NaiveEndpoint): string {
  return e.kind === 'pod' ? `${e.namespace}/${e.name}` : e.ip;
}

/** The base scenario plus the given policies (and extra pods). */
function withPolicies(
  specs: [namespace: string, spec: NetworkPolicySpec][],
  base: ClusterInput = twoNamespaces,
) {
  return cluster({
    ...base,
    policies: specs.map(([namespace, spec], i) => policy(namespace, `p${i}`, spec)),
  });
}

const prodWeb = podRef('prod', 'web');
const prodDb = podRef('prod', 'db');
const devWeb = podRef('dev', 'web');
const devDb = podRef('dev', 'db');
const devMonitor = podRef('dev', 'monitor');
const outside = ipRef('8.8.8.8');
const outside6 = ipRef('2001:db8::1');
const dbOnly = { matchLabels: { app: 'db' } };
const webOnly = { matchLabels: { app: 'web' } };
const EVERYTHING: Expected = { allow: ['TCP/1', 'TCP/80', 'TCP/65535', 'UDP/53', 'SCTP/9'] };
const NOTHING: Expected = { deny: ['TCP/1', 'TCP/80', 'TCP/65535', 'UDP/53', 'SCTP/9'] };

describe('isolation and policyTypes', () => {
  test('a pod selected by no policy allows everything, both ways', () => {
    // The default of Kubernetes is open: without policies, nothing is isolated.
    const state = withPolicies([]);
    expectConnections(state, devWeb, prodDb, EVERYTHING);
    expectConnections(state, outside, prodDb, EVERYTHING);
    expectConnections(state, prodDb, outside6, EVERYTHING);
  });

  test('policyTypes defaults to Ingress: ingress rules isolate ingress, not egress', () => {
    // The most common policy shape; the selected pod must stay free to call out.
    const state = withPolicies([['prod', { podSelector: dbOnly, ingress: [] }]]);
    expectConnections(state, prodWeb, prodDb, NOTHING);
    expectConnections(state, prodDb, prodWeb, EVERYTHING);
    expectConnections(state, prodDb, outside, EVERYTHING);
  });

  test('a policy with neither ingress nor egress rules isolates ingress (default deny)', () => {
    // `spec: { podSelector: {} }` is the canonical default-deny-ingress policy.
    const state = withPolicies([['prod', { podSelector: {} }]]);
    expectConnections(state, prodWeb, prodDb, NOTHING);
    expectConnections(state, outside, prodWeb, NOTHING);
    expectConnections(state, prodWeb, outside, EVERYTHING);
  });

  test('an absent podSelector selects every pod of the namespace', () => {
    // podSelector is optional in the API and defaults to `{}`.
    const state = withPolicies([['prod', { ingress: [] }]]);
    expectConnections(state, devWeb, prodWeb, NOTHING);
    expectConnections(state, devWeb, prodDb, NOTHING);
    expectConnections(state, prodWeb, devWeb, EVERYTHING);
  });

  test('egress rules make a policy without policyTypes isolate egress as well as ingress', () => {
    // policyTypes defaults to [Ingress, Egress] when egress rules exist, and Ingress is always included.
    const state = withPolicies([
      ['prod', { podSelector: dbOnly, egress: [{ to: [{ podSelector: webOnly }] }] }],
    ]);
    expectConnections(state, prodDb, prodWeb, EVERYTHING);
    expectConnections(state, prodDb, devWeb, NOTHING);
    expectConnections(state, prodDb, outside, NOTHING);
    expectConnections(state, prodWeb, prodDb, NOTHING);
  });

  test('egress: [] without policyTypes does not isolate egress (API server defaulting)', () => {
    // The API reference says "policies that contain an Egress section are assumed to affect Egress"; the API
    // server decides `egress: []` with `len(spec.Egress) != 0` and stores `policyTypes: [Ingress]` (checked on
    // kube-apiserver v1.36.3). Claiming egress is blocked here would report as isolated a pod the cluster
    // leaves open.
    const state = withPolicies([['prod', { podSelector: {}, egress: [] }]]);
    expectConnections(state, prodWeb, outside, EVERYTHING);
    expectConnections(state, outside, prodWeb, NOTHING);
  });

  test('policyTypes: [] is defaulted like an absent policyTypes', () => {
    // The API server defaults policyTypes when `len(policyTypes) == 0`, so a stored policy never has none.
    const state = withPolicies([
      ['prod', { podSelector: {}, policyTypes: [], egress: [{ ports: [{ port: 53 }] }] }],
    ]);
    expectConnections(state, prodWeb, outside, { allow: ['TCP/53'], deny: ['TCP/80', 'UDP/53'] });
    expectConnections(state, outside, prodWeb, NOTHING);
  });

  test('explicit policyTypes [Egress] ignores ingress rules and leaves ingress open', () => {
    // Explicit policyTypes wins: rules of a direction not listed are ignored, even `ingress: []`.
    const state = withPolicies([
      [
        'prod',
        {
          podSelector: dbOnly,
          policyTypes: ['Egress'],
          ingress: [],
          egress: [{ ports: [{ protocol: 'UDP', port: 53 }] }],
        },
      ],
    ]);
    expectConnections(state, prodWeb, prodDb, EVERYTHING);
    expectConnections(state, outside, prodDb, EVERYTHING);
    expectConnections(state, prodDb, outside, { allow: ['UDP/53'], deny: ['TCP/53', 'UDP/54', 'SCTP/53'] });
  });

  test('explicit policyTypes [Ingress] ignores egress rules', () => {
    // `egress: []` would deny all egress if Egress were listed; here it must not.
    const state = withPolicies([
      ['prod', { podSelector: dbOnly, policyTypes: ['Ingress'], ingress: [{}], egress: [] }],
    ]);
    expectConnections(state, prodDb, outside, EVERYTHING);
    expectConnections(state, outside, prodDb, EVERYTHING);
  });

  test('policyTypes [Ingress, Egress] without rules denies both directions', () => {
    // The canonical default-deny-all policy.
    const state = withPolicies([['prod', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }]]);
    expectConnections(state, prodWeb, prodDb, NOTHING);
    expectConnections(state, prodWeb, devWeb, NOTHING);
    expectConnections(state, devWeb, prodWeb, NOTHING);
    expectConnections(state, devWeb, devDb, EVERYTHING);
  });

  test('a policy selects only pods of its own namespace', () => {
    // Same labels in another namespace must not be isolated.
    const state = withPolicies([['dev', { podSelector: dbOnly, ingress: [] }]]);
    expectConnections(state, prodWeb, prodDb, EVERYTHING);
    expectConnections(state, devWeb, devDb, NOTHING);
  });
});

describe('combining policies and sides', () => {
  test('policies selecting the same pod add up (union of their rules)', () => {
    // NetworkPolicies are additive: a connection allowed by any selecting policy is allowed.
    const state = withPolicies([
      [
        'prod',
        { podSelector: dbOnly, ingress: [{ from: [{ podSelector: webOnly }], ports: [{ port: 5432 }] }] },
      ],
      ['prod', { podSelector: dbOnly, ingress: [{ from: [{ ipBlock: { cidr: '192.168.0.0/16' } }] }] }],
    ]);
    expectConnections(state, prodWeb, prodDb, { allow: ['TCP/5432'], deny: ['TCP/80', 'UDP/5432'] });
    expectConnections(state, ipRef('192.168.1.1'), prodDb, EVERYTHING);
    expectConnections(state, outside, prodDb, NOTHING);
  });

  test('a deny-all policy does not take away what another policy allows', () => {
    // There are no deny rules: `ingress: []` only isolates; the other policy's `[{}]` still allows all.
    const state = withPolicies([
      ['prod', { podSelector: {}, ingress: [] }],
      ['prod', { podSelector: dbOnly, ingress: [{}] }],
    ]);
    expectConnections(state, outside, prodDb, EVERYTHING);
    expectConnections(state, outside, prodWeb, NOTHING);
  });

  test('both sides must allow: source egress and destination ingress', () => {
    // web may send to any prod pod on 5432-5433; db accepts web on 5432 only: the intersection is 5432.
    const state = withPolicies([
      [
        'prod',
        {
          podSelector: webOnly,
          policyTypes: ['Egress'],
          egress: [{ to: [{ podSelector: {} }], ports: [{ port: 5432, endPort: 5433 }] }],
        },
      ],
      [
        'prod',
        { podSelector: dbOnly, ingress: [{ from: [{ podSelector: webOnly }], ports: [{ port: 5432 }] }] },
      ],
    ]);
    expectConnections(state, prodWeb, prodDb, { allow: ['TCP/5432'], deny: ['TCP/5433', 'TCP/5431'] });
    // Egress allows prod/web → dev/web? No: the peer is own-namespace pods only.
    expectConnections(state, prodWeb, devWeb, NOTHING);
    // Ingress of db refuses dev/web even though dev/web's egress is open.
    expectConnections(state, devWeb, prodDb, NOTHING);
  });
});

describe('rules and peers', () => {
  test('ingress: [] denies all ingress, including from outside the cluster', () => {
    // An empty rule list isolates without allowing anything.
    const state = withPolicies([['prod', { podSelector: dbOnly, ingress: [] }]]);
    expectConnections(state, prodWeb, prodDb, NOTHING);
    expectConnections(state, outside, prodDb, NOTHING);
    expectConnections(state, outside6, prodDb, NOTHING);
  });

  test('ingress: [{}] allows all ingress, including from outside the cluster', () => {
    // One empty rule matches every peer and port: the opposite of `ingress: []`, one character away.
    const state = withPolicies([['prod', { podSelector: dbOnly, ingress: [{}] }]]);
    expectConnections(state, devWeb, prodDb, EVERYTHING);
    expectConnections(state, outside, prodDb, EVERYTHING);
    expectConnections(state, outside6, prodDb, EVERYTHING);
  });

  test('egress: [{}] allows all egress, including to outside the cluster', () => {
    // The egress mirror of `ingress: [{}]`.
    const state = withPolicies([['prod', { podSelector: dbOnly, policyTypes: ['Egress'], egress: [{}] }]]);
    expectConnections(state, prodDb, devWeb, EVERYTHING);
    expectConnections(state, prodDb, outside6, EVERYTHING);
  });

  test('absent and empty from both mean every source', () => {
    // `from: []` is not "no source": absent or empty, the rule matches all peers, in or out of the cluster.
    for (const rule of [{ ports: [{ port: 5432 }] }, { from: [], ports: [{ port: 5432 }] }]) {
      const state = withPolicies([['prod', { podSelector: dbOnly, ingress: [rule] }]]);
      expectConnections(state, outside, prodDb, { allow: ['TCP/5432'], deny: ['TCP/80'] });
      expectConnections(state, devWeb, prodDb, { allow: ['TCP/5432'], deny: ['TCP/80'] });
    }
  });

  test('absent and empty to both mean every destination', () => {
    // The egress mirror of the case above.
    for (const rule of [{ ports: [{ port: 443 }] }, { to: [], ports: [{ port: 443 }] }]) {
      const state = withPolicies([
        ['prod', { podSelector: dbOnly, policyTypes: ['Egress'], egress: [rule] }],
      ]);
      expectConnections(state, prodDb, outside6, { allow: ['TCP/443'], deny: ['TCP/80'] });
      expectConnections(state, prodDb, devWeb, { allow: ['TCP/443'], deny: ['UDP/443'] });
    }
  });

  test("a podSelector-only peer means pods of the policy's own namespace", () => {
    // Same labels in another namespace must not match: a classic source of over-broad assumptions.
    const state = withPolicies([
      ['prod', { podSelector: dbOnly, ingress: [{ from: [{ podSelector: webOnly }] }] }],
    ]);
    expectConnections(state, prodWeb, prodDb, EVERYTHING);
    expectConnections(state, devWeb, prodDb, NOTHING);
    expectConnections(state, ipRef('10.0.1.10'), prodDb, NOTHING);
  });

  test('namespaceSelector: {} means every namespace; absent means the own namespace', () => {
    // `{}` and absent differ here, and only here the difference is a namespace boundary.
    const state = withPolicies([
      [
        'prod',
        { podSelector: dbOnly, ingress: [{ from: [{ namespaceSelector: {}, podSelector: webOnly }] }] },
      ],
    ]);
    expectConnections(state, devWeb, prodDb, EVERYTHING);
    expectConnections(state, prodWeb, prodDb, EVERYTHING);
    expectConnections(state, devDb, prodDb, NOTHING);
    expectConnections(state, outside, prodDb, NOTHING);
  });

  test('a namespaceSelector-only peer matches every pod of the selected namespaces, and no address', () => {
    // Namespace labels, not pod labels, decide; addresses outside the cluster are never in a namespace.
    const state = withPolicies([
      [
        'prod',
        { podSelector: dbOnly, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'b' } } }] }] },
      ],
    ]);
    expectConnections(state, devWeb, prodDb, EVERYTHING);
    expectConnections(state, devMonitor, prodDb, EVERYTHING);
    expectConnections(state, prodWeb, prodDb, NOTHING);
    expectConnections(state, ipRef('10.0.2.30'), prodDb, NOTHING);
  });

  test('podSelector and namespaceSelector in one peer are ANDed', () => {
    // `- namespaceSelector: …\n  podSelector: …` (one dash) is one peer: both must match.
    const state = withPolicies([
      [
        'prod',
        {
          podSelector: dbOnly,
          ingress: [
            {
              from: [
                {
                  namespaceSelector: { matchLabels: { team: 'b' } },
                  podSelector: { matchLabels: { app: 'monitor' } },
                },
              ],
            },
          ],
        },
      ],
    ]);
    expectConnections(state, devMonitor, prodDb, EVERYTHING);
    expectConnections(state, devWeb, prodDb, NOTHING);
    expectConnections(state, prodWeb, prodDb, NOTHING);
  });

  test('podSelector and namespaceSelector in two peers are ORed', () => {
    // Two dashes, two peers: either matches. The podSelector peer stays in the policy's namespace.
    const state = withPolicies([
      [
        'prod',
        {
          podSelector: dbOnly,
          ingress: [
            {
              from: [
                { namespaceSelector: { matchLabels: { team: 'b' } } },
                { podSelector: { matchLabels: { app: 'monitor' } } },
              ],
            },
          ],
        },
      ],
    ]);
    expectConnections(state, devMonitor, prodDb, EVERYTHING);
    expectConnections(state, devWeb, prodDb, EVERYTHING);
    expectConnections(state, prodWeb, prodDb, NOTHING);
  });

  test('the kubernetes.io/metadata.name label selects a namespace by name, defined or implicit', () => {
    // The API server labels every namespace with its name; `ops` is referenced by a pod but never defined.
    const base: ClusterInput = {
      ...twoNamespaces,
      pods: [...(twoNamespaces.pods ?? []), pod('ops', 'tool', {})],
    };
    const byName = (name: string) => ({
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': name } },
    });
    const state = withPolicies(
      [['prod', { podSelector: dbOnly, ingress: [{ from: [byName('dev'), byName('ops')] }] }]],
      base,
    );
    expectConnections(state, devWeb, prodDb, EVERYTHING);
    expectConnections(state, podRef('ops', 'tool'), prodDb, EVERYTHING);
    expectConnections(state, prodWeb, prodDb, NOTHING);
  });

  describe('matchExpressions', () => {
    // prod/web {app: web}, prod/db {app: db, tier: data}, prod/batch {tier: batch} (no app), prod/cache {app: cache},
    // prod/blank {tier: ""} (the key is present with an empty value).
    const base: ClusterInput = {
      ...twoNamespaces,
      pods: [
        ...(twoNamespaces.pods ?? []),
        pod('prod', 'batch', { tier: 'batch' }),
        pod('prod', 'cache', { app: 'cache' }),
        pod('prod', 'blank', { tier: '' }),
      ],
    };
    const batch = podRef('prod', 'batch');
    const cache = podRef('prod', 'cache');
    const blank = podRef('prod', 'blank');
    const from = (key: string, operator: string, values?: string[]) =>
      withPolicies(
        [
          [
            'prod',
            {
              podSelector: dbOnly,
              ingress: [
                {
                  from: [
                    { podSelector: { matchExpressions: [{ key, operator, ...(values ? { values } : {}) }] } },
                  ],
                },
              ],
            },
          ],
        ],
        base,
      );

    test('In matches pods whose label value is listed, not pods without the key', () => {
      // Missing keys never satisfy In.
      const state = from('app', 'In', ['web', 'cache']);
      expectConnections(state, prodWeb, prodDb, EVERYTHING);
      expectConnections(state, cache, prodDb, EVERYTHING);
      expectConnections(state, batch, prodDb, NOTHING);
    });

    test('NotIn matches pods without the key', () => {
      // The surprising one: `app NotIn [web]` also selects pods that have no `app` label at all.
      const state = from('app', 'NotIn', ['web']);
      expectConnections(state, prodWeb, prodDb, NOTHING);
      expectConnections(state, batch, prodDb, EVERYTHING);
      expectConnections(state, cache, prodDb, EVERYTHING);
    });

    test('an empty label value is a value: In and NotIn compare it like any other', () => {
      expectConnections(from('tier', 'In', ['']), blank, prodDb, EVERYTHING);
      expectConnections(from('tier', 'In', ['']), prodWeb, prodDb, NOTHING); // no tier key at all
      expectConnections(from('tier', 'NotIn', ['']), blank, prodDb, NOTHING);
      expectConnections(from('tier', 'NotIn', ['']), batch, prodDb, EVERYTHING);
    });

    test('Exists matches pods having the key, whatever the value, even an empty one', () => {
      const state = from('tier', 'Exists');
      expectConnections(state, batch, prodDb, EVERYTHING);
      expectConnections(state, blank, prodDb, EVERYTHING);
      expectConnections(state, prodWeb, prodDb, NOTHING);
    });

    test('DoesNotExist matches pods without the key, not pods whose value is empty', () => {
      const state = from('tier', 'DoesNotExist');
      expectConnections(state, prodWeb, prodDb, EVERYTHING);
      expectConnections(state, batch, prodDb, NOTHING);
      expectConnections(state, blank, prodDb, NOTHING);
    });

    test('matchLabels and matchExpressions are ANDed, in podSelector and namespaceSelector alike', () => {
      // Every requirement of a selector must hold; here also for the policy's own podSelector.
      const state = withPolicies(
        [
          [
            'prod',
            {
              podSelector: {
                matchExpressions: [{ key: 'app', operator: 'In', values: ['db', 'cache'] }],
                matchLabels: { tier: 'data' },
              },
              ingress: [
                {
                  from: [
                    {
                      namespaceSelector: {
                        matchLabels: { team: 'b' },
                        matchExpressions: [
                          { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['prod'] },
                        ],
                      },
                      podSelector: {
                        matchLabels: { app: 'web' },
                        matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }],
                      },
                    },
                  ],
                },
              ],
            },
          ],
        ],
        base,
      );
      expectConnections(state, devWeb, prodDb, EVERYTHING);
      expectConnections(state, devMonitor, prodDb, NOTHING);
      expectConnections(state, outside, cache, EVERYTHING); // cache has no tier=data: not selected
    });
  });
});

describe('ipBlock', () => {
  test('ipBlock allows addresses in the CIDR except the excepted ranges (IPv4)', () => {
    // Boundaries of both the block and the hole, one address on each side.
    const state = withPolicies([
      [
        'prod',
        {
          podSelector: dbOnly,
          ingress: [{ from: [{ ipBlock: { cidr: '192.168.0.0/16', except: ['192.168.1.0/24'] } }] }],
        },
      ],
    ]);
    for (const ip of ['192.168.0.0', '192.168.0.255', '192.168.2.0', '192.168.255.255']) {
      expectConnections(state, ipRef(ip), prodDb, EVERYTHING);
    }
    for (const ip of [
      '192.167.255.255',
      '192.168.1.0',
      '192.168.1.255',
      '192.169.0.0',
      '::ffff:c0a8:1',
      '2001:db8::1',
    ]) {
      expectConnections(state, ipRef(ip), prodDb, NOTHING);
    }
  });

  test('ipBlock allows addresses in the CIDR except the excepted ranges (IPv6)', () => {
    // 128-bit arithmetic: easy to get wrong with doubles.
    const state = withPolicies([
      [
        'prod',
        {
          podSelector: dbOnly,
          ingress: [{ from: [{ ipBlock: { cidr: '2001:db8::/32', except: ['2001:db8:1::/48'] } }] }],
        },
      ],
    ]);
    for (const ip of [
      '2001:db8::',
      '2001:db8::1',
      '2001:db8:0:ffff:ffff:ffff:ffff:ffff',
      '2001:db8:2::',
      '2001:db8:ffff:ffff:ffff:ffff:ffff:ffff',
    ]) {
      expectConnections(state, ipRef(ip), prodDb, EVERYTHING);
    }
    for (const ip of [
      '2001:db7:ffff:ffff:ffff:ffff:ffff:ffff',
      '2001:db8:1::',
      '2001:db8:1:ffff:ffff:ffff:ffff:ffff',
      '2001:db9::',
      '32.1.13.184',
    ]) {
      expectConnections(state, ipRef(ip), prodDb, NOTHING);
    }
  });

  test('an ipBlock CIDR written with leading zeros means the same block as its canonical form', () => {
    // API servers before 1.36 accept `0010.0.0.0/08` (the parse layer warns): it is 10.0.0.0/8, not nothing.
    const state = withPolicies([
      [
        'prod',
        {
          podSelector: dbOnly,
          ingress: [{ from: [{ ipBlock: { cidr: '0010.0.0.0/08', except: ['010.000.001.000/024'] } }] }],
        },
      ],
    ]);
    for (const ip of ['10.0.0.5', '10.255.255.255']) expectConnections(state, ipRef(ip), prodDb, EVERYTHING);
    for (const ip of ['10.0.1.5', '11.0.0.1', '9.255.255.255']) {
      expectConnections(state, ipRef(ip), prodDb, NOTHING);
    }
  });

  test('ipBlock matches a pod by any of its IPs (default option), for ingress and egress', () => {
    // The upstream conformance tests expect pod IPs in an ipBlock to match; dual-stack pods have two IPs.
    const state = withPolicies([
      [
        'prod',
        {
          podSelector: dbOnly,
          ingress: [{ from: [{ ipBlock: { cidr: '10.0.2.30/32' } }, { ipBlock: { cidr: 'fd00::10/128' } }] }],
        },
      ],
      [
        'prod',
        {
          podSelector: webOnly,
          policyTypes: ['Egress'],
          egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/16', except: ['10.0.2.0/24'] } }] }],
        },
      ],
    ]);
    expectConnections(state, devMonitor, prodDb, EVERYTHING);
    expectConnections(state, prodWeb, prodDb, EVERYTHING); // by its IPv6 address
    expectConnections(state, devWeb, prodDb, NOTHING);
    expectConnections(state, prodWeb, devWeb, NOTHING); // 10.0.2.10 is in the except
    expectConnections(state, prodWeb, podRef('prod', 'web'), EVERYTHING); // 10.0.1.10 is in the block
  });

  test('with ipBlockMatchesPods off, ipBlock matches only addresses outside the cluster', () => {
    // Some CNIs do not match pod traffic against ipBlocks; netfence can model either.
    const state = withPolicies([
      ['prod', { podSelector: dbOnly, ingress: [{ from: [{ ipBlock: { cidr: '10.0.2.0/24' } }] }] }],
    ]);
    const off = { ipBlockMatchesPods: false };
    expectConnections(state, devMonitor, prodDb, NOTHING, off);
    expectConnections(state, ipRef('10.0.2.30'), prodDb, EVERYTHING, off);
    expectConnections(state, devMonitor, prodDb, EVERYTHING, { ipBlockMatchesPods: true });
  });

  test('an address endpoint is not a pod, even when a pod has that IP', () => {
    // Selector peers match pods only; an `ip` endpoint stands for something outside the cluster.
    const state = withPolicies([
      ['prod', { podSelector: dbOnly, ingress: [{ from: [{ namespaceSelector: {} }] }] }],
    ]);
    expectConnections(state, devMonitor, prodDb, EVERYTHING);
    expectConnections(state, ipRef('10.0.2.30'), prodDb, NOTHING);
  });
});

describe('ports', () => {
  const ingressPorts = (ports: NonNullable<NetworkPolicySpec['ingress']>[number]['ports']) =>
    withPolicies([
      [
        'prod',
        { podSelector: dbOnly, ingress: [{ from: [{ podSelector: webOnly }], ...(ports ? { ports } : {}) }] },
      ],
    ]);

  test('absent ports allow every port of every protocol', () => {
    // Absent and empty `ports` do not default to TCP: all three protocols are allowed.
    expectConnections(ingressPorts(undefined), prodWeb, prodDb, EVERYTHING);
    expectConnections(ingressPorts([]), prodWeb, prodDb, EVERYTHING);
  });

  test('a port entry without protocol means TCP', () => {
    // The protocol default applies per entry, not per rule.
    expectConnections(ingressPorts([{ port: 5432 }]), prodWeb, prodDb, {
      allow: ['TCP/5432'],
      deny: ['UDP/5432', 'SCTP/5432', 'TCP/5431', 'TCP/5433'],
    });
  });

  test('a port entry without port means every port of its protocol', () => {
    // `{protocol: UDP}` is all of UDP and nothing of TCP; `{}` is all of TCP.
    expectConnections(ingressPorts([{ protocol: 'UDP' }]), prodWeb, prodDb, {
      allow: ['UDP/1', 'UDP/65535'],
      deny: ['TCP/1', 'SCTP/1'],
    });
    expectConnections(ingressPorts([{}]), prodWeb, prodDb, {
      allow: ['TCP/1', 'TCP/65535'],
      deny: ['UDP/53', 'SCTP/1'],
    });
  });

  test('UDP and SCTP ports are matched with their protocol', () => {
    // Same number, other protocol: denied.
    const state = ingressPorts([
      { protocol: 'UDP', port: 53 },
      { protocol: 'SCTP', port: 3868 },
    ]);
    expectConnections(state, prodWeb, prodDb, {
      allow: ['UDP/53', 'SCTP/3868'],
      deny: ['TCP/53', 'SCTP/53', 'UDP/3868', 'TCP/3868'],
    });
  });

  test('endPort ranges are inclusive at both ends', () => {
    // Off-by-one at either end would silently open or close a port.
    const state = ingressPorts([
      { port: 8000, endPort: 8010 },
      { protocol: 'UDP', port: 65530, endPort: 65535 },
    ]);
    expectConnections(state, prodWeb, prodDb, {
      allow: ['TCP/8000', 'TCP/8005', 'TCP/8010', 'UDP/65530', 'UDP/65535'],
      deny: ['TCP/7999', 'TCP/8011', 'UDP/8005', 'UDP/65529', 'TCP/65535'],
    });
  });

  test('a named port resolves against each destination pod, so one name can mean different numbers', () => {
    // One policy, two selected pods: `http` is 8080 on one and 9090 on the other.
    const base: ClusterInput = {
      pods: [
        pod('prod', 'web', { app: 'web' }, { namedPorts: [namedPort('http', 8080)] }),
        pod(
          'prod',
          'api',
          { app: 'web' },
          { namedPorts: [namedPort('http', 9090), namedPort('admin', 8080)] },
        ),
      ],
    };
    const state = withPolicies(
      [['prod', { podSelector: webOnly, ingress: [{ ports: [{ port: 'http' }] }] }]],
      base,
    );
    expectConnections(state, outside, prodWeb, { allow: ['TCP/8080'], deny: ['TCP/9090', 'TCP/80'] });
    expectConnections(state, outside, podRef('prod', 'api'), { allow: ['TCP/9090'], deny: ['TCP/8080'] });
  });

  test('a named port matches only a container port of the same protocol', () => {
    // `dns` is UDP 53 on the pod; a TCP entry named `dns` resolves to nothing.
    const base: ClusterInput = {
      pods: [
        pod(
          'prod',
          'dns',
          { app: 'db' },
          { namedPorts: [namedPort('dns', 53, 'UDP'), namedPort('dns-tcp', 53)] },
        ),
      ],
    };
    const dns = podRef('prod', 'dns');
    const tcp = withPolicies(
      [['prod', { podSelector: dbOnly, ingress: [{ ports: [{ port: 'dns' }] }] }]],
      base,
    );
    expectConnections(tcp, outside, dns, { deny: ['TCP/53', 'UDP/53'] });
    const udp = withPolicies(
      [['prod', { podSelector: dbOnly, ingress: [{ ports: [{ port: 'dns', protocol: 'UDP' }] }] }]],
      base,
    );
    expectConnections(udp, outside, dns, { allow: ['UDP/53'], deny: ['TCP/53', 'SCTP/53'] });
  });

  test('a named port the destination pod does not define matches nothing', () => {
    // It must not fall back to "all ports" nor fail: the entry simply allows nothing.
    const state = withPolicies([['prod', { podSelector: dbOnly, ingress: [{ ports: [{ port: 'http' }] }] }]]);
    expectConnections(state, prodWeb, prodDb, NOTHING);
    expectConnections(state, prodWeb, prodDb, { deny: ['TCP/8080', 'TCP/9090', 'TCP/5432'] });
  });

  test('an egress named port to an address outside the cluster matches nothing', () => {
    // Addresses have no container ports to resolve the name against.
    const state = withPolicies([
      ['prod', { podSelector: webOnly, policyTypes: ['Egress'], egress: [{ ports: [{ port: 'http' }] }] }],
    ]);
    expectConnections(state, prodWeb, outside, NOTHING);
    expectConnections(state, prodWeb, ipRef('10.0.2.10'), { deny: ['TCP/8080', 'TCP/9090'] });
  });

  test('an egress named port resolves against the destination pod, not the source', () => {
    // prod/web's own `http` is 8080; dev/web's is 9090, and that is what an egress rule from prod/web means.
    const state = withPolicies([
      ['prod', { podSelector: webOnly, policyTypes: ['Egress'], egress: [{ ports: [{ port: 'http' }] }] }],
    ]);
    expectConnections(state, prodWeb, devWeb, { allow: ['TCP/9090'], deny: ['TCP/8080'] });
    expectConnections(state, prodWeb, prodDb, { deny: ['TCP/8080', 'TCP/9090', 'TCP/5432'] });
  });
});

describe('hostNetwork pods', () => {
  // netfence's documented choice: host-network pods share the node's network namespace, so policies cannot
  // isolate them and selectors do not match them; only an ipBlock can match them, by IP.
  const base: ClusterInput = {
    ...twoNamespaces,
    pods: [
      ...(twoNamespaces.pods ?? []),
      pod('prod', 'agent', { app: 'db' }, { hostNetwork: true, ips: ['172.16.0.5'] }),
    ],
  };
  const agent = podRef('prod', 'agent');

  test('policies never select host-network pods', () => {
    // Even a namespace-wide default-deny of both directions leaves them open.
    const state = withPolicies([['prod', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }]], base);
    expectConnections(state, outside, agent, EVERYTHING);
    expectConnections(state, agent, outside, EVERYTHING);
    expectConnections(state, agent, prodDb, NOTHING); // db itself is isolated
  });

  test('selector peers never match host-network pods; only ipBlock does, by IP', () => {
    // `podSelector: {}` would otherwise admit the agent, whose labels match.
    const selectors = withPolicies(
      [
        [
          'prod',
          { podSelector: dbOnly, ingress: [{ from: [{ podSelector: {} }, { namespaceSelector: {} }] }] },
        ],
      ],
      base,
    );
    expectConnections(selectors, agent, prodDb, NOTHING);
    expectConnections(selectors, prodWeb, prodDb, EVERYTHING);
    const block = withPolicies(
      [['prod', { podSelector: dbOnly, ingress: [{ from: [{ ipBlock: { cidr: '172.16.0.0/24' } }] }] }]],
      base,
    );
    expectConnections(block, agent, prodDb, EVERYTHING);
    expectConnections(block, agent, prodDb, NOTHING, { ipBlockMatchesPods: false });
  });

  // The lint rule no-policy-selecting-host-network warns about such policies; `--host-network-pods policed`
  // reads them literally instead, as for a CNI that polices host-network pods.
  test('no-policy-selecting-host-network: with hostNetworkPods policed, host-network pods are ordinary pods', () => {
    const policed = { ipBlockMatchesPods: true, hostNetworkPods: 'policed' } as const;
    const deny = withPolicies([['prod', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }]], base);
    expectConnections(deny, outside, agent, NOTHING, policed);
    expectConnections(deny, agent, outside, NOTHING, policed);
    expectConnections(deny, outside, agent, EVERYTHING, {
      ipBlockMatchesPods: true,
      hostNetworkPods: 'exempt',
    });
    const selectors = withPolicies(
      [
        [
          'prod',
          { podSelector: dbOnly, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'db' } } }] }] },
        ],
      ],
      base,
    );
    // The agent carries app=db: selected, so isolated; and matched by the peer, so admitted.
    expectConnections(selectors, agent, prodDb, EVERYTHING, policed);
    expectConnections(selectors, prodWeb, agent, NOTHING, policed);
    expectConnections(selectors, prodWeb, agent, EVERYTHING);
    expectConnections(selectors, agent, prodDb, NOTHING);
  });
});
