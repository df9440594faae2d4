/**
 * Details of `computeExposure` (src/engine/exposure.ts) on small clusters built in code: statements per
 * peer (named ports on ingress and egress, rules without peers, addresses), the host network, the three flags
 * and their reasons, Admin and Baseline rules in evaluation order, Cilium rules, and `only`
 * (issue #20, mutation testing).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DirectionExposure } from '../../src/engine/exposure.ts';
import { formatPorts } from '../../src/describe/ports.ts';
import type { ClusterState } from '../../src/model/cluster.ts';
import { anp, banp, cluster, cnpCilium, namedPort, ns, pod, policy } from '../support/builders.ts';
import { deployment, exposures, flags } from '../support/exposure.ts';

/** `path peer-kind ports [named] [undefined named] allows today every` for each statement. */
function statements(d: DirectionExposure): string[] {
  return d.statements.map(
    (s) =>
      `${s.path} ${s.policy} ${s.peer.kind} ${formatPorts(s.ports)} [${s.namedPorts.join(',')}] [${s.undefinedNamedPorts.join(',')}] ${s.allowsSomething} [${s.today.join(',')}] ${s.everyPod}`,
  );
}

// prod/web defines the named port http; prod/node is on the host network.
const base = {
  namespaces: [ns('prod', { team: 'a' }), ns('dev', { team: 'b' })],
  pods: [
    pod('prod', 'web', { app: 'web' }, { namedPorts: [namedPort('http', 8080)] }),
    pod('prod', 'db', { app: 'db' }),
    pod('prod', 'node', { app: 'node' }, { hostNetwork: true }),
    pod('dev', 'client', { app: 'client' }),
  ],
};

