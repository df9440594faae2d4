/**
 * `netfence drift` on two snapshot files (examples/drift: `netfence snapshot` of a cluster running
 * examples/webshop, then of the same cluster after a kubectl edit of data/allow-postgres, a deleted
 * monitoring/allow-grafana and a hand-made shop/allow-web-to-cart). No cluster needed.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { EntityRefJson } from '../../src/contract/common.ts';
import type { DriftJson } from '../../src/contract/drift.ts';
import { assertGolden, runCli } from '../support/cli.ts';

const STAGING = 'examples/drift/staging.yaml';
const PROD = 'examples/drift/prod.yaml';
const ref = (r: EntityRefJson): string => ('workload' in r ? r.workload : JSON.stringify(r));

describe('netfence drift staging.yaml prod.yaml', () => {
  for (const format of ['txt', 'md', 'json'] as const) {
    test(`-o ${format} matches its golden file`, async () => {
      const r = await runCli(['drift', STAGING, PROD, '-o', format]);
      assert.equal(r.code, 0, r.stderr);
      assertGolden(`drift/snapshots.${format}`, r.stdout);
    });
  }

  test('reports exactly the edited, the deleted and the added policy, and the connections they change', async () => {
    const r = await runCli(['drift', STAGING, PROD, '-o', 'json']);
    const out = JSON.parse(r.stdout) as DriftJson;
    assert.equal(out.schemaVersion, 1);
    assert.equal(out.inSync, false);
    assert.deepEqual(
      out.policies.map((p) => `${p.drift} ${p.id} ${p.fields.join(',')}`),
      [
        'changed data/allow-postgres spec.ingress[0].from[0].podSelector.matchExpressions[0].values',
        'missing monitoring/allow-grafana ',
        'extra shop/allow-web-to-cart ',
      ],
    );
    assert.deepEqual(out.summary, { missing: 1, extra: 1, changed: 1, inSync: 19, connections: 2 });
    // Live (prod) allows both; the desired policies (staging) neither.
    assert.deepEqual(
      out.connectivity.connections.map(
        (c) => `${c.change} ${ref(c.src)} → ${ref(c.dst)} ${c.summary.before}`,
      ),
      [
        'removed shop/Deployment/cart → data/StatefulSet/postgres TCP 5432',
        'removed shop/Deployment/web → shop/Deployment/cart TCP 50051',
      ],
    );
    // Where each policy is: the desired side's, the live side's for an extra one.
    assert.deepEqual(
      out.policies.map((p) => p.file),
      [STAGING, STAGING, PROD],
    );
  });

  test('summary.connections counts the connectivity entries, the text and connectivity.summary count connections', async () => {
    // One connection, shop/web to any address, narrowed from TCP 443 to TCP 80 except two ranges: the common
    // address classes split it in three entries.
    const dir = mkdtempSync(join(tmpdir(), 'netfence-drift-entries-'));
    try {
      const web = [
        'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}',
        'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: web, image: web:1}]}',
      ];
      const egress = (to: string, port: number): string =>
        `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: egress, namespace: shop}\nspec:\n  podSelector: {matchLabels: {app: web}}\n  policyTypes: [Egress]\n  egress:\n    - to: [{ipBlock: ${to}}]\n      ports: [{port: ${port}}]`;
      const live = join(dir, 'live.yaml');
      const desired = join(dir, 'desired.yaml');
      writeFileSync(live, [...web, egress('{cidr: 0.0.0.0/0}', 443)].join('\n---\n'));
      writeFileSync(
        desired,
        [...web, egress('{cidr: 0.0.0.0/0, except: [10.0.0.0/8, 192.168.0.0/16]}', 80)].join('\n---\n'),
      );
      const text = await runCli(['drift', desired, live]);
      assert.match(
        text.stdout,
        /^Out of sync: policies: 1 changed, 0 in sync; connectivity: 0 connections only desired, 0 only live, 1 on other ports$/m,
      );
      assert.match(text.stdout, /^Allowed on other ports live \(1 in 2 rows\)$/m);
      const out = JSON.parse((await runCli(['drift', desired, live, '-o', 'json'])).stdout) as DriftJson;
      assert.deepEqual([out.summary.connections, out.connectivity.connections.length], [3, 3]);
      const c = out.connectivity.summary;
      assert.deepEqual([c.added, c.removed, c.changed, c.before.changed, c.after.changed], [0, 0, 1, 1, 1]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a snapshot against itself is in sync', async () => {
    const r = await runCli(['drift', STAGING, STAGING, '--fail-on', 'any']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^In sync: 21 policies; no connectivity difference$/m);
  });

  test('--fail-on exits 1 for the kinds found, with one line on stderr; 0 for the kinds not found', async () => {
    const changed = await runCli(['drift', STAGING, PROD, '--fail-on', 'changed,connectivity']);
    assert.equal(changed.code, 1);
    assert.match(
      changed.stderr,
      /^netfence: drift: 1 policy changed, connectivity differs: 0 connections only desired, 2 only live, 0 on other ports \(--fail-on changed,connectivity\)$/m,
    );
    const any = await runCli(['drift', STAGING, PROD, '--fail-on', 'any']);
    assert.equal(any.code, 1);
    assert.match(
      any.stderr,
      /^netfence: drift: 1 policy missing, 1 policy extra, 1 policy changed, connectivity differs: 0 connections only desired, 2 only live/m,
    );
    // Reversed, prod is the desired side: allow-web-to-cart is missing in staging, allow-grafana extra.
    const reversed = await runCli(['drift', PROD, STAGING, '--fail-on', 'missing', '-o', 'json']);
    assert.equal(reversed.code, 1);
    const out = JSON.parse(reversed.stdout) as DriftJson;
    assert.deepEqual(
      out.policies.map((p) => `${p.drift} ${p.id}`),
      ['changed data/allow-postgres', 'extra monitoring/allow-grafana', 'missing shop/allow-web-to-cart'],
    );
  });

  test('usage errors are one line, exit 2', async () => {
    const cases: [string[], RegExp][] = [
      [['drift', STAGING], /^netfence: drift compares <desired> <live> .*got 1/m],
      [
        ['drift', STAGING, PROD, '--fail-on', 'missing,gone'],
        /--fail-on: unknown kind "gone"; use one of missing, extra, changed, connectivity, any/,
      ],
      [
        ['drift', STAGING, '--vs-context', 'prod'],
        /^netfence: --vs-context compares two contexts of the kubeconfig: add --cluster$/m,
      ],
      [['drift', '--git', 'HEAD', STAGING], /^netfence: --git gives the desired side; add --cluster/m],
      [
        ['drift', STAGING, PROD, '--context', 'prod'],
        /^netfence: --context read a live cluster: add --cluster$/m,
      ],
      [
        ['drift', '--cluster', STAGING, PROD],
        /^netfence: with --cluster, drift compares the live cluster with one set of desired manifests: give one path \(got 2\)/m,
      ],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    }
  });
});
