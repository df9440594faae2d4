/**
 * Above `MAX_MODEL_CONNECTIONS` connections `/api/model` leaves the workload-level list out (`connections:
 * null`) and the UI asks `/api/connections?namespace=` for what it draws. A few seconds: apart from
 * model-details.test.ts so that mutation runs may leave it out.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_MODEL_CONNECTIONS } from '../../src/server/model.ts';
import type { ModelJson } from '../../src/contract/api.ts';
import { cluster, pod } from '../support/builders.ts';
import { analysisOf } from './support.ts';

/** The model of `n` pods in one namespace that restrict nothing. */
function open(n: number): ModelJson {
  const a = analysisOf(cluster({ pods: Array.from({ length: n }, (_, i) => pod('a', `p${i}`)) }));
  try {
    return a.model();
  } finally {
    a.close();
  }
}

test(`above ${MAX_MODEL_CONNECTIONS} connections the model leaves the workload-level list out`, () => {
  // n × n connections between the pods, and n to the outside.
  const under = open(223);
  assert.equal(under.summary.connections, 223 * 224);
  assert.equal(under.connections?.length, 223 * 224);
  const over = open(224);
  assert.equal(over.summary.connections, 224 * 225);
  assert.equal(over.connections, null);
  assert.equal(
    over.namespaceConnections.reduce((n, g) => n + g.count, 0),
    224 * 225,
  );
});
