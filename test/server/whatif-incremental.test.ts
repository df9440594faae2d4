/**
 * `serve` answers what-ifs with an incremental engine that each request edits into the edited state and back.
 * Its answers must be the answers of compiling both states from scratch, request after request (so the
 * engine is put back exactly), for any edits: policies changed, added (with new CIDRs or label keys), turned off,
 * replaced by several; many in one request (one batch for the engine).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { freshCompiler, incrementalCompiler, whatIf, type WhatIfChange } from '../../src/server/whatif.ts';
import { openSession } from '../../src/engine/session.ts';
import type { ClusterState } from '../../src/model/cluster.ts';
import { clusterInputArb, specArb } from '../support/arbitraries.ts';
import { withWorkloads } from '../support/builders.ts';

const NUM_RUNS = Number(process.env['NETFENCE_WHATIF_RUNS'] ?? 60);
const ENGINE = { ipBlockMatchesPods: true };

type Edit =
  | { kind: 'change'; target: number; spec: object }
  | { kind: 'add'; namespace: string; spec: object }
  | { kind: 'off'; target: number }
  | { kind: 'split'; target: number; spec: object; extra: object };

const editArb: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant('change' as const), target: fc.nat(), spec: specArb }),
  fc.record({ kind: fc.constant('add' as const), namespace: fc.constantFrom('a', 'b'), spec: specArb }),
  fc.record({ kind: fc.constant('off' as const), target: fc.nat() }),
  fc.record({ kind: fc.constant('split' as const), target: fc.nat(), spec: specArb, extra: specArb }),
);

function policyYaml(namespace: string, name: string, spec: object): string {
  return stringify({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { namespace, name },
    spec,
  });
}

/** One request's changes; edits of one target after the first are dropped (a request changes a policy once). */
function changesOf(state: ClusterState, edits: readonly Edit[]): WhatIfChange[] {
  const out: WhatIfChange[] = [];
  const targeted = new Set<string>();
  for (const [i, e] of edits.entries()) {
    if (e.kind === 'add') {
      out.push({ yaml: policyYaml(e.namespace, `added-${i}`, e.spec) });
      continue;
    }
    const target = state.policies[e.target % Math.max(1, state.policies.length)];
    if (target === undefined || targeted.has(target.id)) continue;
    targeted.add(target.id);
    if (e.kind === 'off') out.push({ target: target.id });
    else if (e.kind === 'change')
      out.push({ target: target.id, yaml: policyYaml(target.namespace, target.name, e.spec) });
    // One policy replaced by two (a YAML stream): the second takes its place right after it.
    else
      out.push({
        target: target.id,
        yaml: `${policyYaml(target.namespace, target.name, e.spec)}---\n${policyYaml(target.namespace, `split-${i}`, e.extra)}`,
      });
  }
  return out;
}

describe('what-if with the incremental engine', () => {
  test('answers what compiling both states from scratch answers, request after request', () => {
    fc.assert(
      fc.property(
        clusterInputArb,
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 6 }),
        // Requests of many edits too: each is one batch for the engine, in and back out.
        fc.array(fc.array(editArb, { minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 4 }),
        (input, grouping, requests) => {
          const state = withWorkloads(input, grouping, false);
          const current = openSession(state, ENGINE);
          const incremental = incrementalCompiler(openSession(state, ENGINE), current);
          // As the what-if thread runs it: the engine between two what-ifs is the current state too.
          const alone = incrementalCompiler(openSession(state, ENGINE));
          for (const edits of [...requests, []]) {
            const changes = changesOf(state, edits);
            const options = { engine: ENGINE, defaultNamespace: 'a' };
            const expected = whatIf(state, changes, {
              ...options,
              compiler: freshCompiler(openSession(state, ENGINE)),
            });
            const actual = whatIf(state, changes, { ...options, compiler: incremental });
            assert.deepEqual(actual, expected);
            assert.deepEqual(whatIf(state, changes, { ...options, compiler: alone }), expected);
          }
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });
});
