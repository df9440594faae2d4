/**
 * CNI behaviour profiles (docs/cni.md): one suite per documented divergence, named after it, with one case
 * per profile. Every expectation is checked on the engine (compiled with the profile's engine options) and
 * on the naive reference evaluator (test/support/naive.ts, which reads the profile's settings with its own
 * logic), so a case fails when either one is wrong, and the message says which.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compileCluster } from '../../src/engine/compile.ts';
import { explainConnection, type ExplainEnd } from '../../src/engine/explain.ts';
import { allowedBetweenEnds } from '../../src/engine/cilium-l7.ts';
import type { ClassEnd } from '../../src/engine/connectivity.ts';
import {
  intersectPorts,
  isEmptyPorts,
  NO_PORTS,
  portSetOf,
  portsContain,
  portsEqual,
} from '../../src/engine/ports.ts';
import { formatPorts } from '../../src/describe/ports.ts';
import { ProfileExplainer } from '../../src/engine/profile-explain.ts';
import { openSession } from '../../src/engine/session.ts';
import {
  cidrRulesMatchPod,
  cniEngineOptions,
  profileRule,
  resolveCniProfile,
  unenforcedClusterPoliciesWarning,
  UPSTREAM_PROFILE,
  type CniProfile,
} from '../../src/engine/profiles.ts';
import type { ClusterState } from '../../src/model/cluster.ts';
import type { Protocol } from '../../src/model/k8s.ts';
import { naiveAllowed, type NaiveEndpoint } from '../support/naive.ts';
import { cniProfile as profile, naiveProfileOptions as naiveOptions } from '../support/verdicts.ts';
import {
  anp,
  banp,
  cluster,
  cnp,
  cnpCilium,
  namedPort,
  ns,
  pod,
  ipRef,
  node,
  podRef,
  policy,
} from '../support/builders.ts';

type Probe = `${Protocol}/${number}`;

/** Checks `src → dst` on `probe` under profile `p`: allowed exactly when `allowed`, on both evaluators. */
function expectVerdict(
  state: ClusterState,
  p: CniProfile,
  src: NaiveEndpoint,
  dst: NaiveEndpoint,
  probe: Probe,
  allowed: boolean,
): void {
  const [protocol, port] = probe.split('/') as [Protocol, string];
  const naive = naiveAllowed(state, src, dst, protocol, Number(port), naiveOptions(p));
  const compiled = compileCluster(state, cniEngineOptions(p));
  const engine = portsContain(compiled.allowedBetween(src, dst), protocol, Number(port));
  const what = `${name(src)} -> ${name(dst)} ${probe} under ${p.cni}@${p.version}`;
  assert.equal(naive, allowed, `naive evaluator, ${what}`);
  assert.equal(engine, allowed, `engine, ${what}`);
}

function name(e: NaiveEndpoint): string {
  return e.kind === 'pod' ? `${e.namespace}/${e.name}` : e.ip;
}

const web = podRef('shop', 'web');
const db = podRef('shop', 'db');
const media = podRef('shop', 'media');
const exporter = podRef('shop', 'node-exporter');

/** The scenario of test/fixtures/cni/divergences.yaml, built in memory. */
const state = cluster({
  namespaces: [ns('shop')],
  pods: [
    pod('shop', 'web', { app: 'web' }, { ips: ['10.1.0.10'] }),
    pod('shop', 'db', { app: 'db' }, { ips: ['10.1.0.20'] }),
    pod(
      'shop',
      'media',
      { app: 'media' },
      { ips: ['10.1.0.30'], namedPorts: [namedPort('rtp', 5004, 'UDP')] },
    ),
    pod('shop', 'node-exporter', { app: 'node-exporter' }, { ips: ['192.168.0.5'], hostNetwork: true }),
  ],
  policies: [
    policy('shop', 'db-from-cidrs', {
      podSelector: { matchLabels: { app: 'db' } },
      ingress: [
        { from: [{ ipBlock: { cidr: '10.1.0.0/16' } }], ports: [{ port: 5432 }] },
        { from: [{ ipBlock: { cidr: '192.168.0.0/24' } }], ports: [{ port: 9187 }] },
      ],
    }),
    policy('shop', 'media-from-web', {
      podSelector: { matchLabels: { app: 'media' } },
      ingress: [
        {
          from: [{ podSelector: { matchLabels: { app: 'web' } } }],
          ports: [
            { port: 8000, endPort: 8010 },
            { port: 3868, protocol: 'SCTP' },
            { port: 'rtp', protocol: 'UDP' },
          ],
        },
      ],
    }),
    // Selects the host-network pod: whether it applies is the host-network divergence.
    policy('shop', 'exporter-deny-all', {
      podSelector: { matchLabels: { app: 'node-exporter' } },
      policyTypes: ['Ingress'],
    }),
  ],
});

