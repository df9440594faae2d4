/**
 * `--cni` on the commands (docs/cni.md): the default is today's behaviour exactly, `diff --vs-cni` lists what
 * changes between two CNIs (golden files, text and JSON), explain names the profile rule that decided, and
 * bad profiles are one-line errors.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ciliumDefaultDenyIgnoredWarning, resolveCniProfile } from '../../src/engine/profiles.ts';
import { assertGolden, runCli } from '../support/cli.ts';

const FIXTURE = 'test/fixtures/cni/divergences.yaml';

describe('--cni: the default is upstream, today’s behaviour', () => {
  test('analyze prints the same with and without --cni upstream', async () => {
    const plain = await runCli(['analyze', FIXTURE]);
    const upstream = await runCli(['analyze', '--cni', 'upstream', FIXTURE]);
    assert.equal(plain.code, 0);
    assert.equal(upstream.stdout, plain.stdout);
  });

  test('a profile changes what analyze reports', async () => {
    const plain = await runCli(['analyze', '-o', 'json', FIXTURE]);
    const cilium = await runCli(['analyze', '-o', 'json', '--cni', 'cilium', FIXTURE]);
    assert.notEqual(cilium.stdout, plain.stdout);
  });

  test('--ipblock-matches-pods and --host-network-pods still override (on any profile)', async () => {
    const args = ['explain', '--from', 'shop/web', '--to', 'shop/db', '--port', '5432', FIXTURE];
    assert.equal((await runCli(args)).code, 0);
    assert.equal((await runCli([...args, '--ipblock-matches-pods', 'false'])).code, 1);
    assert.equal((await runCli([...args, '--cni', 'cilium'])).code, 1);
    assert.equal((await runCli([...args, '--cni', 'cilium', '--ipblock-matches-pods', 'true'])).code, 0);
    const exporter = ['explain', '--from', 'shop/web', '--to', 'shop/node-exporter', FIXTURE];
    assert.equal((await runCli([...exporter, '--cni', 'calico'])).code, 0);
    assert.equal((await runCli([...exporter, '--cni', 'calico', '--host-network-pods', 'policed'])).code, 1);
  });
});

describe('diff --vs-cni: what changes when migrating CNIs', () => {
  test('calico → cilium@1.14, text', async () => {
    const r = await runCli(['diff', '--cni', 'calico', '--vs-cni', 'cilium@1.14', FIXTURE]);
    assert.equal(r.code, 0, r.stderr);
    assertGolden('diff/cni-calico-cilium-1.14.txt', r.stdout);
  });

  test('upstream → cilium@1.15 with policy-cidr-match-mode=nodes, JSON', async () => {
    const r = await runCli([
      'diff',
      '--vs-cni',
      'cilium@1.15',
      '--vs-cni-option',
      'policy-cidr-match-mode=nodes',
      '-o',
      'json',
      FIXTURE,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assertGolden('diff/cni-upstream-cilium-1.15-nodes.json', r.stdout);
    const json = JSON.parse(r.stdout) as { before: string; after: string; connections: unknown[] };
    assert.equal(json.after, '--vs-cni cilium@1.15 (policy-cidr-match-mode=nodes)');
    assert.ok(json.connections.length > 0);
  });

  test('two profiles that agree: no differences, and --exit-code says so', async () => {
    const r = await runCli(['diff', '--cni', 'calico', '--vs-cni', 'ovn-kubernetes', '--exit-code', FIXTURE]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /No differences\./);
    const d = await runCli(['diff', '--vs-cni', 'cilium', '--exit-code', FIXTURE]);
    assert.equal(d.code, 1);
  });

  test('--vs-cni with --git is refused in one line', async () => {
    const r = await runCli(['diff', '--vs-cni', 'cilium', '--git', 'HEAD', FIXTURE]);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, 'netfence: --vs-cni compares two CNIs on one state: drop --git\n');
  });

  test('--vs-cni reads every path given as one input, as analyze does', async () => {
    const apart = ['examples/webshop', FIXTURE];
    const r = await runCli(['diff', '--vs-cni', 'cilium', '-o', 'json', ...apart]);
    assert.equal(r.code, 0, r.stderr);
    // The same answer as one folder holding both.
    const dir = mkdtempSync(join(tmpdir(), 'netfence-vs-cni-'));
    try {
      cpSync('examples/webshop', join(dir, 'webshop'), { recursive: true });
      cpSync(FIXTURE, join(dir, 'webshop', 'divergences.yaml'));
      const one = await runCli(['diff', '--vs-cni', 'cilium', '-o', 'json', join(dir, 'webshop')]);
      assert.equal(one.code, 0, one.stderr);
      assert.equal(r.stdout, one.stdout);
      // The divergences of the second path are there.
      const json = JSON.parse(r.stdout) as { connections: unknown[] };
      assert.ok(json.connections.length > 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('tiers per profile: Cilium leaves the cluster policies out, with one warning line', async () => {
    const r = await runCli(['diff', '--vs-cni', 'cilium', 'test/fixtures/tiers']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stderr,
      'warning: cilium enforces no ClusterNetworkPolicy, BaselineAdminNetworkPolicy: 6 policies left out (docs/cni.md)\n',
    );
    assert.match(r.stdout, /^--cni upstream → --vs-cni cilium\n\+24 connections/);
    // With ClusterNetworkPolicy enabled (Cilium 1.20), only the BaselineAdminNetworkPolicy is left out.
    const on = await runCli([
      'analyze',
      '--cni',
      'cilium',
      '--cni-option',
      'enable-k8s-cluster-network-policy=true',
      'test/fixtures/tiers',
    ]);
    assert.match(
      on.stderr,
      /^warning: cilium \(enable-k8s-cluster-network-policy=true\) enforces no BaselineAdminNetworkPolicy: 1 policy left out/m,
    );
  });

  test('--vs-cni-option without --vs-cni is an error, not ignored', async () => {
    const r = await runCli(['diff', '--vs-cni-option', 'enable-sctp=true', FIXTURE, FIXTURE]);
    assert.equal(r.code, 2);
    assert.equal(
      r.stderr,
      'netfence: --vs-cni-option "enable-sctp=true" sets a setting of the --vs-cni profile: give --vs-cni <profile> too (or use --cni-option for --cni)\n',
    );
  });
});

describe('explain names the profile rule that decided', () => {
  /** `explain` on the fixture, from one workload to another on one port, with a profile. */
  const explain = (cni: string, from: string, to: string, port: string, ...more: string[]) =>
    runCli(['explain', '--cni', cni, '--from', from, '--to', to, '--port', port, ...more, FIXTURE]);

  test('CIDR rules and pod IPs on Cilium', async () => {
    const r = await explain('cilium', 'shop/web', 'shop/db', '5432');
    assert.equal(r.code, 1);
    assertGolden('explain/cni-cilium-cidr.txt', r.stdout);
    assert.match(
      r.stdout,
      /shop\/web → shop\/db: cilium: CIDR rules do not match pod IPs unless policy-cidr-match-mode includes pods/,
    );
  });

  test('in Markdown, a list under a bold heading (a pull-request comment)', async () => {
    const r = await explain('cilium', 'shop/web', 'shop/db', '5432', '-o', 'md');
    assert.match(
      r.stdout,
      /\n\*\*Decided by the CNI profile `cilium`:\*\*\n\n- shop\/web → shop\/db: cilium: CIDR rules do not match pod IPs unless policy-cidr-match-mode includes pods \(allowed none; under `--cni upstream`, 5432\/TCP\)\n$/,
    );
  });

  test('endPort on Cilium 1.15, in JSON', async () => {
    const r = await explain('cilium@1.15', 'shop/db', 'shop/media', '22', '-o', 'json');
    assert.equal(r.code, 0);
    const json = JSON.parse(r.stdout) as {
      cni: { profile: string; decided: { setting: string; rule: string }[] };
    };
    assert.equal(json.cni.profile, 'cilium@1.15');
    assert.deepEqual(json.cni.decided, [
      {
        src: 'shop/db',
        dst: 'shop/media',
        setting: 'endPort',
        rule: 'cilium@1.15: NetworkPolicies with endPort are not enforced at all (cilium#28704)',
        allowed: '22/TCP',
        upstreamAllowed: 'none',
      },
    ]);
  });

  test('a verdict the profile did not change says so', async () => {
    const r = await explain('cilium', 'shop/web', 'shop/media', '8000');
    assert.equal(r.code, 0);
    assert.match(r.stdout, /\nCNI profile cilium: no rule of it changed this verdict\.\n$/);
  });
});

