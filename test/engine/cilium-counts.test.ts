/**
 * One number, one meaning (issue #17): a connection count, and the rows of `analyze -o json`, mean the same
 * whether or not Cilium policies are present. Cilium's entities set parts of the outside apart (`world-ipv4`
 * and `world-ipv6` its families; `world`, `cluster`, `host`, `remote-node` the node addresses): the address
 * space splits there only when a peer says so, as it splits at the CIDRs an ipBlock names, never merely
 * because a Cilium policy exists (docs/cilium.md, "Counts").
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compileCluster } from '../../src/engine/compile.ts';
import { computeGroupedConnectivity } from '../../src/engine/grouped.ts';
import { analysisSummary, groupedConnectivityToJson } from '../../src/format/connectivity.ts';
import type { ClusterState } from '../../src/model/cluster.ts';
import type { CiliumPolicyInfo } from '../../src/model/cilium.ts';
import type { CiliumRule } from '../../src/model/cilium-wire.ts';
import { tieredClusterInputArb } from '../support/arbitraries.ts';
import { ciliumPoliciesArb, ciliumPolicy, ciliumRuleSetArb } from '../support/cilium-rule-arbitraries.ts';
import { cluster, cnpCilium, policy } from '../support/builders.ts';
import { runCli } from '../support/cli.ts';
import type { AnalyzeJson } from '../../src/contract/analyze.ts';

const NUM_RUNS = Number(process.env['NETFENCE_CILIUM_RUNS'] ?? 60);

/** `analyze -o json` of a state, without the Cilium policy count (which differs by construction). */
function analyzeJson(state: ClusterState): unknown {
  const compiled = compileCluster(state);
  const json = groupedConnectivityToJson(
    computeGroupedConnectivity(compiled),
    compiled.addressSpace,
    analysisSummary(state),
  );
  return withoutCiliumNames(json);
}

/** The JSON document without what names Cilium policies: their count, and the policies an L7 entry cites. */
function withoutCiliumNames(json: AnalyzeJson): unknown {
  return {
    ...json,
    summary: { ...json.summary, ciliumPolicies: 0 },
    ...(json.l7 === undefined ? {} : { l7: json.l7.map((entry) => ({ ...entry, policies: [] })) }),
  };
}

const NAMESPACES = ['a', 'b', 'c'];
/** Entities that name no address: a peer with them never splits the address space. */
const ADDRESSLESS = ['all', 'kube-apiserver', 'health', 'unmanaged', 'init', 'ingress', 'none'];
/** Entities that set node addresses apart from the rest of the outside (only a cluster with Nodes splits). */
const NODE_ENTITIES = ['world', 'cluster', 'cluster-mesh', 'host', 'remote-node'];

/**
 * A Cilium policy that changes no verdict: one selecting no pod (whatever its rules), or a copy of a policy
 * already there under another name (the union of two equal rule sets is the rule set).
 */
function neutralArb(
  base: readonly CiliumPolicyInfo[],
  entities: readonly string[],
): fc.Arbitrary<CiliumPolicyInfo> {
  const selectsNothing = fc
    .tuple(fc.option(fc.constantFrom(...NAMESPACES), { nil: undefined }), ciliumRuleSetArb(entities))
    .map(([namespace, spec]) =>
      ciliumPolicy(namespace, 'neutral', {
        ...spec,
        endpointSelector: { matchLabels: { app: 'none-such' } },
      }),
    );
  if (base.length === 0) return selectsNothing;
  const copy = fc.constantFrom(...base).map((p) => {
    const object = p.object as { metadata: { namespace?: string }; spec: CiliumRule };
    return ciliumPolicy(object.metadata.namespace, 'neutral', object.spec);
  });
  return fc.oneof(selectsNothing, copy);
}

