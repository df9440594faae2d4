/**
 * L7 filtering is never silent (issue #17): `paths` hops, `explain`'s headline and `serve`'s connections say
 * "allowed at L4, filtered at L7 by <policy>" wherever a Cilium L7 rule applies.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { PathsJson } from '../../src/contract/paths.ts';
import type { TestJson } from '../../src/contract/test.ts';
import { runCli } from '../support/cli.ts';
import { webshopAnalysis } from '../server/support.ts';

const FIXTURE = 'test/fixtures/cilium-surfaces/cluster.yaml';
const POLICY = 'CiliumNetworkPolicy/shop/api-from-web';

describe('L7 filtering outside analyze', () => {
  test('analyze -o dot: the filtered edge is dashed, labelled, and names the policy in its tooltip', async () => {
    const r = await runCli(['analyze', 'examples/cilium', '-o', 'dot']);
    assert.equal(r.code, 0, r.stderr);
    const edge = r.stdout
      .split('\n')
      .find((l) => l.startsWith('  "news/Deployment/web" -> "news/Deployment/api"'));
    assert.equal(
      edge,
      '  "news/Deployment/web" -> "news/Deployment/api" [label="TCP 8080\\nfiltered at L7", style="dashed", tooltip="TCP 8080 (filtered at L7 on TCP 8080 by CiliumNetworkPolicy/news/api-from-web)"];',
    );
    // An edge without L7 rules stays plain.
    assert.match(r.stdout, /"news\/Deployment\/api" -> "data\/StatefulSet\/postgres" \[label="TCP 5432"\];/);
  });

  test('paths: the hop into shop/api is marked, the next one is not', async () => {
    const txt = await runCli(['paths', FIXTURE, '--from', 'shop/web', '--to', 'shop/db']);
    assert.match(
      txt.stdout,
      /→ shop\/api +TCP 8080, filtered at L7 on TCP 8080 by CiliumNetworkPolicy\/shop\/api-from-web\n/,
    );
    assert.match(txt.stdout, /→ shop\/db +TCP 5432\n/);
    const json = JSON.parse(
      (await runCli(['paths', FIXTURE, '--from', 'shop/web', '--to', 'shop/db', '-o', 'json'])).stdout,
    ) as PathsJson;
    const hops = 'targets' in json ? (json.targets[0]!.path ?? []) : [];
    assert.deepEqual(
      hops.map((h) => h.l7?.policies ?? null),
      [[POLICY], null],
    );
  });

  test("explain's headline says allowed at L4, filtered at L7 by the policy", async () => {
    const r = await runCli(['explain', FIXTURE, '--from', 'shop/web', '--to', 'shop/api', '--port', '8080']);
    assert.equal(
      r.stdout.split('\n')[0],
      `shop/web → shop/api: ALLOWED at L4 on 8080/TCP, filtered at L7 on 8080/TCP by ${POLICY}`,
    );
  });

  test('test: expect allow passes on an L7-filtered connection, and says it is filtered at L7', async () => {
    const spec = 'test/fixtures/cilium-surfaces/tests.yaml';
    const txt = await runCli(['test', '--spec', spec, FIXTURE]);
    assert.equal(txt.code, 0, txt.stderr);
    assert.match(
      txt.stdout,
      /^PASS {2}web reaches api \(allowed at L4, filtered at L7 on 8080\/TCP by CiliumNetworkPolicy\/shop\/api-from-web\)$/m,
    );
    assert.match(txt.stdout, /^PASS {2}api reaches db$/m);
    const json = JSON.parse(
      (await runCli(['test', '--spec', spec, FIXTURE, '-o', 'json'])).stdout,
    ) as TestJson;
    const [web, db] = json.specs[0]!.tests;
    assert.equal(web?.passed, true);
    assert.deepEqual(
      web?.l7?.map((p) => [p.src.name, p.dst.name, p.summary, p.policies]),
      [['shop/web', 'shop/api', '8080/TCP', [POLICY]]],
    );
    assert.equal(web?.l7Summary, `allowed at L4, filtered at L7 on 8080/TCP by ${POLICY}`);
    assert.equal(db?.l7, undefined);
    const junit = await runCli(['test', '--spec', spec, FIXTURE, '-o', 'junit']);
    assert.match(junit.stdout, /<system-out>allowed at L4, filtered at L7 on 8080\/TCP by /);
  });

  test("serve's model: the connection carries its l7 filtering", async () => {
    const analysis = await webshopAnalysis({ path: FIXTURE });
    try {
      const conns = analysis.model().connections ?? [];
      const filtered = conns.find((c) => c.src === 'shop/Deployment/web' && c.dst === 'shop/Deployment/api');
      assert.deepEqual(filtered?.l7, {
        ports: { TCP: [[8080, 8080]], UDP: [], SCTP: [] },
        summary: 'TCP 8080',
        policies: [POLICY],
      });
      const plain = conns.find((c) => c.src === 'shop/Deployment/api' && c.dst === 'shop/Deployment/db');
      assert.equal(plain?.l7, undefined);
    } finally {
      analysis.close();
    }
  });
});
