/**
 * Compiling cluster policy tiers (`src/engine/tiers.ts`), function by function, with a stand-in for the policy
 * compiler's matching (`TierPeerContext`): the evaluation order within a tier, the label keys and CIDRs the
 * tiers make the engine track, node addresses as CIDRs, port entries, each kind of peer (an unknown one
 * failing closed by action), and a subject of a kind the CNI does not enforce selecting nothing.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  emptyCluster,
  type ClusterPolicyInfo,
  type ClusterPolicyKind,
  type ClusterState,
  type NodeInfo,
  type TierPeerInfo,
  type TierRuleInfo,
} from '../../src/model/cluster.ts';
import type { LabelSelector } from '../../src/model/k8s.ts';
import type { ClassSet } from '../../src/engine/compile.ts';
import { ALL_CONNECTIONS, NO_PORTS, portsEqual } from '../../src/engine/ports.ts';
import {
  compareTierOrder,
  compileTierPeer,
  compileTierPolicy,
  compileTierPorts,
  hostCidr,
  nodeCidrs,
  tierMentionedCidrs,
  tierRanks,
  tierSelectorLabelKeys,
  tiersMatchAddresses,
  type TierPeerContext,
} from '../../src/engine/tiers.ts';

function policy(
  kind: ClusterPolicyKind,
  name: string,
  priority: number | undefined,
  more: Partial<ClusterPolicyInfo> = {},
): ClusterPolicyInfo {
  const tier = kind === 'BaselineAdminNetworkPolicy' ? 'baseline' : (more.tier ?? 'admin');
  return {
    id: `${kind}/${name}`,
    kind,
    apiVersion: 'policy.networking.k8s.io/v1alpha1',
    name,
    tier,
    priority,
    subject: { kind: 'namespaces', namespaceSelector: {} },
    ingress: [],
    egress: [],
    spec: {},
    labels: {},
    annotations: {},
    ...more,
  };
}

function rule(peers: TierPeerInfo[], more: Partial<TierRuleInfo> = {}): TierRuleInfo {
  return { index: 0, name: undefined, action: 'allow', peers, ports: undefined, ...more };
}

const node = (name: string, labels: Record<string, string>, addresses: string[]): NodeInfo => ({
  name,
  labels,
  addresses,
});

describe('compareTierOrder and tierRanks', () => {
  test('lower priority first; the BaselineAdminNetworkPolicy (no priority) after every priority', () => {
    const a = policy('AdminNetworkPolicy', 'a', 10);
    const b = policy('AdminNetworkPolicy', 'b', 5);
    assert.equal(compareTierOrder(a, b), 1);
    assert.equal(compareTierOrder(b, a), -1);
    const banp = policy('BaselineAdminNetworkPolicy', 'default', undefined);
    const cnp = policy('ClusterNetworkPolicy', 'z', 1000, { tier: 'baseline' });
    assert.equal(compareTierOrder(banp, cnp), 1);
    assert.equal(compareTierOrder(cnp, banp), -1);
  });

  test('equal priorities: ClusterNetworkPolicies before AdminNetworkPolicies, then by name', () => {
    const cnp = policy('ClusterNetworkPolicy', 'z', 5);
    const anp = policy('AdminNetworkPolicy', 'a', 5);
    assert.equal(compareTierOrder(cnp, anp), -1);
    assert.equal(compareTierOrder(anp, cnp), 1);
    const a = policy('AdminNetworkPolicy', 'a', 5);
    const b = policy('AdminNetworkPolicy', 'b', 5);
    assert.ok(compareTierOrder(a, b) < 0);
    assert.ok(compareTierOrder(b, a) > 0);
    assert.equal(compareTierOrder(a, policy('AdminNetworkPolicy', 'a', 5)), 0);
  });

  test('ranks count within each tier, in evaluation order, whatever the input order', () => {
    const policies = [
      policy('AdminNetworkPolicy', 'late', 30),
      policy('BaselineAdminNetworkPolicy', 'default', undefined),
      policy('ClusterNetworkPolicy', 'early', 10),
      policy('ClusterNetworkPolicy', 'base', 7, { tier: 'baseline' }),
      policy('AdminNetworkPolicy', 'tie-b', 20),
      policy('ClusterNetworkPolicy', 'tie', 20),
      policy('AdminNetworkPolicy', 'tie-a', 20),
    ];
    assert.deepEqual(tierRanks(policies), [4, 1, 0, 0, 3, 1, 2]);
    assert.deepEqual(tierRanks([]), []);
  });

  test('two policies the same in every key keep their input order', () => {
    const one = policy('AdminNetworkPolicy', 'same', 1);
    const two = policy('AdminNetworkPolicy', 'same', 1);
    assert.deepEqual(tierRanks([one, two]), [0, 1]);
  });
});

describe('what the tiers make the engine track', () => {
  test('tierSelectorLabelKeys: the keys of pod selectors, subjects and peers, in both directions', () => {
    const p = policy('AdminNetworkPolicy', 'p', 1, {
      subject: {
        kind: 'pods',
        namespaceSelector: { matchLabels: { nsOnly: 'x' } },
        podSelector: { matchLabels: { app: 'web' } },
      },
      ingress: [
        rule([
          {
            kind: 'pods',
            namespaceSelector: { matchLabels: { nsPeer: 'x' } },
            podSelector: { matchExpressions: [{ key: 'tier', operator: 'Exists' }] },
          },
          { kind: 'namespaces', namespaceSelector: { matchLabels: { nsAlso: 'x' } } },
        ]),
      ],
      egress: [rule([{ kind: 'pods', namespaceSelector: {}, podSelector: { matchLabels: { role: 'db' } } }])],
    });
    const namespacesSubject = policy('AdminNetworkPolicy', 'q', 2, {
      subject: { kind: 'namespaces', namespaceSelector: { matchLabels: { env: 'prod' } } },
    });
    const keys = new Set(['already']);
    tierSelectorLabelKeys([p, namespacesSubject], keys);
    assert.deepEqual([...keys].sort(), ['already', 'app', 'role', 'tier']);
  });

  test('hostCidr: one address as a CIDR of one address, or undefined', () => {
    assert.equal(hostCidr('10.0.0.1'), '10.0.0.1/32');
    assert.equal(hostCidr('fd00::1'), 'fd00::1/128');
    assert.equal(hostCidr('node-1.example'), undefined);
  });

  test('nodeCidrs: the addresses of the nodes the selector matches', () => {
    const state: ClusterState = {
      ...emptyCluster(),
      nodes: [
        node('a', { role: 'worker' }, ['10.0.0.1', 'fd00::1', 'not-an-ip']),
        node('b', { role: 'control-plane' }, ['10.0.0.2']),
        node('c', { role: 'worker' }, ['10.0.0.3']),
      ],
    };
    assert.deepEqual(nodeCidrs(state, { matchLabels: { role: 'worker' } }), [
      '10.0.0.1/32',
      'fd00::1/128',
      '10.0.0.3/32',
    ]);
    assert.deepEqual(nodeCidrs(state, {}), ['10.0.0.1/32', 'fd00::1/128', '10.0.0.2/32', '10.0.0.3/32']);
    assert.deepEqual(nodeCidrs(state, { matchLabels: { role: 'none' } }), []);
  });

  test('tierMentionedCidrs and tiersMatchAddresses: egress networks and nodes peers only', () => {
    const nodes = [node('a', { role: 'worker' }, ['10.0.0.1']), node('b', {}, ['10.0.0.2'])];
    const networks: TierPeerInfo = { kind: 'networks', cidrs: ['192.0.2.0/24', '198.51.100.0/24'] };
    const nodesPeer: TierPeerInfo = { kind: 'nodes', nodeSelector: { matchLabels: { role: 'worker' } } };
    const pods: TierPeerInfo = { kind: 'pods', namespaceSelector: {}, podSelector: {} };
    const withEgress = (peers: TierPeerInfo[]): ClusterState => ({
      ...emptyCluster(),
      nodes,
      clusterPolicies: [policy('AdminNetworkPolicy', 'p', 1, { egress: [rule([pods]), rule(peers)] })],
    });
    assert.deepEqual(tierMentionedCidrs(withEgress([networks, nodesPeer])), [
      '192.0.2.0/24',
      '198.51.100.0/24',
      '10.0.0.1/32',
    ]);
    assert.equal(tiersMatchAddresses(withEgress([networks])), true);
    assert.equal(tiersMatchAddresses(withEgress([nodesPeer])), true);
    assert.deepEqual(tierMentionedCidrs(withEgress([nodesPeer])), ['10.0.0.1/32']);
    const none = withEgress([{ kind: 'domainNames', domains: ['example.com'] }]);
    assert.deepEqual(tierMentionedCidrs(none), []);
    assert.equal(tiersMatchAddresses(none), false);
    assert.equal(tiersMatchAddresses(emptyCluster()), false);
  });
});

describe('compileTierPorts', () => {
  test('no ports: every port and protocol', () => {
    const c = compileTierPorts(undefined);
    assert.equal(c.any, true);
    assert.ok(portsEqual(c.numeric, ALL_CONNECTIONS));
    assert.deepEqual(c.named, []);
  });

  test('ranges joined per protocol; a named port stands for each protocol', () => {
    const c = compileTierPorts([
      { kind: 'range', protocol: 'TCP', start: 80, end: 80 },
      { kind: 'named', name: 'dns' },
      { kind: 'range', protocol: 'TCP', start: 8080, end: 8090 },
      { kind: 'range', protocol: 'UDP', start: 53, end: 53 },
    ]);
    assert.equal(c.any, false);
    assert.deepEqual(c.numeric, { TCP: [80, 80, 8080, 8090], UDP: [53, 53], SCTP: [] });
    assert.deepEqual(c.named, [
      { name: 'dns', protocol: 'TCP' },
      { name: 'dns', protocol: 'UDP' },
      { name: 'dns', protocol: 'SCTP' },
    ]);
  });

  test('an empty list is no port at all, not every port', () => {
    const c = compileTierPorts([]);
    assert.equal(c.any, false);
    assert.ok(portsEqual(c.numeric, NO_PORTS));
  });
});

/** A stand-in compiler: records what it was asked; classes by the selectors' JSON. */
function context(clusterPolicies?: string): TierPeerContext & { asked: string[] } {
  const asked: string[] = [];
  const state: ClusterState = {
    ...emptyCluster(),
    nodes: [node('a', { role: 'worker' }, ['10.0.0.1']), node('b', {}, ['10.0.0.2'])],
  };
  return {
    asked,
    state,
    ...(clusterPolicies === undefined ? {} : { options: { cni: { settings: { clusterPolicies } } } }),
    classesMatching(ns: LabelSelector, pod: LabelSelector): ClassSet {
      asked.push(`${JSON.stringify(ns)} ${JSON.stringify(pod)}`);
      return JSON.stringify(ns) === '{}' && JSON.stringify(pod) === '{}'
        ? { all: true }
        : { all: false, ids: [2] };
    },
    atCidrs(cidrs) {
      asked.push(`at ${cidrs.join(',')}`);
      return { addresses: [7, 8], pods: [3] };
    },
    allPodClasses: () => [0, 1, 2, 3],
  };
}

