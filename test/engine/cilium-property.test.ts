/**
 * Cilium policies against the naive reference evaluator: for random small clusters (NetworkPolicies,
 * cluster policies of both tiers, Nodes) with random CiliumNetworkPolicies and
 * CiliumClusterwideNetworkPolicies (allow and deny rules, `enableDefaultDeny` overrides, endpoint selectors
 * on identity labels, entities, CIDR sets with excepts, node selectors, named ports, ANY and ICMP, L7 rules,
 * names; toServices; host policies with the host firewall on and off), every pod pair and pod/address pair on every probed port is decided by `naiveAllowed`, and
 * `compileCluster`'s `allowedBetween` must agree. The incremental engine (which recomputes when Cilium
 * policies are present) must equal `compileCluster` after NetworkPolicy edits on such clusters.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compileCluster, type Endpoint, type EngineOptions } from '../../src/engine/compile.ts';
import { UPSTREAM_PROFILE, type CniProfile } from '../../src/engine/profiles.ts';
import { computeConnectivity } from '../../src/engine/connectivity.ts';
import { computeGroupedConnectivity } from '../../src/engine/grouped.ts';
import { createIncrementalEngine } from '../../src/engine/incremental.ts';
import { portsContain, portsEqual } from '../../src/engine/ports.ts';
import { explainConnection, type ExplainEnd } from '../../src/engine/explain.ts';
import { allowedBetweenEnds } from '../../src/engine/cilium-l7.ts';
import type { ClassEnd } from '../../src/engine/connectivity.ts';
import { formatPorts } from '../../src/describe/ports.ts';
import type { ClusterState } from '../../src/model/cluster.ts';
import type { CiliumPolicyInfo } from '../../src/model/cilium.ts';
import type { CiliumRule } from '../../src/model/cilium-wire.ts';
import { PROTOCOLS, type LabelSelector } from '../../src/model/k8s.ts';
import {
  CIDRS,
  probeIps,
  probePorts,
  selectorArb,
  specArb,
  tieredClusterInputArb,
} from '../support/arbitraries.ts';
import { ccnp, cluster, cnpCilium, policy } from '../support/builders.ts';
import { naiveAllowed, type NaiveOptions } from '../support/naive.ts';
import { conformanceCluster, describeConnectivity } from '../support/verdicts.ts';

const NUM_RUNS = Number(process.env['NETFENCE_CILIUM_RUNS'] ?? 60);

const POD_VOCABULARY = { app: ['x', 'y', ''], team: ['x', 'y'] };
const NAMESPACES = ['a', 'b', 'c'];
const ENTITIES = [
  'world',
  'world-ipv4',
  'world-ipv6',
  'cluster',
  'cluster-mesh',
  'host',
  'remote-node',
  'all',
  'kube-apiserver',
  'health',
  'unmanaged',
];
const CIDR_LIST = Object.keys(CIDRS);

/**
 * `toServices` entries: by name (with a selector, without one but with backends, without either, missing) and
 * by the Services' labels (`withServices` adds the Services and the EndpointSlice).
 */
const SERVICE_PEERS = [
  { k8sService: { serviceName: 'x-svc', namespace: 'a' } },
  { k8sService: { serviceName: 'x-svc' } },
  { k8sService: { serviceName: 'outside', namespace: 'b' } },
  { k8sService: { serviceName: 'empty', namespace: 'b' } },
  { k8sService: { serviceName: 'missing' } },
  { k8sServiceSelector: { selector: { matchLabels: { tier: 'data' } } } },
  { k8sServiceSelector: { selector: { matchLabels: { tier: 'data' } }, namespace: 'c' } },
];