/** `[profile, expected]` rows of one divergence. */
type Row = readonly [label: string, profile: CniProfile, allowed: boolean];

function table(
  divergence: string,
  src: NaiveEndpoint,
  dst: NaiveEndpoint,
  probe: Probe,
  rows: readonly Row[],
  on: ClusterState = state,
) {
  describe(divergence, () => {
    for (const [label, p, allowed] of rows) {
      test(`${label}: ${name(src)} → ${name(dst)} ${probe} ${allowed ? 'allowed' : 'denied'}`, () =>
        expectVerdict(on, p, src, dst, probe, allowed));
    }
  });
}

table('ipBlock matches pod IPs', web, db, 'TCP/5432', [
  ['upstream (the API: the conformance tests match pods by IP)', UPSTREAM_PROFILE, true],
  ['cilium: not by default', profile('cilium'), false],
  ['cilium@1.14: not by default', profile('cilium@1.14'), false],
  ['cilium with policy-cidr-match-mode=pods', profile('cilium', 'policy-cidr-match-mode=pods'), true],
  [
    'cilium with policy-cidr-match-mode=nodes (pods still not)',
    profile('cilium@1.16', 'policy-cidr-match-mode=nodes'),
    false,
  ],
  ['calico: matches in-cluster IPs', profile('calico'), true],
  ['ovn-kubernetes', profile('ovn-kubernetes'), true],
  ['antrea', profile('antrea'), true],
]);

/** Where CIDR rules match node IPs: host-network pods' and the Nodes' own addresses alike. */
const NODE_IPS_MATCHED = [
  ['upstream', UPSTREAM_PROFILE, true],
  ['cilium: not by default', profile('cilium'), false],
  [
    'cilium@1.15 with policy-cidr-match-mode=nodes',
    profile('cilium@1.15', 'policy-cidr-match-mode=nodes'),
    true,
  ],
  [
    'cilium with policy-cidr-match-mode=pods (nodes still not)',
    profile('cilium', 'policy-cidr-match-mode=pods'),
    false,
  ],
  ['calico', profile('calico'), true],
  ['ovn-kubernetes', profile('ovn-kubernetes'), true],
  ['antrea', profile('antrea'), true],
] as const;

table('ipBlock matches node IPs (host-network pods)', exporter, db, 'TCP/9187', NODE_IPS_MATCHED);

table('host-network pods are not policed', web, exporter, 'TCP/9100', [
  ['upstream (netfence default: exempt)', UPSTREAM_PROFILE, true],
  ['cilium: host identity, NetworkPolicies do not select it', profile('cilium'), true],
  ['calico: only HostEndpoints police the host', profile('calico'), true],
  ['ovn-kubernetes: NetworkPolicy does not apply to host-network pods', profile('ovn-kubernetes'), true],
  ['antrea', profile('antrea'), true],
  [
    'host-network-pods=policed (the API read literally)',
    profile('calico', 'host-network-pods=policed'),
    false,
  ],
]);

table('endPort is a port range', web, media, 'TCP/8005', [
  ['upstream', UPSTREAM_PROFILE, true],
  ['cilium@1.14: endPort ignored, only the port', profile('cilium@1.14'), false],
  ['cilium@1.15: the policy is not enforced, media is not isolated', profile('cilium@1.15'), true],
  ['cilium@1.16: port ranges', profile('cilium@1.16'), true],
  ['calico', profile('calico'), true],
  ['ovn-kubernetes', profile('ovn-kubernetes'), true],
  ['antrea', profile('antrea'), true],
]);

table('endPort ignored keeps the port', web, media, 'TCP/8000', [
  ['cilium@1.14', profile('cilium@1.14'), true],
  ['endport=first-port on any profile', profile('calico', 'endport=first-port'), true],
]);

// Cilium 1.15 drops the whole policy: media is open to everyone, which upstream denies.
table('endPort policy not enforced', db, media, 'TCP/22', [
  ['upstream', UPSTREAM_PROFILE, false],
  ['cilium@1.14', profile('cilium@1.14'), false],
  ['cilium@1.15', profile('cilium@1.15'), true],
  ['cilium@1.16', profile('cilium@1.16'), false],
  ['calico', profile('calico'), false],
  ['ovn-kubernetes', profile('ovn-kubernetes'), false],
  ['antrea', profile('antrea'), false],
]);

