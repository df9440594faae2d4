/**
 * One number, one meaning: `policies` counts NetworkPolicies in every output; Cilium policies are counted
 * beside them, as cluster policies are (issue #17).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AnalyzeHeadJson } from '../../src/contract/analyze.ts';
import { runCli } from '../support/cli.ts';
import { webshopAnalysis } from '../server/support.ts';
import { policyCounts } from '../../src/format/connectivity.ts';

const FIXTURE = 'test/fixtures/cilium-surfaces/cluster.yaml';

describe('Cilium policies are counted', () => {
  test('analyze: text, Markdown and JSON', async () => {
    const txt = await runCli(['analyze', FIXTURE]);
    assert.match(txt.stdout, /^5 workloads in 3 namespaces, 1 policy, 4 Cilium policies: /);
    const md = await runCli(['analyze', FIXTURE, '-o', 'md']);
    assert.match(md.stdout, /between 5 workloads in 3 namespaces \(1 policy, 4 Cilium policies\)/);
    const json = JSON.parse((await runCli(['analyze', FIXTURE, '-o', 'json'])).stdout) as AnalyzeHeadJson;
    assert.equal(json.summary.policies, 1);
    assert.equal(json.summary.ciliumPolicies, 4);
  });

  test("serve's model lists them, each with the workloads it selects, and the banner counts them", async () => {
    const analysis = await webshopAnalysis({ path: FIXTURE });
    try {
      const model = analysis.model();
      assert.equal(model.summary.policies, 1);
      assert.deepEqual(
        model.ciliumPolicies.map((p) => [p.id, p.namespace, p.ingress, p.egress, p.selects]),
        [
          ['CiliumNetworkPolicy/shop/db-from-api', 'shop', true, false, ['shop/Deployment/db']],
          ['CiliumNetworkPolicy/shop/api-from-web', 'shop', true, false, ['shop/Deployment/api']],
          ['CiliumNetworkPolicy/shop/web-deny-other', 'shop', true, false, ['shop/Deployment/web']],
          ['CiliumClusterwideNetworkPolicy/batch-egress', null, false, true, ['batch/Deployment/job']],
        ],
      );
      const db = model.workloads.find((w) => w.id === 'shop/Deployment/db');
      assert.deepEqual(db?.ciliumPolicies, ['CiliumNetworkPolicy/shop/db-from-api']);
      assert.equal(policyCounts(analysis.input.state), '1 policy, 4 Cilium policies');
    } finally {
      analysis.close();
    }
  });
});