describe('NetworkPolicy statements', () => {
  const state = cluster({
    ...base,
    policies: [
      policy('prod', 'web-in', {
        podSelector: { matchLabels: { app: 'web' } },
        ingress: [
          { from: [{ namespaceSelector: {} }], ports: [{ port: 'http' }, { port: 'metrics' }] },
          { ports: [{ port: 443 }] },
          { from: [{ ipBlock: { cidr: '203.0.113.0/24' } }, { podSelector: {} }], ports: [{ port: 'http' }] },
        ],
      }),
      policy('prod', 'db', {
        podSelector: { matchLabels: { app: 'db' } },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 5432 }] }],
        egress: [
          {
            to: [{ ipBlock: { cidr: '8.8.8.8/32' } }, { podSelector: { matchLabels: { app: 'web' } } }],
            ports: [{ port: 'http' }],
          },
          { to: [{ ipBlock: { cidr: '10.0.0.0/8' } }] },
        ],
      }),
    ],
  });

  test('ingress: a named port resolved here or not defined, a rule without peers, an address, today’s pods', () => {
    const web = exposures(state).get('prod/web')!;
    assert.equal(web.ingress.status, 'isolated');
    assert.deepEqual(web.ingress.policies, ['prod/web-in']);
    assert.deepEqual(statements(web.ingress), [
      // namespaceSelector: {} is every pod of the cluster (not the host network's), today and tomorrow.
      'spec.ingress[0].from[0] prod/web-in pods TCP 8080 [] [metrics/TCP] true [dev/Pod/client,prod/Pod/db,prod/Pod/web] true',
      'spec.ingress[1] prod/web-in anyone TCP 443 [] [] true [] true',
      'spec.ingress[2].from[0] prod/web-in addresses TCP 8080 [] [] true [] false',
      'spec.ingress[2].from[1] prod/web-in pods TCP 8080 [] [] true [prod/Pod/db,prod/Pod/web] false',
    ]);
    const [first] = web.ingress.statements;
    assert.deepEqual(first!.rulePorts, {
      any: false,
      numeric: first!.rulePorts.any ? undefined : first!.rulePorts.numeric,
      named: [
        { name: 'http', protocol: 'TCP', resolution: { kind: 'defined', port: 8080 } },
        { name: 'metrics', protocol: 'TCP', resolution: { kind: 'undefined' } },
      ],
    });
    assert.equal(
      formatPorts(first!.rulePorts.any ? first!.ports : first!.rulePorts.numeric),
      'No connections',
    );
    assert.equal(first!.location, undefined);
    // Egress is not isolated: no statements, no policies.
    assert.equal(web.egress.status, 'not-isolated');
    assert.deepEqual(web.egress.policies, []);
    assert.deepEqual(web.egress.statements, []);
  });

  test('egress: a named port is resolved on each destination, never on addresses', () => {
    const db = exposures(state).get('prod/db')!;
    assert.deepEqual(statements(db.egress), [
      'spec.egress[0].to[0] prod/db addresses No connections [] [] false [] false',
      'spec.egress[0].to[1] prod/db pods No connections [http/TCP] [] true [prod/Pod/web] false',
      'spec.egress[1].to[0] prod/db addresses All connections [] [] true [] false',
    ]);
    assert.deepEqual(db.egress.statements[0]!.rulePorts, {
      any: false,
      numeric: (db.egress.statements[0]!.rulePorts as { numeric: unknown }).numeric,
      named: [{ name: 'http', protocol: 'TCP', resolution: { kind: 'egress' } }],
    });
    assert.deepEqual(db.egress.statements[2]!.rulePorts, { any: true });
    assert.deepEqual(statements(db.ingress), [
      'spec.ingress[0].from[0] prod/db pods TCP 5432 [] [] true [prod/Pod/web] false',
    ]);
    // Egress only to 10.0.0.0/8 and, with a named port, to 8.8.8.8 (which resolves nothing): no flag.
    assert.deepEqual(db.flags, []);
  });

  test('the flags and the statements behind them', () => {
    const all = exposures(state);
    assert.deepEqual(flags(all.get('prod/web')!), [
      'reachable-from-outside: [spec.ingress[1], spec.ingress[2].from[0]] tiers [] cilium [] names []',
      'reachable-from-all-namespaces: [spec.ingress[0].from[0], spec.ingress[1]] tiers [] cilium [] names []',
      'egress-to-internet: not-isolated tiers [] cilium [] names []',
    ]);
    assert.deepEqual(flags(all.get('dev/client')!), [
      'reachable-from-outside: not-isolated tiers [] cilium [] names []',
      'reachable-from-all-namespaces: not-isolated tiers [] cilium [] names []',
      'egress-to-internet: not-isolated tiers [] cilium [] names []',
    ]);
  });

  test('the host network: neither direction is isolated by a policy, and every flag says why', () => {
    const node = exposures(state).get('prod/node')!;
    for (const d of [node.ingress, node.egress]) {
      assert.equal(d.status, 'host-network');
      assert.deepEqual(d.policies, []);
      assert.deepEqual(d.statements, []);
      assert.deepEqual(d.cilium, []);
    }
    assert.deepEqual(flags(node), [
      'reachable-from-outside: host-network tiers [] cilium [] names []',
      'reachable-from-all-namespaces: host-network tiers [] cilium [] names []',
      'egress-to-internet: host-network tiers [] cilium [] names []',
    ]);
  });

  test('only: the entities asked for, in the index order', () => {
    const some = exposures(state, new Set(['prod/Pod/web', 'dev/Pod/client', 'external:0']));
    assert.deepEqual([...some.keys()], ['dev/client', 'prod/web']);
    assert.equal(exposures(state, new Set()).size, 0);
    assert.equal(exposures(state).size, 4);
  });
});

