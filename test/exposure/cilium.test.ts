/**
 * `netfence exposure` with Cilium policies (issue #17): a Cilium rule set in default deny isolates the
 * workload, its rules are listed by policy id, and the flags follow what Cilium allows and denies.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ExposureJson, ExposureItemJson } from '../../src/contract/exposure.ts';
import { assertGolden, runCli } from '../support/cli.ts';

const FIXTURE = 'test/fixtures/cilium-surfaces/cluster.yaml';

async function exposure(): Promise<ExposureItemJson[]> {
  const r = await runCli(['exposure', FIXTURE, '-o', 'json']);
  assert.equal(r.code, 0, r.stderr);
  const json = JSON.parse(r.stdout) as ExposureJson;
  return 'workloads' in json ? [...json.workloads] : [];
}

describe('exposure with Cilium policies', () => {
  test('a CiliumNetworkPolicy isolates shop/db for ingress: only shop/api, on 5432, not every namespace', async () => {
    const db = (await exposure()).find((w) => w.name === 'shop/db')!;
    assert.equal(db.ingress.status, 'isolated');
    assert.deepEqual(db.ingress.policies, ['CiliumNetworkPolicy/shop/db-from-api']);
    assert.deepEqual(
      db.ingress.cilium.map((s) => [s.policy, s.path, s.description, s.today]),
      [
        [
          'CiliumNetworkPolicy/shop/db-from-api',
          'spec.ingress[0]',
          'allowed from endpoints labelled app=api in namespace shop on 5432/TCP',
          ['shop/Deployment/api'],
        ],
      ],
    );
    assert.deepEqual(
      db.flags.map((f) => f.flag),
      ['egress-to-internet'],
    );
  });

  test('a CCNP isolating egress: batch/job reaches the internet by DNS name only, and says so', async () => {
    const job = (await exposure()).find((w) => w.name === 'batch/job')!;
    assert.equal(job.egress.status, 'isolated');
    assert.deepEqual(job.egress.policies, ['CiliumClusterwideNetworkPolicy/batch-egress']);
    const internet = job.flags.find((f) => f.flag === 'egress-to-internet');
    assert.match(
      internet?.reason ?? '',
      /DNS name api\.stripe\.com \(CiliumClusterwideNetworkPolicy\/batch-egress/,
    );
  });

  test('an ingressDeny-only rule set isolates and denies; L7 filtering is stated', async () => {
    const all = await exposure();
    const web = all.find((w) => w.name === 'shop/web')!;
    assert.equal(web.ingress.status, 'isolated');
    assert.deepEqual(
      web.ingress.cilium.map((s) => [s.list, s.deny, s.today]),
      [['ingressDeny', true, ['other/Deployment/client']]],
    );
    const api = all.find((w) => w.name === 'shop/api')!;
    assert.deepEqual(api.ingress.cilium[0]?.l7, ['http']);
    assert.ok(!api.flags.some((f) => f.flag === 'reachable-from-all-namespaces'));
  });

  test('txt (golden)', async () => {
    const r = await runCli(['exposure', FIXTURE]);
    assert.equal(r.code, 0, r.stderr);
    assertGolden('exposure/cilium.txt', r.stdout);
  });
});
