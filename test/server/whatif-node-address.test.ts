/**
 * What-if on pods placed on Nodes (test/fixtures/own-node/cluster.yaml): the answer's address classes made of
 * Nodes' addresses name their Nodes (`external[].nodes`), as `/api/model` does, so that the UI draws them in
 * the `nodes` group and not as addresses outside the cluster; its rows name them as `diff` does.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadManifests } from '../../src/parse/index.ts';
import { whatIf } from '../../src/server/whatif.ts';

const OPTIONS = { engine: { ipBlockMatchesPods: true }, defaultNamespace: 'default' };

test("what-if: the Nodes' address classes name their Nodes; the addresses outside the cluster do not", async () => {
  const loaded = await loadManifests(['test/fixtures/own-node/cluster.yaml'], {
    defaultNamespace: 'default',
    skipInvalid: false,
  });
  assert.deepEqual(loaded.errors, []);
  // shop/web opened to 10.0.0.0/8 (a new address class) beside its default deny.
  const r = whatIf(
    loaded.state,
    [
      {
        yaml: `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: from-ten, namespace: shop }
spec:
  podSelector: {}
  policyTypes: [Ingress]
  ingress:
    - from: [{ ipBlock: { cidr: 10.0.0.0/8 } }]
`,
      },
    ],
    OPTIONS,
  );
  assert.deepEqual(r.problems, []);
  const byDescription = new Map(r.external.map((x) => [x.description, x.nodes]));
  assert.deepEqual(byDescription.get('192.168.0.1/32'), ['n1']);
  assert.deepEqual(byDescription.get('192.168.0.2/32'), ['n2']);
  assert.equal(byDescription.get('10.0.0.0/8'), undefined);
  assert.ok(byDescription.has('10.0.0.0/8'), [...byDescription.keys()].join(' | '));
  assert.equal(r.external.filter((x) => x.nodes !== undefined).length, 2);
  assert.deepEqual(
    r.rows.map((x) => [x.change, x.src, x.dst]),
    [['added', '10.0.0.0/8', 'shop/web']],
  );
});
