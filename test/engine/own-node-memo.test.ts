/**
 * The address classes made of Nodes' addresses alone are kept once per address space and list of Nodes
 * (`nodeAddressClassesOf`, round 13): the compiled cluster's readers get what `nodeAddressClasses` computes,
 * and the same space asked about other Nodes gets the answer for those Nodes, not the first one kept.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileCluster } from '../../src/engine/compile.ts';
import { nodeAddressClasses, nodeAddressClassesOf, nodesAtAddressClass } from '../../src/engine/own-node.ts';
import { twoNodesInOneClass } from '../support/own-node.ts';

test('one answer per address space and list of Nodes, equal to nodeAddressClasses', () => {
  const state = twoNodesInOneClass();
  const compiled = compileCluster(state);
  const space = compiled.addressSpace;
  const id = space.classOfIp('192.168.0.1')!;
  const kept = nodeAddressClassesOf(space, compiled.state.nodes);
  assert.deepEqual([...kept], [...nodeAddressClasses(space, state.nodes)]);
  assert.deepEqual([...kept], [[id, ['n1', 'n2']]]);
  assert.equal(nodeAddressClassesOf(space, compiled.state.nodes), kept, 'computed once');
  assert.deepEqual(nodesAtAddressClass(compiled, id), ['n1', 'n2']);

  // The same space with only one of the two Nodes: the class holds an address of no Node, so it is none.
  const one = [state.nodes[0]!];
  assert.deepEqual([...nodeAddressClassesOf(space, one)], []);
  assert.deepEqual([...nodeAddressClassesOf(space, compiled.state.nodes)], [[id, ['n1', 'n2']]]);
  // And without Nodes, nothing.
  assert.deepEqual([...nodeAddressClassesOf(space, [])], []);
});
