/**
 * A Node's address is in the cluster, not outside it, in every output that lists address classes: `analyze`
 * (txt, md, csv: `192.168.0.1/32 (an address of node n1)`; JSON: `nodes` on its `external` entry; dot: the
 * `nodes` box, not "outside the cluster"), `diff` and `drift` rows and JSON, `paths -o json`, `map -o dot`.
 * The connections and their counts stay as they were.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertGolden, runCli } from '../support/cli.ts';

// shop/web (on n1) is isolated for ingress; n1 is 192.168.0.1, n2 192.168.0.2.
const FIXTURE = 'test/fixtures/own-node/cluster.yaml';

interface ExternalJson {
  id: string;
  description: string;
  nodes?: string[];
}

describe("a node's address is named as the node's in analyze, diff, paths and map", () => {
  for (const format of ['txt', 'json', 'md', 'csv', 'dot']) {
    test(`analyze -o ${format}`, async () => {
      const r = await runCli(['analyze', FIXTURE, '-o', format]);
      assert.equal(r.code, 0, r.stderr);
      assertGolden(`analyze/own-node.${format}`, r.stdout);
    });
  }

  test('analyze --granularity pod', async () => {
    const r = await runCli(['analyze', FIXTURE, '--granularity', 'pod']);
    assertGolden('analyze/own-node-pod-granularity.txt', r.stdout);
  });

  test('analyze -o json: nodes only on the classes made of node addresses alone; counts as before', async () => {
    const r = await runCli(['analyze', FIXTURE, '-o', 'json']);
    const json = JSON.parse(r.stdout) as { summary: { connections: number }; external: ExternalJson[] };
    assert.equal(json.summary.connections, 21);
    assert.deepEqual(
      json.external.map((e) => [e.description, e.nodes]),
      [
        ['0.0.0.0/0 except 192.168.0.1/32, 192.168.0.2/32; ::/0', undefined],
        ['192.168.0.1/32', ['n1']],
        ['192.168.0.2/32', ['n2']],
      ],
    );
  });

  test('analyze -o dot: the nodes in their own box, the rest of the addresses outside', async () => {
    const r = await runCli(['analyze', FIXTURE, '-o', 'dot']);
    const box = (name: string) => r.stdout.slice(r.stdout.indexOf(`subgraph ${name} {`)).split('\n  }')[0]!;
    assert.match(box('cluster_nodes'), /label="nodes"/);
    assert.match(box('cluster_nodes'), /"external:1" \[label="192\.168\.0\.1\/32 \(an address of node n1\)"/);
    assert.match(box('cluster_nodes'), /"external:2"/);
    assert.doesNotMatch(box('cluster_external'), /"external:[12]"/);
    assert.match(box('cluster_external'), /"external:0"/);
  });

  test('diff: a row made of a node’s address says so, in txt, md and json', async () => {
    // The same cluster, with shop/web also open to n2's address (and so to agent2, on n2's network).
    const after = 'test/fixtures/own-node/from-n2.yaml';
    for (const format of ['txt', 'md', 'json']) {
      const r = await runCli(['diff', FIXTURE, after, '-o', format]);
      assert.equal(r.code, 0, r.stderr);
      assertGolden(`diff/own-node.${format}`, r.stdout);
    }
    const json = JSON.parse((await runCli(['diff', FIXTURE, after, '-o', 'json'])).stdout) as {
      summary: { added: number };
      external: ExternalJson[];
    };
    assert.equal(json.summary.added, 2);
    assert.deepEqual(
      json.external.map((e) => e.nodes),
      [['n2']],
    );
  });

  test('paths -o json: the node address a report names carries its node', async () => {
    const r = await runCli(['paths', FIXTURE, '--from', '192.168.0.1/32', '-o', 'json']);
    const json = JSON.parse(r.stdout) as { external: ExternalJson[] };
    assert.deepEqual(
      json.external.map((e) => [e.description, e.nodes]),
      [['192.168.0.1/32', ['n1']]],
    );
  });

  test('map -o dot: an observed node address in the nodes box, an outside one outside', async () => {
    const r = await runCli(['map', FIXTURE, '--flows', 'test/fixtures/own-node/flows.csv', '-o', 'dot']);
    assert.equal(r.code, 0, r.stderr);
    assertGolden('flows/own-node-map.dot', r.stdout);
  });

  test('map txt and md: the node address named as the node’s and counted apart; csv keeps the plain IP', async () => {
    const flows = ['map', FIXTURE, '--flows', 'test/fixtures/own-node/flows.csv'];
    const txt = await runCli(flows);
    assert.equal(txt.code, 0, txt.stderr);
    assertGolden('flows/own-node-map.txt', txt.stdout);
    const md = await runCli([...flows, '-o', 'md']);
    assert.equal(
      md.stdout.split('\n')[0],
      '**2 observed ports** between 1 workload, 1 node address and 1 outside address',
    );
    assert.match(md.stdout, /^\| 192\.168\.0\.2 \(an address of node n2\) \| shop\/web \| TCP 80 \| 3 \|/m);
    // The csv is the flow format itself, read back with --flows: its addresses stay plain.
    const csv = await runCli([...flows, '-o', 'csv']);
    assert.match(csv.stdout, /^,,,192\.168\.0\.2,shop,web,,,TCP,80,3,0,,$/m);
  });

  test('check-flows: an observed node address and an allowed, unobserved one are named as the nodes’', async () => {
    const r = await runCli(['check-flows', FIXTURE, '--flows', 'test/fixtures/own-node/flows.csv']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stdout,
      /^192\.168\.0\.2 \(an address of node n2\) +shop\/web +TCP 80 +3 +- +ingress of shop\/web$/m,
    );
    assert.match(r.stdout, /^203\.0\.113\.9 +shop\/web +TCP 80 +1 /m);
    assert.match(r.stdout, /^192\.168\.0\.1\/32 \(an address of node n1\) +shop\/web +All connections$/m);
  });

  test('check-flows -o json: an observed node address and an unobserved one carry their nodes', async () => {
    const r = await runCli(['check-flows', FIXTURE, '--flows', FLOWS, '-o', 'json']);
    assert.equal(r.code, 1, r.stderr);
    const json = JSON.parse(r.stdout) as {
      denied: { src: { ip?: string; nodes?: string[] } }[];
      unobserved: { src: { external?: string; nodes?: string[] } }[];
    };
    assert.deepEqual(
      json.denied.map((d) => d.src),
      [{ ip: '192.168.0.2', nodes: ['n2'] }, { ip: '203.0.113.9' }],
    );
    const external = json.unobserved.flatMap((u) => (u.src.external === undefined ? [] : [u.src]));
    // The rows merging every address class ("any address") name no node, as in the txt.
    assert.deepEqual(external, [
      { external: 'any address' },
      { external: 'any address' },
      { external: '192.168.0.1/32', nodes: ['n1'] },
    ]);
  });
});

const FLOWS = 'test/fixtures/own-node/flows.csv';
const dir = mkdtempSync(join(tmpdir(), 'netfence-own-node-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe("map -o json names a node's address, and map --merge keeps it", () => {
  test('map -o json: the node address end carries its nodes, an outside one none', async () => {
    const r = await runCli(['map', FIXTURE, '--flows', FLOWS, '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout) as { connections: { src: unknown }[] };
    assert.deepEqual(
      json.connections.map((c) => c.src),
      [{ ip: '192.168.0.2', nodes: ['n2'] }, { ip: '203.0.113.9' }],
    );
  });

  test('the merge of the maps of two shards is the map of both, in every format, node names included', async () => {
    const [header, ...rows] = readFileSync(FLOWS, 'utf8')
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('#'));
    const shards = rows.map((row, i) => {
      const csv = join(dir, `shard-${i}.csv`);
      writeFileSync(csv, `${header!}\n${row}\n`);
      return csv;
    });
    const maps: string[] = [];
    for (const [i, csv] of shards.entries()) {
      const r = await runCli(['map', FIXTURE, '--flows', csv, '-o', 'json', '-q']);
      assert.equal(r.code, 0, r.stderr);
      maps.push(join(dir, `shard-${i}.json`));
      writeFileSync(maps[i]!, r.stdout);
    }
    for (const format of ['json', 'txt', 'md', 'dot', 'csv']) {
      const whole = await runCli([
        'map',
        FIXTURE,
        ...shards.flatMap((f) => ['--flows', f]),
        '-o',
        format,
        '-q',
      ]);
      const merged = await runCli(['map', '--merge', ...maps, '-o', format]);
      assert.equal(merged.code, 0, merged.stderr);
      assert.equal(merged.stdout, whole.stdout, format);
    }
    const txt = await runCli(['map', '--merge', ...maps]);
    assert.match(txt.stdout, /^2 observed ports between 1 workload, 1 node address and 1 outside address$/m);
  });
});
