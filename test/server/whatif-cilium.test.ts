/**
 * What-if with Cilium policies (issue #17) on examples/cilium: a CiliumNetworkPolicy edited, turned off or
 * added gives the connectivity diff against the current state (through the incremental engine's Cilium
 * edits), with the L7 marker and DNS-name destinations as `analyze` shows them; invalid Cilium YAML gives
 * problems with line, column and field.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { WhatIfJson } from '../../src/contract/api.ts';
import type { Analysis } from '../../src/server/analysis.ts';
import { webshopAnalysis } from './support.ts';

const API = 'CiliumNetworkPolicy/news/api-from-web';
const WEB = 'CiliumNetworkPolicy/news/web-from-world';
const FEEDS = 'CiliumNetworkPolicy/news/feed-fetcher-egress';

let analysis: Analysis;
let yamlOf: (id: string) => string;

before(async () => {
  analysis = await webshopAnalysis({ path: 'examples/cilium' });
  const model = analysis.model();
  yamlOf = (id) => model.ciliumPolicies.find((p) => p.id === id)!.yaml;
});
after(() => analysis.close());

const run = (changes: unknown[]): Promise<WhatIfJson> => analysis.whatIf({ changes });
const rowsOf = (r: WhatIfJson): string[] =>
  r.rows.map(
    (x) =>
      `${x.change} ${x.src} → ${x.dst}: ${x.before ?? '-'} → ${x.after ?? '-'}${x.l7 === null ? '' : ` (${x.l7})`}`,
  );

describe('what-if with Cilium policies', () => {
  test('the model lists each Cilium policy with its YAML as written', () => {
    const yaml = yamlOf(API);
    assert.match(yaml, /^# The API accepts web/);
    assert.match(yaml, /name: api-from-web/);
  });

  test('no changes: nothing changes, and the Cilium policies are untouched', async () => {
    const r = await run([]);
    assert.deepEqual(
      r.edges.filter((e) => e.l7 !== null).map((e) => `${e.src} → ${e.dst}: ${e.l7}`),
      [
        `news/Deployment/feed-fetcher → kube-system/Deployment/coredns: filtered at L7 on TCP 53; UDP 53; SCTP 53 by ${FEEDS}`,
        `news/Deployment/web → news/Deployment/api: filtered at L7 on TCP 8080 by ${API}`,
      ],
    );
    assert.deepEqual(r.problems, []);
    assert.deepEqual(r.rows, []);
    assert.deepEqual(r.ciliumPolicies, []);
    assert.deepEqual(r.domains, []);
    assert.ok(r.edges.length > 0 && r.edges.every((e) => e.change === 'unchanged'));
  });

  test('an edited CNP that drops its allow loses the connection, named with its L7 filtering', async () => {
    const yaml = yamlOf(API)
      .replace(/ {6}toPorts:[\s\S]*$/, '')
      .replace('app: web', 'app: nobody');
    const r = await run([{ target: API, yaml }]);
    assert.deepEqual(r.problems, []);
    assert.deepEqual(r.applied, [0]);
    assert.deepEqual(
      r.ciliumPolicies.map((p) => `${p.change} ${p.id}`),
      [`modified ${API}`],
    );
    assert.deepEqual(rowsOf(r), [
      `removed news/web → news/api: TCP 8080 → - (no longer filtered at L7 on TCP 8080 by ${API})`,
    ]);
    const edge = r.edges.find((e) => e.src === 'news/Deployment/web' && e.dst === 'news/Deployment/api');
    assert.deepEqual(
      { change: edge?.change, l7: edge?.l7 },
      { change: 'removed', l7: `filtered at L7 on TCP 8080 by ${API}` },
    );
  });

  test('an L7 rule dropped from a CNP: the same ports, no longer filtered at L7', async () => {
    const yaml = yamlOf(API).replace(/ {10}rules:[\s\S]*$/, '');
    const r = await run([{ target: API, yaml }]);
    assert.deepEqual(r.problems, []);
    assert.deepEqual(rowsOf(r), [
      `changed news/web → news/api: TCP 8080 → TCP 8080 (no longer filtered at L7 on TCP 8080 by ${API})`,
    ]);
  });

  test('turning a CNP off, and adding one', async () => {
    const added = yamlOf(WEB)
      .replace(/^#.*\n/gm, '')
      .replace('name: web-from-world', 'name: web-from-world-tls')
      .replace("'8080'", "'8443'");
    const r = await run([{ target: WEB }, { yaml: added }]);
    assert.deepEqual(r.problems, []);
    assert.deepEqual(r.applied, [0, 1]);
    assert.deepEqual(
      r.ciliumPolicies.map((p) => `${p.change} ${p.id}`),
      [`removed ${WEB}`, 'added CiliumNetworkPolicy/news/web-from-world-tls'],
    );
    // The world reaches web on 8443 instead of 8080.
    const rows = rowsOf(r);
    assert.ok(rows.length > 0);
    assert.ok(
      rows.every((x) => /^changed .* → news\/web: TCP 8080 → TCP 8443$/.test(x)),
      rows.join('\n'),
    );
  });

  test('a DNS name changed in a toFQDNs rule: one name lost, one gained', async () => {
    const yaml = yamlOf(FEEDS).replace('feeds.agency.example', 'feeds.press.example');
    const r = await run([{ target: FEEDS, yaml }]);
    assert.deepEqual(r.problems, []);
    assert.deepEqual(r.rows, []);
    assert.deepEqual(r.domains, [
      {
        change: 'removed',
        src: 'news/feed-fetcher',
        dst: 'feeds.agency.example (by DNS name)',
        before: 'TCP 443',
        after: null,
      },
      {
        change: 'added',
        src: 'news/feed-fetcher',
        dst: 'feeds.press.example (by DNS name)',
        before: null,
        after: 'TCP 443',
      },
    ]);
  });

  test('invalid Cilium YAML: problems with line, column and field, and the change is left out', async () => {
    const yaml = yamlOf(WEB).replace('protocol: TCP }', 'protocol: TPC }');
    const r = await run([{ target: WEB, yaml }]);
    assert.deepEqual(r.applied, []);
    assert.deepEqual(r.rows, []);
    const p = r.problems.find((x) => x.severity === 'error');
    assert.ok(p !== undefined, JSON.stringify(r.problems));
    assert.equal(p.change, 0);
    assert.match(p.message, /TPC/);
    assert.match(p.path, /toPorts\[0\]\.ports\[0\]\.protocol/);
    assert.equal(p.line, yaml.split('\n').findIndex((l) => l.includes('TPC')) + 1);
    assert.equal(typeof p.column, 'number');
  });

  test('a Cilium target that does not exist, and a name that is taken', async () => {
    const r = await run([
      { target: 'CiliumNetworkPolicy/news/nope', yaml: yamlOf(WEB) },
      { yaml: yamlOf(API) },
    ]);
    assert.deepEqual(r.applied, []);
    assert.match(r.problems[0]!.message, /there is no policy "CiliumNetworkPolicy\/news\/nope"/);
    assert.equal(r.problems[1]!.change, 1);
    assert.match(r.problems[1]!.message, /policy "CiliumNetworkPolicy\/news\/api-from-web" already exists/);
    assert.equal(r.problems[1]!.path, 'metadata.name');
  });
});
