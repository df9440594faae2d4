/**
 * Traffic from a pod's own node (issue #17, docs/cni.md), end to end: `spec.nodeName` read from the input,
 * the node's address and the host-network pod on it let into an isolated pod, `explain` naming the rule.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../support/cli.ts';

const FIXTURE = 'test/fixtures/own-node/cluster.yaml';

describe('traffic from the pod’s own node', () => {
  test('analyze: the own node reaches the isolated pod, the other node does not', async () => {
    const r = await runCli(['analyze', FIXTURE, '--granularity', 'pod']);
    const rows = r.stdout.split('\n').map((l) => l.trim().split(/\s{2,}/));
    const into = (dst: string) => rows.filter((row) => row[1] === dst).map((row) => row[0]);
    assert.deepEqual(into('shop/web'), ['kube-system/agent', '192.168.0.1/32 (an address of node n1)']);
  });

  test('explain names the rule (text and JSON)', async () => {
    const r = await runCli(['explain', '--from', 'kube-system/agent', '--to', 'shop/web', FIXTURE]);
    assert.match(r.stdout, /^kube-system\/agent → shop\/web: ALLOWED on all ports$/m);
    assert.match(
      r.stdout,
      /own node: always allowed \(Kubernetes\): kube-system\/agent runs on the pod's node/,
    );
    const cilium = await runCli([
      'explain',
      '--from',
      'kube-system/agent',
      '--to',
      'shop/web',
      FIXTURE,
      '--cni',
      'cilium',
      '-o',
      'json',
    ]);
    const json = JSON.parse(cilium.stdout) as { explanations: { ingress: { ownNode?: string } }[] };
    assert.equal(json.explanations[0]!.ingress.ownNode, 'own node: always allowed (cilium: allow-localhost)');
    const policy = await runCli([
      'explain',
      '--from',
      'kube-system/agent',
      '--to',
      'shop/web',
      FIXTURE,
      '--cni',
      'cilium',
      '--cni-option',
      'allow-localhost=policy',
    ]);
    assert.match(policy.stdout, /DENIED/);
    assert.match(policy.stdout, /allow-localhost=policy/);
  });

  test("explain: a node's address is a node's, not outside the cluster (text and JSON, both sides)", async () => {
    const to = await runCli(['explain', '--from', 'shop/web', '--to', '192.168.0.2/32', FIXTURE]);
    assert.match(
      to.stdout,
      /^Ingress of 192\.168\.0\.2\/32: 192\.168\.0\.2\/32 is an address of node n2, not a pod: no pod's ingress policy applies$/m,
    );
    assert.match(to.stdout, /^ {4}ingress: does not apply \(a node's address\)$/m);
    assert.doesNotMatch(to.stdout, /outside the cluster/);
    const from = await runCli([
      'explain',
      '--from',
      '192.168.0.1/32',
      '--to',
      'shop/web',
      FIXTURE,
      '-o',
      'json',
    ]);
    const json = JSON.parse(from.stdout) as {
      explanations: { egress: { status: string; nodes?: string[]; tiers: { status: string } } }[];
    };
    const egress = json.explanations[0]!.egress;
    assert.deepEqual(
      [egress.status, egress.nodes, egress.tiers.status],
      ['node-address', ['n1'], 'node-address'],
    );
    // An address no node has stays outside the cluster.
    const outside = await runCli(['explain', '--from', 'shop/web', '--to', '203.0.113.9', FIXTURE]);
    assert.match(outside.stdout, /203\.0\.113\.9 is outside the cluster: no ingress policy applies/);
  });

  test('diff: removing the deny opens web to the rest, not to its own node, which was open already', async () => {
    const r = await runCli(['diff', FIXTURE, 'test/fixtures/own-node/open.yaml']);
    assert.match(r.stdout, /^\+3 connections, −0, 0 changed/m);
    assert.match(r.stdout, /^ {2}kube-system\/agent2 +shop\/web +All connections$/m);
    assert.match(r.stdout, /^ {2}any address except 192\.168\.0\.1\/32 +shop\/web +All connections$/m);
    assert.doesNotMatch(r.stdout, /kube-system\/agent +shop\/web/);
  });
});

describe('ipBlock matches node IPs: a Node’s address under --cni cilium', () => {
  const NODE_CIDR = 'test/fixtures/own-node/node-cidr.yaml';
  const RULE = 'cilium: CIDR rules do not match node IPs unless policy-cidr-match-mode includes nodes';
  const explain = (from: string, to: string, port: string, ...rest: string[]) =>
    runCli(['explain', NODE_CIDR, '--from', from, '--to', to, '--port', port, ...rest]);

  test('explain: from another node, DENIED, citing the rule; ALLOWED upstream and with policy-cidr-match-mode=nodes', async () => {
    const cilium = await explain('192.168.0.2', 'shop/web', '8080', '--cni', 'cilium');
    assert.match(cilium.stdout, /^192\.168\.0\.2 → shop\/web: DENIED on 8080\/TCP$/m);
    assert.ok(
      cilium.stdout.includes(`      ${RULE} (spec.ingress[0].from[0].ipBlock, line 65)`),
      cilium.stdout,
    );
    assert.ok(cilium.stdout.includes(`  192.168.0.2 → shop/web: ${RULE}`), cilium.stdout);
    const upstream = await explain('192.168.0.2', 'shop/web', '8080');
    assert.match(upstream.stdout, /^192\.168\.0\.2 → shop\/web: ALLOWED on 8080\/TCP$/m);
    const nodes = await explain(
      '192.168.0.2',
      'shop/web',
      '8080',
      '--cni',
      'cilium',
      '--cni-option',
      'policy-cidr-match-mode=nodes',
    );
    assert.match(nodes.stdout, /^192\.168\.0\.2 → shop\/web: ALLOWED on 8080\/TCP$/m);
  });

  test('explain: egress to a node’s address is DENIED the same way; the pod’s own node is still let in', async () => {
    const egress = await explain('shop/web', '192.168.0.2', '6443', '--cni', 'cilium');
    assert.match(egress.stdout, /^shop\/web → 192\.168\.0\.2: DENIED on 6443\/TCP$/m);
    assert.ok(egress.stdout.includes(`${RULE} (spec.egress[0].to[0].ipBlock, line 68)`), egress.stdout);
    const own = await explain('192.168.0.1', 'shop/web', '8080', '--cni', 'cilium');
    assert.match(own.stdout, /: ALLOWED on 8080\/TCP$/m);
    assert.match(own.stdout, /own node: always allowed \(cilium: allow-localhost\)/);
  });
});
