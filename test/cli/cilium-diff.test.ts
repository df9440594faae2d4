/**
 * `netfence diff` with Cilium policies (issue #17): added, removed and modified Cilium policies are listed by
 * id, and a connection that gains or loses L7 filtering on the same ports is a change.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DiffJson } from '../../src/contract/diff.ts';
import { assertGolden, runCli } from '../support/cli.ts';

const BEFORE = 'test/fixtures/diff/cilium/before.yaml';
const AFTER = 'test/fixtures/diff/cilium/after.yaml';

describe('diff with Cilium policies', () => {
  test('text (golden): Cilium policies listed, the L7 rule deleted is a change', async () => {
    const r = await runCli(['diff', BEFORE, AFTER]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /; Cilium policies: 1 added, 1 removed, 1 modified\n/);
    assert.match(
      r.stdout,
      /shop\/web +shop\/api +TCP 8080 +TCP 8080 +no longer filtered at L7 on TCP 8080\n/,
    );
    assertGolden('diff/cilium.txt', r.stdout);
  });

  test('Markdown (golden)', async () => {
    const r = await runCli(['diff', BEFORE, AFTER, '-o', 'md']);
    assert.match(r.stdout, /\| CiliumNetworkPolicy\/shop\/api-from-web \| modified \|/);
    assertGolden('diff/cilium.md', r.stdout);
  });

  test('JSON: ciliumPolicies by id, and the pair with its l7 before and after', async () => {
    const r = await runCli(['diff', BEFORE, AFTER, '-o', 'json']);
    const json = JSON.parse(r.stdout) as DiffJson;
    assert.deepEqual(
      json.ciliumPolicies.map((p) => [p.change, p.id, p.fields.map((f) => f.path)]),
      [
        ['added', 'CiliumNetworkPolicy/other/client-ingress', []],
        ['modified', 'CiliumNetworkPolicy/shop/api-from-web', ['spec.ingress[0].toPorts[0].rules']],
        ['removed', 'CiliumNetworkPolicy/shop/web-deny-other', []],
      ],
    );
    // The summary counts them, as the text header does ("Cilium policies: 1 added, 1 removed, 1 modified").
    assert.deepEqual(
      [
        json.summary.ciliumPoliciesAdded,
        json.summary.ciliumPoliciesRemoved,
        json.summary.ciliumPoliciesModified,
      ],
      [1, 1, 1],
    );
    const changed = json.connections.find((c) => c.change === 'changed');
    assert.deepEqual(changed?.l7, { before: 'TCP 8080', after: null });
    assertGolden('diff/cilium.json', r.stdout);
  });

  test('only an L7 rule deleted: a change for --fail-on any and added, not for removed', async () => {
    const after = 'test/fixtures/diff/cilium/after-l7.yaml';
    const any = await runCli(['diff', BEFORE, after, '--fail-on', 'any']);
    assert.equal(any.code, 1, any.stdout);
    assert.doesNotMatch(any.stdout, /No differences/);
    assert.equal((await runCli(['diff', BEFORE, after, '--fail-on', 'added'])).code, 1);
    assert.equal((await runCli(['diff', BEFORE, after, '--fail-on', 'removed'])).code, 0);
  });
});