/** The Services of SERVICE_PEERS, and the EndpointSlice of b/outside (an outside address, a CIDR edge, IPv6). */
function withServices(state: ClusterState): ClusterState {
  const svc = (
    namespace: string,
    name: string,
    labels: Record<string, string>,
    selector?: Record<string, string>,
  ) => ({
    id: `${namespace}/${name}`,
    namespace,
    name,
    labels,
    spec: { ...(selector === undefined ? {} : { selector }), ports: [{ port: 80 }] },
  });
  state.services.push(
    svc('a', 'x-svc', { tier: 'front' }, { app: 'x' }),
    svc('b', 'outside', { tier: 'data' }),
    svc('b', 'empty', {}),
    svc('c', 'y-svc', { tier: 'data' }, { team: 'y' }),
  );
  state.serviceEndpoints = [
    {
      id: 'b/EndpointSlice/outside-1',
      kind: 'EndpointSlice',
      namespace: 'b',
      name: 'outside-1',
      service: 'outside',
      labels: { 'kubernetes.io/service-name': 'outside' },
      addresses: ['10.0.1.5', '192.0.2.7', 'fd00::5'],
    },
  ];
  return state;
}

/** Endpoint selectors: pod labels, sometimes with the namespace key, a namespace label, or a `k8s:` source. */
const endpointSelectorArb: fc.Arbitrary<LabelSelector> = fc
  .tuple(
    selectorArb(POD_VOCABULARY),
    fc.option(fc.constantFrom(...NAMESPACES), { nil: undefined }),
    fc.option(fc.constantFrom('x', 'y'), { nil: undefined, freq: 4 }),
    fc.boolean(),
  )
  .map(([sel, namespace, team, prefixed]) => {
    const extra: Record<string, string> = {};
    if (namespace !== undefined) extra[`${prefixed ? 'k8s:' : ''}io.kubernetes.pod.namespace`] = namespace;
    if (team !== undefined) extra['io.cilium.k8s.namespace.labels.team'] = team;
    if (Object.keys(extra).length === 0) return sel;
    return { ...sel, matchLabels: { ...sel.matchLabels, ...extra } };
  });

const cidrSetArb = fc
  .constantFrom(...CIDR_LIST)
  .chain((cidr) =>
    fc
      .subarray([...CIDRS[cidr]!], { maxLength: Math.min(2, CIDRS[cidr]!.length) })
      .map((except) => (except.length === 0 ? { cidr } : { cidr, except })),
  );

const portArb = fc.oneof(
  fc.record(
    {
      port: fc.constantFrom('53', '80', '443', '5000', '8080', '0', 'http', 'dns', 'metrics'),
      protocol: fc.constantFrom('TCP', 'UDP', 'SCTP', 'ANY', 'ICMP'),
    },
    { requiredKeys: ['port'], noNullPrototype: true },
  ),
  fc.constant({ port: '5000', endPort: 5010, protocol: 'TCP' }),
);

function toPortsArb(allow: boolean) {
  return fc.array(
    fc
      .tuple(fc.array(portArb, { maxLength: 2 }), allow ? fc.boolean() : fc.constant(false))
      .map(([ports, l7]) => ({
        ...(ports.length === 0 ? {} : { ports }),
        ...(l7 ? { rules: { http: [{ method: 'GET' }] } } : {}),
      })),
    { minLength: 1, maxLength: 2 },
  );
}

