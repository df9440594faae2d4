/**
 * `ClusterSession.tryPolicies` with Cilium policies (issue #17) on examples/cilium: the incremental engine's
 * Cilium edits answer what a fresh compile of the edited state answers (connections, L7 filtering, reach by
 * DNS name, and so the diff), and the session's engine is put back afterwards.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import fc from 'fast-check';
import { formatPorts } from '../../src/describe/ports.ts';
import { computeConnectivity, type Connectivity } from '../../src/engine/connectivity.ts';
import { compileCluster } from '../../src/engine/compile.ts';
import { commonAddressSpace, diffClusters, diffSides, sideOf } from '../../src/engine/diff.ts';
import { openSession } from '../../src/engine/session.ts';
import { diffToJson } from '../../src/format/diff.ts';
import type { CiliumPolicyInfo } from '../../src/model/cilium.ts';
import type { ClusterState } from '../../src/model/cluster.ts';
import { loadManifests } from '../../src/parse/index.ts';
import { ciliumClusterArb, ciliumPoliciesArb } from '../support/cilium-arbitraries.ts';

const LABELS = { before: 'before', after: 'after' };

/** Everything the what-if shows of a connectivity: connections, L7 filtering, reach by DNS name. */
function answer(c: Connectivity): string[] {
  return [
    ...c.connections.map((x) => `${x.src} -> ${x.dst}: ${formatPorts(x.ports)}`),
    ...(c.l7 ?? []).map(
      (x) => `${x.src} -> ${x.dst}: L7 on ${formatPorts(x.ports)} by ${x.policies.join(', ')}`,
    ),
    ...c.domains.map((x) => `${x.src} -> ${x.domain} (by DNS name): ${formatPorts(x.ports)}`),
  ];
}

let state: ClusterState;
before(async () => {
  const loaded = await loadManifests(['examples/cilium'], {
    defaultNamespace: 'default',
    skipInvalid: false,
  });
  assert.deepEqual(loaded.errors, []);
  state = loaded.state;
});

/** The edited lists of Cilium policies tried: each policy gone, each L7 rule gone, a DNS name changed. */
function edits(): [string, CiliumPolicyInfo[]][] {
  const out: [string, CiliumPolicyInfo[]][] = [];
  for (const p of state.ciliumPolicies)
    out.push([`without ${p.id}`, state.ciliumPolicies.filter((q) => q !== p)]);
  out.push(['none', []]);
  out.push(['in reverse order', [...state.ciliumPolicies].reverse()]);
  const api = state.ciliumPolicies.find((p) => p.id === 'CiliumNetworkPolicy/news/api-from-web')!;
  const noL7 = JSON.parse(JSON.stringify(api)) as CiliumPolicyInfo;
  for (const spec of noL7.specs)
    for (const r of spec.ingress) for (const tp of r.ports ?? []) (tp as { l7: unknown }).l7 = undefined;
  assert.notDeepEqual(noL7, api);
  out.push(['without L7 rules', state.ciliumPolicies.map((p) => (p === api ? noL7 : p))]);
  return out;
}

describe('session: tryPolicies with Cilium policies', () => {
  test('answers what a fresh compile of the edited state answers, and the diff equals analyze before/after', () => {
    const s = openSession(state);
    const base = answer(computeConnectivity(compileCluster(state), 'workload'));
    assert.ok(base.some((x) => x.includes('L7 on')) && base.some((x) => x.includes('by DNS name')));
    for (const [what, ciliumPolicies] of edits()) {
      const after = { ...state, ciliumPolicies };
      const fresh = computeConnectivity(compileCluster(after), 'workload');
      const common = commonAddressSpace(state, after);
      const tried = s.tryPolicies(
        state.policies,
        (e) => ({
          answer: answer(e.connectivity),
          side: sideOf(e.compiled, e.connectivity, common),
          state: { ...e.state, ciliumPolicies: [...e.state.ciliumPolicies] },
        }),
        undefined,
        ciliumPolicies,
      );
      assert.deepEqual(tried.answer, answer(fresh), what);
      assert.deepEqual(
        tried.state.ciliumPolicies.map((p) => p.id),
        ciliumPolicies.map((p) => p.id),
        what,
      );
      // The diff of the tried state is `diffClusters` (what `netfence diff` answers) of the two states.
      const beforeSide = sideOf(s.compiled, s.connectivity(), common);
      assert.deepEqual(
        diffToJson(
          diffSides(state, after, { before: beforeSide, after: tried.side }, common, 'workload'),
          LABELS,
        ),
        diffToJson(diffClusters(state, after), LABELS),
        what,
      );
      // Put back: the engine answers the state's own policies again.
      assert.deepEqual(
        s.tryPolicies(state.policies, (e) => answer(e.connectivity)),
        base,
        `${what}: put back`,
      );
    }
  });

  test('on random clusters: each edited list of Cilium policies answers as a fresh compile, then put back', () => {
    fc.assert(
      fc.property(
        ciliumClusterArb,
        fc.array(fc.tuple(fc.boolean(), ciliumPoliciesArb), { minLength: 1, maxLength: 3 }),
        (state, edits) => {
          const s = openSession(state);
          const base = answer(computeConnectivity(compileCluster(state), 'workload'));
          for (const [keep, extra] of edits) {
            // Some of the state's policies kept, the others replaced by new ones (ids unique).
            const added = extra.map((p) => ({ ...p, id: `${p.id}-new`, name: `${p.name}-new` }));
            const ciliumPolicies = [...(keep ? state.ciliumPolicies.slice(1) : []), ...added];
            const fresh = answer(
              computeConnectivity(compileCluster({ ...state, ciliumPolicies }), 'workload'),
            );
            assert.deepEqual(
              s.tryPolicies(state.policies, (e) => answer(e.connectivity), undefined, ciliumPolicies),
              fresh,
            );
            assert.deepEqual(
              s.tryPolicies(state.policies, (e) => answer(e.connectivity)),
              base,
            );
          }
        },
      ),
      { numRuns: Number(process.env['NETFENCE_SESSION_RUNS'] ?? 40) },
    );
  });
});