describe('compileTierPeer', () => {
  test('namespaces and pods peers: the classes their selectors match', () => {
    const ctx = context();
    const ns = compileTierPeer(
      ctx,
      { kind: 'namespaces', namespaceSelector: { matchLabels: { a: 'b' } } },
      1,
      'deny',
    );
    assert.deepEqual(
      {
        pods: ns.pods,
        addresses: ns.addresses,
        everything: ns.everything,
        domains: ns.domains,
        index: ns.index,
      },
      { pods: { all: false, ids: [2] }, addresses: [], everything: false, domains: [], index: 1 },
    );
    const pods = compileTierPeer(
      ctx,
      { kind: 'pods', namespaceSelector: {}, podSelector: { matchLabels: { app: 'web' } } },
      0,
      'allow',
    );
    assert.deepEqual(pods.pods, { all: false, ids: [2] });
    assert.deepEqual(ctx.asked, ['{"matchLabels":{"a":"b"}} {}', '{} {"matchLabels":{"app":"web"}}']);
  });

  test('networks and nodes peers: addresses, and the pods at them', () => {
    const ctx = context();
    const networks = compileTierPeer(ctx, { kind: 'networks', cidrs: ['192.0.2.0/24'] }, 0, 'allow');
    assert.deepEqual(
      { pods: networks.pods, addresses: networks.addresses, everything: networks.everything },
      { pods: { all: false, ids: [3] }, addresses: [7, 8], everything: false },
    );
    const nodes = compileTierPeer(
      ctx,
      { kind: 'nodes', nodeSelector: { matchLabels: { role: 'worker' } } },
      0,
      'deny',
    );
    assert.deepEqual(nodes.addresses, [7, 8]);
    assert.deepEqual(ctx.asked, ['at 192.0.2.0/24', 'at 10.0.0.1/32']);
  });

  test('domainNames: no pod, no address, the names kept', () => {
    const peer = compileTierPeer(context(), { kind: 'domainNames', domains: ['example.com'] }, 0, 'allow');
    assert.deepEqual(
      { pods: peer.pods, addresses: peer.addresses, everything: peer.everything, domains: peer.domains },
      { pods: { all: false, ids: [] }, addresses: [], everything: false, domains: ['example.com'] },
    );
  });

  test('an unknown peer fails closed: nothing for an allow rule, everything for a deny or pass rule', () => {
    const unknown: TierPeerInfo = { kind: 'unknown', fields: ['sameLabels'] };
    const allow = compileTierPeer(context(), unknown, 0, 'allow');
    assert.deepEqual(
      { pods: allow.pods, everything: allow.everything },
      { pods: { all: false, ids: [] }, everything: false },
    );
    for (const action of ['deny', 'pass'] as const) {
      const peer = compileTierPeer(context(), unknown, 0, action);
      assert.deepEqual(
        { pods: peer.pods, everything: peer.everything },
        { pods: { all: false, ids: [] }, everything: true },
      );
    }
  });
});

