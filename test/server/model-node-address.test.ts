/**
 * `/api/model` on pods placed on Nodes (test/fixtures/own-node/cluster.yaml): an address class made of Nodes'
 * addresses names them (`external[].nodes`), and the namespace aggregates put it in the group `nodes`, not
 * `outside` (a Node's address is in the cluster: explain's `node-address`), counting each connection once.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Analysis } from '../../src/server/analysis.ts';
import type { ModelJson } from '../../src/contract/api.ts';
import { webshopAnalysis } from './support.ts';

let analysis: Analysis;
let model: ModelJson;

before(async () => {
  analysis = await webshopAnalysis({ path: 'test/fixtures/own-node/cluster.yaml' });
  model = analysis.model();
});
after(() => analysis.close());

test("the address classes of the Nodes' addresses name their Nodes; the others do not", () => {
  assert.deepEqual(
    model.external.map((x) => [x.description, x.nodes]),
    [
      ['0.0.0.0/0 except 192.168.0.1/32, 192.168.0.2/32; ::/0', undefined],
      ['192.168.0.1/32', ['n1']],
      ['192.168.0.2/32', ['n2']],
    ],
  );
  assert.equal('nodes' in model.external[0]!, false);
});

test("the namespace aggregates: the Nodes' addresses are the group `nodes`, each connection counted once", () => {
  assert.deepEqual(
    model.namespaceConnections
      .filter((g) => g.src === 'nodes' || g.dst === 'nodes')
      .map((g) => [g.src, g.dst, g.count]),
    [
      ['nodes', 'ns:kube-system', 4],
      ['nodes', 'ns:shop', 1],
      ['ns:kube-system', 'nodes', 4],
      ['ns:shop', 'nodes', 2],
    ],
  );
  assert.deepEqual(
    model.namespaceConnections.filter((g) => g.src === 'outside').map((g) => [g.dst, g.count]),
    [['ns:kube-system', 2]],
  );
  // As many connections as analyze counts (its header: 21 allowed connections).
  assert.equal(model.summary.connections, 21);
  assert.equal(
    model.namespaceConnections.reduce((n, g) => n + g.count, 0),
    model.connections!.length,
  );
  assert.equal(model.connections!.length, 21);
});