table('SCTP rules are enforced', web, media, 'SCTP/3868', [
  ['upstream', UPSTREAM_PROFILE, true],
  ['cilium: enable-sctp is off by default', profile('cilium'), false],
  ['cilium with enable-sctp=true', profile('cilium', 'enable-sctp=true'), true],
  ['calico', profile('calico'), true],
  ['ovn-kubernetes', profile('ovn-kubernetes'), true],
  ['antrea', profile('antrea'), true],
]);

// The API rejects endPort with a named port, so no profile's endPort reading touches named ports.
table('named ports resolve on every profile (endPort never applies to them)', web, media, 'UDP/5004', [
  ['upstream', UPSTREAM_PROFILE, true],
  ['cilium@1.14 (endPort ignored)', profile('cilium@1.14'), true],
  ['cilium@1.16', profile('cilium@1.16'), true],
  ['calico', profile('calico'), true],
  ['ovn-kubernetes', profile('ovn-kubernetes'), true],
  ['antrea', profile('antrea'), true],
]);

describe('the incremental engine reads the profile as compile does', () => {
  test('a policy with endPort added on Cilium 1.15 is not enforced (what-if, serve)', () => {
    const p = profile('cilium@1.15');
    const session = openSession(state, cniEngineOptions(p));
    const ranged = policy('shop', 'db-range', {
      podSelector: { matchLabels: { app: 'db' } },
      ingress: [{ ports: [{ port: 6000, endPort: 6010 }] }],
    });
    const plain = policy('shop', 'db-plain', {
      podSelector: { matchLabels: { app: 'db' } },
      ingress: [{ ports: [{ port: 6000 }] }],
    });
    for (const added of [ranged, plain]) {
      const policies = [...state.policies, added];
      const incremental = session.tryPolicies(policies, (edited) => edited.compiled.allowedBetween(web, db));
      const fresh = compileCluster({ ...state, policies }, cniEngineOptions(p)).allowedBetween(web, db);
      assert.deepEqual(incremental, fresh, added.name);
      // Only the policy without endPort opens 6000 on Cilium 1.15.
      assert.equal(portsContain(fresh, 'TCP', 6000), added === plain, added.name);
    }
  });
});

describe('Cilium policies read the profile’s port settings', () => {
  /** shop/db accepts shop/web through one CiliumNetworkPolicy with `entries` as its only rule's toPorts. */
  const withCnp = (ports: { port: string; protocol?: string; endPort?: number }[]): ClusterState => ({
    ...state,
    ciliumPolicies: [
      cnpCilium('shop', 'db-in', {
        endpointSelector: { matchLabels: { app: 'db' } },
        ingress: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }], toPorts: [{ ports }] }],
      }),
    ],
  });

  test('SCTP under cilium: without enable-sctp, SCTP and ANY entries of Cilium rules allow no SCTP', () => {
    const s = withCnp([
      { port: '7000', protocol: 'SCTP' },
      { port: '7001', protocol: 'ANY' },
    ]);
    for (const probe of ['SCTP/7000', 'SCTP/7001'] as const) {
      expectVerdict(s, profile('cilium'), web, db, probe, false);
      expectVerdict(s, profile('cilium', 'enable-sctp=true'), web, db, probe, true);
      expectVerdict(s, profile('upstream'), web, db, probe, true);
    }
    // ANY is still TCP and UDP.
    expectVerdict(s, profile('cilium'), web, db, 'TCP/7001', true);
    expectVerdict(s, profile('cilium'), web, db, 'UDP/7001', true);
  });

  test('endPort in a CiliumNetworkPolicy before Cilium 1.16: the CRD has no endPort, only port counts', () => {
    const s = withCnp([{ port: '6000', endPort: 6010, protocol: 'TCP' }]);
    for (const version of ['cilium@1.14', 'cilium@1.15']) {
      expectVerdict(s, profile(version), web, db, 'TCP/6000', true);
      expectVerdict(s, profile(version), web, db, 'TCP/6005', false);
    }
    expectVerdict(s, profile('cilium@1.16'), web, db, 'TCP/6005', true);
    // Port 0 is still every port.
    expectVerdict(
      withCnp([{ port: '0', protocol: 'TCP' }]),
      profile('cilium@1.14'),
      web,
      db,
      'TCP/6005',
      true,
    );
  });
});

