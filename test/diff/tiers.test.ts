/**
 * Diff of cluster policies (ClusterNetworkPolicy, AdminNetworkPolicy, BaselineAdminNetworkPolicy): which
 * were added, removed or modified, the fields, and in words the tier, priority, action and order changes;
 * and how the txt, md and json reports show them.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { diffClusters } from '../../src/engine/diff.ts';
import { diffClusterPolicies } from '../../src/engine/tier-diff.ts';
import { diffToJson, formatDiff } from '../../src/format/diff.ts';
import type { ClusterPolicyInfo } from '../../src/model/cluster.ts';
import type { ClusterNetworkPolicySpec } from '../../src/model/k8s.ts';
import { formatPath } from '../../src/model/problem.ts';
import { anp, banp, cluster, cnp } from '../support/builders.ts';
import { assertGolden, runCli } from '../support/cli.ts';

const SUBJECT = { namespaces: { matchLabels: { env: 'prod' } } };
const DB = { pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: 'db' } } } };
const DNS = { namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } };

/** An Admin CNP with two egress rules: deny-db, then allow-dns. */
const guardSpec: ClusterNetworkPolicySpec = {
  tier: 'Admin',
  priority: 100,
  subject: SUBJECT,
  egress: [
    { name: 'deny-db', action: 'Deny', to: [DB] },
    {
      name: 'allow-dns',
      action: 'Accept',
      to: [DNS],
      protocols: [{ udp: { destinationPort: { number: 53 } } }],
    },
  ],
};

/** The policy at a place in a file, as the parser gives it. */
function at(p: ClusterPolicyInfo, file: string, line: number): ClusterPolicyInfo {
  return { ...p, origin: { file, line, column: 1 } };
}

/** `id: note; note` for every change, or `id (added)`. */
function notes(before: readonly ClusterPolicyInfo[], after: readonly ClusterPolicyInfo[]): string[] {
  return diffClusterPolicies(before, after).map((c) =>
    c.change === 'modified' ? `${c.id}: ${c.notes.join('; ')}` : `${c.id} (${c.change})`,
  );
}

