/**
 * The session facade: each part computed once and only when asked; a state with edited policies answers what
 * compiling the edited state from scratch answers (from scratch, or through the incremental engine); the
 * diff of two sessions is `diffClusters` of their states.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { compileCluster } from '../../src/engine/compile.ts';
import { computeConnectivity, type Connectivity } from '../../src/engine/connectivity.ts';
import { diffClusters } from '../../src/engine/diff.ts';
import { formatPorts } from '../../src/describe/ports.ts';
import { editPolicies, openSession, type PolicyEdits } from '../../src/engine/session.ts';
import { diffToJson } from '../../src/format/diff.ts';
import type { ClusterState, PolicyInfo } from '../../src/model/cluster.ts';
import { clusterInputArb, specArb } from '../support/arbitraries.ts';
import { cluster, policy, twoNamespaces, withWorkloads } from '../support/builders.ts';

const NUM_RUNS = Number(process.env['NETFENCE_SESSION_RUNS'] ?? 60);
const LABELS = { before: 'before', after: 'after' };

function lines(c: Connectivity): string[] {
  return c.connections.map((x) => `${x.src} -> ${x.dst}: ${formatPorts(x.ports)}`);
}

const ids = (policies: readonly PolicyInfo[]): string[] => policies.map((p) => p.id);

/** Random edits of a state's policies: some replaced (by one or two), some removed, some added. */
const editsArb = (state: ClusterState): fc.Arbitrary<PolicyEdits> =>
  fc
    .record({
      replace: fc.array(fc.tuple(fc.nat(), specArb, fc.option(specArb, { nil: undefined })), {
        maxLength: 3,
      }),
      remove: fc.array(fc.nat(), { maxLength: 2 }),
      add: fc.array(fc.tuple(fc.constantFrom('a', 'b'), specArb), { maxLength: 3 }),
      sortById: fc.boolean(),
    })
    .map(({ replace, remove, add, sortById }) => {
      const n = state.policies.length;
      const set = new Map<string, PolicyInfo[]>();
      for (const [at, spec, extra] of replace) {
        const p = state.policies[at % Math.max(1, n)];
        if (p === undefined) continue;
        const instead = [policy(p.namespace, p.name, spec)];
        if (extra !== undefined) instead.push(policy(p.namespace, `${p.name}-split`, extra));
        set.set(p.id, instead);
      }
      return {
        set,
        remove: remove.flatMap((at) => (n === 0 ? [] : [state.policies[at % n]!.id])),
        add: add.map(([namespace, spec], i) => policy(namespace, `added-${i}`, spec)),
        sortById,
      };
    });

describe('session facade', () => {
  test('computes each part once, on first use', () => {
    const state = cluster(twoNamespaces);
    const compiled = compileCluster(state);
    const given = openSession(state, {}, compiled);
    assert.equal(given.compiled, compiled);
    const s = openSession(state);
    const first = s.compiled;
    assert.equal(s.compiled, first);
    assert.equal(s.connectivity(), s.connectivity('workload'));
    assert.notEqual(s.connectivity('pod'), s.connectivity('workload'));
    assert.equal(s.connectivity('pod'), s.connectivity('pod'));
    assert.equal(s.refs(), s.refs());
    assert.equal(s.refs().compiled, first);
    assert.deepEqual(lines(s.connectivity()), lines(computeConnectivity(compiled, 'workload')));
    // An edited session is its own: the base keeps its parts.
    const edited = s.withPolicyEdits({ add: [policy('a', 'deny', { podSelector: {} })] });
    assert.notEqual(edited.compiled, first);
    assert.equal(s.compiled, first);
  });

  test('editPolicies: replaced in place, added after, removed, optionally by id', () => {
    const [a, b, c] = ['x', 'y', 'z'].map((n) => policy('a', n, { podSelector: {} }));
    const b1 = policy('a', 'y', { podSelector: {}, ingress: [] });
    const b2 = policy('a', 'y2', { podSelector: {} });
    const w = policy('a', 'w', { podSelector: {} });
    const start = [c!, a!, b!];
    assert.deepEqual(ids(editPolicies(start, {})), ['a/z', 'a/x', 'a/y']);
    const edited = editPolicies(start, { set: new Map([['a/y', [b1, b2]]]), add: [w] });
    assert.deepEqual(ids(edited), ['a/z', 'a/x', 'a/y', 'a/y2', 'a/w']);
    assert.equal(edited[2], b1);
    assert.deepEqual(ids(editPolicies(start, { set: new Map([['a/x', []]]), remove: ['a/z'] })), ['a/y']);
    // Setting an id the state lacks adds it; sorting orders by id.
    assert.deepEqual(ids(editPolicies(start, { set: new Map([['a/w', [w]]]), sortById: true })), [
      'a/w',
      'a/x',
      'a/y',
      'a/z',
    ]);
  });

  test('withPolicyEdits and tryPolicies answer what a fresh compile of the edited state answers', () => {
    fc.assert(
      fc.property(
        clusterInputArb
          .chain((input) =>
            fc.tuple(
              fc.constant(input),
              fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 6 }),
            ),
          )
          .map(([input, grouping]) => withWorkloads(input, grouping, false))
          .chain((state) =>
            fc.tuple(fc.constant(state), fc.array(editsArb(state), { minLength: 1, maxLength: 3 })),
          ),
        ([state, batches]) => {
          const s = openSession(state);
          for (const edits of batches) {
            const policies = editPolicies(state.policies, edits);
            const fresh = compileCluster({ ...state, policies });
            const expected = lines(computeConnectivity(fresh, 'workload'));
            const edited = s.withPolicyEdits(edits);
            assert.deepEqual(ids(edited.state.policies), ids(policies));
            assert.deepEqual(lines(edited.connectivity()), expected);
            assert.deepEqual(
              s.tryPolicies(policies, (e) => lines(e.connectivity)),
              expected,
            );
            // Undone: the base answers as before.
            assert.deepEqual(
              s.tryPolicies(state.policies, (e) => lines(e.connectivity)),
              lines(computeConnectivity(compileCluster(state), 'workload')),
            );
            // The diff of two sessions is diffClusters of their states.
            assert.deepEqual(
              diffToJson(s.diff(edited), LABELS),
              diffToJson(diffClusters(state, edited.state), LABELS),
            );
          }
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });
});
