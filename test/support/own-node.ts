/** Fixtures of the Node address class tests (test/engine/own-node-*.test.ts). */
import type { ClusterState } from '../../src/model/cluster.ts';
import { anp, cluster, node, ns, pod } from './builders.ts';

/**
 * Two Nodes whose addresses make one address class: the Admin policy's networks 192.168.0.0/31 hold exactly
 * 192.168.0.0 (n2, listed first) and 192.168.0.1 (n1). (An ipBlock would not: it sets apart each Node address
 * it holds, `ipBlockNodeCidrs`.) One pod, a/web at 10.0.0.3, is the policy's subject.
 */
export function twoNodesInOneClass(): ClusterState {
  return cluster({
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
}
