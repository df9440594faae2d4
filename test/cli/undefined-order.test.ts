/**
 * `analyze` and `test` on cluster policies of one priority that decide the same traffic differently
 * (test/fixtures/tiers-tie): the API leaves that outcome undefined, and they say so instead of silently
 * following netfence's stable order.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runCli } from '../support/cli.ts';
import type { AnalyzeJson } from '../../src/contract/analyze.ts';

const TIE = 'test/fixtures/tiers-tie/cluster.yaml';
const NOTE =
  /^note: cluster policies of equal priority decide some traffic differently \(Admin priority 10: ClusterNetworkPolicy\/allow-db, ClusterNetworkPolicy\/deny-data\): the API leaves the outcome undefined, and netfence follows its stable order \(ClusterNetworkPolicy before AdminNetworkPolicy, then by name\); see netfence lint \(rule no-tier-priority-overlap\) for that traffic, and netfence explain for a connection\n$/m;

describe('equal-priority ties the API leaves undefined', () => {
  for (const format of ['txt', 'csv', 'md', 'dot'] as const) {
    test(`analyze -o ${format}: a note on stderr, the stable order's answer on stdout`, async () => {
      const r = await runCli(['analyze', TIE, '-o', format]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, NOTE);
      assert.doesNotMatch(r.stdout, /note:/);
    });
  }

  test('analyze -o json: summary.undefinedOrder names the tier, the priority and the policies', async () => {
    const r = await runCli(['analyze', TIE, '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout) as AnalyzeJson;
    assert.deepEqual(json.summary.undefinedOrder, [
      {
        tier: 'Admin',
        priority: 10,
        policies: ['ClusterNetworkPolicy/allow-db', 'ClusterNetworkPolicy/deny-data'],
      },
    ]);
    // netfence's stable order: allow-db (by name) decides 5432.
    assert.ok(json.connections.some((c) => c.summary === 'TCP 5432'));
  });

  test('analyze -q: no note', async () => {
    const r = await runCli(['analyze', TIE, '-q']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
  });

  test('without a tie: no note, and an empty undefinedOrder', async () => {
    const r = await runCli(['analyze', 'test/fixtures/tiers']);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /equal priority/);
    const json = JSON.parse(
      (await runCli(['analyze', 'test/fixtures/tiers', '-o', 'json'])).stdout,
    ) as AnalyzeJson;
    assert.deepEqual(json.summary.undefinedOrder, []);
  });

  test('test: the verdict follows the stable order, and a note says so', async () => {
    const r = await runCli(['test', '--spec', 'test/fixtures/tiers-tie/spec.yaml', TIE]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /PASS {2}web reaches the database/);
    assert.match(r.stderr, NOTE);
  });
});
