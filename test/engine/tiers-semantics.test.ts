/**
 * Cluster-wide policy tiers in the engine: one test per rule of docs/design/tiers.md (Admin tier, then
 * NetworkPolicies, then the Baseline tier, then allow; per direction; first match; hairpin; host-network
 * pods; networks/nodes/domainNames peers), through `allowedBetween` and connectivity.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  OPEN_ACCESS,
  compileCluster,
  type CompiledCluster,
  type Endpoint,
} from '../../src/engine/compile.ts';
import { computeConnectivity } from '../../src/engine/connectivity.ts';
import { computeGroupedConnectivity } from '../../src/engine/grouped.ts';
import { diffClusters } from '../../src/engine/diff.ts';
import { createIncrementalEngine } from '../../src/engine/incremental.ts';
import {
  ALL_CONNECTIONS,
  portSetOf,
  portsEqual,
  subtractPorts,
  unionPorts,
  type PortSet,
} from '../../src/engine/ports.ts';
import { formatPorts } from '../../src/describe/ports.ts';
import type { ClusterPolicyInfo, PolicyInfo } from '../../src/model/cluster.ts';
import {
  anp,
  banp,
  cluster,
  cnp,
  ipRef,
  namedPort,
  node,
  ns,
  pod,
  podRef,
  policy,
} from '../support/builders.ts';

const A = { matchLabels: { team: 'a' } };
const B = { matchLabels: { team: 'b' } };
const ALL_NS = { namespaces: {} };

function state(clusterPolicies: readonly ClusterPolicyInfo[], policies: readonly PolicyInfo[] = []) {
  return cluster({
    namespaces: [ns('a', { team: 'a' }), ns('b', { team: 'b' })],
    pods: [
      pod(
        'a',
        'x',
        { app: 'x' },
        { ips: ['10.0.1.1'], namedPorts: [namedPort('http', 8080), namedPort('dns', 53, 'UDP')] },
      ),
      pod('a', 'z', { app: 'z' }, { ips: ['10.0.1.2'] }),
      pod('b', 'y', { app: 'y' }, { ips: ['10.0.2.1'] }),
      pod('b', 'h', { app: 'h' }, { ips: ['192.168.0.10'], hostNetwork: true }),
    ],
    policies,
    clusterPolicies,
    nodes: [node('n1', { role: 'worker' }, ['192.168.0.10'])],
  });
}

function end(ref: string): Endpoint {
  if (/^\d/.test(ref)) return ipRef(ref);
  const [namespace, name] = ref.split('/') as [string, string];
  return podRef(namespace, name);
}

function between(compiled: CompiledCluster, src: string, dst: string): string {
  return formatPorts(compiled.allowedBetween(end(src), end(dst)));
}

function all(except: PortSet): string {
  return formatPorts(subtractPorts(ALL_CONNECTIONS, except));
}

const tcp = (from: number, to = from): PortSet => portSetOf('TCP', [from, to]);

/** A NetworkPolicy in `a` selecting every pod, isolating ingress, allowing `from` (or nothing). */
function npIngress(name: string, ingress: NonNullable<PolicyInfo['spec']['ingress']>): PolicyInfo {
  return policy('a', name, { podSelector: {}, policyTypes: ['Ingress'], ingress });
}