describe('--cni errors are one line', () => {
  const cases: [string[], string][] = [
    [
      ['analyze', '--cni', 'flannel', FIXTURE],
      'netfence: unknown CNI "flannel" in --cni "flannel"; use one of upstream, cilium, calico, ovn-kubernetes, antrea, optionally with @version (cilium@1.16)\n',
    ],
    [
      ['analyze', '--cni', 'auto', FIXTURE],
      'netfence: --cni auto reads the CNI from the cluster: use it with --cluster, or name the CNI (--cni cilium@1.16)\n',
    ],
    [
      ['analyze', '--cni', 'cilium@1.14', '--cni-option', 'policy-cidr-match-mode=pods', FIXTURE],
      'netfence: --cni-option "policy-cidr-match-mode=pods": Cilium has pods mode from 1.20 on, not in 1.14\n',
    ],
  ];
  for (const [args, message] of cases) {
    test(args.slice(1, -1).join(' '), async () => {
      const r = await runCli(args);
      assert.equal(r.code, 2);
      assert.equal(r.stderr, message);
      assert.equal(r.stdout, '');
    });
  }
});

describe('endPort under older Cilium: said in every command', () => {
  const EP = 'test/fixtures/cni/endport.yaml';
  const npLeftOut =
    'warning: cilium@1.15 does not enforce NetworkPolicies with endPort (cilium#28704): 1 policy left out (b/np-ep); drop endPort or run Cilium ≥ 1.16 (docs/cni.md)\n';
  const cnpPruned = (v: string): string =>
    `warning: the CiliumNetworkPolicy CRD of cilium@${v} has no endPort (it came with Cilium 1.16): the API server drops it, so 1 Cilium policy allows only the first port of a range (CiliumNetworkPolicy/a/ep); list the ports one by one or run Cilium ≥ 1.16 (docs/cni.md)\n`;

  test('analyze warns of the NetworkPolicy left out and the Cilium endPort dropped; 1.16 says nothing', async () => {
    const r = await runCli(['analyze', '--cni', 'cilium@1.15', '-q', EP]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, npLeftOut + cnpPruned('1.15'));
    const ok = await runCli(['analyze', '--cni', 'cilium@1.16', '-q', EP]);
    assert.equal(ok.stderr, '');
  });

  test('diff --vs-cni names the policy the older profile leaves out, and why', async () => {
    const r = await runCli(['diff', '--cni', 'cilium@1.15', '--vs-cni', 'cilium@1.16', '-q', EP]);
    assert.equal(r.stderr, npLeftOut + cnpPruned('1.15'));
  });

  test('lint: a finding at each endPort line, none blaming the selector', async () => {
    const r = await runCli(['lint', '--cni', 'cilium@1.15', EP]);
    assert.match(
      r.stdout,
      /33:39 +error +endPort 8010: the CiliumNetworkPolicy CRD of cilium@1\.15 has no endPort/,
    );
    assert.match(
      r.stdout,
      /43:26 +error +endPort 7005: cilium@1\.15 does not enforce NetworkPolicies with endPort \(cilium#28704\), so this whole policy is left out/,
    );
    assert.doesNotMatch(r.stdout, /no-policy-selecting-nothing/);
  });

  test('explain: the pod is selected by a policy the profile does not enforce', async () => {
    const args = [
      'explain',
      '--cni',
      'cilium@1.15',
      '--from',
      '1.2.3.4',
      '--to',
      'b/other',
      '--port',
      '80/TCP',
      EP,
    ];
    const r = await runCli(args);
    assert.match(
      r.stdout,
      /^Ingress of b\/other: not isolated: selected by b\/np-ep, which cilium@1\.15 does not enforce \(endPort, cilium#28704\), so it allows everything$/m,
    );
    const json = JSON.parse((await runCli([...args, '-o', 'json'])).stdout) as {
      explanations: { ingress: { unenforced?: { policy: string; reason: string }[] } }[];
    };
    assert.deepEqual(
      json.explanations[0]?.ingress.unenforced?.map((u) => [u.policy, u.reason]),
      [['b/np-ep', 'endPort, cilium#28704']],
    );
  });

  test('explain: a CiliumNetworkPolicy endPort before 1.16 has the CRD reason, not the NetworkPolicy issue', async () => {
    const r = await runCli([
      'explain',
      '--cni',
      'cilium@1.14',
      '--from',
      'a/client',
      '--to',
      'a/server',
      '--port',
      '8005/TCP',
      EP,
    ]);
    assert.match(
      r.stdout,
      /cilium@1\.14: CiliumNetworkPolicies have no endPort before 1\.16 \(the CRD lacks the field, so the API server drops it\)/,
    );
    assert.doesNotMatch(r.stdout, /cilium#28684/);
  });
});

describe('enableDefaultDeny under a profile that ignores it: said by analyze', () => {
  const DD = 'test/fixtures/cni/default-deny-off.yaml';
  const ignored = (why: string): string =>
    `warning: ${why}: enableDefaultDeny is ignored: a rule set is in default deny in each direction it has rules (${
      why.includes('1.15')
        ? 'not in the CRD before 1.16, cilium#30572'
        : 'enable-non-default-deny-policies=false'
    }): 2 Cilium policies set enableDefaultDeny: false in a direction they have rules in (CiliumNetworkPolicy/a/layered, CiliumNetworkPolicy/b/egress-off), read as default deny there; remove the field, or run a Cilium that reads it (1.16 or later, enable-non-default-deny-policies on) (docs/cni.md)\n`;

  test('cilium@1.15: one line naming the policies whose field changed the answer; 1.16 says nothing', async () => {
    const old = await runCli(['analyze', '--cni', 'cilium@1.15', '-q', DD]);
    assert.equal(old.code, 0, old.stderr);
    assert.equal(old.stderr, ignored('cilium@1.15'));
    // The field decides the answer: a/server is open to b/other, and b/other's egress, only where it is read.
    assert.doesNotMatch(old.stdout, /^b\/other /m);
    const now = await runCli(['analyze', '--cni', 'cilium@1.16', '-q', DD]);
    assert.equal(now.stderr, '');
    assert.match(now.stdout, /^b\/other +a\/server +All connections$/m);
    assert.match(now.stdout, /^b\/other +any address +All connections$/m);
  });

  test('enable-non-default-deny-policies=false: the same line, with that reason', async () => {
    const r = await runCli([
      'analyze',
      '--cni',
      'cilium@1.17',
      '--cni-option',
      'enable-non-default-deny-policies=false',
      '-q',
      '-o',
      'json',
      DD,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, ignored('cilium@1.17'));
  });

  test('lint says it at the field, not again as a warning line', async () => {
    const r = await runCli(['lint', '--cni', 'cilium@1.15', DD]);
    assert.match(r.stdout, /34:23 +warning +enableDefaultDeny\.ingress: false has no effect here/);
    assert.match(r.stdout, /56:23 +warning +enableDefaultDeny\.egress: false has no effect here/);
    assert.doesNotMatch(r.stderr, /enableDefaultDeny/);
  });
});

test('the enableDefaultDeny line counts policies (one or more), lists three and how many more; silent where the field is read', () => {
  const profile = (name: string) => {
    const p = resolveCniProfile(name, []);
    assert.ok(p.ok);
    return p.value;
  };
  const ids = ['a/p1', 'a/p2', 'b/p3', 'b/p4'].map((id) => `CiliumNetworkPolicy/${id}`);
  assert.equal(
    ciliumDefaultDenyIgnoredWarning(profile('cilium@1.14'), ids),
    'warning: cilium@1.14: enableDefaultDeny is ignored: a rule set is in default deny in each direction it has rules (not in the CRD before 1.16, cilium#30572): 4 Cilium policies set enableDefaultDeny: false in a direction they have rules in (CiliumNetworkPolicy/a/p1, CiliumNetworkPolicy/a/p2, CiliumNetworkPolicy/b/p3, and 1 more), read as default deny there; remove the field, or run a Cilium that reads it (1.16 or later, enable-non-default-deny-policies on) (docs/cni.md)',
  );
  assert.equal(
    ciliumDefaultDenyIgnoredWarning(profile('cilium@1.15'), ids.slice(0, 1)),
    'warning: cilium@1.15: enableDefaultDeny is ignored: a rule set is in default deny in each direction it has rules (not in the CRD before 1.16, cilium#30572): 1 Cilium policy sets enableDefaultDeny: false in a direction it has rules in (CiliumNetworkPolicy/a/p1), read as default deny there; remove the field, or run a Cilium that reads it (1.16 or later, enable-non-default-deny-policies on) (docs/cni.md)',
  );
  assert.equal(ciliumDefaultDenyIgnoredWarning(profile('cilium@1.14'), []), undefined);
  assert.equal(ciliumDefaultDenyIgnoredWarning(profile('cilium@1.16'), ids), undefined);
  assert.equal(ciliumDefaultDenyIgnoredWarning(profile('upstream'), ids), undefined);
});