describe('tiers per profile: the cluster policy kinds each CNI enforces', () => {
  // One policy of each kind denying shop/web -> shop/db on TCP 5432 (which db-from-cidrs allows upstream).
  const denyAt = (kind: 'cnp' | 'anp' | 'banp'): ClusterState => {
    const spec = {
      subject: { pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: 'db' } } } },
      ingress: [
        {
          name: 'no-web',
          action: 'Deny' as const,
          from: [{ pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: 'web' } } } }],
        },
      ],
    };
    const p =
      kind === 'cnp'
        ? cnp('deny-web', { tier: 'Admin', priority: 10, ...spec })
        : kind === 'anp'
          ? anp('deny-web', { priority: 10, ...spec })
          : banp(spec);
    return { ...state, clusterPolicies: [p] };
  };
  // Rows: profile, then whether it enforces ClusterNetworkPolicy, AdminNetworkPolicy, BaselineAdminNetworkPolicy.
  const rows: [string, string[], [boolean, boolean, boolean]][] = [
    ['upstream', [], [true, true, true]],
    ['cilium', [], [false, false, false]],
    ['cilium@1.16', [], [false, false, false]],
    ['cilium@1.20', ['enable-k8s-cluster-network-policy=true'], [true, false, false]],
    ['calico@3.28', [], [false, false, false]],
    ['calico@3.31', [], [false, true, true]],
    ['calico@3.32', [], [true, false, false]],
    ['antrea@1.12', [], [false, false, false]],
    ['antrea@1.13', [], [false, true, true]],
    ['antrea@2.7', [], [true, true, true]],
    ['ovn-kubernetes', [], [false, true, true]],
    ['cilium', ['cluster-policies=AdminNetworkPolicy'], [false, true, false]],
  ];
  for (const [spec, options, enforced] of rows) {
    test(`${spec}${options.length > 0 ? ` (${options.join(', ')})` : ''}: a deny of an unenforced kind changes nothing`, () => {
      const p = profile(spec, ...options);
      (['cnp', 'anp', 'banp'] as const).forEach((kind, i) => {
        // Enforced: the deny wins (Admin tier) or, for the Baseline tier, the NetworkPolicy allow still decides
        // (db is isolated); not enforced: the NetworkPolicy alone decides, as on Cilium (CIDR rules miss pods).
        const npAllows = p.settings.cidrMatchesPods;
        const expected = kind === 'banp' ? npAllows : enforced[i] ? false : npAllows;
        expectVerdict(denyAt(kind), p, web, db, 'TCP/5432', expected);
        assert.equal(
          unenforcedClusterPoliciesWarning(p, [denyAt(kind).clusterPolicies[0]!.kind]) === undefined,
          enforced[i],
          `${spec} ${kind}`,
        );
      });
    });
  }

  test('a Baseline deny of an unenforced kind does not decide a pod nothing isolates', () => {
    const s: ClusterState = { ...denyAt('banp'), policies: [] };
    expectVerdict(s, profile('upstream'), web, db, 'TCP/5432', false);
    expectVerdict(s, profile('cilium'), web, db, 'TCP/5432', true);
    expectVerdict(s, profile('calico@3.31'), web, db, 'TCP/5432', false);
  });

  test('the warning names the kinds and the profile, once', () => {
    assert.equal(
      unenforcedClusterPoliciesWarning(profile('cilium@1.20'), [
        'AdminNetworkPolicy',
        'BaselineAdminNetworkPolicy',
        'ClusterNetworkPolicy',
      ]),
      'warning: cilium@1.20 enforces no ClusterNetworkPolicy, AdminNetworkPolicy, BaselineAdminNetworkPolicy: 3 policies left out (docs/cni.md)',
    );
    const r = resolveCniProfile('cilium@1.19', ['enable-k8s-cluster-network-policy=true']);
    assert.ok(!r.ok);
    assert.match(r.message, /from 1\.20 on, not in 1\.19/);
  });
});

/**
 * Pods placed on Nodes (`spec.nodeName`, Nodes with addresses): web and api on n1, db on n2; node agents
 * (host-network) on each; every pod of `shop` isolated for ingress with nothing allowed.
 */
