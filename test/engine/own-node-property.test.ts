/**
 * Where pods run (issue #17, docs/cni.md "Traffic from the pod's own node"), against the naive reference
 * evaluator: random small clusters (NetworkPolicies, cluster policies, Nodes) whose pods are placed on the
 * Nodes at random (`spec.nodeName`: a Node, a Node not in the input, or none), with random Cilium policies
 * on `host`, `remote-node` and other entities, under the upstream profile, Cilium's and Cilium's
 * `allow-localhost=policy`: every pod pair and pod/address pair must get the same verdict from
 * `compileCluster` and from `naiveAllowed`.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compileCluster, type Endpoint } from '../../src/engine/compile.ts';
import { portsContain } from '../../src/engine/ports.ts';
import { formatPorts } from '../../src/describe/ports.ts';
import { cniEngineOptions, UPSTREAM_PROFILE } from '../../src/engine/profiles.ts';
import type { ClusterState } from '../../src/model/cluster.ts';
import { tieredClusterInputArb } from '../support/arbitraries.ts';
import { cluster } from '../support/builders.ts';
import { naiveAllowed } from '../support/naive.ts';
import { cniProfile, naiveProfileOptions } from '../support/verdicts.ts';
import { ciliumPoliciesArb } from '../support/cilium-rule-arbitraries.ts';

const NUM_RUNS = Number(process.env['NETFENCE_CILIUM_RUNS'] ?? 60);

const PROFILES = [UPSTREAM_PROFILE, cniProfile('cilium'), cniProfile('cilium', 'allow-localhost=policy')];

const ENTITIES = ['host', 'remote-node', 'world', 'cluster', 'all'];

const caseArb = tieredClusterInputArb.chain((input) => {
  const names = (input.nodes ?? []).map((n) => n.name);
  const placementArb = fc.array(
    fc.option(fc.constantFrom(...names, 'elsewhere'), { nil: undefined, freq: 4 }),
    { minLength: input.pods?.length ?? 0, maxLength: input.pods?.length ?? 0 },
  );
  return fc
    .tuple(
      placementArb,
      ciliumPoliciesArb(['a', 'b'], ENTITIES, ['80', '10250']),
      fc.constantFrom(...PROFILES),
      fc.boolean(),
    )
    .map(([placement, cilium, p, tiers]) => ({
      state: cluster({
        ...input,
        clusterPolicies: tiers ? (input.clusterPolicies ?? []) : [],
        pods: (input.pods ?? []).map((pod, i) =>
          placement[i] === undefined ? pod : { ...pod, nodeName: placement[i] },
        ),
        ciliumPolicies: cilium,
      }),
      profile: p,
    }));
});

/** Pods and addresses: every pod, every node address, one address outside. */
function ends(state: ClusterState): Endpoint[] {
  const ips = new Set(['8.8.8.8', ...state.nodes.flatMap((n) => n.addresses)]);
  return [
    ...state.pods.map((p): Endpoint => ({ kind: 'pod', namespace: p.namespace, name: p.name })),
    ...[...ips].map((ip): Endpoint => ({ kind: 'ip', ip })),
  ];
}

describe('pods placed on Nodes: compileCluster equals the naive evaluator', () => {
  test('own node and host/remote-node, random clusters and Cilium policies, three profiles (property)', () => {
    fc.assert(
      fc.property(caseArb, ({ state, profile: p }) => {
        const compiled = compileCluster(state, cniEngineOptions(p));
        const options = naiveProfileOptions(p);
        const all = ends(state);
        for (const src of all) {
          for (const dst of all) {
            if (src.kind === 'ip' && dst.kind === 'ip') continue;
            const got = compiled.allowedBetween(src, dst);
            for (const port of [80, 10250]) {
              const want = naiveAllowed(state, src, dst, 'TCP', port, options);
              if (portsContain(got, 'TCP', port) !== want)
                assert.fail(
                  `${JSON.stringify(src)} -> ${JSON.stringify(dst)} TCP/${port} under ${p.cni} ${p.overrides.join(',')}: ` +
                    `engine ${formatPorts(got)}, naive ${want ? 'allowed' : 'denied'}`,
                );
            }
          }
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
