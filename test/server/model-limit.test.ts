/**
 * Above `MAX_MODEL_CONNECTIONS` connections `/api/model` leaves the workload-level list out (`connections:
 * null`) and the UI asks `/api/connections?namespace=` for what it draws. A few seconds: apart from
 * model-details.test.ts so that mutation runs may leave it out.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_MODEL_CONNECTIONS } from '../../src/server/model.ts';
import type { ModelJson } from '../../src/contract/api.ts';
import { cluster, pod, policy, type ClusterInput } from '../support/builders.ts';
import { analysisOf } from './support.ts';

/** The model of `n` pods in namespace `a` that restrict nothing (and of `others` more, when given). */
function open(n: number, others: Pick<ClusterInput, 'namespaces' | 'pods' | 'policies'> = {}): ModelJson {
  const pods = Array.from({ length: n }, (_, i) => pod('a', `p${i}`, { index: String(i) }));
  const a = analysisOf(cluster({ ...others, pods: [...pods, ...(others.pods ?? [])] }));
  try {
    return a.model();
  } finally {
    a.close();
  }
}

test(`above ${MAX_MODEL_CONNECTIONS} connections the model leaves the workload-level list out`, () => {
  // n × n connections between n open pods, and n to the outside: 223 × 224 = 49952. One more pod, isolated
  // both ways, reaching 48 of them only: 50000, the limit itself.
  const reached = Array.from({ length: 48 }, (_, i) => String(i));
  const at = open(223, {
    pods: [pod('b', 'q', { app: 'q' })],
    policies: [
      policy('b', 'q', {
        podSelector: { matchLabels: { app: 'q' } },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [],
        egress: [
          {
            to: [
              {
                namespaceSelector: {},
                podSelector: { matchExpressions: [{ key: 'index', operator: 'In', values: reached }] },
              },
            ],
          },
        ],
      }),
    ],
  });
  assert.equal(at.summary.connections, MAX_MODEL_CONNECTIONS);
  assert.equal(at.connections?.length, MAX_MODEL_CONNECTIONS);
  const over = open(224);
  assert.equal(over.summary.connections, 224 * 225);
  assert.equal(over.connections, null);
  assert.equal(
    over.namespaceConnections.reduce((n, g) => n + g.count, 0),
    224 * 225,
  );
});