const placed = cluster({
  namespaces: [ns('shop'), ns('kube-system')],
  pods: [
    pod('shop', 'web', { app: 'web' }, { ips: ['10.1.0.10'], nodeName: 'n1' }),
    pod('shop', 'db', { app: 'db' }, { ips: ['10.1.0.20'], nodeName: 'n2' }),
    pod(
      'kube-system',
      'agent-1',
      { app: 'agent' },
      { ips: ['192.168.0.1'], hostNetwork: true, nodeName: 'n1' },
    ),
    pod(
      'kube-system',
      'agent-2',
      { app: 'agent' },
      { ips: ['192.168.0.2'], hostNetwork: true, nodeName: 'n2' },
    ),
  ],
  nodes: [node('n1', {}, ['192.168.0.1']), node('n2', {}, ['192.168.0.2'])],
  policies: [policy('shop', 'deny-ingress', { podSelector: {}, policyTypes: ['Ingress'] })],
});

const OWN_NODE_ALLOWED = [
  ['upstream (the Kubernetes docs: always allowed)', UPSTREAM_PROFILE, true],
  ['cilium: allow-localhost (auto, in Kubernetes always)', profile('cilium'), true],
  ['cilium with allow-localhost=always', profile('cilium', 'allow-localhost=always'), true],
  [
    'cilium with allow-localhost=policy: subject to policy',
    profile('cilium', 'allow-localhost=policy'),
    false,
  ],
  ['calico', profile('calico'), true],
  ['ovn-kubernetes', profile('ovn-kubernetes'), true],
  ['antrea', profile('antrea'), true],
] as const;

table(
  'traffic from the pod’s own node: its address',
  ipRef('192.168.0.1'),
  podRef('shop', 'web'),
  'TCP/10250',
  OWN_NODE_ALLOWED,
  placed,
);
table(
  'traffic from the pod’s own node: a host-network pod on it',
  podRef('kube-system', 'agent-1'),
  podRef('shop', 'web'),
  'TCP/10250',
  OWN_NODE_ALLOWED,
  placed,
);
table(
  'traffic from the pod’s own node: another node is not it',
  ipRef('192.168.0.2'),
  podRef('shop', 'web'),
  'TCP/10250',
  [
    ['upstream', UPSTREAM_PROFILE, false],
    ['cilium', profile('cilium'), false],
  ],
  placed,
);
table(
  'traffic from the pod’s own node: a host-network pod on another node is not it',
  podRef('kube-system', 'agent-1'),
  podRef('shop', 'db'),
  'TCP/10250',
  [
    ['upstream', UPSTREAM_PROFILE, false],
    ['calico', profile('calico'), false],
  ],
  placed,
);

describe('traffic from the pod’s own node: where it is not known', () => {
  test('without nodeName (a Deployment in manifests) no node is the pod’s own: denied, as before', () => {
    const unplaced = cluster({
      ...placed,
      pods: placed.pods.map((p) => {
        const copy = { ...p };
        delete copy.nodeName;
        return copy;
      }),
    });
    for (const p of [UPSTREAM_PROFILE, profile('cilium')])
      expectVerdict(unplaced, p, ipRef('192.168.0.1'), podRef('shop', 'web'), 'TCP/10250', false);
    assert.equal(compileCluster(unplaced).addressSpace.classes.length, 1, 'no node address set apart');
  });

  test('without the Nodes (their addresses), nothing is known either', () => {
    const noNodes = cluster({ ...placed, nodes: [] });
    expectVerdict(noNodes, UPSTREAM_PROFILE, ipRef('192.168.0.1'), podRef('shop', 'web'), 'TCP/10250', false);
  });
});