describe('egress to the internet', () => {
  const egress = (to: string[], ports?: number): ClusterState =>
    cluster({
      namespaces: [ns('prod')],
      pods: [pod('prod', 'web', { app: 'web' })],
      policies: [
        policy('prod', 'out', {
          podSelector: {},
          // Ingress isolated and closed: only egress-to-internet is in question.
          policyTypes: ['Ingress', 'Egress'],
          ingress: [],
          egress: to.map((cidr) => ({
            to: [{ ipBlock: { cidr } }],
            ...(ports === undefined ? {} : { ports: [{ port: ports }] }),
          })),
        }),
      ],
    });

  test('a public address is the reason; private ranges are not', () => {
    const w = exposures(egress(['10.0.0.0/8', '8.8.8.8/32', '192.168.0.0/16'])).get('prod/web')!;
    assert.deepEqual(flags(w), ['egress-to-internet: [spec.egress[1].to[0]] tiers [] cilium [] names []']);
  });

  for (const cidr of [
    '0.0.0.0/8',
    '10.0.0.0/8',
    '100.64.0.0/10',
    '127.0.0.0/8',
    '169.254.0.0/16',
    '172.16.0.0/12',
    '192.168.0.0/16',
    '::1/128',
    'fc00::/7',
    'fe80::/10',
  ]) {
    test(`${cidr} is not the internet; a range just wider is`, () => {
      assert.deepEqual(exposures(egress([cidr])).get('prod/web')!.flags, []);
      const [address, bits] = cidr.split('/') as [string, string];
      const wider = `${address}/${Number(bits) - 1}`;
      // 0.0.0.0/7 and the others one bit wider hold public addresses (fc00::/6 holds f800::, fe80::/9 fe00::).
      assert.deepEqual(
        exposures(egress([wider]))
          .get('prod/web')!
          .flags.map((f) => f.flag),
        ['egress-to-internet'],
        wider,
      );
    });
  }

  test('a statement that allows nothing is not a reason', () => {
    // Egress to 8.8.8.8 on a port, and to 1.1.1.1 on every port: both are reasons.
    const w = exposures(egress(['8.8.8.8/32', '1.1.1.1/32'], 53)).get('prod/web')!;
    assert.deepEqual(flags(w), [
      'egress-to-internet: [spec.egress[0].to[0], spec.egress[1].to[0]] tiers [] cilium [] names []',
    ]);
  });
});

describe('Admin and Baseline rules', () => {
  const state = cluster({
    namespaces: [ns('prod', { team: 'a' }), ns('dev', { team: 'b' })],
    pods: [
      pod('prod', 'web', { app: 'web' }),
      pod('prod', 'db', { app: 'db' }),
      pod('dev', 'client', { app: 'client' }),
    ],
    policies: [
      policy('prod', 'db', {
        podSelector: { matchLabels: { app: 'db' } },
        ingress: [{ from: [{ podSelector: {} }] }],
      }),
    ],
    clusterPolicies: [
      banp({
        subject: { namespaces: {} },
        ingress: [{ action: 'Allow', from: [{ namespaces: {} }] }],
        egress: [{ action: 'Deny', to: [{ networks: ['8.8.8.0/24'] }] }],
      }),
      anp('z-late', {
        priority: 20,
        subject: { namespaces: { matchLabels: { team: 'a' } } },
        ingress: [
          { name: 'dev-out', action: 'Deny', from: [{ namespaces: { matchLabels: { team: 'b' } } }] },
        ],
      }),
      anp('a-early', {
        priority: 5,
        subject: { namespaces: {} },
        egress: [
          {
            action: 'Allow',
            to: [{ networks: ['1.1.1.1/32'] }],
            ports: [{ portNumber: { protocol: 'TCP', port: 53 } }],
          },
        ],
      }),
    ],
  });

  const tiers = (d: DirectionExposure): string[] =>
    [...d.admin, ...d.baseline].map(
      (t) =>
        `${t.tier} ${t.policy} ${t.priority ?? '-'} ${t.action} ${t.rule ?? '-'} ${t.path} [${t.today.join(',')}] ${t.everyNamespace} ${JSON.stringify(t.ports ?? null)}`,
    );

  test('Admin rules first; Baseline rules only where no NetworkPolicy isolates', () => {
    const all = exposures(state);
    const client = all.get('dev/client')!;
    assert.deepEqual(tiers(client.ingress), [
      'baseline BaselineAdminNetworkPolicy/default - allow - spec.ingress[0].from[0] [dev/Pod/client,prod/Pod/db,prod/Pod/web] true null',
    ]);
    assert.deepEqual(tiers(client.egress), [
      'admin AdminNetworkPolicy/a-early 5 allow - spec.egress[0].to[0] [] false [{"kind":"range","protocol":"TCP","start":53,"end":53}]',
      'baseline BaselineAdminNetworkPolicy/default - deny - spec.egress[0].to[0] [] false null',
    ]);
    // prod/db's ingress is isolated by a NetworkPolicy: the Baseline rule is never reached.
    const db = all.get('prod/db')!;
    assert.deepEqual(tiers(db.ingress), [
      'admin AdminNetworkPolicy/z-late 20 deny dev-out spec.ingress[0].from[0] [dev/Pod/client] false null',
    ]);
    assert.equal(db.ingress.status, 'isolated');
    assert.equal(db.egress.status, 'not-isolated');
  });

  test('the flags cite the tier allow rules; an Admin deny of a namespace takes away every-namespace reach', () => {
    const all = exposures(state);
    assert.deepEqual(flags(all.get('dev/client')!), [
      'reachable-from-outside: not-isolated tiers [] cilium [] names []',
      'reachable-from-all-namespaces: not-isolated tiers [BaselineAdminNetworkPolicy/default spec.ingress[0].from[0]] cilium [] names []',
      'egress-to-internet: not-isolated tiers [AdminNetworkPolicy/a-early spec.egress[0].to[0]] cilium [] names []',
    ]);
    // web is not isolated, but the Admin tier denies dev: not every namespace reaches it.
    assert.deepEqual(
      all.get('prod/web')!.flags.map((f) => f.flag),
      ['reachable-from-outside', 'egress-to-internet'],
    );
  });
});

