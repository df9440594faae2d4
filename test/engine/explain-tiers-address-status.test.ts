/**
 * The cluster-policy walk's status of an address end (src/engine/explain-tiers.ts, issue #20, round 12: the
 * lines changed since the folder run at 6802837; docs/mutation/engine.md, "Round 12: lines changed since
 * 6802837"): a Node's address is `node-address`, any other address `outside-cluster`, in the tiers as on the side.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileCluster } from '../../src/engine/compile.ts';
import { explainEntities, parsePortQuery } from '../../src/engine/explain.ts';
import { buildRefIndex, resolveRefText } from '../../src/engine/refs.ts';
import { anp, cluster, node, ns, pod } from '../support/builders.ts';

test("an address's side: node-address for a Node's, outside-cluster for another, in the tier walk too", () => {
  const state = cluster({
    namespaces: [ns('a')],
    nodes: [node('n1', {}, ['192.168.0.1'])],
    pods: [pod('a', 'db', { app: 'db' }, { ips: ['10.0.0.2'], nodeName: 'n1' })],
    clusterPolicies: [
      anp('allow-db', {
        priority: 1,
        subject: { pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: 'db' } } } },
        ingress: [{ name: 'all', action: 'Allow', from: [{ namespaces: {} }] }],
      }),
    ],
  });
  const index = buildRefIndex(compileCluster(state), 'pod');
  const q = parsePortQuery('443/TCP');
  assert.ok(typeof q !== 'string');
  const egressOf = (from: string): [string, readonly string[] | undefined, string] => {
    const src = resolveRefText(index, from);
    const dst = resolveRefText(index, 'a/db');
    assert.ok(src.ok && dst.ok);
    const [x] = explainEntities(index, src.value.entities[0]!.id, dst.value.entities[0]!.id, q);
    return [x!.egress.status, x!.egress.nodes, x!.egress.tiers.status];
  };
  assert.deepEqual(egressOf('192.168.0.1'), ['node-address', ['n1'], 'node-address']);
  assert.deepEqual(egressOf('203.0.113.9'), ['outside-cluster', undefined, 'outside-cluster']);
});
