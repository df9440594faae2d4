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
import {
  compileCluster,
  type CompiledCluster,
  type Endpoint,
  type EngineOptions,
} from '../../src/engine/compile.ts';
import { UPSTREAM_PROFILE, type CniProfile } from '../../src/engine/profiles.ts';
import { computeConnectivity } from '../../src/engine/connectivity.ts';
import { computeGroupedConnectivity } from '../../src/engine/grouped.ts';
import { createIncrementalEngine } from '../../src/engine/incremental.ts';
import { portSetOf, portsContain, portsEqual } from '../../src/engine/ports.ts';
import { explainConnection, explainDomain, type ExplainEnd } from '../../src/engine/explain.ts';
import { allowedBetweenEnds, l7Filters, type L7Filter } from '../../src/engine/cilium-l7.ts';
import type { ClassEnd } from '../../src/engine/connectivity.ts';
import { formatPorts } from '../../src/describe/ports.ts';
import type { ClusterState } from '../../src/model/cluster.ts';
import type { CiliumPolicyInfo } from '../../src/model/cilium.ts';
import type { CiliumRule } from '../../src/model/cilium-wire.ts';
import { PROTOCOLS, type LabelSelector, type Protocol } from '../../src/model/k8s.ts';
import { CIDRS, probeIps, probePorts, selectorArb, specArb } from '../support/arbitraries.ts';
import { CIDR_LIST, NAMES, ciliumClusterArb, ruleSetArb } from '../support/cilium-arbitraries.ts';
import { ccnp, cnpCilium, policy } from '../support/builders.ts';
import { naiveAllowed, naiveL7, naiveReachesName, type NaiveOptions } from '../support/naive.ts';
import { conformanceCluster, describeConnectivity } from '../support/verdicts.ts';

const NUM_RUNS = Number(process.env['NETFENCE_CILIUM_RUNS'] ?? 60);

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

/** Every pod pair (a pod with itself only when `self`) and every pod/address pair, both ways. */
function sidePairs(state: ClusterState, ips: readonly string[], self: boolean): [Side, Side][] {
  const pairs: [Side, Side][] = [];
  for (const s of state.pods) {
    for (const d of state.pods) if (self || d !== s) pairs.push([{ pod: s }, { pod: d }]);
    for (const ip of ips) {
      pairs.push([{ pod: s }, { ip }]);
      pairs.push([{ ip }, { pod: s }]);
    }
  }
  return pairs;
}

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
  for (const [s, d] of sidePairs(state, addresses(state), true)) {
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

/** The engine's "filtered at L7" policies of a class pair on one port (ids, sorted). */
function engineL7(filters: readonly L7Filter[], protocol: Protocol, port: number): string[] {
  return [
    ...new Set(filters.filter((f) => portsContain(f.ports, protocol, port)).map((f) => f.policy)),
  ].sort();
}

function classEndOf(compiled: CompiledCluster, side: Side): ClassEnd {
  return 'pod' in side
    ? { pod: compiled.classOfPod(side.pod.namespace, side.pod.name)! }
    : { address: compiled.addressSpace.classOfIp(side.ip)! };
}

describe('Cilium policies: the L7 marker and DNS names equal the naive evaluator', () => {
  test('random clusters with L7 rules, toFQDNs and DNS rules: who filters at L7, who reaches a name (property)', () => {
    fc.assert(
      fc.property(ciliumClusterArb, (state) => {
        const compiled = compileCluster(state);
        const ports = probes(state);
        const ips = addresses(state);
        // A pod to itself is not filtered (Cilium does not see it); the engine answers per class.
        const pairs = sidePairs(state, ips, false);
        for (const [s, d] of pairs) {
          const src = classEndOf(compiled, s);
          const dst = classEndOf(compiled, d);
          const filters = l7Filters(compiled, src, dst, allowedBetweenEnds(compiled, src, dst));
          for (const protocol of PROTOCOLS) {
            for (const port of ports) {
              const want = naiveL7(state, toEndpoint(s), toEndpoint(d), protocol, port, {
                ipBlockMatchesPods: true,
              });
              const got = engineL7(filters, protocol, port);
              assert.deepEqual(
                got,
                want,
                `${JSON.stringify(toEndpoint(s))} -> ${JSON.stringify(toEndpoint(d))} ${protocol}/${port}: filtered at L7 by`,
              );
            }
          }
        }
        // By name: every pod, every probed name; the name may resolve to any address outside the nodes.
        const outside = ips.filter((ip) => !state.nodes.some((n) => n.addresses.includes(ip)));
        for (const pod of state.pods) {
          const cls = compiled.classOfPod(pod.namespace, pod.name)!;
          for (const name of NAMES) {
            for (const protocol of PROTOCOLS) {
              for (const port of ports) {
                const query = portSetOf(protocol, [port, port]);
                const got = explainDomain(compiled, [cls], name, query).some((r) =>
                  r.policy.startsWith('Cilium'),
                );
                const endpoint = { kind: 'pod' as const, namespace: pod.namespace, name: pod.name };
                const want = naiveReachesName(state, endpoint, name, protocol, port, outside);
                assert.equal(
                  got,
                  want,
                  `${pod.namespace}/${pod.name} -> ${name} ${protocol}/${port} by name`,
                );
              }
            }
          }
        }
      }),
      { numRuns: Math.ceil(NUM_RUNS / 2) },
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