/** One rule: 0–2 peer fields (none: L4-only, or `{}`), optional `toPorts`, sometimes `icmps`. */
function ruleArb(direction: 'from' | 'to', allow: boolean) {
  const field = (name: string) => `${direction}${name}`;
  const peerArb = fc.oneof(
    fc.array(endpointSelectorArb, { minLength: 1, maxLength: 2 }).map((v) => ({ [field('Endpoints')]: v })),
    fc
      .array(fc.constantFrom(...ENTITIES), { minLength: 1, maxLength: 2 })
      .map((v) => ({ [field('Entities')]: v })),
    fc.array(cidrSetArb, { minLength: 1, maxLength: 2 }).map((v) => ({ [field('CIDRSet')]: v })),
    fc.constantFrom(...CIDR_LIST).map((c) => ({ [field('CIDR')]: [c] })),
    selectorArb({ role: ['worker', 'control'] }).map((s) => ({ [field('Nodes')]: [s] })),
    ...(direction === 'to' && allow ? [fc.constant({ toFQDNs: [{ matchName: 'example.com' }] })] : []),
    ...(direction === 'to' ? [fc.constantFrom(...SERVICE_PEERS).map((s) => ({ toServices: [s] }))] : []),
    // An empty selector list selects nothing, even with ports.
    fc.constantFrom('Endpoints', 'Entities', 'CIDR').map((f) => ({ [field(f)]: [] })),
  );
  return fc
    .tuple(
      fc.array(peerArb, { maxLength: 2 }),
      fc.option(
        fc.oneof(
          { weight: 6, arbitrary: toPortsArb(allow) },
          {
            weight: 1,
            arbitrary: fc
              .constant(null)
              .map((): ReturnType<typeof toPortsArb> extends fc.Arbitrary<infer T> ? T : never => []),
          },
        ),
        {
          nil: undefined,
        },
      ),
      fc.oneof({ weight: 6, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    )
    .map(([peers, toPorts, icmp]) => ({
      // toServices stands alone in a rule (the agent rejects it beside another peer field).
      ...(Object.assign(
        {},
        ...peers.filter((p) => 'toServices' in p || !peers.some((q) => 'toServices' in q)),
      ) as Record<string, unknown>),
      ...(toPorts === undefined ? {} : { toPorts }),
      ...(icmp ? { icmps: [{ fields: [{ type: 8 }] }] } : {}),
    }));
}

const ruleSetArb: fc.Arbitrary<CiliumRule> = fc
  .tuple(
    endpointSelectorArb,
    fc.array(ruleArb('from', true), { maxLength: 2 }),
    fc.array(ruleArb('from', false), { maxLength: 2 }),
    fc.array(ruleArb('to', true), { maxLength: 2 }),
    fc.array(ruleArb('to', false), { maxLength: 2 }),
    fc.option(
      fc.record({ ingress: fc.boolean(), egress: fc.boolean() }, { requiredKeys: [], noNullPrototype: true }),
      { nil: undefined, freq: 3 },
    ),
  )
  .map(([endpointSelector, ingress, ingressDeny, egress, egressDeny, enableDefaultDeny]) => ({
    endpointSelector,
    ...(ingress.length === 0 ? {} : { ingress }),
    ...(ingressDeny.length === 0 ? {} : { ingressDeny }),
    ...(egress.length === 0 ? {} : { egress }),
    ...(egressDeny.length === 0 ? {} : { egressDeny }),
    ...(enableDefaultDeny === undefined ? {} : { enableDefaultDeny }),
  }));

const ciliumPoliciesArb: fc.Arbitrary<CiliumPolicyInfo[]> = fc
  .array(fc.tuple(fc.option(fc.constantFrom(...NAMESPACES), { nil: undefined }), ruleSetArb), {
    minLength: 1,
    maxLength: 3,
  })
  .map((list) =>
    list.map(([namespace, spec], i) =>
      namespace === undefined ? ccnp(`ccnp${i}`, spec) : cnpCilium(namespace, `cnp${i}`, spec),
    ),
  );

const ciliumClusterArb: fc.Arbitrary<ClusterState> = fc
  .tuple(tieredClusterInputArb, ciliumPoliciesArb, fc.boolean())
  .map(([input, ciliumPolicies, tiers]) =>
    withServices(
      cluster({ ...input, clusterPolicies: tiers ? (input.clusterPolicies ?? []) : [], ciliumPolicies }),
    ),
  );

/** The policies' and pods' ports, Cilium's (and their neighbours). */
function probes(state: ClusterState): number[] {
  const ports = new Set(probePorts({ ...state }));
  for (const p of [53, 80, 443, 5000, 5010, 8080]) for (const q of [p - 1, p, p + 1]) ports.add(q);
  return [...ports].filter((p) => p >= 1 && p <= 65535);
}

/** Addresses: pod IPs, node addresses, every CIDR's edges, a few fixed. */
function addresses(state: ClusterState): string[] {
  const blocks = policy('a', 'edges', {
    ingress: [
      { from: CIDR_LIST.flatMap((cidr) => [cidr, ...CIDRS[cidr]!].map((c) => ({ ipBlock: { cidr: c } }))) },
    ],
  });
  return probeIps({ pods: state.pods, nodes: state.nodes, policies: [blocks] });
}

type Side = { pod: ClusterState['pods'][number] } | { ip: string };

function toEndpoint(side: Side): Endpoint {
  return 'pod' in side
    ? { kind: 'pod', namespace: side.pod.namespace, name: side.pod.name }
    : { kind: 'ip', ip: side.ip };
}

/** Fails when `compileCluster(state, engine)` and the naive evaluator (with `naive`) disagree on a probe. */
function agreesWithNaive(
  state: ClusterState,
  engine: Partial<EngineOptions> = {},
  naive: NaiveOptions = { ipBlockMatchesPods: true },
): void {
  const compiled = compileCluster(state, engine);
  const ports = probes(state);
  const ips = addresses(state);
  const pairs: [Side, Side][] = [];
  for (const s of state.pods) {
    for (const d of state.pods) pairs.push([{ pod: s }, { pod: d }]);
    for (const ip of ips) {
      pairs.push([{ pod: s }, { ip }]);
      pairs.push([{ ip }, { pod: s }]);
    }
  }
  for (const [s, d] of pairs) {
    const src = toEndpoint(s);
    const dst = toEndpoint(d);
    const got = compiled.allowedBetween(src, dst);
    for (const protocol of PROTOCOLS) {
      for (const port of ports) {
        const want = naiveAllowed(state, src, dst, protocol, port, naive);
        if (portsContain(got, protocol, port) !== want) {
          assert.fail(
            `${JSON.stringify(src)} -> ${JSON.stringify(dst)} ${protocol}/${port}: ` +
              `engine ${formatPorts(got)}, naive ${want ? 'allowed' : 'denied'}`,
          );
        }
      }
    }
  }
  assert.equal(computeGroupedConnectivity(compiled).pairs, computeConnectivity(compiled).connections.length);
}

/** Host policies: clusterwide rule sets with a nodeSelector (node roles, every node, `reserved:host`). */
const hostPoliciesArb: fc.Arbitrary<CiliumPolicyInfo[]> = fc
  .array(
    fc.tuple(
      fc.oneof(
        selectorArb({ role: ['worker', 'control'] }),
        fc.constant<LabelSelector>({ matchLabels: { 'reserved:host': '' } }),
      ),
      ruleSetArb,
    ),
    { minLength: 1, maxLength: 2 },
  )
  .map((list) =>
    list.map(([nodeSelector, spec], i) => {
      const rest: CiliumRule = { ...spec };
      delete rest.endpointSelector;
      return ccnp(`host${i}`, { ...rest, nodeSelector });
    }),
  );

/** Upstream's settings with Cilium's host firewall on: host policies apply, nothing else changes. */
const FIREWALL: CniProfile = {
  ...UPSTREAM_PROFILE,
  settings: { ...UPSTREAM_PROFILE.settings, hostFirewall: true },
};

describe('Cilium policies: compileCluster equals the naive evaluator', () => {
  test('random clusters with random Cilium policies (property)', () => {
    fc.assert(
      fc.property(ciliumClusterArb, (state) => agreesWithNaive(state)),
      { numRuns: NUM_RUNS },
    );
  });

  test('random clusters with random host policies, the host firewall on and off (property)', () => {
    fc.assert(
      fc.property(ciliumClusterArb, hostPoliciesArb, (state, hosts) => {
        // Host-network pods on the nodes (each at one node's address), so that host policies have subjects.
        const nodes = state.nodes.filter((n) => n.addresses.length > 0);
        let k = 0;
        const pods = state.pods.map((p) =>
          p.hostNetwork && nodes.length > 0 ? { ...p, ips: [nodes[k++ % nodes.length]!.addresses[0]!] } : p,
        );
        const withHosts = { ...state, pods, ciliumPolicies: [...state.ciliumPolicies, ...hosts] };
        agreesWithNaive(withHosts);
        agreesWithNaive(
          withHosts,
          { cni: FIREWALL },
          {
            ipBlockMatchesPods: true,
            cni: { cidrMatchesNodes: true, endPort: 'range', sctp: true, hostFirewall: true },
          },
        );
      }),
      { numRuns: Math.ceil(NUM_RUNS / 3) },
    );
  });
});

describe('Cilium policies: explain agrees with allowedBetween', () => {
  test('random clusters with random Cilium policies: every pod pair and pod/address pair (property)', () => {
    fc.assert(
      fc.property(ciliumClusterArb, (state) => {
        const compiled = compileCluster(state);
        const ends: ExplainEnd[] = [
          ...compiled.classes.map((c): ExplainEnd => ({ kind: 'pod', classId: c.id, name: `class ${c.id}` })),
          ...compiled.addressSpace.classes.map((a): ExplainEnd => ({
            kind: 'address',
            classId: a.id,
            name: `address ${a.id}`,
          })),
        ];
        for (const s of ends) {
          for (const d of ends) {
            if (s.kind === 'address' && d.kind === 'address') continue;
            const x = explainConnection(compiled, s, d);
            const src: ClassEnd = s.kind === 'pod' ? { pod: s.classId } : { address: s.classId };
            const dst: ClassEnd = d.kind === 'pod' ? { pod: d.classId } : { address: d.classId };
            const want = allowedBetweenEnds(compiled, src, dst);
            assert.ok(
              portsEqual(x.allowed, want),
              `${s.name} -> ${d.name}: explain ${formatPorts(x.allowed)}, engine ${formatPorts(want)}`,
            );
          }
        }
      }),
      { numRuns: Math.ceil(NUM_RUNS / 2) },
    );
  });
});

describe('Cilium policies: the incremental engine equals compileCluster', () => {
  test('a NetworkPolicy edit on a pod a Cilium policy selects keeps the Cilium rules', () => {
    const state = conformanceCluster({
      ciliumPolicies: [
        cnpCilium('prod', 'db', {
          endpointSelector: { matchLabels: { app: 'db' } },
          ingress: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }] }],
          egressDeny: [{ toEntities: ['world'] }],
        }),
      ],
    });
    const inc = createIncrementalEngine(state);
    const edited = policy('prod', 'db-from-agent', {
      podSelector: { matchLabels: { app: 'db' } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'client' } } }] }],
      egress: [{}],
    });
    for (const update of [() => inc.updatePolicy(edited), () => inc.removePolicy('prod/db-from-agent')]) {
      update();
      assert.deepEqual(
        describeConnectivity(inc.connectivity()),
        describeConnectivity(computeConnectivity(compileCluster(inc.state))),
      );
    }
  });

  test('random NetworkPolicy and cluster policy edits with Cilium policies present (property)', () => {
    const editArb = fc.tuple(fc.constantFrom('a', 'b'), specArb);
    fc.assert(
      fc.property(ciliumClusterArb, fc.array(editArb, { minLength: 1, maxLength: 3 }), (state, edits) => {
        const inc = createIncrementalEngine(state);
        const same = (): void =>
          assert.deepEqual(
            describeConnectivity(inc.connectivity()),
            describeConnectivity(computeConnectivity(compileCluster(inc.state))),
          );
        same();
        edits.forEach(([namespace, spec], i) => {
          inc.updatePolicy(policy(namespace, `edit${i % 2}`, spec));
          same();
        });
        inc.setClusterPolicies([]);
        same();
      }),
      { numRuns: Math.ceil(NUM_RUNS / 4) },
    );
  });
});