describe('compileTierPolicy', () => {
  const anp = policy('AdminNetworkPolicy', 'p', 3, {
    subject: { kind: 'pods', namespaceSelector: {}, podSelector: { matchLabels: { app: 'web' } } },
    ingress: [
      rule([{ kind: 'namespaces', namespaceSelector: {} }], { index: 0, name: 'in', action: 'deny' }),
    ],
    egress: [
      rule(
        [
          { kind: 'networks', cidrs: ['192.0.2.0/24'] },
          { kind: 'unknown', fields: ['x'] },
        ],
        {
          index: 0,
          name: 'out',
          action: 'pass',
          ports: [{ kind: 'range', protocol: 'TCP', start: 443, end: 443 }],
        },
      ),
    ],
  });

  test('the subject, and each rule with its direction, name, action, peers and ports', () => {
    const c = compileTierPolicy(context(), anp, 4, 2);
    assert.equal(c.index, 4);
    assert.equal(c.rank, 2);
    assert.equal(c.tier, 'admin');
    assert.equal(c.info, anp);
    assert.deepEqual(c.selected, [2]);
    assert.equal(c.ingress.length, 1);
    assert.deepEqual(
      { ...c.ingress[0]!, peers: c.ingress[0]!.peers.map((p) => p.pods) },
      {
        direction: 'ingress',
        index: 0,
        name: 'in',
        action: 'deny',
        peers: [{ all: true }],
        ports: { any: true, numeric: ALL_CONNECTIONS, named: [] },
      },
    );
    const out = c.egress[0]!;
    assert.equal(out.direction, 'egress');
    assert.equal(out.name, 'out');
    assert.equal(out.action, 'pass');
    assert.deepEqual(
      out.peers.map((p) => [p.index, p.everything]),
      [
        [0, false],
        [1, true],
      ],
    );
    assert.deepEqual(out.ports.numeric, { TCP: [443, 443], UDP: [], SCTP: [] });
  });

  test('a subject matching all selects every class; a namespaces subject reads no pod selector', () => {
    const all = policy('AdminNetworkPolicy', 'all', 1);
    const ctx = context();
    assert.deepEqual(compileTierPolicy(ctx, all, 0, 0).selected, [0, 1, 2, 3]);
    const some = policy('AdminNetworkPolicy', 'some', 1, {
      subject: { kind: 'namespaces', namespaceSelector: { matchLabels: { env: 'prod' } } },
    });
    assert.deepEqual(compileTierPolicy(ctx, some, 0, 0).selected, [2]);
    assert.deepEqual(ctx.asked, ['{} {}', '{"matchLabels":{"env":"prod"}} {}']);
  });

  test('a kind the CNI does not enforce selects nothing; one it enforces, as without a CNI', () => {
    assert.deepEqual(compileTierPolicy(context('ClusterNetworkPolicy'), anp, 0, 0).selected, []);
    assert.deepEqual(compileTierPolicy(context(''), anp, 0, 0).selected, []);
    assert.deepEqual(
      compileTierPolicy(context('AdminNetworkPolicy,BaselineAdminNetworkPolicy'), anp, 0, 0).selected,
      [2],
    );
    assert.deepEqual(compileTierPolicy(context(), anp, 0, 0).selected, [2]);
  });
});
