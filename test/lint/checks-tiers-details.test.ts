/**
 * The cluster policy tier helpers of src/lint/checks/tiers.ts, read directly (issue #20, round 8: the mutants
 * the tier rules' tables left alive): traffic texts, the targets of rules and their order, which rule
 * decides, default denies, representatives of classes, and the words of messages.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileCluster, type CompiledCluster } from '../../src/engine/compile.ts';
import { ALL_CONNECTIONS, NO_PORTS, portSetOf } from '../../src/engine/ports.ts';
import {
  ALL_TRAFFIC,
  NO_TRAFFIC,
  actionWord,
  classDefaultDenied,
  decider,
  denyingTierPolicies,
  describeClasses,
  describeTarget,
  describeTraffic,
  firstMatch,
  hasDomains,
  isNoTraffic,
  namespaceDefaultDeny,
  precedes,
  refsOf,
  subjectGroups,
  targetsOf,
  targetsOfAll,
  tierName,
  tierPoliciesAt,
  trafficOf,
  type Target,
} from '../../src/lint/checks/tiers.ts';
import { buildLookup, type Lookup } from '../../src/lint/lookup.ts';
import {
  Tier,
  TierAction,
  type ClusterPolicyInfo,
  type PodInfo,
  type PolicyInfo,
} from '../../src/model/cluster.ts';
import type { Direction } from '../../src/engine/compile.ts';
import { anp, banp, cnp, namedPort, ns, pod, policy, cluster } from '../support/builders.ts';
import { allPods, db, tcp } from './tier-fixtures.ts';

/**
 * shop (team=shop): a, b, c (named port http 8080), d (http 9090); data (team=data): db; kube-system: agent,
 * a host-network pod. Every pod is its own class once a selector reads `app`.
 */
const basePods: PodInfo[] = [
  pod('shop', 'a', { app: 'a' }, { ips: ['10.0.1.1'] }),
  pod('shop', 'b', { app: 'b' }, { ips: ['10.0.1.2'] }),
  pod('shop', 'c', { app: 'c' }, { ips: ['10.0.1.3'], namedPorts: [namedPort('http', 8080)] }),
  pod('shop', 'd', { app: 'd' }, { ips: ['10.0.1.4'], namedPorts: [namedPort('http', 9090)] }),
  pod('data', 'db', { app: 'db' }, { ips: ['10.0.2.1'] }),
  pod('kube-system', 'agent', { app: 'agent' }, { ips: ['192.168.0.5'], hostNetwork: true }),
];

/** A selector that reads `app` and selects nothing: every pod gets its own class. */
const readsApp = cnp('reads-app', {
  tier: 'Admin',
  priority: 999,
  subject: { pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: 'none' } } } },
  ingress: [{ action: 'Deny', from: [allPods] }],
});

interface Setup {
  compiled: CompiledCluster;
  lookup: Lookup;
  /** The class of a pod, by name. */
  cls: (name: string) => number;
  /** The address class of an IP. */
  addr: (ip: string) => number;
  /** `a`, `db`, or an address class's text. */
  name: (t: Target) => string;
}

function setup(
  more: {
    clusterPolicies?: ClusterPolicyInfo[];
    policies?: PolicyInfo[];
    pods?: PodInfo[];
    plain?: boolean;
  } = {},
): Setup {
  const compiled = compileCluster(
    cluster({
      namespaces: [ns('shop', { team: 'shop' }), ns('data', { team: 'data' }), ns('kube-system')],
      pods: more.pods ?? basePods,
      // `plain`: the cluster policies given only (at the indices given).
      clusterPolicies: [...(more.plain === true ? [] : [readsApp]), ...(more.clusterPolicies ?? [])],
      policies: more.policies ?? [],
    }),
  );
  const lookup = buildLookup(compiled, []);
  return {
    compiled,
    lookup,
    cls: (name) => compiled.classes.find((c) => c.pods.some((p) => p.name === name))!.id,
    addr: (ip) => compiled.addressSpace.classOfIp(ip)!,
    name: (t) =>
      'pod' in t
        ? compiled.classes[t.pod]!.pods.map((p) => p.name).join(',')
        : compiled.addressSpace.describe(t.address),
  };
}