describe('Cilium rules', () => {
  const state = cluster({
    namespaces: [ns('prod', { team: 'a' }), ns('dev', { team: 'b' })],
    pods: [
      pod('prod', 'web', { app: 'web' }),
      pod('prod', 'db', { app: 'db' }),
      pod('dev', 'client', { app: 'client' }),
    ],
    ciliumPolicies: [
      cnpCilium('prod', 'web-c', {
        endpointSelector: { matchLabels: { app: 'web' } },
        ingress: [
          {
            fromEntities: ['cluster'],
            toPorts: [
              {
                ports: [{ port: '80', protocol: 'TCP' }],
                rules: { http: [{ method: 'GET' }, { method: 'PUT' }] },
              },
            ],
          },
          { fromEndpoints: [{ matchLabels: { app: 'db' } }] },
        ],
        ingressDeny: [{ fromEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'dev' } }] }],
        egress: [
          { toCIDR: ['8.8.8.8/32'], toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }] }] },
          { toEndpoints: [{}], toPorts: [{ ports: [{ port: 'metrics', protocol: 'TCP' }] }] },
        ],
      }),
    ],
  });

  const cilium = (d: DirectionExposure): string[] =>
    d.cilium.map(
      (c) =>
        `${c.policy} ${c.list} ${c.deny} ${c.path} ${c.ports.any ? 'any' : `${formatPorts(c.ports.ports)} [${c.ports.named.join(',')}]`} [${c.l7.join(',')}] ${c.isolates} [${c.today.join(',')}] [${c.peers.map((p) => p.kind).join(',')}]`,
    );

  test('each rule of the rule sets selecting the workload, allow and deny, with its ports, L7 kinds and today’s peers', () => {
    const web = exposures(state).get('prod/web')!;
    assert.equal(web.ingress.status, 'isolated');
    assert.deepEqual(web.ingress.policies, ['CiliumNetworkPolicy/prod/web-c']);
    assert.deepEqual(cilium(web.ingress), [
      'CiliumNetworkPolicy/prod/web-c ingress false spec.ingress[0] TCP 80 [] [http] true [dev/Pod/client,prod/Pod/db,prod/Pod/web] [entity]',
      'CiliumNetworkPolicy/prod/web-c ingress false spec.ingress[1] any [] true [prod/Pod/db] [endpoints]',
      'CiliumNetworkPolicy/prod/web-c ingressDeny true spec.ingressDeny[0] any [] true [dev/Pod/client] [endpoints]',
    ]);
    assert.deepEqual(cilium(web.egress), [
      'CiliumNetworkPolicy/prod/web-c egress false spec.egress[0] UDP 53 [] [] true [] [cidr]',
      'CiliumNetworkPolicy/prod/web-c egress false spec.egress[1] No connections [metrics/TCP] [] true [prod/Pod/db,prod/Pod/web] [endpoints]',
    ]);
    assert.deepEqual(web.egress.policies, ['CiliumNetworkPolicy/prod/web-c']);
    // The others are selected by no rule set.
    const db = exposures(state).get('prod/db')!;
    assert.deepEqual(db.ingress.cilium, []);
    assert.equal(db.ingress.status, 'not-isolated');
  });

  test('a Cilium deny of one namespace takes away every-namespace reach; the allow rule is cited for the internet', () => {
    const web = exposures(state).get('prod/web')!;
    assert.deepEqual(flags(web), [
      'egress-to-internet: [] tiers [] cilium [CiliumNetworkPolicy/prod/web-c spec.egress[0]] names []',
    ]);
  });
});

