/**
 * `explain -o json`'s Cilium L7 entries (round 14: one formatter writes both lists): an entry the connection
 * is filtered by (`l7`) and an entry an L4-only allow cancels (`shadowedL7`) carry the same fields, in the same
 * order: the rule's citation, `entry`, `l7`, `ports`, `summary` (and, shadowed, the allows that cancel it).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../support/cli.ts';
import type { ExplainJson } from '../../src/contract/explain.ts';

async function explainJson(fixture: string): Promise<ExplainJson> {
  const r = await runCli([
    'explain',
    fixture,
    '--from',
    'shop/web',
    '--to',
    'shop/api',
    '--port',
    '8080',
    '-o',
    'json',
  ]);
  assert.equal(r.stderr, '');
  return JSON.parse(r.stdout) as ExplainJson;
}

const TCP_8080 = { TCP: [[8080, 8080]], UDP: [], SCTP: [] };

test('an L7 entry the connection is filtered by: its citation, entry, kind, ports and summary', async () => {
  const x = await explainJson('test/fixtures/cilium-surfaces/cluster.yaml');
  const l7 = x.explanations[0]!.l7 ?? [];
  assert.deepEqual(
    l7.map((e) => Object.entries(e)),
    [
      [
        ['policy', 'CiliumNetworkPolicy/shop/api-from-web'],
        ['path', 'spec.ingress[0]'],
        ['deny', false],
        ['file', 'test/fixtures/cilium-surfaces/cluster.yaml'],
        ['line', 84],
        ['entry', 'spec.ingress[0].toPorts[0]'],
        ['l7', 'http'],
        ['ports', TCP_8080],
        ['summary', 'TCP 8080'],
      ],
    ],
  );
});

test('a shadowed L7 entry: the same fields in the same order, then the allows that cancel it', async () => {
  const x = await explainJson('test/fixtures/cilium-explain/cluster.yaml');
  const shadowed = x.explanations[0]!.ingress.cilium?.shadowedL7 ?? [];
  assert.deepEqual(
    shadowed.map((e) => Object.keys(e)),
    [['policy', 'path', 'deny', 'file', 'line', 'entry', 'l7', 'ports', 'summary', 'by']],
  );
  assert.deepEqual(
    shadowed.map(({ deny, entry, l7, ports, summary }) => ({ deny, entry, l7, ports, summary })),
    [{ deny: false, entry: 'spec.ingress[0].toPorts[0]', l7: 'http', ports: TCP_8080, summary: 'TCP 8080' }],
  );
});
