/**
 * `src/engine/own-node.ts`'s node address classes (issue #20, round 12: the lines changed since the folder run
 * at 6802837; docs/mutation/engine.md, "Round 12: lines changed since 6802837").
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileCluster } from '../../src/engine/compile.ts';
import { nodeAddressClasses, nodesAtAddressClass } from '../../src/engine/own-node.ts';
import { anp, cluster, node, ns, pod } from '../support/builders.ts';

test("a class holding two Nodes' addresses names both, sorted, whatever the Nodes' order", () => {
  // The Admin policy's networks 192.168.0.0/31 make one class of exactly the two addresses of n2 (listed
  // first) and n1. (An ipBlock would not: it sets apart each Node address it holds, `ipBlockNodeCidrs`.)
  const state = cluster({
    namespaces: [ns('a')],
    pods: [pod('a', 'web', { app: 'web' }, { ips: ['10.0.0.3'] })],
    nodes: [node('n2', {}, ['192.168.0.0']), node('n1', {}, ['192.168.0.1'])],
    clusterPolicies: [
      anp('to-nodes', {
        priority: 1,
        subject: { namespaces: {} },
        egress: [{ name: 'nodes', action: 'Deny', to: [{ networks: ['192.168.0.0/31'] }] }],
      }),
    ],
  });
  const compiled = compileCluster(state);
  const id = compiled.addressSpace.classOfIp('192.168.0.1')!;
  assert.equal(compiled.addressSpace.classOfIp('192.168.0.0'), id);
  assert.deepEqual(nodesAtAddressClass(compiled, id), ['n1', 'n2']);
  assert.deepEqual([...nodeAddressClasses(compiled.addressSpace, state.nodes)], [[id, ['n1', 'n2']]]);
});
