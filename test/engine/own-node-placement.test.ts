/**
 * `src/engine/own-node.ts`: a Node whose addresses are not IPs places no pod, nor does a Node the input lacks;
 * the own-node rule under Cilium policies and in words; the Nodes an address class of several Nodes' addresses
 * names (found by the mutation runs of issue #20, rounds 10 and 12: docs/mutation/engine.md, "`src/engine`
 * slice A" and "Round 12: lines changed since 6802837").
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileCluster } from '../../src/engine/compile.ts';
import {
  nodeAddressClasses,
  nodeOfPod,
  nodePlacement,
  nodesAtAddressClass,
  ownNodeRule,
} from '../../src/engine/own-node.ts';
import { formatPorts } from '../../src/describe/ports.ts';
import { resolveCniProfile } from '../../src/engine/profiles.ts';
import { cluster, cnpCilium, node, ns, pod } from '../support/builders.ts';
import { twoNodesInOneClass } from '../support/own-node.ts';

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

describe('the own-node rule', () => {
  test('in words, without a profile and under the cilium profile', () => {
    assert.equal(ownNodeRule({ ipBlockMatchesPods: true }), 'own node: always allowed (Kubernetes)');
    const cilium = resolveCniProfile('cilium', []);
    assert.ok(cilium.ok);
    assert.equal(
      ownNodeRule({ ipBlockMatchesPods: true, cni: cilium.value }),
      'own node: always allowed (cilium: allow-localhost)',
    );
  });

  test('lets a host-network pod of the node through a Cilium rule set that isolates the pod', () => {
    const state = cluster({
      namespaces: [ns('a')],
      pods: [
        pod('a', 'web', { app: 'web' }, { ips: ['10.0.0.5'], nodeName: 'n1' }),
        pod('a', 'agent', { app: 'agent' }, { ips: ['192.168.0.1'], nodeName: 'n1', hostNetwork: true }),
        pod('a', 'other', { app: 'agent' }, { ips: ['192.168.0.2'], nodeName: 'n2', hostNetwork: true }),
      ],
      nodes: [node('n1', {}, ['192.168.0.1']), node('n2', {}, ['192.168.0.2'])],
      ciliumPolicies: [
        cnpCilium('a', 'isolate', { endpointSelector: { matchLabels: { app: 'web' } }, ingress: [{}] }),
      ],
    });
    const compiled = compileCluster(state);
    const from = (name: string) =>
      formatPorts(
        compiled.allowedBetween(
          { kind: 'pod', namespace: 'a', name },
          { kind: 'pod', namespace: 'a', name: 'web' },
        ),
      );
    assert.deepEqual([from('agent'), from('other')], ['All connections', 'No connections']);
  });
});

describe('node address classes', () => {
  test("a class holding two Nodes' addresses names both, sorted, whatever the Nodes' order", () => {
    // One class of exactly the two addresses of n2 (listed first) and n1 (see `twoNodesInOneClass`).
    const state = twoNodesInOneClass();
    const compiled = compileCluster(state);
    const id = compiled.addressSpace.classOfIp('192.168.0.1')!;
    assert.equal(compiled.addressSpace.classOfIp('192.168.0.0'), id);
    assert.deepEqual(nodesAtAddressClass(compiled, id), ['n1', 'n2']);
    assert.deepEqual([...nodeAddressClasses(compiled.addressSpace, state.nodes)], [[id, ['n1', 'n2']]]);
  });
});
