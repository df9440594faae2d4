/**
 * `netfence paths` with Nodes in the input: a node's address is in the cluster, not outside it. A pod's own
 * node reaches it whatever the policies say (the own-node rule), so that connection is no entry point from
 * outside: the ranking, its count of entry points and the default sources of `--to` leave node addresses
 * out, as `exposure` does; a node's address named with `--from` is said to be the node's.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runCli } from '../support/cli.ts';

// shop/web is isolated for ingress (a default deny); its node n1 is 192.168.0.1; the kube-system agents are
// open. Two nodes, n1 and n2 (192.168.0.2).
const OWN_NODE = 'test/fixtures/own-node/cluster.yaml';

interface RankJson {
  summary: { workloads: number; entryPoints: number; reachableFromOutside: number };
  workloads: { workload: string; entryPoint: { src: { external: string[] } }[] | null }[];
}

describe("paths: a node's address is no entry point from outside the cluster", () => {
  test('the ranking counts two entry points, not shop/web, whose only way in from an address is its node', async () => {
    const r = await runCli(['paths', OWN_NODE, '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout) as RankJson;
    assert.equal(json.summary.entryPoints, 2);
    const entry = new Map(json.workloads.map((w) => [w.workload, w.entryPoint]));
    assert.equal(entry.get('shop/Pod/web'), null);
    for (const agent of ['kube-system/Pod/agent', 'kube-system/Pod/agent2']) {
      const from = entry.get(agent)!.flatMap((e) => e.src.external);
      assert.ok(from.includes('::/0'), `${agent}: ${from.join(' ')}`);
      assert.ok(!from.includes('192.168.0.1/32') && !from.includes('192.168.0.2/32'), from.join(' '));
    }
  });

  test('the text ranking leaves shop/web without an entry and says which addresses reach the agents', async () => {
    const r = await runCli(['paths', OWN_NODE]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Entry points from outside the cluster: 2;/m);
    assert.match(r.stdout, /^1 +shop\/web +2 \(100%\) +2$/m);
    assert.match(
      r.stdout,
      /^1 +kube-system\/agent +2 \(100%\) +2 +All connections from any address except 192\.168\.0\.1\/32, 192\.168\.0\.2\/32$/m,
    );
  });

  test('--to without --from starts outside the cluster, not at the node: two hops through an agent', async () => {
    const r = await runCli(['paths', OWN_NODE, '--to', 'shop/web']);
    assert.equal(r.code, 1, r.stderr);
    const lines = r.stdout.split('\n');
    assert.equal(
      lines[0],
      "From outside the cluster (every address but the nodes'): 1 of 1 target reachable.",
    );
    assert.equal(lines[2], 'shop/web: 2 hops');
    assert.match(
      lines[3]!,
      /^ {2}0\.0\.0\.0\/0 except 192\.168\.0\.1\/32, 192\.168\.0\.2\/32; ::\/0 \(outside the cluster\)$/,
    );
    assert.match(lines[4]!, /^ {2}→ kube-system\/agent2? +All connections$/);
  });

  test("a node's address named with --from is the node's, in one hop", async () => {
    const r = await runCli(['paths', OWN_NODE, '--from', '192.168.0.1/32', '--to', 'shop/web']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^shop\/web: 1 hop$/m);
    assert.match(r.stdout, /^ {2}192\.168\.0\.1\/32 \(an address of node n1\)$/m);
    const reach = await runCli(['paths', OWN_NODE, '--from', '192.168.0.1/32']);
    assert.match(reach.stdout, /^192\.168\.0\.1\/32 \(an address of node n1\)$/m);
  });

  test('without Nodes every address is outside, as before', async () => {
    const r = await runCli(['paths', 'examples/webshop', '--to', 'data/postgres']);
    assert.match(r.stdout, /^From outside the cluster \(every address\): /);
  });
});
