/**
 * Details of `computeExposure` (src/engine/exposure.ts) for the survivors of its Stryker run left by round 9
 * (issue #20, round 10): the order of a workload's cluster policies when its classes are selected by
 * different Admin and Baseline policies. Clusters are built in code.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileCluster } from '../../src/engine/compile.ts';
import { computeExposure } from '../../src/engine/exposure.ts';
import { buildRefIndex } from '../../src/engine/refs.ts';
import { cnp, pod, withWorkloads } from '../support/builders.ts';

test("a workload's tier policies in rank order within each tier, whichever class each selects", () => {
  // web-1 and web-2 (labels v=1 and v=2) are one Deployment of two classes. web-1's class is selected by the
  // second Admin policy and the first Baseline one, web-2's by the first Admin and the second Baseline: the
  // policies met class by class are a-2, b-1, a-1, b-2, which the sort must put back in rank order per tier.
  const tier = (name: string, level: 'Admin' | 'Baseline', priority: number, v: string) =>
    cnp(name, {
      tier: level,
      priority,
      subject: { pods: { namespaceSelector: {}, podSelector: { matchLabels: { v } } } },
      ingress: [{ name: 'r', action: 'Accept', from: [{ namespaces: {} }] }],
    });
  const state = withWorkloads(
    {
      pods: [pod('prod', 'web-1', { app: 'web', v: '1' }), pod('prod', 'web-2', { app: 'web', v: '2' })],
      clusterPolicies: [
        tier('a-2', 'Admin', 2, '1'),
        tier('b-1', 'Baseline', 1, '1'),
        tier('a-1', 'Admin', 1, '2'),
        tier('b-2', 'Baseline', 2, '2'),
      ],
    },
    [1],
    false,
  );
  const [w] = computeExposure(buildRefIndex(compileCluster(state)));
  assert.equal(w!.name, 'prod/w1');
  assert.deepEqual(
    w!.ingress.admin.map((s) => s.policy),
    ['ClusterNetworkPolicy/a-1', 'ClusterNetworkPolicy/a-2'],
  );
  assert.deepEqual(
    w!.ingress.baseline.map((s) => s.policy),
    ['ClusterNetworkPolicy/b-1', 'ClusterNetworkPolicy/b-2'],
  );
});
