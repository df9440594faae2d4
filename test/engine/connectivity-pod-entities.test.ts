/**
 * The connectivity answer by pod (`src/engine/connectivity.ts`, `entityIndex`): its entities are pods, which
 * the JSON document lists under `pods` and names as `{ pod: id }`. Found by mutation testing (issue #20,
 * round 10): the pod entities' kind emptied survived the engine's tests, which read entity ids only.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileCluster } from '../../src/engine/compile.ts';
import { computeConnectivity } from '../../src/engine/connectivity.ts';
import { analysisSummary, connectivityToJson } from '../../src/format/connectivity.ts';
import { cluster, pod } from '../support/builders.ts';

test('by pod, the entities are pods: listed under `pods` and named `{ pod: id }` in the JSON document', () => {
  const state = cluster({ pods: [pod('a', 'web', { app: 'web' }), pod('a', 'db', { app: 'db' })] });
  const compiled = compileCluster(state);
  const conn = computeConnectivity(compiled, 'pod');
  assert.deepEqual(
    conn.entities.map((e) => [e.kind, e.id]),
    [
      ['pod', 'a/db'],
      ['pod', 'a/web'],
      ['external', 'external:0'],
    ],
  );
  const json = connectivityToJson(conn, compiled.addressSpace, analysisSummary(state));
  assert.ok('pods' in json, 'a list of pods, not of workloads');
  assert.deepEqual(
    json.pods.map((p) => [p.namespace, p.name]),
    [
      ['a', 'db'],
      ['a', 'web'],
    ],
  );
  assert.deepEqual(
    json.connections
      .filter((c) => !('external' in c.src) && !('external' in c.dst))
      .map((c) => [c.src, c.dst]),
    [
      [{ pod: 'a/db' }, { pod: 'a/web' }],
      [{ pod: 'a/web' }, { pod: 'a/db' }],
    ],
  );
});
