/**
 * What-if on the bundled example: edits, new policies and policies turned off give the connectivity diff
 * against the current state; invalid YAML gives problems with line and column, and never a half-applied state.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ApiError, type Analysis } from '../../src/server/analysis.ts';
import { parseWhatIfRequest, WhatIfRequestError } from '../../src/server/whatif.ts';
import type { WhatIfJson } from '../../src/contract/api.ts';
import { webshopAnalysis } from './support.ts';

let analysis: Analysis;
let yamlOf: (id: string) => string;

before(async () => {
  analysis = await webshopAnalysis();
  const model = analysis.model();
  yamlOf = (id) => model.policies.find((p) => p.id === id)!.yaml;
});
after(() => analysis.close());

const run = (changes: unknown[]): Promise<WhatIfJson> => analysis.whatIf({ changes });
const edge = (r: WhatIfJson, src: string, dst: string): WhatIfJson['edges'][number] | undefined =>
  r.edges.find((e) => e.src === src && e.dst === dst);

describe('what-if', () => {
  test('no changes: every edge unchanged', async () => {
    const r = await run([]);
    assert.deepEqual(r.summary, {
      added: 0,
      removed: 0,
      changed: 0,
      unchanged: 221,
      before: { connections: 221, unchanged: 221, changed: 0, removed: 0 },
      after: { connections: 221, unchanged: 221, changed: 0, added: 0 },
      policiesAdded: 0,
      policiesRemoved: 0,
      policiesModified: 0,
      clusterPoliciesAdded: 0,
      clusterPoliciesRemoved: 0,
      clusterPoliciesModified: 0,
      ciliumPoliciesAdded: 0,
      ciliumPoliciesRemoved: 0,
      ciliumPoliciesModified: 0,
    });
    assert.ok(r.edges.every((e) => e.change === 'unchanged'));
    assert.deepEqual(r.problems, []);
  });

  test('an edit that removes a peer removes the edge, and only that edge', async () => {
    // data/allow-postgres without shop/catalog among its clients.
    const yaml = yamlOf('data/allow-postgres').replace('values: [catalog, checkout]', 'values: [checkout]');
    const r = await run([{ target: 'data/allow-postgres', yaml }]);
    assert.deepEqual(r.problems, []);
    assert.deepEqual(r.applied, [0]);
    assert.deepEqual(r.summary, {
      added: 0,
      removed: 1,
      changed: 0,
      unchanged: 220,
      before: { connections: 221, unchanged: 220, changed: 0, removed: 1 },
      after: { connections: 220, unchanged: 220, changed: 0, added: 0 },
      policiesAdded: 0,
      policiesRemoved: 0,
      policiesModified: 1,
      clusterPoliciesAdded: 0,
      clusterPoliciesRemoved: 0,
      clusterPoliciesModified: 0,
      ciliumPoliciesAdded: 0,
      ciliumPoliciesRemoved: 0,
      ciliumPoliciesModified: 0,
    });
    const removed = edge(r, 'shop/Deployment/catalog', 'data/StatefulSet/postgres');
    assert.deepEqual(
      { change: removed?.change, before: removed?.before, after: removed?.after },
      { change: 'removed', before: 'TCP 5432', after: null },
    );
    assert.equal(edge(r, 'shop/Deployment/checkout', 'data/StatefulSet/postgres')?.change, 'unchanged');
    assert.deepEqual(r.rows, [
      {
        change: 'removed',
        src: 'shop/catalog',
        dst: 'data/postgres',
        before: 'TCP 5432',
        after: null,
        added: null,
        removed: 'TCP 5432',
        l7: null,
      },
    ]);
    assert.deepEqual(
      r.policies.map((p) => `${p.change} ${p.id}`),
      ['modified data/allow-postgres'],
    );
  });

  test('turning a policy off, and adding one', async () => {
    // Without allow-redis, data's default-deny stops every client of Redis but Prometheus' scrape.
    const off = await run([{ target: 'data/allow-redis' }]);
    assert.equal(off.summary.added, 0);
    assert.equal(edge(off, 'shop/Deployment/api', 'data/StatefulSet/redis')?.change, 'removed');
    assert.equal(edge(off, 'monitoring/StatefulSet/prometheus', 'data/StatefulSet/redis')?.change, 'changed');
    const added = await run([
      {
        yaml: [
          'apiVersion: networking.k8s.io/v1',
          'kind: NetworkPolicy',
          'metadata: {name: default-deny-ingress, namespace: monitoring}',
          'spec: {podSelector: {}, policyTypes: [Ingress]}',
        ].join('\n'),
      },
    ]);
    assert.deepEqual(added.problems, []);
    assert.equal(
      edge(added, 'shop/Deployment/web', 'monitoring/StatefulSet/alertmanager')?.change,
      'removed',
    );
    assert.deepEqual(
      added.policies.map((p) => `${p.change} ${p.id}`),
      ['added monitoring/default-deny-ingress'],
    );
  });

  test('invalid YAML: problems with line and column, and the change is left out', async () => {
    const broken = yamlOf('data/allow-postgres').replace('port: postgres', 'port: 70000');
    const r = await run([{ target: 'data/allow-postgres', yaml: broken }]);
    assert.deepEqual(r.applied, []);
    assert.deepEqual(r.summary, {
      added: 0,
      removed: 0,
      changed: 0,
      unchanged: 221,
      before: { connections: 221, unchanged: 221, changed: 0, removed: 0 },
      after: { connections: 221, unchanged: 221, changed: 0, added: 0 },
      policiesAdded: 0,
      policiesRemoved: 0,
      policiesModified: 0,
      clusterPoliciesAdded: 0,
      clusterPoliciesRemoved: 0,
      clusterPoliciesModified: 0,
      ciliumPoliciesAdded: 0,
      ciliumPoliciesRemoved: 0,
      ciliumPoliciesModified: 0,
    });
    assert.equal(r.problems.length, 1);
    const p = r.problems[0]!;
    assert.deepEqual(
      { change: p.change, severity: p.severity, line: p.line, column: p.column, path: p.path },
      {
        change: 0,
        severity: 'error',
        line: 26,
        column: 11,
        path: 'spec.ingress[0].ports[0].port',
      },
    );
    const syntax = await run([
      { target: 'data/allow-postgres', yaml: 'kind: NetworkPolicy\nspec: [unclosed\n' },
    ]);
    assert.equal(syntax.problems[0]?.severity, 'error');
    // An unclosed flow sequence is found where the input ends.
    assert.equal(syntax.problems[0]?.line, 3);
  });

  test('what cannot be tried here says why', async () => {
    const r = await run([
      { target: 'data/nope', yaml: 'x: 1' },
      { yaml: 'apiVersion: v1\nkind: Namespace\nmetadata: {name: extra}\n' },
      { yaml: yamlOf('shop/allow-api') },
      { yaml: '# nothing here\n' },
    ]);
    assert.deepEqual(
      r.problems.map((p) => `${p.change}: ${p.message}`),
      [
        '0: there is no policy "data/nope" to change',
        '1: only NetworkPolicy, ClusterNetworkPolicy, AdminNetworkPolicy, BaselineAdminNetworkPolicy, CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy objects can be tried here, not Namespace',
        '2: policy "shop/allow-api" already exists: give it another name, or edit "shop/allow-api" itself',
        '3: no policy in this YAML: write one, or remove this new policy',
      ],
    );
    assert.deepEqual(r.applied, []);
  });

  test('an analysis that was replaced (a reload) refuses what-ifs: try again', async () => {
    const replaced = await webshopAnalysis();
    assert.equal((await replaced.whatIf({ changes: [] })).applied.length, 0);
    replaced.close();
    await assert.rejects(replaced.whatIf({ changes: [] }), (e: unknown) => {
      assert.ok(e instanceof ApiError);
      assert.equal(e.status, 503);
      return true;
    });
  });

  test('request bodies that are not a list of changes are refused whole', () => {
    assert.throws(() => parseWhatIfRequest(null), WhatIfRequestError);
    assert.throws(() => parseWhatIfRequest({ changes: [{}] }), /changes\[0\] has neither a target nor YAML/);
    assert.throws(
      () => parseWhatIfRequest({ changes: [{ target: 3 }] }),
      /changes\[0\]\.target must be a policy id/,
    );
    assert.deepEqual(parseWhatIfRequest({ changes: [{ target: 'a/b', yaml: null }] }), [{ target: 'a/b' }]);
  });
});
