/**
 * `netfence diff --git` on a temporary repository the test creates: commit 1 holds examples/webshop under
 * deploy/, commit 2 replaces it with examples/webshop-v2. Reading a revision must give exactly what reading
 * the same files from a folder gives, without touching the working tree.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseRevisionRange } from '../../src/git/revisions.ts';
import { runCli } from '../support/cli.ts';

let repo = '';
let notRepo = '';

function git(...args: string[]): string {
  return execFileSync('git', ['-C', repo, ...args], {
    encoding: 'utf8',
    // The test's commits must not depend on the machine's git configuration (signing, hooks, names).
    env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' },
  });
}

function commit(message: string): void {
  git('add', '-A');
  git(
    '-c',
    'user.name=netfence test',
    '-c',
    'user.email=test@netfence.invalid',
    'commit',
    '-q',
    '-m',
    message,
  );
}

before(() => {
  repo = mkdtempSync(join(tmpdir(), 'netfence-git-'));
  notRepo = mkdtempSync(join(tmpdir(), 'netfence-nogit-'));
  git('init', '-q', '-b', 'main');
  cpSync('examples/webshop', join(repo, 'deploy'), { recursive: true });
  // Hidden folders and node_modules are skipped in a revision as in a folder: these would not parse.
  mkdirSync(join(repo, 'deploy/.github'));
  writeFileSync(join(repo, 'deploy/.github/broken.yaml'), 'kind: [');
  mkdirSync(join(repo, 'deploy/node_modules/chart'), { recursive: true });
  writeFileSync(join(repo, 'deploy/node_modules/chart/broken.yaml'), 'kind: [');
  commit('webshop v1');
  git('tag', 'v1');
  rmSync(join(repo, 'deploy/policies'), { recursive: true });
  cpSync('examples/webshop-v2/policies', join(repo, 'deploy/policies'), { recursive: true });
  // A folder that only the second revision has.
  cpSync('examples/webshop-v2/policies', join(repo, 'extra'), { recursive: true });
  commit('payments & data hardening');
  // A branch from v1 that only adds DNS to the report job, as webshop-v2 does.
  git('checkout', '-q', '-b', 'dns-fix', 'v1');
  const v1Data = readFileSync('examples/webshop/policies/data.yaml', 'utf8');
  const v2Data = readFileSync('examples/webshop-v2/policies/data.yaml', 'utf8');
  const dnsRule = v2Data.slice(v2Data.indexOf('    - to:\n        - namespaceSelector:'));
  writeFileSync(join(repo, 'deploy/policies/data.yaml'), `${v1Data.trimEnd()}\n${dnsRule}`);
  commit('report-exporter: allow DNS');
  // A branch whose policy has an invalid CIDR.
  git('checkout', '-q', '-b', 'broken', 'main');
  const payments = readFileSync(join(repo, 'deploy/policies/payments.yaml'), 'utf8');
  writeFileSync(
    join(repo, 'deploy/policies/payments.yaml'),
    payments.replace('198.51.100.40/32', '198.51.100.400/32'),
  );
  commit('typo');
  git('checkout', '-q', 'main');
});

after(() => {
  rmSync(repo, { recursive: true, force: true });
  rmSync(notRepo, { recursive: true, force: true });
});

interface DiffJson {
  before: string;
  after: string;
  summary: Record<string, number>;
  connections: { change: string; src: { workload?: string }; dst: { workload?: string } }[];
  policies: { change: string; id: string; file: string | null; line: number | null }[];
  workloads: { added: string[]; removed: string[] };
}

async function diffJson(args: string[]): Promise<DiffJson> {
  const r = await runCli(['diff', ...args, '-o', 'json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as DiffJson;
}

describe('parseRevisionRange', () => {
  test('reads ranges as git does', () => {
    assert.deepEqual(parseRevisionRange('main..HEAD'), { before: 'main', after: 'HEAD', mergeBase: false });
    assert.deepEqual(parseRevisionRange('origin/main...HEAD'), {
      before: 'origin/main',
      after: 'HEAD',
      mergeBase: true,
    });
    assert.deepEqual(parseRevisionRange('v1..'), { before: 'v1', after: 'HEAD', mergeBase: false });
    assert.deepEqual(parseRevisionRange('..v2'), { before: 'HEAD', after: 'v2', mergeBase: false });
    assert.deepEqual(parseRevisionRange('HEAD~1'), { before: 'HEAD~1', after: undefined, mergeBase: false });
  });
});

describe('netfence diff --git', () => {
  test('HEAD~1..HEAD gives the same diff as the two folders, with rev:path file names', async () => {
    const fromGit = await runCli(['diff', '--git', 'HEAD~1..HEAD', join(repo, 'deploy'), '-o', 'json']);
    const fromFolders = await runCli(['diff', 'examples/webshop', 'examples/webshop-v2', '-o', 'json']);
    assert.equal(fromGit.code, 0, fromGit.stderr);
    assert.deepEqual(
      JSON.parse(
        fromGit.stdout
          .replaceAll('HEAD~1:deploy', 'examples/webshop')
          .replaceAll('HEAD:deploy', 'examples/webshop-v2'),
      ),
      JSON.parse(fromFolders.stdout),
    );
    const text = await runCli(['diff', '--git', 'HEAD~1..HEAD', join(repo, 'deploy')]);
    assert.match(text.stdout, /^HEAD~1:deploy → HEAD:deploy$/m);
    assert.match(text.stdout, / HEAD:deploy\/policies\/data\.yaml:39 /);
    // The broken files under .github and node_modules were not read.
    assert.equal(
      text.stderr,
      'Ignored 15 objects of other kinds (ConfigMap ×7, ServiceAccount ×5, Ingress ×2, IngressClass ×1).\n',
    );
  });

  test('reads revisions, not the working tree, and leaves it untouched', async () => {
    writeFileSync(join(repo, 'deploy/policies/data.yaml'), 'not: [valid');
    try {
      const out = await diffJson(['--git', 'v1..main', join(repo, 'deploy')]);
      assert.equal(out.summary['policiesModified'], 4);
      assert.equal(readFileSync(join(repo, 'deploy/policies/data.yaml'), 'utf8'), 'not: [valid');
      assert.equal(git('status', '--porcelain'), ' M deploy/policies/data.yaml\n');
    } finally {
      git('checkout', '--', 'deploy/policies/data.yaml');
    }
  });

  test('a single revision is compared with the working tree', async () => {
    rmSync(join(repo, 'deploy/policies/payments.yaml'));
    try {
      const out = await diffJson(['--git', 'HEAD', join(repo, 'deploy')]);
      assert.equal(out.before, 'HEAD:deploy');
      assert.match(out.after, /deploy \(working tree\)$/);
      assert.deepEqual(
        out.policies.map((p) => `${p.change} ${p.id}`),
        [
          'removed payments/allow-dns',
          'removed payments/allow-fraud-check',
          'removed payments/allow-payment-gateway',
          'removed payments/allow-prometheus-scrape',
          'removed payments/default-deny-all',
        ],
      );
      // A removed policy points at its place in the before state.
      assert.match(out.policies[0]!.file!, /^HEAD:deploy\/policies\/payments\.yaml$/);
    } finally {
      git('checkout', '--', 'deploy/policies/payments.yaml');
    }
  });

  test('A...B compares the merge base with B: only what the branch changed', async () => {
    const threeDots = await diffJson(['--git', 'main...dns-fix', join(repo, 'deploy')]);
    assert.deepEqual(
      threeDots.connections.map((c) => `${c.change} ${c.src.workload} → ${c.dst.workload}`),
      ['added data/CronJob/report-exporter → kube-system/Deployment/coredns'],
    );
    assert.match(threeDots.before, /^[0-9a-f]{7,}:deploy$/);
    assert.equal(threeDots.after, 'dns-fix:deploy');
    // Two dots compare main itself with the branch: v2's hardening shows up as reverted (16 connections
    // added; fraud-check's, to any address again, is one changed connection of the after side).
    const twoDots = await diffJson(['--git', 'main..dns-fix', join(repo, 'deploy')]);
    assert.equal(twoDots.summary['added'], 16);
  });

  test('a file path compares that file only', async () => {
    const out = await diffJson(['--git', 'v1..main', join(repo, 'deploy/policies/data.yaml')]);
    assert.deepEqual(
      out.policies.map((p) => `${p.change} ${p.id} ${p.file}:${p.line}`),
      [
        'modified data/allow-redis main:deploy/policies/data.yaml:39',
        'modified data/report-exporter-egress main:deploy/policies/data.yaml:92',
      ],
    );
  });

  test('a path that only one revision has is compared as empty, with a warning', async () => {
    const r = await runCli(['diff', '--git', 'v1..main', join(repo, 'extra'), '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^warning: "extra" does not exist at v1: compared as empty$/m);
    const out = JSON.parse(r.stdout) as DiffJson;
    // Every policy of the bundled example lives under policies/.
    assert.equal(out.summary['policiesAdded'], 21);
    assert.ok(out.policies.every((p) => p.change === 'added' && p.file!.startsWith('main:extra/')));
  });

  const errors: [string, () => string[], RegExp][] = [
    [
      'an invalid manifest in a revision, named rev:path:line',
      () => ['diff', '--git', 'main..broken', join(repo, 'deploy')],
      /^broken:deploy\/policies\/payments\.yaml:105:\d+ .*198\.51\.100\.400\/32/m,
    ],
    [
      'an unknown revision',
      () => ['diff', '--git', 'nothing-like-it..main', join(repo, 'deploy')],
      /^netfence: unknown revision "nothing-like-it" in .*; give a branch, tag or commit \(git log --oneline lists them\)$/m,
    ],
    [
      'a misspelled branch: the branch meant',
      () => ['diff', '--git', 'mian..HEAD', join(repo, 'deploy')],
      /^netfence: unknown revision "mian" in .*; did you mean "main"\?$/m,
    ],
    [
      'a misspelled tag',
      () => ['diff', '--git', 'v0..main', join(repo, 'deploy')],
      /^netfence: unknown revision "v0" in .*; did you mean "v1"\?$/m,
    ],
    [
      'a misspelled branch with an ancestor suffix',
      () => ['diff', '--git', 'dns-fxi~1..main', join(repo, 'deploy')],
      /^netfence: unknown revision "dns-fxi~1" in .*; did you mean "dns-fix~1"\?$/m,
    ],
    [
      'HEAD in the wrong case',
      () => ['diff', '--git', 'main..haed', join(repo, 'deploy')],
      /^netfence: unknown revision "haed" in .*; did you mean "HEAD"\?$/m,
    ],
    [
      'a path at neither revision',
      () => ['diff', '--git', 'v1..main', join(repo, 'nothing')],
      /^netfence: "nothing" exists at neither revision of v1\.\.main; check the path/m,
    ],
    [
      'a folder outside any repository',
      () => ['diff', '--git', 'HEAD~1..HEAD', notRepo],
      /is not inside a git repository; --git compares two revisions of a folder of a repository$/m,
    ],
    [
      'two paths',
      () => ['diff', '--git', 'v1..main', join(repo, 'deploy'), join(repo, 'extra')],
      /^netfence: --git takes one path inside the repository, got 2/m,
    ],
    [
      'standard input',
      () => ['diff', '--git', 'v1..main', '-'],
      /^netfence: --git reads the manifests from the repository/m,
    ],
  ];
  for (const [what, args, message] of errors) {
    test(`${what}: one line, exit 2`, async () => {
      const r = await runCli(args());
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /at .*\.ts:\d+/);
    });
  }
});