describe('cluster policy changes', () => {
  test('added and removed, by Kind/name, in id order', () => {
    const before = [cnp('guard', guardSpec), anp('old', { priority: 5, subject: SUBJECT })];
    const after = [cnp('guard', guardSpec), banp({ subject: SUBJECT })];
    assert.deepEqual(notes(before, after), [
      'AdminNetworkPolicy/old (removed)',
      'BaselineAdminNetworkPolicy/default (added)',
    ]);
  });

  test('the same objects: no change', () => {
    assert.deepEqual(notes([cnp('guard', guardSpec)], [cnp('guard', structuredClone(guardSpec))]), []);
  });

  test('a priority change, in words and as its field', () => {
    const changes = diffClusterPolicies(
      [cnp('guard', guardSpec)],
      [cnp('guard', { ...guardSpec, priority: 50 })],
    );
    assert.equal(changes.length, 1);
    assert.deepEqual(changes[0]!.notes, ['priority 100 → 50']);
    assert.deepEqual(changes[0]!.fields.map(formatPath), ['spec.priority']);
  });

  test('a tier change', () => {
    assert.deepEqual(notes([cnp('guard', guardSpec)], [cnp('guard', { ...guardSpec, tier: 'Baseline' })]), [
      'ClusterNetworkPolicy/guard: tier Admin → Baseline',
    ]);
  });

  test('an action change names the rule by its index in spec.egress (from 0, as explain) and name, in the API words', () => {
    const egress = [guardSpec.egress![0]!, { ...guardSpec.egress![1]!, action: 'Pass' }];
    assert.deepEqual(notes([cnp('guard', guardSpec)], [cnp('guard', { ...guardSpec, egress })]), [
      'ClusterNetworkPolicy/guard: egress rule 1 "allow-dns" action Accept → Pass',
    ]);
    // ANP says Allow where CNP says Accept; unnamed rules are named by position only.
    const was = anp('a', { priority: 1, subject: SUBJECT, ingress: [{ action: 'Allow', from: [DNS] }] });
    const now = anp('a', { priority: 1, subject: SUBJECT, ingress: [{ action: 'Deny', from: [DNS] }] });
    assert.deepEqual(notes([was], [now]), ['AdminNetworkPolicy/a: ingress rule 0 action Allow → Deny']);
  });

  test('the same rules in another order: reordered, no action change', () => {
    const egress = [guardSpec.egress![1]!, guardSpec.egress![0]!];
    assert.deepEqual(notes([cnp('guard', guardSpec)], [cnp('guard', { ...guardSpec, egress })]), [
      'ClusterNetworkPolicy/guard: egress rules reordered: deny-db, allow-dns → allow-dns, deny-db',
    ]);
  });

  test('a rule added in front, another edited: the names pair them, wherever they moved', () => {
    const egress = [
      { name: 'deny-all', action: 'Deny', to: [{ networks: ['0.0.0.0/0'] }] },
      { ...guardSpec.egress![0]!, action: 'Pass' },
      guardSpec.egress![1]!,
    ];
    assert.deepEqual(notes([cnp('guard', guardSpec)], [cnp('guard', { ...guardSpec, egress })]), [
      'ClusterNetworkPolicy/guard: egress rule 0 "deny-all" added (Deny); egress rule 1 "deny-db" action Deny → Pass',
    ]);
  });

  test('a rule removed, and named rules swapped while one of them changed', () => {
    const egress = [{ ...guardSpec.egress![1]!, action: 'Deny' }];
    assert.deepEqual(notes([cnp('guard', guardSpec)], [cnp('guard', { ...guardSpec, egress })]), [
      'ClusterNetworkPolicy/guard: egress rule 0 "deny-db" removed (Deny); egress rule 0 "allow-dns" action Accept → Deny',
    ]);
    const swapped = [{ ...guardSpec.egress![1]!, action: 'Deny' }, guardSpec.egress![0]!];
    assert.deepEqual(notes([cnp('guard', guardSpec)], [cnp('guard', { ...guardSpec, egress: swapped })]), [
      'ClusterNetworkPolicy/guard: egress rules reordered: deny-db, allow-dns → allow-dns, deny-db; egress rule 0 "allow-dns" action Accept → Deny',
    ]);
  });

  test('a peer change: fields, no notes (it changes what matches, not the order or the decision)', () => {
    const egress = [{ ...guardSpec.egress![0]!, to: [DNS] }, guardSpec.egress![1]!];
    const [c] = diffClusterPolicies([cnp('guard', guardSpec)], [cnp('guard', { ...guardSpec, egress })]);
    assert.deepEqual(c?.notes, []);
    assert.deepEqual(c?.fields.map(formatPath), [
      'spec.egress[0].to[0].namespaces',
      'spec.egress[0].to[0].pods',
    ]);
  });

  test('a move to another served version is a change of apiVersion', () => {
    const was = { ...cnp('guard', guardSpec), apiVersion: 'policy.networking.k8s.io/v1alpha2' };
    const [c] = diffClusterPolicies([was], [cnp('guard', guardSpec)]);
    assert.deepEqual(c?.notes, [
      'apiVersion policy.networking.k8s.io/v1alpha2 → policy.networking.k8s.io/v1beta1',
    ]);
    assert.deepEqual(c?.fields.map(formatPath), ['apiVersion']);
  });
});

