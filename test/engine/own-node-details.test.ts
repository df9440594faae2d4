/**
 * Where pods run (`src/engine/own-node.ts`), for what mutation testing (issue #20) found unpinned: the
 * own-node rule needs only some pods placed on Nodes with addresses, and pods naming Nodes the input lacks
 * leave the addresses of the Nodes it has alone.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileCluster } from '../../src/engine/compile.ts';
import { computeConnectivity } from '../../src/engine/connectivity.ts';
import { formatPorts } from '../../src/describe/ports.ts';
import { cluster, ipRef, node, pod, podRef, policy } from '../support/builders.ts';

const denyAll = policy('a', 'deny-all', { podSelector: {}, policyTypes: ['Ingress'] });

describe('own node', () => {
  test('one pod placed on a Node with an address, another without a node: the placed one is reached from its node', () => {
    const state = cluster({
      pods: [pod('a', 'x', { app: 'x' }, { nodeName: 'n1', ips: ['10.1.0.1'] }), pod('a', 't', { app: 't' })],
      nodes: [node('n1', {}, ['192.168.0.1'])],
      policies: [denyAll],
    });
    const c = compileCluster(state);
    assert.equal(formatPorts(c.allowedBetween(ipRef('192.168.0.1'), podRef('a', 'x'))), 'All connections');
    assert.equal(formatPorts(c.allowedBetween(ipRef('192.168.0.1'), podRef('a', 't'))), 'No connections');
  });

  test('pods on a Node the input lacks: the other Nodes’ addresses are not told apart from the outside', () => {
    const state = cluster({
      pods: [pod('a', 'x', { app: 'x' }, { nodeName: 'ghost', ips: ['10.1.0.1'] })],
      nodes: [node('n1', {}, ['192.168.0.1'])],
      policies: [denyAll],
    });
    const conn = computeConnectivity(compileCluster(state));
    assert.deepEqual(
      conn.entities.map((e) => e.id),
      ['a/Pod/x', 'external:0'],
    );
  });
});