describe('tiers: the order of the tiers', () => {
  test('admin deny beats NetworkPolicy allow', () => {
    const c = compileCluster(
      state(
        [
          cnp('deny-b', {
            tier: 'Admin',
            priority: 10,
            subject: { namespaces: A },
            ingress: [{ action: 'Deny', from: [{ namespaces: B }] }],
          }),
        ],
        [npIngress('allow-all', [{ from: [{ namespaceSelector: {} }] }])],
      ),
    );
    assert.equal(between(c, 'b/y', 'a/x'), 'No connections');
    assert.equal(between(c, 'a/z', 'a/x'), 'All connections');
  });

  test('admin allow beats NetworkPolicy deny (ingress side only, the other side still evaluated)', () => {
    const allowB = cnp('allow-b', {
      tier: 'Admin',
      priority: 10,
      subject: { namespaces: A },
      ingress: [{ action: 'Accept', from: [{ namespaces: B }] }],
    });
    const denyAll = npIngress('deny-all', []);
    const c = compileCluster(state([allowB], [denyAll]));
    assert.equal(between(c, 'b/y', 'a/x'), 'All connections');
    assert.equal(between(c, 'a/z', 'a/x'), 'No connections');
    // The source's egress is still evaluated: a NetworkPolicy in b isolating egress denies it.
    const denyEgress = policy('b', 'no-egress', { podSelector: {}, policyTypes: ['Egress'] });
    const c2 = compileCluster(state([allowB], [denyAll, denyEgress]));
    assert.equal(between(c2, 'b/y', 'a/x'), 'No connections');
  });

  test('pass goes to the NetworkPolicy tier', () => {
    const c = compileCluster(
      state(
        [
          cnp('pass-b', {
            tier: 'Admin',
            priority: 10,
            subject: { namespaces: A },
            ingress: [
              { action: 'Pass', from: [{ namespaces: B }] },
              { action: 'Deny', from: [ALL_NS] },
            ],
          }),
        ],
        [npIngress('allow-b-80', [{ from: [{ namespaceSelector: B }], ports: [{ port: 80 }] }])],
      ),
    );
    assert.equal(between(c, 'b/y', 'a/x'), 'TCP 80');
    assert.equal(between(c, 'a/z', 'a/x'), 'No connections');
  });

  test('pass with NetworkPolicies not isolating goes to the Baseline tier', () => {
    const c = compileCluster(
      state([
        cnp('pass-b', {
          tier: 'Admin',
          priority: 10,
          subject: { namespaces: A },
          ingress: [{ action: 'Pass', from: [{ namespaces: B }] }],
        }),
        cnp('base-deny-80', {
          tier: 'Baseline',
          priority: 10,
          subject: { namespaces: A },
          ingress: [
            {
              action: 'Deny',
              from: [{ namespaces: B }],
              protocols: [{ tcp: { destinationPort: { number: 80 } } }],
            },
          ],
        }),
      ]),
    );
    assert.equal(between(c, 'b/y', 'a/x'), all(tcp(80)));
  });

  test('NetworkPolicy isolation skips the Baseline tier', () => {
    const c = compileCluster(
      state(
        [banp({ subject: { namespaces: A }, ingress: [{ action: 'Deny', from: [{ namespaces: B }] }] })],
        [npIngress('allow-b-80', [{ from: [{ namespaceSelector: B }], ports: [{ port: 80 }] }])],
      ),
    );
    assert.equal(between(c, 'b/y', 'a/x'), 'TCP 80');
  });

  test('baseline deny applies when no NetworkPolicy isolates', () => {
    const c = compileCluster(
      state([banp({ subject: { namespaces: A }, ingress: [{ action: 'Deny', from: [{ namespaces: B }] }] })]),
    );
    assert.equal(between(c, 'b/y', 'a/x'), 'No connections');
    assert.equal(between(c, 'a/z', 'a/x'), 'All connections');
    assert.equal(c.ingress[c.classOfPod('a', 'x')!]!.isolated, true);
    assert.equal(c.npIngress[c.classOfPod('a', 'x')!]!.isolated, false);
  });

  test('baseline pass means allowed', () => {
    const c = compileCluster(
      state([
        cnp('base-pass-b', {
          tier: 'Baseline',
          priority: 1,
          subject: { namespaces: A },
          ingress: [{ action: 'Pass', from: [{ namespaces: B }] }],
        }),
        banp({ subject: { namespaces: A }, ingress: [{ action: 'Deny', from: [ALL_NS] }] }),
      ]),
    );
    assert.equal(between(c, 'b/y', 'a/x'), 'All connections');
    assert.equal(between(c, 'a/z', 'a/x'), 'No connections');
  });

  test('the BaselineAdminNetworkPolicy comes after the Baseline ClusterNetworkPolicies', () => {
    const c = compileCluster(
      state([
        banp({ subject: { namespaces: A }, ingress: [{ action: 'Deny', from: [ALL_NS] }] }),
        cnp('base-allow-b', {
          tier: 'Baseline',
          priority: 1000,
          subject: { namespaces: A },
          ingress: [{ action: 'Accept', from: [{ namespaces: B }] }],
        }),
      ]),
    );
    assert.equal(between(c, 'b/y', 'a/x'), 'All connections');
    assert.equal(between(c, 'a/z', 'a/x'), 'No connections');
  });
});