describe('reports', () => {
  const before = cluster({
    clusterPolicies: [
      at(cnp('guard', guardSpec), 'before/guard.yaml', 1),
      at(
        anp('legacy', {
          priority: 10,
          subject: SUBJECT,
          ingress: [{ name: 'from-dns', action: 'Allow', from: [DNS] }],
        }),
        'before/anp.yaml',
        1,
      ),
    ],
  });
  const after = cluster({
    clusterPolicies: [
      at(
        cnp('guard', {
          ...guardSpec,
          priority: 50,
          egress: [{ ...guardSpec.egress![0]!, action: 'Pass' }, guardSpec.egress![1]!],
        }),
        'after/guard.yaml',
        1,
      ),
      at(
        cnp('baseline', {
          tier: 'Baseline',
          priority: 0,
          subject: SUBJECT,
          egress: [{ action: 'Deny', to: [{ networks: ['0.0.0.0/0'] }] }],
        }),
        'after/baseline.yaml',
        1,
      ),
    ],
  });
  const labels = { before: 'before', after: 'after' };
  const diff = diffClusters(before, after);

  test('txt: the summary, the table with tier and priority, and the changes in words (golden)', () => {
    const text = formatDiff(diff, labels, 'txt');
    assert.match(text, /; cluster policies: 1 added, 1 removed, 1 modified\n/);
    assert.match(
      text,
      /ClusterNetworkPolicy\/guard: priority 100 → 50; egress rule 0 "deny-db" action Deny → Pass\n/,
    );
    assertGolden('diff/tiers.txt', text);
  });

  test('md: a cluster policy table (golden)', () => {
    const md = formatDiff(diff, labels, 'md');
    assert.match(md, /\| ClusterNetworkPolicy\/guard \| modified \| Admin 100 → 50 \|/);
    assertGolden('diff/tiers.md', md);
  });

  test('json: counts, tiers and priorities of both sides, fields and notes', () => {
    const json = diffToJson(diff, labels);
    assert.equal(json.summary.clusterPoliciesAdded, 1);
    assert.equal(json.summary.clusterPoliciesRemoved, 1);
    assert.equal(json.summary.clusterPoliciesModified, 1);
    assert.deepEqual(json.clusterPolicies, [
      {
        change: 'removed',
        id: 'AdminNetworkPolicy/legacy',
        kind: 'AdminNetworkPolicy',
        name: 'legacy',
        tier: { before: 'Admin', after: null },
        priority: { before: 10, after: null },
        file: 'before/anp.yaml',
        line: 1,
        fields: [],
        notes: [],
      },
      {
        change: 'added',
        id: 'ClusterNetworkPolicy/baseline',
        kind: 'ClusterNetworkPolicy',
        name: 'baseline',
        tier: { before: null, after: 'Baseline' },
        priority: { before: null, after: 0 },
        file: 'after/baseline.yaml',
        line: 1,
        fields: [],
        notes: [],
      },
      {
        change: 'modified',
        id: 'ClusterNetworkPolicy/guard',
        kind: 'ClusterNetworkPolicy',
        name: 'guard',
        tier: { before: 'Admin', after: 'Admin' },
        priority: { before: 100, after: 50 },
        file: 'after/guard.yaml',
        line: 1,
        fields: [
          { path: 'spec.egress[0].action', line: null },
          { path: 'spec.priority', line: null },
        ],
        notes: ['priority 100 → 50', 'egress rule 0 "deny-db" action Deny → Pass'],
      },
    ]);
  });

  test('no cluster policy change: the report is as before (no section, no summary part)', () => {
    const same = diffClusters(before, before);
    const text = formatDiff(same, labels, 'txt');
    assert.doesNotMatch(text, /cluster policies/i);
    assert.match(text, /No differences\./);
    assert.deepEqual(diffToJson(same, labels).clusterPolicies, []);
  });
});

describe('netfence diff of folders with cluster policies (tiers evaluated)', () => {
  const BEFORE = 'test/fixtures/diff/tiers/before';
  const AFTER = 'test/fixtures/diff/tiers/after';

  for (const format of ['txt', 'md', 'json'] as const) {
    test(`-o ${format} matches its golden file`, async () => {
      const r = await runCli(['diff', BEFORE, AFTER, '-o', format]);
      assert.equal(r.code, 0, r.stderr);
      assertGolden(`diff/tiers-folders.${format}`, r.stdout);
    });
  }

  test('the Admin Deny turned Pass hands shop/web → data/db to the Baseline tier, which accepts TCP 5432 only', async () => {
    const r = await runCli(['diff', BEFORE, AFTER, '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout) as {
      connections: {
        change: string;
        src: { workload?: string };
        dst: { workload?: string };
        summary: { after: string | null };
      }[];
      clusterPolicies: { id: string; change: string; fields: { path: string; line: number | null }[] }[];
    };
    assert.deepEqual(
      json.connections.map((c) => [c.change, c.src.workload, c.dst.workload, c.summary.after]),
      [['added', 'shop/Deployment/web', 'data/StatefulSet/db', 'TCP 5432']],
    );
    assert.deepEqual(
      json.clusterPolicies.map((c) => [c.id, c.change, c.fields]),
      [
        ['ClusterNetworkPolicy/data-baseline', 'added', []],
        [
          'ClusterNetworkPolicy/guard',
          'modified',
          [
            { path: 'spec.egress[0].action', line: 15 },
            { path: 'spec.priority', line: 8 },
          ],
        ],
      ],
    );
  });
});