/** The compiled rules of the cluster policy `name` in one direction. */
function rulesOfPolicy(s: Setup, name: string, direction: Direction = 'egress') {
  const p = s.compiled.tierPolicies.find((q) => q.info.name === name)!;
  return refsOf(p, direction);
}

const shopNs = { namespaces: { matchLabels: { team: 'shop' } } };
const dataNs = { namespaces: { matchLabels: { team: 'data' } } };
function apps(...names: string[]) {
  return {
    pods: {
      namespaceSelector: {},
      podSelector: { matchExpressions: [{ key: 'app', operator: 'In' as const, values: names }] },
    },
  };
}

describe('traffic', () => {
  test('describeTraffic: all traffic, ports with the other protocols, the other protocols alone', () => {
    const udp53 = portSetOf('UDP', [53, 53]);
    assert.deepEqual(
      [
        ALL_TRAFFIC,
        { ports: ALL_CONNECTIONS, other: false },
        { ports: udp53, other: true },
        { ports: udp53, other: false },
        { ports: NO_PORTS, other: true },
      ].map(describeTraffic),
      ['all traffic', 'all ports', '53/UDP', '53/UDP', 'IP protocols other than TCP, UDP and SCTP'],
    );
  });

  test('NO_TRAFFIC is no port and no other protocol', () => {
    assert.deepEqual(NO_TRAFFIC, { ports: NO_PORTS, other: false });
    assert.equal(isNoTraffic(NO_TRAFFIC), true);
  });
});

describe('rules and their targets', () => {
  const s = setup({
    clusterPolicies: [
      cnp('out', {
        tier: 'Admin',
        priority: 1,
        subject: shopNs,
        egress: [
          { action: 'Accept', to: [{ domainNames: ['example.com'] }] },
          { action: 'Accept', to: [db, { domainNames: ['example.org'] }] },
          { action: 'Accept', to: [apps('b', 'a'), db] },
          { action: 'Deny', to: [{ networks: ['10.9.0.0/16'] }, { networks: ['10.8.0.0/16'] }] },
          { action: 'Deny', to: [allPods] },
          { action: 'Deny', to: [{ unknownPeer: {} } as never] },
          { action: 'Deny', to: [db, { networks: ['10.0.2.0/24'] }] },
          { action: 'Deny', to: [apps('b')] },
        ],
      }),
    ],
  });
  const refs = rulesOfPolicy(s, 'out');
  const names = (ts: Target[]) => ts.map((t) => s.name(t));

  test('hasDomains: a rule with a domainNames peer, alone or with another', () => {
    assert.deepEqual(
      refs.slice(0, 3).map((r) => hasDomains(r.rule)),
      [true, true, false],
    );
  });

  test('targetsOf: pods ascending, then addresses ascending (in class order); no host-network pod but for everything', () => {
    assert.deepEqual(
      [2, 3, 4, 5, 6].map((i) => names(targetsOf(s.compiled, refs[i]!.rule))),
      [
        ['db', 'a', 'b'],
        ['10.8.0.0/16', '10.9.0.0/16'],
        ['db', 'a', 'b', 'c', 'd'],
        [
          'db',
          'agent',
          'a',
          'b',
          'c',
          'd',
          '0.0.0.0/0 except 10.8.0.0/16, 10.9.0.0/16, 10.0.2.0/24; ::/0',
          '10.8.0.0/16',
          '10.9.0.0/16',
          '10.0.2.0/24',
        ],
        ['db', '10.0.2.0/24'],
      ],
    );
  });

  test('targetsOfAll: each target once, pods first, each kind in class order', () => {
    assert.deepEqual(
      names(targetsOfAll(s.compiled, [refs[7]!.rule, refs[6]!.rule, refs[3]!.rule, refs[2]!.rule])),
      ['db', 'a', 'b', '10.8.0.0/16', '10.9.0.0/16', '10.0.2.0/24'],
    );
  });

  test('trafficOf: a pod peer matches no address; any peer of several matches', () => {
    const web = s.cls('a');
    const at = (i: number, t: Target) => trafficOf(s.compiled, refs[i]!, web, t) !== undefined;
    assert.deepEqual(
      [
        at(2, { address: s.addr('10.9.0.1') }),
        at(3, { address: s.addr('10.9.0.1') }),
        at(3, { address: s.addr('10.8.0.1') }),
        at(2, { pod: s.cls('a') }),
        at(2, { pod: s.cls('db') }),
        at(2, { pod: s.cls('c') }),
      ],
      [false, true, true, true, true, false],
    );
  });
});