describe('a workload whose pods fall in two classes', () => {
  // web-1 and web-2 differ by the label v, which the policy z-v1 reads; both define http on TCP.
  const http = [namedPort('http', 8080)];
  const state = deployment(
    cluster({
      namespaces: [ns('prod')],
      pods: [
        pod('prod', 'web-1', { app: 'web', v: '1' }, { namedPorts: http }),
        pod('prod', 'web-2', { app: 'web', v: '2' }, { namedPorts: http }),
        pod('prod', 'other', { app: 'other' }),
        pod('prod', 'm-1', { app: 'mixed' }, { hostNetwork: true }),
        pod('prod', 'm-2', { app: 'mixed' }),
      ],
      policies: [
        policy('prod', 'z-v1', {
          podSelector: { matchLabels: { v: '1' } },
          ingress: [
            { from: [{ podSelector: {} }], ports: [{ port: 80 }] },
            { from: [{ podSelector: {} }], ports: [{ port: 'metrics' }] },
          ],
        }),
        policy('prod', 'a-web', {
          podSelector: { matchLabels: { app: 'web' } },
          ingress: [
            {
              from: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: 'other' } } }],
              ports: [{ port: 'http', protocol: 'UDP' }, { port: 'http' }],
            },
          ],
        }),
        policy('prod', 'mixed', { podSelector: { matchLabels: { app: 'mixed' } }, ingress: [] }),
      ],
      ciliumPolicies: [
        cnpCilium('prod', 'web-c', {
          endpointSelector: { matchLabels: { app: 'web' } },
          enableDefaultDeny: { ingress: false },
          ingressDeny: [{ fromEndpoints: [{ matchLabels: { app: 'nobody' } }] }],
        }),
      ],
    }),
    'prod',
    'web',
    ['web-1', 'web-2'],
  );
  const mixed = deployment(state, 'prod', 'mixed', ['m-1', 'm-2']);

  test('one statement per rule and peer, the policies sorted, named ports resolved on the protocol', () => {
    const web = exposures(state).get('prod/web')!;
    assert.equal(web.ingress.status, 'isolated');
    // z-v1 selects only web-1, whose class comes first; the Cilium rule set does not isolate.
    assert.deepEqual(web.ingress.policies, ['prod/a-web', 'prod/z-v1']);
    assert.deepEqual(statements(web.ingress), [
      'spec.ingress[0].from[0] prod/z-v1 pods TCP 80 [] [] true [prod/Deployment/web,prod/Pod/m-2,prod/Pod/other] false',
      'spec.ingress[1].from[0] prod/z-v1 pods No connections [] [metrics/TCP] false [prod/Deployment/web,prod/Pod/m-2,prod/Pod/other] false',
      'spec.ingress[0].from[0] prod/a-web pods TCP 8080 [] [http/UDP] true [prod/Pod/other] false',
    ]);
    const named = web.ingress.statements[2]!.rulePorts;
    assert.ok(!named.any);
    assert.deepEqual(
      named.named.map((n) => `${n.name}/${n.protocol} ${n.resolution.kind}`),
      ['http/UDP undefined', 'http/TCP defined'],
    );
    // The Cilium rule, once for both classes, not isolating.
    assert.deepEqual(
      web.ingress.cilium.map((c) => `${c.policy} ${c.path} ${c.isolates}`),
      ['CiliumNetworkPolicy/prod/web-c spec.ingressDeny[0] false'],
    );
  });

  test('a workload with one pod on the host network is on the host network', () => {
    const w = exposures(mixed).get('prod/mixed')!;
    assert.equal(w.ingress.status, 'host-network');
    assert.equal(w.egress.status, 'host-network');
  });
});

