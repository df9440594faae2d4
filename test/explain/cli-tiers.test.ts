/**
 * `netfence explain` through the tiers, end to end on test/fixtures/explain-tiers (two tenants under Admin
 * guardrails, a team's NetworkPolicy and Baseline defaults): golden outputs, read them, they are the user's view.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertGolden, runCli } from '../support/cli.ts';
import type { ExplainJson } from '../../src/contract/explain.ts';

const FIXTURE = 'test/fixtures/explain-tiers';

describe('netfence explain through the tiers', () => {
  test('Admin Pass → not isolated → the Baseline allows; NetworkPolicy decides ingress', async () => {
    const r = await runCli(['explain', '--from', 'shop/web', '--to', 'data/db', FIXTURE]);
    assert.equal(r.code, 0);
    assertGolden('explain/tiers-web-to-db.txt', r.stdout);
  });

  test('an Admin Deny between tenants (exit 1)', async () => {
    const r = await runCli(['explain', '--from', 'shop/web', '--to', 'other/app', '--port', '8080', FIXTURE]);
    assert.equal(r.code, 1);
    assertGolden('explain/tiers-web-to-other.txt', r.stdout);
  });

  test('an address: the Baseline denies, and a DNS-name rule may allow it depending on DNS resolution', async () => {
    const r = await runCli([
      'explain',
      '--from',
      'shop/web',
      '--to',
      '203.0.113.10',
      '--port',
      '443',
      '-o',
      'md',
      FIXTURE,
    ]);
    assert.equal(r.code, 1);
    assertGolden('explain/tiers-web-to-address.md', r.stdout);
  });

  test('-o json: each side walks the tiers, with file and line of each rule', async () => {
    const r = await runCli([
      'explain',
      '--from',
      'shop/web',
      '--to',
      'other/app',
      '--port',
      '8080',
      '-o',
      'json',
      FIXTURE,
    ]);
    assert.equal(r.code, 1);
    const json = JSON.parse(r.stdout) as ExplainJson;
    const egress = json.explanations[0]!.egress.tiers;
    assert.equal(egress.status, 'applies');
    assert.equal(egress.paths.length, 1);
    const [step] = egress.paths[0]!.steps;
    assert.ok(step?.kind === 'rule');
    assert.deepEqual(
      [
        step.match.policy,
        step.match.ruleName,
        step.match.action,
        step.match.path,
        step.match.file,
        step.match.line,
      ],
      [
        'ClusterNetworkPolicy/tenant-a-guardrails',
        'no-other-tenant',
        'deny',
        'spec.egress[1]',
        `${FIXTURE}/tiers.yaml`,
        20,
      ],
    );
    assert.deepEqual(json.explanations[0]!.segments[0]!.egress.tierRule, {
      policy: 'ClusterNetworkPolicy/tenant-a-guardrails',
      path: 'spec.egress[1]',
      action: 'deny',
    });
  });
});