describe('which rule decides', () => {
  test('firstMatch: a rule whose traffic earlier rules already took decides nothing', () => {
    const s = setup({
      clusterPolicies: [
        cnp('x', {
          tier: 'Admin',
          priority: 1,
          subject: shopNs,
          egress: [
            { action: 'Deny', to: [db], protocols: [tcp(80)] },
            { action: 'Accept', to: [db], protocols: [tcp(80)] },
            { action: 'Accept', to: [db] },
          ],
        }),
      ],
    });
    const { decided, rest } = firstMatch(
      s.compiled,
      rulesOfPolicy(s, 'x'),
      s.cls('a'),
      { pod: s.cls('db') },
      ALL_TRAFFIC,
    );
    assert.deepEqual(
      decided.map((d) => d.ref.rule.index),
      [0, 2],
    );
    assert.equal(describeTraffic(decided[0]!.traffic), '80/TCP');
    assert.equal(isNoTraffic(rest), true);
  });

  test('precedes: the BaselineAdminNetworkPolicy does not precede itself; a Baseline CNP precedes it', () => {
    const b = banp({ subject: shopNs, ingress: [{ action: 'Deny', from: [allPods] }] });
    const c = cnp('base', {
      tier: 'Baseline',
      priority: 5,
      subject: shopNs,
      ingress: [{ action: 'Deny', from: [allPods] }],
    });
    assert.deepEqual([precedes(b, b), precedes(c, b), precedes(b, c)], [false, true, false]);
  });

  const isolate = policy('shop', 'isolate', {
    podSelector: { matchLabels: { app: 'a' } },
    policyTypes: ['Ingress'],
  });
  const baselineDeny = cnp('baseline-deny', {
    tier: 'Baseline',
    priority: 5,
    subject: shopNs,
    ingress: [{ action: 'Deny', from: [allPods] }],
  });
  const adminPass = cnp('admin-pass', {
    tier: 'Admin',
    priority: 5,
    subject: shopNs,
    ingress: [{ action: 'Pass', from: [allPods] }],
  });
  const cases: {
    name: string;
    clusterPolicies: ClusterPolicyInfo[];
    policies?: PolicyInfo[];
    want: string;
  }[] = [
    { name: 'nothing: the default', clusterPolicies: [], want: 'default' },
    {
      name: 'NetworkPolicies isolate: they decide before the Baseline tier',
      clusterPolicies: [baselineDeny],
      policies: [isolate],
      want: 'networkPolicy',
    },
    {
      name: 'an Admin Pass hands on to the Baseline tier',
      clusterPolicies: [adminPass, baselineDeny],
      want: 'tier baseline-deny',
    },
  ];
  for (const c of cases) {
    test(`decider: ${c.name}`, () => {
      const s = setup({ clusterPolicies: c.clusterPolicies, policies: c.policies ?? [] });
      const d = decider(s.compiled, s.cls('a'), 'ingress', { pod: s.cls('b') }, 'TCP', 80);
      assert.equal(d.kind === 'tier' ? `tier ${d.ref.policy.info.name}` : d.kind, c.want);
    });
  }

  test('denyingTierPolicies: only the policies whose Deny rules decide, each once', () => {
    const s = setup({
      clusterPolicies: [
        cnp('accept-data', {
          tier: 'Admin',
          priority: 1,
          subject: shopNs,
          ingress: [{ action: 'Accept', from: [dataNs] }],
        }),
        cnp('deny-all', {
          tier: 'Admin',
          priority: 2,
          subject: shopNs,
          ingress: [
            { action: 'Deny', from: [allPods], protocols: [tcp(22)] },
            { action: 'Deny', from: [allPods] },
          ],
        }),
      ],
    });
    assert.deepEqual(denyingTierPolicies(s.compiled, [s.cls('a'), s.cls('b')], 'ingress', [Tier.Admin]), [
      'ClusterNetworkPolicy/deny-all',
    ]);
  });
});

