/**
 * `src/engine/own-node.ts` after the folder run of issue #20 (round 10): a Node whose addresses are not IPs
 * places no pod, nor does a Node the input lacks (docs/testing.md, "`src/engine` slice A").
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { nodeOfPod, nodePlacement } from '../../src/engine/own-node.ts';
import { cluster, node, ns, pod } from '../support/builders.ts';

describe('nodePlacement', () => {
  test('a Node with no address that parses as an IP places no pod: no placement (the no-node case)', () => {
    const state = cluster({
      namespaces: [ns('a')],
      pods: [pod('a', 'p', {}, { ips: ['10.0.0.5'], nodeName: 'n1' })],
      nodes: [node('n1', {}, ['node-1.example'])],
    });
    assert.equal(nodePlacement(state), undefined);
  });

  test('beside one that parses, only the IP is a node address', () => {
    const state = cluster({
      namespaces: [ns('a')],
      pods: [pod('a', 'p', {}, { ips: ['10.0.0.5'], nodeName: 'n1' })],
      nodes: [node('n1', {}, ['node-1.example', '192.168.0.1'])],
    });
    assert.deepEqual(nodePlacement(state)?.addresses, new Map([['n1', ['192.168.0.1/32']]]));
  });
});

describe('nodeOfPod', () => {
  test('a pod naming a Node the input lacks is on no known node', () => {
    const state = cluster({
      namespaces: [ns('a')],
      pods: [
        pod('a', 'p', {}, { ips: ['10.0.0.5'], nodeName: 'n1' }),
        pod('a', 'q', {}, { ips: ['10.0.0.6'], nodeName: 'n9' }),
      ],
      nodes: [node('n1', {}, ['192.168.0.1'])],
    });
    const placement = nodePlacement(state);
    assert.deepEqual(
      state.pods.map((p) => nodeOfPod(placement, p)),
      ['n1', undefined],
    );
  });
});
