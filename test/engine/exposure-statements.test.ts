/**
 * Details of `computeExposure` (src/engine/exposure.ts) for the survivors of its first Stryker run (issue #20,
 * round 9): where statements are cited, named ports on ingress and in rules without peers, tier statements'
 * ports and today's pods, tier policies shared by two classes, Cilium rule sets by direction, the flags' reasons
 * (tier rules by address, Cilium entities and endpoints, DNS names, public networks), and statements of a
 * workload whose classes resolve a named port differently. Clusters are built in code.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileCluster } from '../../src/engine/compile.ts';
import { computeConnectivity } from '../../src/engine/connectivity.ts';
import { computeExposure } from '../../src/engine/exposure.ts';
import { formatPorts } from '../../src/describe/ports.ts';
import { resolveCniProfile } from '../../src/engine/profiles.ts';
import { buildRefIndex } from '../../src/engine/refs.ts';
import type { ClusterState } from '../../src/model/cluster.ts';
import type { CiliumRule } from '../../src/model/cilium-wire.ts';
import { anp, ccnp, cluster, cnpCilium, namedPort, node, ns, pod, policy } from '../support/builders.ts';
import { deployment, exposures, flags } from '../support/exposure.ts';

const at = (line: number) => ({ file: 'p.yaml', line, column: 1 });
const where = (l: { file: string; line: number } | undefined): string =>
  l === undefined ? '-' : `${l.file}:${l.line}`;
const web = { matchLabels: { app: 'web' } };
const webPods = { pods: { namespaceSelector: {}, podSelector: web } };

describe('where statements are cited', () => {
  const state = cluster({
    namespaces: [ns('prod'), ns('dev')],
    pods: [
      pod('prod', 'web', { app: 'web' }, { ips: ['10.0.0.1'] }),
      pod('dev', 'client', { app: 'client' }, { ips: ['10.0.1.1'] }),
    ],
    policies: [
      {
        ...policy('prod', 'in', { podSelector: web, ingress: [{ from: [{ podSelector: {} }] }] }),
        origin: at(3),
      },
    ],
    clusterPolicies: [
      {
        ...anp('located', {
          priority: 1,
          subject: webPods,
          ingress: [{ name: 'a', action: 'Allow', from: [{ namespaces: {} }] }],
        }),
        origin: { ...at(10), locate: () => at(12) },
      },
      {
        ...anp('unlocated', {
          priority: 2,
          subject: webPods,
          ingress: [{ name: 'b', action: 'Allow', from: [{ namespaces: {} }] }],
        }),
        origin: at(20),
      },
    ],
    ciliumPolicies: [
      {
        ...cnpCilium('prod', 'c', { endpointSelector: web, ingress: [{ fromEntities: ['cluster'] }] }),
        origin: at(30),
      },
    ],
  });
  test('at the position the origin locates, or at the origin itself', () => {
    const w = exposures(state).get('prod/web')!;
    assert.deepEqual(
      [w.ingress.statements, w.ingress.admin, w.ingress.cilium].map((list) =>
        list.map((s) => where(s.location)),
      ),
      [['p.yaml:3'], ['p.yaml:12', 'p.yaml:20'], ['p.yaml:30']],
    );
  });
});

// prod/web defines http (8080) and metrics (9090); dev/client has 10.0.1.1.
const base = {
  namespaces: [ns('prod'), ns('dev')],
  pods: [
    pod(
      'prod',
      'web',
      { app: 'web' },
      { ips: ['10.0.0.1'], namedPorts: [namedPort('http', 8080), namedPort('metrics', 9090)] },
    ),
    pod('dev', 'client', { app: 'client' }, { ips: ['10.0.1.1'] }),
  ],
};

describe('NetworkPolicy statements', () => {
  const state = cluster({
    ...base,
    policies: [
      policy('prod', 'np', {
        podSelector: web,
        policyTypes: ['Ingress', 'Egress'],
        ingress: [
          { from: [{ podSelector: {} }], ports: [{ port: 'metrics' }] },
          { from: [{ ipBlock: { cidr: '10.0.0.0/16' } }] },
        ],
        egress: [{ ports: [{ port: 'http' }] }],
      }),
    ],
  });
  const w = exposures(state).get('prod/web')!;

  test('a named port the workload defines, second of its named ports, is not undefined', () => {
    assert.deepEqual(w.ingress.statements[0]!.undefinedNamedPorts, []);
  });

  test('an ipBlock peer names no pods of today, though a pod IP is in it', () => {
    assert.equal(w.ingress.statements[1]!.peer.kind, 'addresses');
    assert.deepEqual(w.ingress.statements[1]!.today, []);
  });

  test('an egress rule without peers and with a named port only allows something (on pods that define it)', () => {
    assert.deepEqual(
      w.egress.statements.map((x) => `${x.path} [${x.namedPorts.join()}] ${x.allowsSomething}`),
      ['spec.egress[0] [http/TCP] true'],
    );
  });
});

describe('tier statements', () => {
  const state = cluster({
    ...base,
    clusterPolicies: [
      anp('t', {
        priority: 1,
        subject: webPods,
        ingress: [
          {
            name: 'i',
            action: 'Allow',
            from: [{ namespaces: {} }],
            ports: [{ portNumber: { port: 80, protocol: 'TCP' } }],
          },
        ],
        egress: [
          {
            name: 'e',
            action: 'Allow',
            to: [{ domainNames: ['api.example.com'] }],
            ports: [{ portNumber: { port: 443, protocol: 'TCP' } }],
          },
        ],
      }),
    ],
  });
  const w = exposures(state).get('prod/web')!;

  test("each rule's own ports, ingress and egress", () => {
    assert.deepEqual(
      w.ingress.admin.map((x) => x.ports),
      [[{ kind: 'range', protocol: 'TCP', start: 80, end: 80 }]],
    );
    assert.deepEqual(
      w.egress.admin.map((x) => x.ports),
      [[{ kind: 'range', protocol: 'TCP', start: 443, end: 443 }]],
    );
  });

  test("a DNS name peer names no pods of today; a namespaces peer, today's pods", () => {
    assert.deepEqual(w.egress.admin[0]!.today, []);
    assert.deepEqual(w.ingress.admin[0]!.today, ['dev/Pod/client', 'prod/Pod/web']);
  });
});

describe('a workload whose two classes resolve a named port differently', () => {
  const state = deployment(
    cluster({
      namespaces: [ns('prod')],
      pods: [
        pod('prod', 'web-1', { app: 'web', v: '1' }, { namedPorts: [namedPort('http', 8080)] }),
        pod('prod', 'web-2', { app: 'web', v: '2' }, { namedPorts: [namedPort('http', 9090)] }),
      ],
      policies: [
        policy('prod', 'in', {
          podSelector: web,
          ingress: [{ from: [{ podSelector: {} }], ports: [{ port: 'http' }] }],
        }),
        // Reads the label v, so that web-1 and web-2 fall in two classes.
        policy('prod', 'v', { podSelector: { matchLabels: { v: '1' } }, ingress: [] }),
      ],
      clusterPolicies: [
        anp('shared', {
          priority: 1,
          subject: webPods,
          ingress: [{ name: 'a', action: 'Allow', from: [{ namespaces: {} }] }],
        }),
      ],
    }),
    'prod',
    'web',
    ['web-1', 'web-2'],
  );
  const w = exposures(state).get('prod/web')!;

  test('one statement per resolution of the rule', () => {
    assert.deepEqual(
      w.ingress.statements.map((x) => `${x.path} ${formatPorts(x.ports)}`),
      ['spec.ingress[0].from[0] TCP 8080', 'spec.ingress[0].from[0] TCP 9090'],
    );
  });

  test('a cluster policy selecting both classes is cited once', () => {
    assert.deepEqual(
      w.ingress.admin.map((x) => `${x.policy} ${x.path}`),
      ['AdminNetworkPolicy/shared spec.ingress[0].from[0]'],
    );
  });
});

describe('Cilium rule sets without default deny, and the flags their rules give', () => {
  const rule = (peer: object, port: string) => ({
    ...peer,
    toPorts: [{ ports: [{ port, protocol: 'TCP' }] }],
  });
  const state = cluster({
    ...base,
    ciliumPolicies: [
      cnpCilium('prod', 'open', {
        endpointSelector: web,
        enableDefaultDeny: { ingress: false, egress: false },
        ingress: [
          rule({ fromEntities: ['world-ipv4'] }, '81'),
          { fromEndpoints: [{}], toPorts: [{ ports: [{ port: 'http', protocol: 'TCP' }] }] },
        ],
        ingressDeny: [rule({ fromEntities: ['world'] }, '22')],
        egress: [
          rule({ toEntities: ['world'] }, '443'),
          {
            toFQDNs: [
              { matchName: 'a.example.com' },
              { matchName: 'b.example.com' },
              { matchPattern: '*.example.org' },
            ],
            toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }],
          },
          {
            toEndpoints: [{}],
            toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }],
          },
        ],
      }),
      ccnp('everyone', {
        endpointSelector: web,
        enableDefaultDeny: { ingress: false },
        ingress: [
          rule({ fromEndpoints: [{ matchLabels: { app: 'client' } }] }, '82'),
          rule(
            {
              fromEndpoints: [
                {
                  matchExpressions: [
                    { key: 'k8s:io.kubernetes.pod.namespace', operator: 'In', values: ['dev'] },
                  ],
                },
              ],
            },
            '83',
          ),
          rule({ fromEndpoints: [{ matchExpressions: [{ key: 'app', operator: 'Exists' }] }] }, '84'),
          rule(
            { fromEndpoints: [{ matchExpressions: [{ key: 'app', operator: 'In', values: ['client'] }] }] },
            '85',
          ),
          rule(
            {
              fromEndpoints: [
                {
                  matchExpressions: [
                    { key: 'app', operator: 'Exists' },
                    { key: 'k8s:io.kubernetes.pod.namespace', operator: 'In', values: ['dev'] },
                  ],
                },
              ],
            },
            '86',
          ),
        ],
      }),
      cnpCilium('prod', 'egress-only', {
        endpointSelector: web,
        enableDefaultDeny: { egress: false },
        egress: [rule({ toEntities: ['cluster'] }, '8443')],
      }),
    ],
  });
  const w = exposures(state).get('prod/web')!;

  test('not isolated: every rule listed, each direction its own (a rule set with egress rules only too); ingress named ports resolved here', () => {
    assert.equal(w.ingress.status, 'not-isolated');
    assert.equal(w.egress.status, 'not-isolated');
    const list = (d: typeof w.ingress): string[] =>
      d.cilium.map(
        (c) =>
          `${c.policy} ${c.path} ${c.ports.any ? 'any' : `${formatPorts(c.ports.ports)} [${c.ports.named.join()}]`}`,
      );
    assert.deepEqual(list(w.ingress), [
      'CiliumNetworkPolicy/prod/open spec.ingress[0] TCP 81 []',
      'CiliumNetworkPolicy/prod/open spec.ingress[1] TCP 8080 []',
      'CiliumNetworkPolicy/prod/open spec.ingressDeny[0] TCP 22 []',
      'CiliumClusterwideNetworkPolicy/everyone spec.ingress[0] TCP 82 []',
      'CiliumClusterwideNetworkPolicy/everyone spec.ingress[1] TCP 83 []',
      'CiliumClusterwideNetworkPolicy/everyone spec.ingress[2] TCP 84 []',
      'CiliumClusterwideNetworkPolicy/everyone spec.ingress[3] TCP 85 []',
      'CiliumClusterwideNetworkPolicy/everyone spec.ingress[4] TCP 86 []',
    ]);
    assert.deepEqual(list(w.egress), [
      'CiliumNetworkPolicy/prod/open spec.egress[0] TCP 443 []',
      'CiliumNetworkPolicy/prod/open spec.egress[1] TCP 443 []',
      'CiliumNetworkPolicy/prod/open spec.egress[2] TCP 53; UDP 53; SCTP 53 []',
      'CiliumNetworkPolicy/prod/egress-only spec.egress[0] TCP 8443 []',
    ]);
  });

  test('world-ipv4 is outside; endpoints of any namespace (clusterwide) give every namespace; names one by one; patterns are no public address', () => {
    assert.deepEqual(flags(w), [
      'reachable-from-outside: not-isolated tiers [] cilium [CiliumNetworkPolicy/prod/open spec.ingress[0]] names []',
      'reachable-from-all-namespaces: not-isolated tiers [] cilium [CiliumClusterwideNetworkPolicy/everyone spec.ingress[0], CiliumClusterwideNetworkPolicy/everyone spec.ingress[2], CiliumClusterwideNetworkPolicy/everyone spec.ingress[3]] names []',
      'egress-to-internet: not-isolated tiers [] cilium [CiliumNetworkPolicy/prod/open spec.egress[0]] names [a.example.com CiliumNetworkPolicy/prod/open, b.example.com CiliumNetworkPolicy/prod/open, *.example.org CiliumNetworkPolicy/prod/open]',
    ]);
  });

  test('a clusterwide rule set isolating the workload, whose rule allows pods of every namespace, gives the flag', () => {
    const isolating = cluster({
      ...base,
      ciliumPolicies: [ccnp('everyone', { endpointSelector: web, ingress: [{ fromEndpoints: [{}] }] })],
    });
    const x = exposures(isolating).get('prod/web')!;
    assert.equal(x.ingress.status, 'isolated');
    // Today's pods of the rule, in the index's order (not the classes').
    assert.deepEqual(x.ingress.cilium[0]!.today, ['dev/Pod/client', 'prod/Pod/web']);
    assert.deepEqual(flags(x), [
      'reachable-from-all-namespaces: [] tiers [] cilium [CiliumClusterwideNetworkPolicy/everyone spec.ingress[0]] names []',
      'egress-to-internet: not-isolated tiers [] cilium [] names []',
    ]);
  });
});

describe('flags from tier allow rules and NetworkPolicy peers', () => {
  test('every namespace: a namespaces peer; internet: networks holding a public address, not private ones nor pods', () => {
    const state = cluster({
      ...base,
      clusterPolicies: [
        anp('t', {
          priority: 1,
          subject: webPods,
          ingress: [{ name: 'ns', action: 'Allow', from: [{ namespaces: {} }] }],
          egress: [
            { name: 'ns', action: 'Allow', to: [{ namespaces: {} }] },
            { name: 'private', action: 'Allow', to: [{ networks: ['10.0.0.0/8'] }] },
            { name: 'mixed', action: 'Allow', to: [{ networks: ['10.0.0.0/8', '8.8.8.0/24'] }] },
          ],
        }),
      ],
    });
    assert.deepEqual(flags(exposures(state).get('prod/web')!), [
      'reachable-from-outside: not-isolated tiers [] cilium [] names []',
      'reachable-from-all-namespaces: not-isolated tiers [AdminNetworkPolicy/t spec.ingress[0].from[0]] cilium [] names []',
      'egress-to-internet: not-isolated tiers [AdminNetworkPolicy/t spec.egress[2].to[0]] cilium [] names []',
    ]);
  });

  test('pods by label in every namespace: the flag, though no pod of prod has the label today', () => {
    const state = cluster({
      ...base,
      policies: [
        policy('prod', 'np', {
          podSelector: web,
          ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: 'client' } } }] }],
        }),
      ],
    });
    assert.deepEqual(flags(exposures(state).get('prod/web')!), [
      'reachable-from-all-namespaces: [spec.ingress[0].from[0]] tiers [] cilium [] names []',
      'egress-to-internet: not-isolated tiers [] cilium [] names []',
    ]);
  });
});

describe('flags: a workload of two classes, DNS names only, no pods', () => {
  test('every namespace reaches one of its classes: the flag, though the other class is closed', () => {
    const state = deployment(
      cluster({
        namespaces: [ns('prod'), ns('dev')],
        pods: [
          pod('prod', 'web-1', { app: 'web', v: '1' }),
          pod('prod', 'web-2', { app: 'web', v: '2' }),
          pod('dev', 'client', { app: 'client' }),
        ],
        policies: [policy('prod', 'closed', { podSelector: { matchLabels: { v: '1' } }, ingress: [] })],
        ciliumPolicies: [
          cnpCilium('prod', 'deny', {
            endpointSelector: web,
            enableDefaultDeny: { ingress: false },
            ingressDeny: [{ fromEndpoints: [{ matchLabels: { app: 'nobody' } }] }],
          }),
        ],
      }),
      'prod',
      'web',
      ['web-1', 'web-2'],
    );
    const w = exposures(state).get('prod/web')!;
    assert.ok(w.flags.some((f) => f.flag === 'reachable-from-all-namespaces'));
  });

  test('internet by DNS name only: Cilium allow rules towards the world that deny rules take back are not cited', () => {
    const state = cluster({
      ...base,
      clusterPolicies: [
        anp('names', {
          priority: 1,
          subject: webPods,
          egress: [{ name: 'api', action: 'Allow', to: [{ domainNames: ['api.example.com'] }] }],
        }),
      ],
      ciliumPolicies: [
        cnpCilium('prod', 'world', {
          endpointSelector: web,
          egress: [{ toEntities: ['world'], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] }],
          egressDeny: [{ toEntities: ['world'] }],
        }),
      ],
    });
    const w = exposures(state).get('prod/web')!;
    assert.deepEqual(
      flags(w).filter((f) => f.startsWith('egress-to-internet')),
      ['egress-to-internet: [] tiers [AdminNetworkPolicy/names spec.egress[0].to[0]] cilium [] names []'],
    );
  });

  test('a workload without pods: neither direction is isolated', () => {
    const state = cluster(base);
    const empty = {
      ...state,
      workloads: [
        ...state.workloads,
        {
          id: 'prod/Deployment/empty',
          namespace: 'prod',
          kind: 'Deployment' as const,
          name: 'empty',
          labels: { app: 'web' },
          pods: [],
          replicas: 0,
        },
      ],
      policies: [policy('prod', 'closed', { podSelector: {}, ingress: [] })],
    };
    const w = exposures(empty).get('prod/empty')!;
    assert.deepEqual([w.ingress.status, w.egress.status], ['not-isolated', 'not-isolated']);
  });
});

describe("today's pods in the index's order, not the classes'", () => {
  // Classes follow the pods' order in the state (b first), the index sorts entities by name (a first).
  const state = cluster({
    namespaces: [ns('prod')],
    pods: [pod('prod', 'b', { app: 'b' }), pod('prod', 'a', { app: 'a' }), pod('prod', 'db', { app: 'db' })],
    policies: [
      policy('prod', 'np', {
        podSelector: { matchLabels: { app: 'db' } },
        ingress: [
          {
            from: [
              { podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['a', 'b'] }] } },
            ],
          },
        ],
      }),
    ],
    ciliumPolicies: [
      cnpCilium('prod', 'c', {
        endpointSelector: { matchLabels: { app: 'db' } },
        // Two peers: b's, then a's.
        ingress: [{ fromEndpoints: [{ matchLabels: { app: 'b' } }, { matchLabels: { app: 'a' } }] }],
      }),
    ],
  });
  const w = exposures(state).get('prod/db')!;

  test('a NetworkPolicy peer and a Cilium rule', () => {
    assert.deepEqual(w.ingress.statements[0]!.today, ['prod/Pod/a', 'prod/Pod/b']);
    assert.deepEqual(w.ingress.cilium[0]!.today, ['prod/Pod/a', 'prod/Pod/b']);
  });
});

describe('a pod reached only from its own node', () => {
  test('is not reachable-from-outside: a node address is in the cluster', () => {
    const state = cluster({
      namespaces: [ns('a')],
      nodes: [node('n1', {}, ['192.168.0.1'])],
      pods: [pod('a', 'web', { app: 'web' }, { ips: ['10.0.0.3'], nodeName: 'n1' })],
      policies: [policy('a', 'deny', { podSelector: {}, policyTypes: ['Ingress'] })],
    });
    const compiled = compileCluster(state);
    const c = computeConnectivity(compiled, 'workload');
    // The one connection in: from n1's address (the own-node rule), an address class of its own.
    const into = c.connections.filter((x) => x.dst === 'a/Pod/web');
    assert.deepEqual(
      into.map((x) => c.byId.get(x.src)!.kind),
      ['external'],
    );
    const x = computeExposure(buildRefIndex(compiled)).find((e) => e.name === 'a/web')!;
    assert.deepEqual(
      x.flags.map((f) => f.flag),
      ['egress-to-internet'],
    );
  });
});

describe('a host-network pod behind a Cilium host policy', () => {
  test('is flagged as connectivity reaches it: a host policy denying all leaves no flag, none without the host firewall', () => {
    const firewall = resolveCniProfile('cilium', ['enable-host-firewall=true']);
    const plain = resolveCniProfile('cilium', []);
    assert.ok(firewall.ok && plain.ok);
    const withHostPolicy = (spec: CiliumRule): ClusterState =>
      cluster({
        namespaces: [ns('a')],
        nodes: [node('n1', { role: 'w' }, ['192.168.0.1'])],
        pods: [
          pod('a', 'h', { app: 'h' }, { ips: ['192.168.0.1'], hostNetwork: true, nodeName: 'n1' }),
          pod('a', 'web', { app: 'web' }, { ips: ['10.0.0.3'], nodeName: 'n1' }),
        ],
        ciliumPolicies: [ccnp('host', { nodeSelector: { matchLabels: { role: 'w' } }, ...spec })],
      });
    const flagsOf = (s: ClusterState, name: string, cni = firewall.value): string[] =>
      computeExposure(buildRefIndex(compileCluster(s, { cni })))
        .find((x) => x.name === name)!
        .flags.map((f) => f.flag);
    /** Connections into (or out of) the pod from (or to) an address, as `analyze` lists them. */
    const external = (s: ClusterState, direction: 'ingress' | 'egress'): number => {
      const c = computeConnectivity(compileCluster(s, { cni: firewall.value }), 'workload');
      return c.connections.filter((x) =>
        direction === 'ingress'
          ? x.dst === 'a/Pod/h' && c.byId.get(x.src)!.kind === 'external'
          : x.src === 'a/Pod/h' && c.byId.get(x.dst)!.kind === 'external',
      ).length;
    };
    const all = ['reachable-from-outside', 'reachable-from-all-namespaces', 'egress-to-internet'];
    const closed = withHostPolicy({
      ingressDeny: [{ fromEntities: ['all'] }],
      egressDeny: [{ toEntities: ['all'] }],
    });
    assert.equal(external(closed, 'ingress'), 0);
    assert.equal(external(closed, 'egress'), 0);
    assert.deepEqual(flagsOf(closed, 'a/h'), []);
    // Its sides cite the host policy (isolated by it), not "host network: policies do not apply".
    const sides = (s: ClusterState, cni = firewall.value): string[] => {
      const x = computeExposure(buildRefIndex(compileCluster(s, { cni }))).find((e) => e.name === 'a/h')!;
      return [x.ingress, x.egress].map(
        (d) => `${d.status} ${d.cilium.map((c) => `${c.policy} ${c.path}`).join(', ')}`,
      );
    };
    assert.deepEqual(sides(closed), [
      'isolated CiliumClusterwideNetworkPolicy/host spec.ingressDeny[0]',
      'isolated CiliumClusterwideNetworkPolicy/host spec.egressDeny[0]',
    ]);
    assert.deepEqual(sides(closed, plain.value), ['host-network ', 'host-network ']);
    // Without the host firewall no host policy applies: open both ways.
    assert.deepEqual(flagsOf(closed, 'a/h', plain.value), all);
    // A host policy letting only the host in and out: each flag as connectivity has it.
    const hostOnly = withHostPolicy({
      ingress: [{ fromEntities: ['host'] }],
      egress: [{ toEntities: ['host'] }],
    });
    // In and out, it reaches one address class, its node's own address (the host): in the cluster, and no
    // internet address, so no flag.
    const flags = flagsOf(hostOnly, 'a/h');
    assert.equal(external(hostOnly, 'ingress'), 1);
    assert.deepEqual(flags, []);
    assert.equal(external(hostOnly, 'egress'), 1);
    // A workload with the closed host-network pod and one whose egress a NetworkPolicy closes, no ingress policy.
    const mixed = deployment(
      { ...closed, policies: [policy('a', 'closed', { podSelector: {}, policyTypes: ['Egress'] })] },
      'a',
      'mixed',
      ['h', 'web'],
    );
    assert.deepEqual(flagsOf(mixed, 'a/mixed'), ['reachable-from-outside', 'reachable-from-all-namespaces']);
  });
});