describe('traffic from the pod’s own node: only from it', () => {
  test('egress to the own node stays subject to policy (CNIs apply egress policy to it)', () => {
    const egress = cluster({
      ...placed,
      policies: [policy('shop', 'deny-egress', { podSelector: {}, policyTypes: ['Egress'] })],
    });
    expectVerdict(egress, UPSTREAM_PROFILE, podRef('shop', 'web'), ipRef('192.168.0.1'), 'TCP/10250', false);
  });

  test('a Cilium deny rule still denies it (deny wins over any allow)', () => {
    const denied = cluster({
      ...placed,
      ciliumPolicies: [
        cnpCilium('shop', 'deny-host', { endpointSelector: {}, ingressDeny: [{ fromEntities: ['host'] }] }),
      ],
    });
    expectVerdict(denied, profile('cilium'), ipRef('192.168.0.1'), podRef('shop', 'web'), 'TCP/10250', false);
  });

  test('a Cilium rule set isolating the pod does not take it away', () => {
    const isolated = cluster({
      ...placed,
      policies: [],
      ciliumPolicies: [
        cnpCilium('shop', 'from-db', {
          endpointSelector: {},
          ingress: [{ fromEndpoints: [{ matchLabels: { app: 'db' } }] }],
        }),
      ],
    });
    expectVerdict(
      isolated,
      profile('cilium'),
      ipRef('192.168.0.1'),
      podRef('shop', 'web'),
      'TCP/10250',
      true,
    );
    expectVerdict(
      isolated,
      profile('cilium'),
      ipRef('192.168.0.2'),
      podRef('shop', 'web'),
      'TCP/10250',
      false,
    );
  });

  test('explain names the rule, and agrees with the engine on every pair, under each profile', () => {
    for (const p of [UPSTREAM_PROFILE, profile('cilium'), profile('cilium', 'allow-localhost=policy')]) {
      const compiled = compileCluster(placed, cniEngineOptions(p));
      const ends: ExplainEnd[] = [
        ...compiled.classes.map((c): ExplainEnd => ({ kind: 'pod', classId: c.id, name: c.pods[0]!.name })),
        ...compiled.addressSpace.classes.map((a): ExplainEnd => ({
          kind: 'address',
          classId: a.id,
          name: compiled.addressSpace.describe(a.id),
        })),
      ];
      for (const s of ends) {
        for (const d of ends) {
          if (d.kind === 'address') continue;
          const x = explainConnection(compiled, s, d);
          const src: ClassEnd = s.kind === 'pod' ? { pod: s.classId } : { address: s.classId };
          assert.ok(
            portsEqual(x.allowed, allowedBetweenEnds(compiled, src, { pod: d.classId })),
            `${s.name} -> ${d.name}`,
          );
        }
      }
      const web = compiled.classOfPod('shop', 'web')!;
      const n1 = compiled.addressSpace.classOfIp('192.168.0.1')!;
      const x = explainConnection(
        compiled,
        { kind: 'address', classId: n1, name: '192.168.0.1' },
        { kind: 'pod', classId: web, name: 'shop/web' },
      );
      const expected =
        p.settings.ownNodeTraffic === 'policy'
          ? undefined
          : p.cni === 'cilium'
            ? 'own node: always allowed (cilium: allow-localhost)'
            : 'own node: always allowed (Kubernetes)';
      assert.equal(x.ingress.ownNode, expected, `${p.cni} ${p.overrides.join(',')}`);
    }
  });

  test('explain names the profile rule where the profile subjects it to policy', () => {
    const p = profile('cilium', 'allow-localhost=policy');
    assert.equal(p.settings.ownNodeTraffic, 'policy');
    const explainer = new ProfileExplainer(compileCluster(placed, cniEngineOptions(p)));
    assert.ok(explainer.settings().includes('ownNodeTraffic'));
  });
});

/**
 * A Node's addresses (`status.addresses`) under CIDR rules: Cilium gives traffic from a node the `remote-node`
 * identity (`host` on the pod's own node), which CIDR rules do not select unless `policy-cidr-match-mode`
 * includes `nodes` (cilium#16308, Cilium 1.15); a pod's egress to a node's address is the same. `placed`, plus
 * an ipBlock over both nodes' addresses into web and out of db; 192.168.0.9 is no node's.
 */
const nodeCidrs = cluster({
  ...placed,
  policies: [
    ...placed.policies,
    policy('shop', 'web-from-nodes', {
      podSelector: { matchLabels: { app: 'web' } },
      ingress: [{ from: [{ ipBlock: { cidr: '192.168.0.0/16' } }], ports: [{ port: 8080 }] }],
    }),
    policy('shop', 'db-to-nodes', {
      podSelector: { matchLabels: { app: 'db' } },
      policyTypes: ['Egress'],
      egress: [{ to: [{ ipBlock: { cidr: '192.168.0.0/16' } }], ports: [{ port: 6443 }] }],
    }),
  ],
});

table(
  'ipBlock matches node IPs (a Node’s address)',
  ipRef('192.168.0.2'),
  web,
  'TCP/8080',
  NODE_IPS_MATCHED,
  nodeCidrs,
);
table(
  'ipBlock matches node IPs (egress to a Node’s address)',
  db,
  ipRef('192.168.0.1'),
  'TCP/6443',
  NODE_IPS_MATCHED,
  nodeCidrs,
);
table(
  'ipBlock matches node IPs: an address no Node has is matched',
  ipRef('192.168.0.9'),
  web,
  'TCP/8080',
  [
    ['upstream', UPSTREAM_PROFILE, true],
    ['cilium', profile('cilium'), true],
  ],
  nodeCidrs,
);
table(
  'ipBlock matches node IPs: the pod’s own node is still let through (allow-localhost)',
  ipRef('192.168.0.1'),
  web,
  'TCP/8080',
  [
    ['cilium', profile('cilium'), true],
    ['cilium with allow-localhost=policy', profile('cilium', 'allow-localhost=policy'), false],
  ],
  nodeCidrs,
);

