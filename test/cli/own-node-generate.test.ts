/**
 * `generate` names a Node's address as the node's, as `map` and `check-flows` do: in its report (left out,
 * allowances, Cilium verification) and in its JSON (`nodes` on an `ip` end; `srcNodes`/`dstNodes` on an
 * allowance). The generated policies are the same: an ipBlock of the observed address.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../support/cli.ts';

// n1 is 192.168.0.1 (shop/web's node), n2 192.168.0.2 (shop/web-twin's); both pods are labelled app: web.
const TWINS = 'test/fixtures/own-node/twins.yaml';
// 192.168.0.2 (n2) and 203.0.113.9 → shop/web TCP 80; 192.168.0.2 → shop/web TCP 8080, every attempt dropped.
const FLOWS = 'test/fixtures/own-node/flows-denied.csv';
const GENERATE = ['generate', TWINS, '--flows', FLOWS, '--exclude-denied'];

interface EndJson {
  ip?: string;
  workload?: string;
  nodes?: string[];
}

describe("generate names a node's address as the node's", () => {
  test('report: left out and allowed-through-shared-selectors lines name the nodes; outside addresses are named', async () => {
    const r = await runCli(GENERATE);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      /^ {2}192\.168\.0\.2 \(an address of node n2\) → shop\/web TCP 8080: every attempt was dropped/m,
    );
    assert.match(r.stderr, /^ {4}192\.168\.0\.2\/32 \(an address of node n2\) → shop\/web-twin: /m);
    assert.doesNotMatch(r.stderr, /an outside address/);
    // The policy is unchanged: an ipBlock of the node's observed address, its comment the plain IP.
    assert.match(r.stdout, /# observed: 192\.168\.0\.2 → shop\/web TCP 80, 3 connections\n/);
    assert.match(r.stdout, /- ipBlock:\n {12}cidr: 192\.168\.0\.2\/32\n/);
  });

  test('-o json: observed and left-out ends carry their nodes, outside ones none; allowances name them', async () => {
    const r = await runCli([...GENERATE, '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout) as {
      policies: { rules: { observed: { src: EndJson }[] }[] }[];
      leftOut: { src: EndJson; port: number }[];
      verification: { shared: { src: string; dst: string; srcNodes?: string[]; dstNodes?: string[] }[] };
    };
    assert.deepEqual(
      json.policies.flatMap((p) => p.rules.flatMap((rule) => rule.observed.map((c) => c.src))),
      [{ ip: '192.168.0.2', nodes: ['n2'] }, { ip: '203.0.113.9' }],
    );
    assert.deepEqual(
      json.leftOut.map((l) => [l.src, l.port]),
      [[{ ip: '192.168.0.2', nodes: ['n2'] }, 8080]],
    );
    const shared = json.verification.shared.filter((u) => u.src.startsWith('external:'));
    assert.ok(shared.length > 0);
    assert.ok(shared.some((u) => u.srcNodes?.[0] === 'n2'));
    for (const u of shared) assert.equal(u.dstNodes, undefined);
  });
});