describe('classes and their representatives', () => {
  /** `n` cluster policies selecting nothing, but those `select` names (by index: the pods' app). */
  function many(n: number, select: Record<number, string[]>, priority: (i: number) => number = (i) => i) {
    return Array.from({ length: n }, (_, i) =>
      cnp(`p${i}`, {
        tier: 'Admin',
        priority: priority(i),
        subject: apps(...(select[i] ?? ['none'])),
        ingress: [{ action: 'Deny', from: [db] }],
      }),
    );
  }
  const cases: {
    name: string;
    clusterPolicies?: ClusterPolicyInfo[];
    policies?: PolicyInfo[];
    plain?: boolean;
    pods?: PodInfo[];
    classes: string[];
    want: string[];
  }[] = [
    { name: 'alike: the first one stands for both', classes: ['a', 'b'], want: ['a'] },
    {
      name: 'told apart by a cluster policy',
      clusterPolicies: [
        cnp('x', {
          tier: 'Admin',
          priority: 1,
          subject: apps('b'),
          ingress: [{ action: 'Deny', from: [db] }],
        }),
      ],
      classes: ['a', 'b'],
      want: ['a', 'b'],
    },
    {
      name: 'told apart by a NetworkPolicy',
      policies: [policy('shop', 'x', { podSelector: { matchLabels: { app: 'b' } } })],
      classes: ['a', 'b'],
      want: ['a', 'b'],
    },
    { name: 'told apart by the port a name stands for', classes: ['c', 'd'], want: ['c', 'd'] },
    {
      name: 'named ports 1a=1 and 2c=3 against 1a=12 and c=3 (alike joined without commas)',
      pods: [
        pod('shop', 'e', { app: 'e' }, { namedPorts: [namedPort('1a', 1), namedPort('2c', 3)] }),
        pod('shop', 'f', { app: 'f' }, { namedPorts: [namedPort('1a', 12), namedPort('c', 3)] }),
      ],
      classes: ['e', 'f'],
      want: ['e', 'f'],
    },
    {
      name: 'a cluster policy [1] against a NetworkPolicy [1] (alike joined without bars)',
      clusterPolicies: [
        cnp('x', {
          tier: 'Admin',
          priority: 1,
          subject: apps('a'),
          ingress: [{ action: 'Deny', from: [db] }],
        }),
      ],
      policies: [
        policy('shop', 'none', { podSelector: { matchLabels: { app: 'none' } } }),
        policy('shop', 'x', { podSelector: { matchLabels: { app: 'b' } } }),
      ],
      classes: ['a', 'b'],
      want: ['a', 'b'],
    },
    {
      // In evaluation order: p1 (priority 0) comes before p0.
      name: 'cluster policies [10] against [1, 0] (alike joined without commas)',
      plain: true,
      clusterPolicies: many(11, { 10: ['a'], 1: ['b'], 0: ['b'] }, (i) => (i === 1 ? 0 : i + 1)),
      classes: ['a', 'b'],
      want: ['a', 'b'],
    },
    {
      name: 'NetworkPolicies [12] against [1, 2] (alike joined without commas)',
      policies: Array.from({ length: 13 }, (_, i) =>
        policy('shop', `n${i}`, {
          podSelector: { matchLabels: { app: i === 12 ? 'a' : i === 1 || i === 2 ? 'b' : 'none' } },
        }),
      ),
      classes: ['a', 'b'],
      want: ['a', 'b'],
    },
  ];
  for (const c of cases) {
    test(`subjectGroups: ${c.name}`, () => {
      const s = setup({
        clusterPolicies: c.clusterPolicies ?? [],
        policies: c.policies ?? [],
        plain: c.plain ?? false,
        pods: [...basePods, ...(c.pods ?? [])],
      });
      assert.deepEqual(
        subjectGroups(
          s.compiled,
          c.classes.map((n) => s.cls(n)),
        ).map((id) => s.name({ pod: id })),
        c.want,
      );
    });
  }

  test('tierPoliciesAt: the policies of one tier only', () => {
    const s = setup({
      clusterPolicies: [
        cnp('admin', {
          tier: 'Admin',
          priority: 1,
          subject: shopNs,
          ingress: [{ action: 'Deny', from: [db] }],
        }),
        cnp('baseline', {
          tier: 'Baseline',
          priority: 1,
          subject: shopNs,
          ingress: [{ action: 'Deny', from: [db] }],
        }),
      ],
    });
    assert.deepEqual(
      [Tier.Admin, Tier.Baseline].map((t) =>
        tierPoliciesAt(s.compiled, s.cls('a'), t).map((p) => p.info.name),
      ),
      [['admin'], ['baseline']],
    );
  });
});