describe('ipBlock matches node IPs: where pods are not placed on the Nodes', () => {
  const unplaced = cluster({
    ...nodeCidrs,
    pods: nodeCidrs.pods.map((p) => {
      const copy = { ...p };
      delete copy.nodeName;
      return copy;
    }),
  });
  test('a Node’s address is still a node’s: not matched under cilium, matched upstream', () => {
    expectVerdict(unplaced, profile('cilium'), ipRef('192.168.0.2'), web, 'TCP/8080', false);
    expectVerdict(unplaced, profile('cilium'), db, ipRef('192.168.0.2'), 'TCP/6443', false);
    expectVerdict(unplaced, profile('cilium'), ipRef('192.168.0.9'), web, 'TCP/8080', true);
    expectVerdict(unplaced, UPSTREAM_PROFILE, ipRef('192.168.0.2'), web, 'TCP/8080', true);
  });
});

test('ipBlock matches node IPs: explain cites the profile rule for a Node’s address', () => {
  const compiled = compileCluster(nodeCidrs, cniEngineOptions(profile('cilium')));
  const n2 = compiled.addressSpace.classOfIp('192.168.0.2')!;
  const x = explainConnection(
    compiled,
    { kind: 'address', classId: n2, name: '192.168.0.2' },
    { kind: 'pod', classId: compiled.classOfPod('shop', 'web')!, name: 'shop/web' },
  );
  assert.equal(portsContain(x.allowed, 'TCP', 8080), false);
  const reasons = JSON.stringify(x.ingress);
  assert.match(reasons, /ipblock-ignores-pods/);
  assert.match(reasons, /CIDR rules do not match node IPs unless policy-cidr-match-mode includes nodes/);
});