describe('tiers: order within a tier', () => {
  const deny = (priority: number): ClusterPolicyInfo =>
    cnp('deny-b', {
      tier: 'Admin',
      priority,
      subject: { namespaces: A },
      ingress: [{ action: 'Deny', from: [{ namespaces: B }] }],
    });
  const allow = (priority: number): ClusterPolicyInfo =>
    anp('allow-b', {
      priority,
      subject: { namespaces: A },
      ingress: [{ action: 'Allow', from: [{ namespaces: B }] }],
    });

  test('priority order: the lower priority is evaluated first', () => {
    const npDeny = [npIngress('deny-all', [])];
    assert.equal(
      between(compileCluster(state([deny(20), allow(10)], npDeny)), 'b/y', 'a/x'),
      'All connections',
    );
    assert.equal(
      between(compileCluster(state([deny(10), allow(20)], npDeny)), 'b/y', 'a/x'),
      'No connections',
    );
  });

  test('rule order within a policy: the first matching rule decides', () => {
    const c = compileCluster(
      state([
        cnp('ordered', {
          tier: 'Admin',
          priority: 1,
          subject: { namespaces: A },
          ingress: [
            {
              action: 'Accept',
              from: [{ namespaces: B }],
              protocols: [{ tcp: { destinationPort: { number: 80 } } }],
            },
            { action: 'Deny', from: [{ namespaces: B }] },
          ],
        }),
      ]),
    );
    assert.equal(between(c, 'b/y', 'a/x'), 'TCP 80');
  });

  test('egress allow does not skip the destination ingress', () => {
    const allowOut = cnp('allow-out', {
      tier: 'Admin',
      priority: 1,
      subject: { namespaces: B },
      egress: [{ action: 'Accept', to: [{ namespaces: A }] }],
    });
    assert.equal(between(compileCluster(state([allowOut])), 'b/y', 'a/x'), 'All connections');
    assert.equal(
      between(compileCluster(state([allowOut], [npIngress('deny-all', [])])), 'b/y', 'a/x'),
      'No connections',
    );
  });
});