describe('words', () => {
  test('actionWord, tierName', () => {
    const c = cnp('c', { tier: 'Admin', priority: 1, subject: shopNs });
    const a = anp('a', { priority: 1, subject: shopNs });
    assert.deepEqual(
      [
        actionWord(c, TierAction.Allow),
        actionWord(a, TierAction.Allow),
        actionWord(a, TierAction.Deny),
        actionWord(a, TierAction.Pass),
      ],
      ['Accept', 'Allow', 'Deny', 'Pass'],
    );
    assert.deepEqual([tierName(Tier.Admin), tierName(Tier.Baseline)], ['Admin', 'Baseline']);
  });

  test('describeTarget: an address class by its addresses; describeClasses: no class, no workload', () => {
    const s = setup({
      clusterPolicies: [
        cnp('x', {
          tier: 'Admin',
          priority: 1,
          subject: shopNs,
          egress: [{ action: 'Deny', to: [{ networks: ['10.9.0.0/16'] }] }],
        }),
      ],
    });
    assert.equal(describeTarget(s.compiled, s.lookup, { address: s.addr('10.9.0.1') }), '10.9.0.0/16');
    assert.equal(describeTarget(s.compiled, s.lookup, { pod: s.cls('a') }), 'shop/a');
    assert.equal(describeClasses(s.lookup, []), 'no workload');
  });
});