describe('profiles', () => {
  test('upstream is today’s behaviour: the engine defaults', () => {
    const s = UPSTREAM_PROFILE.settings;
    assert.deepEqual(s, {
      cidrMatchesPods: true,
      cidrMatchesNodes: true,
      hostNetworkPods: 'exempt',
      ownNodeTraffic: 'allowed',
      endPort: 'range',
      sctp: true,
      clusterPolicies: 'ClusterNetworkPolicy,AdminNetworkPolicy,BaselineAdminNetworkPolicy',
      // Cilium's own default: host policies are not enforced (only Cilium policies read it).
      hostFirewall: false,
      // Cilium's `cluster-name` default (only Cilium policies read it).
      clusterName: 'default',
      // Cilium policies are read as Cilium ≥ 1.16 reads them: enableDefaultDeny counts.
      enableDefaultDeny: true,
    });
  });

  test('the CIDR predicate Cilium policy evaluation reads: pods and nodes apart', () => {
    const s = profile('cilium', 'policy-cidr-match-mode=nodes').settings;
    assert.equal(cidrRulesMatchPod(s, false), false);
    assert.equal(cidrRulesMatchPod(s, true), true);
  });

  test('versions choose the endPort reading', () => {
    assert.equal(profile('cilium@1.13').settings.endPort, 'first-port');
    assert.equal(profile('cilium@1.15.7').settings.endPort, 'policy-ignored');
    assert.equal(profile('cilium@v1.16.0').settings.endPort, 'range');
    assert.equal(profile('cilium@2.0').settings.endPort, 'range');
  });

  test('bad names, versions and settings are one-line messages that name the fix', () => {
    const bad = (spec: string, ...o: string[]) => {
      const r = resolveCniProfile(spec, o);
      assert.equal(r.ok, false);
      return r.ok ? '' : r.message;
    };
    assert.match(bad('cillium'), /unknown CNI "cillium".*use one of upstream, cilium, calico/);
    assert.match(bad('cilium@latest'), /version "latest" .* is not major.minor/);
    assert.match(bad('cilium@1.14', 'policy-cidr-match-mode=nodes'), /nodes mode from 1.15 on, not in 1.14/);
    assert.match(bad('cilium@1.19', 'policy-cidr-match-mode=pods'), /pods mode from 1.20 on/);
    assert.match(bad('calico', 'enable-sctp=true'), /Cilium setting; use it with --cni cilium/);
    assert.match(bad('cilium@1.12', 'enable-sctp=true'), /Cilium supports SCTP from 1.13 on, not in 1.12/);
    assert.match(bad('cilium', 'sctp=yes'), /sctp takes true or false/);
    assert.match(bad('cilium', 'colour=red'), /unknown setting "colour"/);
  });

  test('the rule text names the profile and the override that set it', () => {
    assert.equal(
      profileRule(profile('cilium'), 'cidrMatchesPods'),
      'cilium: CIDR rules do not match pod IPs unless policy-cidr-match-mode includes pods',
    );
    assert.equal(
      profileRule(profile('cilium@1.15', 'policy-cidr-match-mode=nodes'), 'cidrMatchesPods'),
      'cilium@1.15: CIDR rules do not match pod IPs unless policy-cidr-match-mode includes pods (policy-cidr-match-mode=nodes)',
    );
  });

  test('a Cilium source is cited where the version chose the reading, not where an override did', () => {
    assert.equal(
      profileRule(profile('cilium@1.14'), 'endPort'),
      'cilium@1.14: endPort is ignored: the rule allows only its port (cilium#28684)',
    );
    assert.equal(
      profileRule(profile('calico', 'endport=first-port'), 'endPort'),
      'calico: endPort is ignored: the rule allows only its port (endport=first-port)',
    );
  });

  test('explain: the setting that changed a verdict, and only that one', () => {
    const compiled = compileCluster(state, cniEngineOptions(profile('cilium')));
    const explainer = new ProfileExplainer(compiled);
    const end = (pod: string) => {
      const classId = compiled.classOfPod('shop', pod)!;
      return { kind: 'pod' as const, classId, name: `shop/${pod}`, onePod: `shop/${pod}` };
    };
    // The query: what the API allows; the verdict: what Cilium allows (nothing, to db).
    const query = compileCluster(state).allowedBetween(web, db);
    const decided = explainer.decisions(end('web'), end('db'), query, compiled.allowedBetween(web, db));
    assert.deepEqual(
      decided.map((d) => d.setting),
      ['cidrMatchesPods'],
    );
    const sctp = explainer.decisions(
      end('web'),
      end('media'),
      compileCluster(state).allowedBetween(web, media),
      compiled.allowedBetween(web, media),
    );
    assert.deepEqual(
      sctp.map((d) => d.setting),
      ['sctp'],
    );
  });

  test('explain compares with the real upstream profile, not one setting flipped at a time', () => {
    // An AdminNetworkPolicy denies web -> db on 5432: upstream denies (the deny wins), Cilium denies too (its
    // CIDR rules miss pods; it enforces no ANP). Flipping only cidrMatchesPods would allow 5432, a
    // combination no real profile has: no profile rule decided this verdict.
    const s: ClusterState = {
      ...state,
      clusterPolicies: [
        anp('deny-web', {
          priority: 10,
          subject: { pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: 'db' } } } },
          ingress: [
            {
              name: 'no-web',
              action: 'Deny',
              from: [{ pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: 'web' } } } }],
            },
          ],
        }),
      ],
    };
    const compiled = compileCluster(s, cniEngineOptions(profile('cilium')));
    const endIn = (c: typeof compiled) => (pod: string) => ({
      kind: 'pod' as const,
      classId: c.classOfPod('shop', pod)!,
      name: `shop/${pod}`,
      onePod: `shop/${pod}`,
    });
    const end = endIn(compiled);
    const query = portSetOf('TCP', [5432, 5432]);
    const allowed = intersectPorts(compiled.allowedBetween(web, db), query);
    assert.ok(isEmptyPorts(allowed));
    assert.deepEqual(new ProfileExplainer(compiled).decisions(end('web'), end('db'), query, allowed), []);
    // Without the ANP both settings' real upstream verdict differs: cidrMatchesPods decides, with upstream's ports.
    const plain = compileCluster(state, cniEngineOptions(profile('cilium')));
    const plainEnd = endIn(plain);
    const decided = new ProfileExplainer(plain).decisions(plainEnd('web'), plainEnd('db'), query, NO_PORTS);
    assert.deepEqual(
      decided.map((d) => [d.setting, formatPorts(d.upstream)]),
      [['cidrMatchesPods', 'TCP 5432']],
    );
  });
});