describe('tiers: subjects and peers', () => {
  test('host-network pods are never subjects nor namespace/pod peers, but networks and nodes match them', () => {
    const c = compileCluster(
      state([
        cnp('deny-all-ns', {
          tier: 'Admin',
          priority: 1,
          subject: ALL_NS,
          ingress: [{ action: 'Deny', from: [ALL_NS] }],
        }),
      ]),
    );
    assert.equal(between(c, 'a/x', 'b/h'), 'All connections', 'not a subject');
    assert.equal(between(c, 'b/h', 'a/x'), 'All connections', 'not a namespaces peer');
    assert.equal(between(c, 'b/y', 'a/x'), 'No connections');
    const byNetwork = compileCluster(
      state([
        cnp('deny-net', {
          tier: 'Admin',
          priority: 1,
          subject: { namespaces: A },
          egress: [{ action: 'Deny', to: [{ networks: ['192.168.0.0/24'] }] }],
        }),
      ]),
    );
    assert.equal(between(byNetwork, 'a/x', 'b/h'), 'No connections');
    assert.equal(between(byNetwork, 'a/x', 'b/y'), 'All connections');
  });

  test('host-network pods stay outside cluster policy selectors even where NetworkPolicies police them', () => {
    const deny = cnp('deny-all-ns', {
      tier: 'Admin',
      priority: 1,
      subject: ALL_NS,
      ingress: [{ action: 'Deny', from: [ALL_NS] }],
    });
    const c = compileCluster(state([deny]), { hostNetworkPods: 'policed' });
    assert.equal(between(c, 'a/x', 'b/h'), 'All connections', 'not a subject');
    assert.equal(between(c, 'b/h', 'a/x'), 'All connections', 'not a namespaces peer');
    assert.equal(between(c, 'b/y', 'a/x'), 'No connections');
    const byPods = compileCluster(
      state([
        cnp('deny-b', {
          tier: 'Admin',
          priority: 1,
          subject: { pods: { namespaceSelector: B, podSelector: {} } },
          egress: [{ action: 'Deny', to: [{ pods: { namespaceSelector: {}, podSelector: {} } }] }],
        }),
      ]),
      { hostNetworkPods: 'policed' },
    );
    assert.equal(between(byPods, 'b/h', 'a/x'), 'All connections', 'not a pods subject');
    assert.equal(between(byPods, 'b/y', 'b/h'), 'All connections', 'not a pods peer');
    assert.equal(between(byPods, 'b/y', 'a/x'), 'No connections');
  });

  test('networks peers match pod IPs', () => {
    const c = compileCluster(
      state([
        cnp('deny-b-net', {
          tier: 'Admin',
          priority: 1,
          subject: { namespaces: A },
          egress: [{ action: 'Deny', to: [{ networks: ['10.0.2.0/24'] }] }],
        }),
      ]),
    );
    assert.equal(between(c, 'a/x', 'b/y'), 'No connections');
    assert.equal(between(c, 'a/x', '10.0.2.77'), 'No connections');
    assert.equal(between(c, 'a/x', '8.8.8.8'), 'All connections');
    assert.equal(between(c, 'a/x', 'a/z'), 'All connections');
  });

  test('nodes peers match node addresses and the host-network pods there', () => {
    const c = compileCluster(
      state([
        cnp('deny-nodes', {
          tier: 'Admin',
          priority: 1,
          subject: { namespaces: A },
          egress: [{ action: 'Deny', to: [{ nodes: { matchLabels: { role: 'worker' } } }] }],
        }),
      ]),
    );
    assert.equal(between(c, 'a/x', '192.168.0.10'), 'No connections');
    assert.equal(between(c, 'a/x', 'b/h'), 'No connections');
    assert.equal(between(c, 'a/x', '192.168.0.11'), 'All connections');
    assert.equal(between(c, 'a/x', 'b/y'), 'All connections');
  });

  test('an empty namespaceSelector selects every namespace (subject and peer)', () => {
    const c = compileCluster(
      state([
        cnp('deny-all', {
          tier: 'Admin',
          priority: 1,
          subject: ALL_NS,
          ingress: [{ action: 'Deny', from: [ALL_NS] }],
        }),
      ]),
    );
    assert.equal(between(c, 'b/y', 'a/x'), 'No connections');
    assert.equal(between(c, 'a/z', 'a/x'), 'No connections');
    assert.equal(between(c, 'a/x', 'b/y'), 'No connections');
    assert.equal(between(c, '8.8.8.8', 'a/x'), 'All connections', 'ingress peers are pods only');
  });

  test('an unknown peer fails closed: an allow matches nothing, a deny everything', () => {
    const allowUnknown = cnp('allow-unknown', {
      tier: 'Admin',
      priority: 1,
      subject: { namespaces: A },
      ingress: [{ action: 'Accept', from: [{}] }],
    });
    const c = compileCluster(state([allowUnknown], [npIngress('deny-all', [])]));
    assert.equal(between(c, 'b/y', 'a/x'), 'No connections');
    const denyUnknown = cnp('deny-unknown', {
      tier: 'Admin',
      priority: 1,
      subject: { namespaces: A },
      egress: [{ action: 'Deny', to: [{}] }],
    });
    const d = compileCluster(state([denyUnknown]));
    assert.equal(between(d, 'a/x', 'b/y'), 'No connections');
    assert.equal(between(d, 'a/x', 'b/h'), 'No connections');
    assert.equal(between(d, 'a/x', '8.8.8.8'), 'No connections');
  });
});