describe('flags given by Admin and Baseline rules', () => {
  const pods = [pod('prod', 'web', { app: 'web' }), pod('dev', 'client', { app: 'client' })];
  const namespaces = [ns('prod', { team: 'a' }), ns('dev', { team: 'b' })];
  const denyAll = policy('prod', 'deny', {
    podSelector: {},
    ingress: [],
    egress: [],
    policyTypes: ['Ingress', 'Egress'],
  });
  const flagsOf = (state: ClusterState): string[] => flags(exposures(state).get('prod/web')!);

  test('an Admin allow from every namespace gives the flag where NetworkPolicies deny', () => {
    const state = cluster({
      namespaces,
      pods,
      policies: [denyAll],
      clusterPolicies: [
        anp('z-all', {
          priority: 20,
          subject: { namespaces: {} },
          ingress: [
            {
              action: 'Allow',
              from: [{ pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: 'client' } } } }],
            },
            {
              action: 'Allow',
              from: [{ namespaces: { matchExpressions: [{ key: 'team', operator: 'Exists' }] } }],
            },
            { action: 'Allow', from: [{ namespaces: {} }] },
          ],
        }),
        anp('a-first', {
          priority: 5,
          subject: { namespaces: {} },
          ingress: [{ action: 'Deny', from: [{ namespaces: { matchLabels: { team: 'x' } } }] }],
        }),
      ],
    });
    const web = exposures(state).get('prod/web')!;
    assert.deepEqual(
      web.ingress.admin.map((t) => `${t.policy} ${t.path} ${t.everyNamespace}`),
      [
        'AdminNetworkPolicy/a-first spec.ingress[0].from[0] false',
        'AdminNetworkPolicy/z-all spec.ingress[0].from[0] true',
        'AdminNetworkPolicy/z-all spec.ingress[1].from[0] false',
        'AdminNetworkPolicy/z-all spec.ingress[2].from[0] true',
      ],
    );
    assert.deepEqual(flagsOf(state), [
      'reachable-from-all-namespaces: [] tiers [AdminNetworkPolicy/z-all spec.ingress[0].from[0], AdminNetworkPolicy/z-all spec.ingress[2].from[0]] cilium [] names []',
    ]);
  });

  test('a namespace with host-network pods only is not one that must reach it', () => {
    // The Admin allow matches no host-network pod, which the deny-all NetworkPolicy stops: every namespace
    // with pods still reaches web.
    const state = cluster({
      namespaces: [...namespaces, ns('infra')],
      pods: [...pods, pod('infra', 'agent', { app: 'agent' }, { hostNetwork: true })],
      policies: [denyAll],
      clusterPolicies: [
        anp('all', {
          priority: 1,
          subject: { namespaces: {} },
          ingress: [{ action: 'Allow', from: [{ namespaces: {} }] }],
        }),
      ],
    });
    assert.deepEqual(flagsOf(state), [
      'reachable-from-all-namespaces: [] tiers [AdminNetworkPolicy/all spec.ingress[0].from[0]] cilium [] names []',
    ]);
  });

  test('the Admin rules of a workload’s two classes are in priority order', () => {
    const subject = (v: string) => ({ pods: { namespaceSelector: {}, podSelector: { matchLabels: { v } } } });
    const rule = { action: 'Allow' as const, from: [{ namespaces: {} }] };
    for (const [first, second] of [
      ['1', '2'],
      ['2', '1'],
    ] as const) {
      const state = deployment(
        cluster({
          namespaces,
          pods: [pod('prod', 'web-1', { app: 'web', v: '1' }), pod('prod', 'web-2', { app: 'web', v: '2' })],
          clusterPolicies: [
            anp('late', { priority: 20, subject: subject(first), ingress: [rule] }),
            anp('early', { priority: 5, subject: subject(second), ingress: [rule] }),
          ],
        }),
        'prod',
        'web',
        ['web-1', 'web-2'],
      );
      assert.deepEqual(
        exposures(state)
          .get('prod/web')!
          .ingress.admin.map((t) => t.policy),
        ['AdminNetworkPolicy/early', 'AdminNetworkPolicy/late'],
      );
    }
  });

  test('an Admin or a Baseline deny of one namespace alone takes the flag away', () => {
    const deny = { action: 'Deny' as const, from: [{ namespaces: { matchLabels: { team: 'b' } } }] };
    const admin = cluster({
      namespaces,
      pods,
      clusterPolicies: [anp('deny-dev', { priority: 1, subject: { namespaces: {} }, ingress: [deny] })],
    });
    assert.deepEqual(
      exposures(admin)
        .get('prod/web')!
        .flags.map((f) => f.flag),
      ['reachable-from-outside', 'egress-to-internet'],
    );
    const baseline = cluster({
      namespaces,
      pods,
      clusterPolicies: [banp({ subject: { namespaces: {} }, ingress: [deny] })],
    });
    assert.deepEqual(
      exposures(baseline)
        .get('prod/web')!
        .flags.map((f) => f.flag),
      ['reachable-from-outside', 'egress-to-internet'],
    );
  });

  test('internet by DNS name only: the domainNames rule is the reason, not the open direction', () => {
    const state = cluster({
      namespaces,
      pods,
      clusterPolicies: [
        anp('names', {
          priority: 1,
          subject: { namespaces: {} },
          egress: [
            { action: 'Allow', to: [{ domainNames: ['example.com'] }] },
            { action: 'Deny', to: [{ networks: ['0.0.0.0/0', '::/0'] }] },
          ],
        }),
      ],
    });
    const web = exposures(state).get('prod/web')!;
    assert.equal(web.egress.status, 'not-isolated');
    assert.deepEqual(flags(web).slice(-1), [
      'egress-to-internet: [] tiers [AdminNetworkPolicy/names spec.egress[0].to[0]] cilium [] names []',
    ]);
  });
});

