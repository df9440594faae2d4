/**
 * The what-if worker is given the state as plain data: no `locate` function of any list (a function cannot
 * be cloned to a worker thread), Cilium policies included.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Analysis } from '../../src/server/analysis.ts';
import { transferableState } from '../../src/server/whatif-thread.ts';
import { webshopAnalysis } from './support.ts';

const FIXTURE = 'test/fixtures/cilium-surfaces/cluster.yaml';

let analysis: Analysis;
before(async () => {
  analysis = await webshopAnalysis({ path: FIXTURE });
});
after(() => analysis.close());

describe('what-if with Cilium policies', () => {
  test('the state handed to the worker can be cloned, every list without its locate functions', () => {
    const state = analysis.input.state;
    assert.ok(state.ciliumPolicies.some((p) => typeof p.origin?.locate === 'function'));
    const plain = transferableState(state);
    assert.doesNotThrow(() => structuredClone(plain));
    assert.equal(plain.ciliumPolicies.length, state.ciliumPolicies.length);
    assert.equal(plain.ciliumPolicies[0]?.origin?.file, state.ciliumPolicies[0]?.origin?.file);
  });

  test('a what-if answers while a Cilium policy is present', async () => {
    const yaml = [
      'apiVersion: networking.k8s.io/v1',
      'kind: NetworkPolicy',
      'metadata: {namespace: other, name: client-egress}',
      'spec: {podSelector: {}, policyTypes: [Egress]}',
      '',
    ].join('\n');
    const r = await analysis.whatIf({ changes: [{ target: 'other/client-egress', yaml }] });
    assert.deepEqual(r.problems, []);
    assert.deepEqual(r.applied, [0]);
    assert.ok(r.summary.removed > 0);
    assert.ok(r.edges.some((e) => e.src === 'other/Deployment/client' && e.change === 'removed'));
  });
});