describe('tiers: ports', () => {
  test('port ranges', () => {
    const c = compileCluster(
      state([
        cnp('deny-range', {
          tier: 'Admin',
          priority: 1,
          subject: { namespaces: A },
          ingress: [
            {
              action: 'Deny',
              from: [{ namespaces: B }],
              protocols: [{ tcp: { destinationPort: { range: { start: 1000, end: 2000 } } } }],
            },
          ],
        }),
      ]),
    );
    assert.equal(between(c, 'b/y', 'a/x'), all(tcp(1000, 2000)));
  });

  test('named ports on ingress resolve against the subject, for any protocol', () => {
    const c = compileCluster(
      state([
        anp('deny-named', {
          priority: 1,
          subject: { namespaces: A },
          ingress: [
            {
              action: 'Deny',
              from: [{ namespaces: B }],
              ports: [{ namedPort: 'http' }, { namedPort: 'dns' }],
            },
          ],
        }),
      ]),
    );
    assert.equal(between(c, 'b/y', 'a/x'), all(unionPorts(tcp(8080), portSetOf('UDP', [53, 53]))));
    assert.equal(between(c, 'b/y', 'a/z'), 'All connections', 'a/z has no such port');
  });

  test('named ports on egress resolve against each destination', () => {
    const c = compileCluster(
      state([
        cnp('deny-named-out', {
          tier: 'Admin',
          priority: 1,
          subject: { namespaces: B },
          egress: [
            { action: 'Deny', to: [{ namespaces: A }], protocols: [{ destinationNamedPort: 'http' }] },
          ],
        }),
      ]),
    );
    assert.equal(between(c, 'b/y', 'a/x'), all(tcp(8080)));
    assert.equal(between(c, 'b/y', 'a/z'), 'All connections');
  });
});