describe('tier rules by address', () => {
  test('Admin allow rules to public networks are cited for egress-to-internet; deny rules are not', () => {
    const state = cluster({
      namespaces: [ns('prod')],
      pods: [pod('prod', 'web', { app: 'web' })],
      policies: [policy('prod', 'deny', { podSelector: {}, egress: [], policyTypes: ['Egress'] })],
      clusterPolicies: [
        anp('early', {
          priority: 1,
          subject: { namespaces: {} },
          egress: [{ action: 'Allow', to: [{ networks: ['8.8.0.0/16'] }] }],
        }),
        anp('late', {
          priority: 9,
          subject: { namespaces: {} },
          egress: [{ action: 'Deny', to: [{ networks: ['8.8.8.0/24'] }] }],
        }),
      ],
    });
    const internet = exposures(state)
      .get('prod/web')!
      .flags.find((f) => f.flag === 'egress-to-internet')!;
    assert.deepEqual(
      internet.byTiers.map((t) => `${t.policy} ${t.action}`),
      ['AdminNetworkPolicy/early allow'],
    );
  });
});

describe('reasons from NetworkPolicies and Cilium rules', () => {
  test('a statement that allows nothing is no reason to be reachable from outside', () => {
    const state = cluster({
      namespaces: [ns('prod')],
      pods: [pod('prod', 'web', { app: 'web' })],
      policies: [
        policy('prod', 'in', {
          podSelector: {},
          ingress: [
            { from: [{ ipBlock: { cidr: '203.0.113.0/24' } }], ports: [{ port: 'metrics' }] },
            { from: [{ ipBlock: { cidr: '198.51.100.0/24' } }], ports: [{ port: 80 }] },
          ],
          egress: [{ ports: [{ port: 443 }] }],
          policyTypes: ['Ingress', 'Egress'],
        }),
      ],
    });
    assert.deepEqual(flags(exposures(state).get('prod/web')!), [
      'reachable-from-outside: [spec.ingress[1].from[0]] tiers [] cilium [] names []',
      // A rule without peers reaches the internet.
      'egress-to-internet: [spec.egress[0]] tiers [] cilium [] names []',
    ]);
  });

  const rule = (peer: object, port: string) => ({
    ...peer,
    toPorts: [{ ports: [{ port, protocol: 'TCP' }] }],
  });
  const state = cluster({
    namespaces: [ns('prod'), ns('dev')],
    pods: [
      pod('prod', 'web', { app: 'web' }),
      pod('prod', 'x', { app: 'x' }),
      pod('dev', 'client', { app: 'client' }),
    ],
    ciliumPolicies: [
      cnpCilium('prod', 'web-c', {
        endpointSelector: { matchLabels: { app: 'web' } },
        ingress: [
          rule({ fromEntities: ['world'] }, '81'),
          { toPorts: [{ ports: [{ port: '82', protocol: 'TCP' }] }] },
          rule({ fromEntities: ['all'] }, '83'),
          rule({ fromEntities: ['cluster'] }, '84'),
          rule({ fromEndpoints: [{ matchLabels: { app: 'x' } }], fromCIDR: ['192.0.2.0/24'] }, '85'),
          {
            fromEndpoints: [{ matchLabels: { app: 'x' } }],
            toPorts: [
              { ports: [{ port: '86', protocol: 'TCP' }], rules: { http: [{ method: 'GET' }] } },
              { ports: [{ port: '87', protocol: 'TCP' }], rules: { http: [{ method: 'PUT' }] } },
            ],
          },
        ],
        ingressDeny: [rule({ fromEntities: ['world'] }, '22')],
        egress: [
          {
            toFQDNs: [{ matchName: 'api.example.com' }],
            toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }],
          },
          rule({ toCIDR: ['8.8.8.8/32'] }, '53'),
          rule({ toEntities: ['world'] }, '123'),
          // Names are learnt from DNS answers the proxy sees.
          {
            toEndpoints: [{}],
            toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }],
          },
        ],
      }),
      cnpCilium('prod', 'web-open', {
        endpointSelector: { matchLabels: { app: 'web' } },
        enableDefaultDeny: { ingress: false, egress: false },
        ingress: [rule({ fromEndpoints: [{ matchLabels: { app: 'x' } }] }, '90')],
      }),
      cnpCilium('prod', 'x-c', {
        endpointSelector: { matchLabels: { app: 'x' } },
        ingress: [rule({ fromEndpoints: [{ matchLabels: { app: 'web' } }] }, '91')],
      }),
    ],
  });

  test('Cilium allow rules are cited for the flags their peers may give; deny rules never', () => {
    const web = exposures(state).get('prod/web')!;
    assert.deepEqual(web.ingress.policies, ['CiliumNetworkPolicy/prod/web-c']);
    assert.deepEqual(
      web.ingress.cilium.map((c) => `${c.policy} ${c.path} ${c.isolates} [${c.l7.join(',')}]`),
      [
        'CiliumNetworkPolicy/prod/web-c spec.ingress[0] true []',
        'CiliumNetworkPolicy/prod/web-c spec.ingress[1] true []',
        'CiliumNetworkPolicy/prod/web-c spec.ingress[2] true []',
        'CiliumNetworkPolicy/prod/web-c spec.ingress[3] true []',
        'CiliumNetworkPolicy/prod/web-c spec.ingress[4] true []',
        'CiliumNetworkPolicy/prod/web-c spec.ingress[5] true [http]',
        'CiliumNetworkPolicy/prod/web-c spec.ingressDeny[0] true []',
        'CiliumNetworkPolicy/prod/web-open spec.ingress[0] false []',
      ],
    );
    assert.deepEqual(flags(web), [
      'reachable-from-outside: [] tiers [] cilium [CiliumNetworkPolicy/prod/web-c spec.ingress[0], CiliumNetworkPolicy/prod/web-c spec.ingress[1], CiliumNetworkPolicy/prod/web-c spec.ingress[2], CiliumNetworkPolicy/prod/web-c spec.ingress[4]] names []',
      'reachable-from-all-namespaces: [] tiers [] cilium [CiliumNetworkPolicy/prod/web-c spec.ingress[1], CiliumNetworkPolicy/prod/web-c spec.ingress[2], CiliumNetworkPolicy/prod/web-c spec.ingress[3]] names []',
      'egress-to-internet: [] tiers [] cilium [CiliumNetworkPolicy/prod/web-c spec.egress[1], CiliumNetworkPolicy/prod/web-c spec.egress[2]] names [api.example.com CiliumNetworkPolicy/prod/web-c]',
    ]);
    // x is reached from web only: not every namespace.
    assert.deepEqual(
      exposures(state)
        .get('prod/x')!
        .flags.map((f) => f.flag),
      ['egress-to-internet'],
    );
  });
});