const caseArb = tieredClusterInputArb.chain((input) => {
  // Node addresses are split out of the outside by node entities: only without Nodes are those addressless.
  const nodeless = (input.nodes ?? []).every((n) => n.addresses.length === 0);
  const entities = nodeless ? [...ADDRESSLESS, ...NODE_ENTITIES] : ADDRESSLESS;
  return ciliumPoliciesArb(NAMESPACES, entities).chain((base) =>
    neutralArb(base, entities).map((neutral) => ({
      state: cluster({ ...input, ciliumPolicies: base }),
      neutral,
    })),
  );
});

describe('a Cilium policy that changes no verdict changes no count and no row', () => {
  test('random clusters, random Cilium policies, and one more that selects nothing or repeats one (property)', () => {
    fc.assert(
      fc.property(caseArb, ({ state, neutral }) => {
        const before = analyzeJson(state);
        const after = analyzeJson({ ...state, ciliumPolicies: [...state.ciliumPolicies, neutral] });
        assert.deepEqual(after, before);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  test('with a Cilium allow that is already allowed, analyze -o json has the same counts and rows', async () => {
    const base = [
      'examples/cilium/00-namespaces.yaml',
      'examples/cilium/workloads.yaml',
      'examples/cilium/policies/networkpolicies.yaml',
    ];
    const json = async (paths: string[]): Promise<AnalyzeJson> =>
      JSON.parse((await runCli(['analyze', ...paths, '-o', 'json'])).stdout) as AnalyzeJson;
    const without = await json(base);
    const withCilium = await json([...base, 'test/fixtures/cilium-counts/already-allowed.yaml']);
    assert.equal(withCilium.summary.ciliumPolicies, 2);
    assert.equal(without.summary.connections, 11);
    assert.deepEqual(withoutCiliumNames(withCilium), withoutCiliumNames(without));
  });
});

describe('where a Cilium peer does set parts of the outside apart, it counts as an ipBlock naming them', () => {
  const input = {
    pods: [
      {
        name: 'web',
        namespace: 'a',
        labels: { app: 'web' },
        namedPorts: [],
        ips: ['10.0.1.10'],
        hostNetwork: false,
        workload: 'a/Pod/web',
        template: false,
      },
    ],
  };
  const count = (state: ClusterState): number => computeGroupedConnectivity(compileCluster(state)).pairs;

  test('world-ipv4 splits the outside into its families, as an ipBlock naming 0.0.0.0/0 does', () => {
    const none = count(cluster(input));
    const ipv4 = count(
      cluster({
        ...input,
        ciliumPolicies: [
          cnpCilium('a', 'v4', {
            endpointSelector: {},
            enableDefaultDeny: { egress: false },
            egress: [{ toEntities: ['world-ipv4'] }],
          }),
        ],
      }),
    );
    const ipBlock = count(
      cluster({
        ...input,
        policies: [
          policy('a', 'v4', {
            podSelector: { matchLabels: { app: 'none-such' } },
            policyTypes: ['Egress'],
            egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }],
          }),
        ],
      }),
    );
    // web ↔ the outside, both ways: 2 pairs with one outside class, 4 with two.
    assert.equal(none, 2);
    assert.equal(ipv4, 4);
    assert.equal(ipBlock, ipv4);
  });

  test('world alone (no Nodes) keeps the outside one class', () => {
    const world = cluster({
      ...input,
      ciliumPolicies: [cnpCilium('a', 'w', { endpointSelector: {}, egress: [{ toEntities: ['world'] }] })],
    });
    assert.equal(compileCluster(world).addressSpace.classes.length, 1);
    assert.equal(count(world), 2);
  });

  test('a CIDR rule splits where its CIDR is, not by family', () => {
    const cidr = cluster({
      ...input,
      ciliumPolicies: [cnpCilium('a', 'c', { endpointSelector: {}, egress: [{ toCIDR: ['10.0.0.0/16'] }] })],
    });
    assert.deepEqual(
      compileCluster(cidr).addressSpace.classes.map((c) => c.nodes.length),
      [2, 1],
      'the outside but 10.0.0.0/16 (both roots, one class), and 10.0.0.0/16',
    );
  });
});