describe('tiers: hairpin, domains, cut accesses', () => {
  test('hairpin: a pod to itself is not subject to cluster policies', () => {
    const denyAll = cnp('deny-all', {
      tier: 'Admin',
      priority: 1,
      subject: ALL_NS,
      ingress: [{ action: 'Deny', from: [ALL_NS] }],
    });
    const c = compileCluster(state([denyAll]));
    assert.equal(between(c, 'a/x', 'a/x'), 'All connections');
    assert.equal(between(c, 'a/z', 'a/x'), 'No connections');
    // NetworkPolicies still apply to it.
    const d = compileCluster(state([denyAll], [npIngress('deny-all', [])]));
    assert.equal(between(d, 'a/x', 'a/x'), 'No connections');
  });

  test('domainNames: reach by DNS name, outside the IP answer', () => {
    const c = compileCluster(
      state([
        cnp('egress', {
          tier: 'Admin',
          priority: 1,
          subject: { pods: { namespaceSelector: A, podSelector: { matchLabels: { app: 'x' } } } },
          egress: [
            {
              action: 'Accept',
              to: [{ domainNames: ['example.com'] }],
              protocols: [{ tcp: { destinationPort: { number: 443 } } }],
            },
            { action: 'Deny', to: [{ networks: ['0.0.0.0/0', '::/0'] }] },
            { action: 'Accept', to: [{ domainNames: ['late.example.com'] }] },
          ],
        }),
      ]),
    );
    const x = c.classOfPod('a', 'x')!;
    const reach = c.domainReach(x);
    assert.equal(reach.length, 1, 'the rule after a deny of every address reaches nothing');
    assert.equal(reach[0]!.domain, 'example.com');
    assert.equal(formatPorts(reach[0]!.ports), 'TCP 443');
    assert.deepEqual([reach[0]!.policy, reach[0]!.rule], [0, 0]);
    assert.equal(between(c, 'a/x', '93.184.216.34'), 'No connections', 'the IP answer does not use the name');
    assert.deepEqual(c.domainReach(c.classOfPod('a', 'z')!), []);
    const conn = computeConnectivity(c);
    assert.deepEqual(
      conn.domains.map((d) => [d.src, d.domain, formatPorts(d.ports)]),
      [['a/Pod/x', 'example.com', 'TCP 443']],
    );
  });

  test('a cut access through connectivity: an admin deny from one namespace on an open cluster', () => {
    const c = compileCluster(
      state([
        cnp('deny-b', {
          tier: 'Admin',
          priority: 1,
          subject: { namespaces: A },
          ingress: [{ action: 'Deny', from: [{ namespaces: B }] }],
        }),
      ]),
    );
    const x = c.classOfPod('a', 'x')!;
    assert.ok(c.ingress[x]!.cutPods !== undefined, 'the ingress of a/x is everything but b');
    const conn = computeConnectivity(c);
    const pairs = new Set(conn.connections.map((k) => `${k.src} -> ${k.dst}`));
    assert.ok(!pairs.has('b/Pod/y -> a/Pod/x'));
    assert.ok(pairs.has('b/Pod/h -> a/Pod/x'), 'host-network pods are not namespaces peers');
    assert.ok(pairs.has('a/Pod/z -> a/Pod/x'));
    assert.ok(pairs.has('b/Pod/y -> b/Pod/h'));
    assert.ok([...pairs].some((p) => p.startsWith('external:') && p.endsWith('-> a/Pod/x')));
    assert.equal(computeGroupedConnectivity(c).pairs, conn.connections.length);
  });

  test('a cluster without cluster policies is unchanged (the same Access objects)', () => {
    const np = [npIngress('allow-b-80', [{ from: [{ namespaceSelector: B }], ports: [{ port: 80 }] }])];
    const c = compileCluster(state([], np));
    assert.equal(c.ingress, c.npIngress);
    assert.equal(c.egress, c.npEgress);
    assert.equal(c.egress[c.classOfPod('a', 'x')!], OPEN_ACCESS);
    assert.equal(c.ingress[c.classOfPod('b', 'y')!], OPEN_ACCESS);
    // With a cluster policy, classes it does not select keep their NetworkPolicy Access objects.
    const t = compileCluster(
      state(
        [
          cnp('deny-b', {
            tier: 'Admin',
            priority: 1,
            subject: { namespaces: A },
            ingress: [{ action: 'Deny', from: [{ namespaces: B }] }],
          }),
        ],
        np,
      ),
    );
    const y = t.classOfPod('b', 'y')!;
    assert.equal(t.ingress[y], t.npIngress[y]);
    assert.equal(t.egress[y], OPEN_ACCESS);
    assert.ok(portsEqual(t.npIngress[t.classOfPod('a', 'x')!]!.pods.get(y) ?? ALL_CONNECTIONS, tcp(80)));
  });

  test('diff splits external addresses at the networks of cluster policies too', () => {
    const tiers = [
      cnp('deny-meta', {
        tier: 'Admin',
        priority: 1,
        subject: { namespaces: A },
        egress: [{ action: 'Deny', to: [{ networks: ['169.254.169.254/32'] }] }],
      }),
    ];
    const before = state(tiers);
    const after = state(tiers, [
      policy('a', 'no-egress', { podSelector: { matchLabels: { app: 'z' } }, policyTypes: ['Egress'] }),
    ]);
    const diff = diffClusters(before, after);
    const removed = diff.connections.filter((c) => c.src === 'a/Pod/z' && c.change === 'removed');
    // Every destination of a/z, the metadata address excepted (denied on both sides), is removed.
    const meta = diff.addressSpace.classOfIp('169.254.169.254')!;
    assert.ok(removed.length > 0);
    assert.ok(!removed.some((c) => c.dst === `external:${meta}`));
    assert.ok(removed.some((c) => c.dst === 'a/Pod/x'));
  });

  test('the incremental engine edits cluster policies locally', () => {
    const denyB = cnp('deny-b', {
      tier: 'Admin',
      priority: 1,
      subject: { namespaces: A },
      ingress: [{ action: 'Deny', from: [{ namespaces: B }] }],
    });
    const inc = createIncrementalEngine(state([]));
    const update = inc.setClusterPolicies([denyB]);
    assert.equal(update.recompiled, false);
    assert.deepEqual(
      update.changes.filter((c) => c.dst === 'a/Pod/x').map((c) => [c.src, c.after]),
      [['b/Pod/y', undefined]],
    );
    assert.equal(between(inc.compiled, 'b/y', 'a/x'), 'No connections');
  });
});
