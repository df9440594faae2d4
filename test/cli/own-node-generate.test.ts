/**
 * `generate` names a Node's address as the node's, as `map` and `check-flows` do: in its report (left out,
 * allowances, Cilium verification) and in its JSON (`nodes` on an `ip` end; `srcNodes`/`dstNodes` on an
 * allowance). The generated policies are the same: an ipBlock of the observed address.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertGolden, runCli } from '../support/cli.ts';

// n1 is 192.168.0.1 (shop/web's node), n2 192.168.0.2 (shop/web-twin's); both pods are labelled app: web.
const TWINS = 'test/fixtures/own-node/twins.yaml';
// 192.168.0.2 (n2) and 203.0.113.9 → shop/web TCP 80; 192.168.0.2 → shop/web TCP 8080, every attempt dropped.
const FLOWS = 'test/fixtures/own-node/flows-denied.csv';
const GENERATE = ['generate', TWINS, '--flows', FLOWS, '--exclude-denied'];
// From n1's address to shop/web, which runs on n1 (placed.yaml), under Cilium's allow-localhost=policy.
const FROM_N1_POLICY = [
  'generate',
  'test/fixtures/own-node/placed.yaml',
  '--flows',
  'test/fixtures/own-node/flows-from-n1.csv',
  '--cni',
  'cilium',
  '--cni-option',
  'allow-localhost=policy',
];

interface AllowanceJson {
  src: string;
  dst: string;
  srcNodes?: string[];
  dstNodes?: string[];
}

interface EndJson {
  ip?: string;
  workload?: string;
  nodes?: string[];
}

describe("generate names a node's address as the node's", () => {
  test('report: left-out and allowance lines name the nodes; outside addresses are named', async () => {
    const r = await runCli(GENERATE);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      /^ {2}192\.168\.0\.2 \(an address of node n2\) → shop\/web TCP 8080: every attempt was dropped/m,
    );
    // Allowances name the address class, a Node's as the node's (there were all 'an outside address').
    assert.match(
      r.stderr,
      /^ {4}192\.168\.0\.1\/32 \(an address of node n1\) → shop\/web: All connections$/m,
    );
    assert.match(
      r.stderr,
      /^ {4}192\.168\.0\.2\/32 \(an address of node n2\) → shop\/web-twin: All connections$/m,
    );
    assert.match(r.stderr, /^ {4}203\.0\.113\.9\/32 → shop\/web-twin: TCP 80$/m);
    assert.doesNotMatch(r.stderr, /an outside address/);
    // The policy is unchanged: an ipBlock of the node's observed address, its comment naming the node.
    assert.match(
      r.stdout,
      /# observed: 192\.168\.0\.2 \(an address of node n2\) → shop\/web TCP 80, 3 attempts\n/,
    );
    assert.match(r.stdout, /- ipBlock:\n {12}cidr: 192\.168\.0\.2\/32\n/);
  });

  test('-o json: observed and left-out ends carry their nodes, outside ones none; allowances name them', async () => {
    const r = await runCli([...GENERATE, '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout) as {
      policies: { rules: { observed: { src: EndJson }[] }[] }[];
      leftOut: { src: EndJson; port: number }[];
      verification: { shared: AllowanceJson[]; ownNode: AllowanceJson[] };
    };
    assert.deepEqual(
      json.policies.flatMap((p) => p.rules.flatMap((rule) => rule.observed.map((c) => c.src))),
      [{ ip: '192.168.0.2', nodes: ['n2'] }, { ip: '203.0.113.9' }],
    );
    assert.deepEqual(
      json.leftOut.map((l) => [l.src, l.port]),
      [[{ ip: '192.168.0.2', nodes: ['n2'] }, 8080]],
    );
    // An allowance from a class of Nodes' addresses carries them; one from an outside address none.
    const allowances = [...json.verification.shared, ...json.verification.ownNode].filter((u) =>
      u.src.startsWith('external:'),
    );
    assert.deepEqual(
      allowances.map((u) => [u.srcNodes, u.dst, u.dstNodes]),
      [
        [undefined, 'shop/Pod/web-twin', undefined],
        [['n1'], 'shop/Pod/web', undefined],
        [['n2'], 'shop/Pod/web-twin', undefined],
      ],
    );
  });
});

describe("generate on pods placed on Nodes: traffic from a pod's own node is allowed whatever the policies", () => {
  // shop/web runs on n1, and no host-network pod shares n1's address.
  const PLACED = 'test/fixtures/own-node/placed.yaml';

  test('the verification counts it as intended, not as a failure, and names the node', async () => {
    const r = await runCli(['generate', PLACED, '--flows', FLOWS]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      /^ {2}also allowed, whatever the policies: 1 connection from the pods' own nodes \(traffic from a pod's node is always allowed\):\n {4}192\.168\.0\.1\/32 \(an address of node n1\) → shop\/web: All connections$/m,
    );
    assert.doesNotMatch(r.stderr, /FAILED/);
  });

  test('-o json: verification.ownNode, with the nodes of its source', async () => {
    const r = await runCli(['generate', PLACED, '--flows', FLOWS, '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout) as {
      verification: {
        ok: boolean;
        ownNode: { dst: string; srcNodes?: string[]; summary: string }[];
        unexpected: unknown[];
      };
    };
    assert.equal(json.verification.ok, true);
    assert.deepEqual(json.verification.unexpected, []);
    assert.deepEqual(
      json.verification.ownNode.map((u) => [u.srcNodes, u.dst, u.summary]),
      [[['n1'], 'shop/Pod/web', 'All connections']],
    );
  });

  test("under Cilium's allow-localhost=policy a policy decides it: what a shared selector allows from it is shared", async () => {
    // With policy-cidr-match-mode=nodes: by default Cilium's CIDR rules do not match a node's address, so the
    // generated ipBlock of 192.168.0.2/32 would not allow what was observed (docs/cni.md).
    const r = await runCli([
      ...GENERATE,
      '--cni',
      'cilium',
      '--cni-option',
      'allow-localhost=policy',
      '--cni-option',
      'policy-cidr-match-mode=nodes',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /own nodes/);
    assert.match(r.stderr, /^ {4}192\.168\.0\.2\/32 \(an address of node n2\) → shop\/web-twin: TCP 80$/m);
  });
});

describe("generate under the Cilium profile: an ipBlock does not match another Node's address (cilium#16308)", () => {
  const CILIUM = [...GENERATE, '--cni', 'cilium'];
  const REASON =
    "192.168.0.2 (an address of node n2) is a Node's address, which NetworkPolicy ipBlocks do not match under cilium (remote-node identity): allow it with a CiliumNetworkPolicy `fromEntities: [remote-node]`, or set `policy-cidr-match-mode=nodes`";

  test('the connection from n2 is left out, with why, and no ipBlock is written for it: the verification passes', async () => {
    const r = await runCli(CILIUM);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /FAILED/);
    assert.ok(
      r.stderr.includes(`\n  192.168.0.2 (an address of node n2) → shop/web TCP 80: ${REASON}\n`),
      r.stderr,
    );
    assert.match(r.stderr, /^left out: 2 observed ports$/m);
    assert.doesNotMatch(r.stdout, /192\.168\.0\.2/);
    // The outside address keeps its ipBlock.
    assert.match(r.stdout, /- ipBlock:\n {12}cidr: 203\.0\.113\.9\/32\n/);
  });

  test('-o json: leftOut reason node-address, with the message', async () => {
    const r = await runCli([...CILIUM, '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout) as {
      leftOut: { src: EndJson; port: number; reason: string; message: string }[];
      verification: { ok: boolean };
    };
    assert.equal(json.verification.ok, true);
    assert.deepEqual(
      json.leftOut.map((l) => [l.src, l.port, l.reason]),
      [
        [{ ip: '192.168.0.2', nodes: ['n2'] }, 8080, 'denied'],
        [{ ip: '192.168.0.2', nodes: ['n2'] }, 80, 'node-address'],
      ],
    );
    assert.equal(json.leftOut[1]?.message, REASON);
  });

  test("under allow-localhost=policy the pod's own node is left out too, to be allowed as the host entity", async () => {
    const r = await runCli(FROM_N1_POLICY);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      /^ {2}192\.168\.0\.1 \(an address of node n1\) → shop\/web TCP 80: 192\.168\.0\.1 \(an address of node n1\) is a Node's address, which NetworkPolicy ipBlocks do not match under cilium \(host identity\): allow it with a CiliumNetworkPolicy `fromEntities: \[host\]`/m,
    );
    assert.doesNotMatch(r.stdout, /192\.168\.0\.1/);
  });

  test('with policy-cidr-match-mode=nodes the ipBlock of the node address is still written', async () => {
    const r = await runCli([...CILIUM, '--cni-option', 'policy-cidr-match-mode=nodes']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /- ipBlock:\n {12}cidr: 192\.168\.0\.2\/32\n/);
    assert.match(r.stderr, /^left out: 1 observed port$/m);
    assert.doesNotMatch(r.stderr, /Node's address/);
  });
});

describe("generate --format cilium writes a peer at a Node's address as the Cilium entity that allows it", () => {
  const CILIUM = [...GENERATE, '--cni', 'cilium', '--format', 'cilium'];

  test('fromEntities: [remote-node] for another node, with its comment; not left out; verified by the Cilium model', async () => {
    const r = await runCli(CILIUM);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(
      r.stdout.includes(
        [
          '    # observed: 192.168.0.2 (an address of node n2) → shop/web TCP 80, 3 attempts',
          "    # 192.168.0.2 (an address of node n2): a Node's address, which CIDR rules do not match (remote-node identity: every other node)",
          '    - fromEntities:',
          '        - remote-node',
          '      toPorts:',
          '        - ports:',
          '            - {port: "80", protocol: TCP}',
        ].join('\n'),
      ),
      r.stdout,
    );
    assert.doesNotMatch(r.stdout, /cidr: 192\.168\.0\.2/);
    assert.match(r.stderr, /^left out: 1 observed port$/m);
    assert.doesNotMatch(r.stderr, /Node's address, which NetworkPolicy ipBlocks/);
    assert.match(
      r.stderr,
      /^verified: as CiliumNetworkPolicies they allow the same, and the 1 observed port with Nodes' addresses by entity \(host, remote-node\)$/m,
    );
  });

  test('the NetworkPolicy format keeps leaving it out, with the reason', async () => {
    const r = await runCli([...GENERATE, '--cni', 'cilium', '--format', 'kubernetes']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Node's address, which NetworkPolicy ipBlocks do not match under cilium/);
    assert.doesNotMatch(r.stdout, /Entities/);
  });

  test("under allow-localhost=policy the pod's own node is fromEntities: [host]", async () => {
    const r = await runCli([...FROM_N1_POLICY, '--format', 'cilium']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\(host identity: the pod's own node\)\n {4}- fromEntities:\n {8}- host\n/);
    assert.doesNotMatch(r.stderr, /^left out/m);
  });
});

describe('generate --format cilium on Nodes, a host-network workload and pods: the golden YAML and report', () => {
  test('remote-node for n2 (its address, its host-network agent), host for web’s own node, endpoints for pods', async () => {
    const r = await runCli([
      'generate',
      'test/fixtures/own-node/entities.yaml',
      '--flows',
      'test/fixtures/own-node/flows-entities.csv',
      '--cni',
      'cilium',
      '--format',
      'cilium',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assertGolden('generate/own-node-cilium.yaml', r.stdout);
    assertGolden('generate/own-node-cilium.report.txt', r.stderr);
  });
});

describe('generate --format cilium on nodes not known (a Deployment and a host-network DaemonSet without Pods)', () => {
  test("ingress by remote-node alone says it stands for every node but the pod's own, let in anyway (golden)", async () => {
    const r = await runCli([
      'generate',
      'test/fixtures/own-node/unplaced.yaml',
      '--flows',
      'test/fixtures/own-node/flows-unplaced.csv',
      '--cni',
      'cilium',
      '--format',
      'cilium',
    ]);
    assert.equal(r.code, 0, r.stderr);
    // Not "every other node": other than a node not known. Egress has both entities: every node.
    const scopes = [...r.stdout.matchAll(/\((\S+(?: and \S+)? identit(?:y|ies): [^)]*)\)$/gm)].map(
      (m) => m[1],
    );
    assert.deepEqual(scopes, [
      "remote-node identity: every node but the pod's own, whose traffic is let in anyway; the pods' nodes are not known",
      "remote-node identity: every node but the pod's own, whose traffic is let in anyway; the pods' nodes are not known",
      'host and remote-node identities: every node',
    ]);
    assertGolden('generate/own-node-unplaced-cilium.yaml', r.stdout);
    assertGolden('generate/own-node-unplaced-cilium.report.txt', r.stderr);
  });
});

describe('generate --format cilium --mode augment: the header says the entity rules add more than needed', () => {
  test('"only what observed connections need (entity rules more, below)" and what the entities allow', async () => {
    // The own-node cluster with a default deny of shop: the Node peers need entity rules on top of it.
    const dir = mkdtempSync(join(tmpdir(), 'netfence-own-node-'));
    try {
      const file = join(dir, 'cluster.yaml');
      writeFileSync(
        file,
        `${readFileSync('test/fixtures/own-node/entities.yaml', 'utf8')}---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: shop}
spec: {podSelector: {}, policyTypes: [Ingress, Egress]}
`,
      );
      const r = await runCli([
        'generate',
        file,
        '--flows',
        'test/fixtures/own-node/flows-entities.csv',
        '--cni',
        'cilium',
        '--format',
        'cilium',
        '--mode',
        'augment',
      ]);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(r.stdout.split('\n').slice(0, 3), [
        '# CiliumNetworkPolicies for namespace shop: generated by netfence (augment mode) from observed traffic.',
        '# They add to the existing policies only what the observed ports need (entity rules more, below); every rule lists the observed ports it allows.',
        "# An entity rule (toEntities/fromEntities: host, remote-node) allows its ports with the whole identity, not only the observed addresses: host is the pod's own node (and its host-network pods), remote-node is every other node (and their host-network pods), of this cluster or a connected one.",
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
