/**
 * `src/engine/own-node.ts`'s node address classes (issue #20, round 12: the lines changed since the folder run
 * at 6802837; docs/mutation/engine.md, "Round 12: lines changed since 6802837").
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileCluster } from '../../src/engine/compile.ts';
import { nodeAddressClasses, nodesAtAddressClass } from '../../src/engine/own-node.ts';
import { twoNodesInOneClass } from '../support/own-node.ts';

test("a class holding two Nodes' addresses names both, sorted, whatever the Nodes' order", () => {
  // One class of exactly the two addresses of n2 (listed first) and n1 (see `twoNodesInOneClass`).
  const state = twoNodesInOneClass();
  const compiled = compileCluster(state);
  const id = compiled.addressSpace.classOfIp('192.168.0.1')!;
  assert.equal(compiled.addressSpace.classOfIp('192.168.0.0'), id);
  assert.deepEqual(nodesAtAddressClass(compiled, id), ['n1', 'n2']);
  assert.deepEqual([...nodeAddressClasses(compiled.addressSpace, state.nodes)], [[id, ['n1', 'n2']]]);
});