describe('default deny', () => {
  const dualStack = [...basePods.slice(1), pod('shop', 'a', { app: 'a' }, { ips: ['10.0.1.1', 'fd00::1'] })];
  const everywhere = { networks: ['0.0.0.0/0'] };
  const cases: { name: string; rule: object; direction?: Direction; pods?: PodInfo[]; want: boolean }[] = [
    { name: 'a Deny from every namespace', rule: { action: 'Deny', from: [allPods] }, want: true },
    { name: 'a Deny from some namespaces', rule: { action: 'Deny', from: [shopNs] }, want: false },
    {
      name: 'a Deny from every pod of every namespace',
      rule: { action: 'Deny', from: [{ pods: { namespaceSelector: {}, podSelector: {} } }] },
      want: true,
    },
    {
      name: 'a Deny on one port',
      rule: { action: 'Deny', from: [allPods], protocols: [tcp(80)] },
      want: false,
    },
    { name: 'an Accept from every namespace', rule: { action: 'Accept', from: [allPods] }, want: false },
    {
      name: 'an egress Deny to every pod and 10.0.0.0/8',
      direction: 'egress',
      rule: { action: 'Deny', to: [allPods, { networks: ['10.0.0.0/8'] }] },
      want: false,
    },
    {
      name: 'an egress Deny to every pod and 0.0.0.0/0',
      direction: 'egress',
      rule: { action: 'Deny', to: [allPods, everywhere] },
      want: true,
    },
    {
      name: 'an egress Deny to every pod and 0.0.0.0/0, some pod with an IPv6 address',
      direction: 'egress',
      pods: dualStack,
      rule: { action: 'Deny', to: [allPods, everywhere] },
      want: false,
    },
    {
      name: 'an egress Deny to every pod, 0.0.0.0/0 and ::/0, some pod with an IPv6 address',
      direction: 'egress',
      pods: dualStack,
      rule: { action: 'Deny', to: [allPods, { networks: ['0.0.0.0/0', '::/0'] }] },
      want: true,
    },
  ];
  for (const c of cases) {
    test(`classDefaultDenied: ${c.name}`, () => {
      const direction = c.direction ?? 'ingress';
      const s = setup({
        plain: true,
        pods: c.pods ?? basePods,
        clusterPolicies: [cnp('x', { tier: 'Admin', priority: 1, subject: shopNs, [direction]: [c.rule] })],
      });
      assert.equal(classDefaultDenied(s.compiled, s.cls('a'), direction), c.want);
    });
  }

  const denyAll = { ingress: [{ action: 'Deny', from: [allPods] }] };
  const nsCases: { name: string; clusterPolicies: ClusterPolicyInfo[]; want: string | undefined }[] = [
    {
      name: 'its subject names every pod of shop by label (later pods are not covered)',
      clusterPolicies: [
        cnp('x', {
          tier: 'Admin',
          priority: 1,
          subject: {
            pods: {
              namespaceSelector: { matchLabels: { team: 'shop' } },
              podSelector: apps('a', 'b', 'c', 'd').pods.podSelector,
            },
          },
          ...denyAll,
        }),
      ],
      want: undefined,
    },
    {
      name: 'its subject is every pod of shop',
      clusterPolicies: [
        cnp('x', {
          tier: 'Admin',
          priority: 1,
          subject: { pods: { namespaceSelector: { matchLabels: { team: 'shop' } }, podSelector: {} } },
          ...denyAll,
        }),
      ],
      want: 'x',
    },
    {
      name: 'a policy of another namespace is not the one',
      clusterPolicies: [
        cnp('data', { tier: 'Admin', priority: 1, subject: dataNs, ...denyAll }),
        cnp('pods', { tier: 'Admin', priority: 2, subject: apps('a', 'b', 'c', 'd'), ...denyAll }),
      ],
      want: undefined,
    },
    {
      name: 'one class of shop is passed first: not every pod is denied',
      clusterPolicies: [
        cnp('pass-a', {
          tier: 'Admin',
          priority: 1,
          subject: apps('a'),
          ingress: [{ action: 'Pass', from: [allPods] }],
        }),
        cnp('shop', { tier: 'Admin', priority: 10, subject: shopNs, ...denyAll }),
      ],
      want: undefined,
    },
    {
      name: 'the policy that denies, not another of the namespace',
      clusterPolicies: [
        cnp('accept', {
          tier: 'Admin',
          priority: 5,
          subject: shopNs,
          ingress: [{ action: 'Accept', from: [dataNs] }],
        }),
        cnp('deny', { tier: 'Admin', priority: 10, subject: shopNs, ...denyAll }),
      ],
      want: 'deny',
    },
  ];
  for (const c of nsCases) {
    test(`namespaceDefaultDeny: ${c.name}`, () => {
      const s = setup({ plain: true, clusterPolicies: c.clusterPolicies });
      assert.equal(namespaceDefaultDeny(s.compiled, s.lookup, 'shop', 'ingress')?.info.name, c.want);
    });
  }
});
